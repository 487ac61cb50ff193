/*
 * statement.c - see statement.h.  The parser accepts exactly the text the
 * maker writes (canonical decimal, lower-case hex, trailing newline), so one
 * checkpoint has one spelling and two different texts are two different
 * statements.
 */
#include "statement.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sodium.h>

#include "jsonutil.h"

#define CP_HEAD "roster-checkpoint-v1\n"
#define RC_HEAD "roster-receipt-v1\n"

static char *
checkpoint_text(const char *origin, uint64_t size, const uint8_t root[32], int64_t time)
{
	struct buf b = {0};
	char *rh = hex_encode(root, 32);

	buf_printf(&b, CP_HEAD "%s\n%" PRIu64 "\n%s\n%" PRId64 "\n", origin, size, rh, time);
	free(rh);
	buf_cstr(&b);
	return (char *)b.p;
}

void
checkpoint_make(struct checkpoint *c, const char *origin, uint64_t size,
    const uint8_t root[32], int64_t time, const uint8_t sk[64])
{
	memset(c, 0, sizeof(*c));
	snprintf(c->origin, sizeof(c->origin), "%s", origin);
	c->size = size;
	memcpy(c->root, root, 32);
	c->time = time;
	c->text = checkpoint_text(c->origin, size, root, time);
	crypto_sign_detached(c->sig, NULL, (const uint8_t *)c->text, strlen(c->text), sk);
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

int
checkpoint_parse(struct checkpoint *c, const char *text, const uint8_t sig[64],
    const uint8_t operator_key[32])
{
	char origin[ORIGIN_MAX], roothex[65];
	unsigned long long size;
	long long time;
	char *again;
	int n = 0;

	memset(c, 0, sizeof(*c));
	if (strncmp(text, CP_HEAD, strlen(CP_HEAD)) != 0 || strlen(text) > 1024) {
		rs_seterr("not a roster checkpoint");
		return -1;
	}
	if (sscanf(text + strlen(CP_HEAD), "%127[^\n]\n%llu\n%64[0-9a-f]\n%lld\n%n",
	    origin, &size, roothex, &time, &n) != 4 || n == 0 ||
	    hex_decode_exact(c->root, 32, roothex) != 0) {
		rs_seterr("malformed checkpoint");
		return -1;
	}
	if (!checkpoint_valid_origin(origin)) {
		rs_seterr("checkpoint origin must be UTF-8 text without control characters");
		return -1;
	}
	again = checkpoint_text(origin, size, c->root, time);
	if (strcmp(again, text) != 0) {
		free(again);
		rs_seterr("checkpoint is not in canonical form");
		return -1;
	}
	if (crypto_sign_verify_detached(sig, (const uint8_t *)text, strlen(text),
	    operator_key) != 0) {
		free(again);
		rs_seterr("checkpoint signature does not verify against the operator key");
		return -1;
	}
	snprintf(c->origin, sizeof(c->origin), "%s", origin);
	c->size = size;
	c->time = time;
	c->text = again;
	memcpy(c->sig, sig, 64);
	return 0;
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
