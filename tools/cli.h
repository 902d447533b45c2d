/* cli.h - the ipv4kit command: exit codes, the subcommand table entry and the entry points of the tools/ sources. */
#ifndef IPK_CLI_H
#define IPK_CLI_H

#include <errno.h>

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

/* Payload of `ipv4kit send`: IPK_SEND_MAGIC, the decimal sequence number (from 1), a space, then
 * the --payload text or filler; `ipv4kit listen` shows the number as seq. */
#define IPK_SEND_MAGIC "ipk seq="

/* Argument helpers shared by listen and send (defined in listen.c). Each returns 0, or -1 after
 * printing "PROG: WHAT: ..." naming the bad argument on stderr. */
int ipk_cli_uint(const char *prog, const char *what, const char *s, unsigned long max,
		 unsigned long *out);      /* decimal or 0x hex, 0..max */
int ipk_cli_seconds(const char *prog, const char *what, const char *s, double *out); /* > 0 */
int ipk_cli_ifindex(const char *prog, const char *name, unsigned *out); /* interface name or index */
int ipk_cli_mac(const char *prog, const char *what, const char *s,
		unsigned char mac[6]); /* aa:bb:cc:dd:ee:ff, 1 or 2 hex digits a byte */

#endif
