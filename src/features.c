// SPDX-License-Identifier: GPL-2.0
/*
 * The per-feature decisions of the glue: one dmesg line each, and the
 * debugfs file "features" that lists them all.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/debugfs.h>
#include <linux/kernel.h>
#include <linux/mutex.h>
#include <linux/printk.h>
#include <linux/seq_file.h>

#include "features.h"

/* Glue files register a handful of features each. */
#define KTB_MAX_FEATURES	8

static DEFINE_MUTEX(features_lock);
static struct ktb_feature *features[KTB_MAX_FEATURES];
static unsigned int nr_features;

static const char *const state_names[] = {
	[KTB_FEATURE_UNDECIDED] = "undecided",
	[KTB_FEATURE_KERNEL] = "kernel",
	[KTB_FEATURE_PROVIDED] = "provided",
	[KTB_FEATURE_FIXED] = "fixed",
	[KTB_FEATURE_TAKEN_OVER] = "taken over",
};

/**
 * ktb_feature_decide() - record and announce what happens to a feature
 * @f:     the feature.
 * @state: who implements it from now on.
 * @why:   what was observed of the kernel (a string constant).
 *
 * Only the first decision is announced; later calls with the same state
 * are silent, so callers need not track whether they already decided.
 *
 * Context: process context.
 */
void ktb_feature_decide(struct ktb_feature *f, enum ktb_feature_state state,
			const char *why)
{
	mutex_lock(&features_lock);
	if (f->state != state || f->why != why) {
		f->state = state;
		f->why = why;
		pr_info("%s: %s: %s\n", f->name, why, state_names[state]);
	}
	mutex_unlock(&features_lock);
}

/**
 * ktb_feature_decide_once() - decide a feature nobody has decided yet
 * @f:     the feature.
 * @state: who implements it from now on.
 * @why:   what was observed of the kernel (a string constant).
 *
 * For evidence that only counts where nothing stronger was seen before:
 * a feature already decided keeps its decision.
 *
 * Context: process context.
 */
void ktb_feature_decide_once(struct ktb_feature *f,
			     enum ktb_feature_state state, const char *why)
{
	mutex_lock(&features_lock);
	if (f->state == KTB_FEATURE_UNDECIDED) {
		f->state = state;
		f->why = why;
		pr_info("%s: %s: %s\n", f->name, why, state_names[state]);
	}
	mutex_unlock(&features_lock);
}

/**
 * ktb_features_register() - list a feature in debugfs "features"
 * @f: the feature; must stay valid until ktb_features_forget().
 *
 * Context: module load (the glue's attach).
 */
void ktb_features_register(struct ktb_feature *f)
{
	mutex_lock(&features_lock);
	if (!WARN_ON(nr_features == ARRAY_SIZE(features)))
		features[nr_features++] = f;
	mutex_unlock(&features_lock);
}

/**
 * ktb_features_forget() - drop every registered feature
 *
 * Context: module unload, after the debugfs file is gone.
 */
void ktb_features_forget(void)
{
	mutex_lock(&features_lock);
	nr_features = 0;
	mutex_unlock(&features_lock);
}

static int features_show(struct seq_file *m, void *unused)
{
	unsigned int i;

	mutex_lock(&features_lock);
	seq_printf(m, "mode: %s\n", ktb_mode_name());
	for (i = 0; i < nr_features; i++)
		seq_printf(m, "%s: %s (%s)\n", features[i]->name,
			   state_names[features[i]->state],
			   features[i]->why ?: "no vCPU created yet");
	mutex_unlock(&features_lock);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(features);

/**
 * ktb_features_debugfs() - create the "features" file
 * @dir: the module's debugfs directory.
 */
void ktb_features_debugfs(struct dentry *dir)
{
	debugfs_create_file("features", 0444, dir, NULL, &features_fops);
}
