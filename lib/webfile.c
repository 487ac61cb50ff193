/*
 * webfile.c - safe mapping of URL paths to the web interface's files (see
 * webfile.h).  Whitelisting the characters is simpler to get right than
 * blacklisting the dangerous ones.
 */
#include "webfile.h"

#include <stdio.h>
#include <string.h>

#include "util.h"

static const struct {
	const char *ext, *type;
} types[] = {
	{ ".html", "text/html; charset=utf-8" },
	{ ".js", "text/javascript; charset=utf-8" },
	{ ".css", "text/css; charset=utf-8" },
	{ ".json", "application/json" },
	{ ".svg", "image/svg+xml" },
	{ ".png", "image/png" },
	{ ".ico", "image/x-icon" },
	{ ".txt", "text/plain; charset=utf-8" },
	{ NULL, NULL }
};

const char *
webfile_type(const char *name)
{
	size_t n = strlen(name);

	for (int i = 0; types[i].ext != NULL; i++) {
		size_t e = strlen(types[i].ext);
		if (n > e && strcmp(name + n - e, types[i].ext) == 0)
			return types[i].type;
	}
	return NULL;
}

/* Each segment: non-empty, no leading dot, only [A-Za-z0-9._-]. */
static int
valid_segments(const char *p)
{
	static const char ok[] = "abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-";

	while (*p == '/') {
		size_t n = strspn(p + 1, ok);
		if (n == 0 || p[1] == '.')
			return 0;
		p += 1 + n;
	}
	return *p == '\0';
}

const char *
webfile_resolve(const char *root, const char *path, char *out, size_t len)
{
	const char *type;
	int n;

	if (path == NULL || path[0] != '/') {
		rs_seterr("a path must start with /");
		return NULL;
	}
	if (strcmp(path, "/") == 0)
		path = "/index.html";
	if (strlen(path) > WEBFILE_PATH_MAX || !valid_segments(path)) {
		rs_seterr("no such file: the path has characters or segments that are not allowed");
		return NULL;
	}
	if ((type = webfile_type(path)) == NULL) {
		rs_seterr("no such file: unknown file type");
		return NULL;
	}
	n = snprintf(out, len, "%s%s", root, path);
	if (n < 0 || (size_t)n >= len) {
		rs_seterr("path too long");
		return NULL;
	}
	return type;
}
