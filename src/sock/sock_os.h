/* sock_os.h - private interface between the portable socket core (sock.c) and one platform file (linux.c, other.c). */
#ifndef IPK_SOCK_OS_H
#define IPK_SOCK_OS_H

#include <sys/socket.h>

#include "ipv4kit/sock.h"

#ifndef MSG_WAITFORONE
#define MSG_WAITFORONE 0
#endif

/*
 * sock.c validates every argument and the socket (family, type) and then calls exactly one of
 * these; they touch the socket with the platform's options. A port to another system implements
 * this file's functions in one new file (other.c returns -ENOPROTOOPT for all of them).
 */

/* Integer options at the IP level. */
enum ipk_os_opt {
	IPK_OS_TOS,
	IPK_OS_TTL,
	IPK_OS_MCAST_TTL,
	IPK_OS_MCAST_LOOP,
	IPK_OS_HDRINCL,
};

/* RFC 3678 membership operations. */
enum ipk_os_mc {
	IPK_OS_JOIN,
	IPK_OS_LEAVE,
	IPK_OS_JOIN_SOURCE,
	IPK_OS_LEAVE_SOURCE,
	IPK_OS_BLOCK,
	IPK_OS_UNBLOCK,
};

/* Name of interface ifindex as seen from the socket's own network namespace, or -ENODEV. */
int ipk_os_ifname(int fd, unsigned ifindex, char *name);
int ipk_os_get_int(int fd, enum ipk_os_opt opt, int *v);
int ipk_os_set_int(int fd, enum ipk_os_opt opt, int v);
int ipk_os_mcast(int fd, enum ipk_os_mc op, unsigned ifindex, uint32_t group, uint32_t source);
int ipk_os_mcast_get_if(int fd, unsigned *ifindex, uint32_t *addr);
int ipk_os_mcast_set_if(int fd, unsigned ifindex);
int ipk_os_set_cm(int fd, unsigned flags, int on);

int ipk_os_read(int fd, struct ipk_msg *m, unsigned cm_flags, int flags);
int ipk_os_write(int fd, const struct ipk_msg *m, int flags);
int ipk_os_read_err(int fd, struct ipk_msg *m);
int ipk_os_read_batch(int fd, struct ipk_msg *m, size_t n, unsigned cm_flags, int flags);
int ipk_os_write_batch(int fd, const struct ipk_msg *m, size_t n, int flags);

/* Link level: open a packet socket bound to ifindex (protocol 0: receives nothing); send
 * n <= IPK_BATCH_MAX whole frames with one sendmmsg. */
int ipk_os_link_open(unsigned ifindex);
int ipk_os_link_send_batch(int fd, const struct ipk_msg *m, size_t n, int flags);
int ipk_os_link_get_mac(int fd, uint8_t mac[6]);

/* IGMP on a link: a packet socket receiving IPv4 protocol 2 on ifindex (flags IPK_IGMP_RX_*);
 * receive n <= IPK_BATCH_MAX datagrams with one recvmmsg, filling everything but m[i].len past
 * the kept bytes; the primary IPv4 address of ifindex, looked up through fd (-EADDRNOTAVAIL
 * when it has none). */
int ipk_os_igmp_listen_open(unsigned ifindex, unsigned flags);
int ipk_os_igmp_listen_read(int fd, struct ipk_igmp_rx *m, size_t n, int flags);
int ipk_os_if_addr(int fd, unsigned ifindex, uint32_t *addr);
/* net.ipv4.igmp_link_local_mcast_reports: read into *old (not NULL), then set to on unless -1. */
int ipk_os_igmp_ll_reports(int on, int *old);

/* ICMP_FILTER for types 0..31 (a set bit blocks). */
int ipk_os_set_icmp_low(int fd, uint32_t bits);
int ipk_os_get_icmp_low(int fd, uint32_t *bits);
/* Classic BPF: attach, detach (-ENOENT when none), read back the attached program into
 * p[0..cap) (returns its length, 0 when none, -ENOSPC when longer than cap). */
int ipk_os_attach_bpf(int fd, const struct ipk_bpf_insn *p, size_t n);
int ipk_os_detach_bpf(int fd);
int ipk_os_bind_device(int fd, const char *name); /* "" unbinds */
int ipk_os_get_bpf(int fd, struct ipk_bpf_insn *p, size_t cap);

/* RawConn: receive one datagram (whole, header included) and report its source; send the
 * marshalled header hdr[0..hlen) and payload as one datagram to dst with control bytes. */
int ipk_os_raw_recv(int fd, uint8_t *buf, size_t cap, unsigned cm_flags, struct ipk_cm *cm,
		    int flags);
int ipk_os_raw_send(int fd, const uint8_t *hdr, size_t hlen, const void *payload, size_t len,
		    uint32_t dst, const struct ipk_cm *cm);
/* One datagram of a RawConn batch send: header bytes, payload, destination, cm (may be NULL). */
struct ipk_os_raw_out {
	const uint8_t *hdr;
	size_t hlen;
	const void *payload;
	size_t len;
	uint32_t dst;
	const struct ipk_cm *cm;
};
int ipk_os_raw_recv_batch(int fd, struct ipk_raw_bmsg *m, size_t n, unsigned cm_flags, int flags);
int ipk_os_raw_send_batch(int fd, const struct ipk_os_raw_out *o, size_t n, int flags);

/*
 * The chunk loop shared by the batch calls (in a function with fd, n and flags): run call on chunks of IPK_BATCH_MAX until n are done,
 * a chunk comes back short, or a chunk fails (then the count so far, or err, an expression of the
 * failed chunk's -errno `got`, if none).
 * Chunks after the first never block when the caller asked for MSG_WAITFORONE.
 */
#define IPK_BATCH_LOOP(call, err)                                                                 \
	do {                                                                                      \
		size_t done = 0;                                                                  \
		int fl = flags;                                                                   \
		while (done < n) {                                                                \
			size_t k = n - done < IPK_BATCH_MAX ? n - done : IPK_BATCH_MAX;           \
			int got = (call);                                                         \
			if (got < 0)                                                              \
				return done ? (int)done : (err);                                  \
			done += (size_t)got;                                                      \
			if ((size_t)got < k)                                                      \
				break;                                                            \
			if (fl & MSG_WAITFORONE)                                                  \
				fl |= MSG_DONTWAIT;                                               \
		}                                                                                 \
		return (int)done;                                                                 \
	} while (0)

#endif
