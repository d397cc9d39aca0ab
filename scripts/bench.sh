#!/usr/bin/env bash
# make bench: exact dynamic instruction counts of the timer's two
# conversions, upstream's against the module's, on mipsel (32-bit MIPS),
# mips64el, ppc64le and x86_64:
#   Count read  ns -> ticks   div_u64(x * hz, NSEC_PER_SEC)  vs
#                             ktb_mips_scale_ns_to_ticks()
#   re-arm      ticks -> ns   div_u64(ticks * NSEC_PER_SEC, hz)  vs
#                             ktb_mips_scale_ticks_to_ns()
#
# Method (exact, not sampled, not timed): bench/ compiles both for user
# space with the Debian cross compilers at -O2 with the kernel's code
# generation flags for that architecture (MIPS: -G 0 -mno-abicalls -fno-pic
# -mlong-calls as modules are built; the driver and libc are ordinary
# static code). Upstream's div_u64() is the kernel's own: on 32-bit the
# kernel tree's asm/div64.h and asm-generic/div64.h (the Malta 5.10 tree's
# when built, else linux-source-6.1's, identical for this path), called
# out of line as gcc compiles it in kvm.ko (see bench/upstream.c); on
# 64-bit a plain division. The module's is src/core/mips_scale.h itself.
# The binary runs under qemu-user with `-d in_asm,exec,nochain`: chaining
# off, QEMU logs every translated block it executes, and lists each
# block's instructions when it translates it; bench/count.py adds up the
# instructions executed between two marker calls around each conversion
# (the caller's own instructions left out). Counting with -singlestep as
# well gives the same numbers.
#
# Inputs: 7 rates (100 MHz first) x 2 (a mid-period time with a 1 ms
# re-arm; the last nanosecond of the period with a 2^32-tick re-arm). The
# table shows 100 MHz mid-period and the range over all inputs. The bench
# fails only if a result of the module differs from upstream's: for the
# measured inputs, and for BENCH_CHECK (default 100000) random ones each
# way, run under QEMU without logging; or if bench/rates.c, run natively,
# finds a rate whose constants or proof premises are wrong (every rate
# 1 .. 10^9 unless BENCH_RATES="FIRST LAST" says otherwise; about 20 s).
set -euo pipefail
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
here=$(dirname "$0")
checks=${BENCH_CHECK:-100000}
log=$LOGDIR/bench.log
rm -f "$RESDIR/bench"

apt_need qemu-user python3 gcc gcc-mipsel-linux-gnu libc6-dev-mipsel-cross \
	gcc-mips64el-linux-gnuabi64 libc6-dev-mips64el-cross \
	gcc-powerpc64le-linux-gnu libc6-dev-ppc64el-cross

# The kernel's div64 headers: the Malta configuration's tree if a rig
# built it, else the project's linux-source-6.1 tree.
ktree=
for t in "$CACHE"/malta/linux-5.10.*; do
	if [[ -f $t/arch/mips/include/asm/div64.h && -f $t/include/asm-generic/div64.h ]]; then
		ktree=$t
		break
	fi
done
if [[ -z $ktree ]]; then
	"$here/tree.sh"
	ktree=$(tree_dir)
fi

mkdir -p "$CACHE/build"
work=$(mktemp -d "$CACHE/build/bench.XXXXXX")
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/kinc/asm" "$work/kinc/asm-generic"
ln -s "$ktree/arch/mips/include/asm/div64.h" "$work/kinc/asm/div64.h"
ln -s "$ktree/include/asm-generic/div64.h" "$work/kinc/asm-generic/div64.h"
: >"$log"
echo "bench: upstream's 32-bit div_u64 from $ktree" | tee -a "$log"

# arch: compiler, QEMU, kernel code generation flags for the measured code.
declare -A cc=(
	[mipsel]=mipsel-linux-gnu-gcc
	[mips64el]=mips64el-linux-gnuabi64-gcc
	[ppc64le]=powerpc64le-linux-gnu-gcc
	[x86_64]=gcc
)
declare -A kflags=(
	[mipsel]="-march=mips32r2 -G 0 -mno-abicalls -fno-pic -mno-check-zero-division -mlong-calls"
	[mips64el]="-march=mips64r2 -G 0 -mno-abicalls -fno-pic -mno-check-zero-division -mlong-calls"
	[ppc64le]="-mcpu=power8"
	[x86_64]="-mno-red-zone -fcf-protection=none"
)
arches=(mipsel mips64el ppc64le x86_64)
common=(-O2 -Wall -Wextra -Werror -fno-strict-aliasing -fno-stack-protector
	-I "$work/kinc" -I "$REPO/bench/include" -iquote "$REPO/src" -iquote "$REPO/bench")

# One result per architecture (every result of the module equal to
# upstream's) and one for bench/rates.c.
passed=0 failed=0
rows=()
for a in "${arches[@]}"; do
	d=$work/$a
	mkdir -p "$d"
	gcc_a=${cc[$a]}
	nm=${gcc_a%gcc}nm
	# shellcheck disable=SC2086 # kflags are several words
	{
		$gcc_a "${common[@]}" ${kflags[$a]} -c -o "$d/upstream.o" "$REPO/bench/upstream.c" &&
			$gcc_a "${common[@]}" ${kflags[$a]} -c -o "$d/module.o" "$REPO/bench/module.c" &&
			$gcc_a "${common[@]}" -c -o "$d/main.o" "$REPO/bench/main.c" &&
			$gcc_a "${common[@]}" -c -o "$d/mips_scale.o" "$REPO/src/core/mips_scale.c" &&
			$gcc_a -static -no-pie -o "$d/scale-bench" "$d"/*.o
	} >>"$log" 2>&1 || {
		tail -n 20 "$log"
		echo "bench: $a: build failed"
		failed=$((failed + 1))
		continue
	}
	$nm -S --defined-only "$d/scale-bench" >"$d/nm"
	q=qemu-$a
	ok=1
	if ! $q -d in_asm,exec,nochain -D "$d/exec.log" "$d/scale-bench" count >"$d/results"; then
		echo "bench: $a: the module's results differ from upstream's:"
		awk '$5 != $6 || $7 != $8' "$d/results"
		ok=0
	fi
	python3 "$REPO/bench/count.py" "$d/exec.log" "$d/nm" >"$d/counts" || ok=0
	out=$($q "$d/scale-bench" check "$checks") || ok=0
	echo "bench: $a: $out" | tee -a "$log"
	# counts: 4 per input (up ns->ticks, mod ns->ticks, up ticks->ns, mod
	# ticks->ns), inputs in the order of results.
	if row=$(awk -v arch="$a" '
		NR == FNR { c[FNR - 1] = $1; n = FNR; next }
		{ i = FNR - 1
		  for (k = 0; k < 4; k++) {
			v = c[4 * i + k]
			if (i == 0) first[k] = v
			if (i == 0 || v < lo[k]) lo[k] = v
			if (i == 0 || v > hi[k]) hi[k] = v
		  } }
		END {
			if (n != 4 * FNR) exit 1
			split("Count_read_ns->ticks re-arm_ticks->ns", name, " ")
			for (j = 0; j < 2; j++)
				printf "%s %s %d %d %d %d %d %d\n", arch, name[j + 1],
					first[2 * j], lo[2 * j], hi[2 * j],
					first[2 * j + 1], lo[2 * j + 1], hi[2 * j + 1]
		}' "$d/counts" "$d/results"); then
		rows+=("$row")
	else
		echo "bench: $a: not as many counts as calls"
		ok=0
	fi
	if ((ok)); then
		passed=$((passed + 1))
	else
		failed=$((failed + 1))
	fi
done

# Every rate's constants and proof premises (bench/rates.c).
# shellcheck disable=SC2086 # BENCH_RATES is two words
if gcc "${common[@]}" -o "$work/rates" "$REPO/bench/rates.c" \
	"$REPO/src/core/mips_scale.c" >>"$log" 2>&1 &&
	out=$("$work/rates" ${BENCH_RATES:-}); then
	passed=$((passed + 1))
else
	failed=$((failed + 1))
fi
echo "bench: ${out:-rates: build failed}" | tee -a "$log"

{
	echo
	echo "instructions executed per conversion: at 100 MHz (mid-period Count read, 1 ms re-arm),"
	echo "and min-max over 7 rates x 2 inputs; ratio = upstream / module at 100 MHz"
	printf '%-9s %-21s %16s %16s %7s  %s\n' arch conversion upstream module ratio goal
	for r in "${rows[@]}"; do
		while read -r a conv up uplo uphi mod modlo modhi; do
			ratio=$(awk -v u="$up" -v m="$mod" 'BEGIN { printf "%.1f", u / m }')
			goal=
			if [[ $conv == Count* ]]; then
				if [[ $a == mipsel ]]; then
					goal=$(awk -v u="$uplo" -v m="$modhi" 'BEGIN { print (m * 5 <= u ? "<= 1/5 of upstream: met" : "<= 1/5 of upstream: MISSED") }')
				else
					goal=$( ((modhi <= uplo)) && echo "<= upstream: met" || echo "<= upstream: MISSED")
				fi
			fi
			printf '%-9s %-21s %5d (%4d-%4d) %5d (%4d-%4d) %7s  %s\n' "$a" "${conv//_/ }" \
				"$up" "$uplo" "$uphi" "$mod" "$modlo" "$modhi" "$ratio" "$goal"
		done <<<"$r"
	done
} | tee -a "$log"

echo "bench: took ${SECONDS}s (log: $log)"
note="4 architectures x (counted inputs + $checks random each way), every rate's constants"
record bench "$passed" "$failed" "$note"
if ((failed)); then
	echo "bench: FAILED: a result of the module differs from upstream's (or a build failed)"
	exit 1
fi
