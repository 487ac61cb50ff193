/*
 * sync.c - one pass with the hub.
 *
 * 1. The outbox goes out: every envelope this device signed that has no
 *    receipt yet, in sequence order, in batches.  A receipt is kept only if
 *    the operator's signature on it verifies and it names the envelope.  If
 *    the hub refuses an envelope for good (not a transport error), the chain
 *    head is rewound to the last envelope the hub accepted and the refused
 *    envelopes are marked failed, so one refusal cannot wedge the device.
 * 2. Three listings come in, each page with a checkpoint and an inclusion
 *    proof per record: the public directory, this device's mail, and
 *    (for audit) the cosignatures.  Every record is checked before it is
 *    stored; a record that fails is refused with its reason and the cursor
 *    moves past it, so a hostile hub can make a node miss a record (which the
 *    sender sees as a missing acknowledgement) but never believe a false one.
 *    Two exceptions keep an honest record from being lost: a page whose
 *    checkpoint or framing fails is refused whole and fetched again next
 *    time, and a record refused only because this node's directory is older
 *    than it (its signer was certified after the directory was fetched) is
 *    taken again once the directory has caught up.
 * 3. New messages are decrypted and answered with a signed "delivered"
 *    acknowledgement, which goes out with the outbox at the end of the pass.
 */
#include "node.h"
#include "catalogue_node.h"

#include <stdlib.h>
#include <string.h>
#include <sodium.h>

#include "db.h"
#include "jsonutil.h"
#include "seal.h"

#define OUTBOX_BATCH 1000

typedef int (*record_fn)(struct node *, const struct checkpoint *,
    const struct envelope *, int64_t, int64_t, struct sync_stats *);

/* ---- records in -------------------------------------------------------- */

int
store_record(struct node *n, const struct envelope *e, int64_t index, int64_t time,
    uint64_t checked)
{
	sqlite3_stmt *st = db_prep(n->db, "INSERT OR IGNORE INTO records(idx, time, id,"
	    " kind, envelope, checked_size) VALUES(?, ?, ?, ?, ?, ?)");
	int rc;

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, index);
	sqlite3_bind_int64(st, 2, time);
	sqlite3_bind_blob(st, 3, e->id, 32, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, e->kind, -1, SQLITE_STATIC);
	sqlite3_bind_blob(st, 5, e->raw, (int)e->raw_len, SQLITE_STATIC);
	sqlite3_bind_int64(st, 6, (int64_t)checked);
	rc = db_done(n->db, st);
	sqlite3_finalize(st);
	return rc;
}

static int
rcpt_has(const struct envelope *e, const uint8_t key[32])
{
	json_t *r = env_field(e, "rcpt"), *v;
	char *hex = hex_encode(key, 32);
	size_t i;
	int found = 0;

	json_array_foreach(r, i, v)
		if (json_is_string(v) && strcmp(json_string_value(v), hex) == 0)
			found = 1;
	free(hex);
	return found;
}

/* Envelopes of one device reach a node in log order, so their sequence
 * numbers must rise; anything else is a replay or a reordering. */
static int
check_sender_seq(struct node *n, const struct envelope *e)
{
	sqlite3_stmt *st = db_prep(n->db, "SELECT seq FROM senders WHERE device = ?");
	int64_t last = 0;
	int rc;

	if (st == NULL)
		return -2;
	sqlite3_bind_blob(st, 1, e->key, 32, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW)
		last = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	if (e->seq <= last) {
		rs_seterr("replayed or reordered: sequence number %lld after %lld from the same device",
		    (long long)e->seq, (long long)last);
		return -1;
	}
	st = db_prep(n->db, "INSERT OR REPLACE INTO senders(device, seq) VALUES(?, ?)");
	if (st == NULL)
		return -2;
	sqlite3_bind_blob(st, 1, e->key, 32, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, e->seq);
	rc = db_done(n->db, st);
	sqlite3_finalize(st);
	return rc == 0 ? 0 : -2;
}

static int
check_device_envelope(struct node *n, const struct envelope *e, int64_t index,
    int64_t time)
{
	if (!rcpt_has(e, n->cfg.device)) {
		rs_seterr("not addressed to this device");
		return -1;
	}
	if (dir_check(n->directory, e, index, time, 0) != 0)
		return (uint64_t)index >= n->dir_size ? RECORD_RETRY : -1;
	return check_sender_seq(n, e);
}

static int
accept_msg(struct node *n, const struct checkpoint *cp, const struct envelope *e,
    int64_t index, int64_t time, struct sync_stats *s)
{
	struct buf plain = {0};
	sqlite3_stmt *st = NULL;
	json_t *m = NULL;
	char *to = NULL, *rcpt = NULL, *content = NULL, ferr[RS_ERRLEN + 64];
	uint8_t parent[32];
	int rc;

	if ((rc = check_device_envelope(n, e, index, time)) != 0)
		return rc;
	if (seal_decrypt(&plain, e->payload, e->payload_len, n->key) != 0)
		return -1;
	m = jparse(plain.p, plain.len);
	if (plain.p != NULL)
		sodium_memzero(plain.p, plain.len);
	buf_free(&plain);
	if (m == NULL || !json_is_object(m)) {
		rs_seterr("decrypted body is not a roster message");
		rc = -1;
		goto out;
	}
	to = jdump(env_field(e, "to") ? env_field(e, "to") : json_array());
	rcpt = jdump(env_field(e, "rcpt"));
	if (message_payload_check(m) != 0) {
		rc = -1;
		goto out;
	}
	ferr[0] = '\0';
	if (json_object_get(m, "forward") != NULL && forward_verify(n, cp, e, m) != 0)
		snprintf(ferr, sizeof(ferr), "the forwarded original does not verify: %s",
		    rs_err());
	content = jdump(m);
	st = db_prep(n->db, "INSERT INTO messages(id, idx, time, direction, sender_state,"
	    " sender_device, to_states, rcpt, urgency, subject, body, tlp, lang, sent,"
	    " checked_size, content, parent, deadline, notice, error)"
	    " VALUES(?, ?, ?, 'in', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
	if (st == NULL) {
		rc = -2;
		goto out;
	}
	sqlite3_bind_blob(st, 1, e->id, 32, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, index);
	sqlite3_bind_int64(st, 3, time);
	sqlite3_bind_text(st, 4, e->state, -1, SQLITE_STATIC);
	sqlite3_bind_blob(st, 5, e->key, 32, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, to, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 7, rcpt, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 8, env_str(e, "urgency"), -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 9, jstr(m, "subject"), -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 10, jstr(m, "body"), -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 11, jstr(m, "tlp"), -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 12, jstr(m, "lang"), -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 13, json_integer_value(json_object_get(m, "sent")));
	sqlite3_bind_int64(st, 14, (int64_t)cp->size);
	sqlite3_bind_text(st, 15, content, -1, SQLITE_STATIC);
	if (jstr(m, "re") != NULL && hex_decode_exact(parent, 32, jstr(m, "re")) == 0)
		sqlite3_bind_blob(st, 16, parent, 32, SQLITE_STATIC);
	if (json_is_integer(env_field(e, "deadline")))
		sqlite3_bind_int64(st, 17, json_integer_value(env_field(e, "deadline")));
	if (jstr(m, "notice") != NULL)
		sqlite3_bind_text(st, 18, jstr(m, "notice"), -1, SQLITE_STATIC);
	if (ferr[0] != '\0')
		sqlite3_bind_text(st, 19, ferr, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE) {
		rs_seterr("duplicate of a message already received");
		rc = -1;
		goto out;
	}
	if (store_record(n, e, index, time, cp->size) != 0 ||
	    make_ack(n, e->id, e->key, "delivered", "") != 0 ||
	    notice_received(n, e, m, time) != 0 ||
	    (jstr(m, "notice") == NULL &&
	    alert_queue(n, "message", env_str(e, "urgency"), e->id) != 0)) {
		rc = -2;
		goto out;
	}
	s->messages++;
	rc = 0;
out:
	sqlite3_finalize(st);
	free(to);
	free(rcpt);
	if (content != NULL)
		sodium_memzero(content, strlen(content));
	free(content);
	json_decref(m);
	return rc;
}

static int
accept_ack(struct node *n, const struct checkpoint *cp, const struct envelope *e,
    int64_t index, int64_t time, struct sync_stats *s)
{
	uint8_t ref[32];
	const char *status = env_str(e, "status");
	struct buf plain = {0};
	sqlite3_stmt *st;
	json_t *rcpt = NULL, *note = NULL;
	char *dev = NULL;
	int rc, sent = 0;

	if (status == NULL || (strcmp(status, "delivered") != 0 &&
	    strcmp(status, "acknowledged") != 0 && strcmp(status, "agreed") != 0)) {
		rs_seterr("acknowledgement status must be delivered, acknowledged or agreed");
		return -1;
	}
	if (env_str(e, "ref") == NULL || hex_decode_exact(ref, 32, env_str(e, "ref")) != 0) {
		rs_seterr("acknowledgement without a valid \"ref\"");
		return -1;
	}
	if ((rc = check_device_envelope(n, e, index, time)) != 0)
		return rc;
	st = db_prep(n->db, "SELECT rcpt FROM messages WHERE id = ? AND direction = 'out'");
	if (st == NULL)
		return -2;
	sqlite3_bind_blob(st, 1, ref, 32, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW) {
		sent = 1;
		rcpt = jparse(sqlite3_column_text(st, 0), (size_t)sqlite3_column_bytes(st, 0));
	}
	sqlite3_finalize(st);
	dev = hex_encode(e->key, 32);
	rc = -1;
	if (!sent) {
		rs_seterr("acknowledges a message this node did not send");
		goto out;
	}
	size_t i;
	json_t *v;
	int listed = 0;
	json_array_foreach(rcpt, i, v)
		if (json_is_string(v) && strcmp(json_string_value(v), dev) == 0)
			listed = 1;
	if (!listed) {
		rs_seterr("acknowledgement from a device the message was not sent to");
		goto out;
	}
	if (seal_decrypt(&plain, e->payload, e->payload_len, n->key) != 0 ||
	    (note = jparse(plain.p, plain.len)) == NULL)
		goto out;
	st = db_prep(n->db, "INSERT OR IGNORE INTO acks(msg_id, device, status, idx, time,"
	    " note) VALUES(?, ?, ?, ?, ?, ?)");
	if (st == NULL) {
		rc = -2;
		goto out;
	}
	sqlite3_bind_blob(st, 1, ref, 32, SQLITE_STATIC);
	sqlite3_bind_blob(st, 2, e->key, 32, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, status, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, index);
	sqlite3_bind_int64(st, 5, time);
	sqlite3_bind_text(st, 6, jstr(note, "note"), -1, SQLITE_STATIC);
	rc = db_done(n->db, st) == 0 && store_record(n, e, index, time, cp->size) == 0 ? 0 : -2;
	sqlite3_finalize(st);
	if (rc == 0)
		s->acks++;
out:
	buf_free(&plain);
	json_decref(rcpt);
	json_decref(note);
	free(dev);
	return rc;
}

static int
accept_mail(struct node *n, const struct checkpoint *cp, const struct envelope *e,
    int64_t index, int64_t time, struct sync_stats *s)
{
	if (strcmp(e->kind, "msg") == 0)
		return accept_msg(n, cp, e, index, time, s);
	if (strcmp(e->kind, "ack") == 0)
		return accept_ack(n, cp, e, index, time, s);
	rs_seterr("unexpected %s record in the mail", e->kind);
	return -1;
}

static int
accept_directory(struct node *n, const struct checkpoint *cp,
    const struct envelope *e, int64_t index, int64_t time, struct sync_stats *s)
{
	if (!dir_public_kind(e->kind)) {
		rs_seterr("unexpected %s record in the directory", e->kind);
		return -1;
	}
	if (directory_accept(n, e, index, time) != 0)
		return -1;
	s->directory++;
	return store_record(n, e, index, time, cp->size) == 0 ? 0 : -2;
}

static int
accept_cosign(struct node *n, const struct checkpoint *cp, const struct envelope *e,
    int64_t index, int64_t time, struct sync_stats *s)
{
	if (strcmp(e->kind, "cosign") != 0) {
		rs_seterr("unexpected %s record among cosignatures", e->kind);
		return -1;
	}
	if (dir_check(n->directory, e, index, time, 0) != 0)
		return (uint64_t)index >= n->dir_size ? RECORD_RETRY : -1;
	return store_record(n, e, index, time, cp->size) == 0 ? 0 : -2;
}

/* One record of a listing: 0 accepted, -1 refused (rs_err), -2 fatal,
 * RECORD_RETRY when it may be refused only because this node's directory is
 * older than the record (a device certified just before it wrote). */
static int
one_record(struct node *n, const struct checkpoint *cp, json_t *r, int64_t after,
    record_fn fn, struct sync_stats *s, int64_t *index)
{
	struct buf raw = {0};
	struct envelope e;
	int64_t time;
	int rc = -1;

	if (jint_req(r, "index", index) != 0 || jint_req(r, "time", &time) != 0)
		return -2;
	if (*index <= after) {
		rs_seterr("the hub sent records out of order (index %lld after %lld)",
		    (long long)*index, (long long)after);
		return -2;
	}
	if ((uint64_t)*index >= cp->size) {
		/* Not refused and skipped: the cursor would pass records of
		 * the log this node has not seen yet. */
		rs_seterr("the hub sent a record outside its checkpoint (index %lld, "
		    "size %llu)", (long long)*index, (unsigned long long)cp->size);
		return -2;
	}
	if (jb64_req(r, "envelope", &raw) != 0)
		goto out;
	if (env_parse(&e, raw.p, raw.len) != 0)
		goto out;
	if (verify_inclusion(n, cp, (uint64_t)*index, e.id, time,
	    json_object_get(r, "proof")) == 0 && env_verify(&e) == 0)
		rc = fn(n, cp, &e, *index, time, s);
	env_free(&e);
out:
	buf_free(&raw);
	return rc;
}

static const record_fn listing_fns[] = {
	[SYNC_DIRECTORY] = accept_directory,
	[SYNC_MAIL] = accept_mail,
	[SYNC_COSIGN] = accept_cosign,
	[SYNC_CHECKS] = checks_accept,
};

int
sync_listing_page(struct node *n, enum sync_listing which, json_t *j,
    int64_t *after, int *more, struct sync_stats *s)
{
	int64_t index = -1;
	struct checkpoint cp;
	json_t *recs, *r;
	size_t i;
	int rc = 0;

	if (verify_checkpoint(n, json_object_get(j, "checkpoint"), &cp) != 0)
		return -1;
	s->checkpoint = cp.size;
	recs = json_object_get(j, "records");
	json_array_foreach(recs, i, r) {
		rc = one_record(n, &cp, r, *after, listing_fns[which], s, &index);
		if (rc == -2)
			break;
		if (rc == RECORD_RETRY) {
			*more = 1;	/* the cursor stays before this record */
			checkpoint_free(&cp);
			return RECORD_RETRY;
		}
		if (rc == -1) {
			store_refusal(n, index, rs_err());
			s->refused++;
		}
		*after = index;
		rc = 0;
	}
	*more = json_is_true(json_object_get(j, "more")) && json_array_size(recs) > 0;
	if (which == SYNC_DIRECTORY && rc == 0 && !*more)
		n->dir_size = cp.size;
	checkpoint_free(&cp);
	return rc;
}

/* A page's directory records are applied to n->directory as they are
 * accepted; when its transaction is rolled back instead of committed, the
 * directory is rebuilt from the store so that it forgets them too. */
static void
page_abort(struct node *n)
{
	char why[RS_ERRLEN];

	snprintf(why, sizeof(why), "%s", rs_err());
	db_rollback(n->db);
	dir_free(n->directory);
	if (directory_load(n) != 0)
		fprintf(stderr, "roster: cannot reload the directory: %s\n", rs_err());
	rs_seterr("%s", why);
}

static int
fetch_listing(struct node *n, const char *path, const char *cursor,
    enum sync_listing which, struct sync_stats *s)
{
	for (;;) {
		int64_t after = -1;
		char target[256];
		json_t *j;
		int more, rc;

		db_meta_get_int(n->db, cursor, &after);
		snprintf(target, sizeof(target), "%s?after=%lld", path, (long long)after);
		if (http_get_json(n->hub, target, &j) != 0)
			return -1;
		if (db_begin(n->db) != 0 || directory_refresh(n) != 0) {
			db_rollback(n->db);
			json_decref(j);
			return -1;
		}
		int64_t now_after = -1;
		db_meta_get_int(n->db, cursor, &now_after);
		if (now_after != after) {
			/* Another process of this node took this page meanwhile. */
			db_rollback(n->db);
			json_decref(j);
			continue;
		}
		rc = sync_listing_page(n, which, j, &after, &more, s);
		if (rc == -1) {
			char why[RS_ERRLEN];
			snprintf(why, sizeof(why), "%s", rs_err());
			db_commit(n->db);	/* keep the alarm */
			json_decref(j);
			rs_seterr("%s", why);
			return -1;
		}
		json_decref(j);
		if ((rc != 0 && rc != RECORD_RETRY) ||
		    db_meta_set_int(n->db, cursor, after) != 0 || db_commit(n->db) != 0) {
			page_abort(n);
			return -1;
		}
		/* A record from a device newer than this node's directory: bring
		 * the directory up to date, then take the page again from it. */
		if (rc == RECORD_RETRY && (which == SYNC_DIRECTORY ||
		    fetch_listing(n, "/v1/directory", "dir_after", SYNC_DIRECTORY, s) != 0))
			return -1;
		if (!more)
			return 0;
	}
}

int
sync_directory(struct node *n, struct sync_stats *s)
{
	return fetch_listing(n, "/v1/directory", "dir_after", SYNC_DIRECTORY, s);
}

int
sync_cosignatures(struct node *n, struct sync_stats *s)
{
	return fetch_listing(n, "/v1/cosignatures", "cosign_after", SYNC_COSIGN, s);
}

/* ---- outbox out -------------------------------------------------------- */

/* The hub refused the envelope with sequence number seq for good: drop it and
 * every later unsent one, and put the chain head back on the last envelope
 * that has a receipt (or before the first). */
static int
rewind_chain(struct node *n, int64_t seq, const char *reason)
{
	sqlite3_stmt *st;
	int64_t head = 0;
	char *prev = NULL;

	fprintf(stderr, "roster: the hub refused envelope %lld: %s\n", (long long)seq, reason);
	if (db_begin(n->db) != 0)
		return -1;
	st = db_prep(n->db, "UPDATE messages SET error = ? WHERE id IN"
	    " (SELECT id FROM outbox WHERE seq >= ? AND receipt IS NULL)");
	if (st == NULL)
		goto fail;
	sqlite3_bind_text(st, 1, reason, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 2, seq);
	if (db_done(n->db, st) != 0) {
		sqlite3_finalize(st);
		goto fail;
	}
	sqlite3_finalize(st);
	st = db_prep(n->db, "DELETE FROM outbox WHERE seq >= ? AND receipt IS NULL");
	if (st == NULL)
		goto fail;
	sqlite3_bind_int64(st, 1, seq);
	if (db_done(n->db, st) != 0) {
		sqlite3_finalize(st);
		goto fail;
	}
	sqlite3_finalize(st);
	st = db_prep(n->db, "SELECT seq, lower(hex(id)) FROM outbox ORDER BY seq DESC LIMIT 1");
	if (st == NULL)
		goto fail;
	if (sqlite3_step(st) == SQLITE_ROW) {
		head = sqlite3_column_int64(st, 0);
		prev = xstrdup((const char *)sqlite3_column_text(st, 1));
	}
	sqlite3_finalize(st);
	if (db_meta_set_int(n->db, "seq", head) != 0 ||
	    db_meta_set_text(n->db, "prev", prev ? prev : "") != 0)
		goto fail;
	free(prev);
	return db_commit(n->db);
fail:
	free(prev);
	db_rollback(n->db);
	return -1;
}

static int
take_receipt(struct node *n, json_t *rj, const uint8_t id[32], int64_t seq)
{
	struct receipt r;
	sqlite3_stmt *st;
	char *text;
	int rc;

	if (receipt_from_json(&r, rj) != 0 ||
	    receipt_verify(&r, n->cfg.operator_key) != 0 || memcmp(r.id, id, 32) != 0) {
		char why[RS_ERRLEN];
		snprintf(why, sizeof(why), "%s", memcmp(r.id, id, 32) ? rs_err() :
		    "receipt names another envelope");
		store_alarm(n, "bad-receipt", NULL,
		    "the hub's receipt for envelope %lld is not valid: %s", (long long)seq, why);
		rs_seterr("the hub's receipt for envelope %lld is not valid: %s", (long long)seq, why);
		return -1;
	}
	text = jdump(rj);
	st = db_prep(n->db, "UPDATE outbox SET idx = ?, time = ?, receipt = ? WHERE seq = ?");
	if (st == NULL) {
		free(text);
		return -1;
	}
	sqlite3_bind_int64(st, 1, (int64_t)r.index);
	sqlite3_bind_int64(st, 2, r.time);
	sqlite3_bind_text(st, 3, text, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, seq);
	rc = db_done(n->db, st);
	sqlite3_finalize(st);
	free(text);
	st = db_prep(n->db, "UPDATE messages SET idx = ?, time = ? WHERE id = ?");
	if (rc != 0 || st == NULL) {
		sqlite3_finalize(st);
		return -1;
	}
	sqlite3_bind_int64(st, 1, (int64_t)r.index);
	sqlite3_bind_int64(st, 2, r.time);
	sqlite3_bind_blob(st, 3, id, 32, SQLITE_STATIC);
	rc = db_done(n->db, st);
	sqlite3_finalize(st);
	return rc;
}

/* Sends up to OUTBOX_BATCH pending envelopes.  Returns how many were
 * accepted, or -1. */
static int
outbox_batch(struct node *n, int *pending)
{
	sqlite3_stmt *st = db_prep(n->db, "SELECT seq, id, envelope FROM outbox"
	    " WHERE receipt IS NULL ORDER BY seq LIMIT ?");
	struct buf body = {0}, resp = {0};
	int64_t *seqs = NULL;
	uint8_t (*ids)[32] = NULL;
	size_t count = 0;
	long status;
	json_t *j = NULL, *results;
	int accepted = 0, rc = -1;

	if (st == NULL)
		return -1;
	sqlite3_bind_int(st, 1, OUTBOX_BATCH);
	while (sqlite3_step(st) == SQLITE_ROW) {
		seqs = xrealloc(seqs, (count + 1) * sizeof(*seqs));
		ids = xrealloc(ids, (count + 1) * sizeof(*ids));
		seqs[count] = sqlite3_column_int64(st, 0);
		memcpy(ids[count], sqlite3_column_blob(st, 1), 32);
		buf_add(&body, sqlite3_column_blob(st, 2), (size_t)sqlite3_column_bytes(st, 2));
		count++;
	}
	sqlite3_finalize(st);
	*pending = (int)count;
	if (count == 0) {
		rc = 0;
		goto out;
	}
	if (http_call(n->hub, "POST", "/v1/envelopes", "application/octet-stream",
	    body.p, body.len, &status, &resp) != 0)
		goto out;
	j = jparse(resp.p, resp.len);
	results = json_object_get(j, "results");
	if (!json_is_array(results)) {
		rs_seterr("the hub refused the outbox (HTTP %ld): %s", status,
		    j && jstr(j, "error") ? jstr(j, "error") : "no results");
		goto out;
	}
	/*
	 * The receipts of a batch commit together: one fsync instead of one
	 * per envelope.  Losing them in a crash loses nothing, since the hub
	 * answers a resubmission with the receipt it gave.
	 */
	const char *refused = NULL;
	size_t at = 0;
	if (db_begin(n->db) != 0)
		goto out;
	for (; at < count && at < json_array_size(results); at++) {
		json_t *r = json_array_get(results, at);
		json_t *rcpt = json_object_get(r, "receipt");
		if (rcpt == NULL) {
			refused = jstr(r, "error") ? jstr(r, "error") : "no reason given";
			break;
		}
		if (take_receipt(n, rcpt, ids[at], seqs[at]) != 0) {
			char why[RS_ERRLEN];
			snprintf(why, sizeof(why), "%s", rs_err());
			db_commit(n->db);	/* the receipts before it, and the alarm */
			rs_seterr("%s", why);
			goto out;
		}
		accepted++;
	}
	if (db_commit(n->db) != 0)
		goto out;
	if (refused != NULL && rewind_chain(n, seqs[at], refused) != 0)
		goto out;
	rc = accepted;
out:
	json_decref(j);
	free(seqs);
	free(ids);
	buf_free(&body);
	buf_free(&resp);
	return rc;
}

int
outbox_flush(struct node *n, struct sync_stats *s)
{
	for (;;) {
		int pending = 0, accepted = outbox_batch(n, &pending);
		if (accepted < 0)
			return -1;
		s->sent += accepted;
		if (pending < OUTBOX_BATCH || accepted == 0)
			return 0;
	}
}

int
sync_once(struct node *n, struct sync_stats *s)
{
	memset(s, 0, sizeof(*s));
	if (outbox_flush(n, s) != 0 || sync_directory(n, s) != 0 ||
	    fetch_listing(n, "/v1/mail", "mail_after", SYNC_MAIL, s) != 0 ||
	    fetch_listing(n, "/v1/checks", "checks_after", SYNC_CHECKS, s) != 0 ||
	    outbox_flush(n, s) != 0)
		return -1;
	return 0;
}

int
cmd_sync(int argc, char **argv)
{
	struct node n = {0};
	struct opts o;
	struct sync_stats s;
	int rc;

	opts_init(&o, argc, argv);
	node_common_opts(&n, &o);
	if (opts_finish(&o, "sync") != 0) {
		opts_free(&o);
		return EXIT_USAGE;
	}
	opts_free(&o);
	if (node_open(&n, 1) != 0) {
		rc = fail("sync");
		goto out;
	}
	if (sync_once(&n, &s) != 0) {
		rc = fail("sync");
		goto out;
	}
	printf("checkpoint %llu verified; %d new message%s, %d acknowledgement%s, "
	    "%d directory record%s, %d envelope%s sent\n",
	    (unsigned long long)s.checkpoint, s.messages, s.messages == 1 ? "" : "s",
	    s.acks, s.acks == 1 ? "" : "s", s.directory, s.directory == 1 ? "" : "s",
	    s.sent, s.sent == 1 ? "" : "s");
	int notices = 0;
	if (catalogue_fetch(&n, NULL) != 0)
		fprintf(stderr, "roster sync: warning: the hub's templates were not"
		    " refreshed: %s\n", rs_err());
	if (escalate_due(&n, &notices) != 0)
		fprintf(stderr, "roster sync: deadlines: %s\n", rs_err());
	else if (notices > 0)
		printf("%d overdue notice%s sent (`roster status ID` shows who was reached)\n",
		    notices, notices == 1 ? "" : "s");
	int open = checks_open(&n);
	if (open > 0)
		printf("%d communication check%s wait%s for this POC's answer (`roster checks`)\n",
		    open, open == 1 ? "" : "s", open == 1 ? "s" : "");
	int stale = checks_remind(&n, NULL);	/* the administrator's reminder */
	if (stale > 0)
		printf("reminder: %d POC%s of %s not confirmed for %g days (`roster status`)\n",
		    stale, stale == 1 ? "" : "s", n.cfg.state, checks_stale_days(&n));
	if (s.refused > 0) {
		printf("%d record%s refused (see above)\n", s.refused, s.refused == 1 ? "" : "s");
		rc = 1;
	} else
		rc = 0;
out:
	node_close(&n);
	return rc;
}
