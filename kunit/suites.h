/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The suites of kvm_timer_backport_kunit, registered together in suites.c.
 */
#ifndef KTB_KUNIT_SUITES_H
#define KTB_KUNIT_SUITES_H

#include <kunit/test.h>

extern struct kunit_suite ktb_mips_count_suite;
extern struct kunit_suite ktb_mips_master_suite;
extern struct kunit_suite ktb_mips_vz_suite;
extern struct kunit_suite ktb_mips_insn_suite;
extern struct kunit_suite ktb_mips_model_suite;
extern struct kunit_suite ktb_mips_diff_suite;
extern struct kunit_suite ktb_mips_scale_suite;
extern struct kunit_suite ktb_ppc_tb_suite;
extern struct kunit_suite ktb_onereg_suite;
extern struct kunit_suite ktb_compat_suite;
extern struct kunit_suite ktb_hrtimer_suite;

#endif /* KTB_KUNIT_SUITES_H */
