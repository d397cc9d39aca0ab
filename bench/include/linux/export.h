/* SPDX-License-Identifier: GPL-2.0 */
/* User-space stand-in, for the bench (bench/): nothing to export. */
