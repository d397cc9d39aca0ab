/* SPDX-License-Identifier: GPL-2.0 */
/*
 * KUNIT_{EXPECT,ASSERT}_{NULL,NOT_NULL}[_MSG]() for KUnit before 5.18
 * (caae9458db3a added them). Macros, so the kernel's own header says
 * whether it has them: no probe.
 *
 * The suites need nothing else that old KUnit lacks except parameterised
 * cases, and a KUnit without those (before 5.11) gets no test module at
 * all (Kbuild).
 *
 * Tested by compat_kunit_null_expectations in kunit/compat_kunit.c.
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

#endif /* KTB_COMPAT_KUNIT_TEST_H */
