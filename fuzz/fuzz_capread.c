/* fuzz_capread.c - fuzz harness: the capture reader (ipk_cap_read over any file bytes, pcap or pcapng through libpcap) with every frame verified (decode, re-marshal, checksums). */
#define _GNU_SOURCE /* memfd_create */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "ipv4kit/ipv4kit.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define STOP_AT 500 /* frames; the callback's stop value is returned as it is */
#define STOP_RC 7

struct ctx {
	uint64_t frames;
	struct ipk_verify_stats st;
};

static int on_frame(void *arg, int dlt, const struct ipk_cap_frame *f)
{
	struct ctx *c = arg;
	struct ipk_packet p;
	struct ipk_verify_res r;

	if (f->frame != ++c->frames || f->caplen > f->wirelen || (f->caplen && !f->data))
		abort(); /* 1-based, consecutive; corrupt records never reach the callback */
	volatile uint8_t sink = 0;
	for (size_t i = 0; i < f->caplen; i += 64)
		sink ^= f->data[i]; /* the whole frame is readable (ASan) */
	(void)sink;
	unsigned fail = ipk_verify_frame(dlt, f->data, f->caplen, f->wirelen,
					 (f->frame & 1) ? IPK_VERIFY_STRICT : 0, &p, &r, &c->st);
	if (fail != r.fail || (fail & ~0x3fu))
		abort();
	for (unsigned i = 0; i < p.findings.n; i++)
		if (p.findings.v[i].offset > f->caplen)
			abort();
	return f->frame == STOP_AT ? STOP_RC : 0;
}

/*
 * The input is a capture file's bytes, written to a memory file and read by path. The result is
 * 0, the callback's value, or an error the header lists (-errno of the file, IPK_E_INVAL,
 * IPK_E_LINK_TYPE, -EIO) with a message naming the file; the frame count of info is the
 * callback's; a cut record is -EIO.
 */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int fd = -1;
	static char path[64];
	char err[512];
	struct ipk_cap_info info;
	struct ctx c;

	if (fd < 0) {
		fd = memfd_create("fuzz_capread", MFD_CLOEXEC);
		if (fd < 0)
			abort();
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	}
	if (ftruncate(fd, 0) != 0 || (size && pwrite(fd, data, size, 0) != (ssize_t)size))
		abort();
	memset(&c, 0, sizeof(c));
	memset(err, 'x', sizeof(err));
	int rc = ipk_cap_read(path, on_frame, &c, &info, err, sizeof(err));
	if (info.frames != c.frames || info.frames > STOP_AT || (info.cut_records && rc != -EIO))
		abort();
	if (rc == STOP_RC) {
		if (info.frames != STOP_AT)
			abort();
	} else if (rc != 0) {
		if (rc != IPK_E_INVAL && rc != IPK_E_LINK_TYPE && rc != -EIO)
			abort();
		if (!memchr(err, 0, sizeof(err)) || strncmp(err, path, strlen(path)) != 0)
			abort(); /* one message, naming the file */
	}
	return 0;
}
