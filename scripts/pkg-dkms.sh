#!/usr/bin/env bash
# make dkms-install / make dkms-uninstall: register this checkout with dkms
# without a package, as the packages do.
#
#   pkg-dkms.sh install [KVER]   copy the sources to /usr/src/NAME-VERSION,
#                                dkms add, then dkms install for KVER or for
#                                every kernel with headers in /lib/modules
#   pkg-dkms.sh uninstall        dkms remove --all, remove /usr/src/NAME-VERSION
#
# KSRCDIR=DIR (with KVER) builds against a kernel tree that is not at
# /lib/modules/KVER/build. Like the packages, install also makes the module
# load by itself (README.md, "Loaded automatically"): packaging/'s modprobe
# softdep goes to /etc/modprobe.d/NAME.conf and its systemd unit (kernels
# with KVM built in) to /etc/systemd/system/NAME.service, enabled; the
# admin's directories, since no package owns these files. uninstall
# removes both.
set -euo pipefail
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
# shellcheck source=pkg-lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/pkg-lib.sh"

usage() {
	sed -n '5,9p' "$0" >&2
	exit 2
}
(($# >= 1)) || usage
dest=/usr/src/$PKG_NAME-$PKG_VERSION
mv=(-m "$PKG_NAME" -v "$PKG_VERSION")

# The packages own /usr/src/NAME-VERSION when one of them is installed.
owned_by_package() {
	dpkg-query -S "$dest" >/dev/null 2>&1 && return 0
	command -v rpm >/dev/null && rpm -qf "$dest" >/dev/null 2>&1 && return 0
	return 1
}

registered() {
	[[ -n $(dkms status "${mv[@]}" 2>/dev/null) ]]
}

modprobe_conf=/etc/modprobe.d/$PKG_NAME.conf
unit=$PKG_NAME.service
unit_file=/etc/systemd/system/$unit

# The softdep that loads the module with KVM, and the unit that loads it at
# boot where KVM is built in (enabled offline too: systemctl enable only
# makes the symlink when systemd is not running).
install_autoload() {
	install -D -m 0644 "$REPO/packaging/$PKG_NAME.conf" "$modprobe_conf"
	echo "dkms-install: $modprobe_conf: modprobe loads kvm_timer_backport with KVM"
	if ! command -v systemctl >/dev/null; then
		echo "dkms-install: no systemctl: $unit not installed (only kernels with KVM built in need it)"
		return 0
	fi
	install -D -m 0644 "$REPO/packaging/$unit" "$unit_file"
	systemctl enable "$unit"
	if [[ -d /run/systemd/system ]]; then
		systemctl daemon-reload
		# Loads the module now on a kernel with KVM built in; a no-op
		# elsewhere (the unit's conditions).
		systemctl start "$unit" ||
			echo "dkms-install: systemctl start $unit failed: see systemctl status $unit"
	fi
}

uninstall_autoload() {
	if [[ -e $unit_file ]]; then
		systemctl disable "$unit" || true
		rm -f "$unit_file"
		if [[ -d /run/systemd/system ]]; then systemctl daemon-reload; fi
	fi
	rm -f "$modprobe_conf"
}

uninstall() {
	if owned_by_package; then
		echo "dkms-uninstall: $dest belongs to an installed package; remove that instead" >&2
		exit 1
	fi
	if registered; then
		dkms remove "${mv[@]}" --all
	fi
	rm -rf "$dest"
	uninstall_autoload
	echo "dkms-uninstall: $PKG_NAME $PKG_VERSION removed"
}

case $1 in
install)
	kver=${2:-${KVER:-}}
	if owned_by_package; then
		echo "dkms-install: $dest belongs to an installed package (kvm-timer-backport-dkms)" >&2
		exit 1
	fi
	pkg_need dkms
	# Start from a clean registration: the sources may have changed.
	registered && dkms remove "${mv[@]}" --all >/dev/null
	rm -rf "$dest"
	mkdir -p "$dest"
	mapfile -t files < <(pkg_dkms_files)
	tar -C "$REPO" -cf - "${files[@]}" | tar -C "$dest" -xf -
	dkms add "${mv[@]}"

	if [[ -n $kver ]]; then
		kvers=("$kver")
	else
		kvers=()
		for build in /lib/modules/*/build; do
			[[ -d $build ]] || continue
			build=${build%/build}
			kvers+=("${build##*/}")
		done
	fi
	((${#kvers[@]})) ||
		echo "dkms-install: no kernel headers in /lib/modules/*/build: nothing built (install linux-headers-<kernel>, or give KVER= and KSRCDIR=)"
	srcdir=()
	[[ -n ${KSRCDIR:-} ]] && srcdir=(--kernelsourcedir "$KSRCDIR")
	rc=0
	for k in "${kvers[@]}"; do
		r=0
		dkms install "${mv[@]}" -k "$k" "${srcdir[@]}" || r=$?
		case $r in
		0) ;;
		77) echo "dkms-install: $k skipped (dkms exit 77: not a MIPS or PowerPC kernel with KVM)" ;;
		*) echo "dkms-install: FAILED for $k (dkms exit $r)"; rc=1 ;;
		esac
	done
	install_autoload
	dkms status "${mv[@]}"
	exit $rc
	;;
uninstall)
	uninstall
	;;
*)
	usage
	;;
esac
