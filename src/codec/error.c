/* error.c - the error table: ipk_strerror(), ipk_errname(), layer names. */
#include <stdio.h>
#include <string.h>

#include "codec/internal.h"

struct errent {
	int code;
	const char *name;
	const char *msg;
	int kind; /* enum ipk_err_kind */
};

static const struct errent errtab[] = {
	{IPK_OK, "OK", "success", IPK_ERRKIND_ERROR},
#define XX(name, val, kind, msg) {val, #name, msg, IPK_ERRKIND_##kind},
	IPK_ERRNO_MAP(XX)
#undef XX
};

static const struct errent *lookup(int err)
{
	for (size_t i = 0; i < sizeof(errtab) / sizeof(errtab[0]); i++)
		if (errtab[i].code == err)
			return &errtab[i];
	return NULL;
}

const char *ipk_strerror(int err)
{
	const struct errent *e = lookup(err);
	if (e)
		return e->msg;
	if (err < 0 && err > -1000)
		return strerror(-err);
	return "unknown error";
}

const char *ipk_errname(int err)
{
	static _Thread_local char buf[24];
	const struct errent *e = lookup(err);
	if (e)
		return e->name;
	snprintf(buf, sizeof(buf), "ERRNO_%d", err < 0 ? -err : err);
	return buf;
}

int ipk_err_is_finding(int err)
{
	const struct errent *e = lookup(err);
	return e && e->kind == IPK_ERRKIND_FINDING;
}

const char *ipk_layer_name(int layer)
{
	static const char *const names[] = {"link", "ipv4", "igmp", "udp", "tcp", "icmp"};
	if (layer < 0 || (size_t)layer >= sizeof(names) / sizeof(names[0]))
		return "unknown";
	return names[layer];
}
