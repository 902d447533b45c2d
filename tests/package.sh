#!/usr/bin/env bash
# package.sh - install to a prefix other than the configured one, then build consumers with pkg-config (ipv4kit, ipv4kit-codec) and find_package; the codec alone needs no libpcap.
# Args: $1 tool path (unused), $2 source dir.
set -eu
src=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
pass=0

# Configured for /opt/ipv4kit-elsewhere, installed somewhere else: nothing installed may name the
# configured prefix, and every consumer below must still build and run.
configured=/opt/ipv4kit-elsewhere
cmake -S "$src" -B "$tmp/build" -DCMAKE_BUILD_TYPE=Release -DIPK_BUILD_TESTS=OFF -DIPK_BUILD_TOOLS=OFF \
	-DCMAKE_INSTALL_PREFIX=$configured >/dev/null
cmake --build "$tmp/build" -j2 >/dev/null
prefix=$tmp/prefix
cmake --install "$tmp/build" --prefix "$prefix" >/dev/null
[ ! -e $configured ] || fail "$configured was written"
if grep -rl "$configured" "$prefix"; then fail "installed files above name the configured prefix"; fi
pass=$((pass + 1))

# Every part is a shared library exporting only ipk_ symbols.
libdir=$(dirname "$(find "$prefix" -name libipv4kit_codec.so)")
for part in codec sock pcap roles mutate; do
	so=$libdir/libipv4kit_$part.so
	[ -e "$so" ] || fail "$so not installed"
	[ -e "$libdir/libipv4kit_$part.a" ] || fail "libipv4kit_$part.a not installed"
	syms=$(nm -D --defined-only "$so" | awk '$2 ~ /[TDBR]/ {print $3}')
	[ -n "$syms" ] || fail "$so exports nothing"
	bad=$(echo "$syms" | grep -v '^ipk_' || true)
	[ -z "$bad" ] || fail "$so exports symbols without the ipk_ prefix: $bad"
done
# Only the capture harness links libpcap; the querier role and the mutator link the codec only.
for part in roles mutate; do
	if readelf -d "$libdir/libipv4kit_$part.so" | grep NEEDED | grep -E 'pcap|ipv4kit_(sock|pcap|roles)'; then
		fail "libipv4kit_$part.so links more than the codec"
	fi
done
for part in codec sock roles mutate; do
	if readelf -d "$libdir/libipv4kit_$part.so" | grep NEEDED | grep -q pcap; then
		fail "libipv4kit_$part.so links libpcap"
	fi
done
pass=$((pass + 1))

# No installed header pulls in libpcap's or Linux's headers: list what ipv4kit.h includes.
mkdir -p "$tmp/c"
printf '#include <ipv4kit/ipv4kit.h>\n' > "$tmp/c/all.c"
deps=$(gcc -M -I"$prefix/include" "$tmp/c/all.c")
if echo "$deps" | tr ' ' '\n' | grep -E '(^|/)pcap(/|\.h)|/linux/'; then
	fail "public headers include the files above"
fi
pass=$((pass + 1))

# A codec-only program: the codec and formatter headers, ipv4kit-codec's flags only.
cat > "$tmp/c/codec.c" <<'C'
#include <ipv4kit/bytes.h>
#include <ipv4kit/error.h>
#include <ipv4kit/fmt.h>
#include <ipv4kit/igmp.h>
#include <ipv4kit/packet.h>
#include <ipv4kit/version.h>
#include <stdio.h>
int main(void)
{
	static const unsigned char q[] = {0x11, 0x64, 0xee, 0x9b, 0, 0, 0, 0};
	struct ipk_igmp m;
	if (ipk_igmp_parse(q, sizeof q, &m, NULL) != 0 || !m.checksum_ok || m.version != 2 ||
	    ipk_be16(q + 2) != 0xee9b)
		return 1;
	printf("%s %s\n", IPK_VERSION_STRING, ipk_errname(IPK_E_IP_CHECKSUM));
	return 0;
}
C
export PKG_CONFIG_PATH=$libdir/pkgconfig
cflags=$(pkg-config --cflags ipv4kit-codec)
libs=$(pkg-config --libs ipv4kit-codec)
slibs=$(pkg-config --static --libs ipv4kit-codec)
case "$cflags $libs $slibs" in *pcap*) fail "ipv4kit-codec flags mention pcap: $cflags $libs $slibs" ;; esac
inc=$(echo "$cflags" | sed -n 's/^-I\([^ ]*\).*/\1/p')
[ -n "$inc" ] && [ "$(realpath "$inc")" = "$(realpath "$prefix/include")" ] ||
	fail "ipv4kit-codec cflags do not point at $prefix/include: $cflags"
deps=$(gcc -M $cflags "$tmp/c/codec.c")
if echo "$deps" | tr ' ' '\n' | grep -E '(^|/)pcap(/|\.h)|/linux/'; then fail "codec headers include the files above"; fi
# shellcheck disable=SC2086
gcc -o "$tmp/codec" "$tmp/c/codec.c" $cflags $libs -Wl,-rpath,"$libdir"
if ldd "$tmp/codec" | grep -E 'pcap|ipv4kit_(sock|pcap)'; then fail "codec consumer loads the above"; fi
out=$("$tmp/codec")
[ "$out" = "0.1.0 IP_CHECKSUM" ] || fail "codec consumer printed '$out'"
# shellcheck disable=SC2086
gcc -o "$tmp/codec-static" "$tmp/c/codec.c" $cflags "$libdir/libipv4kit_codec.a"
out=$("$tmp/codec-static")
[ "$out" = "0.1.0 IP_CHECKSUM" ] || fail "static codec consumer printed '$out'"
echo "pkg-config ipv4kit-codec consumer (shared and static, no libpcap): $out"
pass=$((pass + 1))

# A program using every part (codec, socket core, capture harness) through the umbrella.
cat > "$tmp/c/all.c" <<'C'
#include <ipv4kit/ipv4kit.h>
#include <stdio.h>
int main(void)
{
	static const unsigned char q[] = {0x11, 0x64, 0xee, 0x9b, 0, 0, 0, 0};
	struct ipk_igmp m;
	struct ipk_bpf_insn prog[64];
	size_t n;
	if (ipk_igmp_parse(q, sizeof q, &m, NULL) != 0 || !m.checksum_ok || m.version != 2)
		return 1;
	if (ipk_bpf_compile("igmp", IPK_BPF_DLT_RAW, prog, 64, &n, NULL, 0) != 0 || n < 2)
		return 2;
	if (ipk_bpf_netoff(prog, n) != 0)
		return 3;
	printf("%s %s\n", IPK_VERSION_STRING, ipk_errname(IPK_E_IP_CHECKSUM));
	return 0;
}
C
flags=$(pkg-config --cflags --libs ipv4kit)
# shellcheck disable=SC2086
gcc -o "$tmp/all" "$tmp/c/all.c" $flags -Wl,-rpath,"$libdir"
out=$("$tmp/all")
[ "$out" = "0.1.0 IP_CHECKSUM" ] || fail "pkg-config ipv4kit consumer printed '$out'"
echo "pkg-config ipv4kit consumer: $out"
pass=$((pass + 1))

# find_package: the umbrella shared and static, and the codec alone.
cat > "$tmp/c/CMakeLists.txt" <<'C'
cmake_minimum_required(VERSION 3.16)
project(consumer C)
find_package(ipv4kit 0.1 REQUIRED)
add_executable(whole all.c)
target_link_libraries(whole PRIVATE ipv4kit::ipv4kit)
add_executable(whole_static all.c)
target_link_libraries(whole_static PRIVATE ipv4kit::ipv4kit_static)
add_executable(codec codec.c)
target_link_libraries(codec PRIVATE ipv4kit::ipv4kit_codec_static)
C
cmake -S "$tmp/c" -B "$tmp/cbuild" -DCMAKE_PREFIX_PATH="$prefix" >/dev/null
cmake --build "$tmp/cbuild" >/dev/null
for b in whole whole_static codec; do
	out=$("$tmp/cbuild/$b")
	[ "$out" = "0.1.0 IP_CHECKSUM" ] || fail "find_package consumer $b printed '$out'"
done
if ldd "$tmp/cbuild/codec" | grep pcap; then fail "find_package codec consumer loads libpcap"; fi
echo "find_package consumers (ipv4kit, ipv4kit_static, ipv4kit_codec_static): $out"
pass=$((pass + 1))
echo "$pass passed, 0 failed"
