# shellcheck shell=bash
# Settings and helpers shared by the scripts/*.sh check steps (sourced).
# shellcheck disable=SC2034 # variables are used by the scripts that source this

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
CACHE=${KTB_CACHE:-/var/cache/kvm-timer-backport}
LOGDIR=$CACHE/logs
RESDIR=$CACHE/results
export LC_ALL=C DEBIAN_FRONTEND=noninteractive
mkdir -p "$LOGDIR" "$RESDIR"

# The extracted linux-source-6.1 tree that this project owns.
tree_dir() {
	echo "$CACHE/src/linux-source-$(dpkg-query -W -f='${Version}' linux-source-6.1)"
}

# record STEP PASSED FAILED NOTE: the line scripts/check.sh puts in its table.
record() {
	printf '%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "${4:-}" >"$RESDIR/$1"
}

# Serialise runs: every clone shares the cache and the tree's symlink.
lock_cache() {
	[[ -n ${KTB_LOCKED:-} ]] && return
	exec 9>"$CACHE/.lock"
	flock 9
	export KTB_LOCKED=1
}

# apt_need PKG...: install, from bookworm, those of PKG... not installed.
apt_need() {
	local need=() p
	for p in "$@"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
			need+=("$p")
	done
	((${#need[@]})) || return 0
	apt-get update -q >/dev/null
	apt-get install -y -q -t bookworm --no-install-recommends "${need[@]}" >/dev/null
}

# mips_client OUT: the static e2e-mips test client (e2e/mips/), warnings
# are errors.
mips_client() {
	mipsel-linux-gnu-gcc -static -O2 -Wall -Wextra -Werror -pthread -o "$1" \
		"$REPO/e2e/mips/client.c" "$REPO/e2e/mips/guest.S"
}

# module_tree DIR [REV]: DIR afresh with the module's sources, of git
# revision REV, or of the working tree without REV; prints which.
module_tree() {
	rm -rf "$1"
	mkdir -p "$1"
	if [[ -n ${2:-} ]]; then
		git -C "$REPO" archive "$2" | tar -C "$1" -xf -
		echo "$(git -C "$REPO" rev-parse --short "$2") ($2)"
	else
		tar -C "$REPO" --exclude=./.git -cf - . | tar -C "$1" -xf -
		echo "working tree"
	fi
}

# fixture_ko TREE SRC NAME ARCH CROSS_COMPILE: a stress rig's test-only
# kernel module, the working tree's e2e/SRC with e2e/kfixture.h beside
# it, built as NAME.ko against TREE in $CACHE/fixtures/NAME; prints the
# .ko. On failure the build log's tail goes to stderr.
fixture_ko() {
	local tree=$1 src=$2 name=$3 dir=$CACHE/fixtures/$3 log=$LOGDIR/fixture-$3.log
	rm -rf "$dir"
	mkdir -p "$dir"
	cp "$REPO/e2e/$src" "$dir/$name.c"
	cp "$REPO/e2e/kfixture.h" "$dir/"
	echo "obj-m := $name.o" >"$dir/Kbuild"
	if ! make -C "$tree" M="$dir" ARCH="$4" CROSS_COMPILE="$5" modules >"$log" 2>&1 ||
		grep -q 'undefined!' "$log"; then
		tail -20 "$log" >&2
		return 1
	fi
	echo "$dir/$name.ko"
}

# busybox_root ARCH DIR: DIR afresh as the root of an initramfs for
# Debian architecture ARCH: busybox-static and the directories an /init
# mounts on.
busybox_root() {
	local deb
	deb=$("$REPO/scripts/debs.sh" fetch "$1" bookworm busybox-static 2>/dev/null) ||
		return 1
	rm -rf "$2"
	mkdir -p "$2"/{bin,dev,proc,sys,tmp}
	dpkg-deb --fsys-tarfile "$deb" | tar -C "$2" -x ./bin/busybox
}

# A rig's verdicts: rig_start NAME WHAT, then ok/notok per check, and
# rig_finish (or die) prints "NAME: N passed, M failed", records it for
# check.sh and exits non-zero if anything failed.
rig_start() {
	RIG_NAME=$1 RIG_WHAT=$2 RIG_START=$SECONDS passed=0 failed=0
}
ok() { echo "ok - $*"; passed=$((passed + 1)); }
notok() { echo "not ok - $*"; failed=$((failed + 1)); }
rig_finish() {
	echo "# $RIG_NAME took $((SECONDS - RIG_START)) s"
	echo "$RIG_NAME: $passed passed, $failed failed"
	record "$RIG_NAME" "$passed" "$failed" "$RIG_WHAT"
	((failed == 0))
	exit
}
die() { notok "$*"; rig_finish; }

# count_verdicts LOG: add the "ok"/"not ok" lines of LOG to the counts.
count_verdicts() {
	local line
	while read -r line; do
		case $line in
		"ok - "*) passed=$((passed + 1)) ;;
		"not ok - "*) failed=$((failed + 1)) ;;
		esac
	done <"$1"
}

# guest_verdicts LOG QEMU_RC TIMEOUT: the guest's own "ok"/"not ok" lines
# (printed and counted), how QEMU ended (QEMU_RC its exit status, or
# "silent" when watch_silence stopped it), and whether /init ran to its
# end ("stress-init: done").
guest_verdicts() {
	grep -E '^(ok|not ok|#) ' "$1" || true
	count_verdicts "$1"
	case $2 in
	0) ok "QEMU ran the guest system to its end" ;;
	124 | 137) notok "QEMU finished within $3 s (timed out; tail in $1)" ;;
	silent) notok "QEMU ran the guest system to its end (stopped: the console fell silent)" ;;
	*) notok "QEMU exits 0 (exit status $2)" ;;
	esac
	grep -q '^stress-init: done' "$1" || notok "the guest system ran to the end of /init (see $1)"
}

# watch_silence PID CONSOLE SECS SOCK VMLINUX NM OUT: while PID (QEMU,
# or the timeout(1) running it) lives, watch the size of its console file
# CONSOLE. If it stays the same for SECS seconds the guest is taken as
# hung: OUT gets what QEMU's human monitor on unix socket SOCK says of the
# CPUs, twice a second apart (do they still move, and where are they: the
# kernel symbols of their NIP and LR, POWER's, from VMLINUX through
# binutils' nm NM), QEMU is stopped, and it returns 0. Returns 1 once PID
# has ended by itself.
watch_silence() {
	local pid=$1 console=$2 secs=$3 sock=$4 vmlinux=$5 nm=$6 out=$7
	local size=-1 now since=$SECONDS
	while kill -0 "$pid" 2>/dev/null; do
		now=$(stat -c %s "$console" 2>/dev/null || echo 0)
		if ((now != size)); then
			size=$now since=$SECONDS
		elif ((SECONDS - since >= secs)); then
			"$nm" -n "$vmlinux" >"$out.nm" 2>/dev/null || :
			python3 "$REPO/scripts/qemu-snapshot.py" "$sock" "$out.nm" \
				"info cpus" "info registers -a" sleep "info registers -a" \
				>"$out" 2>&1 || :
			rm -f "$out.nm"
			kill "$pid" 2>/dev/null || :
			return 0
		fi
		sleep 2
	done
	return 1
}

# rmmod_tally LOG BUSY...: the "@rmmod STATUS CENTISECONDS" lines /init
# printed into LOG. Sets rm_n (how many), rm_longest (ms), rm_busy (those
# whose STATUS is one of BUSY...) and rm_bad ("STATUS after N ms" for the
# others that are not 0).
rmmod_tally() {
	local log=$1 st cs b
	shift
	rm_n=0 rm_longest=0 rm_busy=0 rm_bad=()
	while read -r _ st cs; do
		rm_n=$((rm_n + 1))
		((cs * 10 > rm_longest)) && rm_longest=$((cs * 10))
		[[ $st == 0 ]] && continue
		for b; do
			[[ $st == "$b" ]] && { rm_busy=$((rm_busy + 1)); continue 2; }
		done
		rm_bad+=("$st after $((cs * 10)) ms")
	done < <(grep '^@rmmod ' "$log" || true)
}

# kernel_splats: the report headers in a kernel log on stdin, one a line,
# timestamps cut; a "suspicious RCU usage" header is joined to the line
# that says where ("suspicious RCU usage: ...kvm_main.c:...").
kernel_splats() {
	awk '
	/suspicious RCU usage/ { rcu = 1; next }
	rcu && /suspicious rcu_dereference/ {
		rcu = 0
		sub(/^\[ *[0-9.]+\] /, "")
		print "suspicious RCU usage: " $0
		next
	}
	/BUG|WARNING|Oops|INFO: |possible recursive locking|circular locking|inconsistent lock state|ODEBUG|Poison overwritten|Redzone|Object padding|Unable to handle|Kernel panic|general protection|stack-protector|Bad page/ {
		sub(/^\[ *[0-9.]+\] /, ""); print
	}
	END { if (rcu) print "suspicious RCU usage" }'
}

# taint_verdict LOG: the "@tainted N" line /init printed shows nothing
# but O (4096, out-of-tree module) and E (8192, unsigned module).
taint_verdict() {
	local tainted
	tainted=$(sed -n 's/^@tainted //p' "$1")
	if [[ -n $tainted ]] && ((!(tainted & ~(4096 | 8192)))); then
		ok "the kernel is not tainted beyond O/E: $tainted"
	else
		notok "the kernel is not tainted beyond O/E: ${tainted:-unknown}"
	fi
}

# merge_config BASE EXTRA: one KCONFIG_ALLCONFIG file on stdout, BASE
# without the symbols EXTRA sets (set or "is not set"), then EXTRA.
merge_config() {
	awk 'function sym(l) {
		sub(/^# /, "", l)
		sub(/[= ].*/, "", l)
		return l ~ /^CONFIG_[A-Za-z0-9_]+$/ ? l : ""
	}
	NR == FNR { if (sym($0) != "") over[sym($0)] = 1; d[++n] = $0; next }
	!(sym($0) in over) { print }
	END { for (i = 1; i <= n; i++) print d[i] }' "$2" "$1"
}
