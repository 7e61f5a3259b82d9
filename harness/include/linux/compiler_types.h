/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Harness shim: force-included into every file, as Kbuild force-includes
 * the kernel's compiler_types.h.  Sparse annotations are empty here; the
 * kernel build checks them with sparse.
 */
#ifndef _HARNESS_LINUX_COMPILER_TYPES_H
#define _HARNESS_LINUX_COMPILER_TYPES_H

#define __user
#define __kernel
#define __iomem
#define __force
#define __rcu
#define __percpu
#define __nocast
#define __safe
#define __private
#define __must_hold(x)
#define __acquires(x)
#define __releases(x)
#define __acquire(x)	((void)0)
#define __release(x)	((void)0)
#define __cond_lock(x, c) (c)
#define __cond_acquires(x)

#define __always_inline		inline __attribute__((__always_inline__))
#define noinline		__attribute__((__noinline__))
#define __noreturn		__attribute__((__noreturn__))
#define __must_check		__attribute__((__warn_unused_result__))
#define __maybe_unused		__attribute__((__unused__))
#define __always_unused		__attribute__((__unused__))
#define __used			__attribute__((__used__))
#define __packed		__attribute__((__packed__))
#define __aligned(x)		__attribute__((__aligned__(x)))
#define __printf(a, b)		__attribute__((__format__(printf, a, b)))
#define __cold			__attribute__((__cold__))
#define __pure			__attribute__((__pure__))
#define __weak			__attribute__((__weak__))
#define __section(s)		__attribute__((__section__(s)))
#define __read_mostly
#define __ro_after_init
#define __counted_by(m)
#define __nonstring
#define __randomize_layout
#define notrace
#define __visible
#define asmlinkage

#ifndef fallthrough
#define fallthrough		__attribute__((__fallthrough__))
#endif

#define likely(x)		__builtin_expect(!!(x), 1)
#define unlikely(x)		__builtin_expect(!!(x), 0)

#define __same_type(a, b)	__builtin_types_compatible_p(typeof(a), typeof(b))

#ifndef typeof
#define typeof(x)		__typeof__(x)
#endif

#endif
