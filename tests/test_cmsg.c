/* test_cmsg.c - control-message codec (IP_PKTINFO, IP_TTL, IP_TOS, IP_RECVERR): layouts, Go vectors, bad lengths, guard page, and real kernel buffers in a private namespace. */
#define _GNU_SOURCE /* struct in_pktinfo, unshare */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <linux/errqueue.h>

#include "guard.h"
#include "ipv4kit/cmsg.h"
#include "ipv4kit/error.h"

#define LOOPBACK 0x7f000001u
#define ERR_DLEN (sizeof(struct sock_extended_err) + sizeof(struct sockaddr_in))

/* ---- helpers: buffers built the way the kernel builds them, with the libc CMSG_* macros ---- */

struct builder {
	struct msghdr mh;
	struct cmsghdr *c;
	size_t used;
};

static void b_init(struct builder *b, void *buf, size_t cap)
{
	memset(buf, 0, cap);
	memset(b, 0, sizeof(*b));
	b->mh.msg_control = buf;
	b->mh.msg_controllen = cap;
}

/* Append a cmsg (level, type, data[0..n)); returns its offset in the buffer. */
static size_t b_add(struct builder *b, int level, int type, const void *data, size_t n)
{
	b->c = b->c ? CMSG_NXTHDR(&b->mh, b->c) : CMSG_FIRSTHDR(&b->mh);
	assert_non_null(b->c);
	b->c->cmsg_len = CMSG_LEN(n);
	b->c->cmsg_level = level;
	b->c->cmsg_type = type;
	memcpy(CMSG_DATA(b->c), data, n);
	size_t off = (size_t)((uint8_t *)b->c - (uint8_t *)b->mh.msg_control);
	b->used = off + CMSG_SPACE(n);
	return off;
}

static struct in_pktinfo pktinfo(int ifindex, uint32_t spec_dst, uint32_t addr)
{
	struct in_pktinfo pi;
	memset(&pi, 0, sizeof(pi));
	pi.ipi_ifindex = ifindex;
	pi.ipi_spec_dst.s_addr = htonl(spec_dst);
	pi.ipi_addr.s_addr = htonl(addr);
	return pi;
}

/* What Linux delivers for IP_PKTINFO + IP_RECVTTL + IP_RECVTOS (in that order); returns the length. */
static size_t linux_buf(uint8_t *buf, size_t cap, unsigned which)
{
	struct builder b;
	b_init(&b, buf, cap);
	if (which & IPK_CM_PKTINFO) {
		struct in_pktinfo pi = pktinfo(1, LOOPBACK, 0xc6120005u);
		b_add(&b, IPPROTO_IP, IP_PKTINFO, &pi, sizeof(pi));
	}
	if (which & IPK_CM_TTL) {
		int ttl = 200;
		b_add(&b, IPPROTO_IP, IP_TTL, &ttl, sizeof(ttl));
	}
	if (which & IPK_CM_TOS) {
		uint8_t tos = 0xb9;
		b_add(&b, IPPROTO_IP, IP_TOS, &tos, 1);
	}
	return b.used;
}

static void put_len(uint8_t *cmsg, size_t len)
{
	struct cmsghdr h;
	memcpy(&h, cmsg, sizeof(h));
	h.cmsg_len = len;
	memcpy(cmsg, &h, sizeof(h));
}

/* ---- sizes and marshal ---- */

static void test_space(void **state)
{
	(void)state;
	assert_int_equal(ipk_cm_space(0), 0);
	assert_int_equal(ipk_cm_space(IPK_CM_PKTINFO), CMSG_SPACE(12));
	assert_int_equal(ipk_cm_space(IPK_CM_TTL), CMSG_SPACE(sizeof(int)));
	assert_int_equal(ipk_cm_space(IPK_CM_TTL | IPK_CM_PKTINFO),
			 CMSG_SPACE(12) + CMSG_SPACE(sizeof(int)));
	assert_true(ipk_cm_space(IPK_CM_TOS) >= CMSG_SPACE(1));
	assert_int_equal(ipk_cm_space(IPK_CM_ERR), CMSG_SPACE(ERR_DLEN));
	assert_true(ipk_cm_space(IPK_CM_ALL) <= IPK_CM_SPACE_MAX);
	assert_true(ipk_cm_space(~0u) <= IPK_CM_SPACE_MAX);
	if (sizeof(size_t) == 8) { /* docs/go-differences.md section 2: 32, 24, 56 on 64-bit */
		assert_int_equal(ipk_cm_space(IPK_CM_PKTINFO), 32);
		assert_int_equal(ipk_cm_space(IPK_CM_TTL), 24);
		assert_int_equal(ipk_cm_space(IPK_CM_TTL | IPK_CM_PKTINFO), 56);
		assert_int_equal(ipk_cm_space(IPK_CM_ERR), 48);
	}
}

static void test_marshal_go_example(void **state)
{
	(void)state;
	/* docs/go-differences.md section 2, Go's example: Src 127.0.0.1 with IfIndex 1 */
	static const uint8_t want64[32] = {
		0x1c, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x08, 0, 0, 0,
		0x01, 0, 0, 0, 0x7f, 0, 0, 0x01, 0, 0, 0, 0, 0, 0, 0, 0,
	};
	struct ipk_cm cm = {.has = IPK_CM_PKTINFO, .ifindex = 1, .spec_dst = LOOPBACK};
	uint8_t buf[64];
	memset(buf, 0xee, sizeof(buf));
	int n = ipk_cm_marshal(&cm, buf, sizeof(buf));
	assert_int_equal(n, CMSG_SPACE(12));
	if (sizeof(size_t) == 8 && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__)
		assert_memory_equal(buf, want64, sizeof(want64));
	assert_int_equal(buf[n], 0xee);
	/* the same through the libc macros, whatever the word size */
	struct msghdr mh = {.msg_control = buf, .msg_controllen = (size_t)n};
	struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
	assert_non_null(c);
	assert_int_equal(c->cmsg_len, CMSG_LEN(sizeof(struct in_pktinfo)));
	assert_int_equal(c->cmsg_level, IPPROTO_IP);
	assert_int_equal(c->cmsg_type, IP_PKTINFO);
	struct in_pktinfo pi;
	memcpy(&pi, CMSG_DATA(c), sizeof(pi));
	assert_int_equal(pi.ipi_ifindex, 1);
	assert_int_equal(ntohl(pi.ipi_spec_dst.s_addr), LOOPBACK);
	assert_int_equal(pi.ipi_addr.s_addr, 0);
	assert_null(CMSG_NXTHDR(&mh, c));

	/* nothing selected, or only receive-side bits: 0 bytes, buffer untouched */
	memset(buf, 0xee, sizeof(buf));
	cm.has = 0;
	assert_int_equal(ipk_cm_marshal(&cm, buf, sizeof(buf)), 0);
	cm.has = IPK_CM_ERR;
	assert_int_equal(ipk_cm_marshal(&cm, buf, 0), 0);
	assert_int_equal(buf[0], 0xee);

	/* TTL and TOS go out as ints (IP_TTL must be an int; IP_TOS takes an int or a byte) */
	cm = (struct ipk_cm){.has = IPK_CM_TTL | IPK_CM_TOS, .ttl = 7, .tos = 0x2b};
	n = ipk_cm_marshal(&cm, buf, sizeof(buf));
	assert_int_equal(n, 2 * CMSG_SPACE(sizeof(int)));
	mh.msg_controllen = (size_t)n;
	c = CMSG_FIRSTHDR(&mh);
	int v;
	assert_int_equal(c->cmsg_len, CMSG_LEN(sizeof(int)));
	assert_int_equal(c->cmsg_type, IP_TTL);
	memcpy(&v, CMSG_DATA(c), sizeof(v));
	assert_int_equal(v, 7);
	c = CMSG_NXTHDR(&mh, c);
	assert_non_null(c);
	assert_int_equal(c->cmsg_len, CMSG_LEN(sizeof(int)));
	assert_int_equal(c->cmsg_type, IP_TOS);
	memcpy(&v, CMSG_DATA(c), sizeof(v));
	assert_int_equal(v, 0x2b);
	assert_null(CMSG_NXTHDR(&mh, c));
}

static void test_nospace_every_cap(void **state)
{
	(void)state;
	uint8_t buf[IPK_CM_SPACE_MAX + 16];
	for (unsigned has = 1; has <= IPK_CM_ALL; has++) {
		struct ipk_cm cm = {.has = has, .ttl = 9, .tos = 3, .ifindex = 2, .spec_dst = 1};
		size_t need = ipk_cm_space(has & ~(unsigned)IPK_CM_ERR);
		for (size_t cap = 0; cap < need; cap++) {
			memset(buf, 0xa5, sizeof(buf));
			assert_int_equal(ipk_cm_marshal(&cm, buf, cap), IPK_E_NOSPACE);
			for (size_t i = 0; i < sizeof(buf); i++)
				assert_int_equal(buf[i], 0xa5);
		}
		memset(buf, 0xa5, sizeof(buf));
		assert_int_equal(ipk_cm_marshal(&cm, buf, need), (int)need);
		assert_int_equal(buf[need], 0xa5);
	}
}

/* ---- parse ---- */

static void test_parse_linux_layout(void **state)
{
	(void)state;
	uint8_t buf[128];
	size_t len = linux_buf(buf, sizeof(buf), IPK_CM_PKTINFO | IPK_CM_TTL);
	if (sizeof(size_t) == 8)
		assert_int_equal(len, 56);
	assert_int_equal(len, ipk_cm_space(IPK_CM_PKTINFO | IPK_CM_TTL));
	struct ipk_cm cm;
	memset(&cm, 0, sizeof(cm));
	cm.src = 0x01020304; /* not a cmsg field: kept */
	assert_int_equal(ipk_cm_parse(guard_place(buf, len), len, &cm), 0);
	assert_int_equal(cm.has, IPK_CM_PKTINFO | IPK_CM_TTL);
	assert_int_equal(cm.ttl, 200);
	assert_int_equal(cm.ifindex, 1);
	assert_int_equal(cm.spec_dst, LOOPBACK);
	assert_int_equal(cm.dst, 0xc6120005u);
	assert_int_equal(cm.src, 0x01020304);
	assert_int_equal(cm.tos, 0);
	/* no final padding (cmsg_len == len at the end) is accepted too */
	assert_int_equal(ipk_cm_parse(guard_place(buf, len - 4), len - 4, &cm), 0);

	/* TTL: every value an int can carry is read as an int, not as its first byte (Go's
	 * big-endian bug); a one-byte TTL (other stacks) is read as a byte */
	struct builder b;
	int ttl = 0x1ff;
	b_init(&b, buf, sizeof(buf));
	b_add(&b, IPPROTO_IP, IP_TTL, &ttl, sizeof(ttl));
	memset(&cm, 0, sizeof(cm));
	assert_int_equal(ipk_cm_parse(guard_place(buf, b.used), b.used, &cm), 0);
	assert_int_equal(cm.ttl, 0x1ff);
	uint8_t one = 17;
	b_init(&b, buf, sizeof(buf));
	b_add(&b, IPPROTO_IP, IP_TTL, &one, 1);
	assert_int_equal(ipk_cm_parse(guard_place(buf, b.used), b.used, &cm), 0);
	assert_int_equal(cm.ttl, 17);
	/* 2 or 3 data bytes: neither form, skipped */
	b_init(&b, buf, sizeof(buf));
	b_add(&b, IPPROTO_IP, IP_TTL, &ttl, 2);
	cm.has = 0;
	assert_int_equal(ipk_cm_parse(guard_place(buf, b.used), b.used, &cm), 0);
	assert_int_equal(cm.has, 0);
	assert_int_equal(cm.ttl, 17);
}

static void test_parse_tos(void **state)
{
	(void)state;
	uint8_t buf[128];
	size_t len = linux_buf(buf, sizeof(buf), IPK_CM_PKTINFO | IPK_CM_TTL | IPK_CM_TOS);
	assert_true(len <= ipk_cm_space(IPK_CM_PKTINFO | IPK_CM_TTL | IPK_CM_TOS));
	struct ipk_cm cm = {0};
	assert_int_equal(ipk_cm_parse(guard_place(buf, len), len, &cm), 0);
	assert_int_equal(cm.has, IPK_CM_PKTINFO | IPK_CM_TTL | IPK_CM_TOS);
	assert_int_equal(cm.tos, 0xb9);
	assert_int_equal(cm.ttl, 200);
	/* TOS alone, one byte, unaligned in the caller's buffer */
	struct builder b;
	uint8_t tos = 0xfc;
	b_init(&b, buf, sizeof(buf) - 1);
	b_add(&b, IPPROTO_IP, IP_TOS, &tos, 1);
	memmove(buf + 1, buf, b.used);
	memset(&cm, 0, sizeof(cm));
	assert_int_equal(ipk_cm_parse(buf + 1, b.used, &cm), 0);
	assert_int_equal(cm.has, IPK_CM_TOS);
	assert_int_equal(cm.tos, 0xfc);
}

static void test_parse_recverr(void **state)
{
	(void)state;
	uint8_t buf[128], data[ERR_DLEN];
	struct sock_extended_err ee;
	struct sockaddr_in off;
	memset(&ee, 0, sizeof(ee));
	ee.ee_errno = ECONNREFUSED;
	ee.ee_origin = SO_EE_ORIGIN_ICMP;
	ee.ee_type = 3;
	ee.ee_code = 3;
	ee.ee_info = 1400;
	ee.ee_data = 77;
	memset(&off, 0, sizeof(off));
	off.sin_family = AF_INET;
	off.sin_addr.s_addr = htonl(0xc6120001u);
	memcpy(data, &ee, sizeof(ee));
	memcpy(data + sizeof(ee), &off, sizeof(off));
	struct builder b;
	b_init(&b, buf, sizeof(buf));
	b_add(&b, IPPROTO_IP, IP_RECVERR, data, sizeof(data));
	assert_int_equal(b.used, ipk_cm_space(IPK_CM_ERR));
	struct ipk_cm cm = {0};
	assert_int_equal(ipk_cm_parse(guard_place(buf, b.used), b.used, &cm), 0);
	assert_int_equal(cm.has, IPK_CM_ERR);
	assert_int_equal(cm.err.err, ECONNREFUSED);
	assert_int_equal(cm.err.origin, IPK_EE_ORIGIN_ICMP);
	assert_int_equal(cm.err.type, 3);
	assert_int_equal(cm.err.code, 3);
	assert_int_equal(cm.err.info, 1400);
	assert_int_equal(cm.err.data, 77);
	assert_int_equal(cm.err.has_offender, 1);
	assert_int_equal(cm.err.offender, 0xc6120001u);

	/* local origin: the offender is AF_UNSPEC; a stale offender is cleared */
	ee.ee_origin = SO_EE_ORIGIN_LOCAL;
	ee.ee_errno = EMSGSIZE;
	ee.ee_type = ee.ee_code = 0;
	memcpy(data, &ee, sizeof(ee));
	memset(data + sizeof(ee), 0, sizeof(off));
	b_init(&b, buf, sizeof(buf));
	b_add(&b, IPPROTO_IP, IP_RECVERR, data, sizeof(data));
	assert_int_equal(ipk_cm_parse(guard_place(buf, b.used), b.used, &cm), 0);
	assert_int_equal(cm.err.origin, IPK_EE_ORIGIN_LOCAL);
	assert_int_equal(cm.err.err, EMSGSIZE);
	assert_int_equal(cm.err.has_offender, 0);
	assert_int_equal(cm.err.offender, 0);
	/* without the offender: the error alone; shorter than the struct: skipped */
	b_init(&b, buf, sizeof(buf));
	b_add(&b, IPPROTO_IP, IP_RECVERR, data, sizeof(ee));
	memset(&cm, 0, sizeof(cm));
	assert_int_equal(ipk_cm_parse(guard_place(buf, b.used), b.used, &cm), 0);
	assert_int_equal(cm.has, IPK_CM_ERR);
	assert_int_equal(cm.err.err, EMSGSIZE);
	b_init(&b, buf, sizeof(buf));
	b_add(&b, IPPROTO_IP, IP_RECVERR, data, sizeof(ee) - 1);
	memset(&cm, 0, sizeof(cm));
	assert_int_equal(ipk_cm_parse(guard_place(buf, b.used), b.used, &cm), 0);
	assert_int_equal(cm.has, 0);
}

static void test_round_trip(void **state)
{
	(void)state;
	static const struct ipk_cm cases[] = {
		{.has = IPK_CM_PKTINFO, .ifindex = 1, .spec_dst = LOOPBACK},
		{.has = IPK_CM_PKTINFO, .ifindex = 0xffffffffu, .spec_dst = 0xc6120001u, .dst = 0xef000001u},
		{.has = IPK_CM_TTL, .ttl = 255},
		{.has = IPK_CM_TTL, .ttl = -1},
		{.has = IPK_CM_TOS, .tos = 0xff},
		{.has = IPK_CM_PKTINFO | IPK_CM_TTL | IPK_CM_TOS, .ttl = 1, .tos = 0x28, .ifindex = 7,
		 .spec_dst = 0xc6130002u, .dst = 0xe0000016u},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint8_t buf[IPK_CM_SPACE_MAX];
		int n = ipk_cm_marshal(&cases[i], buf, sizeof(buf));
		assert_true(n > 0);
		struct ipk_cm cm = {0};
		assert_int_equal(ipk_cm_parse(guard_place(buf, (size_t)n), (size_t)n, &cm), 0);
		assert_int_equal(cm.has, cases[i].has);
		assert_int_equal(cm.ttl, cases[i].ttl);
		assert_int_equal(cm.tos, cases[i].tos);
		assert_int_equal(cm.ifindex, cases[i].ifindex);
		assert_int_equal(cm.spec_dst, cases[i].spec_dst);
		assert_int_equal(cm.dst, cases[i].dst);
	}
}

static void test_zero_and_unknown_skipped(void **state)
{
	(void)state;
	uint8_t buf[256], junk[16];
	memset(junk, 0x5a, sizeof(junk));
	struct builder b;
	int ttl = 33;
	b_init(&b, buf, sizeof(buf));
	b_add(&b, 0, 0, junk, 12);                 /* level 0 type 0: Go panics here */
	b_add(&b, 0, 0, junk, 0);                  /* and with no data */
	b_add(&b, SOL_SOCKET, SCM_RIGHTS, junk, 4); /* other levels */
	b_add(&b, IPPROTO_IPV6, IP_TTL, junk, 4);
	b_add(&b, IPPROTO_IP, 99, junk, 16);       /* unknown IP type */
	b_add(&b, IPPROTO_IP, IP_PKTINFO, junk, 11); /* too short for in_pktinfo */
	b_add(&b, IPPROTO_IP, IP_TOS, junk, 0);
	b_add(&b, IPPROTO_IP, IP_TTL, &ttl, sizeof(ttl));
	struct ipk_cm cm = {0};
	assert_int_equal(ipk_cm_parse(guard_place(buf, b.used), b.used, &cm), 0);
	assert_int_equal(cm.has, IPK_CM_TTL);
	assert_int_equal(cm.ttl, 33);
	assert_int_equal(cm.ifindex, 0);
	/* empty buffer: nothing, no error */
	assert_int_equal(ipk_cm_parse(guard_place(buf, 0), 0, &cm), 0);
	assert_int_equal(ipk_cm_parse(NULL, 0, &cm), 0);
	assert_int_equal(ipk_cm_parse(NULL, 5, &cm), IPK_E_INVAL);
	assert_int_equal(cm.has, IPK_CM_TTL);
}

static void test_go_fuzz_vectors(void **state)
{
	(void)state;
	/* TestControlMessageParseWithFuzz: 12-byte inputs, a whole cmsghdr on 32-bit only */
	static const char *const go[] = {
		"\f\x00\x00\x00\x00\x00\x00\x00\x14\x00\x00\x00",
		"\f\x00\x00\x00\x00\x00\x00\x00\x1a\x00\x00\x00",
	};
	for (size_t i = 0; i < 2; i++) {
		struct ipk_cm cm = {0};
		int rc = ipk_cm_parse(guard_place(go[i], 12), 12, &cm);
		if (sizeof(struct cmsghdr) > 12)
			assert_int_equal(rc, IPK_CM_TRUNCATED); /* shorter than a header, like Go: stop */
		else
			assert_int_equal(rc, 0); /* level 0, type 20 / 26: skipped */
		assert_int_equal(cm.has, 0);
	}
	/* their native-size form: a bare header of level 0 and type 20 or 26, then IP_TTL */
	for (int type = 0; type < 64; type++) {
		uint8_t buf[64];
		struct builder b;
		uint8_t one = 9;
		b_init(&b, buf, sizeof(buf));
		b_add(&b, 0, type, &one, 0);
		b_add(&b, 0, IP_TTL, &one, 1);
		struct ipk_cm cm = {0};
		assert_int_equal(ipk_cm_parse(guard_place(buf, b.used), b.used, &cm), 0);
		assert_int_equal(cm.has, IPK_CM_TTL);
		assert_int_equal(cm.ttl, 9);
	}
}

static void test_bad_cmsg_len(void **state)
{
	(void)state;
	uint8_t buf[128];
	size_t len = linux_buf(buf, sizeof(buf), IPK_CM_TTL | IPK_CM_TOS);
	size_t second = CMSG_SPACE(sizeof(int)); /* offset of the TOS cmsg */
	/* every length below the header size, in the first and in the second message */
	for (size_t bad = 0; bad < CMSG_LEN(0); bad++) {
		uint8_t t[128];
		memcpy(t, buf, len);
		put_len(t, bad);
		struct ipk_cm cm = {0};
		assert_int_equal(ipk_cm_parse(guard_place(t, len), len, &cm), IPK_E_INVAL);
		assert_int_equal(cm.has, 0);
		memcpy(t, buf, len);
		put_len(t + second, bad);
		assert_int_equal(ipk_cm_parse(guard_place(t, len), len, &cm), IPK_E_INVAL);
		assert_int_equal(cm.has, IPK_CM_TTL); /* parsed before the bad one: kept */
		assert_int_equal(cm.ttl, 200);
	}
	/* every length past the end, up to absurd ones: the buffer ends inside that message;
	 * what came before is kept and the truncation reported */
	static const size_t huge[] = {SIZE_MAX, SIZE_MAX - 7, (size_t)1 << 31, 4096};
	for (size_t bad = len - second + 1; bad < len - second + 64; bad++) {
		uint8_t t[128];
		memcpy(t, buf, len);
		put_len(t + second, bad);
		struct ipk_cm cm = {0};
		assert_int_equal(ipk_cm_parse(guard_place(t, len), len, &cm), IPK_CM_TRUNCATED);
		assert_int_equal(cm.has, IPK_CM_TTL);
		assert_int_equal(cm.ttl, 200);
	}
	for (size_t i = 0; i < sizeof(huge) / sizeof(huge[0]); i++) {
		uint8_t t[128];
		memcpy(t, buf, len);
		put_len(t, huge[i]);
		struct ipk_cm cm = {0};
		assert_int_equal(ipk_cm_parse(guard_place(t, len), len, &cm), IPK_CM_TRUNCATED);
		assert_int_equal(cm.has, 0);
	}
	/* every length of the last message that fits: the data is read as far as cmsg_len says
	 * (one byte or an int for TOS); a shorter message leaves a tail too short for a header */
	for (size_t good = CMSG_LEN(0); good <= len - second; good++) {
		uint8_t t[128];
		memcpy(t, buf, len);
		put_len(t + second, good);
		struct ipk_cm cm = {0};
		assert_int_equal(ipk_cm_parse(guard_place(t, len), len, &cm),
				 CMSG_ALIGN(good) == len - second ? 0 : IPK_CM_TRUNCATED);
		size_t dl = good - CMSG_LEN(0);
		unsigned want = IPK_CM_TTL | (dl == 1 || dl >= sizeof(int) ? IPK_CM_TOS : 0);
		assert_int_equal(cm.has, want);
	}
}

/* Whole messages, then a tail shorter than a cmsghdr (what a cut MSG_CTRUNC buffer can end
 * with): the messages are kept and the truncation reported, for every tail length. */
static void test_short_tail_kept(void **state)
{
	(void)state;
	uint8_t buf[256];
	size_t len = linux_buf(buf, sizeof(buf), IPK_CM_PKTINFO | IPK_CM_TTL | IPK_CM_TOS);
	for (size_t tail = 1; tail < sizeof(struct cmsghdr); tail++) {
		uint8_t t[256];
		memcpy(t, buf, len);
		memset(t + len, 0xee, tail);
		struct ipk_cm cm = {0};
		assert_int_equal(ipk_cm_parse(guard_place(t, len + tail), len + tail, &cm),
				 IPK_CM_TRUNCATED);
		assert_int_equal(cm.has, IPK_CM_PKTINFO | IPK_CM_TTL | IPK_CM_TOS);
		assert_int_equal(cm.ttl, 200);
		assert_int_equal(cm.dst, 0xc6120005u);
	}
	/* the same buffer without the tail parses whole */
	struct ipk_cm cm = {0};
	assert_int_equal(ipk_cm_parse(guard_place(buf, len), len, &cm), 0);
	assert_int_equal(cm.has, IPK_CM_PKTINFO | IPK_CM_TTL | IPK_CM_TOS);
}

static void test_truncated_every_length(void **state)
{
	(void)state;
	uint8_t buf[128];
	unsigned all = IPK_CM_PKTINFO | IPK_CM_TTL | IPK_CM_TOS;
	size_t len = linux_buf(buf, sizeof(buf), all);
	/* message i: offset, cmsg_len, bit */
	size_t o[3], l[3];
	unsigned bit[3] = {IPK_CM_PKTINFO, IPK_CM_TTL, IPK_CM_TOS};
	o[0] = 0;
	l[0] = CMSG_LEN(sizeof(struct in_pktinfo));
	o[1] = CMSG_SPACE(sizeof(struct in_pktinfo));
	l[1] = CMSG_LEN(sizeof(int));
	o[2] = o[1] + CMSG_SPACE(sizeof(int));
	l[2] = CMSG_LEN(1);
	assert_int_equal(len, o[2] + CMSG_SPACE(1));
	for (size_t n = 0; n <= len; n++) {
		unsigned want = 0;
		int ok = n == 0;
		for (int i = 0; i < 3; i++) {
			if (o[i] + l[i] <= n)
				want |= bit[i];
			if (o[i] + l[i] <= n && n <= o[i] + CMSG_ALIGN(l[i]))
				ok = 1; /* ends at a message end, with or without its padding */
		}
		struct ipk_cm cm = {0};
		int rc = ipk_cm_parse(guard_place(buf, n), n, &cm);
		assert_int_equal(rc, ok ? 0 : IPK_CM_TRUNCATED); /* cut: what was whole is kept */
		assert_int_equal(cm.has, want);
		if (want & IPK_CM_TTL)
			assert_int_equal(cm.ttl, 200);
	}
}

/* ---- real kernel buffers in a private network namespace ---- */

#define PORT 5001
#define CLOSED_PORT 5002

static void lo_up(void)
{
	int s = socket(AF_INET, SOCK_DGRAM, 0);
	struct ifreq ifr;
	assert_true(s >= 0);
	memset(&ifr, 0, sizeof(ifr));
	strcpy(ifr.ifr_name, "lo");
	assert_int_equal(ioctl(s, SIOCGIFFLAGS, &ifr), 0);
	ifr.ifr_flags |= IFF_UP;
	assert_int_equal(ioctl(s, SIOCSIFFLAGS, &ifr), 0);
	close(s);
}

static struct sockaddr_in sin4(uint32_t addr, uint16_t port)
{
	struct sockaddr_in a;
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_port = htons(port);
	a.sin_addr.s_addr = htonl(addr);
	return a;
}

static void wait_in(int fd, short ev)
{
	struct pollfd p = {.fd = fd, .events = ev};
	assert_int_equal(poll(&p, 1, 2000), 1);
}

static void test_kernel_buffers(void **state)
{
	(void)state;
	static const int one = 1;
	lo_up();
	unsigned ifindex = if_nametoindex("lo");
	assert_true(ifindex > 0);
	struct sockaddr_in dst = sin4(LOOPBACK, PORT);
	int r = socket(AF_INET, SOCK_DGRAM, 0), s = socket(AF_INET, SOCK_DGRAM, 0);
	assert_true(r >= 0 && s >= 0);
	assert_int_equal(bind(r, (struct sockaddr *)&dst, sizeof(dst)), 0);
	assert_int_equal(setsockopt(r, IPPROTO_IP, IP_RECVTTL, &one, sizeof(one)), 0);
	assert_int_equal(setsockopt(r, IPPROTO_IP, IP_RECVTOS, &one, sizeof(one)), 0);
	assert_int_equal(setsockopt(r, IPPROTO_IP, IP_PKTINFO, &one, sizeof(one)), 0);
	unsigned flags = IPK_CM_TTL | IPK_CM_TOS | IPK_CM_PKTINFO;

	/* 1: socket options on the sender, the receiver parses what the kernel wrote */
	int ttl = 33, tos = 0x28;
	assert_int_equal(setsockopt(s, IPPROTO_IP, IP_TTL, &ttl, sizeof(ttl)), 0);
	assert_int_equal(setsockopt(s, IPPROTO_IP, IP_TOS, &tos, sizeof(tos)), 0);
	assert_int_equal(sendto(s, "ab", 2, 0, (struct sockaddr *)&dst, sizeof(dst)), 2);
	uint8_t data[64], ctl[IPK_CM_SPACE_MAX];
	struct sockaddr_in from;
	struct iovec iov = {.iov_base = data, .iov_len = sizeof(data)};
	struct msghdr mh = {.msg_name = &from, .msg_namelen = sizeof(from), .msg_iov = &iov,
			    .msg_iovlen = 1, .msg_control = ctl, .msg_controllen = ipk_cm_space(flags)};
	wait_in(r, POLLIN);
	assert_int_equal(recvmsg(r, &mh, 0), 2);
	assert_int_equal(mh.msg_flags & MSG_CTRUNC, 0);
	assert_true(mh.msg_controllen <= ipk_cm_space(flags));
	struct ipk_cm cm = {0};
	assert_int_equal(ipk_cm_parse(ctl, mh.msg_controllen, &cm), 0);
	assert_int_equal(cm.has, flags);
	assert_int_equal(cm.ttl, 33);
	assert_int_equal(cm.tos, 0x28);
	assert_int_equal(cm.dst, LOOPBACK);
	assert_int_equal(cm.spec_dst, LOOPBACK);
	assert_int_equal(cm.ifindex, ifindex);

	/* 2: the same values from a marshalled cmsg, and IP_PKTINFO picks the source address */
	ttl = 64;
	tos = 0;
	assert_int_equal(setsockopt(s, IPPROTO_IP, IP_TTL, &ttl, sizeof(ttl)), 0);
	assert_int_equal(setsockopt(s, IPPROTO_IP, IP_TOS, &tos, sizeof(tos)), 0);
	struct ipk_cm out = {.has = flags, .ttl = 7, .tos = 0xb8, .spec_dst = 0x7f000007u};
	uint8_t sctl[IPK_CM_SPACE_MAX];
	int n = ipk_cm_marshal(&out, sctl, sizeof(sctl));
	assert_true(n > 0);
	struct iovec siov = {.iov_base = "cd", .iov_len = 2};
	struct msghdr smh = {.msg_name = &dst, .msg_namelen = sizeof(dst), .msg_iov = &siov,
			     .msg_iovlen = 1, .msg_control = sctl, .msg_controllen = (size_t)n};
	assert_int_equal(sendmsg(s, &smh, 0), 2);
	mh.msg_namelen = sizeof(from);
	mh.msg_controllen = ipk_cm_space(flags);
	wait_in(r, POLLIN);
	assert_int_equal(recvmsg(r, &mh, 0), 2);
	memset(&cm, 0, sizeof(cm));
	assert_int_equal(ipk_cm_parse(ctl, mh.msg_controllen, &cm), 0);
	assert_int_equal(cm.ttl, 7);
	assert_int_equal(cm.tos, 0xb8);
	assert_int_equal(ntohl(from.sin_addr.s_addr), 0x7f000007u);
	close(r);

	/* 3: a datagram to a closed port: ECONNREFUSED from ICMP type 3 code 3 on the error queue */
	struct sockaddr_in closed = sin4(LOOPBACK, CLOSED_PORT);
	assert_int_equal(setsockopt(s, IPPROTO_IP, IP_RECVERR, &one, sizeof(one)), 0);
	assert_int_equal(sendto(s, "ef", 2, 0, (struct sockaddr *)&closed, sizeof(closed)), 2);
	wait_in(s, 0); /* POLLERR is always reported */
	mh.msg_namelen = sizeof(from);
	mh.msg_controllen = ipk_cm_space(IPK_CM_ERR);
	mh.msg_flags = 0;
	assert_true(recvmsg(s, &mh, MSG_ERRQUEUE) >= 0);
	assert_int_equal(mh.msg_flags & MSG_CTRUNC, 0);
	assert_true(mh.msg_flags & MSG_ERRQUEUE);
	assert_int_equal(ntohs(from.sin_port), CLOSED_PORT);
	memset(&cm, 0, sizeof(cm));
	assert_int_equal(ipk_cm_parse(ctl, mh.msg_controllen, &cm), 0);
	assert_int_equal(cm.has, IPK_CM_ERR);
	assert_int_equal(cm.err.err, ECONNREFUSED);
	assert_int_equal(cm.err.origin, IPK_EE_ORIGIN_ICMP);
	assert_int_equal(cm.err.type, 3);
	assert_int_equal(cm.err.code, 3);
	assert_int_equal(cm.err.has_offender, 1);
	assert_int_equal(cm.err.offender, LOOPBACK);
	/* the same buffer cut at every length, on the guard page */
	for (size_t cut = 0; cut < mh.msg_controllen; cut++) {
		struct ipk_cm c2 = {0};
		int rc = ipk_cm_parse(guard_place(ctl, cut), cut, &c2);
		assert_true(rc == 0 || rc == IPK_CM_TRUNCATED);
		assert_true(rc == IPK_CM_TRUNCATED || c2.has == IPK_CM_ERR || cut == 0);
		assert_true(c2.has == 0 || (c2.has == IPK_CM_ERR && c2.err.err == ECONNREFUSED));
	}
	close(s);
}

int main(void)
{
	const struct CMUnitTest pure[] = {
		cmocka_unit_test(test_space),
		cmocka_unit_test(test_marshal_go_example),
		cmocka_unit_test(test_nospace_every_cap),
		cmocka_unit_test(test_parse_linux_layout),
		cmocka_unit_test(test_parse_tos),
		cmocka_unit_test(test_parse_recverr),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_zero_and_unknown_skipped),
		cmocka_unit_test(test_go_fuzz_vectors),
		cmocka_unit_test(test_short_tail_kept),
		cmocka_unit_test(test_bad_cmsg_len),
		cmocka_unit_test(test_truncated_every_length),
	};
	const struct CMUnitTest net[] = {
		cmocka_unit_test(test_kernel_buffers),
	};
	int rc = cmocka_run_group_tests_name("cmsg", pure, NULL, NULL);
	if (unshare(CLONE_NEWNET) != 0) {
		printf("SKIP: unshare(CLONE_NEWNET): %s\n", strerror(errno));
		return rc ? rc : 77;
	}
	return rc + cmocka_run_group_tests_name("cmsg_netns", net, NULL, NULL);
}
