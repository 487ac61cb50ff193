/*
 * webfile.h - which file a URL path of the web interface names.
 *
 * The node serves its static assets (share/web/) to the browser.  A request
 * path is mapped to a file only if every segment is a plain name of
 * [A-Za-z0-9._-] that does not start with a dot, there are no empty
 * segments, the whole path is short, and the name ends in a known extension
 * (which also gives the content type).  That rules out "..", hidden files,
 * backslashes, NUL bytes and encoded tricks (the server hands us the path
 * already percent-decoded, so "%2e%2e" arrives as ".." and is refused).
 * The caller then opens the file with O_NOFOLLOW below a root it resolved
 * once, so a symbolic link planted in the folder is not followed either.
 */
#ifndef ROSTER_WEBFILE_H
#define ROSTER_WEBFILE_H

#include <stddef.h>

#define WEBFILE_PATH_MAX 200

/* Writes root + path (or root/index.html for "/") into out and returns the
 * content type; NULL with rs_err when the path is refused. */
const char *webfile_resolve(const char *root, const char *path, char *out, size_t len);

/* The content type of a file name by its extension, or NULL. */
const char *webfile_type(const char *name);

#endif
