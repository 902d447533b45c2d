/* craft.c - `ipv4kit craft`: build any IPv4 packet (every header field, options, IGMPv1/v2/v3, UDP, ICMP, raw) from the command line; write pcap/pcapng, print hex or send (RFC 791, 1112, 2236, 3376, 768, 792). */
#define _GNU_SOURCE /* clock_nanosleep, strcasecmp */
#include <ctype.h>
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "ipv4kit/cmsg.h"
#include "ipv4kit/error.h"
#include "ipv4kit/fmt.h"
#include "ipv4kit/igmp.h"
#include "ipv4kit/ip4.h"
#include "ipv4kit/ipopt.h"
#include "ipv4kit/l4.h"
#include "ipv4kit/link.h"
#include "ipv4kit/packet.h"
#include "ipv4kit/pcapio.h"
#include "ipv4kit/sock.h"

#define PROG "ipv4kit craft"
#define MAXPAY 65535
#define MAXADDR 16384 /* sources and route addresses, all sections together */
#define MAXREC 2048

enum kind {
	K_NONE,
	K_IGMP1_QUERY,
	K_IGMP1_REPORT,
	K_IGMP2_QUERY,
	K_IGMP2_REPORT,
	K_IGMP2_LEAVE,
	K_IGMP3_QUERY,
	K_IGMP3_REPORT,
	K_IGMP,
	K_UDP,
	K_ICMP,
	K_RAW,
};

static const struct {
	const char *name;
	enum kind kind;
	uint8_t type; /* IGMP or ICMP type */
} kinds[] = {
	{"igmp1-query", K_IGMP1_QUERY, IPK_IGMP_QUERY},
	{"igmp1-report", K_IGMP1_REPORT, IPK_IGMP_V1_REPORT},
	{"igmp2-query", K_IGMP2_QUERY, IPK_IGMP_QUERY},
	{"igmp2-report", K_IGMP2_REPORT, IPK_IGMP_V2_REPORT},
	{"igmp2-leave", K_IGMP2_LEAVE, IPK_IGMP_V2_LEAVE},
	{"igmp3-query", K_IGMP3_QUERY, IPK_IGMP_QUERY},
	{"igmp3-report", K_IGMP3_REPORT, IPK_IGMP_V3_REPORT},
	{"igmp", K_IGMP, IPK_IGMP_QUERY},
	{"udp", K_UDP, 0},
	{"icmp-echo", K_ICMP, 8},
	{"icmp-echo-reply", K_ICMP, 0},
	{"icmp", K_ICMP, 8},
	{"raw", K_RAW, 0},
};

/* Everything the command line says, before building. */
struct spec {
	/* ip section */
	struct ipk_ip4 h;
	unsigned keep;            /* IPK_IP4_KEEP_* */
	unsigned set;             /* F_* fields given */
	int dscp, ecn;            /* -1: not given */
	int flag_set[3];          /* rf, df, mf: -1 keep, 0 clear, 1 set */
	uint8_t opts[IPK_IP4_MAXOPTLEN];
	struct ipk_wbuf ow;
	int opts_given;           /* opt= seen (replaces the IGMP default Router Alert) */
	/* payload section */
	enum kind kind;
	uint8_t ptype;            /* default type of the keyword */
	int type, code, csum;     /* -1: default */
	uint32_t group;
	int group_set;
	uint8_t data[MAXPAY];     /* UDP/ICMP/raw data, IGMP trailing bytes */
	size_t dlen;
	/* igmp3 query */
	int mrc, qrv, qqic, resv, s, nsrcs;
	size_t src0, nsrc;        /* sources: addrs[src0 .. src0+nsrc) */
	/* igmp3 report */
	struct ipk_igmp_rec_spec recs[MAXREC];
	size_t nrec;
	int nrecs;
	/* udp / icmp */
	int sport, dport, ulen, icmp_id, icmp_seq;
};

#define F_TOS 0x01
#define F_ID 0x02
#define F_FRAG 0x04
#define F_TTL 0x08
#define F_PROTO 0x10
#define F_SRC 0x20
#define F_DST 0x40

static struct spec cur; /* the packet being built (spec_build) */
static uint32_t addrs[MAXADDR];
static size_t naddrs;
static uint8_t auxpool[MAXREC * 16];
static size_t nauxpool;

static int bad(const char *tok, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int bad(const char *tok, const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "%s: '%s': ", PROG, tok);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	ipk_cli_hint(PROG);
	return -1;
}

/* Decimal or 0x hex, min..max. */
static int num_range(const char *tok, const char *s, unsigned long min, unsigned long max,
		     unsigned long *out)
{
	char *end;
	*out = 0; /* defined on failure too (gcc -O2 cannot see that bad() returns nonzero) */
	errno = 0;
	unsigned long v = strtoul(s, &end, 0);
	if (errno || end == s || *end || s[0] == '-' || s[0] == '+' || v < min || v > max)
		return bad(tok, "'%s' is not a number from %lu to %lu", s, min, max);
	*out = v;
	return 0;
}

/* Decimal or 0x hex, 0..max. */
static int num(const char *tok, const char *s, unsigned long max, unsigned long *out)
{
	return num_range(tok, s, 0, max, out);
}

static int inum(const char *tok, const char *s, unsigned long max, int *out)
{
	unsigned long v;
	if (num(tok, s, max, &v))
		return -1;
	*out = (int)v;
	return 0;
}

static int addr(const char *tok, const char *s, uint32_t *out)
{
	if (ipk_ip4_aton(s, out) != 0)
		return bad(tok, "'%s' is not an IPv4 address (dotted quad)", s);
	return 0;
}

/* Comma-separated addresses appended to the pool; *n counts them. */
static int addr_list(const char *tok, const char *s, size_t *n)
{
	char buf[65536];
	if (strlen(s) >= sizeof(buf))
		return bad(tok, "list too long");
	strcpy(buf, s);
	for (char *save, *a = strtok_r(buf, ",", &save); a; a = strtok_r(NULL, ",", &save)) {
		if (naddrs == MAXADDR)
			return bad(tok, "more than %d addresses in all", MAXADDR);
		if (addr(tok, a, &addrs[naddrs]))
			return -1;
		naddrs++;
		(*n)++;
	}
	return 0;
}

/* Hex bytes (ipk_cli_hex): optionally 0x-prefixed, blanks, ':', '-', '.' or '_' between bytes. */
static int hex(const char *tok, const char *s, uint8_t *out, size_t cap, size_t *n)
{
	size_t col = 0;
	const char *why = ipk_cli_hex(s, out, cap, n, &col);
	if (why && !strcmp(why, "too many bytes"))
		return bad(tok, "more than %zu bytes", cap);
	if (why)
		return bad(tok, "%s (column %zu of '%s')", why, col, s);
	return 0;
}

static int read_file(const char *tok, const char *path, uint8_t *out, size_t cap, size_t *n)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return bad(tok, "cannot read '%s': %s", path, strerror(errno));
	size_t r = fread(out + *n, 1, cap - *n, f);
	int more = fgetc(f) != EOF, err = ferror(f);
	fclose(f);
	if (err)
		return bad(tok, "cannot read '%s'", path);
	if (more)
		return bad(tok, "'%s' has more than %zu bytes", path, cap - *n);
	*n += r;
	return 0;
}

/* ---- IPv4 options: opt=SPEC ---- */

static int opt_err(const char *tok, int r)
{
	if (r == IPK_E_NOSPACE)
		return bad(tok, "options would pass 40 bytes");
	return bad(tok, "%s", ipk_strerror(r));
}

/* Split s at ':' into at most max parts (in place). */
static int split(char *s, char **part, int max)
{
	int n = 0;
	part[n++] = s;
	for (char *p = s; *p && n < max; p++)
		if (*p == ':') {
			*p = 0;
			part[n++] = p + 1;
		}
	return n;
}

static int parse_opt(struct spec *sp, const char *tok, const char *v)
{
	char buf[512], *a[8];
	if (strlen(v) >= sizeof(buf))
		return bad(tok, "option too long");
	strcpy(buf, v);
	int n = split(buf, a, 8), r;
	unsigned long x, y, z, t;
	struct ipk_wbuf *w = &sp->ow;
	const char *k = a[0];
	sp->opts_given = 1;
	if (!strcmp(k, "none") && n == 1)
		return 0;
	if (!strcmp(k, "eol") && n == 1)
		r = ipk_opt_put_eol(w);
	else if (!strcmp(k, "nop") && n == 1)
		r = ipk_opt_put_nop(w);
	else if (!strcmp(k, "ra") && n <= 2) {
		x = 0;
		if (n == 2 && num(tok, a[1], 0xffff, &x))
			return -1;
		r = ipk_opt_put_ra(w, (uint16_t)x);
	} else if ((!strcmp(k, "rr") || !strcmp(k, "lsrr") || !strcmp(k, "ssrr")) && n >= 2 && n <= 3) {
		/* rr:N (N empty slots) or rr/lsrr/ssrr:A,B,... [:PTR] */
		uint8_t type = k[0] == 'r' ? IPK_OPT_RR : k[0] == 'l' ? IPK_OPT_LSRR : IPK_OPT_SSRR;
		size_t cnt = 0, first = naddrs;
		const uint32_t *list = NULL;
		x = 0;
		if (n == 3 && num(tok, a[2], 255, &x))
			return -1;
		if (strchr(a[1], '.')) {
			if (addr_list(tok, a[1], &cnt))
				return -1;
			list = addrs + first;
		} else {
			if (num(tok, a[1], 9, &y))
				return -1;
			cnt = y;
		}
		r = ipk_opt_put_route(w, type, (uint8_t)x, list, cnt);
	} else if (!strcmp(k, "ts") && n >= 3 && n <= 5) {
		/* ts:MODE:SLOTS|ADDRS[:OFLW[:PTR]] */
		if (!strcmp(a[1], "tsonly"))
			x = IPK_OPT_TS_TSONLY;
		else if (!strcmp(a[1], "tsaddr"))
			x = IPK_OPT_TS_TSADDR;
		else if (!strcmp(a[1], "prespec"))
			x = IPK_OPT_TS_PRESPEC;
		else {
			char *end;
			errno = 0;
			x = strtoul(a[1], &end, 0);
			if (errno || end == a[1] || *end || !isdigit((unsigned char)a[1][0]) || x > 15)
				return bad(tok, "timestamp mode '%s' is not tsonly, tsaddr, prespec or "
						"0 to 15", a[1]);
		}
		size_t cnt = 0, first = naddrs;
		const uint32_t *list = NULL;
		if (strchr(a[2], '.')) {
			/* flag 0 (tsonly) has 4-byte stamps only: nowhere to put an address */
			if (x == IPK_OPT_TS_TSONLY)
				return bad(tok, "tsonly slots hold no address: give a slot count");
			if (addr_list(tok, a[2], &cnt))
				return -1;
			list = addrs + first;
		} else {
			if (num(tok, a[2], 9, &y))
				return -1;
			cnt = y;
		}
		z = 0, t = 0;
		if (n >= 4 && num(tok, a[3], 15, &z))
			return -1;
		if (n >= 5 && num(tok, a[4], 255, &t))
			return -1;
		r = ipk_opt_put_ts(w, (uint8_t)x, (uint8_t)z, (uint8_t)t, list, NULL, cnt);
	} else if (!strcmp(k, "sec") && (n == 1 || n == 5)) {
		x = y = z = t = 0;
		if (n == 5 && (num(tok, a[1], 0xffff, &x) || num(tok, a[2], 0xffff, &y) ||
			       num(tok, a[3], 0xffff, &z) || num(tok, a[4], 0xffffff, &t)))
			return -1;
		r = ipk_opt_put_sec(w, (uint16_t)x, (uint16_t)y, (uint16_t)z, (uint32_t)t);
	} else if (!strcmp(k, "sid") && n == 2) {
		if (num(tok, a[1], 0xffff, &x))
			return -1;
		r = ipk_opt_put_sid(w, (uint16_t)x);
	} else if (!strcmp(k, "qs") && n == 5) {
		if (num(tok, a[1], 15, &x) || num(tok, a[2], 15, &y) || num(tok, a[3], 255, &z) ||
		    num(tok, a[4], 0x3fffffff, &t))
			return -1;
		r = ipk_opt_put_qs(w, (uint8_t)x, (uint8_t)y, (uint8_t)z, (uint32_t)t);
	} else if (!strcmp(k, "cipso") && n >= 2 && n <= 3) {
		uint8_t tags[40];
		size_t tl = 0;
		if (num(tok, a[1], 0xffffffffUL, &x) || (n == 3 && hex(tok, a[2], tags, sizeof(tags), &tl)))
			return -1;
		r = ipk_opt_put_cipso(w, (uint32_t)x, tags, tl);
	} else if (!strcmp(k, "raw") && n == 2) {
		uint8_t b[40];
		size_t bl = 0;
		if (hex(tok, a[1], b, sizeof(b), &bl))
			return -1;
		r = ipk_opt_put_raw(w, b, bl);
	} else {
		return bad(tok, "unknown option or wrong arguments; options: eol, nop, ra[:V], rr:N, "
				"rr|lsrr|ssrr:A,B[,...][:PTR], ts:MODE:SLOTS|A,B[:OFLW[:PTR]], "
				"sec[:S:C:H:TCC], sid:N, qs:FUNC:RATE:TTL:NONCE, cipso:DOI[:HEX], raw:HEX, none");
	}
	return r ? opt_err(tok, r) : 0;
}

/* ---- the ip section ---- */

static int flag_idx(const char *s)
{
	return !strcmp(s, "rf") ? 0 : !strcmp(s, "df") ? 1 : !strcmp(s, "mf") ? 2 : -1;
}

static int proto_num(const char *tok, const char *v, int *out)
{
	static const struct {
		const char *n;
		int p;
	} names[] = {{"icmp", 1}, {"igmp", 2}, {"tcp", 6}, {"udp", 17}};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcasecmp(v, names[i].n)) {
			*out = names[i].p;
			return 0;
		}
	return inum(tok, v, 255, out);
}

static int ip_field(struct spec *sp, const char *tok)
{
	const char *eq = strchr(tok, '=');
	int fi;
	if (!eq) {
		if ((fi = flag_idx(tok)) >= 0) {
			sp->flag_set[fi] = 1;
			return 0;
		}
		if (!strncmp(tok, "no", 2) && (fi = flag_idx(tok + 2)) >= 0) {
			sp->flag_set[fi] = 0;
			return 0;
		}
		return bad(tok, "unknown ip field (fields: version= ihl= tos= dscp= ecn= len= id= "
				"flags= rf df mf nodf frag= frag_off= ttl= proto= csum= src= dst= opt=)");
	}
	char key[32];
	size_t kl = (size_t)(eq - tok);
	const char *v = eq + 1;
	if (kl >= sizeof(key))
		return bad(tok, "unknown ip field");
	memcpy(key, tok, kl);
	key[kl] = 0;
	struct ipk_ip4 *h = &sp->h;
	int x;
	if (!strcmp(key, "version")) {
		if (inum(tok, v, 15, &x))
			return -1;
		h->version = (uint8_t)x;
		sp->keep |= IPK_IP4_KEEP_VERSION;
	} else if (!strcmp(key, "ihl")) {
		if (inum(tok, v, 15, &x))
			return -1;
		h->ihl = (uint8_t)x;
		sp->keep |= IPK_IP4_KEEP_IHL;
	} else if (!strcmp(key, "tos")) {
		if (inum(tok, v, 255, &x))
			return -1;
		h->tos = (uint8_t)x;
		sp->set |= F_TOS;
	} else if (!strcmp(key, "dscp")) {
		if (inum(tok, v, 63, &sp->dscp))
			return -1;
	} else if (!strcmp(key, "ecn")) {
		if (inum(tok, v, 3, &sp->ecn))
			return -1;
	} else if (!strcmp(key, "len") || !strcmp(key, "tlen")) {
		if (inum(tok, v, 65535, &x))
			return -1;
		h->total_len = (uint16_t)x;
		sp->keep |= IPK_IP4_KEEP_TOTLEN;
	} else if (!strcmp(key, "id")) {
		if (inum(tok, v, 65535, &x))
			return -1;
		h->id = (uint16_t)x;
		sp->set |= F_ID;
	} else if (!strcmp(key, "flags")) {
		/* flags=df,mf | none | N (3 bits: 4 rf, 2 df, 1 mf) */
		int f[3] = {0, 0, 0};
		if (isdigit((unsigned char)v[0])) {
			if (inum(tok, v, 7, &x))
				return -1;
			f[0] = x >> 2 & 1, f[1] = x >> 1 & 1, f[2] = x & 1;
		} else if (strcmp(v, "none")) {
			char buf[64];
			snprintf(buf, sizeof(buf), "%s", v);
			for (char *save, *p = strtok_r(buf, ",+", &save); p; p = strtok_r(NULL, ",+", &save)) {
				if ((fi = flag_idx(p)) < 0)
					return bad(tok, "flag '%s' is not rf, df or mf", p);
				f[fi] = 1;
			}
		}
		for (int i = 0; i < 3; i++)
			sp->flag_set[i] = f[i];
	} else if (!strcmp(key, "frag")) {
		/* the wire field: 8-byte units (struct ipk_ip4.frag_off) */
		if (inum(tok, v, 8191, &x))
			return -1;
		h->frag_off = (uint16_t)x;
		sp->set |= F_FRAG;
	} else if (!strcmp(key, "frag_off")) {
		/* bytes, like JSON "frag_off" and the text "offset N" */
		if (inum(tok, v, 8191 * 8, &x))
			return -1;
		if (x % 8)
			return bad(tok, "frag_off is in bytes and must be a multiple of 8 "
					"(frag=N gives 8-byte units)");
		h->frag_off = (uint16_t)(x / 8);
		sp->set |= F_FRAG;
	} else if (!strcmp(key, "ttl")) {
		if (inum(tok, v, 255, &x))
			return -1;
		h->ttl = (uint8_t)x;
		sp->set |= F_TTL;
	} else if (!strcmp(key, "proto")) {
		if (proto_num(tok, v, &x))
			return -1;
		h->proto = (uint8_t)x;
		sp->set |= F_PROTO;
	} else if (!strcmp(key, "csum") || !strcmp(key, "checksum")) {
		if (inum(tok, v, 65535, &x))
			return -1;
		h->checksum = (uint16_t)x;
		sp->keep |= IPK_IP4_KEEP_CSUM;
	} else if (!strcmp(key, "src")) {
		if (addr(tok, v, &h->src))
			return -1;
		sp->set |= F_SRC;
	} else if (!strcmp(key, "dst")) {
		if (addr(tok, v, &h->dst))
			return -1;
		sp->set |= F_DST;
	} else if (!strcmp(key, "opt")) {
		return parse_opt(sp, tok, v);
	} else {
		return bad(tok, "unknown ip field (fields: version= ihl= tos= dscp= ecn= len= id= "
				"flags= rf df mf nodf frag= frag_off= ttl= proto= csum= src= dst= opt=)");
	}
	return 0;
}

/* ---- the payload section ---- */

static int is_igmp(enum kind k)
{
	return k >= K_IGMP1_QUERY && k <= K_IGMP;
}

/* Payload data fields shared by udp, icmp and raw: payload=TEXT, hex=HEX, file=PATH. */
static int data_field(struct spec *sp, const char *tok, const char *key, const char *v, int *done)
{
	*done = 1;
	if (!strcmp(key, "payload") || !strcmp(key, "text") || !strcmp(key, "data")) {
		size_t l = strlen(v);
		if (l > sizeof(sp->data) - sp->dlen)
			return bad(tok, "payload longer than %d bytes", MAXPAY);
		memcpy(sp->data + sp->dlen, v, l);
		sp->dlen += l;
		return 0;
	}
	if (!strcmp(key, "hex"))
		return hex(tok, v, sp->data, sizeof(sp->data), &sp->dlen);
	if (!strcmp(key, "file"))
		return read_file(tok, v, sp->data, sizeof(sp->data), &sp->dlen);
	*done = 0;
	return 0;
}

static int rec_type(const char *tok, const char *s, uint8_t *out)
{
	static const char *const names[] = {"is_in", "is_ex", "to_in", "to_ex", "allow", "block"};
	for (int i = 0; i < 6; i++)
		if (!strcasecmp(s, names[i])) {
			*out = (uint8_t)(i + 1);
			return 0;
		}
	int x;
	if (!isdigit((unsigned char)s[0]))
		return bad(tok, "record type '%s' is not is_in, is_ex, to_in, to_ex, allow, block or 0..255", s);
	if (inum(tok, s, 255, &x))
		return -1;
	*out = (uint8_t)x;
	return 0;
}

/* rec=TYPE,GROUP[,SRC...] */
static int parse_rec(struct spec *sp, const char *tok, const char *v)
{
	if (sp->nrec == MAXREC)
		return bad(tok, "more than %d records", MAXREC);
	char buf[65536];
	if (strlen(v) >= sizeof(buf))
		return bad(tok, "record too long");
	strcpy(buf, v);
	char *c1 = strchr(buf, ',');
	if (!c1)
		return bad(tok, "a record is TYPE,GROUP[,SOURCE...]");
	*c1 = 0;
	char *g = c1 + 1, *c2 = strchr(g, ',');
	if (c2)
		*c2 = 0;
	struct ipk_igmp_rec_spec *r = &sp->recs[sp->nrec];
	memset(r, 0, sizeof(*r));
	if (rec_type(tok, buf, &r->type) || addr(tok, g, &r->group))
		return -1;
	size_t n = 0, first = naddrs;
	if (c2 && addr_list(tok, c2 + 1, &n))
		return -1;
	if (n > 65535)
		return bad(tok, "more than 65535 sources");
	r->nsrcs = (uint16_t)n;
	r->srcs = n ? addrs + first : NULL;
	sp->nrec++;
	return 0;
}

/* The RFC 3376 float code of value (MRC in 1/10 s, QQIC in s); values from 128 up that the code
 * cannot hold are rounded down: a note on stderr says what is encoded. */
static int float_code(const char *tok, unsigned value, unsigned per_s)
{
	uint8_t c = ipk_igmp_code_encode(value);
	unsigned got = ipk_igmp_code_decode(c);
	if (got != value)
		fprintf(stderr, "%s: note: '%s': %u cannot be coded exactly; encoded 0x%02x = %u (%g s)\n",
			PROG, tok, value, c, got, (double)got / per_s);
	return c;
}

static int payload_field(struct spec *sp, const char *tok)
{
	const char *eq = strchr(tok, '=');
	const char *name = kinds[0].name;
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (kinds[i].kind == sp->kind)
			name = kinds[i].name;
	if (!eq) {
		if (sp->kind == K_IGMP3_QUERY && !strcmp(tok, "s")) {
			sp->s = 1;
			return 0;
		}
		if (sp->kind == K_RAW)
			return hex(tok, tok, sp->data, sizeof(sp->data), &sp->dlen);
		return bad(tok, "not a field of %s (fields are NAME=VALUE; see ipv4kit craft --help)", name);
	}
	char key[32];
	size_t kl = (size_t)(eq - tok);
	const char *v = eq + 1;
	if (kl >= sizeof(key))
		return bad(tok, "not a field of %s", name);
	memcpy(key, tok, kl);
	key[kl] = 0;
	int done;
	enum kind k = sp->kind;
	if (is_igmp(k)) {
		if (!strcmp(key, "type"))
			return inum(tok, v, 255, &sp->type);
		if (!strcmp(key, "code") || ((k == K_IGMP2_QUERY || k == K_IGMP2_REPORT ||
					      k == K_IGMP2_LEAVE || k == K_IGMP) && !strcmp(key, "mrt")))
			return inum(tok, v, 255, &sp->code);
		if (!strcmp(key, "csum") || !strcmp(key, "checksum"))
			return inum(tok, v, 65535, &sp->csum);
		if (!strcmp(key, "group")) {
			sp->group_set = 1;
			return addr(tok, v, &sp->group);
		}
		if (!strcmp(key, "trail"))
			return hex(tok, v, sp->data, sizeof(sp->data), &sp->dlen);
		if (k == K_IGMP3_QUERY) {
			unsigned long x;
			if (!strcmp(key, "mrc") || !strcmp(key, "mrt")) {
				if (num(tok, v, 31744, &x))
					return -1;
				sp->mrc = float_code(tok, (unsigned)x, 10);
				return 0;
			}
			if (!strcmp(key, "mrc-raw"))
				return inum(tok, v, 255, &sp->mrc);
			if (!strcmp(key, "qqic") || !strcmp(key, "qqi")) {
				if (num(tok, v, 31744, &x))
					return -1;
				sp->qqic = float_code(tok, (unsigned)x, 1);
				return 0;
			}
			if (!strcmp(key, "qqic-raw"))
				return inum(tok, v, 255, &sp->qqic);
			if (!strcmp(key, "qrv"))
				return inum(tok, v, 7, &sp->qrv);
			if (!strcmp(key, "s"))
				return inum(tok, v, 1, &sp->s);
			if (!strcmp(key, "resv"))
				return inum(tok, v, 15, &sp->resv);
			if (!strcmp(key, "src")) {
				if (sp->nsrc == 0)
					sp->src0 = naddrs;
				else if (sp->src0 + sp->nsrc != naddrs)
					return bad(tok, "sources must be given together");
				return addr_list(tok, v, &sp->nsrc);
			}
			if (!strcmp(key, "nsrcs"))
				return inum(tok, v, 65535, &sp->nsrcs);
		}
		if (k == K_IGMP3_REPORT) {
			if (!strcmp(key, "rec"))
				return parse_rec(sp, tok, v);
			if (!strcmp(key, "aux")) {
				if (!sp->nrec)
					return bad(tok, "aux= follows the rec= it belongs to");
				size_t n = 0;
				uint8_t *p = auxpool + nauxpool;
				if (hex(tok, v, p, sizeof(auxpool) - nauxpool, &n))
					return -1;
				if (n % 4 || n > 255 * 4)
					return bad(tok, "aux data is a whole number of 32-bit words (4..1020 bytes)");
				sp->recs[sp->nrec - 1].aux = p;
				sp->recs[sp->nrec - 1].aux_words = (uint8_t)(n / 4);
				nauxpool += n;
				return 0;
			}
			if (!strcmp(key, "nrecs"))
				return inum(tok, v, 65535, &sp->nrecs);
			if (!strcmp(key, "resv"))
				return inum(tok, v, 65535, &sp->resv);
		}
		return bad(tok, "not a field of %s", name);
	}
	int r = data_field(sp, tok, key, v, &done);
	if (done)
		return r;
	if (k == K_UDP) {
		if (!strcmp(key, "sport"))
			return inum(tok, v, 65535, &sp->sport);
		if (!strcmp(key, "dport"))
			return inum(tok, v, 65535, &sp->dport);
		if (!strcmp(key, "len"))
			return inum(tok, v, 65535, &sp->ulen);
		if (!strcmp(key, "csum") || !strcmp(key, "checksum"))
			return inum(tok, v, 65535, &sp->csum);
	}
	if (k == K_ICMP) {
		if (!strcmp(key, "type"))
			return inum(tok, v, 255, &sp->type);
		if (!strcmp(key, "code"))
			return inum(tok, v, 255, &sp->code);
		if (!strcmp(key, "id"))
			return inum(tok, v, 65535, &sp->icmp_id);
		if (!strcmp(key, "seq"))
			return inum(tok, v, 65535, &sp->icmp_seq);
		if (!strcmp(key, "csum") || !strcmp(key, "checksum"))
			return inum(tok, v, 65535, &sp->csum);
	}
	return bad(tok, "not a field of %s", name);
}

/* ---- building ---- */

/* The IGMP message into out, with every field the payload section gives written as given. */
static int build_igmp(struct spec *sp, uint8_t *out, size_t cap)
{
	struct ipk_wbuf w;
	ipk_wbuf_init(&w, out, cap);
	enum kind k = sp->kind;
	struct ipk_igmp_over o = {.trail = sp->data, .trail_len = sp->dlen};
	int r;
	if ((k == K_IGMP1_REPORT || k == K_IGMP2_REPORT || k == K_IGMP2_LEAVE) && !sp->group_set)
		return bad(k == K_IGMP1_REPORT ? "igmp1-report" : k == K_IGMP2_REPORT ? "igmp2-report" : "igmp2-leave",
			   "needs group=ADDRESS");
	if (sp->type >= 0) {
		o.keep |= IPK_IGMP_KEEP_TYPE;
		o.type = (uint8_t)sp->type;
	}
	if (sp->code >= 0) {
		o.keep |= IPK_IGMP_KEEP_CODE;
		o.code = (uint8_t)sp->code;
	}
	if (sp->csum >= 0) {
		o.keep |= IPK_IGMP_KEEP_CSUM;
		o.checksum = (uint16_t)sp->csum;
	}
	if (sp->nsrcs >= 0 || sp->nrecs >= 0) {
		o.keep |= IPK_IGMP_KEEP_COUNT;
		o.count = (uint16_t)(k == K_IGMP3_QUERY ? sp->nsrcs : sp->nrecs);
	}
	if (k == K_IGMP3_REPORT && sp->resv >= 0) {
		o.keep |= IPK_IGMP_KEEP_RESV;
		o.resv = (uint16_t)sp->resv;
	}
	switch (k) {
	case K_IGMP1_QUERY:
	case K_IGMP1_REPORT:
	case K_IGMP2_REPORT:
	case K_IGMP2_LEAVE:
	case K_IGMP:
		r = ipk_igmp_put8(&w, sp->ptype, 0, sp->group, &o);
		break;
	case K_IGMP2_QUERY:
		r = ipk_igmp_put8(&w, sp->ptype, 100, sp->group, &o);
		break;
	case K_IGMP3_QUERY: {
		struct ipk_igmp_v3q q = {
		    .mrc = (uint8_t)(sp->mrc >= 0 ? sp->mrc : 100),
		    .resv = (uint8_t)(sp->resv >= 0 ? sp->resv : 0),
		    .s = (uint8_t)sp->s,
		    .qrv = (uint8_t)(sp->qrv >= 0 ? sp->qrv : 2),
		    .qqic = (uint8_t)(sp->qqic >= 0 ? sp->qqic : 125),
		    .group = sp->group,
		    .srcs = sp->nsrc ? addrs + sp->src0 : NULL,
		    .nsrcs = (uint16_t)sp->nsrc,
		    .over = &o,
		};
		if (sp->nsrc > 65535)
			return bad("src=", "more than 65535 sources");
		r = ipk_igmp_put_v3_query(&w, &q);
		break;
	}
	case K_IGMP3_REPORT:
		r = ipk_igmp_put_v3_report_over(&w, sp->recs, sp->nrec, &o);
		break;
	default:
		return -1;
	}
	if (r)
		return bad("igmp", "cannot build the message: %s", ipk_strerror(r));
	return (int)w.len;
}

/* The UDP, ICMP or raw payload, after finish_ip() (the UDP checksum covers the final addresses). */
static int build_l4(const struct spec *sp, uint8_t *out, size_t cap)
{
	struct ipk_wbuf w;
	unsigned keep = sp->csum >= 0 ? IPK_L4_KEEP_CSUM : 0;
	int r = 0;
	ipk_wbuf_init(&w, out, cap);
	if (sp->kind == K_UDP) {
		struct ipk_udp u = {
		    .sport = (uint16_t)(sp->sport >= 0 ? sp->sport : 0),
		    .dport = (uint16_t)(sp->dport >= 0 ? sp->dport : 0),
		    .len = (uint16_t)sp->ulen,
		    .checksum = (uint16_t)sp->csum,
		};
		keep |= sp->ulen >= 0 ? IPK_L4_KEEP_LEN : 0;
		r = ipk_udp_build(&w, &u, sp->h.src, sp->h.dst, sp->data, sp->dlen, keep);
	} else if (sp->kind == K_ICMP) {
		struct ipk_icmp m = {
		    .type = (uint8_t)(sp->type >= 0 ? sp->type : sp->ptype),
		    .code = (uint8_t)(sp->code >= 0 ? sp->code : 0),
		    .checksum = (uint16_t)sp->csum,
		    .id = (uint16_t)(sp->icmp_id >= 0 ? sp->icmp_id : 0),
		    .seq = (uint16_t)(sp->icmp_seq >= 0 ? sp->icmp_seq : 0),
		};
		r = ipk_icmp_build(&w, &m, sp->data, sp->dlen, keep);
	} else if (sp->dlen <= cap) {
		memcpy(out, sp->data, sp->dlen);
		w.len = sp->dlen;
	} else {
		r = IPK_E_NOSPACE;
	}
	if (r)
		return bad(sp->kind == K_UDP ? "udp" : sp->kind == K_ICMP ? "icmp" : "raw",
			   "payload too long (%zu bytes)", sp->dlen);
	return (int)w.len;
}

/* Apply the ip section over the defaults (IGMP: ipk_igmp_ip4_defaults; else version 4, TTL 64,
 * ID 1, no flags, protocol of the payload). */
static int finish_ip(struct spec *sp, const struct ipk_ip4 *given)
{
	struct ipk_ip4 *h = &sp->h;
	if (!is_igmp(sp->kind)) {
		memset(h, 0, sizeof(*h));
		h->ttl = 64;
		h->id = 1;
		h->proto = sp->kind == K_UDP ? IPK_PROTO_UDP : sp->kind == K_ICMP ? IPK_PROTO_ICMP :
			   sp->kind == K_RAW ? 253 : 0; /* 253: RFC 3692 experimentation */
	}
	h->version = (sp->keep & IPK_IP4_KEEP_VERSION) ? given->version : 4;
	h->ihl = given->ihl;
	h->total_len = given->total_len;
	h->checksum = given->checksum;
	if (sp->set & F_TOS)
		h->tos = given->tos;
	if (sp->dscp >= 0)
		h->tos = (uint8_t)(sp->dscp << 2 | (h->tos & 3));
	if (sp->ecn >= 0)
		h->tos = (uint8_t)((h->tos & 0xfc) | sp->ecn);
	if (sp->set & F_ID)
		h->id = given->id;
	if (sp->set & F_FRAG)
		h->frag_off = given->frag_off;
	if (sp->set & F_TTL)
		h->ttl = given->ttl;
	if (sp->set & F_PROTO)
		h->proto = given->proto;
	if (sp->set & F_SRC)
		h->src = given->src;
	if (sp->set & F_DST)
		h->dst = given->dst;
	else if (!is_igmp(sp->kind))
		return bad("ip", "needs dst=ADDRESS (only IGMP messages have a default destination)");
	uint8_t *fl[3] = {&h->rf, &h->df, &h->mf};
	for (int i = 0; i < 3; i++)
		if (sp->flag_set[i] >= 0)
			*fl[i] = (uint8_t)sp->flag_set[i];
	if (sp->opts_given) {
		int r = ipk_opt_pad(&sp->ow);
		if (r)
			return opt_err("opt=", r);
		h->opts = sp->opts;
		h->opts_len = (uint16_t)sp->ow.len;
	} else if (!is_igmp(sp->kind)) {
		h->opts = NULL;
		h->opts_len = 0;
	}
	return 0;
}

/* ---- output ---- */

struct out {
	const char *wpath;
	int pcapng, ether, hexout, verbose, append, inc_id;
	const char *iface;
	unsigned long count;
	double interval;
	int64_t ts_sec;
	uint32_t ts_nsec;
	int ts_given;
	long snap;              /* -1: whole packet */
	uint8_t mac_src[6], mac_dst[6];
	int mac_src_given, mac_dst_given;
};

/* What the kernel's IP_HDRINCL path will do to the datagram ip[0..n): refuse it, or rewrite fields
 * the user may have written wrong on purpose. One note on stderr; the link path changes nothing. */
static void hdrincl_note(const char *iface, const uint8_t *ip, size_t n)
{
	char what[64] = "";
	struct ipk_ip4 h;
	/* LAX: IHL below 5 or past the bytes fails, as the kernel refuses it */
	if (ipk_ip4_parse(ip, n, IPK_IP4_LAX, &h, NULL) < 0) {
		fprintf(stderr, "%s: -i %s: note: the kernel refuses a raw-socket datagram of %zu bytes "
			"with IHL %u; --link ether sends it as built\n", PROG, iface, n, h.ihl);
		return;
	}
	if (h.total_len != n)
		strcat(what, ", total length");
	if (!h.checksum_ok)
		strcat(what, ", checksum");
	if (!h.id && !h.df)
		strcat(what, ", zero ID");
	if (!h.src)
		strcat(what, ", zero source");
	if (what[0])
		fprintf(stderr, "%s: -i %s: note: the kernel rewrites the %s on a raw socket; "
			"--link ether sends the header as built\n", PROG, iface, what + 2);
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: ipv4kit craft [OUTPUT...] [ip FIELD...] PAYLOAD [FIELD...]\n"
		"\n"
		"Build one IPv4 packet. Lengths and checksums are computed unless given (then written\n"
		"as given, wrong on purpose if you like). IGMP gets TTL 1, DF, TOS 0xc0, Router Alert and\n"
		"the destination of its type; ip fields override that (opt=none drops the RA).\n"
		"\n"
		"ip fields: version= ihl= tos= dscp= ecn= len= id= flags=df,mf|none|N rf df mf norf nodf\n"
		"  nomf frag=N (offset in 8-byte units, as on the wire) frag_off=BYTES (multiple of 8,\n"
		"  like JSON frag_off) ttl= proto=N|igmp|udp|icmp|tcp csum= src= dst= opt=SPEC...\n"
		"options (opt=, repeatable, in order, EOL-padded): eol nop ra[:V] rr:N rr:A,B[:PTR]\n"
		"  lsrr:A,B[:PTR] ssrr:A,B[:PTR] ts:MODE:SLOTS[:OFLW[:PTR]] ts:MODE:A,B[:OFLW[:PTR]]\n"
		"  (MODE: tsonly, tsaddr, prespec or flag 0..15; SLOTS 0..9 empty entries; A,B: the\n"
		"  addresses of tsaddr/prespec entries, not with tsonly; OFLW 0..15; PTR 0..255)\n"
		"  sec[:S:C:H:TCC] sid:N qs:FUNC:RATE:TTL:NONCE cipso:DOI[:HEX] raw:HEX none\n"
		"payloads:\n"
		"  igmp1-query | igmp1-report group=G\n"
		"  igmp2-query [group=G] [mrt=N] | igmp2-report group=G | igmp2-leave group=G\n"
		"  igmp3-query [group=G] [mrc=V|mrc-raw=C] [s] [qrv=N] [qqic=V|qqic-raw=C] [resv=N]\n"
		"              [src=A,B,...] [nsrcs=N]       (mrc in 1/10 s, qqic in s: float-coded)\n"
		"  igmp3-report [rec=TYPE,GROUP[,SRC...] [aux=HEX]]... [nrecs=N] [resv=N]\n"
		"              TYPE: is_in is_ex to_in to_ex allow block or a number\n"
		"  igmp type=N [code=N] [group=G]            (any other IGMP type)\n"
		"  every igmp payload: type= code= csum= group= trail=HEX (bytes after the message)\n"
		"  udp [sport=N] [dport=N] [len=N] [csum=N] [payload=TEXT|hex=HEX|file=PATH]\n"
		"  icmp-echo | icmp-echo-reply | icmp [type=N] [code=N] [id=N] [seq=N] [csum=N] [payload=...]\n"
		"  raw [HEX] [hex=HEX] [payload=TEXT] [file=PATH]          (proto 253 unless proto=)\n"
		"output (default --hex):\n"
		"  -w, --write FILE    append to FILE (created if missing), classic pcap unless --pcapng;\n"
		"                      '-': a new capture on stdout\n"
		"      --overwrite     replace FILE instead of appending\n"
		"      --pcapng        write pcapng\n"
		"      --link raw|ether  link type of FILE and --hex (ether: multicast MAC for multicast);\n"
		"                      with -i, ether sends the frame byte for byte (packet socket)\n"
		"      --mac-src MAC, --mac-dst MAC   Ethernet addresses for --link ether (source with\n"
		"                      -i: IFACE's; a unicast destination with -i needs --mac-dst)\n"
		"      --hex           print each packet as hex on stdout\n"
		"  -v, --verbose       print each packet decoded (one line) on stdout\n"
		"  -i, --interface IFACE  send out of IFACE (needs root): through a raw IP_HDRINCL socket,\n"
		"                      where the kernel refuses IHL < 5 or past the data and rewrites\n"
		"                      length, checksum, zero ID/source (a note says which), or with\n"
		"                      --link ether as built; see docs/send-paths.md\n"
		"  -c, --count N       N packets, 1..100000000 (default 1)\n"
		"      --inc-id        add 1 to the IP ID for every packet after the first\n"
		"      --interval SEC  seconds between packets (sending and file timestamps)\n"
		"      --ts SEC[.FRAC] timestamp of the first packet in FILE (default: now)\n"
		"      --snap N        capture only the first N bytes of each frame (file and --hex)\n"
		"\n"
		"examples:\n"
		"  ipv4kit craft igmp2-report group=239.1.1.1 --hex\n"
		"  ipv4kit craft ip src=198.18.0.1 igmp3-report rec=to_ex,239.1.1.1 \\\n"
		"      rec=allow,232.1.1.1,198.18.0.9,198.18.0.10 -w out.pcap\n"
		"  ipv4kit craft ip dst=198.19.0.1 opt=rr:3 opt=ts:tsonly:4 icmp-echo id=1 seq=2\n"
		"  ipv4kit craft ip dst=239.1.1.1 csum=0xdead len=99 ihl=4 udp sport=1 dport=2 payload=hi\n"
		"  ipv4kit craft -i veth1 --link ether ip ihl=3 igmp2-report group=239.1.1.1  # as built\n"
		"\n"
		"Exit status: 0 ok, 1 some packet could not be sent or written, 2 usage error.\n");
}

static void print_hex(const uint8_t *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		printf("%02x%c", b[i], i + 1 < n ? ' ' : '\n');
	if (!n)
		putchar('\n');
}

static void sleep_s(double s)
{
	if (s <= 0)
		return;
	struct timespec t = {(time_t)s, (long)((s - (double)(time_t)s) * 1e9)};
	while (clock_nanosleep(CLOCK_MONOTONIC, 0, &t, &t) == EINTR && !ipk_cli_stop)
		;
}

/* Value of an output option: "--x=V" or the next argument. */
static const char *optval(int argc, char **argv, int *i, const char *name)
{
	const char *a = argv[*i], *eq = strchr(a, '=');
	if (a[1] == '-' && eq)
		return eq + 1;
	if (*i + 1 >= argc) {
		bad(name, "needs a value");
		return NULL;
	}
	return argv[++*i];
}

static int parse_output(struct out *o, int argc, char **argv, int *i)
{
	const char *a = argv[*i], *v;
	char name[32];
	size_t nl = strcspn(a, "=");
	snprintf(name, sizeof(name), "%.*s", (int)(nl < 31 ? nl : 31), a);
	unsigned long x;
#define VAL()                                                                                      \
	do {                                                                                       \
		if (!(v = optval(argc, argv, i, name)))                                            \
			return -1;                                                                 \
	} while (0)
	if (!strcmp(name, "-w") || !strcmp(name, "--write")) {
		VAL();
		o->wpath = v;
	} else if (!strcmp(name, "--pcapng")) {
		o->pcapng = 1;
	} else if (!strcmp(name, "--overwrite")) {
		o->append = 0;
	} else if (!strcmp(name, "--link")) {
		VAL();
		if (!strcmp(v, "ether"))
			o->ether = 1;
		else if (!strcmp(v, "raw"))
			o->ether = 0;
		else
			return bad(name, "'%s' is not raw or ether", v);
	} else if (!strcmp(name, "--mac-src")) {
		VAL();
		o->mac_src_given = 1;
		return ipk_cli_mac(PROG, name, v, o->mac_src);
	} else if (!strcmp(name, "--mac-dst")) {
		VAL();
		o->mac_dst_given = 1;
		return ipk_cli_mac(PROG, name, v, o->mac_dst);
	} else if (!strcmp(name, "--hex")) {
		o->hexout = 1;
	} else if (!strcmp(name, "-v") || !strcmp(name, "--verbose")) {
		o->verbose = 1;
	} else if (!strcmp(name, "-i") || !strcmp(name, "--interface")) {
		VAL();
		o->iface = v;
	} else if (!strcmp(name, "-c") || !strcmp(name, "--count")) {
		VAL();
		if (num_range(name, v, 1, 100000000UL, &x))
			return -1;
		o->count = x;
	} else if (!strcmp(name, "--inc-id")) {
		o->inc_id = 1;
	} else if (!strcmp(name, "--interval")) {
		VAL();
		char *end;
		o->interval = strtod(v, &end);
		if (end == v || *end || !(o->interval >= 0 && o->interval <= 86400))
			return bad(name, "'%s' is not a number of seconds from 0 to 86400", v);
	} else if (!strcmp(name, "--ts")) {
		VAL();
		char *end;
		errno = 0;
		long long s = strtoll(v, &end, 10);
		double frac = 0;
		if (*end == '.') {
			char *e2;
			frac = strtod(end, &e2);
			end = e2;
		}
		if (errno || end == v || *end || s < 0 || s > 0xffffffffLL)
			return bad(name, "'%s' is not seconds since the epoch (0 to 4294967295[.FRACTION])", v);
		o->ts_sec = s;
		o->ts_nsec = (uint32_t)(frac * 1e9 + 0.5);
		if (o->ts_nsec >= 1000000000u)
			o->ts_nsec = 999999999u;
		o->ts_given = 1;
	} else if (!strcmp(name, "--snap")) {
		VAL();
		if (num(name, v, 262144, &x))
			return -1;
		o->snap = (long)x;
	} else if (!strcmp(name, "-h") || !strcmp(name, "--help")) {
		usage(stdout);
		exit(IPK_EXIT_OK);
	} else {
		return bad(a, "unknown option");
	}
	return 0;
#undef VAL
}

/* Parse craft's words argv[1..argc) into cur and build the payload into pay: options (words
 * starting with '-') go to parse_output(o), or are refused when o is NULL. Returns the payload
 * length, or -1 after a usage message. */
static int spec_build(int argc, char **argv, struct out *o, uint8_t *pay)
{
	struct ipk_ip4 given;
	memset(&cur, 0, sizeof(cur));
	memset(&given, 0, sizeof(given));
	naddrs = nauxpool = 0;
	cur.dscp = cur.ecn = -1;
	cur.type = cur.code = cur.csum = cur.mrc = cur.qrv = cur.qqic = cur.resv = cur.nsrcs = cur.nrecs = -1;
	cur.sport = cur.dport = cur.ulen = cur.icmp_id = cur.icmp_seq = -1;
	cur.flag_set[0] = cur.flag_set[1] = cur.flag_set[2] = -1;
	ipk_wbuf_init(&cur.ow, cur.opts, sizeof(cur.opts));
	cur.h = given;

	enum { S_NONE, S_IP, S_PAY } part = S_NONE;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (a[0] == '-' && a[1]) {
			if (!o)
				return bad(a, "not a packet word (options go outside the packet spec)");
			if (parse_output(o, argc, argv, &i))
				return -1;
			continue;
		}
		if (!strcmp(a, "ip")) {
			if (part != S_NONE)
				return bad(a, "the ip part comes first, once");
			part = S_IP;
			continue;
		}
		size_t k;
		for (k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++)
			if (!strcmp(a, kinds[k].name))
				break;
		if (k < sizeof(kinds) / sizeof(kinds[0])) {
			if (part == S_PAY)
				return bad(a, "only one payload per packet");
			part = S_PAY;
			cur.kind = kinds[k].kind;
			cur.ptype = kinds[k].type;
			continue;
		}
		int r;
		if (part == S_IP) {
			cur.h = given;
			r = ip_field(&cur, a);
			given = cur.h;
		} else if (part == S_PAY) {
			r = payload_field(&cur, a);
		} else {
			r = bad(a, "expected 'ip' or a payload (igmp1-query igmp1-report igmp2-query "
				   "igmp2-report igmp2-leave igmp3-query igmp3-report igmp udp icmp-echo "
				   "icmp-echo-reply icmp raw)");
		}
		if (r)
			return -1;
	}
	if (cur.kind == K_NONE) {
		if (part == S_NONE)
			return ipk_cli_usage(PROG, "no packet given: [ip FIELD...] PAYLOAD [FIELD...]"), -1;
		cur.kind = K_RAW; /* header only: `ip dst=... proto=6` */
	}
	if (cur.kind == K_IGMP && cur.type < 0)
		return bad("igmp", "needs type=N (or use igmp1-*, igmp2-*, igmp3-*)");

	/* IGMP first: its message decides the default header; the rest after the header (the UDP
	 * checksum covers the final addresses). */
	int plen = 0;
	if (is_igmp(cur.kind)) {
		if ((plen = build_igmp(&cur, pay, MAXPAY)) < 0)
			return -1;
		ipk_igmp_ip4_defaults(pay, (size_t)plen, 0, &cur.h);
	}
	if (finish_ip(&cur, &given))
		return -1;
	if (!is_igmp(cur.kind) && (plen = build_l4(&cur, pay, MAXPAY)) < 0)
		return -1;
	return plen;
}

int ipk_craft_dgram(int argc, char **argv, uint8_t *out, size_t cap)
{
	static uint8_t pay[MAXPAY + 1];
	int plen = spec_build(argc, argv, NULL, pay);
	if (plen < 0)
		return -1;
	int hl = ipk_ip4_marshal(&cur.h, (size_t)plen, cur.keep, out, cap);
	if (hl < 0 || (size_t)hl + (size_t)plen > cap)
		return bad("ip", "cannot build the datagram: %s", hl < 0 ? ipk_strerror(hl) : "too long");
	memcpy(out + hl, pay, (size_t)plen);
	return hl + plen;
}

int ipk_cmd_craft(int argc, char **argv)
{
	static uint8_t frame[IPK_ETH_HLEN + 65536 + 64], pay[MAXPAY + 1];
	struct out o = {.append = 1, .count = 1, .snap = -1,
			.mac_src = {0x02, 0x00, 0x00, 0x00, 0x00, 0x01},
			.mac_dst = {0x02, 0x00, 0x00, 0x00, 0x00, 0x02}};
	int plen = spec_build(argc, argv, &o, pay);
	if (plen < 0)
		return IPK_EXIT_USAGE;
	if (!o.wpath && !o.iface && !o.verbose)
		o.hexout = 1;
	if (o.wpath && !strcmp(o.wpath, "-") && (o.hexout || o.verbose))
		return bad("-w -", "the capture goes to stdout: --hex and -v cannot go there too"),
		       IPK_EXIT_USAGE;

	/* Marshal once to check the header; the frame is rebuilt per packet only when the ID moves. */
	size_t l3 = o.ether ? IPK_ETH_HLEN : 0;
	int hl = ipk_ip4_marshal(&cur.h, (size_t)plen, cur.keep, frame + l3, sizeof(frame) - l3 - MAXPAY);
	if (hl < 0)
		return bad("ip", "cannot build the header: %s", ipk_strerror(hl)), IPK_EXIT_USAGE;
	if ((size_t)hl + (size_t)plen > 65535 && !(cur.keep & IPK_IP4_KEEP_TOTLEN))
		return bad("ip", "datagram longer than 65535 bytes"), IPK_EXIT_USAGE;
	memcpy(frame + l3 + hl, pay, (size_t)plen);
	size_t flen = l3 + (size_t)hl + (size_t)plen;

	char err[512];
	struct ipk_pcapw w;
	int pw = 0, fd = -1, status = IPK_EXIT_OK;
	/* SIGINT, SIGTERM, SIGHUP: the loop stops, the temporary capture is removed (by the handler
	 * too, should the loop be stuck), FILE is left as it was, -i prints its summary */
	ipk_cli_signals(1);
	if (o.wpath) {
		int dlt = o.ether ? IPK_DLT_EN10MB : IPK_DLT_RAW;
		int r = ipk_pcapw_open(&w, o.wpath, dlt, (o.pcapng ? IPK_PCAPW_PCAPNG : 0) |
						    (o.append ? IPK_PCAPW_APPEND : 0), err, sizeof(err));
		if (r) {
			fprintf(stderr, "%s: -w: %s\n", PROG, err);
			return IPK_EXIT_USAGE;
		}
		pw = 1;
		if (!w.to_stdout)
			(void)ipk_cli_tmp(w.tmp);
	}
	unsigned ifindex = 0;
	if (o.iface) {
		if (ipk_cli_ifindex(PROG, o.iface, &ifindex)) {
			if (pw)
				ipk_pcapw_abort(&w);
			return IPK_EXIT_USAGE;
		}
		/* --link ether: the frame as built through a packet socket; else IP_HDRINCL */
		fd = o.ether ? ipk_link_open(ifindex) : ipk_raw_open(cur.h.proto ? cur.h.proto : 255, 1);
		int r = fd < 0 ? fd : 0;
		if (fd >= 0 && o.ether && !o.mac_src_given)
			r = ipk_link_get_mac(fd, o.mac_src);
		if (r < 0) {
			fprintf(stderr, "%s: -i %s: %s: %s%s\n", PROG, o.iface,
				fd < 0 ? (o.ether ? "cannot open a packet socket" : "cannot open a raw socket")
				       : "no Ethernet address (give --mac-src)",
				strerror(-r), r == -EPERM ? " (needs root or CAP_NET_RAW)" : "");
			if (fd >= 0)
				close(fd);
			if (pw)
				ipk_pcapw_abort(&w);
			return IPK_EXIT_USAGE;
		}
		if (!o.ether && ipk_ip4_is_multicast(cur.h.dst))
			(void)ipk_mcast_set_if(fd, ifindex);
		if (!o.ether)
			hdrincl_note(o.iface, frame, flen);
	}
	if (o.ether && fd >= 0 && !o.mac_dst_given && !ipk_ip4_is_multicast(cur.h.dst) &&
	    cur.h.dst != 0xffffffffu) {
		bad("--mac-dst", "needed to send to the unicast %u.%u.%u.%u through --link ether "
			"(a peer drops frames for another MAC)", cur.h.dst >> 24, cur.h.dst >> 16 & 255,
		    cur.h.dst >> 8 & 255, cur.h.dst & 255);
		close(fd);
		if (pw)
			ipk_pcapw_abort(&w);
		return IPK_EXIT_USAGE;
	}
	if (o.ether) {
		static const uint8_t bc[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
		const uint8_t *dmac = o.mac_dst;
		uint8_t mc[6];
		struct ipk_wbuf eb;
		if (!o.mac_dst_given && ipk_ip4_is_multicast(cur.h.dst)) {
			ipk_eth_mcast_mac(cur.h.dst, mc);
			dmac = mc;
		} else if (!o.mac_dst_given && cur.h.dst == 0xffffffffu) {
			dmac = bc;
		}
		ipk_wbuf_init(&eb, frame, IPK_ETH_HLEN);
		if (ipk_eth_build(&eb, dmac, o.mac_src, IPK_ETHERTYPE_IPV4))
			return IPK_EXIT_USAGE; /* 14 bytes of room: cannot happen */
	}
	if (!o.ts_given) {
		struct timespec now;
		clock_gettime(CLOCK_REALTIME, &now);
		o.ts_sec = now.tv_sec;
		o.ts_nsec = (uint32_t)now.tv_nsec;
	}
	unsigned long sent = 0, failed = 0;
	struct ipk_cm cm;
	memset(&cm, 0, sizeof(cm));
	cm.has = IPK_CM_PKTINFO;
	cm.ifindex = ifindex;
	uint16_t id0 = cur.h.id;
	unsigned long n;
	for (n = 0; n < o.count && !ipk_cli_stop; n++) {
		if (o.inc_id && n) {
			cur.h.id = (uint16_t)(id0 + n);
			int r = ipk_ip4_marshal(&cur.h, (size_t)plen, cur.keep, frame + l3, (size_t)hl);
			if (r != hl)
				return bad("--inc-id", "cannot rebuild the header"), IPK_EXIT_USAGE;
		}
		size_t cap = o.snap >= 0 && (size_t)o.snap < flen ? (size_t)o.snap : flen;
		double off = o.interval * (double)n;
		int64_t sec = o.ts_sec + (int64_t)off;
		uint64_t ns = o.ts_nsec + (uint64_t)((off - (double)(int64_t)off) * 1e9 + 0.5);
		sec += (int64_t)(ns / 1000000000u);
		ns %= 1000000000u;
		if (o.hexout)
			print_hex(frame, cap);
		if (o.verbose) {
			static struct ipk_packet p;
			static char line[IPK_FMT_HUGE];
			struct ipk_fmt_meta m = {.frame = n + 1, .ts_sec = sec, .ts_nsec = (uint32_t)ns};
			ipk_packet_decode(o.ether ? IPK_DLT_EN10MB : IPK_DLT_RAW, frame, cap, flen, &p);
			int k = ipk_fmt_packet(&p, &m, IPK_FMT_TEXT, line, sizeof(line));
			if (k > 0)
				fwrite(line, 1, (size_t)k, stdout);
		}
		if (pw) {
			int r = ipk_pcapw_write(&w, sec, (uint32_t)ns, frame, cap, flen);
			if (r) {
				fprintf(stderr, "%s: %s: %s\n", PROG, o.wpath, strerror(-r));
				ipk_pcapw_abort(&w);
				return IPK_EXIT_FINDINGS;
			}
		}
		if (fd >= 0) {
			if (n && o.interval > 0)
				sleep_s(o.interval);
			if (ipk_cli_stop)
				break;
			struct ipk_msg fm = {.buf = frame, .len = flen};
			int r = o.ether ? ipk_link_write_batch(fd, &fm, 1, 0)
					: ipk_raw_write(fd, &cur.h, cur.keep, pay, (size_t)plen, 0, &cm);
			if (r == 0)
				r = -EAGAIN; /* a batch of one that sent nothing */
			if (r < 0) {
				if (!failed)
					fprintf(stderr, "%s: -i %s: send: %s\n", PROG, o.iface,
						r <= -1000 ? ipk_strerror(r) : strerror(-r));
				failed++;
			} else {
				sent++;
			}
		}
	}
	fflush(stdout);
	if (fd >= 0) {
		close(fd);
		if (failed || ipk_cli_stop)
			fprintf(stderr, "%s: %lu sent, %lu failed%s\n", PROG, sent, failed,
				ipk_cli_stop ? ", interrupted" : "");
		if (failed)
			status = IPK_EXIT_FINDINGS;
	}
	if (pw) {
		/* no signal between the last look at the flag and the rename */
		sigset_t block, old;
		sigemptyset(&block);
		sigaddset(&block, SIGINT);
		sigaddset(&block, SIGTERM);
		sigaddset(&block, SIGHUP);
		sigprocmask(SIG_BLOCK, &block, &old);
		if (ipk_cli_stop) {
			ipk_pcapw_abort(&w);
			if (w.to_stdout)
				fprintf(stderr, "%s: interrupted after %lu of %lu packets\n", PROG, n, o.count);
			else
				fprintf(stderr, "%s: interrupted: %s left as it was\n", PROG, o.wpath);
			status = IPK_EXIT_FINDINGS;
		} else if (ipk_pcapw_commit(&w, err, sizeof(err))) {
			fprintf(stderr, "%s: -w: %s\n", PROG, err);
			status = IPK_EXIT_FINDINGS;
		}
		(void)ipk_cli_tmp(NULL);
		sigprocmask(SIG_SETMASK, &old, NULL);
	}
	return status;
}
