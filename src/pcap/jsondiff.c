/* jsondiff.c - the key diff of two JSON documents (one decoded frame each): leaves matched by path, one line per difference. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ipv4kit/error.h"
#include "ipv4kit/harness.h"

struct leaf {
	size_t path;       /* offset into the path arena */
	const char *val;
	size_t vlen;
	int matched;
};

struct flat {
	struct leaf *v;
	size_t n, cap;
	char *arena;
	size_t alen, acap;
};

struct jp {
	const char *s, *end;
	struct flat *f;
	char path[512];
	size_t plen;
	int depth;
};

static void skip_ws(struct jp *j)
{
	while (j->s < j->end && (*j->s == ' ' || *j->s == '\n' || *j->s == '\r' || *j->s == '\t'))
		j->s++;
}

static int add_leaf(struct jp *j, const char *val, size_t vlen)
{
	struct flat *f = j->f;
	if (f->n == f->cap) {
		size_t nc = f->cap ? f->cap * 2 : 64;
		struct leaf *nv = realloc(f->v, nc * sizeof(*nv));
		if (!nv)
			return -1;
		f->v = nv;
		f->cap = nc;
	}
	if (f->alen + j->plen + 1 > f->acap) {
		size_t nc = (f->acap ? f->acap * 2 : 4096) + j->plen + 1;
		char *na = realloc(f->arena, nc);
		if (!na)
			return -1;
		f->arena = na;
		f->acap = nc;
	}
	memcpy(f->arena + f->alen, j->path, j->plen);
	f->arena[f->alen + j->plen] = 0;
	f->v[f->n++] = (struct leaf){f->alen, val, vlen, 0};
	f->alen += j->plen + 1;
	return 0;
}

static int parse_value(struct jp *j);

/* Append ".key" (a set) or "[idx]" to the path; returns the old length to restore. */
static size_t path_push(struct jp *j, const char *a, size_t alen, size_t idx)
{
	size_t old = j->plen;
	int w;
	if (a)
		w = snprintf(j->path + j->plen, sizeof(j->path) - j->plen, "%s%.*s",
			     j->plen ? "." : "", (int)alen, a);
	else
		w = snprintf(j->path + j->plen, sizeof(j->path) - j->plen, "[%zu]", idx);
	if (w > 0)
		j->plen += (size_t)w < sizeof(j->path) - j->plen ? (size_t)w
								 : sizeof(j->path) - j->plen - 1;
	return old;
}

static int parse_string(struct jp *j, const char **start, size_t *len)
{
	if (j->s >= j->end || *j->s != '"')
		return -1;
	const char *b = j->s++;
	while (j->s < j->end && *j->s != '"') {
		if (*j->s == '\\')
			j->s++;
		j->s++;
	}
	if (j->s >= j->end)
		return -1;
	j->s++;
	*start = b;
	*len = (size_t)(j->s - b);
	return 0;
}

static int parse_value(struct jp *j)
{
	skip_ws(j);
	if (j->s >= j->end || ++j->depth > 32)
		return -1;
	int rc = 0;
	if (*j->s == '{' || *j->s == '[') {
		int obj = *j->s == '{';
		char close = obj ? '}' : ']';
		size_t idx = 0;
		j->s++;
		skip_ws(j);
		if (j->s < j->end && *j->s == close) {
			j->s++;
			/* an empty container is a leaf of its own, so [] vs [x] shows */
			rc = add_leaf(j, obj ? "{}" : "[]", 2);
			j->depth--;
			return rc;
		}
		for (;;) {
			size_t old;
			skip_ws(j);
			if (obj) {
				const char *k;
				size_t kl;
				if (parse_string(j, &k, &kl))
					return -1;
				old = path_push(j, k + 1, kl - 2, 0);
				skip_ws(j);
				if (j->s >= j->end || *j->s != ':')
					return -1;
				j->s++;
			} else {
				old = path_push(j, NULL, 0, idx);
			}
			if (parse_value(j))
				return -1;
			j->plen = old;
			idx++;
			skip_ws(j);
			if (j->s < j->end && *j->s == ',') {
				j->s++;
				continue;
			}
			if (j->s < j->end && *j->s == close) {
				j->s++;
				break;
			}
			return -1;
		}
	} else if (*j->s == '"') {
		const char *v;
		size_t vl;
		if (parse_string(j, &v, &vl))
			return -1;
		rc = add_leaf(j, v, vl);
	} else {
		const char *b = j->s;
		while (j->s < j->end && (strchr("+-.0123456789eE", *j->s) || (*j->s >= 'a' && *j->s <= 'z')))
			j->s++;
		if (j->s == b)
			return -1;
		rc = add_leaf(j, b, (size_t)(j->s - b));
	}
	j->depth--;
	return rc;
}

static int flatten(const char *s, size_t len, struct flat *f)
{
	struct jp j = {s, s + len, f, "", 0, 0};
	if (parse_value(&j))
		return -1;
	skip_ws(&j);
	return j.s == j.end ? 0 : -1;
}

static void flat_free(struct flat *f)
{
	free(f->v);
	free(f->arena);
}

struct outbuf {
	char *p;
	size_t cap, len;
	int full;
};

/* Append s[0..n) (n: strlen when SIZE_MAX); marks the buffer full with "..." when it is. */
static void out_add(struct outbuf *o, const char *s, size_t n)
{
	if (o->full || !o->cap)
		return;
	if (n == SIZE_MAX)
		n = strlen(s);
	if (n >= o->cap - o->len) {
		o->full = 1;
		if (o->cap >= 5) {
			o->len = o->cap - 5;
			memcpy(o->p + o->len, "...\n", 5);
		}
		return;
	}
	memcpy(o->p + o->len, s, n);
	o->len += n;
	o->p[o->len] = 0;
}

/* "  path: a -> b\n" */
static void out_line(struct outbuf *o, const char *path, const char *a, size_t al, const char *b,
		     size_t bl)
{
	out_add(o, "  ", 2);
	out_add(o, path, SIZE_MAX);
	out_add(o, ": ", 2);
	out_add(o, a, al);
	out_add(o, " -> ", 4);
	out_add(o, b, bl);
	out_add(o, "\n", 1);
}

#define NONE "(none)" /* the side that has no value at a path */

struct pidx {
	const char *path;
	struct leaf *l;
};

static int cmp_pidx(const void *a, const void *b)
{
	return strcmp(((const struct pidx *)a)->path, ((const struct pidx *)b)->path);
}

/* The leaf of the sorted index ix[0..n) at path, or NULL. */
static struct leaf *lookup(const struct pidx *ix, size_t n, const char *path)
{
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = strcmp(ix[mid].path, path);
		if (c == 0)
			return ix[mid].l;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

static int is_empty_container(const struct leaf *l)
{
	return l->vlen == 2 && (memcmp(l->val, "[]", 2) == 0 || memcmp(l->val, "{}", 2) == 0);
}

/*
 * What side f holds inside the container at path (one that is empty on the other side): "N
 * entries" of an array, "N keys" of an object, into buf; NULL when f has nothing inside path.
 */
/* 1 when leaf path q lies inside the container at path (pl = its length, > 0). */
static int under(const char *q, const char *path, size_t pl)
{
	return strncmp(q, path, pl) == 0 && (q[pl] == '[' || q[pl] == '.');
}

static const char *inside(const struct flat *f, const char *path, char *buf, size_t cap)
{
	size_t pl = strlen(path), n = 0, lastlen = 0;
	const char *last = NULL;
	int arr = 0;
	if (!pl)
		return NULL;
	for (size_t i = 0; i < f->n; i++) {
		const char *q = f->arena + f->v[i].path;
		if (!under(q, path, pl))
			continue;
		arr = q[pl] == '[';
		const char *k = q + pl + 1;            /* the child: index or key */
		size_t kl = strcspn(k, arr ? "]" : ".[");
		if (!last || kl != lastlen || memcmp(k, last, kl) != 0)
			n++;                            /* leaves come in document order */
		last = k;
		lastlen = kl;
	}
	if (!n)
		return NULL;
	snprintf(buf, cap, "%zu %s", n,
		 arr ? (n == 1 ? "entry" : "entries") : (n == 1 ? "key" : "keys"));
	return buf;
}

/*
 * Report the leaf l at path that only one side has (it is on the want side when want is 1); the
 * other side's index is ix[0..n). When the other side has an empty container where this side has
 * entries, the container's line ("errors: [] -> 2 entries") comes first, once, and the entries
 * follow; an empty container on this side with entries on the other gets that line instead of
 * its own. Returns the lines written.
 */
static int one_side(struct outbuf *o, const struct flat *mine, struct flat *other,
		    const struct pidx *ix, size_t n, struct leaf *l, int want)
{
	const char *path = mine->arena + l->path;
	char cnt[32], pre[512];
	int lines = 0;

	if (is_empty_container(l)) {
		const char *c = inside(other, path, cnt, sizeof(cnt));
		if (c) {
			/* the container's line, then the other side's entries */
			size_t pl = strlen(path);
			l->matched = 1;
			if (want)
				out_line(o, path, l->val, l->vlen, c, strlen(c));
			else
				out_line(o, path, c, strlen(c), l->val, l->vlen);
			lines++;
			for (size_t i = 0; i < other->n; i++) {
				struct leaf *x = &other->v[i];
				if (x->matched || !under(other->arena + x->path, path, pl))
					continue;
				x->matched = 1;
				if (want)
					out_line(o, other->arena + x->path, NONE, sizeof(NONE) - 1,
						 x->val, x->vlen);
				else
					out_line(o, other->arena + x->path, x->val, x->vlen, NONE,
						 sizeof(NONE) - 1);
				lines++;
			}
			return lines;
		}
	}
	/* the innermost container of path that the other side has as an empty one */
	size_t pl = strlen(path) < sizeof(pre) ? strlen(path) : sizeof(pre) - 1;
	for (size_t k = pl; k > 0; k--) {
		if (path[k] != '[' && path[k] != '.')
			continue;
		memcpy(pre, path, k);
		pre[k] = 0;
		struct leaf *e = lookup(ix, n, pre);
		if (!e || !is_empty_container(e))
			continue;
		if (!e->matched) {
			const char *c = inside(mine, pre, cnt, sizeof(cnt));
			e->matched = 1;
			if (want)
				out_line(o, pre, c, strlen(c), e->val, e->vlen);
			else
				out_line(o, pre, e->val, e->vlen, c, strlen(c));
			lines++;
		}
		break;
	}
	if (want)
		out_line(o, path, l->val, l->vlen, NONE, sizeof(NONE) - 1);
	else
		out_line(o, path, NONE, sizeof(NONE) - 1, l->val, l->vlen);
	return lines + 1;
}

int ipk_json_diff(const char *want, size_t wlen, const char *got, size_t glen, char *out,
		  size_t cap)
{
	struct flat w = {0}, g = {0};
	struct outbuf o = {out, cap, 0, 0};
	int ndiff = 0;

	if (cap)
		out[0] = 0;
	while (wlen && (want[wlen - 1] == '\n' || want[wlen - 1] == '\r'))
		wlen--;
	while (glen && (got[glen - 1] == '\n' || got[glen - 1] == '\r'))
		glen--;
	if (flatten(want, wlen, &w) || flatten(got, glen, &g)) {
		flat_free(&w);
		flat_free(&g);
		return IPK_E_INVAL;
	}
	/* Match leaves by path: a sorted index of each side, binary search for the other's leaves. */
	struct pidx *gi = malloc((g.n + 1) * sizeof(*gi)), *wi = malloc((w.n + 1) * sizeof(*wi));
	if (!gi || !wi) {
		free(gi);
		free(wi);
		flat_free(&w);
		flat_free(&g);
		return IPK_E_NOSPACE;
	}
	for (size_t i = 0; i < g.n; i++)
		gi[i] = (struct pidx){g.arena + g.v[i].path, &g.v[i]};
	qsort(gi, g.n, sizeof(*gi), cmp_pidx);
	for (size_t i = 0; i < w.n; i++)
		wi[i] = (struct pidx){w.arena + w.v[i].path, &w.v[i]};
	qsort(wi, w.n, sizeof(*wi), cmp_pidx);
	for (size_t i = 0; i < w.n; i++) {
		const char *path = w.arena + w.v[i].path;
		struct leaf *m = lookup(gi, g.n, path);
		if (!m) {
			if (!w.v[i].matched)
				ndiff += one_side(&o, &w, &g, gi, g.n, &w.v[i], 1);
			continue;
		}
		m->matched = 1;
		if (m->vlen != w.v[i].vlen || memcmp(m->val, w.v[i].val, m->vlen) != 0) {
			ndiff++;
			out_line(&o, path, w.v[i].val, w.v[i].vlen, m->val, m->vlen);
		}
	}
	for (size_t i = 0; i < g.n; i++)
		if (!g.v[i].matched)
			ndiff += one_side(&o, &g, &w, wi, w.n, &g.v[i], 0);
	free(gi);
	free(wi);
	flat_free(&w);
	flat_free(&g);
	return ndiff;
}
