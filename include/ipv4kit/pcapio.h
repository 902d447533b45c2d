/* pcapio.h - capture writer: classic pcap (nanosecond) and pcapng files, written to a temporary name beside the target and renamed into place. */
#ifndef IPV4KIT_PCAPIO_H
#define IPV4KIT_PCAPIO_H

#include <stdio.h>

#include "common.h"

#ifdef __cplusplus
extern "C" {
#endif

/*
 * A capture being written. Every packet goes to the temporary file tmp (in the directory of path,
 * so the final rename is atomic); path only ever holds a complete capture: the old one until
 * ipk_pcapw_commit() renames tmp over it, or none if ipk_pcapw_abort() is called instead.
 * Fields are read-only for callers; count is the number of packets written by this writer
 * (packets kept from an appended file not included).
 */
struct ipk_pcapw {
	FILE *f;
	int dlt;             /* DLT_ value as pcap_datalink() gives it (DLT_RAW, DLT_EN10MB, ...) */
	int pcapng;          /* 1: pcapng, 0: classic pcap with nanosecond timestamps */
	uint32_t snaplen;    /* written in the file header; longer caplens are cut to it */
	uint64_t count;
	char path[4096];
	char tmp[4096];
	/* pcapng: interface of the new packets in the last section, and its timestamp units per
	 * second (1e9 for the IDB this writer adds; an appended file's own IDB may differ). */
	uint32_t ng_if;
	uint64_t ng_units;
	int to_stdout;       /* path "-": written straight to standard output, no temporary file */
};

#define IPK_PCAPW_PCAPNG 0x1 /* write pcapng (SHB + IDB + EPB), else classic pcap (ns) */
#define IPK_PCAPW_APPEND 0x2 /* keep the packets of an existing file (same format/link type) */

#define IPK_PCAPW_SNAPLEN 262144u

/*
 * The name of the temporary file ipk_pcapw_open() and ipk_golden_write() use for path in this
 * process: "PATH.tmp.PID" (ipk_pcapw_open() adds ".N" only when that name exists already, which
 * takes two writers of one path in one process). A program that wants the file gone when a
 * signal kills it computes the name first and unlinks it in its handler (unlink(2) is
 * async-signal-safe). Writes the NUL-terminated name to buf[0..cap); returns 0 or
 * -ENAMETOOLONG.
 */
IPK_API IPK_WARN_UNUSED_RESULT int ipk_pcapw_tmpname(const char *path, char *buf, size_t cap)
	IPK_NONNULL(1, 2);

/*
 * Start writing a capture of link type dlt (a DLT_ value; LINKTYPE_RAW 101 is taken as DLT_RAW)
 * that will replace path on commit. The temporary file is created beside path with the mode a
 * new file gets (umask), or the mode of the file it replaces when appending.
 * With IPK_PCAPW_APPEND and an existing non-empty file at path, that file's packets are copied
 * first: a classic pcap (either byte order, micro- or nanosecond) is rewritten as a native
 * nanosecond pcap, a pcapng file is copied block by block and the new packets go to the first
 * interface of its last section (libpcap reads no second raw-IPv4 interface or section), or to a
 * new interface if that section has none. The existing file must have the same format (pcap/pcapng) and link type,
 * and be complete (no truncated record); otherwise nothing is created.
 * path "-" writes to standard output as it goes (no temporary file, no append; commit flushes,
 * abort leaves what was written).
 * Returns 0, or -errno / IPK_E_INVAL with a message naming path and the reason in err (errlen
 * bytes, may be NULL): -EISDIR (path is a directory), -ENAMETOOLONG, -ENOENT/-EACCES (directory
 * of path), -EINVAL (existing file is not a capture, or of another format or link type),
 * -ENOTSUP (byte-swapped pcapng to append to). On failure *w holds no open file.
 */
IPK_API IPK_WARN_UNUSED_RESULT int ipk_pcapw_open(struct ipk_pcapw *w, const char *path, int dlt, unsigned flags,
			   char *err, size_t errlen) IPK_NONNULL(1, 2);

/*
 * Append one packet: timestamp sec (0 .. 2^32-1 for classic pcap) and nsec (< 10^9), caplen
 * bytes of data captured from a packet of len bytes (caplen <= len; caplen above snaplen is cut).
 * Returns 0, -EINVAL (bad arguments, or the writer is not open), -EOVERFLOW (timestamp does not
 * fit the format) or -errno of the write.
 */
IPK_API IPK_WARN_UNUSED_RESULT int ipk_pcapw_write(struct ipk_pcapw *w, int64_t sec, uint32_t nsec, const uint8_t *data,
			    size_t caplen, size_t len) IPK_NONNULL(1);

/*
 * Finish: flush, fsync, close and rename the temporary file to path (then fsync the directory).
 * Returns 0, or -errno with a message in err; on failure the temporary file is removed and path
 * is left as it was. The writer is closed either way.
 */
IPK_API IPK_WARN_UNUSED_RESULT int ipk_pcapw_commit(struct ipk_pcapw *w, char *err, size_t errlen) IPK_NONNULL(1);

/* Give up: close and unlink the temporary file; path is left as it was. Safe to call on a writer
 * that failed to open, was committed or was already aborted. */
IPK_API void ipk_pcapw_abort(struct ipk_pcapw *w) IPK_NONNULL(1);

#ifdef __cplusplus
}
#endif
#endif
