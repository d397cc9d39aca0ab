#!/usr/bin/env bash
# make pkg-test (the "packages" step of make check): build the Debian and
# RPM packages, install the .deb with dpkg on this machine, show that dkms
# skips its amd64 kernels cleanly, cross-build the module through dkms from
# the installed sources for mips64el loongson-3 and ppc64el 6.1 and check the
# signed modules, purge and check that nothing is left; then check the .rpm's
# files and run its scriptlets, and make dkms-install/dkms-uninstall.
# The machine's /lib/modules, /usr/src and dkms state end as they began.
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
	[[ -e $dest || -n $(dkms status "${mv[@]}" 2>/dev/null) ]]; then
	bad "$PKG_NAME $PKG_VERSION is already installed here (package, make dkms-install or dkms): not touching it"
	finish
	exit 1
fi

# What must be the same at the end.
snapshot() {
	find /lib/modules /usr/src -maxdepth 3 -printf '%p %y %l\n' | sort
	echo "dkms status:"
	dkms status
}
snapshot >"$PKG_DIR/before"

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
check "/lib/modules, /usr/src and dkms status as before the install" \
	diff -u "$PKG_DIR/before" <(snapshot)

## The .rpm: its files are the .deb's, its scriptlets register with dkms.
rm -rf "$tmp/deb" "$tmp/rpm"
mkdir -p "$tmp/deb" "$tmp/rpm"
dpkg-deb -x "$deb" "$tmp/deb"
(cd "$tmp/rpm" && rpm2cpio "$rpm_file" | cpio -idm --quiet)
check "rpm -qlp: /usr/src/$PKG_NAME-$PKG_VERSION and the README only" \
	test -z "$(rpm -qlp "$rpm_file" | grep -v -e "^$dest" -e '^/usr/share/doc/')"
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
check "rpm %post on this machine: registered, amd64 skipped, exit 0" run_post
check "rpm %preun on upgrade (\$1=1): still registered" run_preun_upgrade
check "rpm %preun on erase (\$1=0): removed from dkms" run_preun_erase
rm -rf "$dest"

## make dkms-install / dkms-uninstall from the checkout.
dkms_install() {
	"$here/pkg-dkms.sh" install
	status_added
}
check "make dkms-install: registered, amd64 skipped" dkms_install
check "make dkms-uninstall" "$here/pkg-dkms.sh" uninstall
check "/lib/modules, /usr/src and dkms status as at the start" \
	diff -u "$PKG_DIR/before" <(snapshot)

rm -f "$marker"
finish
