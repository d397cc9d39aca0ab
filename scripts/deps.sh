#!/usr/bin/env bash
# Install the Debian 12 packages the checks need; no apt at all when they
# are all installed already.
set -euo pipefail
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"

pkgs=(build-essential bc flex bison libelf-dev libssl-dev python3 perl
	sparse xz-utils linux-source-6.1 linux-headers-amd64)

missing=()
for p in "${pkgs[@]}"; do
	status=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
	[[ $status == installed ]] || missing+=("$p")
done
if ((${#missing[@]} == 0)); then
	echo "deps: all installed"
	exit 0
fi

echo "deps: installing ${missing[*]}"
apt-get update -q
apt-get install -y -q -t bookworm --no-install-recommends "${missing[@]}"
