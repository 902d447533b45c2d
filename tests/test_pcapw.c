/* test_pcapw.c - capture writer: pcap/pcapng read back by libpcap, tcpdump and tshark; append; abort; atomic temp file; errors. */
#define _DEFAULT_SOURCE /* mkdtemp, DT_* for readdir */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <dirent.h>
#include <errno.h>
#include <pcap/pcap.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ipv4kit/error.h"
#include "ipv4kit/link.h"
#include "ipv4kit/pcapio.h"

static char dir[256];

static void path_of(char *out, size_t n, const char *name)
{
	snprintf(out, n, "%s/%s", dir, name);
}

/* Packet i: 20 + 7*i bytes (odd lengths exercise pcapng padding), byte j = i*31 + j. */
static size_t pkt(unsigned i, uint8_t *buf)
{
	size_t n = 20 + 7 * (size_t)i;
	for (size_t j = 0; j < n; j++)
		buf[j] = (uint8_t)(i * 31 + j);
	buf[0] = 0x45;
	return n;
}

/* Write packets first..first+n-1 (timestamp 1700000000 + i, nsec 123456789 + i). */
static void write_pkts(struct ipk_pcapw *w, unsigned first, unsigned n)
{
	uint8_t b[256];
	for (unsigned i = first; i < first + n; i++) {
		size_t len = pkt(i, b);
		assert_int_equal(ipk_pcapw_write(w, 1700000000 + i, 123456789 + i, b, len, len + i), 0);
	}
}

static void create(const char *path, int dlt, unsigned flags, unsigned first, unsigned n)
{
	struct ipk_pcapw w;
	char err[256];
	int r = ipk_pcapw_open(&w, path, dlt, flags, err, sizeof(err));
	if (r)
		fail_msg("open %s: %d %s", path, r, err);
	write_pkts(&w, first, n);
	assert_int_equal(w.count, n);
	r = ipk_pcapw_commit(&w, err, sizeof(err));
	if (r)
		fail_msg("commit %s: %d %s", path, r, err);
	assert_null(w.f);
}

/* Read path with libpcap at ns precision and check it holds packets first..first+n-1 with the
 * link type dlt. us: the first nus packets were written with microsecond timestamps. */
static void check(const char *path, int dlt, unsigned first, unsigned n, unsigned nus)
{
	char eb[PCAP_ERRBUF_SIZE];
	pcap_t *pc = pcap_open_offline_with_tstamp_precision(path, PCAP_TSTAMP_PRECISION_NANO, eb);
	if (!pc)
		fail_msg("%s: %s", path, eb);
	assert_int_equal(pcap_datalink(pc), dlt);
	struct pcap_pkthdr *ph;
	const u_char *d;
	unsigned i = first;
	int rc;
	uint8_t b[256];
	while ((rc = pcap_next_ex(pc, &ph, &d)) == 1) {
		assert_true(i < first + n);
		size_t len = pkt(i, b);
		assert_int_equal(ph->caplen, len);
		assert_int_equal(ph->len, len + i);
		assert_memory_equal(d, b, len);
		assert_int_equal(ph->ts.tv_sec, 1700000000 + i);
		long ns = 123456789 + (long)i;
		if (i - first < nus)
			ns = ns / 1000 * 1000;
		assert_int_equal(ph->ts.tv_usec, ns); /* nanoseconds at this precision */
		i++;
	}
	if (rc != PCAP_ERROR_BREAK)
		fail_msg("%s: %s", path, pcap_geterr(pc));
	assert_int_equal(i, first + n);
	pcap_close(pc);
}

/* Number of directory entries (besides . and ..) whose name starts with prefix. */
static int count_entries(const char *prefix)
{
	DIR *d = opendir(dir);
	assert_non_null(d);
	struct dirent *e;
	int n = 0;
	while ((e = readdir(d)))
		if (strncmp(e->d_name, prefix, strlen(prefix)) == 0)
			n++;
	closedir(d);
	return n;
}

static void file_bytes(const char *path, uint8_t *buf, size_t cap, size_t *len)
{
	FILE *f = fopen(path, "rb");
	assert_non_null(f);
	*len = fread(buf, 1, cap, f);
	fclose(f);
}

/* Run a shell command, return its stdout line count, or -1 on a non-zero exit. */
static int lines_of(const char *cmd)
{
	FILE *p = popen(cmd, "r");
	assert_non_null(p);
	char line[1024];
	int n = 0;
	while (fgets(line, sizeof(line), p))
		n++;
	return pclose(p) == 0 ? n : -1;
}

static void test_pcap_raw(void **state)
{
	(void)state;
	char p[512];
	path_of(p, sizeof(p), "raw.pcap");
	create(p, DLT_RAW, 0, 0, 5);
	check(p, DLT_RAW, 0, 5, 0);
	/* classic ns pcap, LINKTYPE_RAW (101) in the header */
	uint8_t b[64];
	size_t n;
	file_bytes(p, b, sizeof(b), &n);
	uint32_t magic, lt;
	memcpy(&magic, b, 4);
	memcpy(&lt, b + 20, 4);
	assert_int_equal(magic, 0xa1b23c4d);
	assert_int_equal(lt, 101);
	assert_int_equal(count_entries("raw.pcap"), 1); /* no temp file left */
}

static void test_pcapng_ether(void **state)
{
	(void)state;
	char p[512];
	path_of(p, sizeof(p), "eth.pcapng");
	create(p, DLT_EN10MB, IPK_PCAPW_PCAPNG, 0, 5);
	check(p, DLT_EN10MB, 0, 5, 0);
	uint8_t b[64];
	size_t n;
	file_bytes(p, b, sizeof(b), &n);
	uint32_t t;
	memcpy(&t, b, 4);
	assert_int_equal(t, 0x0a0d0d0a);
}

/* LINKTYPE_RAW given as 101 is the same link type as DLT_RAW. */
static void test_linktype_raw_alias(void **state)
{
	(void)state;
	char p[512];
	path_of(p, sizeof(p), "alias.pcap");
	create(p, IPK_DLT_LINKTYPE_RAW, 0, 0, 1);
	check(p, DLT_RAW, 0, 1, 0);
	create(p, DLT_RAW, IPK_PCAPW_APPEND, 1, 1);
	check(p, DLT_RAW, 0, 2, 0);
}

/* tcpdump (a project dependency) and tshark (optional) read both formats. */
static void test_tools_read(void **state)
{
	(void)state;
	char p[512], q[512], cmd[1200];
	path_of(p, sizeof(p), "tool.pcap");
	path_of(q, sizeof(q), "tool.pcapng");
	create(p, DLT_RAW, 0, 0, 4);
	create(q, DLT_RAW, IPK_PCAPW_PCAPNG, 0, 4);
	create(q, DLT_RAW, IPK_PCAPW_PCAPNG | IPK_PCAPW_APPEND, 4, 3);
	if (system("command -v tcpdump >/dev/null 2>&1") == 0) {
		snprintf(cmd, sizeof(cmd), "tcpdump -nn -r '%s' 2>/dev/null", p);
		assert_int_equal(lines_of(cmd), 4);
		snprintf(cmd, sizeof(cmd), "tcpdump -nn -r '%s' 2>/dev/null", q);
		assert_int_equal(lines_of(cmd), 7);
	}
	if (system("command -v tshark >/dev/null 2>&1") == 0) {
		snprintf(cmd, sizeof(cmd), "tshark -n -r '%s' -T fields -e frame.len 2>/dev/null", p);
		assert_int_equal(lines_of(cmd), 4);
		snprintf(cmd, sizeof(cmd),
			 "tshark -n -r '%s' -T fields -e frame.time_epoch 2>/dev/null | grep -c '^1700000006.123456795'",
			 q);
		assert_int_equal(lines_of(cmd), 1);
	} else {
		fprintf(stderr, "tshark not installed: skipping its part\n");
	}
}

static void test_append_pcap(void **state)
{
	(void)state;
	char p[512];
	path_of(p, sizeof(p), "app.pcap");
	unlink(p);
	create(p, DLT_RAW, IPK_PCAPW_APPEND, 0, 2); /* no file yet: created */
	create(p, DLT_RAW, IPK_PCAPW_APPEND, 2, 3);
	check(p, DLT_RAW, 0, 5, 0);
	/* without APPEND the file is replaced */
	create(p, DLT_RAW, 0, 7, 1);
	check(p, DLT_RAW, 7, 1, 0);
	/* an empty file counts as no file */
	FILE *f = fopen(p, "wb");
	fclose(f);
	create(p, DLT_RAW, IPK_PCAPW_APPEND, 0, 1);
	check(p, DLT_RAW, 0, 1, 0);
}

/* Append to a microsecond pcap written by libpcap's own dumper: kept, converted to ns. */
static void test_append_libpcap_us(void **state)
{
	(void)state;
	char p[512];
	path_of(p, sizeof(p), "us.pcap");
	pcap_t *dead = pcap_open_dead(DLT_EN10MB, 65535);
	pcap_dumper_t *dp = pcap_dump_open(dead, p);
	assert_non_null(dp);
	uint8_t b[256];
	for (unsigned i = 0; i < 3; i++) {
		struct pcap_pkthdr h;
		size_t len = pkt(i, b);
		h.ts.tv_sec = 1700000000 + i;
		h.ts.tv_usec = (123456789 + i) / 1000;
		h.caplen = (bpf_u_int32)len;
		h.len = (bpf_u_int32)(len + i);
		pcap_dump((u_char *)dp, &h, b);
	}
	pcap_dump_close(dp);
	pcap_close(dead);
	struct ipk_pcapw w;
	char err[256];
	assert_int_equal(ipk_pcapw_open(&w, p, DLT_EN10MB, IPK_PCAPW_APPEND, err, sizeof(err)), 0);
	write_pkts(&w, 3, 2);
	assert_int_equal(ipk_pcapw_commit(&w, err, sizeof(err)), 0);
	check(p, DLT_EN10MB, 0, 5, 3);
}

static uint32_t bswap(uint32_t v)
{
	return (v >> 24) | ((v >> 8) & 0xff00u) | ((v << 8) & 0xff0000u) | (v << 24);
}

/* Append to a byte-swapped (big-endian on this host) microsecond pcap. */
static void test_append_swapped(void **state)
{
	(void)state;
	char p[512];
	path_of(p, sizeof(p), "swapped.pcap");
	FILE *f = fopen(p, "wb");
	uint32_t h[6] = {bswap(0xa1b2c3d4), bswap(0x00040002), 0, 0, bswap(65535), bswap(101)};
	fwrite(h, 4, 6, f);
	uint8_t b[256];
	size_t len = pkt(0, b);
	uint32_t rec[4] = {bswap(1700000000), bswap(123456), bswap((uint32_t)len), bswap((uint32_t)len)};
	fwrite(rec, 4, 4, f);
	fwrite(b, 1, len, f);
	fclose(f);
	create(p, DLT_RAW, IPK_PCAPW_APPEND, 1, 2);
	check(p, DLT_RAW, 0, 3, 1);
}

static void test_append_pcapng(void **state)
{
	(void)state;
	char p[512];
	path_of(p, sizeof(p), "app.pcapng");
	unlink(p);
	create(p, DLT_RAW, IPK_PCAPW_PCAPNG | IPK_PCAPW_APPEND, 0, 2);
	create(p, DLT_RAW, IPK_PCAPW_PCAPNG | IPK_PCAPW_APPEND, 2, 2);
	create(p, DLT_RAW, IPK_PCAPW_PCAPNG | IPK_PCAPW_APPEND, 4, 1);
	check(p, DLT_RAW, 0, 5, 0);
}

/* Append to a pcapng whose interface has no if_tsresol (microseconds): new packets go to that
 * interface in its units. */
static void test_append_pcapng_us(void **state)
{
	(void)state;
	char p[512];
	path_of(p, sizeof(p), "us.pcapng");
	FILE *f = fopen(p, "wb");
	uint32_t shb[7] = {0x0a0d0d0a, 28, 0x1a2b3c4d, 1, 0xffffffff, 0xffffffff, 28};
	uint32_t idb[5] = {1, 20, 101, 65535, 20};
	uint8_t b[256];
	size_t len = pkt(0, b), pad = (4 - len % 4) % 4;
	uint64_t ts = 1700000000ull * 1000000 + 123456;
	uint32_t blen = (uint32_t)(32 + len + pad);
	uint32_t epb[7] = {6, blen, 0, (uint32_t)(ts >> 32), (uint32_t)ts, (uint32_t)len, (uint32_t)len};
	fwrite(shb, 4, 7, f);
	fwrite(idb, 4, 5, f);
	fwrite(epb, 4, 7, f);
	fwrite(b, 1, len + pad, f);
	fwrite(&blen, 4, 1, f);
	fclose(f);
	create(p, DLT_RAW, IPK_PCAPW_PCAPNG | IPK_PCAPW_APPEND, 1, 2);
	check(p, DLT_RAW, 0, 3, 3); /* all microsecond now */
}

/* Appending to something else fails, leaves the file as it was and no temp file. */
static void expect_open_fail(const char *path, int dlt, unsigned flags, int code, const char *msg)
{
	uint8_t before[4096], after[4096];
	size_t nb = 0, na = 0;
	int existed = access(path, F_OK) == 0;
	if (existed)
		file_bytes(path, before, sizeof(before), &nb);
	const char *base = strrchr(path, '/') + 1;
	int entries = count_entries(base);
	struct ipk_pcapw w;
	char err[512];
	int r = ipk_pcapw_open(&w, path, dlt, flags, err, sizeof(err));
	assert_int_equal(r, code);
	if (!strstr(err, msg))
		fail_msg("error '%s' lacks '%s'", err, msg);
	assert_null(w.f);
	assert_int_equal(count_entries(base), entries);
	if (existed) {
		file_bytes(path, after, sizeof(after), &na);
		assert_int_equal(na, nb);
		assert_memory_equal(after, before, nb);
	}
	ipk_pcapw_abort(&w); /* harmless after a failed open */
}

static void test_append_mismatch(void **state)
{
	(void)state;
	char p[512], q[512], t[512];
	path_of(p, sizeof(p), "mm.pcap");
	path_of(q, sizeof(q), "mm.pcapng");
	path_of(t, sizeof(t), "mm.txt");
	create(p, DLT_RAW, 0, 0, 2);
	create(q, DLT_RAW, IPK_PCAPW_PCAPNG, 0, 2);
	expect_open_fail(p, DLT_RAW, IPK_PCAPW_APPEND | IPK_PCAPW_PCAPNG, -EINVAL, "is a pcap file");
	expect_open_fail(q, DLT_RAW, IPK_PCAPW_APPEND, -EINVAL, "is a pcapng file");
	expect_open_fail(p, DLT_EN10MB, IPK_PCAPW_APPEND, -EINVAL, "link type 101, not 1");
	expect_open_fail(q, DLT_EN10MB, IPK_PCAPW_APPEND | IPK_PCAPW_PCAPNG, -EINVAL,
			 "interface of link type 101");
	FILE *f = fopen(t, "w");
	fputs("this is not a capture file at all, just some text\n", f);
	fclose(f);
	expect_open_fail(t, DLT_RAW, IPK_PCAPW_APPEND, -EINVAL, "not a pcap or pcapng file");
	/* truncated last record: refuse rather than lose it silently */
	uint8_t b[4096];
	size_t n;
	file_bytes(p, b, sizeof(b), &n);
	f = fopen(p, "wb");
	fwrite(b, 1, n - 3, f);
	fclose(f);
	expect_open_fail(p, DLT_RAW, IPK_PCAPW_APPEND, -EINVAL, "record 2 truncated");
	file_bytes(q, b, sizeof(b), &n);
	f = fopen(q, "wb");
	fwrite(b, 1, n - 5, f);
	fclose(f);
	expect_open_fail(q, DLT_RAW, IPK_PCAPW_APPEND | IPK_PCAPW_PCAPNG, -EINVAL, "truncated");
}

/* Until commit, path does not change; the temp file is in the same directory (same device). */
static void test_temp_beside_and_abort(void **state)
{
	(void)state;
	char p[512];
	path_of(p, sizeof(p), "atomic.pcap");
	unlink(p);
	struct ipk_pcapw w;
	char err[256];
	assert_int_equal(ipk_pcapw_open(&w, p, DLT_RAW, 0, err, sizeof(err)), 0);
	write_pkts(&w, 0, 3);
	assert_int_equal(access(p, F_OK), -1);
	assert_int_equal(strncmp(w.tmp, p, strlen(p)), 0);
	assert_null(strchr(w.tmp + strlen(dir) + 1, '/'));
	struct stat st_tmp, st_dir;
	assert_int_equal(stat(w.tmp, &st_tmp), 0);
	assert_int_equal(stat(dir, &st_dir), 0);
	assert_int_equal(st_tmp.st_dev, st_dir.st_dev);
	ipk_pcapw_abort(&w);
	assert_int_equal(access(p, F_OK), -1);
	assert_int_equal(count_entries("atomic.pcap"), 0);
	ipk_pcapw_abort(&w); /* twice is fine */
	assert_int_equal(ipk_pcapw_write(&w, 0, 0, NULL, 0, 0), -EINVAL); /* closed */
	assert_int_equal(ipk_pcapw_commit(&w, err, sizeof(err)), -EINVAL);

	/* An existing file survives an aborted rewrite untouched. */
	create(p, DLT_RAW, 0, 0, 2);
	assert_int_equal(ipk_pcapw_open(&w, p, DLT_RAW, IPK_PCAPW_APPEND, err, sizeof(err)), 0);
	write_pkts(&w, 2, 3);
	check(p, DLT_RAW, 0, 2, 0);
	ipk_pcapw_abort(&w);
	check(p, DLT_RAW, 0, 2, 0);
	assert_int_equal(count_entries("atomic.pcap"), 1);
}

/* A write error midway (file size limit: EFBIG) fails, removes the temp file, keeps path. */
static void test_error_midway(void **state)
{
	(void)state;
	char p[512];
	path_of(p, sizeof(p), "efbig.pcap");
	create(p, DLT_RAW, 0, 0, 1);
	struct rlimit old, lim;
	assert_int_equal(getrlimit(RLIMIT_FSIZE, &old), 0);
	void (*oldsig)(int) = signal(SIGXFSZ, SIG_IGN);
	lim = old;
	lim.rlim_cur = 8192;
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &lim), 0);
	struct ipk_pcapw w;
	char err[256];
	int r = ipk_pcapw_open(&w, p, DLT_RAW, IPK_PCAPW_APPEND, err, sizeof(err));
	uint8_t b[1500];
	memset(b, 0x45, sizeof(b));
	for (int i = 0; i < 100 && r == 0; i++)
		r = ipk_pcapw_write(&w, 1, 0, b, sizeof(b), sizeof(b));
	if (r == 0)
		r = ipk_pcapw_commit(&w, err, sizeof(err));
	else
		ipk_pcapw_abort(&w);
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &old), 0);
	signal(SIGXFSZ, oldsig);
	assert_int_equal(r, -EFBIG);
	check(p, DLT_RAW, 0, 1, 0);
	assert_int_equal(count_entries("efbig.pcap"), 1);
}

static void test_bad_args(void **state)
{
	(void)state;
	char p[512];
	path_of(p, sizeof(p), "nodir/x.pcap");
	struct ipk_pcapw w;
	char err[512];
	assert_int_equal(ipk_pcapw_open(&w, p, DLT_RAW, 0, err, sizeof(err)), -ENOENT);
	assert_non_null(strstr(err, p));
	assert_non_null(strstr(err, "No such file or directory"));
	assert_int_equal(ipk_pcapw_open(&w, dir, DLT_RAW, 0, err, sizeof(err)), -EISDIR);
	assert_non_null(strstr(err, "is a directory"));
	assert_int_equal(ipk_pcapw_open(&w, "", DLT_RAW, 0, err, sizeof(err)), -ENOENT);
	char longp[5000];
	memset(longp, 'a', sizeof(longp) - 1);
	longp[sizeof(longp) - 1] = 0;
	assert_int_equal(ipk_pcapw_open(&w, longp, DLT_RAW, 0, err, sizeof(err)), -ENAMETOOLONG);
	assert_int_equal(ipk_pcapw_open(&w, p, DLT_RAW, 0x80, NULL, 0), IPK_E_INVAL);

	path_of(p, sizeof(p), "args.pcap");
	assert_int_equal(ipk_pcapw_open(&w, p, DLT_RAW, 0, err, sizeof(err)), 0);
	uint8_t b[300000] = {0x45};
	assert_int_equal(ipk_pcapw_write(&w, 1, 1000000000u, b, 20, 20), -EINVAL);
	assert_int_equal(ipk_pcapw_write(&w, 1, 0, b, 21, 20), -EINVAL);
	assert_int_equal(ipk_pcapw_write(&w, -1, 0, b, 20, 20), -EOVERFLOW);
	assert_int_equal(ipk_pcapw_write(&w, (int64_t)1 << 33, 0, b, 20, 20), -EOVERFLOW);
	assert_int_equal(ipk_pcapw_write(&w, 5, 0, b, sizeof(b), sizeof(b)), 0); /* cut to snaplen */
	assert_int_equal(w.count, 1);
	assert_int_equal(ipk_pcapw_commit(&w, err, sizeof(err)), 0);
	char eb[PCAP_ERRBUF_SIZE];
	pcap_t *pc = pcap_open_offline(p, eb);
	assert_non_null(pc);
	struct pcap_pkthdr *ph;
	const u_char *d;
	assert_int_equal(pcap_next_ex(pc, &ph, &d), 1);
	assert_int_equal(ph->caplen, IPK_PCAPW_SNAPLEN);
	assert_int_equal(ph->len, sizeof(b));
	pcap_close(pc);
	/* pcapng takes timestamps past 2106 */
	assert_int_equal(ipk_pcapw_open(&w, p, DLT_RAW, IPK_PCAPW_PCAPNG, err, sizeof(err)), 0);
	assert_int_equal(ipk_pcapw_write(&w, (int64_t)1 << 33, 5, b, 20, 20), 0);
	assert_int_equal(ipk_pcapw_commit(&w, err, sizeof(err)), 0);
}

/* New files get the umask's mode; an appended file keeps its mode. */
static void test_mode(void **state)
{
	(void)state;
	char p[512];
	path_of(p, sizeof(p), "mode.pcap");
	unlink(p);
	mode_t old = umask(022);
	create(p, DLT_RAW, 0, 0, 1);
	struct stat st;
	assert_int_equal(stat(p, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0644);
	assert_int_equal(chmod(p, 0600), 0);
	create(p, DLT_RAW, IPK_PCAPW_APPEND, 1, 1);
	assert_int_equal(stat(p, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	umask(old);
}

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/ipk_pcapw.XXXXXX");
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	char cmd[400];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_pcap_raw),          cmocka_unit_test(test_pcapng_ether),
	    cmocka_unit_test(test_linktype_raw_alias), cmocka_unit_test(test_tools_read),
	    cmocka_unit_test(test_append_pcap),       cmocka_unit_test(test_append_libpcap_us),
	    cmocka_unit_test(test_append_swapped),    cmocka_unit_test(test_append_pcapng),
	    cmocka_unit_test(test_append_pcapng_us),
	    cmocka_unit_test(test_append_mismatch),   cmocka_unit_test(test_temp_beside_and_abort),
	    cmocka_unit_test(test_error_midway),      cmocka_unit_test(test_bad_args),
	    cmocka_unit_test(test_mode),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
