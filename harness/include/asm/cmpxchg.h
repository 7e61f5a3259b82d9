/* SPDX-License-Identifier: GPL-2.0 */
/* Harness shim. */
#include <linux/atomic.h>
