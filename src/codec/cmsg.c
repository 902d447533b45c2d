/* cmsg.c - IPv4 control messages: marshal and parse of msg_control buffers (IP_PKTINFO, IP_TTL, IP_TOS, IP_RECVERR) in Linux's layout, from the codec's own definitions. */
#define _DEFAULT_SOURCE /* CMSG_SPACE, CMSG_LEN in sys/socket.h */
#include <string.h>
#include <sys/socket.h>

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
 * The message framing (struct cmsghdr, CMSG_LEN, CMSG_SPACE) is POSIX's; the IPPROTO_IP message
 * types and their data layouts are Linux's, written out below (cmsg.h documents them) so that no
 * Linux header is needed. cmsg data is copied with memcpy: a buffer handed to the parser need not
 * be aligned.
 */

/* Linux's IPPROTO_IP (0) message types (linux/in.h). */
#define CM_LEVEL_IP 0
#define CM_IP_TOS 1
#define CM_IP_TTL 2
#define CM_IP_PKTINFO 8
#define CM_IP_RECVERR 11

/* struct in_pktinfo: int ipi_ifindex (host order), ipi_spec_dst, ipi_addr (network order). */
#define CM_PKTINFO_LEN 12
/* struct sock_extended_err (linux/errqueue.h), host order: u32 ee_errno, u8 ee_origin, u8 ee_type,
 * u8 ee_code, u8 ee_pad, u32 ee_info, u32 ee_data. */
#define CM_EE_LEN 16
/* struct sockaddr_in: u16 sin_family (host order), sin_port, sin_addr (network order), 8 zero bytes. */
#define CM_SIN_LEN 16
#define CM_AF_INET 2 /* Linux's AF_INET */

/* Error message data: the extended error and the offender address right after it. */
#define CM_ERR_LEN (CM_EE_LEN + CM_SIN_LEN)

size_t ipk_cm_space(unsigned flags)
{
	size_t n = 0;

	if (flags & IPK_CM_PKTINFO)
		n += CMSG_SPACE(CM_PKTINFO_LEN);
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

	if (!p)
		return;
	memset(p, 0, CMSG_SPACE(dlen));
	memset(&h, 0, sizeof(h));
	h.cmsg_len = CMSG_LEN(dlen);
	h.cmsg_level = CM_LEVEL_IP;
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
		uint8_t pi[CM_PKTINFO_LEN];
		int ifindex = (int)cm->ifindex;
		memcpy(pi, &ifindex, 4);
		ipk_put32(pi + 4, cm->spec_dst);
		ipk_put32(pi + 8, cm->dst); /* ignored by Linux on send */
		put_cmsg(&w, CM_IP_PKTINFO, pi, sizeof(pi));
	}
	if (cm->has & IPK_CM_TTL) {
		int v = cm->ttl;
		put_cmsg(&w, CM_IP_TTL, &v, sizeof(v));
	}
	if (cm->has & IPK_CM_TOS) {
		int v = cm->tos;
		put_cmsg(&w, CM_IP_TOS, &v, sizeof(v));
	}
	return (int)w.len;
}

/* One IPPROTO_IP message: data d[0..n). Short or unknown messages are skipped. */
static void parse_ip(int type, const uint8_t *d, size_t n, struct ipk_cm *cm)
{
	switch (type) {
	case CM_IP_PKTINFO: {
		int ifindex;
		if (n < CM_PKTINFO_LEN)
			return;
		memcpy(&ifindex, d, 4);
		cm->ifindex = (uint32_t)ifindex;
		cm->spec_dst = ipk_be32(d + 4);
		cm->dst = ipk_be32(d + 8);
		cm->has |= IPK_CM_PKTINFO;
		return;
	}
	case CM_IP_TTL: /* an int from the kernel; a lone byte from other stacks */
	case CM_IP_TOS: { /* a byte from the kernel; an int as we marshal it */
		int v;
		if (n >= sizeof(int))
			memcpy(&v, d, sizeof(v));
		else if (n == 1)
			v = d[0];
		else
			return;
		if (type == CM_IP_TTL) {
			cm->ttl = v;
			cm->has |= IPK_CM_TTL;
		} else {
			cm->tos = (uint8_t)v;
			cm->has |= IPK_CM_TOS;
		}
		return;
	}
	case CM_IP_RECVERR: {
		uint32_t u32;
		if (n < CM_EE_LEN)
			return;
		memset(&cm->err, 0, sizeof(cm->err));
		memcpy(&u32, d, 4);
		cm->err.err = u32;
		cm->err.origin = d[4];
		cm->err.type = d[5];
		cm->err.code = d[6];
		memcpy(&cm->err.info, d + 8, 4);
		memcpy(&cm->err.data, d + 12, 4);
		/* SO_EE_OFFENDER(ee): the sockaddr right after the struct; AF_UNSPEC when none */
		if (n >= CM_ERR_LEN) {
			uint16_t family;
			memcpy(&family, d + CM_EE_LEN, 2);
			if (family == CM_AF_INET) {
				cm->err.has_offender = 1;
				cm->err.offender = ipk_be32(d + CM_EE_LEN + 4);
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
			return IPK_CM_TRUNCATED; /* a tail too short for a header: keep what parsed */
		memcpy(&h, buf + off, sizeof(h));
		if (h.cmsg_len < CMSG_LEN(0))
			return IPK_E_INVAL;
		if (h.cmsg_len > rem)
			return IPK_CM_TRUNCATED; /* the buffer ends inside this message */
		if (h.cmsg_level == CM_LEVEL_IP)
			parse_ip(h.cmsg_type, buf + off + CMSG_LEN(0), h.cmsg_len - CMSG_LEN(0), cm);
		/* next header at the aligned end; the last message may lack its padding */
		size_t step = CMSG_SPACE(h.cmsg_len - CMSG_LEN(0));
		if (step >= rem)
			break;
		off += step;
	}
	return 0;
}
