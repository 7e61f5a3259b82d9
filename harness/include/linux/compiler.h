/* SPDX-License-Identifier: GPL-2.0 */
/* Harness shim: READ_ONCE/WRITE_ONCE, barriers. */
#ifndef _HARNESS_LINUX_COMPILER_H
#define _HARNESS_LINUX_COMPILER_H

#include <linux/compiler_types.h>

#define barrier()		__asm__ __volatile__("" : : : "memory")

#define READ_ONCE(x)		(*(const volatile __typeof__(x) *)&(x))
#define WRITE_ONCE(x, val)						\
	do { *(volatile __typeof__(x) *)&(x) = (val); } while (0)

#define data_race(expr)		(expr)
#define unreachable()		__builtin_unreachable()
#define OPTIMIZER_HIDE_VAR(var)	__asm__ ("" : "=r" (var) : "0" (var))

#include <linux/build_bug.h>

#endif
