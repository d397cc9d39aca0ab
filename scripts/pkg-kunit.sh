#!/usr/bin/env bash
# The KUnit run at package build time (debian/rules' test step, the rpm
# spec's %check): the KUnit suites in UML, the same run as `make kunit`,
# when a kernel source is available; otherwise a clear skip message and
# success. Never downloads anything and installs nothing.
#
#   KSRC=/path/to/linux-source-X.tar.xz   or an extracted kernel source tree
#                                         (6.1 or later: kunit.py --kunitconfig)
#
# Without KSRC: /usr/src/linux-source-6.1.tar.xz (Debian's linux-source-6.1)
# through scripts/kunit.sh. A given KSRC is copied into a scratch tree under
# the cache first: the run links this source into drivers/misc, and must not
# do that to someone else's tree.
set -euo pipefail
here=$(dirname "$0")

skip() {
	echo "pkg-kunit: SKIPPED the KUnit run: $*"
	exit 0
}
hint="the suites run in a UML kernel built from a kernel source: install linux-source-6.1, or set KSRC=/path/to/linux-source.tar.xz or a source tree"

case " ${DEB_BUILD_OPTIONS:-} " in
*" nocheck "*) skip "DEB_BUILD_OPTIONS=nocheck" ;;
esac

# dpkg-buildpackage exports its hardening flags (CFLAGS with
# -Werror=format-security and the like) and UML's build takes CFLAGS from the
# environment: run the kernel build as `make kunit` would, without them.
unset CFLAGS CPPFLAGS CXXFLAGS OBJCFLAGS OBJCXXFLAGS FFLAGS FCFLAGS GCJFLAGS \
	LDFLAGS ASFLAGS MAKEFLAGS MFLAGS MAKELEVEL

missing=()
for tool in python3 make gcc flex bison bc perl xz; do
	command -v "$tool" >/dev/null || missing+=("$tool")
done

# Decide before touching anything: a distribution's build (sbuild, mock)
# has no kernel source and must pass without a cache or root.
default=/usr/src/linux-source-6.1.tar.xz
ksrc=${KSRC:-}
if [[ -z $ksrc ]]; then
	[[ -f $default ]] || skip "no kernel source ($default is not there, KSRC is not set); $hint"
	dpkg-query -W linux-source-6.1 >/dev/null 2>&1 ||
		skip "$default is not from Debian's linux-source-6.1 package; $hint"
else
	# Asked for by name: not finding it is an error, not a reason to skip.
	[[ -e $ksrc ]] || { echo "pkg-kunit: KSRC=$ksrc does not exist" >&2; exit 1; }
fi
((${#missing[@]} == 0)) || skip "missing build tools: ${missing[*]}"

# The project's cache when this user may write it (root, make deb), else a
# private one (a build as an ordinary user).
cache=${KTB_CACHE:-/var/cache/kvm-timer-backport}
if ! mkdir -p "$cache" 2>/dev/null || [[ ! -w $cache ]]; then
	KTB_CACHE=${TMPDIR:-/tmp}/kvm-timer-backport-$(id -u)
	export KTB_CACHE
	echo "pkg-kunit: $cache is not writable, using $KTB_CACHE"
fi
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$here/lib.sh"

if [[ -z $ksrc ]]; then
	lock_cache
	# Run as `make kunit`, but keep what a `make check` in progress recorded
	# for its own kunit step: this run is of the package's copy.
	saved=$(mktemp)
	had=0
	[[ -f $RESDIR/kunit ]] && cp "$RESDIR/kunit" "$saved" && had=1
	[[ -f $LOGDIR/kunit.log ]] && cp "$LOGDIR/kunit.log" "$saved.log"
	rc=0
	"$here/kunit.sh" default || rc=$?
	cp "$LOGDIR/kunit.log" "$LOGDIR/pkg-kunit.log" 2>/dev/null || true
	rm -f "$RESDIR/kunit"
	((had)) && cp "$saved" "$RESDIR/kunit"
	[[ -f $saved.log ]] && mv "$saved.log" "$LOGDIR/kunit.log"
	rm -f "$saved"
	if ((rc != 0)); then
		echo "pkg-kunit: FAILED (log: $LOGDIR/pkg-kunit.log)"
		exit 1
	fi
	echo "pkg-kunit: passed"
	exit 0
fi

lock_cache
ksrc=$(realpath "$ksrc")
id=$(basename "$ksrc" .tar.xz)-$(stat -c %Y "$ksrc")
tree=$CACHE/src/ksrc-$id
build=$CACHE/build/um-ksrc-$id
if [[ ! -e $tree/.ktb-extracted ]]; then
	echo "pkg-kunit: preparing a scratch copy of $ksrc in $tree"
	rm -rf "$tree" "$tree.tmp"
	mkdir -p "$tree.tmp"
	if [[ -d $ksrc ]]; then
		cp -a "$ksrc/." "$tree.tmp/"
	else
		tar -xf "$ksrc" -C "$tree.tmp" --strip-components=1
	fi
	[[ -x $tree.tmp/tools/testing/kunit/kunit.py ]] ||
		{ echo "pkg-kunit: $ksrc is not a kernel source with kunit.py" >&2; exit 1; }
	# As scripts/tree.sh does: source our Kconfig before the last endmenu.
	last=$(grep -n '^endmenu' "$tree.tmp/drivers/misc/Kconfig" | tail -n1 | cut -d: -f1)
	sed -i "${last}i source \"drivers/misc/kvm_timer_backport/Kconfig\"" \
		"$tree.tmp/drivers/misc/Kconfig"
	# shellcheck disable=SC2016 # a make variable, not a shell one
	echo 'obj-$(CONFIG_KVM_TIMER_BACKPORT) += kvm_timer_backport/' >>"$tree.tmp/drivers/misc/Makefile"
	touch "$tree.tmp/.ktb-extracted"
	mv "$tree.tmp" "$tree"
fi
ln -sfn "$REPO" "$tree/drivers/misc/kvm_timer_backport"
rm -rf "$build/drivers/misc/kvm_timer_backport"
mkdir -p "$build"
log=$LOGDIR/pkg-kunit.log
echo "pkg-kunit: kunit.py run in $tree (log: $log)"
rc=0
(cd "$tree" && timeout 3600 ./tools/testing/kunit/kunit.py run --arch=um --jobs=2 \
	--timeout=600 --build_dir="$build" --kunitconfig="$REPO/kunit/.kunitconfig") \
	>"$log" 2>&1 || rc=$?
summary=$(sed 's/\x1b\[[0-9;]*m//g' "$log" | grep -o 'Testing complete\. Ran [0-9]* tests:.*' | tail -n1 || true)
if ((rc != 0)) || [[ -z $summary ]]; then
	tail -n 30 "$log"
	echo "pkg-kunit: FAILED (kunit.py exit $rc; log: $log)"
	exit 1
fi
echo "pkg-kunit: $summary"
echo "pkg-kunit: passed"
