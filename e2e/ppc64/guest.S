/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The test guest: real-mode, little-endian code that the client copies to
 * guest physical address 0 (the client sets LPCR[ILE] so interrupts are
 * taken little-endian too). It is assembled into the client and run as
 * data, never executed by the host.
 *
 * guest_tb_loop reads the timebase and reports it with "sc 1", once per
 * KVM_RUN. guest_dec_wait enables MSR[EE] and spins until the decrementer
 * interrupt (0x900) reports. Every other vector reports itself as
 * unexpected, so a stray interrupt is a failure and not a silent hang.
 */
#include "guest.h"

#define SPRN_SRR0	26
#define SPRN_SRR1	27
#define SPRN_TB		268

	.section .rodata.guest, "a"
	.balign	0x100
	.globl	guest_image
guest_image:

/* Report an unexpected interrupt at vector \vec; fits in 0x20 bytes. */
.macro	unexpected vec
	.org	guest_image + \vec
	mfspr	r5, SPRN_SRR0
	mfspr	r6, SPRN_SRR1
	li	r4, \vec
	li	r3, 0
	ori	r3, r3, HC_UNEXPECTED
	sc	1
	b	.
.endm

	unexpected 0x100
	unexpected 0x200
	unexpected 0x300
	unexpected 0x380
	unexpected 0x400
	unexpected 0x480
	unexpected 0x500
	unexpected 0x600
	unexpected 0x700
	unexpected 0x800

	/* Decrementer: report the guest timebase and where it hit. */
	.org	guest_image + 0x900
	mfspr	r4, SPRN_TB
	mfspr	r5, SPRN_SRR0
	li	r3, 0
	ori	r3, r3, HC_DEC
	sc	1
	b	.

	unexpected 0x980
	unexpected 0xa00
	unexpected 0xb00
	unexpected 0xc00
	unexpected 0xd00
	unexpected 0xe00
	unexpected 0xf00
	unexpected 0xf20
	unexpected 0xf40
	unexpected 0xf60
	unexpected 0xf80

	.org	guest_image + 0x1000
	.globl	guest_tb_loop
guest_tb_loop:
0:	mfspr	r4, SPRN_TB
	li	r3, 0
	ori	r3, r3, HC_TB
	sc	1
	b	0b		/* local label: no relocation to resolve */

	.org	guest_image + 0x1100
	.globl	guest_dec_wait
guest_dec_wait:
	mfmsr	r5
	ori	r5, r5, GUEST_MSR_EE
	mtmsrd	r5, 1		/* L=1: only EE and RI change */
1:	b	1b

	.globl	guest_image_end
guest_image_end:
