// SPDX-License-Identifier: GPL-2.0
/*
 * PowerPC kernels whose KVM has no timebase offset at all (before 3.13):
 * the offset is applied by the guest entry and exit code, which is built
 * into the kernel image, so no module can add it. Refuse to load and say
 * so, rather than accept an offset that would never reach a guest.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": powerpc: " fmt

#include <linux/errno.h>
#include <linux/printk.h>

#include "glue.h"

/* Refuse to load, saying why: -ENODEV. */
int ktb_glue_attach(struct dentry *debugfs)
{
	pr_err("this kernel's KVM applies no timebase offset on guest entry (that came with Linux 3.13, in code built into the kernel image); a module cannot add it\n");
	return -ENODEV;
}

void ktb_glue_detach(void)
{
}
