#!/usr/bin/env bash
# warn_unused.sh - the results that must be read are marked: ignoring one is a compile error with -Werror (docs/conventions.md section 2), using it is not.
# usage: warn_unused.sh TOOL SRCDIR [SHARED_PCAPS]
set -u
src=${2:?usage: warn_unused.sh TOOL SRCDIR}
cc=${CC:-cc}
command -v "$cc" >/dev/null || { echo "SKIP: no C compiler"; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0
# one call per kind of function of docs/conventions.md section 1
calls=(
	'ipk_ip4_parse(b, 20, IPK_IP4_GO, &h, NULL)'
	'ipk_opt_next(&it, &o)'
	'ipk_opt_put_nop(&w)'
	'ipk_ip4_marshal(&h, 0, 0, b, sizeof(b))'
	'ipk_cm_marshal(&cm, b, sizeof(b))'
	'ipk_udp_open(0, 0, 0)'
	'ipk_pcapw_open(&pw, "x", 101, 0, NULL, 0)'
	'ipk_cap_read("x", fn, NULL, NULL, NULL, 0)'
)
for c in "${calls[@]}"; do
	for use in ignore read; do
		if [ $use = ignore ]; then stmt="$c;"; else stmt="int r = $c; (void)r;"; fi
		cat >"$tmp/t.c" <<EOC
#include "ipv4kit/ip4.h"
#include "ipv4kit/ipopt.h"
#include "ipv4kit/cmsg.h"
#include "ipv4kit/sock.h"
#include "ipv4kit/pcapio.h"
#include "ipv4kit/harness.h"
static int fn(void *ctx, int dlt, const struct ipk_cap_frame *f) { (void)ctx; (void)dlt; (void)f; return 0; }
void f(void);
void f(void)
{
	uint8_t b[64] = {0};
	struct ipk_ip4 h = {0};
	struct ipk_opt_iter it;
	struct ipk_opt o;
	struct ipk_wbuf w;
	struct ipk_cm cm = {0};
	struct ipk_pcapw pw;
	ipk_opt_iter_init(&it, b, 4);
	ipk_wbuf_init(&w, b, sizeof(b));
	(void)fn;
	$stmt
}
EOC
		"$cc" -std=c11 -Werror=unused-result -Wall -c -o "$tmp/t.o" -I"$src/include" -I"$tmp" "$tmp/t.c" 2>"$tmp/e"
		rc=$?
		if { [ $use = ignore ] && [ $rc -ne 0 ] && grep -q 'unused' "$tmp/e"; } ||
			{ [ $use = read ] && [ $rc -eq 0 ]; }; then
			pass=$((pass + 1))
		else
			echo "FAIL: $use the result of $c: rc $rc $(head -3 "$tmp/e")"
			fail=$((fail + 1))
		fi
	done
done
echo "warn_unused: $pass passed, $fail failed"
[ $fail -eq 0 ]
