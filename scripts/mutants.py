#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Mutation check of the KUnit suites.

Breaks one rule of the core at a time, runs `make kunit`, and reports
whether the suites noticed. Every mutant must be killed (the suites fail).
Each file is restored from memory afterwards, so uncommitted work is safe.
Usage: scripts/mutants.py [substring-of-mutant-name ...]   (about 10 s each)
"""
import re
import subprocess
import sys

MUTANTS = {
 "M1 freeze race: old 'now >= expiry' rule": ("src/core/mips_timer.c",
   """	if ((s32)(count - t->compare) < 0)
		return count;

	expires = READ_ONCE(t->expires);
	threshold = ktime_add_ns(now, t->count_period / 4);
	if (ktime_before(expires, threshold)) {""",
   """	expires = READ_ONCE(t->expires);
	threshold = ktime_add_ns(now, t->count_period / 4);
	if (ktime_compare(now, expires) >= 0) {"""),
 "M2 Compare ack before the freeze": ("src/core/mips_timer.c",
   """	running = !ktb_mips_timer_stopped(t);
	if (running)
		now = ktb_mips_freeze(t, &count);

	if (ack)
		t->irq->dequeue(t);
	else if (t->hw)""",
   """	if (ack)
		t->irq->dequeue(t);
	running = !ktb_mips_timer_stopped(t);
	if (running)
		now = ktb_mips_freeze(t, &count);

	if (ack)
		;
	else if (t->hw)"""),
 "M3 Cause: bits before the stop": ("src/core/mips_timer.c",
   """		change_cause(t, KTB_CAUSE_DC, KTB_CAUSE_DC);
		if (!master_disabled(t))
			ktb_mips_freeze(t, &t->count);
		change_cause(t, mask & ~KTB_CAUSE_DC, value);""",
   """		change_cause(t, mask & ~KTB_CAUSE_DC, value);
		change_cause(t, KTB_CAUSE_DC, KTB_CAUSE_DC);
		if (!master_disabled(t))
			ktb_mips_freeze(t, &t->count);"""),
 "M4 master re-enable never raises": ("src/core/mips_timer.c",
   """	if (ktime_compare(now, due) >= 0)
		t->irq->queue(t);""", """	(void)due;"""),
 "M5 master re-enable raises twice (re-read vs stale expiry)": ("src/core/mips_timer.c",
   """	ktb_mips_resume(t, now, t->count_bias + ktb_mips_ns_to_ticks(t, now));
}""", """	ktb_mips_resume(t, now, read_count_running(t, now));
}"""),
 "M6 COUNT_HZ keeps the old bias": ("src/core/mips_timer.c",
   """	t->count_bias = count - ktb_mips_ns_to_ticks(t, now);

	if (!stopped)""", """	if (!stopped)"""),
 "M7 COUNT_RESUME accepts the future": ("src/core/mips_timer.c",
   "if (resume_ns < 0 || resume_ns > ktime_to_ns(t->clock->now(t)))", "if (resume_ns < 0)"),
 "M8 COUNT_CTL: setting DC twice refreshes resume": ("src/core/mips_timer.c",
   """	if (!((ctl ^ t->count_ctl) & KTB_COUNT_CTL_DC))
		return 0;""", """	if (!((ctl ^ t->count_ctl) & KTB_COUNT_CTL_DC)) {
		if (ctl)
			t->count_resume = t->clock->now(t);
		return 0;
	}"""),
 "M9 dyn_bias signed comparison": ("src/core/mips_timer.c",
   "	if (in_period >= t->count_period) {", "	if ((s64)in_period >= (s64)t->count_period) {"),
 "M10 Compare==Count resumes at 0 ticks, not 2^32": ("src/core/mips_timer.c",
   "	u64 ticks = (u64)(u32)(t->compare - count - 1) + 1;\n\n	t->clock->cancel(t);",
   "	u64 ticks = (u32)(t->compare - count);\n\n	t->clock->cancel(t);"),
 "M13 no decrementer fix-up": ("src/core/ppc_tb.c",
   "	*dec_expires = host_tb + offset;\n	return true;", "	return true;"),
 "M14 TB offset rounded down": ("src/core/ppc_tb.c",
   "	return (raw + KTB_TB_LOW_MASK) & ~KTB_TB_LOW_MASK;", "	return raw & ~KTB_TB_LOW_MASK;"),
 "M15 VZ give: no check of the handoff window": ("src/core/mips_vz.c",
   "	if (passed(start, now, t->compare))\n		t->irq->queue(t);", "	(void)now;"),
 "M16 VZ take: no check of the save window": ("src/core/mips_vz.c",
   "	if (passed(before, end, compare))\n		t->irq->queue(t);\n\n	t->compare", "\n	t->compare"),
 "M17 VZ restore: drift always into the bias": ("src/core/mips_timer.c",
   "	if (drift < min_drift) {", "	if (1) {"),
 "M18 VZ: no GTOffset park on Compare write": ("src/core/mips_timer.c",
   "	t->hw->write_gtoffset(t, compare - t->hw->host_count(t));", "	(void)compare;"),
 "M19 hrtimer_setup shim forgets the callback": ("compat/linux/hrtimer.h",
   "		function = ktb_hrtimer_dummy_timeout;\n	timer->function = function;\n",
   "		function = ktb_hrtimer_dummy_timeout;\n"),
 "M20 ONE_REG Compare acknowledges": ("src/core/onereg.c",
   "	ktb_mips_write_compare(state, val, false);", "	ktb_mips_write_compare(state, val, true);"),
 "M21 expiry callback does not wake the vCPU": ("src/core/mips_timer.c",
   "	t->irq->wake(t);\n", ""),
 "M22 decoder ignores the CP0 select": ("src/core/mips_insn.c",
   "		if (word & 0x7ff || !is_timer_reg(rd))",
   "		if (word & 0x7f8 || !is_timer_reg(rd))"),
 "M23 decoder takes any RDHWR register": ("src/core/mips_insn.c",
   "	    !(re >> 3) && rd == KTB_HWR_CC) {", "	    !(re >> 3)) {"),
 "M24 guest Compare write does not acknowledge": ("src/core/mips_insn.c",
   "		ktb_mips_write_compare(t, src, true);", "		ktb_mips_write_compare(t, src, false);"),
 "M25 migrating loses the armed expiry timer": ("src/core/mips_timer.c",
   "	if (t->clock->cancel(t))\n		arm_expiry(t, READ_ONCE(t->expires));",
   "	t->clock->cancel(t);"),
 "M26 branch: j/jal region taken from the jump, not its delay slot": ("src/core/mips_insn.c",
   "		next = ((pc + 4) & ~KTB_J_REGION) | (word & 0x03ffffff) << 2;",
   "		next = (pc & ~KTB_J_REGION) | (word & 0x03ffffff) << 2;"),
 "M27 branch: offset not sign-extended": ("src/core/mips_insn.c",
   "	return (long)(s16)(word & 0xffff) * 4;", "	return (long)(word & 0xffff) * 4;"),
 "M28 branch: registers compared as their low 32 bits": ("src/core/mips_insn.c",
   "	unsigned long s = gpr_value(gprs, (word >> 21) & 0x1f);",
   "	unsigned long s = (long)(s32)gpr_value(gprs, (word >> 21) & 0x1f);"),
 "M29 branch: likely forms treated as not taken": ("src/core/mips_insn.c",
   "		next = taken ? pc + 4 + branch_offset(word) : pc + 8;",
   "		next = taken && !(word >> 30) ? pc + 4 + branch_offset(word) : pc + 8;"),
 "M30 DEC_EXPIRY GET in host era forgets the offset": ("src/core/ppc_tb.c",
   "	if (units == KTB_PPC_DEC_HOST_TB)\n		return dec_expires + tb_offset;",
   "	if (units == KTB_PPC_DEC_HOST_TB)\n		return dec_expires;"),
 "M31 DEC_EXPIRY SET in host era stores the guest value": ("src/core/ppc_tb.c",
   "	if (units == KTB_PPC_DEC_HOST_TB)\n		return val - tb_offset;",
   "	if (units == KTB_PPC_DEC_HOST_TB)\n		return val;"),
 "M32 decrementer fix-up in the host era too": ("src/core/ppc_tb.c",
   "	if (units != KTB_PPC_DEC_GUEST_TB || *dec_expires || !offset)",
   "	if (*dec_expires || !offset)"),
 "M33 guest-era new vCPU keeps the kernel's host timebase": ("src/core/ppc_tb.c",
   "	return units == KTB_PPC_DEC_HOST_TB ? kernel_value : 0;",
   "	return kernel_value;"),
 "M34 kernel fix-up judged without looking at the expiry before": ("src/core/ppc_tb.c",
   "	if (units != KTB_PPC_DEC_GUEST_TB || dec_before || !offset)",
   "	if (units != KTB_PPC_DEC_GUEST_TB || !offset)"),
 "M35 ONE_REG Cause: the queue follows TI after the timer restarts": ("src/core/mips_timer.c",
   "\tt->irq->write_cause(t, value);\n\tsync_ti(t, value);\n\tif (running)\n\t\tktb_mips_resume(t, now, count);",
   "\tt->irq->write_cause(t, value);\n\tif (running)\n\t\tktb_mips_resume(t, now, count);\n\tsync_ti(t, value);"),
 "M36 ONE_REG Cause: TI only written, never queued": ("src/core/mips_timer.c",
   "\tif (value & KTB_CAUSE_TI)\n\t\tt->irq->queue(t);\n\telse\n\t\tt->irq->dequeue(t);",
   "\tif (!(value & KTB_CAUSE_TI))\n\t\tt->irq->dequeue(t);"),
 "M37 scale: shift threshold one too low": ("src/core/mips_scale.h",
   "#define KTB_MIPS_SCALE_HZ_FLOOR\t465661288u", "#define KTB_MIPS_SCALE_HZ_FLOOR\t465661287u"),
 "M38 scale: tick multiplier one too small": ("src/core/mips_scale.c",
   "<< 31, NSEC_PER_SEC);\n", "<< 31, NSEC_PER_SEC) - 1;\n"),
 "M39 scale: tick multiplier one too large": ("src/core/mips_scale.c",
   "<< 31, NSEC_PER_SEC);\n", "<< 31, NSEC_PER_SEC) + 1;\n"),
 "M40 scale: ns fraction one too small": ("src/core/mips_scale.c",
   "\ts->ns_frac = div_shl32_ceil((u64)rem << 32, hz);",
   "\ts->ns_frac = div_shl32_ceil((u64)rem << 32, hz) - 1;"),
 "M41 scale: constants rounded down, not up": ("src/core/mips_scale.c",
   "\treturn (hi << 32) + lo + (rem != 0);", "\treturn (hi << 32) + lo;"),
 "M42 scale: ns->ticks multiplies x, not 2x": ("src/core/mips_scale.h",
   "\treturn ktb_mul_u64_u64_hi(ns << 1, s->tick_mult) >> s->tick_shift;",
   "\treturn ktb_mul_u64_u64_hi(ns, s->tick_mult) >> s->tick_shift;"),
 "M43 scale: ns->ticks skips the shift": ("src/core/mips_scale.h",
   "\treturn ktb_mul_u64_u64_hi(ns << 1, s->tick_mult) >> s->tick_shift;",
   "\treturn ktb_mul_u64_u64_hi(ns << 1, s->tick_mult);"),
 "M44 scale: ticks->ns drops the whole nanoseconds per tick": ("src/core/mips_scale.h",
   "\treturn ticks * s->ns_int + ktb_mul_u64_u64_hi(ticks, s->ns_frac);",
   "\treturn ktb_mul_u64_u64_hi(ticks, s->ns_frac);"),
 "M45 scale: four-product high half loses the carry": ("src/core/mips_scale.h",
   "\treturn mul_u32_u32(a >> 32, b >> 32) + (mid1 >> 32) + (mid2 >> 32) +\n\t       (carry >> 32);",
   "\treturn mul_u32_u32(a >> 32, b >> 32) + (mid1 >> 32) + (mid2 >> 32);"),
 "M46 COUNT_HZ keeps the first rate's scaling constants": ("src/core/mips_timer.c",
   "\tktb_mips_scale_init(&t->scale, hz);\n\tt->count_dyn_bias = 0;",
   "\tif (!t->scale.tick_mult)\n\t\tktb_mips_scale_init(&t->scale, hz);\n\tt->count_dyn_bias = 0;"),
}


def run(name, path, old, new):
    with open(path) as f:
        orig = f.read()
    if orig.count(old) != 1:
        return "stale (the code it mutates changed)"
    try:
        with open(path, "w") as f:
            f.write(orig.replace(old, new))
        p = subprocess.run(["make", "kunit"], capture_output=True, text=True)
    finally:
        with open(path, "w") as f:
            f.write(orig)
    out = p.stdout + p.stderr
    done = re.findall(r"Testing complete\. Ran .*", out)
    if p.returncode == 0:
        return "SURVIVED: " + (done[-1] if done else "suite passed")
    return "killed: " + (done[-1] if done else "build or boot failed")


def main():
    want = sys.argv[1:]
    survivors = 0
    for name, (path, old, new) in MUTANTS.items():
        if want and not any(w in name for w in want):
            continue
        verdict = run(name, path, old, new)
        survivors += not verdict.startswith("killed")
        print(f"{name}: {verdict}", flush=True)
    print(f"mutants: {survivors} not killed")
    return 1 if survivors else 0


if __name__ == "__main__":
    sys.exit(main())
