/* out.c - the formatter's shared pieces that are not inline: the cached time of day, protocol
 * names, the IGMP max response time, TCP flag letters. */
#include "fmt/out.h"

/*
 * Time of day (UTC) "HH:MM:SS" of a second since the epoch, cached per second: consecutive
 * packets of a capture mostly share their second.
 */
static _Thread_local int64_t tod_sec = -1;
static _Thread_local char tod_str[8];

void ipk_fmt_tod_(struct ob *o, int64_t sec)
{
	if (sec != tod_sec) {
		int64_t d = sec % 86400;
		if (d < 0)
			d += 86400;
		uint32_t s = (uint32_t)d;
		tod_str[0] = (char)('0' + s / 36000);
		tod_str[1] = (char)('0' + s / 3600 % 10);
		tod_str[2] = ':';
		tod_str[3] = (char)('0' + s % 3600 / 600);
		tod_str[4] = (char)('0' + s % 3600 / 60 % 10);
		tod_str[5] = ':';
		tod_str[6] = (char)('0' + s % 60 / 10);
		tod_str[7] = (char)('0' + s % 10);
		tod_sec = sec;
	}
	put(o, tod_str, sizeof(tod_str));
}

const char *ipk_fmt_proto_name_(uint8_t proto)
{
	switch (proto) {
	case IPK_PROTO_ICMP: return "ICMP";
	case IPK_PROTO_IGMP: return "IGMP";
	case IPK_PROTO_TCP: return "TCP";
	case IPK_PROTO_UDP: return "UDP";
	case 4: return "IPIP";
	case 41: return "IPv6";
	case 46: return "RSVP";
	case 47: return "GRE";
	case 50: return "ESP";
	case 51: return "AH";
	case 89: return "OSPF";
	case 103: return "PIM";
	case 112: return "VRRP";
	case 132: return "SCTP";
	default: return NULL;
	}
}

unsigned ipk_fmt_mrt_ds_(const struct ipk_igmp *m)
{
	if (m->version == 3 && m->type == IPK_IGMP_QUERY)
		return ipk_igmp_code_decode(m->code);
	return m->code;
}

void ipk_fmt_tcp_flags_(struct ob *o, uint8_t f)
{
	static const struct {
		uint8_t bit;
		char c;
	} fl[] = {{0x02, 'S'}, {0x01, 'F'}, {0x04, 'R'}, {0x08, 'P'},
		  {0x10, '.'}, {0x20, 'U'}, {0x40, 'E'}, {0x80, 'W'}};
	if (!f) {
		PUTS(o, "none");
		return;
	}
	for (size_t i = 0; i < sizeof(fl) / sizeof(fl[0]); i++)
		if (f & fl[i].bit)
			putc_(o, fl[i].c);
}
