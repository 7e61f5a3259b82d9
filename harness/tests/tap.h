/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A tiny TAP producer.  TEST(name) defines a test; CHECK()/CHECK_EQ()
 * record failures with their location.  A test also fails if it WARNs,
 * leaves a lock held or IRQs off, or leaks a kmalloc'ed object.  main()
 * is RUN_TESTS(test...).
 */
#ifndef _HARNESS_TAP_H
#define _HARNESS_TAP_H

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <harness/rt.h>

struct tap_test {
	const char *name;
	void (*fn)(void);
};

static int tap_failed_checks;

#define CHECK(cond) do {						\
	if (!(cond)) {							\
		tap_failed_checks++;					\
		printf("# %s:%d: CHECK(%s) failed\n", __FILE__,		\
		       __LINE__, #cond);				\
	}								\
} while (0)

#define CHECK_EQ(a, b) do {						\
	long long __a = (long long)(a), __b = (long long)(b);		\
	if (__a != __b) {						\
		tap_failed_checks++;					\
		printf("# %s:%d: %s == %s failed: %lld (%#llx) != %lld (%#llx)\n", \
		       __FILE__, __LINE__, #a, #b, __a, __a, __b, __b);	\
	}								\
} while (0)

/* A failed precondition: report it and end the program (a failure). */
#define CHECK_FATAL(cond) do {						\
	bool __ok = (cond);						\
									\
	if (!__ok) {							\
		printf("# %s:%d: CHECK_FATAL(%s) failed\n", __FILE__,	\
		       __LINE__, #cond);				\
		exit(1);						\
	}								\
} while (0)

#define TEST(name) static void name(void)
#define T(name) { #name, name }

static inline int tap_run(const struct tap_test *tests, int n)
{
	int i, failed = 0;

	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("TAP version 13\n1..%d\n", n);
	for (i = 0; i < n; i++) {
		unsigned long warns = harness_warn_count();
		long live = harness_live_allocs();

		tap_failed_checks = 0;
		tests[i].fn();
		harness_fail_alloc_nth(0);
		if (harness_warn_count() != warns) {
			printf("# %s: %lu WARN(s)\n", tests[i].name,
			       harness_warn_count() - warns);
			tap_failed_checks++;
		}
		if (harness_locks_held()) {
			printf("# %s: a spinlock is still held or IRQs off\n",
			       tests[i].name);
			tap_failed_checks++;
		}
		if (harness_live_allocs() != live) {
			printf("# %s: %ld object(s) leaked\n", tests[i].name,
			       harness_live_allocs() - live);
			tap_failed_checks++;
		}
		printf("%sok %d %s\n", tap_failed_checks ? "not " : "", i + 1,
		       tests[i].name);
		failed += !!tap_failed_checks;
	}
	return failed ? 1 : 0;
}

#endif /* _HARNESS_TAP_H */
