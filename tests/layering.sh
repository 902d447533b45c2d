#!/usr/bin/env bash
# layering.sh - the dependency rules the build relies on, checked on the sources: codec private header stays in src/codec, the codec includes no libpcap, Linux or socket-core header, src/roles and src/mutate only codec headers (no clock, no malloc, no syscalls), no file includes a .c file.
# Args: $1 tool path (unused), $2 source dir.
set -u
cd "$2" || exit 1
failed=0
check() { # check NAME OUTPUT: OUTPUT lists offending lines
	if [ -n "$2" ]; then
		echo "FAIL: $1:"
		echo "$2"
		failed=$((failed + 1))
	else
		echo "ok: $1"
	fi
}
files=$(git ls-files --cached --others --exclude-standard '*.c' '*.h' 2>/dev/null || find . -name '*.[ch]' -not -path './build/*')
# shellcheck disable=SC2086
check "codec/internal.h is included only inside src/codec" \
	"$(grep -Hn '#include *"codec/internal.h"' $files | grep -v '^\(\./\)\?src/codec/')"
codec=$(echo "$files" | grep -E '^(\./)?src/(codec|fmt)/')
# shellcheck disable=SC2086
check "src/codec and src/fmt include no libpcap, Linux or socket-core header" \
	"$(grep -HnE '#include *[<"](pcap[/.]|linux/|ipv4kit/(sock|bpf|harness|pcapio)\.h|sock/|pcap/)' $codec)"
roles=$(echo "$files" | grep -E '^(\./)?src/roles/')
# shellcheck disable=SC2086
check "src/roles includes only codec headers: no libpcap, Linux, socket or system-call header" \
	"$(grep -HnE '#include *[<"](pcap[/.]|linux/|sys/|unistd|time\.h|stdlib|ipv4kit/(sock|bpf|harness|pcapio|fmt)\.h|sock/|pcap/)' $roles)"
# shellcheck disable=SC2086
check "src/roles allocates nothing and reads no clock (no malloc/calloc/realloc/free, clock_gettime, time, gettimeofday)" \
	"$(grep -HnE '\<(malloc|calloc|realloc|free|clock_gettime|gettimeofday|time)[[:space:]]*\(' $roles)"
mutate=$(echo "$files" | grep -E '^(\./)?src/mutate/')
# shellcheck disable=SC2086
check "src/mutate includes only codec headers: no libpcap, Linux, socket, system-call, clock or formatter header" \
	"$(grep -HnE '#include *[<"](pcap[/.]|linux/|sys/|unistd|time\.h|stdlib|ipv4kit/(sock|bpf|harness|pcapio|fmt|querier|host)\.h|sock/|pcap/|roles/)' $mutate)"
# shellcheck disable=SC2086
check "src/mutate allocates nothing and reads no clock or global randomness (no malloc/calloc/realloc/free, clock_gettime, time, gettimeofday, rand, random, getrandom)" \
	"$(grep -HnE '\<(malloc|calloc|realloc|free|clock_gettime|gettimeofday|time|rand|random|srand|getrandom)[[:space:]]*\(' $mutate)"
# shellcheck disable=SC2086
check "no file includes a .c file" "$(grep -HnE '#include *[<"][^">]*\.c[">]' $files)"
[ "$failed" -eq 0 ] && echo "7 passed, 0 failed" && exit 0
exit 1
