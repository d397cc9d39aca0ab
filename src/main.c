// SPDX-License-Identifier: GPL-2.0
/*
 * Module load and unload: the takeover parameter, the debugfs directory,
 * and handing over to the architecture's glue.
 */
#include <linux/debugfs.h>
#include <linux/init.h>
#include <linux/module.h>
#include <linux/moduleparam.h>

#include "glue.h"

bool ktb_takeover;
module_param_named(takeover, ktb_takeover, bool, 0444);
MODULE_PARM_DESC(takeover,
		 "Replace the kernel's own implementation of the timer registers where it has one (default: defer to it)");

static struct dentry *ktb_debugfs;

static int __init ktb_init(void)
{
	int ret;

	ktb_debugfs = debugfs_create_dir(KBUILD_MODNAME, NULL);
	ret = ktb_glue_attach(ktb_debugfs);
	if (ret)
		debugfs_remove(ktb_debugfs);
	return ret;
}

static void __exit ktb_exit(void)
{
	/* Detach first: the glue's debugfs files read its state. */
	ktb_glue_detach();
	debugfs_remove(ktb_debugfs);
}

module_init(ktb_init);
module_exit(ktb_exit);

MODULE_DESCRIPTION("KVM guest timer interface backport (MIPS Count/Compare, PowerPC timebase offset)");
MODULE_LICENSE("GPL");
MODULE_VERSION(KTB_VERSION);
