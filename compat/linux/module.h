/* SPDX-License-Identifier: GPL-2.0 */
/*
 * MODULE_IMPORT_NS() takes a string literal since 6.13; before, a bare
 * token that it stringified. KTB_HAVE_IMPORT_NS_STRING comes from a probe
 * of the kernel's header in Kbuild.
 */
#ifndef KTB_COMPAT_LINUX_MODULE_H
#define KTB_COMPAT_LINUX_MODULE_H

#include_next <linux/module.h>

#ifndef KTB_HAVE_IMPORT_NS_STRING
#undef MODULE_IMPORT_NS
#define MODULE_IMPORT_NS(ns) MODULE_INFO(import_ns, ns)
#endif

#endif /* KTB_COMPAT_LINUX_MODULE_H */
