/*
 * envelope.c - framing, parsing, signing and checking of envelopes.
 *
 * Parsing is the first thing that touches bytes from the network, so it is
 * strict and bounded: exact framing (no trailing bytes), a header that is a
 * JSON object no larger than ENV_MAX_HEADER with no duplicate keys, required
 * fields of the right type, and a payload whose length and SHA-256 match the
 * header.  The signature is checked separately (env_verify) because it is the
 * expensive step and the hub does it on many threads.
 */
#include "envelope.h"

#include <string.h>
#include <sodium.h>

#include "jsonutil.h"
#include "merkle.h"

int64_t
env_frame_len(const uint8_t *raw, size_t len)
{
	uint32_t hl, pl;

	if (len < 8 || memcmp(raw, ENV_MAGIC, 4) != 0)
		return -1;
	hl = get_u32be(raw + 4);
	if (hl == 0 || hl > ENV_MAX_HEADER || len - 8 < (size_t)hl + 64 + 4)
		return -1;
	pl = get_u32be(raw + 8 + hl + 64);
	if (pl > ENV_MAX_PAYLOAD || len - 8 - hl - 64 - 4 < pl)
		return -1;
	return (int64_t)8 + hl + 64 + 4 + pl;
}

static int
parse_header(struct envelope *e)
{
	json_t *h = e->h, *v;
	const char *key, *prev;
	int64_t n;

	if (!json_is_object(h)) {
		rs_seterr("envelope header is not a JSON object");
		return -1;
	}
	if (jint_req(h, "v", &n) != 0)
		return -1;
	if (n != 1) {
		rs_seterr("unsupported envelope version %lld", (long long)n);
		return -1;
	}
	if ((e->kind = jstr_req(h, "kind")) == NULL)
		return -1;
	e->kind_id = kind_from_name(e->kind);
	if ((key = jstr_req(h, "key")) == NULL)
		return -1;
	if (hex_decode_exact(e->key, 32, key) != 0) {
		rs_seterr("header field \"key\" must be 64 hexadecimal digits");
		return -1;
	}
	if (jint_req(h, "time", &e->time) != 0)
		return -1;
	if (jint_req(h, "payload_len", &n) != 0)
		return -1;
	if (n < 0 || (uint64_t)n != e->payload_len) {
		rs_seterr("payload length %zu does not match the header (%lld)",
		    e->payload_len, (long long)n);
		return -1;
	}
	uint8_t want[32], got[32];
	if (jhex32_req(h, "payload_sha256", want) != 0)
		return -1;
	sha256(got, e->payload, e->payload_len);
	if (!MUTANT(digest) && sodium_memcmp(want, got, 32) != 0) {
		rs_seterr("payload does not match its digest in the header");
		return -1;
	}
	e->state = jstr(h, "state");
	if (json_object_get(h, "state") != NULL && !valid_state(e->state)) {
		rs_seterr("header field \"state\" must be a two-letter State code");
		return -1;
	}
	v = json_object_get(h, "seq");
	if (v != NULL) {
		if (!json_is_integer(v) || json_integer_value(v) < 1) {
			rs_seterr("header field \"seq\" must be a positive integer");
			return -1;
		}
		e->seq = json_integer_value(v);
	}
	if ((prev = jstr(h, "prev")) != NULL) {
		if (hex_decode_exact(e->prev, 32, prev) != 0) {
			rs_seterr("header field \"prev\" must be 64 hexadecimal digits");
			return -1;
		}
		e->has_prev = 1;
	} else if (json_object_get(h, "prev") != NULL) {
		rs_seterr("header field \"prev\" must be a string");
		return -1;
	}
	return 0;
}

int
env_parse(struct envelope *e, const uint8_t *raw, size_t len)
{
	int64_t flen = env_frame_len(raw, len);
	uint32_t hl;

	memset(e, 0, sizeof(*e));
	if (flen < 0) {
		rs_seterr("not an envelope: bad magic, length or truncated (%zu bytes)", len);
		return -1;
	}
	if ((size_t)flen != len) {
		rs_seterr("envelope has %zu trailing bytes", len - (size_t)flen);
		return -1;
	}
	hl = get_u32be(raw + 4);
	e->raw = raw;
	e->raw_len = len;
	e->header = raw + 8;
	e->header_len = hl;
	e->sig = raw + 8 + hl;
	e->payload_len = get_u32be(raw + 8 + hl + 64);
	e->payload = raw + 8 + hl + 64 + 4;
	sha256(e->id, raw, len);
	if (memchr(e->header, '\0', hl) != NULL) {
		rs_seterr("envelope header contains a NUL byte");
		return -1;
	}
	json_error_t jerr;
	e->h = json_loadb((const char *)e->header, hl, JSON_REJECT_DUPLICATES, &jerr);
	if (e->h == NULL) {
		rs_seterr("envelope header is not valid JSON: %s", jerr.text);
		return -1;
	}
	if (parse_header(e) != 0) {
		env_free(e);
		return -1;
	}
	return 0;
}

void
env_free(struct envelope *e)
{
	if (e->h != NULL)
		json_decref(e->h);
	e->h = NULL;
}

static void
signed_message(struct buf *m, const uint8_t *header, size_t len)
{
	buf_addstr(m, ENV_SIG_DOMAIN);
	buf_add(m, header, len);
}

int
env_verify(const struct envelope *e)
{
	struct buf m = {0};
	int rc;

	signed_message(&m, e->header, e->header_len);
	rc = crypto_sign_verify_detached(e->sig, m.p, m.len, e->key);
	buf_free(&m);
	if (rc != 0) {
		rs_seterr("envelope signature does not verify");
		return -1;
	}
	return 0;
}

int
env_build(struct buf *out, json_t *hdr, const void *payload, size_t len,
    const uint8_t pk[32], const uint8_t sk[64])
{
	uint8_t digest[32], sig[64];
	struct buf m = {0};
	char *text;
	size_t tl;

	if (len > ENV_MAX_PAYLOAD) {
		rs_seterr("payload too large (%zu bytes, limit %u)", len, ENV_MAX_PAYLOAD);
		return -1;
	}
	sha256(digest, payload, len);
	json_object_set_new(hdr, "v", json_integer(1));
	json_object_set_new(hdr, "key", jhex(pk, 32));
	if (json_object_get(hdr, "time") == NULL)
		json_object_set_new(hdr, "time", json_integer(now_ms()));
	json_object_set_new(hdr, "payload_len", json_integer((json_int_t)len));
	json_object_set_new(hdr, "payload_sha256", jhex(digest, 32));
	text = jdump(hdr);
	tl = strlen(text);
	if (tl > ENV_MAX_HEADER) {
		rs_seterr("envelope header too large (%zu bytes)", tl);
		free(text);
		return -1;
	}
	signed_message(&m, (const uint8_t *)text, tl);
	crypto_sign_detached(sig, NULL, m.p, m.len, sk);
	buf_free(&m);
	buf_add(out, ENV_MAGIC, 4);
	buf_add_u32be(out, (uint32_t)tl);
	buf_add(out, text, tl);
	buf_add(out, sig, 64);
	buf_add_u32be(out, (uint32_t)len);
	buf_add(out, payload, len);
	free(text);
	return 0;
}

const char *
env_str(const struct envelope *e, const char *field)
{
	return jstr(e->h, field);
}

json_t *
env_field(const struct envelope *e, const char *field)
{
	return json_object_get(e->h, field);
}

json_t *
env_payload_json(const struct envelope *e)
{
	json_t *j = jparse(e->payload, e->payload_len);

	if (j != NULL && !json_is_object(j)) {
		json_decref(j);
		rs_seterr("payload is not a JSON object");
		return NULL;
	}
	return j;
}

void
env_leaf_data(uint8_t out[LEAF_DATA_LEN], const uint8_t id[32], int64_t time)
{
	memcpy(out, id, 32);
	put_u64be(out + 32, (uint64_t)time);
}

void
env_leaf_hash(uint8_t out[32], const uint8_t id[32], int64_t time)
{
	uint8_t d[LEAF_DATA_LEN];

	env_leaf_data(d, id, time);
	merkle_leaf_hash(out, d, sizeof(d));
}
