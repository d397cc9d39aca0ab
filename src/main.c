// SPDX-License-Identifier: GPL-2.0
/*
 * Module load and unload: hand over to the architecture's glue.
 */
#include <linux/init.h>
#include <linux/module.h>

#include "glue.h"

static int __init ktb_init(void)
{
	return ktb_glue_attach();
}

static void __exit ktb_exit(void)
{
	ktb_glue_detach();
}

module_init(ktb_init);
module_exit(ktb_exit);

MODULE_DESCRIPTION("KVM guest timer interface backport (MIPS Count/Compare, PowerPC timebase offset)");
MODULE_LICENSE("GPL");
MODULE_VERSION(KTB_VERSION);
