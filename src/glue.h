/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What an architecture's glue offers the module's load and unload code.
 *
 * Every global symbol of this module starts with ktb_, for "KVM timer
 * backport": they share the kernel's namespace, and the prefix keeps them
 * apart from KVM's own (kvm_mips_*, kvmppc_*), which the glue calls and
 * wraps. The core (src/core/) is arch-neutral; the glue (src/mips/,
 * src/powerpc/) translates between a kernel's vCPU and the core, and is
 * the only code that knows a kernel's KVM. One glue is built, chosen by
 * Kbuild from what the target kernel declares; where there is nothing to
 * attach to, a stand-in that refuses to load (src/noglue.c,
 * src/powerpc/no_tb_offset.c).
 */
#ifndef KTB_GLUE_H
#define KTB_GLUE_H

#include <linux/types.h>

#include "features.h"

struct dentry;

/**
 * ktb_glue_attach() - attach to the running kernel's KVM
 * @debugfs: the module's debugfs directory, for the glue's files.
 *
 * Install the module's wrappers in KVM's ops table (or arrange to, once
 * the KVM module that owns the table loads). What each feature does on
 * this kernel is decided later, from what the kernel's own handlers do
 * on its first vCPU.
 *
 * Context: process context, module load.
 * Return: 0, or a negative errno and nothing left behind.
 */
int ktb_glue_attach(struct dentry *debugfs);

/**
 * ktb_glue_detach() - leave KVM exactly as it was before attach
 *
 * Put the kernel's own ops back and wait for every call that is inside
 * one of the module's wrappers, or about to enter one, to return. Every
 * vCPU whose timer the module runs holds a module reference, so none is
 * left by the time this runs.
 *
 * Context: process context, module unload; may sleep.
 */
void ktb_glue_detach(void);

#endif /* KTB_GLUE_H */
