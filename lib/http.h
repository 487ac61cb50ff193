/*
 * http.h - the HTTP server (libmicrohttpd) and client (libcurl) roster uses.
 *
 * The server hands each complete request to one handler function with the
 * body already read (bounded by max_body; larger bodies get 413 before the
 * handler runs).  The handler fills a response; JSON helpers make the usual
 * {"error": "..."} bodies so every 4xx says what is wrong.
 *
 * The client is a thin, reusable wrapper over one curl easy handle (keeps the
 * connection alive between requests).  It never follows redirects and has
 * timeouts, so a hostile hub cannot stall a node forever.
 */
#ifndef ROSTER_HTTP_H
#define ROSTER_HTTP_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <jansson.h>

#include "util.h"

struct http_req {
	const char *method;		/* "GET", "POST", ... */
	const char *path;		/* "/v1/checkpoint", no query string */
	const char *target;		/* path plus "?query" as sent, for signatures */
	const uint8_t *body;
	size_t body_len;
	void *conn;			/* opaque: struct MHD_Connection */
	/* Parking (long polling, see http_server_wake): */
	int woken;			/* 1 when this is a parked request run again */
	const uint8_t *park_key;	/* the key it was parked under, when woken */
	int64_t since_ms;		/* when the request was first handled */
};

struct http_resp {
	int status;
	const char *content_type;	/* static string; default application/json */
	struct buf body;
	char extra_headers[512];	/* "Name: value\r\n" lines, optional */
	int use_fd;			/* http_resp_fd: the body is a file */
	int fd;
	uint64_t fd_len;
	/* A handler that has nothing to say yet may park the request: it
	 * fills the response it would give at the deadline (say, an empty
	 * page) and sets park_until (ms since the epoch) and park_key.  The
	 * server then holds the connection without a thread until
	 * http_server_wake names the key or the deadline passes, and calls
	 * the handler again with req->woken set.  If the server cannot park
	 * (it is stopping, or too many are parked), it sends the response as
	 * filled. */
	int64_t park_until;
	uint8_t park_key[32];
};

typedef void (*http_handler)(void *ctx, const struct http_req *req,
    struct http_resp *resp);

struct http_server;

/* What one client may hold of a server (0 for any: no limit).  A
 * connection beyond per_address from one address is closed as it is
 * accepted; one that has not finished sending a request's headers
 * header_timeout_s seconds after it opened (or after its previous request
 * was answered) is shut down; a request that would park while parks_per_key
 * requests are parked under its key is answered at once. */
struct http_limits {
	unsigned per_address;
	unsigned header_timeout_s;
	unsigned parks_per_key;
	const char *headers;	/* "Name: value\r\n" lines on the server's own
				 * refusals (413, 414, 431) too; NULL: none.
				 * Must outlive the server. */
};

/* What the server answers itself, in JSON, before a handler runs: a
 * request target longer than this is 414, headers larger than this 431.
 * libmicrohttpd's own (HTML) answers come only beyond HTTP_POOL_BYTES,
 * the memory it may use per connection. */
#define HTTP_MAX_TARGET		8192
#define HTTP_MAX_HEADERS	16384
#define HTTP_POOL_BYTES		(256 * 1024)

/* listen is "ADDR:PORT" ("127.0.0.1:8443", "[::1]:0"); port 0 picks a free
 * port, which http_server_port then tells.  nthreads workers. */
struct http_server *http_server_start(const char *listen, size_t max_body,
    unsigned nthreads, http_handler h, void *ctx);
/* The same over TLS: cert_pem is the PEM certificate chain, key_pem the PEM
 * private key (file contents, not paths).  NULL for both is plain HTTP. */
struct http_server *http_server_start_tls(const char *listen, size_t max_body,
    unsigned nthreads, http_handler h, void *ctx, const char *cert_pem,
    const char *key_pem);
/* The same with limits (NULL: none). */
struct http_server *http_server_start_limited(const char *listen,
    size_t max_body, unsigned nthreads, http_handler h, void *ctx,
    const char *cert_pem, const char *key_pem, const struct http_limits *lim);
uint16_t http_server_port(struct http_server *s);
void http_server_stop(struct http_server *s);
/* Runs again every request parked under one of keys[0..n-1] (any thread).
 * A request about to park that raced with a wake of any key runs again at
 * once instead, so no wake is ever lost. */
void http_server_wake(struct http_server *s, const uint8_t (*keys)[32],
    size_t n);
/* Runs every parked request again (when which keys are due is not known,
 * e.g. after another hub process appended a large batch). */
void http_server_wake_all(struct http_server *s);
/* Requests parked now (for tests and the health of long polling). */
size_t http_server_parked(struct http_server *s);

/* Request accessors; NULL when absent.  Header names are case-insensitive. */
const char *http_req_header(const struct http_req *req, const char *name);
const char *http_req_query(const struct http_req *req, const char *name);

/* Response helpers.  http_resp_json steals the reference to obj. */
void http_resp_json(struct http_resp *resp, int status, json_t *obj);
void http_resp_error(struct http_resp *resp, int status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* The body is fd_len bytes of fd from its current offset, streamed (the
 * server closes fd).  Replaces any body set before. */
void http_resp_fd(struct http_resp *resp, int status, const char *content_type,
    int fd, uint64_t len);

/*
 * Streamed requests: a method and path prefix whose body is handed to the
 * route piece by piece instead of being buffered (no max_body limit; the
 * route enforces its own).  begin runs once the headers are in (req->body is
 * NULL): it returns the route's per-request state, or NULL after filling
 * resp with a refusal, which is sent at once without reading the body.
 * data takes each piece; end runs when the body is complete and fills resp;
 * abort runs instead of end when the connection ends first.
 */
struct http_stream_ops {
	void *(*begin)(void *ctx, const struct http_req *req, struct http_resp *resp);
	void (*data)(void *st, const void *p, size_t n);
	void (*end)(void *st, const struct http_req *req, struct http_resp *resp);
	void (*abort)(void *st);
};
/* Registers a streamed route (at most 8); call before clients know the
 * server's address.  -1 with rs_err when full. */
int http_server_stream(struct http_server *s, const char *method,
    const char *prefix, const struct http_stream_ops *ops, void *ctx);

/* ---- client ---------------------------------------------------------- */

struct http_client;

struct http_client *http_client_new(const char *base_url);	/* "http://127.0.0.1:8443" */
void http_client_free(struct http_client *c);
const char *http_client_base(struct http_client *c);

/* Signing identity: when set, every request carries an RFC 9421-style
 * signature by this Ed25519 key (see httpsig.h).  Pass NULL to clear. */
void http_client_set_signer(struct http_client *c, const uint8_t pk[32],
    const uint8_t sk[64]);

/* Lowers the response size cap (default and maximum 256 MiB); a larger
 * response aborts the transfer with rs_err set. */
void http_client_set_max_response(struct http_client *c, size_t max);

/* Trust the certificates in PEM file ca_file (e.g. a hub's self-signed
 * certificate) instead of the system's store, for https:// base URLs. */
void http_client_set_ca(struct http_client *c, const char *ca_file);

/* While *flag is nonzero, transfers end at once (within about a second)
 * with a transport error: lets another thread stop a long poll.  NULL
 * clears it. */
void http_client_set_abort(struct http_client *c, const volatile int *flag);
/* When the server last answered an exchange (below 500) and when one last
 * failed (no answer, or 5xx) and why, in ms (0: never): whether the server
 * can be reached, as its user would want to be told. */
void http_client_contact(const struct http_client *c, int64_t *answered, int64_t *failed,
    char *why, size_t len);

/* Sends method target (path plus query, relative to the base URL).  On a
 * transport failure returns -1 with rs_err set.  Otherwise returns 0, the
 * status in *status and the body in *out (appended). */
int http_call(struct http_client *c, const char *method, const char *target,
    const char *content_type, const void *body, size_t len,
    long *status, struct buf *out);

/* Streamed transfers, for bodies too large to hold.  A progress callback,
 * when given, is called now and then with bytes done and the total (0 when
 * unknown).  Instead of an overall time limit, a transfer slower than 1 KiB/s
 * for 60 s is aborted. */
typedef ssize_t (*http_read_fn)(void *ud, void *p, size_t max);	/* -1: abort */
typedef int (*http_write_fn)(void *ud, const void *p, size_t n);	/* -1: abort */
typedef void (*http_progress_fn)(void *ud, uint64_t done, uint64_t total);

/* Sends a len-byte body produced by rd, whose SHA-256 is sha (the signature
 * covers it).  The answer goes into *out as with http_call. */
int http_upload(struct http_client *c, const char *method, const char *target,
    const char *content_type, uint64_t len, const uint8_t sha[32],
    http_read_fn rd, void *rud, http_progress_fn pr, void *pud,
    long *status, struct buf *out);
/* GETs target; a 2xx body goes to wr, at most max bytes; any other status's
 * body (bounded) into *err.  -1 with rs_err on a transport failure or when wr
 * aborted (its rs_err is kept). */
int http_download(struct http_client *c, const char *target, uint64_t max,
    http_write_fn wr, void *wud, http_progress_fn pr, void *pud,
    long *status, struct buf *err);

/* Convenience: GET or POST expecting JSON.  A non-2xx status becomes -1 with
 * rs_err set to the server's "error" text. */
int http_get_json(struct http_client *c, const char *target, json_t **out);
int http_post_json(struct http_client *c, const char *target,
    const char *content_type, const void *body, size_t len, json_t **out);

#endif
