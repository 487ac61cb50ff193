/*
 * test_node_store.c - the node's store tells a duplicate from a failed
 * write, tried by breaking the write every way a disk or a damaged file
 * can:
 *
 *   duplicate     the same message twice is STORE_DUPLICATE, and the first
 *                 copy is intact
 *   full disk     the database may not grow (max_page_count): STORE_ERROR,
 *                 never a duplicate; once there is room again the kept
 *                 statement works and the message goes in
 *   read-only     query_only: STORE_ERROR
 *   trigger       a write refused by the schema (a trigger raising an
 *                 error): STORE_ERROR
 *   other unique  a uniqueness constraint that is not the message's id (an
 *                 index a damaged store grew): STORE_ERROR, because no
 *                 message with that id is there
 *
 * and that the state of the public feed and the alarms (docs/protocol.md
 * section 8) survive as stored:
 *
 *   public state  the compact range, last index and time, complete size
 *                 read back as written; a damaged frontier is an error,
 *                 never a fresh start; a feed never written is one from
 *                 the start
 *   public places a public record's place and root, counted below a size;
 *                 forgetting the places keeps the records
 *   public plan   that count walks the records down from the size (the
 *                 rowid), never the records_pindex index: planned on the
 *                 index, every checkpoint check sorted all public records
 *                 and a node following a log did O(P^2) work
 *   directory     a refresh reads only what landed past the last read
 *                 (below the verified size nothing can land later), and
 *                 still sees an admission that landed after it, past
 *                 thousands of other records: the same directory as one
 *                 loaded from the start
 *   alarms        an alarm about a record is resolved when the record is
 *                 taken, raised again it is unresolved again (never a
 *                 resolved row that hides a new failure), and the pending
 *                 list of a feed names its records once each
 *
 * (tests/e2e/test_store_faults.sh shows the same through a whole sync: the
 * message is taken on the next pass, not skipped for good.)
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>
#include <sodium.h>

#include "core/store.h"
#include "core/store_impl.h"
#include "core/verify.h"
#include "directory.h"
#include "envelope.h"
#include "jsonutil.h"
#include "keys.h"
#include "tmpdir.h"

struct fixture {
	char *dir;
	struct node n;
};

static int
setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	void *tmp;

	if (f == NULL || setup_tmp(&tmp) != 0)
		return -1;
	f->dir = tmp;
	f->n.dir = xstrdup(f->dir);
	if (store_open(&f->n) != 0)
		return -1;
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;
	void *tmp = f->dir;

	store_close(&f->n);
	free(f->n.dir);
	free(f);
	return teardown_tmp(&tmp);
}

static void
message(struct msg_new *m, uint8_t id[32], int k, const char *body)
{
	memset(id, k, 32);
	memset(m, 0, sizeof(*m));
	m->id = id;
	m->direction = "in";
	m->logged = 1;
	m->index = k;
	m->time = 1700000000000 + k;
	m->checked_size = k + 1;
	m->sender_state = "XB";
	m->to_states = "[\"XA\"]";
	m->rcpt = "[]";
	m->subject = "subject";
	m->body = body;
	m->content = "{}";
}

static void
exec(struct node *n, const char *sql)
{
	assert_int_equal(sqlite3_exec(n->store->db, sql, NULL, NULL, NULL), SQLITE_OK);
}

static void
test_duplicate(void **state)
{
	struct fixture *f = *state;
	struct msg_new m;
	struct msg_row row;
	uint8_t id[32];

	message(&m, id, 1, "first");
	assert_int_equal(store_message_add(&f->n, &m), STORE_OK);
	m.body = "second";
	assert_int_equal(store_message_add(&f->n, &m), STORE_DUPLICATE);
	assert_int_equal(store_message_get(&f->n, id, &row), STORE_OK);
	assert_string_equal(row.body, "first");
	assert_int_equal(row.index, 1);
	msg_row_free(&row);
}

static void
test_full_disk(void **state)
{
	struct fixture *f = *state;
	struct msg_new m;
	char sql[128], *big = malloc(256 * 1024);
	sqlite3_stmt *st;
	int64_t pages;
	uint8_t id[32];

	assert_non_null(big);
	memset(big, 'x', 256 * 1024 - 1);
	big[256 * 1024 - 1] = '\0';
	assert_int_equal(sqlite3_prepare_v2(f->n.store->db, "PRAGMA page_count", -1, &st,
	    NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	pages = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	snprintf(sql, sizeof(sql), "PRAGMA max_page_count = %lld", (long long)pages);
	exec(&f->n, sql);
	message(&m, id, 2, big);
	assert_int_equal(store_message_add(&f->n, &m), STORE_ERROR);
	assert_int_equal(store_message_exists(&f->n, id), STORE_NOT_FOUND);
	/* Room again: the same kept statement takes it. */
	exec(&f->n, "PRAGMA max_page_count = 1073741823");
	assert_int_equal(store_message_add(&f->n, &m), STORE_OK);
	assert_int_equal(store_message_exists(&f->n, id), STORE_OK);
	free(big);
}

static void
test_read_only(void **state)
{
	struct fixture *f = *state;
	struct msg_new m;
	uint8_t id[32];

	exec(&f->n, "PRAGMA query_only = 1");
	message(&m, id, 3, "b");
	assert_int_equal(store_message_add(&f->n, &m), STORE_ERROR);
	exec(&f->n, "PRAGMA query_only = 0");
	assert_int_equal(store_message_add(&f->n, &m), STORE_OK);
}

static void
test_trigger(void **state)
{
	struct fixture *f = *state;
	struct msg_new m;
	uint8_t id[32];

	exec(&f->n, "CREATE TRIGGER refuse BEFORE INSERT ON messages"
	    " BEGIN SELECT RAISE(ABORT, 'no room'); END");
	message(&m, id, 4, "b");
	assert_int_equal(store_message_add(&f->n, &m), STORE_ERROR);
	exec(&f->n, "DROP TRIGGER refuse");
	assert_int_equal(store_message_add(&f->n, &m), STORE_OK);
}

static void
test_other_unique(void **state)
{
	struct fixture *f = *state;
	struct msg_new m;
	uint8_t id[32];

	message(&m, id, 5, "b");
	assert_int_equal(store_message_add(&f->n, &m), STORE_OK);
	exec(&f->n, "CREATE UNIQUE INDEX damaged ON messages(subject)");
	message(&m, id, 6, "b");
	assert_int_equal(store_message_add(&f->n, &m), STORE_ERROR);
	assert_int_equal(store_message_exists(&f->n, id), STORE_NOT_FOUND);
}

static void
test_meta(void **state)
{
	struct fixture *f = *state;
	int64_t v = 0;
	char *t;

	assert_int_not_equal(store_meta_get_int(&f->n, "mail_after", &v), 0);
	assert_int_equal(store_meta_set_int(&f->n, "mail_after", 41), 0);
	assert_int_equal(store_meta_set_int(&f->n, "mail_after", 42), 0);
	assert_int_equal(store_meta_get_int(&f->n, "mail_after", &v), 0);
	assert_int_equal(v, 42);
	assert_int_equal(store_meta_set_text(&f->n, "web_lang", "fr"), 0);
	t = store_meta_get_text(&f->n, "web_lang");
	assert_string_equal(t, "fr");
	free(t);
}

static void
test_public_state(void **state)
{
	struct fixture *f = *state;
	struct pub_state a, b;
	uint8_t leaf[32], r1[32], r2[32];

	assert_int_equal(store_pub_state_get(&f->n, PUB_TAKEN, &a), STORE_NOT_FOUND);
	assert_int_equal(a.f.size, 0);
	assert_int_equal(a.last_index, -1);
	for (int i = 0; i < 11; i++) {
		memset(leaf, i, 32);
		assert_int_equal(merkle_frontier_append(&a.f, leaf), 0);
	}
	a.last_index = 40;
	a.last_time = 1700000000040;
	a.size = 41;
	assert_int_equal(store_pub_state_put(&f->n, PUB_VERIFIED, &a), 0);
	assert_int_equal(store_pub_state_get(&f->n, PUB_VERIFIED, &b), STORE_OK);
	assert_int_equal(b.f.size, 11);
	assert_int_equal(b.last_index, 40);
	assert_int_equal(b.last_time, 1700000000040);
	assert_int_equal(b.size, 41);
	merkle_frontier_root(&a.f, r1);
	merkle_frontier_root(&b.f, r2);
	assert_memory_equal(r1, r2, 32);
	assert_int_equal(store_pub_state_get(&f->n, PUB_TAKEN, &b), STORE_NOT_FOUND);
	/* A frontier damaged on disk is an error, not a feed read from the start. */
	exec(&f->n, "UPDATE public_state SET frontier = x'00'");
	assert_int_equal(store_pub_state_get(&f->n, PUB_VERIFIED, &b), STORE_ERROR);
}

static void
record(struct envelope *e, uint8_t id[32], int k)
{
	static const uint8_t raw[] = "not parsed by the store";

	memset(e, 0, sizeof(*e));
	memset(id, k, 32);
	memcpy(e->id, id, 32);
	e->kind = "group";
	e->raw = raw;
	e->raw_len = sizeof(raw);
}

static void
test_public_places(void **state)
{
	struct fixture *f = *state;
	struct envelope e;
	uint8_t id[32], root[32], empty[32], got[32];
	int64_t count, index, time;

	merkle_empty_root(empty);
	assert_int_equal(store_public_below(&f->n, 100, 100, &count, root), STORE_NOT_FOUND);
	assert_int_equal(count, 0);
	assert_memory_equal(root, empty, 32);
	for (int k = 1; k <= 3; k++) {
		record(&e, id, k);
		memset(root, 0x40 + k, 32);
		assert_int_equal(store_record_add_public(&f->n, &e, 10 * k, 1000 * k, 40,
		    k - 1, root), 0);
	}
	/* Below index 25: the first two, with the root after the second. */
	assert_int_equal(store_public_below(&f->n, 25, 100, &count, root), STORE_OK);
	assert_int_equal(count, 2);
	memset(got, 0x42, 32);
	assert_memory_equal(root, got, 32);
	/* Only places below the limit count. */
	assert_int_equal(store_public_below(&f->n, 100, 1, &count, root), STORE_OK);
	assert_int_equal(count, 1);
	assert_int_equal(store_public_leaf(&f->n, 2, &index, got, &time), STORE_OK);
	assert_int_equal(index, 30);
	assert_int_equal(time, 3000);
	assert_int_equal(store_record_id_at(&f->n, 20, got), STORE_OK);
	record(&e, id, 2);
	assert_memory_equal(got, id, 32);
	assert_int_equal(store_record_id_at(&f->n, 21, got), STORE_NOT_FOUND);
	/* Places forgotten from 1 on: the records stay, without a place. */
	assert_int_equal(store_public_forget_from(&f->n, 1), 0);
	assert_int_equal(store_public_leaf(&f->n, 1, &index, got, &time), STORE_NOT_FOUND);
	assert_int_equal(store_record_id_at(&f->n, 20, got), STORE_OK);
	assert_int_equal(store_public_below(&f->n, 100, 100, &count, root), STORE_OK);
	assert_int_equal(count, 1);
	/* The same record at its index again takes a place again. */
	record(&e, id, 2);
	assert_int_equal(store_record_add_public(&f->n, &e, 20, 2000, 40, 1, root), 0);
	assert_int_equal(store_public_leaf(&f->n, 1, &index, got, &time), STORE_OK);
	assert_int_equal(index, 20);
}

/* The plan SQLite makes for the kept statement k, its rows' details joined. */
static void
plan_of(struct node *n, enum stmt k, char *out, size_t len)
{
	sqlite3_stmt *st;
	char *sql;
	size_t used = 0;

	assert_non_null(n->store->kept[k]);
	sql = sqlite3_mprintf("EXPLAIN QUERY PLAN %s", sqlite3_sql(n->store->kept[k]));
	assert_int_equal(sqlite3_prepare_v2(n->store->db, sql, -1, &st, NULL), SQLITE_OK);
	sqlite3_free(sql);
	out[0] = '\0';
	while (sqlite3_step(st) == SQLITE_ROW && used < len)
		used += (size_t)snprintf(out + used, len - used, "%s; ",
		    (const char *)sqlite3_column_text(st, 3));
	sqlite3_finalize(st);
}

static void
test_public_plan(void **state)
{
	struct fixture *f = *state;
	uint8_t root[32];
	char plan[512];
	int64_t count;

	/* A log of 20,000 records, one in ten public, as a node holds them. */
	exec(&f->n, "WITH RECURSIVE c(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM c"
	    " WHERE i < 19999) INSERT INTO records(idx, time, id, kind, envelope,"
	    " checked_size, pindex, proot) SELECT i, i, randomblob(32), 'msg', x'00', 40,"
	    " CASE WHEN i % 10 = 0 THEN i / 10 END, CASE WHEN i % 10 = 0 THEN"
	    " zeroblob(32) END FROM c");
	assert_int_equal(store_public_below(&f->n, 5000, 2000, &count, root), STORE_OK);
	assert_int_equal(count, 500);
	assert_int_equal(store_public_below(&f->n, 20000, 1000, &count, root), STORE_OK);
	assert_int_equal(count, 1000);
	plan_of(&f->n, ST_PUBLIC_BELOW, plan, sizeof(plan));
	print_message("plan: %s\n", plan);
	assert_null(strstr(plan, "records_pindex"));
	assert_null(strstr(plan, "TEMP B-TREE"));
	assert_non_null(strstr(plan, "rowid<?"));
}

/* An admission of state's root key, signed by op, stored as public record
 * pindex at log index idx. */
static void
admit_at(struct node *n, const struct keypair *op, const char *state,
    const struct keypair *root, int64_t idx, int64_t pindex)
{
	json_t *h = json_pack("{s:s,s:s,s:I}", "kind", "admit", "state", state, "time",
	    (json_int_t)idx);
	json_t *pj = json_pack("{s:s,s:o,s:s}", "state", state, "root_key",
	    jhex(root->pk, 32), "name", "Test");
	char *p = jdump(pj);
	struct buf raw = {0};
	struct envelope e;
	uint8_t proot[32] = {0};

	assert_int_equal(env_build(&raw, h, p, strlen(p), op->pk, op->sk), 0);
	assert_int_equal(env_parse(&e, raw.p, raw.len), 0);
	assert_int_equal(store_record_add_public(n, &e, idx, idx, 40, pindex, proot), 0);
	env_free(&e);
	buf_free(&raw);
	json_decref(h);
	json_decref(pj);
	free(p);
}

/* The verified point of the public feed at log size size. */
static void
verified_at(struct node *n, uint64_t size)
{
	struct pub_state v;

	assert_int_not_equal(store_pub_state_get(n, PUB_VERIFIED, &v), STORE_ERROR);
	v.size = size;
	assert_int_equal(store_pub_state_put(n, PUB_VERIFIED, &v), 0);
}

static void
test_directory_refresh(void **state)
{
	struct fixture *f = *state;
	struct keypair *op = keypair_new(NULL, 0), *ra = keypair_new("XA", 0),
	    *rb = keypair_new("XB", 0), *rc = keypair_new("XC", 0),
	    *rd = keypair_new("XD", 0);
	struct node fresh = { 0 };

	memcpy(f->n.cfg.operator_key, op->pk, 32);
	admit_at(&f->n, op, "XA", ra, 0, 0);
	verified_at(&f->n, 1);
	assert_int_equal(directory_load(&f->n), 0);
	assert_true(dir_is_root(f->n.directory, "XA", ra->pk));
	/* 5,000 mail records land, the feed is verified past them. */
	exec(&f->n, "WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c"
	    " WHERE i < 5000) INSERT INTO records(idx, time, id, kind, envelope,"
	    " checked_size) SELECT i, i, randomblob(32), 'msg', x'00', 40 FROM c");
	verified_at(&f->n, 5001);
	assert_int_equal(directory_refresh(&f->n), 0);
	assert_int_equal(f->n.dir_read, 5001);
	assert_int_equal(f->n.dir_size, 5001);
	/* An admission lands after the refresh, past them: seen by the next. */
	admit_at(&f->n, op, "XB", rb, 5001, 1);
	assert_false(dir_is_root(f->n.directory, "XB", rb->pk));
	assert_int_equal(directory_refresh(&f->n), 0);
	assert_true(dir_is_root(f->n.directory, "XB", rb->pk));
	assert_int_equal(f->n.dir_index, 5001);
	/* One beyond the verified size (taken, not yet verified): seen too. */
	admit_at(&f->n, op, "XC", rc, 6000, 2);
	assert_int_equal(directory_refresh(&f->n), 0);
	assert_true(dir_is_root(f->n.directory, "XC", rc->pk));
	/* The same directory as one loaded from the start. */
	fresh.store = f->n.store;
	fresh.dir = f->n.dir;
	memcpy(fresh.cfg.operator_key, op->pk, 32);
	assert_int_equal(directory_load(&fresh), 0);
	assert_int_equal(fresh.directory->nroots, 3);
	assert_int_equal(fresh.directory->nroots, f->n.directory->nroots);
	for (size_t i = 0; i < fresh.directory->nroots; i++) {
		assert_memory_equal(fresh.directory->roots[i].key,
		    f->n.directory->roots[i].key, 32);
		assert_int_equal(fresh.directory->roots[i].index,
		    f->n.directory->roots[i].index);
	}
	assert_int_equal(fresh.dir_index, f->n.dir_index);
	assert_int_equal(fresh.dir_read, f->n.dir_read);
	assert_int_equal(fresh.dir_size, f->n.dir_size);
	/* Incremental: a directory record written where none can land (below
	 * the verified size, past the last directory record read) is not read
	 * again by a refresh, which starts past the last read; only a replay
	 * from the start reads it. */
	dir_free(fresh.directory);
	assert_int_equal(directory_load(&fresh), 0);
	exec(&f->n, "DELETE FROM records WHERE idx = 17");
	admit_at(&f->n, op, "XD", rd, 17, 99);
	verified_at(&f->n, 7000);
	fresh.dir_index = 0;	/* as if the XB and XC admissions were not there */
	assert_int_equal(directory_refresh(&fresh), 0);
	assert_false(dir_is_root(fresh.directory, "XD", rd->pk));
	assert_int_equal(fresh.dir_read, 7000);
	dir_free(fresh.directory);
	assert_int_equal(directory_load(&fresh), 0);
	assert_true(dir_is_root(fresh.directory, "XD", rd->pk));
	dir_free(fresh.directory);
	dir_free(f->n.directory);
	f->n.directory = NULL;
	keypair_free(op);
	keypair_free(ra);
	keypair_free(rb);
	keypair_free(rc);
	keypair_free(rd);
}

static int
collect(void *ud, int64_t index)
{
	struct buf *b = ud;

	buf_printf(b, "%lld ", (long long)index);
	return 0;
}

static void
test_alarms(void **state)
{
	struct fixture *f = *state;
	struct buf pending = {0};
	int count = -1;

	f->n.quiet = 1;
	assert_int_equal(store_alarms_unresolved(&f->n, 0), 0);
	assert_int_equal(store_alarm_record(&f->n, "bad-record", "mail", 7, "{}",
	    "refused the record at log index 7: bad"), 0);
	assert_int_equal(store_alarm_record(&f->n, "bad-record", "mail", 7, "{}",
	    "refused the record at log index 7: bad"), 0);
	assert_int_equal(store_alarm_record(&f->n, "log-time", "mail", 7, NULL,
	    "the record at log index 7 has a log time below"), 0);
	assert_int_equal(store_alarm_record(&f->n, "public-omitted", "public", 3, NULL,
	    "left out 3"), 0);
	assert_int_equal(store_alarm(&f->n, "split-view", NULL, "two checkpoints"), 0);
	assert_int_equal(store_alarms_unresolved(&f->n, 0), 4);
	assert_int_equal(store_alarms_unresolved(&f->n, 1), 3);
	assert_int_equal(store_alarms_pending_each(&f->n, "mail", collect, &pending), 0);
	assert_string_equal(buf_cstr(&pending), "7 ");
	/* The record at 7 served intact: both of its alarms resolved. */
	assert_int_equal(store_alarms_resolve(&f->n, 7, &count), 0);
	assert_int_equal(count, 2);
	assert_int_equal(store_alarms_unresolved(&f->n, 1), 1);
	/* Damaged again: the same alarm is unresolved again. */
	assert_int_equal(store_alarm_record(&f->n, "bad-record", "mail", 7, "{}",
	    "refused the record at log index 7: bad"), 0);
	assert_int_equal(store_alarms_unresolved(&f->n, 1), 2);
	/* A split view is never resolved by a record. */
	assert_int_equal(store_alarms_resolve(&f->n, 3, &count), 0);
	assert_int_equal(count, 1);
	assert_int_equal(store_alarms_unresolved(&f->n, 0), 2);
	assert_int_equal(store_alarms_resolve_kind(&f->n, "public-root", &count), 0);
	assert_int_equal(count, 0);
	buf_free(&pending);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_duplicate, setup, teardown),
		cmocka_unit_test_setup_teardown(test_full_disk, setup, teardown),
		cmocka_unit_test_setup_teardown(test_read_only, setup, teardown),
		cmocka_unit_test_setup_teardown(test_trigger, setup, teardown),
		cmocka_unit_test_setup_teardown(test_other_unique, setup, teardown),
		cmocka_unit_test_setup_teardown(test_meta, setup, teardown),
		cmocka_unit_test_setup_teardown(test_public_state, setup, teardown),
		cmocka_unit_test_setup_teardown(test_public_places, setup, teardown),
		cmocka_unit_test_setup_teardown(test_public_plan, setup, teardown),
		cmocka_unit_test_setup_teardown(test_directory_refresh, setup, teardown),
		cmocka_unit_test_setup_teardown(test_alarms, setup, teardown),
	};

	(void)path_in;
	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
