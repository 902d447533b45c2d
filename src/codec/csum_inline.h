/* csum_inline.h - private inline fold of the Internet checksum for fixed-size headers built or read as 32-bit words (RFC 1071). */
#ifndef IPK_CSUM_INLINE_H
#define IPK_CSUM_INLINE_H

#include <stdint.h>
#include <string.h>

/*
 * Fold a one's complement sum held in 64 bits to 16 bits, not complemented. s is either a plain
 * sum of at most 2^32 32-bit words (no overflow) or an end-around-carry 64-bit sum (checksum.c).
 * The words may be in either byte order (RFC 1071 2(B)): the result is in the same order. The
 * result is 0 only when s is 0; a header that sums correctly folds to 0xffff. Two rotate-adds:
 * the high half of s + ror(s, 32) is the end-around-carry sum of the halves (as Linux csum_fold).
 */
static inline uint32_t ipk_csum_fold64_inl(uint64_t s)
{
	uint32_t t = (uint32_t)((s + (s >> 32 | s << 32)) >> 32);

	return (t + (t >> 16 | t << 16)) >> 16;
}

/* Checksum field value (complemented, same byte order as the words) of a header given as five
 * or six 32-bit words: the 20-byte IPv4 header, or 24 bytes with a 4-byte option. */
static inline uint16_t ipk_csum_words5(uint32_t w0, uint32_t w1, uint32_t w2, uint32_t w3,
				       uint32_t w4)
{
	return (uint16_t)~ipk_csum_fold64_inl((uint64_t)w0 + w1 + w2 + w3 + w4);
}

static inline uint16_t ipk_csum_words6(uint32_t w0, uint32_t w1, uint32_t w2, uint32_t w3,
				       uint32_t w4, uint32_t w5)
{
	return (uint16_t)~ipk_csum_fold64_inl((uint64_t)w0 + w1 + w2 + w3 + w4 + w5);
}

/* Plain 64-bit sum of the five native-order 32-bit words at p[0..20) (memcpy loads). */
static inline uint64_t ipk_csum_sum20_native(const uint8_t *p)
{
	uint32_t a, b, c, d, e;

	memcpy(&a, p, 4);
	memcpy(&b, p + 4, 4);
	memcpy(&c, p + 8, 4);
	memcpy(&d, p + 12, 4);
	memcpy(&e, p + 16, 4);
	return (uint64_t)a + b + c + d + e;
}

/*
 * RFC 1624 eqn 3, HC' = ~(~HC + ~m + m'), as terms of one sum: start from (uint16_t)~HC, add the
 * terms of each changed field, end with (uint16_t)~ipk_csum_fold64_inl(sum). Folding once gives
 * what folding after every field gives (a fold keeps the sum modulo 0xffff and is 0 only for a
 * zero sum); ipk_csum_update16/32 are the one-field case.
 */
static inline uint32_t ipk_csum_upd16_terms(uint16_t old, uint16_t new_)
{
	return (uint32_t)(uint16_t)~old + new_;
}

static inline uint32_t ipk_csum_upd32_terms(uint32_t old, uint32_t new_)
{
	return (uint32_t)(uint16_t) ~(old >> 16) + (uint16_t)~old + (new_ >> 16) + (new_ & 0xffffu);
}

#endif
