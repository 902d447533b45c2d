/* common.h - export macros, the write cursor and the finding record shared by every codec module. */
#ifndef IPV4KIT_COMMON_H
#define IPV4KIT_COMMON_H

#include <stddef.h>
#include <stdint.h>

#if defined(_WIN32)
#define IPK_API __declspec(dllexport)
#elif defined(__GNUC__)
#define IPK_API __attribute__((visibility("default")))
#else
#define IPK_API
#endif

#if defined(__GNUC__)
#define IPK_WARN_UNUSED_RESULT __attribute__((warn_unused_result))
#define IPK_NONNULL(...) __attribute__((nonnull(__VA_ARGS__)))
#else
#define IPK_WARN_UNUSED_RESULT
#define IPK_NONNULL(...)
#endif

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Write cursor over a caller-owned buffer (libmnl style). Every builder appends at buf + len and
 * fails with IPK_E_NOSPACE, writing nothing, when the bytes would pass cap.
 */
struct ipk_wbuf {
	uint8_t *buf;
	size_t cap;
	size_t len;
};

/* Start a cursor over buf[0..cap). */
static inline void ipk_wbuf_init(struct ipk_wbuf *w, uint8_t *buf, size_t cap)
{
	w->buf = buf;
	w->cap = cap;
	w->len = 0;
}

/* Protocol layer a finding belongs to. */
enum ipk_layer {
	IPK_LAYER_LINK = 0,
	IPK_LAYER_IPV4 = 1,
	IPK_LAYER_IGMP = 2,
	IPK_LAYER_UDP = 3,
	IPK_LAYER_TCP = 4,
	IPK_LAYER_ICMP = 5,
};

/* Name of a layer as used in JSON ("link", "ipv4", "igmp", "udp", "tcp", "icmp"). */
IPK_API const char *ipk_layer_name(int layer);

/*
 * One problem found in a packet: an error (the parser stopped) or a protocol finding (the packet was
 * still decoded). code is an ipk_err value; offset is the byte offset of the offending field, counted
 * from the start of the buffer handed to the function that reports it (whole-packet decode: from the
 * start of the frame).
 */
struct ipk_finding {
	int16_t code;
	uint8_t layer;
	uint8_t pad_;
	uint32_t offset;
};

/* A bounded list of findings, filled by the check functions. Extra findings past cap are counted
 * in `dropped` so nothing is lost silently.
 * Functions that take a struct ipk_findings * only append to it and never clear it, so the
 * caller zeroes it before the first call (`struct ipk_findings f = {0};` or memset) and may
 * collect the findings of several calls in one list: ipk_ip4_check(), ipk_igmp_check(),
 * ipk_opt_validate() and ipk_reasm_add(). ipk_packet_decode() is the exception: it clears the
 * list inside struct ipk_packet itself. See docs/conventions.md. */
#define IPK_MAX_FINDINGS 16
struct ipk_findings {
	struct ipk_finding v[IPK_MAX_FINDINGS];
	uint8_t n;
	uint8_t dropped;
};

/* Append a finding; never fails (counts overflow in f->dropped). */
static inline void ipk_findings_add(struct ipk_findings *f, int code, int layer, size_t offset)
{
	if (f->n < IPK_MAX_FINDINGS) {
		struct ipk_finding *x = &f->v[f->n++];
		x->code = (int16_t)code;
		x->layer = (uint8_t)layer;
		x->pad_ = 0;
		x->offset = (uint32_t)offset;
	} else if (f->dropped < 255) {
		f->dropped++;
	}
}

#ifdef __cplusplus
}
#endif
#endif
