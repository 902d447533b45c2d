#!/usr/bin/env bash
# package.sh - install the library to a temporary prefix and build a consumer with find_package and with pkg-config.
# Args: $1 tool path (unused), $2 source dir.
set -eu
src=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cmake -S "$src" -B "$tmp/build" -DCMAKE_BUILD_TYPE=Release -DIPK_BUILD_TESTS=OFF -DIPK_BUILD_TOOLS=OFF \
	-DCMAKE_INSTALL_PREFIX="$tmp/prefix" >/dev/null
cmake --build "$tmp/build" -j2 >/dev/null
cmake --install "$tmp/build" >/dev/null

# Only ipk_ symbols are exported from the shared library.
bad=$(nm -D --defined-only "$tmp"/prefix/lib*/libipv4kit.so | awk '$2 ~ /[TDBR]/ {print $3}' | grep -v '^ipk_' || true)
if [ -n "$bad" ]; then
	echo "FAIL: symbols exported without the ipk_ prefix: $bad"
	exit 1
fi

mkdir -p "$tmp/consumer"
cat > "$tmp/consumer/main.c" <<'C'
#include <ipv4kit/ipv4kit.h>
#include <stdio.h>
int main(void)
{
	static const unsigned char q[] = {0x11, 0x64, 0xee, 0x9b, 0, 0, 0, 0};
	struct ipk_igmp m;
	if (ipk_igmp_parse(q, sizeof q, &m, NULL) != 0 || !m.checksum_ok || m.version != 2)
		return 1;
	printf("%s %s\n", IPK_VERSION_STRING, ipk_errname(IPK_E_IP_CHECKSUM));
	return 0;
}
C
cat > "$tmp/consumer/CMakeLists.txt" <<'C'
cmake_minimum_required(VERSION 3.16)
project(consumer C)
find_package(ipv4kit 0.1 REQUIRED)
add_executable(consumer main.c)
target_link_libraries(consumer PRIVATE ipv4kit::ipv4kit_static)
C
cmake -S "$tmp/consumer" -B "$tmp/cbuild" -DCMAKE_PREFIX_PATH="$tmp/prefix" >/dev/null
cmake --build "$tmp/cbuild" >/dev/null
out=$("$tmp/cbuild/consumer")
echo "find_package consumer: $out"
[ "$out" = "0.1.0 IP_CHECKSUM" ] || { echo "FAIL: unexpected output"; exit 1; }

pcdir=$(dirname "$(find "$tmp/prefix" -name ipv4kit.pc)")
flags=$(PKG_CONFIG_PATH="$pcdir" pkg-config --cflags --libs ipv4kit)
# shellcheck disable=SC2086
gcc -o "$tmp/pc-consumer" "$tmp/consumer/main.c" $flags -Wl,-rpath,"$(dirname "$pcdir")"
out=$("$tmp/pc-consumer")
echo "pkg-config consumer: $out"
[ "$out" = "0.1.0 IP_CHECKSUM" ] || { echo "FAIL: unexpected output"; exit 1; }
echo "1 passed, 0 failed"
