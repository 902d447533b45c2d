/* bytes.h - big-endian loads and stores and cursor reservation: the byte-level helpers every builder and test uses, header-only. */
#ifndef IPV4KIT_BYTES_H
#define IPV4KIT_BYTES_H

#include <string.h>

#include "common.h"

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Loads and stores of network-order (big-endian) fields at any address: they go through memcpy
 * and a byte swap, so p needs no alignment and may point into any byte buffer. The caller
 * guarantees p[0..2) or p[0..4) is inside its buffer. One instruction each on the usual targets.
 */

/* The 16-bit big-endian value at p, in host order. */
static inline uint16_t ipk_be16(const uint8_t *p)
{
	uint16_t v;
	memcpy(&v, p, 2);
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	v = __builtin_bswap16(v);
#endif
	return v;
}

/* The 32-bit big-endian value at p, in host order. */
static inline uint32_t ipk_be32(const uint8_t *p)
{
	uint32_t v;
	memcpy(&v, p, 4);
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	v = __builtin_bswap32(v);
#endif
	return v;
}

/* Store host-order v at p as 16 bits big-endian. */
static inline void ipk_put16(uint8_t *p, uint16_t v)
{
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	v = __builtin_bswap16(v);
#endif
	memcpy(p, &v, 2);
}

/* Store host-order v at p as 32 bits big-endian. */
static inline void ipk_put32(uint8_t *p, uint32_t v)
{
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	v = __builtin_bswap32(v);
#endif
	memcpy(p, &v, 4);
}

/*
 * Reserve n bytes at the cursor of w (common.h) and return where they start, advancing w->len by
 * n; the bytes are not initialised and belong to w's caller-owned buffer. Returns NULL, with w
 * unchanged, when the n bytes do not fit before w->cap: the building block of every builder's
 * "IPK_E_NOSPACE, nothing written" rule.
 */
static inline uint8_t *ipk_wbuf_reserve(struct ipk_wbuf *w, size_t n)
{
	if (w->cap < w->len || n > w->cap - w->len)
		return NULL;
	uint8_t *p = w->buf + w->len;
	w->len += n;
	return p;
}

#ifdef __cplusplus
}
#endif
#endif
