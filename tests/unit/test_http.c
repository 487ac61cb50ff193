/*
 * test_http.c - the HTTP server, client and request signatures, end to end
 * on loopback.
 *
 * Two servers run for the whole suite: a general one (thread pool) and one
 * with a 64-byte body limit.  Requests go through the roster client where it
 * can express them, and through raw libcurl or a raw socket where the test
 * must forge what the client never sends (tampered signatures, chunked
 * bodies, malformed requests).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <curl/curl.h>
#include <sodium.h>

#include "http.h"
#include "httpsig.h"
#include "util.h"

#define SMALL_MAX 64

struct tctx {
	struct nonce_cache *nc;
	uint8_t trusted[32];
	int calls;		/* handler invocations, atomically */
};

static struct tctx T;
static struct http_server *srv, *small;
static char base[64], small_base[64];
static uint8_t pk1[32], sk1[64], pk2[32], sk2[64];

/* ---- the test handler ------------------------------------------------ */

static json_t *
str_or_null(const char *s)
{
	return s != NULL ? json_string(s) : json_null();
}

static void
h_echo(const struct http_req *req, struct http_resp *resp)
{
	http_resp_json(resp, 200, json_pack("{s:s, s:s, s:s, s:o, s:o, s:I}",
	    "method", req->method, "path", req->path, "target", req->target,
	    "x", str_or_null(http_req_query(req, "x")),
	    "hdr", str_or_null(http_req_header(req, "x-test")),
	    "body_len", (json_int_t)req->body_len));
}

static void
h_json(const struct http_req *req, struct http_resp *resp)
{
	json_error_t err;
	json_t *j = json_loadb((const char *)req->body, req->body_len, 0, &err);

	if (j == NULL) {
		http_resp_error(resp, 400, "body is not JSON: %s", err.text);
		return;
	}
	http_resp_json(resp, 200, json_pack("{s:o}", "got", j));
}

static void
h_signed(struct tctx *t, const struct http_req *req, struct http_resp *resp)
{
	uint8_t key[32];
	char nonce[33];
	int64_t now = now_ms() / 1000;

	if (httpsig_verify(req->method, req->target, req->body, req->body_len,
	    http_req_header(req, "Content-Digest"),
	    http_req_header(req, "Signature-Input"),
	    http_req_header(req, "Signature"), now, key, nonce) != 0) {
		http_resp_error(resp, 401, "%s", rs_err());
		return;
	}
	if (sodium_memcmp(key, t->trusted, 32) != 0) {
		http_resp_error(resp, 403, "unknown key");
		return;
	}
	if (nonce_seen(t->nc, nonce, now)) {
		http_resp_error(resp, 409, "nonce replayed");
		return;
	}
	http_resp_json(resp, 200, json_pack("{s:b, s:s, s:I}", "ok", 1,
	    "nonce", nonce, "body_len", (json_int_t)req->body_len));
}

static void
handler(void *ctx, const struct http_req *req, struct http_resp *resp)
{
	struct tctx *t = ctx;

	__atomic_add_fetch(&t->calls, 1, __ATOMIC_SEQ_CST);
	if (strcmp(req->path, "/echo") == 0)
		h_echo(req, resp);
	else if (strcmp(req->path, "/json") == 0)
		h_json(req, resp);
	else if (strcmp(req->path, "/signed") == 0)
		h_signed(t, req, resp);
	else if (strcmp(req->path, "/fail") == 0)
		http_resp_error(resp, 400, "bad thing: %d", 42);
	else if (strcmp(req->path, "/text") == 0) {
		resp->status = 200;
		resp->content_type = "text/plain";
		buf_addstr(&resp->body, "hello");
		snprintf(resp->extra_headers, sizeof(resp->extra_headers),
		    "X-Extra: yes\r\nX-Other:  two words\r\n");
	} else if (strcmp(req->path, "/badheader") == 0) {
		resp->status = 200;
		snprintf(resp->extra_headers, sizeof(resp->extra_headers),
		    "no colon here\r\n");
	} else if (strcmp(req->path, "/nostatus") == 0) {
		/* handler forgot to answer */
	} else if (strcmp(req->path, "/big") == 0) {
		resp->status = 200;
		resp->content_type = "text/plain";
		for (int i = 0; i < 5000; i++)
			buf_add(&resp->body, "a", 1);
	} else
		http_resp_error(resp, 404, "no such endpoint: %s", req->path);
}

static int
calls(void)
{
	return __atomic_load_n(&T.calls, __ATOMIC_SEQ_CST);
}

/* ---- raw libcurl requests -------------------------------------------- */

struct raw {
	long status;
	struct buf body, hdrs;
};

struct upload {
	const char *p;
	size_t left;
};

static size_t
raw_write(char *p, size_t size, size_t n, void *ud)
{
	buf_add(ud, p, size * n);
	return size * n;
}

static size_t
raw_read(char *p, size_t size, size_t n, void *ud)
{
	struct upload *u = ud;
	size_t k = size * n < u->left ? size * n : u->left;

	k = k > 7 ? 7 : k;	/* small pieces: several chunks */
	memcpy(p, u->p, k);
	u->p += k;
	u->left -= k;
	return k;
}

/* hdrs: NULL-terminated "Name: value" lines.  chunked: stream the body. */
static void
raw_request(struct raw *r, const char *b, const char *method,
    const char *target, const char *body, size_t len, const char **hdrs,
    int chunked)
{
	CURL *h = curl_easy_init();
	struct curl_slist *l = curl_slist_append(NULL, "Expect:");
	struct upload up = { body, len };
	char url[512];

	assert_non_null(h);
	memset(r, 0, sizeof(*r));
	for (; hdrs != NULL && *hdrs != NULL; hdrs++)
		l = curl_slist_append(l, *hdrs);
	snprintf(url, sizeof(url), "%s%s", b, target);
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_PATH_AS_IS, 1L);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_TIMEOUT, 20L);
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, l);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, raw_write);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, &r->body);
	curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, raw_write);
	curl_easy_setopt(h, CURLOPT_HEADERDATA, &r->hdrs);
	if (body != NULL) {
		curl_easy_setopt(h, CURLOPT_POST, 1L);
		if (chunked) {
			curl_easy_setopt(h, CURLOPT_READFUNCTION, raw_read);
			curl_easy_setopt(h, CURLOPT_READDATA, &up);
			curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE, -1L);
		} else {
			curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
			curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE, (long)len);
		}
	}
	if (strcmp(method, "GET") != 0 && strcmp(method, "POST") != 0)
		curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method);
	assert_int_equal(curl_easy_perform(h), CURLE_OK);
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &r->status);
	buf_cstr(&r->body);
	buf_cstr(&r->hdrs);
	curl_slist_free_all(l);
	curl_easy_cleanup(h);
}

static void
raw_free(struct raw *r)
{
	buf_free(&r->body);
	buf_free(&r->hdrs);
}

static void
assert_error_body(const struct raw *r, const char *want)
{
	json_t *j = json_loadb((const char *)r->body.p, r->body.len, 0, NULL);

	assert_non_null(j);
	assert_true(json_is_string(json_object_get(j, "error")));
	if (want != NULL)
		assert_string_equal(json_string_value(json_object_get(j,
		    "error")), want);
	json_decref(j);
}

static void
assert_error_contains(const struct raw *r, const char *want)
{
	json_t *j = json_loadb((const char *)r->body.p, r->body.len, 0, NULL);
	const char *e;

	assert_non_null(j);
	e = json_string_value(json_object_get(j, "error"));
	assert_non_null(e);
	if (strstr(e, want) == NULL)
		fail_msg("error \"%s\" lacks \"%s\"", e, want);
	json_decref(j);
}

/* Sends a request with the three signature headers given. */
static void
raw_signed(struct raw *r, const char *method, const char *target,
    const char *body, const struct httpsig_headers *hs)
{
	char d[128], i[512], s[192];
	const char *hdrs[] = { d, i, s, "Content-Type: application/json", NULL };

	snprintf(d, sizeof(d), "Content-Digest: %s", hs->digest);
	snprintf(i, sizeof(i), "Signature-Input: %s", hs->input);
	snprintf(s, sizeof(s), "Signature: %s", hs->signature);
	raw_request(r, base, method, target, body, body ? strlen(body) : 0,
	    hdrs, 0);
}

/* ---- setup ----------------------------------------------------------- */

static int
setup(void **state)
{
	assert_true(sodium_init() >= 0);
	crypto_sign_keypair(pk1, sk1);
	crypto_sign_keypair(pk2, sk2);
	memcpy(T.trusted, pk1, 32);
	T.nc = nonce_cache_new();
	srv = http_server_start("127.0.0.1:0", 1 << 20, 4, handler, &T);
	if (srv == NULL)
		fprintf(stderr, "server: %s\n", rs_err());
	small = http_server_start("127.0.0.1:0", SMALL_MAX, 1, handler, &T);
	if (small == NULL)
		fprintf(stderr, "small server: %s\n", rs_err());
	if (srv == NULL || small == NULL)
		return -1;
	snprintf(base, sizeof(base), "http://127.0.0.1:%u",
	    http_server_port(srv));
	snprintf(small_base, sizeof(small_base), "http://127.0.0.1:%u",
	    http_server_port(small));
	return 0;
}

static int
teardown(void **state)
{
	http_server_stop(srv);
	http_server_stop(small);
	nonce_cache_free(T.nc);
	return 0;
}

/* ---- server and client ----------------------------------------------- */

static void
test_get_query(void **state)
{
	struct http_client *c = http_client_new(base);
	json_t *j;

	assert_non_null(c);
	assert_int_not_equal(http_server_port(srv), 0);
	assert_int_equal(http_get_json(c, "/echo?x=a%20b&y=2&x=second", &j), 0);
	assert_string_equal(json_string_value(json_object_get(j, "method")),
	    "GET");
	assert_string_equal(json_string_value(json_object_get(j, "path")),
	    "/echo");
	assert_string_equal(json_string_value(json_object_get(j, "target")),
	    "/echo?x=a%20b&y=2&x=second");
	assert_string_equal(json_string_value(json_object_get(j, "x")), "a b");
	assert_true(json_is_null(json_object_get(j, "hdr")));
	json_decref(j);

	/* Keep-alive: the same handle serves a second request. */
	assert_int_equal(http_get_json(c, "/echo", &j), 0);
	assert_string_equal(json_string_value(json_object_get(j, "target")),
	    "/echo");
	assert_true(json_is_null(json_object_get(j, "x")));
	json_decref(j);

	/* The target is sent as is, dot segments included. */
	assert_int_equal(http_get_json(c, "/a/../echo?x=1", &j), -1);
	assert_non_null(strstr(rs_err(), "HTTP 404"));
	http_client_free(c);
}

static void
test_headers_and_content_type(void **state)
{
	struct raw r;
	const char *hdrs[] = { "X-Test: hello", NULL };
	json_t *j;

	raw_request(&r, base, "GET", "/echo", NULL, 0, hdrs, 0);
	assert_int_equal(r.status, 200);
	j = json_loads((const char *)r.body.p, 0, NULL);
	assert_string_equal(json_string_value(json_object_get(j, "hdr")),
	    "hello");
	json_decref(j);
	assert_non_null(strcasestr((char *)r.hdrs.p, "Cache-Control: no-store"));
	assert_non_null(strcasestr((char *)r.hdrs.p,
	    "Content-Type: application/json"));
	raw_free(&r);

	raw_request(&r, base, "GET", "/text", NULL, 0, NULL, 0);
	assert_int_equal(r.status, 200);
	assert_string_equal((char *)r.body.p, "hello");
	assert_non_null(strcasestr((char *)r.hdrs.p, "Content-Type: text/plain"));
	assert_non_null(strcasestr((char *)r.hdrs.p, "X-Extra: yes"));
	assert_non_null(strcasestr((char *)r.hdrs.p, "X-Other: two words"));
	assert_non_null(strcasestr((char *)r.hdrs.p, "Cache-Control: no-store"));
	raw_free(&r);

	/* Handler bugs become a clean 500 with a JSON body. */
	raw_request(&r, base, "GET", "/badheader", NULL, 0, NULL, 0);
	assert_int_equal(r.status, 500);
	assert_error_body(&r, NULL);
	raw_free(&r);
	raw_request(&r, base, "GET", "/nostatus", NULL, 0, NULL, 0);
	assert_int_equal(r.status, 500);
	assert_error_contains(&r, "no valid status");
	raw_free(&r);
}

static void
test_post_json(void **state)
{
	struct http_client *c = http_client_new(base);
	const char *body = "{\"a\":[1,2,\"\xc3\xa9t\xc3\xa9\"],\"b\":null}";
	json_t *j, *want;

	assert_non_null(c);
	assert_int_equal(http_post_json(c, "/json", NULL, body, strlen(body),
	    &j), 0);
	want = json_loads(body, 0, NULL);
	assert_true(json_equal(json_object_get(j, "got"), want));
	json_decref(want);
	json_decref(j);

	/* Invalid JSON body: the handler says why. */
	assert_int_equal(http_post_json(c, "/json", NULL, "{nope", 5, &j), -1);
	assert_null(j);
	assert_non_null(strstr(rs_err(), "hub refused (HTTP 400): body is not "
	    "JSON"));

	/* A non-JSON 200 answer is an error for the JSON helper. */
	assert_int_equal(http_get_json(c, "/text", &j), -1);
	assert_non_null(strstr(rs_err(), "invalid JSON"));
	http_client_free(c);
}

static void
test_not_found(void **state)
{
	struct http_client *c = http_client_new(base);
	struct buf b = {0};
	long status = 0;
	json_t *j;

	assert_int_equal(http_call(c, "GET", "/nope?q=1", NULL, NULL, 0,
	    &status, &b), 0);
	assert_int_equal(status, 404);
	j = json_loadb((const char *)b.p, b.len, 0, NULL);
	assert_string_equal(json_string_value(json_object_get(j, "error")),
	    "no such endpoint: /nope");
	json_decref(j);
	buf_free(&b);

	assert_int_equal(http_get_json(c, "/nope", &j), -1);
	assert_string_equal(rs_err(),
	    "hub refused (HTTP 404): no such endpoint: /nope");
	assert_int_equal(http_get_json(c, "/fail", &j), -1);
	assert_string_equal(rs_err(), "hub refused (HTTP 400): bad thing: 42");
	http_client_free(c);
}

static void
test_too_large(void **state)
{
	char big[SMALL_MAX + 37], exact[SMALL_MAX + 1];
	char want[80];
	struct http_client *c = http_client_new(small_base);
	struct raw r;
	struct buf b = {0};
	long status = 0;
	int before;
	json_t *j;

	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	memset(exact, 'y', sizeof(exact) - 1);
	exact[sizeof(exact) - 1] = '\0';
	snprintf(want, sizeof(want), "request body too large (limit %d bytes)",
	    SMALL_MAX);

	/* Content-Length over the limit: 413 before the body is read. */
	before = calls();
	assert_int_equal(http_call(c, "POST", "/echo", "text/plain", big,
	    strlen(big), &status, &b), 0);
	assert_int_equal(status, 413);
	j = json_loadb((const char *)b.p, b.len, 0, NULL);
	assert_string_equal(json_string_value(json_object_get(j, "error")),
	    want);
	json_decref(j);
	buf_free(&b);
	assert_int_equal(calls(), before);

	/* The same client goes on working (MHD closed that connection). */
	assert_int_equal(http_post_json(c, "/json", NULL, "[1]", 3, &j), 0);
	json_decref(j);
	assert_int_equal(http_post_json(c, "/echo", "text/plain", exact,
	    strlen(exact), &j), 0);
	assert_int_equal(json_integer_value(json_object_get(j, "body_len")),
	    SMALL_MAX);
	json_decref(j);

	/* Chunked body, no Content-Length: discarded, then 413. */
	before = calls();
	raw_request(&r, small_base, "POST", "/echo", big, strlen(big), NULL, 1);
	assert_int_equal(r.status, 413);
	assert_error_body(&r, want);
	raw_free(&r);
	assert_int_equal(calls(), before);

	/* Chunked body within the limit arrives whole. */
	raw_request(&r, small_base, "POST", "/echo", exact, strlen(exact), NULL,
	    1);
	assert_int_equal(r.status, 200);
	j = json_loads((const char *)r.body.p, 0, NULL);
	assert_int_equal(json_integer_value(json_object_get(j, "body_len")),
	    SMALL_MAX);
	json_decref(j);
	raw_free(&r);

	/* http_get_json reports it as a refusal with the server's text. */
	assert_int_equal(http_post_json(c, "/json", NULL, big, strlen(big), &j),
	    -1);
	assert_non_null(strstr(rs_err(), "HTTP 413"));
	assert_non_null(strstr(rs_err(), want));
	http_client_free(c);
}

/* ---- signatures over HTTP -------------------------------------------- */

static void
test_signed_client(void **state)
{
	struct http_client *c = http_client_new(base);
	json_t *j;
	char first[33];

	http_client_set_signer(c, pk1, sk1);
	assert_int_equal(http_post_json(c, "/signed?after=3", NULL, "{\"m\":1}",
	    7, &j), 0);
	assert_true(json_is_true(json_object_get(j, "ok")));
	snprintf(first, sizeof(first), "%s",
	    json_string_value(json_object_get(j, "nonce")));
	json_decref(j);

	/* Each request gets a fresh nonce, so repeating it is fine. */
	assert_int_equal(http_post_json(c, "/signed?after=3", NULL, "{\"m\":1}",
	    7, &j), 0);
	assert_string_not_equal(first,
	    json_string_value(json_object_get(j, "nonce")));
	json_decref(j);

	/* GET with a query and an empty body. */
	assert_int_equal(http_get_json(c, "/signed?x=%2F&y=1", &j), 0);
	assert_int_equal(json_integer_value(json_object_get(j, "body_len")), 0);
	json_decref(j);

	/* Another key signs validly but is not trusted. */
	http_client_set_signer(c, pk2, sk2);
	assert_int_equal(http_get_json(c, "/signed", &j), -1);
	assert_string_equal(rs_err(), "hub refused (HTTP 403): unknown key");

	/* Without a signer the request is refused as unsigned. */
	http_client_set_signer(c, NULL, NULL);
	assert_int_equal(http_get_json(c, "/signed", &j), -1);
	assert_non_null(strstr(rs_err(), "HTTP 401"));
	assert_non_null(strstr(rs_err(), "not signed"));
	http_client_free(c);
}

static void
test_signed_tampering(void **state)
{
	struct httpsig_headers hs;
	struct raw r;
	int64_t now = now_ms() / 1000;
	const char *body = "{\"to\":\"XB\"}";

	/* Good signature passes, once. */
	httpsig_sign(&hs, "POST", "/signed?a=1", body, strlen(body), now, pk1,
	    sk1);
	raw_signed(&r, "POST", "/signed?a=1", body, &hs);
	assert_int_equal(r.status, 200);
	raw_free(&r);

	/* Replayed nonce (the very same request again). */
	raw_signed(&r, "POST", "/signed?a=1", body, &hs);
	assert_int_equal(r.status, 409);
	assert_error_body(&r, "nonce replayed");
	raw_free(&r);

	/* Tampered body. */
	httpsig_sign(&hs, "POST", "/signed?a=1", body, strlen(body), now, pk1,
	    sk1);
	raw_signed(&r, "POST", "/signed?a=1", "{\"to\":\"XC\"}", &hs);
	assert_int_equal(r.status, 401);
	assert_error_contains(&r, "Content-Digest");
	raw_free(&r);

	/* Tampered target. */
	raw_signed(&r, "POST", "/signed?a=2", body, &hs);
	assert_int_equal(r.status, 401);
	assert_error_contains(&r, "does not verify");
	raw_free(&r);

	/* Tampered method. */
	raw_signed(&r, "PUT", "/signed?a=1", body, &hs);
	assert_int_equal(r.status, 401);
	raw_free(&r);

	/* Wrong key: signed by key 2, claiming key 1. */
	httpsig_sign(&hs, "POST", "/signed", body, strlen(body), now, pk1, sk2);
	raw_signed(&r, "POST", "/signed", body, &hs);
	assert_int_equal(r.status, 401);
	assert_error_contains(&r, "does not verify");
	raw_free(&r);

	/* Old timestamp, and one from the future. */
	httpsig_sign(&hs, "POST", "/signed", body, strlen(body),
	    now - HTTPSIG_WINDOW_S - 60, pk1, sk1);
	raw_signed(&r, "POST", "/signed", body, &hs);
	assert_int_equal(r.status, 401);
	assert_error_contains(&r, "too old");
	raw_free(&r);
	httpsig_sign(&hs, "POST", "/signed", body, strlen(body),
	    now + HTTPSIG_WINDOW_S + 60, pk1, sk1);
	raw_signed(&r, "POST", "/signed", body, &hs);
	assert_int_equal(r.status, 401);
	assert_error_contains(&r, "from the future");
	raw_free(&r);

	/* Missing headers. */
	raw_request(&r, base, "POST", "/signed", body, strlen(body), NULL, 0);
	assert_int_equal(r.status, 401);
	assert_error_contains(&r, "not signed");
	raw_free(&r);
}

/* ---- client failures ------------------------------------------------- */

static uint16_t
closed_port(void)
{
	struct sockaddr_in a;
	socklen_t alen = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	assert_true(fd >= 0);
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &alen), 0);
	close(fd);
	return ntohs(a.sin_port);
}

static void
test_closed_port(void **state)
{
	char url[64], want[128];
	struct http_client *c;
	json_t *j;

	snprintf(url, sizeof(url), "http://127.0.0.1:%u/", closed_port());
	c = http_client_new(url);
	assert_non_null(c);
	url[strlen(url) - 1] = '\0';
	assert_string_equal(http_client_base(c), url);
	assert_int_equal(http_get_json(c, "/v1/checkpoint", &j), -1);
	assert_null(j);
	snprintf(want, sizeof(want), "cannot reach hub at %s: Connection "
	    "refused", url);
	assert_string_equal(rs_err(), want);
	http_client_free(c);
}

static void
test_client_rejects(void **state)
{
	struct http_client *c;
	struct buf b = {0};
	long status;

	assert_null(http_client_new("ftp://127.0.0.1/"));
	assert_non_null(strstr(rs_err(), "invalid hub URL"));
	assert_null(http_client_new("http://"));
	assert_null(http_client_new("127.0.0.1:8443"));
	assert_null(http_client_new("http://a b"));
	assert_null(http_client_new(NULL));

	c = http_client_new(base);
	assert_int_equal(http_call(c, "GET", "echo", NULL, NULL, 0, &status,
	    &b), -1);
	assert_int_equal(http_call(c, "GET", "/echo x", NULL, NULL, 0, &status,
	    &b), -1);
	assert_int_equal(http_call(c, "GET", "/echo#frag", NULL, NULL, 0,
	    &status, &b), -1);
	assert_int_equal(http_call(c, "GET", "/echo\r\nX: y", NULL, NULL, 0,
	    &status, &b), -1);
	assert_int_equal(http_call(c, "G ET", "/echo", NULL, NULL, 0, &status,
	    &b), -1);
	assert_int_equal(http_call(c, "POST", "/echo", "text/plain\r\nX: y",
	    "a", 1, &status, &b), -1);
	assert_int_equal(b.len, 0);
	buf_free(&b);
	http_client_free(c);
}

static void
test_response_cap(void **state)
{
	struct http_client *c = http_client_new(base);
	struct buf b = {0};
	long status = 0;

	buf_addstr(&b, "keep");
	http_client_set_max_response(c, 1000);
	assert_int_equal(http_call(c, "GET", "/big", NULL, NULL, 0, &status,
	    &b), -1);
	assert_non_null(strstr(rs_err(), "larger than 1000 bytes"));
	assert_int_equal(b.len, 4);	/* nothing half-appended */

	http_client_set_max_response(c, 0);	/* back to the default */
	assert_int_equal(http_call(c, "GET", "/big", NULL, NULL, 0, &status,
	    &b), 0);
	assert_int_equal(status, 200);
	assert_int_equal(b.len, 5004);
	buf_free(&b);
	http_client_free(c);
}

/* ---- server start-up and robustness ---------------------------------- */

static void
test_listen_errors(void **state)
{
	char addr[64], want[128];
	struct http_server *s;

	assert_null(http_server_start("nonsense", 100, 1, handler, &T));
	assert_non_null(strstr(rs_err(), "invalid listen address"));
	assert_null(http_server_start("127.0.0.1:65536", 100, 1, handler, &T));
	assert_null(http_server_start("127.0.0.1:", 100, 1, handler, &T));
	assert_null(http_server_start(":80", 100, 1, handler, &T));
	assert_null(http_server_start("localhost:80", 100, 1, handler, &T));
	assert_null(http_server_start("[::1:80", 100, 1, handler, &T));
	assert_null(http_server_start("[::1]80", 100, 1, handler, &T));
	assert_null(http_server_start("127.0.0.1:8x", 100, 1, handler, &T));
	assert_null(http_server_start(NULL, 100, 1, handler, &T));

	snprintf(addr, sizeof(addr), "127.0.0.1:%u", http_server_port(srv));
	s = http_server_start(addr, 100, 1, handler, &T);
	assert_null(s);
	snprintf(want, sizeof(want), "cannot listen on %s: Address already in "
	    "use", addr);
	assert_string_equal(rs_err(), want);
}

static void
test_ipv6(void **state)
{
	struct http_server *s = http_server_start("[::1]:0", 1000, 1, handler,
	    &T);
	struct http_client *c;
	char url[64];
	json_t *j;

	if (s == NULL) {
		print_message("no IPv6 loopback here (%s)\n", rs_err());
		skip();
	}
	snprintf(url, sizeof(url), "http://[::1]:%u", http_server_port(s));
	c = http_client_new(url);
	assert_int_equal(http_get_json(c, "/echo?x=6", &j), 0);
	assert_string_equal(json_string_value(json_object_get(j, "x")), "6");
	json_decref(j);
	http_client_free(c);
	http_server_stop(s);
}

/* Sends raw bytes on a fresh connection and reads whatever comes back
 * until the server closes or a second passes. */
static void
raw_socket(const char *data, size_t len, char *reply, size_t replymax)
{
	struct sockaddr_in a;
	struct timeval tv = { 1, 0 };
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	size_t got = 0, sent = 0;
	ssize_t n;

	assert_true(fd >= 0);
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_port = htons(http_server_port(srv));
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(connect(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv,
	    sizeof(tv)), 0);
	assert_int_equal(setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv,
	    sizeof(tv)), 0);
	/* The server may close early on bad input: stop sending then. */
	while (sent < len && (n = send(fd, data + sent, len - sent,
	    MSG_NOSIGNAL)) > 0)
		sent += (size_t)n;
	while (got + 1 < replymax &&
	    (n = recv(fd, reply + got, replymax - 1 - got, 0)) > 0)
		got += (size_t)n;
	reply[got] = '\0';
	close(fd);
}

static void
test_malformed_requests(void **state)
{
	static const char *bad[] = {
		"GARBAGE\r\n\r\n",
		"GET\r\n\r\n",
		"GET /echo HTTP/1.1\r\nno colon\r\n\r\n",
		"GET /echo HTTP/9.9\r\nHost: x\r\n\r\n",
		"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n",
		"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: "
		    "99999999999999999999999\r\n\r\n",
		"POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked"
		    "\r\n\r\nzz\r\nabc\r\n0\r\n\r\n",
		"GET /echo?x=%zz%00&&=&y HTTP/1.1\r\nHost: x\r\n"
		    "Connection: close\r\n\r\n",
		"GET /ec%00ho HTTP/1.1\r\nHost: x\r\n\r\n",
		"\r\n\r\n\r\n",
		"GET /echo HTTP/1.1\r\nHost: x\r\n",	/* truncated */
	};
	char reply[4096];
	struct http_client *c = http_client_new(base);
	json_t *j;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		raw_socket(bad[i], strlen(bad[i]), reply, sizeof(reply));

	/* A header block bigger than MHD's per-connection memory. */
	struct buf huge = {0};
	buf_addstr(&huge, "GET /echo HTTP/1.1\r\nHost: x\r\nX-Big: ");
	for (int i = 0; i < 100000; i++)
		buf_add(&huge, "a", 1);
	buf_addstr(&huge, "\r\n\r\n");
	raw_socket((char *)huge.p, huge.len, reply, sizeof(reply));
	print_message("huge header block: %.40s\n", reply);
	buf_free(&huge);

	/* Odd query strings reach the handler intact. */
	raw_socket(bad[7], strlen(bad[7]), reply, sizeof(reply));
	assert_non_null(strstr(reply, "\"target\":\"/echo?x=%zz%00&&=&y\""));

	/* The server is still alive. */
	assert_int_equal(http_get_json(c, "/echo", &j), 0);
	json_decref(j);
	http_client_free(c);
}

struct hammer {
	int ok;
};

static void *
hammer_thread(void *arg)
{
	struct hammer *h = arg;
	struct http_client *c = http_client_new(base);

	http_client_set_signer(c, pk1, sk1);
	for (int i = 0; i < 25; i++) {
		json_t *j;
		if (http_post_json(c, "/signed", NULL, "{}", 2, &j) == 0) {
			h->ok++;
			json_decref(j);
		}
	}
	http_client_free(c);
	return NULL;
}

static void
test_concurrent(void **state)
{
	pthread_t t[4];
	struct hammer h[4];

	memset(h, 0, sizeof(h));
	for (int i = 0; i < 4; i++)
		assert_int_equal(pthread_create(&t[i], NULL, hammer_thread,
		    &h[i]), 0);
	for (int i = 0; i < 4; i++) {
		assert_int_equal(pthread_join(t[i], NULL), 0);
		assert_int_equal(h[i].ok, 25);
	}
}

/* ---- httpsig without HTTP -------------------------------------------- */

static void
test_sign_format(void **state)
{
	struct httpsig_headers hs;
	uint8_t key[32], sig[64], h[32];
	char nonce[33], keyhex[65], want[512], *b64;
	struct buf base_str = {0}, sigb = {0};
	const char *body = "{}";

	httpsig_sign(&hs, "POST", "/v1/mail?after=3", body, 2, 1700000000,
	    pk1, sk1);
	sodium_bin2hex(keyhex, sizeof(keyhex), pk1, 32);
	assert_int_equal(strlen(hs.input), strlen("sig1=(\"@method\" "
	    "\"@target-uri\" \"content-digest\");created=1700000000;keyid=\"\""
	    ";nonce=\"\";alg=\"ed25519\"") + 64 + 32);
	assert_int_equal(httpsig_verify("POST", "/v1/mail?after=3", body, 2,
	    hs.digest, hs.input, hs.signature, 1700000000, key, nonce), 0);
	assert_memory_equal(key, pk1, 32);
	assert_int_equal(strlen(nonce), 32);

	/* Rebuild the signature base by hand, byte for byte as documented. */
	sha256(h, body, 2);
	b64 = b64_encode(h, 32);
	snprintf(want, sizeof(want), "sha-256=:%s:", b64);
	assert_string_equal(hs.digest, want);
	snprintf(want, sizeof(want), "sig1=(\"@method\" \"@target-uri\" "
	    "\"content-digest\");created=1700000000;keyid=\"%s\";nonce=\"%s\";"
	    "alg=\"ed25519\"", keyhex, nonce);
	assert_string_equal(hs.input, want);
	buf_printf(&base_str, "\"@method\": POST\n\"@target-uri\": "
	    "/v1/mail?after=3\n\"content-digest\": sha-256=:%s:\n"
	    "\"@signature-params\": %s", b64, hs.input + 5);
	assert_int_equal(strncmp(hs.signature, "sig1=:", 6), 0);
	assert_int_equal(b64_decode(&sigb, hs.signature + 6,
	    strlen(hs.signature) - 7), 0);
	assert_int_equal(sigb.len, 64);
	memcpy(sig, sigb.p, 64);
	assert_int_equal(crypto_sign_verify_detached(sig, base_str.p,
	    base_str.len, pk1), 0);
	free(b64);
	buf_free(&base_str);
	buf_free(&sigb);
}

static void
test_verify_window(void **state)
{
	struct httpsig_headers hs;
	uint8_t key[32];
	char nonce[33];
	const int64_t t0 = 1700000000;

	httpsig_sign(&hs, "GET", "/x", NULL, 0, t0, pk1, sk1);
	assert_int_equal(httpsig_verify("GET", "/x", NULL, 0, hs.digest,
	    hs.input, hs.signature, t0 + HTTPSIG_WINDOW_S, key, nonce), 0);
	assert_int_equal(httpsig_verify("GET", "/x", "", 0, hs.digest,
	    hs.input, hs.signature, t0 - HTTPSIG_WINDOW_S, key, nonce), 0);
	assert_int_equal(httpsig_verify("GET", "/x", NULL, 0, hs.digest,
	    hs.input, hs.signature, t0 + HTTPSIG_WINDOW_S + 1, key, nonce), -1);
	assert_non_null(strstr(rs_err(), "too old"));
	assert_int_equal(httpsig_verify("GET", "/x", NULL, 0, hs.digest,
	    hs.input, hs.signature, t0 - HTTPSIG_WINDOW_S - 1, key, nonce), -1);
	assert_non_null(strstr(rs_err(), "future"));
	assert_int_equal(httpsig_verify("GET", "/x", NULL, 0, hs.digest,
	    hs.input, hs.signature, INT64_MIN, key, nonce), -1);
	assert_int_equal(httpsig_verify("GET", "/x", NULL, 0, hs.digest,
	    hs.input, hs.signature, INT64_MAX, key, nonce), -1);
	/* Method and target that would smuggle lines into the base. */
	assert_int_equal(httpsig_verify("GET", "/x\n\"@method\": GET", NULL, 0,
	    hs.digest, hs.input, hs.signature, t0, key, nonce), -1);
	assert_int_equal(httpsig_verify("", "/x", NULL, 0, hs.digest, hs.input,
	    hs.signature, t0, key, nonce), -1);
}

/* Replaces the first occurrence of from in s by to. */
static void
subst(char *out, size_t outsz, const char *s, const char *from,
    const char *to)
{
	const char *p = strstr(s, from);

	assert_non_null(p);
	snprintf(out, outsz, "%.*s%s%s", (int)(p - s), s, to, p + strlen(from));
}

static void
test_verify_garbage(void **state)
{
	struct httpsig_headers hs;
	uint8_t key[32];
	char nonce[33], m[600], keyhex[65], up[65];
	const int64_t t0 = 1700000000;
	char ok_in[400], ok_dg[80], ok_sg[128];

	httpsig_sign(&hs, "POST", "/t", "b", 1, t0, pk1, sk1);
	memcpy(ok_in, hs.input, sizeof(ok_in));
	memcpy(ok_dg, hs.digest, sizeof(ok_dg));
	memcpy(ok_sg, hs.signature, sizeof(ok_sg));
	assert_int_equal(httpsig_verify("POST", "/t", "b", 1, ok_dg, ok_in,
	    ok_sg, t0, key, nonce), 0);
	sodium_bin2hex(keyhex, sizeof(keyhex), pk1, 32);
	for (int i = 0; i < 64; i++)
		up[i] = (char)(keyhex[i] >= 'a' ? keyhex[i] - 32 : keyhex[i]);
	up[64] = '\0';

	/* Missing headers. */
	assert_int_equal(httpsig_verify("POST", "/t", "b", 1, NULL, ok_in,
	    ok_sg, t0, key, nonce), -1);
	assert_non_null(strstr(rs_err(), "not signed"));
	assert_int_equal(httpsig_verify("POST", "/t", "b", 1, ok_dg, NULL,
	    ok_sg, t0, key, nonce), -1);
	assert_int_equal(httpsig_verify("POST", "/t", "b", 1, ok_dg, ok_in,
	    NULL, t0, key, nonce), -1);
	assert_int_equal(httpsig_verify(NULL, "/t", "b", 1, ok_dg, ok_in,
	    ok_sg, t0, key, nonce), -1);
	assert_int_equal(httpsig_verify("POST", NULL, "b", 1, ok_dg, ok_in,
	    ok_sg, t0, key, nonce), -1);

	static const char *digests[] = {
		"", "sha-256=", "sha-256=::", "sha-512=:AAAA:", "sha-256=:!!!:",
		"sha-256=:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=:x",
		"sha-256=:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
		"sha-256=:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA==:",
		"sha-256=:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAB=:",
		"SHA-256=:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=:",
		" sha-256=:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=:",
	};
	for (size_t i = 0; i < sizeof(digests) / sizeof(digests[0]); i++) {
		rs_seterr("%s", "");
		assert_int_equal(httpsig_verify("POST", "/t", "b", 1,
		    digests[i], ok_in, ok_sg, t0, key, nonce), -1);
		assert_non_null(strstr(rs_err(), "Content-Digest"));
	}
	/* A well-formed digest of other bytes. */
	httpsig_sign(&hs, "POST", "/t", "c", 1, t0, pk1, sk1);
	assert_int_equal(httpsig_verify("POST", "/t", "b", 1, hs.digest,
	    ok_in, ok_sg, t0, key, nonce), -1);
	assert_non_null(strstr(rs_err(), "does not match"));

	static const char *sigs[] = {
		"", "sig1=", "sig1=::", "sig2=:AAAA:", "sig1=:AAAA:",
		"sig1=:%%%%:", ("sig1=:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
		    "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA==:"),
	};
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
		assert_int_equal(httpsig_verify("POST", "/t", "b", 1, ok_dg,
		    ok_in, sigs[i], t0, key, nonce), -1);
		assert_true(strlen(rs_err()) > 10);
	}

	/* Signature-Input variations: each must fail with a sentence. */
	struct { const char *from, *to; } edits[] = {
		{ "sig1=", "sig2=" },
		{ "sig1=", "" },
		{ "(\"@method\" \"@target-uri\" \"content-digest\")",
		    "(\"@method\" \"@target-uri\")" },
		{ "(\"@method\" \"@target-uri\" \"content-digest\")",
		    "(\"@target-uri\" \"@method\" \"content-digest\")" },
		{ "(\"@method\"", "(\"@method\"  " },
		{ ";created=1700000000", ";created=" },
		{ ";created=1700000000", ";created=-1700000000" },
		{ ";created=1700000000", ";created=+1700000000" },
		{ ";created=1700000000", ";created=01700000000" },
		{ ";created=1700000000", ";created=1700000000.5" },
		{ ";created=1700000000", ";created=99999999999999999999999" },
		{ ";created=1700000000", ";created=\"1700000000\"" },
		{ ";created=1700000000", "" },
		{ keyhex, up },
		{ keyhex, "abcd" },
		{ keyhex + 1, "" },
		{ "\";nonce", "0\";nonce" },
		{ ";keyid=", ";kid=" },
		{ ";nonce=\"", ";nonce=\"x" },
		{ ";nonce=\"", ";nonce=\"0" },
		{ "\";alg", "00\";alg" },
		{ ";alg=\"ed25519\"", ";alg=\"rsa-pss-sha512\"" },
		{ ";alg=\"ed25519\"", "" },
		{ ";alg=\"ed25519\"", ";alg=\"ed25519\";x=1" },
		{ ";alg=\"ed25519\"", ";alg=\"ed25519\" " },
		{ ";alg=\"ed25519\"", ";alg=\"ed25519\"\n" },
		{ ";created", " ;created" },
	};
	for (size_t i = 0; i < sizeof(edits) / sizeof(edits[0]); i++) {
		subst(m, sizeof(m), ok_in, edits[i].from, edits[i].to);
		rs_seterr("%s", "");
		if (httpsig_verify("POST", "/t", "b", 1, ok_dg, m, ok_sg, t0,
		    key, nonce) != -1)
			fail_msg("accepted Signature-Input %s", m);
		assert_true(strlen(rs_err()) > 10);
	}
	/* Another spelling of the same bytes: libsodium's decoder reads any
	 * byte >= 0x80 as '/', the verifier must not. */
	for (int tries = 0; tries < 100; tries++) {
		char *slash;
		httpsig_sign(&hs, "POST", "/t", "b", 1, t0, pk1, sk1);
		slash = strchr(hs.signature + 6, '/');
		if (slash == NULL)
			continue;
		*slash = (char)0xc0;
		assert_int_equal(httpsig_verify("POST", "/t", "b", 1,
		    hs.digest, hs.input, hs.signature, t0, key, nonce), -1);
		assert_non_null(strstr(rs_err(), "malformed Signature"));
		break;
	}

	/* Garbage of every kind. */
	static const char *junk[] = {
		"", "sig1", "sig1=(", "sig1=()", "\xff\xfe", "sig1=(\"@method\"",
		"sig1=(\"@method\" \"@target-uri\" \"content-digest\");created=1",
	};
	for (size_t i = 0; i < sizeof(junk) / sizeof(junk[0]); i++)
		assert_int_equal(httpsig_verify("POST", "/t", "b", 1, junk[i],
		    junk[i], junk[i], t0, key, nonce), -1);
	for (size_t i = 0; i < sizeof(junk) / sizeof(junk[0]); i++)
		assert_int_equal(httpsig_verify("POST", "/t", "b", 1, ok_dg,
		    junk[i], ok_sg, t0, key, nonce), -1);
}

/* ---- nonce cache ----------------------------------------------------- */

static void
test_nonce_cache(void **state)
{
	struct nonce_cache *c = nonce_cache_new();
	const int64_t t0 = 1700000000;
	char n[33];

	assert_non_null(c);
	assert_int_equal(nonce_seen(c, "aa", t0), 0);
	assert_int_equal(nonce_seen(c, "aa", t0), 1);
	assert_int_equal(nonce_seen(c, "aa", t0 + 2 * HTTPSIG_WINDOW_S), 1);
	assert_int_equal(nonce_seen(c, "bb", t0 + 1), 0);
	/* "aa" expires after twice the window; "bb" a second later. */
	assert_int_equal(nonce_seen(c, "aa", t0 + 2 * HTTPSIG_WINDOW_S + 1), 0);
	assert_int_equal(nonce_seen(c, "bb", t0 + 2 * HTTPSIG_WINDOW_S + 1), 1);
	assert_int_equal(nonce_seen(NULL, "x", t0), 1);
	assert_int_equal(nonce_seen(c, NULL, t0), 1);

	/* Many nonces: the index grows and every one is remembered. */
	for (int i = 0; i < 100000; i++) {
		snprintf(n, sizeof(n), "%032x", i);
		assert_int_equal(nonce_seen(c, n, t0 + 700), 0);
	}
	for (int i = 0; i < 100000; i += 7) {
		snprintf(n, sizeof(n), "%032x", i);
		assert_int_equal(nonce_seen(c, n, t0 + 700), 1);
	}
	/* All of them expire together. */
	for (int i = 0; i < 100000; i += 1000) {
		snprintf(n, sizeof(n), "%032x", i);
		assert_int_equal(nonce_seen(c, n, t0 + 700 + 601), 0);
	}
	nonce_cache_free(c);
}

static void
test_nonce_cache_bound(void **state)
{
	struct nonce_cache *c = nonce_cache_new_bounded(1000);
	const int64_t t0 = 1700000000;
	char n[33];

	for (int i = 0; i < 5000; i++) {
		snprintf(n, sizeof(n), "%032x", i);
		assert_int_equal(nonce_seen(c, n, t0), 0);
	}
	/* The newest 1000 are remembered... */
	for (int i = 4000; i < 5000; i++) {
		snprintf(n, sizeof(n), "%032x", i);
		assert_int_equal(nonce_seen(c, n, t0), 1);
	}
	/* ...the oldest were forgotten, and re-adding evicts in order. */
	for (int i = 0; i < 500; i++) {
		snprintf(n, sizeof(n), "%032x", i);
		assert_int_equal(nonce_seen(c, n, t0), 0);
	}
	for (int i = 4500; i < 5000; i++) {
		snprintf(n, sizeof(n), "%032x", i);
		assert_int_equal(nonce_seen(c, n, t0), 1);
	}
	nonce_cache_free(c);
}

struct nc_arg {
	struct nonce_cache *c;
	int id, fresh;
};

static void *
nc_thread(void *p)
{
	struct nc_arg *a = p;
	char n[33];

	for (int i = 0; i < 20000; i++) {
		/* Threads overlap on half of their nonces. */
		snprintf(n, sizeof(n), "%08x%024x", i % 2 ? a->id : 0xffff, i);
		a->fresh += nonce_seen(a->c, n, 1700000000) == 0;
	}
	return NULL;
}

static void
test_nonce_cache_threads(void **state)
{
	struct nc_arg a[4];
	pthread_t t[4];
	int fresh = 0;

	a[0].c = nonce_cache_new();
	for (int i = 0; i < 4; i++) {
		a[i].c = a[0].c;
		a[i].id = i;
		a[i].fresh = 0;
		assert_int_equal(pthread_create(&t[i], NULL, nc_thread, &a[i]),
		    0);
	}
	for (int i = 0; i < 4; i++) {
		assert_int_equal(pthread_join(t[i], NULL), 0);
		fresh += a[i].fresh;
	}
	/* 4 x 10000 private odd ones, 10000 shared even ones, each new once. */
	assert_int_equal(fresh, 4 * 10000 + 10000);
	nonce_cache_free(a[0].c);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_get_query),
		cmocka_unit_test(test_headers_and_content_type),
		cmocka_unit_test(test_post_json),
		cmocka_unit_test(test_not_found),
		cmocka_unit_test(test_too_large),
		cmocka_unit_test(test_signed_client),
		cmocka_unit_test(test_signed_tampering),
		cmocka_unit_test(test_closed_port),
		cmocka_unit_test(test_client_rejects),
		cmocka_unit_test(test_response_cap),
		cmocka_unit_test(test_listen_errors),
		cmocka_unit_test(test_ipv6),
		cmocka_unit_test(test_malformed_requests),
		cmocka_unit_test(test_concurrent),
		cmocka_unit_test(test_sign_format),
		cmocka_unit_test(test_verify_window),
		cmocka_unit_test(test_verify_garbage),
		cmocka_unit_test(test_nonce_cache),
		cmocka_unit_test(test_nonce_cache_bound),
		cmocka_unit_test(test_nonce_cache_threads),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
