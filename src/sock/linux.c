/* linux.c - Linux socket options and I/O for the socket core: IP_* options, RFC 3678 MCAST_*, cmsgs via the codec, recvmmsg/sendmmsg, ICMP_FILTER, classic BPF. */
#ifdef __linux__
#define _GNU_SOURCE /* recvmmsg, sendmmsg, struct ip_mreqn, SO_PROTOCOL */

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>

#include <linux/filter.h>
#include <linux/icmp.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>

#include "ipv4kit/cmsg.h"
#include "ipv4kit/sock.h"
#include "sock/sock_os.h"

_Static_assert(sizeof(struct ipk_bpf_insn) == sizeof(struct sock_filter),
	       "ipk_bpf_insn must have the layout of struct sock_filter");
_Static_assert(offsetof(struct ipk_bpf_insn, k) == offsetof(struct sock_filter, k),
	       "ipk_bpf_insn.k offset");

#ifndef SOL_RAW
#define SOL_RAW 255
#endif

/* A control buffer aligned for struct cmsghdr. */
union cbuf {
	struct cmsghdr align;
	uint8_t b[IPK_CM_SPACE_MAX];
};

static int err_or(int r)
{
	return r < 0 ? -errno : r;
}

static void sin_set(struct sockaddr_in *s, uint32_t addr, uint16_t port)
{
	memset(s, 0, sizeof(*s));
	s->sin_family = AF_INET;
	s->sin_addr.s_addr = htonl(addr);
	s->sin_port = htons(port);
}

/* ---- integer options ---- */

static int opt_name(enum ipk_os_opt opt)
{
	switch (opt) {
	case IPK_OS_TOS:
		return IP_TOS;
	case IPK_OS_TTL:
		return IP_TTL;
	case IPK_OS_MCAST_TTL:
		return IP_MULTICAST_TTL;
	case IPK_OS_MCAST_LOOP:
		return IP_MULTICAST_LOOP;
	case IPK_OS_HDRINCL:
		return IP_HDRINCL;
	}
	return -1;
}

/* SIOCGIFNAME on the socket itself resolves in the socket's namespace; if_indextoname() would
 * use a new socket in the caller's. */
int ipk_os_ifname(int fd, unsigned ifindex, char *name)
{
	struct ifreq ifr;

	memset(&ifr, 0, sizeof(ifr));
	ifr.ifr_ifindex = (int)ifindex;
	if (ifindex > INT32_MAX || ioctl(fd, SIOCGIFNAME, &ifr) != 0)
		return -ENODEV;
	memcpy(name, ifr.ifr_name, IF_NAMESIZE);
	name[IF_NAMESIZE - 1] = 0;
	return 0;
}

int ipk_os_get_int(int fd, enum ipk_os_opt opt, int *v)
{
	int x = 0;
	socklen_t l = sizeof(x);

	if (getsockopt(fd, IPPROTO_IP, opt_name(opt), &x, &l) != 0)
		return -errno;
	/* Linux writes an int, or one byte when asked for less: never the case here */
	*v = x;
	return 0;
}

int ipk_os_set_int(int fd, enum ipk_os_opt opt, int v)
{
	return err_or(setsockopt(fd, IPPROTO_IP, opt_name(opt), &v, sizeof(v)));
}

/* ---- multicast ---- */

static void ss_in(struct sockaddr_storage *ss, uint32_t addr)
{
	memset(ss, 0, sizeof(*ss));
	sin_set((struct sockaddr_in *)ss, addr, 0);
}

int ipk_os_mcast(int fd, enum ipk_os_mc op, unsigned ifindex, uint32_t group, uint32_t source)
{
	int name;

	switch (op) {
	case IPK_OS_JOIN:
	case IPK_OS_LEAVE: {
		struct group_req gr;
		memset(&gr, 0, sizeof(gr));
		gr.gr_interface = ifindex;
		ss_in(&gr.gr_group, group);
		name = op == IPK_OS_JOIN ? MCAST_JOIN_GROUP : MCAST_LEAVE_GROUP;
		return err_or(setsockopt(fd, IPPROTO_IP, name, &gr, sizeof(gr)));
	}
	case IPK_OS_JOIN_SOURCE:
		name = MCAST_JOIN_SOURCE_GROUP;
		break;
	case IPK_OS_LEAVE_SOURCE:
		name = MCAST_LEAVE_SOURCE_GROUP;
		break;
	case IPK_OS_BLOCK:
		name = MCAST_BLOCK_SOURCE;
		break;
	case IPK_OS_UNBLOCK:
		name = MCAST_UNBLOCK_SOURCE;
		break;
	default:
		return -EINVAL;
	}
	{
		struct group_source_req gsr;
		memset(&gsr, 0, sizeof(gsr));
		gsr.gsr_interface = ifindex;
		ss_in(&gsr.gsr_group, group);
		ss_in(&gsr.gsr_source, source);
		return err_or(setsockopt(fd, IPPROTO_IP, name, &gsr, sizeof(gsr)));
	}
}

/*
 * Linux 6.18 getsockopt(IP_MULTICAST_IF) returns only inet->mc_addr as a 4-byte in_addr, even
 * when asked for an ip_mreqn (checked: set with ip_mreqn{ifindex 1, address 0} reads back
 * 0.0.0.0; with address 127.0.0.1 it reads back 127.0.0.1). mc_index is not readable at all.
 * So set stores the interface's primary IPv4 address (SIOCGIFADDR) together with its index,
 * and get maps the address back to the interface that carries it (SIOCGIFCONF on fd itself, a
 * stack array, no allocation). Setting the address is what IP_MULTICAST_IF with an in_addr
 * does anyway: it becomes the source of multicast sends that do not bind one.
 * Limits: an interface without an IPv4 address reads back as 0; when two interfaces carry the
 * same address, the first one listed is returned.
 */
int ipk_os_mcast_set_if(int fd, unsigned ifindex)
{
	struct ip_mreqn mr;

	memset(&mr, 0, sizeof(mr));
	mr.imr_ifindex = (int)ifindex;
	if (ifindex) {
		struct ifreq ifr;
		memset(&ifr, 0, sizeof(ifr));
		if (ipk_os_ifname(fd, ifindex, ifr.ifr_name) == 0 && ioctl(fd, SIOCGIFADDR, &ifr) == 0 &&
		    ifr.ifr_addr.sa_family == AF_INET) {
			struct sockaddr_in sin;
			memcpy(&sin, &ifr.ifr_addr, sizeof(sin));
			mr.imr_address = sin.sin_addr;
		}
	}
	return err_or(setsockopt(fd, IPPROTO_IP, IP_MULTICAST_IF, &mr, sizeof(mr)));
}

#define IFCONF_MAX 128

int ipk_os_mcast_get_if(int fd, unsigned *ifindex, uint32_t *addr)
{
	struct in_addr a;
	socklen_t l = sizeof(a);
	struct ifreq rq[IFCONF_MAX];
	struct ifconf ifc;

	*ifindex = 0;
	memset(&a, 0, sizeof(a));
	if (getsockopt(fd, IPPROTO_IP, IP_MULTICAST_IF, &a, &l) != 0)
		return -errno;
	if (addr)
		*addr = ntohl(a.s_addr);
	if (a.s_addr == htonl(INADDR_ANY))
		return 0;
	ifc.ifc_len = (int)sizeof(rq);
	ifc.ifc_req = rq;
	if (ioctl(fd, SIOCGIFCONF, &ifc) != 0)
		return -errno;
	for (size_t i = 0; i < (size_t)ifc.ifc_len / sizeof(rq[0]); i++) {
		struct sockaddr_in sin;
		char *colon;
		unsigned idx;
		if (rq[i].ifr_addr.sa_family != AF_INET)
			continue;
		memcpy(&sin, &rq[i].ifr_addr, sizeof(sin));
		if (sin.sin_addr.s_addr != a.s_addr)
			continue;
		rq[i].ifr_name[IF_NAMESIZE - 1] = 0;
		colon = strchr(rq[i].ifr_name, ':'); /* alias label "eth0:1" */
		if (colon)
			*colon = 0;
		idx = if_nametoindex(rq[i].ifr_name);
		if (idx) {
			*ifindex = idx;
			return 0;
		}
	}
	return 0;
}

/* ---- control messages ---- */

static const struct {
	unsigned flag;
	int opt;
} cm_opts[] = {
	{IPK_CM_TTL, IP_RECVTTL},
	{IPK_CM_TOS, IP_RECVTOS},
	{IPK_CM_PKTINFO, IP_PKTINFO},
	{IPK_CM_ERR, IP_RECVERR},
};

int ipk_os_set_cm(int fd, unsigned flags, int on)
{
	int v = on != 0, old[4];
	size_t i;

	for (i = 0; i < 4; i++) {
		socklen_t l = sizeof(old[i]);
		old[i] = 0;
		if ((flags & cm_opts[i].flag) &&
		    getsockopt(fd, IPPROTO_IP, cm_opts[i].opt, &old[i], &l) != 0)
			return -errno;
	}
	for (i = 0; i < 4; i++) {
		if (!(flags & cm_opts[i].flag))
			continue;
		if (setsockopt(fd, IPPROTO_IP, cm_opts[i].opt, &v, sizeof(v)) != 0) {
			int err = -errno;
			while (i-- > 0) /* put back what this call changed */
				if (flags & cm_opts[i].flag)
					setsockopt(fd, IPPROTO_IP, cm_opts[i].opt, &old[i],
						   sizeof(old[i]));
			return err;
		}
	}
	return 0;
}

/* ---- datagram I/O ---- */

/* Prepare a receive msghdr for m (iov and name supplied by the caller). */
static void rx_hdr(struct msghdr *h, struct iovec *iov, struct sockaddr_in *name, void *buf,
		   size_t cap, uint8_t *ctl, size_t cs)
{
	iov->iov_base = buf;
	iov->iov_len = cap;
	memset(h, 0, sizeof(*h));
	memset(name, 0, sizeof(*name));
	h->msg_name = name;
	h->msg_namelen = sizeof(*name);
	h->msg_iov = iov;
	h->msg_iovlen = 1;
	h->msg_control = cs ? ctl : NULL;
	h->msg_controllen = cs;
}

/* Fill cm from a received header: source from msg_name, the rest from the control bytes. */
static void rx_cm(const struct msghdr *h, struct ipk_cm *cm)
{
	const struct sockaddr_in *name = h->msg_name;

	memset(cm, 0, sizeof(*cm));
	if (h->msg_namelen >= sizeof(*name) && name->sin_family == AF_INET) {
		cm->src = ntohl(name->sin_addr.s_addr);
		cm->sport = ntohs(name->sin_port);
	}
	if (h->msg_control && h->msg_controllen)
		(void)ipk_cm_parse(h->msg_control, h->msg_controllen, cm); /* partial kept */
}

static void rx_msg(const struct msghdr *h, size_t n, struct ipk_msg *m)
{
	m->len = n < m->cap ? n : m->cap;
	m->flags = h->msg_flags;
	rx_cm(h, &m->cm);
	m->addr = m->cm.src;
	m->port = m->cm.sport;
}

int ipk_os_read(int fd, struct ipk_msg *m, unsigned cm_flags, int flags)
{
	union cbuf c;
	struct msghdr h;
	struct iovec iov;
	struct sockaddr_in name;
	ssize_t n;

	rx_hdr(&h, &iov, &name, m->buf, m->cap, c.b, ipk_cm_space(cm_flags));
	n = recvmsg(fd, &h, flags);
	if (n < 0)
		return -errno;
	rx_msg(&h, (size_t)n, m);
	return (int)n;
}

int ipk_os_read_err(int fd, struct ipk_msg *m)
{
	union cbuf c;
	struct msghdr h;
	struct iovec iov;
	struct sockaddr_in name;
	ssize_t n;

	rx_hdr(&h, &iov, &name, m->buf, m->cap, c.b, ipk_cm_space(IPK_CM_ALL));
	n = recvmsg(fd, &h, MSG_ERRQUEUE | MSG_DONTWAIT);
	if (n < 0)
		return -errno;
	rx_msg(&h, (size_t)n, m);
	return (int)n;
}

/* Prepare a send msghdr: destination when addr is set, control bytes from cm (may be NULL). */
static int tx_hdr(struct msghdr *h, struct iovec *iov, size_t niov, struct sockaddr_in *name,
		  uint32_t addr, uint16_t port, const struct ipk_cm *cm, uint8_t *ctl)
{
	int cl = 0;

	memset(h, 0, sizeof(*h));
	if (addr || port) {
		sin_set(name, addr, port);
		h->msg_name = name;
		h->msg_namelen = sizeof(*name);
	}
	h->msg_iov = iov;
	h->msg_iovlen = niov;
	if (cm && cm->has) {
		cl = ipk_cm_marshal(cm, ctl, IPK_CM_SPACE_MAX);
		if (cl < 0)
			return -EINVAL;
	}
	h->msg_control = cl ? ctl : NULL;
	h->msg_controllen = (size_t)cl;
	return 0;
}

int ipk_os_write(int fd, const struct ipk_msg *m, int flags)
{
	union cbuf c;
	struct msghdr h;
	struct iovec iov = {m->buf, m->len};
	struct sockaddr_in name;
	ssize_t n;
	int r = tx_hdr(&h, &iov, 1, &name, m->addr, m->port, &m->cm, c.b);

	if (r)
		return r;
	n = sendmsg(fd, &h, flags | MSG_NOSIGNAL);
	return n < 0 ? -errno : (int)n;
}

/* The stack arrays of one batch call (at most IPK_BATCH_MAX messages, no allocation). */
struct batch_ws {
	struct mmsghdr mm[IPK_BATCH_MAX];
	struct iovec iov[IPK_BATCH_MAX][2];
	struct sockaddr_in name[IPK_BATCH_MAX];
	union {
		struct cmsghdr align;
		uint8_t b[IPK_BATCH_MAX][IPK_CM_SPACE_MAX];
	} c;
};

/* Entry i of a receive batch: buffer, source address and control space (cs bytes). */
static void rx_entry(struct batch_ws *w, size_t i, void *buf, size_t cap, size_t cs)
{
	rx_hdr(&w->mm[i].msg_hdr, &w->iov[i][0], &w->name[i], buf, cap, w->c.b[i], cs);
	w->mm[i].msg_len = 0;
}

int ipk_os_read_batch(int fd, struct ipk_msg *m, size_t n, unsigned cm_flags, int flags)
{
	struct batch_ws w;
	size_t cs = ipk_cm_space(cm_flags);

	for (size_t i = 0; i < n; i++)
		rx_entry(&w, i, m[i].buf, m[i].cap, cs);
	int got = recvmmsg(fd, w.mm, (unsigned)n, flags, NULL);
	if (got < 0)
		return -errno;
	for (int i = 0; i < got; i++)
		rx_msg(&w.mm[i].msg_hdr, w.mm[i].msg_len, &m[i]);
	return got;
}

int ipk_os_write_batch(int fd, const struct ipk_msg *m, size_t n, int flags)
{
	struct batch_ws w;

	for (size_t i = 0; i < n; i++) {
		w.iov[i][0].iov_base = m[i].buf;
		w.iov[i][0].iov_len = m[i].len;
		int r = tx_hdr(&w.mm[i].msg_hdr, w.iov[i], 1, &w.name[i], m[i].addr, m[i].port,
			       &m[i].cm, w.c.b[i]);
		if (r)
			return r;
		w.mm[i].msg_len = 0;
	}
	int got = sendmmsg(fd, w.mm, (unsigned)n, flags | MSG_NOSIGNAL);
	return got < 0 ? -errno : got;
}

/* ---- link level (AF_PACKET) ---- */

int ipk_os_link_open(unsigned ifindex)
{
	struct sockaddr_ll sll;
	int err;
	/* protocol 0: no packet type is hooked, so nothing is ever queued for reading */
	int fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -errno;
	memset(&sll, 0, sizeof(sll));
	sll.sll_family = AF_PACKET;
	sll.sll_protocol = 0;
	sll.sll_ifindex = (int)ifindex;
	if (bind(fd, (struct sockaddr *)&sll, sizeof(sll)) != 0) {
		err = -errno;
		close(fd);
		return err;
	}
	return fd;
}

/* Bound socket, no msg_name: the frame goes out of the bound interface as it is. */
int ipk_os_link_send_batch(int fd, const struct ipk_msg *m, size_t n, int flags)
{
	struct mmsghdr mm[IPK_BATCH_MAX];
	struct iovec iov[IPK_BATCH_MAX];
	int got;

	memset(mm, 0, n * sizeof(mm[0]));
	for (size_t i = 0; i < n; i++) {
		iov[i].iov_base = m[i].buf;
		iov[i].iov_len = m[i].len;
		mm[i].msg_hdr.msg_iov = &iov[i];
		mm[i].msg_hdr.msg_iovlen = 1;
	}
	got = sendmmsg(fd, mm, (unsigned)n, flags | MSG_NOSIGNAL);
	return got < 0 ? -errno : got;
}

/* A bound packet socket's name carries its interface's hardware address: no name lookup, no
 * second socket. */
int ipk_os_link_get_mac(int fd, uint8_t mac[6])
{
	struct sockaddr_ll sll;
	socklen_t l = sizeof(sll);

	memset(&sll, 0, sizeof(sll));
	if (getsockname(fd, (struct sockaddr *)&sll, &l) != 0)
		return -errno;
	if (sll.sll_family != AF_PACKET)
		return -EAFNOSUPPORT;
	if (sll.sll_halen != 6)
		return -EOPNOTSUPP;
	memcpy(mac, sll.sll_addr, 6);
	return 0;
}

/* ---- IGMP on a link (AF_PACKET, SOCK_DGRAM: data and filter start at the IPv4 header) ---- */

/* Classic BPF opcodes (linux/filter.h values). */
#define IGMP_LD_W_ABS 0x20 /* BPF_LD|BPF_W|BPF_ABS: A = [k] (ancillary when k >= SKF_AD_OFF) */
#define IGMP_LD_B_ABS 0x30 /* BPF_LD|BPF_B|BPF_ABS: A = byte [k] */
#define IGMP_JEQ 0x15      /* BPF_JMP|BPF_JEQ|BPF_K */
#define IGMP_RET 0x06      /* BPF_RET|BPF_K */

/*
 * skb->protocol must be IPv4, with no VLAN tag left on the skb (a tagged frame is the VLAN
 * interface's: the parent's ETH_P_ALL tap sees it untagged, tag aside), the packet type not
 * PACKET_OUTGOING (unless wanted: the jump then compares with a type that does not exist), and
 * the IPv4 protocol byte (offset 9) 2; with IPK_IGMP_RX_MCAST_DATA, the protocol byte not 2 and
 * the top nibble of the destination (offset 16) 0xe. Accepted frames are kept whole.
 */
#define IGMP_BPF_MAX 13
#define IGMP_ALU_AND 0x54  /* BPF_ALU|BPF_AND|BPF_K: A &= k */
/* The program for flags into p[0..IGMP_BPF_MAX); returns its length. */
static unsigned short igmp_bpf(unsigned flags, struct sock_filter *p)
{
	uint32_t out = (flags & IPK_IGMP_RX_OUTGOING) ? 0xffffffffu : PACKET_OUTGOING;
	const struct sock_filter igmp[] = {
		{IGMP_LD_W_ABS, 0, 0, (uint32_t)(SKF_AD_OFF + SKF_AD_PROTOCOL)},
		{IGMP_JEQ, 0, 7, ETH_P_IP},
		{IGMP_LD_W_ABS, 0, 0, (uint32_t)(SKF_AD_OFF + SKF_AD_VLAN_TAG_PRESENT)},
		{IGMP_JEQ, 0, 5, 0},
		{IGMP_LD_W_ABS, 0, 0, (uint32_t)(SKF_AD_OFF + SKF_AD_PKTTYPE)},
		{IGMP_JEQ, 3, 0, out},
		{IGMP_LD_B_ABS, 0, 0, 9},
		{IGMP_JEQ, 0, 1, IPK_PROTO_IGMP},
		{IGMP_RET, 0, 0, 0xffffffffu},
		{IGMP_RET, 0, 0, 0},
	};
	const struct sock_filter data[IGMP_BPF_MAX] = {
		{IGMP_LD_W_ABS, 0, 0, (uint32_t)(SKF_AD_OFF + SKF_AD_PROTOCOL)},
		{IGMP_JEQ, 0, 10, ETH_P_IP},
		{IGMP_LD_W_ABS, 0, 0, (uint32_t)(SKF_AD_OFF + SKF_AD_VLAN_TAG_PRESENT)},
		{IGMP_JEQ, 0, 8, 0},
		{IGMP_LD_W_ABS, 0, 0, (uint32_t)(SKF_AD_OFF + SKF_AD_PKTTYPE)},
		{IGMP_JEQ, 6, 0, out},
		{IGMP_LD_B_ABS, 0, 0, 9},
		{IGMP_JEQ, 4, 0, IPK_PROTO_IGMP},
		{IGMP_LD_B_ABS, 0, 0, 16},
		{IGMP_ALU_AND, 0, 0, 0xf0},
		{IGMP_JEQ, 0, 1, 0xe0},
		{IGMP_RET, 0, 0, 0xffffffffu},
		{IGMP_RET, 0, 0, 0},
	};
	if (flags & IPK_IGMP_RX_MCAST_DATA) {
		memcpy(p, data, sizeof(data));
		return sizeof(data) / sizeof(data[0]);
	}
	memcpy(p, igmp, sizeof(igmp));
	return sizeof(igmp) / sizeof(igmp[0]);
}

int ipk_os_igmp_listen_open(unsigned ifindex, unsigned flags)
{
	struct sock_filter prog[IGMP_BPF_MAX];
	struct sock_fprog fp;
	struct packet_mreq mr;
	struct sockaddr_ll sll;
	int one = 1, err;
	/* protocol 0 until bound: nothing is queued before the filter is in place */
	int fd = socket(AF_PACKET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -errno;
	memset(&fp, 0, sizeof(fp));
	fp.len = igmp_bpf(flags, prog);
	fp.filter = prog;
	if (setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &fp, sizeof(fp)) != 0)
		goto fail;
	if (setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPNS, &one, sizeof(one)) != 0)
		goto fail;
	memset(&sll, 0, sizeof(sll));
	sll.sll_family = AF_PACKET;
	/* ETH_P_ALL, not ETH_P_IP: only "all" taps run before a bridge or bond takes a port's
	 * frame (an ETH_P_IP socket on a bridge port hears nothing) and only they get the frames
	 * this host sends; the filter drops what is not wanted */
	sll.sll_protocol = htons(ETH_P_ALL);
	sll.sll_ifindex = (int)ifindex;
	if (bind(fd, (struct sockaddr *)&sll, sizeof(sll)) != 0)
		goto fail;
	if (!(flags & IPK_IGMP_RX_NO_ALLMULTI)) {
		memset(&mr, 0, sizeof(mr));
		mr.mr_ifindex = (int)ifindex;
		mr.mr_type = PACKET_MR_ALLMULTI;
		if (setsockopt(fd, SOL_PACKET, PACKET_ADD_MEMBERSHIP, &mr, sizeof(mr)) != 0)
			goto fail;
	}
	return fd;
fail:
	err = -errno;
	close(fd);
	return err;
}

/* Cut the link padding: when buf[0..len) starts with an IPv4 header whose total length is
 * shorter than what arrived, the datagram ends there. */
static void trim_padding(struct ipk_igmp_rx *x)
{
	struct ipk_ip4 h;

	if (ipk_ip4_parse(x->buf, x->len, IPK_IP4_LAX, &h, NULL) == 0 && h.total_len >= h.hlen &&
	    h.total_len < x->len)
		x->len = h.total_len;
}

static int64_t ts_ns(const struct timespec *t)
{
	return (int64_t)t->tv_sec * 1000000000 + t->tv_nsec;
}

int ipk_os_igmp_listen_read(int fd, struct ipk_igmp_rx *m, size_t n, int flags)
{
	struct mmsghdr mm[IPK_BATCH_MAX];
	struct iovec iov[IPK_BATCH_MAX];
	struct sockaddr_ll name[IPK_BATCH_MAX];
	union {
		struct cmsghdr align;
		uint8_t b[IPK_BATCH_MAX][CMSG_SPACE(sizeof(struct timespec))];
	} c;
	struct timespec real, mono;
	int64_t off, now;
	int got;

	memset(mm, 0, n * sizeof(mm[0]));
	for (size_t i = 0; i < n; i++) {
		iov[i].iov_base = m[i].buf;
		iov[i].iov_len = m[i].cap;
		mm[i].msg_hdr.msg_iov = &iov[i];
		mm[i].msg_hdr.msg_iovlen = 1;
		mm[i].msg_hdr.msg_name = &name[i];
		mm[i].msg_hdr.msg_namelen = sizeof(name[i]);
		mm[i].msg_hdr.msg_control = c.b[i];
		mm[i].msg_hdr.msg_controllen = sizeof(c.b[i]);
	}
	/* MSG_TRUNC: msg_len is the datagram's real length, not the part kept */
	got = recvmmsg(fd, mm, (unsigned)n, flags | MSG_TRUNC, NULL);
	if (got < 0)
		return -errno;
	clock_gettime(CLOCK_REALTIME, &real);
	clock_gettime(CLOCK_MONOTONIC, &mono);
	now = ts_ns(&mono);
	off = ts_ns(&real) - now;
	for (int i = 0; i < got; i++) {
		struct msghdr *h = &mm[i].msg_hdr;
		struct ipk_igmp_rx *x = &m[i];
		struct cmsghdr *cm;
		x->wirelen = mm[i].msg_len;
		x->len = x->wirelen < x->cap ? x->wirelen : x->cap;
		x->flags = h->msg_flags;
		x->pkttype = name[i].sll_pkttype;
		x->ifindex = (unsigned)name[i].sll_ifindex;
		memset(x->mac, 0, sizeof(x->mac));
		if (name[i].sll_halen == 6)
			memcpy(x->mac, name[i].sll_addr, 6);
		x->ts_real_ns = 0;
		x->ts_ns = now;
		for (cm = CMSG_FIRSTHDR(h); cm; cm = CMSG_NXTHDR(h, cm)) {
			if (cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_TIMESTAMPNS &&
			    cm->cmsg_len >= CMSG_LEN(sizeof(struct timespec))) {
				struct timespec t;
				memcpy(&t, CMSG_DATA(cm), sizeof(t));
				x->ts_real_ns = ts_ns(&t);
				x->ts_ns = x->ts_real_ns - off < now ? x->ts_real_ns - off : now;
			}
		}
		trim_padding(x);
	}
	return got;
}

int ipk_os_if_addr(int fd, unsigned ifindex, uint32_t *addr)
{
	struct ifreq ifr;
	struct sockaddr_in sin;
	int r;

	memset(&ifr, 0, sizeof(ifr));
	if ((r = ipk_os_ifname(fd, ifindex, ifr.ifr_name)) != 0)
		return r;
	if (ioctl(fd, SIOCGIFADDR, &ifr) != 0)
		return errno == EADDRNOTAVAIL ? -EADDRNOTAVAIL : -errno;
	if (ifr.ifr_addr.sa_family != AF_INET)
		return -EADDRNOTAVAIL;
	memcpy(&sin, &ifr.ifr_addr, sizeof(sin));
	*addr = ntohl(sin.sin_addr.s_addr);
	return 0;
}

#define LL_REPORTS "/proc/sys/net/ipv4/igmp_link_local_mcast_reports"

/* /proc/sys of the caller's network namespace (procfs follows the reader's namespace). */
int ipk_os_igmp_ll_reports(int on, int *old)
{
	char b[16];
	ssize_t n;
	int fd = open(LL_REPORTS, (on < 0 ? O_RDONLY : O_RDWR) | O_CLOEXEC), err = 0;

	if (fd < 0)
		return -errno;
	n = read(fd, b, sizeof(b) - 1);
	if (n <= 0) {
		err = n < 0 ? -errno : -EIO;
	} else {
		b[n] = 0;
		*old = b[0] == '0' ? 0 : 1;
		if (on >= 0 && pwrite(fd, on ? "1\n" : "0\n", 2, 0) != 2)
			err = -errno;
	}
	close(fd);
	return err;
}

/* ---- ICMP filter and BPF ---- */

int ipk_os_set_icmp_low(int fd, uint32_t bits)
{
	struct icmp_filter f = {bits};
	return err_or(setsockopt(fd, SOL_RAW, ICMP_FILTER, &f, sizeof(f)));
}

int ipk_os_get_icmp_low(int fd, uint32_t *bits)
{
	struct icmp_filter f = {0};
	socklen_t l = sizeof(f);

	if (getsockopt(fd, SOL_RAW, ICMP_FILTER, &f, &l) != 0)
		return -errno;
	if (l != sizeof(f))
		return -EPROTO;
	*bits = f.data;
	return 0;
}

int ipk_os_attach_bpf(int fd, const struct ipk_bpf_insn *p, size_t n)
{
	struct sock_fprog fp;

	memset(&fp, 0, sizeof(fp));
	fp.len = (unsigned short)n;
	fp.filter = (struct sock_filter *)(uintptr_t)p; /* the kernel only reads it */
	return err_or(setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &fp, sizeof(fp)));
}

int ipk_os_bind_device(int fd, const char *name)
{
	return err_or(setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, name, (socklen_t)strlen(name)));
}

int ipk_os_detach_bpf(int fd)
{
	int dummy = 0;
	return err_or(setsockopt(fd, SOL_SOCKET, SO_DETACH_FILTER, &dummy, sizeof(dummy)));
}

/* SO_GET_FILTER: optlen counts instructions, not bytes; 0 back means no filter. */
int ipk_os_get_bpf(int fd, struct ipk_bpf_insn *p, size_t cap)
{
	socklen_t l = 0;

	if (getsockopt(fd, SOL_SOCKET, SO_GET_FILTER, NULL, &l) != 0)
		return -errno;
	if (l == 0)
		return 0;
	if (l > cap)
		return -ENOSPC;
	if (getsockopt(fd, SOL_SOCKET, SO_GET_FILTER, p, &l) != 0)
		return -errno;
	return (int)l;
}

/* ---- RawConn ---- */

int ipk_os_raw_recv(int fd, uint8_t *buf, size_t cap, unsigned cm_flags, struct ipk_cm *cm,
		    int flags)
{
	union cbuf c;
	struct msghdr h;
	struct iovec iov;
	struct sockaddr_in name;
	ssize_t n;

	rx_hdr(&h, &iov, &name, buf, cap, c.b, ipk_cm_space(cm_flags));
	n = recvmsg(fd, &h, flags & ~MSG_TRUNC);
	if (n < 0)
		return -errno;
	if (h.msg_flags & MSG_TRUNC)
		return -EMSGSIZE;
	rx_cm(&h, cm);
	cm->sport = 0;
	return (int)n;
}

int ipk_os_raw_send(int fd, const uint8_t *hdr, size_t hlen, const void *payload, size_t len,
		    uint32_t dst, const struct ipk_cm *cm)
{
	union cbuf c;
	struct msghdr h;
	struct iovec iov[2] = {{(void *)(uintptr_t)hdr, hlen}, {(void *)(uintptr_t)payload, len}};
	struct sockaddr_in name;
	ssize_t n;
	int r = tx_hdr(&h, iov, len ? 2 : 1, &name, dst, 0, cm, c.b);

	if (r)
		return r;
	n = sendmsg(fd, &h, MSG_NOSIGNAL);
	return n < 0 ? -errno : (int)n;
}

int ipk_os_raw_recv_batch(int fd, struct ipk_raw_bmsg *m, size_t n, unsigned cm_flags, int flags)
{
	struct batch_ws w;
	size_t cs = ipk_cm_space(cm_flags);

	for (size_t i = 0; i < n; i++)
		rx_entry(&w, i, m[i].buf, m[i].cap, cs);
	int got = recvmmsg(fd, w.mm, (unsigned)n, flags & ~MSG_TRUNC, NULL);
	if (got < 0)
		return -errno;
	for (int i = 0; i < got; i++) {
		size_t len = w.mm[i].msg_len;
		m[i].flags = w.mm[i].msg_hdr.msg_flags;
		memset(&m[i].pkt, 0, sizeof(m[i].pkt));
		rx_cm(&w.mm[i].msg_hdr, &m[i].pkt.cm);
		m[i].pkt.cm.sport = 0;
		m[i].pkt.len = len < m[i].cap ? len : m[i].cap; /* parsed by the caller */
	}
	return got;
}

int ipk_os_raw_send_batch(int fd, const struct ipk_os_raw_out *o, size_t n, int flags)
{
	struct batch_ws w;

	for (size_t i = 0; i < n; i++) {
		w.iov[i][0].iov_base = (void *)(uintptr_t)o[i].hdr;
		w.iov[i][0].iov_len = o[i].hlen;
		w.iov[i][1].iov_base = (void *)(uintptr_t)o[i].payload;
		w.iov[i][1].iov_len = o[i].len;
		int r = tx_hdr(&w.mm[i].msg_hdr, w.iov[i], o[i].len ? 2 : 1, &w.name[i], o[i].dst, 0,
			       o[i].cm, w.c.b[i]);
		if (r)
			return r;
		w.mm[i].msg_len = 0;
	}
	int got = sendmmsg(fd, w.mm, (unsigned)n, flags | MSG_NOSIGNAL);
	return got < 0 ? -errno : got;
}

#else
/* ISO C forbids an empty translation unit. */
typedef int ipk_sock_linux_unused_;
#endif
