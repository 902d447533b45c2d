/* conform.h - the IGMP conformance suite (RFC 3376/9776, RFC 2236, RFC 1112): a catalogue of RFC-cited host and router checks, run over the caller's I/O and clock, each ending in a verdict with its evidence. */
#ifndef IPV4KIT_CONFORM_H
#define IPV4KIT_CONFORM_H

#include "common.h"

#ifdef __cplusplus
extern "C" {
#endif

/*
 * The suite plays one side of IGMP against a target on the link and judges what the target does:
 * - host suite: ipv4kit is the router (it sends queries, crafted or malformed on purpose); the
 *   target is a host. The target is made to join and leave through the caller (hooks), or has
 *   joined beforehand what the caller lists (cfg.expect).
 * - router suite: ipv4kit is one or more hosts and, where a check needs it, a competing querier;
 *   the target is a router or querier, seen through the queries it sends and, when the caller can
 *   read it, its group table.
 *
 * Like the querier and host roles (querier.h, host.h) the suite is library code with no socket,
 * no clock and no allocation of its own: every packet goes out and comes in through the caller's
 * struct ipk_conform_io, time is the caller's (real time for a real target, virtual time in the
 * unit tests, where the target is an ipk_host or ipk_querier in the same process), and all memory
 * is the caller's. Packets are built with the codec's builders and read with its parsers.
 *
 * Each check has an ID ("H01", "R12"), a short name, a level (MUST/SHOULD/MAY), the RFC sections,
 * the requirement it tests in one sentence, whether it is a negative test (the target must ignore
 * or reject something), and the IGMP versions it applies to. A run gives each selected check one
 * result: what was sent, what was expected, what was seen (with the timing the verdict rests on),
 * the verdict, and the packets sent and heard during the check (evidence, for a pcap). Timings are
 * judged against RFC windows widened by cfg.slack_ms, never against exact values.
 * docs/conform.md lists the catalogue.
 */

/* Sides. */
#define IPK_CONFORM_HOST 1   /* the target is a host; the suite plays the router */
#define IPK_CONFORM_ROUTER 2 /* the target is a router/querier; the suite plays hosts */

/* Levels (RFC 2119). */
#define IPK_CONFORM_MUST 1
#define IPK_CONFORM_SHOULD 2
#define IPK_CONFORM_MAY 3

/* Verdicts. */
#define IPK_CONFORM_PASS 1
#define IPK_CONFORM_FAIL 2         /* a MUST (or a SHOULD/MAY the RFC words as a rule) broken */
#define IPK_CONFORM_DEVIATION 3    /* a SHOULD not followed, or a documented departure (the Linux
				    * kernel's measured behaviour): reported, not a failure */
#define IPK_CONFORM_INCONCLUSIVE 4 /* the check could not decide (the target was silent where its
				    * answer was the precondition, a send failed, ...) */
#define IPK_CONFORM_SKIPPED 5      /* not run: not selected, another IGMP version, or what it
				    * needs is missing (no hook, no state command) */

/* Filter modes for ipk_conform_io.target_set (the values of ipk_host's and the querier's). */
#define IPK_CONFORM_INCLUDE 1
#define IPK_CONFORM_EXCLUDE 2
#define IPK_CONFORM_LEAVE 0 /* no membership at all (leave) */

struct ipk_conform_ctx; /* a running check; see src/roles/conform_int.h */

/* One check of the catalogue (static data of the library). */
struct ipk_conform_check {
	const char *id;       /* "H01".."H99" host checks, "R01".."R99" router checks; stable */
	const char *name;     /* short slug, e.g. "gq-answer-in-time"; --only takes it too */
	uint8_t side;         /* IPK_CONFORM_HOST or IPK_CONFORM_ROUTER */
	uint8_t level;        /* IPK_CONFORM_MUST/SHOULD/MAY */
	uint8_t negative;     /* 1: the target must ignore or reject what the check sends */
	uint8_t versions;     /* bit v set (1 << v) for each IGMP version 1..3 it applies to */
	const char *rfc;      /* sections, e.g. "RFC 3376 5.2; RFC 9776 5.2" */
	const char *requirement; /* the RFC sentence tested, said in one line */
	void (*run)(struct ipk_conform_ctx *c); /* internal: the check itself */
};

/* The catalogue of one side: *n gets the number of checks (in ID order). */
IPK_API const struct ipk_conform_check *ipk_conform_catalogue(unsigned side, size_t *n) IPK_NONNULL(2);

/* The check with this ID or name on side (case-sensitive), or NULL. */
IPK_API const struct ipk_conform_check *ipk_conform_find(unsigned side, const char *id_or_name) IPK_NONNULL(2);

/*
 * Selection: sel[0..n) (n from ipk_conform_catalogue) gets 1 for each check to run: all when only
 * is NULL or empty, else those named in only (comma-separated IDs or names); then those named in
 * skip (may be NULL) get 0. Returns 0, or IPK_E_INVAL with err naming the first unknown entry.
 */
IPK_API int ipk_conform_select(unsigned side, const char *only, const char *skip, uint8_t *sel, size_t n,
			       char *err, size_t errlen) IPK_NONNULL(4);

/* What the suite knows about the link and the target. Times in milliseconds. */
struct ipk_conform_cfg {
	uint8_t side;              /* IPK_CONFORM_HOST or IPK_CONFORM_ROUTER */
	uint8_t version;           /* 1, 2 or 3: host suite: the version of the router it plays (the
				    * target is expected to answer in it); router suite: the target's
				    * querier version (default 3) */
	uint8_t pad_[2];
	uint32_t self;             /* the suite's own address (source of its queries/reports; the
				    * router suite's hosts are self, self+1, ...) */
	uint32_t target;           /* the target's address */
	uint32_t group_base;       /* first group the checks use (default 239.1.0.0, each check its
				    * own groups: group_base + 16 * check index + k) */
	uint32_t ssm_base;         /* first group for source-specific checks (default 232.1.0.0) */
	uint32_t source_base;      /* first source address the checks name (default 198.19.200.1) */
	uint32_t mrt_ms;           /* host suite: the Max Resp Time of the queries it sends
				    * (default 1000) */
	uint32_t slack_ms;         /* added to every RFC window (default 300: scheduling, the
				    * target's timer ticks) */
	/* host suite: the target's unsolicited report interval, to judge retransmission spacing
	 * (default 0: 1000 for v3, 10000 for v1/v2, RFC 3376 8.11 / RFC 2236 8.10) */
	uint32_t uri_ms;
	/* router suite: the target's timers when known (0: learned from its queries: QQIC, QRV,
	 * Max Resp Code, and the spacing of its specific queries) */
	uint32_t query_interval_ms;
	uint32_t query_response_interval_ms;
	uint32_t last_member_interval_ms;
	uint8_t robustness;
	uint8_t last_member_count;
	uint8_t pad2_[2];
	/* host suite without a join hook (io.target_set NULL): what the target has joined (group,
	 * mode, sources), expect[0..nexpect); checks that need a change of state are skipped */
	uint16_t nexpect;
	struct ipk_conform_expect {
		uint32_t group;
		uint8_t mode;      /* IPK_CONFORM_INCLUDE / EXCLUDE */
		uint8_t nsrcs;
		uint32_t srcs[8];
	} expect[16];
};

/* Fill *c with the defaults above for side (version 3). */
IPK_API void ipk_conform_cfg_default(struct ipk_conform_cfg *c, unsigned side) IPK_NONNULL(1);

/* One packet of a check's evidence. */
struct ipk_conform_pkt {
	int64_t at_us;        /* when it was sent or heard, on the caller's clock */
	uint8_t dir;          /* 0 sent by the suite, 1 heard on the link */
	uint16_t len;
	const uint8_t *data;  /* the IPv4 datagram (valid during on_result only) */
};

/* A check's result. The texts are NUL-terminated and cut to their arrays. */
struct ipk_conform_result {
	const struct ipk_conform_check *check;
	uint8_t verdict;          /* IPK_CONFORM_PASS .. IPK_CONFORM_SKIPPED */
	int64_t start_us, end_us; /* the check's span on the caller's clock */
	double measured_ms;       /* the timing the verdict rests on (answer delay, interval, ...),
				   * or -1 when none */
	char sent[256];           /* what the suite did */
	char expected[256];       /* what the RFC asks for, with the window */
	char seen[512];           /* what the target did (or why skipped/inconclusive) */
};

/*
 * The caller's side: clock, link and target. Every callback gets ctx. now_us, send and recv are
 * required; the target_* callbacks may be NULL (the checks that need them are skipped).
 */
struct ipk_conform_io {
	void *ctx;
	/* A monotonic clock in microseconds. */
	int64_t (*now_us)(void *ctx);
	/* Put the IPv4 datagram dgram[0..len) on the link exactly as given (any source, 0.0.0.0
	 * included, any checksum; a multicast destination goes to its group MAC, a unicast one to
	 * the target). Returns 0 or -errno (the check becomes inconclusive). */
	int (*send)(void *ctx, const uint8_t *dgram, size_t len);
	/* Wait for the next IGMP datagram heard on the link that the suite did not send itself,
	 * until deadline_us: copy at most cap bytes to buf, set *at_us to its arrival time, return
	 * its length (> 0); 0 when the deadline came first; -errno to abort the run. A virtual-time
	 * caller advances its clock to the arrival or to the deadline. */
	int (*recv)(void *ctx, int64_t deadline_us, uint8_t *buf, size_t cap, int64_t *at_us);
	/* Host suite: make the target's socket state for group be (mode, srcs[0..n)) on the link,
	 * or leave it (mode IPK_CONFORM_LEAVE), returning once it is done. 0, -ENOTSUP (no way:
	 * checks needing it are skipped) or -errno (inconclusive). */
	int (*target_set)(void *ctx, uint32_t group, unsigned mode, const uint32_t *srcs, size_t n);
	/* Router suite: whether the target's group table holds group (source 0) or (source, group):
	 * 1 yes, 0 no, -ENOTSUP (not readable: checks needing it are skipped), -errno. */
	int (*target_has)(void *ctx, uint32_t group, uint32_t source);
	/* Router suite: restart the target and return as soon as it was started (startup checks).
	 * 0, -ENOTSUP, -errno. */
	int (*target_restart)(void *ctx);
	/* Called after each selected check (skipped ones too: other version, nothing to drive the
	 * target with), with its result and evidence. May be NULL. */
	void (*on_result)(void *ctx, const struct ipk_conform_result *r, const struct ipk_conform_pkt *pkts,
			  size_t npkts);
};

/* Totals of a run. */
struct ipk_conform_summary {
	unsigned run;               /* checks run (not skipped) */
	unsigned verdicts[6];       /* by verdict, index IPK_CONFORM_PASS..SKIPPED */
	unsigned must_failed;       /* MUST checks that failed: exit 1 when not 0 */
};

/* Working memory of a run: at least this many bytes (evidence of one check: up to 512 packets,
 * 256 KiB of bytes; the longest check keeps its first ones). */
#define IPK_CONFORM_MEM (320u * 1024u)

/*
 * Run the checks selected in sel[0..n) (ipk_conform_select) of cfg->side in ID order: each gets a
 * result through io->on_result. mem[0..memlen) is working memory (memlen >= IPK_CONFORM_MEM).
 * Returns 0 (the run went through; *sum has the totals), IPK_E_INVAL (bad cfg, io without
 * now_us/send/recv, memlen too small, n not the catalogue size), or the -errno a recv returned
 * to abort (the results so far were delivered).
 */
IPK_API IPK_WARN_UNUSED_RESULT int ipk_conform_run(const struct ipk_conform_cfg *cfg, const struct ipk_conform_io *io,
				    const uint8_t *sel, size_t n, void *mem, size_t memlen,
				    struct ipk_conform_summary *sum) IPK_NONNULL(1, 2, 3, 5, 7);

/* Names: "MUST"..; "pass", "fail", "deviation", "inconclusive", "skipped"; "host", "router";
 * "include", "exclude", "leave". "?" for unknown values. */
IPK_API const char *ipk_conform_level_name(unsigned level);
IPK_API const char *ipk_conform_verdict_name(unsigned verdict);
IPK_API const char *ipk_conform_side_name(unsigned side);
IPK_API const char *ipk_conform_mode_name(unsigned mode);

#ifdef __cplusplus
}
#endif
#endif
