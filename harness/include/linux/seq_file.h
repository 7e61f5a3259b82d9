/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Harness shim: a seq_file that prints into a fixed buffer and flags
 * overflow like the kernel's (count == size).
 */
#ifndef _HARNESS_LINUX_SEQ_FILE_H
#define _HARNESS_LINUX_SEQ_FILE_H

#include <linux/types.h>

struct seq_file {
	char *buf;
	size_t size;
	size_t count;
	void *private;
};

__attribute__((__format__(printf, 2, 3)))
void seq_printf(struct seq_file *m, const char *fmt, ...);
void seq_puts(struct seq_file *m, const char *s);
void seq_putc(struct seq_file *m, char c);
void seq_write(struct seq_file *m, const void *data, size_t len);

static inline bool seq_has_overflowed(struct seq_file *m)
{
	return m->count == m->size;
}

/* Harness: a seq_file with a malloc'ed buffer of @size bytes. */
void harness_seq_init(struct seq_file *m, size_t size);
void harness_seq_fini(struct seq_file *m);

#endif
