/* bpf.c - tools helper: tcpdump-style expression -> classic BPF via libpcap, and the SKF_NET_OFF rewrite for UDP sockets. */
#ifndef _DEFAULT_SOURCE
#define _DEFAULT_SOURCE /* u_char in pcap.h */
#endif
#include <errno.h>
#include <linux/filter.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <string.h>

#include "bpf.h"

int ipk_tool_bpf_compile(const char *expr, int dlt, struct ipk_bpf_insn *out, size_t cap,
			 size_t *n, char *err, size_t errlen)
{
	struct bpf_program prog;
	pcap_t *p;
	int rc = 0;

	*n = 0;
	if (err && errlen)
		err[0] = 0;
	if (!expr)
		expr = "";
	p = pcap_open_dead(dlt, 65535);
	if (!p) {
		if (err && errlen)
			snprintf(err, errlen, "%s: cannot open a pcap handle for link type %d", expr, dlt);
		return -ENOMEM;
	}
	if (pcap_compile(p, &prog, expr, 1, PCAP_NETMASK_UNKNOWN) != 0) {
		if (err && errlen)
			snprintf(err, errlen, "%s: %s", expr, pcap_geterr(p));
		pcap_close(p);
		return -EINVAL;
	}
	*n = prog.bf_len;
	if (prog.bf_len > cap) {
		if (err && errlen)
			snprintf(err, errlen, "%s: program of %u instructions, room for %zu", expr,
				 prog.bf_len, cap);
		rc = -ENOSPC;
	} else {
		for (unsigned i = 0; i < prog.bf_len; i++) {
			out[i].code = prog.bf_insns[i].code;
			out[i].jt = prog.bf_insns[i].jt;
			out[i].jf = prog.bf_insns[i].jf;
			out[i].k = prog.bf_insns[i].k;
		}
	}
	pcap_freecode(&prog);
	pcap_close(p);
	return rc;
}

/* 1 for a load whose k is a packet offset: ld/ldh/ldb [k] and [x + k], ldxb 4*([k]&0xf). */
static int is_pkt_load(uint16_t code)
{
	if (BPF_CLASS(code) == BPF_LD)
		return BPF_MODE(code) == BPF_ABS || BPF_MODE(code) == BPF_IND;
	return BPF_CLASS(code) == BPF_LDX && BPF_MODE(code) == BPF_MSH;
}

int ipk_tool_bpf_netoff(struct ipk_bpf_insn *prog, size_t n)
{
	/* a packet offset must stay below the next area (SKF_NET_OFF..SKF_NET_OFF + 0xfffff) */
	for (size_t i = 0; i < n; i++)
		if (is_pkt_load(prog[i].code) && prog[i].k >= (uint32_t)-SKF_NET_OFF)
			return -EINVAL;
	for (size_t i = 0; i < n; i++)
		if (is_pkt_load(prog[i].code))
			prog[i].k += (uint32_t)SKF_NET_OFF;
	return 0;
}
