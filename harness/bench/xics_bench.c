// SPDX-License-Identifier: GPL-2.0
/*
 * Benchmarks of the XICS model, run by bench/callgrind.sh; built without
 * sanitizers, -O2, through the same ops and argument checks the core uses.
 *
 *   xics_bench [N]		N rounds of one edge injection, H_XIRR and
 *				H_EOI (instructions: two callgrind runs)
 *   xics_bench sources [R]	issue #4, a chip of 1 << 20 sources: what the
 *				model allocates for a sparse and a dense
 *				source space, and the time of a bulk save
 *				(VIRQ_GET_SOURCES) and restore into a fresh
 *				chip (VIRQ_SET_SOURCES), 64K words a call,
 *				best of R runs.  Under callgrind
 *				(--instr-atstart=no) each of the two phases,
 *				and nothing else, is instrumented and dumped
 *				("get_sources", "set_sources").
 *
 * The model's allocations are counted by wrapping the harness allocator
 * (ld --wrap, see the Makefile): every kmalloc(), kzalloc() or kvmalloc()
 * made in virq/ppc/ is recorded with its size while it lives.
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <linux/bitops.h>	/* before libc's string.h declares ffs() */
#include <linux/kernel.h>

#include "../tests/xics_helpers.h"
#include "../../virq/ppc/xics.h"

#if __has_include("valgrind/callgrind.h")
#include <valgrind/callgrind.h>
#else
#define RUNNING_ON_VALGRIND			0
#define CALLGRIND_START_INSTRUMENTATION		do { } while (0)
#define CALLGRIND_STOP_INSTRUMENTATION		do { } while (0)
#define CALLGRIND_ZERO_STATS			do { } while (0)
#define CALLGRIND_DUMP_STATS_AT(what)		do { } while (0)
#endif

#define NR_VCPUS	4
#define ALL_SOURCES	VIRQ_XICS_MAX_SOURCES	/* 1 << 20 */
#define CHUNK		VIRQ_SOURCES_MAX	/* per GET/SET_SOURCES */

/* --- the model's live allocations --- */

struct bench_alloc {
	const void *p;
	size_t size;
	const char *file;
};

#define BENCH_MAX_ALLOCS	8192
static struct bench_alloc allocs[BENCH_MAX_ALLOCS];
static unsigned int nr_allocs;

void *__real_harness_alloc(size_t size, unsigned int gfp, bool zero,
			   const char *file, int line);
void *__real_harness_realloc(void *p, size_t size, unsigned int gfp,
			     const char *file, int line);
void __real_harness_free(const void *p);
void *__wrap_harness_alloc(size_t size, unsigned int gfp, bool zero,
			   const char *file, int line);
void *__wrap_harness_realloc(void *p, size_t size, unsigned int gfp,
			     const char *file, int line);
void __wrap_harness_free(const void *p);

static void track(const void *p, size_t size, const char *file)
{
	if (ZERO_OR_NULL_PTR(p) || !strstr(file, "virq/ppc/"))
		return;
	if (nr_allocs == BENCH_MAX_ALLOCS) {
		fprintf(stderr, "xics_bench: more than %d model allocations\n",
			BENCH_MAX_ALLOCS);
		exit(1);
	}
	allocs[nr_allocs++] = (struct bench_alloc){ p, size, file };
}

static void untrack(const void *p)
{
	unsigned int i;

	for (i = nr_allocs; i-- > 0;) {
		if (allocs[i].p == p) {
			allocs[i] = allocs[--nr_allocs];
			return;
		}
	}
}

void *__wrap_harness_alloc(size_t size, unsigned int gfp, bool zero,
			   const char *file, int line)
{
	void *p = __real_harness_alloc(size, gfp, zero, file, line);

	track(p, size, file);
	return p;
}

void *__wrap_harness_realloc(void *old, size_t size, unsigned int gfp,
			     const char *file, int line)
{
	void *p = __real_harness_realloc(old, size, gfp, file, line);

	if (p || !size) {
		untrack(old);
		track(p, size, file);
	}
	return p;
}

void __wrap_harness_free(const void *p)
{
	untrack(p);
	__real_harness_free(p);
}

/*
 * What kmalloc() takes for @size on x86-64 with SLUB and 4 KiB pages: the
 * kmalloc caches up to 8 KiB, whole pages of a power-of-two order above.
 */
static size_t kmalloc_footprint(size_t size)
{
	static const size_t caches[] = {
		8, 16, 32, 64, 96, 128, 192, 256, 512, 1024, 2048, 4096, 8192
	};
	size_t pages = 4096;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(caches); i++)
		if (size <= caches[i])
			return caches[i];
	while (pages < size)
		pages <<= 1;
	return pages;
}

/* Is @p the header (*@is_src false) or source array of one of the ICSes? */
static bool is_ics_alloc(struct virq_xics *xics, const void *p, bool *is_src)
{
	struct xics_ics *ics;
	u32 i;

	for (i = 0; i < xics->nr_ics; i++) {
		ics = xics->ics[i];
		if (ics && (p == ics || p == ics->src)) {
			*is_src = p == ics->src;
			return true;
		}
	}
	return false;
}

/*
 * What the model holds now: in total, as it asks (sizes of this build: the
 * harness's raw_spinlock_t is larger than a kernel's) and rounded as
 * kmalloc() would, then by kind: ICSes (header and source array, two
 * allocations each), the chip and its ICS pointer array, ICPs, anything
 * else.  Kinds are told apart by address, not size: a source array and
 * the pointer array of a 1M-source chip are both 8 KiB.
 */
static void print_model_memory(const char *what, struct virq_instance *inst)
{
	struct virq_xics *xics = xics_of(inst);
	size_t bytes = 0, rounded = 0, icp_size = 0, other = 0;
	size_t hdr_size = 0, src_size = 0, chip_size = 0, ptrs_size = 0;
	unsigned int i, nr_hdr = 0, nr_src = 0, nr_icp = 0;
	bool is_src;

	for (i = 0; i < nr_allocs; i++) {
		bytes += allocs[i].size;
		rounded += kmalloc_footprint(allocs[i].size);
		if (strstr(allocs[i].file, "xics-icp.c")) {
			nr_icp++;
			icp_size = allocs[i].size;
		} else if (allocs[i].p == xics) {
			chip_size = allocs[i].size;
		} else if (allocs[i].p == xics->ics) {
			ptrs_size = allocs[i].size;
		} else if (is_ics_alloc(xics, allocs[i].p, &is_src)) {
			if (is_src) {
				nr_src++;
				src_size = allocs[i].size;
			} else {
				nr_hdr++;
				hdr_size = allocs[i].size;
			}
		} else {
			other += allocs[i].size;
		}
	}
	printf("xics 1M sources, %s: model %zu B (%.1f KiB), kmalloc-rounded %zu B (%.1f KiB)\n",
	       what, bytes, bytes / 1024.0, rounded, rounded / 1024.0);
	printf("  %u allocations: %u+%u of %u ICS x (%zu + %zu) B, chip %zu + %zu B,",
	       nr_allocs, nr_hdr, nr_src, xics->nr_ics, hdr_size, src_size,
	       chip_size, ptrs_size);
	printf(" %u ICP x %zu B, other %zu B\n", nr_icp, icp_size, other);
}

/* --- 1M sources: memory, bulk save and restore --- */

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

/* As a VMM saves: VIRQ_GET_SOURCES over every source, CHUNK at a time. */
static int save_all(struct virq_instance *inst, u64 *words)
{
	u32 first;

	for (first = 0; first < ALL_SOURCES; first += CHUNK)
		if (harness_get_sources(inst, first, CHUNK, words + first))
			return -1;
	return 0;
}

static int restore_all(struct virq_instance *inst, const u64 *words)
{
	u32 first;

	for (first = 0; first < ALL_SOURCES; first += CHUNK)
		if (harness_set_sources(inst, first, CHUNK, words + first))
			return -1;
	return 0;
}

static void print_time(const char *what, double ns, unsigned long reps)
{
	printf("xics 1M sources, %s in %u calls of %u: %.2f ms, %.2f ns/source (best of %lu)\n",
	       what, ALL_SOURCES / CHUNK, CHUNK, ns / 1e6, ns / ALL_SOURCES,
	       reps);
}

static int bench_sources(unsigned long reps)
{
	/* Sparse: 4 sources in each of ICS 0, 341, 682 and 1023. */
	static const u32 sparse_ics[] = { 0, 341, 682, 1023 };
	struct virq_instance *inst, *fresh = NULL;
	double t, best_get = 0, best_set = 0;
	u64 *words, *check;
	unsigned long r;
	u32 i, k, src;

	if (RUNNING_ON_VALGRIND || !reps)
		reps = 1;
	words = malloc(ALL_SOURCES * sizeof(*words));
	check = malloc(ALL_SOURCES * sizeof(*check));
	if (!words || !check)
		return 1;

	inst = xics_new(NR_VCPUS, ALL_SOURCES);
	if (!inst)
		return 1;
	for (i = 0; i < ARRAY_SIZE(sparse_ics); i++) {
		for (k = 0; k < 4; k++) {
			src = sparse_ics[i] * XICS_ICS_SIZE +
			      VIRQ_XICS_FIRST_SOURCE + k;
			if (set_xive(inst, src, src % NR_VCPUS, 5))
				return 2;
		}
	}
	print_model_memory("sparse (16 sources in 4 ICS)", inst);
	harness_instance_close(inst);

	/* Dense: every source, various servers and priorities, some masked */
	inst = xics_new(NR_VCPUS, ALL_SOURCES);
	if (!inst)
		return 1;
	for (src = VIRQ_XICS_FIRST_SOURCE; src < ALL_SOURCES; src++)
		if (set_xive(inst, src, src % NR_VCPUS,
			     src % 8 ? 1 + src % 0xfe : XICS_PRIO_MASKED))
			return 2;
	print_model_memory("dense (all sources configured)", inst);

	for (r = 0; r < reps; r++) {
		CALLGRIND_START_INSTRUMENTATION;
		CALLGRIND_ZERO_STATS;
		t = now_ns();
		if (save_all(inst, words))
			return 3;
		t = now_ns() - t;
		CALLGRIND_DUMP_STATS_AT("get_sources");
		CALLGRIND_STOP_INSTRUMENTATION;
		if (!r || t < best_get)
			best_get = t;
	}

	for (r = 0; r < reps; r++) {
		if (fresh)
			harness_instance_close(fresh);
		fresh = xics_new(NR_VCPUS, ALL_SOURCES);
		if (!fresh)
			return 1;
		CALLGRIND_START_INSTRUMENTATION;
		CALLGRIND_ZERO_STATS;
		t = now_ns();
		if (restore_all(fresh, words))
			return 4;
		t = now_ns() - t;
		CALLGRIND_DUMP_STATS_AT("set_sources");
		CALLGRIND_STOP_INSTRUMENTATION;
		if (!r || t < best_set)
			best_set = t;
	}

	/* The restored chip saves the same words. */
	if (save_all(fresh, check) ||
	    memcmp(words, check, ALL_SOURCES * sizeof(*words)))
		return 5;

	print_time("save (get_sources)", best_get, reps);
	print_time("restore into a fresh chip (set_sources)", best_set, reps);
	harness_instance_close(fresh);
	harness_instance_close(inst);
	free(check);
	free(words);
	return 0;
}

/* --- inject + H_XIRR + H_EOI rounds --- */

static int bench_rounds(unsigned long n)
{
	struct virq_instance *inst = xics_new(4, 4096);
	unsigned long i;
	u32 src;
	u64 x;
	int status;

	if (!inst)
		return 1;
	for (src = 16; src < 16 + 64; src++)
		set_xive(inst, src, 0, 5);
	h_cppr(inst, 0, 0xff);

	for (i = 0; i < n; i++) {
		src = 16 + i % 64;
		if (harness_set_irq(inst, src, VIRQ_LINE_EDGE,
				    VIRQ_DRIVER_USER, false, &status) ||
		    status != 1)
			return 2;
		x = h_xirr(inst, 0);
		if (x != XIRR(0xff, src))
			return 3;
		if (h_eoi(inst, 0, x))
			return 4;
	}
	harness_instance_close(inst);
	printf("%lu rounds\n", n);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc > 1 && !strcmp(argv[1], "sources"))
		return bench_sources(argc > 2 ? strtoul(argv[2], NULL, 0) : 5);
	return bench_rounds(argc > 1 ? strtoul(argv[1], NULL, 0) : 1000);
}
