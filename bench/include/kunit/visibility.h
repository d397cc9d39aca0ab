/* SPDX-License-Identifier: GPL-2.0 */
/* User-space stand-in, for the bench (bench/). */
#ifndef KTB_BENCH_KUNIT_VISIBILITY_H
#define KTB_BENCH_KUNIT_VISIBILITY_H

#define EXPORT_SYMBOL_IF_KUNIT(symbol)

#endif
