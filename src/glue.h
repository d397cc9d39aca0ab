/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What an architecture's glue offers the module's load/unload code, and
 * what that code offers the glue.
 */
#ifndef KTB_GLUE_H
#define KTB_GLUE_H

#include <linux/types.h>

#include "features.h"

struct dentry;

int ktb_glue_attach(struct dentry *debugfs);
void ktb_glue_detach(void);

#endif /* KTB_GLUE_H */
