/* scenario.c - `ipv4kit host`'s timeline: --join specs and scenario files parsed into membership actions on ranges of emulated hosts and groups, with errors naming file, line and column. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ipv4kit/ip4.h"
#include "scenario.h"

static const char *const act_names[] = {"join", "leave", "include", "exclude", "allow", "block"};
#define NACTS (sizeof(act_names) / sizeof(act_names[0]))

const char *ipk_scen_action_name(unsigned action)
{
	return action < NACTS ? act_names[action] : "unknown";
}

uint64_t ipk_scen_nops(const struct ipk_scen_act *a)
{
	uint64_t hosts = (uint64_t)a->h1 - a->h0 + 1;
	return a->spread ? hosts : hosts * a->ngroups;
}

void ipk_scen_op(const struct ipk_scen_act *a, uint64_t k, uint32_t *host, uint32_t *group)
{
	if (a->spread) {
		*host = a->h0 + (uint32_t)k;
		*group = a->g.group + (uint32_t)(k % a->ngroups);
	} else {
		*host = a->h0 + (uint32_t)(k / a->ngroups);
		*group = a->g.group + (uint32_t)(k % a->ngroups);
	}
}

/* Decimal s[0..len) into *v (at most max); 0 or -1. */
static int dec(const char *s, size_t len, uint32_t max, uint32_t *v)
{
	uint64_t x = 0;
	if (len == 0 || len > 10)
		return -1;
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		x = x * 10 + (uint64_t)(s[i] - '0');
	}
	if (x > max)
		return -1;
	*v = (uint32_t)x;
	return 0;
}

/* HOSTS: "all", "*", "N" or "A-B" (0-based, below nhosts). */
static int parse_hosts(const char *s, size_t len, uint32_t nhosts, struct ipk_scen_act *a,
		       char *err, size_t errlen)
{
	if ((len == 3 && memcmp(s, "all", 3) == 0) || (len == 1 && s[0] == '*')) {
		a->h0 = 0;
		a->h1 = nhosts - 1;
		return 0;
	}
	const char *dash = memchr(s, '-', len);
	size_t l0 = dash ? (size_t)(dash - s) : len;
	if (dec(s, l0, 0xffffffffu, &a->h0) != 0 ||
	    (dash ? dec(dash + 1, len - l0 - 1, 0xffffffffu, &a->h1) : (a->h1 = a->h0, 0)) != 0) {
		snprintf(err, errlen, "bad host range '%.*s' (N, A-B, all or *)", (int)(len > 40 ? 40 : len),
			 s);
		return -1;
	}
	if (a->h1 < a->h0 || a->h1 >= nhosts) {
		snprintf(err, errlen, "host range '%.*s' is not within 0-%u (--hosts %u)", (int)len, s,
			 nhosts - 1, nhosts);
		return -1;
	}
	return 0;
}

/* GROUP[+N|%N][@S,...|!S,...] into a->g, a->ngroups, a->spread. */
static int parse_groups(const char *s, size_t len, struct ipk_scen_act *a, char *err, size_t errlen,
			size_t *col)
{
	size_t gl = 0;
	while (gl < len && s[gl] != '@' && s[gl] != '!')
		gl++;
	size_t ql = 0;
	while (ql < gl && s[ql] != '+' && s[ql] != '%')
		ql++;
	a->ngroups = 1;
	a->spread = 0;
	if (ql < gl) {
		a->spread = s[ql] == '%';
		if (dec(s + ql + 1, gl - ql - 1, 1u << 24, &a->ngroups) != 0 || a->ngroups == 0) {
			*col = ql + 2;
			snprintf(err, errlen, "bad group count '%.*s' (1..16777216)", (int)(gl - ql - 1),
				 s + ql + 1);
			return -1;
		}
	}
	char buf[24 + IPK_CLI_MAX_SRCS * 16 + 8];
	if (ql + (len - gl) >= sizeof(buf)) {
		*col = 1;
		snprintf(err, errlen, "too long (at most %d sources)", IPK_CLI_MAX_SRCS);
		return -1;
	}
	memcpy(buf, s, ql);
	memcpy(buf + ql, s + gl, len - gl);
	if (ipk_cli_group(buf, ql + len - gl, &a->g, err, errlen, col) != 0) {
		if (*col > ql)
			*col += gl - ql;
		return -1;
	}
	uint64_t last = (uint64_t)a->g.group + a->ngroups - 1;
	if (last > 0xefffffffu || (a->g.group <= 0xe0000001u && last >= 0xe0000001u)) {
		*col = 1;
		snprintf(err, errlen, "groups %.*s run past 239.255.255.255 or include 224.0.0.1 (never reported)", (int)gl, s);
		return -1;
	}
	return 0;
}

int ipk_scen_join(const char *s, uint32_t nhosts, struct ipk_scen_act *a, char *err,
		  size_t errlen, size_t *col)
{
	memset(a, 0, sizeof(*a));
	a->action = IPK_ACT_JOIN;
	size_t len = strlen(s);
	const char *colon = memchr(s, ':', len);
	size_t off = 0;
	if (colon) {
		off = (size_t)(colon - s) + 1;
		*col = 1;
		if (parse_hosts(s, off - 1, nhosts, a, err, errlen) != 0)
			return -1;
	} else {
		a->h0 = 0;
		a->h1 = nhosts - 1;
	}
	if (parse_groups(s + off, len - off, a, err, errlen, col) != 0) {
		*col += off;
		return -1;
	}
	return 0;
}

/* What each action accepts after the group: 1 '@' list, 2 '!' list, 4 none. */
static int act_forms(unsigned action)
{
	switch (action) {
	case IPK_ACT_JOIN: return 7;
	case IPK_ACT_LEAVE: return 4;
	case IPK_ACT_INCLUDE: return 5;
	case IPK_ACT_EXCLUDE: return 7;
	default: return 1; /* allow, block */
	}
}

static int cmp_t(const void *x, const void *y)
{
	const struct ipk_scen_act *a = x, *b = y;
	if (a->t != b->t)
		return a->t < b->t ? -1 : 1;
	return a->line < b->line ? -1 : a->line > b->line; /* stable: file order */
}

int ipk_scen_load(const char *prog, const char *path, uint32_t nhosts, struct ipk_scen_act **acts,
		  size_t *n)
{
	FILE *f = fopen(path, "r");
	if (!f) {
		fprintf(stderr, "%s: --scenario: cannot open %s: %s\n", prog, path, strerror(errno));
		return -1;
	}
	char line[4096], err[160];
	size_t first = *n;
	uint32_t lineno = 0;
	int ret = 0;
	while (fgets(line, sizeof(line), f)) {
		lineno++;
		size_t len = strlen(line);
		if (len == sizeof(line) - 1 && line[len - 1] != '\n') {
			fprintf(stderr, "%s: %s:%u:1: line longer than %zu bytes\n", prog, path, lineno,
				sizeof(line) - 2);
			ret = -1;
			break;
		}
		char *hash = strchr(line, '#');
		if (hash)
			*hash = '\0';
		/* tokens: start and length */
		size_t ts[5], tl[5], nt = 0;
		for (size_t i = 0; line[i] && line[i] != '\n' && line[i] != '\r';) {
			if (line[i] == ' ' || line[i] == '\t') {
				i++;
				continue;
			}
			size_t e = i;
			while (line[e] && line[e] != ' ' && line[e] != '\t' && line[e] != '\n' &&
			       line[e] != '\r')
				e++;
			if (nt == 5)
				break;
			ts[nt] = i;
			tl[nt++] = e - i;
			i = e;
		}
		if (nt == 0)
			continue;
		if (nt != 4) {
			fprintf(stderr, "%s: %s:%u:%zu: %s (a line is: TIME HOSTS ACTION GROUP[@SRC,...])\n",
				prog, path, lineno, nt > 4 ? ts[4] + 1 : len + 1,
				nt > 4 ? "unexpected text after the group" : "missing fields");
			ret = -1;
			break;
		}
		struct ipk_scen_act a;
		memset(&a, 0, sizeof(a));
		a.line = lineno;
		char *end;
		line[ts[0] + tl[0]] = '\0';
		a.t = strtod(line + ts[0], &end);
		size_t col = 1, bad = 0;
		if (*end || !(a.t >= 0 && a.t <= 1e9)) {
			snprintf(err, sizeof(err), "bad time '%s' (seconds from the start, 0..1e9)",
				 line + ts[0]);
			bad = ts[0] + 1;
		} else if (parse_hosts(line + ts[1], tl[1], nhosts, &a, err, sizeof(err)) != 0) {
			bad = ts[1] + 1;
		} else {
			unsigned k;
			for (k = 0; k < NACTS; k++)
				if (strlen(act_names[k]) == tl[2] &&
				    memcmp(line + ts[2], act_names[k], tl[2]) == 0)
					break;
			if (k == NACTS) {
				snprintf(err, sizeof(err), "unknown action '%.*s' (join, leave, include, "
					 "exclude, allow, block)", (int)(tl[2] > 40 ? 40 : tl[2]), line + ts[2]);
				bad = ts[2] + 1;
			} else {
				a.action = (uint8_t)k;
				if (parse_groups(line + ts[3], tl[3], &a, err, sizeof(err), &col) != 0) {
					bad = ts[3] + col;
				} else {
					int form = a.g.mode == IPK_CLI_INCLUDE   ? 1
						   : a.g.mode == IPK_CLI_EXCLUDE ? 2
										 : 4;
					if (!(act_forms(k) & form)) {
						snprintf(err, sizeof(err), "%s takes %s", act_names[k],
							 k == IPK_ACT_LEAVE     ? "a group without sources"
							 : k == IPK_ACT_INCLUDE ? "GROUP or GROUP@SRC,..."
										: "GROUP@SRC,...");
						bad = ts[3] + 1;
					}
				}
			}
		}
		if (bad) {
			fprintf(stderr, "%s: %s:%u:%zu: %s\n", prog, path, lineno, bad, err);
			ret = -1;
			break;
		}
		if (*n % 64 == 0) {
			struct ipk_scen_act *p = realloc(*acts, (*n + 64) * sizeof(**acts));
			if (!p) {
				fprintf(stderr, "%s: out of memory\n", prog);
				ret = -1;
				break;
			}
			*acts = p;
		}
		(*acts)[(*n)++] = a;
	}
	if (ret == 0 && ferror(f)) {
		fprintf(stderr, "%s: --scenario: cannot read %s\n", prog, path);
		ret = -1;
	}
	fclose(f);
	if (ret == 0 && *n > first)
		qsort(*acts + first, *n - first, sizeof(**acts), cmp_t);
	return ret;
}
