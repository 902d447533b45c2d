/* scenario.h - what `ipv4kit host` does to its emulated hosts and when: --join specs and scenario files (T HOSTS ACTION GROUP[@SRC...]) parsed into membership actions (docs/host-scenarios.md). */
#ifndef IPK_SCENARIO_H
#define IPK_SCENARIO_H

#include <stddef.h>
#include <stdint.h>

#include "cli.h"

enum { IPK_ACT_JOIN, IPK_ACT_LEAVE, IPK_ACT_INCLUDE, IPK_ACT_EXCLUDE, IPK_ACT_ALLOW, IPK_ACT_BLOCK };

/*
 * One action on hosts h0..h1 and groups g.group .. g.group + ngroups - 1: every host on every
 * group, or (spread) host h0 + k on group g.group + k mod ngroups only. It expands into
 * ipk_scen_nops() (host, group) operations, applied in that order.
 */
struct ipk_scen_act {
	double t;            /* real seconds from the start */
	uint32_t h0, h1;     /* hosts, inclusive */
	uint32_t ngroups;    /* >= 1 */
	uint8_t action;      /* IPK_ACT_* */
	uint8_t spread;
	uint32_t line;       /* scenario line (0: --join) */
	struct ipk_cli_group g; /* mode IPK_CLI_ANY, _INCLUDE (G@S) or _EXCLUDE (G!S) */
};

/* Operations of a: hosts x groups, or hosts when spread. */
uint64_t ipk_scen_nops(const struct ipk_scen_act *a);
/* Operation k of a: its host and group. */
void ipk_scen_op(const struct ipk_scen_act *a, uint64_t k, uint32_t *host, uint32_t *group);

/* "join", "leave", "include", "exclude", "allow", "block". */
const char *ipk_scen_action_name(unsigned action);

/*
 * A --join argument [HOSTS:]GROUP[+N|%N][@S,...|!S,...] for nhosts hosts into *a (time 0,
 * action join; HOSTS defaults to all). Returns 0, or -1 with why in err and *col the 1-based
 * column of the bad part.
 */
int ipk_scen_join(const char *s, uint32_t nhosts, struct ipk_scen_act *a, char *err,
		  size_t errlen, size_t *col);

/*
 * Read scenario file path for nhosts hosts: one action a line, "T HOSTS ACTION GROUPSPEC",
 * '#' starts a comment. Appends to *acts (realloc'd; *n entries, the caller frees) in time
 * order (stable). Returns 0, or -1 after printing "PROG: FILE:LINE:COLUMN: why" (or why the
 * file cannot be read) on stderr.
 */
int ipk_scen_load(const char *prog, const char *path, uint32_t nhosts, struct ipk_scen_act **acts,
		  size_t *n);

#endif
