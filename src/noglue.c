// SPDX-License-Identifier: GPL-2.0
/*
 * Architectures without KVM timer glue: the core builds (and is tested),
 * but there is nothing to attach to.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/errno.h>
#include <linux/printk.h>

#include "glue.h"

/**
 * ktb_glue_attach() - refuse to load
 * @debugfs: unused.
 *
 * Return: -ENODEV.
 */
int ktb_glue_attach(struct dentry *debugfs)
{
	pr_info("no KVM timer glue for this architecture (MIPS and PowerPC Book3S HV only)\n");
	return -ENODEV;
}

/**
 * ktb_glue_detach() - nothing to undo
 */
void ktb_glue_detach(void)
{
}
