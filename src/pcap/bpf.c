/* bpf.c - tcpdump-style filter expression -> classic BPF through libpcap's compiler (bpf.h). */
#ifndef _DEFAULT_SOURCE
#define _DEFAULT_SOURCE /* u_char in pcap.h */
#endif
#include <errno.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <string.h>

#include "ipv4kit/bpf.h"

int ipk_bpf_compile(const char *expr, int dlt, struct ipk_bpf_insn *out, size_t cap, size_t *n,
		    char *err, size_t errlen)
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
