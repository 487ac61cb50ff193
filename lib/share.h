/*
 * share.h - where the data shipped with roster lives.
 *
 * Templates, taxonomies, UI catalogues and web assets are data, not code:
 * they live under one folder, share/ in the source tree, so an operator can
 * add or change them without rebuilding.  The folder is found from
 * ROSTER_SHARE in the environment, else beside the running program
 * (PREFIX/share/roster after make install, share/ of a build tree), else
 * the source tree's share/ the Makefile compiled in (share.c).
 */
#ifndef ROSTER_SHARE_H
#define ROSTER_SHARE_H

#include <stddef.h>

/* The share folder, without a trailing slash. */
const char *share_dir(void);

/* Writes share_dir()/rel into out; -1 with rs_err if it does not fit. */
int share_path(char *out, size_t len, const char *rel);

#endif
