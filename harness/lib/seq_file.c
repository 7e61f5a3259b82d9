// SPDX-License-Identifier: GPL-2.0
/* seq_file for the harness: prints into a buffer (see linux/seq_file.h). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/seq_file.h>

void harness_seq_init(struct seq_file *m, size_t size)
{
	memset(m, 0, sizeof(*m));
	m->buf = calloc(1, size + 1);
	m->size = size;
}

void harness_seq_fini(struct seq_file *m)
{
	free(m->buf);
	m->buf = NULL;
}

void seq_printf(struct seq_file *m, const char *fmt, ...)
{
	va_list ap;
	int len;

	if (m->count < m->size) {
		va_start(ap, fmt);
		len = vsnprintf(m->buf + m->count, m->size - m->count, fmt, ap);
		va_end(ap);
		if (len >= 0 && m->count + len < m->size) {
			m->count += len;
			return;
		}
	}
	m->count = m->size;
}

void seq_write(struct seq_file *m, const void *data, size_t len)
{
	if (m->count + len < m->size) {
		memcpy(m->buf + m->count, data, len);
		m->count += len;
		return;
	}
	m->count = m->size;
}

void seq_puts(struct seq_file *m, const char *s)
{
	seq_write(m, s, strlen(s));
}

void seq_putc(struct seq_file *m, char c)
{
	seq_write(m, &c, 1);
}
