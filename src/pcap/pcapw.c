/* pcapw.c - capture writer: classic pcap (ns) and pcapng (SHB/IDB/EPB), append, temp file beside the target and atomic rename. */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pcap/dlt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ipv4kit/error.h"
#include "ipv4kit/pcapio.h"

#define PCAP_MAGIC_US 0xa1b2c3d4u
#define PCAP_MAGIC_NS 0xa1b23c4du
#define NG_SHB 0x0a0d0d0au
#define NG_IDB 0x00000001u
#define NG_EPB 0x00000006u
#define NG_BOM 0x1a2b3c4du
#define NG_MAXBLOCK (16u << 20) /* larger blocks mean a corrupt file */
#define LINKTYPE_RAW_ 101

static void seterr(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void seterr(char *err, size_t errlen, const char *fmt, ...)
{
	if (!err || !errlen)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

/* DLT_ value (as pcap_datalink() gives it) to the LINKTYPE_ value stored in files. */
static uint32_t linktype_of(int dlt)
{
	if (dlt == DLT_RAW || dlt == LINKTYPE_RAW_ || dlt == 12 || dlt == 14)
		return LINKTYPE_RAW_;
	return (uint32_t)dlt;
}

static uint32_t swap32(uint32_t v)
{
	return (v >> 24) | ((v >> 8) & 0xff00u) | ((v << 8) & 0xff0000u) | (v << 24);
}

static int put(struct ipk_pcapw *w, const void *p, size_t n)
{
	if (n && fwrite(p, 1, n, w->f) != n)
		return errno ? -errno : -EIO;
	return 0;
}

static int put32(struct ipk_pcapw *w, uint32_t v)
{
	return put(w, &v, 4);
}

/* 0: n bytes read; 1: clean end of file before any byte; -EINVAL: file ends inside; -errno. */
static int get(FILE *in, void *p, size_t n)
{
	size_t r = fread(p, 1, n, in);
	if (r == n)
		return 0;
	if (ferror(in))
		return errno ? -errno : -EIO;
	return r == 0 ? 1 : -EINVAL;
}

static int write_pcap_header(struct ipk_pcapw *w)
{
	uint32_t h[6] = {PCAP_MAGIC_NS, 0, 0, 0, w->snaplen, linktype_of(w->dlt)};
	uint16_t ver[2] = {2, 4};
	memcpy(&h[1], ver, 4);
	return put(w, h, sizeof(h));
}

/* A pcapng IDB for link type dlt with if_tsresol 9 (nanoseconds). */
static int write_ng_idb(struct ipk_pcapw *w)
{
	uint16_t lt[2] = {(uint16_t)linktype_of(w->dlt), 0};
	uint32_t idb[8] = {NG_IDB, 32, 0, w->snaplen, 0, 0, 0, 32};
	memcpy(&idb[2], lt, 4);
	uint8_t tsresol[8] = {0, 0, 0, 0, 9, 0, 0, 0}; /* code 9 (if_tsresol), len 1, 10^-9 */
	uint16_t code = 9, olen = 1;
	memcpy(tsresol, &code, 2);
	memcpy(tsresol + 2, &olen, 2);
	memcpy(&idb[4], tsresol, 8);
	/* idb[6] = 0: opt_endofopt */
	w->ng_units = 1000000000u;
	return put(w, idb, sizeof(idb));
}

/* A new pcapng file: SHB (no options, unknown section length) and one IDB, interface 0. */
static int write_ng_section(struct ipk_pcapw *w)
{
	uint32_t shb[7] = {NG_SHB, 28, NG_BOM, 0, 0xffffffffu, 0xffffffffu, 28};
	uint16_t ver[2] = {1, 0};
	memcpy(&shb[3], ver, 4);
	int r = put(w, shb, sizeof(shb));
	w->ng_if = 0;
	return r ? r : write_ng_idb(w);
}

/* Timestamp units per second of an IDB (blen bytes at b): if_tsresol, default 10^6; 0 when the
 * resolution is finer than 1 ns and not a whole multiple of it, or does not fit 64 bits. */
static uint64_t idb_units(const uint8_t *b, uint32_t blen)
{
	uint64_t units = 1000000u;
	for (uint32_t off = 16; off + 4 <= blen - 4;) {
		uint16_t code, olen;
		memcpy(&code, b + off, 2);
		memcpy(&olen, b + off + 2, 2);
		if (code == 0 || off + 4 + olen > blen - 4)
			break;
		if (code == 9 && olen >= 1) {
			uint8_t v = b[off + 4], e = v & 0x7f;
			if ((v & 0x80) ? e > 63 : e > 19)
				return 0;
			units = 1;
			for (uint8_t i = 0; i < e; i++)
				units *= (v & 0x80) ? 2 : 10;
		}
		off += 4 + ((olen + 3u) & ~3u);
	}
	if (units > 1000000000u && units % 1000000000u)
		return 0;
	return units;
}

/* Copy a classic pcap (any byte order, us or ns) as native ns records. The 24-byte header is in h. */
static int copy_pcap(struct ipk_pcapw *w, FILE *in, const uint32_t h[6], char *err, size_t errlen)
{
	int sw = h[0] == swap32(PCAP_MAGIC_US) || h[0] == swap32(PCAP_MAGIC_NS);
	uint32_t magic = sw ? swap32(h[0]) : h[0];
	uint32_t lt = (sw ? swap32(h[5]) : h[5]) & 0x03ffffffu;
	if (lt != linktype_of(w->dlt)) {
		seterr(err, errlen, "%s: link type %u, not %u: cannot append", w->path, lt,
		       linktype_of(w->dlt));
		return -EINVAL;
	}
	int r = write_pcap_header(w);
	uint8_t *buf = malloc(NG_MAXBLOCK);
	if (!buf)
		return -ENOMEM;
	for (uint64_t n = 1; !r; n++) {
		uint32_t rec[4];
		int g = get(in, rec, sizeof(rec));
		if (g == 1)
			break;
		if (g == 0 && sw)
			for (int i = 0; i < 4; i++)
				rec[i] = swap32(rec[i]);
		if (g == 0 && (rec[2] > NG_MAXBLOCK || (magic == PCAP_MAGIC_US && rec[1] >= 1000000u) ||
			       rec[1] >= 1000000000u))
			g = -EINVAL;
		if (g == 0)
			g = get(in, buf, rec[2]);
		if (g) {
			seterr(err, errlen, "%s: record %llu %s: cannot append", w->path,
			       (unsigned long long)n, g > 0 || g == -EINVAL ? "truncated or corrupt" : strerror(-g));
			r = g > 0 ? -EINVAL : g;
			break;
		}
		if (magic == PCAP_MAGIC_US)
			rec[1] *= 1000u;
		r = put(w, rec, sizeof(rec));
		if (!r)
			r = put(w, buf, rec[2]);
	}
	free(buf);
	return r;
}

/* Copy a native-order pcapng file block by block from its start (first: its first 12 bytes),
 * checking every IDB's link type, then start a new section for the new packets. */
static int copy_pcapng(struct ipk_pcapw *w, FILE *in, const uint32_t first[3], char *err, size_t errlen)
{
	if (first[2] == swap32(NG_BOM)) {
		seterr(err, errlen, "%s: byte-swapped pcapng: cannot append", w->path);
		return -ENOTSUP;
	}
	uint8_t *buf = malloc(NG_MAXBLOCK);
	if (!buf)
		return -ENOMEM;
	uint32_t hdr[2];
	uint32_t nidb = 0; /* interfaces in the current section */
	int r = 0, have = 0; /* words of hdr already read */
	if (fseek(in, 0, SEEK_SET) != 0) {
		r = -errno;
		goto bad;
	}
	for (uint64_t n = 1;; n++) {
		if (!have) {
			int g = get(in, hdr, 8);
			if (g == 1)
				break;
			if (g) {
				r = g > 0 ? -EINVAL : g;
				goto bad;
			}
			have = 2;
		}
		uint32_t type = hdr[0], blen = hdr[1];
		if (blen < 12 || blen % 4 || blen > NG_MAXBLOCK) {
			r = -EINVAL;
			goto bad;
		}
		memcpy(buf, hdr, (size_t)have * 4);
		int g = get(in, buf + have * 4, blen - (size_t)have * 4);
		if (g) {
			r = g > 0 ? -EINVAL : g;
			goto bad;
		}
		have = 0;
		uint32_t tail, v32;
		memcpy(&tail, buf + blen - 4, 4);
		if (tail != blen) {
			r = -EINVAL;
			goto bad;
		}
		if (type == NG_SHB) {
			memcpy(&v32, buf + 8, 4);
			if (blen < 28 || v32 != NG_BOM) {
				seterr(err, errlen, "%s: block %llu: section of another byte order: cannot append",
				       w->path, (unsigned long long)n);
				r = -ENOTSUP;
				goto out;
			}
			nidb = 0;
		} else if (type == NG_IDB) {
			uint16_t lt;
			memcpy(&lt, buf + 8, 2);
			if (blen < 20 || lt != linktype_of(w->dlt)) {
				seterr(err, errlen, "%s: interface of link type %u, not %u: cannot append",
				       w->path, lt, linktype_of(w->dlt));
				r = -EINVAL;
				goto out;
			}
			if (nidb++ == 0) {
				w->ng_if = 0;
				w->ng_units = idb_units(buf, blen);
				if (!w->ng_units) {
					seterr(err, errlen, "%s: interface timestamp resolution not supported: cannot append",
					       w->path);
					r = -ENOTSUP;
					goto out;
				}
			}
		}
		if ((r = put(w, buf, blen)))
			goto out;
	}
	if (!nidb) {
		w->ng_if = 0;
		r = write_ng_idb(w);
	}
	goto out;
bad:
	if (r == -EINVAL)
		seterr(err, errlen, "%s: truncated or corrupt pcapng block: cannot append", w->path);
	else
		seterr(err, errlen, "%s: %s", w->path, strerror(-r));
out:
	free(buf);
	return r;
}

/* Open path for append: copy its packets to w->f. Returns 0 (also when there is nothing to keep:
 * then *empty is 1) or an error with the message set. */
static int copy_existing(struct ipk_pcapw *w, char *err, size_t errlen, int *empty)
{
	FILE *in = fopen(w->path, "rb");
	*empty = 0;
	if (!in) {
		if (errno == ENOENT) {
			*empty = 1;
			return 0;
		}
		int e = errno;
		seterr(err, errlen, "%s: %s", w->path, strerror(e));
		return -e;
	}
	struct stat st;
	if (fstat(fileno(in), &st) == 0)
		(void)fchmod(fileno(w->f), st.st_mode & 07777);
	uint32_t h[6];
	int r, g = get(in, h, sizeof(h));
	if (g == 1) {
		*empty = 1;
		r = 0;
	} else if (g < 0 && g != -EINVAL) {
		seterr(err, errlen, "%s: %s", w->path, strerror(-g));
		r = g;
	} else if (g == 0 && (h[0] == PCAP_MAGIC_US || h[0] == PCAP_MAGIC_NS ||
			      h[0] == swap32(PCAP_MAGIC_US) || h[0] == swap32(PCAP_MAGIC_NS))) {
		if (w->pcapng) {
			seterr(err, errlen, "%s: is a pcap file, not pcapng: cannot append", w->path);
			r = -EINVAL;
		} else {
			r = copy_pcap(w, in, h, err, errlen);
		}
	} else if (g == 0 && h[0] == NG_SHB) {
		if (!w->pcapng) {
			seterr(err, errlen, "%s: is a pcapng file, not pcap: cannot append", w->path);
			r = -EINVAL;
		} else {
			r = copy_pcapng(w, in, h, err, errlen);
		}
	} else {
		seterr(err, errlen, "%s: not a pcap or pcapng file: cannot append", w->path);
		r = -EINVAL;
	}
	fclose(in);
	return r;
}

int ipk_pcapw_tmpname(const char *path, char *buf, size_t cap)
{
	int n = snprintf(buf, cap, "%s.tmp.%ld", path, (long)getpid());
	if (n < 0 || (size_t)n >= cap) {
		if (cap)
			buf[0] = 0;
		return -ENAMETOOLONG;
	}
	return 0;
}

int ipk_pcapw_open(struct ipk_pcapw *w, const char *path, int dlt, unsigned flags, char *err,
		   size_t errlen)
{
	memset(w, 0, sizeof(*w));
	if (err && errlen)
		err[0] = 0;
	w->dlt = dlt;
	w->pcapng = (flags & IPK_PCAPW_PCAPNG) != 0;
	w->snaplen = IPK_PCAPW_SNAPLEN;
	if (dlt < 0 || dlt > 0xffff || (flags & ~(unsigned)(IPK_PCAPW_PCAPNG | IPK_PCAPW_APPEND))) {
		seterr(err, errlen, "%s: bad link type %d or flags 0x%x", path, dlt, flags);
		return IPK_E_INVAL;
	}
	size_t plen = strlen(path);
	if (plen == 0) {
		seterr(err, errlen, "empty file name");
		return -ENOENT;
	}
	if (plen + 32 >= sizeof(w->tmp)) {
		seterr(err, errlen, "%.64s...: file name too long", path);
		return -ENAMETOOLONG;
	}
	memcpy(w->path, path, plen + 1);
	if (!strcmp(path, "-")) {
		/* standard output: a stream, written as it goes */
		int fd = dup(STDOUT_FILENO);
		if (fd < 0 || !(w->f = fdopen(fd, "wb"))) {
			int e = errno;
			if (fd >= 0)
				close(fd);
			seterr(err, errlen, "standard output: %s", strerror(e));
			return -e;
		}
		w->to_stdout = 1;
		int r = w->pcapng ? write_ng_section(w) : write_pcap_header(w);
		if (r) {
			seterr(err, errlen, "standard output: %s", strerror(-r));
			ipk_pcapw_abort(w);
		}
		return r;
	}
	struct stat st;
	if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
		seterr(err, errlen, "%s: is a directory", path);
		return -EISDIR;
	}
	/* The temp name: PATH.tmp.PID (ipk_pcapw_tmpname), then PATH.tmp.PID.N, in the same
	 * directory, created exclusively with the mode a new file gets (0666 & ~umask). */
	int fd = -1;
	static unsigned seq;
	for (int tries = 0; fd < 0 && tries < 100; tries++) {
		if (tries == 0) {
			if (ipk_pcapw_tmpname(path, w->tmp, sizeof(w->tmp))) { /* fits: checked above */
				errno = ENAMETOOLONG;
				break;
			}
		} else {
			snprintf(w->tmp, sizeof(w->tmp), "%s.tmp.%ld.%u", path, (long)getpid(), seq++);
		}
		fd = open(w->tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
		if (fd < 0 && errno != EEXIST)
			break;
	}
	if (fd < 0) {
		int e = errno;
		seterr(err, errlen, "%s: cannot create a temporary file beside it: %s", path, strerror(e));
		w->tmp[0] = 0;
		return -e;
	}
	w->f = fdopen(fd, "wb");
	if (!w->f) {
		int e = errno;
		close(fd);
		unlink(w->tmp);
		w->tmp[0] = 0;
		seterr(err, errlen, "%s: %s", path, strerror(e));
		return -e;
	}
	int r = 0, empty = 1;
	if (flags & IPK_PCAPW_APPEND)
		r = copy_existing(w, err, errlen, &empty);
	if (!r && empty)
		r = w->pcapng ? write_ng_section(w) : write_pcap_header(w);
	if (r) {
		if (err && errlen && !err[0])
			seterr(err, errlen, "%s: %s", path, strerror(-r));
		ipk_pcapw_abort(w);
		return r;
	}
	return 0;
}

int ipk_pcapw_write(struct ipk_pcapw *w, int64_t sec, uint32_t nsec, const uint8_t *data,
		    size_t caplen, size_t len)
{
	if (!w->f || nsec >= 1000000000u || caplen > len || (caplen && !data) || len > UINT32_MAX)
		return -EINVAL;
	if (caplen > w->snaplen)
		caplen = w->snaplen;
	int r;
	if (!w->pcapng) {
		if (sec < 0 || sec > (int64_t)UINT32_MAX)
			return -EOVERFLOW;
		uint32_t rec[4] = {(uint32_t)sec, nsec, (uint32_t)caplen, (uint32_t)len};
		r = put(w, rec, sizeof(rec));
		if (!r)
			r = put(w, data, caplen);
	} else {
		if (sec < 0)
			return -EOVERFLOW;
		uint64_t u = w->ng_units, ts;
		if ((uint64_t)sec > UINT64_MAX / u - 1)
			return -EOVERFLOW;
		if (u <= 1000000000u)
			ts = (uint64_t)sec * u + (uint64_t)nsec * u / 1000000000u;
		else
			ts = (uint64_t)sec * u + (uint64_t)nsec * (u / 1000000000u);
		size_t pad = (4 - caplen % 4) % 4;
		uint32_t blen = (uint32_t)(32 + caplen + pad);
		uint32_t epb[7] = {NG_EPB, blen, w->ng_if, (uint32_t)(ts >> 32), (uint32_t)ts, (uint32_t)caplen,
				   (uint32_t)len};
		static const uint8_t zeros[4];
		r = put(w, epb, sizeof(epb));
		if (!r)
			r = put(w, data, caplen);
		if (!r)
			r = put(w, zeros, pad);
		if (!r)
			r = put32(w, blen);
	}
	if (!r)
		w->count++;
	return r;
}

int ipk_pcapw_commit(struct ipk_pcapw *w, char *err, size_t errlen)
{
	if (!w->f) {
		seterr(err, errlen, "%s: capture writer not open", w->path);
		return -EINVAL;
	}
	int r = 0;
	if (w->to_stdout) {
		if (fflush(w->f) != 0)
			r = -errno;
		if (fclose(w->f) != 0 && !r)
			r = -errno;
		w->f = NULL;
		if (r)
			seterr(err, errlen, "standard output: %s", strerror(-r));
		return r;
	}
	if (fflush(w->f) != 0 || fsync(fileno(w->f)) != 0)
		r = -errno;
	if (fclose(w->f) != 0 && !r)
		r = -errno;
	w->f = NULL;
	if (!r && rename(w->tmp, w->path) != 0)
		r = -errno;
	if (r) {
		seterr(err, errlen, "%s: %s", w->path, strerror(-r));
		unlink(w->tmp);
		w->tmp[0] = 0;
		return r;
	}
	w->tmp[0] = 0;
	/* Make the rename itself durable: fsync the directory (best effort). */
	char dir[4096];
	memcpy(dir, w->path, sizeof(dir));
	char *slash = strrchr(dir, '/');
	if (slash == dir)
		slash[1] = 0;
	else if (slash)
		*slash = 0;
	else
		strcpy(dir, ".");
	int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd >= 0) {
		(void)fsync(dfd);
		close(dfd);
	}
	return 0;
}

void ipk_pcapw_abort(struct ipk_pcapw *w)
{
	if (w->f) {
		fclose(w->f);
		w->f = NULL;
	}
	if (w->tmp[0]) {
		unlink(w->tmp);
		w->tmp[0] = 0;
	}
}
