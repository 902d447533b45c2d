/* other.c - the socket core's platform calls on systems without a port yet: every option and I/O call returns -ENOPROTOOPT (a BSD port replaces this file). */
#ifndef __linux__
#include <errno.h>

#include "sock/sock_os.h"

int ipk_os_ifname(int fd, unsigned ifindex, char *name)
{
	(void)fd, (void)ifindex, (void)name;
	return -ENOPROTOOPT;
}

int ipk_os_get_int(int fd, enum ipk_os_opt opt, int *v)
{
	(void)fd, (void)opt, (void)v;
	return -ENOPROTOOPT;
}

int ipk_os_set_int(int fd, enum ipk_os_opt opt, int v)
{
	(void)fd, (void)opt, (void)v;
	return -ENOPROTOOPT;
}

int ipk_os_mcast(int fd, enum ipk_os_mc op, unsigned ifindex, uint32_t group, uint32_t source)
{
	(void)fd, (void)op, (void)ifindex, (void)group, (void)source;
	return -ENOPROTOOPT;
}

int ipk_os_mcast_get_if(int fd, unsigned *ifindex, uint32_t *addr)
{
	(void)fd, (void)ifindex, (void)addr;
	return -ENOPROTOOPT;
}

int ipk_os_mcast_set_if(int fd, unsigned ifindex)
{
	(void)fd, (void)ifindex;
	return -ENOPROTOOPT;
}

int ipk_os_set_cm(int fd, unsigned flags, int on)
{
	(void)fd, (void)flags, (void)on;
	return -ENOPROTOOPT;
}

int ipk_os_read(int fd, struct ipk_msg *m, unsigned cm_flags, int flags)
{
	(void)fd, (void)m, (void)cm_flags, (void)flags;
	return -ENOPROTOOPT;
}

int ipk_os_write(int fd, const struct ipk_msg *m, int flags)
{
	(void)fd, (void)m, (void)flags;
	return -ENOPROTOOPT;
}

int ipk_os_read_err(int fd, struct ipk_msg *m)
{
	(void)fd, (void)m;
	return -ENOPROTOOPT;
}

int ipk_os_read_batch(int fd, struct ipk_msg *m, size_t n, unsigned cm_flags, int flags)
{
	(void)fd, (void)m, (void)n, (void)cm_flags, (void)flags;
	return -ENOPROTOOPT;
}

int ipk_os_write_batch(int fd, const struct ipk_msg *m, size_t n, int flags)
{
	(void)fd, (void)m, (void)n, (void)flags;
	return -ENOPROTOOPT;
}

int ipk_os_set_icmp_low(int fd, uint32_t bits)
{
	(void)fd, (void)bits;
	return -ENOPROTOOPT;
}

int ipk_os_get_icmp_low(int fd, uint32_t *bits)
{
	(void)fd, (void)bits;
	return -ENOPROTOOPT;
}

int ipk_os_attach_bpf(int fd, const struct ipk_bpf_insn *p, size_t n)
{
	(void)fd, (void)p, (void)n;
	return -ENOPROTOOPT;
}

int ipk_os_bind_device(int fd, const char *name)
{
	(void)fd, (void)name;
	return -ENOPROTOOPT;
}

int ipk_os_detach_bpf(int fd)
{
	(void)fd;
	return -ENOPROTOOPT;
}

int ipk_os_get_bpf(int fd, struct ipk_bpf_insn *p, size_t cap)
{
	(void)fd, (void)p, (void)cap;
	return -ENOPROTOOPT;
}

int ipk_os_raw_recv(int fd, uint8_t *buf, size_t cap, unsigned cm_flags, struct ipk_cm *cm,
		    int flags)
{
	(void)fd, (void)buf, (void)cap, (void)cm_flags, (void)cm, (void)flags;
	return -ENOPROTOOPT;
}

int ipk_os_raw_send(int fd, const uint8_t *hdr, size_t hlen, const void *payload, size_t len,
		    uint32_t dst, const struct ipk_cm *cm)
{
	(void)fd, (void)hdr, (void)hlen, (void)payload, (void)len, (void)dst, (void)cm;
	return -ENOPROTOOPT;
}

int ipk_os_raw_recv_batch(int fd, struct ipk_raw_bmsg *m, size_t n, unsigned cm_flags, int flags)
{
	(void)fd, (void)m, (void)n, (void)cm_flags, (void)flags;
	return -ENOPROTOOPT;
}

int ipk_os_raw_send_batch(int fd, const struct ipk_os_raw_out *o, size_t n, int flags)
{
	(void)fd, (void)o, (void)n, (void)flags;
	return -ENOPROTOOPT;
}

int ipk_os_link_open(unsigned ifindex)
{
	(void)ifindex;
	return -ENOPROTOOPT;
}

int ipk_os_link_send_batch(int fd, const struct ipk_msg *m, size_t n, int flags)
{
	(void)fd, (void)m, (void)n, (void)flags;
	return -ENOPROTOOPT;
}

int ipk_os_link_get_mac(int fd, uint8_t mac[6])
{
	(void)fd, (void)mac;
	return -ENOPROTOOPT;
}

int ipk_os_igmp_listen_open(unsigned ifindex, unsigned flags)
{
	(void)ifindex, (void)flags;
	return -ENOPROTOOPT;
}

int ipk_os_igmp_listen_read(int fd, struct ipk_igmp_rx *m, size_t n, int flags)
{
	(void)fd, (void)m, (void)n, (void)flags;
	return -ENOPROTOOPT;
}

int ipk_os_if_addr(int fd, unsigned ifindex, uint32_t *addr)
{
	(void)fd, (void)ifindex, (void)addr;
	return -ENOPROTOOPT;
}

int ipk_os_igmp_ll_reports(int on, int *old)
{
	(void)on, (void)old;
	return -ENOPROTOOPT;
}

#else
/* ISO C forbids an empty translation unit. */
typedef int ipk_sock_other_unused_;
#endif
