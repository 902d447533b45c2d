/* querier.h - the IGMP router side (RFC 3376/9776 sections 6-8, RFC 2236 sections 3 and 7) as a pure state machine in caller memory and virtual time. */
#ifndef IPV4KIT_QUERIER_H
#define IPV4KIT_QUERIER_H

#include "common.h"

#ifdef __cplusplus
extern "C" {
#endif

/*
 * The machine keeps one interface's router-side IGMP state: the querier election, the general
 * query schedule, and per group the filter mode, group timer, compatibility mode with its v1/v2
 * host-present timers and the source records with their timers. It never reads a clock, opens a
 * socket or allocates: every call takes "now" in milliseconds of the caller's clock (any
 * monotonic origin), all memory is the caller's buffer given to ipk_querier_init(), and what the
 * machine wants done (send a query) or wants told (a message heard, a finding, a timer that
 * expired, an election change) is passed to the caller's callback, synchronously, during
 * ipk_querier_input() and ipk_querier_tick(). docs/querier.md describes the model.
 */

/* Configuration. All times in milliseconds. ipk_querier_cfg_default() fills the RFC 3376/9776
 * section 8 defaults; a count or interval left 0 where noted takes its derived default. */
struct ipk_querier_cfg {
	uint8_t version;                     /* querier version 1, 2 or 3 (default 3) */
	uint8_t robustness;                  /* Robustness Variable, 1..7 (default 2; 8.1) */
	uint8_t last_member_count;           /* LMQC (default 0: robustness; 8.9) */
	uint8_t startup_query_count;         /* SQC (default 0: robustness; 8.7) */
	uint32_t query_interval_ms;          /* QI (default 125000; 8.2), 2..31744000 */
	uint32_t query_response_interval_ms; /* QRI (default 10000; 8.3), 1..QI-1 */
	uint32_t last_member_interval_ms;    /* LMQI (default 1000; 8.8), 1..3174400 */
	uint32_t startup_query_interval_ms;  /* SQI (default 0: QI / 4; 8.6) */
	uint32_t address;                    /* own address (host order) used in the election;
					      * 0.0.0.0 loses to every other querier (proxy
					      * querier, as the Linux bridge by default) */
	uint32_t max_groups;                 /* pool sizes, given to ipk_querier_mem_size() too */
	uint32_t max_sources;                /* source records, all groups together */
	uint16_t max_query_sources;          /* sources per query message (default 0: 366, what
					      * fits in 1500 bytes with Router Alert) */
	unsigned flags;                      /* IPK_QUERIER_F_* */
	double time_scale;                   /* ms of the machine's clock per ms on the wire
					      * (default 0: 1). A caller that runs the machine
					      * on a clock X times faster than real time sets X:
					      * the times heard in other routers' queries (Max
					      * Resp Code, QQIC) are multiplied by it before
					      * use. The codes in the queries the machine asks
					      * for are NOT scaled: the caller divides them. */
};

/* Also keep groups 224.0.0.0/24 (by default their reports are heard but make no state: every
 * host reports its own link-local groups). */
#define IPK_QUERIER_F_LINK_LOCAL 0x01
/* Drop (after reporting the finding) messages with TTL other than 1, v2/v3 messages without
 * Router Alert (RFC 3376 section 9 allows it) and v2 Leaves sent to a unicast address.
 * Default: report and process them. */
#define IPK_QUERIER_F_STRICT 0x02
/* Start as non-querier (listen for the other querier first; the Other Querier Present timer
 * starts at OQPI). Default: start as querier with the startup queries (section 6.1). */
#define IPK_QUERIER_F_START_NONQUERIER 0x04

#define IPK_QUERIER_DEFAULT_QUERY_SOURCES 366

/* Fill *c with the defaults: version 3, robustness 2, QI 125 s, QRI 10 s, LMQI 1 s, the derived
 * counts, max_groups 1024, max_sources 8192, address 0. Intervals below the protocol's 1/10 s
 * (time-scaled runs) are allowed: the codes in queries truncate to tenths of a second (0 below
 * 100 ms) and QQIC to seconds. */
IPK_API void ipk_querier_cfg_default(struct ipk_querier_cfg *c) IPK_NONNULL(1);

/* Check a configuration: 0 or IPK_E_INVAL (version not 1..3, robustness 0 or > 7, QRI >= QI, an
 * interval out of range, a pool size 0 or above 2^24). */
IPK_API IPK_WARN_UNUSED_RESULT int ipk_querier_cfg_check(const struct ipk_querier_cfg *c) IPK_NONNULL(1);

/* Derived values (section 8), from c with its 0 fields resolved as documented above. A running
 * non-querier uses the querier's QRV, QQI and QRI instead (ipk_querier_status shows the values in
 * use). */
IPK_API uint32_t ipk_querier_gmi(const struct ipk_querier_cfg *c) IPK_NONNULL(1);  /* RV*QI + QRI */
IPK_API uint32_t ipk_querier_oqpi(const struct ipk_querier_cfg *c) IPK_NONNULL(1); /* RV*QI + QRI/2 */
IPK_API uint32_t ipk_querier_lmqt(const struct ipk_querier_cfg *c) IPK_NONNULL(1); /* LMQI*LMQC */
IPK_API uint32_t ipk_querier_ohpi(const struct ipk_querier_cfg *c) IPK_NONNULL(1); /* older host present: RV*QI + QRI */
IPK_API uint32_t ipk_querier_sqi(const struct ipk_querier_cfg *c) IPK_NONNULL(1);  /* SQI (QI/4 when 0) */
IPK_API unsigned ipk_querier_sqc(const struct ipk_querier_cfg *c) IPK_NONNULL(1);  /* SQC (RV when 0) */
IPK_API unsigned ipk_querier_lmqc(const struct ipk_querier_cfg *c) IPK_NONNULL(1); /* LMQC (RV when 0) */

/* Filter modes (values of the report record types IS_IN/IS_EX). */
#define IPK_QUERIER_INCLUDE 1
#define IPK_QUERIER_EXCLUDE 2

/* A query the caller is asked to send; the machine has already applied it to its own state
 * (section 6.6.1). Build it with ipk_igmp_put_v1/_v2/ipk_igmp_put_v3_query (v3: mrc and qqic
 * are already coded) and send it to dst with TTL 1, Router Alert and TOS 0xC0. */
struct ipk_querier_query {
	uint8_t version;        /* 1, 2 or 3: the configured querier version */
	uint8_t s;              /* Suppress Router-Side Processing (v3) */
	uint8_t qrv;            /* v3 */
	uint8_t qqic;           /* v3, coded */
	uint8_t mrc;            /* byte 1 as written: v1 0, v2 in 1/10 s (max 255), v3 coded */
	uint8_t retransmission; /* 0 the first transmission, then 1, 2, ... (specific queries) */
	uint16_t nsrcs;
	uint32_t group;         /* 0: general query */
	uint32_t dst;           /* 224.0.0.1 for a general query, else the group */
	const uint32_t *srcs;   /* nsrcs sources, host order; valid during the callback only */
};

enum ipk_querier_ev_type {
	IPK_QEV_HEARD = 1,    /* a message was heard: msg_type, version, from, to, group (rec_type and
			       * nsrcs for each v3 record: one event per record after the message) */
	IPK_QEV_FINDING = 2,  /* code (IPK_E_*, a finding or an error that made the message ignored),
			       * offset (in the IP datagram), from, group */
	IPK_QEV_SEND = 3,     /* query: send it now */
	IPK_QEV_TIMER = 4,    /* timer (IPK_QTIMER_*) expired: group, source */
	IPK_QEV_ELECTION = 5, /* old/new: querier flag 0/1; from: the querier address now */
	IPK_QEV_GROUP_ADD = 6,
	IPK_QEV_GROUP_DEL = 7,
	IPK_QEV_MODE = 8,     /* group filter mode old -> new (IPK_QUERIER_INCLUDE/EXCLUDE) */
	IPK_QEV_COMPAT = 9,   /* group compatibility version old -> new (1, 2, 3) */
	IPK_QEV_FULL = 10,    /* a group or source record could not be created: pool full (group,
			       * source; old: 0 group pool, 1 source pool) */
};

enum ipk_querier_timer {
	IPK_QTIMER_GENERAL = 1,     /* general query timer (a query is due: also an IPK_QEV_SEND) */
	IPK_QTIMER_OTHER_QUERIER = 2,
	IPK_QTIMER_GROUP = 3,
	IPK_QTIMER_SOURCE = 4,
	IPK_QTIMER_V1_HOST = 5,
	IPK_QTIMER_V2_HOST = 6,
};

struct ipk_querier_event {
	uint8_t type;      /* enum ipk_querier_ev_type */
	uint8_t msg_type;  /* HEARD: IGMP type */
	uint8_t version;   /* HEARD: message version 1..3 */
	uint8_t rec_type;  /* HEARD: v3 record type (0: the message itself) */
	uint8_t timer;     /* TIMER: enum ipk_querier_timer */
	uint8_t old, new_; /* ELECTION, MODE, COMPAT, FULL */
	uint16_t nsrcs;    /* HEARD: sources of the query or record; records of a v3 report */
	int code;          /* FINDING */
	uint32_t offset;   /* FINDING: byte offset in the datagram */
	uint32_t from, to; /* HEARD/FINDING: IP source and destination; ELECTION: querier address */
	uint32_t group;
	uint32_t source;   /* TIMER (source timer), FULL */
	uint64_t now_ms;
	const struct ipk_querier_query *query; /* SEND */
};

/* Called for every event; arg is the caller's. The callback may read the machine (status,
 * iteration) but must not call ipk_querier_input/tick/init on it. */
typedef void (*ipk_querier_cb)(void *arg, const struct ipk_querier_event *ev);

/* Counters (since init). */
struct ipk_querier_counters {
	uint64_t rx_messages;    /* datagrams given to ipk_querier_input */
	uint64_t rx_queries;
	uint64_t rx_v1_reports, rx_v2_reports, rx_leaves, rx_v3_reports;
	uint64_t rx_records;     /* v3 group records processed */
	uint64_t rx_ignored;     /* messages not applied (bad checksum, parse error, 9-11 byte
				  * query, not IGMP, strict drops, leaves in v1 mode, ...) */
	uint64_t findings;
	uint64_t tx_general, tx_group, tx_group_source; /* query messages asked for */
	uint64_t groups_added, groups_deleted;
	uint64_t timers_expired;
	uint64_t pool_full;
	uint64_t elections;      /* querier flag changes */
};

/* The machine. Its fields are private: use the functions below. */
struct ipk_querier {
	struct ipk_querier_cfg cfg;     /* resolved: no 0 defaults left */
	ipk_querier_cb cb;
	void *cb_arg;
	struct ipk_querier_counters ctr;
	uint32_t gmi, lmqt, oqpi, ohpi; /* derived, ms */
	uint8_t is_querier;
	uint8_t startup_left;
	uint8_t in_cb_;
	uint8_t pad_;
	uint32_t querier_addr;
	uint64_t now;
	uint64_t gq_at;                 /* next general query (0: none, non-querier) */
	uint64_t oqp_at;                /* Other Querier Present timer expiry (0: not running) */
	uint64_t lmq_until;             /* v2: end of the last group-specific query round */
	/* pools, in the caller's memory */
	struct ipk_qgroup_ *groups;
	struct ipk_qsource_ *sources;
	uint32_t *buckets;              /* group hash: head index + 1 per bucket */
	uint32_t *sbuckets;             /* source hash by (group, source) */
	uint32_t *heap;                 /* timer heap: record ids */
	uint32_t *qsrcs;                /* query source scratch */
	uint32_t nbuckets, nsbuckets;   /* powers of two */
	uint32_t heap_len;
	uint32_t group_free, source_free; /* free lists: index + 1 */
	uint32_t ngroups, nsources;
};

/* Bytes of memory ipk_querier_init() needs for these pool sizes (0 when they overflow). */
IPK_API size_t ipk_querier_mem_size(uint32_t max_groups, uint32_t max_sources);

/*
 * Start the machine q over caller memory mem[0..memlen) (any alignment; it must outlive q and
 * hold ipk_querier_mem_size(cfg->max_groups, cfg->max_sources) bytes). cfg is copied, its 0
 * fields resolved. cb (may be NULL) receives the events. Unless IPK_QUERIER_F_START_NONQUERIER,
 * the machine is querier and its first general query is due at now_ms (call ipk_querier_tick).
 * Returns 0, IPK_E_INVAL (ipk_querier_cfg_check) or IPK_E_NOSPACE (memlen too small).
 */
IPK_API IPK_WARN_UNUSED_RESULT int ipk_querier_init(struct ipk_querier *q, const struct ipk_querier_cfg *cfg,
						    void *mem, size_t memlen, uint64_t now_ms,
						    ipk_querier_cb cb, void *cb_arg) IPK_NONNULL(1, 2);

/*
 * Hear one IPv4 datagram (header and IGMP message, dgram[0..len), link padding allowed) that
 * arrived at now_ms. The machine parses it with the codec (ipk_ip4_parse, ipk_igmp_parse,
 * ipk_igmp_check), reports HEARD and FINDING events, and applies it: queries to the election and
 * timers (6.6.1, 6.6.2), reports and leaves to the group table (6.4, 7.3.2). Timers due at or
 * before now_ms are run first. A message that cannot be applied is counted in rx_ignored: a
 * datagram that is not IGMP (silently), one whose IPv4 header does not parse, is truncated or
 * has a bad header checksum, an IGMP parse error, a bad IGMP checksum, a 9-11 byte query (each
 * reported as a FINDING with its IPK_E_ code), a fragment, a type other than membership. Returns 0
 * when applied, 1 when ignored; never fails.
 */
IPK_API int ipk_querier_input(struct ipk_querier *q, const uint8_t *dgram, size_t len, uint64_t now_ms)
	IPK_NONNULL(1, 2);

/* Run every timer due at or before now_ms, in deadline order (each event carries its own
 * deadline as now_ms), sending what is due. Returns the number of timers run. */
IPK_API unsigned ipk_querier_tick(struct ipk_querier *q, uint64_t now_ms) IPK_NONNULL(1);

/* When ipk_querier_tick() should run next (ms, the caller's clock), or UINT64_MAX when nothing is
 * pending. It may be earlier than the next event: a timer that a report pushed later is
 * rescheduled when its old deadline comes (docs/querier.md, "Timer structure"). */
IPK_API uint64_t ipk_querier_next_deadline(const struct ipk_querier *q) IPK_NONNULL(1);

/* Interface-wide state. Remaining times are deadline - now_ms (0 when due or not running). */
struct ipk_querier_status {
	uint8_t querier;                 /* 1: this machine is the querier */
	uint8_t startup_left;            /* startup queries still to send */
	uint32_t querier_address;        /* the elected querier's address (own when querier) */
	uint32_t other_querier_present_ms; /* 0 when not running */
	uint32_t general_query_ms;       /* until the next general query (0 when non-querier) */
	uint32_t ngroups, nsources;
	uint32_t gmi_ms, lmqt_ms, oqpi_ms, ohpi_ms; /* in use: a non-querier's follow the querier's
						      * QRV, QQIC and Max Resp Code (4.1.6, 4.1.7) */
	struct ipk_querier_counters counters;
};
IPK_API void ipk_querier_status(const struct ipk_querier *q, uint64_t now_ms, struct ipk_querier_status *s)
	IPK_NONNULL(1, 3);

/* One group record as read. */
struct ipk_querier_group {
	uint32_t group;
	uint8_t filter_mode;        /* IPK_QUERIER_INCLUDE or IPK_QUERIER_EXCLUDE */
	uint8_t compat_version;     /* 1, 2 or 3 */
	uint32_t group_timer_ms;    /* remaining; 0 in INCLUDE mode */
	uint32_t v1_host_timer_ms;  /* remaining, 0 when not running */
	uint32_t v2_host_timer_ms;
	uint32_t nsources;
	uint32_t id_;               /* private: the cursor for ipk_querier_source_next */
};

/* One source record as read. */
struct ipk_querier_source {
	uint32_t source;
	uint32_t timer_ms;          /* remaining; 0 for the exclude list (EXCLUDE mode, not forwarded) */
	uint8_t forwarding;         /* 1: traffic from this source is wanted (timer running) */
};

/* Iterate groups: start with *cursor = 0; returns 1 and fills *g while there is one, then 0.
 * Order is the pool's (stable while the table does not change). */
IPK_API int ipk_querier_group_next(const struct ipk_querier *q, uint32_t *cursor, uint64_t now_ms,
				   struct ipk_querier_group *g) IPK_NONNULL(1, 2, 4);
/* Look a group up: 1 and *g filled, or 0. */
IPK_API int ipk_querier_group_find(const struct ipk_querier *q, uint32_t group, uint64_t now_ms,
				   struct ipk_querier_group *g) IPK_NONNULL(1, 4);
/* Iterate the sources of g (from ipk_querier_group_next/find, with no input or tick since):
 * start with *cursor = 0; 1 and *s filled while there is one, then 0. */
IPK_API int ipk_querier_source_next(const struct ipk_querier *q, const struct ipk_querier_group *g,
				    uint32_t *cursor, uint64_t now_ms, struct ipk_querier_source *s)
	IPK_NONNULL(1, 2, 3, 5);

/* Names for logs and JSON: "heard", "finding", "send", "timer", "election", "group_add",
 * "group_del", "mode", "compat", "full"; timers "general", "other_querier", "group", "source",
 * "v1_host", "v2_host"; modes "include", "exclude". "unknown" otherwise. */
IPK_API const char *ipk_querier_ev_name(unsigned type);
IPK_API const char *ipk_querier_timer_name(unsigned timer);
IPK_API const char *ipk_querier_mode_name(unsigned mode);

#ifdef __cplusplus
}
#endif
#endif
