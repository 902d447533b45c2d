#!/usr/bin/env bash
# selfcontained.sh - a fresh clone needs nothing beside it: no tracked file points outside the tree,
# no file cites design notes that are not in the tree, and every file pcaps/third-party/MANIFEST
# names is there (and every file there is named).
# usage: selfcontained.sh TOOL SRCDIR [THIRD_PARTY_PCAPS]
set -u
src=${2:?usage: selfcontained.sh TOOL SRCDIR [THIRD_PARTY_PCAPS]}
tp=${3:-$src/pcaps/third-party}
self=tests/selfcontained.sh
pass=0 fail=0
ok() { pass=$((pass + 1)); }
bad() { echo "FAIL: $*"; fail=$((fail + 1)); }

# the files of the tree: git's list in a clone, else every file outside build/
if git -C "$src" rev-parse --git-dir >/dev/null 2>&1; then
	mapfile -t files < <(git -C "$src" ls-files)
else
	mapfile -t files < <(cd "$src" && find . -path ./build -prune -o -path ./.git -prune -o -type f -print | sed 's|^\./||')
fi
[ ${#files[@]} -gt 50 ] && ok || bad "only ${#files[@]} files listed under $src"

# 1. nothing refers to a directory beside the clone
# (the pattern is assembled so that this file does not name the directory itself)
beside=shared
hits=$(cd "$src" && for f in "${files[@]}"; do [ -f "$f" ] && printf '%s\0' "$f"; done |
	xargs -0 grep -InE "\\.\\./$beside|/work/$beside" 2>/dev/null)
[ -z "$hits" ] && ok || { bad "files refer to the directory beside the clone:"; echo "$hits"; }

# 2. no file cites the design notes kept outside the tree; docs/ has the project's own (a bare
#    igmp.md is the outside one, docs/igmp.md or ./igmp.md ours)
hits=$(cd "$src" && for f in "${files[@]}"; do [ "$f" != "$self" ] && [ -f "$f" ] && printf '%s\0' "$f"; done |
	xargs -0 grep -InP '(DESIGN|ipv4-options|go-ipv4-api|igmp-peers)\.md|style-anchors|(?<![/\w-])igmp\.md' 2>/dev/null)
[ -z "$hits" ] && ok || { bad "files cite notes outside the tree (cite docs/ instead):"; echo "$hits"; }
for d in architecture json linux-options igmp go-differences; do
	[ -f "$src/docs/$d.md" ] && ok || bad "docs/$d.md is missing"
done

# 3. the README's Layout names every directory of the tree (two levels deep)
layout=$(sed -n '/^## Layout/,/^## /p' "$src/README.md")
while IFS= read -r d; do
	grep -qF "$d/" <<<"$layout" && ok || bad "README Layout does not list $d/"
done < <(printf '%s\n' "${files[@]}" | grep / | sed 's|/[^/]*$||' | cut -d/ -f1-2 | sort -u)

# 4. every file named in the MANIFEST exists, with its expected-output files; every file is named
man=$tp/MANIFEST
if [ -f "$man" ]; then
	named=0
	declare -A listed=()
	while IFS=$'\t' read -r file origin licence expected; do
		case $file in '#'* | '') continue ;; esac
		named=$((named + 1))
		listed[$file]=1
		[ -n "$origin" ] && [ -n "$licence" ] || bad "MANIFEST: $file lacks origin or licence"
		[ -f "$tp/$file" ] || bad "MANIFEST names $file, which is missing"
		[ "${expected:--}" = - ] && continue
		IFS=, read -ra outs <<<"$expected"
		for o in "${outs[@]}"; do
			listed[${file%%/*}/$o]=1
			[ -f "$tp/${file%%/*}/$o" ] || bad "MANIFEST: expected output $o of $file is missing"
		done
	done <"$man"
	[ $named -gt 30 ] && ok || bad "MANIFEST names only $named files"
	while IFS= read -r f; do
		f=${f#"$tp"/}
		[ -n "${listed[$f]:-}" ] || bad "$f is not named in $man"
	done < <(find "$tp" -mindepth 2 -type f)
	ok
else
	bad "no $man"
fi

echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
