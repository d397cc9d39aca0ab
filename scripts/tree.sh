#!/usr/bin/env bash
# Extract linux-source-6.1 into the cache once, then link this repository
# into it as drivers/misc/kvm_timer_backport (re-pointed on every run: clones
# move). Prints nothing on a warm run.
set -euo pipefail
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
lock_cache

tree=$(tree_dir)
if [[ ! -e $tree/.ktb-extracted ]]; then
	echo "tree: extracting /usr/src/linux-source-6.1.tar.xz into $tree"
	mkdir -p "$CACHE/src"
	tmp=$(mktemp -d "$CACHE/src/.extract.XXXXXX")
	tar -xJf /usr/src/linux-source-6.1.tar.xz -C "$tmp"
	touch "$tmp/linux-source-6.1/.ktb-extracted"
	rm -rf "$tree"
	mv "$tmp/linux-source-6.1" "$tree"
	rmdir "$tmp"
fi

ln -sfn "$REPO" "$tree/drivers/misc/kvm_timer_backport"

kconfig=$tree/drivers/misc/Kconfig
line='source "drivers/misc/kvm_timer_backport/Kconfig"'
if ! grep -qxF "$line" "$kconfig"; then
	# Insert before the last "endmenu" of the file.
	last=$(grep -n '^endmenu' "$kconfig" | tail -n1 | cut -d: -f1)
	sed -i "${last}i $line" "$kconfig"
fi

makefile=$tree/drivers/misc/Makefile
# shellcheck disable=SC2016 # a make variable, not a shell one
line='obj-$(CONFIG_KVM_TIMER_BACKPORT) += kvm_timer_backport/'
grep -qxF "$line" "$makefile" || echo "$line" >>"$makefile"
