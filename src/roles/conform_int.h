/* conform_int.h - what the conformance checks share (private to src/roles/conform*.c): the running check, sending crafted IGMP, hearing the target, verdicts and evidence. */
#ifndef IPV4KIT_CONFORM_INT_H
#define IPV4KIT_CONFORM_INT_H

#include <stdarg.h>

#include "ipv4kit/conform.h"
#include "ipv4kit/igmp.h"
#include "ipv4kit/ip4.h"

/* What the router suite learned of the target over the run (kept from check to check). */
struct ipk_ck_learn {
	uint32_t qi_ms, qri_ms, lmqi_ms; /* 0: not known yet */
	uint8_t qrv, lmqc;
	uint8_t version;                 /* of the target's general queries (0: none heard yet) */
	int64_t last_gq_us;              /* when its last general query was heard (0: never) */
	/* router checks (conform_router.c): learned only where cfg left the value 0 */
	uint32_t gq_gap_ms;              /* spacing of its last two general queries heard (0: none) */
	uint8_t qqic;                    /* QQIC of its last v3 general query (0: none heard) */
	uint8_t yielded;                 /* election-yield: 0 not run, 1 yielded, 2 kept querying */
};

/* The running check. */
struct ipk_conform_ctx {
	const struct ipk_conform_cfg *cfg;
	const struct ipk_conform_io *io;
	const struct ipk_conform_check *check;
	unsigned index;                  /* of the check in its catalogue */
	struct ipk_conform_result *r;
	struct ipk_ck_learn *learn;
	/* evidence */
	struct ipk_conform_pkt *pkts;
	size_t npkts, maxpkts;
	uint8_t *arena;
	size_t alen, acap;
	uint8_t *scratch;                /* 2048 bytes: a heard datagram the evidence had no room for */
	int abort;                       /* a recv returned -errno: the run stops after this check */
	/* host suite: groups the check made the target join (left again after the check) */
	uint32_t joined[16];
	unsigned njoined;
};

/* ---- addresses a check may use (its own, so checks do not see each other's state) ---- */
uint32_t ipk_ck_group(const struct ipk_conform_ctx *c, unsigned k); /* group_base + 16*index + k */
uint32_t ipk_ck_ssm(const struct ipk_conform_ctx *c, unsigned k);   /* ssm_base + 16*index + k */
uint32_t ipk_ck_src(const struct ipk_conform_ctx *c, unsigned k);   /* source_base + k */
/* The address of emulated host `host` (1, 2, ...): cfg->self + host, one further from the target's
 * own address when it lies in between (a router ignores reports that seem to come from itself). */
uint32_t ipk_ck_host_addr(const struct ipk_conform_ctx *c, unsigned host);
int64_t ipk_ck_now(const struct ipk_conform_ctx *c);
/* IGMP version in use: cfg->version */
unsigned ipk_ck_version(const struct ipk_conform_ctx *c);

/* ---- results ---- */
/* Append to r->sent ("; " between entries) / set r->expected. */
void ipk_ck_sent(struct ipk_conform_ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void ipk_ck_expect(struct ipk_conform_ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Set the verdict and r->seen (the last call wins). */
void ipk_ck_verdict(struct ipk_conform_ctx *c, unsigned verdict, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void ipk_ck_measured(struct ipk_conform_ctx *c, double ms);
/* The verdict when the rule broken is the check's own level: FAIL for MUST, DEVIATION for
 * SHOULD/MAY. */
unsigned ipk_ck_broken(const struct ipk_conform_ctx *c);

/* ---- sending ---- */
/* IPv4 header knobs for a crafted message; zero-initialise, then set what differs from IGMP's
 * defaults (TOS 0xC0, TTL 1, DF, Router Alert, source cfg->self, destination by type). */
struct ipk_ck_ip {
	uint32_t src;        /* 0: cfg->self (use src0 for 0.0.0.0) */
	uint8_t src0;        /* 1: source 0.0.0.0 */
	uint32_t dst;        /* 0: by message type (ipk_igmp_ip4_defaults) */
	int ttl;             /* 0: 1 */
	int tos;             /* 0: 0xC0; -1: 0 */
	uint8_t no_ra;       /* 1: no Router Alert option */
	uint8_t bad_ip_csum; /* 1: IPv4 header checksum off by one */
	uint8_t mf;          /* 1: More Fragments set (a first fragment) */
};
/* Send IGMP message msg[0..len) in an IPv4 header built from ip (may be NULL). Logs it as
 * evidence and appends a description to r->sent when what is not NULL. Returns 0 or -errno (the
 * verdict is then set INCONCLUSIVE). */
int ipk_ck_send_igmp(struct ipk_conform_ctx *c, const uint8_t *msg, size_t len, const struct ipk_ck_ip *ip,
		     const char *what);

/* A query to craft (zero-initialise). */
struct ipk_ck_query {
	uint8_t version;         /* 0: cfg->version */
	uint32_t group;          /* 0: general query */
	uint32_t mrt_ms;         /* 0: cfg->mrt_ms (v1: always 0 on the wire) */
	uint8_t mrc_raw_set;     /* 1: write mrc_raw as byte 1 instead */
	uint8_t mrc_raw;
	uint8_t s, qrv;          /* v3 (qrv 0: 2) */
	uint8_t qqic;            /* v3, coded (0: ipk_igmp_code_encode(10)) */
	uint8_t qrv_zero;        /* 1: QRV 0 on the wire */
	const uint32_t *srcs;    /* v3 */
	uint16_t nsrcs;
	const struct ipk_igmp_over *over; /* codec overrides (bad checksum, count, trailing bytes) */
	int cut;                 /* > 0: cut the IGMP message to this many bytes (9-11 byte queries) */
	struct ipk_ck_ip ip;
};
int ipk_ck_send_query(struct ipk_conform_ctx *c, const struct ipk_ck_query *q);

/* Reports from emulated host `host` (source ipk_ck_host_addr): v1/v2 report or leave (type
 * IPK_IGMP_V1_REPORT/V2_REPORT/V2_LEAVE) for group, to the group (leave: 224.0.0.2) unless
 * ip->dst; v3 report with records recs[0..n) to 224.0.0.22. */
int ipk_ck_send_v12(struct ipk_conform_ctx *c, unsigned host, uint8_t type, uint32_t group,
		    const struct ipk_ck_ip *ip, const struct ipk_igmp_over *over);
int ipk_ck_send_v3r(struct ipk_conform_ctx *c, unsigned host, const struct ipk_igmp_rec_spec *recs, size_t n,
		    const struct ipk_ck_ip *ip, const struct ipk_igmp_over *over);

/* ---- hearing ---- */
/* One heard datagram, parsed: ip and igmp valid when ok (IPv4 and IGMP parsed without error;
 * err holds the first codec error otherwise). Points into the evidence arena: valid during the
 * check. */
struct ipk_ck_msg {
	int64_t at_us;
	const uint8_t *dgram;
	size_t len;
	int ok;
	int err;
	struct ipk_ip4 ip;
	struct ipk_igmp igmp;
	const uint8_t *msg;     /* the IGMP message (dgram + ip.hlen) */
};
/* Next datagram heard before deadline_us (any sender). 1 got one, 0 the deadline came (the
 * clock is then at or past it), -1 the run is aborting. */
int ipk_ck_recv(struct ipk_conform_ctx *c, int64_t deadline_us, struct ipk_ck_msg *m);
/* Next IGMP message sent by the target (cfg->target; any source when it is 0) before deadline,
 * parsed OK; other datagrams are kept as evidence only. Same returns. */
int ipk_ck_recv_target(struct ipk_conform_ctx *c, int64_t deadline_us, struct ipk_ck_msg *m);
/* Whether message m names group: a v1/v2 report or leave for it, or a v3 report with a record
 * for it (*rec filled, may be NULL). */
int ipk_ck_names(const struct ipk_ck_msg *m, uint32_t group, struct ipk_igmp_rec *rec);
/* Whether a v3 record lists source s. */
int ipk_ck_rec_has(const struct ipk_igmp_rec *rec, uint32_t s);
/* Text for m ("v3 report [IS_EX 239.1.0.1 {198.19.200.1}] TTL 1 RA" and so on) into buf. */
void ipk_ck_describe(const struct ipk_ck_msg *m, char *buf, size_t cap);
/* Text of an address. */
const char *ipk_ck_addr(uint32_t a, char buf[16]);

/* ---- the target ---- */
/* Host suite: io->target_set; remembers the group for the leave after the check. 0 on success;
 * otherwise the verdict is set (SKIPPED without a hook, INCONCLUSIVE on error) and the check
 * must return. */
int ipk_ck_target(struct ipk_conform_ctx *c, uint32_t group, unsigned mode, const uint32_t *srcs, size_t n);

/* The catalogues (conform_host.c, conform_router.c). */
extern const struct ipk_conform_check ipk_conform_host_checks[];
extern const size_t ipk_conform_host_nchecks;
extern const struct ipk_conform_check ipk_conform_router_checks[];
extern const size_t ipk_conform_router_nchecks;

/* Whether m's IPv4 header carries the Router Alert option (RFC 2113). */
int ipk_ck_has_ra(const struct ipk_ck_msg *m);

#endif
