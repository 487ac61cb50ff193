/*
 * outbox.c - signing into the outbox and flushing it to the hub (see
 * outbox.h for the rules).
 *
 * The receipts of a batch commit together: one fsync instead of one per
 * envelope.  Losing them in a crash loses nothing, since the hub answers a
 * resubmission with the receipt it gave.
 */
#include "outbox.h"

#include <stdlib.h>
#include <string.h>

#include "hubclient.h"
#include "jsonutil.h"
#include "kinds.h"
#include "stixstore.h"
#include "store.h"

#define OUTBOX_BATCH 1000

int
outbox_add(struct node *n, json_t *hdr, const void *payload, size_t len,
    struct buf *env, uint8_t id[32])
{
	int64_t seq;
	char prev[65];

	if (n->key == NULL) {
		rs_seterr("the device key is locked");
		return -1;
	}
	if (store_chain_head(n, &seq, prev) != 0)
		return -1;
	if (json_object_get(hdr, "time") == NULL)
		json_object_set_new(hdr, "time", json_integer(node_clock()));
	json_object_set_new(hdr, "state", json_string(n->cfg.state));
	json_object_set_new(hdr, "seq", json_integer(seq + 1));
	if (seq > 0 && prev[0] != '\0')
		json_object_set_new(hdr, "prev", json_string(prev));
	if (env_build(env, hdr, payload, len, n->key->pk, n->key->sk) != 0)
		return -1;
	sha256(id, env->p, env->len);
	return store_outbox_add(n, seq + 1, id, jstr(hdr, "kind"), env);
}

int
outbox_sign(struct node *n, json_t *hdr, const char *payload, uint8_t id[32])
{
	struct buf env = {0};
	int rc;

	if (store_begin(n) != 0)
		return -1;
	rc = outbox_add(n, hdr, payload, strlen(payload), &env, id);
	buf_free(&env);
	if (rc != 0 || store_commit(n) != 0) {
		store_rollback(n);
		return -1;
	}
	return 0;
}

/* The hub refused the envelope with sequence number seq for good. */
static int
rewind_chain(struct node *n, int64_t seq, const char *reason)
{
	fprintf(stderr, "roster: the hub refused envelope %lld: %s\n", (long long)seq, reason);
	if (store_begin(n) != 0)
		return -1;
	if (store_outbox_drop_from(n, seq, reason) != 0) {
		store_rollback(n);
		return -1;
	}
	if (store_commit(n) != 0)
		return -1;
	/* said again for a caller with no terminal (the web's actions) */
	rs_seterr("the hub refused envelope %lld: %s", (long long)seq, reason);
	return 0;
}

/*
 * A receipt for a public record below the size up to which this node holds
 * every public record (section 8): the node must hold it there, or the hub
 * left its own record out of the public tree while receipting it.  (One
 * receipted at or past that size is checked when the public records reach
 * it, public.c.)  The alarm carries the receipt; -1 only on a store error.
 */
static int
own_public_check(struct node *n, const uint8_t id[32], int64_t index, const char *receipt)
{
	struct buf raw = {0};
	struct envelope e;
	uint8_t held[32];
	enum store_result have;
	char kind[16] = "";
	int pub = 0;

	if ((uint64_t)index >= n->dir_size)
		return 0;
	if ((have = store_record_id_at(n, index, held)) == STORE_ERROR)
		return -1;
	if (have == STORE_OK && memcmp(held, id, 32) == 0)
		return 0;
	if (store_outbox_envelope(n, id, &raw) != STORE_OK)
		return -1;
	if (env_parse(&e, raw.p, raw.len) == 0) {
		pub = record_is_public(&e);
		snprintf(kind, sizeof(kind), "%s", e.kind);
		env_free(&e);
	}
	buf_free(&raw);
	if (pub)	/* the text of public.c's check, so that one alarm is kept */
		(void)store_alarm_record(n, "public-omitted", "public", index, receipt,
		    "the hub left out this node's own %s at log index %lld, for which it "
		    "gave a signed receipt (the evidence)", kind, (long long)index);
	return 0;
}

static int
take_receipt(struct node *n, json_t *rj, const uint8_t id[32], int64_t seq)
{
	struct receipt r;
	char *text;
	int rc;

	if (receipt_from_json(&r, rj) != 0 ||
	    receipt_verify(&r, n->cfg.operator_key) != 0 || memcmp(r.id, id, 32) != 0) {
		char why[RS_ERRLEN];
		snprintf(why, sizeof(why), "%s", memcmp(r.id, id, 32) ? rs_err() :
		    "receipt names another envelope");
		(void)store_alarm_with(n, "bad-receipt", json_pack("{s:I}", "seq",
		    (json_int_t)seq), NULL,
		    "the hub's receipt for envelope %lld is not valid: %s", (long long)seq, why);
		rs_seterr("the hub's receipt for envelope %lld is not valid: %s", (long long)seq,
		    why);
		return -1;
	}
	text = jdump(rj);
	rc = store_outbox_set_receipt(n, seq, (int64_t)r.index, r.time, text) == 0 &&
	    store_message_set_logged(n, id, (int64_t)r.index, r.time) == 0 &&
	    own_public_check(n, id, (int64_t)r.index, text) == 0 ? 0 : -1;
	free(text);
	return rc;
}

/* Files the first count of items, whose receipts are committed, into the
 * TAXII collections (sent, and the outbox a bundle came through), each in
 * chunks of its own transactions (stixstore.c): after the receipts' commit,
 * so that the hub's answer is stored at once however big the bundles.  A
 * failure is a warning: the receipt stands, and serve's backfill files the
 * message at its next start. */
static void
file_sent(struct node *n, const struct outbox_item *items, size_t count)
{
	for (size_t i = 0; i < count; i++)
		if (stixstore_file_chunked(n, NULL, items[i].id) != 0 && !n->quiet)
			fprintf(stderr, "roster: warning: a sent message is not in the TAXII "
			    "collections yet (filed at serve's next start): %s\n", rs_err());
}

/* Sends up to OUTBOX_BATCH pending envelopes.  Returns how many were
 * accepted, or -1. */
static int
outbox_batch(struct node *n, int *pending)
{
	struct buf body = {0};
	struct outbox_item *items = NULL;
	size_t count = 0, at = 0;
	json_t *results = NULL;
	const char *refused = NULL;
	int accepted = 0, later = 0, rc = -1;

	if (store_outbox_pending(n, OUTBOX_BATCH, &items, &count, &body) != 0)
		goto out;
	*pending = (int)count;
	if (count == 0) {
		rc = 0;
		goto out;
	}
	if (hub_submit(n, &body, &results) != 0)
		goto out;
	if (store_begin(n) != 0)
		goto out;
	for (; at < count && at < json_array_size(results); at++) {
		json_t *r = json_array_get(results, at);
		json_t *rcpt = json_object_get(r, "receipt");
		if (rcpt == NULL) {
			refused = jstr(r, "error") ? jstr(r, "error") : "no reason given";
			/* 503 (the hub could not write its log) and 429 (quota)
			 * are "not now", never a refusal: nothing was appended
			 * and the envelope may be sent again (protocol.md). */
			later = json_integer_value(json_object_get(r, "status")) == 503 ||
			    json_integer_value(json_object_get(r, "status")) == 429;
			break;
		}
		if (take_receipt(n, rcpt, items[at].id, items[at].seq) != 0) {
			char why[RS_ERRLEN];
			snprintf(why, sizeof(why), "%s", rs_err());
			if (store_commit(n) != 0)	/* the receipts before it, and the alarm */
				store_rollback(n);
			else
				file_sent(n, items, (size_t)accepted);
			rs_seterr("%s", why);
			goto out;
		}
		accepted++;
	}
	if (store_commit(n) != 0) {
		store_rollback(n);
		goto out;
	}
	file_sent(n, items, (size_t)accepted);
	if (refused != NULL && later) {
		rs_seterr("%s; it stays in the outbox for the next sync", refused);
		goto out;
	}
	if (refused != NULL && rewind_chain(n, items[at].seq, refused) != 0)
		goto out;
	rc = accepted;
out:
	json_decref(results);
	free(items);
	buf_free(&body);
	return rc;
}

int
outbox_flush(struct node *n, int *sent)
{
	if (sent != NULL)
		*sent = 0;
	for (;;) {
		int pending = 0, accepted = outbox_batch(n, &pending);
		if (accepted < 0)
			return -1;
		if (sent != NULL)
			*sent += accepted;
		if (pending < OUTBOX_BATCH || accepted == 0)
			return 0;
	}
}
