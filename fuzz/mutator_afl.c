/* mutator_afl.c - AFL++ custom mutator (AFL_CUSTOM_MUTATOR_LIBRARY=libipk_afl_mutator.so): the structure-aware IPv4/IGMP mutator for the harness named by IPK_MUT_FORMAT or by the target on afl-fuzz's command line. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mutator_glue.h"

/* The C API of AFL++'s custom mutators (docs/custom_mutators.md of AFL++; Debian 12 ships 4.04c):
 * afl_custom_init, afl_custom_fuzz_count, afl_custom_fuzz, afl_custom_deinit. The afl_state_t
 * pointer is not used. */
#define AFL_API __attribute__((visibility("default"))) /* the build hides symbols by default */
AFL_API void *afl_custom_init(void *afl, unsigned int seed);
AFL_API size_t afl_custom_fuzz(void *data, uint8_t *buf, size_t buf_size, uint8_t **out_buf,
			       uint8_t *add_buf, size_t add_buf_size, size_t max_size);
AFL_API uint32_t afl_custom_fuzz_count(void *data, const uint8_t *buf, size_t buf_size);
AFL_API void afl_custom_deinit(void *data);

struct shim {
	struct ipk_mutator m;
	int fmt;
	size_t cap;
	uint8_t *out;
};

/* The target: the first argument after "--" on afl-fuzz's command line (this process's). */
static int target_format(void)
{
	static char cmd[8192];
	FILE *f = fopen("/proc/self/cmdline", "rb");
	if (!f)
		return glue_format(NULL);
	size_t n = fread(cmd, 1, sizeof(cmd) - 1, f);
	fclose(f);
	cmd[n] = 0;
	for (size_t i = 0; i < n; i += strlen(cmd + i) + 1)
		if (strcmp(cmd + i, "--") == 0 && i + 3 < n)
			return glue_format(cmd + i + 3);
	return glue_format(NULL);
}

void *afl_custom_init(void *afl, unsigned int seed)
{
	(void)afl;
	struct shim *s = calloc(1, sizeof(*s));
	if (!s)
		return NULL;
	s->fmt = target_format();
	glue_init(&s->m, seed, s->fmt);
	if (getenv("IPK_MUT_VERBOSE"))
		fprintf(stderr, "ipk_afl_mutator: format %d, seed %u\n", s->fmt, seed);
	return s;
}

size_t afl_custom_fuzz(void *data, uint8_t *buf, size_t buf_size, uint8_t **out_buf, uint8_t *add_buf,
		       size_t add_buf_size, size_t max_size)
{
	struct shim *s = data;
	if (max_size > s->cap) {
		uint8_t *p = realloc(s->out, max_size);
		if (!p) {
			*out_buf = buf;
			return buf_size;
		}
		s->out = p;
		s->cap = max_size;
	}
	size_t n = buf_size < max_size ? buf_size : max_size;
	memcpy(s->out, buf, n);
	/* one call in eight splices with the other queue entry AFL++ offers */
	int splice = add_buf && add_buf_size && (s->m.count & 7) == 7;
	*out_buf = s->out;
	return glue_mutate(&s->m, s->fmt, s->out, n, max_size, splice ? add_buf : NULL, add_buf_size);
}

/* Structured changes per queue entry, before AFL++'s own havoc stage: a share of the executions,
 * not all of them (IPK_MUT_AFL_COUNT overrides; fuzz/FUZZING.md has the measurements). */
uint32_t afl_custom_fuzz_count(void *data, const uint8_t *buf, size_t buf_size)
{
	(void)data;
	(void)buf;
	(void)buf_size;
	const char *e = getenv("IPK_MUT_AFL_COUNT");
	return e && *e ? (uint32_t)strtoul(e, NULL, 10) : 64;
}

void afl_custom_deinit(void *data)
{
	struct shim *s = data;
	free(s->out);
	free(s);
}
