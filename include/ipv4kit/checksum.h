/* checksum.h - Internet checksum: one-shot, partial sums, RFC 1624 incremental update (RFC 1071, 1624). */
#ifndef IPV4KIT_CHECKSUM_H
#define IPV4KIT_CHECKSUM_H

#include "common.h"

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Checksum values are host-order integers equal to the big-endian 16-bit field on the wire
 * (write them with a big-endian store).
 *
 * Partial sums: ipk_csum_partial() returns an unfolded 32-bit one's complement sum of buf in
 * network byte order, added to `sum`. Sums of pieces can be added with ipk_csum_add(); a piece
 * that starts at an odd offset of the whole must be combined with ipk_csum_add_at(). The final
 * value is ipk_csum_fold(sum).
 */
IPK_API uint32_t ipk_csum_partial(const void *buf, size_t len, uint32_t sum);

/* One's complement add of two partial sums. */
IPK_API uint32_t ipk_csum_add(uint32_t a, uint32_t b);

/* Add partial sum b of a piece that starts at byte offset `offset` of the whole message. */
IPK_API uint32_t ipk_csum_add_at(uint32_t a, uint32_t b, size_t offset);

/* Fold a partial sum to 16 bits and complement it: the value to store in a checksum field. */
IPK_API uint16_t ipk_csum_fold(uint32_t sum);

/* Checksum of buf[0..len): ipk_csum_fold(ipk_csum_partial(buf, len, 0)). Verifying a buffer
 * that includes its checksum field gives 0. */
IPK_API uint16_t ipk_csum(const void *buf, size_t len);

/* The value a checksum field should carry: buf[0..len) is the covered data with the field as it is
 * (holding `stored`), sum an initial partial sum (0, or ipk_csum_pseudo() for UDP/TCP). For
 * "bad checksum X (should be Y)" reports without copying the data to zero the field. */
IPK_API uint16_t ipk_csum_expected(const void *buf, size_t len, uint32_t sum, uint16_t stored);

/* Partial sum of the TCP/UDP pseudo-header (src, dst host order; proto; upper-layer length). */
IPK_API uint32_t ipk_csum_pseudo(uint32_t src, uint32_t dst, uint8_t proto, uint16_t len);

/* RFC 1624 eqn 3 incremental update: checksum field `csum` after a 16-bit field changed from
 * old to new (all host order). Matches full recomputation, including the 0x0000/0xFFFF case. */
IPK_API uint16_t ipk_csum_update16(uint16_t csum, uint16_t old, uint16_t new_);

/* Same for a 32-bit field (an address). */
IPK_API uint16_t ipk_csum_update32(uint16_t csum, uint32_t old, uint32_t new_);

#ifdef __cplusplus
}
#endif
#endif
