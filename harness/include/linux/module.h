/* SPDX-License-Identifier: GPL-2.0 */
/* Harness shim: module metadata is dropped. */
#ifndef _HARNESS_LINUX_MODULE_H
#define _HARNESS_LINUX_MODULE_H

#include_next <linux/module.h>
#include <linux/export.h>
#include <linux/init.h>
#include <linux/kernel.h>

#define MODULE_LICENSE(x)
#define MODULE_AUTHOR(x)
#define MODULE_DESCRIPTION(x)
#define MODULE_PARM_DESC(x, y)
#define MODULE_ALIAS(x)
#define module_param(n, t, p)
#define module_param_named(n, v, t, p)
#define module_init(fn)
#define module_exit(fn)

#endif
