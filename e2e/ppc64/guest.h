/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the test guest (guest.S) and the client (client.c) agree on: the
 * hypercall numbers the guest reports with. They lie in the range kvm-hv
 * does not handle itself, so every one exits to userspace as
 * KVM_EXIT_PAPR_HCALL with the guest's r3 in nr and r4..r12 in args.
 */
#ifndef E2E_PPC64_GUEST_H
#define E2E_PPC64_GUEST_H

#define HC_TB		0xf100	/* args[0] = guest timebase */
#define HC_DEC		0xf104	/* decrementer interrupt: args[0] = guest TB, args[1] = SRR0 */
#define HC_UNEXPECTED	0xf1fc	/* args[0] = vector, args[1] = SRR0, args[2] = SRR1 */

#define GUEST_MSR_EE	0x8000

#ifndef __ASSEMBLER__
/* The image is copied to guest physical 0; entry points are offsets in it. */
extern const unsigned char guest_image[], guest_image_end[];
extern const unsigned char guest_tb_loop[], guest_dec_wait[];
#endif

#endif /* E2E_PPC64_GUEST_H */
