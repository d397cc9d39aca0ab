/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The e2e-mips test guest: MIPS32 kernel-mode code that the client copies
 * to guest physical 0 and starts at 0x40000000 (trap-and-emulate KSEG0).
 * It is assembled into the client as data, never run by the host.
 *
 * 0x000  jump to main
 * 0x180  exception vector (EBase 0x40000000, Status.BEV clear, Cause.IV
 *        clear): a timer interrupt reports Count and Cause on entry,
 *        acknowledges by rewriting Compare, counts itself and returns;
 *        anything else reports Cause and EPC and stops the guest.
 * 0x400  main: the command loop (see guest.h).
 *
 * Guest CP0 accesses sit in branch delay slots only in do_count_bd,
 * do_compare_bd and do_count_branches, which test exactly that; every
 * other delay slot holds a nop.
 */
#include "guest.h"

#define C0_COUNT	$9
#define C0_COMPARE	$11
#define C0_STATUS	$12
#define C0_CAUSE	$13
#define C0_EPC		$14

	.set	noreorder
	.set	noat
	.set	mips32r2
	.section .rodata.guest, "a"
	.balign	0x1000
	.globl	guest_image
guest_image:
	b	main
	 nop

	.org	guest_image + 0x180
	mfc0	$k0, C0_COUNT
	lui	$k1, MMIO_BASE >> 16
	sw	$k0, OUT_IRQ_COUNT($k1)
	mfc0	$k0, C0_CAUSE
	sw	$k0, OUT_IRQ_CAUSE($k1)
	andi	$k0, $k0, CAUSE_EXCCODE
	bnez	$k0, unexpected
	 nop
	mfc0	$k0, C0_COMPARE
	mtc0	$k0, C0_COMPARE		/* acknowledge */
	lui	$k1, GUEST_BASE >> 16
	lw	$k0, IRQCOUNT_OFF($k1)
	addiu	$k0, $k0, 1
	sw	$k0, IRQCOUNT_OFF($k1)
	/*
	 * Taken between WAITIRQ's test of the count and its WAIT (EPC is
	 * the test, the branch of a delay-slot exception, or the WAIT):
	 * resume at the test, or the guest would WAIT for an interrupt it
	 * has already had (the rollback Linux's r4k_wait does).
	 */
	mfc0	$k0, C0_EPC
	addiu	$k0, $k0, -(waitirq_test - guest_image)
	sltiu	$k0, $k0, waitirq_wait - waitirq_test + 1
	beqz	$k0, 1f
	 nop
	addiu	$k1, $k1, waitirq_test - guest_image
	mtc0	$k1, C0_EPC
1:	eret
	 nop
unexpected:
	mfc0	$k0, C0_CAUSE
	sw	$k0, OUT_UNEXP_CAUSE($k1)
	mfc0	$k0, C0_EPC
	sw	$k0, OUT_UNEXP_EPC($k1)
1:	b	1b
	 nop

	.org	guest_image + 0x400
main:
	mtc0	$zero, C0_STATUS	/* clear BEV, ERL, IE */
	ehb
	lui	$t9, MMIO_BASE >> 16
	lui	$t7, GUEST_BASE >> 16
cmd_loop:
	lw	$t0, MMIO_CMD($t9)
	li	$t8, CMD_COUNT
	beq	$t0, $t8, do_count
	 nop
	li	$t8, CMD_ARM
	beq	$t0, $t8, do_arm
	 nop
	li	$t8, CMD_WAITIRQ
	beq	$t0, $t8, do_waitirq
	 nop
	li	$t8, CMD_CAUSE
	beq	$t0, $t8, do_cause
	 nop
	li	$t8, CMD_COMPARE
	beq	$t0, $t8, do_compare
	 nop
	li	$t8, CMD_RDHWR
	beq	$t0, $t8, do_rdhwr
	 nop
	li	$t8, CMD_COUNT_BD
	beq	$t0, $t8, do_count_bd
	 nop
	li	$t8, CMD_SETCAUSE
	beq	$t0, $t8, do_setcause
	 nop
	li	$t8, CMD_READCMP
	beq	$t0, $t8, do_readcmp
	 nop
	li	$t8, CMD_COMPARE_BD
	beq	$t0, $t8, do_compare_bd
	 nop
	li	$t8, CMD_SETCOUNT
	beq	$t0, $t8, do_setcount
	 nop
	li	$t8, CMD_SPINCAUSE
	beq	$t0, $t8, do_spincause
	 nop
	li	$t8, CMD_COUNT_BRANCHES
	beq	$t0, $t8, do_count_branches
	 nop
	li	$t8, CMD_COUNT_LOOP
	beq	$t0, $t8, do_count_loop
	 nop
	sw	$t0, OUT_BADCMD($t9)
	b	cmd_loop
	 nop

do_count:
	mfc0	$t2, C0_COUNT
	mfc0	$t3, C0_COUNT
	sw	$t2, OUT_A($t9)
	sw	$t3, OUT_B($t9)
	b	cmd_loop
	 nop

/* Each Count read traps: the stored Counts time the round trips. */
do_count_loop:
	lw	$t1, MMIO_ARG0($t9)
	addiu	$t2, $t7, LOOP_OFF
	sll	$t3, $t1, 2
	addu	$t3, $t3, $t2		/* end */
	beq	$t2, $t3, 2f
	 nop
1:	mfc0	$t4, C0_COUNT
	sw	$t4, 0($t2)
	addiu	$t2, $t2, 4
	bne	$t2, $t3, 1b
	 nop
2:	sw	$t1, OUT_A($t9)
	b	cmd_loop
	 nop

do_arm:
	lw	$t1, MMIO_ARG0($t9)
	mfc0	$t2, C0_COUNT
	addu	$t2, $t2, $t1
	mtc0	$t2, C0_COMPARE
	mfc0	$t3, C0_COUNT		/* already past: the client retries */
	sw	$t3, ARMCOUNT_OFF($t7)
	sw	$t2, OUT_COMPARE($t9)
	b	cmd_loop
	 nop

do_waitirq:
	lw	$t4, MMIO_ARG0($t9)	/* Status to run with */
	lw	$t5, MMIO_ARG1($t9)	/* ticks to spin after the first */
	lw	$t1, MMIO_ARG2($t9)	/* arm Compare this far ahead, or 0 */
	sw	$zero, IRQCOUNT_OFF($t7)
	move	$s0, $zero
	beqz	$t1, 1f
	 nop
	mfc0	$s0, C0_COUNT
	addu	$s0, $s0, $t1
	mtc0	$s0, C0_COMPARE
	/*
	 * Count right after: past Compare means the guest was held up
	 * longer than ARG2 between the two (a loaded host), and the match
	 * is a whole Count period away. The client retries such a round.
	 */
	mfc0	$s1, C0_COUNT
	sw	$s0, ARMCMP_OFF($t7)
	sw	$s1, ARMCOUNT_OFF($t7)
	/* Missed: the match is a Count period away; report, don't wait. */
	subu	$t2, $s1, $s0
	bgez	$t2, 5f
	 nop
1:	mtc0	$t4, C0_STATUS
	ehb
	/*
	 * Test before each WAIT: an interrupt taken right after the Status
	 * write must not leave the guest waiting for a second one. One taken
	 * after the test is rolled back to it by the handler; one that falls
	 * due after the test but is not yet taken is pending when WAIT
	 * traps, so KVM does not block.
	 */
waitirq_test:
	lw	$t3, IRQCOUNT_OFF($t7)
	bnez	$t3, 3f
	 nop
waitirq_wait:
	wait
	b	waitirq_test
	 nop
3:	mfc0	$t6, C0_COUNT
4:	mfc0	$t2, C0_COUNT
	subu	$t2, $t2, $t6
	sltu	$t2, $t2, $t5
	bnez	$t2, 4b
	 nop
	mtc0	$zero, C0_STATUS
	ehb
5:	sw	$s0, OUT_COMPARE($t9)
	lw	$t3, IRQCOUNT_OFF($t7)
	sw	$t3, OUT_NIRQ($t9)
	b	cmd_loop
	 nop

do_cause:
	mfc0	$t2, C0_CAUSE
	sw	$t2, OUT_A($t9)
	b	cmd_loop
	 nop

do_compare:
	lw	$t1, MMIO_ARG0($t9)
	mtc0	$t1, C0_COMPARE
	b	cmd_loop
	 nop

do_rdhwr:
	mfc0	$t2, C0_COUNT
	rdhwr	$t3, $2			/* CC: traps, emulated as Count */
	mfc0	$t4, C0_COUNT
	sw	$t2, OUT_A($t9)
	sw	$t3, OUT_B($t9)
	sw	$t4, OUT_C($t9)
	b	cmd_loop
	 nop

do_count_bd:
	mfc0	$t2, C0_COUNT
	/*
	 * A Count read in a delay slot: whoever emulates it must carry
	 * out the branch too.
	 */
	b	1f
	 mfc0	$t3, C0_COUNT
	nop
1:	mfc0	$t4, C0_COUNT
	sw	$t2, OUT_A($t9)
	sw	$t3, OUT_B($t9)
	sw	$t4, OUT_C($t9)
	b	cmd_loop
	 nop

do_setcause:
	lw	$t1, MMIO_ARG0($t9)
	mtc0	$t1, C0_CAUSE
	ehb
	b	cmd_loop
	 nop

do_compare_bd:
	lw	$t1, MMIO_ARG0($t9)
	b	1f
	 mtc0	$t1, C0_COMPARE
	nop
1:	b	cmd_loop
	 nop

do_setcount:
	lw	$t1, MMIO_ARG0($t9)
	mtc0	$t1, C0_COUNT
	mfc0	$t2, C0_COUNT
	mfc0	$t3, C0_COUNT
	sw	$t2, OUT_A($t9)
	sw	$t3, OUT_B($t9)
	b	cmd_loop
	 nop

do_spincause:
	lw	$t1, MMIO_ARG0($t9)
	mfc0	$t2, C0_COUNT
	addu	$t2, $t2, $t1
	mtc0	$t2, C0_COMPARE
	mfc0	$t3, C0_COUNT		/* already past: the client retries */
	sw	$t3, ARMCOUNT_OFF($t7)
1:	mfc0	$t3, C0_COUNT
	subu	$t4, $t3, $t2
	bltz	$t4, 1b
	 nop
	mfc0	$t5, C0_CAUSE
	sw	$t3, OUT_A($t9)
	sw	$t5, OUT_B($t9)
	sw	$t2, OUT_C($t9)
	b	cmd_loop
	 nop

do_readcmp:
	mfc0	$t2, C0_COMPARE
	mfc0	$t3, C0_COMPARE
	sw	$t2, OUT_A($t9)
	sw	$t3, OUT_B($t9)
	b	cmd_loop
	 nop

/*
 * A Count read in the delay slot of each kind of branch, in turn: taken
 * and not taken, likely, linking, register jumps. Each Count goes to
 * guest memory (BRANCH_OFF + 4 * stage); $s2 collects a bit for every
 * fall-through block that runs, so a branch that went the wrong way
 * shows. OUT_A = stages, OUT_B = the bits, OUT_C = 0.
 */
do_count_branches:
	move	$s2, $zero
	li	$t1, 1
	li	$t0, -1
	mfc0	$t2, C0_COUNT
	sw	$t2, BRANCH_OFF + 0($t7)
	beq	$t1, $zero, 1f		/* not taken */
	 mfc0	$t2, C0_COUNT
	ori	$s2, $s2, 0x1
1:	sw	$t2, BRANCH_OFF + 4($t7)
	bne	$t1, $zero, 2f		/* taken */
	 mfc0	$t2, C0_COUNT
	ori	$s2, $s2, 0x2
2:	sw	$t2, BRANCH_OFF + 8($t7)
	beql	$t1, $t1, 3f		/* taken: the slot runs */
	 mfc0	$t2, C0_COUNT
	ori	$s2, $s2, 0x4
3:	sw	$t2, BRANCH_OFF + 12($t7)
	bltz	$t1, 4f			/* not taken */
	 mfc0	$t2, C0_COUNT
	ori	$s2, $s2, 0x8
4:	sw	$t2, BRANCH_OFF + 16($t7)
	bgez	$t0, 5f			/* not taken */
	 mfc0	$t2, C0_COUNT
	ori	$s2, $s2, 0x10
5:	sw	$t2, BRANCH_OFF + 20($t7)
	blez	$t0, 6f			/* taken */
	 mfc0	$t2, C0_COUNT
	ori	$s2, $s2, 0x20
6:	sw	$t2, BRANCH_OFF + 24($t7)
	bgtz	$t0, 7f			/* not taken */
	 mfc0	$t2, C0_COUNT
	ori	$s2, $s2, 0x40
7:	sw	$t2, BRANCH_OFF + 28($t7)
	bal	20f			/* links $ra, taken */
	 mfc0	$t2, C0_COUNT
	sw	$t3, BRANCH_OFF + 36($t7)
	b	8f
	 nop
20:	sw	$t2, BRANCH_OFF + 32($t7)
	jr	$ra			/* back, Count in the slot */
	 mfc0	$t3, C0_COUNT
8:	bal	9f			/* $ra = this code's address */
	 nop
9:	addiu	$t4, $ra, 21f - 9b
	jalr	$s4, $t4		/* links $s4 */
	 mfc0	$t2, C0_COUNT
	sw	$t3, BRANCH_OFF + 44($t7)
	b	10f
	 nop
21:	sw	$t2, BRANCH_OFF + 40($t7)
	jr	$s4
	 mfc0	$t3, C0_COUNT
10:	bltzal	$t1, 11f		/* not taken, but links $ra */
	 mfc0	$t2, C0_COUNT
12:	ori	$s2, $s2, 0x80
11:	sw	$t2, BRANCH_OFF + 48($t7)
	move	$t6, $ra
	bal	13f
	 nop
13:	subu	$t6, $ra, $t6		/* 13b - 12b if bltzal linked right */
	li	$t8, 13b - 12b
	bne	$t6, $t8, 14f
	 nop
	ori	$s2, $s2, 0x100
14:	bnel	$t1, $t1, 15f		/* not taken: the slot is annulled */
	 mfc0	$t2, C0_COUNT
	ori	$s2, $s2, 0x200
15:	li	$t2, 13
	sw	$t2, OUT_A($t9)
	sw	$s2, OUT_B($t9)
	sw	$zero, OUT_C($t9)
	b	cmd_loop
	 nop

	.org	guest_image + IRQCOUNT_OFF
	.word	0, 0, 0
	.globl	guest_image_end
guest_image_end:
