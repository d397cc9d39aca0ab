/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the module does on the running kernel, feature by feature: each
 * glue decides once, from what the kernel's own handlers do on the first
 * vCPU, whether a feature is left to the kernel, provided, fixed or taken
 * over. The decision goes to dmesg once and to debugfs "features".
 */
#ifndef KTB_FEATURES_H
#define KTB_FEATURES_H

#include <linux/types.h>

struct dentry;

/**
 * enum ktb_feature_state - who implements a feature on this kernel
 * @KTB_FEATURE_UNDECIDED:  no vCPU has been looked at yet.
 * @KTB_FEATURE_KERNEL:     the kernel's own implementation runs, as it is.
 * @KTB_FEATURE_PROVIDED:   the kernel lacks it; this module provides it.
 * @KTB_FEATURE_FIXED:      the kernel's implementation runs, with a known
 *                          bug of it corrected by this module.
 * @KTB_FEATURE_TAKEN_OVER: the kernel has it; mode=takeover replaces it.
 */
enum ktb_feature_state {
	KTB_FEATURE_UNDECIDED,
	KTB_FEATURE_KERNEL,
	KTB_FEATURE_PROVIDED,
	KTB_FEATURE_FIXED,
	KTB_FEATURE_TAKEN_OVER,
};

/**
 * struct ktb_feature - one feature and what was decided for it
 * @name:  what a user knows it by, e.g. the ONE_REG ids it covers.
 * @state: the decision.
 * @why:   what was observed of the kernel, in a few words.
 */
struct ktb_feature {
	const char *name;
	enum ktb_feature_state state;
	const char *why;
};

/**
 * enum ktb_mode - the "mode" module parameter
 * @KTB_MODE_AUTO:     provide what the kernel lacks, fix what it is known
 *                     to get wrong, leave the rest to it (the default).
 * @KTB_MODE_DEFER:    pass everything through; only observe.
 * @KTB_MODE_TAKEOVER: run every feature this module has, even where the
 *                     kernel implements it.
 */
enum ktb_mode {
	KTB_MODE_AUTO,
	KTB_MODE_DEFER,
	KTB_MODE_TAKEOVER,
};

extern enum ktb_mode ktb_mode;
const char *ktb_mode_name(void);

void ktb_feature_decide(struct ktb_feature *f, enum ktb_feature_state state,
			const char *why);
void ktb_feature_decide_once(struct ktb_feature *f,
			     enum ktb_feature_state state, const char *why);
void ktb_features_register(struct ktb_feature *f);
void ktb_features_debugfs(struct dentry *dir);
void ktb_features_forget(void);

#endif /* KTB_FEATURES_H */
