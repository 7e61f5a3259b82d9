/* SPDX-License-Identifier: GPL-2.0 */
/* Harness shim. */
#ifndef _HARNESS_LINUX_INIT_H
#define _HARNESS_LINUX_INIT_H
#define __init
#define __exit
#define __initdata
#define __initconst
#endif
