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
 *
 * The datagram I/O calls (read, write, their batch and raw forms) skip the up-front checks, which
 * would cost more system calls than the I/O itself: the kernel refuses a wrong socket, and the
 * refusal is then mapped to the same codes. (A connected stream socket given to ipk_sock_write
 * with no destination is not detected: the kernel accepts it.)
 */

/* ---- Opening sockets ---- */

/*
 * UDP socket bound to addr:port, with SO_REUSEADDR when reuse is set so several listeners on one
 * host can share the port and join the same group (not SO_REUSEPORT, whose load balancing mixes
 * up multicast delivery between the listeners on Linux). addr 0 binds the wildcard:
 * that is what Go's net.ListenPacket("udp4", "224.0.0.0:1024") does (golang.org/issue/3978).
 * A group address binds to that group, so the socket receives only datagrams sent to it (still
 * after a join). Returns the descriptor or -errno.
 */
IPK_API IPK_WARN_UNUSED_RESULT int ipk_udp_open(uint32_t addr, uint16_t port, int reuse);

/* Raw IPv4 socket for protocol proto (e.g. IPK_PROTO_IGMP); hdrincl sets IP_HDRINCL (RawConn).
 * Needs CAP_NET_RAW. Returns the descriptor or -errno. */
IPK_API IPK_WARN_UNUSED_RESULT int ipk_raw_open(int proto, int hdrincl);

/* ---- Conn: any IPv4 socket (TCP, UDP, raw) ---- */

IPK_API int ipk_sock_get_tos(int fd, int *tos) IPK_NONNULL(2);
IPK_API int ipk_sock_set_tos(int fd, int tos);   /* 0..255 */
IPK_API int ipk_sock_get_ttl(int fd, int *ttl) IPK_NONNULL(2);
IPK_API int ipk_sock_set_ttl(int fd, int ttl);   /* 1..255 */

/* Bind the socket to interface ifindex (SO_BINDTODEVICE; 0 removes the binding): what it sends
 * leaves through that interface and only what arrives there is received, with no per-datagram
 * control message. Needs CAP_NET_RAW. 0 or -errno (-ENODEV for an unknown interface). */
IPK_API int ipk_sock_bind_device(int fd, unsigned ifindex);

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
 * golang/go#41854 always returns nil); 0 when none is set.
 * How (Linux 6.18 checked): the kernel reads back only the address stored by the set, never the
 * index, so set stores ip_mreqn{ifindex, the interface's primary IPv4 address} (that address is
 * then the source of multicast sends that bind none, as with IP_MULTICAST_IF by address) and get
 * maps the address back to the interface carrying it (SIOCGIFCONF, no allocation). Limits: an
 * interface without an IPv4 address reads back as 0; with one address on several interfaces the
 * first listed wins; a value set by other code by address alone maps the same way. */
IPK_API int ipk_mcast_get_if(int fd, unsigned *ifindex, uint32_t *addr) IPK_NONNULL(2);
IPK_API int ipk_mcast_set_if(int fd, unsigned ifindex);
IPK_API int ipk_mcast_get_ttl(int fd, int *ttl) IPK_NONNULL(2);
IPK_API int ipk_mcast_set_ttl(int fd, int ttl);  /* 0..255 */
IPK_API int ipk_mcast_get_loop(int fd, int *on) IPK_NONNULL(2);
IPK_API int ipk_mcast_set_loop(int fd, int on);

/* ---- PacketConn: control messages and datagram I/O ---- */

/* Turn delivery of the control messages in flags (IPK_CM_*) on or off: IPK_CM_TTL IP_RECVTTL,
 * IPK_CM_TOS IP_RECVTOS, IPK_CM_PKTINFO IP_PKTINFO, IPK_CM_ERR IP_RECVERR. Unknown bits give
 * -EINVAL; if one option fails the ones this call already changed are put back. */
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
 * ReadBatch; use ipk_raw_read for the parsed form). m->cm is reset, then cm.src/sport are the
 * source (as m->addr/port). A datagram longer than cap is cut: m->len is the bytes kept and
 * m->flags has MSG_TRUNC. Returns what recvmsg returned or -errno. */
IPK_API IPK_WARN_UNUSED_RESULT int ipk_sock_read(int fd, struct ipk_msg *m, unsigned cm_flags, int flags) IPK_NONNULL(2);
/* sendmsg of m (with IP_PKTINFO/IP_TTL/IP_TOS from m->cm). Returns bytes sent or -errno. */
IPK_API int ipk_sock_write(int fd, const struct ipk_msg *m, int flags) IPK_NONNULL(2);

/* Read the oldest error from the error queue (IP_RECVERR must be on): the offending datagram's
 * bytes into m->buf, the error in m->cm.err (m->cm.has gains IPK_CM_ERR). -EAGAIN when empty. */
IPK_API IPK_WARN_UNUSED_RESULT int ipk_sock_read_err(int fd, struct ipk_msg *m) IPK_NONNULL(2);

/*
 * Batch I/O with recvmmsg/sendmmsg: up to n messages, in chunks of IPK_BATCH_MAX on the stack (no
 * allocation). Returns the number of messages transferred (possibly fewer than n: a partial result;
 * each transferred m[i] is complete), or -errno when none was.
 */
#define IPK_BATCH_MAX 64
IPK_API IPK_WARN_UNUSED_RESULT int ipk_sock_read_batch(int fd, struct ipk_msg *m, size_t n, unsigned cm_flags, int flags)
	IPK_NONNULL(2);
IPK_API int ipk_sock_write_batch(int fd, const struct ipk_msg *m, size_t n, int flags)
	IPK_NONNULL(2);

/* ---- Link level: whole frames through a packet socket ---- */

/*
 * Packet socket (AF_PACKET, SOCK_RAW) for sending whole link-layer frames out of interface
 * ifindex, bound to it with sockaddr_ll. Its protocol is 0, so it receives nothing and the kernel
 * spends no work on incoming traffic for it. The frames skip the IP output path (no routing, no
 * header rewriting, no netfilter OUTPUT): what is written is what leaves, as tcpreplay does.
 * Needs CAP_NET_RAW. Returns the descriptor or -errno: -ENODEV for 0 or an interface that does
 * not exist in the caller's namespace; -ENOPROTOOPT where there is no port (not Linux).
 */
IPK_API IPK_WARN_UNUSED_RESULT int ipk_link_open(unsigned ifindex);

/*
 * sendmmsg of whole frames m[i].buf/len (link header included; m[i].addr, port and cm are
 * ignored) on fd from ipk_link_open, in chunks of IPK_BATCH_MAX on the stack (no allocation).
 * Returns the number of frames sent (possibly fewer than n, as ipk_sock_write_batch), or -errno
 * when none was: -EBADF, -EINVAL for n == 0 or a NULL buf with a length, -EMSGSIZE for a frame
 * longer than the interface MTU plus its link header, -ENOBUFS/-EAGAIN when the queue is full.
 */
IPK_API int ipk_link_write_batch(int fd, const struct ipk_msg *m, size_t n, int flags)
	IPK_NONNULL(2);

/*
 * The hardware (MAC) address of the interface that fd, a socket from ipk_link_open, is bound to,
 * into mac (the source address of frames built for that interface; a loopback interface gives
 * 00:00:00:00:00:00). Returns 0 or -errno: -EBADF, -ENOTSOCK, -EAFNOSUPPORT for a socket that is
 * not a packet socket, -EOPNOTSUPP when the interface's address is not 6 bytes (not Ethernet-like),
 * -ENOPROTOOPT where there is no port (not Linux).
 */
IPK_API IPK_WARN_UNUSED_RESULT int ipk_link_get_mac(int fd, uint8_t mac[6]) IPK_NONNULL(2);

/* ---- Filters ---- */

/*
 * ICMP type filter for raw IPPROTO_ICMP sockets, all 256 types (a set bit blocks the type; no
 * aliasing of types >= 32 onto lower bits as Go's &31 does). bits[0] bit t is type t, the layout
 * of Linux's struct icmp_filter. Linux's ICMP_FILTER covers types 0..31: a set that blocks only
 * those uses it (and removes a BPF program an earlier set installed; a program of the caller's
 * own stays). When a type >= 32 is blocked the whole set becomes a classic BPF program (IPv4
 * header at offset 0: X = IHL*4, A = byte [X], one short test per run of blocked types) attached
 * with SO_ATTACH_FILTER, replacing any program, and ICMP_FILTER is cleared. get reads both back:
 * ICMP_FILTER, plus the types of an attached program of that exact form (SO_GET_FILTER), so it
 * returns what was set. Other socket types give -EPROTOTYPE.
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
/* Attach (1 <= n <= 4096 (BPF_MAXINSNS) and prog not NULL, else -EINVAL; never a crash as Go's
 * SetBPF(nil)) and detach a program (-ENOENT when none is attached). Any IPv4 socket type. The
 * kernel checks the program itself (-EINVAL, the old program stays). Replaces an ICMP filter
 * installed as BPF (see above). */
IPK_API int ipk_sock_attach_bpf(int fd, const struct ipk_bpf_insn *prog, size_t n);
IPK_API int ipk_sock_detach_bpf(int fd);

/*
 * Make a program written for packets that start with the IPv4 header (ipk_bpf_compile with
 * IPK_BPF_DLT_RAW, bpf.h) see the IPv4 header on any Linux socket type, a UDP socket included: its
 * packet loads (ld/ldh/ldb [k] and [x + k], ldxb 4*([k]&0xf)) move to Linux's network-header area
 * (SKF_NET_OFF + k). Rewrites prog[0..n) in place and returns 0, or returns -EINVAL with prog
 * unchanged when a load already uses a negative (ancillary) offset or k is too large. Pure: no
 * socket is touched, and the result only means something to Linux's socket filter.
 */
IPK_API int ipk_bpf_netoff(struct ipk_bpf_insn *prog, size_t n);

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

/* Read one datagram into buf[0..cap) and parse it into *p (views point into buf; payload is NULL
 * when parse_err is set). Any raw socket. Returns the datagram length or -errno (-EMSGSIZE if it
 * was cut by cap; the datagram is consumed). */
IPK_API IPK_WARN_UNUSED_RESULT int ipk_raw_read(int fd, uint8_t *buf, size_t cap, unsigned cm_flags,
			 struct ipk_raw_pkt *p, int flags) IPK_NONNULL(2, 5);

/*
 * Write header h (marshalled by the codec with marshal_flags IPK_IP4_KEEP_*, so any field can be
 * wrong on purpose) and payload as one datagram (two iovecs) to dst (0: h->dst; both 0 gives
 * -EDESTADDRREQ), with cm (may be NULL) as control messages. The socket must be raw with
 * IP_HDRINCL on (else -EPROTOTYPE). Returns the bytes sent or -errno; a codec error from marshal
 * is returned as is (IPK_E_*).
 *
 * What Linux does to an IP_HDRINCL header (6.18, docs/send-paths.md; ipk_link_write_batch sends
 * a frame with none of this):
 *   checksum     always recomputed (options covered)
 *   total length always overwritten with the datagram length
 *   ID           filled when 0 only if DF is clear; with DF set 0 stays 0; non-zero kept
 *   source       filled when 0.0.0.0 (route or IP_PKTINFO spec_dst); non-zero kept
 *   destination  kept in the header; routing uses dst (the sendmsg address)
 *   TOS, TTL     the header's values win over IP_TOS/IP_TTL and their cmsgs
 *   version      not checked on send (the receiver drops a non-4 version)
 *   errors       EINVAL for a datagram < 20 bytes, IHL < 5 or IHL*4 > length; EMSGSIZE past
 *                the MTU (never fragmented, DF or not)
 */
IPK_API int ipk_raw_write(int fd, const struct ipk_ip4 *h, unsigned marshal_flags,
			  const void *payload, size_t len, uint32_t dst, const struct ipk_cm *cm)
	IPK_NONNULL(2);

/*
 * RawConn batches (recvmmsg/sendmmsg, chunks of IPK_BATCH_MAX on the stack, no allocation). Both
 * return the number of datagrams transferred (a partial result may be fewer than n; each
 * transferred entry is complete) or -errno when none was.
 *
 * Read: per entry buf/cap in; pkt (parsed as ipk_raw_read does, views into buf) and flags
 * (msg_flags; MSG_TRUNC when the datagram was cut by cap, pkt.len then is the bytes kept) out.
 */
struct ipk_raw_bmsg {
	uint8_t *buf;
	size_t cap;
	int flags;
	struct ipk_raw_pkt pkt;
};
IPK_API IPK_WARN_UNUSED_RESULT int ipk_raw_read_batch(int fd, struct ipk_raw_bmsg *m, size_t n, unsigned cm_flags,
			       int flags) IPK_NONNULL(2);

/* Write: each entry's header is marshalled with marshal_flags as in ipk_raw_write. When the
 * header of entry i does not marshal, entries before i are still sent and their count returned;
 * the codec error is returned only when i is 0. */
struct ipk_raw_out {
	const struct ipk_ip4 *h;
	const void *payload;
	size_t len;
	uint32_t dst;             /* 0: h->dst */
	const struct ipk_cm *cm;  /* may be NULL */
};
IPK_API int ipk_raw_write_batch(int fd, const struct ipk_raw_out *m, size_t n,
				unsigned marshal_flags, int flags) IPK_NONNULL(2);

/* ---- IGMP on one link: hearing every message, sending queries (a querier's sockets) ---- */

/*
 * Why these calls exist (Linux 6.18 measured, docs/send-paths.md, "Querier"): a raw IGMP socket only
 * gets what the host's IP layer accepts (unicast and joined groups), so it never sees v1/v2
 * reports to arbitrary groups, and reports and leaves to 224.0.0.22/224.0.0.2 only after joining
 * those groups, which makes the host itself a reporting member. A packet socket sees every frame
 * the interface receives without joining anything.
 */

/* ipk_igmp_listen_open flags. */
#define IPK_IGMP_RX_OUTGOING 0x1    /* also deliver the frames this host sends on the interface
				     * (pkttype IPK_PKT_OUTGOING); off: never */
#define IPK_IGMP_RX_NO_ALLMULTI 0x2 /* do not put the interface in all-multicast mode */
#define IPK_IGMP_RX_MCAST_DATA 0x4  /* instead of IGMP: every other IPv4 datagram sent to a
				     * multicast destination (224.0.0.0/4), the data a sender puts
				     * on the link (RFC 3918 join and leave delays: ipv4kit host
				     * --traffic); read the same way */

/* Packet types (sockaddr_ll sll_pkttype). */
#define IPK_PKT_HOST 0
#define IPK_PKT_BROADCAST 1
#define IPK_PKT_MULTICAST 2
#define IPK_PKT_OTHERHOST 3
#define IPK_PKT_OUTGOING 4

/*
 * A packet socket (AF_PACKET, SOCK_DGRAM, ETH_P_ALL) on interface ifindex that receives every
 * IPv4 datagram of protocol 2 (IGMP) arriving there, whatever its destination, checksum or
 * length, and nothing else: a classic BPF program (built here, 10 instructions: skb protocol
 * 0x0800, no VLAN tag, packet type not outgoing unless IPK_IGMP_RX_OUTGOING, IPv4 protocol byte
 * 2) runs in the kernel, so other traffic costs no wakeup. It works on a bridge or bond port too
 * (the "all" taps run before the bridge takes the frame). Unless IPK_IGMP_RX_NO_ALLMULTI,
 * PACKET_ADD_MEMBERSHIP with PACKET_MR_ALLMULTI asks the interface for every multicast frame (a
 * NIC filters by group MAC otherwise; veth does not filter); the membership ends when the socket
 * is closed. Nothing is joined at the IP level, so the host does not become a member of any
 * group. Frames are timestamped (SO_TIMESTAMPNS). Untagged frames only: listen on a VLAN
 * interface for a VLAN.
 * Needs CAP_NET_RAW. Returns the descriptor (close it with close()) or -errno: -ENODEV for 0 or
 * an interface not in the caller's namespace, -EINVAL for unknown flags, -EPERM without
 * CAP_NET_RAW, -ENOPROTOOPT where there is no port (not Linux).
 */
IPK_API IPK_WARN_UNUSED_RESULT int ipk_igmp_listen_open(unsigned ifindex, unsigned flags);

/*
 * One datagram heard by ipk_igmp_listen_read. buf/cap in (caller-owned; the datagram starts
 * with its IPv4 header at buf[0]); the rest out.
 */
struct ipk_igmp_rx {
	uint8_t *buf;
	size_t cap;
	size_t len;        /* datagram bytes in buf: the IPv4 total length when the frame carried
			    * link padding after it (Ethernet pads to 60 bytes), else the bytes
			    * kept (at most cap). Decode buf[0..len) with ipk_packet_decode
			    * (IPK_DLT_IPV4) or ipk_ip4_parse + ipk_igmp_parse. */
	size_t wirelen;    /* bytes the link delivered from the IPv4 header on, padding included
			    * (> cap when the datagram was cut) */
	int flags;         /* msg_flags: MSG_TRUNC when cut by cap */
	uint8_t pkttype;   /* IPK_PKT_*: MULTICAST for group-addressed frames, HOST for unicast */
	uint8_t mac[6];    /* link-layer source address (zeros when not 6 bytes long) */
	unsigned ifindex;  /* interface it arrived on */
	int64_t ts_real_ns; /* the kernel's arrival stamp, CLOCK_REALTIME nanoseconds */
	int64_t ts_ns;     /* the same instant on CLOCK_MONOTONIC: ts_real_ns moved by the
			    * realtime-monotonic offset read right after the receive call, never
			    * later than that read (exact unless the realtime clock was stepped
			    * between arrival and read); the read time when no stamp came */
};

/*
 * Read up to n datagrams (recvmmsg, chunks of IPK_BATCH_MAX on the stack, no allocation) from fd,
 * a socket of ipk_igmp_listen_open. flags as for recvmmsg (MSG_DONTWAIT; MSG_WAITFORONE is
 * useful: block for the first, then take what is queued). Returns the number of entries filled
 * (possibly fewer than n; each filled entry is complete) or -errno when none was: -EAGAIN,
 * -EBADF, -EINVAL (n == 0, a NULL buf with a capacity), -EINTR.
 */
IPK_API IPK_WARN_UNUSED_RESULT int ipk_igmp_listen_read(int fd, struct ipk_igmp_rx *m, size_t n, int flags)
	IPK_NONNULL(2);

/*
 * Whether this host's own IGMP reports its memberships of link-local groups (224.0.0.x, except
 * 224.0.0.1, which is never reported): Linux's net.ipv4.igmp_link_local_mcast_reports, one value
 * per network namespace (the caller's), 1 by default. A querier sets it to 0 so its host does not
 * show up as a member on the link it serves (docs/send-paths.md, "Keeping the querier's own kernel
 * quiet"). on: 0 or 1 to set, -1 to only read. *old (may be NULL) gets the value before the call,
 * to put back at exit. Returns 0 or -errno: -EINVAL (on not -1, 0 or 1), -EACCES/-EPERM without
 * the right to change it (CAP_NET_ADMIN over the namespace), -ENOENT where the sysctl does not
 * exist (kernels before 4.6), -ENOPROTOOPT where there is no port (not Linux).
 */
IPK_API int ipk_igmp_link_local_reports(int on, int *old);

/* ipk_igmp_tx_open flags. */
#define IPK_IGMP_TX_LINK 0x1 /* send whole Ethernet frames through a packet socket (any source,
			      * 0.0.0.0 included; nothing rewritten) instead of the raw IP socket */

/*
 * A query sender on one interface, filled by ipk_igmp_tx_open (the caller owns the struct; no
 * allocation). Two paths (docs/send-paths.md, "Querier"):
 * - default: a raw socket (IPPROTO_RAW, so IP_HDRINCL, and it receives nothing) bound to the
 *   interface (SO_BINDTODEVICE), IP_MULTICAST_IF set to it and IP_MULTICAST_LOOP off, so the
 *   sending host's own IGMP code never sees the queries (a looped query would make the host
 *   answer it and follow its version). The kernel keeps the codec-built header (ID 0 with DF
 *   stays 0) but replaces a 0.0.0.0 source, so src 0 means the interface's primary address,
 *   looked up at open and stored in t->src.
 * - IPK_IGMP_TX_LINK: a packet socket (ipk_link_open) writing frames the codec built whole:
 *   src is written as given, 0.0.0.0 included (how the Linux bridge queries); destinations must
 *   be multicast (the frame goes to the group MAC).
 */
struct ipk_igmp_tx {
	int fd;
	unsigned ifindex;
	unsigned flags;
	uint32_t src;     /* IPv4 source written into every query (host order) */
	uint8_t mac[6];   /* link path: the interface's MAC, the frames' source; zeros otherwise */
};

/*
 * Open a sender on ifindex with source src (see above). Returns 0 or -errno (t->fd is -1 then):
 * -ENODEV (0 or unknown interface), -EINVAL (unknown flags), -EADDRNOTAVAIL (src 0 on the raw
 * path and the interface has no IPv4 address), -EPERM without CAP_NET_RAW, -ENOPROTOOPT where
 * there is no port.
 */
IPK_API IPK_WARN_UNUSED_RESULT int ipk_igmp_tx_open(struct ipk_igmp_tx *t, unsigned ifindex, uint32_t src,
				     unsigned flags) IPK_NONNULL(1);

/*
 * The bytes ipk_igmp_tx_send writes for IGMP message msg[0..len) (a query built by the codec,
 * or anything) to dst (0: by type, RFC 2236/3376: a general query to 224.0.0.1, a
 * group-specific one to its group; ipk_igmp_ip4_defaults) into buf[0..cap): the IPv4 datagram
 * (raw path) or the Ethernet frame (link path; destination the group MAC, source t->mac, EtherType
 * 0x0800). The header is IGMP's: TOS 0xC0, TTL 1, DF, ID 0, Router Alert, source t->src, with
 * its length and checksum. Returns the bytes written or a negative IPK_E_* (IPK_E_NOSPACE,
 * IPK_E_TOOLONG), or -EINVAL (link path with a destination that is not multicast, or msg NULL
 * with a length).
 */
IPK_API IPK_WARN_UNUSED_RESULT int ipk_igmp_tx_build(const struct ipk_igmp_tx *t, const uint8_t *msg, size_t len,
				      uint32_t dst, uint8_t *buf, size_t cap) IPK_NONNULL(1, 5);

/*
 * Build (as ipk_igmp_tx_build, on the stack: at most IPK_IGMP_TX_MAX bytes) and send one message.
 * Returns the bytes sent or -errno: -EMSGSIZE (larger than IPK_IGMP_TX_MAX or than the MTU),
 * -EINVAL, -EBADF, -ENOBUFS/-EAGAIN; a codec error as ipk_igmp_tx_build.
 */
#define IPK_IGMP_TX_MAX 9216
IPK_API int ipk_igmp_tx_send(const struct ipk_igmp_tx *t, const uint8_t *msg, size_t len, uint32_t dst)
	IPK_NONNULL(1);

/* Close the sender's socket (t->fd becomes -1); harmless twice. */
IPK_API void ipk_igmp_tx_close(struct ipk_igmp_tx *t) IPK_NONNULL(1);

#ifdef __cplusplus
}
#endif
#endif
