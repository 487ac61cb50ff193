/*
 * statement.c - see statement.h.  The parser accepts exactly the text the
 * maker writes (canonical decimal, lower-case hex, trailing newline), so one
 * checkpoint has one spelling and two different texts are two different
 * statements.  It reads both versions; the maker writes v2 only, so a hub
 * built from this code can no longer sign a checkpoint that leaves out its
 * public tree.
 */
#include "statement.h"

#include <assert.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sodium.h>

#include "jsonutil.h"
#include "merkle.h"

#define CP_HEAD_V1 "roster-checkpoint-v1\n"
#define CP_HEAD_V2 "roster-checkpoint-v2\n"
#define CP_MAX_TEXT 1024
#define RC_HEAD "roster-receipt-v1\n"

/* The one spelling of a checkpoint: v1 has the first five lines only. */
static char *
checkpoint_text(const struct checkpoint *c)
{
	struct buf b = {0};
	char *rh = hex_encode(c->root, 32), *ph;

	assert(c->version == 1 || c->version == 2);
	buf_printf(&b, "%s%s\n%" PRIu64 "\n%s\n%" PRId64 "\n",
	    c->version == 1 ? CP_HEAD_V1 : CP_HEAD_V2, c->origin, c->size, rh,
	    c->time);
	if (c->version == 2) {
		ph = hex_encode(c->pub_root, 32);
		buf_printf(&b, "%" PRIu64 "\n%s\n", c->pub_size, ph);
		free(ph);
	}
	free(rh);
	buf_cstr(&b);
	return (char *)b.p;
}

void
checkpoint_make(struct checkpoint *c, const char *origin, uint64_t size,
    const uint8_t root[32], int64_t time, uint64_t pub_size,
    const uint8_t pub_root[32], const uint8_t sk[64])
{
	assert(pub_size <= size);
	memset(c, 0, sizeof(*c));
	c->version = 2;
	snprintf(c->origin, sizeof(c->origin), "%s", origin);
	c->size = size;
	memcpy(c->root, root, 32);
	c->time = time;
	c->pub_size = pub_size;
	memcpy(c->pub_root, pub_root, 32);
	c->text = checkpoint_text(c);
	crypto_sign_detached(c->sig, NULL, (const uint8_t *)c->text, strlen(c->text), sk);
}

int
checkpoint_same_tree(const struct checkpoint *a, const struct checkpoint *b)
{
	if (a->size != b->size || memcmp(a->root, b->root, 32) != 0)
		return 0;
	if (a->version < 2 || b->version < 2)
		return 1;
	return a->pub_size == b->pub_size &&
	    memcmp(a->pub_root, b->pub_root, 32) == 0;
}

/*
 * The origin is the hub's name: 1 to ORIGIN_MAX-1 bytes of UTF-8 text
 * without control characters (C0, DEL or C1).  Anything else could not be
 * carried in the JSON form (jansson refuses invalid UTF-8) or could display
 * as another name.
 */
int
checkpoint_valid_origin(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t len = strlen(s);
	json_t *j;

	if (len == 0 || len >= ORIGIN_MAX)
		return 0;
	for (; *p != '\0'; p++)
		if (*p < 0x20 || *p == 0x7f ||
		    (p[0] == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f))
			return 0;
	if ((j = json_string(s)) == NULL)	/* strict UTF-8 check */
		return 0;
	json_decref(j);
	return 1;
}

/* The lines after the head: 4 for v1, 6 for v2.  0 and the fields in c,
 * or -1 with rs_err. */
static int
scan_fields(struct checkpoint *c, const char *body)
{
	char roothex[65], pubhex[65];
	unsigned long long size, pub = 0;
	long long time;
	int n = 0, got;

	if (c->version == 1)
		got = sscanf(body, "%127[^\n]\n%llu\n%64[0-9a-f]\n%lld\n%n",
		    c->origin, &size, roothex, &time, &n) == 4;
	else
		got = sscanf(body, "%127[^\n]\n%llu\n%64[0-9a-f]\n%lld\n%llu\n"
		    "%64[0-9a-f]\n%n", c->origin, &size, roothex, &time, &pub,
		    pubhex, &n) == 6 && hex_decode_exact(c->pub_root, 32, pubhex) == 0;
	if (!got || n == 0 || hex_decode_exact(c->root, 32, roothex) != 0) {
		rs_seterr("malformed checkpoint");
		return -1;
	}
	c->size = size;
	c->time = time;
	c->pub_size = pub;
	return 0;
}

int
checkpoint_parse(struct checkpoint *c, const char *text, const uint8_t sig[64],
    const uint8_t operator_key[32])
{
	uint8_t empty[32];
	char *again;
	size_t head;

	memset(c, 0, sizeof(*c));
	if (strlen(text) > CP_MAX_TEXT) {
		rs_seterr("not a roster checkpoint (too long)");
		return -1;
	}
	if (strncmp(text, CP_HEAD_V2, strlen(CP_HEAD_V2)) == 0)
		c->version = 2;
	else if (strncmp(text, CP_HEAD_V1, strlen(CP_HEAD_V1)) == 0)
		c->version = 1;
	else {
		rs_seterr("not a roster checkpoint");
		return -1;
	}
	head = strlen(c->version == 2 ? CP_HEAD_V2 : CP_HEAD_V1);
	if (scan_fields(c, text + head) != 0)
		goto fail;
	if (!checkpoint_valid_origin(c->origin)) {
		rs_seterr("checkpoint origin must be UTF-8 text without control characters");
		goto fail;
	}
	if (c->version == 2) {
		merkle_empty_root(empty);
		if (c->pub_size > c->size) {
			rs_seterr("checkpoint counts %llu public records in a log of %llu",
			    (unsigned long long)c->pub_size, (unsigned long long)c->size);
			goto fail;
		}
		if (c->pub_size == 0 && memcmp(c->pub_root, empty, 32) != 0) {
			rs_seterr("checkpoint has no public records but a public root "
			    "that is not the empty root");
			goto fail;
		}
	}
	again = checkpoint_text(c);
	if (strcmp(again, text) != 0) {
		free(again);
		rs_seterr("checkpoint is not in canonical form");
		goto fail;
	}
	if (!MUTANT(cpsig) && crypto_sign_verify_detached(sig, (const uint8_t *)text,
	    strlen(text), operator_key) != 0) {
		free(again);
		rs_seterr("checkpoint signature does not verify against the operator key");
		goto fail;
	}
	c->text = again;
	memcpy(c->sig, sig, 64);
	return 0;
fail:
	memset(c, 0, sizeof(*c));
	return -1;
}

json_t *
checkpoint_json(const struct checkpoint *c)
{
	json_t *j = json_object();

	json_object_set_new(j, "checkpoint", json_string(c->text));
	json_object_set_new(j, "sig", jb64(c->sig, 64));
	return j;
}

int
checkpoint_from_json(struct checkpoint *c, json_t *j, const uint8_t operator_key[32])
{
	struct buf sig = {0};
	const char *text = jstr_req(j, "checkpoint");
	int rc = -1;

	memset(c, 0, sizeof(*c));
	if (text == NULL || jb64_req(j, "sig", &sig) != 0)
		goto out;
	if (sig.len != 64) {
		rs_seterr("checkpoint signature must be 64 bytes");
		goto out;
	}
	rc = checkpoint_parse(c, text, sig.p, operator_key);
out:
	buf_free(&sig);
	return rc;
}

void
checkpoint_free(struct checkpoint *c)
{
	free(c->text);
	c->text = NULL;
}

static void
receipt_text(struct buf *b, const uint8_t id[32], uint64_t index, int64_t time)
{
	char *ih = hex_encode(id, 32);

	buf_printf(b, RC_HEAD "%s\n%" PRIu64 "\n%" PRId64 "\n", ih, index, time);
	free(ih);
}

void
receipt_make(struct receipt *r, const uint8_t id[32], uint64_t index,
    int64_t time, const uint8_t sk[64])
{
	struct buf b = {0};

	memcpy(r->id, id, 32);
	r->index = index;
	r->time = time;
	receipt_text(&b, id, index, time);
	crypto_sign_detached(r->sig, NULL, b.p, b.len, sk);
	buf_free(&b);
}

int
receipt_verify(const struct receipt *r, const uint8_t operator_key[32])
{
	struct buf b = {0};
	int rc;

	receipt_text(&b, r->id, r->index, r->time);
	rc = crypto_sign_verify_detached(r->sig, b.p, b.len, operator_key);
	buf_free(&b);
	if (rc != 0)
		rs_seterr("receipt signature does not verify against the operator key");
	return rc == 0 ? 0 : -1;
}

json_t *
receipt_json(const struct receipt *r)
{
	json_t *j = json_object();

	json_object_set_new(j, "id", jhex(r->id, 32));
	json_object_set_new(j, "index", json_integer((json_int_t)r->index));
	json_object_set_new(j, "time", json_integer(r->time));
	json_object_set_new(j, "sig", jb64(r->sig, 64));
	return j;
}

int
receipt_from_json(struct receipt *r, json_t *j)
{
	struct buf sig = {0};
	int64_t index;

	if (!json_is_object(j)) {
		rs_seterr("receipt is not a JSON object");
		return -1;
	}
	if (jhex32_req(j, "id", r->id) != 0 ||
	    jint_req(j, "index", &index) != 0 || jint_req(j, "time", &r->time) != 0 ||
	    jb64_req(j, "sig", &sig) != 0)
		goto fail;
	if (index < 0 || sig.len != 64) {
		rs_seterr("malformed receipt");
		goto fail;
	}
	r->index = (uint64_t)index;
	memcpy(r->sig, sig.p, 64);
	buf_free(&sig);
	return 0;
fail:
	buf_free(&sig);
	return -1;
}
