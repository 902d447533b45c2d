/* internal.h - private helpers of the codec: big-endian loads and stores, cursor reservation. */
#ifndef IPK_INTERNAL_H
#define IPK_INTERNAL_H

#include <string.h>

#include "ipv4kit/common.h"
#include "ipv4kit/error.h"

static inline uint16_t ipk_be16(const uint8_t *p)
{
	return (uint16_t)((uint16_t)p[0] << 8 | p[1]);
}

static inline uint32_t ipk_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static inline void ipk_put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static inline void ipk_put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
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
