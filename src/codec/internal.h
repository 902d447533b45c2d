/* internal.h - private helpers of the codec: big-endian loads and stores, cursor reservation. */
#ifndef IPK_INTERNAL_H
#define IPK_INTERNAL_H

#include <string.h>

#include "ipv4kit/common.h"
#include "ipv4kit/error.h"

/* Loads and stores through memcpy and a byte swap: one instruction each on the usual targets,
 * no alignment or aliasing assumptions. */
static inline uint16_t ipk_be16(const uint8_t *p)
{
	uint16_t v;
	memcpy(&v, p, 2);
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	v = __builtin_bswap16(v);
#endif
	return v;
}

static inline uint32_t ipk_be32(const uint8_t *p)
{
	uint32_t v;
	memcpy(&v, p, 4);
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	v = __builtin_bswap32(v);
#endif
	return v;
}

static inline void ipk_put16(uint8_t *p, uint16_t v)
{
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	v = __builtin_bswap16(v);
#endif
	memcpy(p, &v, 2);
}

static inline void ipk_put32(uint8_t *p, uint32_t v)
{
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	v = __builtin_bswap32(v);
#endif
	memcpy(p, &v, 4);
}

/* Reserve n bytes at the cursor; NULL (nothing reserved) when they do not fit. */
static inline uint8_t *ipk_wbuf_reserve(struct ipk_wbuf *w, size_t n)
{
	if (w->cap < w->len || n > w->cap - w->len)
		return NULL;
	uint8_t *p = w->buf + w->len;
	w->len += n;
	return p;
}

#endif
