/* cli.h - the ipv4kit command: exit codes, the subcommand table entry and the entry points of the tools/ sources. */
#ifndef IPK_CLI_H
#define IPK_CLI_H

#include <errno.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>

/* Exit codes of every subcommand (documented in ipv4kit.1). */
#define IPK_EXIT_OK 0       /* success */
#define IPK_EXIT_FINDINGS 1 /* ran to the end, but some input was malformed (bad packet, bad hex) */
#define IPK_EXIT_USAGE 2    /* usage error, unreadable file, bad filter, cannot open interface */
#define IPK_EXIT_NODATA 3   /* listen: stopped by --timeout or a signal before any datagram arrived */

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

/* Hex bytes: pairs of digits, an optional leading 0x, blanks, ':', '-', '.' or '_' between
 * bytes; ends at NUL or a line end. Appends to out[*n..cap) and adds to *n. Returns NULL, or
 * why not ("odd number of hex digits", "not a hex digit", "too many bytes") with *col the
 * 1-based column; nothing is added then. */
const char *ipk_cli_hex(const char *s, uint8_t *out, size_t cap, size_t *n, size_t *col);

/* Signals. ipk_cli_signals(poll) catches SIGINT, SIGTERM and SIGHUP (no SA_RESTART). With poll,
 * the first one sets ipk_cli_stop to the signal number for the caller's loop to see, and the
 * caller finishes or removes its temporary file itself; a second one, or any one without poll
 * (work done inside the library, e.g. ipk_rewrite_file), unlinks the file named by ipk_cli_tmp()
 * (unlink is async-signal-safe) and kills the process as if it had no handler.
 * ipk_cli_tmp(path) names that temporary file (NULL: none; -1 if the name is too long). */
extern volatile sig_atomic_t ipk_cli_stop;
void ipk_cli_signals(int poll);
int ipk_cli_tmp(const char *path);

#endif
