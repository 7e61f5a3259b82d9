/* SPDX-License-Identifier: GPL-2.0 */
/* Harness shim. */
#ifndef _HARNESS_LINUX_CACHE_H
#define _HARNESS_LINUX_CACHE_H
#define L1_CACHE_BYTES		64
#define SMP_CACHE_BYTES		64
#define ____cacheline_aligned	__attribute__((__aligned__(SMP_CACHE_BYTES)))
#define ____cacheline_aligned_in_smp ____cacheline_aligned
#define __cacheline_aligned	____cacheline_aligned
#define __cacheline_aligned_in_smp ____cacheline_aligned
#endif
