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
	};

	(void)argc;
	if (hubfx_init(argv[0]) != 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
