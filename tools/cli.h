/* cli.h - the ipv4kit command: exit codes, the subcommand table entry and the entry points of the tools/ sources. */
#ifndef IPK_CLI_H
#define IPK_CLI_H

#include <errno.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include "ipv4kit/fmt.h"

/* Exit codes of every subcommand (documented in ipv4kit.1). */
#define IPK_EXIT_OK 0       /* success */
#define IPK_EXIT_FINDINGS 1 /* ran to the end, but some input was malformed (bad packet, bad hex) */
#define IPK_EXIT_USAGE 2    /* usage error, unreadable file, bad filter, cannot open interface */
#define IPK_EXIT_NODATA 3   /* listen: stopped by --timeout or a signal before any datagram arrived */
#define IPK_EXIT_SETUP 3    /* conform: the run could not start (no such interface, no permission) */

/* Exit code after a capture-reading error of the harness (include/ipv4kit/harness.h): -EIO (the
 * file reads up to a bad or cut record) is bad input, the same for every subcommand; any other
 * error (no such file, not a capture) means there was nothing to work on. */
static inline int ipk_cli_read_exit(int rc)
{
	return rc == -EIO ? IPK_EXIT_FINDINGS : IPK_EXIT_USAGE;
}

/* One subcommand: name, one-line summary for --help, entry point (argv[0] is the subcommand). */
struct ipk_cmd {
	const char *name;
	const char *summary;
	int (*run)(int argc, char **argv);
};

int ipk_cmd_decode(int argc, char **argv);
int ipk_cmd_listen(int argc, char **argv);
int ipk_cmd_send(int argc, char **argv);
int ipk_cmd_replay(int argc, char **argv);
int ipk_cmd_craft(int argc, char **argv);
int ipk_cmd_querier(int argc, char **argv);
int ipk_cmd_host(int argc, char **argv);
int ipk_cmd_fuzz(int argc, char **argv);
int ipk_cmd_conform(int argc, char **argv);

/* craft's packet language (tools/craft.c), shared with `fuzz --craft`: build the IPv4 datagram
 * that the words argv[1..argc) describe (as `ipv4kit craft` takes them, without options) into
 * out[0..cap). Returns its length, or -1 after a usage message naming the word. Not reentrant. */
int ipk_craft_dgram(int argc, char **argv, uint8_t *out, size_t cap);

/* Payload of `ipv4kit send`: IPK_SEND_MAGIC, the decimal sequence number (from 1), a space, then
 * the --payload text or filler; `ipv4kit listen` shows the number as seq. */
#define IPK_SEND_MAGIC "ipk seq="

/* ---- tools/cli.c: what every subcommand shares ---- */

/* Usage errors: one line "PROG: MESSAGE" and the hint "try 'ipv4kit CMD --help'" on stderr.
 * ipk_cli_usage returns IPK_EXIT_USAGE; ipk_cli_hint prints the hint alone. */
int ipk_cli_usage(const char *prog, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void ipk_cli_hint(const char *prog);
/* For getopt_long's '?' (unknown option) and ':' (missing value; the option string must start
 * with "+:" and opterr be 0): the usage error naming the option. Returns IPK_EXIT_USAGE. */
int ipk_cli_badopt(const char *prog, char **argv, int opt);

/* Argument parsers: 0, or -1 after a usage error "PROG: WHAT: 'S' is not a number from MIN to
 * MAX" (the range the check enforces). */
int ipk_cli_num(const char *prog, const char *what, const char *s, unsigned long min,
		unsigned long max, unsigned long *out); /* decimal or 0x hex */
int ipk_cli_uint(const char *prog, const char *what, const char *s, unsigned long max,
		 unsigned long *out); /* ipk_cli_num from 0 */
int ipk_cli_real(const char *prog, const char *what, const char *s, double min, double max,
		 double *out); /* decimal, fraction or exponent allowed */
/* Interface name or index; 0, or -1 after "PROG: -i: unknown interface 'NAME'". */
int ipk_cli_ifindex(const char *prog, const char *name, unsigned *out);
/* aa:bb:cc:dd:ee:ff, one or two hex digits a byte; 0, or -1 after a usage error naming WHAT. */
int ipk_cli_mac(const char *prog, const char *what, const char *s, unsigned char mac[6]);

/* A group argument: G (any-source), G@S1,S2,... (these sources only) or G!S1,S2,... (any source but
 * these), as `ipv4kit listen` and `ipv4kit host --join` take it. */
#define IPK_CLI_MAX_SRCS 16
enum { IPK_CLI_ANY, IPK_CLI_INCLUDE, IPK_CLI_EXCLUDE };
struct ipk_cli_group {
	uint32_t group;     /* host order, multicast */
	int mode;           /* IPK_CLI_ANY, _INCLUDE, _EXCLUDE */
	unsigned nsrc;      /* 0 for ANY, else 1..IPK_CLI_MAX_SRCS unicast addresses */
	uint32_t src[IPK_CLI_MAX_SRCS];
};
/* Parse s[0..len) (no NUL needed) into *g. Returns 0, or -1 with why in err[0..errlen) (e.g.
 * "bad group address '239.1.1.300'") and *col the 1-based column of the bad part. */
int ipk_cli_group(const char *s, size_t len, struct ipk_cli_group *g, char *err, size_t errlen,
		  size_t *col);

/* Hex bytes: pairs of digits, an optional leading 0x, blanks, ':', '-', '.' or '_' between
 * bytes; ends at NUL or a line end. Appends to out[*n..cap) and adds to *n. Returns NULL, or
 * why not ("odd number of hex digits", "not a hex digit", "too many bytes") with *col the
 * 1-based column; nothing is added then. */
const char *ipk_cli_hex(const char *s, uint8_t *out, size_t cap, size_t *n, size_t *col);

/* ---- the clock of a command that runs a role's state machine (querier, host) ---- */

/* Real milliseconds since t0 (CLOCK_MONOTONIC) and the machine's clock: 1 + real ms x scale (it
 * starts at 1: 0 means "none" to the roles) and never goes back. */
struct ipk_cli_clock {
	struct timespec t0;
	double scale;       /* --time-scale */
	uint64_t last;      /* last machine time given out */
};
void ipk_cli_clock_start(struct ipk_cli_clock *c, double scale);
double ipk_cli_real_ms(const struct ipk_cli_clock *c);
/* Machine ms at real ms r (clamped to the last value given out). */
uint64_t ipk_cli_virt_at(struct ipk_cli_clock *c, double r);
uint64_t ipk_cli_virt_now(struct ipk_cli_clock *c);
/* Real ms from now until machine time v (0 when due). */
double ipk_cli_real_until(const struct ipk_cli_clock *c, uint64_t v);
/* Real ms since t0 of a socket's CLOCK_MONOTONIC arrival stamp in nanoseconds. */
double ipk_cli_stamp_ms(const struct ipk_cli_clock *c, int64_t ts_ns);

/* The MAC address of unicast neighbour addr on interface ifname from the kernel's neighbour
 * table (/proc/net/arp, complete entries only), into mac. A UDP datagram to addr's discard port
 * (9) every 0.5 s makes the kernel resolve it. Bounded: wait_ms. Returns 0, or -1 when there is
 * still no entry. */
int ipk_cli_neigh_mac(const char *ifname, uint32_t addr, uint8_t mac[6], unsigned wait_ms);

/* The first IPv4 address of interface name (host order), or 0. */
uint32_t ipk_cli_if_addr(const char *name);

/* An event log line through the formatter (ipk_fmt_event, style IPK_FMT_TEXT or IPK_FMT_JSON),
 * numbered ++*seq and stamped with the wall clock, written to f; *line (*cap bytes) is the caller's
 * buffer, grown (up to 16 MiB) when too small. A line that cannot be formatted is dropped. */
void ipk_cli_event(FILE *f, uint64_t *seq, int style, char **line, size_t *cap, const char *event,
		   const struct ipk_fmt_kv *kv, size_t n);
#define IPK_KV_IP(k, v) {.key = (k), .type = IPK_FMT_KV_IP, .ip = (v)}
#define IPK_KV_INT(k, v) {.key = (k), .type = IPK_FMT_KV_INT, .i = (int64_t)(v)}
#define IPK_KV_STR(k, v) {.key = (k), .type = IPK_FMT_KV_STR, .s = (v)}
#define IPK_KV_BOOL(k, v) {.key = (k), .type = IPK_FMT_KV_BOOL, .i = (v) != 0}

/* Write a file atomically: fill(arg, f) writes tmp (a name from ipk_pcapw_tmpname, announced
 * with ipk_cli_tmp so a second signal removes it) and returns 0 or -1; then tmp is renamed over
 * path. On any failure tmp is removed and "PROG: WHAT: cannot write PATH: why" goes to stderr.
 * Returns 0 or -1. */
int ipk_cli_save(const char *prog, const char *what, const char *path, const char *tmp,
		 int (*fill)(void *arg, FILE *f), void *arg);

/* Signals. ipk_cli_signals(poll) catches SIGINT, SIGTERM and SIGHUP (no SA_RESTART). With poll,
 * the first one sets ipk_cli_stop to the signal number for the caller's loop to see, and the
 * caller finishes or removes its temporary file itself; a second one, or any one without poll
 * (work done inside the library, e.g. ipk_rewrite_file), unlinks the file named by ipk_cli_tmp()
 * (unlink is async-signal-safe) and kills the process as if it had no handler.
 * ipk_cli_tmp(path) names that temporary file (NULL: none; -1 if the name is too long). */
extern volatile sig_atomic_t ipk_cli_stop;
void ipk_cli_signals(int poll);
int ipk_cli_tmp(const char *path);

/* s as a JSON string, quotes included: '"' and '\\' escaped, control bytes and DEL as \u00XX,
 * other bytes (UTF-8) as they are. */
void ipk_cli_json_str(FILE *f, const char *s);

#endif
