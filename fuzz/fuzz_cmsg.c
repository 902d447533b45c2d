/* fuzz_cmsg.c - fuzz harness: control-message parse (IP_PKTINFO, IP_TTL, IP_TOS, IP_RECVERR), marshal round trip and NOSPACE. */
#include <stdlib.h>
#include <string.h>

#include "ipv4kit/cmsg.h"
#include "ipv4kit/error.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define SEND_BITS (IPK_CM_PKTINFO | IPK_CM_TTL | IPK_CM_TOS)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ipk_cm cm, again, back;
	uint8_t buf[IPK_CM_SPACE_MAX + 1];

	memset(&cm, 0, sizeof(cm));
	int rc = ipk_cm_parse(data, size, &cm);
	if (rc != 0 && rc != IPK_CM_TRUNCATED && rc != IPK_E_INVAL)
		abort();
	if (cm.has & ~(unsigned)IPK_CM_ALL)
		abort();
	if (cm.src || cm.sport)
		abort(); /* not cmsg fields: never touched */
	if (cm.has & IPK_CM_ERR) {
		if (cm.err.has_offender > 1 || (!cm.err.has_offender && cm.err.offender))
			abort();
	} else if (cm.err.err || cm.err.origin || cm.err.has_offender) {
		abort();
	}
	/* deterministic, and fields already set are kept when the input has nothing for them */
	memset(&again, 0xa5, sizeof(again));
	again.has = 0;
	if (ipk_cm_parse(data, size, &again) != rc || again.has != cm.has)
		abort();
	if (!(cm.has & IPK_CM_TTL) && again.ttl != (int)0xa5a5a5a5)
		abort();
	if ((cm.has & IPK_CM_TTL) && again.ttl != cm.ttl)
		abort();
	if ((cm.has & IPK_CM_PKTINFO) && (again.ifindex != cm.ifindex || again.dst != cm.dst ||
					  again.spec_dst != cm.spec_dst))
		abort();

	/* what was parsed marshals to exactly its space and parses back to the same values */
	size_t need = ipk_cm_space(cm.has & SEND_BITS);
	memset(buf, 0x5a, sizeof(buf));
	int n = ipk_cm_marshal(&cm, buf, sizeof(buf) - 1);
	if (n < 0 || (size_t)n != need || buf[sizeof(buf) - 1] != 0x5a)
		abort();
	if (need) {
		if (ipk_cm_marshal(&cm, buf, need - 1) != IPK_E_NOSPACE)
			abort();
		memset(&back, 0, sizeof(back));
		if (ipk_cm_parse(buf, (size_t)n, &back) != 0 || back.has != (cm.has & SEND_BITS))
			abort();
		if ((back.has & IPK_CM_TTL) && back.ttl != cm.ttl)
			abort();
		if ((back.has & IPK_CM_TOS) && back.tos != cm.tos)
			abort();
		if ((back.has & IPK_CM_PKTINFO) && (back.ifindex != cm.ifindex ||
						    back.dst != cm.dst || back.spec_dst != cm.spec_dst))
			abort();
	}
	return 0;
}
