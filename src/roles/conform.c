/* conform.c - the conformance suite's runner (catalogue selection, one check after another, evidence in caller memory) and what the checks share: crafted IGMP out, the target's messages in, verdict texts. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "conform_int.h"
#include "ipv4kit/bytes.h"
#include "ipv4kit/error.h"

#define IPK_CK_MAXPKTS 512u
#define IPK_CK_SCRATCH 2048u /* the end of mem: a heard datagram when the evidence is full */

/* ---- names ---- */

const char *ipk_conform_level_name(unsigned level)
{
	static const char *const n[] = {"?", "MUST", "SHOULD", "MAY"};
	return level < 4 ? n[level] : "?";
}

const char *ipk_conform_verdict_name(unsigned verdict)
{
	static const char *const n[] = {"?", "pass", "fail", "deviation", "inconclusive", "skipped"};
	return verdict < 6 ? n[verdict] : "?";
}

const char *ipk_conform_side_name(unsigned side)
{
	return side == IPK_CONFORM_HOST ? "host" : side == IPK_CONFORM_ROUTER ? "router" : "?";
}

const char *ipk_conform_mode_name(unsigned mode)
{
	static const char *const n[] = {"leave", "include", "exclude"};
	return mode < 3 ? n[mode] : "?";
}

/* ---- catalogue ---- */

const struct ipk_conform_check *ipk_conform_catalogue(unsigned side, size_t *n)
{
	if (side == IPK_CONFORM_HOST) {
		*n = ipk_conform_host_nchecks;
		return ipk_conform_host_checks;
	}
	if (side == IPK_CONFORM_ROUTER) {
		*n = ipk_conform_router_nchecks;
		return ipk_conform_router_checks;
	}
	*n = 0;
	return NULL;
}

static const struct ipk_conform_check *find_n(unsigned side, const char *s, size_t len)
{
	size_t n;
	const struct ipk_conform_check *cat = ipk_conform_catalogue(side, &n);

	for (size_t i = 0; i < n; i++)
		if ((strlen(cat[i].id) == len && memcmp(cat[i].id, s, len) == 0) ||
		    (strlen(cat[i].name) == len && memcmp(cat[i].name, s, len) == 0))
			return &cat[i];
	return NULL;
}

const struct ipk_conform_check *ipk_conform_find(unsigned side, const char *id_or_name)
{
	return find_n(side, id_or_name, strlen(id_or_name));
}

/* Mark each entry of the comma-separated list with v; 0 or IPK_E_INVAL naming the bad entry. */
static int mark(unsigned side, const char *list, uint8_t v, uint8_t *sel, size_t n, char *err, size_t errlen)
{
	size_t ncat;
	const struct ipk_conform_check *cat = ipk_conform_catalogue(side, &ncat);

	for (const char *p = list; *p;) {
		const char *e = strchr(p, ',');
		size_t len = e ? (size_t)(e - p) : strlen(p);
		if (len) {
			const struct ipk_conform_check *k = find_n(side, p, len);
			if (!k) {
				if (err && errlen)
					snprintf(err, errlen, "no %s check named '%.*s' (--list shows them)",
						 ipk_conform_side_name(side), (int)(len > 64 ? 64 : len), p);
				return IPK_E_INVAL;
			}
			if ((size_t)(k - cat) < n)
				sel[k - cat] = v;
		}
		p += len + (e != NULL);
	}
	return 0;
}

int ipk_conform_select(unsigned side, const char *only, const char *skip, uint8_t *sel, size_t n, char *err,
		       size_t errlen)
{
	size_t ncat;

	if (!ipk_conform_catalogue(side, &ncat) || n != ncat) {
		if (err && errlen)
			snprintf(err, errlen, "unknown side or selection size");
		return IPK_E_INVAL;
	}
	memset(sel, only && *only ? 0 : 1, n);
	int r = only && *only ? mark(side, only, 1, sel, n, err, errlen) : 0;
	if (r == 0 && skip)
		r = mark(side, skip, 0, sel, n, err, errlen);
	return r;
}

void ipk_conform_cfg_default(struct ipk_conform_cfg *c, unsigned side)
{
	memset(c, 0, sizeof(*c));
	c->side = (uint8_t)side;
	c->version = 3;
	c->group_base = IPK_IP4_ADDR(239, 1, 0, 0);
	c->ssm_base = IPK_IP4_ADDR(232, 1, 0, 0);
	c->source_base = IPK_IP4_ADDR(198, 19, 200, 1);
	c->mrt_ms = 1000;
	c->slack_ms = 300;
}

/* ---- what checks share ---- */

uint32_t ipk_ck_group(const struct ipk_conform_ctx *c, unsigned k)
{
	return c->cfg->group_base + 16 * c->index + k;
}

uint32_t ipk_ck_ssm(const struct ipk_conform_ctx *c, unsigned k)
{
	return c->cfg->ssm_base + 16 * c->index + k;
}

uint32_t ipk_ck_host_addr(const struct ipk_conform_ctx *c, unsigned host)
{
	uint32_t a = c->cfg->self + host;
	return c->cfg->target > c->cfg->self && c->cfg->target <= a ? a + 1 : a;
}

uint32_t ipk_ck_src(const struct ipk_conform_ctx *c, unsigned k)
{
	return c->cfg->source_base + k;
}

int64_t ipk_ck_now(const struct ipk_conform_ctx *c)
{
	return c->io->now_us(c->io->ctx);
}

unsigned ipk_ck_version(const struct ipk_conform_ctx *c)
{
	return c->cfg->version;
}

static void vappend(char *buf, size_t cap, const char *sep, const char *fmt, va_list ap)
	__attribute__((format(printf, 4, 0)));
static void vappend(char *buf, size_t cap, const char *sep, const char *fmt, va_list ap)
{
	size_t len = strlen(buf);
	if (len && sep && len + strlen(sep) < cap) {
		memcpy(buf + len, sep, strlen(sep) + 1);
		len += strlen(sep);
	}
	if (len < cap)
		vsnprintf(buf + len, cap - len, fmt, ap);
}

void ipk_ck_sent(struct ipk_conform_ctx *c, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vappend(c->r->sent, sizeof(c->r->sent), "; ", fmt, ap);
	va_end(ap);
}

void ipk_ck_expect(struct ipk_conform_ctx *c, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(c->r->expected, sizeof(c->r->expected), fmt, ap);
	va_end(ap);
}

void ipk_ck_verdict(struct ipk_conform_ctx *c, unsigned verdict, const char *fmt, ...)
{
	va_list ap;
	c->r->verdict = (uint8_t)verdict;
	va_start(ap, fmt);
	vsnprintf(c->r->seen, sizeof(c->r->seen), fmt, ap);
	va_end(ap);
}

void ipk_ck_measured(struct ipk_conform_ctx *c, double ms)
{
	c->r->measured_ms = ms;
}

unsigned ipk_ck_broken(const struct ipk_conform_ctx *c)
{
	return c->check->level == IPK_CONFORM_MUST ? IPK_CONFORM_FAIL : IPK_CONFORM_DEVIATION;
}

const char *ipk_ck_addr(uint32_t a, char buf[16])
{
	snprintf(buf, 16, "%u.%u.%u.%u", a >> 24, a >> 16 & 255, a >> 8 & 255, a & 255);
	return buf;
}

/* Keep a datagram as evidence; returns the stored copy (NULL when the evidence is full). */
static const uint8_t *keep(struct ipk_conform_ctx *c, unsigned dir, int64_t at, const uint8_t *d, size_t len)
{
	if (c->npkts >= c->maxpkts || len > c->acap - c->alen || len > 0xffff)
		return NULL;
	uint8_t *p = c->arena + c->alen;
	memcpy(p, d, len);
	c->alen += len;
	c->pkts[c->npkts++] = (struct ipk_conform_pkt){.at_us = at, .dir = (uint8_t)dir, .len = (uint16_t)len,
							 .data = p};
	return p;
}

/* Router Alert, as every IGMP sender writes it (RFC 2113). */
static const uint8_t ra_opt[4] = {0x94, 0x04, 0x00, 0x00};

int ipk_ck_send_igmp(struct ipk_conform_ctx *c, const uint8_t *msg, size_t len, const struct ipk_ck_ip *ip,
		     const char *what)
{
	static const struct ipk_ck_ip none;
	uint8_t d[1600];
	struct ipk_ip4 h;

	if (!ip)
		ip = &none;
	ipk_igmp_ip4_defaults(msg, len, ip->src0 ? 0 : ip->src ? ip->src : c->cfg->self, &h);
	if (ip->dst)
		h.dst = ip->dst;
	if (ip->ttl)
		h.ttl = (uint8_t)ip->ttl;
	if (ip->tos)
		h.tos = ip->tos < 0 ? 0 : (uint8_t)ip->tos;
	if (ip->no_ra) {
		h.opts = NULL;
		h.opts_len = 0;
	} else {
		h.opts = ra_opt;
		h.opts_len = sizeof(ra_opt);
	}
	h.mf = ip->mf;
	int hl = ipk_ip4_marshal(&h, len, 0, d, sizeof(d));
	if (hl < 0 || len > sizeof(d) - (size_t)hl) {
		ipk_ck_verdict(c, IPK_CONFORM_INCONCLUSIVE, "could not build the datagram (%s)",
			       hl < 0 ? ipk_errname(hl) : "too long");
		return -EMSGSIZE;
	}
	memcpy(d + hl, msg, len);
	if (ip->bad_ip_csum)
		ipk_put16(d + 10, (uint16_t)(ipk_be16(d + 10) + 1));
	size_t dlen = (size_t)hl + len;
	int64_t at = ipk_ck_now(c);
	int r = c->io->send(c->io->ctx, d, dlen);
	keep(c, 0, at, d, dlen);
	if (r < 0) {
		ipk_ck_verdict(c, IPK_CONFORM_INCONCLUSIVE, "sending %s failed (error %d)", what ? what : "a message",
			       -r);
		return r;
	}
	if (what)
		ipk_ck_sent(c, "%s", what);
	return 0;
}

int ipk_ck_send_query(struct ipk_conform_ctx *c, const struct ipk_ck_query *q)
{
	uint8_t m[1500];
	struct ipk_wbuf w;
	unsigned v = q->version ? q->version : c->cfg->version;
	unsigned mrt = q->mrt_ms ? q->mrt_ms : c->cfg->mrt_ms;
	char what[160], ga[16];
	int r;

	ipk_wbuf_init(&w, m, sizeof(m));
	if (v == 1) {
		r = ipk_igmp_put8(&w, IPK_IGMP_QUERY, q->mrc_raw_set ? q->mrc_raw : 0, q->group, q->over);
	} else if (v == 2) {
		unsigned t = mrt / 100 > 255 ? 255 : mrt / 100;
		r = ipk_igmp_put8(&w, IPK_IGMP_QUERY, q->mrc_raw_set ? q->mrc_raw : (uint8_t)t, q->group, q->over);
	} else {
		struct ipk_igmp_v3q v3 = {
			.mrc = q->mrc_raw_set ? q->mrc_raw : ipk_igmp_code_encode(mrt / 100),
			.s = q->s,
			.qrv = q->qrv_zero ? 0 : q->qrv ? q->qrv : 2,
			.qqic = q->qqic ? q->qqic : ipk_igmp_code_encode(10),
			.group = q->group,
			.srcs = q->srcs,
			.nsrcs = q->nsrcs,
			.over = q->over,
		};
		r = ipk_igmp_put_v3_query(&w, &v3);
	}
	if (r < 0) {
		ipk_ck_verdict(c, IPK_CONFORM_INCONCLUSIVE, "could not build the query (%s)", ipk_errname(r));
		return r;
	}
	size_t len = w.len;
	if (q->cut > 0 && (size_t)q->cut < len)
		len = (size_t)q->cut;
	snprintf(what, sizeof(what), "v%u %s%s%s", v,
		 q->group ? (q->nsrcs ? "group-and-source query " : "group query ") : "general query",
		 q->group ? ipk_ck_addr(q->group, ga) : "", q->nsrcs ? " (sources)" : "");
	if (v > 1)
		snprintf(what + strlen(what), sizeof(what) - strlen(what), " max resp %u ms", mrt);
	if (q->cut > 0)
		snprintf(what + strlen(what), sizeof(what) - strlen(what), ", %zu bytes", len);
	return ipk_ck_send_igmp(c, m, len, &q->ip, what);
}

int ipk_ck_send_v12(struct ipk_conform_ctx *c, unsigned host, uint8_t type, uint32_t group,
		    const struct ipk_ck_ip *ip, const struct ipk_igmp_over *over)
{
	uint8_t m[64];
	struct ipk_wbuf w;
	struct ipk_ck_ip i = ip ? *ip : (struct ipk_ck_ip){0};
	char what[96], ga[16];

	ipk_wbuf_init(&w, m, sizeof(m));
	if (!i.src && !i.src0)
		i.src = ipk_ck_host_addr(c, host);
	int r = ipk_igmp_put8(&w, type, 0, group, over);
	if (r < 0) {
		ipk_ck_verdict(c, IPK_CONFORM_INCONCLUSIVE, "could not build the message (%s)", ipk_errname(r));
		return r;
	}
	snprintf(what, sizeof(what), "%s %s from host %u", ipk_igmp_type_name(type), ipk_ck_addr(group, ga), host);
	return ipk_ck_send_igmp(c, m, w.len, &i, what);
}

int ipk_ck_send_v3r(struct ipk_conform_ctx *c, unsigned host, const struct ipk_igmp_rec_spec *recs, size_t n,
		    const struct ipk_ck_ip *ip, const struct ipk_igmp_over *over)
{
	uint8_t m[1500];
	struct ipk_wbuf w;
	struct ipk_ck_ip i = ip ? *ip : (struct ipk_ck_ip){0};
	char what[200], ga[16];

	ipk_wbuf_init(&w, m, sizeof(m));
	if (!i.src && !i.src0)
		i.src = ipk_ck_host_addr(c, host);
	int r = ipk_igmp_put_v3_report_over(&w, recs, n, over);
	if (r < 0) {
		ipk_ck_verdict(c, IPK_CONFORM_INCONCLUSIVE, "could not build the report (%s)", ipk_errname(r));
		return r;
	}
	snprintf(what, sizeof(what), "v3 report from host %u", host);
	for (size_t k = 0; k < n && k < 4; k++)
		snprintf(what + strlen(what), sizeof(what) - strlen(what), " [%s %s, %u sources]",
			 ipk_igmp_rec_name(recs[k].type), ipk_ck_addr(recs[k].group, ga), recs[k].nsrcs);
	return ipk_ck_send_igmp(c, m, w.len, &i, what);
}

int ipk_ck_recv(struct ipk_conform_ctx *c, int64_t deadline_us, struct ipk_ck_msg *m)
{
	uint8_t buf[IPK_CK_SCRATCH];
	int64_t at = 0;

	if (c->abort)
		return -1;
	int n = c->io->recv(c->io->ctx, deadline_us, buf, sizeof(buf), &at);
	if (n < 0) {
		c->abort = n;
		ipk_ck_verdict(c, IPK_CONFORM_INCONCLUSIVE, "receiving failed (error %d): run stopped", -n);
		return -1;
	}
	if (n == 0)
		return 0;
	memset(m, 0, sizeof(*m));
	m->at_us = at;
	const uint8_t *d = keep(c, 1, at, buf, (size_t)n);
	if (!d) { /* evidence full: the message is still judged, from the scratch copy */
		memcpy(c->scratch, buf, (size_t)n);
		d = c->scratch;
	}
	m->dgram = d;
	m->len = (size_t)n;
	size_t off = 0;
	int r = ipk_ip4_parse(d, m->len, IPK_IP4_LAX, &m->ip, &off);
	if (r == 0 && m->ip.proto == IPK_PROTO_IGMP) {
		size_t end = m->ip.total_len < m->len ? m->ip.total_len : m->len;
		m->msg = d + m->ip.hlen;
		r = end >= m->ip.hlen ? ipk_igmp_parse(m->msg, end - m->ip.hlen, &m->igmp, &off) : IPK_E_IGMP_SHORT;
	} else if (r == 0) {
		r = IPK_E_INVAL;
	}
	m->err = r;
	m->ok = r == 0;
	return 1;
}

int ipk_ck_recv_target(struct ipk_conform_ctx *c, int64_t deadline_us, struct ipk_ck_msg *m)
{
	for (;;) {
		int r = ipk_ck_recv(c, deadline_us, m);
		if (r <= 0)
			return r;
		if (m->ok && (!c->cfg->target || m->ip.src == c->cfg->target))
			return 1;
	}
}

int ipk_ck_names(const struct ipk_ck_msg *m, uint32_t group, struct ipk_igmp_rec *rec)
{
	if (!m->ok)
		return 0;
	if (m->igmp.type == IPK_IGMP_V3_REPORT) {
		struct ipk_igmp_rec_iter it;
		struct ipk_igmp_rec r;
		ipk_igmp_rec_iter_init(&it, &m->igmp, m->msg);
		while (ipk_igmp_rec_next(&it, &r) > 0)
			if (r.group == group) {
				if (rec)
					*rec = r;
				return 1;
			}
		return 0;
	}
	return (m->igmp.type == IPK_IGMP_V1_REPORT || m->igmp.type == IPK_IGMP_V2_REPORT ||
		m->igmp.type == IPK_IGMP_V2_LEAVE) &&
	       m->igmp.group == group;
}

int ipk_ck_rec_has(const struct ipk_igmp_rec *rec, uint32_t s)
{
	for (unsigned i = 0; i < rec->nsrcs; i++)
		if (ipk_igmp_addr(rec->srcs, i) == s)
			return 1;
	return 0;
}

void ipk_ck_describe(const struct ipk_ck_msg *m, char *buf, size_t cap)
{
	char a[16];
	size_t len = 0;
#define ADD(...)                                                                                   \
	do {                                                                                       \
		if (len < cap)                                                                     \
			len += (size_t)snprintf(buf + len, cap - len, __VA_ARGS__);                \
	} while (0)

	if (!cap)
		return;
	buf[0] = 0;
	if (!m->ok) {
		ADD("undecodable datagram (%s), %zu bytes", ipk_errname(m->err), m->len);
		return;
	}
	ADD("%s", ipk_igmp_type_name(m->igmp.type));
	if (m->igmp.type == IPK_IGMP_V3_REPORT) {
		struct ipk_igmp_rec_iter it;
		struct ipk_igmp_rec r;
		ipk_igmp_rec_iter_init(&it, &m->igmp, m->msg);
		while (ipk_igmp_rec_next(&it, &r) > 0) {
			ADD(" [%s %s {", ipk_igmp_rec_name(r.type), ipk_ck_addr(r.group, a));
			for (unsigned i = 0; i < r.nsrcs && i < 8; i++)
				ADD("%s%s", i ? " " : "", ipk_ck_addr(ipk_igmp_addr(r.srcs, i), a));
			ADD("%s}]", r.nsrcs > 8 ? " ..." : "");
		}
	} else if (m->igmp.group) {
		ADD(" %s", ipk_ck_addr(m->igmp.group, a));
	}
	int ra = 0;
	for (size_t i = 0; i + 1 < m->ip.opts_len; i += m->ip.opts[i] < 2 ? 1 : m->ip.opts[i + 1] ? m->ip.opts[i + 1] : 1)
		if (m->ip.opts[i] == 0x94)
			ra = 1;
	ADD(" to %s TTL %u TOS 0x%02x%s", ipk_ck_addr(m->ip.dst, a), m->ip.ttl, m->ip.tos, ra ? " RA" : " no RA");
#undef ADD
}

int ipk_ck_target(struct ipk_conform_ctx *c, uint32_t group, unsigned mode, const uint32_t *srcs, size_t n)
{
	char ga[16];

	if (!c->io->target_set) {
		ipk_ck_verdict(c, IPK_CONFORM_SKIPPED, "needs a way to make the target join or leave (--join-cmd)");
		return -ENOTSUP;
	}
	int r = c->io->target_set(c->io->ctx, group, mode, srcs, n);
	if (r == -ENOTSUP) {
		ipk_ck_verdict(c, IPK_CONFORM_SKIPPED, "the target cannot be made to %s %s",
			       mode ? "join" : "leave", ipk_ck_addr(group, ga));
		return r;
	}
	if (r < 0) {
		ipk_ck_verdict(c, IPK_CONFORM_INCONCLUSIVE, "the %s hook failed for %s (error %d)",
			       mode ? "join" : "leave", ipk_ck_addr(group, ga), -r);
		return r;
	}
	ipk_ck_sent(c, "target %s %s%s", mode ? "joins" : "leaves", ipk_ck_addr(group, ga),
		    mode == IPK_CONFORM_INCLUDE ? " (include)" : mode == IPK_CONFORM_EXCLUDE ? " (exclude)" : "");
	unsigned i;
	for (i = 0; i < c->njoined && c->joined[i] != group; i++)
		;
	if (mode && i == c->njoined && c->njoined < 16)
		c->joined[c->njoined++] = group;
	else if (!mode && i < c->njoined)
		c->joined[i] = c->joined[--c->njoined];
	return 0;
}

/* ---- the runner ---- */

static void finish_check(struct ipk_conform_ctx *c)
{
	/* leave what the check joined, and let the leave reports go by as this check's evidence */
	for (unsigned i = 0; i < c->njoined; i++)
		if (c->io->target_set)
			(void)c->io->target_set(c->io->ctx, c->joined[i], IPK_CONFORM_LEAVE, NULL, 0);
	if (c->njoined) {
		struct ipk_ck_msg m;
		int64_t until = ipk_ck_now(c) + (int64_t)c->cfg->slack_ms * 1000;
		while (ipk_ck_recv(c, until, &m) > 0)
			;
	}
	c->njoined = 0;
}

int ipk_conform_run(const struct ipk_conform_cfg *cfg, const struct ipk_conform_io *io, const uint8_t *sel, size_t n,
		    void *mem, size_t memlen, struct ipk_conform_summary *sum)
{
	size_t ncat;
	const struct ipk_conform_check *cat = ipk_conform_catalogue(cfg->side, &ncat);

	memset(sum, 0, sizeof(*sum));
	if (!cat || n != ncat || cfg->version < 1 || cfg->version > 3 || !io->now_us || !io->send || !io->recv ||
	    memlen < IPK_CONFORM_MEM)
		return IPK_E_INVAL;

	/* mem: learn, result, packet table, then the arena */
	uint8_t *p = mem;
	size_t used = 0;
#define TAKE(T, cnt)                                                                               \
	((T *)(void *)(p + (used = (used + _Alignof(T) - 1) & ~(size_t)(_Alignof(T) - 1))));      \
	used += sizeof(T) * (cnt)
	struct ipk_ck_learn *learn = TAKE(struct ipk_ck_learn, 1);
	struct ipk_conform_result *res = TAKE(struct ipk_conform_result, 1);
	struct ipk_conform_pkt *pkts = TAKE(struct ipk_conform_pkt, IPK_CK_MAXPKTS);
#undef TAKE
	memset(learn, 0, sizeof(*learn));
	learn->qi_ms = cfg->query_interval_ms;
	learn->qri_ms = cfg->query_response_interval_ms;
	learn->lmqi_ms = cfg->last_member_interval_ms;
	learn->qrv = cfg->robustness;
	learn->lmqc = cfg->last_member_count;

	for (size_t i = 0; i < n; i++) {
		if (!sel[i])
			continue;
		struct ipk_conform_ctx c = {
			.cfg = cfg,
			.io = io,
			.check = &cat[i],
			.index = (unsigned)i,
			.r = res,
			.learn = learn,
			.pkts = pkts,
			.maxpkts = IPK_CK_MAXPKTS,
			.arena = p + used,
			.acap = memlen - used - IPK_CK_SCRATCH,
			.scratch = p + memlen - IPK_CK_SCRATCH,
		};
		memset(res, 0, sizeof(*res));
		res->check = &cat[i];
		res->measured_ms = -1;
		res->start_us = io->now_us(io->ctx);
		if (!(cat[i].versions & 1u << cfg->version)) {
			char vs[8] = "";
			for (unsigned v = 1; v <= 3; v++)
				if (cat[i].versions & 1u << v)
					snprintf(vs + strlen(vs), sizeof(vs) - strlen(vs), "%s%u", *vs ? "/v" : "", v);
			ipk_ck_verdict(&c, IPK_CONFORM_SKIPPED, "applies to IGMPv%s only", vs);
		} else {
			cat[i].run(&c);
			if (!res->verdict)
				ipk_ck_verdict(&c, IPK_CONFORM_INCONCLUSIVE, "the check gave no verdict");
			finish_check(&c);
		}
		res->end_us = io->now_us(io->ctx);
		if (res->verdict != IPK_CONFORM_SKIPPED)
			sum->run++;
		sum->verdicts[res->verdict]++;
		if (res->verdict == IPK_CONFORM_FAIL && cat[i].level == IPK_CONFORM_MUST)
			sum->must_failed++;
		if (io->on_result)
			io->on_result(io->ctx, res, pkts, c.npkts);
		if (c.abort)
			return c.abort;
	}
	return 0;
}

/* ---- added for the host checks ---- */

int ipk_ck_has_ra(const struct ipk_ck_msg *m)
{
	for (size_t i = 0; i + 1 < m->ip.opts_len;) {
		if (m->ip.opts[i] == 0x94)
			return 1;
		if (m->ip.opts[i] == 0)
			break;
		i += m->ip.opts[i] == 1 || m->ip.opts[i + 1] < 2 ? 1 : m->ip.opts[i + 1];
	}
	return 0;
}
