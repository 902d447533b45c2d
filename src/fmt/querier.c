/* querier.c - the formatter's IGMP querier output: the state JSON (head, one group at a time,
 * tail with counters) and event lines as text or JSON (docs/querier.md, RFC 3376/9776 section 6). */
#include "fmt/out.h"
#include "ipv4kit/error.h"

static int done(struct ob *o, char *out)
{
	if (o->full)
		return IPK_E_NOSPACE;
	if (o->p - out > 0x7fffffff)
		return IPK_E_TOOLONG;
	return (int)(o->p - out);
}

/* A timer left in ms: never negative in the output. */
static void put_ms(struct ob *o, int64_t ms)
{
	put_u(o, ms > 0 ? (uint64_t)ms : 0);
}

int ipk_fmt_qstate_head(const struct ipk_fmt_qstate *s, char *out, size_t cap)
{
	struct ob o = {out, out + cap, 0};
	PUTS(&o, "{\"interface\":");
	put_jstr(&o, s->ifname ? s->ifname : "");
	PUTS(&o, ",\"address\":");
	put_jip(&o, s->address);
	PUTS(&o, ",\"version\":");
	put_i(&o, s->version);
	PUTS(&o, ",\"querier\":");
	if (s->querier)
		PUTS(&o, "true");
	else
		PUTS(&o, "false");
	PUTS(&o, ",\"querier_address\":");
	put_jip(&o, s->querier_address);
	PUTS(&o, ",\"other_querier_present_ms\":");
	put_ms(&o, s->other_querier_present_ms);
	PUTS(&o, ",\"groups\":[");
	return done(&o, out);
}

int ipk_fmt_qstate_group(const struct ipk_fmt_qgroup *g, int first, char *out, size_t cap)
{
	if (g->nsources && !g->sources)
		return IPK_E_INVAL;
	struct ob o = {out, out + cap, 0};
	if (!first)
		putc_(&o, ',');
	PUTS(&o, "{\"group\":");
	put_jip(&o, g->group);
	PUTS(&o, ",\"filter_mode\":");
	if (g->exclude)
		PUTS(&o, "\"exclude\"");
	else
		PUTS(&o, "\"include\"");
	PUTS(&o, ",\"compat_version\":");
	put_i(&o, g->compat_version);
	PUTS(&o, ",\"group_timer_ms\":");
	put_ms(&o, g->group_timer_ms);
	PUTS(&o, ",\"v1_host_timer_ms\":");
	put_ms(&o, g->v1_host_timer_ms);
	PUTS(&o, ",\"v2_host_timer_ms\":");
	put_ms(&o, g->v2_host_timer_ms);
	PUTS(&o, ",\"sources\":[");
	for (size_t i = 0; i < g->nsources; i++) {
		const struct ipk_fmt_qsource *s = &g->sources[i];
		if (i)
			putc_(&o, ',');
		PUTS(&o, "{\"source\":");
		put_jip(&o, s->source);
		PUTS(&o, ",\"timer_ms\":");
		put_ms(&o, s->timer_ms);
		PUTS(&o, ",\"forwarding\":");
		if (s->forwarding)
			PUTS(&o, "true}");
		else
			PUTS(&o, "false}");
	}
	PUTS(&o, "]}");
	return done(&o, out);
}

int ipk_fmt_qstate_tail(const struct ipk_fmt_counter *c, size_t n, char *out, size_t cap)
{
	if (n && !c)
		return IPK_E_INVAL;
	struct ob o = {out, out + cap, 0};
	PUTS(&o, "],\"counters\":{");
	for (size_t i = 0; i < n; i++) {
		if (!c[i].name)
			return IPK_E_INVAL;
		if (i)
			putc_(&o, ',');
		put_jstr(&o, c[i].name);
		putc_(&o, ':');
		put_u(&o, c[i].value);
	}
	PUTS(&o, "}}\n");
	return done(&o, out);
}

/* ---- event lines ---------------------------------------------------------------------------- */

/* Text value of a string: as is when plain, else quoted with '"', '\\' and control bytes escaped. */
static void put_tstr(struct ob *o, const char *s)
{
	if (!s) {
		putc_(o, '-');
		return;
	}
	int plain = *s != 0;
	for (const unsigned char *c = (const unsigned char *)s; *c && plain; c++)
		if (*c <= 0x20 || *c == '=' || *c == '"' || *c == '\\' || *c == 0x7f)
			plain = 0;
	if (plain)
		puts_(o, s);
	else
		put_jstr(o, s);
}

static int kv_ok(const struct ipk_fmt_kv *kv)
{
	return kv->key && kv->type >= IPK_FMT_KV_STR && kv->type <= IPK_FMT_KV_IPS &&
	       !(kv->type == IPK_FMT_KV_IPS && kv->n && !kv->ips);
}

static void kv_text(struct ob *o, const struct ipk_fmt_kv *kv)
{
	putc_(o, ' ');
	puts_(o, kv->key);
	putc_(o, '=');
	switch (kv->type) {
	case IPK_FMT_KV_STR: put_tstr(o, kv->s); break;
	case IPK_FMT_KV_IP: put_ip(o, kv->ip); break;
	case IPK_FMT_KV_INT: put_i(o, kv->i); break;
	case IPK_FMT_KV_BOOL: puts_(o, kv->i ? "yes" : "no"); break;
	default:
		if (!kv->n)
			putc_(o, '-');
		for (size_t i = 0; i < kv->n; i++) {
			if (i)
				putc_(o, ',');
			put_ip(o, kv->ips[i]);
		}
		break;
	}
}

static void kv_json(struct ob *o, const struct ipk_fmt_kv *kv)
{
	putc_(o, ',');
	put_jstr(o, kv->key);
	putc_(o, ':');
	switch (kv->type) {
	case IPK_FMT_KV_STR:
		if (kv->s)
			put_jstr(o, kv->s);
		else
			PUTS(o, "null");
		break;
	case IPK_FMT_KV_IP: put_jip(o, kv->ip); break;
	case IPK_FMT_KV_INT: put_i(o, kv->i); break;
	case IPK_FMT_KV_BOOL: puts_(o, kv->i ? "true" : "false"); break;
	default:
		putc_(o, '[');
		for (size_t i = 0; i < kv->n; i++) {
			if (i)
				putc_(o, ',');
			put_jip(o, kv->ips[i]);
		}
		putc_(o, ']');
		break;
	}
}

int ipk_fmt_event(const struct ipk_fmt_meta *m, const char *event, const struct ipk_fmt_kv *kv,
		  size_t n, int style, char *out, size_t cap)
{
	if ((style != IPK_FMT_TEXT && style != IPK_FMT_JSON) || (n && !kv))
		return IPK_E_INVAL;
	for (size_t i = 0; i < n; i++)
		if (!kv_ok(&kv[i]))
			return IPK_E_INVAL;
	struct ob o = {out, out + cap, 0};
	if (style == IPK_FMT_TEXT) {
		ipk_fmt_tod_(&o, m->ts_sec);
		put_frac(&o, m->ts_nsec);
		putc_(&o, ' ');
		put_tstr(&o, event);
		for (size_t i = 0; i < n; i++)
			kv_text(&o, &kv[i]);
	} else {
		PUTS(&o, "{\"seq\":");
		put_u(&o, m->frame);
		PUTS(&o, ",\"ts\":");
		put_i(&o, m->ts_sec);
		put_frac(&o, m->ts_nsec);
		PUTS(&o, ",\"event\":");
		put_jstr(&o, event);
		for (size_t i = 0; i < n; i++)
			kv_json(&o, &kv[i]);
		putc_(&o, '}');
	}
	putc_(&o, '\n');
	return done(&o, out);
}
