/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Harness shim: IS_ENABLED() and friends, force-included as Kbuild does.
 * The harness defines CONFIG_VIRQ_* on the command line like the
 * out-of-tree Kbuild; CONFIG_LOCKDEP and CONFIG_DEBUG_ATOMIC_SLEEP are on
 * in spirit (see lockdep.h).
 */
#ifndef _HARNESS_LINUX_KCONFIG_H
#define _HARNESS_LINUX_KCONFIG_H

#define __ARG_PLACEHOLDER_1 0,
#define __take_second_arg(__ignored, val, ...) val
#define __is_defined(x)			___is_defined(x)
#define ___is_defined(val)		____is_defined(__ARG_PLACEHOLDER_##val)
#define ____is_defined(arg1_or_junk)	__take_second_arg(arg1_or_junk 1, 0)
#define __or(x, y)			___or(x, y)
#define ___or(x, y)			____or(__ARG_PLACEHOLDER_##x, y)
#define ____or(arg1_or_junk, y)		__take_second_arg(arg1_or_junk 1, y)

#define IS_BUILTIN(option)	__is_defined(option)
#define IS_MODULE(option)	__is_defined(option##_MODULE)
#define IS_REACHABLE(option)	__or(IS_BUILTIN(option), IS_MODULE(option))
#define IS_ENABLED(option)	__or(IS_BUILTIN(option), IS_MODULE(option))

#define CONFIG_LOCKDEP 1
#define CONFIG_PROVE_LOCKING 1
#define CONFIG_DEBUG_ATOMIC_SLEEP 1
#define CONFIG_64BIT 1

#endif
