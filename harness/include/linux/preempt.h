/* SPDX-License-Identifier: GPL-2.0 */
/* Harness shim. */
#ifndef _HARNESS_LINUX_PREEMPT_H
#define _HARNESS_LINUX_PREEMPT_H

#define preempt_disable()	do { } while (0)
#define preempt_enable()	do { } while (0)
#define preempt_disable_notrace()	do { } while (0)
#define preempt_enable_notrace()	do { } while (0)
#define in_interrupt()		0
#define in_task()		1

#endif
