/* cli.c - what every subcommand shares: one-line usage errors with a hint, number and hex arguments with their accepted range, and signal handling that removes a temporary file. */
#define _GNU_SOURCE /* if_indextoname, sigaction */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <net/if.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

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
