/*
 * hubdir.c - the hub directory: where it is, its file names, its lock.
 *
 * The lock is flock(2) on HUBDIR/lock, taken without waiting.  flock is tied
 * to the open file, so it goes away with the process however the process
 * ends (a crashed hub never leaves a stale lock behind), and it is what tells
 * "rosterd admit" whether a hub is serving.
 *
 * Every command names its HUBDIR the same way (the first positional
 * argument, else ROSTER_HUB_DIR), so hub_opts_finish takes it after the
 * command's own options (lib/opts.h parses them against help.c's tables).
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
hub_opts(struct opts *o, const struct cmd_doc *doc, int argc, char **argv)
{
	if (opts_parse(o, doc, argc, argv) != OPTS_OK) {
		opts_free(o);
		return -1;
	}
	return 0;
}

int
hub_opts_finish(struct opts *o, const char **hubdir)
{
	const char *pos = opt_positional(o);
	enum opts_result r = opts_finish(o);

	if (r == OPTS_OK && (*hubdir = hub_dir_arg(pos)) == NULL)
		opts_usage(o, "%s", rs_err());
	opts_free(o);
	return r == OPTS_OK && *hubdir != NULL ? 0 : -1;
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
