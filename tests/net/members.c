/* members.c - net_members: makes the Linux kernel in this namespace a scripted IGMP host (RFC 3376 section 5, RFC 3678 socket API): joins, leaves, source joins and blocks read as commands from stdin, or a server that sets a group's socket state exactly on request (the conformance suite's join hook). */
#include "net/netutil.h" /* first: it defines _GNU_SOURCE */

#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

/*
 * Usage:
 *   net_members IFACE < COMMANDS
 *   net_members --serve SOCKPATH IFACE
 *   net_members --ctl SOCKPATH set GROUP include|exclude|leave [S1,S2,...]
 *   net_members --ctl SOCKPATH ping|quit
 *
 * stdin mode: one command a line; each acts on the kernel's membership of IFACE and prints
 * "done LINE" (or "error LINE: reason" and exit 1):
 *   asm G            any-source join (the kernel sends TO_EX {})
 *   leave G          leave an any-source join (TO_IN {})
 *   ssm S G          source-specific join (ALLOW {S}, or TO_IN when it changes the mode)
 *   ssmleave S G     leave it (BLOCK {S})
 *   block S G        exclude S from the any-source join of G (BLOCK {S})
 *   unblock S G      include S again (ALLOW {S})
 * End of input or "quit": exit 0 without leaving; the kernel drops the memberships as the socket
 * closes (the leave reports go out then).
 *
 * Server mode (run in the target's namespace, in the background): listens on the unix stream
 * socket SOCKPATH (created; an old socket file there is replaced) and keeps one UDP socket per
 * group on IFACE. Each connection sends one line and gets one line back, "done" or "error
 * REASON":
 *   set G include S1,S2,..   a new membership: IP_ADD_SOURCE_MEMBERSHIP per source (ALLOW {S});
 *                            an empty list is no membership (as leave)
 *   set G exclude [S1,..]    a new membership: IP_ADD_MEMBERSHIP, then IP_BLOCK_SOURCE per source
 *                            (TO_EX {S}, the kernel merges the blocks into the first report)
 *   set G MODE SOURCES       on an existing membership: setsourcefilter() (MCAST_MSFILTER) with
 *                            the new mode and sources; the kernel reports the difference (ALLOW,
 *                            BLOCK, TO_IN or TO_EX, RFC 3376 5.1)
 *   set G leave              close the group's socket (TO_IN {} or BLOCK of the included sources;
 *                            v2: Leave)
 *   ping                     "done" (the server is up)
 *   quit                     "done", then every socket is closed and the server exits 0
 * The state is set when the answer comes (the kernel has its socket state; the reports follow).
 * The server also exits when SOCKPATH is removed or replaced (checked every 200 ms), and logs
 * each request and its answer on stdout. Client mode sends one line and exits 0 on "done", 1 on
 * "error" (printed on stderr) or no answer within 10 s, 2 on a usage error.
 */

#define MAX_GROUPS 64    /* groups held at once */
#define MAX_SOURCES 64   /* sources in one request (the kernel allows igmp_max_msf, 10 by default) */
#define LINE_MAX_ 1024   /* one request or answer */
#define CLIENT_MS 2000   /* a client has this long to send its line */
#define ANSWER_MS 10000  /* the client waits this long for the answer */

static int stdin_mode(const char *ifname)
{
	unsigned ifx = if_nametoindex(ifname);
	if (!ifx) {
		fprintf(stderr, "net_members: unknown interface %s\n", ifname);
		return 2;
	}
	int fd = ipk_udp_open(0, 0, 1);
	if (fd < 0) {
		fprintf(stderr, "net_members: socket: %s\n", strerror(-fd));
		return 2;
	}
	char line[256];
	setvbuf(stdout, NULL, _IOLBF, 0);
	while (fgets(line, sizeof(line), stdin)) {
		line[strcspn(line, "\r\n")] = 0;
		char cmd[16], a[32], b[32];
		int n = sscanf(line, "%15s %31s %31s", cmd, a, b);
		if (n <= 0)
			continue;
		if (strcmp(cmd, "quit") == 0)
			break;
		uint32_t x = 0, y = 0;
		int r = -EINVAL;
		if (n >= 2 && ipk_ip4_aton(a, &x) == 0 && (n == 2 || ipk_ip4_aton(b, &y) == 0)) {
			if (n == 2 && strcmp(cmd, "asm") == 0)
				r = ipk_mcast_join(fd, ifx, x);
			else if (n == 2 && strcmp(cmd, "leave") == 0)
				r = ipk_mcast_leave(fd, ifx, x);
			else if (n == 3 && strcmp(cmd, "ssm") == 0)
				r = ipk_mcast_join_source(fd, ifx, y, x);
			else if (n == 3 && strcmp(cmd, "ssmleave") == 0)
				r = ipk_mcast_leave_source(fd, ifx, y, x);
			else if (n == 3 && strcmp(cmd, "block") == 0)
				r = ipk_mcast_block_source(fd, ifx, y, x);
			else if (n == 3 && strcmp(cmd, "unblock") == 0)
				r = ipk_mcast_unblock_source(fd, ifx, y, x);
		}
		if (r < 0) {
			printf("error %s: %s\n", line, strerror(-r));
			return 1;
		}
		printf("done %s\n", line);
	}
	close(fd);
	return 0;
}

/* ---- server mode ---- */

struct member {
	uint32_t group; /* 0: slot free */
	int fd;
};

static struct member members[MAX_GROUPS];
static unsigned serve_ifx;

static struct member *member_find(uint32_t g)
{
	for (unsigned i = 0; i < MAX_GROUPS; i++)
		if (members[i].group == g)
			return &members[i];
	return NULL;
}

static void member_close(struct member *m)
{
	close(m->fd);
	m->group = 0;
	m->fd = -1;
}

/* Parse "S1,S2,..." into srcs (at most MAX_SOURCES); the count, or -1 with err set. */
static int parse_sources(const char *list, uint32_t *srcs, char *err, size_t errlen)
{
	int n = 0;
	const char *p = list;
	while (p && *p) {
		char one[32];
		size_t len = strcspn(p, ",");
		if (len == 0 || len >= sizeof(one)) {
			snprintf(err, errlen, "bad source list '%s'", list);
			return -1;
		}
		memcpy(one, p, len);
		one[len] = 0;
		if (n == MAX_SOURCES) {
			snprintf(err, errlen, "more than %d sources", MAX_SOURCES);
			return -1;
		}
		if (ipk_ip4_aton(one, &srcs[n]) != 0) {
			snprintf(err, errlen, "bad source address '%s'", one);
			return -1;
		}
		n++;
		p += len;
		if (*p == ',')
			p++;
	}
	return n;
}

/* MCAST_MSFILTER on an existing membership: mode and sources replace the socket's filter. */
static int set_filter(int fd, uint32_t g, unsigned mode, const uint32_t *srcs, int n)
{
	struct sockaddr_in ga = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(g)};
	struct sockaddr_storage sl[MAX_SOURCES];
	memset(sl, 0, sizeof(sl));
	for (int i = 0; i < n; i++) {
		struct sockaddr_in *s = (struct sockaddr_in *)&sl[i];
		s->sin_family = AF_INET;
		s->sin_addr.s_addr = htonl(srcs[i]);
	}
	if (setsourcefilter(fd, serve_ifx, (struct sockaddr *)&ga, sizeof(ga), mode, (uint32_t)n, sl) < 0)
		return -errno;
	return 0;
}

/* set G MODE [SOURCES]: make the kernel's socket state for G exactly that; 0 or -1 with err. */
static int do_set(const char *gs, const char *mode, const char *list, char *err, size_t errlen)
{
	uint32_t g, srcs[MAX_SOURCES];
	char a[16];
	if (ipk_ip4_aton(gs, &g) != 0 || (g >> 28) != 0xe) {
		snprintf(err, errlen, "'%s' is not a multicast group address", gs);
		return -1;
	}
	int n = parse_sources(list, srcs, err, errlen);
	if (n < 0)
		return -1;
	int include = strcmp(mode, "include") == 0, exclude = strcmp(mode, "exclude") == 0;
	if (!include && !exclude && strcmp(mode, "leave") != 0) {
		snprintf(err, errlen, "mode '%s' is not include, exclude or leave", mode);
		return -1;
	}
	if (!include && !exclude && n > 0) {
		snprintf(err, errlen, "leave takes no sources");
		return -1;
	}
	struct member *m = member_find(g);
	/* INCLUDE {} is no membership (RFC 3376 5.1) */
	if (!exclude && n == 0) {
		if (m)
			member_close(m);
		return 0;
	}
	int r = 0;
	if (m) {
		r = set_filter(m->fd, g, include ? MCAST_INCLUDE : MCAST_EXCLUDE, srcs, n);
		if (r < 0) {
			snprintf(err, errlen, "setsourcefilter(%s, %s, %d sources): %s", gs, mode, n, strerror(-r));
			return -1;
		}
		return 0;
	}
	m = member_find(0);
	if (!m) {
		snprintf(err, errlen, "already %d groups held", MAX_GROUPS);
		return -1;
	}
	int fd = ipk_udp_open(0, 0, 1);
	if (fd < 0) {
		snprintf(err, errlen, "socket: %s", strerror(-fd));
		return -1;
	}
	const char *what = "IP_ADD_MEMBERSHIP";
	int i = 0;
	if (exclude) {
		r = ipk_mcast_join(fd, serve_ifx, g);
		for (what = "IP_BLOCK_SOURCE"; r >= 0 && i < n; i++)
			r = ipk_mcast_block_source(fd, serve_ifx, g, srcs[i]);
	} else {
		for (what = "IP_ADD_SOURCE_MEMBERSHIP"; r >= 0 && i < n; i++)
			r = ipk_mcast_join_source(fd, serve_ifx, g, srcs[i]);
	}
	if (r < 0) {
		snprintf(err, errlen, "%s %s%s%s: %s", what, gs, i ? " source " : "",
			 i ? (ipk_ip4_ntoa(srcs[i - 1], a), a) : "", strerror(-r));
		close(fd); /* the kernel drops what was joined */
		return -1;
	}
	m->group = g;
	m->fd = fd;
	return 0;
}

/* Read one line from fd within ms (bounded by cap); its length, or -1. */
static int read_line(int fd, char *buf, size_t cap, int ms)
{
	size_t len = 0;
	long long until = nu_now_ms() + ms;
	while (len + 1 < cap) {
		long long left = until - nu_now_ms();
		if (left <= 0 || !nu_wait(fd, POLLIN, (int)left))
			return -1;
		ssize_t r = read(fd, buf + len, cap - 1 - len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		len += (size_t)r;
		if (memchr(buf, '\n', len))
			break;
	}
	buf[len] = 0;
	buf[strcspn(buf, "\r\n")] = 0;
	return len ? (int)strlen(buf) : -1;
}

/* One request; the answer goes to the client and stdout. Returns 1 on quit. */
static int serve_one(int c)
{
	char line[LINE_MAX_], ans[LINE_MAX_ + 64], err[LINE_MAX_] = "";
	int quit = 0;
	if (read_line(c, line, sizeof(line), CLIENT_MS) < 0) {
		printf("error: a client sent no line within %d ms\n", CLIENT_MS);
		return 0;
	}
	char cmd[16] = "", g[32] = "", mode[16] = "", list[LINE_MAX_] = "", extra[8] = "";
	int n = sscanf(line, "%15s %31s %15s %1023s %7s", cmd, g, mode, list, extra);
	int r = -1;
	if (n == 1 && strcmp(cmd, "ping") == 0)
		r = 0;
	else if (n == 1 && strcmp(cmd, "quit") == 0)
		r = 0, quit = 1;
	else if ((n == 3 || n == 4) && strcmp(cmd, "set") == 0)
		r = do_set(g, mode, list, err, sizeof(err));
	else
		snprintf(err, sizeof(err), "unknown request (set G include|exclude|leave [S1,..], ping, quit)");
	if (r == 0)
		snprintf(ans, sizeof(ans), "done\n");
	else
		snprintf(ans, sizeof(ans), "error %s\n", err);
	printf("%s -> %s", line, ans);
	size_t off = 0, len = strlen(ans);
	while (off < len) {
		ssize_t w = write(c, ans + off, len - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			break;
		off += (size_t)w;
	}
	return quit;
}

static int unix_addr(const char *path, struct sockaddr_un *sa)
{
	memset(sa, 0, sizeof(*sa));
	sa->sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sa->sun_path)) {
		fprintf(stderr, "net_members: socket path too long (%zu bytes, at most %zu): %s\n", strlen(path),
			sizeof(sa->sun_path) - 1, path);
		return -1;
	}
	strcpy(sa->sun_path, path);
	return 0;
}

static int serve(const char *path, const char *ifname)
{
	struct sockaddr_un sa;
	struct stat st, now;
	setvbuf(stdout, NULL, _IOLBF, 0);
	signal(SIGPIPE, SIG_IGN);
	serve_ifx = if_nametoindex(ifname);
	if (!serve_ifx) {
		fprintf(stderr, "net_members: unknown interface %s\n", ifname);
		return 2;
	}
	if (unix_addr(path, &sa) < 0)
		return 2;
	for (unsigned i = 0; i < MAX_GROUPS; i++)
		members[i].fd = -1;
	int ls = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (ls < 0) {
		fprintf(stderr, "net_members: unix socket: %s\n", strerror(errno));
		return 2;
	}
	unlink(path);
	if (bind(ls, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(ls, 8) < 0 || stat(path, &st) < 0) {
		fprintf(stderr, "net_members: listen on %s: %s\n", path, strerror(errno));
		return 2;
	}
	printf("listening on %s, interface %s (index %u)\n", path, ifname, serve_ifx);
	int quit = 0;
	while (!quit) {
		if (stat(path, &now) < 0 || now.st_ino != st.st_ino || now.st_dev != st.st_dev) {
			printf("%s went away: exiting\n", path);
			break;
		}
		if (!nu_wait(ls, POLLIN, 200))
			continue;
		int c = accept4(ls, NULL, NULL, SOCK_CLOEXEC);
		if (c < 0)
			continue;
		quit = serve_one(c);
		close(c);
	}
	for (unsigned i = 0; i < MAX_GROUPS; i++)
		if (members[i].group)
			member_close(&members[i]);
	close(ls);
	if (quit)
		unlink(path);
	return 0;
}

/* ---- client mode ---- */

static int ctl(const char *path, int argc, char **argv)
{
	struct sockaddr_un sa;
	char line[LINE_MAX_] = "", ans[LINE_MAX_];
	size_t len = 0;
	for (int i = 0; i < argc; i++) {
		int w = snprintf(line + len, sizeof(line) - len, "%s%s", i ? " " : "", argv[i]);
		if (w < 0 || (size_t)w >= sizeof(line) - len - 1) {
			fprintf(stderr, "net_members: request longer than %d bytes\n", LINE_MAX_ - 2);
			return 2;
		}
		len += (size_t)w;
	}
	line[len++] = '\n';
	if (unix_addr(path, &sa) < 0)
		return 2;
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		fprintf(stderr, "net_members: connect to %s: %s\n", path, strerror(errno));
		return 1;
	}
	signal(SIGPIPE, SIG_IGN);
	if (write(fd, line, len) != (ssize_t)len) {
		fprintf(stderr, "net_members: send to %s: %s\n", path, strerror(errno));
		return 1;
	}
	if (read_line(fd, ans, sizeof(ans), ANSWER_MS) < 0) {
		fprintf(stderr, "net_members: no answer from %s within %d ms\n", path, ANSWER_MS);
		return 1;
	}
	close(fd);
	if (strcmp(ans, "done") == 0)
		return 0;
	line[len - 1] = 0;
	fprintf(stderr, "net_members: %s: %s\n", line, strncmp(ans, "error ", 6) == 0 ? ans + 6 : ans);
	return 1;
}

int main(int argc, char **argv)
{
	if (argc == 4 && strcmp(argv[1], "--serve") == 0)
		return serve(argv[2], argv[3]);
	if (argc >= 4 && strcmp(argv[1], "--ctl") == 0)
		return ctl(argv[2], argc - 3, argv + 3);
	if (argc == 2 && argv[1][0] != '-')
		return stdin_mode(argv[1]);
	fprintf(stderr, "usage: net_members IFACE < COMMANDS\n"
			"       net_members --serve SOCKPATH IFACE\n"
			"       net_members --ctl SOCKPATH set GROUP include|exclude|leave [S1,S2,...]\n"
			"       net_members --ctl SOCKPATH ping|quit\n");
	return 2;
}
