#!/usr/bin/env bash
# make matrix: the module on every kernel Debian gives us, for the
# architectures that matter, and a table of kernel x arch x {build, sparse,
# KUnit}. Exits non-zero if any cell that should pass does not.
#
#   um rows      the KUnit suites in UML (kunit.py), then our files compiled
#                W=1 (build) and with sparse (C=2) in that configuration
#   other rows   the module built out of tree (M=) against Debian's headers
#                or a prepared tree, W=1 (build; any diagnostic fails), then
#                sparse (C=2; any warning in our files fails)
#
#   scripts/matrix.sh [KERNEL...]    only these kernels (5.10 6.1 6.12 7.2)
#
#   fixture row  6.1 mips64el/kvm_run-form: the loongson-3 headers with
#                vcpu_reenter in its form before 5.8 (mx_kvm_run_form): the
#                module must build, without the VZ glue (noglue)
#
# A row whose kernel dkms would skip (dkms.conf BUILD_EXCLUSIVE_CONFIG) shows
# "skip" if the module still builds there, FAIL if not. Columns: glue is the
# architecture glue the build chose; "shimmed" lists the compat/ shims whose
# Kbuild probe found the API missing (macro shims are not listed).
# Logs: $CACHE/logs/matrix/. Records the step "matrix" for scripts/check.sh.
set -euo pipefail
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
# shellcheck source=matrix-lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/matrix-lib.sh"

# kernel  row                    how the tree is obtained
ROWS=(
	"5.10 um                     source bullseye"
	"5.10 amd64                  headers amd64 amd64 bullseye"
	"6.1  um                     source bookworm"
	"6.1  amd64                  headers amd64 amd64 bookworm"
	"6.1  mips64el/loongson-3    headers mips64el loongson-3 bookworm"
	"6.1  mips64el/kvm_run-form  fixture mips64el loongson-3 bookworm"
	"6.1  mips64el/mips64r2el    headers mips64el mips64r2el bookworm"
	"6.1  ppc64el/powerpc64le    headers ppc64el powerpc64le bookworm"
	"6.12 um                     source bookworm-security"
	"6.12 amd64                  headers amd64 6.12-amd64 bookworm-security"
	"6.12 mips64el/loongson-3    headers mips64el loongson-3 bookworm-backports"
	"6.12 ppc64el/powerpc64le    headers ppc64el powerpc64le bookworm-backports"
	"7.2  um                     source sid"
	"7.2  amd64                  prepared x86 amd64 amd64"
	"7.2  ppc64el/powerpc64le    prepared powerpc ppc64el powerpc64le"
)
KERNELS=(5.10 6.1 6.12 7.2)
# Kbuild's probes of a compat/ shim, and the API each stands for.
PROBES=(KUNIT_VISIBILITY:export_symbol_if_kunit HRTIMER_SETUP:hrtimer_setup
	HRTIMER_UPDATE_FUNCTION:hrtimer_update_function IMPORT_NS_STRING:module_import_ns)

want=("$@")
((${#want[@]})) || want=("${KERNELS[@]}")
RES=$MX/results
rm -rf "$RES"
mkdir -p "$RES"

# A row's id, for file names: "6.1 mips64el/loongson-3" -> 6.1_mips64el_loongson-3.
rowid() {
	local id="$1_$2"
	echo "${id//\//_}"
}

# cell ID COLUMN STATUS [DETAIL]: one cell of the table.
cell() {
	printf '%s\t%s\n' "$3" "${4:-}" >"$RES/$1.$2"
}

# info ID OBJDIR: what a build chose, from its objects: the glue, and the
# shims the probes turned on.
info() {
	local glue probes p shims=

	glue=$(cd "$2/src" 2>/dev/null && find mips powerpc noglue.o -name '*.o' \
		2>/dev/null | sed 's/\.o$//' | sort | paste -sd, -)
	probes=$(grep -o -- '-DKTB_HAVE_[A-Z_]*' "$2/src/.main.o.cmd" 2>/dev/null || true)
	if [[ -n $probes ]]; then
		for p in "${PROBES[@]}"; do
			grep -qx -- "-DKTB_HAVE_${p%:*}" <<<"$probes" ||
				shims+="${shims:+ }${p#*:}"
		done
	fi
	printf '%s\t%s\n' "${glue:--}" "${shims:--}" >"$RES/$1.info"
}

cross_args() {
	case $1 in
	mips64el) echo "ARCH=mips CROSS_COMPILE=mips64el-linux-gnuabi64-" ;;
	ppc64el) echo "ARCH=powerpc CROSS_COMPILE=powerpc64le-linux-gnu-" ;;
	esac
}

# ours LOG DIR: the diagnostics of a log that come from our files: paths
# under DIR, absolute or relative to it (M= builds from 6.13 run in the
# module directory). Not sparse's "builtin" or "command-line".
ours() {
	awk -v d="$2/" '
		match($0, /^[^ :]+:[0-9]+(:[0-9]+)?: (warning|error):/) {
			f = substr($0, 1, index($0, ":") - 1)
			if (index(f, d) == 1) f = substr(f, length(d) + 1)
			# In a kernel tree: the path through the link, however spelt.
			if ((i = index(f, "kvm_timer_backport/")) > 0) f = substr(f, i + 19)
			if (f ~ /^\// || (getline line < (d f)) < 0) next
			close(d f)
			print
		}' "$1"
}

# kunit ID TREE BUILD: the suites in UML with kunit.py.
kunit() {
	local id=$1 tree=$2 build=$3 log=$MX_LOGS/$1-kunit.log
	local conf=$REPO/kunit/.kunitconfig summary rc=0 n p f args

	mkdir -p "$build"
	if [[ $(cat "$build/.ktb-repo" 2>/dev/null) != "$REPO" ]]; then
		rm -rf "$build/drivers/misc/kvm_timer_backport"
		echo "$REPO" >"$build/.ktb-repo"
	fi
	if "$tree/tools/testing/kunit/kunit.py" run --help | grep -q -- --kunitconfig; then
		args=(--arch=um --kunitconfig="$conf")
	else
		# 5.10: no --kunitconfig or --arch; the fragment is read from
		# the build directory.
		cmp -s "$conf" "$build/.kunitconfig" || cp "$conf" "$build/.kunitconfig"
		args=()
	fi
	if ! grep -qs 'define KUNIT_CASE_PARAM(' "$tree/include/kunit/test.h"; then
		# KUnit before 5.11: Kbuild builds no test module there, so
		# only build the kernel with ours in it, for uml_lint.
		echo "matrix: $id: kunit.py config + build, no suites (log: $log)"
		rc=0
		(cd "$tree" && ./tools/testing/kunit/kunit.py config --build_dir="$build" &&
			timeout 3600 ./tools/testing/kunit/kunit.py build \
				--build_dir="$build" --jobs=2) >"$log" 2>&1 || rc=$?
		if ((rc != 0)); then
			ours "$log" "$tree/drivers/misc/kvm_timer_backport" | head -n 20
			tail -n 15 "$log"
			cell "$id" build FAIL "kunit.py build rc=$rc"
			return 1
		fi
		cell "$id" kunit - "no test module: KUnit before 5.11"
		return 0
	fi
	echo "matrix: $id: kunit.py run (log: $log)"
	(cd "$tree" && timeout 3600 ./tools/testing/kunit/kunit.py run \
		--build_dir="$build" --jobs=2 --timeout=600 "${args[@]}") \
		>"$log" 2>&1 || rc=$?
	sed -i 's/\x1b\[[0-9;]*m//g' "$log"
	summary=$(grep -o 'Testing complete\..*' "$log" | tail -n1 || true)
	if [[ $summary =~ ([0-9]+)\ tests\ run\.\ ([0-9]+)\ failed\.\ ([0-9]+)\ crashed ]]; then
		n=${BASH_REMATCH[1]} f=$((BASH_REMATCH[2] + BASH_REMATCH[3]))
		p=$((n - f))
	elif [[ $summary =~ Ran\ ([0-9]+)\ tests ]]; then
		n=${BASH_REMATCH[1]}
		p=$(grep -o 'passed: [0-9]*' <<<"$summary" | grep -o '[0-9]*' || echo 0)
		# A skipped case counts as failed: none of ours skips.
		f=$((n - p))
	else
		# Our diagnostics first: the kernel's own W=1 noise is long.
		ours "$log" "$tree/drivers/misc/kvm_timer_backport" | head -n 20
		tail -n 15 "$log"
		cell "$id" build FAIL "kunit.py rc=$rc, no results"
		cell "$id" kunit FAIL "no results"
		return 1
	fi
	if ((f == 0 && rc == 0 && n > 0)); then
		cell "$id" kunit ok "$p/$n"
	else
		sed -n '/Starting KUnit Kernel/,$p' "$log" | grep -Ev '\[PASSED\]|^stty: ' || true
		cell "$id" kunit FAIL "$p/$n"
		return 1
	fi
}

# uml_lint ID TREE BUILD CHECK: our files compiled W=1, then sparse, in a
# build directory of their own seeded with the KUnit run's .config (our
# objects deleted first, so no warning hides in a cached one).
uml_lint() {
	local id=$1 tree=$2 lint=$3-lint check=$4 log=$MX_LOGS/$1
	local n rc

	if [[ ! -f $3/.config ]]; then
		cell "$id" build FAIL "no KUnit build"
		cell "$id" sparse FAIL "no KUnit build"
		return 1
	fi
	# 6.1's directories are make check's (scripts/uml-lint.sh): not stamped.
	mkdir -p "$lint"
	[[ ! -f $3/.ktb-stamp ]] || mx_fresh "$lint" "$(basename "$tree")"
	cmp -s "$3/.config" "$lint/.config" || cp "$3/.config" "$lint/.config"
	rm -rf "$lint/drivers/misc/kvm_timer_backport"
	echo "matrix: $id: W=1, then sparse, on our files (logs: $log-{build,sparse}.log)"
	rc=0
	make -C "$tree" ARCH=um O="$lint" -j2 W=1 drivers/misc/kvm_timer_backport/ \
		>"$log-build.log" 2>&1 || rc=$?
	n=$(ours "$log-build.log" "$tree/drivers/misc/kvm_timer_backport" | wc -l)
	if ((rc == 0 && n == 0)); then
		cell "$id" build ok
	else
		ours "$log-build.log" "$tree/drivers/misc/kvm_timer_backport" | head -n 20
		cell "$id" build FAIL "$n diagnostics, make exit $rc"
	fi
	info "$id" "$lint/drivers/misc/kvm_timer_backport"
	rc=0
	make -C "$tree" ARCH=um O="$lint" -j2 W=1 C=2 CHECK="$check" \
		drivers/misc/kvm_timer_backport/ >"$log-sparse.log" 2>&1 || rc=$?
	n=$(ours "$log-sparse.log" "$tree/drivers/misc/kvm_timer_backport" | wc -l)
	if ((rc == 0 && n == 0)) && grep -q '^  CHECK ' "$log-sparse.log"; then
		cell "$id" sparse ok "$check"
	else
		ours "$log-sparse.log" "$tree/drivers/misc/kvm_timer_backport" | head -n 20
		grep -m1 'not available or not up to date' "$log-sparse.log" || true
		cell "$id" sparse FAIL "$n warnings, make exit $rc"
	fi
}

# module ID KDIR CHECK MAKEARGS...: the module out of tree, W=1, then
# sparse, in a fresh copy of our files.
module() {
	local id=$1 kdir=$2 check=$3 work=$MX/build/$1
	local log=$MX_LOGS/$1 diag='(warning|error|WARNING|ERROR):'
	local n rc skip
	shift 3

	rm -rf "$work"
	mkdir -p "$work"
	tar -C "$REPO" -cf - "${MX_FILES[@]}" | tar -C "$work" -xf -
	skip=$(mx_dkms_skips "$kdir")
	echo "matrix: $id: make -C $kdir M=$work $* (logs: $log-{build,sparse}.log)"
	rc=0
	make -C "$kdir" M="$work" -j2 W=1 "$@" modules >"$log-build.log" 2>&1 || rc=$?
	n=$(grep -Ec "$diag" "$log-build.log" || true)
	if ((rc == 0 && n == 0)); then
		if [[ -n $skip ]]; then
			cell "$id" build skip "dkms skips it ($skip); builds anyway"
		else
			cell "$id" build ok
		fi
	else
		grep -E "$diag" "$log-build.log" | sed "s|$work/||" | head -n 20
		cell "$id" build FAIL "$n diagnostics, make exit $rc"
	fi
	info "$id" "$work"

	rc=0
	make -C "$kdir" M="$work" -j2 W=1 C=2 CHECK="$check" "$@" modules \
		>"$log-sparse.log" 2>&1 || rc=$?
	n=$(ours "$log-sparse.log" "$work" | wc -l)
	if ((rc == 0 && n == 0)) && grep -q '^  CHECK ' "$log-sparse.log"; then
		cell "$id" sparse ok "$check"
	else
		ours "$log-sparse.log" "$work" | sed "s|$work/||" | head -n 20
		grep -m1 'not available or not up to date' "$log-sparse.log" || true
		cell "$id" sparse FAIL "$n warnings, make exit $rc"
	fi
}

# kernel SERIES: every row of one kernel, holding that kernel's tree.
kernel() {
	local series=$1 line k row how a b c id kdir tree build check
	local -a args

	for line in "${ROWS[@]}"; do
		read -r k row how a b c <<<"$line"
		[[ $k == "$series" ]] || continue
		id=$(rowid "$k" "$row")
		case $how in
		source)
			# The 6.1 tree and its UML builds are make check's too.
			if [[ $series == 6.1 ]]; then lock_cache; else mx_lock "src-$series"; fi
			tree=$(mx_source "$series" "$a") ||
				{ cell "$id" build FAIL "no source"; continue; }
			build=$CACHE/build/um-$series
			[[ $series == 6.1 ]] || mx_fresh "$build" "$(basename "$tree")"
			check=$(mx_sparse "$tree" --arch=x86 -mlittle-endian -m64) || check=sparse
			kunit "$id" "$tree" "$build" || true
			[[ -f $RES/$id.build ]] || uml_lint "$id" "$tree" "$build" "$check" || true
			;;
		headers | fixture)
			kdir=$(mx_headers "$a" "$b" "$c") ||
				{ cell "$id" build FAIL "no headers"; continue; }
			if [[ $how == fixture ]]; then
				kdir=$(mx_kvm_run_form "$kdir") ||
					{ cell "$id" build FAIL "no fixture tree"; continue; }
			fi
			read -ra args <<<"$(cross_args "$a")"
			[[ $series == 5.10 && $a == amd64 ]] && args+=("CC=$(mx_gcc10)")
			check=$(mx_sparse "$kdir" --arch="${a/ppc64el/powerpc}" \
				-mlittle-endian -m64) || check=sparse
			module "$id" "$kdir" "$check" "${args[@]}" || true
			if [[ $how == fixture ]] && [[ $(cut -f1 "$RES/$id.info") != noglue ]]; then
				cell "$id" build FAIL "built with glue $(cut -f1 "$RES/$id.info"), not noglue"
			fi
			;;
		prepared)
			mx_lock "src-$series"
			tree=$(mx_source "$series" sid) ||
				{ cell "$id" build FAIL "no source"; continue; }
			read -ra args <<<"$(cross_args "$b")"
			kdir=$(mx_prepared "$tree" "$a" "$b" "$c" "${args[@]}") ||
				{ cell "$id" build FAIL "prepare failed"; continue; }
			check=$(mx_sparse "$tree" --arch="$a" -mlittle-endian -m64) || check=sparse
			module "$id" "$kdir" "$check" "${args[@]}" || true
			;;
		esac
	done
}

mx_deps
for series in "${want[@]}"; do
	# A subshell per kernel: its locks go when it is done.
	(kernel "$series") || echo "matrix: $series: stopped early"
done

# The table; a cell that never ran counts as failed.
passed=0 failed=0
fmt='%-5s %-23s %-6s %-6s %-11s %-22s %s\n'
echo
# shellcheck disable=SC2059 # the format is ours
printf "$fmt" kernel arch build sparse KUnit glue shimmed
notes=()
for line in "${ROWS[@]}"; do
	read -r k row _ <<<"$line"
	[[ " ${want[*]} " == *" $k "* ]] || continue
	id=$(rowid "$k" "$row")
	out=()
	for col in build sparse kunit; do
		st=FAIL detail="did not run"
		[[ $col == kunit && $row != um ]] && st=- detail=
		if [[ -f $RES/$id.$col ]]; then
			IFS=$'\t' read -r st detail <"$RES/$id.$col"
		fi
		case $st in
		ok | skip) passed=$((passed + 1)) ;;
		FAIL) failed=$((failed + 1)) ;;
		esac
		[[ $col == kunit && $st == ok ]] && st="ok $detail"
		[[ $st == FAIL || $st == skip || $st == - ]] && [[ -n $detail ]] &&
			notes+=("$k $row $col: $detail")
		out+=("$st")
	done
	glue=- shims=-
	[[ -f $RES/$id.info ]] && IFS=$'\t' read -r glue shims <"$RES/$id.info"
	# shellcheck disable=SC2059
	printf "$fmt" "$k" "$row" "${out[@]}" "$glue" "$shims"
done
for n in "${notes[@]}"; do
	echo "  $n"
done
echo "matrix: $passed passed, $failed failed (cells), took ${SECONDS}s"
record matrix "$passed" "$failed" "kernel x arch cells, $CACHE/logs/matrix"
((failed == 0))
