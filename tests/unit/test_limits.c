/*
 * test_limits.c - what keeps one device from degrading the hub for the
 * others (docs/protocol.md section 9): payload limits by kind, public
 * payloads of the exact shape of their kind, recipients that are current
 * devices, listing pages bounded in bytes.
 *
 * What it tries to break: promise 9, with the floods.  A 15 MB
 * random cosign and answers of a few MB are refused (413) before they
 * reach the log; a cosign that is not an operator's checkpoint, an answer
 * that is not {} (400); a message to a revoked or expired device (403); and
 * a run of 1 MiB messages is served in pages of at most 4 MiB, each with at
 * least one record.  Every refusal leaves the log as it was.
 *
 * Uses the fixture of tests/unit/hubfx.h.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "hubfx.h"
#include "kinds.h"

#include <poll.h>

static uint64_t
log_size(struct hubfx *f)
{
	json_t *ans;
	uint64_t n;

	assert_int_equal(get(f, "/v1/info", &ans), 200);
	n = (uint64_t)json_integer_value(json_object_get(ans, "size"));
	json_decref(ans);
	return n;
}

/* The next envelope of device i's chain: header h (stolen), payload of len
 * bytes. */
static void
make_sized(struct buf *out, struct hubfx *f, int i, json_t *h, const void *p,
    size_t len)
{
	json_object_set_new(h, "state", json_string("XA"));
	json_object_set_new(h, "seq", json_integer(f->dev[i].seq + 1));
	if (f->dev[i].seq > 0)
		json_object_set_new(h, "prev", jhex(f->dev[i].last, 32));
	assert_int_equal(env_build(out, h, p, len, f->dev[i].k->pk,
	    f->dev[i].k->sk), 0);
	json_decref(h);
}

static json_t *
msg_header(struct hubfx *f, int j)
{
	return json_pack("{s:s,s:[s],s:[o],s:s}", "kind", "msg", "to", "XA",
	    "rcpt", jhex(f->dev[j].k->pk, 32), "urgency", "routine");
}

/* Refused with want, the error naming needle, nothing appended. */
static void
refused(struct hubfx *f, const struct buf *env, long want, const char *needle)
{
	uint64_t before = log_size(f);
	json_t *ans = refuse_one(f, env, want);

	if (strstr(jstr(ans, "error"), needle) == NULL)
		fail_msg("error \"%s\" does not mention \"%s\"", jstr(ans, "error"),
		    needle);
	json_decref(ans);
	assert_true(log_size(f) == before);
}

static void
test_payload_limits(void **state)
{
	struct hubfx *f = *state;
	size_t big = 15u << 20;
	uint8_t *junk = xmalloc(big);
	uint8_t cid[32];
	struct buf m = {0};

	randombytes_buf(junk, big);
	/* msg: 1 MiB is the most. */
	make_sized(&m, f, 0, msg_header(f, 1), junk, 1048577);
	refused(f, &m, 413, "at most 1048576 bytes");
	buf_free(&m);
	make_sized(&m, f, 0, msg_header(f, 1), junk, 1048576);
	accept_one(f, &m);
	advance(f, 0, &m);
	buf_free(&m);
	/* The cosign: 15 MB of random bytes. */
	make_sized(&m, f, 1, json_pack("{s:s}", "kind", "cosign"), junk, big);
	refused(f, &m, 413, "cosign payload may have at most 4096 bytes");
	buf_free(&m);
	/* A check answer of 15 MB, and of just over 16 KiB. */
	memset(cid, 7, 32);
	make_sized(&m, f, 2, checkrec_answer_header(cid), junk, big);
	refused(f, &m, 413, "ack payload");
	buf_free(&m);
	make_sized(&m, f, 2, checkrec_answer_header(cid), junk, 16385);
	refused(f, &m, 413, "16384");
	buf_free(&m);
	/* A mail ack over 16 KiB. */
	make_sized(&m, f, 1, json_pack("{s:s,s:s,s:s,s:[o]}", "kind", "ack", "ref",
	    "00", "status", "delivered", "rcpt", jhex(f->dev[0].k->pk, 32)), junk, 16385);
	refused(f, &m, 413, "ack payload");
	buf_free(&m);
	/* A check over 32 KiB. */
	make_sized(&m, f, 0, json_pack("{s:s,s:[s],s:[o],s:I}", "kind", "check",
	    "to", "XA", "rcpt", jhex(f->dev[1].k->pk, 32), "deadline",
	    (json_int_t)(now_ms() + 3600000)), junk, 32769);
	refused(f, &m, 413, "32768");
	buf_free(&m);
	/* A certificate over 16 KiB. */
	json_t *h = json_pack("{s:s,s:s}", "kind", "cert", "state", "XA");
	assert_int_equal(env_build(&m, h, junk, 16385, f->root->pk, f->root->sk), 0);
	json_decref(h);
	refused(f, &m, 413, "cert payload");
	buf_free(&m);
	/* The chains were not moved by any of it. */
	send_msg(f, 0, 1);
	send_msg(f, 1, 0);
	send_msg(f, 2, 0);
	free(junk);
}

static void
test_public_shapes(void **state)
{
	struct hubfx *f = *state;
	struct keypair *other = keypair_new(NULL, 0);
	uint8_t junk[4000], root[32] = {0};
	struct checkpoint c;
	struct buf m = {0};
	json_t *j;
	char *p;

	randombytes_buf(junk, sizeof(junk));
	/* A cosign of random bytes under the limit. */
	make_sized(&m, f, 1, json_pack("{s:s}", "kind", "cosign"), junk, sizeof(junk));
	refused(f, &m, 400, "cosign payload must be a JSON object");
	buf_free(&m);
	/* A cosign of a checkpoint the operator did not sign. */
	checkpoint_make(&c, "Test hub", 4, root, now_ms(), 0, root, other->sk);
	j = checkpoint_json(&c);
	p = jdump(j);
	make_sized(&m, f, 1, json_pack("{s:s}", "kind", "cosign"), p, strlen(p));
	refused(f, &m, 400, "not a checkpoint the operator signed");
	buf_free(&m);
	free(p);
	/* ... or with something besides. */
	json_object_set_new(j, "note", json_string("stuffing"));
	p = jdump(j);
	make_sized(&m, f, 1, json_pack("{s:s}", "kind", "cosign"), p, strlen(p));
	refused(f, &m, 400, "\"note\"");
	buf_free(&m);
	free(p);
	json_decref(j);
	checkpoint_free(&c);
	/* Answers whose payload is not exactly {}. */
	const char *answers[] = { "{\"x\":1}", "[]", "{\"note\":\"hi\"}", "null", NULL };
	uint8_t cid[32];
	memset(cid, 9, 32);
	for (int i = 0; answers[i] != NULL; i++) {
		make_sized(&m, f, 2, checkrec_answer_header(cid), answers[i],
		    strlen(answers[i]));
		refused(f, &m, 400, "check answer payload");
		buf_free(&m);
	}
	/* A check with a field besides its text, and with a text too long. */
	char *longtext = xcalloc(1, CHECK_MAX_TEXT + 2);
	memset(longtext, 'a', CHECK_MAX_TEXT + 1);
	json_t *bad[] = {
		json_pack("{s:{s:s},s:s}", "text", "en", "Hello", "extra", "x"),
		json_pack("{s:{s:s}}", "text", "en", longtext),
		json_pack("{s:{}}", "text"),
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		p = jdump(bad[i]);
		make_sized(&m, f, 0, json_pack("{s:s,s:[s],s:[o],s:I}", "kind", "check",
		    "to", "XA", "rcpt", jhex(f->dev[1].k->pk, 32), "deadline",
		    (json_int_t)(now_ms() + 3600000)), p, strlen(p));
		refused(f, &m, 400, "check");
		buf_free(&m);
		free(p);
		json_decref(bad[i]);
	}
	free(longtext);
	/* A certificate carrying a field a certificate does not carry. */
	struct keypair *d = keypair_new("XA", 1);
	make_cert(&m, f->root, d);
	buf_free(&m);
	struct buf pop = {0};
	uint8_t sig[64];
	dir_pop_message(&pop, "XA", d->pk, d->box_pk);
	crypto_sign_detached(sig, NULL, pop.p, pop.len, d->sk);
	build(&m, json_pack("{s:s, s:s}", "kind", "cert", "state", "XA"),
	    json_pack("{s:s,s:o,s:o,s:s,s:s,s:s,s:o,s:s}", "state", "XA", "device",
	    jhex(d->pk, 32), "box_key", jhex(d->box_pk, 32), "role", "technical",
	    "name", "POC", "email", "poc@example.org", "pop", jb64(sig, 64),
	    "stuffing", "x"), f->root);
	refused(f, &m, 400, "\"stuffing\"");
	buf_free(&m);
	buf_free(&pop);
	keypair_free(d);
	keypair_free(other);
	/* And the good ones still pass. */
	send_msg(f, 0, 1);
	send_msg(f, 1, 0);
	send_msg(f, 2, 0);
}

/* A message to a device that is no longer current is refused: revoked,
 * or past its certificate's expiry. */
static void
test_revoked_recipient(void **state)
{
	struct hubfx *f = *state;
	struct keypair *shortlived = keypair_new("XA", 1);
	struct buf m = {0}, r = {0};
	int64_t seq;

	send_msg(f, 0, 2);		/* to device 2 while current: fine */
	build(&r, json_pack("{s:s, s:s}", "kind", "revoke", "state", "XA"),
	    json_pack("{s:o}", "device", jhex(f->dev[2].k->pk, 32)), f->root);
	accept_one(f, &r);
	buf_free(&r);
	make_msg(&m, f, 0, 2);
	refused(f, &m, 403, "recipient 0 is not a current device");
	buf_free(&m);
	/* An ack to it as well. */
	make_sized(&m, f, 1, json_pack("{s:s,s:s,s:s,s:[o]}", "kind", "ack", "ref",
	    "00", "status", "delivered", "rcpt", jhex(f->dev[2].k->pk, 32)), "x", 1);
	refused(f, &m, 403, "recipient 0 is not a current device");
	buf_free(&m);
	/* A device whose certificate expired. */
	make_cert_until(&r, f->root, shortlived, now_ms() + 1500);
	accept_one(f, &r);
	buf_free(&r);
	sleep_ms(1700);
	seq = f->dev[0].seq;
	json_t *h = json_pack("{s:s,s:s,s:I,s:[s],s:[o],s:s}", "kind", "msg",
	    "state", "XA", "seq", (json_int_t)seq + 1, "to", "XA", "rcpt",
	    jhex(shortlived->pk, 32), "urgency", "routine");
	json_object_set_new(h, "prev", jhex(f->dev[0].last, 32));
	assert_int_equal(env_build(&m, h, "x", 1, f->dev[0].k->pk, f->dev[0].k->sk), 0);
	json_decref(h);
	refused(f, &m, 403, "recipient 0 is not a current device");
	buf_free(&m);
	send_msg(f, 0, 1);		/* the chain is where it was */
	keypair_free(shortlived);
}

/* Mail of 1 MiB messages comes in pages of at most 4 MiB of envelopes;
 * limit bounds the records; a page always has one. */
static void
test_page_bytes(void **state)
{
	struct hubfx *f = *state;
	uint8_t *p = xcalloc(1, 1048576);
	struct buf m = {0}, body = {0};
	json_t *ans, *recs;
	char target[96];
	int64_t after = -1;
	size_t total = 0, pages = 0;
	int more;

	for (int k = 0; k < 9; k++) {
		make_sized(&m, f, 0, msg_header(f, 1), p, 1048576);
		advance(f, 0, &m);
		buf_add(&body, m.p, m.len);
		buf_free(&m);
	}
	assert_int_equal(post(f, body.p, body.len, &ans), 200);
	json_decref(ans);
	buf_free(&body);
	http_client_set_signer(f->c, f->dev[1].k->pk, f->dev[1].k->sk);
	do {
		size_t bytes = 0;
		snprintf(target, sizeof(target), "/v1/mail?after=%lld", (long long)after);
		assert_int_equal(get(f, target, &ans), 200);
		recs = json_object_get(ans, "records");
		assert_true(json_array_size(recs) >= 1);
		for (size_t i = 0; i < json_array_size(recs); i++) {
			const char *e = jstr(json_array_get(recs, i), "envelope");
			bytes += strlen(e) / 4 * 3;
			after = json_integer_value(json_object_get(json_array_get(recs, i),
			    "index"));
		}
		assert_true(bytes <= (4u << 20));
		assert_int_equal(json_array_size(recs), 3);
		total += json_array_size(recs);
		more = json_is_true(json_object_get(ans, "more"));
		json_decref(ans);
		pages++;
	} while (more);
	assert_int_equal(total, 9);
	assert_int_equal(pages, 3);
	assert_int_equal(get(f, "/v1/mail?after=-1&limit=1", &ans), 200);
	assert_int_equal(json_array_size(json_object_get(ans, "records")), 1);
	assert_true(json_is_true(json_object_get(ans, "more")));
	json_decref(ans);
	assert_int_equal(get(f, "/v1/mail?after=-1&limit=0", &ans), 400);
	json_decref(ans);
	http_client_set_signer(f->c, NULL, NULL);
	free(p);
}

/* A POST of body, raw, so the headers can be read: the status, and the
 * Retry-After value in *retry (-1 when absent). */
static int
raw_post(struct hubfx *f, const struct buf *body, struct buf *answer, long *retry)
{
	struct buf req = {0};
	const char *h;
	int st;

	buf_printf(&req, "POST /v1/envelopes HTTP/1.1\r\nHost: 127.0.0.1\r\n"
	    "Content-Type: application/octet-stream\r\nContent-Length: %zu\r\n"
	    "Connection: close\r\n\r\n", body->len);
	buf_add(&req, body->p, body->len);
	st = raw_http(f, req.p, req.len, answer);
	buf_free(&req);
	*retry = -1;
	if ((h = strcasestr((char *)answer->p, "\r\nRetry-After: ")) != NULL)
		*retry = strtol(h + 15, NULL, 10);
	return st;
}

/* quota_envelopes: the sixth envelope of a device in an hour is 429 with
 * Retry-After; others' and the operator's go on; a batch over the quota
 * gets 429 for each envelope past it; an envelope already logged still
 * gets its receipt. */
static void
test_quota_envelopes(void **state)
{
	struct hubfx *f = *state;
	struct buf m = {0}, first = {0}, body = {0}, ans = {0}, out = {0};
	json_t *j, *res;
	long retry;

	hub_stop(f);
	hub_config_set(f, "quota_envelopes", 5);
	hub_start(f);
	make_msg(&first, f, 0, 1);
	accept_one(f, &first);
	advance(f, 0, &first);
	for (int k = 0; k < 4; k++)
		send_msg(f, 0, 1);
	make_msg(&m, f, 0, 1);
	assert_int_equal(raw_post(f, &m, &ans, &retry), 429);
	assert_true(retry >= 1 && retry <= 3600);
	assert_non_null(strstr((char *)ans.p, "quota_envelopes"));
	assert_non_null(strstr((char *)ans.p, "\"retry_after\":"));
	buf_free(&ans);
	refused(f, &m, 429, "has signed 5 envelopes in the last hour");
	buf_free(&m);
	/* The first one again: already in the log, its receipt comes back. */
	j = refuse_one(f, &first, 409);
	assert_non_null(json_object_get(j, "receipt"));
	json_decref(j);
	/* Device 1 is not device 0. */
	for (int k = 0; k < 3; k++)
		send_msg(f, 1, 0);
	/* A batch of four from device 1 (two left): two in, two 429. */
	for (int k = 0; k < 4; k++) {
		make_msg(&m, f, 1, 0);
		if (k < 2)
			advance(f, 1, &m);
		else {
			f->dev[1].seq++;	/* chain on as if it had gone in */
			sha256(f->dev[1].last, m.p, m.len);
		}
		buf_add(&body, m.p, m.len);
		buf_free(&m);
	}
	assert_int_equal(post(f, body.p, body.len, &j), 200);
	res = json_object_get(j, "results");
	for (int k = 0; k < 4; k++) {
		json_t *r = json_array_get(res, (size_t)k);
		if (k < 2)
			assert_non_null(json_object_get(r, "receipt"));
		else {
			assert_int_equal(json_integer_value(json_object_get(r, "status")),
			    429);
			assert_true(json_integer_value(json_object_get(r, "retry_after")) >= 1);
		}
	}
	json_decref(j);
	buf_free(&body);
	/* The operator is not counted: six groups in a row. */
	for (int k = 0; k < 6; k++) {
		char name[16];
		snprintf(name, sizeof(name), "g%d", k);
		assert_int_equal(run(&out, "group", f->dir, "--name", name,
		    "--states", "XA", NULL), 0);
		buf_free(&out);
	}
	buf_free(&first);
}

/* quota_bytes: the envelope that would pass the hour's bytes is 429. */
static void
test_quota_bytes(void **state)
{
	struct hubfx *f = *state;
	uint8_t p[8000] = {0};
	struct buf m = {0};

	hub_stop(f);
	hub_config_set(f, "quota_bytes", 20000);
	hub_start(f);
	for (int k = 0; k < 2; k++) {
		make_sized(&m, f, 0, msg_header(f, 1), p, sizeof(p));
		accept_one(f, &m);
		advance(f, 0, &m);
		buf_free(&m);
	}
	make_sized(&m, f, 0, msg_header(f, 1), p, sizeof(p));
	refused(f, &m, 429, "quota_bytes");
	buf_free(&m);
	send_msg(f, 0, 1);		/* a small one still fits */
	send_msg(f, 1, 0);
}

/* ---- connections ------------------------------------------------------- */

/* The body of an HTTP answer, parsed: a JSON object with "error". */
static void
json_error_body(const struct buf *answer, const char *needle)
{
	const char *b = strstr((const char *)answer->p, "\r\n\r\n");
	json_t *j;

	if (b == NULL)
		fail_msg("no body in \"%.200s\"", (const char *)answer->p);
	if ((j = jparse(b + 4, strlen(b + 4))) == NULL || jstr(j, "error") == NULL)
		fail_msg("not a JSON error: \"%.300s\"", b + 4);
	if (needle != NULL && strstr(jstr(j, "error"), needle) == NULL)
		fail_msg("error \"%s\" does not mention \"%s\"", jstr(j, "error"),
		    needle);
	assert_non_null(strcasestr((const char *)answer->p,
	    "\r\nContent-Type: application/json"));
	json_decref(j);
}

/* Sends the head, then len bytes of body in pieces with a pause between
 * them, as a slow uplink would; then reads the answer.  The status, or -1
 * when the connection was reset before an answer could be read. */
static int
slow_post(struct hubfx *f, const char *head, size_t len, struct buf *answer)
{
	char piece[65536] = {0};
	int fd = hub_connect(f), status = -1;
	size_t sent = 0;

	assert_true(fd >= 0);
	assert_int_equal(write(fd, head, strlen(head)), (ssize_t)strlen(head));
	while (sent < len) {
		size_t n = len - sent < sizeof(piece) ? len - sent : sizeof(piece);
		ssize_t w = send(fd, piece, n, MSG_NOSIGNAL);
		if (w <= 0)
			break;
		sent += (size_t)w;
		if ((sent / sizeof(piece)) % 16 == 0)
			sleep_ms(5);
	}
	read_until_close(fd, answer, 10000);
	close(fd);
	if (answer->len > 12 && sscanf((char *)answer->p, "HTTP/1.%*d %d", &status) != 1)
		status = -1;
	return status;
}

/* A 17 MiB body (over max_body) gets a JSON 413, not a reset: with its
 * whole body sent, and with Expect: 100-continue before it. */
static void
test_big_body(void **state)
{
	struct hubfx *f = *state;
	size_t len = 17u << 20;
	struct buf req = {0}, answer = {0};
	char *body = xcalloc(1, len);

	buf_printf(&req, "POST /v1/envelopes HTTP/1.1\r\nHost: 127.0.0.1\r\n"
	    "Content-Type: application/octet-stream\r\nContent-Length: %zu\r\n"
	    "Connection: close\r\n\r\n", len);
	buf_add(&req, body, len);
	assert_int_equal(raw_http(f, req.p, req.len, &answer), 413);
	json_error_body(&answer, "too large");
	buf_free(&answer);
	buf_free(&req);
	buf_printf(&req, "POST /v1/envelopes HTTP/1.1\r\nHost: 127.0.0.1\r\n"
	    "Content-Type: application/octet-stream\r\nContent-Length: %zu\r\n"
	    "Expect: 100-continue\r\nConnection: close\r\n\r\n", len);
	assert_int_equal(raw_http(f, req.p, req.len, &answer), 413);
	json_error_body(&answer, "too large");
	buf_free(&answer);
	buf_free(&req);
	/* Sent slowly, so that the hub has answered long before the end. */
	buf_printf(&req, "POST /v1/envelopes HTTP/1.1\r\nHost: 127.0.0.1\r\n"
	    "Content-Type: application/octet-stream\r\nContent-Length: %zu\r\n"
	    "Connection: close\r\n\r\n", len);
	assert_int_equal(slow_post(f, buf_cstr(&req), len, &answer), 413);
	json_error_body(&answer, "too large");
	buf_free(&answer);
	buf_free(&req);
	/* And as a node's client sends it (libcurl). */
	json_t *ans;
	assert_int_equal(post(f, body, len, &ans), 413);
	assert_non_null(strstr(jstr(ans, "error"), "too large"));
	json_decref(ans);
	free(body);
	send_msg(f, 0, 1);
}

/* A request line or headers too long: JSON 414 and 431. */
static void
test_long_head(void **state)
{
	struct hubfx *f = *state;
	struct buf req = {0}, answer = {0};
	size_t sizes[] = { 20000, 100000, 200000 };

	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		buf_addstr(&req, "GET /v1/info?x=");
		for (size_t k = 0; k < sizes[i]; k++)
			buf_addstr(&req, "a");
		buf_addstr(&req, " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
		assert_int_equal(raw_http(f, req.p, req.len, &answer), 414);
		json_error_body(&answer, NULL);
		buf_free(&answer);
		buf_free(&req);
		buf_addstr(&req, "GET /v1/info HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: ");
		for (size_t k = 0; k < sizes[i]; k++)
			buf_addstr(&req, "b");
		buf_addstr(&req, "\r\nConnection: close\r\n\r\n");
		assert_int_equal(raw_http(f, req.p, req.len, &answer), 431);
		json_error_body(&answer, NULL);
		buf_free(&answer);
		buf_free(&req);
	}
	send_msg(f, 0, 1);
}

/* A GET of /v1/info from 127.0.0.N: 1 when it was answered 200. */
static int
info_from(struct hubfx *f, int n)
{
	static const char req[] = "GET /v1/info HTTP/1.1\r\nHost: 127.0.0.1\r\n"
	    "Connection: close\r\n\r\n";
	struct buf out = {0};
	int fd = hub_connect_from(f, n), ok;

	if (fd < 0)
		return 0;
	ok = write(fd, req, sizeof(req) - 1) == (ssize_t)(sizeof(req) - 1);
	read_until_close(fd, &out, 5000);
	close(fd);
	ok = ok && out.len > 12 && strncmp((char *)out.p, "HTTP/1.1 200", 12) == 0;
	buf_free(&out);
	return ok;
}

/* Has the hub closed fd?  Waits up to ms for its end of file. */
static int
closed_within(int fd, int ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	char c[256];

	while (poll(&p, 1, ms) > 0) {
		ssize_t n = read(fd, c, sizeof(c));
		if (n <= 0)
			return 1;
	}
	return 0;
}

/* The slowloris: connections that send a header byte now and then
 * and never finish.  Each is shut down once header_timeout_s has passed,
 * and other clients are served all the while. */
static void
test_slowloris(void **state)
{
	struct hubfx *f = *state;
	enum { SLOW = 40 };
	int fd[SLOW], cut = 0;
	int64_t t0;

	hub_stop(f);
	hub_config_set(f, "header_timeout_s", 2);
	hub_start(f);
	for (int i = 0; i < SLOW; i++) {
		assert_true((fd[i] = hub_connect(f)) >= 0);
		assert_int_equal(write(fd[i], "GET /v1/info HTTP/1.1\r\nX-Slow: ", 32), 32);
	}
	t0 = now_ms();
	/* A byte a second from each, for a while; others are served. */
	for (int round = 0; round < 5; round++) {
		for (int i = 0; i < SLOW; i++)
			if (fd[i] >= 0 && send(fd[i], "z", 1, MSG_NOSIGNAL) != 1) {
				close(fd[i]);
				fd[i] = -1;
				cut++;
			}
		assert_true(info_from(f, 2));
		send_msg(f, 0, 1);
		sleep_ms(1000);
	}
	for (int i = 0; i < SLOW; i++) {
		if (fd[i] < 0)
			continue;
		if (closed_within(fd[i], 3000))
			cut++;
		close(fd[i]);
	}
	assert_int_equal(cut, SLOW);
	assert_true(now_ms() - t0 < 12000);
	/* A fresh connection with a whole request is fine. */
	assert_true(info_from(f, 1));
}

/* Many half-open connections from one address: past
 * max_connections_per_address the hub closes new ones at once, and a client
 * from another address is served as usual (and so is the first address,
 * once it lets go). */
static void
test_per_address(void **state)
{
	struct hubfx *f = *state;
	enum { LIMIT = 64, EXTRA = 16 };
	int fd[LIMIT + EXTRA], refused = 0;

	http_client_free(f->c);		/* its kept-alive connection counts too */
	f->c = NULL;
	sleep_ms(200);
	for (int i = 0; i < LIMIT + EXTRA; i++) {
		fd[i] = hub_connect(f);
		if (fd[i] >= 0)
			assert_int_equal(write(fd[i], "GET /v1/info HTTP/1.1\r\n", 24), 24);
	}
	sleep_ms(300);
	for (int i = 0; i < LIMIT + EXTRA; i++)	/* (well within header_timeout_s) */
		if (fd[i] < 0 || closed_within(fd[i], 0))
			refused++;
	assert_int_equal(refused, EXTRA);
	for (int k = 0; k < 5; k++)
		assert_true(info_from(f, 3));
	assert_false(info_from(f, 1));		/* 127.0.0.1 is at its limit */
	for (int i = 0; i < LIMIT + EXTRA; i++)
		if (fd[i] >= 0)
			close(fd[i]);
	sleep_ms(300);
	assert_true(info_from(f, 1));
	f->c = http_client_new(f->url);
	send_msg(f, 0, 1);
}

/* One waiting long poll, on its own client. */
struct poller {
	struct hubfx *f;
	const struct keypair *k;
	long status;
	int64_t took;
	size_t records;
	pthread_t th;
};

static void *
poller_main(void *arg)
{
	struct poller *p = arg;
	struct http_client *c = http_client_new(p->f->url);
	struct buf out = {0};
	int64_t t0 = now_ms();
	json_t *j;

	http_client_set_signer(c, p->k->pk, p->k->sk);
	if (http_call(c, "GET", "/v1/mail?after=3&wait=8", NULL, NULL, 0, &p->status,
	    &out) == 0 && (j = jparse(out.p, out.len)) != NULL) {
		p->records = json_array_size(json_object_get(j, "records"));
		json_decref(j);
	}
	p->took = now_ms() - t0;
	buf_free(&out);
	http_client_free(c);
	return NULL;
}

/* max_waits_per_device: a device's third long poll is answered at once;
 * another device's still waits; mail wakes the two that wait. */
static void
test_waits_per_device(void **state)
{
	struct hubfx *f = *state;
	struct poller p[4];

	hub_stop(f);
	hub_config_set(f, "max_waits_per_device", 2);
	hub_start(f);
	for (int i = 0; i < 4; i++) {
		memset(&p[i], 0, sizeof(p[i]));
		p[i].f = f;
		p[i].k = f->dev[i < 3 ? 1 : 2].k;
		assert_int_equal(pthread_create(&p[i].th, NULL, poller_main, &p[i]), 0);
		sleep_ms(300);		/* in this order */
	}
	assert_int_equal(pthread_join(p[2].th, NULL), 0);
	assert_int_equal(p[2].status, 200);
	assert_true(p[2].took < 2000);		/* answered at once */
	assert_int_equal(p[2].records, 0);
	sleep_ms(300);
	send_msg(f, 0, 1);			/* wakes device 1's two */
	for (int i = 0; i < 2; i++) {
		assert_int_equal(pthread_join(p[i].th, NULL), 0);
		assert_int_equal(p[i].status, 200);
		assert_int_equal(p[i].records, 1);
		assert_true(p[i].took < 6000);
	}
	assert_int_equal(pthread_join(p[3].th, NULL), 0);	/* device 2: its deadline */
	assert_int_equal(p[3].records, 0);
	assert_true(p[3].took >= 7500);
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_payload_limits, setup, teardown),
		cmocka_unit_test_setup_teardown(test_public_shapes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_revoked_recipient, setup, teardown),
		cmocka_unit_test_setup_teardown(test_page_bytes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_quota_envelopes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_quota_bytes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_big_body, setup, teardown),
		cmocka_unit_test_setup_teardown(test_long_head, setup, teardown),
		cmocka_unit_test_setup_teardown(test_slowloris, setup, teardown),
		cmocka_unit_test_setup_teardown(test_per_address, setup, teardown),
		cmocka_unit_test_setup_teardown(test_waits_per_device, setup, teardown),
	};

	(void)argc;
	if (hubfx_init(argv[0]) != 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
