/* cmsg.h - IPv4 control messages (ancillary data): pure marshal and parse of cmsg buffers (IP_PKTINFO, IP_TTL, IP_TOS, IP_RECVERR). */
#ifndef IPV4KIT_CMSG_H
#define IPV4KIT_CMSG_H

#include "common.h"

#ifdef __cplusplus
extern "C" {
#endif

/*
 * The buffers are what Linux's recvmsg/sendmsg use: POSIX cmsg framing (struct cmsghdr, padded
 * to CMSG_SPACE) and, at level IPPROTO_IP (0), Linux's message types and data layouts, which the
 * codec defines itself (it includes no Linux header, so it builds on any POSIX system):
 *   IP_TOS (1): one byte (receive) or an int (send), IP_TTL (2): an int,
 *   IP_PKTINFO (8): int ifindex (host order), spec_dst, addr (4 bytes each, network order),
 *   IP_RECVERR (11): u32 errno, u8 origin, u8 type, u8 code, u8 pad, u32 info, u32 data (host
 *   order; struct sock_extended_err), then the offender as a struct sockaddr_in (u16 family in
 *   host order, AF_INET 2 or 0 for none; the address at bytes 4..8, network order).
 */

/* Which control messages to ask for (ipk_sock_set_cm) or which are present (ipk_cm.has). */
#define IPK_CM_TTL 0x01     /* received TTL: IP_RECVTTL, cmsg IP_TTL (int) */
#define IPK_CM_TOS 0x02     /* received TOS: IP_RECVTOS, cmsg IP_TOS (byte) */
#define IPK_CM_PKTINFO 0x04 /* destination, interface: IP_PKTINFO, cmsg in_pktinfo */
#define IPK_CM_ERR 0x08     /* extended error from the error queue: IP_RECVERR */
#define IPK_CM_ALL 0x0f

/* origin values of ipk_sock_err (linux/errqueue.h SO_EE_ORIGIN_*) */
#define IPK_EE_ORIGIN_LOCAL 1
#define IPK_EE_ORIGIN_ICMP 2

/* An extended socket error (struct sock_extended_err + offender), host order. */
struct ipk_sock_err {
	uint32_t err;        /* errno value, e.g. ECONNREFUSED */
	uint8_t origin;      /* IPK_EE_ORIGIN_* */
	uint8_t type;        /* ICMP type when origin is ICMP */
	uint8_t code;        /* ICMP code */
	uint8_t has_offender;
	uint32_t info;       /* e.g. MTU for fragmentation needed */
	uint32_t data;
	uint32_t offender;   /* address of the node that sent the ICMP error */
};

/*
 * One control message set, host order. Receive: parse fills the fields it finds and sets their
 * IPK_CM_* bits in has; src is the datagram's source (from msg_name, filled by the socket layer,
 * not a cmsg). Send: marshal writes IP_PKTINFO when (has & IPK_CM_PKTINFO) (ifindex and spec_dst
 * select interface and source address), IP_TTL when (has & IPK_CM_TTL) and IP_TOS when
 * (has & IPK_CM_TOS).
 */
struct ipk_cm {
	unsigned has;
	int ttl;
	uint8_t tos;
	uint32_t ifindex;    /* ipi_ifindex */
	uint32_t dst;        /* ipi_addr: the header destination of a received datagram */
	uint32_t spec_dst;   /* ipi_spec_dst: local address (receive) or source to use (send) */
	uint32_t src;        /* source address of a received datagram */
	uint16_t sport;      /* source port (UDP), 0 for raw sockets */
	struct ipk_sock_err err;
};

/* Receive buffer space for the control messages selected by flags (IPK_CM_*): 0 for none.
 * Never more than IPK_CM_SPACE_MAX. */
IPK_API size_t ipk_cm_space(unsigned flags);
#define IPK_CM_SPACE_MAX 256

/*
 * Write the control messages of cm into buf[0..cap) as a msg_control buffer. Returns the bytes
 * written (0 when cm->has selects nothing to send), or IPK_E_NOSPACE (nothing written).
 */
IPK_API IPK_WARN_UNUSED_RESULT int ipk_cm_marshal(const struct ipk_cm *cm, uint8_t *buf, size_t cap) IPK_NONNULL(1);

/* ipk_cm_parse: the buffer ends inside a control message (see there). Positive: not an error. */
#define IPK_CM_TRUNCATED 1

/*
 * Parse a received msg_control buffer buf[0..len) into cm (fields not present are left as they
 * were; has gains a bit per message found). Unknown levels/types, level 0 type 0 included, are
 * skipped. Never reads past len. Returns:
 *   0                 every message parsed, the buffer ends at a message end (padding optional);
 *   IPK_CM_TRUNCATED  the buffer ends inside a message: a tail shorter than a cmsghdr, or a
 *                     cmsg_len running past len (how a cut buffer looks, e.g. with MSG_CTRUNC);
 *                     every whole message before it is in cm, parsing stops there. Go stops
 *                     silently at a short tail and fails the whole buffer (EINVAL, nothing kept)
 *                     for a length past the end.
 *   IPK_E_INVAL       a cmsg_len below the header size (malformed; messages before it are kept
 *                     in cm), or buf NULL with len > 0.
 */
IPK_API int ipk_cm_parse(const uint8_t *buf, size_t len, struct ipk_cm *cm) IPK_NONNULL(3);

#ifdef __cplusplus
}
#endif
#endif
