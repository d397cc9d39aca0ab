/* SPDX-License-Identifier: GPL-2.0 */
/*
 * EXPORT_SYMBOL_IF_KUNIT() (6.2): export a symbol for test modules only.
 * Before that kernel the header does not exist at all (Kbuild probes for
 * it: sparse cannot parse __has_include_next), and the namespace argument
 * of EXPORT_SYMBOL_NS() is still a bare token.
 */
#ifndef KTB_COMPAT_KUNIT_VISIBILITY_H
#define KTB_COMPAT_KUNIT_VISIBILITY_H

#ifdef KTB_HAVE_KUNIT_VISIBILITY
#include_next <kunit/visibility.h>
#endif

#ifndef EXPORT_SYMBOL_IF_KUNIT
#include <linux/export.h>
#if IS_ENABLED(CONFIG_KUNIT)
#define EXPORT_SYMBOL_IF_KUNIT(symbol) \
	EXPORT_SYMBOL_NS(symbol, EXPORTED_FOR_KUNIT_TESTING)
#else
#define EXPORT_SYMBOL_IF_KUNIT(symbol)
#endif
#endif

#endif /* KTB_COMPAT_KUNIT_VISIBILITY_H */
