/* main.c - the ipv4kit command: dispatches subcommands (decode, ...) from one table, like ip(8)/git. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "ipv4kit/version.h"

/* Add a subcommand here: name, summary, entry point (declared in cli.h). */
static const struct ipk_cmd cmds[] = {
	{"decode", "decode pcap/pcapng files, a live interface or hex into text or JSON", ipk_cmd_decode},
	{"listen", "join multicast groups (any-source, source-specific, excluding sources), print datagrams",
	 ipk_cmd_listen},
	{"send", "send UDP datagrams to a unicast or multicast address at a rate, optionally batched",
	 ipk_cmd_send},
	{"replay", "pcap harness: verify, golden JSON compare, rewrite, send a capture onto an interface",
	 ipk_cmd_replay},
	{"craft", "build any IPv4 packet (options, IGMPv1/v2/v3, UDP, ICMP, raw): pcap, hex or send",
	 ipk_cmd_craft},
	{"querier", "be the IGMP querier of a link: state JSON, event log, live table (RFC 3376 6)",
	 ipk_cmd_querier},
	{"host", "emulate up to 65,535 IGMP hosts: joins, leaves, answers, join/leave delays (RFC 3918)",
	 ipk_cmd_host},
	{"fuzz", "fuzz another IPv4/IGMP stack over the wire: mutated packets, liveness probes, reproducers",
	 ipk_cmd_fuzz},
	{"conform", "IGMP conformance suite for a host or router: RFC-cited checks, verdicts, JSON/JUnit/pcap",
	 ipk_cmd_conform},
};

#define NCMDS (sizeof(cmds) / sizeof(cmds[0]))

static void usage(FILE *f)
{
	fprintf(f, "usage: ipv4kit [--help] [--version] COMMAND [ARGS...]\n\n"
		   "IPv4 and IGMP toolkit. Commands:\n");
	for (size_t i = 0; i < NCMDS; i++)
		fprintf(f, "  %-10s %s\n", cmds[i].name, cmds[i].summary);
	fprintf(f, "\nRun 'ipv4kit COMMAND --help' for the options of a command; see ipv4kit(1).\n");
}

int main(int argc, char **argv)
{
	if (argc < 2)
		return ipk_cli_usage("ipv4kit", "no command given (decode, listen, send, replay, craft, querier, host, fuzz, conform)");
	const char *c = argv[1];
	if (strcmp(c, "--help") == 0 || strcmp(c, "-h") == 0 || strcmp(c, "help") == 0) {
		usage(stdout);
		return IPK_EXIT_OK;
	}
	if (strcmp(c, "--version") == 0 || strcmp(c, "-V") == 0 || strcmp(c, "version") == 0) {
		printf("ipv4kit %s\n", IPK_VERSION_STRING);
		return IPK_EXIT_OK;
	}
	for (size_t i = 0; i < NCMDS; i++)
		if (strcmp(c, cmds[i].name) == 0)
			return cmds[i].run(argc - 1, argv + 1);
	return ipk_cli_usage("ipv4kit", "unknown command '%s'", c);
}
