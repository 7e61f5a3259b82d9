/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Harness shim: a WARN is counted and printed (tests fail on any), and
 * aborts under the fuzzers (harness_warn_set_fatal()).  BUG aborts.
 */
#ifndef _HARNESS_LINUX_BUG_H
#define _HARNESS_LINUX_BUG_H

#include <linux/compiler.h>
#include <linux/build_bug.h>
#include <harness/rt.h>

#define WARN_ON(condition) ({						\
	int __ret_warn_on = !!(condition);				\
	if (unlikely(__ret_warn_on))					\
		harness_warn(__FILE__, __LINE__, #condition);		\
	unlikely(__ret_warn_on); })

#define WARN(condition, format...) ({					\
	int __ret_warn_on = !!(condition);				\
	if (unlikely(__ret_warn_on)) {					\
		harness_printk(4, format);				\
		harness_warn(__FILE__, __LINE__, #condition);		\
	}								\
	unlikely(__ret_warn_on); })

#define WARN_ON_ONCE(condition) ({					\
	static bool __warned;						\
	int __ret_warn_once = !!(condition);				\
	if (unlikely(__ret_warn_once && !__warned)) {			\
		__warned = true;					\
		harness_warn(__FILE__, __LINE__, #condition);		\
	}								\
	unlikely(__ret_warn_once); })

#define WARN_ONCE(condition, format...) ({				\
	static bool __warned;						\
	int __ret_warn_once = !!(condition);				\
	if (unlikely(__ret_warn_once && !__warned)) {			\
		__warned = true;					\
		harness_printk(4, format);				\
		harness_warn(__FILE__, __LINE__, #condition);		\
	}								\
	unlikely(__ret_warn_once); })

#define BUG()		harness_bug(__FILE__, __LINE__, "BUG()")
#define BUG_ON(condition) do {						\
	if (unlikely(condition))					\
		harness_bug(__FILE__, __LINE__, #condition);		\
} while (0)

#endif
