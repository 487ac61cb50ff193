/*
 * http_server.c - the HTTP server under rosterd and the node's local UI/API,
 * on libmicrohttpd.
 *
 * Design:
 *  - MHD runs its own threads: one epoll thread (MHD_USE_AUTO) or a pool of
 *    nthreads, each with its own event loop.  The handler is therefore called
 *    concurrently and must be thread-safe; rs_err is thread-local, so a
 *    handler may use it freely.
 *  - We bind exactly the address given ("127.0.0.1:0", "[::1]:8443"), never
 *    a wildcard by accident.  Only IPv6 addresses get MHD_USE_DUAL_STACK.
 *  - Signatures (httpsig.c) cover the request target exactly as the client
 *    sent it.  MHD splits the query off the URL and unescapes both, so we
 *    capture the raw target in MHD_OPTION_URI_LOG_CALLBACK, which sees the
 *    request line before parsing.  That callback also creates the
 *    per-request context; MHD_OPTION_NOTIFY_COMPLETED frees it, whatever way
 *    the request ended.
 *  - The body is accumulated in the per-request context up to max_body.  A
 *    Content-Length over the limit is answered 413 at once, before any body
 *    is read (MHD then discards the body and closes the connection); a
 *    chunked body that grows over the limit is discarded as it arrives and
 *    answered 413 at its end.  Either way the handler never runs and memory
 *    stays bounded.
 *  - Streamed routes (http_server_stream) take a method and path prefix
 *    whose bodies are not buffered: the route's begin runs on the headers
 *    (and may refuse at once), data on each piece MHD reads, end on the
 *    last; abort from the completion callback if the connection died first.
 *    Routes are published by an atomic count, so the lookup needs no lock.
 *    A response may also be a file (http_resp_fd), which MHD sends with
 *    sendfile where it can: a blob of any size is served without reading it
 *    into memory.
 *  - Every response carries "Cache-Control: no-store": everything roster
 *    serves is either signed state that changes or private to a State.
 *  - Long polling without a thread per waiter: a handler may "park" a
 *    request (struct http_resp's park_until and park_key).  The connection
 *    is then suspended (MHD_suspend_connection: MHD stops watching it, no
 *    thread is held) and put on a list; http_server_wake(key) or the
 *    deadline (one small timer thread) resumes it, and MHD calls the
 *    handler again with req->woken set.  Parking and waking take one
 *    mutex, and the suspend happens under it, so a wake never meets a
 *    connection half parked.  A wake counter closes the other race: a
 *    handler that found nothing, while a wake happened between its look
 *    and its park, runs again at once rather than sleeping through it.
 *    Stopping resumes every parked request first (their handlers answer
 *    as filled) and waits until those answers have gone out, as MHD must
 *    not stop with suspended connections.
 *  - Hostile clients (docs/protocol.md section 9, struct http_limits).  Every
 *    connection is recorded when it opens (MHD_OPTION_NOTIFY_CONNECTION),
 *    with its client's address: one beyond its address's limit is shut
 *    down there and then.  (MHD's own per-IP limit is kept per worker
 *    thread of its pool, so it is not one limit.)  MHD's idle timeout does
 *    not stop a client that sends a byte every few
 *    seconds and never finishes its headers, so each record has a deadline
 *    for its headers, cleared when the access handler first runs (all the
 *    headers are in) and set again when a request is answered (the next
 *    one's headers must come in time too); a sweeper thread shuts down the
 *    socket of any connection past its deadline, and MHD then closes it.
 *    The sweeper holds the list's lock while it shuts a socket down, and
 *    MHD's close notification takes that lock before MHD closes the
 *    descriptor, so a descriptor is never shut after it was reused.  A
 *    request target or headers too long are answered here in JSON (414,
 *    431), within a per-connection pool large enough that MHD's own HTML
 *    answers only meet requests beyond it.
 *  - Start-up errors (address in use, permission denied) come from MHD's
 *    logger; we capture them in the starting thread and turn them into an
 *    rs_err sentence.  Run-time MHD messages (clients resetting connections
 *    and the like) are dropped: they are noise for an operator.
 */
#include "http.h"

#include <arpa/inet.h>
#include <assert.h>
#include <limits.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <microhttpd.h>

#define CONN_TIMEOUT_S	60	/* idle connections are closed after this */
#define MAX_STREAMS	8

struct stream_route {
	char method[16];
	char prefix[64];
	const struct http_stream_ops *ops;
	void *ctx;
};

#define PARK_MAX	4000	/* parked requests at once; more answer at once */
#define SWEEP_MS	250	/* how often header deadlines are looked at */
#define CONN_LIMIT	4096	/* connections at once (MHD's default is 1020) */
#define STOP_WAIT_MS	5000	/* how long stopping waits for woken requests */

struct reqctx;

/* One open connection, for its header deadline and its address's count
 * (under conn_mu). */
struct conn_rec {
	int fd;
	uint8_t addr[16];	/* the client's address (IPv4 in the last 4) */
	int over;		/* beyond its address's limit: shut down */
	int waiting;		/* its request's headers are not all in */
	int64_t deadline;	/* ms: shut down when still waiting then */
	struct conn_rec *next, *prev;
};

struct http_server {
	struct MHD_Daemon *d;
	http_handler h;
	void *ctx;
	size_t max_body;
	uint16_t port;
	struct stream_route streams[MAX_STREAMS];
	int nstreams;			/* published with release semantics */

	/* Parked requests (long polling). */
	pthread_mutex_t park_mu;
	pthread_cond_t park_cv;		/* timer thread; stop waiting */
	pthread_t park_th;
	int park_th_running;
	struct reqctx *parked;		/* doubly linked */
	size_t nparked;
	size_t nresuming;		/* resumed, not yet parked again or ended */
	uint64_t wake_seq;
	int stopping;

	struct http_limits lim;
	/* Open connections and their header deadlines. */
	pthread_mutex_t conn_mu;
	pthread_cond_t conn_cv;
	pthread_t sweep_th;
	int sweep_running, sweep_stop;
	struct conn_rec *conns;
};

/* Per-request state, created by the URI log callback. */
struct reqctx {
	char *target;		/* raw request target, as sent */
	struct buf body;
	int started;		/* access handler has seen the headers */
	int too_large;		/* body passed max_body: discard and 413 */
	int refused;		/* answered before the body (1; 2: failed) */
	const struct stream_route *sr;	/* a streamed request's route */
	void *st;		/* its state, until end or abort */
	/* parking */
	struct MHD_Connection *conn;
	struct reqctx *pnext, *pprev;
	int parked;		/* on the list (under park_mu) */
	int resumed;		/* resumed, not parked again nor ended (park_mu) */
	int woken;
	uint8_t key[32];
	int64_t until;
	int64_t since_ms;
};

/* ---- start-up error capture ------------------------------------------ */

static _Thread_local int log_capture;
static _Thread_local char log_first[256];

static void
mhd_logger(void *cls, const char *fmt, va_list ap)
{
	size_t n;

	if (!log_capture || log_first[0] != '\0' ||
	    strncmp(fmt, "Warning", 7) == 0)
		return;
	vsnprintf(log_first, sizeof(log_first), fmt, ap);
	n = strlen(log_first);
	while (n > 0 && (log_first[n - 1] == '\n' || log_first[n - 1] == '\r' ||
	    log_first[n - 1] == '.'))
		log_first[--n] = '\0';
}

/* MHD's first start-up complaint, without its "Failed to bind to port 0"
 * prefix (it names the port argument, which we do not use). */
static const char *
startup_reason(void)
{
	const char *colon;

	if (log_first[0] == '\0')
		return "the HTTP server failed to start";
	if (strncmp(log_first, "Failed to bind", 14) == 0 &&
	    (colon = strstr(log_first, ": ")) != NULL && colon[2] != '\0')
		return colon + 2;
	return log_first;
}

/* ---- responses ------------------------------------------------------- */

static char *
vformat(const char *fmt, va_list ap)
{
	va_list aq;
	int n;
	char *s;

	va_copy(aq, ap);
	n = vsnprintf(NULL, 0, fmt, aq);
	va_end(aq);
	if (n < 0)
		return xstrdup("(unprintable error message)");
	s = xmalloc((size_t)n + 1);
	vsnprintf(s, (size_t)n + 1, fmt, ap);
	return s;
}

static void
resp_reset(struct http_resp *resp, int status)
{
	if (resp->use_fd)
		close(resp->fd);
	resp->use_fd = 0;
	resp->fd = -1;
	buf_free(&resp->body);
	resp->status = status;
	resp->content_type = "application/json";
}

void
http_resp_json(struct http_resp *resp, int status, json_t *obj)
{
	char *s = obj != NULL ? json_dumps(obj, JSON_COMPACT) : NULL;

	json_decref(obj);
	if (s == NULL) {
		http_resp_error(resp, 500, "internal error: cannot encode the "
		    "response as JSON");
		return;
	}
	resp_reset(resp, status);
	buf_addstr(&resp->body, s);
	free(s);
}

/* Replaces bytes that would make the string invalid UTF-8 for jansson. */
static json_t *
json_string_lossy(char *s)
{
	json_t *j = json_string(s);

	if (j != NULL)
		return j;
	for (char *p = s; *p; p++)
		if ((unsigned char)*p >= 0x80 || (unsigned char)*p < 0x20)
			*p = '?';
	return json_string(s);
}

void
http_resp_error(struct http_resp *resp, int status, const char *fmt, ...)
{
	va_list ap;
	char *msg, *s = NULL;
	json_t *o = json_object(), *m;

	va_start(ap, fmt);
	msg = vformat(fmt, ap);
	va_end(ap);
	m = json_string_lossy(msg);
	free(msg);
	if (o != NULL && m != NULL && json_object_set_new(o, "error", m) == 0) {
		m = NULL;
		s = json_dumps(o, JSON_COMPACT);
	}
	json_decref(m);
	json_decref(o);
	resp_reset(resp, status);
	buf_addstr(&resp->body, s != NULL ? s :
	    "{\"error\":\"internal error: cannot encode an error\"}");
	free(s);
}

void
http_resp_fd(struct http_resp *resp, int status, const char *content_type,
    int fd, uint64_t len)
{
	resp_reset(resp, status);
	resp->content_type = content_type;
	resp->use_fd = 1;
	resp->fd = fd;
	resp->fd_len = len;
}

static int
is_tchar(unsigned char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
	    (c >= 'A' && c <= 'Z') || (c != '\0' && strchr("!#$%&'*+-.^_`|~",
	    c) != NULL);
}

/* Adds one "Name: value" line (len bytes, no CR/LF inside). */
static int
add_header_line(struct MHD_Response *r, const char *line, size_t len)
{
	char name[128], value[512];
	size_t n = 0, v;

	while (n < len && is_tchar((unsigned char)line[n]))
		n++;
	if (n == 0 || n >= sizeof(name) || n >= len || line[n] != ':')
		return -1;
	v = n + 1;
	while (v < len && (line[v] == ' ' || line[v] == '\t'))
		v++;
	if (len - v >= sizeof(value))
		return -1;
	memcpy(name, line, n);
	name[n] = '\0';
	memcpy(value, line + v, len - v);
	value[len - v] = '\0';
	for (size_t i = 0; value[i]; i++)
		if ((unsigned char)value[i] < 0x20 && value[i] != '\t')
			return -1;
	return MHD_add_response_header(r, name, value) == MHD_YES ? 0 : -1;
}

/* extra_headers: "Name: value\r\n" lines; a bare "\n" also ends a line. */
static int
add_extra_headers(struct MHD_Response *r, const char *eh, size_t max)
{
	size_t len = strnlen(eh, max), i = 0;

	while (i < len) {
		size_t e = i;
		while (e < len && eh[e] != '\r' && eh[e] != '\n')
			e++;
		if (e > i && add_header_line(r, eh + i, e - i) != 0)
			return -1;
		i = e;
		if (i < len && eh[i] == '\r')
			i++;
		if (i < len && eh[i] == '\n')
			i++;
	}
	return 0;
}

static struct MHD_Response *
build_response(struct http_resp *resp)
{
	struct MHD_Response *r;
	const char *ct = resp->content_type != NULL ? resp->content_type :
	    "application/json";

	if (resp->use_fd) {
		r = MHD_create_response_from_fd64(resp->fd_len, resp->fd);
		if (r == NULL)
			close(resp->fd);
		resp->use_fd = 0;	/* MHD owns the fd now, or it is closed */
		resp->fd = -1;
	} else if (resp->body.len == 0) {
		r = MHD_create_response_from_buffer(0, (void *)"",
		    MHD_RESPMEM_PERSISTENT);
	} else {
		r = MHD_create_response_from_buffer_with_free_callback(
		    resp->body.len, resp->body.p, free);
		if (r != NULL) {
			resp->body.p = NULL;	/* MHD owns it now */
			resp->body.len = resp->body.cap = 0;
		}
	}
	if (r == NULL)
		return NULL;
	if (MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, ct) !=
	    MHD_YES || MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL,
	    "no-store") != MHD_YES || add_extra_headers(r, resp->extra_headers,
	    sizeof(resp->extra_headers)) != 0) {
		MHD_destroy_response(r);
		return NULL;
	}
	return r;
}

static enum MHD_Result
queue_fallback(struct MHD_Connection *conn)
{
	static const char body[] =
	    "{\"error\":\"internal error: cannot build the response\"}";
	struct MHD_Response *r;
	enum MHD_Result ret;

	r = MHD_create_response_from_buffer(sizeof(body) - 1, (void *)body,
	    MHD_RESPMEM_PERSISTENT);
	if (r == NULL)
		return MHD_NO;
	if (MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE,
	    "application/json") != MHD_YES ||
	    MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL,
	    "no-store") != MHD_YES) {
		MHD_destroy_response(r);
		return MHD_NO;
	}
	ret = MHD_queue_response(conn, MHD_HTTP_INTERNAL_SERVER_ERROR, r);
	MHD_destroy_response(r);
	return ret;
}

/* Queues resp (consuming its body) or, failing that, a plain 500. */
static enum MHD_Result
queue_resp(struct MHD_Connection *conn, struct http_resp *resp)
{
	struct MHD_Response *r;
	enum MHD_Result ret;

	if (resp->status < 100 || resp->status > 599)
		http_resp_error(resp, 500, "internal error: the handler gave "
		    "no valid status (%d)", resp->status);
	r = build_response(resp);
	buf_free(&resp->body);
	if (r == NULL)
		return queue_fallback(conn);
	ret = MHD_queue_response(conn, (unsigned)resp->status, r);
	MHD_destroy_response(r);
	return ret;
}

/* An answer the server makes itself, with the headers every answer of
 * this server carries (http_limits.headers). */
static void
own_answer(const struct http_server *s, struct http_resp *resp)
{
	memset(resp, 0, sizeof(*resp));
	if (s->lim.headers != NULL) {
		assert(strlen(s->lim.headers) < sizeof(resp->extra_headers));
		snprintf(resp->extra_headers, sizeof(resp->extra_headers), "%s",
		    s->lim.headers);
	}
}

static enum MHD_Result
queue_too_large(struct http_server *s, struct MHD_Connection *conn)
{
	struct http_resp resp;

	own_answer(s, &resp);
	http_resp_error(&resp, 413, "request body too large (limit %zu bytes)",
	    s->max_body);
	return queue_resp(conn, &resp);
}

/* ---- parking ---------------------------------------------------------- */

enum { PARK_DONE, PARK_REFUSED, PARK_RACED };

static void
park_unlink(struct http_server *s, struct reqctx *rc)
{
	if (rc->pprev != NULL)
		rc->pprev->pnext = rc->pnext;
	else
		s->parked = rc->pnext;
	if (rc->pnext != NULL)
		rc->pnext->pprev = rc->pprev;
	rc->pnext = rc->pprev = NULL;
	rc->parked = 0;
	s->nparked--;
}

/* Under park_mu. */
static void
park_resume(struct http_server *s, struct reqctx *rc)
{
	park_unlink(s, rc);
	rc->resumed = 1;
	s->nresuming++;
	MHD_resume_connection(rc->conn);
}

static void
abs_time(struct timespec *ts, int64_t ms)
{
	ts->tv_sec = (time_t)(ms / 1000);
	ts->tv_nsec = (long)(ms % 1000) * 1000000L;
}

/* The timer: resumes requests whose deadline passed; at stop, all. */
static void *
park_timer(void *arg)
{
	struct http_server *s = arg;
	struct reqctx *rc, *next;
	struct timespec ts;
	int64_t now, wake;

	pthread_mutex_lock(&s->park_mu);
	while (!s->stopping) {
		now = now_ms();
		wake = now + 1000;
		for (rc = s->parked; rc != NULL; rc = next) {
			next = rc->pnext;
			if (rc->until <= now)
				park_resume(s, rc);
			else if (rc->until < wake)
				wake = rc->until;
		}
		abs_time(&ts, wake);
		pthread_cond_timedwait(&s->park_cv, &s->park_mu, &ts);
	}
	while (s->parked != NULL)
		park_resume(s, s->parked);
	pthread_mutex_unlock(&s->park_mu);
	return NULL;
}

/* Requests parked under key (under park_mu). */
static unsigned
parked_under(struct http_server *s, const uint8_t key[32])
{
	unsigned n = 0;

	for (struct reqctx *rc = s->parked; rc != NULL; rc = rc->pnext)
		n += memcmp(rc->key, key, 32) == 0;
	return n;
}

/* Parks rc until resp->park_until or a wake of resp->park_key.  seq is the
 * wake counter before the handler looked. */
static int
park(struct http_server *s, struct MHD_Connection *conn, struct reqctx *rc,
    const struct http_resp *resp, uint64_t seq)
{
	pthread_mutex_lock(&s->park_mu);
	if (s->stopping || s->nparked >= PARK_MAX ||
	    (s->lim.parks_per_key > 0 &&
	    parked_under(s, resp->park_key) >= s->lim.parks_per_key)) {
		pthread_mutex_unlock(&s->park_mu);
		return PARK_REFUSED;
	}
	if (s->wake_seq != seq) {
		pthread_mutex_unlock(&s->park_mu);
		return PARK_RACED;
	}
	if (!s->park_th_running) {
		if (pthread_create(&s->park_th, NULL, park_timer, s) != 0) {
			pthread_mutex_unlock(&s->park_mu);
			return PARK_REFUSED;
		}
		s->park_th_running = 1;
	}
	if (rc->resumed) {
		rc->resumed = 0;
		s->nresuming--;
	}
	rc->conn = conn;
	memcpy(rc->key, resp->park_key, 32);
	rc->until = resp->park_until;
	rc->pprev = NULL;
	rc->pnext = s->parked;
	if (s->parked != NULL)
		s->parked->pprev = rc;
	s->parked = rc;
	rc->parked = 1;
	s->nparked++;
	MHD_suspend_connection(conn);
	pthread_cond_signal(&s->park_cv);	/* a nearer deadline, maybe */
	pthread_mutex_unlock(&s->park_mu);
	return PARK_DONE;
}

/* The handler runs again.  The request stays "resuming" until it parks
 * again or ends (park_forget), so stopping waits for its answer to go. */
static void
park_rerun(struct http_server *s, struct reqctx *rc)
{
	pthread_mutex_lock(&s->park_mu);
	if (rc->resumed)
		rc->woken = 1;
	pthread_mutex_unlock(&s->park_mu);
}

/* The request ended (perhaps its client left while it was parked). */
static void
park_forget(struct http_server *s, struct reqctx *rc)
{
	pthread_mutex_lock(&s->park_mu);
	if (rc->parked)
		park_unlink(s, rc);
	if (rc->resumed) {
		rc->resumed = 0;
		s->nresuming--;
		pthread_cond_broadcast(&s->park_cv);
	}
	pthread_mutex_unlock(&s->park_mu);
}

static int
key_cmp(const void *a, const void *b)
{
	return memcmp(a, b, 32);
}

void
http_server_wake(struct http_server *s, const uint8_t (*keys)[32], size_t n)
{
	uint8_t (*sorted)[32];
	struct reqctx *rc, *next;

	if (s == NULL)
		return;
	sorted = xcalloc(n > 0 ? n : 1, 32);
	if (n > 0)
		memcpy(sorted, keys, n * 32);
	qsort(sorted, n, 32, key_cmp);
	pthread_mutex_lock(&s->park_mu);
	s->wake_seq++;
	for (rc = s->parked; rc != NULL; rc = next) {
		next = rc->pnext;
		if (n > 0 && bsearch(rc->key, sorted, n, 32, key_cmp) != NULL)
			park_resume(s, rc);
	}
	pthread_mutex_unlock(&s->park_mu);
	free(sorted);
}

void
http_server_wake_all(struct http_server *s)
{
	struct reqctx *rc, *next;

	if (s == NULL)
		return;
	pthread_mutex_lock(&s->park_mu);
	s->wake_seq++;
	for (rc = s->parked; rc != NULL; rc = next) {
		next = rc->pnext;
		park_resume(s, rc);
	}
	pthread_mutex_unlock(&s->park_mu);
}

size_t
http_server_parked(struct http_server *s)
{
	size_t n;

	if (s == NULL)
		return 0;
	pthread_mutex_lock(&s->park_mu);
	n = s->nparked;
	pthread_mutex_unlock(&s->park_mu);
	return n;
}

/* Before MHD stops: no request may stay suspended.  Resumes them all
 * (handlers may no longer park) and waits a while for them to be answered. */
static void
park_stop(struct http_server *s)
{
	struct timespec ts;
	int64_t end = now_ms() + STOP_WAIT_MS;
	int running;

	pthread_mutex_lock(&s->park_mu);
	s->stopping = 1;
	pthread_cond_broadcast(&s->park_cv);
	running = s->park_th_running;
	pthread_mutex_unlock(&s->park_mu);
	if (running)
		pthread_join(s->park_th, NULL);
	pthread_mutex_lock(&s->park_mu);
	while (s->parked != NULL)
		park_resume(s, s->parked);
	while (s->nresuming > 0 && now_ms() < end) {
		abs_time(&ts, now_ms() + 100);
		pthread_cond_timedwait(&s->park_cv, &s->park_mu, &ts);
	}
	pthread_mutex_unlock(&s->park_mu);
}

/* ---- header deadlines -------------------------------------------------- */

/* The client's address as 16 bytes, IPv4 (and IPv4-mapped IPv6) alike. */
static void
client_address(struct MHD_Connection *conn, uint8_t out[16])
{
	const union MHD_ConnectionInfo *ci =
	    MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	const struct sockaddr *sa = ci != NULL ? ci->client_addr : NULL;

	memset(out, 0, 16);
	if (sa != NULL && sa->sa_family == AF_INET)
		memcpy(out + 12, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, 4);
	else if (sa != NULL && sa->sa_family == AF_INET6) {
		memcpy(out, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr, 16);
		if (memcmp(out, "\0\0\0\0\0\0\0\0\0\0\xff\xff", 12) == 0)
			memset(out, 0, 12);
	}
}

static void
on_connection(void *cls, struct MHD_Connection *conn, void **socket_context,
    enum MHD_ConnectionNotificationCode code)
{
	struct http_server *s = cls;
	const union MHD_ConnectionInfo *ci;
	struct conn_rec *r;
	unsigned same = 0;

	if (code == MHD_CONNECTION_NOTIFY_STARTED) {
		ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
		r = xcalloc(1, sizeof(*r));
		r->fd = ci != NULL ? ci->connect_fd : -1;
		client_address(conn, r->addr);
		r->waiting = s->lim.header_timeout_s > 0;
		r->deadline = now_ms() + (int64_t)s->lim.header_timeout_s * 1000;
		pthread_mutex_lock(&s->conn_mu);
		for (struct conn_rec *o = s->conns; o != NULL; o = o->next)
			same += !o->over && memcmp(o->addr, r->addr, 16) == 0;
		if (s->lim.per_address > 0 && same >= s->lim.per_address &&
		    r->fd >= 0) {
			r->over = 1;
			r->waiting = 0;
			shutdown(r->fd, SHUT_RDWR);
		}
		r->next = s->conns;
		if (s->conns != NULL)
			s->conns->prev = r;
		s->conns = r;
		pthread_mutex_unlock(&s->conn_mu);
		*socket_context = r;
		return;
	}
	/* Closed: MHD closes the descriptor after this returns. */
	if ((r = *socket_context) == NULL)
		return;
	pthread_mutex_lock(&s->conn_mu);
	if (r->prev != NULL)
		r->prev->next = r->next;
	else
		s->conns = r->next;
	if (r->next != NULL)
		r->next->prev = r->prev;
	pthread_mutex_unlock(&s->conn_mu);
	free(r);
	*socket_context = NULL;
}

/* The connection's current request has all its headers in (waiting 0), or
 * was answered and the next one's must come in time (waiting 1). */
static void
conn_waiting(struct http_server *s, struct MHD_Connection *conn, int waiting)
{
	const union MHD_ConnectionInfo *ci;
	struct conn_rec *r;

	if (s->lim.header_timeout_s == 0 ||
	    (ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT)) == NULL ||
	    (r = ci->socket_context) == NULL)
		return;
	pthread_mutex_lock(&s->conn_mu);
	r->waiting = waiting;
	r->deadline = now_ms() + (int64_t)s->lim.header_timeout_s * 1000;
	pthread_mutex_unlock(&s->conn_mu);
}

static void *
sweeper(void *arg)
{
	struct http_server *s = arg;
	struct timespec ts;
	int64_t now;

	pthread_mutex_lock(&s->conn_mu);
	while (!s->sweep_stop) {
		now = now_ms();
		for (struct conn_rec *r = s->conns; r != NULL; r = r->next)
			if (r->waiting && r->deadline <= now && r->fd >= 0) {
				shutdown(r->fd, SHUT_RDWR);
				r->waiting = 0;		/* once */
			}
		abs_time(&ts, now + SWEEP_MS);
		pthread_cond_timedwait(&s->conn_cv, &s->conn_mu, &ts);
	}
	pthread_mutex_unlock(&s->conn_mu);
	return NULL;
}

/* ---- request handling ------------------------------------------------ */

static void *
on_uri(void *cls, const char *uri, struct MHD_Connection *conn)
{
	struct reqctx *rc = xcalloc(1, sizeof(*rc));

	rc->target = xstrdup(uri != NULL ? uri : "");
	return rc;
}

static void
on_completed(void *cls, struct MHD_Connection *conn, void **req_cls,
    enum MHD_RequestTerminationCode toe)
{
	struct http_server *s = cls;
	struct reqctx *rc = *req_cls;

	if (rc == NULL)
		return;
	if (rc->sr != NULL && rc->st != NULL)
		rc->sr->ops->abort(rc->st);
	park_forget(s, rc);
	conn_waiting(s, conn, 1);
	free(rc->target);
	buf_free(&rc->body);
	free(rc);
	*req_cls = NULL;
}

/* 1 when the request announces a body larger than max. */
static int
announced_too_large(struct MHD_Connection *conn, size_t max)
{
	const char *cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
	    MHD_HTTP_HEADER_CONTENT_LENGTH);
	unsigned long long v = 0;

	if (cl == NULL)
		return 0;
	for (; *cl == ' ' || *cl == '\t'; cl++)
		;
	for (; *cl >= '0' && *cl <= '9'; cl++) {
		if (v > (unsigned long long)max || v > (ULLONG_MAX - 9) / 10)
			return 1;
		v = v * 10 + (unsigned long long)(*cl - '0');
	}
	return v > (unsigned long long)max;
}

static void
take_upload(struct http_server *s, struct reqctx *rc, const char *data,
    size_t n)
{
	if (rc->too_large)
		return;
	if (n > s->max_body - rc->body.len) {
		rc->too_large = 1;
		buf_free(&rc->body);
		return;
	}
	buf_add(&rc->body, data, n);
}

static void
fill_req(struct http_req *req, struct MHD_Connection *conn, const char *url,
    const char *method, struct reqctx *rc)
{
	memset(req, 0, sizeof(*req));
	req->method = method;
	req->path = url;
	req->target = rc->target;
	req->conn = conn;
}

static enum MHD_Result
dispatch(struct http_server *s, struct MHD_Connection *conn, const char *url,
    const char *method, struct reqctx *rc)
{
	struct http_req req;
	struct http_resp resp;
	uint64_t seq;
	int r;

	if (rc->since_ms == 0)
		rc->since_ms = now_ms();
	for (;;) {
		fill_req(&req, conn, url, method, rc);
		memset(&resp, 0, sizeof(resp));
		req.body = (const uint8_t *)buf_cstr(&rc->body);
		req.body_len = rc->body.len;
		req.woken = rc->woken;
		req.park_key = rc->woken ? rc->key : NULL;
		req.since_ms = rc->since_ms;
		resp.content_type = "application/json";
		pthread_mutex_lock(&s->park_mu);
		seq = s->wake_seq;
		pthread_mutex_unlock(&s->park_mu);
		s->h(s->ctx, &req, &resp);
		if (resp.park_until <= now_ms() ||
		    (r = park(s, conn, rc, &resp, seq)) == PARK_REFUSED)
			return queue_resp(conn, &resp);
		buf_free(&resp.body);
		if (r == PARK_DONE)
			return MHD_YES;
		rc->woken = 1;		/* PARK_RACED: look again now */
		memcpy(rc->key, resp.park_key, 32);
	}
}

static const struct stream_route *
find_stream(struct http_server *s, const char *url, const char *method)
{
	int n = __atomic_load_n(&s->nstreams, __ATOMIC_ACQUIRE);

	for (int i = 0; i < n; i++) {
		const struct stream_route *r = &s->streams[i];
		if (strcmp(method, r->method) == 0 &&
		    strncmp(url, r->prefix, strlen(r->prefix)) == 0)
			return r;
	}
	return NULL;
}

/* A streamed request: begin on the headers, data per piece, end last. */
static enum MHD_Result
on_stream(struct MHD_Connection *conn, const char *url, const char *method,
    const char *upload_data, size_t *upload_data_size, struct reqctx *rc,
    int first)
{
	const struct stream_route *r = rc->sr;
	struct http_req req;
	struct http_resp resp;

	memset(&resp, 0, sizeof(resp));
	resp.content_type = "application/json";
	fill_req(&req, conn, url, method, rc);
	if (first) {
		rc->st = r->ops->begin(r->ctx, &req, &resp);
		if (rc->st == NULL)
			return queue_resp(conn, &resp);
		return MHD_YES;
	}
	if (rc->st == NULL) {		/* refused: drop the rest */
		if (*upload_data_size == 0)
			return MHD_NO;
		*upload_data_size = 0;
		return MHD_YES;
	}
	if (*upload_data_size > 0) {
		r->ops->data(rc->st, upload_data, *upload_data_size);
		*upload_data_size = 0;
		return MHD_YES;
	}
	r->ops->end(rc->st, &req, &resp);
	rc->st = NULL;
	return queue_resp(conn, &resp);
}

static enum MHD_Result
count_header(void *cls, enum MHD_ValueKind kind, const char *key,
    const char *value)
{
	size_t *n = cls;

	*n += strlen(key) + (value != NULL ? strlen(value) : 0) + 4;
	return MHD_YES;
}

/* A request target or headers larger than we take: answered (414, 431)
 * with the body discarded; 1 when it was. */
static int
head_too_large(struct http_server *s, struct MHD_Connection *conn,
    struct reqctx *rc)
{
	struct http_resp resp;
	size_t n = 0;

	own_answer(s, &resp);
	MHD_get_connection_values(conn, MHD_HEADER_KIND, count_header, &n);
	if (strlen(rc->target) > HTTP_MAX_TARGET)
		http_resp_error(&resp, 414, "request target of %zu bytes is too long "
		    "(at most %d)", strlen(rc->target), HTTP_MAX_TARGET);
	else if (n > HTTP_MAX_HEADERS)
		http_resp_error(&resp, 431, "request headers of %zu bytes are too "
		    "large (at most %d)", n, HTTP_MAX_HEADERS);
	else
		return 0;
	rc->refused = 1;
	if (queue_resp(conn, &resp) != MHD_YES)
		rc->refused = 2;
	return 1;
}

static enum MHD_Result
on_request(void *cls, struct MHD_Connection *conn, const char *url,
    const char *method, const char *version, const char *upload_data,
    size_t *upload_data_size, void **req_cls)
{
	struct http_server *s = cls;
	struct reqctx *rc = *req_cls;

	if (rc == NULL) {	/* URI callback always runs; be safe anyway */
		rc = on_uri(s, url, conn);
		*req_cls = rc;
	}
	if (rc->refused) {		/* answered already: drop the rest */
		*upload_data_size = 0;
		return rc->refused == 1 ? MHD_YES : MHD_NO;
	}
	if (rc->sr != NULL)
		return on_stream(conn, url != NULL ? url : "", method,
		    upload_data, upload_data_size, rc, 0);
	if (!rc->started) {
		rc->started = 1;
		conn_waiting(s, conn, 0);
		if (head_too_large(s, conn, rc))
			return MHD_YES;
		if ((rc->sr = find_stream(s, url != NULL ? url : "", method)) != NULL)
			return on_stream(conn, url, method, upload_data,
			    upload_data_size, rc, 1);
		if (announced_too_large(conn, s->max_body))
			return queue_too_large(s, conn);
		if (*upload_data_size == 0)
			return MHD_YES;
	}
	if (*upload_data_size > 0) {
		take_upload(s, rc, upload_data, *upload_data_size);
		*upload_data_size = 0;
		return MHD_YES;
	}
	if (rc->too_large)
		return queue_too_large(s, conn);
	park_rerun(s, rc);
	return dispatch(s, conn, url != NULL ? url : "", method, rc);
}

/* ---- listen address -------------------------------------------------- */

static int
parse_port(const char *p, uint16_t *port)
{
	unsigned long v = 0;
	size_t n = 0;

	for (; p[n] >= '0' && p[n] <= '9'; n++) {
		v = v * 10 + (unsigned long)(p[n] - '0');
		if (n >= 5 || v > 65535)
			return -1;
	}
	if (n == 0 || p[n] != '\0')
		return -1;
	*port = (uint16_t)v;
	return 0;
}

/* "ADDR:PORT" or "[V6ADDR]:PORT", numeric addresses only. */
static int
parse_listen(const char *listen, struct sockaddr_storage *ss, int *v6)
{
	char host[INET6_ADDRSTRLEN + 1];
	const char *colon, *hs = listen;
	size_t hlen;
	uint16_t port;

	memset(ss, 0, sizeof(*ss));
	if (listen == NULL)
		return -1;
	if (listen[0] == '[') {
		const char *rb = strchr(listen, ']');
		if (rb == NULL || rb[1] != ':')
			return -1;
		hs = listen + 1;
		hlen = (size_t)(rb - hs);
		colon = rb + 1;
		*v6 = 1;
	} else {
		colon = strrchr(listen, ':');
		if (colon == NULL)
			return -1;
		hlen = (size_t)(colon - listen);
		*v6 = 0;
	}
	if (hlen == 0 || hlen >= sizeof(host) || parse_port(colon + 1, &port))
		return -1;
	memcpy(host, hs, hlen);
	host[hlen] = '\0';
	if (*v6) {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)ss;
		a->sin6_family = AF_INET6;
		a->sin6_port = htons(port);
		return inet_pton(AF_INET6, host, &a->sin6_addr) == 1 ? 0 : -1;
	}
	struct sockaddr_in *a = (struct sockaddr_in *)ss;
	a->sin_family = AF_INET;
	a->sin_port = htons(port);
	return inet_pton(AF_INET, host, &a->sin_addr) == 1 ? 0 : -1;
}

/* ---- server ---------------------------------------------------------- */

static void
server_free(struct http_server *s)
{
	pthread_mutex_destroy(&s->park_mu);
	pthread_cond_destroy(&s->park_cv);
	pthread_mutex_destroy(&s->conn_mu);
	pthread_cond_destroy(&s->conn_cv);
	free(s);
}

static void
sweeper_stop(struct http_server *s)
{
	if (!s->sweep_running)
		return;
	pthread_mutex_lock(&s->conn_mu);
	s->sweep_stop = 1;
	pthread_cond_signal(&s->conn_cv);
	pthread_mutex_unlock(&s->conn_mu);
	pthread_join(s->sweep_th, NULL);
	s->sweep_running = 0;
}

struct http_server *
http_server_start(const char *listen, size_t max_body, unsigned nthreads,
    http_handler h, void *ctx)
{
	return http_server_start_tls(listen, max_body, nthreads, h, ctx, NULL, NULL);
}

struct http_server *
http_server_start_tls(const char *listen, size_t max_body, unsigned nthreads,
    http_handler h, void *ctx, const char *cert_pem, const char *key_pem)
{
	return http_server_start_limited(listen, max_body, nthreads, h, ctx,
	    cert_pem, key_pem, NULL);
}

struct http_server *
http_server_start_limited(const char *listen, size_t max_body, unsigned nthreads,
    http_handler h, void *ctx, const char *cert_pem, const char *key_pem,
    const struct http_limits *lim)
{
	struct sockaddr_storage ss;
	struct http_server *s;
	const union MHD_DaemonInfo *info;
	unsigned flags = MHD_USE_AUTO | MHD_USE_INTERNAL_POLLING_THREAD |
	    MHD_USE_ERROR_LOG | MHD_ALLOW_SUSPEND_RESUME;
	struct MHD_OptionItem pool[8];
	size_t nopt = 0;
	int v6 = 0;

	for (size_t i = 0; i < sizeof(pool) / sizeof(pool[0]); i++)
		pool[i] = (struct MHD_OptionItem){ MHD_OPTION_END, 0, NULL };

	if (h == NULL) {
		rs_seterr("no request handler given");
		return NULL;
	}
	if (parse_listen(listen, &ss, &v6) != 0) {
		rs_seterr("invalid listen address \"%s\": expected IP:PORT, "
		    "such as 127.0.0.1:8443 or [::1]:8443", listen ? listen : "");
		return NULL;
	}
	if (v6)
		flags |= MHD_USE_DUAL_STACK;
	if ((cert_pem == NULL) != (key_pem == NULL)) {
		rs_seterr("TLS needs both a certificate and its private key");
		return NULL;
	}
	if (nthreads > 1) {	/* MHD warns about a pool of one */
		pool[nopt].option = MHD_OPTION_THREAD_POOL_SIZE;
		pool[nopt++].value = (intptr_t)nthreads;
	}
	if (cert_pem != NULL) {
		if (!MHD_is_feature_supported(MHD_FEATURE_TLS)) {
			rs_seterr("this libmicrohttpd was built without TLS");
			return NULL;
		}
		flags |= MHD_USE_TLS;
		pool[nopt].option = MHD_OPTION_HTTPS_MEM_CERT;
		pool[nopt++].ptr_value = (void *)(uintptr_t)cert_pem;
		pool[nopt].option = MHD_OPTION_HTTPS_MEM_KEY;
		pool[nopt++].ptr_value = (void *)(uintptr_t)key_pem;
	}
	s = xcalloc(1, sizeof(*s));
	s->h = h;
	s->ctx = ctx;
	s->max_body = max_body;
	if (lim != NULL)
		s->lim = *lim;
	if (s->lim.per_address > 0 || s->lim.header_timeout_s > 0) {
		pool[nopt].option = MHD_OPTION_NOTIFY_CONNECTION;
		pool[nopt].value = (intptr_t)on_connection;
		pool[nopt++].ptr_value = s;
	}
	assert(nopt < sizeof(pool) / sizeof(pool[0]));
	if (pthread_mutex_init(&s->park_mu, NULL) != 0 ||
	    pthread_cond_init(&s->park_cv, NULL) != 0 ||
	    pthread_mutex_init(&s->conn_mu, NULL) != 0 ||
	    pthread_cond_init(&s->conn_cv, NULL) != 0) {
		rs_seterr("cannot initialise the HTTP server's locks");
		free(s);
		return NULL;
	}

	log_capture = 1;
	log_first[0] = '\0';
	s->d = MHD_start_daemon(flags, 0, NULL, NULL, on_request, s,
	    MHD_OPTION_EXTERNAL_LOGGER, mhd_logger, NULL,
	    MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
	    MHD_OPTION_URI_LOG_CALLBACK, on_uri, s,
	    MHD_OPTION_NOTIFY_COMPLETED, on_completed, s,
	    MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)CONN_TIMEOUT_S,
	    MHD_OPTION_CONNECTION_LIMIT, (unsigned)CONN_LIMIT,
	    MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)HTTP_POOL_BYTES,
	    MHD_OPTION_ARRAY, pool,
	    MHD_OPTION_END);
	log_capture = 0;
	if (s->d == NULL) {
		rs_seterr("cannot listen on %s: %s", listen, startup_reason());
		server_free(s);
		return NULL;
	}
	if (s->lim.header_timeout_s > 0) {
		if (pthread_create(&s->sweep_th, NULL, sweeper, s) != 0) {
			rs_seterr("cannot start the HTTP server's sweeper thread");
			MHD_stop_daemon(s->d);
			server_free(s);
			return NULL;
		}
		s->sweep_running = 1;
	}
	info = MHD_get_daemon_info(s->d, MHD_DAEMON_INFO_BIND_PORT);
	if (info == NULL || info->port == 0) {
		rs_seterr("cannot tell which port %s is bound to", listen);
		MHD_stop_daemon(s->d);
		server_free(s);
		return NULL;
	}
	s->port = info->port;
	return s;
}

int
http_server_stream(struct http_server *s, const char *method,
    const char *prefix, const struct http_stream_ops *ops, void *ctx)
{
	struct stream_route *r;

	if (s->nstreams >= MAX_STREAMS || strlen(method) >= sizeof(r->method) ||
	    strlen(prefix) >= sizeof(r->prefix)) {
		rs_seterr("cannot register a streamed route for %s %s", method,
		    prefix);
		return -1;
	}
	r = &s->streams[s->nstreams];
	snprintf(r->method, sizeof(r->method), "%s", method);
	snprintf(r->prefix, sizeof(r->prefix), "%s", prefix);
	r->ops = ops;
	r->ctx = ctx;
	__atomic_store_n(&s->nstreams, s->nstreams + 1, __ATOMIC_RELEASE);
	return 0;
}

uint16_t
http_server_port(struct http_server *s)
{
	return s != NULL ? s->port : 0;
}

void
http_server_stop(struct http_server *s)
{
	if (s == NULL)
		return;
	park_stop(s);
	sweeper_stop(s);
	MHD_stop_daemon(s->d);
	server_free(s);
}

const char *
http_req_header(const struct http_req *req, const char *name)
{
	if (req == NULL || req->conn == NULL || name == NULL)
		return NULL;
	return MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, name);
}

const char *
http_req_query(const struct http_req *req, const char *name)
{
	if (req == NULL || req->conn == NULL || name == NULL)
		return NULL;
	return MHD_lookup_connection_value(req->conn, MHD_GET_ARGUMENT_KIND,
	    name);
}
