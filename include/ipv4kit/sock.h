/* sock.h - the socket-option core: Conn, PacketConn and RawConn operations of Go's x/net/ipv4 for C (Linux; other platforms return -ENOPROTOOPT). */
#ifndef IPV4KIT_SOCK_H
#define IPV4KIT_SOCK_H

#include "cmsg.h"
#include "common.h"
#include "ip4.h"

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Conventions: every call takes a socket descriptor the caller owns and returns 0 (or a count) on
 * success and -errno on failure. Input is validated before the socket is touched, so a rejected
 * call leaves the socket as it was: a closed descriptor gives -EBADF, a descriptor that is not an
 * AF_INET socket -ENOTSOCK or -EAFNOSUPPORT, the wrong socket type for the option -EPROTOTYPE,
 * a group that is not 224.0.0.0/4 or a source that is -EINVAL, an interface index that does not
 * exist -ENODEV. Addresses and ports are host byte order. Nothing allocates.
 */

/* ---- Opening sockets ---- */

/*
 * UDP socket bound to addr:port (addr 0 = wildcard; a group address binds to the group, as Go's
 * net.ListenPacket("udp4", "224.0.0.0:1024")), with SO_REUSEADDR and SO_REUSEPORT when reuse is
 * set so several listeners on one host can share the port and join the same group. Returns the
 * descriptor or -errno.
 */
IPK_API int ipk_udp_open(uint32_t addr, uint16_t port, int reuse);

/* Raw IPv4 socket for protocol proto (e.g. IPK_PROTO_IGMP); hdrincl sets IP_HDRINCL (RawConn).
 * Needs CAP_NET_RAW. Returns the descriptor or -errno. */
IPK_API int ipk_raw_open(int proto, int hdrincl);

/* ---- Conn: any IPv4 socket (TCP, UDP, raw) ---- */

IPK_API int ipk_sock_get_tos(int fd, int *tos) IPK_NONNULL(2);
IPK_API int ipk_sock_set_tos(int fd, int tos);   /* 0..255 */
IPK_API int ipk_sock_get_ttl(int fd, int *ttl) IPK_NONNULL(2);
IPK_API int ipk_sock_set_ttl(int fd, int ttl);   /* 1..255 */

/* ---- PacketConn: multicast (RFC 3678 protocol-independent options) ---- */

/* Any-source join/leave of group on interface ifindex (0: the kernel picks). */
IPK_API int ipk_mcast_join(int fd, unsigned ifindex, uint32_t group);
IPK_API int ipk_mcast_leave(int fd, unsigned ifindex, uint32_t group);
/* Source-specific join/leave (MCAST_JOIN_SOURCE_GROUP / MCAST_LEAVE_SOURCE_GROUP). */
IPK_API int ipk_mcast_join_source(int fd, unsigned ifindex, uint32_t group, uint32_t source);
IPK_API int ipk_mcast_leave_source(int fd, unsigned ifindex, uint32_t group, uint32_t source);
/* Exclude / include again a source on an any-source join (MCAST_BLOCK_SOURCE / UNBLOCK). */
IPK_API int ipk_mcast_block_source(int fd, unsigned ifindex, uint32_t group, uint32_t source);
IPK_API int ipk_mcast_unblock_source(int fd, unsigned ifindex, uint32_t group, uint32_t source);

/* Outgoing multicast interface. get returns the interface index (and its address when addr is
 * not NULL) even on Linux, where getsockopt(IP_MULTICAST_IF) returns only an address (Go's
 * golang/go#41854 always returns nil); 0 when none is set. */
IPK_API int ipk_mcast_get_if(int fd, unsigned *ifindex, uint32_t *addr) IPK_NONNULL(2);
IPK_API int ipk_mcast_set_if(int fd, unsigned ifindex);
IPK_API int ipk_mcast_get_ttl(int fd, int *ttl) IPK_NONNULL(2);
IPK_API int ipk_mcast_set_ttl(int fd, int ttl);  /* 0..255 */
IPK_API int ipk_mcast_get_loop(int fd, int *on) IPK_NONNULL(2);
IPK_API int ipk_mcast_set_loop(int fd, int on);

/* ---- PacketConn: control messages and datagram I/O ---- */

/* Turn delivery of the control messages in flags (IPK_CM_*) on or off. */
IPK_API int ipk_sock_set_cm(int fd, unsigned flags, int on);

/*
 * One datagram for read/write and the batch calls. Read: buf/cap in; len, addr/port (source),
 * cm (parsed when cm_space > 0) and flags (msg_flags: MSG_TRUNC, MSG_CTRUNC) out. Write: buf/len,
 * addr/port (destination; 0 on a connected socket) and cm (marshalled when cm.has selects
 * something) in.
 */
struct ipk_msg {
	void *buf;
	size_t cap;
	size_t len;
	uint32_t addr;
	uint16_t port;
	int flags;
	struct ipk_cm cm;
};

/* recvmsg into m; cm_flags says which control messages to reserve room for and parse (those
 * enabled with ipk_sock_set_cm). On a raw socket the IPv4 header is part of the data (as Go's
 * ReadBatch; use ipk_raw_read for the parsed form). Returns the bytes read or -errno. */
IPK_API int ipk_sock_read(int fd, struct ipk_msg *m, unsigned cm_flags, int flags) IPK_NONNULL(2);
/* sendmsg of m (with IP_PKTINFO/IP_TTL/IP_TOS from m->cm). Returns bytes sent or -errno. */
IPK_API int ipk_sock_write(int fd, const struct ipk_msg *m, int flags) IPK_NONNULL(2);

/* Read the oldest error from the error queue (IP_RECVERR must be on): the offending datagram's
 * bytes into m->buf, the error in m->cm.err (m->cm.has gains IPK_CM_ERR). -EAGAIN when empty. */
IPK_API int ipk_sock_read_err(int fd, struct ipk_msg *m) IPK_NONNULL(2);

/*
 * Batch I/O with recvmmsg/sendmmsg: up to n messages, in chunks of IPK_BATCH_MAX on the stack (no
 * allocation). Returns the number of messages transferred (possibly fewer than n: a partial result;
 * each transferred m[i] is complete), or -errno when none was.
 */
#define IPK_BATCH_MAX 64
IPK_API int ipk_sock_read_batch(int fd, struct ipk_msg *m, size_t n, unsigned cm_flags, int flags)
	IPK_NONNULL(2);
IPK_API int ipk_sock_write_batch(int fd, const struct ipk_msg *m, size_t n, int flags)
	IPK_NONNULL(2);

/* ---- Filters ---- */

/*
 * ICMP type filter for raw IPPROTO_ICMP sockets, all 256 types (a set bit blocks the type; no
 * aliasing of types >= 32 onto lower bits as Go's &31 does). Linux's ICMP_FILTER covers types
 * 0..31; when a type >= 32 is blocked the filter is installed as a classic BPF program instead.
 */
struct ipk_icmp_filter {
	uint32_t bits[8];
};
IPK_API void ipk_icmp_filter_set_all(struct ipk_icmp_filter *f, int block) IPK_NONNULL(1);
IPK_API void ipk_icmp_filter_block(struct ipk_icmp_filter *f, uint8_t type) IPK_NONNULL(1);
IPK_API void ipk_icmp_filter_accept(struct ipk_icmp_filter *f, uint8_t type) IPK_NONNULL(1);
IPK_API int ipk_icmp_filter_will_block(const struct ipk_icmp_filter *f, uint8_t type)
	IPK_NONNULL(1);
IPK_API int ipk_sock_set_icmp_filter(int fd, const struct ipk_icmp_filter *f) IPK_NONNULL(2);
IPK_API int ipk_sock_get_icmp_filter(int fd, struct ipk_icmp_filter *f) IPK_NONNULL(2);

/* One classic BPF instruction, the layout of Linux's struct sock_filter. */
struct ipk_bpf_insn {
	uint16_t code;
	uint8_t jt;
	uint8_t jf;
	uint32_t k;
};
/* Attach (n >= 1, else -EINVAL; never a crash as Go's SetBPF(nil)) and detach a program. */
IPK_API int ipk_sock_attach_bpf(int fd, const struct ipk_bpf_insn *prog, size_t n);
IPK_API int ipk_sock_detach_bpf(int fd);

/* ---- RawConn: IP_HDRINCL I/O through the codec ---- */

/* A datagram read from a raw socket: the header parsed by the codec (IPK_IP4_GO profile, so a
 * malformed header is still returned with parse_err set), the payload view and the control
 * messages. */
struct ipk_raw_pkt {
	struct ipk_ip4 hdr;
	int parse_err;        /* 0 or the codec's IPK_E_* for the header */
	const uint8_t *payload;
	size_t payload_len;
	size_t len;           /* whole datagram bytes received */
	struct ipk_cm cm;
};

/* Read one datagram into buf[0..cap) and parse it into *p (views point into buf). Returns the
 * datagram length or -errno (-EMSGSIZE if it was cut by cap). */
IPK_API int ipk_raw_read(int fd, uint8_t *buf, size_t cap, unsigned cm_flags,
			 struct ipk_raw_pkt *p, int flags) IPK_NONNULL(2, 5);

/*
 * Write header h (marshalled by the codec with marshal_flags IPK_IP4_KEEP_*, so any field can be
 * wrong on purpose) and payload as one datagram to dst (0: h->dst), with cm (may be NULL) as
 * control messages. Linux rewrites on IP_HDRINCL sends: the checksum and total length always, a
 * zero source address, and a zero ID when DF is clear (see the README). Returns the bytes sent or
 * -errno; a codec error from marshal is returned as is (IPK_E_*).
 */
IPK_API int ipk_raw_write(int fd, const struct ipk_ip4 *h, unsigned marshal_flags,
			  const void *payload, size_t len, uint32_t dst, const struct ipk_cm *cm)
	IPK_NONNULL(2);

#ifdef __cplusplus
}
#endif
#endif
