/* mutator_libfuzzer.c - libFuzzer custom mutator and crossover (LLVMFuzzerCustomMutator, LLVMFuzzerCustomCrossOver) over the structure-aware IPv4/IGMP mutator, linked into the fuzz_<h>_mut harnesses. */
#include <string.h>

#include "mutator_glue.h"

size_t LLVMFuzzerMutate(uint8_t *data, size_t size, size_t max_size);
int LLVMFuzzerInitialize(int *argc, char ***argv);
size_t LLVMFuzzerCustomMutator(uint8_t *data, size_t size, size_t max_size, unsigned int seed);
size_t LLVMFuzzerCustomCrossOver(const uint8_t *data1, size_t size1, const uint8_t *data2,
				 size_t size2, uint8_t *out, size_t max_out_size, unsigned int seed);

static int fmt = -1;

/* The harness from the program's name (fuzz_igmp_mut: igmp) unless IPK_MUT_FORMAT says. */
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	fmt = glue_format(*argc > 0 ? (*argv)[0] : NULL);
	return 0;
}

/* One call in four, and every call for input that holds no datagram, is libFuzzer's own. */
size_t LLVMFuzzerCustomMutator(uint8_t *data, size_t size, size_t max_size, unsigned int seed)
{
	struct ipk_mutator m;
	if (fmt < 0)
		fmt = glue_format(NULL);
	if (fmt == GLUE_RAW || seed % 4 == 0)
		return LLVMFuzzerMutate(data, size, max_size);
	glue_init(&m, seed, fmt);
	return glue_mutate(&m, fmt, data, size, max_size, NULL, 0);
}

size_t LLVMFuzzerCustomCrossOver(const uint8_t *data1, size_t size1, const uint8_t *data2,
				 size_t size2, uint8_t *out, size_t max_out_size, unsigned int seed)
{
	struct ipk_mutator m;
	size_t n = size1 < max_out_size ? size1 : max_out_size;
	if (fmt < 0)
		fmt = glue_format(NULL);
	memcpy(out, data1, n);
	glue_init(&m, seed, fmt);
	return glue_mutate(&m, fmt, out, n, max_out_size, data2, size2);
}
