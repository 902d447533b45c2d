/* fmt.c - the formatter's entry points: a decoded packet as one-line text, verbose text or JSON
 * (text.c, fields.c), and a received UDP datagram as text or JSON (docs/json.md). */
#include "fmt/out.h"
#include "ipv4kit/error.h"
#include "ipv4kit/reasm.h"

/* The end of a formatted record: the newline, then the length or the error. */
static int finish(struct ob *o, char *out)
{
	putc_(o, '\n');
	if (o->full)
		return IPK_E_NOSPACE;
	if (o->p - out > 0x7fffffff)
		return IPK_E_TOOLONG;
	return (int)(o->p - out);
}

/* A frame (ra NULL) or a reassembled datagram decoded into p. */
static int packet(const struct ipk_packet *p, const struct ipk_fmt_meta *m, int style, char *out,
		  size_t cap, const struct ipk_reasm_dgram *ra)
{
	struct ob o = {out, out + cap, 0};
	switch (style) {
	case IPK_FMT_TEXT:
		ipk_fmt_text_line_(&o, p, m, ra);
		break;
	case IPK_FMT_VERBOSE:
		ipk_fmt_text_line_(&o, p, m, ra);
		ipk_fmt_verbose_(&o, p);
		break;
	case IPK_FMT_JSON:
		ipk_fmt_json_(&o, p, m, ra);
		break;
	default:
		return IPK_E_INVAL;
	}
	return finish(&o, out);
}

int ipk_fmt_packet(const struct ipk_packet *p, const struct ipk_fmt_meta *m, int style, char *out,
		   size_t cap)
{
	return packet(p, m, style, out, cap, NULL);
}

/* ---- a reassembled datagram (decode --reassemble) ----------------------------------------- */

/* "frames 1,2,3" (",... of N" when not all were remembered) */
static void reasm_frames(struct ob *o, const struct ipk_reasm_dgram *ra)
{
	PUTS(o, "frames ");
	for (uint32_t i = 0; i < ra->ntags; i++) {
		if (i)
			putc_(o, ',');
		put_u(o, ra->tags[i]);
	}
	if (ra->nfrags > ra->ntags) {
		PUTS(o, ",... of ");
		put_u(o, ra->nfrags);
	}
}

void ipk_fmt_reasm_text_(struct ob *o, const struct ipk_reasm_dgram *ra)
{
	PUTS(o, "reassembled (");
	reasm_frames(o, ra);
	PUTS(o, ") ");
}

/* ,"reassembled":{...}: the frames a datagram came from; the key of a dropped one too. */
void ipk_fmt_reasm_json_(struct ob *o, const struct ipk_reasm_dgram *ra)
{
	PUTS(o, ",\"reassembled\":{\"frames\":[");
	for (uint32_t i = 0; i < ra->ntags; i++) {
		if (i)
			putc_(o, ',');
		put_u(o, ra->tags[i]);
	}
	PUTS(o, "],\"fragments\":");
	put_u(o, ra->nfrags);
	if (!ra->reason) {
		PUTS(o, ",\"complete\":true}");
		return;
	}
	PUTS(o, ",\"complete\":false,\"src\":");
	put_jip(o, ra->src);
	PUTS(o, ",\"dst\":");
	put_jip(o, ra->dst);
	PUTS(o, ",\"id\":");
	put_u(o, ra->id);
	PUTS(o, ",\"proto\":");
	put_u(o, ra->proto);
	PUTS(o, ",\"bytes\":");
	put_u(o, ra->len);
	putc_(o, '}');
}

/* A dropped datagram (ra->reason): its key, frames and reason as its one finding. */
static void reasm_drop(struct ob *o, const struct ipk_reasm_dgram *ra,
		       const struct ipk_fmt_meta *m, int style)
{
	int c = ra->reason;
	if (style == IPK_FMT_JSON) {
		PUTS(o, "{\"frame\":");
		put_u(o, m->frame);
		PUTS(o, ",\"ts\":");
		put_i(o, m->ts_sec);
		put_frac(o, m->ts_nsec);
		ipk_fmt_reasm_json_(o, ra);
		PUTS(o, ",\"errors\":[],\"findings\":[{\"layer\":\"ipv4\",\"code\":");
		put_jstr(o, ipk_errname(c));
		PUTS(o, ",\"offset\":0,\"message\":");
		put_jstr(o, ipk_strerror(c));
		PUTS(o, "}]}");
		return;
	}
	put_u(o, m->frame);
	putc_(o, ' ');
	ipk_fmt_tod_(o, m->ts_sec);
	put_frac(o, m->ts_nsec);
	PUTS(o, " reassembly dropped: ");
	put_ip(o, ra->src);
	PUTS(o, " > ");
	put_ip(o, ra->dst);
	PUTS(o, " id ");
	put_u(o, ra->id);
	PUTS(o, " proto ");
	put_u(o, ra->proto);
	PUTS(o, " (");
	reasm_frames(o, ra);
	PUTS(o, "; ");
	put_u(o, ra->len);
	PUTS(o, " bytes held) [?");
	puts_(o, ipk_errname(c));
	putc_(o, ']');
	if (style == IPK_FMT_VERBOSE) {
		PUTS(o, "\n    finding ipv4 ");
		puts_(o, ipk_errname(c));
		PUTS(o, ": ");
		puts_(o, ipk_strerror(c));
	}
}

int ipk_fmt_reasm(const struct ipk_packet *p, const struct ipk_reasm_dgram *d,
		  const struct ipk_fmt_meta *m, int style, char *out, size_t cap)
{
	if (!d->reason)
		return p ? packet(p, m, style, out, cap, d) : IPK_E_INVAL;
	if (style != IPK_FMT_TEXT && style != IPK_FMT_VERBOSE && style != IPK_FMT_JSON)
		return IPK_E_INVAL;
	struct ob o = {out, out + cap, 0};
	reasm_drop(&o, d, m, style);
	return finish(&o, out);
}

/* ---- a received datagram ------------------------------------------------------------------ */

#define DGRAM_PREVIEW 24 /* text: payload bytes shown as characters */
#define DGRAM_HEX 16     /* JSON: payload bytes shown as hex */

static void dgram_text(struct ob *o, const struct ipk_fmt_dgram *d, const struct ipk_fmt_meta *m)
{
	put_u(o, m->frame);
	putc_(o, ' ');
	ipk_fmt_tod_(o, m->ts_sec);
	put_frac(o, m->ts_nsec);
	putc_(o, ' ');
	if (d->ifname)
		puts_(o, d->ifname);
	else
		putc_(o, '?');
	putc_(o, ' ');
	put_ip(o, d->src);
	putc_(o, '.');
	put_u(o, d->sport);
	PUTS(o, " > ");
	if (d->has_dst)
		put_ip(o, d->dst);
	else
		putc_(o, '?');
	putc_(o, '.');
	put_u(o, d->dport);
	PUTS(o, ": UDP, length ");
	put_u(o, d->len);
	PUTS(o, " [");
	if (d->ttl >= 0) {
		PUTS(o, "ttl ");
		put_u(o, (uint32_t)d->ttl);
	}
	if (d->tos >= 0) {
		if (d->ttl >= 0)
			PUTS(o, ", ");
		PUTS(o, "tos 0x");
		putc_(o, fmt_hexd[(d->tos >> 4) & 15]);
		putc_(o, fmt_hexd[d->tos & 15]);
	}
	putc_(o, ']');
	if (d->truncated)
		PUTS(o, " [truncated]");
	if (d->seq >= 0) {
		PUTS(o, " seq ");
		put_u(o, (uint64_t)d->seq);
	}
	/* The payload's first bytes as characters: printable ASCII except '"' and '\\', else '.'. */
	PUTS(o, " \"");
	size_t n = d->data_len < DGRAM_PREVIEW ? d->data_len : DGRAM_PREVIEW;
	for (size_t i = 0; i < n; i++) {
		uint8_t c = d->data[i];
		putc_(o, c >= 0x20 && c < 0x7f && c != '"' && c != '\\' ? (char)c : '.');
	}
	putc_(o, '"');
	if (d->data_len > DGRAM_PREVIEW)
		PUTS(o, "...");
}

static void dgram_json(struct ob *o, const struct ipk_fmt_dgram *d, const struct ipk_fmt_meta *m)
{
	PUTS(o, "{\"frame\":");
	put_u(o, m->frame);
	PUTS(o, ",\"ts\":");
	put_i(o, m->ts_sec);
	put_frac(o, m->ts_nsec);
	PUTS(o, ",\"src\":");
	put_jip(o, d->src);
	PUTS(o, ",\"sport\":");
	put_u(o, d->sport);
	PUTS(o, ",\"dst\":");
	if (d->has_dst)
		put_jip(o, d->dst);
	else
		PUTS(o, "null");
	PUTS(o, ",\"dport\":");
	put_u(o, d->dport);
	PUTS(o, ",\"ifindex\":");
	put_u(o, d->ifindex);
	PUTS(o, ",\"ifname\":");
	if (d->ifname)
		put_jstr(o, d->ifname);
	else
		PUTS(o, "null");
	PUTS(o, ",\"ttl\":");
	if (d->ttl >= 0)
		put_u(o, (uint32_t)d->ttl);
	else
		PUTS(o, "null");
	PUTS(o, ",\"tos\":");
	if (d->tos >= 0)
		put_u(o, (uint32_t)d->tos);
	else
		PUTS(o, "null");
	PUTS(o, ",\"len\":");
	put_u(o, d->len);
	if (d->truncated)
		PUTS(o, ",\"truncated\":true");
	if (d->seq >= 0) {
		PUTS(o, ",\"seq\":");
		put_u(o, (uint64_t)d->seq);
	}
	PUTS(o, ",\"data\":\"");
	put_hexbytes(o, d->data, d->data_len < DGRAM_HEX ? d->data_len : DGRAM_HEX);
	PUTS(o, "\"}");
}

int ipk_fmt_dgram(const struct ipk_fmt_dgram *d, const struct ipk_fmt_meta *m, int style, char *out,
		  size_t cap)
{
	struct ob o = {out, out + cap, 0};
	if (d->data_len && !d->data)
		return IPK_E_INVAL;
	switch (style) {
	case IPK_FMT_TEXT:
		dgram_text(&o, d, m);
		break;
	case IPK_FMT_JSON:
		dgram_json(&o, d, m);
		break;
	default:
		return IPK_E_INVAL;
	}
	return finish(&o, out);
}
