/* conform.c - `ipv4kit conform`: runs the IGMP conformance suite (include/ipv4kit/conform.h) against a host or router on a link: whole frames out of a packet socket, the IGMP listener in, shell hooks that drive the target, and a table, JSON, JUnit XML and one pcap per check out. */
#define _GNU_SOURCE /* getopt_long, pipe2 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <net/if.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "ipv4kit/conform.h"
#include "ipv4kit/error.h"
#include "ipv4kit/ip4.h"
#include "ipv4kit/link.h"
#include "ipv4kit/pcapio.h"
#include "ipv4kit/sock.h"

#define PROG "ipv4kit conform"
#define HOOK_MS 10000          /* a hook or state command gets this long, then it is killed */
#define STATE_MAX (1u << 20)   /* bytes of --state-cmd output kept (the rest is read and dropped) */
#define DGRAM_MAX 1600         /* the longest datagram the suite builds */
#define RX_CAP 9216
#define SEEN_COLS 72           /* "seen" in the table is cut to this */

struct rec {
	struct ipk_conform_result r;
	char *pcap; /* the evidence file written, or NULL */
};

struct ct {
	unsigned side;
	struct ipk_conform_cfg cfg;
	char ifname[IF_NAMESIZE];
	unsigned ifindex;
	const char *join_cmd, *leave_cmd, *state_cmd, *restart_cmd, *junit, *pcapdir;
	int json, quiet, color;
	FILE *out; /* the table and the summary: stdout, or stderr when stdout carries --json */
	int lfd, rx;
	uint8_t mac[6], tmac[6];
	int have_tmac;
	int64_t t0_us;       /* the run's start (CLOCK_MONOTONIC) */
	int64_t real_off_ns; /* CLOCK_REALTIME - CLOCK_MONOTONIC at the start: pcap stamps */
	const struct ipk_conform_check *cat;
	size_t ncat;
	uint8_t *sel;
	struct rec *recs;
	size_t nrec;
	int halted; /* a signal came: the check in progress finished, nothing more runs */
	char *state;
	uint8_t rxbuf[RX_CAP];
};

static int64_t clock_ns(clockid_t id)
{
	struct timespec t;
	clock_gettime(id, &t);
	return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
}

static int64_t mono_us(void)
{
	return clock_ns(CLOCK_MONOTONIC) / 1000;
}

/* After a signal interrupted a wait: say once that the run stops after the check in progress. */
static void note_stop(void)
{
	static int said;
	if (ipk_cli_stop && !said) {
		said = 1;
		fprintf(stderr, "%s: stopping after the check in progress (a second signal stops at once, without "
				"reports)\n", PROG);
	}
}

/* ---- hooks: /bin/sh -c CMD, bounded ---- */

/*
 * Run cmd through /bin/sh -c in its own process group, its standard output into out[0..cap)
 * (*outlen bytes kept; more is read and dropped) or, with out NULL, onto our standard error (so a
 * hook never mixes into --json). Bounded by HOOK_MS: then the group is killed. Returns the exit
 * status (0..255; 128+N when killed by signal N) or -errno (-ETIMEDOUT). what names the option in
 * messages.
 */
static int run_cmd(const char *what, const char *cmd, char *out, size_t cap, size_t *outlen)
{
	int pfd[2] = {-1, -1};
	if (out && pipe2(pfd, O_CLOEXEC) != 0)
		return -errno;
	fflush(NULL);
	pid_t pid = fork();
	if (pid < 0) {
		int e = errno;
		if (out) {
			close(pfd[0]);
			close(pfd[1]);
		}
		fprintf(stderr, "%s: %s: cannot start it: %s\n", PROG, what, strerror(e));
		return -e;
	}
	if (pid == 0) {
		setpgid(0, 0);
		signal(SIGPIPE, SIG_DFL);
		if (dup2(out ? pfd[1] : STDERR_FILENO, STDOUT_FILENO) < 0)
			_exit(127);
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		_exit(127);
	}
	(void)setpgid(pid, pid); /* also here: no race with the kill below */
	if (out)
		close(pfd[1]);
	int64_t deadline = mono_us() + (int64_t)HOOK_MS * 1000;
	size_t n = 0;
	int status = 0, done = 0, eof = !out;
	while (!done || !eof) {
		int64_t left = (deadline - mono_us()) / 1000;
		if (left <= 0)
			break;
		if (!eof) {
			/* once the shell exited, only what is already there (a background child may
			 * hold the pipe open) */
			struct pollfd p = {pfd[0], POLLIN, 0};
			int pr = poll(&p, 1, done ? 0 : left < 20 ? (int)left : 20);
			if (pr < 0)
				note_stop();
			if (pr > 0) {
				char junk[4096];
				ssize_t k = n < cap ? read(pfd[0], out + n, cap - n) : read(pfd[0], junk, sizeof(junk));
				if (k > 0 && n < cap)
					n += (size_t)k;
				else if (k == 0 || (k < 0 && errno != EINTR && errno != EAGAIN))
					eof = 1;
			} else if (pr == 0 && done) {
				eof = 1;
			}
		} else {
			if (poll(NULL, 0, left < 10 ? (int)left : 10) < 0)
				note_stop();
		}
		if (!done && waitpid(pid, &status, WNOHANG) == pid)
			done = 1;
	}
	if (out)
		close(pfd[0]);
	if (outlen)
		*outlen = n;
	if (!done) {
		(void)kill(-pid, SIGKILL);
		(void)kill(pid, SIGKILL);
		while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
			;
		fprintf(stderr, "%s: %s did not finish within %d s: killed\n", PROG, what, HOOK_MS / 1000);
		return -ETIMEDOUT;
	}
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* cmd with {group}, {sources} and {mode} replaced; malloc'd (NULL: out of memory). */
static char *subst(const char *cmd, const char *group, const char *sources, const char *mode)
{
	static const char *const keys[] = {"{group}", "{sources}", "{mode}"};
	const char *vals[] = {group, sources, mode};
	size_t cap = strlen(cmd) + 1;
	for (const char *p = cmd; *p; p++)
		if (*p == '{')
			cap += strlen(sources) + 16;
	char *s = malloc(cap), *o = s;
	if (!s)
		return NULL;
	for (const char *p = cmd; *p;) {
		size_t k;
		for (k = 0; k < 3 && strncmp(p, keys[k], strlen(keys[k])) != 0; k++)
			;
		if (k < 3) {
			o += sprintf(o, "%s", vals[k]);
			p += strlen(keys[k]);
		} else {
			*o++ = *p++;
		}
	}
	*o = '\0';
	return s;
}

/* A hook's status as the suite's return: 0, or -EIO after a message naming it. */
static int hook_status(const char *what, const char *cmd, int r)
{
	if (r > 0) {
		fprintf(stderr, "%s: %s '%s' exited with status %d\n", PROG, what, cmd, r);
		return -EIO;
	}
	return r;
}

/* ---- the target's group table (--state-cmd) ---- */

/* Whether the dotted address a (alen bytes) at s[i] is a whole token of s[0..n): not preceded by
 * a digit or dot, and not followed by a digit or by a dot and a digit (239.1.1.1 is not in
 * 239.1.1.10 nor in 10.239.1.1.1). */
static int token_at(const char *s, size_t n, size_t i, const char *a, size_t alen)
{
	if (i + alen > n || memcmp(s + i, a, alen) != 0)
		return 0;
	if (i > 0 && (isdigit((unsigned char)s[i - 1]) || s[i - 1] == '.'))
		return 0;
	size_t e = i + alen;
	if (e < n && isdigit((unsigned char)s[e]))
		return 0;
	return !(e + 1 < n && s[e] == '.' && isdigit((unsigned char)s[e + 1]));
}

/*
 * Whether state command output s[0..n) holds group g (source 0) or (source, group): JSON when
 * its first non-blank byte is '{' or '[', text otherwise. A group is there when its dotted address
 * is a whole token anywhere. A (source, group) is there when, in JSON, the source is a whole
 * token inside the innermost object around the group (in it, or in an object nested in it:
 * bridge's {"grp":G,"src":S} entries and the querier state's {"group":G,"sources":[{"source":S}]}
 * alike), or, in text, on the line of the group.
 */
static int state_has(const char *s, size_t n, uint32_t g, uint32_t src)
{
	char ga[16], sa[16];
	size_t gl = ipk_ip4_ntoa(g, ga), sl = ipk_ip4_ntoa(src, sa), i = 0;
	while (i < n && isspace((unsigned char)s[i]))
		i++;
	int json = i < n && (s[i] == '{' || s[i] == '[');
	enum { DEPTH = 256 };
	/* per open object (0: outside any): bit 0 the group is in it (not nested), bit 1 the source
	 * is in it or in an object nested in it (carried up as objects close) */
	uint8_t flags[DEPTH + 1];
	int depth = 0, instr = 0, esc = 0;
	flags[0] = 0;
	for (i = 0; i < n; i++) {
		char c = s[i];
		uint8_t *f = &flags[depth < DEPTH ? depth : DEPTH];
		if (token_at(s, n, i, ga, gl)) {
			if (!src)
				return 1;
			*f |= 1;
		}
		if (src && token_at(s, n, i, sa, sl))
			*f |= 2;
		if (*f == 3)
			return 1;
		if (!json) {
			if (c == '\n')
				flags[0] = 0;
			continue;
		}
		if (instr) {
			if (esc)
				esc = 0;
			else if (c == '\\')
				esc = 1;
			else if (c == '"')
				instr = 0;
		} else if (c == '"') {
			instr = 1;
		} else if (c == '{') {
			depth++;
			if (depth <= DEPTH)
				flags[depth] = 0;
		} else if (c == '}' && depth > 0) {
			uint8_t inner = *f;
			depth--;
			f = &flags[depth < DEPTH ? depth : DEPTH];
			*f |= inner & 2;
			if (*f == 3)
				return 1;
		}
	}
	return 0;
}

/* ---- the suite's I/O ---- */

static int64_t io_now(void *ctx)
{
	(void)ctx;
	return mono_us();
}

/* The datagram in an Ethernet frame: multicast to its group MAC, broadcast to ff:.., unicast to
 * the target's MAC, out of the packet socket as it is. */
static int io_send(void *ctx, const uint8_t *d, size_t len)
{
	struct ct *t = ctx;
	struct ipk_ip4 h;
	uint8_t f[IPK_ETH_HLEN + DGRAM_MAX], dmac[6];
	struct ipk_wbuf w;

	if (t->halted)
		return -ECANCELED;
	if (len > DGRAM_MAX)
		return -EMSGSIZE;
	if (ipk_ip4_parse(d, len, IPK_IP4_LAX, &h, NULL) != 0)
		return -EINVAL;
	if (ipk_ip4_is_multicast(h.dst))
		ipk_eth_mcast_mac(h.dst, dmac);
	else if (h.dst == 0xffffffffu)
		memset(dmac, 0xff, sizeof(dmac));
	else if (t->have_tmac)
		memcpy(dmac, t->tmac, sizeof(dmac));
	else
		return -EHOSTUNREACH;
	ipk_wbuf_init(&w, f, sizeof(f));
	if (ipk_eth_build(&w, dmac, t->mac, IPK_ETHERTYPE_IPV4) != 0)
		return -EMSGSIZE;
	memcpy(f + w.len, d, len);
	struct ipk_msg m = {.buf = f, .len = w.len + len};
	for (int spins = 0;; spins++) {
		int r = ipk_link_write_batch(t->lfd, &m, 1, 0);
		if (r == 1)
			return 0;
		if ((r == -ENOBUFS || r == -EAGAIN) && spins < 100) {
			struct pollfd p = {t->lfd, POLLOUT, 0};
			(void)poll(&p, 1, 1);
			continue;
		}
		return r < 0 ? r : -EIO;
	}
}

static int io_recv(void *ctx, int64_t deadline_us, uint8_t *buf, size_t cap, int64_t *at_us)
{
	struct ct *t = ctx;

	if (t->halted)
		return -EINTR;
	for (;;) {
		struct ipk_igmp_rx m = {.buf = t->rxbuf, .cap = sizeof(t->rxbuf)};
		int r = ipk_igmp_listen_read(t->rx, &m, 1, MSG_DONTWAIT);
		if (r == 1 && m.len > 0) {
			size_t n = m.len < cap ? m.len : cap;
			memcpy(buf, m.buf, n);
			*at_us = m.ts_ns / 1000;
			return (int)n;
		}
		if (r < 0 && r != -EAGAIN && r != -EINTR && r != -ENETDOWN) {
			fprintf(stderr, "%s: receive on %s: %s\n", PROG, t->ifname, strerror(-r));
			return r;
		}
		if (r == 1)
			continue;
		int64_t left = deadline_us - mono_us();
		if (left <= 0)
			return 0;
		/* a signal interrupts the wait; the check goes on to its end (see on_result) */
		struct pollfd p = {t->rx, POLLIN, 0};
		if (r == -ENETDOWN) /* the link went down (and may come back): no busy loop */
			(void)poll(NULL, 0, left > 10000 ? 10 : (int)((left + 999) / 1000));
		else if (poll(&p, 1, left > 60000000 ? 60000 : (int)((left + 999) / 1000)) < 0)
			note_stop();
	}
}

static int io_target_set(void *ctx, uint32_t group, unsigned mode, const uint32_t *srcs, size_t n)
{
	struct ct *t = ctx;
	char ga[16], srcl[8 * 16 + 16] = "";
	size_t len = 0;

	if (t->halted)
		return -ECANCELED;
	for (size_t i = 0; i < n && len + 17 < sizeof(srcl); i++) {
		if (i)
			srcl[len++] = ',';
		len += ipk_ip4_ntoa(srcs[i], srcl + len);
	}
	srcl[len] = '\0';
	ipk_ip4_ntoa(group, ga);
	int leave = mode == IPK_CONFORM_LEAVE && t->leave_cmd;
	const char *what = leave ? "--leave-cmd" : "--join-cmd", *tmpl = leave ? t->leave_cmd : t->join_cmd;
	char *cmd = subst(tmpl, ga, srcl, ipk_conform_mode_name(mode));
	if (!cmd)
		return -ENOMEM;
	int r = hook_status(what, cmd, run_cmd(what, cmd, NULL, 0, NULL));
	free(cmd);
	return r;
}

static int io_target_has(void *ctx, uint32_t group, uint32_t source)
{
	struct ct *t = ctx;
	size_t n = 0;

	if (!t->state_cmd)
		return -ENOTSUP;
	if (t->halted)
		return -ECANCELED;
	int r = hook_status("--state-cmd", t->state_cmd, run_cmd("--state-cmd", t->state_cmd, t->state, STATE_MAX, &n));
	return r < 0 ? r : state_has(t->state, n, group, source);
}

static int io_target_restart(void *ctx)
{
	struct ct *t = ctx;

	if (!t->restart_cmd)
		return -ENOTSUP;
	if (t->halted)
		return -ECANCELED;
	return hook_status("--restart-cmd", t->restart_cmd, run_cmd("--restart-cmd", t->restart_cmd, NULL, 0, NULL));
}

/* ---- results: table row, pcap ---- */

/* DIR/<ID>-<name>.pcap: every datagram the check sent and heard, raw IPv4 (LINKTYPE_RAW), the
 * wall clock; written to a temporary file and renamed. The path (malloc'd) or NULL. */
static char *write_pcap(struct ct *t, const struct ipk_conform_result *r, const struct ipk_conform_pkt *p, size_t np)
{
	char err[512];
	struct ipk_pcapw w;
	size_t plen = strlen(t->pcapdir) + strlen(r->check->id) + strlen(r->check->name) + 8;
	char *path = malloc(plen);
	if (!path)
		return NULL;
	snprintf(path, plen, "%s/%s-%s.pcap", t->pcapdir, r->check->id, r->check->name);
	if (ipk_pcapw_open(&w, path, IPK_DLT_RAW, 0, err, sizeof(err)) != 0) {
		fprintf(stderr, "%s: --pcap: %s\n", PROG, err);
		free(path);
		return NULL;
	}
	(void)ipk_cli_tmp(w.tmp);
	for (size_t i = 0; i < np; i++) {
		int64_t ns = p[i].at_us * 1000 + t->real_off_ns;
		int e = ipk_pcapw_write(&w, ns / 1000000000, (uint32_t)(ns % 1000000000), p[i].data, p[i].len, p[i].len);
		if (e != 0) {
			fprintf(stderr, "%s: --pcap: %s: %s\n", PROG, path, strerror(-e));
			ipk_pcapw_abort(&w);
			(void)ipk_cli_tmp(NULL);
			free(path);
			return NULL;
		}
	}
	int e = ipk_pcapw_commit(&w, err, sizeof(err));
	(void)ipk_cli_tmp(NULL);
	if (e != 0) {
		fprintf(stderr, "%s: --pcap: %s\n", PROG, err);
		free(path);
		return NULL;
	}
	return path;
}

static const char *verdict_color(unsigned v)
{
	static const char *const c[] = {"", "\033[32m", "\033[1;31m", "\033[33m", "\033[35m", "\033[2m"};
	return v < 6 ? c[v] : "";
}

static void row(struct ct *t, const struct ipk_conform_result *r)
{
	char ms[16] = "-";
	if (r->measured_ms >= 0)
		snprintf(ms, sizeof(ms), "%.0f", r->measured_ms);
	size_t sl = strlen(r->seen);
	fprintf(t->out, "%-4s %-6s %s%-12s%s %7s  %.*s%s\n", r->check->id, ipk_conform_level_name(r->check->level),
		t->color ? verdict_color(r->verdict) : "", ipk_conform_verdict_name(r->verdict), t->color ? "\033[0m" : "",
		ms, SEEN_COLS, r->seen, sl > SEEN_COLS ? "..." : "");
	fflush(t->out);
}

static void on_result(void *ctx, const struct ipk_conform_result *r, const struct ipk_conform_pkt *p, size_t np)
{
	struct ct *t = ctx;

	if (t->halted || t->nrec >= t->ncat)
		return; /* a check after the signal: stopped before it did anything */
	struct rec *e = &t->recs[t->nrec++];
	e->r = *r;
	e->pcap = t->pcapdir && r->verdict != IPK_CONFORM_SKIPPED ? write_pcap(t, r, p, np) : NULL;
	if (!t->quiet)
		row(t, r);
	if (ipk_cli_stop)
		t->halted = 1;
}

/* The result of selected check k, or NULL when the run stopped before it. */
static const struct rec *rec_of(const struct ct *t, size_t k)
{
	for (size_t i = 0; i < t->nrec; i++)
		if (t->recs[i].r.check == &t->cat[k])
			return &t->recs[i];
	return NULL;
}

#define NOT_RUN "not run: the run was stopped by a signal"

struct totals {
	unsigned selected, run, v[6], must_failed;
	double secs;
};

static void totals(const struct ct *t, struct totals *s)
{
	memset(s, 0, sizeof(*s));
	for (size_t k = 0; k < t->ncat; k++) {
		if (!t->sel[k])
			continue;
		const struct rec *e = rec_of(t, k);
		unsigned v = e ? e->r.verdict : IPK_CONFORM_SKIPPED;
		s->selected++;
		s->v[v < 6 ? v : 0]++;
		s->run += v != IPK_CONFORM_SKIPPED;
		s->must_failed += v == IPK_CONFORM_FAIL && t->cat[k].level == IPK_CONFORM_MUST;
	}
	s->secs = (double)(mono_us() - t->t0_us) / 1e6;
}

/* ---- JSON ---- */

static void json_check_head(FILE *f, const struct ipk_conform_check *k)
{
	fprintf(f, "{\"id\":");
	ipk_cli_json_str(f, k->id);
	fprintf(f, ",\"name\":");
	ipk_cli_json_str(f, k->name);
	fprintf(f, ",\"side\":\"%s\",\"level\":\"%s\",\"negative\":%s,\"versions\":[", ipk_conform_side_name(k->side),
		ipk_conform_level_name(k->level), k->negative ? "true" : "false");
	for (unsigned v = 1, n = 0; v <= 3; v++)
		if (k->versions & 1u << v)
			fprintf(f, "%s%u", n++ ? "," : "", v);
	fprintf(f, "],\"rfc\":");
	ipk_cli_json_str(f, k->rfc);
	fprintf(f, ",\"requirement\":");
	ipk_cli_json_str(f, k->requirement);
}

static void json_report(const struct ct *t, const struct totals *s, int interrupted)
{
	FILE *f = stdout;
	char a[16];
	fprintf(f, "{\"side\":\"%s\",\"interface\":", ipk_conform_side_name(t->side));
	ipk_cli_json_str(f, t->ifname);
	ipk_ip4_ntoa(t->cfg.target, a);
	fprintf(f, ",\"target\":\"%s\"", a);
	ipk_ip4_ntoa(t->cfg.self, a);
	fprintf(f, ",\"source\":\"%s\",\"version\":%u,\"interrupted\":%s,\"duration_s\":%.3f", a, t->cfg.version,
		interrupted ? "true" : "false", s->secs);
	fprintf(f, ",\"summary\":{\"run\":%u,\"pass\":%u,\"fail\":%u,\"deviation\":%u,\"inconclusive\":%u,"
		   "\"skipped\":%u,\"must_failed\":%u},\"checks\":[",
		s->run, s->v[IPK_CONFORM_PASS], s->v[IPK_CONFORM_FAIL], s->v[IPK_CONFORM_DEVIATION],
		s->v[IPK_CONFORM_INCONCLUSIVE], s->v[IPK_CONFORM_SKIPPED], s->must_failed);
	int first = 1;
	for (size_t k = 0; k < t->ncat; k++) {
		if (!t->sel[k])
			continue;
		const struct rec *e = rec_of(t, k);
		fputs(first ? "" : ",", f);
		first = 0;
		json_check_head(f, &t->cat[k]);
		fprintf(f, ",\"verdict\":\"%s\",\"sent\":", ipk_conform_verdict_name(e ? e->r.verdict : IPK_CONFORM_SKIPPED));
		ipk_cli_json_str(f, e ? e->r.sent : "");
		fprintf(f, ",\"expected\":");
		ipk_cli_json_str(f, e ? e->r.expected : "");
		fprintf(f, ",\"seen\":");
		ipk_cli_json_str(f, e ? e->r.seen : NOT_RUN);
		if (e && e->r.measured_ms >= 0)
			fprintf(f, ",\"measured_ms\":%.3f", e->r.measured_ms);
		else
			fprintf(f, ",\"measured_ms\":null");
		fprintf(f, ",\"start_s\":%.3f,\"duration_s\":%.3f,\"pcap\":",
			e ? (double)(e->r.start_us - t->t0_us) / 1e6 : s->secs,
			e ? (double)(e->r.end_us - e->r.start_us) / 1e6 : 0.0);
		if (e && e->pcap)
			ipk_cli_json_str(f, e->pcap);
		else
			fprintf(f, "null");
		fputc('}', f);
	}
	fprintf(f, "]}\n");
	fflush(f);
}

/* ---- JUnit XML ---- */

static void xstr(FILE *f, const char *s)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		switch (c) {
		case '&': fputs("&amp;", f); break;
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '"': fputs("&quot;", f); break;
		case '\'': fputs("&apos;", f); break;
		default:
			/* XML 1.0 has no control characters but tab, CR and LF */
			fputc(c < 0x20 && c != '\t' && c != '\n' && c != '\r' ? '?' : c, f);
		}
	}
}

static void xprop(FILE *f, const char *ind, const char *name, const char *value)
{
	fprintf(f, "%s<property name=\"%s\" value=\"", ind, name);
	xstr(f, value);
	fputs("\"/>\n", f);
}

struct junit_arg {
	const struct ct *t;
	const struct totals *s;
};

static int junit_fill(void *arg, FILE *f)
{
	const struct junit_arg *j = arg;
	const struct ct *t = j->t;
	const char *side = ipk_conform_side_name(t->side);
	char a[16], ts[32];
	time_t now = time(NULL);
	struct tm tm;
	gmtime_r(&now, &tm);
	strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%SZ", &tm);
	fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		   "<testsuite name=\"ipv4kit.conform.%s\" tests=\"%u\" failures=\"%u\" errors=\"0\" skipped=\"%u\" "
		   "time=\"%.3f\" timestamp=\"%s\">\n  <properties>\n",
		side, j->s->selected, j->s->v[IPK_CONFORM_FAIL], j->s->v[IPK_CONFORM_SKIPPED], j->s->secs, ts);
	xprop(f, "    ", "interface", t->ifname);
	ipk_ip4_ntoa(t->cfg.target, a);
	xprop(f, "    ", "target", a);
	ipk_ip4_ntoa(t->cfg.self, a);
	xprop(f, "    ", "source", a);
	snprintf(a, sizeof(a), "%u", t->cfg.version);
	xprop(f, "    ", "version", a);
	fputs("  </properties>\n", f);
	for (size_t k = 0; k < t->ncat; k++) {
		if (!t->sel[k])
			continue;
		const struct ipk_conform_check *c = &t->cat[k];
		const struct rec *e = rec_of(t, k);
		unsigned v = e ? e->r.verdict : IPK_CONFORM_SKIPPED;
		const char *seen = e ? e->r.seen : NOT_RUN;
		fprintf(f, "  <testcase classname=\"ipv4kit.conform.%s\" name=\"", side);
		xstr(f, c->id);
		fputc(' ', f);
		xstr(f, c->name);
		fprintf(f, "\" time=\"%.3f\">\n    <properties>\n",
			e ? (double)(e->r.end_us - e->r.start_us) / 1e6 : 0.0);
		xprop(f, "      ", "verdict", ipk_conform_verdict_name(v));
		xprop(f, "      ", "level", ipk_conform_level_name(c->level));
		xprop(f, "      ", "negative", c->negative ? "yes" : "no");
		xprop(f, "      ", "rfc", c->rfc);
		xprop(f, "      ", "requirement", c->requirement);
		if (e && e->r.measured_ms >= 0) {
			char ms[32];
			snprintf(ms, sizeof(ms), "%.3f", e->r.measured_ms);
			xprop(f, "      ", "measured_ms", ms);
		}
		if (e && e->pcap)
			xprop(f, "      ", "pcap", e->pcap);
		fputs("    </properties>\n", f);
		if (v == IPK_CONFORM_FAIL || v == IPK_CONFORM_SKIPPED) {
			fprintf(f, "    <%s message=\"", v == IPK_CONFORM_FAIL ? "failure" : "skipped");
			xstr(f, seen);
			if (v == IPK_CONFORM_SKIPPED) {
				fputs("\"/>\n", f);
			} else {
				fprintf(f, "\" type=\"%s\">", ipk_conform_level_name(c->level));
				fputs("sent: ", f);
				xstr(f, e->r.sent);
				fputs("\nexpected: ", f);
				xstr(f, e->r.expected);
				fputs("\nseen: ", f);
				xstr(f, seen);
				fputs("</failure>\n", f);
			}
		} else if (v == IPK_CONFORM_DEVIATION || v == IPK_CONFORM_INCONCLUSIVE) {
			fputs("    <system-out>", f);
			xstr(f, ipk_conform_verdict_name(v));
			fputs(": ", f);
			xstr(f, seen);
			fputs("\nsent: ", f);
			xstr(f, e->r.sent);
			fputs("\nexpected: ", f);
			xstr(f, e->r.expected);
			fputs("</system-out>\n", f);
		}
		fputs("  </testcase>\n", f);
	}
	fputs("</testsuite>\n", f);
	return 0;
}

/* ---- --list ---- */

static void list_text(unsigned side)
{
	size_t n;
	const struct ipk_conform_check *cat = ipk_conform_catalogue(side, &n);
	printf("%-4s %-6s %-1s %-5s %-40s %s\n", "ID", "LEVEL", "N", "VERS", "RFC", "REQUIREMENT");
	for (size_t i = 0; i < n; i++) {
		char vers[8] = "";
		for (unsigned v = 1; v <= 3; v++)
			if (cat[i].versions & 1u << v)
				snprintf(vers + strlen(vers), sizeof(vers) - strlen(vers), "%s%u", vers[0] ? "," : "", v);
		printf("%-4s %-6s %-1s %-5s %-40s %s (%s)\n", cat[i].id, ipk_conform_level_name(cat[i].level),
		       cat[i].negative ? "N" : "-", vers, cat[i].rfc, cat[i].requirement, cat[i].name);
	}
}

static int list(unsigned side, int json)
{
	if (json) {
		int first = 1;
		fputc('[', stdout);
		for (unsigned s = IPK_CONFORM_HOST; s <= IPK_CONFORM_ROUTER; s++) {
			size_t n;
			const struct ipk_conform_check *cat = ipk_conform_catalogue(s, &n);
			if (side && s != side)
				continue;
			for (size_t i = 0; i < n; i++) {
				fputs(first ? "" : ",", stdout);
				first = 0;
				json_check_head(stdout, &cat[i]);
				fputc('}', stdout);
			}
		}
		fputs("]\n", stdout);
	} else {
		for (unsigned s = IPK_CONFORM_HOST; s <= IPK_CONFORM_ROUTER; s++) {
			if (side && s != side)
				continue;
			size_t n;
			(void)ipk_conform_catalogue(s, &n);
			if (!side)
				printf("%s%s checks (%zu):\n", s == IPK_CONFORM_ROUTER ? "\n" : "", ipk_conform_side_name(s), n);
			list_text(s);
		}
	}
	return fflush(stdout) == 0 && !ferror(stdout) ? IPK_EXIT_OK : IPK_EXIT_FINDINGS;
}

/* ---- options ---- */

static void usage(FILE *f)
{
	fprintf(f,
		"usage: ipv4kit conform host   -i IFACE --target ADDR [--source ADDR] [-V 1|2|3] [--join-cmd CMD]\n"
		"                              [--leave-cmd CMD] [--expect G[@S,..|!S,..]]... [--mrt MS] [--uri MS]\n"
		"                              [--slack MS] [COMMON]\n"
		"       ipv4kit conform router -i IFACE --target ADDR [--source ADDR] [-V 1|2|3] [--state-cmd CMD]\n"
		"                              [--restart-cmd CMD] [--query-interval MS] [--last-member-interval MS]\n"
		"                              [--robustness N] [--slack MS] [COMMON]\n"
		"       ipv4kit conform --list [host|router] [--json]\n"
		"COMMON: [--only IDS] [--skip IDS] [--json] [--junit FILE] [--pcap DIR] [--quiet] [--mac-dst MAC]\n"
		"\n"
		"IGMP conformance suite (RFC 3376/9776, RFC 2236, RFC 1112; docs/conform.md): every check has an\n"
		"ID, a level (MUST/SHOULD/MAY), the RFC section and sentence it tests, and ends in pass, fail,\n"
		"deviation, inconclusive or skipped, with what was sent, expected and seen. host: ipv4kit plays\n"
		"the router and the target is a host; router: ipv4kit plays hosts (and a competing querier) and\n"
		"the target is a router or querier. Frames go out whole (any source, checksum, length).\n"
		"  -i, --interface IFACE      the link the target is on (needs root or CAP_NET_RAW)\n"
		"  -t, --target ADDR          the target's unicast address\n"
		"  -s, --source ADDR          the suite's address (default: IFACE's first IPv4 address)\n"
		"  -V, --igmp-version N       host: the router version played; router: the target's querier\n"
		"                             version; 1, 2 or 3 (default 3)\n"
		"host:\n"
		"      --join-cmd CMD         shell command making the target join: {group} (dotted), {sources}\n"
		"                             (comma-separated, empty for none) and {mode} (include, exclude,\n"
		"                             leave) replaced; exit 0 once done; killed after 10 s\n"
		"      --leave-cmd CMD        the same for leaving (default: --join-cmd with {mode} leave)\n"
		"      --expect G[@S,..|!S,..]  without hooks: a group the target has joined (any source,\n"
		"                             these sources, all but these); repeat, at most 16\n"
		"      --mrt MS               Max Resp Time of the suite's queries, 100..3174400 (default 1000;\n"
		"                             v2: at most 25500)\n"
		"      --uri MS               the target's unsolicited report interval, 1..3600000 (default:\n"
		"                             1000 for v3, 10000 for v1/v2)\n"
		"router:\n"
		"      --state-cmd CMD        shell command printing the target's group table (JSON such as\n"
		"                             `bridge -j mdb show`, or text); read up to 1 MiB\n"
		"      --restart-cmd CMD      shell command restarting the target (startup checks)\n"
		"      --query-interval MS    the target's query interval, 1000..31744000 (default: learned)\n"
		"      --last-member-interval MS  its last member query interval, 100..3174400 (default: learned)\n"
		"      --robustness N         its robustness variable, 1..7 (default: learned)\n"
		"both:\n"
		"      --slack MS             added to every RFC time window, 0..60000 (default 300)\n"
		"      --only IDS             run only these checks: IDs or names, comma-separated\n"
		"      --skip IDS             do not run these\n"
		"      --json                 the report as one JSON object on stdout (table on stderr)\n"
		"      --junit FILE           a JUnit XML report (one testcase per selected check)\n"
		"      --pcap DIR             each run check's packets, sent and heard, as DIR/ID-NAME.pcap\n"
		"                             (raw IPv4 link type); DIR is created when missing\n"
		"  -q, --quiet                no table: only the summary\n"
		"      --mac-dst MAC          the target's MAC (default: from the neighbour table)\n"
		"      --list                 print the catalogue (one side or both; --json: one array)\n"
		"  -h, --help                 this help\n"
		"Exit: 0 no MUST check failed; 1 one did; 2 usage error (unknown option or check, bad value,\n"
		"missing -i or --target); 3 the run could not start (no such interface, no permission).\n");
}

enum {
	O_JOIN = 256, O_LEAVE, O_EXPECT, O_MRT, O_URI, O_SLACK, O_STATE, O_RESTART, O_QI, O_LMQI, O_RV, O_ONLY,
	O_SKIP, O_JSON, O_JUNIT, O_PCAP, O_LIST, O_MACDST,
};

/* Options that belong to one side: the option, its side. */
static const struct {
	int opt;
	const char *name;
	unsigned side;
} side_opts[] = {
	{O_JOIN, "--join-cmd", IPK_CONFORM_HOST},       {O_LEAVE, "--leave-cmd", IPK_CONFORM_HOST},
	{O_EXPECT, "--expect", IPK_CONFORM_HOST},       {O_MRT, "--mrt", IPK_CONFORM_HOST},
	{O_URI, "--uri", IPK_CONFORM_HOST},             {O_STATE, "--state-cmd", IPK_CONFORM_ROUTER},
	{O_RESTART, "--restart-cmd", IPK_CONFORM_ROUTER}, {O_QI, "--query-interval", IPK_CONFORM_ROUTER},
	{O_LMQI, "--last-member-interval", IPK_CONFORM_ROUTER}, {O_RV, "--robustness", IPK_CONFORM_ROUTER},
};

static int parse_addr(const char *what, const char *s, int unicast, uint32_t *a)
{
	if (ipk_ip4_aton(s, a) != 0 || (unicast && (*a == 0 || ipk_ip4_is_multicast(*a) || *a == 0xffffffffu)))
		return ipk_cli_usage(PROG, "%s: '%s' is not a unicast IPv4 address", what, s), -1;
	if (ipk_ip4_is_multicast(*a) || *a == 0xffffffffu)
		return ipk_cli_usage(PROG, "%s: '%s' is not a unicast IPv4 address or 0.0.0.0", what, s), -1;
	return 0;
}

/* --expect G[@S,..|!S,..] into cfg->expect. */
static int parse_expect(struct ipk_conform_cfg *cfg, const char *arg)
{
	struct ipk_cli_group g;
	char err[128];
	size_t col;
	if (ipk_cli_group(arg, strlen(arg), &g, err, sizeof(err), &col) != 0)
		return ipk_cli_usage(PROG, "--expect '%s': column %zu: %s", arg, col, err), -1;
	if (cfg->nexpect >= sizeof(cfg->expect) / sizeof(cfg->expect[0]))
		return ipk_cli_usage(PROG, "--expect: more than %zu groups", sizeof(cfg->expect) / sizeof(cfg->expect[0])), -1;
	if (g.nsrc > sizeof(cfg->expect[0].srcs) / sizeof(cfg->expect[0].srcs[0]))
		return ipk_cli_usage(PROG, "--expect '%s': more than %zu sources", arg,
				     sizeof(cfg->expect[0].srcs) / sizeof(cfg->expect[0].srcs[0])), -1;
	struct ipk_conform_expect *e = &cfg->expect[cfg->nexpect++];
	e->group = g.group;
	e->mode = g.mode == IPK_CLI_INCLUDE ? IPK_CONFORM_INCLUDE : IPK_CONFORM_EXCLUDE;
	e->nsrcs = (uint8_t)g.nsrc;
	memcpy(e->srcs, g.src, g.nsrc * sizeof(g.src[0]));
	return 0;
}

static int ms_opt(const char *what, const char *s, unsigned long min, unsigned long max, uint32_t *out)
{
	unsigned long v;
	if (ipk_cli_num(PROG, what, s, min, max, &v) != 0)
		return -1;
	*out = (uint32_t)v;
	return 0;
}

static int side_word(const char *s, unsigned *side)
{
	if (strcmp(s, "host") == 0)
		*side = IPK_CONFORM_HOST;
	else if (strcmp(s, "router") == 0)
		*side = IPK_CONFORM_ROUTER;
	else
		return -1;
	return 0;
}

/* ---- the run ---- */

static int open_link(struct ct *t)
{
	int r;
	if ((t->lfd = ipk_link_open(t->ifindex)) < 0 || (r = ipk_link_get_mac(t->lfd, t->mac)) < 0) {
		r = t->lfd < 0 ? t->lfd : r;
		fprintf(stderr, "%s: -i %s: cannot open a packet socket: %s%s\n", PROG, t->ifname, strerror(-r),
			r == -EPERM ? " (needs root or CAP_NET_RAW)" : "");
		return -1;
	}
	if ((t->rx = ipk_igmp_listen_open(t->ifindex, 0)) < 0) {
		fprintf(stderr, "%s: -i %s: cannot listen for IGMP: %s%s\n", PROG, t->ifname, strerror(-t->rx),
			t->rx == -EPERM ? " (needs root or CAP_NET_RAW)" : "");
		return -1;
	}
	return 0;
}

static void summary(struct ct *t, const struct totals *s, int interrupted)
{
	FILE *f = t->out;
	fprintf(f, "%s %s: %u checks run in %.1f s: %u pass, %u fail, %u deviation, %u inconclusive; %u skipped; ",
		PROG, ipk_conform_side_name(t->side), s->run, s->secs, s->v[IPK_CONFORM_PASS], s->v[IPK_CONFORM_FAIL],
		s->v[IPK_CONFORM_DEVIATION], s->v[IPK_CONFORM_INCONCLUSIVE], s->v[IPK_CONFORM_SKIPPED]);
	if (!s->must_failed) {
		fprintf(f, "no MUST check failed");
	} else {
		fprintf(f, "%u MUST check%s failed:", s->must_failed, s->must_failed == 1 ? "" : "s");
		for (size_t i = 0; i < t->nrec; i++)
			if (t->recs[i].r.verdict == IPK_CONFORM_FAIL && t->recs[i].r.check->level == IPK_CONFORM_MUST)
				fprintf(f, " %s", t->recs[i].r.check->id);
	}
	fprintf(f, "%s\n", interrupted ? " (stopped by a signal: the rest not run)" : "");
	fflush(f);
}

int ipk_cmd_conform(int argc, char **argv)
{
	static const struct option lopts[] = {
	    {"interface", required_argument, NULL, 'i'},
	    {"target", required_argument, NULL, 't'},
	    {"source", required_argument, NULL, 's'},
	    {"igmp-version", required_argument, NULL, 'V'},
	    {"join-cmd", required_argument, NULL, O_JOIN},
	    {"leave-cmd", required_argument, NULL, O_LEAVE},
	    {"expect", required_argument, NULL, O_EXPECT},
	    {"mrt", required_argument, NULL, O_MRT},
	    {"uri", required_argument, NULL, O_URI},
	    {"slack", required_argument, NULL, O_SLACK},
	    {"state-cmd", required_argument, NULL, O_STATE},
	    {"restart-cmd", required_argument, NULL, O_RESTART},
	    {"query-interval", required_argument, NULL, O_QI},
	    {"last-member-interval", required_argument, NULL, O_LMQI},
	    {"robustness", required_argument, NULL, O_RV},
	    {"only", required_argument, NULL, O_ONLY},
	    {"skip", required_argument, NULL, O_SKIP},
	    {"json", no_argument, NULL, O_JSON},
	    {"junit", required_argument, NULL, O_JUNIT},
	    {"pcap", required_argument, NULL, O_PCAP},
	    {"quiet", no_argument, NULL, 'q'},
	    {"list", no_argument, NULL, O_LIST},
	    {"mac-dst", required_argument, NULL, O_MACDST},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	static struct ct t; /* one per process */
	struct ipk_conform_cfg hcfg, rcfg;
	const char *iface = NULL, *only = NULL, *skip = NULL;
	int have_target = 0, have_source = 0, listing = 0, seen_opt[O_MACDST + 1] = {0};
	uint32_t target = 0, source = 0, mrt = 0, uri = 0, slack = 0, qi = 0, lmqi = 0;
	unsigned long version = 3, rv = 0;
	int have_slack = 0, opt;

	memset(&t, 0, sizeof(t));
	t.lfd = t.rx = -1;
	ipk_conform_cfg_default(&hcfg, IPK_CONFORM_HOST);
	opterr = 0;
	optind = 1;
	for (;;) {
		opt = getopt_long(argc, argv, "+:i:t:s:V:qh", lopts, NULL);
		if (opt == -1) {
			if (optind >= argc)
				break;
			/* the side word, wherever it stands */
			if (t.side || side_word(argv[optind], &t.side) != 0)
				return ipk_cli_usage(PROG, "unexpected argument '%s'%s", argv[optind],
						     t.side ? "" : " (host or router)");
			optind++;
			continue;
		}
		if (opt >= 0 && opt <= O_MACDST)
			seen_opt[opt] = 1;
		switch (opt) {
		case 'i': iface = optarg; break;
		case 't':
			if (parse_addr("--target", optarg, 1, &target) != 0)
				return IPK_EXIT_USAGE;
			have_target = 1;
			break;
		case 's':
			if (parse_addr("--source", optarg, 0, &source) != 0)
				return IPK_EXIT_USAGE;
			have_source = 1;
			break;
		case 'V':
			if (ipk_cli_num(PROG, "-V", optarg, 1, 3, &version) != 0)
				return IPK_EXIT_USAGE;
			break;
		case O_JOIN: t.join_cmd = optarg; break;
		case O_LEAVE: t.leave_cmd = optarg; break;
		case O_EXPECT:
			if (parse_expect(&hcfg, optarg) != 0)
				return IPK_EXIT_USAGE;
			break;
		case O_MRT:
			if (ms_opt("--mrt", optarg, 100, 3174400, &mrt) != 0)
				return IPK_EXIT_USAGE;
			break;
		case O_URI:
			if (ms_opt("--uri", optarg, 1, 3600000, &uri) != 0)
				return IPK_EXIT_USAGE;
			break;
		case O_SLACK:
			if (ms_opt("--slack", optarg, 0, 60000, &slack) != 0)
				return IPK_EXIT_USAGE;
			have_slack = 1;
			break;
		case O_STATE: t.state_cmd = optarg; break;
		case O_RESTART: t.restart_cmd = optarg; break;
		case O_QI:
			if (ms_opt("--query-interval", optarg, 1000, 31744000, &qi) != 0)
				return IPK_EXIT_USAGE;
			break;
		case O_LMQI:
			if (ms_opt("--last-member-interval", optarg, 100, 3174400, &lmqi) != 0)
				return IPK_EXIT_USAGE;
			break;
		case O_RV:
			if (ipk_cli_num(PROG, "--robustness", optarg, 1, 7, &rv) != 0)
				return IPK_EXIT_USAGE;
			break;
		case O_ONLY: only = optarg; break;
		case O_SKIP: skip = optarg; break;
		case O_JSON: t.json = 1; break;
		case O_JUNIT: t.junit = optarg; break;
		case O_PCAP: t.pcapdir = optarg; break;
		case 'q': t.quiet = 1; break;
		case O_LIST: listing = 1; break;
		case O_MACDST:
			if (ipk_cli_mac(PROG, "--mac-dst", optarg, t.tmac) != 0)
				return IPK_EXIT_USAGE;
			t.have_tmac = 1;
			break;
		case 'h': usage(stdout); return IPK_EXIT_OK;
		default: return ipk_cli_badopt(PROG, argv, opt);
		}
	}
	if (listing) {
		for (int o = 0; o <= O_MACDST; o++)
			if (seen_opt[o] && o != O_LIST && o != O_JSON)
				return ipk_cli_usage(PROG, "--list takes only a side (host or router) and --json");
		return list(t.side, t.json);
	}
	if (!t.side)
		return ipk_cli_usage(PROG, "no side given: 'conform host' (the target is a host), 'conform router' "
					   "(a router or querier) or 'conform --list'");
	for (size_t i = 0; i < sizeof(side_opts) / sizeof(side_opts[0]); i++)
		if (seen_opt[side_opts[i].opt] && side_opts[i].side != t.side)
			return ipk_cli_usage(PROG, "%s applies to 'conform %s' only", side_opts[i].name,
					     ipk_conform_side_name(side_opts[i].side));
	if (!iface)
		return ipk_cli_usage(PROG, "no interface given (-i IFACE)");
	if (!have_target)
		return ipk_cli_usage(PROG, "no target given (--target ADDR)");
	if (t.side == IPK_CONFORM_HOST && version == 2 && mrt > 25500)
		return ipk_cli_usage(PROG, "--mrt: %u ms does not fit an IGMPv2 query (at most 25500)", mrt);
	if (t.side == IPK_CONFORM_ROUTER && have_source && !source)
		return ipk_cli_usage(PROG, "--source: the router suite's hosts need a unicast address, not 0.0.0.0");
	if (t.leave_cmd && !t.join_cmd)
		return ipk_cli_usage(PROG, "--leave-cmd needs --join-cmd");
	if (t.join_cmd && hcfg.nexpect)
		return ipk_cli_usage(PROG, "--expect is for a target without hooks: drop it or --join-cmd");

	/* the configuration */
	if (t.side == IPK_CONFORM_HOST) {
		t.cfg = hcfg;
	} else {
		ipk_conform_cfg_default(&rcfg, IPK_CONFORM_ROUTER);
		t.cfg = rcfg;
	}
	t.cfg.version = (uint8_t)version;
	t.cfg.target = target;
	if (mrt)
		t.cfg.mrt_ms = mrt;
	t.cfg.uri_ms = uri;
	if (have_slack)
		t.cfg.slack_ms = slack;
	t.cfg.query_interval_ms = qi;
	t.cfg.last_member_interval_ms = lmqi;
	t.cfg.robustness = (uint8_t)rv;

	/* the selection */
	char err[256] = "";
	t.cat = ipk_conform_catalogue(t.side, &t.ncat);
	t.sel = calloc(t.ncat ? t.ncat : 1, 1);
	t.recs = calloc(t.ncat ? t.ncat : 1, sizeof(*t.recs));
	if (!t.sel || !t.recs) {
		fprintf(stderr, "%s: out of memory\n", PROG);
		return IPK_EXIT_SETUP;
	}
	if (ipk_conform_select(t.side, only, NULL, t.sel, t.ncat, err, sizeof(err)) != 0)
		return ipk_cli_usage(PROG, "--only: %s", err);
	if (ipk_conform_select(t.side, only, skip, t.sel, t.ncat, err, sizeof(err)) != 0)
		return ipk_cli_usage(PROG, "--skip: %s", err);

	/* the link */
	if (ipk_cli_ifindex(PROG, iface, &t.ifindex) != 0)
		return IPK_EXIT_SETUP;
	if (!if_indextoname(t.ifindex, t.ifname))
		snprintf(t.ifname, sizeof(t.ifname), "%s", iface);
	if (!have_source && !(source = ipk_cli_if_addr(t.ifname))) {
		fprintf(stderr, "%s: %s has no IPv4 address: give the suite's with --source ADDR\n", PROG, t.ifname);
		return IPK_EXIT_SETUP;
	}
	t.cfg.self = source;
	if (t.pcapdir) {
		struct stat st;
		if (mkdir(t.pcapdir, 0777) != 0 && errno != EEXIST) {
			fprintf(stderr, "%s: --pcap: cannot create %s: %s\n", PROG, t.pcapdir, strerror(errno));
			return IPK_EXIT_SETUP;
		}
		if (stat(t.pcapdir, &st) != 0 || !S_ISDIR(st.st_mode)) {
			fprintf(stderr, "%s: --pcap: %s is not a directory\n", PROG, t.pcapdir);
			return IPK_EXIT_SETUP;
		}
	}
	char jtmp[4096];
	if (t.junit && ipk_pcapw_tmpname(t.junit, jtmp, sizeof(jtmp)) != 0)
		return ipk_cli_usage(PROG, "--junit: file name too long");

	int ret = IPK_EXIT_SETUP, ll_old = -1;
	void *mem = malloc(IPK_CONFORM_MEM);
	t.state = malloc(STATE_MAX);
	if (!mem || !t.state) {
		fprintf(stderr, "%s: out of memory\n", PROG);
		goto out;
	}
	if (open_link(&t) != 0)
		goto out;
	if (!t.have_tmac && ipk_cli_neigh_mac(t.ifname, t.cfg.target, t.tmac, 2000) == 0)
		t.have_tmac = 1;
	if (!t.have_tmac) {
		char a[16];
		ipk_ip4_ntoa(t.cfg.target, a);
		fprintf(stderr, "%s: warning: no neighbour entry for %s on %s after 2 s: checks that send to it "
				"unicast are inconclusive (give --mac-dst MAC)\n", PROG, a, t.ifname);
	}
	/* this host must not report its own link-local groups on the link under test (put back) */
	int r = ipk_igmp_link_local_reports(0, &ll_old);
	if (r < 0) {
		fprintf(stderr, "%s: warning: cannot set net.ipv4.igmp_link_local_mcast_reports to 0 (%s): this "
				"host may report its own link-local groups\n", PROG, strerror(-r));
		ll_old = -1;
	}

	t.out = t.json ? stderr : stdout;
	t.color = isatty(fileno(t.out)) && getenv("NO_COLOR") == NULL;
	struct ipk_conform_io io = {
		.ctx = &t,
		.now_us = io_now,
		.send = io_send,
		.recv = io_recv,
		.target_set = t.side == IPK_CONFORM_HOST && t.join_cmd ? io_target_set : NULL,
		.target_has = t.side == IPK_CONFORM_ROUTER ? io_target_has : NULL,
		.target_restart = t.side == IPK_CONFORM_ROUTER ? io_target_restart : NULL,
		.on_result = on_result,
	};
	ipk_cli_signals(1);
	t.t0_us = mono_us();
	t.real_off_ns = clock_ns(CLOCK_REALTIME) - clock_ns(CLOCK_MONOTONIC);
	if (!t.quiet) {
		char a[16], b[16];
		size_t nsel = 0;
		for (size_t i = 0; i < t.ncat; i++)
			nsel += t.sel[i];
		ipk_ip4_ntoa(t.cfg.self, a);
		ipk_ip4_ntoa(t.cfg.target, b);
		fprintf(t.out, "%s %s: IGMPv%u, suite %s on %s, target %s: %zu of %zu checks\n", PROG,
			ipk_conform_side_name(t.side), t.cfg.version, a, t.ifname, b, nsel, t.ncat);
		fprintf(t.out, "%-4s %-6s %-12s %7s  %s\n", "ID", "LEVEL", "VERDICT", "MS", "SEEN");
		fflush(t.out);
	}
	struct ipk_conform_summary sum;
	r = ipk_conform_run(&t.cfg, &io, t.sel, t.ncat, mem, IPK_CONFORM_MEM, &sum);
	int interrupted = t.halted || ipk_cli_stop;
	if (r != 0 && !(interrupted && r == -EINTR))
		fprintf(stderr, "%s: the run stopped: %s\n", PROG, r < 0 && r > -4096 ? strerror(-r) : ipk_strerror(r));

	struct totals s;
	totals(&t, &s);
	summary(&t, &s, interrupted);
	if (t.json)
		json_report(&t, &s, interrupted);
	int wrote = 0;
	if (t.junit) {
		struct junit_arg ja = {&t, &s};
		wrote = ipk_cli_save(PROG, "--junit", t.junit, jtmp, junit_fill, &ja);
	}
	ret = s.must_failed ? IPK_EXIT_FINDINGS : IPK_EXIT_OK;
	if (r != 0 && !(interrupted && r == -EINTR))
		ret = IPK_EXIT_SETUP;
	if (wrote != 0 && ret == IPK_EXIT_OK)
		ret = IPK_EXIT_SETUP;
out:
	if (ll_old == 1)
		(void)ipk_igmp_link_local_reports(1, NULL);
	if (t.lfd >= 0)
		close(t.lfd);
	if (t.rx >= 0)
		close(t.rx);
	for (size_t i = 0; i < t.nrec; i++)
		free(t.recs[i].pcap);
	free(t.recs);
	free(t.sel);
	free(t.state);
	free(mem);
	return ret;
}
