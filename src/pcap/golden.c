/* golden.c - golden files: every frame's JSON written to a file, or compared with one line per frame and differences reported through the JSON differ. */
#include "capture.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

#include "ipv4kit/error.h"
#include "ipv4kit/fmt.h"
#include "ipv4kit/packet.h"
#include "ipv4kit/pcapio.h"

struct golden_ctx {
	FILE *exp;           /* expected lines (compare) */
	FILE *out;           /* output (write) */
	ipk_golden_fn fn;
	void *ctx;
	long ndiff;
	char *line;
	size_t lcap;
	char *js;            /* formatter output, IPK_FMT_HUGE */
	char *diff;
	struct ipk_packet p;
	int werr;
	int stop;            /* compare: why the callback stopped reading (an error code) */
	const char *expected;
	char *err;
	size_t errlen;
};

#define DIFF_CAP 8192

static int golden_json(struct golden_ctx *g, int dlt, const struct ipk_cap_frame *f)
{
	struct ipk_fmt_meta m = {f->frame, f->sec, f->nsec};
	ipk_packet_decode(dlt, f->data, f->caplen, f->wirelen, &g->p);
	return ipk_fmt_packet(&g->p, &m, IPK_FMT_JSON, g->js, IPK_FMT_HUGE);
}

/* A line of the expected file that is not JSON: the file is not a golden file. Stops the compare
 * with IPK_E_INVAL and one message naming the file and the line. */
static int not_json(struct golden_ctx *g, uint64_t line)
{
	if (g->err && g->errlen)
		snprintf(g->err, g->errlen, "%s: line %llu is not JSON (a golden file holds one JSON "
			 "object per frame, as replay golden --update writes it)", g->expected,
			 (unsigned long long)line);
	g->stop = IPK_E_INVAL;
	return 1;
}

static int golden_cmp_cb(void *ctx, int dlt, const struct ipk_cap_frame *f)
{
	struct golden_ctx *g = ctx;
	int n = golden_json(g, dlt, f);
	if (n < 0) {
		g->stop = IPK_E_NOSPACE;
		return 1;
	}
	ssize_t ll = getline(&g->line, &g->lcap, g->exp);
	if (ll < 0) {
		g->ndiff++;
		if (g->fn)
			g->fn(g->ctx, f->frame, "  not in the expected file (the capture has more frames)\n");
		return 0;
	}
	size_t a = (size_t)ll, b = (size_t)n;
	while (a && (g->line[a - 1] == '\n' || g->line[a - 1] == '\r'))
		a--;
	while (b && g->js[b - 1] == '\n')
		b--;
	if (a == b && memcmp(g->line, g->js, a) == 0)
		return 0;
	/* the formatter's side is JSON: a failed diff means the expected line is not */
	int d = ipk_json_diff(g->line, a, g->js, b, g->diff, DIFF_CAP);
	if (d == IPK_E_INVAL)
		return not_json(g, f->frame);
	if (d < 0) {
		g->stop = -ENOMEM;
		return 1;
	}
	g->ndiff++;
	if (g->fn)
		g->fn(g->ctx, f->frame,
		      d ? g->diff
			: "  same keys and values, different text (key order or spacing)\n");
	return 0;
}

static int golden_alloc(struct golden_ctx *g)
{
	g->js = malloc(IPK_FMT_HUGE);
	g->diff = malloc(DIFF_CAP);
	return g->js && g->diff ? 0 : -ENOMEM;
}

static void golden_release(struct golden_ctx *g)
{
	free(g->js);
	free(g->diff);
	free(g->line);
}

long ipk_golden_compare(const char *path, const char *expected, ipk_golden_fn fn, void *ctx,
			char *err, size_t errlen)
{
	struct golden_ctx *g = calloc(1, sizeof(*g));
	struct ipk_cap_info info;
	long ret;

	if (!g || golden_alloc(g)) {
		if (g)
			golden_release(g);
		free(g);
		return -ENOMEM;
	}
	g->exp = fopen(expected, "r");
	if (!g->exp) {
		int e = errno;
		ipk_cap_seterr(err, errlen, expected, strerror(e));
		golden_release(g);
		free(g);
		return -e;
	}
	g->fn = fn;
	g->ctx = ctx;
	g->expected = expected;
	g->err = err;
	g->errlen = errlen;
	int rc = ipk_cap_read(path, golden_cmp_cb, g, &info, err, errlen);
	if (rc == 0) {
		/* expected lines left over: frames the capture no longer has */
		uint64_t fr = info.frames;
		ssize_t ll;
		while (!g->stop && (ll = getline(&g->line, &g->lcap, g->exp)) >= 0) {
			fr++;
			if (ipk_json_diff(g->line, (size_t)ll, g->line, (size_t)ll, g->diff, 0) < 0) {
				not_json(g, fr);
				break;
			}
			g->ndiff++;
			if (fn)
				fn(ctx, fr, "  missing from the capture (the expected file has more frames)\n");
		}
		ret = g->stop ? g->stop : g->ndiff;
	} else if (rc > 0) {
		ret = g->stop;
		if (ret == IPK_E_NOSPACE)
			ipk_cap_seterr(err, errlen, path,
				       "a frame's JSON does not fit the formatter buffer");
		else if (ret == -ENOMEM)
			ipk_cap_seterr(err, errlen, path, strerror(ENOMEM));
	} else {
		ret = rc;
	}
	fclose(g->exp);
	golden_release(g);
	free(g);
	return ret;
}

static int golden_write_cb(void *ctx, int dlt, const struct ipk_cap_frame *f)
{
	struct golden_ctx *g = ctx;
	int n = golden_json(g, dlt, f);
	if (n < 0)
		return 1;
	if (fwrite(g->js, 1, (size_t)n, g->out) != (size_t)n)
		g->werr = errno ? errno : EIO;
	return 0;
}

long ipk_golden_write(const char *path, const char *out, char *err, size_t errlen)
{
	char tmp[4096];
	struct ipk_cap_info info;
	struct golden_ctx *g = calloc(1, sizeof(*g));
	if (!g || golden_alloc(g)) {
		if (g)
			golden_release(g);
		free(g);
		return -ENOMEM;
	}
	/* the name a signal handler can remove (include/ipv4kit/pcapio.h) */
	if (ipk_pcapw_tmpname(out, tmp, sizeof(tmp)) != 0) {
		golden_release(g);
		free(g);
		ipk_cap_seterr(err, errlen, out, strerror(ENAMETOOLONG));
		return -ENAMETOOLONG;
	}
	g->out = fopen(tmp, "w");
	if (!g->out) {
		int e = errno;
		golden_release(g);
		free(g);
		ipk_cap_seterr(err, errlen, tmp, strerror(e));
		return -e;
	}
	long ret = ipk_cap_read(path, golden_write_cb, g, &info, err, errlen);
	if (ret > 0)
		ret = IPK_E_NOSPACE;
	if (fflush(g->out) != 0 && !g->werr)
		g->werr = errno;
	if (fclose(g->out) != 0 && !g->werr)
		g->werr = errno;
	if (ret == 0 && g->werr) {
		ipk_cap_seterr(err, errlen, tmp, strerror(g->werr));
		ret = -g->werr;
	}
	if (ret == 0 && rename(tmp, out) != 0) {
		int e = errno;
		ipk_cap_seterr(err, errlen, out, strerror(e));
		ret = -e;
	}
	if (ret == 0)
		ret = (long)info.frames;
	else
		unlink(tmp);
	golden_release(g);
	free(g);
	return ret;
}
