/*
 * share.c - locating the shipped data folder (see share.h).
 *
 * Looked for, in order: ROSTER_SHARE; then beside the running program, as
 * make install lays it out (PREFIX/bin/roster and PREFIX/share/roster/) or
 * as a build tree holds it (build/roster and share/); then the folder the
 * Makefile compiled in (the source tree's share/).  So an installed roster
 * finds its own files wherever PREFIX was, and does not depend on the
 * build folder still being there.  A candidate counts only if it holds
 * catalogue/, which every share folder has.  Found once, then kept.
 */
#include "share.h"

#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util.h"

#ifndef ROSTER_SHARE_DIR
#define ROSTER_SHARE_DIR "/usr/share/roster"
#endif

static char found[PATH_MAX];
static pthread_once_t once = PTHREAD_ONCE_INIT;

static int
is_share(const char *dir)
{
	char p[PATH_MAX + 16];
	struct stat st;

	snprintf(p, sizeof(p), "%s/catalogue", dir);
	return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

static void
find(void)
{
	static const char *const beside[] = { "../share/roster", "../share", NULL };
	char exe[PATH_MAX], cand[PATH_MAX], real[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	char *slash;

	snprintf(found, sizeof(found), "%s", ROSTER_SHARE_DIR);
	if (n <= 0)
		return;
	exe[n] = '\0';
	if ((slash = strrchr(exe, '/')) == NULL)
		return;
	*slash = '\0';
	for (int i = 0; beside[i] != NULL; i++) {
		if ((size_t)snprintf(cand, sizeof(cand), "%s/%s", exe, beside[i]) >=
		    sizeof(cand))
			continue;
		if (is_share(cand) && realpath(cand, real) != NULL) {
			snprintf(found, sizeof(found), "%s", real);
			return;
		}
	}
}

const char *
share_dir(void)
{
	const char *env = getenv("ROSTER_SHARE");

	if (env != NULL && env[0] != '\0')
		return env;
	pthread_once(&once, find);
	return found;
}

int
share_path(char *out, size_t len, const char *rel)
{
	int n = snprintf(out, len, "%s/%s", share_dir(), rel);

	if (n < 0 || (size_t)n >= len) {
		rs_seterr("path too long under %s", share_dir());
		return -1;
	}
	return 0;
}
