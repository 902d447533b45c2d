/* igmp_dgram.h - test helper: wrap an IGMP message in the IPv4 header IGMP needs, with the wrong fields a test asks for (the querier and host role tests share it). */
#ifndef IPK_TEST_IGMP_DGRAM_H
#define IPK_TEST_IGMP_DGRAM_H

#include <stdint.h>
#include <string.h>

#include "ipv4kit/igmp.h"
#include "ipv4kit/ip4.h"

/*
 * The message at buf + IPK_IGMP_HDRROOM (msglen bytes, at most 1500) gets the default header
 * from src (ipk_igmp_ip4_defaults), then what the test wants: ttl (0 keeps 1), ra (0 strips
 * Router Alert), dst (0 keeps the default). The datagram starts at buf; returns its length, 0
 * when it does not fit in cap.
 */
static inline size_t igmp_dgram(uint8_t *buf, size_t cap, size_t msglen, uint32_t src, uint8_t ttl,
				int ra, uint32_t dst)
{
	struct ipk_ip4 h;
	static const uint8_t none[1];
	uint8_t msg[1500];
	int n;
	if (msglen > sizeof(msg))
		return 0;
	memcpy(msg, buf + IPK_IGMP_HDRROOM, msglen);
	ipk_igmp_ip4_defaults(msg, msglen, src, &h);
	if (ttl)
		h.ttl = ttl;
	if (!ra) {
		h.opts = none;
		h.opts_len = 0;
	}
	if (dst)
		h.dst = dst;
	n = ipk_ip4_marshal(&h, msglen, 0, buf, cap);
	if (n < 20 || (size_t)n + msglen > cap)
		return 0;
	memcpy(buf + n, msg, msglen);
	return (size_t)n + msglen;
}

#endif
