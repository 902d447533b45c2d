/* capture.h - internal to src/pcap: the pcap_loop() state shared by the capture reader (reader.c) and the verify and golden loops. */
#ifndef IPK_PCAP_CAPTURE_H
#define IPK_PCAP_CAPTURE_H

#define _DEFAULT_SOURCE /* u_char in pcap.h */
#include <pcap/pcap.h>
#include <stddef.h>
#include <stdint.h>

#include "ipv4kit/harness.h"

#if defined(__GNUC__)
#define H_INLINE inline __attribute__((always_inline))
#define H_UNLIKELY(x) __builtin_expect(!!(x), 0)
#else
#define H_INLINE inline
#define H_UNLIKELY(x) (x)
#endif

/* State of one pcap_loop() over a capture. */
struct cap_loop {
	pcap_t *pc;
	ipk_cap_fn fn;
	void *ctx;
	struct ipk_cap_info *info;
	int dlt;
	int ret;
	const char *path; /* for messages (set by ipk_cap_run) */
	char *err;
	size_t errlen;
};

/*
 * ipk_cap_read() with the pcap_loop() callback cb, which gets l (l->info set by the caller, zeroed
 * here; l->pc and l->dlt set here). cb counts l->info->frames and sets l->ret to stop.
 * Returns 0, l->ret when cb stopped the loop, or an error (message in err).
 */
int ipk_cap_run(const char *path, pcap_handler cb, struct cap_loop *l, char *err, size_t errlen);

/* Stop l's loop on a record whose captured length exceeds its original length (a corrupt
 * record; tcpdump refuses it too): l->ret = -EIO, message naming the file, the frame and both
 * lengths. frame: the record's 1-based number. */
void ipk_cap_bad_record(struct cap_loop *l, const struct pcap_pkthdr *h, uint64_t frame);

/* 0 when the record header h can be handed on; else ipk_cap_bad_record() and -1. Every pcap_loop()
 * callback calls this first. */
static inline int ipk_cap_check(struct cap_loop *l, const struct pcap_pkthdr *h, uint64_t frame)
{
	if (H_UNLIKELY(h->caplen > h->len)) {
		ipk_cap_bad_record(l, h, frame);
		return -1;
	}
	return 0;
}

/* err = "a: b" (nothing when err is NULL or errlen 0) */
void ipk_cap_seterr(char *err, size_t errlen, const char *a, const char *b);

#endif
