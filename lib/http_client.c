/*
 * http_client.c - the HTTP client nodes use to talk to the hub, on libcurl.
 *
 * Design:
 *  - One curl easy handle per client, reused for every request so the TCP
 *    (and TLS) connection stays alive.  Before each request the handle is
 *    reset (curl_easy_reset keeps live connections) and configured from
 *    scratch, so no option leaks from one request into the next.  A client
 *    is not thread-safe: one per thread.
 *  - The hub is not trusted to behave: no redirects are followed, only
 *    http and https are allowed, connecting is bounded by 10 s and a whole
 *    request by 60 s, no compressed encodings are asked for (no
 *    decompression bombs), and a response over 256 MiB aborts the transfer.
 *  - The request target is sent byte for byte as given (CURLOPT_PATH_AS_IS:
 *    curl would otherwise squash "/./" and "/../"), because the signature
 *    covers it.  Targets must be printable ASCII without '#'; callers
 *    percent-encode.
 *  - With a signer set, every request carries Content-Digest,
 *    Signature-Input and Signature headers (httpsig.c) with a fresh nonce.
 *  - A base URL may carry a path prefix ("https://proxy/hub") for a reverse
 *    proxy that strips it; the signature covers only the target given to
 *    http_call, which is what the hub sees after such a proxy.
 *  - Errors become one sentence in rs_err: "cannot reach hub at URL: why"
 *    for transport failures; for the JSON helpers, "hub refused (HTTP n):
 *    <the hub's error text>".  Text from the hub is stripped of control
 *    characters before it reaches a terminal.
 */
#include "http.h"
#include "httpsig.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>
#include <sodium.h>

#define CONNECT_TIMEOUT_S	10L
#define TOTAL_TIMEOUT_S		60L
#define MAX_RESPONSE		((size_t)256 * 1024 * 1024)
#define HUB_TEXT_MAX		300	/* bytes of hub error text we quote */

struct http_client {
	CURL *h;
	char *base;		/* scheme://authority, no trailing '/' */
	int signing;
	uint8_t pk[32];
	uint8_t sk[64];
	size_t max_resp;
	char *ca;		/* PEM file to trust, or NULL: the system's */
	char errbuf[CURL_ERROR_SIZE];
	const volatile int *abort;	/* nonzero: end the transfer in flight */
	/* The last exchange the server answered (below 500), and the last that
	 * failed (no answer, or 5xx), with why: http_client_contact. */
	int64_t answered, failed;
	char why[256];
};

struct sink {
	struct buf *out;
	size_t got, max;
	int over;
};

/* ---- global init ----------------------------------------------------- */

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static CURLcode curl_init_rc = CURLE_FAILED_INIT;

static void
curl_init_once(void)
{
	curl_init_rc = curl_global_init(CURL_GLOBAL_DEFAULT);
}

static int
curl_ready(void)
{
	if (pthread_once(&curl_once, curl_init_once) != 0 ||
	    curl_init_rc != CURLE_OK) {
		rs_seterr("cannot initialise libcurl: %s",
		    curl_easy_strerror(curl_init_rc));
		return -1;
	}
	return 0;
}

/* ---- validation ------------------------------------------------------ */

static int
plain_ascii(const char *s, const char *also_bad)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c <= 0x20 || c >= 0x7f || strchr(also_bad, c) != NULL)
			return 0;
	}
	return 1;
}

static int
valid_method(const char *m)
{
	size_t n = m != NULL ? strlen(m) : 0;

	if (n == 0 || n > 16)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!((m[i] >= 'A' && m[i] <= 'Z') || m[i] == '-' || m[i] == '_'))
			return 0;
	return 1;
}

static int
valid_target(const char *t)
{
	return t != NULL && t[0] == '/' && plain_ascii(t, "#");
}

static int
valid_header_value(const char *v)
{
	for (; *v; v++)
		if ((unsigned char)*v < 0x20 || *v == 0x7f)
			return 0;
	return 1;
}

/* ---- client ---------------------------------------------------------- */

struct http_client *
http_client_new(const char *base_url)
{
	struct http_client *c;
	size_t n, skip;

	if (curl_ready() != 0)
		return NULL;
	if (base_url == NULL)
		base_url = "";
	if (strncasecmp(base_url, "http://", 7) == 0)
		skip = 7;
	else if (strncasecmp(base_url, "https://", 8) == 0)
		skip = 8;
	else
		skip = 0;
	n = strlen(base_url);
	while (n > skip && base_url[n - 1] == '/')
		n--;
	if (skip == 0 || n == skip || !plain_ascii(base_url, "#?")) {
		rs_seterr("invalid hub URL \"%s\": expected http://HOST:PORT or "
		    "https://HOST:PORT", base_url);
		return NULL;
	}
	c = xcalloc(1, sizeof(*c));
	c->h = curl_easy_init();
	if (c->h == NULL) {
		rs_seterr("cannot create a libcurl handle");
		free(c);
		return NULL;
	}
	c->base = xmalloc(n + 1);
	memcpy(c->base, base_url, n);
	c->base[n] = '\0';
	c->max_resp = MAX_RESPONSE;
	return c;
}

void
http_client_free(struct http_client *c)
{
	if (c == NULL)
		return;
	curl_easy_cleanup(c->h);
	sodium_memzero(c->sk, sizeof(c->sk));
	free(c->base);
	free(c->ca);
	free(c);
}

void
http_client_set_ca(struct http_client *c, const char *ca_file)
{
	if (c == NULL)
		return;
	free(c->ca);
	c->ca = ca_file != NULL ? xstrdup(ca_file) : NULL;
}

const char *
http_client_base(struct http_client *c)
{
	return c != NULL ? c->base : NULL;
}

void
http_client_set_signer(struct http_client *c, const uint8_t pk[32],
    const uint8_t sk[64])
{
	if (c == NULL)
		return;
	if (pk == NULL || sk == NULL) {
		sodium_memzero(c->pk, sizeof(c->pk));
		sodium_memzero(c->sk, sizeof(c->sk));
		c->signing = 0;
		return;
	}
	memcpy(c->pk, pk, sizeof(c->pk));
	memcpy(c->sk, sk, sizeof(c->sk));
	c->signing = 1;
}

void
http_client_set_max_response(struct http_client *c, size_t max)
{
	if (c == NULL)
		return;
	c->max_resp = max > 0 && max < MAX_RESPONSE ? max : MAX_RESPONSE;
}

static size_t
on_data(char *p, size_t size, size_t nmemb, void *ud)
{
	struct sink *s = ud;
	size_t n;

	if (size != 0 && nmemb > SIZE_MAX / size) {
		s->over = 1;
		return 0;
	}
	n = size * nmemb;
	if (n > s->max - s->got) {
		s->over = 1;
		return 0;	/* makes curl abort with CURLE_WRITE_ERROR */
	}
	buf_add(s->out, p, n);
	s->got += n;
	return n;
}

/* Appends "Name: value"; returns NULL (and frees the list) on failure. */
static struct curl_slist *
add_header(struct curl_slist *l, const char *name, const char *value)
{
	struct buf b = {0};
	struct curl_slist *n;

	buf_printf(&b, "%s: %s", name, value);
	n = curl_slist_append(l, buf_cstr(&b));
	buf_free(&b);
	if (n == NULL)
		curl_slist_free_all(l);
	return n;
}

/* The headers for a body whose SHA-256 is sha. */
static struct curl_slist *
build_headers_sha(struct http_client *c, const char *method,
    const char *target, const char *content_type, const uint8_t sha[32])
{
	struct curl_slist *l = curl_slist_append(NULL, "Expect:");
	struct httpsig_headers hs;

	if (l != NULL && content_type != NULL)
		l = add_header(l, "Content-Type", content_type);
	if (l == NULL || !c->signing)
		return l;
	httpsig_sign_digest(&hs, method, target, sha, now_ms() / 1000, c->pk,
	    c->sk);
	if ((l = add_header(l, "Content-Digest", hs.digest)) == NULL ||
	    (l = add_header(l, "Signature-Input", hs.input)) == NULL ||
	    (l = add_header(l, "Signature", hs.signature)) == NULL)
		return NULL;
	return l;
}

static struct curl_slist *
build_headers(struct http_client *c, const char *method, const char *target,
    const char *content_type, const void *body, size_t len)
{
	uint8_t sha[32];

	sha256(sha, body != NULL ? body : "", body != NULL ? len : 0);
	return build_headers_sha(c, method, target, content_type, sha);
}

/* Sets the method and body options; returns nonzero if any failed. */
static int
set_method(CURL *h, const char *method, const void *body, size_t len)
{
	int bad = 0;

	if (body != NULL || strcmp(method, "POST") == 0 ||
	    strcmp(method, "PUT") == 0 || strcmp(method, "PATCH") == 0) {
		bad |= curl_easy_setopt(h, CURLOPT_POST, 1L) != CURLE_OK;
		bad |= curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE,
		    (curl_off_t)len) != CURLE_OK;
		bad |= curl_easy_setopt(h, CURLOPT_POSTFIELDS,
		    body != NULL ? body : "") != CURLE_OK;
		if (strcmp(method, "POST") != 0)
			bad |= curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST,
			    method) != CURLE_OK;
	} else if (strcmp(method, "GET") == 0)
		bad |= curl_easy_setopt(h, CURLOPT_HTTPGET, 1L) != CURLE_OK;
	else if (strcmp(method, "HEAD") == 0)
		bad |= curl_easy_setopt(h, CURLOPT_NOBODY, 1L) != CURLE_OK;
	else
		bad |= curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method) !=
		    CURLE_OK;
	return bad;
}

/* Progress callback: a nonzero abort flag ends the transfer (a long poll
 * of a node that is stopping). */
static int
on_progress(void *arg, curl_off_t dt, curl_off_t dn, curl_off_t ut,
    curl_off_t un)
{
	const struct http_client *c = arg;

	return c->abort != NULL && *c->abort != 0;
}

void
http_client_set_abort(struct http_client *c, const volatile int *flag)
{
	if (c != NULL)
		c->abort = flag;
}

static int
configure(struct http_client *c, const char *url, struct curl_slist *hdrs,
    struct sink *sink)
{
	CURL *h = c->h;
	int bad = 0;

	curl_easy_reset(h);
	c->errbuf[0] = '\0';
	bad |= curl_easy_setopt(h, CURLOPT_ERRORBUFFER, c->errbuf) != CURLE_OK;
	bad |= curl_easy_setopt(h, CURLOPT_URL, url) != CURLE_OK;
	bad |= curl_easy_setopt(h, CURLOPT_PATH_AS_IS, 1L) != CURLE_OK;
	bad |= curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L) != CURLE_OK;
	bad |= curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L) != CURLE_OK;
#if LIBCURL_VERSION_NUM >= 0x075500
	bad |= curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https") !=
	    CURLE_OK;
	bad |= curl_easy_setopt(h, CURLOPT_REDIR_PROTOCOLS_STR, "http,https") !=
	    CURLE_OK;
#else
	bad |= curl_easy_setopt(h, CURLOPT_PROTOCOLS,
	    (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS)) != CURLE_OK;
	bad |= curl_easy_setopt(h, CURLOPT_REDIR_PROTOCOLS,
	    (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS)) != CURLE_OK;
#endif
	bad |= curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, CONNECT_TIMEOUT_S) !=
	    CURLE_OK;
	bad |= curl_easy_setopt(h, CURLOPT_TIMEOUT, TOTAL_TIMEOUT_S) != CURLE_OK;
	bad |= curl_easy_setopt(h, CURLOPT_MAXFILESIZE_LARGE,
	    (curl_off_t)c->max_resp) != CURLE_OK;
	bad |= curl_easy_setopt(h, CURLOPT_USERAGENT, "roster") != CURLE_OK;
	if (c->ca != NULL)
		bad |= curl_easy_setopt(h, CURLOPT_CAINFO, c->ca) != CURLE_OK;
	bad |= curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdrs) != CURLE_OK;
	bad |= curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_data) != CURLE_OK;
	bad |= curl_easy_setopt(h, CURLOPT_WRITEDATA, sink) != CURLE_OK;
	if (c->abort != NULL) {
		bad |= curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, on_progress) !=
		    CURLE_OK;
		bad |= curl_easy_setopt(h, CURLOPT_XFERINFODATA, c) != CURLE_OK;
		bad |= curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L) != CURLE_OK;
	}
	return bad;
}

static void
transport_error(struct http_client *c, CURLcode rc, const struct sink *sink,
    const char *method, const char *target)
{
	long oserr = 0;

	if (sink->over || rc == CURLE_FILESIZE_EXCEEDED) {
		rs_seterr("hub response to %s %s is larger than %zu bytes; "
		    "transfer aborted", method, target, sink->max);
		return;
	}
	if (rc == CURLE_COULDNT_CONNECT &&
	    curl_easy_getinfo(c->h, CURLINFO_OS_ERRNO, &oserr) == CURLE_OK &&
	    oserr > 0) {
		rs_seterr("cannot reach hub at %s: %s", c->base,
		    strerror((int)oserr));
		return;
	}
	if (rc == CURLE_OPERATION_TIMEDOUT) {
		rs_seterr("cannot reach hub at %s: no complete answer to %s %s "
		    "within the time limit (%s)", c->base, method, target,
		    c->errbuf[0] ? c->errbuf : curl_easy_strerror(rc));
		return;
	}
	rs_seterr("cannot reach hub at %s: %s", c->base,
	    c->errbuf[0] ? c->errbuf : curl_easy_strerror(rc));
}

/* What became of an exchange: answered, or failed with rs_err's reason. */
static void
note_contact(struct http_client *c, int ok, long status)
{
	if (ok && status < 500) {
		c->answered = now_ms();
		return;
	}
	c->failed = now_ms();
	if (ok)
		snprintf(c->why, sizeof(c->why), "HTTP %ld", status);
	else
		snprintf(c->why, sizeof(c->why), "%s", rs_err());
}

void
http_client_contact(const struct http_client *c, int64_t *answered, int64_t *failed,
    char *why, size_t len)
{
	*answered = c->answered;
	*failed = c->failed;
	snprintf(why, len, "%s", c->failed > 0 ? c->why : "");
}

int
http_call(struct http_client *c, const char *method, const char *target,
    const char *content_type, const void *body, size_t len,
    long *status, struct buf *out)
{
	struct sink sink = { out, 0, c->max_resp, 0 };
	struct curl_slist *hdrs;
	struct buf url = {0};
	size_t oldlen = out->len;
	long dummy;
	CURLcode rc;
	int bad;

	if (status == NULL)
		status = &dummy;

	if (!valid_method(method) || !valid_target(target) ||
	    (body == NULL && len > 0) ||
	    (content_type != NULL && !valid_header_value(content_type))) {
		rs_seterr("invalid HTTP request %s %s", method ? method : "(null)",
		    target ? target : "(null)");
		return -1;
	}
	hdrs = build_headers(c, method, target, content_type, body, len);
	if (hdrs == NULL) {
		rs_seterr("cannot build HTTP request headers");
		return -1;
	}
	buf_printf(&url, "%s%s", c->base, target);
	bad = configure(c, buf_cstr(&url), hdrs, &sink);
	bad |= set_method(c->h, method, body, len);
	if (bad) {
		rs_seterr("cannot configure libcurl for %s %s", method, target);
		rc = CURLE_FAILED_INIT;
	} else {
		rc = curl_easy_perform(c->h);
		if (rc != CURLE_OK)
			transport_error(c, rc, &sink, method, target);
		else if (curl_easy_getinfo(c->h, CURLINFO_RESPONSE_CODE, status)
		    != CURLE_OK) {
			rs_seterr("cannot read the HTTP status of %s %s", method,
			    target);
			rc = CURLE_FAILED_INIT;
		}
	}
	/* The handle must not keep pointers to what we free now. */
	(void)curl_easy_setopt(c->h, CURLOPT_HTTPHEADER, NULL);
	curl_slist_free_all(hdrs);
	buf_free(&url);
	if (!bad)
		note_contact(c, rc == CURLE_OK, *status);
	if (rc != CURLE_OK) {
		out->len = oldlen;
		return -1;
	}
	return 0;
}

/* ---- streamed transfers ---------------------------------------------- */

#define STREAM_LOW_SPEED	1024L	/* bytes/s ... */
#define STREAM_LOW_TIME		60L	/* ... for this long aborts */
#define STREAM_ERR_MAX		65536	/* bytes of an error answer kept */

struct stream {
	struct http_client *c;
	http_read_fn rd;
	void *rud;
	http_write_fn wr;
	void *wud;
	http_progress_fn pr;
	void *pud;
	struct buf *err;	/* a non-2xx answer's body */
	uint64_t max, got;
	int aborted;		/* our callback failed: rs_err says why */
	int over;
};

static size_t
on_read(char *p, size_t size, size_t nitems, void *ud)
{
	struct stream *st = ud;
	ssize_t n = st->rd(st->rud, p, size * nitems);

	if (n < 0) {
		st->aborted = 1;
		return CURL_READFUNC_ABORT;
	}
	return (size_t)n;
}

static size_t
on_stream_data(char *p, size_t size, size_t nitems, void *ud)
{
	struct stream *st = ud;
	size_t n = size * nitems;
	long code = 0;

	if (curl_easy_getinfo(st->c->h, CURLINFO_RESPONSE_CODE, &code) !=
	    CURLE_OK || code < 200 || code > 299) {
		if (st->err->len < STREAM_ERR_MAX)
			buf_add(st->err, p, n < STREAM_ERR_MAX ? n : STREAM_ERR_MAX);
		return n;
	}
	if (n > st->max - st->got) {
		st->over = 1;
		return 0;
	}
	st->got += n;
	if (st->wr(st->wud, p, n) != 0) {
		st->aborted = 1;
		return 0;
	}
	return n;
}

static int
on_stream_progress(void *ud, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
    curl_off_t ulnow)
{
	struct stream *st = ud;

	if (st->pr == NULL)
		return 0;
	if (st->rd != NULL)
		st->pr(st->pud, (uint64_t)ulnow, (uint64_t)ultotal);
	else
		st->pr(st->pud, (uint64_t)dlnow, (uint64_t)dltotal);
	return 0;
}

/* Replaces configure's overall time limit with a minimum speed, and adds
 * the progress callback. */
static int
configure_stream(CURL *h, struct stream *st)
{
	int bad = 0;

	bad |= curl_easy_setopt(h, CURLOPT_TIMEOUT, 0L) != CURLE_OK;
	bad |= curl_easy_setopt(h, CURLOPT_LOW_SPEED_LIMIT, STREAM_LOW_SPEED) !=
	    CURLE_OK;
	bad |= curl_easy_setopt(h, CURLOPT_LOW_SPEED_TIME, STREAM_LOW_TIME) !=
	    CURLE_OK;
	bad |= curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L) != CURLE_OK;
	bad |= curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, on_stream_progress) !=
	    CURLE_OK;
	bad |= curl_easy_setopt(h, CURLOPT_XFERINFODATA, st) != CURLE_OK;
	return bad;
}

/* Runs the configured transfer; 0 with *status, or -1 with rs_err. */
static int
perform_stream(struct http_client *c, struct stream *st, const char *method,
    const char *target, long *status)
{
	struct sink sink = { NULL, 0, st->max, st->over };
	CURLcode rc = curl_easy_perform(c->h);

	if (rc != CURLE_OK) {
		if (st->aborted)
			return -1;	/* the callback's rs_err stands */
		sink.over = st->over;
		transport_error(c, rc, &sink, method, target);
		note_contact(c, 0, 0);
		return -1;
	}
	if (curl_easy_getinfo(c->h, CURLINFO_RESPONSE_CODE, status) != CURLE_OK) {
		rs_seterr("cannot read the HTTP status of %s %s", method, target);
		return -1;
	}
	note_contact(c, 1, *status);
	return 0;
}

int
http_upload(struct http_client *c, const char *method, const char *target,
    const char *content_type, uint64_t len, const uint8_t sha[32],
    http_read_fn rd, void *rud, http_progress_fn pr, void *pud,
    long *status, struct buf *out)
{
	struct stream st = { .c = c, .rd = rd, .rud = rud, .pr = pr, .pud = pud,
	    .err = out, .max = c->max_resp };
	struct sink sink = { out, 0, c->max_resp, 0 };
	struct curl_slist *hdrs;
	struct buf url = {0};
	long dummy;
	int bad, rc = -1;

	if (status == NULL)
		status = &dummy;
	if (!valid_method(method) || !valid_target(target) || rd == NULL ||
	    (content_type != NULL && !valid_header_value(content_type))) {
		rs_seterr("invalid HTTP request %s %s", method ? method : "(null)",
		    target ? target : "(null)");
		return -1;
	}
	if ((hdrs = build_headers_sha(c, method, target, content_type, sha)) ==
	    NULL) {
		rs_seterr("cannot build HTTP request headers");
		return -1;
	}
	buf_printf(&url, "%s%s", c->base, target);
	bad = configure(c, buf_cstr(&url), hdrs, &sink);
	bad |= configure_stream(c->h, &st);
	bad |= curl_easy_setopt(c->h, CURLOPT_UPLOAD, 1L) != CURLE_OK;
	bad |= curl_easy_setopt(c->h, CURLOPT_INFILESIZE_LARGE,
	    (curl_off_t)len) != CURLE_OK;
	bad |= curl_easy_setopt(c->h, CURLOPT_READFUNCTION, on_read) != CURLE_OK;
	bad |= curl_easy_setopt(c->h, CURLOPT_READDATA, &st) != CURLE_OK;
	if (strcmp(method, "PUT") != 0)
		bad |= curl_easy_setopt(c->h, CURLOPT_CUSTOMREQUEST, method) !=
		    CURLE_OK;
	if (bad)
		rs_seterr("cannot configure libcurl for %s %s", method, target);
	else
		rc = perform_stream(c, &st, method, target, status);
	(void)curl_easy_setopt(c->h, CURLOPT_HTTPHEADER, NULL);
	curl_slist_free_all(hdrs);
	buf_free(&url);
	return rc;
}

int
http_download(struct http_client *c, const char *target, uint64_t max,
    http_write_fn wr, void *wud, http_progress_fn pr, void *pud,
    long *status, struct buf *err)
{
	struct stream st = { .c = c, .wr = wr, .wud = wud, .pr = pr, .pud = pud,
	    .err = err, .max = max };
	struct sink sink = { err, 0, STREAM_ERR_MAX, 0 };
	struct curl_slist *hdrs;
	struct buf url = {0};
	long dummy;
	int bad, rc = -1;

	if (status == NULL)
		status = &dummy;
	if (!valid_target(target) || wr == NULL) {
		rs_seterr("invalid HTTP request GET %s", target ? target : "(null)");
		return -1;
	}
	if ((hdrs = build_headers(c, "GET", target, NULL, NULL, 0)) == NULL) {
		rs_seterr("cannot build HTTP request headers");
		return -1;
	}
	buf_printf(&url, "%s%s", c->base, target);
	bad = configure(c, buf_cstr(&url), hdrs, &sink);
	bad |= configure_stream(c->h, &st);
	bad |= curl_easy_setopt(c->h, CURLOPT_HTTPGET, 1L) != CURLE_OK;
	bad |= curl_easy_setopt(c->h, CURLOPT_MAXFILESIZE_LARGE,
	    (curl_off_t)max) != CURLE_OK;
	bad |= curl_easy_setopt(c->h, CURLOPT_WRITEFUNCTION, on_stream_data) !=
	    CURLE_OK;
	bad |= curl_easy_setopt(c->h, CURLOPT_WRITEDATA, &st) != CURLE_OK;
	if (bad)
		rs_seterr("cannot configure libcurl for GET %s", target);
	else
		rc = perform_stream(c, &st, "GET", target, status);
	(void)curl_easy_setopt(c->h, CURLOPT_HTTPHEADER, NULL);
	curl_slist_free_all(hdrs);
	buf_free(&url);
	return rc;
}

/* ---- JSON helpers ---------------------------------------------------- */

/* Copies at most HUB_TEXT_MAX bytes of s, control characters made '?'. */
static void
sanitize(char *dst, size_t dstsz, const char *s, size_t len)
{
	size_t n = len < dstsz - 1 ? len : dstsz - 1;

	for (size_t i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)s[i];
		dst[i] = ch < 0x20 || ch == 0x7f ? '?' : (char)ch;
	}
	dst[n] = '\0';
}

static void
refused(long status, const struct buf *b)
{
	char text[HUB_TEXT_MAX + 1];
	json_t *j = json_loadb((const char *)b->p, b->len, 0, NULL);
	json_t *e = json_is_object(j) ? json_object_get(j, "error") : NULL;

	if (json_is_string(e))
		sanitize(text, sizeof(text), json_string_value(e),
		    json_string_length(e));
	else if (b->len > 0)
		sanitize(text, sizeof(text), (const char *)b->p, b->len);
	else
		snprintf(text, sizeof(text), "(no error text)");
	json_decref(j);
	rs_seterr("hub refused (HTTP %ld): %s", status, text);
}

static int
call_json(struct http_client *c, const char *method, const char *target,
    const char *content_type, const void *body, size_t len, json_t **out)
{
	struct buf b = {0};
	json_error_t err;
	long status = 0;
	int rc = -1;

	*out = NULL;
	if (http_call(c, method, target, content_type, body, len, &status,
	    &b) != 0)
		goto done;
	if (status < 200 || status > 299) {
		refused(status, &b);
		goto done;
	}
	if (status == 204 && b.len == 0) {
		*out = json_null();
		rc = 0;
		goto done;
	}
	*out = json_loadb((const char *)b.p, b.len, JSON_REJECT_DUPLICATES,
	    &err);
	if (*out == NULL) {
		rs_seterr("hub sent invalid JSON for %s %s: %s", method, target,
		    err.text);
		goto done;
	}
	rc = 0;
done:
	buf_free(&b);
	return rc;
}

int
http_get_json(struct http_client *c, const char *target, json_t **out)
{
	return call_json(c, "GET", target, NULL, NULL, 0, out);
}

int
http_post_json(struct http_client *c, const char *target,
    const char *content_type, const void *body, size_t len, json_t **out)
{
	return call_json(c, "POST", target, content_type != NULL ?
	    content_type : "application/json", body != NULL ? body : "", len,
	    out);
}
