/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The narration of the `make demo` programs: a step's title, what
 * happened, and a check that counts what did not happen as described
 * (the program's exit status comes from @failures).
 */
#ifndef _VIRQ_TOOLS_DEMO_H
#define _VIRQ_TOOLS_DEMO_H

#include <stdarg.h>
#include <stdio.h>

static int failures;

static void say(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	fflush(stdout);
}

static void expect(int cond, const char *what)
{
	if (!cond) {
		printf("   !! unexpected: %s\n", what);
		failures++;
	}
}

static void step(const char *title)
{
	printf("\n== %s\n", title);
}

#endif /* _VIRQ_TOOLS_DEMO_H */
