/*
 * test_envelope.c - the framing, parsing and signature of envelopes, the
 * first code to touch bytes from the network.
 *
 * What it tries to break: that one envelope has one meaning.  Every single
 * byte changed anywhere in an envelope must make it fail to parse or to
 * verify (its id would differ anyway, since the id is the hash of all the
 * bytes, but a changed byte that still verified would be a second, different
 * envelope with the signer's authority).  Truncations and trailing bytes must
 * be refused, so a batch cannot be split two ways.  Every malformed header
 * must be refused with a sentence naming the field, signed correctly so that
 * only the parser stands in the way.  And the size limits hold exactly at
 * their boundaries.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <sodium.h>

#include "envelope.h"
#include "jsonutil.h"
#include "util.h"

static uint8_t pk[32], sk[64], pk2[32], sk2[64];

#define TIME 1763820000000LL

/* ---- helpers ------------------------------------------------------------ */

/* Frames header text and payload, signing the text with sk: the bytes a
 * signer would send whatever the header says. */
static void
frame(struct buf *out, const char *hdr, size_t hl, const void *payload,
    size_t pl, const uint8_t *key_sk)
{
	struct buf m = {0};
	uint8_t sig[64];

	buf_addstr(&m, ENV_SIG_DOMAIN);
	buf_add(&m, hdr, hl);
	crypto_sign_detached(sig, NULL, m.p, m.len, key_sk);
	buf_free(&m);
	buf_add(out, ENV_MAGIC, 4);
	buf_add_u32be(out, (uint32_t)hl);
	buf_add(out, hdr, hl);
	buf_add(out, sig, 64);
	buf_add_u32be(out, (uint32_t)pl);
	buf_add(out, payload, pl);
}

/* A complete, valid device-envelope header for the payload. */
static json_t *
full_header(const void *payload, size_t len)
{
	uint8_t d[32], prev[32];
	json_t *h = json_object();

	sha256(d, payload, len);
	memset(prev, 0xab, sizeof(prev));
	json_object_set_new(h, "v", json_integer(1));
	json_object_set_new(h, "kind", json_string("msg"));
	json_object_set_new(h, "key", jhex(pk, 32));
	json_object_set_new(h, "time", json_integer(TIME));
	json_object_set_new(h, "payload_len", json_integer((json_int_t)len));
	json_object_set_new(h, "payload_sha256", jhex(d, 32));
	json_object_set_new(h, "state", json_string("XA"));
	json_object_set_new(h, "seq", json_integer(2));
	json_object_set_new(h, "prev", jhex(prev, 32));
	json_object_set_new(h, "to", json_pack("[s]", "XB"));
	json_object_set_new(h, "rcpt", json_pack("[o]", jhex(pk2, 32)));
	json_object_set_new(h, "urgency", json_string("routine"));
	return h;
}

/* Signs and parses header text; returns env_parse's answer.  On success e
 * holds the parse (the caller frees e and raw). */
static int
parse_text(struct envelope *e, struct buf *raw, const char *hdr,
    const void *payload, size_t len)
{
	frame(raw, hdr, strlen(hdr), payload, len, sk);
	return env_parse(e, raw->p, raw->len);
}

static int
parse_json(struct envelope *e, struct buf *raw, json_t *h, const void *payload,
    size_t len)
{
	char *t = jdump(h);
	int rc = parse_text(e, raw, t, payload, len);

	free(t);
	return rc;
}

/* A small signed envelope made by env_build. */
static void
small_envelope(struct buf *out, const char *kind, int64_t seq)
{
	json_t *h = json_object();

	json_object_set_new(h, "kind", json_string(kind));
	json_object_set_new(h, "state", json_string("XA"));
	json_object_set_new(h, "time", json_integer(TIME));
	if (seq > 0)
		json_object_set_new(h, "seq", json_integer(seq));
	assert_int_equal(env_build(out, h, "{\"note\":\"hi\"}", 13, pk, sk), 0);
	json_decref(h);
}

/* ---- round trip --------------------------------------------------------- */

static void
test_round_trip(void **state)
{
	struct buf raw = {0};
	struct envelope e;
	uint8_t payload[1000], id[32], digest[32];
	json_t *h = json_object();

	randombytes_buf(payload, sizeof(payload));
	json_object_set_new(h, "kind", json_string("msg"));
	json_object_set_new(h, "state", json_string("XA"));
	json_object_set_new(h, "seq", json_integer(7));
	json_object_set_new(h, "prev", jhex(pk2, 32));
	json_object_set_new(h, "urgency", json_string("flash"));
	assert_int_equal(env_build(&raw, h, payload, sizeof(payload), pk, sk), 0);
	json_decref(h);

	assert_int_equal(env_frame_len(raw.p, raw.len), (int64_t)raw.len);
	assert_int_equal(env_parse(&e, raw.p, raw.len), 0);
	assert_int_equal(env_verify(&e), 0);
	assert_string_equal(e.kind, "msg");
	assert_string_equal(e.state, "XA");
	assert_memory_equal(e.key, pk, 32);
	assert_int_equal(e.seq, 7);
	assert_true(e.has_prev);
	assert_memory_equal(e.prev, pk2, 32);
	assert_int_equal(e.payload_len, sizeof(payload));
	assert_memory_equal(e.payload, payload, sizeof(payload));
	assert_true(e.time > 1700000000000LL);	/* env_build filled it in */
	assert_string_equal(env_str(&e, "urgency"), "flash");
	assert_null(env_str(&e, "seq"));		/* not a string */
	assert_null(env_str(&e, "nothing"));
	assert_true(json_is_integer(env_field(&e, "seq")));
	sha256(id, raw.p, raw.len);
	assert_memory_equal(e.id, id, 32);
	assert_ptr_equal(e.raw, raw.p);
	assert_int_equal(e.header_len + e.payload_len + 8 + 64 + 4, raw.len);
	assert_memory_equal(raw.p, "RSE1", 4);

	/* The header carries v, key, payload_len and payload_sha256 as the
	 * protocol says, in lower-case hex. */
	char *kh = hex_encode(pk, 32), *dh;
	sha256(digest, payload, sizeof(payload));
	dh = hex_encode(digest, 32);
	assert_string_equal(env_str(&e, "key"), kh);
	assert_string_equal(env_str(&e, "payload_sha256"), dh);
	assert_int_equal(json_integer_value(env_field(&e, "v")), 1);
	assert_int_equal(json_integer_value(env_field(&e, "payload_len")),
	    sizeof(payload));
	free(kh);
	free(dh);
	env_free(&e);
	env_free(&e);		/* idempotent */

	/* The signature is by the key named in the header, over the domain
	 * string and the exact header bytes. */
	struct buf m = {0};
	assert_int_equal(env_parse(&e, raw.p, raw.len), 0);
	buf_addstr(&m, "roster-envelope-v1\n");
	buf_add(&m, e.header, e.header_len);
	assert_int_equal(crypto_sign_verify_detached(e.sig, m.p, m.len, pk), 0);
	buf_free(&m);
	env_free(&e);
	buf_free(&raw);

	/* Payload JSON. */
	small_envelope(&raw, "cosign", 1);
	assert_int_equal(env_parse(&e, raw.p, raw.len), 0);
	json_t *p = env_payload_json(&e);
	assert_non_null(p);
	assert_string_equal(jstr(p, "note"), "hi");
	json_decref(p);
	assert_int_equal(e.time, TIME);		/* a given time is kept */
	env_free(&e);
	buf_free(&raw);

	/* Empty payload. */
	h = json_pack("{s:s}", "kind", "admit");
	assert_int_equal(env_build(&raw, h, "", 0, pk, sk), 0);
	json_decref(h);
	assert_int_equal(env_parse(&e, raw.p, raw.len), 0);
	assert_int_equal(env_verify(&e), 0);
	assert_int_equal(e.payload_len, 0);
	assert_null(e.state);
	assert_int_equal(e.seq, 0);
	assert_false(e.has_prev);
	rs_seterr("none");
	assert_null(env_payload_json(&e));
	env_free(&e);
	buf_free(&raw);

	/* Payload that is JSON but not an object. */
	h = json_pack("{s:s}", "kind", "admit");
	assert_int_equal(env_build(&raw, h, "[1,2]", 5, pk, sk), 0);
	json_decref(h);
	assert_int_equal(env_parse(&e, raw.p, raw.len), 0);
	assert_null(env_payload_json(&e));
	assert_non_null(strstr(rs_err(), "not a JSON object"));
	env_free(&e);
	buf_free(&raw);
}

static void
test_wrong_signer(void **state)
{
	struct buf raw = {0};
	struct envelope e;
	json_t *h = json_pack("{s:s,s:s}", "kind", "msg", "state", "XA");

	/* Header names pk, signed by sk2. */
	assert_int_equal(env_build(&raw, h, "x", 1, pk, sk2), 0);
	json_decref(h);
	assert_int_equal(env_parse(&e, raw.p, raw.len), 0);
	rs_seterr("none");
	assert_int_not_equal(env_verify(&e), 0);
	assert_non_null(strstr(rs_err(), "signature"));
	env_free(&e);
	buf_free(&raw);
}

/* ---- tampering ---------------------------------------------------------- */

static void
test_every_byte_flip(void **state)
{
	struct buf raw = {0};
	struct envelope e;
	uint8_t id[32];
	const uint8_t masks[] = { 0x01, 0x02, 0x10, 0x80, 0xff };
	size_t tried = 0, parsed = 0;

	small_envelope(&raw, "ack", 1);
	sha256(id, raw.p, raw.len);
	assert_true(raw.len < 400);
	uint8_t *copy = xmalloc(raw.len);
	for (size_t off = 0; off < raw.len; off++) {
		for (size_t m = 0; m < sizeof(masks); m++) {
			memcpy(copy, raw.p, raw.len);
			copy[off] ^= masks[m];
			tried++;
			if (env_parse(&e, copy, raw.len) != 0)
				continue;
			parsed++;
			int ok = env_verify(&e) == 0;
			int same = memcmp(e.id, id, 32) == 0;
			env_free(&e);
			assert_false(same);
			if (ok)
				fail_msg("envelope with byte %zu ^ 0x%02x parses and "
				    "verifies", off, masks[m]);
		}
	}
	printf("%zu single-byte changes, %zu still parse, none verifies\n",
	    tried, parsed);
	free(copy);
	buf_free(&raw);
}

static void
test_truncation_and_trailing(void **state)
{
	struct buf raw = {0};
	struct envelope e;

	small_envelope(&raw, "msg", 1);
	for (size_t len = 0; len < raw.len; len++) {
		rs_seterr("none");
		assert_int_equal(env_frame_len(raw.p, len), -1);
		assert_int_not_equal(env_parse(&e, raw.p, len), 0);
		assert_non_null(strstr(rs_err(), "truncated"));
	}
	/* One trailing byte of any value. */
	size_t n = raw.len;
	for (int v = 0; v < 256; v += 51) {
		uint8_t c = (uint8_t)v;
		raw.len = n;
		buf_add(&raw, &c, 1);
		assert_int_equal(env_frame_len(raw.p, raw.len), (int64_t)n);
		rs_seterr("none");
		assert_int_not_equal(env_parse(&e, raw.p, raw.len), 0);
		assert_non_null(strstr(rs_err(), "trailing"));
	}
	/* A second whole envelope is trailing bytes too. */
	raw.len = n;
	uint8_t *again = xmalloc(n);
	memcpy(again, raw.p, n);
	buf_add(&raw, again, n);
	free(again);
	assert_int_not_equal(env_parse(&e, raw.p, raw.len), 0);
	assert_non_null(strstr(rs_err(), "trailing"));
	buf_free(&raw);
}

/* ---- malformed headers -------------------------------------------------- */

static void
expect_header_refused(json_t *h, const char *payload, const char *needle,
    const char *what)
{
	struct buf raw = {0};
	struct envelope e;

	rs_seterr("none");
	if (parse_json(&e, &raw, h, payload, strlen(payload)) == 0) {
		env_free(&e);
		fail_msg("%s: accepted", what);
	}
	if (strstr(rs_err(), needle) == NULL)
		fail_msg("%s: error \"%s\" does not mention %s", what, rs_err(), needle);
	assert_null(e.h);
	buf_free(&raw);
	json_decref(h);
}

static void
expect_text_refused(const char *hdr, const char *payload, const char *needle)
{
	struct buf raw = {0};
	struct envelope e;

	rs_seterr("none");
	if (parse_text(&e, &raw, hdr, payload, strlen(payload)) == 0) {
		env_free(&e);
		fail_msg("header %s: accepted", hdr);
	}
	if (strstr(rs_err(), needle) == NULL)
		fail_msg("header %s: error \"%s\" does not mention %s", hdr,
		    rs_err(), needle);
	buf_free(&raw);
}

static void
test_header_fields(void **state)
{
	const char *pl = "payload";
	size_t pn = strlen(pl);
	struct buf raw = {0};
	struct envelope e;
	json_t *h;

	/* The full header parses. */
	h = full_header(pl, pn);
	assert_int_equal(parse_json(&e, &raw, h, pl, pn), 0);
	assert_int_equal(env_verify(&e), 0);
	env_free(&e);
	buf_free(&raw);
	json_decref(h);

	/* Each required field missing, or of the wrong type: named. */
	const char *req[] = { "v", "kind", "key", "time", "payload_len",
	    "payload_sha256", NULL };
	json_t *wrong[] = { json_string("1"), json_real(1.5), json_null(),
	    json_true(), json_pack("[i]", 1), json_pack("{s:i}", "a", 1), NULL };
	for (int i = 0; req[i] != NULL; i++) {
		char needle[64], what[128];
		snprintf(needle, sizeof(needle), "\"%s\"", req[i]);
		h = full_header(pl, pn);
		json_object_del(h, req[i]);
		snprintf(what, sizeof(what), "missing %s", req[i]);
		expect_header_refused(h, pl, needle, what);
		for (int w = 0; wrong[w] != NULL; w++) {
			/* A string is the right type for some fields. */
			if (json_is_string(wrong[w]) && (!strcmp(req[i], "kind") ||
			    !strcmp(req[i], "key") || !strcmp(req[i], "payload_sha256")))
				continue;
			h = full_header(pl, pn);
			json_object_set(h, req[i], wrong[w]);
			snprintf(what, sizeof(what), "%s of type %d", req[i],
			    json_typeof(wrong[w]));
			expect_header_refused(h, pl, needle, what);
		}
	}
	/* Optional fields of the wrong type: named. */
	const char *opt[] = { "state", "seq", "prev", NULL };
	for (int i = 0; opt[i] != NULL; i++) {
		char needle[64], what[128];
		snprintf(needle, sizeof(needle), "\"%s\"", opt[i]);
		for (int w = 0; wrong[w] != NULL; w++) {
			if (json_is_string(wrong[w]) && strcmp(opt[i], "seq") != 0)
				continue;
			h = full_header(pl, pn);
			json_object_set(h, opt[i], wrong[w]);
			snprintf(what, sizeof(what), "%s of type %d", opt[i],
			    json_typeof(wrong[w]));
			expect_header_refused(h, pl, needle, what);
		}
	}
	for (int w = 0; wrong[w] != NULL; w++)
		json_decref(wrong[w]);

	/* Right type, wrong value. */
	struct { const char *field; json_t *v; const char *needle; } bad[] = {
		{ "v", json_integer(2), "version" },
		{ "v", json_integer(0), "version" },
		{ "key", json_string("abcd"), "\"key\"" },
		{ "key", json_string(""), "\"key\"" },
		{ "payload_len", json_integer(8), "payload length" },
		{ "payload_len", json_integer(6), "payload length" },
		{ "payload_len", json_integer(-1), "payload length" },
		{ "payload_sha256", json_string("00"), "\"payload_sha256\"" },
		{ "state", json_string("xa"), "\"state\"" },
		{ "state", json_string("XAB"), "\"state\"" },
		{ "state", json_string(""), "\"state\"" },
		{ "state", json_string("X1"), "\"state\"" },
		{ "seq", json_integer(0), "\"seq\"" },
		{ "seq", json_integer(-1), "\"seq\"" },
		{ "prev", json_string("zz"), "\"prev\"" },
		{ "prev", json_string(""), "\"prev\"" },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char what[128];
		h = full_header(pl, pn);
		json_object_set_new(h, bad[i].field, bad[i].v);
		snprintf(what, sizeof(what), "bad value of %s", bad[i].field);
		expect_header_refused(h, pl, bad[i].needle, what);
	}
	/* Hex of the wrong length: 31, 33 bytes, odd. */
	const char *hexf[] = { "key", "payload_sha256", "prev", NULL };
	for (int i = 0; hexf[i] != NULL; i++) {
		char needle[64];
		snprintf(needle, sizeof(needle), "\"%s\"", hexf[i]);
		for (int k = 0; k < 3; k++) {
			h = full_header(pl, pn);
			char *s = xstrdup(jstr(h, hexf[i]));
			struct buf t = {0};
			buf_addstr(&t, s);
			if (k == 0)
				t.len -= 2;
			else if (k == 1)
				buf_addstr(&t, "00");
			else
				t.len -= 1;
			json_object_set_new(h, hexf[i], json_stringn((char *)t.p, t.len));
			expect_header_refused(h, pl, needle, hexf[i]);
			buf_free(&t);
			free(s);
		}
	}
	/* A digest that does not match the payload. */
	h = full_header("other", 5);
	json_object_set_new(h, "payload_len", json_integer((json_int_t)pn));
	expect_header_refused(h, pl, "digest", "wrong digest");

	/* Absent state, seq and prev parse (the directory rules decide). */
	h = full_header(pl, pn);
	json_object_del(h, "state");
	json_object_del(h, "seq");
	json_object_del(h, "prev");
	assert_int_equal(parse_json(&e, &raw, h, pl, pn), 0);
	assert_null(e.state);
	assert_int_equal(e.seq, 0);
	assert_false(e.has_prev);
	env_free(&e);
	buf_free(&raw);
	json_decref(h);
}

static void
test_header_shape(void **state)
{
	const char *pl = "p";
	json_t *h = full_header(pl, 1);
	char *good = jdump(h);
	struct buf t = {0};

	json_decref(h);
	/* Not an object: an array is JSON but not an object; jansson refuses
	 * a bare scalar as a document already. */
	const char *notobj[] = { "[]", "[1]", "[{\"v\":1}]", NULL };
	for (int i = 0; notobj[i] != NULL; i++)
		expect_text_refused(notobj[i], pl, "not a JSON object");
	const char *scalar[] = { "1", "\"s\"", "null", "true", NULL };
	for (int i = 0; scalar[i] != NULL; i++)
		expect_text_refused(scalar[i], pl, "JSON");
	/* Not JSON. */
	const char *notjson[] = { "{", "}", "{\"v\":1", "{'v':1}", "{v:1}",
	    "{\"v\":1,}", "x", " ", NULL };
	for (int i = 0; notjson[i] != NULL; i++)
		expect_text_refused(notjson[i], pl, "not valid JSON");
	/* Duplicate keys, first or last, each field. */
	const char *fields[] = { "v", "kind", "key", "time", "payload_len",
	    "payload_sha256", "state", "seq", "prev", NULL };
	for (int i = 0; fields[i] != NULL; i++) {
		char pat[32];
		snprintf(pat, sizeof(pat), "\"%s\":", fields[i]);
		const char *at = strstr(good, pat);
		assert_non_null(at);
		const char *end = at + strlen(pat);
		while (*end != ',' && *end != '}')
			end++;
		/* {<good...>,"field":value} */
		t.len = 0;
		buf_add(&t, good, strlen(good) - 1);
		buf_addstr(&t, ",");
		buf_add(&t, at, (size_t)(end - at));
		buf_addstr(&t, "}");
		expect_text_refused(buf_cstr(&t), pl, "duplicate");
		/* {"field":value,<good...>} */
		t.len = 0;
		buf_addstr(&t, "{");
		buf_add(&t, at, (size_t)(end - at));
		buf_addstr(&t, ",");
		buf_addstr(&t, good + 1);
		expect_text_refused(buf_cstr(&t), pl, "duplicate");
	}
	/* A NUL byte in the header, raw or escaped; invalid UTF-8. */
	struct buf raw = {0};
	struct envelope e;
	t.len = 0;
	buf_add(&t, good, strlen(good) - 1);
	buf_add(&t, ",\"x\":\"a\0b\"}", 11);
	frame(&raw, (char *)t.p, t.len, pl, 1, sk);
	rs_seterr("none");
	assert_int_not_equal(env_parse(&e, raw.p, raw.len), 0);
	assert_non_null(strstr(rs_err(), "NUL"));
	buf_free(&raw);
	t.len = 0;
	buf_add(&t, good, strlen(good) - 1);
	buf_addstr(&t, ",\"x\":\"a\\u0000b\"}");
	expect_text_refused(buf_cstr(&t), pl, "not valid JSON");
	t.len = 0;
	buf_add(&t, good, strlen(good) - 1);
	buf_addstr(&t, ",\"x\":\"\xc3\x28\"}");
	expect_text_refused(buf_cstr(&t), pl, "not valid JSON");
	t.len = 0;
	buf_add(&t, good, strlen(good) - 1);
	buf_addstr(&t, ",\"x\":\"\xff\"}");
	expect_text_refused(buf_cstr(&t), pl, "not valid JSON");
	/* Two JSON values. */
	t.len = 0;
	buf_addstr(&t, good);
	buf_addstr(&t, "{}");
	expect_text_refused(buf_cstr(&t), pl, "not valid JSON");
	/* The valid header itself parses. */
	assert_int_equal(parse_text(&e, &raw, good, pl, 1), 0);
	env_free(&e);
	buf_free(&raw);
	buf_free(&t);
	free(good);
}

/* ---- framing, batches, limits ------------------------------------------- */

static void
test_batches(void **state)
{
	struct buf batch = {0};
	size_t ends[4];
	const char *kinds[] = { "msg", "ack", "cosign", "revoke" };

	for (int i = 0; i < 4; i++) {
		small_envelope(&batch, kinds[i], i + 1);
		ends[i] = batch.len;
	}
	size_t off = 0;
	for (int i = 0; i < 4; i++) {
		int64_t n = env_frame_len(batch.p + off, batch.len - off);
		assert_int_equal(n, (int64_t)(ends[i] - off));
		struct envelope e;
		assert_int_equal(env_parse(&e, batch.p + off, (size_t)n), 0);
		assert_int_equal(env_verify(&e), 0);
		assert_string_equal(e.kind, kinds[i]);
		assert_int_equal(e.seq, i + 1);
		env_free(&e);
		off += (size_t)n;
	}
	assert_int_equal(off, batch.len);
	assert_int_equal(env_frame_len(batch.p + off, 0), -1);
	/* A batch whose last envelope is cut: the complete ones still frame,
	 * the cut one does not. */
	for (size_t cut = ends[2] + 1; cut < ends[3]; cut += 7) {
		assert_int_equal(env_frame_len(batch.p, cut), (int64_t)ends[0]);
		assert_int_equal(env_frame_len(batch.p + ends[2], cut - ends[2]), -1);
	}
	/* Garbage between envelopes stops the walk. */
	struct buf g = {0};
	buf_add(&g, batch.p, ends[0]);
	buf_addstr(&g, "XXXX");
	buf_add(&g, batch.p + ends[0], batch.len - ends[0]);
	assert_int_equal(env_frame_len(g.p + ends[0], g.len - ends[0]), -1);
	buf_free(&g);
	buf_free(&batch);
}

static void
test_frame_fields(void **state)
{
	uint8_t b[8 + 16 + 64 + 4 + 4];
	struct buf raw = {0};
	struct envelope e;

	memset(b, 0, sizeof(b));
	memcpy(b, "RSE1", 4);
	put_u32be(b + 4, 16);
	put_u32be(b + 8 + 16 + 64, 4);
	assert_int_equal(env_frame_len(b, sizeof(b)), (int64_t)sizeof(b));
	/* Magic. */
	memcpy(b, "RSE2", 4);
	assert_int_equal(env_frame_len(b, sizeof(b)), -1);
	memcpy(b, "rse1", 4);
	assert_int_equal(env_frame_len(b, sizeof(b)), -1);
	memcpy(b, "RSE1", 4);
	/* header_len 0, huge, just past the buffer. */
	put_u32be(b + 4, 0);
	assert_int_equal(env_frame_len(b, sizeof(b)), -1);
	put_u32be(b + 4, 0xffffffffu);
	assert_int_equal(env_frame_len(b, sizeof(b)), -1);
	put_u32be(b + 4, 0x80000000u);
	assert_int_equal(env_frame_len(b, sizeof(b)), -1);
	put_u32be(b + 4, 17);
	assert_int_equal(env_frame_len(b, sizeof(b)), -1);
	put_u32be(b + 4, 16);
	/* payload_len huge, one too many. */
	put_u32be(b + 8 + 16 + 64, 0xffffffffu);
	assert_int_equal(env_frame_len(b, sizeof(b)), -1);
	put_u32be(b + 8 + 16 + 64, 5);
	assert_int_equal(env_frame_len(b, sizeof(b)), -1);
	put_u32be(b + 8 + 16 + 64, 3);
	assert_int_equal(env_frame_len(b, sizeof(b)), (int64_t)sizeof(b) - 1);
	/* Framing fine, header all zero bytes. */
	put_u32be(b + 8 + 16 + 64, 4);
	rs_seterr("none");
	assert_int_not_equal(env_parse(&e, b, sizeof(b)), 0);
	assert_non_null(strstr(rs_err(), "NUL"));
	/* Framing fine, header spaces. */
	memset(b + 8, ' ', 16);
	assert_int_not_equal(env_parse(&e, b, sizeof(b)), 0);
	/* No room for the signature. */
	assert_int_equal(env_frame_len(b, 8 + 16 + 60), -1);
	buf_free(&raw);
}

static void
test_header_limit(void **state)
{
	struct buf raw = {0};
	struct envelope e;
	json_t *h;
	size_t base;

	h = json_pack("{s:s,s:s,s:I,s:s}", "kind", "cosign", "state", "XA",
	    "time", (json_int_t)TIME, "pad", "");
	assert_int_equal(env_build(&raw, h, "x", 1, pk, sk), 0);
	json_decref(h);
	base = get_u32be(raw.p + 4);
	buf_free(&raw);

	/* Exactly ENV_MAX_HEADER bytes: accepted. */
	size_t padn = ENV_MAX_HEADER - base;
	char *pad = xmalloc(padn + 2);
	memset(pad, 'p', padn + 1);
	pad[padn] = '\0';
	h = json_pack("{s:s,s:s,s:I,s:s}", "kind", "cosign", "state", "XA",
	    "time", (json_int_t)TIME, "pad", pad);
	assert_int_equal(env_build(&raw, h, "x", 1, pk, sk), 0);
	json_decref(h);
	assert_int_equal(get_u32be(raw.p + 4), ENV_MAX_HEADER);
	assert_int_equal(env_parse(&e, raw.p, raw.len), 0);
	assert_int_equal(env_verify(&e), 0);
	env_free(&e);
	buf_free(&raw);

	/* One more: env_build refuses, and a hand-made frame is refused. */
	pad[padn] = 'p';
	pad[padn + 1] = '\0';
	h = json_pack("{s:s,s:s,s:I,s:s}", "kind", "cosign", "state", "XA",
	    "time", (json_int_t)TIME, "pad", pad);
	rs_seterr("none");
	assert_int_not_equal(env_build(&raw, h, "x", 1, pk, sk), 0);
	assert_non_null(strstr(rs_err(), "too large"));
	assert_int_equal(raw.len, 0);
	char *text = jdump(h);
	json_decref(h);
	assert_int_equal(strlen(text), ENV_MAX_HEADER + 1);
	frame(&raw, text, strlen(text), "x", 1, sk);
	assert_int_equal(env_frame_len(raw.p, raw.len), -1);
	assert_int_not_equal(env_parse(&e, raw.p, raw.len), 0);
	buf_free(&raw);
	free(text);
	free(pad);
}

static void
test_payload_limit(void **state)
{
	size_t max = ENV_MAX_PAYLOAD;
	uint8_t *p = xcalloc(1, max + 1);
	struct buf raw = {0};
	struct envelope e;
	json_t *h;

	p[0] = 1;
	p[max - 1] = 2;
	/* One byte too many: env_build refuses before signing anything. */
	h = json_pack("{s:s,s:s}", "kind", "msg", "state", "XA");
	rs_seterr("none");
	assert_int_not_equal(env_build(&raw, h, p, max + 1, pk, sk), 0);
	assert_non_null(strstr(rs_err(), "too large"));
	assert_int_equal(raw.len, 0);
	/* Exactly the limit: fine. */
	assert_int_equal(env_build(&raw, h, p, max, pk, sk), 0);
	json_decref(h);
	assert_int_equal(env_parse(&e, raw.p, raw.len), 0);
	assert_int_equal(env_verify(&e), 0);
	assert_int_equal(e.payload_len, max);
	env_free(&e);

	/* A frame saying max + 1, with every byte present: refused. */
	size_t hl = get_u32be(raw.p + 4), at = 8 + hl + 64;
	buf_free(&raw);
	free(p);
	raw.len = 0;
	buf_reserve(&raw, at + 4 + max + 1);
	memset(raw.p, 0, at + 4 + max + 1);
	memcpy(raw.p, "RSE1", 4);
	put_u32be(raw.p + 4, (uint32_t)hl);
	put_u32be(raw.p + at, (uint32_t)max + 1);
	raw.len = at + 4 + max + 1;
	assert_int_equal(env_frame_len(raw.p, raw.len), -1);
	assert_int_not_equal(env_parse(&e, raw.p, raw.len), 0);
	put_u32be(raw.p + at, (uint32_t)max);
	assert_int_equal(env_frame_len(raw.p, raw.len), (int64_t)raw.len - 1);
	buf_free(&raw);
}

static void
test_leaf(void **state)
{
	uint8_t id[32], d[LEAF_DATA_LEN], h[32], want[32];
	uint8_t pre[1 + LEAF_DATA_LEN];

	for (int i = 0; i < 32; i++)
		id[i] = (uint8_t)i;
	env_leaf_data(d, id, 0x0102030405060708LL);
	assert_memory_equal(d, id, 32);
	assert_memory_equal(d + 32, "\x01\x02\x03\x04\x05\x06\x07\x08", 8);
	env_leaf_hash(h, id, 0x0102030405060708LL);
	pre[0] = 0;
	memcpy(pre + 1, d, LEAF_DATA_LEN);
	sha256(want, pre, sizeof(pre));
	assert_memory_equal(h, want, 32);
	env_leaf_hash(want, id, 0x0102030405060709LL);
	assert_memory_not_equal(h, want, 32);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_wrong_signer),
		cmocka_unit_test(test_every_byte_flip),
		cmocka_unit_test(test_truncation_and_trailing),
		cmocka_unit_test(test_header_fields),
		cmocka_unit_test(test_header_shape),
		cmocka_unit_test(test_batches),
		cmocka_unit_test(test_frame_fields),
		cmocka_unit_test(test_header_limit),
		cmocka_unit_test(test_payload_limit),
		cmocka_unit_test(test_leaf),
	};

	if (sodium_init() < 0)
		return 1;
	crypto_sign_keypair(pk, sk);
	crypto_sign_keypair(pk2, sk2);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
