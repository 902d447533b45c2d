/* mutator_check.c - CTest check of the AFL++ custom mutator module: loads it as afl-fuzz does (dlopen), mutates every seed of the igmp, igmprt, ip4rt, packet and ipopt corpora for each harness format, and checks sizes, how often the selector byte changes, that most IGMP results still parse with a right checksum, and that an MRC 0 v3 query comes out of a v3 query within 1000 calls. */
#define _POSIX_C_SOURCE 200809L /* setenv */
#include <dirent.h>
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ipv4kit/ipv4kit.h"

typedef void *(*init_fn)(void *, unsigned);
typedef size_t (*fuzz_fn)(void *, uint8_t *, size_t, uint8_t **, uint8_t *, size_t, size_t);
typedef void (*deinit_fn)(void *);

static init_fn init;
static fuzz_fn fuzz;
static deinit_fn deinit;
static int failed;

#define CHECK(c, ...)                                                                              \
	do {                                                                                       \
		if (!(c)) {                                                                        \
			fprintf(stderr, "FAIL: " __VA_ARGS__);                                     \
			fputc('\n', stderr);                                                       \
			failed++;                                                                  \
		}                                                                                  \
	} while (0)

static size_t load(const char *path, uint8_t *buf, size_t cap)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return 0;
	size_t n = fread(buf, 1, cap, f);
	fclose(f);
	return n;
}

/* Mutate each seed of corpus/<dir> 200 times as harness <dir>; returns how many results were
 * well-formed for the format (IGMP: parses with a right checksum). */
static void one_corpus(const char *root, const char *dir)
{
	char path[4096];
	snprintf(path, sizeof(path), "%s/%s", root, dir);
	DIR *d = opendir(path);
	if (!d) {
		printf("skip %s: no corpus\n", dir);
		return;
	}
	setenv("IPK_MUT_FORMAT", dir, 1);
	void *s = init(NULL, 1);
	CHECK(s != NULL, "afl_custom_init returned NULL");
	static uint8_t in[65536], add[65536];
	size_t addn = 0, total = 0, good = 0, changed = 0, selector = 0;
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.' || strncmp(e->d_name, "crash-", 6) == 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s/%s", root, dir, e->d_name);
		size_t n = load(path, in, sizeof(in));
		if (n == 0)
			continue;
		for (int i = 0; i < 200; i++) {
			uint8_t *out = NULL;
			size_t max = i % 2 ? n + 64 : 4096;
			if (max < n)
				max = n;
			size_t r = fuzz(s, in, n, &out, addn ? add : NULL, addn, max);
			CHECK(out != NULL && r >= 1 && r <= max, "%s: size %zu of max %zu", path, r, max);
			if (!out || r < 1 || r > max)
				continue;
			total++;
			changed += r != n || memcmp(out, in, n) != 0;
			if (!strcmp(dir, "ip4rt") || !strcmp(dir, "packet"))
				selector += out[0] != in[0];
			struct ipk_igmp g;
			if (!strcmp(dir, "igmp") && ipk_igmp_parse(out, r, &g, NULL) == 0 && g.checksum_ok)
				good++;
		}
		memcpy(add, in, n);
		addn = n;
	}
	closedir(d);
	deinit(s);
	printf("%s: %zu mutations, %zu changed the input, %zu well-formed IGMP\n", dir, total, changed,
	       good);
	CHECK(total > 0, "%s: nothing mutated", dir);
	CHECK(changed * 10 > total * 9, "%s: only %zu of %zu mutations changed the input", dir,
	      changed, total);
	/* the selector byte changes in about one call in eight, never in most */
	CHECK(selector * 4 < total, "%s: the selector byte changed in %zu of %zu calls", dir, selector,
	      total);
	if (!strcmp(dir, "ip4rt") || !strcmp(dir, "packet"))
		CHECK(selector * 20 > total, "%s: the selector byte changed in only %zu of %zu calls", dir,
		      selector, total);
	if (!strcmp(dir, "igmp"))
		CHECK(good * 2 > total, "igmp: only %zu of %zu results parse with a right checksum", good,
		      total);
}

/* CVE-2012-0207: MRC 0 on a v3 query, through the module, as harness igmp. */
static void mrc0(void)
{
	uint8_t q[12];
	struct ipk_wbuf w;
	struct ipk_igmp_v3q v = {ipk_igmp_code_encode(100), 0, 0, 2, 125, 0, NULL, 0, NULL};
	ipk_wbuf_init(&w, q, sizeof(q));
	CHECK(ipk_igmp_put_v3_query(&w, &v) == 0, "v3 query");
	setenv("IPK_MUT_FORMAT", "igmp", 1);
	void *s = init(NULL, 7);
	unsigned at = 0;
	for (unsigned i = 1; i <= 1000 && !at; i++) {
		uint8_t *out = NULL;
		size_t r = fuzz(s, q, sizeof(q), &out, NULL, 0, 4096);
		struct ipk_igmp g;
		if (ipk_igmp_parse(out, r, &g, NULL) == 0 && g.version == 3 && g.code == 0 && g.checksum_ok)
			at = i;
	}
	deinit(s);
	printf("MRC 0 v3 query after %u calls\n", at);
	CHECK(at != 0, "no MRC 0 v3 query in 1000 calls");
}

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: %s MODULE.so CORPUS_DIR\n", argv[0]);
		return 2;
	}
	void *h = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
	if (!h) {
		fprintf(stderr, "dlopen: %s\n", dlerror());
		return 1;
	}
	init = (init_fn)dlsym(h, "afl_custom_init");
	fuzz = (fuzz_fn)dlsym(h, "afl_custom_fuzz");
	deinit = (deinit_fn)dlsym(h, "afl_custom_deinit");
	if (!init || !fuzz || !deinit) {
		fprintf(stderr, "FAIL: the module lacks afl_custom_init/fuzz/deinit\n");
		return 1;
	}
	const char *dirs[] = {"igmp", "igmprt", "ip4rt", "packet", "ipopt"};
	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++)
		one_corpus(argv[2], dirs[i]);
	mrc0();
	dlclose(h);
	printf("%s\n", failed ? "FAILED" : "ok");
	return failed ? 1 : 0;
}
