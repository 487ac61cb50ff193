/*
 * share.c - locating the shipped data folder (see share.h).
 */
#include "share.h"

#include <stdio.h>
#include <stdlib.h>

#include "util.h"

#ifndef ROSTER_SHARE_DIR
#define ROSTER_SHARE_DIR "/usr/share/roster"
#endif

const char *
share_dir(void)
{
	const char *env = getenv("ROSTER_SHARE");

	return env != NULL && env[0] != '\0' ? env : ROSTER_SHARE_DIR;
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
