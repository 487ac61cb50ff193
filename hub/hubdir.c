/*
 * hubdir.c - the hub directory: where it is, its file names, its lock.
 *
 * The lock is flock(2) on HUBDIR/lock, taken without waiting.  flock is tied
 * to the open file, so it goes away with the process however the process
 * ends (a crashed hub never leaves a stale lock behind), and it is what tells
 * "rosterd admit" whether a hub is serving.
 */
#include "hub.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "util.h"

char *
hub_path(const char *hubdir, const char *name)
{
	size_t n = strlen(hubdir) + strlen(name) + 2;
	char *p = xmalloc(n);

	snprintf(p, n, "%s/%s", hubdir, name);
	return p;
}

const char *
hub_dir_arg(const char *positional)
{
	const char *env = getenv("ROSTER_HUB_DIR");

	if (positional != NULL && positional[0] != '\0')
		return positional;
	if (env != NULL && env[0] != '\0')
		return env;
	rs_seterr("no hub directory: give HUBDIR or set ROSTER_HUB_DIR");
	return NULL;
}

int
hub_lock(const char *hubdir, int *fdp)
{
	char *path = hub_path(hubdir, "lock");
	int fd;

	*fdp = -1;
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0) {
		rs_seterr("cannot open %s: %s", path, strerror(errno));
		free(path);
		return -1;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
		int busy = errno == EWOULDBLOCK;
		if (!busy)
			rs_seterr("cannot lock %s: %s", path, strerror(errno));
		else
			rs_seterr("%s is held by another rosterd", path);
		close(fd);
		free(path);
		return busy ? 1 : -1;
	}
	free(path);
	*fdp = fd;
	return 0;
}

void
hub_unlock(int fd)
{
	if (fd >= 0)
		close(fd);	/* releases the flock */
}
