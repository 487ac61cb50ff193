/*
 * server.c - the web interface's front door: the request handler of
 * `roster serve`, its route table, the Host check, and the static files.
 *
 * Routes.  /api/... goes through the table below (method, path pattern,
 * handler in views.c, actions.c or auth.c); everything else is a static
 * file of share/web/.  A pattern's ":id" is a message id (any unique prefix
 * of 8 to 64 hex digits, resolved in the store), any other ":name" one path
 * segment.  Each request holds the serve loop's
 * store lock while it runs (the store and directory are shared with the
 * sync loop), except sign-in, whose password check is slow on purpose;
 * none talks to the hub meanwhile (n->offline: core stores and queues, and
 * the serve loop, woken when something was queued, sends).
 *
 * Host.  On loopback the Host header must name the loopback address and
 * port, so a DNS-rebinding site (evil.example resolving to 127.0.0.1)
 * cannot pose as the node.
 *
 * Static files.
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
#include "web_impl.h"

#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/store.h"
#include "jsonutil.h"
#include "share.h"
#include "webfile.h"

#define WEB_FILE_MAX (4u << 20)

const char web_security_headers[] =
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
	    web_security_headers);
}

/* Adds an "Name: value" line to the answer's headers (after the security
 * headers every answer has). */
void
web_header(struct http_resp *resp, const char *line)
{
	size_t used = strnlen(resp->extra_headers, sizeof(resp->extra_headers));

	assert(used + strlen(line) + 2 < sizeof(resp->extra_headers));
	snprintf(resp->extra_headers + used, sizeof(resp->extra_headers) - used, "%s\r\n",
	    line);
}

void
web_refuse_with(struct http_resp *resp, int status, const char *code, json_t *extra,
    const char *fmt, ...)
{
	va_list ap;
	char msg[1024];
	json_t *j;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	j = json_pack("{s:s%,s:s}", "error", msg, strnlen(msg, sizeof(msg)), "code", code);
	if (j != NULL && extra != NULL)
		json_object_update(j, extra);
	json_decref(extra);
	if (j == NULL)		/* not UTF-8 */
		http_resp_error(resp, status, "%s", msg);
	else
		http_resp_json(resp, status, j);
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

static void
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

/* ---- the context ------------------------------------------------------------ */

int
listen_is_loopback(const char *listen)
{
	const char *colon = strrchr(listen, ':');
	size_t n = colon ? (size_t)(colon - listen) : strlen(listen);

	return (n >= 4 && strncmp(listen, "127.", 4) == 0) ||
	    (n == 5 && strncmp(listen, "[::1]", 5) == 0) ||
	    (n == 9 && strncmp(listen, "localhost", 9) == 0);
}

struct web *
web_init(struct node *n, pthread_mutex_t *lock, const char *listen)
{
	uint8_t r[WS_TOKEN_LEN / 2];
	struct web *w;
	int count;

	if (store_accounts_schema(n) != 0 || (count = store_accounts_count(n)) < 0)
		return NULL;
	if (!listen_is_loopback(listen) && count == 0) {
		rs_seterr("--listen %s is beyond loopback, so the web interface needs sign-in: "
		    "create an account first with `roster user add NAME`", listen);
		return NULL;
	}
	w = xcalloc(1, sizeof(*w));
	w->loopback = listen_is_loopback(listen);
	w->n = n;
	w->lock = lock;
	w->sessions = ws_table_new();
	randombytes_buf(r, sizeof(r));
	sodium_bin2hex(w->local_csrf, sizeof(w->local_csrf), r, sizeof(r));
	if (ws_hash_password(w->dummy_hash, "no such account, no such password") != 0) {
		web_free(w);
		return NULL;
	}
	return w;
}

void
web_set_port(struct web *w, unsigned port)
{
	w->port = port;
}

void
web_set_wake(struct web *w, void (*wake)(void *), void *arg)
{
	pthread_mutex_lock(w->lock);
	w->wake = wake;
	w->wake_arg = arg;
	pthread_mutex_unlock(w->lock);
}

void
web_free(struct web *w)
{
	if (w == NULL)
		return;
	ws_table_free(w->sessions);
	sodium_memzero(w, sizeof(*w));
	free(w);
}

/* ---- routes ------------------------------------------------------------------ */

enum {
	R_PUBLIC = 1,		/* answered without sign-in */
	R_NOBODY = 2,		/* POST without a body */
};

static const struct route {
	const char *method;
	const char *path;
	int flags;
	route_fn fn;
} routes[] = {
	{ "GET", "/api/session", R_PUBLIC, view_session },
	{ "GET", "/api/countries", R_PUBLIC, view_countries },
	{ "GET", "/api/health", 0, view_health },
	{ "GET", "/api/inbox", 0, view_inbox },
	{ "GET", "/api/sent", 0, view_sent },
	{ "GET", "/api/messages/:id", 0, view_message },
	{ "GET", "/api/messages/:id/attachments/:n", 0, view_attachment },
	{ "GET", "/api/recipients", 0, view_recipients },
	{ "GET", "/api/templates", 0, view_templates },
	{ "GET", "/api/directory", 0, view_directory },
	{ "GET", "/api/trust", 0, view_trust },
	{ "GET", "/api/settings", 0, view_settings },
	{ "GET", "/api/events", 0, view_events },
	{ "GET", "/api/stats/responses", 0, view_stats },
	{ "GET", "/api/checks", 0, view_checks },
	{ "GET", "/api/checks/report", 0, view_checks_report },
	{ "GET", "/api/process", 0, view_process },
	{ "POST", "/api/session/logout", R_NOBODY, web_logout },
	{ "POST", "/api/send", 0, act_send },
	{ "POST", "/api/settings", 0, act_settings },
	{ "POST", "/api/messages/:id/ack", 0, act_ack },
	{ "POST", "/api/messages/:id/forward", 0, act_forward },
	{ "POST", "/api/messages/:id/consult", 0, act_consult },
	{ "POST", "/api/messages/:id/agree", 0, act_agree },
	{ "POST", "/api/checks", 0, act_check_start },
	{ "POST", "/api/checks/:check/answer", 0, act_check_answer },
	{ "POST", "/api/process/:matter/position", 0, act_position },
	{ "POST", "/api/process/:matter/withdraw", 0, act_withdraw },
};

/* Does path match pattern?  Fills c's id and param (into buf). */
static int
match(const char *pattern, const char *path, struct call *c, char *buf, size_t len)
{
	while (*pattern != '\0') {
		if (*pattern != ':') {
			if (*pattern++ != *path++)
				return 0;
			continue;
		}
		size_t plen = strcspn(pattern, "/"), slen = strcspn(path, "/");
		if (slen == 0)
			return 0;
		if (strncmp(pattern, ":id", plen) == 0 && plen == 3) {
			/* any unique prefix of 8 to 64 hex digits: resolved by
			 * dispatch, as the CLI resolves one */
			if (slen < 8 || slen > 64 || strspn(path, "0123456789abcdef") < slen)
				return 0;
			memcpy(c->idhex, path, slen);
			c->idhex[slen] = '\0';
		} else {
			if (slen >= len)
				slen = len - 1;		/* a handler refuses what is too long */
			memcpy(buf, path, slen);
			buf[slen] = '\0';
			c->param = buf;
		}
		pattern += plen;
		path += strcspn(path, "/");
	}
	return *path == '\0';
}

static const struct route *
route_of(const struct http_req *req, struct call *c, char *buf, size_t len)
{
	for (size_t i = 0; i < sizeof(routes) / sizeof(routes[0]); i++)
		if (strcmp(req->method, routes[i].method) == 0 &&
		    match(routes[i].path, req->path, c, buf, len))
			return &routes[i];
	return NULL;
}

/* On loopback the Host header must be the loopback address we serve. */
static int
host_ok(struct web *w, const struct http_req *req)
{
	const char *host = http_req_header(req, "Host");
	char a[64], b[64], c[64];

	if (!w->loopback)
		return 1;
	if (host == NULL)
		return 0;
	snprintf(a, sizeof(a), "127.0.0.1:%u", w->port);
	snprintf(b, sizeof(b), "localhost:%u", w->port);
	snprintf(c, sizeof(c), "[::1]:%u", w->port);
	return strcmp(host, a) == 0 || strcmp(host, b) == 0 || strcmp(host, c) == 0;
}

static json_t *
body_json(const struct http_req *req, struct http_resp *resp)
{
	json_t *j;

	if (req->body_len == 0) {
		web_refuse(resp, 400, "not-json", "the request needs a JSON object as its body");
		return NULL;
	}
	if ((j = jparse(req->body, req->body_len)) == NULL || !json_is_object(j)) {
		web_refuse(resp, 400, "not-json", "the body is not a JSON object: %s",
		    j ? "wrong type" : rs_err());
		json_decref(j);
		return NULL;
	}
	return j;
}

/* The path's message id, given as any unique prefix (the CLI prints 16
 * digits): 1, or 0 after answering 404 or 409. */
static int
resolve_id(struct web *w, struct call *c, struct http_resp *resp)
{
	int found = store_message_match(w->n, c->idhex, c->id);

	if (found == 1)
		return 1;
	if (found == 0)
		web_refuse(resp, 404, "no-such-message", "no message on this node has an id"
		    " starting with %s", c->idhex);
	else if (found > 1)
		web_refuse_with(resp, 409, "ambiguous-id", json_pack("{s:i}", "matches", found),
		    "%s is ambiguous: %d messages start with it; give more digits",
		    c->idhex, found);
	else
		http_resp_error(resp, 500, "cannot read the store: %s", rs_err());
	return 0;
}

/* Under the lock: who asks, then the route's checks and the route. */
static void
dispatch(struct web *w, const struct http_req *req, struct http_resp *resp, int *queued)
{
	const struct route *r;
	struct who who;
	struct call c;
	char param[128];
	int post = strcmp(req->method, "POST") == 0;

	memset(&c, 0, sizeof(c));
	c.w = w;
	c.req = req;
	c.who = &who;
	c.param = "";
	c.queued = queued;
	web_identify(w, req, &who, &c.required);
	r = route_of(req, &c, param, sizeof(param));
	if ((r == NULL || !(r->flags & R_PUBLIC)) && !who.ok) {
		web_refuse(resp, 401, "sign-in-needed", "sign in first");
		goto out;
	}
	if (post && !web_post_ok(req, &who, 1, resp))
		goto out;
	if (r == NULL) {
		if (post)
			http_resp_error(resp, 404, "no such action: POST %s", req->path);
		else
			http_resp_error(resp, 404, "no such resource: %s", req->path);
		goto out;
	}
	if (post && !(r->flags & R_NOBODY) && (c.body = body_json(req, resp)) == NULL)
		goto out;
	if (c.idhex[0] != '\0' && !resolve_id(w, &c, resp))
		goto out;
	r->fn(&c, resp);
out:
	json_decref(c.body);
	sodium_memzero(&who, sizeof(who));
}

void
web_handle(void *ctx, const struct http_req *req, struct http_resp *resp)
{
	struct web *w = ctx;

	web_headers(resp);
	if (!host_ok(w, req)) {
		http_resp_error(resp, 421, "this node answers only as 127.0.0.1:%u or "
		    "localhost:%u (Host header refused)", w->port, w->port);
		return;
	}
	if (strncmp(req->path, "/api/", 5) != 0) {
		web_static(req, resp);
		return;
	}
	if (strcmp(req->method, "POST") == 0 && strcmp(req->path, "/api/session/login") == 0) {
		struct who none = {0};
		if (web_post_ok(req, &none, 0, resp))
			web_login(w, req, resp);
		return;
	}
	if (strcmp(req->method, "GET") != 0 && strcmp(req->method, "POST") != 0) {
		http_resp_error(resp, 405, "method %s not allowed here", req->method);
		return;
	}
	/* No route talks to the hub under the lock: core stores and queues
	 * (n->offline), and the serve loop, woken, sends. */
	int queued = 0;
	void (*wake)(void *);
	void *arg;
	pthread_mutex_lock(w->lock);
	w->n->offline = 1;
	dispatch(w, req, resp, &queued);
	w->n->offline = 0;
	wake = w->wake;
	arg = w->wake_arg;
	pthread_mutex_unlock(w->lock);
	if (queued && wake != NULL)
		wake(arg);
}
