/* cli.h - the ipv4kit command: exit codes, the subcommand table entry and the entry points of the tools/ sources. */
#ifndef IPK_CLI_H
#define IPK_CLI_H

/* Exit codes of every subcommand (documented in ipv4kit.1). */
#define IPK_EXIT_OK 0       /* success */
#define IPK_EXIT_FINDINGS 1 /* ran to the end, but some input was malformed (bad packet, bad hex) */
#define IPK_EXIT_USAGE 2    /* usage error, unreadable file, bad filter, cannot open interface */

/* One subcommand: name, one-line summary for --help, entry point (argv[0] is the subcommand). */
struct ipk_cmd {
	const char *name;
	const char *summary;
	int (*run)(int argc, char **argv);
};

int ipk_cmd_decode(int argc, char **argv);

#endif
