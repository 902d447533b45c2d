#!/usr/bin/env bash
# manpage.sh - tools/ipv4kit.1 covers every subcommand (SYNOPSIS, options, EXIT STATUS, EXAMPLES) and its examples that need no network paste and run.
# usage: manpage.sh TOOL SRCDIR [SHARED_PCAPS]
set -u
tool=${1:?usage: manpage.sh TOOL SRCDIR}
src=${2:?}
man=$src/tools/ipv4kit.1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0
ok() { pass=$((pass + 1)); }
bad() { echo "FAIL: $*"; fail=$((fail + 1)); }
check() { local name=$1; shift; if "$@"; then ok; else bad "$name"; fi; }

# section NAME: the lines of one .SH section
section() { awk -v s=".SH $1" '$0 == s {f = 1; next} /^\.SH / {f = 0} f' "$man"; }

# ---- every subcommand: in SYNOPSIS, with its options, exit status and an example ----
section SYNOPSIS >"$tmp/syn"
section "EXIT STATUS" >"$tmp/exit"
section EXAMPLES | sed 's/\\-/-/g; s/\\e/\\/g' >"$tmp/ex"
for cmd in decode listen send "replay verify" "replay golden" "replay rewrite" "replay send" craft querier host fuzz conform; do
	check "SYNOPSIS has 'ipv4kit $cmd'" grep -q "^\.B ipv4kit $cmd\$" "$tmp/syn"
	check "EXAMPLES use 'ipv4kit $cmd'" grep -q "^ipv4kit $cmd " "$tmp/ex"
	# every long option --help prints is in the page
	"$tool" $cmd --help >"$tmp/help" 2>&1
	for o in $(grep -o -- '--[a-z][a-z-]*' "$tmp/help" | sort -u); do
		[ "$o" = --help ] && continue
		grep -q -- "$(echo "$o" | sed 's/-/\\\\-/g')" "$man" && ok || bad "$cmd $o (from --help) is not in the man page"
	done
done
for cmd in decode listen send replay craft querier host fuzz conform; do
	check "EXIT STATUS covers $cmd" grep -q "^\.BR $cmd :" "$tmp/exit"
done
check "EXIT STATUS states the usage error form" grep -q "try 'ipv4kit COMMAND" "$tmp/exit"
if command -v groff >/dev/null; then
	groff -man -ww -z "$man" 2>"$tmp/groff"
	check "groff renders the page without warnings: $(head -3 "$tmp/groff")" [ ! -s "$tmp/groff" ]
fi

# ---- the first EXAMPLES block (no network, no privileges) runs as pasted ----
awk '/^\.nf/ {n++; f = 1; next} /^\.fi/ {f = 0; next} f && n == 1' "$tmp/ex" >"$tmp/run.sh"
check "the runnable examples block has commands" [ "$(grep -c '^ipv4kit' "$tmp/run.sh")" -ge 10 ]
mkdir "$tmp/bin" "$tmp/work"
ln -s "$(cd "$(dirname "$tool")" && pwd)/$(basename "$tool")" "$tmp/bin/ipv4kit"
# one command at a time (continuation lines joined), each must exit 0
(
	cd "$tmp/work" || exit 1
	export PATH="$tmp/bin:$PATH"
	set -o pipefail
	sed -e ':a' -e '/\\$/N; s/\\\n//; ta' "$tmp/run.sh" | while IFS= read -r line; do
		[ -z "$line" ] && continue
		if out=$(bash -c "$line" 2>&1); then
			echo "ok"
		else
			echo "FAIL: example '$line': $(echo "$out" | head -3)"
		fi
	done
) >"$tmp/results"
n_ok=$(grep -c '^ok$' "$tmp/results")
pass=$((pass + n_ok))
grep '^FAIL' "$tmp/results" && fail=$((fail + $(grep -c '^FAIL' "$tmp/results")))
check "examples left their files (igmp.pcap, igmp.json, moved.pcap)" \
	[ -s "$tmp/work/igmp.pcap" -a -s "$tmp/work/igmp.json" -a -s "$tmp/work/moved.pcap" ]

echo "manpage: $pass passed, $fail failed"
[ $fail -eq 0 ]
