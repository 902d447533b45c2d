/* checksum.c - Internet checksum: 64-bit one-shot and partial sums, RFC 1624 incremental update
 * (RFC 1071, 1141, 1624). */
#include "codec/csum_inline.h"
#include "codec/internal.h"
#include "ipv4kit/checksum.h"

/*
 * The sum is byte-order independent (RFC 1071 2(B)): we add native 64-bit words with end-around
 * carry, fold to 16 bits and byte-swap once at the end on little-endian hosts. Loads go through
 * memcpy, so any alignment is fine and there is no aliasing UB; compilers turn them into plain
 * unaligned loads.
 */

#if defined(__BYTE_ORDER__) && defined(__ORDER_BIG_ENDIAN__) && \
    __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
#define CSUM_BE 1
#else
#define CSUM_BE 0
#endif

static inline uint64_t ld64(const uint8_t *p)
{
	uint64_t v;
	memcpy(&v, p, 8);
	return v;
}

static inline uint32_t ld32(const uint8_t *p)
{
	uint32_t v;
	memcpy(&v, p, 4);
	return v;
}

/* One's complement 64-bit add: compilers emit add + adc. */
static inline uint64_t add64(uint64_t a, uint64_t b)
{
#if defined(__GNUC__)
	uint64_t r;
	unsigned c = __builtin_add_overflow(a, b, &r);
	return r + c;
#else
	a += b;
	return a + (a < b);
#endif
}

/* Fold a native 64-bit one's complement sum to 16 bits in network order. */
static inline uint32_t fold64(uint64_t s)
{
	uint32_t t = ipk_csum_fold64_inl(s);
#if !CSUM_BE
	t = ((t & 0xffu) << 8) | (t >> 8);
#endif
	return t;
}

static inline uint32_t add32(uint32_t a, uint32_t b)
{
	a += b;
	return a + (a < b);
}

/* Native sum of p[0..len), any length; the last 1..7 bytes are zero-padded. */
static uint64_t sum_native(const uint8_t *p, size_t len)
{
	uint64_t s0 = 0, s1 = 0, s2 = 0, s3 = 0;

	while (len >= 64) {
		s0 = add64(s0, ld64(p));
		s1 = add64(s1, ld64(p + 8));
		s2 = add64(s2, ld64(p + 16));
		s3 = add64(s3, ld64(p + 24));
		s0 = add64(s0, ld64(p + 32));
		s1 = add64(s1, ld64(p + 40));
		s2 = add64(s2, ld64(p + 48));
		s3 = add64(s3, ld64(p + 56));
		p += 64;
		len -= 64;
	}
	if (len >= 32) {
		s0 = add64(s0, ld64(p));
		s1 = add64(s1, ld64(p + 8));
		s2 = add64(s2, ld64(p + 16));
		s3 = add64(s3, ld64(p + 24));
		p += 32;
		len -= 32;
	}
	if (len >= 16) {
		s0 = add64(s0, ld64(p));
		s1 = add64(s1, ld64(p + 8));
		p += 16;
		len -= 16;
	}
	if (len >= 8) {
		s2 = add64(s2, ld64(p));
		p += 8;
		len -= 8;
	}
	if (len) {
		uint64_t t = 0;
		memcpy(&t, p, len);
		s3 = add64(s3, t);
	}
	return add64(add64(s0, s1), add64(s2, s3));
}

/* Header sizes are the hot case: 20 (no options) and 24 (Router Alert), summed as the 32-bit
 * words ip4.c sums inline (csum_inline.h). */
static inline uint64_t sum_any(const uint8_t *p, size_t len)
{
	if (len == 20)
		return ipk_csum_sum20_native(p);
	if (len == 24)
		return ipk_csum_sum20_native(p) + ld32(p + 20);
	return sum_native(p, len);
}

uint32_t ipk_csum_partial(const void *buf, size_t len, uint32_t sum)
{
	return add32(sum, fold64(sum_any(buf, len)));
}

uint32_t ipk_csum_add(uint32_t a, uint32_t b)
{
	return add32(a, b);
}

uint32_t ipk_csum_add_at(uint32_t a, uint32_t b, size_t offset)
{
	/* A piece at an odd offset has its bytes in the other halves of the 16-bit words:
	 * rotating a 32-bit sum by 8 bits is a byte swap modulo 0xffff (Linux csum_block_add). */
	if (offset & 1)
		b = (b >> 8) | (b << 24);
	return add32(a, b);
}

uint16_t ipk_csum_fold(uint32_t sum)
{
	sum = (sum & 0xffffu) + (sum >> 16);
	sum = (sum & 0xffffu) + (sum >> 16);
	return (uint16_t)~sum;
}

uint16_t ipk_csum(const void *buf, size_t len)
{
	return (uint16_t)~fold64(sum_any(buf, len));
}

uint32_t ipk_csum_pseudo(uint32_t src, uint32_t dst, uint8_t proto, uint16_t len)
{
	/* At most 6 terms below 0x10000: no carry out of 32 bits. */
	return (src >> 16) + (src & 0xffffu) + (dst >> 16) + (dst & 0xffffu) + proto + len;
}

/* The stored value is taken back out of the sum by adding its complement (RFC 1071). */
uint16_t ipk_csum_expected(const void *buf, size_t len, uint32_t sum, uint16_t stored)
{
	return ipk_csum_fold(ipk_csum_add(ipk_csum_partial(buf, len, sum), (uint16_t)~stored));
}

/* RFC 1624 eqn 3: HC' = ~(~HC + ~m + m'), in one's complement arithmetic. */
uint16_t ipk_csum_update16(uint16_t csum, uint16_t old, uint16_t new_)
{
	return ipk_csum_fold((uint16_t)~csum + ipk_csum_upd16_terms(old, new_));
}

uint16_t ipk_csum_update32(uint16_t csum, uint32_t old, uint32_t new_)
{
	return ipk_csum_fold((uint16_t)~csum + ipk_csum_upd32_terms(old, new_));
}
