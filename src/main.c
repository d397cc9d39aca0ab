// SPDX-License-Identifier: GPL-2.0
/*
 * Module load and unload: the mode parameter, the debugfs directory, and
 * handing over to the architecture's glue.
 */
#include <linux/debugfs.h>
#include <linux/init.h>
#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/string.h>

#include "features.h"
#include "glue.h"

enum ktb_mode ktb_mode = KTB_MODE_AUTO;

static const char *const mode_names[] = {
	[KTB_MODE_AUTO] = "auto",
	[KTB_MODE_DEFER] = "defer",
	[KTB_MODE_TAKEOVER] = "takeover",
};

static int mode_set(const char *val, const struct kernel_param *kp)
{
	int mode = sysfs_match_string(mode_names, val);

	if (mode < 0)
		return -EINVAL;
	ktb_mode = mode;
	return 0;
}

static int mode_get(char *buf, const struct kernel_param *kp)
{
	return scnprintf(buf, PAGE_SIZE, "%s\n", mode_names[ktb_mode]);
}

/**
 * ktb_mode_name() - the mode this module was loaded in
 *
 * Return: "auto", "defer" or "takeover".
 */
const char *ktb_mode_name(void)
{
	return mode_names[ktb_mode];
}

static const struct kernel_param_ops mode_ops = {
	.set = mode_set,
	.get = mode_get,
};
module_param_cb(mode, &mode_ops, NULL, 0444);
MODULE_PARM_DESC(mode,
		 "auto (default): provide what the kernel lacks and fix its known timer bugs; defer: pass everything through; takeover: replace the kernel's timer even where it has one");

/* The parameter of 0.1.0, kept so that existing modprobe.d files work. */
static int takeover_set(const char *val, const struct kernel_param *kp)
{
	bool on;
	int ret = kstrtobool(val ?: "1", &on);

	if (!ret && on)
		ktb_mode = KTB_MODE_TAKEOVER;
	return ret;
}

static int takeover_get(char *buf, const struct kernel_param *kp)
{
	return scnprintf(buf, PAGE_SIZE, "%c\n",
			 ktb_mode == KTB_MODE_TAKEOVER ? 'Y' : 'N');
}

static const struct kernel_param_ops takeover_ops = {
	.flags = KERNEL_PARAM_OPS_FL_NOARG,
	.set = takeover_set,
	.get = takeover_get,
};
module_param_cb(takeover, &takeover_ops, NULL, 0444);
MODULE_PARM_DESC(takeover, "takeover=1 is mode=takeover (deprecated alias)");

static struct dentry *debugfs_dir;

static int __init ktb_init(void)
{
	int ret;

	debugfs_dir = debugfs_create_dir(KBUILD_MODNAME, NULL);
	ktb_features_debugfs(debugfs_dir);
	ret = ktb_glue_attach(debugfs_dir);
	if (ret) {
		debugfs_remove(debugfs_dir);
		ktb_features_forget();
	}
	return ret;
}

static void __exit ktb_exit(void)
{
	/* Detach first: the glue's debugfs files read its state. */
	ktb_glue_detach();
	debugfs_remove(debugfs_dir);
	ktb_features_forget();
}

module_init(ktb_init);
module_exit(ktb_exit);

MODULE_DESCRIPTION("KVM guest timer interface backport (MIPS Count/Compare, PowerPC timebase offset)");
MODULE_LICENSE("GPL");
MODULE_VERSION(KTB_VERSION);
