/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the e2e-mips test guest (guest.S) and the client (client.c) agree
 * on. The guest talks to the client through MMIO: an address with no
 * memory slot exits to userspace as KVM_EXIT_MMIO. It loads a command and
 * its arguments (the client answers the loads), runs the command and
 * stores what it saw; then it loads the next command. A guest load of
 * MMIO_CMD therefore also says "the previous command is complete".
 *
 * Under trap-and-emulate the guest's KSEG0 appears at virtual 0x40000000
 * and guest physical = virtual & 0x1fffffff, so the image (copied to guest
 * physical 0) runs at 0x40000000 and MMIO_BASE is guest physical
 * 0x01000000.
 */
#ifndef E2E_MIPS_GUEST_H
#define E2E_MIPS_GUEST_H

#define GUEST_BASE	0x40000000	/* virtual address of guest physical 0 */
#define MMIO_BASE	0x41000000	/* virtual; no memory slot behind it */
#define MMIO_PHYS	0x01000000

/* Loads (client answers). */
#define MMIO_CMD	0x00
#define MMIO_ARG0	0x04
#define MMIO_ARG1	0x08
#define MMIO_ARG2	0x0c
/* Stores (guest reports). */
#define OUT_A		0x10	/* first value of a command */
#define OUT_B		0x14	/* second value */
#define OUT_COMPARE	0x18	/* Compare the guest armed */
#define OUT_NIRQ	0x1c	/* interrupts taken during WAITIRQ */
#define OUT_IRQ_COUNT	0x20	/* handler: Count on entry */
#define OUT_IRQ_CAUSE	0x24	/* handler: Cause on entry */
#define OUT_UNEXP_CAUSE	0x28	/* unexpected exception: Cause */
#define OUT_UNEXP_EPC	0x2c	/* unexpected exception: EPC; guest stops */
#define OUT_BADCMD	0x30	/* unknown command */
#define OUT_C		0x34	/* third value */

/* Guest memory words: timer interrupts taken; WAITIRQ's Compare and the
 * Count read right after writing it (the client reads them directly). */
#define IRQCOUNT_OFF	0x1000
#define ARMCMP_OFF	0x1004
#define ARMCOUNT_OFF	0x1008
/* CMD_COUNT_BRANCHES: the Count of each stage, 13 words. */
#define BRANCH_OFF	0x1010
#define BRANCH_STAGES	13
/* The fall-through blocks that must run (and only those). */
#define BRANCH_PATH	0x3d9
/* CMD_COUNT_LOOP: the Counts read, one word each. */
#define LOOP_OFF	0x4000
#define LOOP_MAX	8192

/* Commands. */
#define CMD_COUNT	1	/* OUT_A, OUT_B = two back-to-back Count reads */
#define CMD_ARM		2	/* Compare = Count + ARG0; OUT_COMPARE = it;
				 * Count right after: ARMCOUNT_OFF */
#define CMD_WAITIRQ	3	/* if ARG2, Compare = Count + ARG2; Status =
				 * ARG0; WAIT until an interrupt; spin ARG1
				 * Count ticks more; Status = 0; OUT_COMPARE =
				 * Compare armed (0 if none), OUT_NIRQ =
				 * interrupts taken */
#define CMD_CAUSE	4	/* OUT_A = Cause */
#define CMD_COMPARE	5	/* Compare = ARG0 (acknowledges) */
#define CMD_RDHWR	6	/* OUT_A = Count, OUT_B = RDHWR $2 (CC),
				 * OUT_C = Count */
#define CMD_COUNT_BD	7	/* OUT_A = Count, OUT_B = Count read in a
				 * branch delay slot, OUT_C = Count */
#define CMD_SETCAUSE	8	/* Cause = ARG0 (mtc0: DC, IV, IP1, IP0) */
#define CMD_READCMP	9	/* OUT_A, OUT_B = two reads of Compare */
#define CMD_COMPARE_BD	10	/* Compare = ARG0, written in a branch delay
				 * slot */
#define CMD_SETCOUNT	11	/* Count = ARG0; OUT_A, OUT_B = Count read
				 * right after */
#define CMD_SPINCAUSE	12	/* Compare = Count + ARG0; read Count until
				 * it passes Compare, then Cause: OUT_A =
				 * that Count, OUT_B = Cause, OUT_C = Compare;
				 * the Count read right after the Compare
				 * write goes to guest memory ARMCOUNT_OFF */
#define CMD_COUNT_BRANCHES 13	/* Count read in the delay slot of each kind
				 * of branch; the Counts go to guest memory
				 * BRANCH_OFF; OUT_A = BRANCH_STAGES, OUT_B =
				 * the fall-through blocks that ran */
#define CMD_COUNT_LOOP	14	/* ARG0 (<= LOOP_MAX) back-to-back Count
				 * reads, each stored to guest memory at
				 * LOOP_OFF + 4 * i; OUT_A = ARG0 */

#define ST_IE		0x0001
#define ST_IM0		0x0100
#define ST_IM7		0x8000
#define CAUSE_TI	0x40000000
#define CAUSE_DC	0x08000000
#define CAUSE_IP7	0x00008000
#define CAUSE_EXCCODE	0x0000007c

#ifndef __ASSEMBLER__
extern const unsigned char guest_image[], guest_image_end[];
#endif

#endif /* E2E_MIPS_GUEST_H */
