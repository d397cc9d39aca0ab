#!/usr/bin/env bash
# make pkg-test (the "packages" step of make check): build the Debian and
# RPM packages, install the .deb with dpkg on this machine, show that dkms
# skips its amd64 kernels cleanly, cross-build the module through dkms from
# the installed sources for mips64el loongson-3 and ppc64el 6.1 and check the
# signed modules, purge and check that nothing is left; then check the .rpm's
# files and run its scriptlets, and make dkms-install/dkms-uninstall.
# Each way of installing must also bring what loads the module by itself
# (the modprobe.d softdep, the systemd unit for a built-in KVM; README.md,
# "Loaded automatically"), and Debian's modprobe on this amd64 machine,
# where dkms builds no module, must load KVM exactly as before, without a
# word about kvm_timer_backport: shown on a stand-in /lib/modules tree.
# The machine's /lib/modules, /usr/src, modprobe.d, systemd units and dkms
# state end as they began.
set -euo pipefail
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
# shellcheck source=pkg-lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/pkg-lib.sh"
lock_cache
here=$(cd "$(dirname "$0")" && pwd -P)
rm -f "$RESDIR/packages"

deb_pkg=$PKG_NAME-dkms
out=$PKG_DIR/out
deb=$out/${deb_pkg}_${PKG_VERSION}_all.deb
rpm_file=$out/$deb_pkg-$PKG_VERSION-1.noarch.rpm
dest=/usr/src/$PKG_NAME-$PKG_VERSION
mv=(-m "$PKG_NAME" -v "$PKG_VERSION")
tmp=$PKG_DIR/test
# Present while this test has something of ours on the machine: a run that
# was killed leaves it, and the next run knows the leftovers are its own.
marker=$PKG_DIR/test-installed
log=$LOGDIR/pkg-test.log
: >"$log"
mkdir -p "$PKG_DIR"

# What loads the module by itself, and where each way of installing puts it.
conf=$PKG_NAME.conf
unit=$PKG_NAME.service
preset=50-$PKG_NAME.preset
wants=/etc/systemd/system/sysinit.target.wants/$unit
deb_conf=/lib/modprobe.d/$conf deb_unit=/lib/systemd/system/$unit
rpm_conf=/usr/lib/modprobe.d/$conf rpm_unit=/usr/lib/systemd/system/$unit
rpm_preset=/usr/lib/systemd/system-preset/$preset
local_conf=/etc/modprobe.d/$conf local_unit=/etc/systemd/system/$unit

passed=0 failed=0
ok() {
	printf 'pkg-test: ok   %s [%ds]\n' "$*" "$SECONDS"
	passed=$((passed + 1))
}
bad() {
	printf 'pkg-test: FAIL %s [%ds]\n' "$*" "$SECONDS"
	failed=$((failed + 1))
}
# check WHAT CMD...: run CMD (its output goes to the log), count the result.
check() {
	local what=$1
	shift
	if "$@" >>"$log" 2>&1; then ok "$what"; else bad "$what (log: $log)"; fi
}
finish() {
	local note="deb+rpm, dpkg install/purge, dkms cross builds; ${SECONDS}s"
	((failed == 0)) || note="see $log; ${SECONDS}s"
	record packages "$passed" "$failed" "$note"
	echo "pkg-test: $passed passed, $failed failed (${SECONDS}s)"
	((failed == 0))
}

# Whatever this test put on the machine goes, whatever happened.
cleanup() {
	[[ -e $marker ]] || return 0
	if dpkg-query -W -f='${db:Status-Status}' "$deb_pkg" 2>/dev/null | grep -qv '^not-installed$'; then
		dpkg --purge "$deb_pkg" >>"$log" 2>&1 || true
	fi
	if [[ -n $(dkms status "${mv[@]}" 2>/dev/null) ]]; then
		dkms remove "${mv[@]}" --all >>"$log" 2>&1 || true
	fi
	if ! dpkg-query -S "$dest" >/dev/null 2>&1; then
		rm -rf "$dest"
	fi
	# The .rpm's files this test put in place, make dkms-install's.
	if ! dpkg-query -W -f='${db:Status-Status}' "$deb_pkg" 2>/dev/null | grep -q '^installed$'; then
		rm -f "$rpm_conf" "$rpm_unit" "$rpm_preset" "$wants"
	fi
	rm -f "$local_conf" "$local_unit"
	rm -rf "/var/lib/dkms/$PKG_NAME" "$marker"
}
trap cleanup EXIT

pkg_need dkms dh-dkms debhelper lintian rpm cpio kmod openssl binutils \
	gcc-mips64el-linux-gnuabi64 gcc-powerpc64le-linux-gnu linux-headers-amd64

if [[ -e $marker ]]; then
	echo "pkg-test: removing what an interrupted run left installed"
	cleanup
fi
if dpkg-query -W -f='${db:Status-Status}' "$deb_pkg" 2>/dev/null | grep -q '^installed$' ||
	[[ -e $dest || -n $(dkms status "${mv[@]}" 2>/dev/null) ]] ||
	[[ -e $local_conf || -e $local_unit || -e $rpm_conf || -e $rpm_unit || -L $wants ]]; then
	bad "$PKG_NAME $PKG_VERSION is already installed here (package, make dkms-install or dkms): not touching it"
	finish
	exit 1
fi

# What must be the same at the end.
snapshot() {
	find /lib/modules /usr/src -maxdepth 3 -printf '%p %y %l\n' | sort
	find /etc/modprobe.d /lib/modprobe.d /usr/lib/modprobe.d /etc/systemd/system \
		/lib/systemd/system /usr/lib/systemd/system /usr/lib/systemd/system-preset \
		-maxdepth 2 -name "$PKG_NAME*" -printf '%p %y %l\n' 2>/dev/null | sort -u
	echo "dkms status:"
	dkms status
}
snapshot >"$PKG_DIR/before"

## Debian's modprobe, on stand-in /lib/modules trees of an amd64 kernel
## with KVM as modules (this machine's running kernel may have none).
# mkmod KO EXPORT [SYMBOL...]: a stand-in module that exports EXPORT
# (depmod reads __ksymtab_strings) and uses SYMBOL..., so that depmod
# makes it depend on the module that exports them, as with the real ones.
fake_kver=6.1.0-ktb-fake
fake=$tmp/fake-modules
mkmod() {
	local ko=$1 export=$2 sym c
	shift 2
	c=$(mktemp --suffix=.c)
	{
		if [[ -n $export ]]; then
			printf '__attribute__((section("__ksymtab_strings"), used)) static const char ks[] = "%s";\nint %s;\n' \
				"$export" "$export"
		fi
		for sym in "$@"; do
			printf 'extern int %s;\n__attribute__((used)) static int *use_%s = &%s;\n' "$sym" "$sym" "$sym"
		done
		echo '__attribute__((section(".modinfo"), used)) static const char license[] = "license=GPL";'
	} >"$c"
	mkdir -p "$(dirname "$ko")"
	gcc -c -o "$ko" "$c"
	rm -f "$c"
}
# fake_tree NAME WITH: $fake/NAME/lib/modules/$fake_kver with kvm,
# kvm-intel and kvm-amd, and with WITH=yes a kvm_timer_backport.ko (using
# kvm's symbol) where dkms would put it; depmod run. Prints the base dir.
fake_tree() {
	local base=$fake/$1 m
	m=$base/lib/modules/$fake_kver
	rm -rf "$base"
	mkmod "$m/kernel/arch/x86/kvm/kvm.ko" kvm_fake_export
	mkmod "$m/kernel/arch/x86/kvm/kvm-intel.ko" "" kvm_fake_export
	mkmod "$m/kernel/arch/x86/kvm/kvm-amd.ko" "" kvm_fake_export
	if [[ $2 == yes ]]; then
		mkmod "$m/updates/dkms/kvm_timer_backport.ko" "" kvm_fake_export
	fi
	: >"$m/modules.order" && : >"$m/modules.builtin" && : >"$m/modules.builtin.modinfo"
	depmod -b "$base" "$fake_kver"
	echo "$base"
}
mkdir -p "$tmp"
no_ktb=$(fake_tree without no)
with_ktb=$(fake_tree with yes)
# What modprobe says on this machine and on the tree without the module,
# before anything of ours is installed: it must say the same afterwards.
modprobe_says() {
	local m
	for m in kvm kvm_intel kvm_amd; do
		echo "## modprobe -n -v $m (this machine's kernel)"
		modprobe -n -v "$m" 2>&1 && echo "exit 0" || echo "exit $?"
		echo "## modprobe -d TREE -S $fake_kver --show-depends $m (the tree without our module)"
		modprobe -d "$no_ktb" -S "$fake_kver" --show-depends "$m" 2>&1 &&
			echo "exit 0" || echo "exit $?"
	done | sed "s#$no_ktb#TREE#g"
}
modprobe_says >"$PKG_DIR/modprobe-before"
# silent_here: with our softdep installed, modprobe on this machine and on
# the tree without the module says exactly what it said before, and on
# that tree loads KVM (dry run) without any word on stderr, and names
# kvm_timer_backport nowhere.
silent_here() {
	local m out rc
	diff -u "$PKG_DIR/modprobe-before" <(modprobe_says) || return 1
	for m in kvm_intel kvm_amd; do
		rc=0
		out=$(modprobe -d "$no_ktb" -S "$fake_kver" -n -v "$m" 2>"$tmp/modprobe.err") || rc=$?
		echo "modprobe -n -v $m: exit $rc"
		echo "$out"
		cat "$tmp/modprobe.err"
		((rc == 0)) && [[ ! -s $tmp/modprobe.err ]] || return 1
		grep -q "/${m/_/-}.ko" <<<"$out" || return 1
		! grep -q kvm_timer_backport <<<"$out" || return 1
	done
}
# softdep_live: the same softdep loads the module right after kvm.ko where
# it exists (so that silent_here is not vacuous).
softdep_live() {
	local out
	out=$(modprobe -d "$with_ktb" -S "$fake_kver" --show-depends kvm_intel 2>&1) || return 1
	echo "$out"
	awk '/\/kvm\.ko / && !k { k = NR } /\/kvm_timer_backport\.ko / && !t { t = NR }
		/\/kvm-intel\.ko / && !i { i = NR }
		END { exit !(k && t && i && k < t && t < i) }' <<<"$out"
}
# The unit's own conditions on this machine, then its ExecCondition, which
# must skip the unit quietly (exit 1-254, nothing said) wherever dkms did
# not build the module, as on any amd64 machine.
unit_quiet_here() { # UNIT_FILE
	local cond=() rc=0 out
	mapfile -t cond < <(grep '^Condition' "$1")
	if systemd-analyze condition "${cond[@]}"; then
		echo "the unit's conditions hold here (KVM built into this kernel)"
	else
		echo "the unit's conditions fail here: it does not even get to ExecCondition"
	fi
	out=$(sh -c "$(sed -n 's/^ExecCondition=//p' "$1")" 2>&1) || rc=$?
	echo "ExecCondition: exit $rc, said: ${out:-nothing}"
	((rc >= 1 && rc <= 254)) && [[ -z $out ]]
}
# unit_enabled: enabled for sysinit.target (systemctl works offline).
unit_enabled() {
	systemctl is-enabled "$unit" | tee "$tmp/enabled"
	[[ $(cat "$tmp/enabled") == enabled && -L $wants ]]
}
# installed CONF UNIT: packaging/'s modprobe.d file and unit are there,
# the unit enabled.
installed() {
	cmp "$REPO/packaging/$conf" "$1" && cmp "$REPO/packaging/$unit" "$2" && unit_enabled
}
# gone FILE...: none of FILE exists, nor the unit's sysinit.target link.
gone() {
	local f
	for f in "$@" "$wants"; do
		if [[ -e $f || -L $f ]]; then
			echo "still there: $f"
			return 1
		fi
	done
}
not() {
	! "$@"
}
has_softdeps() {
	modprobe -c >"$tmp/modprobe-c" &&
		grep -qx "softdep kvm post: kvm_timer_backport" "$tmp/modprobe-c" &&
		grep -qx "softdep kvm_hv post: kvm_timer_backport" "$tmp/modprobe-c"
}
check "without our softdep, modprobe on the tree without the module does not name it" \
	not grep -q kvm_timer_backport "$PKG_DIR/modprobe-before"
verify_unit() { # UNIT_FILE
	local out
	out=$(systemd-analyze verify "$1" 2>&1)
	echo "$out"
	[[ -z $out ]]
}

## Build both packages (each runs the KUnit suites at build time), from one
## snapshot of the source.
pkg_source_tree "$PKG_DIR/snapshot"
export KTB_PKG_SRC=$PKG_DIR/snapshot
check "make deb: dpkg-buildpackage, lintian without errors or warnings" "$here/pkg-deb.sh"
check "make rpm: rpmbuild .rpm and .src.rpm, rpmlint clean" "$here/pkg-rpm.sh"
check "the .deb and the .rpm exist" test -f "$deb" -a -f "$rpm_file"
[[ -f $deb && -f $rpm_file ]] || { finish; exit 1; }

## Install the .deb: dkms registers the module and skips amd64 kernels.
amd64_kvers=()
for b in /lib/modules/*/build; do
	[[ -d $b ]] || continue
	b=${b%/build}
	amd64_kvers+=("${b##*/}")
done
touch "$marker"
install_deb() {
	dpkg -i "$deb" 2>&1 | tee "$tmp.dpkg-i.log"
}
mkdir -p "$tmp"
check "dpkg -i $(basename "$deb")" install_deb
check "the .deb installed $deb_conf and $deb_unit (packaging/'s), the unit enabled for sysinit.target" \
	installed "$deb_conf" "$deb_unit"
check "modprobe -c has the softdeps on kvm and kvm_hv" has_softdeps
check "the softdep loads kvm_timer_backport after kvm.ko where it exists (modprobe --show-depends kvm_intel)" softdep_live
check "modprobe kvm, kvm_intel, kvm_amd on this amd64 machine and on a tree without the module: as before, not a word about kvm_timer_backport" silent_here
check "systemd-analyze verify $deb_unit: clean" verify_unit "$deb_unit"
check "the unit on this machine: skipped without a word (no module for its kernel)" unit_quiet_here "$deb_unit"
status_added() {
	dkms status "${mv[@]}"
	[[ $(dkms status "${mv[@]}") == "$PKG_NAME/$PKG_VERSION: added" ]]
}
check "dkms status: $PKG_NAME/$PKG_VERSION added, built for no amd64 kernel" status_added
no_module_in_lib_modules() {
	! find /lib/modules -name 'kvm_timer_backport.ko*' | grep .
}
check "no kvm_timer_backport.ko under /lib/modules" no_module_in_lib_modules
# exit 77 is dkms's "skipped"; the kernel hook must succeed for the upgrade.
build_skipped() {
	local rc=0
	dkms build "${mv[@]}" -k "$1" || rc=$?
	echo "dkms build -k $1: exit $rc"
	((rc == 77))
}
said_skipped() {
	grep -A3 "^Building initial module for $1\$" "$tmp.dpkg-i.log" | grep -qx 'Skipped\.'
}
# What a kernel upgrade runs: the image's hook, and the headers package's
# postinst (run-parts --exit-on-error /etc/kernel/header_postinst.d).
kernel_hooks_ok() {
	local k=$1 postinst=/var/lib/dpkg/info/linux-headers-$1.postinst
	dkms autoinstall -k "$k"
	/etc/kernel/postinst.d/dkms "$k"
	if [[ -x $postinst ]]; then "$postinst" configure; fi
}
for k in "${amd64_kvers[@]}"; do
	check "dpkg -i: building for $k skipped (BUILD_EXCLUSIVE)" said_skipped "$k"
	check "dkms build -k $k: exit 77 (skipped, not an error)" build_skipped "$k"
	check "kernel upgrade to $k: dkms autoinstall and the kernel hooks exit 0" kernel_hooks_ok "$k"
done
((${#amd64_kvers[@]})) || bad "no amd64 kernel headers in /lib/modules to show the skip with"

## Cross builds through dkms from the installed sources.
# dkms strips with the host's strip, which cannot read a foreign ELF: put
# the cross strip first in PATH for these builds.
cross_build() { # DEBARCH FLAVOUR DKMSARCH KARCH TRIPLET MACHINE
	local debarch=$1 flavour=$2 darch=$3 karch=$4 triplet=$5 machine=$6
	local kdir kver shim=$tmp/shim-$darch ko serial
	kdir=$("$here/cross-headers.sh" "$debarch" "$flavour") || { bad "cross headers $debarch $flavour"; return; }
	kver=${kdir##*/linux-headers-}
	mkdir -p "$shim"
	ln -sfn "$(command -v "$triplet-strip")" "$shim/strip"
	check "dkms build -k $kver -a $darch (CROSS_COMPILE=$triplet-)" \
		env PATH="$shim:$PATH" ARCH="$karch" CROSS_COMPILE="$triplet-" \
		dkms build "${mv[@]}" -k "$kver" --kernelsourcedir "$kdir" -a "$darch"
	ko=/var/lib/dkms/$PKG_NAME/$PKG_VERSION/$kver/$darch/module/kvm_timer_backport.ko
	if [[ ! -f $ko ]]; then
		bad "$ko was not built"
		return
	fi
	modinfo "$ko" | grep -v '^	' | tee -a "$log" | sed 's/^/    /'
	mi() { modinfo -F "$1" "$ko"; }
	serial=$(openssl x509 -inform DER -in /var/lib/dkms/mok.pub -noout -serial |
		sed 's/^serial=//; s/\(..\)/\1:/g; s/:$//')
	check "$darch modinfo version $PKG_VERSION" test "$(mi version)" = "$PKG_VERSION"
	check "$darch modinfo license GPL" test "$(mi license)" = GPL
	check "$darch modinfo description set" test -n "$(mi description)"
	check "$darch modinfo vermagic $kver" test "$(mi vermagic | cut -d' ' -f1)" = "$kver"
	check "$darch signed by dkms's key (signer, sig_key = /var/lib/dkms/mok.pub)" \
		test "$(mi signer)" = "DKMS module signing key" -a "$(mi sig_key)" = "$serial"
	check "$darch ELF machine $machine" grep -q "Machine: *$machine" <(readelf -h "$ko")
}
cross_build mips64el loongson-3 mips64 mips mips64el-linux-gnuabi64 "MIPS R3000"
cross_build ppc64el powerpc64le ppc64le powerpc powerpc64le-linux-gnu "PowerPC64"
dkms status | sed 's/^/    /'

## Purge: nothing of the package is left.
check "dpkg --purge $deb_pkg" dpkg --purge "$deb_pkg"
check "dpkg: $deb_pkg not installed" \
	test "$(dpkg-query -W -f='${db:Status-Status}' "$deb_pkg" 2>/dev/null || echo not-installed)" = not-installed
check "dkms status has no $PKG_NAME" test -z "$(dkms status -m "$PKG_NAME")"
check "no /usr/src/$PKG_NAME-*, no /var/lib/dkms/$PKG_NAME" \
	test -z "$(compgen -G "/usr/src/$PKG_NAME-*")" -a ! -e "/var/lib/dkms/$PKG_NAME"
check "purge removed $deb_conf, $deb_unit and $wants" gone "$deb_conf" "$deb_unit"
check "/lib/modules, /usr/src, modprobe.d, units and dkms status as before the install" \
	diff -u "$PKG_DIR/before" <(snapshot)

## The .rpm: its files are the .deb's, its scriptlets register with dkms.
rm -rf "$tmp/deb" "$tmp/rpm"
mkdir -p "$tmp/deb" "$tmp/rpm"
dpkg-deb -x "$deb" "$tmp/deb"
(cd "$tmp/rpm" && rpm2cpio "$rpm_file" | cpio -idm --quiet)
rpm_lists() {
	local f
	rpm -qlp "$rpm_file" >"$tmp/rpm-files"
	for f in "$rpm_conf" "$rpm_unit" "$rpm_preset"; do
		grep -qxF "$f" "$tmp/rpm-files" || { echo "missing: $f"; return 1; }
	done
	! grep -v -e "^$dest" -e '^/usr/share/doc/' "$tmp/rpm-files" |
		grep -vxF -e "$rpm_conf" -e "$rpm_unit" -e "$rpm_preset"
}
check "rpm -qlp: /usr/src/$PKG_NAME-$PKG_VERSION, the README, $rpm_conf, $rpm_unit, $rpm_preset only" rpm_lists
same_as_deb() {
	cmp "$tmp/deb$deb_conf" "$tmp/rpm$rpm_conf" && cmp "$tmp/deb$deb_unit" "$tmp/rpm$rpm_unit"
}
check "the .rpm's modprobe.d file and unit are the .deb's" same_as_deb
check "the .rpm's preset enables $unit" grep -qx "enable $unit" "$tmp/rpm$rpm_preset"
check "the .rpm's /usr/src tree is the .deb's, file for file" \
	diff -r "$tmp/deb$dest" "$tmp/rpm$dest"
ships_listed() {
	local f
	while read -r f; do
		[[ -e $tmp/rpm$dest/$f ]] || { echo "missing: $f"; return 1; }
	done < <(pkg_dkms_files)
	! find "$tmp/rpm$dest" -mindepth 1 -maxdepth 1 -printf '%f\n' |
		grep -vxF -f <(pkg_dkms_files)
}
check "the packages ship exactly packaging/dkms-files" ships_listed
requires() {
	rpm -qp --requires "$rpm_file" | tee "$tmp/requires"
	grep -qx kernel-devel "$tmp/requires" && grep -q '^dkms' "$tmp/requires"
}
check "rpm requires dkms and kernel-devel" requires
post=$(rpm -qp --qf '%{POSTIN}' "$rpm_file")
preun=$(rpm -qp --qf '%{PREUN}' "$rpm_file")
check "%post: dkms add/build/install with --rpm_safe_upgrade" \
	grep -q "dkms add ${mv[*]} --rpm_safe_upgrade" <<<"$post"
# Here the spec's fallbacks; Fedora's macros call systemd-update-helper.
systemd_scriptlets() {
	grep -Eq "(preset|install-system-units) $unit" <<<"$post" &&
		grep -Eq "(disable --now|remove-system-units) $unit" <<<"$preun"
}
check "%post presets $unit, %preun disables it on erase" systemd_scriptlets
# shellcheck disable=SC2016 # $1 of the scriptlet, matched literally
check "%preun: dkms remove --all --rpm_safe_upgrade on erase only" \
	grep -Pzq 'if \[ "\$1" -eq 0 \]; then\n\s*dkms remove -m \S+ -v \S+ --all --rpm_safe_upgrade' <<<"$preun"
# Run them as rpm would, on the extracted files. dkms --rpm_safe_upgrade
# tells one rpm transaction from another by the scriptlet's parent process,
# so each runs under a parent of its own, as under rpm; its lock files go
# to a directory of this test's.
cp -a "$tmp/rpm$dest" "$dest"
mkdir -p "$tmp/rpm-tmp"
scriptlet() { # NAME BODY ARG
	TMPDIR=$tmp/rpm-tmp bash -c 'sh -c "$1" "$2" "$3"; exit $?' rpm "$2" "$1" "$3"
}
run_post() {
	scriptlet rpm-post "$post" 1
	status_added
}
run_preun_upgrade() {
	scriptlet rpm-preun "$preun" 1
	[[ -n $(dkms status "${mv[@]}") ]]
}
run_preun_erase() {
	scriptlet rpm-preun "$preun" 0
	[[ -z $(dkms status "${mv[@]}") ]]
}
# The rest of the payload in place, as rpm would have put it before %post.
for f in "$rpm_conf" "$rpm_unit" "$rpm_preset"; do
	install -D -m 0644 "$tmp/rpm$f" "$f"
done
check "rpm %post on this machine: registered, amd64 skipped, exit 0" run_post
check "rpm %post: $unit enabled by its preset" unit_enabled
check "rpm: modprobe kvm, kvm_intel, kvm_amd as before, not a word about kvm_timer_backport" silent_here
check "rpm %preun on upgrade (\$1=1): still registered" run_preun_upgrade
run_preun_erase_disabled() {
	run_preun_erase && not test -L "$wants"
}
check "rpm %preun on erase (\$1=0): removed from dkms, $unit disabled" run_preun_erase_disabled
rm -rf "$dest"
rm -f "$rpm_conf" "$rpm_unit" "$rpm_preset"

## make dkms-install / dkms-uninstall from the checkout.
dkms_install() {
	"$here/pkg-dkms.sh" install
	status_added
}
check "make dkms-install: registered, amd64 skipped" dkms_install
check "make dkms-install: $local_conf and $local_unit (packaging/'s), the unit enabled" \
	installed "$local_conf" "$local_unit"
check "make dkms-install: modprobe kvm, kvm_intel, kvm_amd as before, not a word about kvm_timer_backport" silent_here
check "make dkms-install: the softdep loads kvm_timer_backport after kvm.ko where it exists" softdep_live
check "make dkms-uninstall" "$here/pkg-dkms.sh" uninstall
check "make dkms-uninstall removed $local_conf, $local_unit and $wants" gone "$local_conf" "$local_unit"
check "/lib/modules, /usr/src, modprobe.d, units and dkms status as at the start" \
	diff -u "$PKG_DIR/before" <(snapshot)

rm -f "$marker"
finish
