// SPDX-License-Identifier: GPL-2.0
/*
 * One registration point for every suite: kernels before 5.15 allow only
 * one kunit_test_suites() per module.
 */
#include <linux/module.h>

#include "suites.h"

kunit_test_suites(&ktb_mips_count_suite,
		  &ktb_mips_master_suite,
		  &ktb_mips_vz_suite,
		  &ktb_mips_insn_suite,
		  &ktb_mips_model_suite,
		  &ktb_mips_diff_suite,
		  &ktb_mips_scale_suite,
		  &ktb_ppc_tb_suite,
		  &ktb_onereg_suite,
		  &ktb_compat_suite,
		  &ktb_hrtimer_suite);

MODULE_DESCRIPTION("KUnit tests for kvm_timer_backport");
MODULE_LICENSE("GPL");
MODULE_IMPORT_NS("EXPORTED_FOR_KUNIT_TESTING");
