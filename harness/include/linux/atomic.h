/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Harness shim: atomics, cmpxchg and barriers on the compiler's __atomic
 * builtins.  Value-returning read-modify-writes are fully ordered, as in
 * the kernel; the _relaxed/_acquire/_release variants are too (stronger
 * is allowed).
 */
#ifndef _HARNESS_LINUX_ATOMIC_H
#define _HARNESS_LINUX_ATOMIC_H

#include <linux/compiler.h>
#include <linux/types.h>
#include <asm/barrier.h>

/* Returns the old value; stores @n only if *@ptr was @o. */
#define cmpxchg(ptr, o, n) ({						\
	__typeof__(*(ptr)) __old = (o);					\
	__atomic_compare_exchange_n((ptr), &__old, (n), false,		\
				    __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST); \
	__old; })
#define cmpxchg_relaxed(ptr, o, n)	cmpxchg(ptr, o, n)
#define cmpxchg_acquire(ptr, o, n)	cmpxchg(ptr, o, n)
#define cmpxchg_release(ptr, o, n)	cmpxchg(ptr, o, n)
#define cmpxchg_local(ptr, o, n)	cmpxchg(ptr, o, n)
#define cmpxchg64(ptr, o, n) ({						\
	BUILD_BUG_ON(sizeof(*(ptr)) != 8);				\
	cmpxchg(ptr, o, n); })
#define cmpxchg64_relaxed(ptr, o, n)	cmpxchg64(ptr, o, n)
#define cmpxchg64_local(ptr, o, n)	cmpxchg64(ptr, o, n)

/* On failure, updates *@po with the current value. */
#define try_cmpxchg(ptr, po, n)						\
	__atomic_compare_exchange_n((ptr), (po), (n), false,		\
				    __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST)
#define try_cmpxchg_relaxed(ptr, po, n)	try_cmpxchg(ptr, po, n)
#define try_cmpxchg_acquire(ptr, po, n)	try_cmpxchg(ptr, po, n)
#define try_cmpxchg_release(ptr, po, n)	try_cmpxchg(ptr, po, n)
#define try_cmpxchg64(ptr, po, n)	try_cmpxchg(ptr, po, n)

#define xchg(ptr, v)	__atomic_exchange_n((ptr), (v), __ATOMIC_SEQ_CST)
#define xchg_relaxed(ptr, v)	xchg(ptr, v)
#define xchg_acquire(ptr, v)	xchg(ptr, v)
#define xchg_release(ptr, v)	xchg(ptr, v)

#define ATOMIC_INIT(i)		{ (i) }
#define ATOMIC64_INIT(i)	{ (i) }

#define __HARNESS_ATOMIC(pfx, t, T)					\
static inline t pfx##_read(const T *v)					\
{ return __atomic_load_n(&v->counter, __ATOMIC_RELAXED); }		\
static inline void pfx##_set(T *v, t i)					\
{ __atomic_store_n(&v->counter, i, __ATOMIC_RELAXED); }			\
static inline t pfx##_read_acquire(const T *v)				\
{ return __atomic_load_n(&v->counter, __ATOMIC_ACQUIRE); }		\
static inline void pfx##_set_release(T *v, t i)				\
{ __atomic_store_n(&v->counter, i, __ATOMIC_RELEASE); }			\
static inline void pfx##_add(t i, T *v)					\
{ __atomic_fetch_add(&v->counter, i, __ATOMIC_RELAXED); }		\
static inline void pfx##_sub(t i, T *v)					\
{ __atomic_fetch_sub(&v->counter, i, __ATOMIC_RELAXED); }		\
static inline void pfx##_inc(T *v) { pfx##_add(1, v); }			\
static inline void pfx##_dec(T *v) { pfx##_sub(1, v); }			\
static inline void pfx##_or(t i, T *v)					\
{ __atomic_fetch_or(&v->counter, i, __ATOMIC_RELAXED); }		\
static inline void pfx##_and(t i, T *v)					\
{ __atomic_fetch_and(&v->counter, i, __ATOMIC_RELAXED); }		\
static inline void pfx##_andnot(t i, T *v)				\
{ __atomic_fetch_and(&v->counter, ~i, __ATOMIC_RELAXED); }		\
static inline t pfx##_add_return(t i, T *v)				\
{ return __atomic_add_fetch(&v->counter, i, __ATOMIC_SEQ_CST); }	\
static inline t pfx##_sub_return(t i, T *v)				\
{ return __atomic_sub_fetch(&v->counter, i, __ATOMIC_SEQ_CST); }	\
static inline t pfx##_fetch_add(t i, T *v)				\
{ return __atomic_fetch_add(&v->counter, i, __ATOMIC_SEQ_CST); }	\
static inline t pfx##_fetch_sub(t i, T *v)				\
{ return __atomic_fetch_sub(&v->counter, i, __ATOMIC_SEQ_CST); }	\
static inline t pfx##_fetch_or(t i, T *v)				\
{ return __atomic_fetch_or(&v->counter, i, __ATOMIC_SEQ_CST); }		\
static inline t pfx##_fetch_and(t i, T *v)				\
{ return __atomic_fetch_and(&v->counter, i, __ATOMIC_SEQ_CST); }	\
static inline t pfx##_fetch_andnot(t i, T *v)				\
{ return __atomic_fetch_and(&v->counter, ~i, __ATOMIC_SEQ_CST); }	\
static inline t pfx##_inc_return(T *v) { return pfx##_add_return(1, v); } \
static inline t pfx##_dec_return(T *v) { return pfx##_sub_return(1, v); } \
static inline bool pfx##_dec_and_test(T *v)				\
{ return pfx##_sub_return(1, v) == 0; }					\
static inline bool pfx##_inc_and_test(T *v)				\
{ return pfx##_add_return(1, v) == 0; }					\
static inline bool pfx##_sub_and_test(t i, T *v)			\
{ return pfx##_sub_return(i, v) == 0; }					\
static inline t pfx##_xchg(T *v, t n)					\
{ return xchg(&v->counter, n); }					\
static inline t pfx##_cmpxchg(T *v, t o, t n)				\
{ return cmpxchg(&v->counter, o, n); }					\
static inline bool pfx##_try_cmpxchg(T *v, t *o, t n)			\
{ return try_cmpxchg(&v->counter, o, n); }

__HARNESS_ATOMIC(atomic, int, atomic_t)
__HARNESS_ATOMIC(atomic64, s64, atomic64_t)
#undef __HARNESS_ATOMIC

#define atomic_long_read	atomic64_read
#define atomic_long_set		atomic64_set
#define atomic_long_inc		atomic64_inc
#define atomic_long_dec		atomic64_dec
#define atomic_long_add		atomic64_add
#define atomic_long_sub		atomic64_sub
#define atomic_long_cmpxchg	atomic64_cmpxchg
#define atomic_long_inc_return	atomic64_inc_return

#endif
