/* fuzz_packet.c - fuzz harness: whole-packet decode of every link type, all three output styles, header round trip. */
#include <stdlib.h>
#include <string.h>

#include "ipv4kit/ipv4kit.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const int dlts[] = {IPK_DLT_RAW,        IPK_DLT_EN10MB,     IPK_DLT_IPV4, IPK_DLT_LINUX_SLL,
			   IPK_DLT_LINUX_SLL2, IPK_DLT_NULL,       IPK_DLT_LOOP, IPK_DLT_LINKTYPE_RAW};

/*
 * Byte 0: bits 0-2 pick the link type, bit 7 says the capture was cut (wire length 1500 bytes
 * longer than the frame); the rest is the frame.
 */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	int dlt = dlts[data[0] % (sizeof(dlts) / sizeof(dlts[0]))];
	const uint8_t *frame = data + 1;
	size_t len = size - 1;

	struct ipk_packet p;
	ipk_packet_decode(dlt, frame, len, data[0] & 0x80 ? len + 1500 : len, &p);
	for (unsigned i = 0; i < p.findings.n; i++)
		if (p.findings.v[i].offset > len)
			abort(); /* offsets point into the frame (or at its end: "missing from here") */

	/* IPK_FMT_MAX suffices for ordinary packets; IPK_FMT_HUGE always does (fmt.h). */
	static char small[IPK_FMT_MAX], big[IPK_FMT_HUGE];
	struct ipk_fmt_meta m = {1, 0, 0};
	for (int style = IPK_FMT_TEXT; style <= IPK_FMT_JSON; style++) {
		char *out = small;
		int n = ipk_fmt_packet(&p, &m, style, small, sizeof(small));
		if (n == IPK_E_NOSPACE)
			n = ipk_fmt_packet(&p, &m, style, out = big, sizeof(big));
		if (n <= 0 || (size_t)n > sizeof(big))
			abort();
		/* text and JSON are one line each; no style writes a NUL */
		char *nl = memchr(out, '\n', (size_t)n);
		if (!nl || memchr(out, 0, (size_t)n) || (style != IPK_FMT_VERBOSE && nl != out + n - 1) ||
		    out[n - 1] != '\n')
			abort();
	}

	/* A header that passes strict validation must marshal back to the same bytes. */
	if (p.has_ip4) {
		const uint8_t *ip = frame + p.ip_off;
		size_t iplen = len - p.ip_off;
		struct ipk_ip4 h;
		if (ipk_ip4_parse(ip, iplen, IPK_IP4_STRICT, &h, NULL) == 0) {
			uint8_t buf[IPK_IP4_MAXLEN];
			int n = ipk_ip4_marshal(&h, (size_t)(h.total_len - h.hlen), 0, buf, sizeof(buf));
			if (n != h.hlen || memcmp(buf, ip, 10) != 0 || memcmp(buf + 12, ip + 12, h.hlen - 12))
				abort();
			/* checksums 0x0000 and 0xffff both verify when the rest sums to 0xffff */
			if (memcmp(buf + 10, ip + 10, 2) != 0 && !(h.checksum == 0xffff && !buf[10] && !buf[11]))
				abort();
		}
	}
	return 0;
}
