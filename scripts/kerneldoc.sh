#!/usr/bin/env bash
# kernel-doc: every non-static function in src/ and kunit/ has a kernel-doc
# block naming it, and the tree's scripts/kernel-doc has nothing to say
# about any block in src/ compat/ kunit/ (6.1's kernel-doc warns without -Wall,
# which it does not have). One result per file.
set -euo pipefail
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
lock_cache
"$(dirname "$0")/tree.sh"

kerneldoc=(perl "$(tree_dir)/scripts/kernel-doc" -none)
log=$LOGDIR/kerneldoc.log
rm -f "$RESDIR/kerneldoc"
: >"$log"

# Print the names of non-static functions defined in a C file that have no
# "/**\n * NAME() - ..." block (kernel-doc does not flag those itself).
undocumented() {
	perl -0777 -ne '
		s{/\*(?!\*).*?\*/}{}gs;		# plain comments hide nothing
		my %doc = map { $_ => 1 } m{/\*\*\s*\n\s*\*\s*(\w+)\(\)\s+-}g;
		while (m{^(?!static\b|extern\b|#)[A-Za-z_][^;{}()=#]*?\b(\w+)\(([^;{}()]|\([^()]*\))*\)\s*\{}mg) {
			print "$1\n" unless $doc{$1};
		}' "$1"
}

cd "$REPO"
mapfile -t files < <(find src compat kunit -name '*.[ch]' | sort)
passed=0 failed=0
for f in "${files[@]}"; do
	out=$("${kerneldoc[@]}" "$f" 2>&1 || true)
	if [[ $f == *.c ]]; then
		while read -r fn; do
			[[ -n $fn ]] && out+="${out:+$'\n'}$f: $fn() has no kernel-doc"
		done < <(undocumented "$f")
	fi
	if [[ -z $out ]]; then
		passed=$((passed + 1))
	else
		failed=$((failed + 1))
		echo "$out" | tee -a "$log"
	fi
done
echo "kerneldoc: ${#files[@]} files, $failed with findings (log: $log)"
record kerneldoc "$passed" "$failed" "one per file"
((failed == 0))
