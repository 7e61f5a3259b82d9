/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The fuzz targets' input reader: big-endian integers taken from the
 * front of libFuzzer's buffer, reading as zero once it runs out (so every
 * input, however short, decodes to something).
 */
#ifndef _HARNESS_FUZZ_INPUT_H
#define _HARNESS_FUZZ_INPUT_H

#include <linux/types.h>

struct fuzz_input {
	const u8 *p;	/* next byte */
	size_t n;	/* bytes left */
};

/* Takes @bytes (at most 4) bytes, most significant first. */
static inline u32 fuzz_take(struct fuzz_input *in, int bytes)
{
	u32 v = 0;

	while (bytes--) {
		v <<= 8;
		if (in->n) {
			v |= *in->p++;
			in->n--;
		}
	}
	return v;
}

#endif /* _HARNESS_FUZZ_INPUT_H */
