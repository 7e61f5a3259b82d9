/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Harness shim: scope-based guards for the lock types the shims provide
 * (guard(spinlock_irqsave)(&l), scoped_guard(...)), as in linux/cleanup.h.
 */
#ifndef _HARNESS_LINUX_CLEANUP_H
#define _HARNESS_LINUX_CLEANUP_H

#include <linux/compiler.h>

#define __cleanup(func)		__attribute__((__cleanup__(func)))
#define __UNIQUE_ID(p)		__PASTE(__PASTE(__UNIQUE_ID_, p), __COUNTER__)
#define ___PASTE(a, b)		a##b
#define __PASTE(a, b)		___PASTE(a, b)

#define DEFINE_FREE(_name, _type, _free) \
	static inline void __free_##_name(void *p) { _type _T = *(_type *)p; _free; }
#define __free(_name)		__cleanup(__free_##_name)
#define no_free_ptr(p) \
	({ __auto_type __ptr = (p); (p) = NULL; __ptr; })
#define return_ptr(p)		return no_free_ptr(p)

#define DEFINE_LOCK_GUARD_1(_name, _type, _lock, _unlock, ...)		\
typedef struct {							\
	_type *lock;							\
	__VA_ARGS__;							\
} class_##_name##_t;							\
static inline void class_##_name##_destructor(class_##_name##_t *_T)	\
{									\
	if (_T->lock) { _unlock; }					\
}									\
static inline class_##_name##_t class_##_name##_constructor(_type *l)	\
{									\
	class_##_name##_t _t = { .lock = l }, *_T = &_t;		\
	_lock;								\
	return _t;							\
}

#define CLASS(_name, var)						\
	class_##_name##_t var __cleanup(class_##_name##_destructor) =	\
		class_##_name##_constructor
#define guard(_name)	CLASS(_name, __UNIQUE_ID(guard))
#define scoped_guard(_name, args...)					\
	for (CLASS(_name, scope)(args), *done = NULL; !done;		\
	     done = (void *)1)

#endif
