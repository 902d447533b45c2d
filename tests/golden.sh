#!/usr/bin/env bash
# golden.sh - every capture in pcaps/ decodes (ipv4kit decode --json) exactly to tests/golden/<name>.json.
# usage: golden.sh TOOL SRCDIR [THIRD_PARTY_PCAPS] [--update]    (--update rewrites the golden files)
set -u
tool=${1:?usage: golden.sh TOOL SRCDIR [THIRD_PARTY_PCAPS] [--update]}
src=${2:?usage: golden.sh TOOL SRCDIR [THIRD_PARTY_PCAPS] [--update]}
update=0
for a in "$@"; do [ "$a" = --update ] && update=1; done
golden=$src/tests/golden
shopt -s nullglob
caps=("$src"/pcaps/*.pcap "$src"/pcaps/*.pcapng)
if [ ${#caps[@]} -eq 0 ]; then
	echo "golden: FAIL: no captures in $src/pcaps (expected at least pcaps/sample.pcap)"
	exit 1
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0
for cap in "${caps[@]}"; do
	name=$(basename "$cap")
	name=${name%.*}
	out=$tmp/$name.json
	if ! "$tool" decode --json "$cap" >"$out" 2>"$tmp/err"; then
		echo "golden: FAIL: $name: decode exited non-zero: $(cat "$tmp/err")"
		fail=$((fail + 1))
		continue
	fi
	if [ $update -eq 1 ]; then
		mkdir -p "$golden"
		cp "$out" "$golden/$name.json"
		echo "golden: updated $golden/$name.json ($(wc -l <"$out") packets)"
		pass=$((pass + 1))
	elif [ ! -f "$golden/$name.json" ]; then
		echo "golden: FAIL: $name: no $golden/$name.json (run: $0 $tool $src --update)"
		fail=$((fail + 1))
	elif ! diff -u --label "golden/$name.json" --label "decode --json $name" \
		"$golden/$name.json" "$out" >"$tmp/diff"; then
		echo "golden: FAIL: $name differs from its golden output:"
		# JSON lines are long: show the changed lines split at commas for a readable diff.
		diff -u <(tr ',' '\n' <"$golden/$name.json") <(tr ',' '\n' <"$out") | head -60
		fail=$((fail + 1))
	else
		pass=$((pass + 1))
	fi
done
echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
