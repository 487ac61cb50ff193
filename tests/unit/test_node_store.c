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
	};

	(void)path_in;
	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
