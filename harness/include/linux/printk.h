/* SPDX-License-Identifier: GPL-2.0 */
/* Harness shim: printk goes to stderr (harness_printk_set_quiet()). */
#ifndef _HARNESS_LINUX_PRINTK_H
#define _HARNESS_LINUX_PRINTK_H

#include <harness/rt.h>

#ifndef pr_fmt
#define pr_fmt(fmt) fmt
#endif

#define KERN_EMERG	"<0>"
#define KERN_ALERT	"<1>"
#define KERN_CRIT	"<2>"
#define KERN_ERR	"<3>"
#define KERN_WARNING	"<4>"
#define KERN_NOTICE	"<5>"
#define KERN_INFO	"<6>"
#define KERN_DEBUG	"<7>"
#define KERN_CONT	""

#define printk(fmt, ...)	harness_printk(6, fmt, ##__VA_ARGS__)
#define no_printk(fmt, ...) ({						\
	if (0)								\
		harness_printk(7, fmt, ##__VA_ARGS__);			\
	0; })

#define pr_emerg(fmt, ...)  harness_printk(0, pr_fmt(fmt), ##__VA_ARGS__)
#define pr_alert(fmt, ...)  harness_printk(1, pr_fmt(fmt), ##__VA_ARGS__)
#define pr_crit(fmt, ...)   harness_printk(2, pr_fmt(fmt), ##__VA_ARGS__)
#define pr_err(fmt, ...)    harness_printk(3, pr_fmt(fmt), ##__VA_ARGS__)
#define pr_warn(fmt, ...)   harness_printk(4, pr_fmt(fmt), ##__VA_ARGS__)
#define pr_notice(fmt, ...) harness_printk(5, pr_fmt(fmt), ##__VA_ARGS__)
#define pr_info(fmt, ...)   harness_printk(6, pr_fmt(fmt), ##__VA_ARGS__)
#define pr_cont(fmt, ...)   harness_printk(6, fmt, ##__VA_ARGS__)
#define pr_debug(fmt, ...)  no_printk(pr_fmt(fmt), ##__VA_ARGS__)
#define pr_devel(fmt, ...)  no_printk(pr_fmt(fmt), ##__VA_ARGS__)

#define pr_err_once		pr_err
#define pr_warn_once		pr_warn
#define pr_info_once		pr_info
#define pr_err_ratelimited	pr_err
#define pr_warn_ratelimited	pr_warn
#define pr_info_ratelimited	pr_info
#define pr_debug_ratelimited	pr_debug
#define printk_ratelimited	printk

#endif
