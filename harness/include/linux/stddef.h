/* SPDX-License-Identifier: GPL-2.0 */
/* Harness shim: the kernel's <linux/stddef.h> over the uAPI one. */
#ifndef _HARNESS_LINUX_STDDEF_H
#define _HARNESS_LINUX_STDDEF_H

#include_next <linux/stddef.h>
#include <stddef.h>

#define sizeof_field(TYPE, MEMBER) sizeof((((TYPE *)0)->MEMBER))
#define offsetofend(TYPE, MEMBER) \
	(offsetof(TYPE, MEMBER)	+ sizeof_field(TYPE, MEMBER))

#endif
