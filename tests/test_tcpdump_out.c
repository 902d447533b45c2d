/* test_tcpdump_out.c - our IPv4/IGMP decode of tcpdump's own test captures agrees with tcpdump's expected .out values. */
#define _DEFAULT_SOURCE /* u_char in pcap.h */
/*
 * For each (pcap, expected .out) pair below from IPK_THIRD_PARTY_PCAPS/tcpdump (see its MANIFEST.tsv),
 * every frame is read with libpcap and decoded with ipk_packet_decode(); frame N is matched with
 * the .out entry that starts with tcpdump's "-#" number N (its first line plus the indented
 * continuation lines). We compare VALUES, never wording: the MANIFEST notes that tcpdump versions
 * word invalid headers, link prefixes and some protocol names differently, so only tokens whose
 * meaning is stable across 4.99.x and master are read:
 *   - addresses: the first "A.B.C.D[.port] > E.F.G.H[.port]:" of the entry -> ip4.src/dst;
 *   - with -v, inside "(tos ...)": "tos 0x..", "ttl N" (tcpdump omits it when 0), "id N",
 *     "offset N" (bytes), "flags [..]" (DF, "+" = MF, rsvd), "proto NAME (N)", "length N"
 *     (total length), and the first name in "options (..)" mapped to our option type
 *     (RA, RR, LSRR, SSRR, timestamp, EOL, NOP, unknown N);
 *   - IGMP: the message kind ("query v1/v2/v3", "v1 report G", "v2 report G", "leave G",
 *     "v3 report, N group record(s)", dvmrp, pimv1, mtrace/mresp) -> type, version, group;
 *     "[max resp time ..]" (v2: the raw code; v3: seconds, "1.0s" or "51m12s") -> max resp,
 *     absent <=> code 100; "[gaddr G]"; v3 records "[gaddr G TYPE, K source(s)]" -> each
 *     record's group, type name and source count.
 * Entries tcpdump could not decode as IPv4 (its "[Invalid header..." lines, link types we do not
 * read) are not compared. ip_printroute_asan is not used: its header runs past the capture, which
 * we report (IP_HDR_TRUNC) instead of decoding, so there are no values to compare. Each file must
 * give comparisons and there must be zero mismatches.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <pcap/pcap.h>

#include "ipv4kit/ipv4kit.h"

#define DIR IPK_THIRD_PARTY_PCAPS "/tcpdump/"
#define MAXF 2048
#define ENTRY_MAX 8192

struct pair {
	const char *pcap, *out;
};

static const struct pair pairs[] = {
	{"IGMP_V1.pcap", "igmpv1.out"},
	{"IGMP_V2.pcap", "igmpv2.out"},
	{"igmpv3-queries.pcap", "igmpv3-queries.out"},
	{"mtrace.pcap", "mtrace.out"},
	{"mrinfo_query.pcap", "dvmrp.out"},
	{"eapon1.pcap", "eapon1-v-nosmb.out"},
	{"PIM-SM_join_prune.pcap", "pimv2_sm-v.out"},
	{"relts-0x80000000.pcap", "relts-0x80000000.out"},
	{"ip_ts_opts_asan.pcap", "ip_ts_opts_asan.out"},
	{"extract_read2_asan.pcap", "extract_read2_asan.out"},
	{"dhcp6_reconf_asan.pcap", "dhcp6_reconf_asan.out"},
	{"heapoverflow-in_checksum.pcap", "heapoverflow-in_checksum.out"},
	{"ipv4_tcp_http_xml.pcap", "ipv4_tcp_http_xml.out"},
	{"ipv4_invalid_total_length.pcap", "ipv4_invalid_total_length.out"},
	{"gso-ipv4.pcap", "gso-ipv4.out"},
	{"LINKTYPE_IPV4.pcap", "LINKTYPE_IPV4.out"},
	{"LINKTYPE_RAW_ipv4.pcap", "LINKTYPE_RAW_ipv4.out"},
	{"rsvp-inf-loop-2.pcapng", "rsvp-inf-loop-2-v.out"},
	{"afs.pcap", "rx-v.out"},
};

static char *entries[MAXF + 1]; /* entries[n]: text of frame n, NULL if none */
static unsigned long ncmp, nbad;
static const char *cur_file;
static unsigned cur_frame;

static void cmp_u(const char *what, unsigned long ours, unsigned long theirs)
{
	ncmp++;
	if (ours != theirs) {
		nbad++;
		print_message("%s frame %u: %s: ours %lu, tcpdump %lu\n", cur_file, cur_frame, what,
			      ours, theirs);
	}
}

static void cmp_s(const char *what, const char *ours, const char *theirs)
{
	ncmp++;
	if (strcmp(ours, theirs) != 0) {
		nbad++;
		print_message("%s frame %u: %s: ours '%s', tcpdump '%s'\n", cur_file, cur_frame, what,
			      ours, theirs);
	}
}

/* Load the .out: entries start with "<spaces>N  " (tcpdump -#); other lines continue one. */
static void load_out(const char *name)
{
	char path[512], line[4096];
	snprintf(path, sizeof(path), DIR "%s", name);
	FILE *f = fopen(path, "r");
	assert_non_null(f);
	for (size_t i = 0; i <= MAXF; i++) {
		free(entries[i]);
		entries[i] = NULL;
	}
	unsigned cur = 0;
	while (fgets(line, sizeof(line), f)) {
		unsigned n;
		int used = 0;
		if (line[0] == ' ' && sscanf(line, " %u %n", &n, &used) == 1 && used > 0 &&
		    line[used - 1] == ' ' && line[used - 2] == ' ' && n > 0 && n <= MAXF) {
			cur = n;
			entries[n] = calloc(1, ENTRY_MAX);
			assert_non_null(entries[n]);
			snprintf(entries[n], ENTRY_MAX, "%s", line + used);
		} else if (cur && entries[cur]) {
			size_t l = strlen(entries[cur]);
			snprintf(entries[cur] + l, ENTRY_MAX - l, "%s", line);
		}
	}
	fclose(f);
}

static int parse_addr(const char *s, uint32_t *a)
{
	unsigned b[4];
	if (sscanf(s, "%u.%u.%u.%u", &b[0], &b[1], &b[2], &b[3]) != 4)
		return -1;
	*a = IPK_IP4_ADDR(b[0], b[1], b[2], b[3]);
	return 0;
}

/* The number after key inside [s, end), or -1. */
static long num_after(const char *s, const char *end, const char *key, int base)
{
	const char *k = strstr(s, key);
	if (!k || k >= end)
		return -1;
	return strtol(k + strlen(key), NULL, base);
}

static const char *tcpdump_opt_name(uint8_t type, char *buf, size_t n)
{
	switch (type) {
	case IPK_OPT_RA: return "RA";
	case IPK_OPT_RR: return "RR";
	case IPK_OPT_LSRR: return "LSRR";
	case IPK_OPT_SSRR: return "SSRR";
	case IPK_OPT_TS: return "timestamp";
	case IPK_OPT_EOL: return "EOL";
	case IPK_OPT_NOP: return "NOP";
	case IPK_OPT_SEC: return "security";
	default: snprintf(buf, n, "unknown %u", type); return buf;
	}
}

static void compare_ip_header(const struct ipk_packet *p, const char *e)
{
	const char *s = strstr(e, "(tos "); /* "IP (tos ..." or "IP [invalid...] (tos ..." */
	if (!s)
		return;
	const char *end = strchr(s, '\n');
	if (!end)
		end = s + strlen(s);
	const struct ipk_ip4 *h = &p->ip4;
	long v;
	if ((v = num_after(s, end, "tos 0x", 16)) >= 0)
		cmp_u("tos", h->tos, (unsigned long)v);
	if ((v = num_after(s, end, "ttl ", 10)) >= 0)
		cmp_u("ttl", h->ttl, (unsigned long)v);
	else
		cmp_u("ttl (omitted by tcpdump when 0)", h->ttl, 0);
	if ((v = num_after(s, end, " id ", 10)) >= 0)
		cmp_u("id", h->id, (unsigned long)v);
	if ((v = num_after(s, end, "offset ", 10)) >= 0)
		cmp_u("offset", (unsigned long)h->frag_off * 8, (unsigned long)v);
	if ((v = num_after(s, end, "length ", 10)) >= 0)
		cmp_u("total length", h->total_len, (unsigned long)v);
	const char *pr = strstr(s, "proto ");
	if (pr && pr < end) {
		const char *par = strchr(pr, '(');
		if (par && par < end)
			cmp_u("proto", h->proto, strtoul(par + 1, NULL, 10));
	}
	const char *fl = strstr(s, "flags [");
	if (fl && fl < end) {
		const char *fe = strchr(fl, ']');
		char flags[64] = "";
		if (fe && (size_t)(fe - fl) < sizeof(flags))
			memcpy(flags, fl + 7, (size_t)(fe - fl - 7));
		cmp_u("DF", h->df, strstr(flags, "DF") != NULL);
		cmp_u("MF", h->mf, strchr(flags, '+') != NULL);
		cmp_u("reserved flag", h->rf, strstr(flags, "rsvd") != NULL);
	}
	const char *op = strstr(s, "options (");
	if (op && op < end && h->opts_len) {
		struct ipk_opt_iter it;
		struct ipk_opt o;
		char buf[32], theirs[32];
		size_t n = 0;
		op += 9;
		while (op[n] && op[n] != ',' && op[n] != ')' && op[n] != '[' && op[n] != ' ' &&
		       n < sizeof(theirs) - 1)
			n++;
		if (op[n] == ' ' && strncmp(op, "unknown", 7) == 0) /* "unknown 3" */
			for (n++; op[n] >= '0' && op[n] <= '9' && n < sizeof(theirs) - 1; n++)
				;
		memcpy(theirs, op, n);
		theirs[n] = 0;
		ipk_opt_iter_init(&it, h->opts, h->opts_len);
		if (ipk_opt_next(&it, &o) > 0)
			cmp_s("first option", tcpdump_opt_name(o.type, buf, sizeof(buf)), theirs);
	}
}

static void compare_addrs(const struct ipk_packet *p, const char *e)
{
	/* The first " > " with a dotted quad on both sides ("[total length 85 > length 84]" is not). */
	for (const char *gt = strstr(e, " > "); gt; gt = strstr(gt + 3, " > ")) {
		const char *a = gt;
		while (a > e && a[-1] != ' ' && a[-1] != '\n')
			a--;
		uint32_t src, dst;
		if (parse_addr(a, &src) == 0 && parse_addr(gt + 3, &dst) == 0) {
			cmp_u("src", p->ip4.src, src);
			cmp_u("dst", p->ip4.dst, dst);
			return;
		}
	}
}

/* "[max resp time X]": v2 raw code; v3 "1.0s" or "51m12s" -> tenths of a second. */
static long max_resp(const char *e, int v3)
{
	const char *k = strstr(e, "[max resp time ");
	if (!k)
		return -1;
	k += 15;
	if (!v3)
		return strtol(k, NULL, 10);
	long ds = 0;
	char *q;
	double x = strtod(k, &q);
	if (*q == 'm') {
		ds = (long)x * 600;
		if (q[1] >= '0' && q[1] <= '9')
			ds += strtol(q + 1, NULL, 10) * 10;
	} else if (*q == 'h') {
		ds = (long)x * 36000;
	} else {
		ds = (long)(x * 10 + 0.5);
	}
	return ds;
}

static void compare_igmp(const struct ipk_packet *p, const char *e)
{
	const char *g = strstr(e, ": igmp ");
	const char *mt = strstr(e, ": mtrace ");
	const char *mr = strstr(e, ": mresp ");
	if (!g && !mt && !mr)
		return;
	cmp_u("IGMP decoded", p->l4 == IPK_L4_IGMP, 1);
	if (p->l4 != IPK_L4_IGMP)
		return;
	const struct ipk_igmp *m = &p->u.igmp;
	uint32_t grp;
	if (mt) {
		cmp_u("type (mtrace)", m->type, IPK_IGMP_MTRACE);
		return;
	}
	if (mr) {
		cmp_u("type (mresp)", m->type, IPK_IGMP_MTRACE_RESP);
		return;
	}
	g += 7;
	if (strncmp(g, "query v", 7) == 0) {
		unsigned ver = (unsigned)(g[7] - '0');
		cmp_u("type", m->type, IPK_IGMP_QUERY);
		cmp_u("query version", m->version, ver);
		if (ver >= 2) {
			long mrt = max_resp(e, ver == 3);
			if (mrt < 0)
				cmp_u("max resp code (absent: 100)", m->code, 100);
			else if (ver == 2)
				cmp_u("max resp code", m->code, (unsigned long)mrt);
			else
				cmp_u("max resp (ds)", ipk_igmp_code_decode(m->code), (unsigned long)mrt);
		}
		const char *ga = strstr(e, "[gaddr ");
		if (ga && parse_addr(ga + 7, &grp) == 0)
			cmp_u("query group", m->group, grp);
		else if (ver >= 2)
			cmp_u("query group (general)", m->group, 0);
	} else if (strncmp(g, "v1 report ", 10) == 0 || strncmp(g, "v2 report ", 10) == 0) {
		cmp_u("type", m->type, g[1] == '1' ? IPK_IGMP_V1_REPORT : IPK_IGMP_V2_REPORT);
		if (parse_addr(g + 10, &grp) == 0)
			cmp_u("report group", m->group, grp);
	} else if (strncmp(g, "leave ", 6) == 0) {
		cmp_u("type", m->type, IPK_IGMP_V2_LEAVE);
		if (parse_addr(g + 6, &grp) == 0)
			cmp_u("leave group", m->group, grp);
	} else if (strncmp(g, "v3 report", 9) == 0) {
		cmp_u("type", m->type, IPK_IGMP_V3_REPORT);
		const char *c = strstr(g, ", ");
		if (c)
			cmp_u("records", m->nrecs, strtoul(c + 2, NULL, 10));
		struct ipk_igmp_rec_iter it;
		struct ipk_igmp_rec r;
		const char *q = g;
		ipk_igmp_rec_iter_init(&it, m, p->frame + p->l4_off);
		while (ipk_igmp_rec_next(&it, &r) > 0) {
			q = strstr(q, "[gaddr ");
			if (!q)
				break;
			q += 7;
			if (parse_addr(q, &grp) == 0)
				cmp_u("record group", r.group, grp);
			const char *sp = strchr(q, ' ');
			char name[16] = "";
			if (sp && sscanf(sp + 1, "%15[a-z_]", name) == 1)
				cmp_s("record type", ipk_igmp_rec_name(r.type), name);
			const char *cm = sp ? strchr(sp, ',') : NULL;
			if (cm)
				cmp_u("record sources", r.nsrcs, strtoul(cm + 2, NULL, 10));
		}
	} else if (strncmp(g, "dvmrp", 5) == 0) {
		cmp_u("type (dvmrp)", m->type, IPK_IGMP_DVMRP);
	} else if (strncmp(g, "pimv1", 5) == 0) {
		cmp_u("type (pimv1)", m->type, IPK_IGMP_PIMV1);
	}
}

static void run_pair(const struct pair *pp)
{
	char path[512], err[PCAP_ERRBUF_SIZE];
	unsigned long before = ncmp;
	load_out(pp->out);
	snprintf(path, sizeof(path), DIR "%s", pp->pcap);
	pcap_t *pc = pcap_open_offline(path, err);
	if (!pc)
		fail_msg("%s: %s", path, err);
	int dlt = pcap_datalink(pc);
	struct pcap_pkthdr *h;
	const u_char *data;
	unsigned frame = 0;
	cur_file = pp->out;
	while (pcap_next_ex(pc, &h, &data) == 1) {
		struct ipk_packet p;
		frame++;
		if (frame > MAXF || !entries[frame])
			continue;
		const char *e = entries[frame];
		if (e[0] == '[')
			continue; /* "[Invalid header: ...]": libpcap/tcpdump refused the record */
		cur_frame = frame;
		ipk_packet_decode(dlt, data, h->caplen, h->len, &p);
		if (!p.has_ip4)
			continue;
		if (!strstr(e, "IP ") && !strstr(e, "IP("))
			continue;
		compare_addrs(&p, e);
		compare_ip_header(&p, e);
		compare_igmp(&p, e);
	}
	pcap_close(pc);
	print_message("%-32s %4u frames, %5lu values compared\n", pp->out, frame, ncmp - before);
	if (ncmp == before)
		fail_msg("%s: no value compared", pp->out);
}

static void t_tcpdump_outputs(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++)
		run_pair(&pairs[i]);
	print_message("total: %lu values compared, %lu mismatches\n", ncmp, nbad);
	for (size_t i = 0; i <= MAXF; i++) {
		free(entries[i]);
		entries[i] = NULL;
	}
	assert_true(ncmp > 1000);
	assert_int_equal(nbad, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(t_tcpdump_outputs),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
