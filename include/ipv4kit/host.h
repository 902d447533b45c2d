/* host.h - the IGMP host side (RFC 3376/9776 section 5, RFC 2236 section 3, RFC 1112) for many emulated hosts on one link, as a pure state machine in caller memory and virtual time. */
#ifndef IPV4KIT_HOST_H
#define IPV4KIT_HOST_H

#include "common.h"

#ifdef __cplusplus
extern "C" {
#endif

/*
 * One machine emulates nhosts hosts on one interface (one link): host i has the address
 * first_address + i. Like the querier (querier.h) it never reads a clock, opens a socket or
 * allocates: every call takes "now" in milliseconds of the caller's clock, all memory is the
 * caller's buffer given to ipk_host_init(), randomness comes from a generator seeded by the
 * configuration (the same seed and the same calls give the same run), and what the machine
 * wants done (send a report) or told (a query heard, a finding, a mode change) goes to the
 * caller's callback, synchronously, during ipk_host_change(), ipk_host_input() and
 * ipk_host_tick(). docs/host.md describes the model.
 *
 * The hosts hear the same link, so the querier-derived state (compatibility mode, Older Version
 * Querier Present timers, the Robustness Variable, QQI and QRI heard in queries) is kept once
 * for all of them; each host has its own response timers, retransmission state and, per group,
 * the sockets' filters merged into the interface state (RFC 3376 section 3.2).
 *
 * Changed with the implementation (the shape is the one agreed first): IPK_HOST_F_BATCH added;
 * ipk_host_change() runs only the timers due before now_ms and, with the Linux profile or
 * IPK_HOST_F_BATCH, leaves the report to the next ipk_host_tick(); ipk_host_input() lists what
 * it ignores (docs/host.md, "Query validation").
 */

/* Behaviour profiles. */
#define IPK_HOST_PROFILE_RFC 0   /* RFC 3376/9776, RFC 2236, RFC 1112 as written */
#define IPK_HOST_PROFILE_LINUX 1 /* the Linux kernel as measured (docs/host.md lists each
				  * difference): repeat count from the heard QRV, IS_EX(full
				  * list) answer to a group-and-source query on an EXCLUDE
				  * group, one v2 Leave, general query to any destination
				  * accepted, Router Alert not required */

/* Configuration. Times in milliseconds. */
struct ipk_host_cfg {
	uint8_t version;          /* 0: automatic (v3 with fallback to v2/v1 on older queries);
				   * 1, 2, 3: forced (fallback disabled) */
	uint8_t profile;          /* IPK_HOST_PROFILE_* */
	uint8_t robustness;       /* Robustness Variable (default 2); the Linux profile takes
				   * it from a heard v3 query's QRV, the RFC profile keeps it */
	uint8_t pad_;
	uint32_t unsolicited_report_interval_ms;    /* v3 (default 1000) */
	uint32_t v2_unsolicited_report_interval_ms; /* v1/v2 (default 10000) */
	uint32_t query_interval_ms;                 /* QI (default 125000); the Linux profile takes
						     * it from a heard v3 query's QQIC, the RFC
						     * profile keeps it (4.1.7 gives QQIC to routers) */
	uint32_t query_response_interval_ms;        /* QRI for the Older Version Querier Present
						     * timeout (default 10000) */
	uint32_t nhosts;          /* emulated hosts, 1..65535 */
	uint32_t first_address;   /* host i's address is first_address + i (host order) */
	uint32_t max_groups;      /* distinct groups, all hosts together */
	uint32_t max_memberships; /* (host, group) pairs */
	uint32_t max_sources;     /* source entries, all memberships together */
	uint16_t mtu;             /* reports are split so each datagram fits (default 1500) */
	uint16_t pad2_;
	uint64_t seed;            /* random generator seed (response and retransmission delays) */
	unsigned flags;           /* IPK_HOST_F_* */
	double time_scale;        /* as in struct ipk_querier_cfg: times heard in queries (Max Resp
				   * Code, QQIC, v1's 10 s) are multiplied by it; default 0: 1 */
};

/* Also report groups 224.0.0.0/24 (except 224.0.0.1, never reported). Default: not reported. */
#define IPK_HOST_F_LINK_LOCAL 0x01
/* v2: send a Leave even when this host was not the last to report (RFC 2236 section 6 MAY). */
#define IPK_HOST_F_LEAVE_ALWAYS 0x02
/* v3 (added for the scale runs): a state change is not sent inside ipk_host_change(); the host's
 * report is due at now_ms and the next ipk_host_tick() sends every change of that host made until
 * then in one report (split by the MTU). The Linux profile always works this way (the kernel's
 * one-jiffy delay merges the changes of one instant, igmp-peers measurements). */
#define IPK_HOST_F_BATCH 0x04

/* Fill *c with the defaults: automatic version, RFC profile, robustness 2, URI 1 s / 10 s, QI
 * 125 s, QRI 10 s, 1 host, max_groups 1024, max_memberships 4096, max_sources 16384, MTU 1500,
 * seed 1. */
IPK_API void ipk_host_cfg_default(struct ipk_host_cfg *c) IPK_NONNULL(1);

/* Check a configuration: 0 or IPK_E_INVAL (version > 3, profile unknown, robustness 0 or > 7,
 * nhosts 0 or > 65535, an address range that wraps, MTU below 576, a pool size 0 or above 2^24). */
IPK_API IPK_WARN_UNUSED_RESULT int ipk_host_cfg_check(const struct ipk_host_cfg *c) IPK_NONNULL(1);

/* Bytes of memory ipk_host_init() needs for this configuration (0 when it overflows). */
IPK_API size_t ipk_host_mem_size(const struct ipk_host_cfg *c) IPK_NONNULL(1);

/* Filter modes (the values of the IS_IN/IS_EX record types). INCLUDE with no sources is "not a
 * member". */
#define IPK_HOST_INCLUDE 1
#define IPK_HOST_EXCLUDE 2

/* Sockets per (host, group): the merge of section 3.2 is over socket numbers 0..31. */
#define IPK_HOST_MAX_SOCKETS 32

/* A report the caller is asked to send, already built: an IPv4 datagram (header with TOS 0xC0,
 * TTL 1, Router Alert, DF, checksums set) holding one v1/v2 report, a v2 Leave, or a v3 report
 * with as many records as fit in the MTU. */
struct ipk_host_report {
	uint32_t host;          /* host index */
	uint32_t src, dst;      /* host order: the host's address; the group, 224.0.0.2 or 224.0.0.22 */
	uint8_t version;        /* 1, 2 or 3 */
	uint8_t type;           /* IGMP type */
	uint8_t kind;           /* IPK_HOST_RPT_* */
	uint8_t pad_;
	uint16_t nrecords;      /* v3 records in this datagram */
	uint16_t len;
	const uint8_t *dgram;   /* len bytes, valid during the callback only */
};

#define IPK_HOST_RPT_CHANGE 1   /* state change (first transmission) */
#define IPK_HOST_RPT_REXMIT 2   /* state change retransmission */
#define IPK_HOST_RPT_ANSWER 3   /* answer to a query (current state) */
#define IPK_HOST_RPT_LEAVE 4    /* v2 Leave Group */

enum ipk_host_ev_type {
	IPK_HEV_HEARD = 1,     /* a message was heard: msg_type, version, from, to, group, nsrcs,
				* mrt_ms (decoded, scaled) */
	IPK_HEV_FINDING = 2,   /* code (IPK_E_*: a finding, or why the message was ignored), offset,
				* from, group */
	IPK_HEV_SEND = 3,      /* report: send it now */
	IPK_HEV_SCHEDULE = 4,  /* an answer was scheduled: host, group (0: general), delay_ms */
	IPK_HEV_SUPPRESS = 5,  /* v1/v2: host's pending answer for group cancelled by another report */
	IPK_HEV_COMPAT = 6,    /* compatibility mode old -> new_ (1, 2, 3) */
	IPK_HEV_FULL = 7,      /* a membership or source could not be created (host, group, source;
				* new_: 0 group pool, 1 membership pool, 2 source pool) */
};

struct ipk_host_event {
	uint8_t type;          /* enum ipk_host_ev_type */
	uint8_t msg_type;      /* HEARD */
	uint8_t version;       /* HEARD: message version */
	uint8_t old, new_;     /* COMPAT, FULL */
	uint16_t nsrcs;        /* HEARD */
	int code;              /* FINDING */
	uint32_t offset;       /* FINDING */
	uint32_t host;         /* SEND, SCHEDULE, SUPPRESS, FULL */
	uint32_t from, to;     /* HEARD, FINDING */
	uint32_t group;
	uint32_t source;       /* FULL */
	uint32_t mrt_ms;       /* HEARD (queries) */
	uint32_t delay_ms;     /* SCHEDULE */
	uint64_t now_ms;
	const struct ipk_host_report *report; /* SEND */
};

/* Called for every event; the callback may read the machine but must not call
 * ipk_host_change/input/tick/init on it. */
typedef void (*ipk_host_cb)(void *arg, const struct ipk_host_event *ev);

struct ipk_host_counters {
	uint64_t rx_messages, rx_queries, rx_reports_heard, rx_ignored, findings;
	uint64_t tx_reports;      /* datagrams asked for */
	uint64_t tx_records;      /* v3 records in them */
	uint64_t tx_leaves;
	uint64_t answers_scheduled, suppressed;
	uint64_t changes;         /* ipk_host_change calls that changed interface state */
	uint64_t pool_full;
};

/* The machine. Its fields are private: use the functions below. */
struct ipk_host {
	struct ipk_host_cfg cfg;  /* resolved */
	ipk_host_cb cb;
	void *cb_arg;
	struct ipk_host_counters ctr;
	void *priv_;              /* the pools, in the caller's memory */
};

/*
 * Start the machine over caller memory mem[0..memlen) (any alignment; it must outlive h and hold
 * ipk_host_mem_size(cfg) bytes). No host is a member of anything. Returns 0, IPK_E_INVAL
 * (ipk_host_cfg_check) or IPK_E_NOSPACE.
 */
IPK_API IPK_WARN_UNUSED_RESULT int ipk_host_init(struct ipk_host *h, const struct ipk_host_cfg *cfg,
						 void *mem, size_t memlen, uint64_t now_ms,
						 ipk_host_cb cb, void *cb_arg) IPK_NONNULL(1, 2);

/*
 * Socket `sock` (0..IPK_HOST_MAX_SOCKETS-1) of host `host` sets its filter for group to mode
 * with srcs[0..nsrcs) (host order; duplicates ignored), as IP_MSFILTER does: INCLUDE with no
 * sources drops the socket's membership. The interface state is the section 3.2 merge of the
 * host's sockets; when it changes, the state-change report of section 5.1 (or the v1/v2 report
 * or Leave in compatibility mode) is sent at once, merged with pending retransmissions, and
 * retransmissions are scheduled. Returns 1 when the interface state changed, 0 when not,
 * IPK_E_INVAL (host, sock, mode or group out of range: not multicast, or 224.0.0.1) or
 * IPK_E_NOSPACE (a pool is full; nothing changed, an IPK_HEV_FULL event says which).
 * Timers due before now_ms run first (those due at now_ms wait for ipk_host_tick(), so that
 * the changes of one instant can share a report). In v3 mode with the RFC profile the report carries
 * only this group's records and is sent during the call; with the Linux profile or
 * IPK_HOST_F_BATCH it is sent by the next ipk_host_tick(h, now_ms) (ipk_host_next_deadline()
 * returns now_ms), together with the host's other pending changes. In v1/v2 mode a report goes
 * out when the host becomes a member, a Leave (v2, last reporter) when it stops being one;
 * source changes of a member send nothing. Leaving a group never joined returns 0.
 */
IPK_API IPK_WARN_UNUSED_RESULT int ipk_host_change(struct ipk_host *h, uint32_t host, unsigned sock,
						   uint32_t group, unsigned mode, const uint32_t *srcs,
						   size_t nsrcs, uint64_t now_ms) IPK_NONNULL(1);

/* Hear one IPv4 datagram that arrived on the link at now_ms (a query, another host's report, or
 * anything else). Timers due at or before now_ms run first. Returns 0 when applied, 1 when
 * ignored (counted in rx_ignored, with a FINDING when something was wrong with it): not IGMP, a
 * header or IGMP parse error, a bad checksum, a 9-11 byte query, a fragment, a general query with
 * sources, a query to another machine's unicast address, with the RFC profile a general query to
 * a multicast address other than 224.0.0.1 and a v2/v3 query without Router Alert; leaves and
 * v3 reports (for routers). Answers scheduled by a query with Max Resp Time 0 are due at now_ms:
 * call ipk_host_tick(). */
IPK_API int ipk_host_input(struct ipk_host *h, const uint8_t *dgram, size_t len, uint64_t now_ms)
	IPK_NONNULL(1, 2);

/* Run every timer due at or before now_ms in deadline order; returns the number run. */
IPK_API unsigned ipk_host_tick(struct ipk_host *h, uint64_t now_ms) IPK_NONNULL(1);

/* When ipk_host_tick() should run next, or UINT64_MAX. */
IPK_API uint64_t ipk_host_next_deadline(const struct ipk_host *h) IPK_NONNULL(1);

/* Interface-wide state. */
struct ipk_host_status {
	uint8_t compat_version;      /* 1, 2 or 3 in use now */
	uint8_t robustness;          /* RV in use */
	uint32_t v1_querier_ms;      /* Older Version Querier Present timers left (0: not running) */
	uint32_t v2_querier_ms;
	uint32_t query_interval_ms, query_response_interval_ms; /* in use */
	uint32_t ngroups, nmemberships, nsources;
	uint32_t pending_reports;    /* hosts and memberships with a timer running (answer,
				      * retransmission, v1/v2 report) */
	struct ipk_host_counters counters;
};
IPK_API void ipk_host_status(const struct ipk_host *h, uint64_t now_ms, struct ipk_host_status *s)
	IPK_NONNULL(1, 3);

/* One host's membership as read (interface state). */
struct ipk_host_membership {
	uint32_t host, group;
	uint8_t filter_mode;         /* IPK_HOST_INCLUDE / _EXCLUDE */
	uint8_t last_reporter;       /* v1/v2 flag */
	uint32_t nsources;           /* the interface source list */
	uint32_t answer_ms;          /* pending answer (0: none) */
	uint32_t id_;                /* private cursor for ipk_host_source_next */
};

/* Iterate host's memberships (host UINT32_MAX: every host's); *cursor starts at 0; 1 while there
 * is one, then 0. */
IPK_API int ipk_host_membership_next(const struct ipk_host *h, uint32_t host, uint32_t *cursor,
				     uint64_t now_ms, struct ipk_host_membership *m) IPK_NONNULL(1, 3, 5);
/* Iterate the interface source list of m (no change/input/tick since): 1 and *src while there is
 * one, then 0. */
IPK_API int ipk_host_source_next(const struct ipk_host *h, const struct ipk_host_membership *m,
				 uint32_t *cursor, uint32_t *src) IPK_NONNULL(1, 2, 3, 4);

/* Names for logs and JSON: "heard", "finding", "send", "schedule", "suppress", "compat", "full";
 * report kinds "change", "rexmit", "answer", "leave"; profiles "rfc", "linux". "unknown"
 * otherwise. */
IPK_API const char *ipk_host_ev_name(unsigned type);
IPK_API const char *ipk_host_report_kind_name(unsigned kind);
IPK_API const char *ipk_host_profile_name(unsigned profile);

#ifdef __cplusplus
}
#endif
#endif
