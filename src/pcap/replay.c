/* replay.c - capture replay: a capture's IPv4 datagrams sent through the RawConn (IP_HDRINCL, sendmmsg), or its whole Ethernet frames through a packet socket, with original timing, a speed factor, a fixed rate or as fast as possible. */
#define _DEFAULT_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ipv4kit/cmsg.h"
#include "ipv4kit/error.h"
#include "ipv4kit/harness.h"
#include "ipv4kit/ip4.h"
#include "ipv4kit/link.h"
#include "ipv4kit/packet.h"
#include "ipv4kit/sock.h"

struct rentry {
	size_t off;          /* of the IPv4 header (link mode: of the frame) in cap->data */
	size_t plen;         /* payload bytes after the header (link mode: frame bytes) */
	int64_t ns;          /* capture time relative to the first datagram */
	struct ipk_ip4 h;    /* parsed header; h.opts points into cap->data */
};

struct ipk_replay_cap {
	uint8_t *data;
	size_t len, cap;
	struct rentry *e;
	size_t n, ecap;
	uint64_t skipped;
	int link;            /* whole Ethernet frames for a packet socket */
	struct ipk_replay_eth eth;
	int64_t t0_sec;
	uint32_t t0_nsec;
	int have_t0;
	struct ipk_packet p;
};

/* Room for dlen more bytes of data and one more entry. */
static int grow(struct ipk_replay_cap *c, size_t dlen)
{
	if (c->n == c->ecap) {
		size_t nc = c->ecap ? c->ecap * 2 : 1024;
		struct rentry *ne = realloc(c->e, nc * sizeof(*ne));
		if (!ne)
			return -ENOMEM;
		c->e = ne;
		c->ecap = nc;
	}
	if (c->len + dlen > c->cap) {
		size_t nc = (c->cap ? c->cap * 2 : 1u << 20) + dlen;
		uint8_t *nd = realloc(c->data, nc);
		if (!nd)
			return -ENOMEM;
		c->data = nd;
		c->cap = nc;
	}
	return 0;
}

/* A new entry at the end of the data, timed relative to the first frame. */
static struct rentry *add_entry(struct ipk_replay_cap *c, const struct ipk_cap_frame *f)
{
	if (!c->have_t0) {
		c->t0_sec = f->sec;
		c->t0_nsec = f->nsec;
		c->have_t0 = 1;
	}
	struct rentry *e = &c->e[c->n++];
	memset(e, 0, sizeof(*e));
	e->off = c->len;
	e->ns = (f->sec - c->t0_sec) * 1000000000LL + ((int64_t)f->nsec - (int64_t)c->t0_nsec);
	if (e->ns < 0)
		e->ns = 0; /* out-of-order timestamps: send at once */
	return e;
}

/* Link mode: every frame is kept whatever its content. An Ethernet frame is copied as captured
 * (addresses replaced when asked); any other link header is replaced by an Ethernet header
 * built by the codec, keeping the EtherType and VLAN tags the link header gave. */
static int load_link_cb(struct ipk_replay_cap *c, int dlt, const struct ipk_cap_frame *f)
{
	static const uint8_t bcast[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
	const struct ipk_replay_eth *eth = &c->eth;
	struct ipk_link l;
	size_t room = f->caplen + 14 + 2 * 4;

	if (dlt != IPK_DLT_EN10MB &&
	    (ipk_link_decode(dlt, f->data, f->caplen, &l) != 0 || l.ethertype == 0)) {
		c->skipped++; /* no EtherType to put in front of the data */
		return 0;
	}
	if (grow(c, room))
		return -ENOMEM;
	struct rentry *e = add_entry(c, f);
	uint8_t *d = c->data + c->len;
	if (dlt == IPK_DLT_EN10MB) {
		memcpy(d, f->data, f->caplen);
		ipk_eth_set_addrs(d, f->caplen, eth->set_dst ? eth->dst : NULL,
				  eth->set_src ? eth->src : NULL);
		e->plen = f->caplen;
		c->len += f->caplen;
		return 0;
	}
	const uint8_t *l3 = f->data + l.l3_off;
	size_t l3len = f->caplen - l.l3_off;
	uint8_t mc[6];
	const uint8_t *dst = bcast;
	if (eth->set_dst) {
		dst = eth->dst;
	} else if (l.ethertype == IPK_ETHERTYPE_IPV4 && l3len >= IPK_IP4_MINLEN) {
		struct ipk_ip4 h;
		int pr = ipk_ip4_parse(l3, l3len, IPK_IP4_GO, &h, NULL);
		(void)pr; /* the fixed header is read whatever the parse says of the rest */
		if (ipk_ip4_is_multicast(h.dst)) {
			ipk_eth_mcast_mac(h.dst, mc);
			dst = mc;
		}
	}
	struct ipk_wbuf w;
	ipk_wbuf_init(&w, d, room);
	/* a Linux cooked header keeps the frame's own 6-byte source address: use it as an Ethernet
	 * frame's would be kept */
	const uint8_t *src = !eth->set_src && l.addr_len == 6 ? l.src : eth->src;
	int r = ipk_eth_build(&w, dst, src, l.ntags ? l.tag_tpid[0] : l.ethertype);
	for (unsigned t = 0; r == 0 && t < l.ntags; t++)
		r = ipk_vlan_build(&w, l.tag_tci[t],
				   t + 1 < l.ntags ? l.tag_tpid[t + 1] : l.ethertype);
	if (r)
		return r; /* room was reserved: cannot happen */
	memcpy(d + w.len, l3, l3len);
	e->plen = w.len + l3len;
	c->len += e->plen;
	return 0;
}

static int load_cb(void *ctx, int dlt, const struct ipk_cap_frame *f)
{
	struct ipk_replay_cap *c = ctx;
	struct ipk_packet *p = &c->p;
	if (c->link)
		return load_link_cb(c, dlt, f);
	ipk_packet_decode(dlt, f->data, f->caplen, f->wirelen, p);
	if (!p->has_ip4 || p->ip4.hlen < IPK_IP4_MINLEN || p->ip_off + p->ip4.hlen > f->caplen) {
		c->skipped++;
		return 0;
	}
	size_t avail = f->caplen - p->ip_off;
	size_t dlen = p->ip4.total_len >= p->ip4.hlen && p->ip4.total_len <= avail
			      ? p->ip4.total_len
			      : avail;
	if (grow(c, dlen))
		return -ENOMEM;
	struct rentry *e = add_entry(c, f);
	e->plen = dlen - p->ip4.hlen;
	e->h = p->ip4;
	memcpy(c->data + c->len, f->data + p->ip_off, dlen);
	c->len += dlen;
	return 0;
}

static int load(const char *path, const struct ipk_replay_eth *eth, struct ipk_replay_cap **out,
		char *err, size_t errlen)
{
	struct ipk_replay_cap *c = calloc(1, sizeof(*c));
	*out = NULL;
	if (!c)
		return -ENOMEM;
	c->link = eth != NULL;
	if (eth)
		c->eth = *eth;
	int rc = ipk_cap_read(path, load_cb, c, NULL, err, errlen);
	if (rc) {
		ipk_replay_free(c);
		return rc;
	}
	/* the data buffer no longer moves: point the option views into it */
	for (size_t i = 0; i < c->n && !c->link; i++)
		c->e[i].h.opts = c->data + c->e[i].off + IPK_IP4_MINLEN;
	*out = c;
	return 0;
}

int ipk_replay_load(const char *path, struct ipk_replay_cap **out, char *err, size_t errlen)
{
	return load(path, NULL, out, err, errlen);
}

int ipk_replay_load_link(const char *path, const struct ipk_replay_eth *eth,
			 struct ipk_replay_cap **out, char *err, size_t errlen)
{
	return load(path, eth, out, err, errlen);
}

int ipk_replay_is_link(const struct ipk_replay_cap *c)
{
	return c->link;
}

void ipk_replay_free(struct ipk_replay_cap *c)
{
	if (!c)
		return;
	free(c->data);
	free(c->e);
	free(c);
}

uint64_t ipk_replay_count(const struct ipk_replay_cap *c)
{
	return c->n;
}

uint64_t ipk_replay_skipped(const struct ipk_replay_cap *c)
{
	return c->skipped;
}

double ipk_replay_duration(const struct ipk_replay_cap *c)
{
	return c->n ? (double)c->e[c->n - 1].ns / 1e9 : 0.0;
}

static int64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void sleep_until(int64_t t)
{
	struct timespec ts = {(time_t)(t / 1000000000LL), (long)(t % 1000000000LL)};
	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
		;
}

int ipk_replay_run(int fd, const struct ipk_replay_cap *c, const struct ipk_replay_opts *o,
		   struct ipk_replay_stats *st)
{
	memset(st, 0, sizeof(*st));
	if ((o->mode == IPK_REPLAY_TIMED && !(o->speed > 0)) ||
	    (o->mode == IPK_REPLAY_RATE && !(o->pps > 0)) || o->mode < 0 ||
	    o->mode > IPK_REPLAY_TOP || o->loops == 0)
		return -EINVAL;
	/* The interface is chosen once for the socket, not by a control message per datagram
	 * (IP_PKTINFO costs about 10% of a send). */
	if (o->ifindex && !c->link) {
		int r = ipk_sock_bind_device(fd, o->ifindex);
		if (r < 0)
			return r;
	}
	struct ipk_raw_out out[IPK_BATCH_MAX];
	struct ipk_msg lout[IPK_BATCH_MAX];
	int64_t start = now_ns(), last_prog = start;
	int64_t interval = (int64_t)(o->interval * 1e9);
	uint64_t global = 0; /* datagrams scheduled so far, for RATE */

	for (uint64_t loop = 0; loop < o->loops && !(o->stop && *o->stop); loop++) {
		int64_t base = now_ns();
		size_t i = 0;
		while (i < c->n && !(o->stop && *o->stop)) {
			int64_t t = now_ns();
			size_t k = 0;
			int64_t next = 0;
			/* gather what is due now (all of it at top speed) */
			while (k < IPK_BATCH_MAX && i + k < c->n) {
				int64_t due;
				if (o->mode == IPK_REPLAY_TOP)
					due = t;
				else if (o->mode == IPK_REPLAY_RATE)
					due = start + (int64_t)((double)(global + k) * 1e9 / o->pps);
				else
					due = base + (int64_t)((double)c->e[i + k].ns / o->speed);
				if (due > t) {
					next = due;
					break;
				}
				const struct rentry *e = &c->e[i + k];
				if (c->link) {
					memset(&lout[k], 0, sizeof(lout[k]));
					lout[k].buf = c->data + e->off;
					lout[k].len = e->plen;
					k++;
					continue;
				}
				out[k].h = &e->h;
				out[k].payload = c->data + e->off + e->h.hlen;
				out[k].len = e->plen;
				out[k].dst = 0;
				out[k].cm = NULL;
				k++;
			}
			if (k == 0) {
				sleep_until(next);
				continue;
			}
			size_t done = 0;
			int retries = 0;
			while (done < k) {
				int r = c->link ? ipk_link_write_batch(fd, lout + done, k - done, 0)
						: ipk_raw_write_batch(fd, out + done, k - done,
								      IPK_IP4_KEEP_ALL, 0);
				if (r > 0) {
					for (int j = 0; j < r; j++)
						st->bytes += c->link ? lout[done + (size_t)j].len
								     : out[done + (size_t)j].h->hlen +
									       out[done + (size_t)j].len;
					st->sent += (uint64_t)r;
					done += (size_t)r;
					retries = 0;
					continue;
				}
				if ((r == -ENOBUFS || r == -EAGAIN) && retries++ < 200) {
					sleep_until(now_ns() + 50000); /* the queue drains */
					continue;
				}
				/* this datagram is refused: count it and go on with the next */
				st->failed++;
				st->last_err = r;
				done++;
				retries = 0;
			}
			i += k;
			global += k;
			if (o->progress && interval > 0) {
				int64_t t2 = now_ns();
				if (t2 - last_prog >= interval) {
					last_prog = t2;
					st->seconds = (double)(t2 - start) / 1e9;
					o->progress(o->ctx, st);
				}
			}
		}
		if (i == c->n)
			st->loops_done++;
	}
	st->seconds = (double)(now_ns() - start) / 1e9;
	if (o->progress)
		o->progress(o->ctx, st);
	return 0;
}
