#!/usr/bin/env bash
# make rpm: build the noarch kvm-timer-backport-dkms .rpm and .src.rpm with
# rpmbuild from this checkout, then run rpmlint on them if it is installable.
# The spec is written from packaging/rpm/kvm-timer-backport-dkms.spec.in
# with the version from dkms.conf (the one place the version lives).
# Output: $CACHE/pkg/out/.
set -euo pipefail
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
# shellcheck source=pkg-lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/pkg-lib.sh"
lock_cache

pkg_need rpm xz-utils
# rpmlint is optional: check it without failing when apt cannot have it.
pkg_need rpmlint || echo "rpm: rpmlint not installable here; not linting"

top=$PKG_DIR/rpm
out=$PKG_DIR/out
rm -rf "$top"
mkdir -p "$top"/{SOURCES,SPECS,BUILD,BUILDROOT,RPMS,SRPMS} "$out"

# Source0: the same tree the Debian source package is made of.
pkg_source_tree "$top/tmp/$PKG_NAME-$PKG_VERSION"
tar -C "$top/tmp" --sort=name --owner=0 --group=0 --numeric-owner \
	--mtime="@$(pkg_date_epoch)" -cJf "$top/SOURCES/$PKG_NAME-$PKG_VERSION.tar.xz" \
	"$PKG_NAME-$PKG_VERSION"
rm -rf "$top/tmp"

maint=$(sed -n 's/^Maintainer: //p' "$REPO/packaging/debian/control")
spec=$top/SPECS/$PKG_NAME-dkms.spec
sed -e "s|@VERSION@|$PKG_VERSION|g" -e "s|@PACKAGER@|$maint|g" \
	-e "s|@DATE@|$(LC_ALL=C date -u -d "@$(pkg_date_epoch)" '+%a %b %d %Y')|g" \
	"$REPO/packaging/rpm/$PKG_NAME-dkms.spec.in" >"$spec"

echo "rpm: rpmbuild -ba $spec (log: $LOGDIR/rpm-build.log)"
rc=0
# The Packager header is set here, not in the spec (Fedora's guidelines).
SOURCE_DATE_EPOCH=$(pkg_date_epoch) rpmbuild -ba --define "_topdir $top" \
	--define "packager $maint" "$spec" >"$LOGDIR/rpm-build.log" 2>&1 || rc=$?
grep -E '^pkg-kunit:|Testing complete' "$LOGDIR/rpm-build.log" || true
if ((rc != 0)); then
	tail -n 30 "$LOGDIR/rpm-build.log"
	echo "rpm: FAILED: rpmbuild exit $rc"
	exit 1
fi
rm -f "$out"/*.rpm
cp "$top"/RPMS/noarch/*.rpm "$top"/SRPMS/*.src.rpm "$out/"

rc=0
if command -v rpmlint >/dev/null; then
	rc_file=$REPO/packaging/rpm/$PKG_NAME-dkms.rpmlintrc
	(cd "$out" && rpmlint "$spec" ./*.rpm) >"$LOGDIR/rpmlint-unfiltered.log" 2>&1 || true
	echo "rpm: rpmlint without filters: $(tail -n1 "$LOGDIR/rpmlint-unfiltered.log")"
	echo "rpm: rpmlint -r $(basename "$rc_file") $(basename "$spec") $(cd "$out" && echo ./*.rpm)"
	# rpmlint exits non-zero on errors; warnings fail here too.
	(cd "$out" && rpmlint -r "$rc_file" "$spec" ./*.rpm) 2>&1 | tee "$LOGDIR/rpmlint.log" || rc=$?
	if ((rc != 0)) || ! grep -Eq ' 0 errors, 0 warnings' "$LOGDIR/rpmlint.log"; then
		echo "rpm: FAILED: rpmlint found errors or warnings"
		exit 1
	fi
fi
ls -1 "$out"/*.rpm
