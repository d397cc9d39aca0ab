/* SPDX-License-Identifier: GPL-2.0 */
/*
 * KUnit features the suites use that older kernels lack. All of them are
 * macros, so the kernel's own header says whether it has them: no probe.
 *
 * - KUNIT_{EXPECT,ASSERT}_{NULL,NOT_NULL}[_MSG]() (in 6.1, not in 5.10).
 * - Parameterised cases: KUNIT_ARRAY_PARAM() with a description,
 *   KUNIT_CASE_PARAM(), KUNIT_PARAM_DESC_SIZE and test->param_value (5.11;
 *   the description came a few releases later). The runner of a kernel
 *   without them runs every case once and has no field for a parameter, so
 *   here a parameterised case is one ordinary case whose body runs the
 *   test function once per parameter, passing it in the only free field of
 *   struct kunit, ->priv (no suite of ours has an init that would use it),
 *   which "param_value" is made to name. A failed expectation fails the
 *   whole case, and a failed assertion also ends it (its remaining
 *   parameters do not run); each parameter's description is logged before
 *   it runs, so the log says which one failed.
 *
 * - Binary assertions on operands of different integer types, and string
 *   assertions on char arrays: the old assertion plumbing (KUNIT_ASSERTION(),
 *   gone in 6.1) insists on identical types (a warning for each mismatch)
 *   and copies a string operand with typeof() (an error for an array).
 *   Both macros are redefined as they are there, minus the type check and
 *   with const char * operands, as newer kernels have them.
 *
 * Tested by the compat_kunit_* cases of kunit/compat_kunit.c.
 */
#ifndef KTB_COMPAT_KUNIT_TEST_H
#define KTB_COMPAT_KUNIT_TEST_H

#include_next <kunit/test.h>

#ifndef KUNIT_EXPECT_NULL
/* The casts keep the pointer type check of the _PTR_ macros quiet. */
#define KUNIT_EXPECT_NULL(test, ptr) \
	KUNIT_EXPECT_PTR_EQ(test, ptr, (typeof(ptr))NULL)
#define KUNIT_EXPECT_NULL_MSG(test, ptr, fmt, ...) \
	KUNIT_EXPECT_PTR_EQ_MSG(test, ptr, (typeof(ptr))NULL, fmt, ##__VA_ARGS__)
#define KUNIT_EXPECT_NOT_NULL(test, ptr) \
	KUNIT_EXPECT_PTR_NE(test, ptr, (typeof(ptr))NULL)
#define KUNIT_EXPECT_NOT_NULL_MSG(test, ptr, fmt, ...) \
	KUNIT_EXPECT_PTR_NE_MSG(test, ptr, (typeof(ptr))NULL, fmt, ##__VA_ARGS__)
#define KUNIT_ASSERT_NULL(test, ptr) \
	KUNIT_ASSERT_PTR_EQ(test, ptr, (typeof(ptr))NULL)
#define KUNIT_ASSERT_NULL_MSG(test, ptr, fmt, ...) \
	KUNIT_ASSERT_PTR_EQ_MSG(test, ptr, (typeof(ptr))NULL, fmt, ##__VA_ARGS__)
#define KUNIT_ASSERT_NOT_NULL(test, ptr) \
	KUNIT_ASSERT_PTR_NE(test, ptr, (typeof(ptr))NULL)
#define KUNIT_ASSERT_NOT_NULL_MSG(test, ptr, fmt, ...) \
	KUNIT_ASSERT_PTR_NE_MSG(test, ptr, (typeof(ptr))NULL, fmt, ##__VA_ARGS__)
#endif

#if defined(KUNIT_ASSERTION) && !defined(KUNIT_CASE_PARAM)
#undef KUNIT_BASE_BINARY_ASSERTION
#define KUNIT_BASE_BINARY_ASSERTION(test, assert_class, ASSERT_CLASS_INIT,    \
				    assert_type, left, op, right, fmt, ...)   \
do {									      \
	struct kunit *__test = (test);					      \
	typeof(left) __left = (left);					      \
	typeof(right) __right = (right);				      \
									      \
	KUNIT_ASSERTION(__test, __left op __right, assert_class,	      \
			ASSERT_CLASS_INIT(__test, assert_type, #op, #left,    \
					  __left, #right, __right),	      \
			fmt, ##__VA_ARGS__);				      \
} while (0)

#undef KUNIT_BINARY_STR_ASSERTION
#define KUNIT_BINARY_STR_ASSERTION(test, assert_type, left, op, right, fmt,   \
				   ...)					      \
do {									      \
	struct kunit *__test = (test);					      \
	const char *__left = (left);					      \
	const char *__right = (right);					      \
									      \
	KUNIT_ASSERTION(__test, strcmp(__left, __right) op 0,		      \
			kunit_binary_str_assert,			      \
			KUNIT_INIT_BINARY_STR_ASSERT_STRUCT(__test, assert_type,\
							    #op, #left,	      \
							    __left, #right,   \
							    __right),	      \
			fmt, ##__VA_ARGS__);				      \
} while (0)
#endif

#if defined(KUNIT_CASE_PARAM) && !defined(KUNIT_PARAM_DESC_SIZE)
#error "KUnit with parameterised cases but without their descriptions is not supported"
#endif

#ifndef KUNIT_CASE_PARAM
#include <linux/build_bug.h>
#include <linux/stddef.h>

#define KUNIT_PARAM_DESC_SIZE 128

/* The runner knows nothing of parameters: the field is ->priv. */
#define param_value priv

#define KTB_KUNIT_CASE_NAME_SIZE 64

/*
 * What ktb_kunit_run_params() needs, found from the one thing the runner
 * hands it besides ->priv: the case name, the first member here.
 */
struct ktb_kunit_param_case {
	char name[KTB_KUNIT_CASE_NAME_SIZE];
	void (*run)(struct kunit *test);
	const void *(*gen)(const void *prev, char *desc);
};

static void __maybe_unused ktb_kunit_run_params(struct kunit *test)
{
	const struct ktb_kunit_param_case *c =
		(const struct ktb_kunit_param_case *)test->name;
	char desc[KUNIT_PARAM_DESC_SIZE];
	const void *param;
	bool failed = false;
	int i = 0;

	BUILD_BUG_ON(offsetof(struct ktb_kunit_param_case, name) != 0);
	desc[0] = '\0';
	for (param = c->gen(NULL, desc); param; param = c->gen(param, desc)) {
		kunit_info(test, "param-%d: %s\n", i, desc);
		test->priv = (void *)param;
		c->run(test);
		if (!test->success && !failed) {
			kunit_info(test, "param-%d failed: %s\n", i, desc);
			failed = true;
		}
		desc[0] = '\0';
		i++;
	}
	test->priv = NULL;
}

/*
 * The name must stay a string for the runner, which prints it: it is the
 * start of a static compound literal that carries the function and the
 * generator after it.
 */
#define KUNIT_CASE_PARAM(test_name, gen_params)				\
	{ .run_case = ktb_kunit_run_params,				\
	  .name = (const char *)&(const struct ktb_kunit_param_case) {	\
		.name = #test_name,					\
		.run = test_name,					\
		.gen = gen_params,					\
	  } + BUILD_BUG_ON_ZERO(sizeof(#test_name) > KTB_KUNIT_CASE_NAME_SIZE) }

#define KUNIT_ARRAY_PARAM(name, array, get_desc)				\
	static const void *name##_gen_params(const void *prev, char *desc)	\
	{									\
		__auto_type __base = &(array)[0];				\
		__auto_type __next = prev ? (typeof(__base))prev + 1 : __base;	\
		if (__next - __base < sizeof(array) / sizeof((array)[0])) {	\
			void (*__get_desc)(typeof(__next), char *) = get_desc;	\
			if (__get_desc)						\
				__get_desc(__next, desc);			\
			return __next;						\
		}								\
		return NULL;							\
	}
#endif /* !KUNIT_CASE_PARAM */

#endif /* KTB_COMPAT_KUNIT_TEST_H */
