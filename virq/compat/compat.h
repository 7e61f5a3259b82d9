/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Kernel-version differences, in one place (as WireGuard's compat tree).
 * Each helper is named after the feature, not the version; the models and
 * the core never test LINUX_VERSION_CODE themselves.
 */
#ifndef _VIRQ_COMPAT_H
#define _VIRQ_COMPAT_H

#include <linux/eventfd.h>
#include <linux/file.h>
#include <linux/version.h>

/* 6.8 dropped eventfd_signal()'s count argument. */
static inline void virq_eventfd_signal(struct eventfd_ctx *ctx)
{
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 8, 0)
	eventfd_signal(ctx);
#else
	eventfd_signal(ctx, 1);
#endif
}

/* 6.12 made struct fd opaque behind fd_file(). */
#ifndef fd_file
#define fd_file(f) ((f).file)
#endif

#endif /* _VIRQ_COMPAT_H */
