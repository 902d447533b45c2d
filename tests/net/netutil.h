/* netutil.h - shared helpers of the tests/net programs: namespace switching, bounded reads,
 * ok/not-ok result lines. */
#ifndef IPK_TESTS_NETUTIL_H
#define IPK_TESTS_NETUTIL_H

#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <poll.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ipv4kit/ipv4kit.h"

/*
 * Result lines the shell tests count: "ok NAME" or "not ok NAME: detail". Every check prints one
 * line; the program exits 1 if any failed, 2 on a setup error (printed as "not ok setup: ...").
 */
static int nu_failed;
static int nu_passed;

static inline void nu_result(int good, const char *name, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static inline void nu_result(int good, const char *name, const char *fmt, ...)
{
	if (good) {
		printf("ok %s\n", name);
		nu_passed++;
	} else {
		va_list ap;
		printf("not ok %s: ", name);
		va_start(ap, fmt);
		vprintf(fmt, ap);
		va_end(ap);
		printf("\n");
		nu_failed++;
	}
	fflush(stdout);
}

#define CHECK(cond, name, ...) nu_result(!!(cond), name, __VA_ARGS__)

/* Abort the program on a setup failure (a socket that could not be opened, a namespace that is
 * missing): later checks would only repeat the same failure. */
static inline void nu_die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
static inline void nu_die(const char *fmt, ...)
{
	va_list ap;
	printf("not ok setup: ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	exit(2);
}

static inline int nu_exit(void)
{
	printf("# %d passed, %d failed\n", nu_passed, nu_failed);
	return nu_failed ? 1 : 0;
}

/* Enter the named namespace (created by tests/lib/netns.sh): sockets opened afterwards live there.
 */
static inline void nu_enter(const char *ns)
{
	char path[256];
	snprintf(path, sizeof(path), "/run/netns/%s", ns);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		nu_die("open %s: %s", path, strerror(errno));
	if (setns(fd, CLONE_NEWNET) < 0)
		nu_die("setns %s: %s", ns, strerror(errno));
	close(fd);
}

/* Interface index of name in the current namespace (dies when missing). */
static inline unsigned nu_ifindex(const char *name)
{
	unsigned i = if_nametoindex(name);
	if (!i)
		nu_die("no interface %s", name);
	return i;
}

static inline uint32_t nu_addr(const char *s)
{
	uint32_t a;
	if (ipk_ip4_aton(s, &a) != 0)
		nu_die("bad address %s", s);
	return a;
}

/* Milliseconds on the monotonic clock. */
static inline long long nu_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Wait up to ms for fd to have events; 1 ready, 0 timeout. */
static inline int nu_wait(int fd, short events, int ms)
{
	struct pollfd p = {.fd = fd, .events = events};
	int r;
	do
		r = poll(&p, 1, ms);
	while (r < 0 && errno == EINTR);
	return r > 0 && (p.revents & (events | POLLERR));
}

static inline void nu_sleep_ms(int ms)
{
	struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
	nanosleep(&ts, NULL);
}

/* Read one datagram with a timeout: bytes, 0 on timeout, -errno on error. */
static inline int nu_read(int fd, struct ipk_msg *m, unsigned cm_flags, int ms)
{
	if (!nu_wait(fd, POLLIN, ms))
		return 0;
	int r = ipk_sock_read(fd, m, cm_flags, MSG_DONTWAIT);
	if (r == -EAGAIN)
		return 0;
	return r;
}

static inline const char *nu_ntoa(uint32_t a, char *buf)
{
	ipk_ip4_ntoa(a, buf);
	return buf;
}

#endif
