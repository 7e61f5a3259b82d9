/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Harness shim: errno values are the system's (identical to the kernel's
 * on Linux), plus the kernel-internal ones user space never sees.
 */
#ifndef _HARNESS_LINUX_ERRNO_H
#define _HARNESS_LINUX_ERRNO_H

#include_next <linux/errno.h>

#define ERESTARTSYS	512
#define ERESTARTNOINTR	513
#define ENOIOCTLCMD	515
#define EPROBE_DEFER	517
#define ENOTSUPP	524

#endif
