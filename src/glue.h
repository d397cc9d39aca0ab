/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What an architecture's glue offers the module's load/unload code.
 */
#ifndef KTB_GLUE_H
#define KTB_GLUE_H

int ktb_glue_attach(void);
void ktb_glue_detach(void);

#endif /* KTB_GLUE_H */
