//go:build cgo && linux

// See early.go.
#ifndef TOKENTRAY_EARLY_H
#define TOKENTRAY_EARLY_H

#include <stddef.h>

// tokentray_early_tried is 1 when the front's C path asked the agent for
// the token (and, since the process still runs, did not get it).
extern int tokentray_early_tried;

// What the socket's path is made of, from the environment.
struct tt_env {
	const char *runtime_dir; // TOKENTRAY_RUNTIME_DIR
	const char *xdg;         // XDG_RUNTIME_DIR
	const char *tmpdir;      // TMPDIR
	unsigned uid;
};

// tt_parse reports whether args is a plain token read, as Go's
// fasttoken.Parse does; on 1, *profile points into args (or is "", the
// only profile) and sock holds the agent's socket.
int tt_parse(int n, char **args, const struct tt_env *env, const char **profile, char *sock, size_t size);

// tt_complete and tt_token read an answer as fasttoken's complete and
// Token do; on 1, the token is the *len bytes at answer + *off.
int tt_complete(const char *answer, size_t n);
int tt_token(const char *answer, size_t n, size_t *off, size_t *len);

#endif
