/* SPDX-License-Identifier: GPL-2.0 */
/* Harness shim: same result as the kernel's, without the speculation fence. */
#ifndef _HARNESS_LINUX_NOSPEC_H
#define _HARNESS_LINUX_NOSPEC_H

#define array_index_nospec(index, size) ({			\
	__typeof__(index) _i = (index);				\
	__typeof__(size) _s = (size);				\
	(__typeof__(_i))(_i < _s ? _i : 0); })

#endif
