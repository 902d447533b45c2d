/* cmsg.c - IPv4 control messages: marshal and parse of msg_control buffers (IP_PKTINFO, IP_TTL, IP_TOS, IP_RECVERR; Linux cmsg(3) layout). */
#define _GNU_SOURCE /* struct in_pktinfo */
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h> /* struct timespec, used by linux/errqueue.h */

#include <linux/errqueue.h>

#include "codec/internal.h"
#include "ipv4kit/cmsg.h"

/*
 * Facts this file relies on (checked on Linux 6.18, see tests/test_cmsg.c):
 * - receive: IP_PKTINFO carries struct in_pktinfo (12 bytes), IP_TTL an int, IP_TOS one byte,
 *   IP_RECVERR a struct sock_extended_err followed by the offender's sockaddr_in;
 *   the kernel writes them in the order PKTINFO, TTL, TOS.
 * - send: ip_cmsg_send() takes IP_PKTINFO (ipi_ifindex, ipi_spec_dst; ipi_addr is ignored),
 *   IP_TTL only as an int (1..255, a byte gives EINVAL) and IP_TOS as an int or a byte.
 *   We write IP_TOS as an int, the form every kernel accepts.
 * cmsg data is copied with memcpy: a buffer handed to the parser need not be aligned.
 */

/* Error message data: the extended error and the offender address right after it. */
#define CM_ERR_LEN (sizeof(struct sock_extended_err) + sizeof(struct sockaddr_in))

size_t ipk_cm_space(unsigned flags)
{
	size_t n = 0;

	if (flags & IPK_CM_PKTINFO)
		n += CMSG_SPACE(sizeof(struct in_pktinfo));
	if (flags & IPK_CM_TTL)
		n += CMSG_SPACE(sizeof(int));
	if (flags & IPK_CM_TOS)
		n += CMSG_SPACE(sizeof(int)); /* one byte on receive; room for the int form too */
	if (flags & IPK_CM_ERR)
		n += CMSG_SPACE(CM_ERR_LEN);
	return n;
}

/* Append one cmsg (header, data, zeroed padding) at the cursor; the caller checked the room. */
static void put_cmsg(struct ipk_wbuf *w, int type, const void *data, size_t dlen)
{
	struct cmsghdr h;
	uint8_t *p = ipk_wbuf_reserve(w, CMSG_SPACE(dlen));

	memset(p, 0, CMSG_SPACE(dlen));
	memset(&h, 0, sizeof(h));
	h.cmsg_len = CMSG_LEN(dlen);
	h.cmsg_level = IPPROTO_IP;
	h.cmsg_type = type;
	memcpy(p, &h, sizeof(h));
	memcpy(p + CMSG_LEN(0), data, dlen);
}

int ipk_cm_marshal(const struct ipk_cm *cm, uint8_t *buf, size_t cap)
{
	struct ipk_wbuf w;
	size_t need = ipk_cm_space(cm->has & (IPK_CM_PKTINFO | IPK_CM_TTL | IPK_CM_TOS));

	if (need == 0)
		return 0;
	if (!buf || need > cap)
		return IPK_E_NOSPACE;
	ipk_wbuf_init(&w, buf, cap);
	if (cm->has & IPK_CM_PKTINFO) {
		struct in_pktinfo pi;
		memset(&pi, 0, sizeof(pi));
		pi.ipi_ifindex = (int)cm->ifindex;
		ipk_put32((uint8_t *)&pi.ipi_spec_dst.s_addr, cm->spec_dst);
		ipk_put32((uint8_t *)&pi.ipi_addr.s_addr, cm->dst); /* ignored by Linux on send */
		put_cmsg(&w, IP_PKTINFO, &pi, sizeof(pi));
	}
	if (cm->has & IPK_CM_TTL) {
		int v = cm->ttl;
		put_cmsg(&w, IP_TTL, &v, sizeof(v));
	}
	if (cm->has & IPK_CM_TOS) {
		int v = cm->tos;
		put_cmsg(&w, IP_TOS, &v, sizeof(v));
	}
	return (int)w.len;
}

/* One IPPROTO_IP message: data d[0..n). Short or unknown messages are skipped. */
static void parse_ip(int type, const uint8_t *d, size_t n, struct ipk_cm *cm)
{
	switch (type) {
	case IP_PKTINFO: {
		struct in_pktinfo pi;
		if (n < sizeof(pi))
			return;
		memcpy(&pi, d, sizeof(pi));
		cm->ifindex = (uint32_t)pi.ipi_ifindex;
		cm->spec_dst = ipk_be32((const uint8_t *)&pi.ipi_spec_dst.s_addr);
		cm->dst = ipk_be32((const uint8_t *)&pi.ipi_addr.s_addr);
		cm->has |= IPK_CM_PKTINFO;
		return;
	}
	case IP_TTL: /* an int from the kernel; a lone byte from other stacks */
	case IP_TOS: { /* a byte from the kernel; an int as we marshal it */
		int v;
		if (n >= sizeof(int))
			memcpy(&v, d, sizeof(v));
		else if (n == 1)
			v = d[0];
		else
			return;
		if (type == IP_TTL) {
			cm->ttl = v;
			cm->has |= IPK_CM_TTL;
		} else {
			cm->tos = (uint8_t)v;
			cm->has |= IPK_CM_TOS;
		}
		return;
	}
	case IP_RECVERR: {
		struct sock_extended_err ee;
		struct sockaddr_in off;
		if (n < sizeof(ee))
			return;
		memcpy(&ee, d, sizeof(ee));
		memset(&cm->err, 0, sizeof(cm->err));
		cm->err.err = ee.ee_errno;
		cm->err.origin = ee.ee_origin;
		cm->err.type = ee.ee_type;
		cm->err.code = ee.ee_code;
		cm->err.info = ee.ee_info;
		cm->err.data = ee.ee_data;
		/* SO_EE_OFFENDER(ee): the sockaddr right after the struct; AF_UNSPEC when none */
		if (n >= CM_ERR_LEN) {
			memcpy(&off, d + sizeof(ee), sizeof(off));
			if (off.sin_family == AF_INET) {
				cm->err.has_offender = 1;
				cm->err.offender = ipk_be32((const uint8_t *)&off.sin_addr.s_addr);
			}
		}
		cm->has |= IPK_CM_ERR;
		return;
	}
	default:
		return; /* type 0 and everything else: ignored, never a crash (Go panics on 0/0) */
	}
}

int ipk_cm_parse(const uint8_t *buf, size_t len, struct ipk_cm *cm)
{
	size_t off = 0;

	if (!buf)
		return len ? IPK_E_INVAL : 0;
	while (off < len) {
		struct cmsghdr h;
		size_t rem = len - off;
		if (rem < sizeof(h))
			return IPK_E_INVAL; /* a fragment too short for a header */
		memcpy(&h, buf + off, sizeof(h));
		if (h.cmsg_len < CMSG_LEN(0) || h.cmsg_len > rem)
			return IPK_E_INVAL;
		if (h.cmsg_level == IPPROTO_IP)
			parse_ip(h.cmsg_type, buf + off + CMSG_LEN(0), h.cmsg_len - CMSG_LEN(0), cm);
		/* next header at the aligned end; the last message may lack its padding */
		size_t step = CMSG_ALIGN(h.cmsg_len);
		if (step >= rem)
			break;
		off += step;
	}
	return 0;
}
