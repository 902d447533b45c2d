/* driver.c - plain main() for the fuzz harnesses: replays the files named (CTest, triage) or, built by afl-clang-fast and run without arguments, runs AFL++'s persistent loop on shared-memory input. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#ifdef __AFL_FUZZ_TESTCASE_LEN
#include <unistd.h> /* read(): AFL++'s macros read stdin when no fuzzer shares memory */
__AFL_FUZZ_INIT();
#endif

static int run_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		perror(path);
		return 1;
	}
	uint8_t tmp[65536];
	size_t n = fread(tmp, 1, sizeof(tmp), f);
	fclose(f);
	/* Exact-size heap copy so an over-read hits ASan's redzone (c-ares' ares-fuzz.c idea). */
	uint8_t *buf = malloc(n ? n : 1);
	if (!buf)
		return 1;
	memcpy(buf, tmp, n);
	LLVMFuzzerTestOneInput(buf, n);
	free(buf);
	return 0;
}

int main(int argc, char **argv)
{
#ifdef __AFL_FUZZ_TESTCASE_LEN
	if (argc < 2) {
		__AFL_INIT();
		unsigned char *b = __AFL_FUZZ_TESTCASE_BUF;
		while (__AFL_LOOP(10000)) {
			size_t n = (size_t)__AFL_FUZZ_TESTCASE_LEN;
			uint8_t *buf = malloc(n ? n : 1);
			if (!buf)
				return 1;
			memcpy(buf, b, n);
			LLVMFuzzerTestOneInput(buf, n);
			free(buf);
		}
		return 0;
	}
#endif
	int rc = 0, count = 0;
	for (int i = 1; i < argc; i++, count++)
		rc |= run_file(argv[i]);
	printf("replayed %d inputs\n", count);
	return rc;
}
