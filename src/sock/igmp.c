/* igmp.c - a querier's sockets: hearing every IGMP message on a link (packet socket) and sending queries with the codec-built IGMP header (raw IP_HDRINCL or link path); RFC 2236, RFC 3376/9776. */
#define _GNU_SOURCE /* MSG_WAITFORONE under -std=c11 */

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include <sys/socket.h>

#include "ipv4kit/error.h"
#include "ipv4kit/igmp.h"
#include "ipv4kit/link.h"
#include "ipv4kit/sock.h"
#include "sock/sock_os.h"

#define RX_FLAGS (IPK_IGMP_RX_OUTGOING | IPK_IGMP_RX_NO_ALLMULTI | IPK_IGMP_RX_MCAST_DATA)

int ipk_igmp_listen_open(unsigned ifindex, unsigned flags)
{
	if (ifindex == 0 || ifindex > INT32_MAX)
		return -ENODEV;
	if (flags & ~(unsigned)RX_FLAGS)
		return -EINVAL;
	return ipk_os_igmp_listen_open(ifindex, flags);
}

int ipk_igmp_listen_read(int fd, struct ipk_igmp_rx *m, size_t n, int flags)
{
	if (fd < 0)
		return -EBADF;
	if (n == 0 || n > INT32_MAX)
		return -EINVAL;
	for (size_t i = 0; i < n; i++)
		if (!m[i].buf && m[i].cap)
			return -EINVAL;
	IPK_BATCH_LOOP(ipk_os_igmp_listen_read(fd, m + done, k, fl), got);
}

int ipk_igmp_link_local_reports(int on, int *old)
{
	int dummy;

	if (on < -1 || on > 1)
		return -EINVAL;
	return ipk_os_igmp_ll_reports(on, old ? old : &dummy);
}

/* ---- sending queries ---- */

int ipk_igmp_tx_open(struct ipk_igmp_tx *t, unsigned ifindex, uint32_t src, unsigned flags)
{
	int fd, r;

	memset(t, 0, sizeof(*t));
	t->fd = -1;
	if (ifindex == 0 || ifindex > INT32_MAX)
		return -ENODEV;
	if (flags & ~(unsigned)IPK_IGMP_TX_LINK)
		return -EINVAL;
	if (flags & IPK_IGMP_TX_LINK) {
		fd = ipk_link_open(ifindex);
		if (fd < 0)
			return fd;
		r = ipk_link_get_mac(fd, t->mac);
	} else {
		/* IPPROTO_RAW: IP_HDRINCL implied, and no datagram is ever queued for reading */
		fd = ipk_raw_open(255, 1);
		if (fd < 0)
			return fd;
		r = ipk_sock_bind_device(fd, ifindex);
		if (r == 0)
			r = ipk_mcast_set_if(fd, ifindex);
		if (r == 0)
			r = ipk_mcast_set_loop(fd, 0);
		if (r == 0 && src == 0)
			r = ipk_os_if_addr(fd, ifindex, &src);
	}
	if (r) {
		close(fd);
		return r;
	}
	t->fd = fd;
	t->ifindex = ifindex;
	t->flags = flags;
	t->src = src;
	return 0;
}

/* ipk_igmp_tx_build, also saying where the datagram goes (*to: the header's destination). */
static int tx_build(const struct ipk_igmp_tx *t, const uint8_t *msg, size_t len, uint32_t dst,
		    uint8_t *buf, size_t cap, uint32_t *to)
{
	struct ipk_ip4 h;
	struct ipk_wbuf w;
	size_t l2 = (t->flags & IPK_IGMP_TX_LINK) ? IPK_ETH_HLEN : 0;
	int hl;

	if (!msg && len)
		return -EINVAL;
	ipk_igmp_ip4_defaults(msg ? msg : (const uint8_t *)"", len, t->src, &h);
	if (dst)
		h.dst = dst;
	*to = h.dst;
	if (l2) {
		uint8_t gmac[6];
		if (!ipk_ip4_is_multicast(h.dst))
			return -EINVAL;
		ipk_eth_mcast_mac(h.dst, gmac);
		ipk_wbuf_init(&w, buf, cap);
		if (ipk_eth_build(&w, gmac, t->mac, IPK_ETHERTYPE_IPV4) != 0)
			return IPK_E_NOSPACE;
	}
	hl = ipk_ip4_marshal(&h, len, 0, buf + l2, cap - l2);
	if (hl < 0)
		return hl;
	if (len > cap - l2 - (size_t)hl)
		return IPK_E_NOSPACE;
	if (len)
		memcpy(buf + l2 + hl, msg, len);
	return (int)(l2 + (size_t)hl + len);
}

int ipk_igmp_tx_build(const struct ipk_igmp_tx *t, const uint8_t *msg, size_t len, uint32_t dst,
		      uint8_t *buf, size_t cap)
{
	uint32_t to;
	return tx_build(t, msg, len, dst, buf, cap, &to);
}

int ipk_igmp_tx_send(const struct ipk_igmp_tx *t, const uint8_t *msg, size_t len, uint32_t dst)
{
	uint8_t buf[IPK_IGMP_TX_MAX];
	uint32_t to;
	int n;

	if (t->fd < 0)
		return -EBADF;
	n = tx_build(t, msg, len, dst, buf, sizeof(buf), &to);
	if (n == IPK_E_NOSPACE || n == IPK_E_TOOLONG)
		return -EMSGSIZE;
	if (n < 0)
		return n;
	if (t->flags & IPK_IGMP_TX_LINK) {
		struct ipk_msg m;
		memset(&m, 0, sizeof(m));
		m.buf = buf;
		m.len = (size_t)n;
		n = ipk_link_write_batch(t->fd, &m, 1, 0);
		return n == 1 ? (int)m.len : n;
	}
	return ipk_os_raw_send(t->fd, buf, (size_t)n, NULL, 0, to, NULL);
}

void ipk_igmp_tx_close(struct ipk_igmp_tx *t)
{
	if (t->fd >= 0)
		close(t->fd);
	t->fd = -1;
}
