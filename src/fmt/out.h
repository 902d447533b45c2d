/* out.h - the formatter's output primitives (private to src/fmt): the bounded output cursor,
 * numbers, hex, addresses, JSON string escaping, time; and the helpers the one-line text form
 * (text.c), the field writer (fields.c) and the entry points (fmt.c) share. */
#ifndef IPK_FMT_OUT_H
#define IPK_FMT_OUT_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "ipv4kit/fmt.h"
#include "ipv4kit/igmp.h"
#include "ipv4kit/ip4.h"
#include "ipv4kit/packet.h"

/*
 * Output cursor. Every append checks the room left; the first append that does not fit sets
 * `full` and every later one is a no-op, so the caller checks once at the end. No printf: numbers,
 * addresses and hex are written by hand (the decode tool formats a million packets a second), and
 * the primitives are inline so that each writer gets them without a call.
 */
struct ob {
	char *p;
	char *end;
	int full;
};

static inline void put(struct ob *o, const char *s, size_t n)
{
	if ((size_t)(o->end - o->p) < n) {
		o->full = 1;
		o->p = o->end;
		return;
	}
	memcpy(o->p, s, n);
	o->p += n;
}

/* A string literal (its length known at compile time). */
#define PUTS(o, lit) put((o), (lit), sizeof(lit) - 1)

static inline void putc_(struct ob *o, char c)
{
	if (o->p >= o->end) {
		o->full = 1;
		return;
	}
	*o->p++ = c;
}

/* A NUL-terminated string (short names and messages): copied byte by byte, no strlen+memcpy. */
static inline void puts_(struct ob *o, const char *s)
{
	char *p = o->p;
	while (*s) {
		if (p >= o->end) {
			o->full = 1;
			o->p = o->end;
			return;
		}
		*p++ = *s++;
	}
	o->p = p;
}

/* "00" .. "99": numbers are written two digits per division. */
static const char fmt_dig2[201] = "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
			      "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
			      "8081828384858687888990919293949596979899";

/* Decimal. (Measured: this plain loop plus one memcpy beats digit-pair tables and fixed-size
 * copies here, which stall on store forwarding.) */
static inline void put_u(struct ob *o, uint64_t v)
{
	char tmp[20];
	char *q = tmp + sizeof(tmp);
	do {
		*--q = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	put(o, q, (size_t)(tmp + sizeof(tmp) - q));
}

static inline void put_i(struct ob *o, int64_t v)
{
	if (v < 0) {
		putc_(o, '-');
		put_u(o, (uint64_t)0 - (uint64_t)v);
	} else {
		put_u(o, (uint64_t)v);
	}
}

/* Zero-padded decimal of exactly `digits` digits. */
static inline void put_u_pad(struct ob *o, uint32_t v, int digits)
{
	char tmp[10];
	for (int i = digits - 1; i >= 0; i--) {
		tmp[i] = (char)('0' + v % 10);
		v /= 10;
	}
	put(o, tmp, (size_t)digits);
}

static const char fmt_hexd[] = "0123456789abcdef";

/* 0x followed by lower-case hex without leading zeros ("0x0", "0xc0", "0x1a2b"). */
static inline void put_hex(struct ob *o, uint32_t v)
{
	char tmp[10];
	char *q = tmp + sizeof(tmp);
	do {
		*--q = fmt_hexd[v & 15];
		v >>= 4;
	} while (v);
	*--q = 'x';
	*--q = '0';
	put(o, q, (size_t)(tmp + sizeof(tmp) - q));
}

/* 0x and exactly 4 hex digits (checksums). */
static inline void put_hex4(struct ob *o, uint16_t v)
{
	char tmp[6] = {'0', 'x', fmt_hexd[v >> 12], fmt_hexd[(v >> 8) & 15], fmt_hexd[(v >> 4) & 15],
		       fmt_hexd[v & 15]};
	put(o, tmp, sizeof(tmp));
}

/* Bytes as contiguous lower-case hex. */
static inline void put_hexbytes(struct ob *o, const uint8_t *b, size_t n)
{
	if ((size_t)(o->end - o->p) < 2 * n) {
		o->full = 1;
		o->p = o->end;
		return;
	}
	for (size_t i = 0; i < n; i++) {
		*o->p++ = fmt_hexd[b[i] >> 4];
		*o->p++ = fmt_hexd[b[i] & 15];
	}
}

/* Dotted quad of a host-order address. */
static inline void put_ip(struct ob *o, uint32_t a)
{
	if (o->end - o->p < 16) { /* the loop writes up to 16 bytes: 4 x "255." */
		char tmp[16];
		size_t n = ipk_ip4_ntoa(a, tmp);
		put(o, tmp, n);
		return;
	}
	char *p = o->p;
	for (int shift = 24; shift >= 0; shift -= 8) {
		unsigned b = (a >> shift) & 0xff;
		if (b >= 100) {
			*p++ = (char)('0' + b / 100);
			b %= 100;
			*p++ = fmt_dig2[2 * b];
			*p++ = fmt_dig2[2 * b + 1];
		} else if (b >= 10) {
			*p++ = fmt_dig2[2 * b];
			*p++ = fmt_dig2[2 * b + 1];
		} else {
			*p++ = (char)('0' + b);
		}
		*p++ = '.';
	}
	o->p = p - 1;
}

/* A JSON string: quotes, and escapes for '"', '\\' and control bytes (bytes >= 0x80 pass). */
static inline void put_jstr(struct ob *o, const char *s)
{
	const unsigned char *c = (const unsigned char *)s;
	char *p = o->p;
	/* Fast path: plain bytes while there is room; anything else goes to the careful loop. */
	if (p < o->end)
		*p++ = '"';
	else
		return (void)(o->full = 1);
	while (*c >= 0x20 && *c != '"' && *c != '\\' && p < o->end)
		*p++ = (char)*c++;
	o->p = p;
	for (; *c; c++) {
		if (*c == '"' || *c == '\\') {
			putc_(o, '\\');
			putc_(o, (char)*c);
		} else if (*c < 0x20) {
			char e[6] = {'\\', 'u', '0', '0', fmt_hexd[*c >> 4], fmt_hexd[*c & 15]};
			switch (*c) {
			case '\n': put(o, "\\n", 2); break;
			case '\t': put(o, "\\t", 2); break;
			case '\r': put(o, "\\r", 2); break;
			default: put(o, e, sizeof(e)); break;
			}
		} else {
			putc_(o, (char)*c);
		}
	}
	putc_(o, '"');
}

static inline void put_jip(struct ob *o, uint32_t a)
{
	putc_(o, '"');
	put_ip(o, a);
	putc_(o, '"');
}

/* Fraction of a second: 6 digits (microseconds), or 9 when the sub-microsecond part is not 0. */
static inline void put_frac(struct ob *o, uint32_t nsec)
{
	putc_(o, '.');
	if (nsec % 1000 == 0)
		put_u_pad(o, nsec / 1000, 6);
	else
		put_u_pad(o, nsec, 9);
}

/* Tenths of a second as "12.5s". */
static inline void put_ds(struct ob *o, unsigned ds)
{
	put_u(o, ds / 10);
	putc_(o, '.');
	putc_(o, (char)('0' + ds % 10));
	putc_(o, 's');
}

/* Time of day (UTC) "HH:MM:SS" of a second since the epoch (out.c: cached per second). */
void ipk_fmt_tod_(struct ob *o, int64_t sec);

/* tcpdump's name of an IP protocol ("UDP", "GRE", ...), or NULL. */
const char *ipk_fmt_proto_name_(uint8_t proto);

/* Max response time of an IGMP message in tenths of a second (v3 float coding for v3 queries). */
unsigned ipk_fmt_mrt_ds_(const struct ipk_igmp *m);

/* tcpdump's TCP flag letters: S F R P . U E W ("none" when no flag is set). */
void ipk_fmt_tcp_flags_(struct ob *o, uint8_t f);

/* The three forms of a decoded packet (text.c, fields.c). */
/* ra: NULL for a frame; for a reassembled datagram (p decoded from it), the mark after the time
 * (text: "reassembled (frames ...)", JSON: the "reassembled" object; fmt.c). */
void ipk_fmt_text_line_(struct ob *o, const struct ipk_packet *p, const struct ipk_fmt_meta *m,
			const struct ipk_reasm_dgram *ra);
void ipk_fmt_reasm_text_(struct ob *o, const struct ipk_reasm_dgram *ra);
void ipk_fmt_reasm_json_(struct ob *o, const struct ipk_reasm_dgram *ra);
void ipk_fmt_verbose_(struct ob *o, const struct ipk_packet *p);
void ipk_fmt_json_(struct ob *o, const struct ipk_packet *p, const struct ipk_fmt_meta *m,
		   const struct ipk_reasm_dgram *ra);

#endif
