/*
 * tmpdir.h - a fresh temporary folder for each test that writes files:
 * setup_tmp and teardown_tmp are cmocka setup/teardown functions that keep
 * the folder's path in *state; path_in names a file inside it (malloc'd).
 * Header-only, so that every unit test stays a single .c file.
 */
#ifndef ROSTER_TEST_TMPDIR_H
#define ROSTER_TEST_TMPDIR_H

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "util.h"

static int
rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static int
setup_tmp(void **state)
{
	char *d = xstrdup("/tmp/roster-test-XXXXXX");

	if (mkdtemp(d) == NULL) {
		free(d);
		return -1;
	}
	*state = d;
	return 0;
}

static int
teardown_tmp(void **state)
{
	char *d = *state;
	int rc = nftw(d, rm_entry, 16, FTW_DEPTH | FTW_PHYS);

	free(d);
	return rc;
}

static char *
path_in(void **state, const char *name)
{
	struct buf b = {0};

	buf_printf(&b, "%s/%s", (char *)*state, name);
	return (char *)buf_cstr(&b);
}

#endif
