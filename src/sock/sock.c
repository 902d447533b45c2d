/* sock.c - portable socket core: opening sockets, validation before any option call, the ICMP filter set and its BPF form, RawConn marshalling (RFC 791, RFC 3678). */
#define _GNU_SOURCE /* SOCK_CLOEXEC, MSG_WAITFORONE, SO_PROTOCOL under -std=c11 */

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "ipv4kit/error.h"
#include "ipv4kit/ip4.h"
#include "ipv4kit/sock.h"
#include "sock/sock_os.h"

/* ---- validation: one helper for every call ---- */

/* What a call needs from the socket. */
enum want {
	W_CONN,     /* any AF_INET socket: stream, datagram or raw */
	W_PACKET,   /* AF_INET datagram or raw (PacketConn) */
	W_RAW,      /* AF_INET raw (RawConn) */
	W_RAW_ICMP, /* AF_INET raw, protocol ICMP */
};

/*
 * Check fd without changing it: -EBADF (closed or negative), -ENOTSOCK, -EAFNOSUPPORT (not
 * AF_INET), -EPROTOTYPE (wrong type or protocol for what the call needs).
 */
static int check_sock(int fd, enum want w)
{
	int type = 0;
	socklen_t tl = sizeof(type);
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);

	if (fd < 0)
		return -EBADF;
	if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &tl) != 0)
		return -errno;
	memset(&ss, 0, sizeof(ss));
	if (getsockname(fd, (struct sockaddr *)&ss, &sl) != 0)
		return -errno;
	if (ss.ss_family != AF_INET)
		return -EAFNOSUPPORT;
	switch (w) {
	case W_CONN:
		if (type != SOCK_STREAM && type != SOCK_DGRAM && type != SOCK_RAW)
			return -EPROTOTYPE;
		break;
	case W_PACKET:
		if (type != SOCK_DGRAM && type != SOCK_RAW)
			return -EPROTOTYPE;
		break;
	case W_RAW:
		if (type != SOCK_RAW)
			return -EPROTOTYPE;
		break;
	case W_RAW_ICMP:
		if (type != SOCK_RAW)
			return -EPROTOTYPE;
#ifdef SO_PROTOCOL
		{
			int proto = 0;
			tl = sizeof(proto);
			if (getsockopt(fd, SOL_SOCKET, SO_PROTOCOL, &proto, &tl) != 0)
				return -errno;
			if (proto != IPPROTO_ICMP)
				return -EPROTOTYPE;
		}
#endif
		break;
	}
	return 0;
}

/*
 * The I/O calls skip check_sock() on the way in (two system calls per datagram would cost more
 * than the I/O itself) and let the kernel refuse: when it does, the same diagnosis maps the
 * failure to the documented code (-EAFNOSUPPORT, -EPROTOTYPE) if the socket is the wrong kind.
 * A refused read or write changes nothing, so the socket is still left as it was.
 */
static int io_result(int fd, int r, enum want w)
{
	if (r >= 0 || r == -EBADF || r == -ENOTSOCK || r == -EINTR || r == -EMSGSIZE)
		return r;
	int c = check_sock(fd, w);
	return c ? c : r;
}

/* 0 (kernel picks) or an interface that exists in the socket's namespace (which need not be
 * the caller's), else -ENODEV. */
static int check_ifindex(int fd, unsigned ifindex)
{
	char name[IF_NAMESIZE];

	if (ifindex == 0)
		return 0;
	return ipk_os_ifname(fd, ifindex, name);
}

/* A usable unicast source: not 0.0.0.0, not multicast, not the limited broadcast. */
static int is_source(uint32_t a)
{
	return a != 0 && !ipk_ip4_is_multicast(a) && a != 0xffffffffu;
}

/* ---- opening sockets ---- */

int ipk_udp_open(uint32_t addr, uint16_t port, int reuse)
{
	struct sockaddr_in sin;
	int one = 1, err;
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -errno;
	/* SO_REUSEADDR alone shares a UDP port between listeners, as Go does on Linux. Not
	 * SO_REUSEPORT: its load balancing makes UDP early demux hand a multicast datagram to a
	 * socket of the group chosen by hash, so a listener gets another's group or a source it
	 * blocked (seen on Linux 6.18; tests/net_tools.sh test 4). */
	if (reuse && setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) != 0)
		goto fail;
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(addr);
	sin.sin_port = htons(port);
	if (bind(fd, (struct sockaddr *)&sin, sizeof(sin)) != 0)
		goto fail;
	return fd;
fail:
	err = -errno;
	close(fd);
	return err;
}

int ipk_raw_open(int proto, int hdrincl)
{
	int one = 1, err;
	int fd;

	if (proto < 0 || proto > 255)
		return -EINVAL;
	fd = socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC, proto);
	if (fd < 0)
		return -errno;
	if (hdrincl && setsockopt(fd, IPPROTO_IP, IP_HDRINCL, &one, sizeof(one)) != 0) {
		err = -errno;
		close(fd);
		return err;
	}
	return fd;
}

/* ---- Conn ---- */

static int get_int(int fd, enum want w, enum ipk_os_opt opt, int *v)
{
	int r = check_sock(fd, w);
	return r ? r : ipk_os_get_int(fd, opt, v);
}

static int set_int(int fd, enum want w, enum ipk_os_opt opt, int v, int lo, int hi)
{
	int r = check_sock(fd, w);
	if (r)
		return r;
	if (v < lo || v > hi)
		return -EINVAL;
	return ipk_os_set_int(fd, opt, v);
}

int ipk_sock_get_tos(int fd, int *tos)
{
	return get_int(fd, W_CONN, IPK_OS_TOS, tos);
}

int ipk_sock_set_tos(int fd, int tos)
{
	return set_int(fd, W_CONN, IPK_OS_TOS, tos, 0, 255);
}

int ipk_sock_get_ttl(int fd, int *ttl)
{
	return get_int(fd, W_CONN, IPK_OS_TTL, ttl);
}

int ipk_sock_set_ttl(int fd, int ttl)
{
	return set_int(fd, W_CONN, IPK_OS_TTL, ttl, 1, 255);
}

/* ---- PacketConn: multicast ---- */

static int mcast(int fd, enum ipk_os_mc op, unsigned ifindex, uint32_t group, uint32_t source,
		 int has_source)
{
	int r = check_sock(fd, W_PACKET);
	if (r)
		return r;
	if (!ipk_ip4_is_multicast(group) || (has_source && !is_source(source)))
		return -EINVAL;
	r = check_ifindex(fd, ifindex);
	if (r)
		return r;
	return ipk_os_mcast(fd, op, ifindex, group, source);
}

int ipk_mcast_join(int fd, unsigned ifindex, uint32_t group)
{
	return mcast(fd, IPK_OS_JOIN, ifindex, group, 0, 0);
}

int ipk_mcast_leave(int fd, unsigned ifindex, uint32_t group)
{
	return mcast(fd, IPK_OS_LEAVE, ifindex, group, 0, 0);
}

int ipk_mcast_join_source(int fd, unsigned ifindex, uint32_t group, uint32_t source)
{
	return mcast(fd, IPK_OS_JOIN_SOURCE, ifindex, group, source, 1);
}

int ipk_mcast_leave_source(int fd, unsigned ifindex, uint32_t group, uint32_t source)
{
	return mcast(fd, IPK_OS_LEAVE_SOURCE, ifindex, group, source, 1);
}

int ipk_mcast_block_source(int fd, unsigned ifindex, uint32_t group, uint32_t source)
{
	return mcast(fd, IPK_OS_BLOCK, ifindex, group, source, 1);
}

int ipk_mcast_unblock_source(int fd, unsigned ifindex, uint32_t group, uint32_t source)
{
	return mcast(fd, IPK_OS_UNBLOCK, ifindex, group, source, 1);
}

int ipk_mcast_get_if(int fd, unsigned *ifindex, uint32_t *addr)
{
	int r = check_sock(fd, W_PACKET);
	return r ? r : ipk_os_mcast_get_if(fd, ifindex, addr);
}

int ipk_mcast_set_if(int fd, unsigned ifindex)
{
	int r = check_sock(fd, W_PACKET);
	if (r)
		return r;
	r = check_ifindex(fd, ifindex);
	return r ? r : ipk_os_mcast_set_if(fd, ifindex);
}

int ipk_mcast_get_ttl(int fd, int *ttl)
{
	return get_int(fd, W_PACKET, IPK_OS_MCAST_TTL, ttl);
}

int ipk_mcast_set_ttl(int fd, int ttl)
{
	return set_int(fd, W_PACKET, IPK_OS_MCAST_TTL, ttl, 0, 255);
}

int ipk_mcast_get_loop(int fd, int *on)
{
	return get_int(fd, W_PACKET, IPK_OS_MCAST_LOOP, on);
}

int ipk_mcast_set_loop(int fd, int on)
{
	return set_int(fd, W_PACKET, IPK_OS_MCAST_LOOP, on != 0, 0, 1);
}

/* ---- PacketConn: control messages and I/O ---- */

int ipk_sock_set_cm(int fd, unsigned flags, int on)
{
	int r = check_sock(fd, W_PACKET);
	if (r)
		return r;
	if (flags & ~(unsigned)IPK_CM_ALL)
		return -EINVAL;
	return ipk_os_set_cm(fd, flags, on);
}

int ipk_sock_read(int fd, struct ipk_msg *m, unsigned cm_flags, int flags)
{
	if (fd < 0)
		return -EBADF;
	if ((!m->buf && m->cap) || (cm_flags & ~(unsigned)IPK_CM_ALL))
		return -EINVAL;
	return io_result(fd, ipk_os_read(fd, m, cm_flags, flags), W_PACKET);
}

int ipk_sock_write(int fd, const struct ipk_msg *m, int flags)
{
	if (fd < 0)
		return -EBADF;
	if (!m->buf && m->len)
		return -EINVAL;
	return io_result(fd, ipk_os_write(fd, m, flags), W_PACKET);
}

int ipk_sock_read_err(int fd, struct ipk_msg *m)
{
	if (fd < 0)
		return -EBADF;
	if (!m->buf && m->cap)
		return -EINVAL;
	return io_result(fd, ipk_os_read_err(fd, m), W_PACKET);
}


int ipk_sock_read_batch(int fd, struct ipk_msg *m, size_t n, unsigned cm_flags, int flags)
{
	if (fd < 0)
		return -EBADF;
	if (n == 0 || n > INT32_MAX || (cm_flags & ~(unsigned)IPK_CM_ALL))
		return -EINVAL;
	for (size_t i = 0; i < n; i++)
		if (!m[i].buf && m[i].cap)
			return -EINVAL;
	IPK_BATCH_LOOP(ipk_os_read_batch(fd, m + done, k, cm_flags, fl), io_result(fd, got, W_PACKET));
}

int ipk_sock_write_batch(int fd, const struct ipk_msg *m, size_t n, int flags)
{
	if (fd < 0)
		return -EBADF;
	if (n == 0 || n > INT32_MAX)
		return -EINVAL;
	for (size_t i = 0; i < n; i++)
		if (!m[i].buf && m[i].len)
			return -EINVAL;
	IPK_BATCH_LOOP(ipk_os_write_batch(fd, m + done, k, fl), io_result(fd, got, W_PACKET));
}

/* ---- link level ---- */

int ipk_link_open(unsigned ifindex)
{
	if (ifindex == 0 || ifindex > INT32_MAX)
		return -ENODEV;
	return ipk_os_link_open(ifindex);
}

/* The kernel's own error is the answer: a packet socket is not AF_INET, so there is nothing to
 * diagnose. */
int ipk_link_write_batch(int fd, const struct ipk_msg *m, size_t n, int flags)
{
	if (fd < 0)
		return -EBADF;
	if (n == 0 || n > INT32_MAX)
		return -EINVAL;
	for (size_t i = 0; i < n; i++)
		if (!m[i].buf && m[i].len)
			return -EINVAL;
	IPK_BATCH_LOOP(ipk_os_link_send_batch(fd, m + done, k, fl), got);
}

int ipk_link_get_mac(int fd, uint8_t mac[6])
{
	if (fd < 0)
		return -EBADF;
	return ipk_os_link_get_mac(fd, mac);
}

/* ---- filters ---- */

void ipk_icmp_filter_set_all(struct ipk_icmp_filter *f, int block)
{
	memset(f->bits, block ? 0xff : 0, sizeof(f->bits));
}

void ipk_icmp_filter_block(struct ipk_icmp_filter *f, uint8_t type)
{
	f->bits[type >> 5] |= 1u << (type & 31);
}

void ipk_icmp_filter_accept(struct ipk_icmp_filter *f, uint8_t type)
{
	f->bits[type >> 5] &= ~(1u << (type & 31));
}

int ipk_icmp_filter_will_block(const struct ipk_icmp_filter *f, uint8_t type)
{
	return (f->bits[type >> 5] >> (type & 31)) & 1;
}

/* Classic BPF opcodes (linux/filter.h values, the same on every BSD). */
#define OP_LDXB_MSH 0xb1 /* BPF_LDX|BPF_B|BPF_MSH: X = 4*([k]&0xf) */
#define OP_LDB_IND 0x50  /* BPF_LD|BPF_B|BPF_IND: A = [X+k] */
#define OP_JEQ 0x15      /* BPF_JMP|BPF_JEQ|BPF_K */
#define OP_JGT 0x25      /* BPF_JMP|BPF_JGT|BPF_K */
#define OP_JGE 0x35      /* BPF_JMP|BPF_JGE|BPF_K */
#define OP_RET 0x06      /* BPF_RET|BPF_K */
#define ICMP_BPF_ACCEPT 0xffffffffu
/* 2 loads, at most 128 ranges of 3, the final accept */
#define ICMP_BPF_MAX (2 + 128 * 3 + 1)

static struct ipk_bpf_insn insn(uint16_t code, uint8_t jt, uint8_t jf, uint32_t k)
{
	struct ipk_bpf_insn i = {code, jt, jf, k};
	return i;
}

/*
 * The BPF form of an ICMP filter: the socket sees the IPv4 header at offset 0, so load X = IHL*4
 * and A = the ICMP type at [X]; then per run lo..hi of blocked types either "jeq lo; ret 0" or
 * "jge lo; jgt hi; ret 0" (every jump is short), and "ret accept" at the end.
 */
static size_t icmp_bpf_build(const struct ipk_icmp_filter *f, struct ipk_bpf_insn *p)
{
	size_t n = 0;
	unsigned t = 0;

	p[n++] = insn(OP_LDXB_MSH, 0, 0, 0);
	p[n++] = insn(OP_LDB_IND, 0, 0, 0);
	while (t < 256) {
		unsigned lo, hi;
		if (!ipk_icmp_filter_will_block(f, (uint8_t)t)) {
			t++;
			continue;
		}
		lo = t;
		while (t < 256 && ipk_icmp_filter_will_block(f, (uint8_t)t))
			t++;
		hi = t - 1;
		if (lo == hi) {
			p[n++] = insn(OP_JEQ, 0, 1, lo);
		} else {
			p[n++] = insn(OP_JGE, 0, 2, lo);
			p[n++] = insn(OP_JGT, 1, 0, hi);
		}
		p[n++] = insn(OP_RET, 0, 0, 0);
	}
	p[n++] = insn(OP_RET, 0, 0, ICMP_BPF_ACCEPT);
	return n;
}

/* Recognise a program made by icmp_bpf_build and recover its blocked types into f (OR).
 * Returns 1 when p is such a program, 0 otherwise (f untouched). */
static int icmp_bpf_decode(const struct ipk_bpf_insn *p, size_t n, struct ipk_icmp_filter *f)
{
	struct ipk_icmp_filter g;
	size_t i = 2;

	memset(&g, 0, sizeof(g));
	if (n < 3 || p[0].code != OP_LDXB_MSH || p[0].k != 0 || p[1].code != OP_LDB_IND ||
	    p[1].k != 0)
		return 0;
	while (i + 1 < n) {
		uint32_t lo, hi;
		if (p[i].code == OP_JEQ && p[i].jt == 0 && p[i].jf == 1 && p[i + 1].code == OP_RET &&
		    p[i + 1].k == 0) {
			lo = hi = p[i].k;
			i += 2;
		} else if (i + 2 < n && p[i].code == OP_JGE && p[i].jt == 0 && p[i].jf == 2 &&
			   p[i + 1].code == OP_JGT && p[i + 1].jt == 1 && p[i + 1].jf == 0 &&
			   p[i + 2].code == OP_RET && p[i + 2].k == 0) {
			lo = p[i].k;
			hi = p[i + 1].k;
			i += 3;
		} else {
			return 0;
		}
		if (lo > hi || hi > 255)
			return 0;
		for (uint32_t t = lo; t <= hi; t++)
			ipk_icmp_filter_block(&g, (uint8_t)t);
	}
	if (i != n - 1 || p[i].code != OP_RET || p[i].k != ICMP_BPF_ACCEPT)
		return 0;
	for (size_t w = 0; w < 8; w++)
		f->bits[w] |= g.bits[w];
	return 1;
}

/* 1 when the attached program is one icmp_bpf_build made. */
static int icmp_bpf_attached(int fd, struct ipk_icmp_filter *f)
{
	struct ipk_bpf_insn p[ICMP_BPF_MAX];
	struct ipk_icmp_filter dummy;
	int n = ipk_os_get_bpf(fd, p, ICMP_BPF_MAX);

	if (n <= 0)
		return 0;
	return icmp_bpf_decode(p, (size_t)n, f ? f : &dummy);
}

int ipk_sock_set_icmp_filter(int fd, const struct ipk_icmp_filter *f)
{
	int r = check_sock(fd, W_RAW_ICMP);
	int high = 0;

	if (r)
		return r;
	for (size_t w = 1; w < 8; w++)
		high |= f->bits[w] != 0;
	if (!high) {
		r = ipk_os_set_icmp_low(fd, f->bits[0]);
		if (r == 0 && icmp_bpf_attached(fd, NULL))
			r = ipk_os_detach_bpf(fd);
		return r;
	}
	{
		struct ipk_bpf_insn p[ICMP_BPF_MAX];
		size_t n = icmp_bpf_build(f, p);
		r = ipk_os_attach_bpf(fd, p, n);
		if (r)
			return r;
	}
	return ipk_os_set_icmp_low(fd, 0);
}

int ipk_sock_get_icmp_filter(int fd, struct ipk_icmp_filter *f)
{
	int r = check_sock(fd, W_RAW_ICMP);
	uint32_t low = 0;

	if (r)
		return r;
	r = ipk_os_get_icmp_low(fd, &low);
	if (r)
		return r;
	memset(f, 0, sizeof(*f));
	f->bits[0] = low;
	icmp_bpf_attached(fd, f);
	return 0;
}

int ipk_sock_attach_bpf(int fd, const struct ipk_bpf_insn *prog, size_t n)
{
	int r = check_sock(fd, W_CONN);
	if (r)
		return r;
	if (!prog || n == 0 || n > 4096 /* BPF_MAXINSNS */)
		return -EINVAL;
	return ipk_os_attach_bpf(fd, prog, n);
}

int ipk_sock_detach_bpf(int fd)
{
	int r = check_sock(fd, W_CONN);
	return r ? r : ipk_os_detach_bpf(fd);
}

/* Linux's SKF_NET_OFF (linux/filter.h): packet offsets from here on count from the network header. */
#define SKF_NET_OFF_ (-0x100000)

/* 1 for a load whose k is a packet offset: ld/ldh/ldb [k] and [x + k], ldxb 4*([k]&0xf). */
static int is_pkt_load(uint16_t code)
{
	unsigned cls = code & 0x07, mode = code & 0xe0;
	if (cls == 0x00 /* BPF_LD */)
		return mode == 0x20 /* BPF_ABS */ || mode == 0x40 /* BPF_IND */;
	return cls == 0x01 /* BPF_LDX */ && mode == 0xa0 /* BPF_MSH */;
}

int ipk_bpf_netoff(struct ipk_bpf_insn *prog, size_t n)
{
	if (!prog && n)
		return -EINVAL;
	/* a packet offset must stay below the next area (SKF_NET_OFF..SKF_NET_OFF + 0xfffff) */
	for (size_t i = 0; i < n; i++)
		if (is_pkt_load(prog[i].code) && prog[i].k >= (uint32_t)-SKF_NET_OFF_)
			return -EINVAL;
	for (size_t i = 0; i < n; i++)
		if (is_pkt_load(prog[i].code))
			prog[i].k += (uint32_t)SKF_NET_OFF_;
	return 0;
}

int ipk_sock_bind_device(int fd, unsigned ifindex)
{
	char name[IF_NAMESIZE] = "";
	int r = check_sock(fd, W_CONN);

	if (r)
		return r;
	if (ifindex && (r = ipk_os_ifname(fd, ifindex, name)) != 0)
		return r;
	return ipk_os_bind_device(fd, name);
}

/* ---- RawConn ---- */

/* A raw socket that sends with IP_HDRINCL, else -EPROTOTYPE: one getsockopt, and the full
 * diagnosis only when it fails. */
static int check_rawconn(int fd)
{
	int on = 0;
	int r;

	if (fd < 0)
		return -EBADF;
	r = ipk_os_get_int(fd, IPK_OS_HDRINCL, &on);
	if (r == 0 && !on)
		r = -EPROTOTYPE; /* unless the diagnosis finds a worse mismatch */
	return r ? io_result(fd, r, W_RAW) : 0;
}

/* Fill the parsed view of a received datagram buf[0..n). */
static void raw_fill(const uint8_t *buf, size_t n, struct ipk_raw_pkt *p)
{
	p->len = n;
	p->parse_err = ipk_ip4_parse(buf, n, IPK_IP4_GO, &p->hdr, NULL);
	if (p->parse_err == 0 && p->hdr.hlen <= n) {
		p->payload = buf + p->hdr.hlen;
		p->payload_len = n - p->hdr.hlen;
	} else {
		p->payload = NULL;
		p->payload_len = 0;
	}
}

int ipk_raw_read(int fd, uint8_t *buf, size_t cap, unsigned cm_flags, struct ipk_raw_pkt *p,
		 int flags)
{
	if (fd < 0)
		return -EBADF;
	if (cm_flags & ~(unsigned)IPK_CM_ALL)
		return -EINVAL;
	memset(p, 0, sizeof(*p));
	int r = ipk_os_raw_recv(fd, buf, cap, cm_flags, &p->cm, flags);
	if (r < 0)
		return io_result(fd, r, W_RAW);
	raw_fill(buf, (size_t)r, p);
	return r;
}

int ipk_raw_write(int fd, const struct ipk_ip4 *h, unsigned marshal_flags, const void *payload,
		  size_t len, uint32_t dst, const struct ipk_cm *cm)
{
	uint8_t hb[IPK_IP4_MAXLEN];
	int r = check_rawconn(fd);

	if (r)
		return r;
	if (!payload && len)
		return -EINVAL;
	if (!dst)
		dst = h->dst;
	if (!dst)
		return -EDESTADDRREQ;
	r = ipk_ip4_marshal(h, len, marshal_flags, hb, sizeof(hb));
	if (r < 0)
		return r;
	return ipk_os_raw_send(fd, hb, (size_t)r, payload, len, dst, cm);
}

int ipk_raw_read_batch(int fd, struct ipk_raw_bmsg *m, size_t n, unsigned cm_flags, int flags)
{
	if (fd < 0)
		return -EBADF;
	if (n == 0 || n > INT32_MAX || (cm_flags & ~(unsigned)IPK_CM_ALL))
		return -EINVAL;
	for (size_t i = 0; i < n; i++)
		if (!m[i].buf && m[i].cap)
			return -EINVAL;
	{
		size_t done = 0;
		int fl = flags;
		while (done < n) {
			size_t k = n - done < IPK_BATCH_MAX ? n - done : IPK_BATCH_MAX;
			int got = ipk_os_raw_recv_batch(fd, m + done, k, cm_flags, fl);
			if (got < 0)
				return done ? (int)done : io_result(fd, got, W_RAW);
			for (size_t i = done; i < done + (size_t)got; i++)
				raw_fill(m[i].buf, m[i].pkt.len, &m[i].pkt);
			done += (size_t)got;
			if ((size_t)got < k)
				break;
			if (fl & MSG_WAITFORONE)
				fl |= MSG_DONTWAIT;
		}
		return (int)done;
	}
}

int ipk_raw_write_batch(int fd, const struct ipk_raw_out *m, size_t n, unsigned marshal_flags,
			int flags)
{
	uint8_t hb[IPK_BATCH_MAX][IPK_IP4_MAXLEN];
	struct ipk_os_raw_out o[IPK_BATCH_MAX];
	size_t done = 0;
	int r = check_rawconn(fd);

	if (r)
		return r;
	if (n == 0 || n > INT32_MAX)
		return -EINVAL;
	for (size_t i = 0; i < n; i++)
		if (!m[i].h || (!m[i].payload && m[i].len))
			return -EINVAL;
	while (done < n) {
		size_t k = n - done < IPK_BATCH_MAX ? n - done : IPK_BATCH_MAX;
		size_t ok = 0;
		int err = 0, got;
		for (; ok < k; ok++) {
			const struct ipk_raw_out *x = &m[done + ok];
			uint32_t dst = x->dst ? x->dst : x->h->dst;
			int hl = ipk_ip4_marshal(x->h, x->len, marshal_flags, hb[ok], IPK_IP4_MAXLEN);
			if (hl < 0 || !dst) {
				err = hl < 0 ? hl : -EDESTADDRREQ;
				break;
			}
			o[ok].hdr = hb[ok];
			o[ok].hlen = (size_t)hl;
			o[ok].payload = x->payload;
			o[ok].len = x->len;
			o[ok].dst = dst;
			o[ok].cm = x->cm;
		}
		if (ok == 0)
			return done ? (int)done : err;
		got = ipk_os_raw_send_batch(fd, o, ok, flags);
		if (got < 0)
			return done ? (int)done : got;
		done += (size_t)got;
		if ((size_t)got < k)
			break;
	}
	return (int)done;
}
