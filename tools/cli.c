/* cli.c - what every subcommand shares: one-line usage errors with a hint, number and hex arguments with their accepted range, and signal handling that removes a temporary file. */
#define _GNU_SOURCE /* if_indextoname, sigaction */
#include <errno.h>
#include <ifaddrs.h>
#include <getopt.h>
#include <math.h>
#include <netinet/in.h>
#include <net/if.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "cli.h"
#include "ipv4kit/error.h"
#include "ipv4kit/ip4.h"
#include "ipv4kit/sock.h"

/* ---- usage errors ---- */

void ipk_cli_hint(const char *prog)
{
	/* "ipv4kit replay verify" -> "ipv4kit replay": the command whose --help explains it */
	const char *sp = strchr(prog, ' ');
	size_t n = sp && strchr(sp + 1, ' ') ? (size_t)(strchr(sp + 1, ' ') - prog) : strlen(prog);
	fprintf(stderr, "try '%.*s --help'\n", (int)n, prog);
}

int ipk_cli_usage(const char *prog, const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "%s: ", prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	ipk_cli_hint(prog);
	return IPK_EXIT_USAGE;
}

int ipk_cli_badopt(const char *prog, char **argv, int opt)
{
	const char *arg = optind > 0 ? argv[optind - 1] : "";
	char name[64];
	if (optopt && !(arg[0] == '-' && arg[1] == '-'))
		snprintf(name, sizeof(name), "-%c", optopt);
	else
		snprintf(name, sizeof(name), "%.*s", (int)strcspn(arg, "="), arg);
	if (opt == ':')
		return ipk_cli_usage(prog, "option '%s' needs a value", name);
	return ipk_cli_usage(prog, "unknown option '%s'", name);
}

/* ---- GROUP[@SOURCE[,SOURCE...] | !SOURCE[,SOURCE...]] ---- */

/* A source must be a unicast host address: not 0.0.0.0, 127/8, multicast, class E or broadcast. */
static int is_unicast_source(uint32_t a)
{
	return a != 0 && (a >> 24) != 127 && !ipk_ip4_is_multicast(a) && (a >> 28) != 0xf;
}

/* s[0..len) as a dotted quad: 0 or -1. */
static int aton_n(const char *s, size_t len, uint32_t *a)
{
	char b[16];
	if (len == 0 || len >= sizeof(b))
		return -1;
	memcpy(b, s, len);
	b[len] = '\0';
	return ipk_ip4_aton(b, a) == 0 ? 0 : -1;
}

int ipk_cli_group(const char *s, size_t len, struct ipk_cli_group *g, char *err, size_t errlen,
		  size_t *col)
{
	memset(g, 0, sizeof(*g));
	size_t glen = 0;
	while (glen < len && s[glen] != '@' && s[glen] != '!')
		glen++;
	*col = 1;
	if (aton_n(s, glen, &g->group) != 0) {
		snprintf(err, errlen, "bad group address '%.*s'", (int)(glen > 40 ? 40 : glen), s);
		return -1;
	}
	if (!ipk_ip4_is_multicast(g->group)) {
		snprintf(err, errlen, "%.*s is not a multicast group (224.0.0.0/4)%s", (int)glen, s,
			 glen < len ? "; sources can only be given for a multicast group" : "");
		return -1;
	}
	if (glen == len)
		return 0;
	g->mode = s[glen] == '@' ? IPK_CLI_INCLUDE : IPK_CLI_EXCLUDE;
	for (size_t i = glen + 1; i <= len;) {
		size_t e = i;
		while (e < len && s[e] != ',' && s[e] != '@' && s[e] != '!')
			e++;
		*col = i + 1;
		if (e < len && s[e] != ',') {
			*col = e + 1;
			snprintf(err, errlen, "give either @SOURCE (include) or !SOURCE (exclude), once");
			return -1;
		}
		if (e == i && e == len && g->nsrc == 0) {
			snprintf(err, errlen, "no source address after '%c'", s[glen]);
			return -1;
		}
		uint32_t a;
		if (aton_n(s + i, e - i, &a) != 0) {
			snprintf(err, errlen, "bad source address '%.*s'", (int)(e - i > 40 ? 40 : e - i),
				 s + i);
			return -1;
		}
		if (!is_unicast_source(a)) {
			snprintf(err, errlen, "source %.*s is not a unicast address", (int)(e - i), s + i);
			return -1;
		}
		if (g->nsrc == IPK_CLI_MAX_SRCS) {
			snprintf(err, errlen, "more than %d sources", IPK_CLI_MAX_SRCS);
			return -1;
		}
		g->src[g->nsrc++] = a;
		i = e + 1;
	}
	return 0;
}

/* ---- the machine's clock, the interface address, the event log ---- */

void ipk_cli_clock_start(struct ipk_cli_clock *c, double scale)
{
	clock_gettime(CLOCK_MONOTONIC, &c->t0);
	c->scale = scale;
	c->last = 0;
}

double ipk_cli_real_ms(const struct ipk_cli_clock *c)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - c->t0.tv_sec) * 1e3 + (double)(now.tv_nsec - c->t0.tv_nsec) / 1e6;
}

uint64_t ipk_cli_virt_at(struct ipk_cli_clock *c, double r)
{
	double v = 1 + (r > 0 ? r : 0) * c->scale;
	uint64_t u = v < 1.8e19 ? (uint64_t)v : UINT64_MAX - 1;
	if (u < c->last)
		u = c->last;
	c->last = u;
	return u;
}

uint64_t ipk_cli_virt_now(struct ipk_cli_clock *c)
{
	return ipk_cli_virt_at(c, ipk_cli_real_ms(c));
}

double ipk_cli_real_until(const struct ipk_cli_clock *c, uint64_t v)
{
	double d = ((double)v - 1) / c->scale - ipk_cli_real_ms(c);
	return d > 0 ? d : 0;
}

double ipk_cli_stamp_ms(const struct ipk_cli_clock *c, int64_t ts_ns)
{
	return (double)(ts_ns - ((int64_t)c->t0.tv_sec * 1000000000 + c->t0.tv_nsec)) / 1e6;
}

uint32_t ipk_cli_if_addr(const char *name)
{
	struct ifaddrs *ifa, *i;
	uint32_t a = 0;
	if (getifaddrs(&ifa) != 0)
		return 0;
	for (i = ifa; i && !a; i = i->ifa_next)
		if (i->ifa_addr && i->ifa_addr->sa_family == AF_INET && strcmp(i->ifa_name, name) == 0)
			a = ntohl(((const struct sockaddr_in *)(const void *)i->ifa_addr)->sin_addr.s_addr);
	freeifaddrs(ifa);
	return a;
}

/* One line of /proc/net/arp: the MAC of addr on ifname when the entry is complete (ATF_COM). */
static int arp_line(const char *line, const char *ifname, uint32_t addr, uint8_t mac[6])
{
	char ip[64], dev[64];
	unsigned flags, b[6];
	uint32_t a;
	if (sscanf(line, "%63s %*s %x %x:%x:%x:%x:%x:%x %*s %63s", ip, &flags, &b[0], &b[1], &b[2], &b[3], &b[4],
		   &b[5], dev) != 9 || !(flags & 2) || strcmp(dev, ifname) != 0 || ipk_ip4_aton(ip, &a) != 0 ||
	    a != addr)
		return 0;
	for (int i = 0; i < 6; i++)
		mac[i] = (uint8_t)b[i];
	return 1;
}

int ipk_cli_neigh_mac(const char *ifname, uint32_t addr, uint8_t mac[6], unsigned wait_ms)
{
	int ufd = ipk_udp_open(0, 0, 0), found = 0;
	for (unsigned t = 0; !found && t <= wait_ms; t += 50) {
		if (ufd >= 0 && t % 500 == 0) {
			struct ipk_msg m = {.buf = (void *)"x", .len = 1, .addr = addr, .port = 9};
			(void)ipk_sock_write(ufd, &m, 0);
		}
		FILE *f = fopen("/proc/net/arp", "r");
		char line[256];
		while (f && !found && fgets(line, sizeof(line), f))
			found = arp_line(line, ifname, addr, mac);
		if (f)
			fclose(f);
		if (!found) {
			struct timespec ts = {0, 50 * 1000000L};
			nanosleep(&ts, NULL);
		}
	}
	if (ufd >= 0)
		close(ufd);
	return found ? 0 : -1;
}

void ipk_cli_event(FILE *f, uint64_t *seq, int style, char **line, size_t *cap, const char *event,
		   const struct ipk_fmt_kv *kv, size_t n)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	struct ipk_fmt_meta m = {++*seq, (int64_t)ts.tv_sec, (uint32_t)ts.tv_nsec / 1000 * 1000};
	for (;;) {
		int r = ipk_fmt_event(&m, event, kv, n, style, *line, *cap);
		if (r > 0) {
			fwrite(*line, 1, (size_t)r, f);
			return;
		}
		if (r != IPK_E_NOSPACE || *cap >= ((size_t)1 << 24))
			return;
		char *p = realloc(*line, *cap * 2);
		if (!p)
			return;
		*line = p;
		*cap *= 2;
	}
}

int ipk_cli_save(const char *prog, const char *what, const char *path, const char *tmp,
		 int (*fill)(void *arg, FILE *f), void *arg)
{
	(void)ipk_cli_tmp(tmp);
	errno = 0;
	FILE *f = fopen(tmp, "w");
	int ok = f && fill(arg, f) == 0 && !ferror(f);
	if (f && fclose(f) != 0)
		ok = 0;
	if (ok && rename(tmp, path) != 0)
		ok = 0;
	int e = errno;
	if (!ok)
		unlink(tmp);
	(void)ipk_cli_tmp(NULL);
	if (!ok)
		fprintf(stderr, "%s: %s: cannot write %s: %s\n", prog, what, path,
			e ? strerror(e) : "write error");
	return ok ? 0 : -1;
}

/* ---- numbers ---- */

int ipk_cli_num(const char *prog, const char *what, const char *s, unsigned long min,
		unsigned long max, unsigned long *out)
{
	char *end;
	errno = 0;
	unsigned long v = strtoul(s, &end, 0);
	if (errno || end == s || *end || s[0] == '-' || s[0] == '+' || v < min || v > max) {
		ipk_cli_usage(prog, "%s: '%s' is not a number from %lu to %lu", what, s, min, max);
		return -1;
	}
	*out = v;
	return 0;
}

int ipk_cli_uint(const char *prog, const char *what, const char *s, unsigned long max,
		 unsigned long *out)
{
	return ipk_cli_num(prog, what, s, 0, max, out);
}

int ipk_cli_real(const char *prog, const char *what, const char *s, double min, double max,
		 double *out)
{
	char *end;
	errno = 0;
	double v = strtod(s, &end);
	if (errno || end == s || *end || !(v >= min && v <= max) || !isfinite(v)) {
		ipk_cli_usage(prog, "%s: '%s' is not a number from %.15g to %.15g", what, s, min, max);
		return -1;
	}
	*out = v;
	return 0;
}

int ipk_cli_ifindex(const char *prog, const char *name, unsigned *out)
{
	unsigned idx = if_nametoindex(name);
	if (idx == 0) {
		/* a plain number is accepted as an index when such an interface exists */
		char *end, buf[IF_NAMESIZE];
		unsigned long v = strtoul(name, &end, 10);
		if (*name && !*end && v > 0 && v <= 0xffffffffUL && if_indextoname((unsigned)v, buf))
			idx = (unsigned)v;
	}
	if (idx == 0) {
		fprintf(stderr, "%s: -i: unknown interface '%s'\n", prog, name);
		return -1;
	}
	*out = idx;
	return 0;
}

/* ---- hex ---- */

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

const char *ipk_cli_hex(const char *s, uint8_t *out, size_t cap, size_t *n, size_t *col)
{
	size_t i = 0, k = 0;
	int hi = -1;
	while (s[i] == ' ' || s[i] == '\t')
		i++;
	if (s[i] == '0' && (s[i + 1] == 'x' || s[i + 1] == 'X'))
		i += 2;
	for (; s[i] && s[i] != '\n' && s[i] != '\r'; i++) {
		int c = (unsigned char)s[i], v;
		if (strchr(" \t:-._", c)) {
			if (hi >= 0) {
				*col = i + 1;
				return "odd number of hex digits";
			}
			continue;
		}
		if ((v = hexval(c)) < 0) {
			*col = i + 1;
			return "not a hex digit";
		}
		if (hi < 0) {
			hi = v;
			continue;
		}
		if (*n + k >= cap) {
			*col = i + 1;
			return "too many bytes";
		}
		out[*n + k++] = (uint8_t)(hi << 4 | v);
		hi = -1;
	}
	if (hi >= 0) {
		*col = i + 1;
		return "odd number of hex digits";
	}
	*n += k;
	return NULL;
}

/* aa:bb:cc:dd:ee:ff, one or two hex digits a byte */
int ipk_cli_mac(const char *prog, const char *what, const char *s, unsigned char mac[6])
{
	const char *p = s;
	for (int i = 0; i < 6; i++) {
		int nd = 0, d;
		unsigned v = 0;
		while (nd < 3 && (d = hexval((unsigned char)*p)) >= 0) {
			v = v * 16 + (unsigned)d;
			p++, nd++;
		}
		if (nd == 0 || nd > 2 || *p != (i < 5 ? ':' : '\0')) {
			ipk_cli_usage(prog, "%s: '%s' is not a MAC address (aa:bb:cc:dd:ee:ff)", what, s);
			return -1;
		}
		mac[i] = (unsigned char)v;
		p += i < 5;
	}
	return 0;
}

/* ---- signals ---- */

volatile sig_atomic_t ipk_cli_stop;
static char tmp_path[4096];
static volatile sig_atomic_t tmp_set, poll_mode;

static void on_signal(int sig)
{
	int e = errno;
	if (!poll_mode || ipk_cli_stop) {
		/* nobody polls (the work is inside the library), or a second signal: remove the
		 * temporary file and die of it. A polling caller sees the first signal in
		 * ipk_cli_stop and finishes or removes its temporary file itself, so a write in
		 * progress (querier --state) is never unlinked under it. */
		if (tmp_set)
			(void)unlink(tmp_path); /* async-signal-safe */
		signal(sig, SIG_DFL);
		raise(sig); /* delivered when the handler returns (the signal is blocked here) */
	}
	ipk_cli_stop = sig;
	errno = e;
}

void ipk_cli_signals(int poll)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal; /* no SA_RESTART: blocking calls return EINTR */
	sigemptyset(&sa.sa_mask);
	sigaddset(&sa.sa_mask, SIGINT);
	sigaddset(&sa.sa_mask, SIGTERM);
	sigaddset(&sa.sa_mask, SIGHUP);
	poll_mode = poll;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
}

int ipk_cli_tmp(const char *path)
{
	if (!path) {
		tmp_set = 0;
		return 0;
	}
	tmp_set = 0;
	if (strlen(path) >= sizeof(tmp_path))
		return -1;
	strcpy(tmp_path, path);
	tmp_set = 1;
	return 0;
}

void ipk_cli_json_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c < 0x20 || c == 0x7f)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}
