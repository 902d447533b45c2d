/* fragile.c - net_fragile: a deliberately buggy userspace IGMP stack for the `ipv4kit fuzz` tests: a host that answers queries and a router that answers leaves, which abort()s on one kind of malformed input. */
#include "net/netutil.h"

#include <signal.h>
#include <sys/socket.h>

/*
 * Usage: net_fragile --bug mrc0|nrecs|none IFACE [GROUP...]
 * It hears every IGMP datagram on IFACE through a packet socket (ipk_igmp_listen_open; the kernel
 * of this namespace joins nothing, so every answer on the link is this program's), parses it with
 * the codec, and answers like a sloppy stack (no checksum or TTL checks):
 *   - a query of any version (general, or for one of its GROUPs): an IGMPv3 report IS_EX {} of
 *     every GROUP to 224.0.0.22, at once (liveness for --probe igmp in igmp-host mode);
 *   - a v2 leave, or a v3 report with a TO_IN {} record: a v3 group-specific query (Max Resp
 *     Code 10) for that group, as a querier's last member query (igmp-router mode);
 * and has one bug on purpose:
 *   mrc0   abort() on an IGMPv3 query whose Max Resp Code is 0 (the trigger of CVE-2012-0207,
 *          which made Linux 2.6.36 to 3.1 divide by zero)
 *   nrecs  abort() on an IGMPv3 report whose record count is larger than the records present
 *          (a walk that trusts the count would read past the message)
 *   none   never.
 * Prints "ready" once listening; runs until SIGTERM/SIGINT.
 */

#define MAXG 16

static volatile sig_atomic_t stop;
static void on_sig(int s)
{
	(void)s;
	stop = 1;
}

static struct ipk_igmp_tx tx;
static uint32_t groups[MAXG];
static int ngroups;

static void report(void)
{
	struct ipk_igmp_rec_spec recs[MAXG];
	uint8_t msg[512];
	struct ipk_wbuf w;
	for (int i = 0; i < ngroups; i++)
		recs[i] = (struct ipk_igmp_rec_spec){.type = IPK_IGMP_IS_EX, .group = groups[i]};
	ipk_wbuf_init(&w, msg, sizeof(msg));
	if (ngroups && ipk_igmp_put_v3_report(&w, recs, (size_t)ngroups) == 0)
		(void)ipk_igmp_tx_send(&tx, msg, w.len, 0);
}

static void last_member_query(uint32_t group)
{
	uint8_t msg[64];
	struct ipk_wbuf w;
	struct ipk_igmp_v3q q = {.mrc = 10, .qrv = 2, .qqic = 125, .group = group};
	ipk_wbuf_init(&w, msg, sizeof(msg));
	if (ipk_ip4_is_multicast(group) && ipk_igmp_put_v3_query(&w, &q) == 0)
		(void)ipk_igmp_tx_send(&tx, msg, w.len, 0);
}

static int ours(uint32_t group)
{
	for (int i = 0; i < ngroups; i++)
		if (groups[i] == group)
			return 1;
	return 0;
}

static void input(const char *bug, const uint8_t *d, size_t len)
{
	struct ipk_ip4 h;
	struct ipk_igmp m;
	size_t off;
	if (ipk_ip4_parse(d, len, IPK_IP4_LAX, &h, NULL) < 0 || h.proto != IPK_PROTO_IGMP)
		return;
	size_t end = h.total_len < len && h.total_len > h.hlen ? h.total_len : len;
	if (ipk_igmp_parse(d + h.hlen, end - h.hlen, &m, &off) < 0)
		return;
	if (m.type == IPK_IGMP_QUERY) {
		if (m.version == 3 && m.code == 0 && !strcmp(bug, "mrc0"))
			abort(); /* the bug: a Max Resp Time of 0 divides by zero */
		if (m.group == 0 || ours(m.group))
			report();
	} else if (m.type == IPK_IGMP_V2_LEAVE) {
		last_member_query(m.group);
	} else if (m.type == IPK_IGMP_V3_REPORT) {
		struct ipk_igmp_rec_iter it;
		struct ipk_igmp_rec r;
		int rc;
		ipk_igmp_rec_iter_init(&it, &m, d + h.hlen);
		while ((rc = ipk_igmp_rec_next(&it, &r)) == 1)
			if (r.type == IPK_IGMP_TO_IN && r.nsrcs == 0)
				last_member_query(r.group);
		/* the bug: the count promised another record where the message has ended */
		if (rc < 0 && it.off + 8 > it.len && !strcmp(bug, "nrecs"))
			abort();
	}
}

int main(int argc, char **argv)
{
	if (argc < 4 || strcmp(argv[1], "--bug") ||
	    (strcmp(argv[2], "mrc0") && strcmp(argv[2], "nrecs") && strcmp(argv[2], "none"))) {
		fprintf(stderr, "usage: net_fragile --bug mrc0|nrecs|none IFACE [GROUP...]\n");
		return 2;
	}
	unsigned ifx = if_nametoindex(argv[3]);
	if (!ifx) {
		fprintf(stderr, "net_fragile: unknown interface %s\n", argv[3]);
		return 2;
	}
	for (int i = 4; i < argc && ngroups < MAXG; i++)
		if (ipk_ip4_aton(argv[i], &groups[ngroups++]) != 0) {
			fprintf(stderr, "net_fragile: bad group %s\n", argv[i]);
			return 2;
		}
	int fd = ipk_igmp_listen_open(ifx, 0);
	int r = fd < 0 ? fd : ipk_igmp_tx_open(&tx, ifx, 0, 0);
	if (r < 0) {
		fprintf(stderr, "net_fragile: %s: %s\n", argv[3], strerror(-r));
		return 2;
	}
	struct sigaction sa = {.sa_handler = on_sig};
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	printf("ready\n");
	fflush(stdout);
	static uint8_t bufs[IPK_BATCH_MAX][2048];
	struct ipk_igmp_rx rx[IPK_BATCH_MAX];
	while (!stop) {
		for (int i = 0; i < IPK_BATCH_MAX; i++)
			rx[i] = (struct ipk_igmp_rx){.buf = bufs[i], .cap = sizeof(bufs[i])};
		int n = ipk_igmp_listen_read(fd, rx, IPK_BATCH_MAX, MSG_WAITFORONE);
		for (int i = 0; i < n; i++)
			input(argv[2], rx[i].buf, rx[i].len);
	}
	ipk_igmp_tx_close(&tx);
	close(fd);
	return 0;
}
