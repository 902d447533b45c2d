/* bpf.h - compile a tcpdump-style filter expression into classic BPF with libpcap (part ipv4kit_pcap), for ipk_sock_attach_bpf. */
#ifndef IPV4KIT_BPF_H
#define IPV4KIT_BPF_H

#include <stddef.h>

#include "common.h"
#include "sock.h"

#ifdef __cplusplus
extern "C" {
#endif

/*
 * What a socket filter sees at offset 0 on Linux (checked on 6.18, tests/test_bpf.c):
 * - raw IP socket (SOCK_RAW, AF_INET): the IPv4 header; compile with IPK_BPF_DLT_RAW and attach
 *   as is.
 * - UDP socket: the UDP header (the kernel runs the filter after pulling the IP header), so a
 *   DLT_RAW program attached unchanged reads the UDP header as if it were the IP header and
 *   matches nonsense. Pass it through ipk_bpf_netoff() (sock.h) first: the same tcpdump
 *   expression ("src host 198.18.0.1 and ip[1] & 0xfc == 0x20", "udp dst port 5000", ...) then
 *   works on UDP and raw sockets alike. Only `len` (less/greater) still refers to what the socket
 *   sees: the UDP datagram on a UDP socket, the IP packet on a raw socket.
 * - packet socket (AF_PACKET): the link header; compile with that link type (1, DLT_EN10MB).
 */

/* libpcap's DLT_RAW: packets start with the IPv4 header. */
#define IPK_BPF_DLT_RAW 12

/*
 * Compile expr (NULL or "" matches everything) for link type dlt with libpcap (snaplen 65535,
 * optimised, like `tcpdump -d`) into the caller's out[0..cap).
 * Returns 0 with *n instructions written; -EINVAL for an expression libpcap rejects (err gets
 * "EXPR: libpcap's message"); -ENOSPC when the program has more than cap instructions (*n is the
 * size needed, out is not written, err says so); -ENOMEM when libpcap cannot open a handle for
 * dlt. err (NUL-terminated, truncated to errlen) may be NULL with errlen 0; it is "" on success.
 * Allocates only inside libpcap and frees everything before returning.
 */
IPK_API IPK_WARN_UNUSED_RESULT int ipk_bpf_compile(const char *expr, int dlt, struct ipk_bpf_insn *out, size_t cap,
			    size_t *n, char *err, size_t errlen) IPK_NONNULL(5);

#ifdef __cplusplus
}
#endif
#endif
