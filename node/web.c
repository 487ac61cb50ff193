/*
 * web.c - the web interface's static files, served by the node itself.
 *
 * The assets (HTML, CSS, ES modules, the language catalogues) ship in
 * share/web/ and are read from disk per request: they are small, and an
 * operator may change a catalogue without a restart.  Nothing is ever loaded
 * from elsewhere: the Content-Security-Policy allows scripts, styles,
 * images and requests from this node only, so even a message body that
 * somehow became markup could not pull in or run foreign code.  Paths are
 * mapped to files by lib/webfile.c (a whitelist of characters, no dot
 * segments); the file is then opened with O_NOFOLLOW and its real path must
 * still lie inside the web folder, so a symbolic link cannot lead out.
 * Static files get "Cache-Control: no-store" like everything the node
 * serves (lib/http_server.c): the node is local, so caching gains nothing
 * and a stale module after an upgrade would cost something.
 */
#include "web.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "share.h"
#include "webfile.h"

#define WEB_FILE_MAX (4u << 20)

static const char security_headers[] =
    "Content-Security-Policy: default-src 'self'; img-src 'self' data:; "
    "style-src 'self'; script-src 'self'; connect-src 'self'; "
    "frame-ancestors 'none'; base-uri 'none'; form-action 'self'\r\n"
    "X-Content-Type-Options: nosniff\r\n"
    "X-Frame-Options: DENY\r\n"
    "Referrer-Policy: no-referrer\r\n";

void
web_headers(struct http_resp *resp)
{
	size_t used = strnlen(resp->extra_headers, sizeof(resp->extra_headers));

	snprintf(resp->extra_headers + used, sizeof(resp->extra_headers) - used, "%s",
	    security_headers);
}

static pthread_once_t root_once = PTHREAD_ONCE_INIT;
static char root[PATH_MAX];

static void
find_root(void)
{
	char p[PATH_MAX];

	if (share_path(p, sizeof(p), "web") != 0 || realpath(p, root) == NULL)
		root[0] = '\0';
}

/* Reads the regular file at path into out, refusing links and anything
 * whose real path is outside root. */
static int
read_inside(const char *path, struct buf *out)
{
	char real[PATH_MAX];
	struct stat sb;
	size_t rl = strlen(root);
	int fd;

	if (realpath(path, real) == NULL || strncmp(real, root, rl) != 0 || real[rl] != '/') {
		rs_seterr("no such file");
		return -1;
	}
	if ((fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) < 0) {
		rs_seterr("no such file");
		return -1;
	}
	if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode) || sb.st_size > WEB_FILE_MAX) {
		close(fd);
		rs_seterr("no such file");
		return -1;
	}
	buf_reserve(out, (size_t)sb.st_size);
	while (out->len < (size_t)sb.st_size) {
		ssize_t r = read(fd, out->p + out->len, (size_t)sb.st_size - out->len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			close(fd);
			rs_seterr("cannot read the file");
			return -1;
		}
		out->len += (size_t)r;
	}
	close(fd);
	return 0;
}

void
web_static(const struct http_req *req, struct http_resp *resp)
{
	char path[PATH_MAX];
	const char *type;
	struct buf b = {0};

	if (strcmp(req->method, "GET") != 0 && strcmp(req->method, "HEAD") != 0) {
		http_resp_error(resp, 405, "method %s not allowed for a file", req->method);
		return;
	}
	pthread_once(&root_once, find_root);
	if (root[0] == '\0') {
		http_resp_error(resp, 500, "the web interface's files are not installed "
		    "(looked in %s/web; set ROSTER_SHARE)", share_dir());
		return;
	}
	if ((type = webfile_resolve(root, req->path, path, sizeof(path))) == NULL ||
	    read_inside(path, &b) != 0) {
		http_resp_error(resp, 404, "%s: %s", req->path, rs_err());
		buf_free(&b);
		return;
	}
	buf_free(&resp->body);
	resp->status = 200;
	resp->content_type = type;
	resp->body = b;
}
