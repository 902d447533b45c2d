/* role.h - helpers the role state machines (querier.c, host.c) share: hashing, pool sizing, deadlines, times heard on the wire, and the receive path through the codec; private to src/roles. */
#ifndef IPV4KIT_ROLE_H
#define IPV4KIT_ROLE_H

#include <ipv4kit/error.h>
#include <ipv4kit/igmp.h>
#include <ipv4kit/ip4.h>

#include <string.h>

/* Mix all 32 bits into the low ones (the MurmurHash3 finalizer): addresses that differ only in
 * their high bytes (232.1.0.1, 232.2.0.1, ...) must not share a bucket. */
static inline uint32_t ipk_role_mix32(uint32_t h)
{
	h ^= h >> 16;
	h *= 0x85ebca6bu;
	h ^= h >> 13;
	h *= 0xc2b2ae35u;
	h ^= h >> 16;
	return h;
}

/* The smallest power of two >= n (at least 16): a hash table's bucket count. */
static inline uint32_t ipk_role_pow2(uint32_t n)
{
	uint32_t p = 16;
	while (p < n)
		p <<= 1;
	return p;
}

/* Deadlines are absolute ms, 0 meaning "not running": the earlier running one of a and b. */
static inline uint64_t ipk_role_min_running(uint64_t a, uint64_t b)
{
	if (!a)
		return b;
	if (!b)
		return a;
	return a < b ? a : b;
}

/* ms left until deadline (0 when due or not running), saturated to 32 bits. */
static inline uint32_t ipk_role_remaining(uint64_t deadline, uint64_t now)
{
	if (!deadline || deadline <= now)
		return 0;
	return deadline - now > UINT32_MAX ? UINT32_MAX : (uint32_t)(deadline - now);
}

/* A time heard on the wire (ms) on the machine's clock: times scale; a non-zero time stays
 * non-zero. */
static inline uint32_t ipk_role_heard_ms(double scale, uint32_t wire_ms)
{
	double v = (double)wire_ms * scale + 0.5;
	if (!wire_ms)
		return 0;
	return v < 1 ? 1 : v > 4e9 ? 4000000000u : (uint32_t)v;
}

/*
 * The receive path of a role: parse the IPv4 header (LAX) and the IGMP message with the codec.
 * Returns 0 (ip and m filled; m covers the IP payload), 1 (a datagram that is not IGMP: ignore
 * silently) or a negative IPK_E_* with *off the offset of the offending field in the datagram
 * (ip.src/dst filled as far as they were read): a header that does not parse, a total length
 * below the header, a truncated datagram, a bad header checksum (an IP stack drops it; a packet
 * socket does not), an IGMP parse error.
 */
static inline int ipk_role_rx(const uint8_t *dgram, size_t len, struct ipk_ip4 *ip, struct ipk_igmp *m,
			      size_t *off)
{
	int rc;
	*off = 0;
	memset(ip, 0, sizeof(*ip));
	rc = ipk_ip4_parse(dgram, len, IPK_IP4_LAX, ip, off);
	if (rc == 0 && ip->total_len < ip->hlen)
		rc = IPK_E_IP_TOTLEN_SHORT, *off = 2;
	else if (rc == 0 && ip->truncated)
		rc = IPK_E_IP_TRUNCATED, *off = 2;
	else if (rc == 0 && !ip->checksum_ok)
		rc = IPK_E_IP_CHECKSUM, *off = 10;
	if (rc != 0)
		return rc;
	if (ip->proto != IPK_PROTO_IGMP)
		return 1;
	rc = ipk_igmp_parse(dgram + ip->hlen, (size_t)ip->total_len - ip->hlen, m, off);
	if (rc != 0)
		*off += ip->hlen;
	return rc;
}

#endif
