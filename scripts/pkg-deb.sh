#!/usr/bin/env bash
# make deb: build the kvm-timer-backport-dkms .deb and its source package
# from this checkout with dpkg-buildpackage, then run lintian on them.
# debian/changelog is written here, its version taken from dkms.conf (the
# one place the version lives). Output: $CACHE/pkg/out/.
set -euo pipefail
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
# shellcheck source=pkg-lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/pkg-lib.sh"
lock_cache

pkg_need dpkg-dev debhelper dh-dkms fakeroot lintian

work=$PKG_DIR/deb
out=$PKG_DIR/out
src=$work/$PKG_NAME-$PKG_VERSION
rm -rf "$work"
mkdir -p "$work" "$out"
pkg_source_tree "$src"
cp -a "$REPO/packaging/debian" "$src/debian"

# The maintainer of the changelog entry is the one in debian/control.
maint=$(sed -n 's/^Maintainer: //p' "$src/debian/control")
cat >"$src/debian/changelog" <<EOT
$PKG_NAME ($PKG_VERSION) unstable; urgency=medium

  * Release $PKG_VERSION (debian/changelog is generated from dkms.conf's
    PACKAGE_VERSION by scripts/pkg-deb.sh).

 -- $maint  $(LC_ALL=C date -R -u -d "@$(pkg_date_epoch)")
EOT

echo "deb: dpkg-buildpackage in $src (log: $LOGDIR/deb-build.log)"
rc=0
(cd "$src" && dpkg-buildpackage -us -uc -sa) >"$LOGDIR/deb-build.log" 2>&1 || rc=$?
grep -E '^pkg-kunit:|Testing complete' "$LOGDIR/deb-build.log" || true
if ((rc != 0)); then
	tail -n 30 "$LOGDIR/deb-build.log"
	echo "deb: FAILED: dpkg-buildpackage exit $rc"
	exit 1
fi

changes=$work/${PKG_NAME}_${PKG_VERSION}_amd64.changes
[[ -f $changes ]] || changes=$(echo "$work"/*.changes)
rm -f "$out"/*.deb "$out"/*.dsc "$out"/*.tar.* "$out"/*.changes "$out"/*.buildinfo
cp "$work"/*.deb "$work"/*.dsc "$work"/*.tar.* "$work"/*.buildinfo "$changes" "$out/"

# Everything lintian says, info and pedantic included; errors and warnings
# fail the build.
echo "deb: lintian -I --pedantic $(basename "$changes")"
rc=0
lintian -I --pedantic --fail-on error,warning "$changes" | tee "$LOGDIR/lintian.log" || rc=$?
[[ -s $LOGDIR/lintian.log ]] || echo "deb: lintian: no tags at all"
ls -1 "$out"/*.deb "$out"/*.dsc
if ((rc != 0)); then
	echo "deb: FAILED: lintian found errors or warnings"
	exit 1
fi
echo "deb: built $out/${PKG_NAME}-dkms_${PKG_VERSION}_all.deb"
