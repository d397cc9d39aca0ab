#!/usr/bin/env bash
# kernel-doc: a function that other files call has a kernel-doc block,
# at its definition or at its prototype in a header (an interface that
# several files implement, such as glue.h's, is documented once there);
# a non-static function no other file names should be static; and the
# tree's scripts/kernel-doc has nothing to say about any block in src/
# compat/ kunit/ (6.1's kernel-doc warns without -Wall, which it does
# not have). One result per file.
set -euo pipefail
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
lock_cache
"$(dirname "$0")/tree.sh"

kerneldoc=(perl "$(tree_dir)/scripts/kernel-doc" -none)
log=$LOGDIR/kerneldoc.log
rm -f "$RESDIR/kerneldoc"
: >"$log"

# "FILE: finding" lines for the functions defined in FILES (.c) that lack
# kernel-doc although another .c file names them, or that no other file
# names although they are not static. A use is the name as a word in
# another .c file; headers declare, they do not use.
findings() {
	perl -e '
		my (%text, %hdoc);
		for my $f (@ARGV) {
			local $/;
			open my $h, "<", $f or die "$f: $!";
			$text{$f} = <$h>;
		}
		my $docre = qr{/\*\*\s*\n\s*\*\s*(\w+)\(\)\s+-};
		for my $f (grep { /\.h$/ } @ARGV) {
			$hdoc{$_} = 1 for $text{$f} =~ m{$docre}g;
		}
		for my $f (grep { /\.c$/ } @ARGV) {
			my %doc = map { $_ => 1 } $text{$f} =~ m{$docre}g;
			(my $code = $text{$f}) =~ s{/\*.*?\*/}{}gs;
			while ($code =~ m{^(?!static\b|extern\b|#)[A-Za-z_][^;{}()=#]*?\b(\w+)\(([^;{}()]|\([^()]*\))*\)\s*\{}mg) {
				my $fn = $1;
				my $used = grep { $_ ne $f && /\.c$/ && $text{$_} =~ /\b\Q$fn\E\b/ } keys %text;
				if (!$used) {
					print "$f: $fn() is not static but no other file calls it\n";
				} elsif (!$doc{$fn} && !$hdoc{$fn}) {
					print "$f: $fn() is called from other files and has no kernel-doc, here or at its prototype\n";
				}
			}
		}' "$@"
}

cd "$REPO"
mapfile -t files < <(find src compat kunit -name '*.[ch]' | sort)
all=$(findings "${files[@]}")
passed=0 failed=0
for f in "${files[@]}"; do
	out=$("${kerneldoc[@]}" "$f" 2>&1 || true)
	mine=$(awk -v f="$f: " 'index($0, f) == 1' <<<"$all")
	[[ -n $mine ]] && out+="${out:+$'\n'}$mine"
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
