/* batch.c - net_batch: recvmmsg/sendmmsg batch I/O through ipk_sock_read_batch/write_batch between
 * two namespaces: counts, contents, per-message control messages, partial results. */
#include "net/netutil.h"
#include <sys/socket.h>

#include "ipv4kit/bytes.h"

/* Usage: net_batch NS1 NS2 IF1 IF2 ADDR1 ADDR2 */

#define N 200
#define PORT 42000
#define RAWPROTO 253

static uint32_t a1, a2;
static unsigned if2;

static uint8_t obuf[N][128];
static uint8_t ibuf[N][128];
static struct ipk_msg om[N], im[N];

/* Datagram i: 4-byte index, then (i % 61) pattern bytes: lengths vary from 4 to 64. */
static size_t fill(size_t i, uint8_t *b)
{
	ipk_put32(b, (uint32_t)i ^ 0x5a000000u);
	size_t extra = i % 61;
	for (size_t j = 0; j < extra; j++)
		b[4 + j] = (uint8_t)(i * 7 + j);
	return 4 + extra;
}

static int same(size_t i, const uint8_t *b, size_t len)
{
	uint8_t e[128];
	size_t el = fill(i, e);
	return len == el && !memcmp(b, e, el);
}

static void bigbuf(int fd)
{
	int sz = 4 << 20;
	setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &sz, sizeof(sz));
	setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &sz, sizeof(sz));
}

static void prep_out(uint32_t dst, uint16_t port, int with_ttl)
{
	memset(om, 0, sizeof(om));
	for (size_t i = 0; i < N; i++) {
		om[i].buf = obuf[i];
		om[i].len = fill(i, obuf[i]);
		om[i].addr = dst;
		om[i].port = port;
		if (with_ttl) {
			om[i].cm.has = IPK_CM_TTL;
			om[i].cm.ttl = 10 + (int)(i % 50);
		}
	}
}

static void prep_in(void)
{
	memset(im, 0, sizeof(im));
	memset(ibuf, 0, sizeof(ibuf));
	for (size_t i = 0; i < N; i++) {
		im[i].buf = ibuf[i];
		im[i].cap = sizeof(ibuf[i]);
	}
}

/* Write all N (bounded retries); returns the total and the first call's result in *first. */
static int write_all(int fd, int *first)
{
	int total = 0;
	*first = 0;
	for (int tries = 0; tries < 50 && total < N; tries++) {
		int r = ipk_sock_write_batch(fd, om + total, N - (size_t)total, 0);
		if (tries == 0)
			*first = r;
		if (r < 0) {
			nu_sleep_ms(10);
			continue;
		}
		total += r;
	}
	return total;
}

/* Read up to want messages within ms; returns the count and the number of calls in *calls. */
static int read_all(int fd, int want, unsigned cm, int ms, int *calls, int *err)
{
	long long end = nu_now_ms() + ms;
	int got = 0;
	*calls = 0;
	*err = 0;
	while (got < want && *calls < 1000) {
		long long left = end - nu_now_ms();
		if (left <= 0 || !nu_wait(fd, POLLIN, (int)left))
			break;
		int r = ipk_sock_read_batch(fd, im + got, (size_t)(want - got), cm, MSG_DONTWAIT);
		(*calls)++;
		if (r < 0) {
			if (r != -EAGAIN)
				*err = r;
			continue;
		}
		got += r;
	}
	return got;
}

int main(int argc, char **argv)
{
	if (argc != 7) {
		fprintf(stderr, "usage: %s NS1 NS2 IF1 IF2 ADDR1 ADDR2\n", argv[0]);
		return 2;
	}
	a1 = nu_addr(argv[5]);
	a2 = nu_addr(argv[6]);
	nu_enter(argv[2]);
	if2 = nu_ifindex(argv[4]);
	int r = ipk_udp_open(0, PORT, 0);
	int rraw = ipk_raw_open(RAWPROTO, 1);
	if (r < 0 || rraw < 0)
		nu_die("NS2 open: udp %d raw %d", r, rraw);
	bigbuf(r);
	bigbuf(rraw);
	int cmrc = ipk_sock_set_cm(r, IPK_CM_TTL | IPK_CM_PKTINFO, 1);
	nu_enter(argv[1]);
	int s = ipk_udp_open(a1, PORT, 0);
	int sraw = ipk_raw_open(RAWPROTO, 1);
	if (s < 0 || sraw < 0)
		nu_die("NS1 open: udp %d raw %d", s, sraw);
	bigbuf(s);
	bigbuf(sraw);

	/* NS1 -> NS2: N datagrams in one call (more than IPK_BATCH_MAX), each with its own TTL */
	int first, calls, err;
	prep_out(a2, PORT, 1);
	prep_in();
	int sent = write_all(s, &first);
	CHECK(cmrc == 0 && sent == N && first == N, "batch_write_forward_count",
	      "set_cm %d, first call %d, total %d (want %d)", cmrc, first, sent, N);
	int got = read_all(r, N, IPK_CM_TTL | IPK_CM_PKTINFO, 3000, &calls, &err);
	int bad = -1;
	for (int i = 0; i < got && bad < 0; i++)
		if (!same((size_t)i, ibuf[i], im[i].len) || im[i].addr != a1 || im[i].port != PORT)
			bad = i;
	CHECK(got == N && bad < 0 && err == 0, "batch_read_forward_contents",
	      "got %d of %d in %d calls (err %d), first bad %d", got, N, calls, err, bad);
	bad = -1;
	for (int i = 0; i < got && bad < 0; i++)
		if (!(im[i].cm.has & IPK_CM_TTL) || im[i].cm.ttl != 10 + i % 50 ||
		    !(im[i].cm.has & IPK_CM_PKTINFO) || im[i].cm.dst != a2 ||
		    im[i].cm.ifindex != if2)
			bad = i;
	CHECK(got == N && bad < 0, "batch_per_message_cm",
	      "first bad %d: has %#x ttl %d dst %#x if %u", bad, bad >= 0 ? im[bad].cm.has : 0,
	      bad >= 0 ? im[bad].cm.ttl : 0, bad >= 0 ? im[bad].cm.dst : 0,
	      bad >= 0 ? im[bad].cm.ifindex : 0);

	/* NS2 -> NS1 */
	nu_enter(argv[2]);
	prep_out(a1, PORT, 0);
	prep_in();
	sent = write_all(r, &first);
	got = read_all(s, N, 0, 3000, &calls, &err);
	bad = -1;
	for (int i = 0; i < got && bad < 0; i++)
		if (!same((size_t)i, ibuf[i], im[i].len) || im[i].addr != a2 || im[i].port != PORT)
			bad = i;
	CHECK(sent == N && got == N && bad < 0 && err == 0, "batch_reverse",
	      "sent %d, got %d in %d calls (err %d), first bad %d", sent, got, calls, err, bad);

	/* partial result: 5 queued, read_batch(32, MSG_DONTWAIT) returns 5, then -EAGAIN */
	nu_enter(argv[1]);
	prep_out(a2, PORT, 0);
	prep_in();
	int w5 = ipk_sock_write_batch(s, om, 5, 0);
	int ready = nu_wait(r, POLLIN, 1000);
	nu_sleep_ms(100); /* let all five reach the queue */
	int p = ipk_sock_read_batch(r, im, 32, 0, MSG_DONTWAIT);
	int again = ipk_sock_read_batch(r, im + 5, 32, 0, MSG_DONTWAIT);
	bad = -1;
	for (int i = 0; i < p && i < 5 && bad < 0; i++)
		if (!same((size_t)i, ibuf[i], im[i].len))
			bad = i;
	CHECK(w5 == 5 && ready && p == 5 && bad < 0 && again == -EAGAIN, "batch_partial_read",
	      "write %d ready %d read_batch(32) %d (want 5) bad %d, then %d (want %d)", w5, ready,
	      p, bad, again, -EAGAIN);

	/* a datagram longer than the buffer is cut and flagged MSG_TRUNC */
	prep_in();
	im[0].cap = 10;
	om[60].len = fill(60, obuf[60]); /* 4 + 60 bytes */
	int w1 = ipk_sock_write_batch(s, om + 60, 1, 0);
	int t = nu_wait(r, POLLIN, 1000) ? ipk_sock_read_batch(r, im, 1, 0, MSG_DONTWAIT) : 0;
	CHECK(w1 == 1 && t == 1 && (im[0].flags & MSG_TRUNC) && im[0].len <= 10, "batch_trunc_flag",
	      "write %d read %d flags %#x len %zu", w1, t, im[0].flags, im[0].len);

	/* RawConn batch: 50 hand-built headers out through ipk_raw_write_batch, read back parsed by
	 * ipk_raw_read_batch, then 10 more read by ipk_sock_read_batch with the header included */
	static struct ipk_ip4 hs[N];
	static struct ipk_raw_out ro[N];
	static struct ipk_raw_bmsg bm[N];
	memset(ro, 0, sizeof(ro));
	for (size_t i = 0; i < 60; i++) {
		memset(&hs[i], 0, sizeof(hs[i]));
		hs[i].version = 4;
		hs[i].ttl = 17;
		hs[i].id = (uint16_t)(0x100 + i);
		hs[i].proto = RAWPROTO;
		hs[i].src = a1;
		hs[i].dst = a2;
		ro[i].h = &hs[i];
		ro[i].payload = obuf[i];
		ro[i].len = fill(i, obuf[i]);
	}
	int rs = 0;
	for (int tries = 0; tries < 10 && rs < 60; tries++) {
		int x = ipk_raw_write_batch(sraw, ro + rs, 60 - (size_t)rs, 0, 0);
		if (x > 0)
			rs += x;
	}
	memset(bm, 0, sizeof(bm));
	for (size_t i = 0; i < 50; i++) {
		bm[i].buf = ibuf[i];
		bm[i].cap = sizeof(ibuf[i]);
	}
	got = 0;
	calls = 0;
	err = 0;
	long long end = nu_now_ms() + 3000;
	while (got < 50 && calls < 1000 &&
	       nu_wait(rraw, POLLIN, (int)(end - nu_now_ms() > 0 ? end - nu_now_ms() : 0))) {
		int x = ipk_raw_read_batch(rraw, bm + got, 50 - (size_t)got, 0, MSG_DONTWAIT);
		calls++;
		if (x > 0)
			got += x;
		else if (x != -EAGAIN)
			err = x;
	}
	bad = -1;
	for (int i = 0; i < got && bad < 0; i++) {
		const struct ipk_raw_pkt *q = &bm[i].pkt;
		if (q->parse_err || q->hdr.id != 0x100 + i || q->hdr.src != a1 ||
		    q->hdr.dst != a2 || q->hdr.ttl != 17 || q->hdr.proto != RAWPROTO ||
		    !q->hdr.checksum_ok || !same((size_t)i, q->payload, q->payload_len))
			bad = i;
	}
	CHECK(rs == 60 && got == 50 && bad < 0 && err == 0, "batch_rawconn_parsed",
	      "sent %d got %d (err %d) first bad %d", rs, got, err, bad);
	prep_in();
	got = read_all(rraw, 10, 0, 3000, &calls, &err);
	bad = -1;
	for (int i = 0; i < got && bad < 0; i++) {
		const uint8_t *b = ibuf[i];
		if (im[i].len < 20 || b[0] != 0x45 || b[9] != RAWPROTO ||
		    ipk_be16(b + 4) != 0x100 + 50 + i || ipk_be16(b + 2) != im[i].len ||
		    !same((size_t)(50 + i), b + 20, im[i].len - 20))
			bad = i;
	}
	CHECK(got == 10 && bad < 0, "batch_raw_sock_read_header_included",
	      "got %d (err %d) first bad %d", got, err, bad);

	/* the error path: n == 0 or a closed socket */
	int z = ipk_sock_read_batch(r, im, 0, 0, MSG_DONTWAIT);
	int c = ipk_udp_open(0, 0, 0);
	close(c);
	int e = ipk_sock_write_batch(c, om, 1, 0);
	CHECK(e == -EBADF && (z == 0 || z == -EINVAL), "batch_errors", "n=0: %d, closed fd: %d", z,
	      e);
	close(s);
	close(r);
	close(sraw);
	close(rraw);
	return nu_exit();
}
