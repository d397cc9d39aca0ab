// SPDX-License-Identifier: GPL-2.0
/*
 * Kernels without KVM timer glue (other architectures, MIPS VZ before 5.8,
 * MIPS from 6.3): the core builds (and is tested), but there is nothing
 * to attach to.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/errno.h>
#include <linux/printk.h>

#include "glue.h"

/* Refuse to load: -ENODEV. */
int ktb_glue_attach(struct dentry *debugfs)
{
	pr_info("no KVM timer glue for this kernel (MIPS trap-and-emulate up to 5.12 or VZ 5.8-6.2, PowerPC Book3S HV 3.14+)\n");
	return -ENODEV;
}

void ktb_glue_detach(void)
{
}
