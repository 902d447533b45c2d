/* text.c - the one-line text form of a decoded packet (tcpdump-like; docs/errors.md for the
 * error and finding marks). */
#include "fmt/out.h"
#include "ipv4kit/error.h"
#include "ipv4kit/ipopt.h"
#include "ipv4kit/link.h"

static void text_igmp(struct ob *o, const struct ipk_packet *p)
{
	const struct ipk_igmp *m = &p->u.igmp;
	PUTS(o, "IGMP ");
	switch (m->type) {
	case IPK_IGMP_QUERY:
		putc_(o, 'v');
		put_u(o, m->version);
		PUTS(o, " query");
		if (m->group) {
			putc_(o, ' ');
			put_ip(o, m->group);
		}
		if (m->version >= 2) {
			PUTS(o, ", max resp ");
			put_ds(o, ipk_fmt_mrt_ds_(m));
		}
		if (m->version == 3) {
			if (m->s)
				PUTS(o, ", S");
			PUTS(o, ", qrv ");
			put_u(o, m->qrv);
			PUTS(o, ", qqi ");
			put_u(o, ipk_igmp_code_decode(m->qqic));
			PUTS(o, "s, ");
			put_u(o, m->nsrcs);
			if (m->nsrcs == 1)
				PUTS(o, " source");
			else
				PUTS(o, " sources");
		}
		break;
	case IPK_IGMP_V1_REPORT:
	case IPK_IGMP_V2_REPORT:
		putc_(o, 'v');
		put_u(o, m->type == IPK_IGMP_V1_REPORT ? 1 : 2);
		PUTS(o, " report ");
		put_ip(o, m->group);
		break;
	case IPK_IGMP_V2_LEAVE:
		PUTS(o, "v2 leave ");
		put_ip(o, m->group);
		break;
	case IPK_IGMP_V3_REPORT:
		PUTS(o, "v3 report, ");
		put_u(o, m->nrecs);
		if (m->nrecs == 1)
			PUTS(o, " record");
		else
			PUTS(o, " records");
		break;
	default:
		puts_(o, ipk_igmp_type_name(m->type));
		PUTS(o, " (type ");
		put_hex(o, m->type);
		putc_(o, ')');
		break;
	}
}

static void text_l4(struct ob *o, const struct ipk_packet *p)
{
	const struct ipk_ip4 *h = &p->ip4;
	switch (p->l4) {
	case IPK_L4_IGMP:
		text_igmp(o, p);
		return;
	case IPK_L4_UDP:
		PUTS(o, "UDP, length ");
		put_u(o, p->u.udp.len >= 8 ? p->u.udp.len - 8u : 0u);
		return;
	case IPK_L4_TCP:
		PUTS(o, "TCP [");
		ipk_fmt_tcp_flags_(o, p->u.tcp.flags);
		PUTS(o, "], seq ");
		put_u(o, p->u.tcp.seq);
		if (p->u.tcp.flags & 0x10) {
			PUTS(o, ", ack ");
			put_u(o, p->u.tcp.ack);
		}
		PUTS(o, ", win ");
		put_u(o, p->u.tcp.win);
		PUTS(o, ", length ");
		put_u(o, p->l4_len > p->u.tcp.doff ? p->l4_len - p->u.tcp.doff : 0);
		return;
	case IPK_L4_ICMP: {
		const char *n = ipk_icmp_type_name(p->u.icmp.type);
		PUTS(o, "ICMP ");
		if (n) {
			puts_(o, n);
		} else {
			PUTS(o, "type ");
			put_u(o, p->u.icmp.type);
		}
		if (p->u.icmp.code) {
			PUTS(o, ", code ");
			put_u(o, p->u.icmp.code);
		}
		if (p->u.icmp.type == 0 || p->u.icmp.type == 8) {
			PUTS(o, ", id ");
			put_u(o, p->u.icmp.id);
			PUTS(o, ", seq ");
			put_u(o, p->u.icmp.seq);
		}
		PUTS(o, ", length ");
		put_u(o, p->l4_len);
		return;
	}
	default:
		break;
	}
	const char *n = ipk_fmt_proto_name_(h->proto);
	if (n) {
		puts_(o, n);
	} else {
		PUTS(o, "proto ");
		put_u(o, h->proto);
	}
	if (h->frag_off) {
		PUTS(o, " fragment, id ");
		put_u(o, h->id);
		PUTS(o, ", offset ");
		put_u(o, (uint32_t)h->frag_off * 8);
	}
	PUTS(o, ", length ");
	put_u(o, p->l4_len);
}

/* The one line of a packet: frame, time, addresses, the layer summary, [IPv4 header notes], then
 * [!CODE] per error and [?CODE] per finding. */
void ipk_fmt_text_line_(struct ob *o, const struct ipk_packet *p, const struct ipk_fmt_meta *m,
			const struct ipk_reasm_dgram *ra)
{
	put_u(o, m->frame);
	putc_(o, ' ');
	ipk_fmt_tod_(o, m->ts_sec);
	put_frac(o, m->ts_nsec);
	putc_(o, ' ');
	if (ra)
		ipk_fmt_reasm_text_(o, ra);

	if (!p->has_ip4) {
		if (p->has_link && p->link.ethertype != IPK_ETHERTYPE_IPV4) {
			PUTS(o, "ethertype ");
			put_hex4(o, p->link.ethertype);
			if (p->link.ethertype == IPK_ETHERTYPE_IPV6)
				PUTS(o, " (IPv6)");
			else if (p->link.ethertype == IPK_ETHERTYPE_ARP)
				PUTS(o, " (ARP)");
			PUTS(o, ", not IPv4");
		} else if (p->has_link) {
			PUTS(o, "IPv4 (invalid)");
		} else {
			PUTS(o, "invalid ");
			puts_(o, ipk_link_name(p->link.dlt));
			PUTS(o, " frame");
		}
		PUTS(o, ", length ");
		put_u(o, p->wirelen);
	} else {
		const struct ipk_ip4 *h = &p->ip4;
		int ports = p->l4 == IPK_L4_UDP || p->l4 == IPK_L4_TCP;
		put_ip(o, h->src);
		if (ports) {
			putc_(o, '.');
			put_u(o, p->l4 == IPK_L4_UDP ? p->u.udp.sport : p->u.tcp.sport);
		}
		PUTS(o, " > ");
		put_ip(o, h->dst);
		if (ports) {
			putc_(o, '.');
			put_u(o, p->l4 == IPK_L4_UDP ? p->u.udp.dport : p->u.tcp.dport);
		}
		PUTS(o, ": ");
		text_l4(o, p);

		PUTS(o, " [ttl ");
		put_u(o, h->ttl);
		if (h->tos) {
			PUTS(o, ", tos ");
			put_hex(o, h->tos);
		}
		if (h->df)
			PUTS(o, ", DF");
		if (h->mf)
			PUTS(o, ", MF");
		if (h->rf)
			PUTS(o, ", rsvd");
		if (h->frag_off && p->l4 != IPK_L4_NONE) {
			PUTS(o, ", offset ");
			put_u(o, (uint32_t)h->frag_off * 8);
		}
		if (h->opts_len) {
			struct ipk_opt_iter it;
			struct ipk_opt opt;
			int r;
			ipk_opt_iter_init(&it, h->opts, h->opts_len);
			while ((r = ipk_opt_next(&it, &opt)) > 0) {
				if (opt.type == IPK_OPT_NOP || opt.type == IPK_OPT_EOL)
					continue;
				PUTS(o, ", ");
				const char *n = ipk_opt_name(opt.type);
				if (strcmp(n, "unknown") == 0) {
					PUTS(o, "opt ");
					put_u(o, opt.type);
				} else {
					puts_(o, n);
				}
			}
			if (r < 0)
				PUTS(o, ", bad options");
		}
		putc_(o, ']');
	}
	/* [!CODE]: an error (the wire format is broken); [?CODE]: a finding (a protocol rule). */
	for (unsigned i = 0; i < p->findings.n; i++) {
		int c = p->findings.v[i].code;
		PUTS(o, " [");
		putc_(o, ipk_err_is_finding(c) ? '?' : '!');
		puts_(o, ipk_errname(c));
		putc_(o, ']');
	}
	if (p->findings.dropped) {
		PUTS(o, " [+");
		put_u(o, p->findings.dropped);
		PUTS(o, " more]");
	}
}
