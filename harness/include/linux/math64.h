/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Harness shim: the kernel's <linux/math64.h> (64-bit divisions that
 * 32-bit kernels cannot do with '/').  The harness is 64-bit, so these are
 * plain C; the models still call the kernel's names, so the same source
 * builds on 32-bit kernels.  A zero divisor traps here (UBSan), as it
 * does in the kernel.
 */
#ifndef _HARNESS_LINUX_MATH64_H
#define _HARNESS_LINUX_MATH64_H

#include <linux/types.h>
#include <linux/math.h>

static inline u64 div_u64_rem(u64 dividend, u32 divisor, u32 *remainder)
{
	*remainder = dividend % divisor;
	return dividend / divisor;
}

static inline u64 div_u64(u64 dividend, u32 divisor)
{
	return dividend / divisor;
}

static inline s64 div_s64_rem(s64 dividend, s32 divisor, s32 *remainder)
{
	*remainder = dividend % divisor;
	return dividend / divisor;
}

static inline s64 div_s64(s64 dividend, s32 divisor)
{
	return dividend / divisor;
}

static inline u64 div64_u64_rem(u64 dividend, u64 divisor, u64 *remainder)
{
	*remainder = dividend % divisor;
	return dividend / divisor;
}

static inline u64 div64_u64(u64 dividend, u64 divisor)
{
	return dividend / divisor;
}

static inline s64 div64_s64(s64 dividend, s64 divisor)
{
	return dividend / divisor;
}

#define div64_ul(x, y)		div64_u64((x), (y))
#define div64_long(x, y)	div64_s64((x), (y))

static inline u64 mul_u32_u32(u32 a, u32 b)
{
	return (u64)a * b;
}

static inline u64 mul_u64_u32_shr(u64 a, u32 mul, unsigned int shift)
{
	return (u64)(((__uint128_t)a * mul) >> shift);
}

static inline u64 mul_u64_u32_div(u64 a, u32 mul, u32 divisor)
{
	return (u64)(((__uint128_t)a * mul) / divisor);
}

static inline u64 mul_u64_u64_div_u64(u64 a, u64 mul, u64 divisor)
{
	return (u64)(((__uint128_t)a * mul) / divisor);
}

#define DIV64_U64_ROUND_UP(ll, d)					\
	({ u64 _tmp = (d); div64_u64((ll) + _tmp - 1, _tmp); })

/* do_div(n, base): n becomes the quotient, the value is the remainder */
#define do_div(n, base) ({						\
	u32 __base = (base);						\
	u32 __rem = (u32)((u64)(n) % __base);				\
	(n) = (u64)(n) / __base;					\
	__rem;								\
})

#endif
