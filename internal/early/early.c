//go:build cgo && linux

// The front command's commonest calls, answered before Go's runtime
// starts; see early.go for why. Everything here is bounded: fixed buffers,
// lengths checked before each copy, one deadline for the whole read.

#define _GNU_SOURCE // memmem

#include "early.h"
#include "zz_generated.h" // the facts shared with Go: go generate ./internal/early

#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

int tokentray_early_tried;

// valid_profile is fasttoken's validProfile.
static int valid_profile(const char *s) {
	size_t n = strlen(s);
	if (n == 0 || n > TT_MAX_PROFILE || strcmp(s, ".") == 0 || strcmp(s, "..") == 0 || s[0] == '-')
		return 0;
	for (; *s; s++) {
		char c = *s;
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-'))
			return 0;
	}
	return 1;
}

// join writes dir/a[/b] to dst as Go's filepath.Join would, or returns 0
// when that would take cleaning beyond trailing slashes on dir (a "//",
// "." or ".." inside): Go's own path takes those.
static int join(char *dst, size_t size, const char *dir, const char *a, const char *b) {
	size_t d = strlen(dir);
	while (d > 0 && dir[d - 1] == '/')
		d--;
	int n = b ? snprintf(dst, size, "%.*s/%s/%s", (int)d, dir, a, b) : snprintf(dst, size, "%.*s/%s", (int)d, dir, a);
	if (n < 0 || (size_t)n >= size)
		return 0;
	const char *p = dst[0] == '/' ? dst + 1 : dst;
	for (;;) {
		const char *e = strchr(p, '/');
		size_t len = e ? (size_t)(e - p) : strlen(p);
		if (len == 0 || (len == 1 && p[0] == '.') || (len == 2 && p[0] == '.' && p[1] == '.'))
			return 0;
		if (!e)
			return 1;
		p = e + 1;
	}
}

int tt_parse(int n, char **args, const struct tt_env *env, const char **profile, char *sock, size_t size) {
	int seen_cmd = 0, end_of_flags = 0;
	const char *prof = NULL, *dir = NULL;
	for (int i = 0; i < n; i++) {
		const char *a = args[i];
		if (end_of_flags || a[0] != '-' || strcmp(a, "-") == 0) {
			if (!seen_cmd && strcmp(a, TT_COMMAND) == 0)
				seen_cmd = 1;
			else if (seen_cmd && !prof && valid_profile(a))
				prof = a;
			else
				return 0;
			continue;
		}
		if (strcmp(a, "--") == 0) {
			if (!seen_cmd)
				return 0;
			end_of_flags = 1;
			continue;
		}
		if (a[1] != '-')
			return 0; // -h, or a mistake: the CLI's business
		const char *name = a + 2;
		const char *eq = strchr(name, '=');
		size_t len = eq ? (size_t)(eq - name) : strlen(name);
		const char *value;
		if (eq) {
			value = eq + 1;
		} else {
			if (i + 1 >= n)
				return 0;
			value = args[++i];
		}
		if (len == strlen(TT_FLAG_CONFIG) && strncmp(name, TT_FLAG_CONFIG, len) == 0) {
			// a token read does not use the config
		} else if (len == strlen(TT_FLAG_RUNTIME_DIR) && strncmp(name, TT_FLAG_RUNTIME_DIR, len) == 0) {
			dir = value;
		} else if (len == strlen(TT_FLAG_FORMAT) && strncmp(name, TT_FLAG_FORMAT, len) == 0) {
			if (!seen_cmd || strcmp(value, TT_FORMAT_RAW) != 0)
				return 0;
		} else {
			return 0; // --help, --min-valid, --debug, a mistake: the CLI's business
		}
	}
	if (!seen_cmd)
		return 0;
	// rundir.Dir and rundir.Socket, in the same order.
	if (!dir)
		dir = env->runtime_dir;
	int ok;
	if (dir && *dir) {
		ok = join(sock, size, dir, TT_SOCKET_NAME, NULL);
	} else if (env->xdg && *env->xdg) {
		ok = join(sock, size, env->xdg, TT_XDG_SUBDIR, TT_SOCKET_NAME);
	} else {
		char own[64];
		snprintf(own, sizeof own, TT_TEMP_PREFIX "%u", env->uid);
		ok = join(sock, size, env->tmpdir && *env->tmpdir ? env->tmpdir : "/tmp", own, TT_SOCKET_NAME);
	}
	if (!ok)
		return 0;
	*profile = prof ? prof : ""; // "": the only profile there is
	return 1;
}

// lower_eq compares a header name with a lower-case name, folding ASCII
// letters only.
static int lower_eq(const char *name, size_t n, const char *lower) {
	if (n != strlen(lower))
		return 0;
	for (size_t i = 0; i < n; i++) {
		char c = name[i];
		if (c >= 'A' && c <= 'Z')
			c += 'a' - 'A';
		if (c != lower[i])
			return 0;
	}
	return 1;
}

struct head {
	int status200, text, encoded;
	long length; // -1: none
};

// parse_head is fasttoken's parseHead.
static int parse_head(const char *b, size_t n, struct head *h) {
	static const char status[] = TT_STATUS_OK;
	h->status200 = n >= sizeof status - 1 && memcmp(b, status, sizeof status - 1) == 0;
	h->text = h->encoded = 0;
	h->length = -1;
	const char *end = b + n;
	const char *p = memmem(b, n, "\r\n", 2);
	if (!p)
		return 1;
	for (p += 2;; p += 2) {
		const char *e = memmem(p, (size_t)(end - p), "\r\n", 2);
		if (!e)
			e = end;
		const char *colon = memchr(p, ':', (size_t)(e - p));
		if (!colon)
			return 0;
		const char *v = colon + 1, *ve = e;
		while (v < ve && (*v == ' ' || *v == '\t'))
			v++;
		while (ve > v && (ve[-1] == ' ' || ve[-1] == '\t'))
			ve--;
		size_t name = (size_t)(colon - p), vn = (size_t)(ve - v);
		if (lower_eq(p, name, "content-length")) {
			if (vn == 0 || h->length >= 0)
				return 0;
			long len = 0;
			for (size_t i = 0; i < vn; i++) {
				if (v[i] < '0' || v[i] > '9')
					return 0;
				len = len * 10 + (v[i] - '0');
				if (len > TT_MAX_ANSWER)
					return 0;
			}
			h->length = len;
		} else if (lower_eq(p, name, "content-type")) {
			h->text = vn >= strlen(TT_TEXT_PLAIN) && memcmp(v, TT_TEXT_PLAIN, strlen(TT_TEXT_PLAIN)) == 0;
		} else if (lower_eq(p, name, "transfer-encoding") || lower_eq(p, name, "content-encoding")) {
			h->encoded = 1;
		}
		if (e == end)
			return 1;
		p = e;
	}
}

int tt_complete(const char *answer, size_t n) {
	const char *e = memmem(answer, n, "\r\n\r\n", 4);
	if (!e)
		return 0;
	struct head h;
	if (!parse_head(answer, (size_t)(e - answer), &h))
		return 1; // a head not understood ends the read too
	return h.length < 0 || n - (size_t)(e + 4 - answer) >= (size_t)h.length;
}

int tt_token(const char *answer, size_t n, size_t *off, size_t *len) {
	const char *e = memmem(answer, n, "\r\n\r\n", 4);
	if (!e)
		return 0;
	struct head h;
	size_t body = (size_t)(e + 4 - answer);
	if (!parse_head(answer, (size_t)(e - answer), &h) || !h.status200 || !h.text || h.encoded || h.length <= 0 ||
	    n - body != (size_t)h.length)
		return 0;
	for (size_t i = body; i < n; i++) // token68: printable, no spaces
		if (answer[i] <= ' ' || answer[i] > '~')
			return 0;
	*off = body;
	*len = n - body;
	return 1;
}

#if defined(__GLIBC__) // musl calls constructors without argc and argv

static int64_t now_ns(void) {
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

// bound limits the next blocking call on fd to what is left of deadline.
static int bound(int fd, int opt, int64_t deadline) {
	int64_t left = deadline - now_ns();
	if (left <= 0)
		return 0;
	left += 999; // up to a whole microsecond: a zero timeval means no limit
	struct timeval tv = {.tv_sec = left / 1000000000, .tv_usec = (left % 1000000000) / 1000};
	return setsockopt(fd, SOL_SOCKET, opt, &tv, sizeof tv) == 0;
}

// write_all writes b to fd; to a socket with MSG_NOSIGNAL, so that an agent
// gone away is a failed read (the CLI explains) and not a SIGPIPE. The
// token's write to standard output dies of SIGPIPE as Go's would.
static int write_all(int fd, int sock, const char *b, size_t n) {
	while (n > 0) {
		ssize_t w = sock ? send(fd, b, n, MSG_NOSIGNAL) : write(fd, b, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return 0;
		b += w;
		n -= (size_t)w;
	}
	return 1;
}

static char answer[TT_MAX_ANSWER + 1]; // + the newline after the token

// read_token is fasttoken's Read.
static int read_token(const char *sock, const char *profile, size_t *off, size_t *len) {
	struct sockaddr_un addr = {.sun_family = AF_UNIX};
	size_t sn = strlen(sock);
	if (sn >= sizeof addr.sun_path)
		return 0; // the CLI explains
	memcpy(addr.sun_path, sock, sn + 1);
	char req[256];
	int rn = snprintf(req, sizeof req, "GET " TT_TOKEN_PATH "%s%s" TT_REQUEST_TAIL, *profile ? "/" : "", profile);
	if (rn < 0 || (size_t)rn >= sizeof req)
		return 0;
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return 0;
	if (fd <= 2) { // a standard stream is closed: Go's runtime opens /dev/null there; let it
		close(fd);
		return 0;
	}
	int ok = 0;
	size_t n = 0;
	struct ucred peer;
	socklen_t peer_len = sizeof peer;
	int64_t deadline = now_ns() + (int64_t)TT_TIMEOUT_SEC * 1000000000;
	// SO_SNDTIMEO bounds connect too, while the agent's backlog is full.
	if (!bound(fd, SO_SNDTIMEO, deadline) || connect(fd, (struct sockaddr *)&addr, sizeof addr) != 0)
		goto out;
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &peer, &peer_len) != 0 || peer.uid != getuid())
		goto out; // another user's socket: the CLI refuses it, and says so
	if (!write_all(fd, 1, req, (size_t)rn))
		goto out;
	for (;;) {
		if (n == TT_MAX_ANSWER || !bound(fd, SO_RCVTIMEO, deadline))
			goto out;
		ssize_t r = read(fd, answer + n, TT_MAX_ANSWER - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			goto out;
		if (r == 0)
			break;
		n += (size_t)r;
		if (tt_complete(answer, n))
			break;
	}
	ok = tt_token(answer, n, off, len);
out:
	close(fd);
	return ok;
}

// hand_over runs tokentray-agent from beside this program, as
// launch.Exec would; it returns when it cannot (Go's launch then looks on
// PATH, or explains). Only a program named tokentray hands over, so that
// no test binary linking this package ever does.
static void hand_over(char **argv, char **envp) {
	static const char agent[] = "tokentray-agent";
	char self[PATH_MAX];
	if (!realpath("/proc/self/exe", self))
		return;
	char *base = strrchr(self, '/');
	if (!base || strcmp(base + 1, "tokentray") != 0 || (size_t)(base + 1 - self) + sizeof agent > sizeof self)
		return;
	memcpy(base + 1, agent, sizeof agent);
	struct stat st;
	if (stat(self, &st) != 0 || !S_ISREG(st.st_mode) || (st.st_mode & 0111) == 0)
		return;
	execve(self, argv, envp);
}

__attribute__((constructor)) static void tokentray_early(int argc, char **argv, char **envp) {
	if (argc < 1 || !argv || !argv[0])
		return;
	struct tt_env env = {getenv(TT_ENV_RUNTIME_DIR), getenv("XDG_RUNTIME_DIR"), getenv("TMPDIR"), getuid()};
	const char *profile;
	char sock[PATH_MAX];
	if (tt_parse(argc - 1, argv + 1, &env, &profile, sock, sizeof sock)) {
		tokentray_early_tried = 1;
		size_t off, len;
		if (read_token(sock, profile, &off, &len)) {
			answer[off + len] = '\n';
			_exit(write_all(1, 0, answer + off, len + 1) ? 0 : 1);
		}
	}
	hand_over(argv, envp);
}

#endif
