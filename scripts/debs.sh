#!/usr/bin/env bash
# Debian packages of any architecture and suite, fetched into the project's
# cache through a private apt configuration (own sources list, state and
# cache), so the machine's apt is never touched: no foreign architecture is
# added and nothing is installed. The archive URIs are the ones the machine
# is already configured with.
#
#   debs.sh fetch ARCH SUITES PKG...    download; print the .deb paths
#   debs.sh depends ARCH SUITES PKG     print what PKG depends on (resolves
#                                       a metapackage to the real package)
#   debs.sh source SUITES PKG...        download source packages; print the
#                                       .dsc paths (unpack with dpkg-source -x)
#
# SUITES is comma-separated, e.g. bookworm or bookworm,bookworm-backports.
# Package lists are refreshed when older than a day.
set -euo pipefail
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"

usage() {
	sed -n '9,13p' "$0" >&2
	exit 2
}
(($# >= 3)) || usage
cmd=$1
shift
# Source packages have an apt configuration of their own (deb-src lines).
if [[ $cmd == source ]]; then
	arch=source
else
	arch=$1
	shift
fi
suites=$1
shift

# URI of the machine's configured archive for a suite (deb822 sources).
archive_uri() {
	local want=main
	[[ $1 == *-security ]] && want=security
	awk -v want="$want" '
		/^URIs:/ { uri = $2 }
		/^Suites:/ {
			sec = ($0 ~ /-security/)
			if ((want == "security") == sec) { print uri; exit }
		}' /etc/apt/sources.list.d/*.sources
}

dir=$CACHE/apt/$arch-${suites//,/+}
mkdir -p "$dir/state/lists/partial" "$dir/cache/archives/partial" "$dir/none" \
	"$CACHE/debs/$arch"
exec 8>"$dir/.lock"
flock 8

keyring=/usr/share/keyrings/debian-archive-keyring.gpg
type=deb
[[ $arch == source ]] && type=deb-src
: >"$dir/sources.list"
for s in ${suites//,/ }; do
	uri=$(archive_uri "$s")
	[[ -n $uri ]] || { echo "debs: no archive configured for $s" >&2; exit 1; }
	echo "$type [signed-by=$keyring] $uri $s main" >>"$dir/sources.list"
done
touch "$dir/status" "$dir/preferences"

apt=(-o "Dir::Etc::sourcelist=$dir/sources.list" -o "Dir::Etc::sourceparts=$dir/none"
	-o "Dir::Etc::preferences=$dir/preferences" -o "Dir::Etc::preferencesparts=$dir/none"
	-o "Dir::State=$dir/state" -o "Dir::State::status=$dir/status"
	-o "Dir::Cache=$dir/cache" -o "APT::Architecture=${arch/source/amd64}"
	-o "APT::Architectures=${arch/source/amd64}" -o APT::Sandbox::User=root -q)

if [[ -z $(find "$dir/.updated" -mmin -1440 2>/dev/null) ]]; then
	apt-get "${apt[@]}" update >"$dir/update.log" 2>&1 ||
		{ cat "$dir/update.log" >&2; exit 1; }
	touch "$dir/.updated"
fi

case $cmd in
fetch)
	cd "$CACHE/debs/$arch"
	for p in "$@"; do
		v=$(apt-cache "${apt[@]}" policy "$p" | awk '/Candidate:/ { print $2 }')
		[[ -n $v && $v != "(none)" ]] ||
			{ echo "debs: $p not in $suites/$arch" >&2; exit 1; }
		f=$(printf '%s_%s_*.deb' "$p" "${v//:/%3a}")
		# shellcheck disable=SC2086 # the glob is wanted
		if ! compgen -G "$f" >/dev/null; then
			# Its progress lines name the archive: not in any log.
			apt-get "${apt[@]}" download "$p=$v" 2>&1 |
				sed -E 's#[a-z]+://[^ ]+#<archive>#g' >&2
		fi
		# shellcheck disable=SC2086
		realpath $f
	done
	;;
source)
	cd "$CACHE/debs/source"
	for p in "$@"; do
		# The .dsc is the one URI whose file name ends in .dsc; apt
		# lists only what the current directory lacks, so ask in an
		# empty one.
		dsc=$(cd "$dir/none" && apt-get "${apt[@]}" source --print-uris "$p" |
			awk '$2 ~ /\.dsc$/ { print $2; exit }')
		[[ -n $dsc ]] || { echo "debs: no source $p in $suites" >&2; exit 1; }
		if [[ ! -f $dsc ]]; then
			apt-get "${apt[@]}" source --download-only "$p" 2>&1 |
				sed -E 's#[a-z]+://[^ ]+#<archive>#g' >&2
		fi
		realpath "$dsc"
	done
	;;
depends)
	apt-cache "${apt[@]}" depends "$1" |
		awk '/^  Depends:/ { sub(/^[^:]*: /, ""); gsub(/[<>]/, ""); print }'
	;;
*)
	usage
	;;
esac
