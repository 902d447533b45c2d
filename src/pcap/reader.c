/* reader.c - capture reading on libpcap: a file (or stdin) opened for stdio's mmap mode, every frame handed to a callback through pcap_loop(). */
#include "capture.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdio_ext.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ipv4kit/error.h"
#include "ipv4kit/link.h"

#define RBUF_SIZE (1u << 20)   /* stdio buffer of a capture that is not a regular file */

void ipk_cap_seterr(char *err, size_t errlen, const char *a, const char *b)
{
	if (err && errlen)
		snprintf(err, errlen, "%s: %s", a, b);
}

/*
 * Open path as a stream for libpcap, which reads every record with two fread() calls. A regular
 * file is opened in glibc's mmap mode ("m"): stdio maps the file and fread() copies straight out
 * of the mapping, with no read() calls, no kernel copy of every byte and no second buffer (a
 * cookie stream such as fmemopen() costs a copy and a byte loop per record header). Anything
 * else (a FIFO, a character device, an empty file) gets stdio with a large buffer; glibc falls
 * back to read() by itself when the map fails. No stdio locking either way: one thread uses the
 * stream. "-" is standard input. Returns NULL with -errno in *e when path cannot be opened.
 */
static FILE *cap_open(const char *path, int *e)
{
	struct stat st;
	int fd = strcmp(path, "-") == 0 ? dup(STDIN_FILENO) : open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0) {
		*e = -errno;
		return NULL;
	}
	int map = fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0;
	FILE *fp = fdopen(fd, map ? "rbm" : "rb");
	if (!fp) {
		*e = -errno;
		close(fd);
		return NULL;
	}
	if (!map)
		setvbuf(fp, NULL, _IOFBF, RBUF_SIZE);
	__fsetlocking(fp, FSETLOCKING_BYCALLER);
	return fp;
}


/* pcap_loop() callback: one frame to fn; fn's non-zero return breaks the loop. */
static void cap_loop_cb(u_char *user, const struct pcap_pkthdr *h, const u_char *data)
{
	struct cap_loop *l = (struct cap_loop *)user;
	struct ipk_cap_frame f;

	if (ipk_cap_check(l, h, l->info->frames + 1))
		return;
	f.frame = ++l->info->frames;
	f.sec = (int64_t)h->ts.tv_sec;
	f.nsec = (uint32_t)h->ts.tv_usec; /* nanoseconds: opened with PCAP_TSTAMP_PRECISION_NANO */
	f.data = data;
	f.caplen = h->caplen;
	f.wirelen = h->len;
	l->ret = l->fn(l->ctx, l->dlt, &f);
	if (l->ret)
		pcap_breakloop(l->pc);
}

void ipk_cap_bad_record(struct cap_loop *l, const struct pcap_pkthdr *h, uint64_t frame)
{
	if (l->err && l->errlen)
		snprintf(l->err, l->errlen, "%s: frame %llu: captured length %u exceeds the original "
			 "length %u (a corrupt record)", l->path, (unsigned long long)frame,
			 (unsigned)h->caplen, (unsigned)h->len);
	l->ret = -EIO;
	pcap_breakloop(l->pc);
}

/* see capture.h */
int ipk_cap_run(const char *path, pcap_handler cb, struct cap_loop *l, char *err, size_t errlen)
{
	struct ipk_cap_info *info = l->info;
	char eb[PCAP_ERRBUF_SIZE] = "";
	int e = 0;

	memset(info, 0, sizeof(*info));
	l->ret = 0;
	if (err && errlen)
		err[0] = 0;
	FILE *fp = cap_open(path, &e);
	if (!fp) {
		ipk_cap_seterr(err, errlen, path, strerror(-e));
		return e;
	}
	pcap_t *pc = pcap_fopen_offline_with_tstamp_precision(fp, PCAP_TSTAMP_PRECISION_NANO, eb);
	if (!pc) {
		fclose(fp);
		if (err && errlen)
			snprintf(err, errlen, "%s: not a pcap or pcapng capture (libpcap: %s)", path, eb);
		return IPK_E_INVAL;
	}
	int dlt = pcap_datalink(pc);
	int rc, ret = 0;
	info->dlt = dlt;
	if (strcmp(ipk_link_name(dlt), "unknown") == 0) {
		const char *n = pcap_datalink_val_to_name(dlt);
		if (err && errlen)
			snprintf(err, errlen, "%s: link type %d (%s) is not one the codec decodes", path,
				 dlt, n ? n : "?");
		ret = IPK_E_LINK_TYPE;
		goto out;
	}
	/* pcap_loop() rather than pcap_next_ex(): one libpcap call for the whole file */
	l->pc = pc;
	l->dlt = dlt;
	l->path = path;
	l->err = err;
	l->errlen = errlen;
	rc = pcap_loop(pc, -1, cb, (u_char *)l);
	ret = l->ret;
	if (!ret && rc == PCAP_ERROR) {
		unsigned long long next = (unsigned long long)info->frames + 1;
		ret = -EIO;
		if (feof(fp)) {
			/* libpcap wanted more bytes than the file has: it ends inside a record */
			info->cut_records = 1;
			if (err && errlen)
				snprintf(err, errlen, "%s: frame %llu: the file ends inside the record "
					 "(truncated capture)", path, next);
		} else if (err && errlen) {
			snprintf(err, errlen, "%s: frame %llu: %s", path, next, pcap_geterr(pc));
		}
	}
out:
	pcap_close(pc); /* closes fp */
	return ret;
}

int ipk_cap_read(const char *path, ipk_cap_fn fn, void *ctx, struct ipk_cap_info *info,
		 char *err, size_t errlen)
{
	struct ipk_cap_info dummy;
	struct cap_loop l = {NULL, fn, ctx, info ? info : &dummy, 0, 0, NULL, NULL, 0};

	return ipk_cap_run(path, cap_loop_cb, &l, err, errlen);
}
