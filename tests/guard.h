/* guard.h - test helper: place input so it ends right before an unreadable page (picohttpparser style). */
#ifndef IPK_TEST_GUARD_H
#define IPK_TEST_GUARD_H

#ifndef _DEFAULT_SOURCE
#define _DEFAULT_SOURCE /* MAP_ANONYMOUS under -std=c11 */
#endif

#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

/*
 * Copy data[0..len) so that its last byte is the last readable byte before a PROT_NONE page and
 * return the copy. Any over-read faults, even without ASan. The region is reused by the next call;
 * len must be at most one page.
 */
static inline const uint8_t *guard_place(const void *data, size_t len)
{
	static uint8_t *region;
	static size_t page;
	if (!region) {
		page = (size_t)sysconf(_SC_PAGESIZE);
		void *m = mmap(NULL, 3 * page, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (m == MAP_FAILED)
			return NULL;
		region = m;
		if (mprotect(region + page, page, PROT_READ | PROT_WRITE) != 0)
			return NULL;
	}
	if (len > page)
		return NULL;
	uint8_t *dst = region + 2 * page - len;
	if (len)
		memcpy(dst, data, len);
	return dst;
}

#endif
