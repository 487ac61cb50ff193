/*
 * store_pg_write.c - the sequencer's side of the PostgreSQL store: how
 * several rosterd processes append to one log.
 *
 * One coordination row.  Every batch is one transaction that starts by
 * taking the row of seqlock FOR UPDATE; whoever holds it is the only
 * process appending, until its COMMIT.  Under it the sequencer first
 * catches up with what other processes committed since its last batch
 * (store_pg_follow.c: their rows are read, checked against the stored
 * trees and applied to this process's directory), so that the directory
 * rules, the chains, the next index and the trees it appends to are the
 * log's as it is.  The expensive work (parsing, Ed25519 verification,
 * receipt signatures) stays outside, on the request threads of each
 * process, exactly as with SQLite; under the lock there is only the serial
 * part, for everything queued at once (group commit, sequencer.c).
 *
 * The batch's rows (log, rcpt, pub, chain heads, both trees' new entries)
 * are gathered in memory and sent with one COPY per table at commit, then
 * the coordination row is updated, a NOTIFY names the new size and the
 * devices that have mail, and COMMIT makes it all durable at once (with
 * synchronous_commit on, the default: docs/operations.md).  Only then does
 * the sequencer publish the new size and the requests sign receipts.  A
 * failure anywhere rolls the whole transaction back: nothing of the batch
 * is in the database, every envelope is answered 503, and the in-memory
 * state is read again from the database (pgw_recover), at once or, if the
 * database cannot be reached, before the next batch.  A COMMIT whose
 * answer is lost (the connection broke) may have committed: the same
 * resynchronisation then finds the rows, and a client that retries gets
 * its receipt as a 409 "already in the log".
 *
 * A server that went away (restarted, failed over) is waited for, up to ten
 * seconds, before a batch begins: its requests then get their receipts a
 * little later instead of 503.  A batch the loss interrupted is 503.
 *
 * A refused envelope is looked up in the log (409 with its receipt, or a
 * plain refusal): the rows gathered so far are sent first, so the lookup
 * sees the batch's own envelopes too.
 */
#include "store_pg.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "checkrec.h"
#include "kinds.h"
#include "log.h"
#include "util.h"

#define NOTIFY_MAX	7000	/* bytes of NOTIFY payload (the server's limit is 8000) */
#define RECONNECT_MS	10000	/* how long a batch waits for the server */

static void
clear_batch(struct pgstore *pg)
{
	pgcopy_free(&pg->c_log);
	pgcopy_free(&pg->c_rcpt);
	pgcopy_free(&pg->c_pub);
	pgcopy_free(&pg->c_head);
	pgcopy_free(&pg->c_tree[0]);
	pgcopy_free(&pg->c_tree[1]);
	pg->wake.len = 0;
	pg->wake_all = 0;
}

/* One round trip: the transaction, the batch's staging table for the
 * chain heads (kept per connection, emptied at commit), the lock. */
static PGresult *
take_row(struct pgstore *pg)
{
	return PQexec(pg->w, "BEGIN; CREATE TEMP TABLE IF NOT EXISTS head_new(device"
	    " bytea, seq bigint, id bytea) ON COMMIT DELETE ROWS;"
	    " SELECT size FROM seqlock WHERE one = 1 FOR UPDATE");
}

/*
 * A new writer connection for the one the server dropped, trying for a
 * while (RECONNECT_MS): a server that restarts is back within seconds, and
 * the requests of the batch then wait for their receipts instead of being
 * answered 503 and sent again.
 */
static int
reconnect(struct pgstore *pg)
{
	int64_t end = now_ms() + RECONNECT_MS;
	useconds_t nap = 100000;

	while (pg_reset(pg->w) != 0) {
		if (now_ms() + nap / 1000 > end)
			return -1;
		usleep(nap);
		if (nap < 1000000)
			nap *= 2;
	}
	pg->w_pid = PQbackendPID(pg->w);
	return 0;
}

int
pgw_begin(struct store *s)
{
	struct pgstore *pg = s->pg;
	PGresult *r = NULL;
	int64_t size;

	pthread_mutex_lock(&pg->follow_mu);
	assert(!pg->in_txn);
	if (pg_broken(pg->w)) {
		if (reconnect(pg) != 0)
			goto fail;
		pg->need_resync = 1;
	}
	if (pg->need_resync && pgs_resync(s) != 0)
		goto fail;
	clear_batch(pg);
	r = take_row(pg);
	if (PQresultStatus(r) != PGRES_TUPLES_OK && pg_broken(pg->w)) {
		/* A connection the server dropped since the last batch (it
		 * restarted): nothing was done yet, so once more on a new one. */
		PQclear(r);
		r = NULL;
		if (reconnect(pg) == 0 && pgs_resync(s) == 0)
			r = take_row(pg);
	}
	if (PQresultStatus(r) != PGRES_TUPLES_OK || PQntuples(r) != 1) {
		char msg[RS_ERRLEN];
		snprintf(msg, sizeof(msg), "%s", PQerrorMessage(pg->w));
		msg[strcspn(msg, "\n")] = '\0';
		rs_seterr("cannot take the coordination row of %s: %s", s->dbpath, msg);
		PQclear(r);
		pg_rollback(pg->w);
		goto fail;
	}
	size = strtoll(PQgetvalue(r, 0, 0), NULL, 10);	/* text: simple query */
	PQclear(r);
	pg->in_txn = 1;
	if ((uint64_t)size != store_committed(s) && pgs_catch_up(s, pg->w) != 0) {
		pg_rollback(pg->w);
		pg->in_txn = 0;
		pg->need_resync = 1;
		goto fail;
	}
	pg->new_size = store_committed(s);
	return 0;
fail:
	pthread_mutex_unlock(&pg->follow_mu);
	return -1;
}

/* Sends the rows gathered so far (log, routing, public). */
static int
send_rows(struct pgstore *pg)
{
	return pgcopy_send(pg->w, "COPY log(idx, id, time, kind, state, signer,"
	    " seq, envelope) FROM STDIN (FORMAT binary)", &pg->c_log) != 0 ||
	    pgcopy_send(pg->w, "COPY rcpt(device, idx) FROM STDIN (FORMAT binary)",
	    &pg->c_rcpt) != 0 ||
	    pgcopy_send(pg->w, "COPY pub(pindex, idx) FROM STDIN (FORMAT binary)",
	    &pg->c_pub) != 0 ? -1 : 0;
}

int
pgw_lookup(struct store *s, const struct envelope *e, uint64_t *idx,
    int64_t *time)
{
	struct pgstore *pg = s->pg;
	struct pgq q;
	PGresult *r;
	size_t len;
	const uint8_t *id;
	int rc = 0;

	assert(pg->in_txn);
	if (send_rows(pg) != 0)
		return -1;
	pgq_init(&q);
	if (kind_has(e->kind_id, KIND_CHAINED) && e->seq > 0) {
		pgq_bytes(&q, e->key, 32);
		pgq_i64(&q, e->seq);
		r = pg_exec(pg->w, "SELECT idx, time, id FROM log WHERE signer = $1"
		    " AND seq = $2", &q);
	} else {
		pgq_text(&q, e->kind);
		pgq_bytes(&q, e->id, 32);
		r = pg_exec(pg->w, "SELECT idx, time, id FROM log WHERE kind = $1"
		    " AND id = $2", &q);
	}
	if (r == NULL)
		return -1;
	if (PQntuples(r) > 0) {
		*idx = (uint64_t)pg_i64(r, 0, 0);
		*time = pg_i64(r, 0, 1);
		id = pg_bytes(r, 0, 2, &len);
		rc = len == 32 && memcmp(id, e->id, 32) == 0;
	}
	PQclear(r);
	return rc;
}

/* Adds a routing row unless this envelope routed to key already (the
 * SQLite store's INSERT OR IGNORE: a device named twice in "rcpt"). */
static void
route(struct pgstore *pg, uint8_t (*seen)[32], size_t *nseen,
    const uint8_t key[32], uint64_t idx, int wake)
{
	for (size_t i = 0; i < *nseen; i++)
		if (memcmp(seen[i], key, 32) == 0)
			return;
	memcpy(seen[(*nseen)++], key, 32);
	pgcopy_row(&pg->c_rcpt);
	pgcopy_bytes(&pg->c_rcpt, key, 32);
	pgcopy_i64(&pg->c_rcpt, (int64_t)idx);
	if (wake)
		buf_add(&pg->wake, key, 32);
}

static void
add_routes(struct pgstore *pg, const struct envelope *e, uint64_t idx)
{
	json_t *r = env_field(e, "rcpt"), *v;
	uint8_t (*seen)[32], key[32], ref[32];
	size_t nseen = 0, i;
	const char *hex;

	if (!kind_has(e->kind_id, KIND_ROUTED))
		return;
	seen = xcalloc((json_is_array(r) ? json_array_size(r) : 0) + 1, 32);
	if (checkrec_is_answer(e) && (hex = env_str(e, "ref")) != NULL &&
	    hex_decode_exact(ref, 32, hex) == 0) {
		checkrec_route(key, ref);
		route(pg, seen, &nseen, key, idx, 0);
	}
	if (json_is_array(r))
		json_array_foreach(r, i, v) {
			if (!json_is_string(v) ||
			    hex_decode_exact(key, 32, json_string_value(v)) != 0)
				continue;	/* dir_check refused these already */
			route(pg, seen, &nseen, key, idx, 1);
		}
	free(seen);
}

int
pgw_insert(struct store *s, const struct envelope *e, uint64_t idx, int64_t time)
{
	struct pgstore *pg = s->pg;
	struct pgcopy *c = &pg->c_log;

	assert(pg->in_txn);
	pgcopy_row(c);
	pgcopy_i64(c, (int64_t)idx);
	pgcopy_bytes(c, e->id, 32);
	pgcopy_i64(c, time);
	pgcopy_text(c, e->kind);
	pgcopy_text(c, e->state);
	pgcopy_bytes(c, e->key, 32);
	if (kind_has(e->kind_id, KIND_CHAINED) && e->seq > 0)
		pgcopy_i64(c, e->seq);
	else
		pgcopy_null(c);
	pgcopy_bytes(c, e->raw, e->raw_len);
	add_routes(pg, e, idx);
	if (!record_is_public(e))
		return 0;
	pgcopy_row(&pg->c_pub);
	pgcopy_i64(&pg->c_pub, (int64_t)s->pub_size);
	pgcopy_i64(&pg->c_pub, (int64_t)idx);
	s->pub_size++;
	return 0;
}

int
pgw_set_head(struct store *s, const uint8_t device[32], int64_t seq,
    const uint8_t id[32])
{
	struct pgcopy *c = &s->pg->c_head;

	pgcopy_row(c);
	pgcopy_bytes(c, device, 32);
	pgcopy_i64(c, seq);
	pgcopy_bytes(c, id, 32);
	return 0;
}

int
pgw_set_size(struct store *s, uint64_t size)
{
	s->pg->new_size = size;
	return 0;
}

/* "SIZE KEY KEY ...", or "SIZE *" when the keys do not fit. */
static void
notify_payload(struct pgstore *pg, struct buf *out)
{
	char *hex;

	buf_printf(out, "%llu", (unsigned long long)pg->new_size);
	if (pg->wake_all || pg->wake.len / 32 * 65 + out->len > NOTIFY_MAX) {
		buf_addstr(out, " *");
		return;
	}
	for (size_t i = 0; i < pg->wake.len; i += 32) {
		hex = hex_encode(pg->wake.p + i, 32);
		buf_printf(out, " %s", hex);
		free(hex);
	}
}

int
pgw_commit(struct store *s)
{
	struct pgstore *pg = s->pg;
	struct buf sql = {0};
	int rc = -1;

	assert(pg->in_txn);
	if (send_rows(pg) != 0 ||
	    pgcopy_send(pg->w, pgs_tree_copy_sql(0), &pg->c_tree[0]) != 0 ||
	    pgcopy_send(pg->w, pgs_tree_copy_sql(1), &pg->c_tree[1]) != 0)
		goto out;
	if (pg->c_head.rows > 0 &&
	    (pgcopy_send(pg->w, "COPY head_new(device, seq, id) FROM STDIN"
	    " (FORMAT binary)", &pg->c_head) != 0 ||
	    pg_cmd(pg->w, "INSERT INTO head SELECT * FROM head_new ON CONFLICT"
	    " (device) DO UPDATE SET seq = excluded.seq, id = excluded.id",
	    NULL) != 0))
		goto out;
	/* The coordination row, the wake-up and the commit: one round trip.
	 * Numbers and hex only, so the text needs no quoting. */
	if (pg->new_size != store_committed(s)) {
		buf_printf(&sql, "UPDATE seqlock SET size = %llu, pub_size = %llu,"
		    " last_time = %lld WHERE one = 1; NOTIFY " PG_CHANNEL ", '",
		    (unsigned long long)pg->new_size,
		    (unsigned long long)s->pub_size, (long long)s->last_time);
		notify_payload(pg, &sql);
		buf_addstr(&sql, "'; ");
	}
	buf_addstr(&sql, "COMMIT");
	if (pg_script(pg->w, buf_cstr(&sql)) != 0)
		goto out;
	pg->in_txn = 0;
	rc = 0;
out:
	buf_free(&sql);
	return rc;
}

void
pgw_rollback(struct store *s)
{
	struct pgstore *pg = s->pg;

	if (pg->in_txn)
		pg_rollback(pg->w);
	pg->in_txn = 0;
	clear_batch(pg);
}

int
pgw_recover(struct store *s, uint64_t base, uint64_t pub_base)
{
	(void)base;
	(void)pub_base;
	/* The database says what is committed: read everything again now, or
	 * before the next batch when it cannot be reached (until then nothing
	 * beyond the committed size is served: the trees' unsynced leaves and
	 * the directory's changes by the batch are above it). */
	if (pgs_resync(s) != 0) {
		log_event(LOG_ERROR, "resync", "cannot read the database again "
		    "after a failed batch (%s); trying again before the next one",
		    rs_err());
		s->pg->need_resync = 1;
	}
	return 0;
}

void
pgw_end(struct store *s)
{
	assert(!s->pg->in_txn);
	pthread_mutex_unlock(&s->pg->follow_mu);
}

int
pgw_save_checkpoint(struct store *s, uint64_t size, const char *text,
    const char *sig)
{
	struct pgq q;

	pgq_init(&q);
	pgq_i64(&q, (int64_t)size);
	pgq_text(&q, text);
	pgq_text(&q, sig);
	/* Only a larger size replaces the stored one: processes sign in any
	 * order, and the one kept is the newest. */
	return pg_cmd(s->pg->w, "INSERT INTO checkpoint(one, size, text, sig)"
	    " VALUES (1, $1, $2, $3) ON CONFLICT (one) DO UPDATE SET"
	    " size = excluded.size, text = excluded.text, sig = excluded.sig"
	    " WHERE checkpoint.size < excluded.size", &q);
}
