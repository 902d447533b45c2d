/* bpf.h - tools helper: compile a tcpdump-style filter expression with libpcap into classic BPF for ipk_sock_attach_bpf. */
#ifndef IPK_TOOL_BPF_H
#define IPK_TOOL_BPF_H

#include <stddef.h>

#include "ipv4kit/sock.h"

/*
 * What a socket filter sees at offset 0 on Linux (checked on 6.18, tests/test_bpf.c):
 * - raw IP socket (SOCK_RAW, AF_INET): the IPv4 header; compile with DLT_RAW (12) and attach as is.
 * - UDP socket: the UDP header (udp_queue_rcv_one_skb runs sk_filter after the IP header was
 *   pulled), so a DLT_RAW program attached unchanged reads the UDP header as if it were the IP
 *   header and matches nonsense. Pass it through ipk_tool_bpf_netoff() first: every packet load
 *   is then made relative to the network header (SKF_NET_OFF), and the same tcpdump expression
 *   ("src host 198.18.0.1 and ip[1] & 0xfc == 0x20", "udp dst port 5000", ...) works on UDP and
 *   raw sockets alike. Only `len` (less/greater) still refers to what the socket sees: the UDP
 *   datagram on a UDP socket, the IP packet on a raw socket.
 * - packet socket (AF_PACKET): the link header; compile with that link type (DLT_EN10MB).
 */

/* libpcap's DLT_RAW: packets start with the IPv4 header */
#define IPK_TOOL_DLT_RAW 12

/*
 * Compile expr for link type dlt (snaplen 65535, optimised, like tcpdump -d) into out[0..cap).
 * Returns 0 with *n instructions, -EINVAL for an expression libpcap rejects (err gets
 * "EXPR: libpcap's message"), -ENOSPC when the program has more than cap instructions (*n is
 * the size needed, err says so). err may be NULL (errlen 0).
 */
int ipk_tool_bpf_compile(const char *expr, int dlt, struct ipk_bpf_insn *out, size_t cap,
			 size_t *n, char *err, size_t errlen);

/*
 * Make a DLT_RAW program see the IPv4 header at offset 0 on any socket type by moving its packet
 * loads (ld/ldh/ldb [k], [x + k], ldxb 4*([k]&0xf)) to SKF_NET_OFF + k. Returns 0, or -EINVAL
 * (program unchanged) when a load already uses a negative (ancillary) offset or k is too large.
 */
int ipk_tool_bpf_netoff(struct ipk_bpf_insn *prog, size_t n);

#endif
