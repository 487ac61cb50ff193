/*
 * test_fault.c - the write-fault hook itself (lib/fault.h), before the
 * end-to-end test leans on it (tests/e2e/test_write_faults.sh).
 *
 * It must fail exactly the write asked for (once, or from then on), count
 * only the class asked for, report what it saw, and reach the real write
 * sites: a SQLite commit through the wrapping VFS, write_file_atomic, the
 * Merkle tree's files.  And each of those must fail cleanly: the commit
 * rolled back with the database intact, the old file kept, the tree
 * refusing until reopened from the committed size.  Disarmed, it fails
 * nothing.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <sodium.h>

#include "db.h"
#include "fault.h"
#include "merkle.h"
#include "util.h"
#include "tmpdir.h"

static void
arm(const char *write, const char *mode, const char *site, const char *count)
{
	struct { const char *k, *v; } e[] = {
		{ "ROSTER_FAULT_WRITE", write }, { "ROSTER_FAULT_MODE", mode },
		{ "ROSTER_FAULT_SITE", site }, { "ROSTER_FAULT_COUNT", count },
	};

	for (size_t i = 0; i < sizeof(e) / sizeof(e[0]); i++) {
		if (e[i].v != NULL)
			setenv(e[i].k, e[i].v, 1);
		else
			unsetenv(e[i].k);
	}
	fault_init();
}

static int
disarm(void **state)
{
	arm(NULL, NULL, NULL, NULL);
	return 0;
}

static int
disarm_tmp(void **state)
{
	disarm(state);
	return teardown_tmp(state);
}

static void
test_disarmed(void **state)
{
	arm(NULL, NULL, NULL, NULL);
	assert_int_equal(fault_armed, 0);
	for (int i = 0; i < 100; i++)
		assert_int_equal(fault_write(FAULT_SQLITE), 0);
}

static void
test_once(void **state)
{
	arm("3", NULL, NULL, NULL);
	assert_int_equal(fault_write(FAULT_SQLITE), 0);
	assert_int_equal(fault_write(FAULT_TREE), 0);
	errno = 0;
	assert_int_equal(fault_write(FAULT_FILE), -1);
	assert_int_equal(errno, EIO);
	assert_int_equal(fault_write(FAULT_BLOB), 0);
	assert_int_equal(fault_write(FAULT_SQLITE), 0);
}

static void
test_sticky(void **state)
{
	arm("2", "sticky", NULL, NULL);
	assert_int_equal(fault_write(FAULT_SQLITE), 0);
	for (int i = 0; i < 5; i++)
		assert_int_equal(fault_write(FAULT_SQLITE), -1);
}

static void
test_site(void **state)
{
	arm("2", NULL, "tree", NULL);
	/* sqlite writes are not counted, so the second tree write fails */
	assert_int_equal(fault_write(FAULT_SQLITE), 0);
	assert_int_equal(fault_write(FAULT_TREE), 0);
	assert_int_equal(fault_write(FAULT_SQLITE), 0);
	assert_int_equal(fault_write(FAULT_SQLITE), 0);
	assert_int_equal(fault_write(FAULT_TREE), -1);
}

static char *
slurp(const char *path)
{
	struct buf b = {0};

	assert_int_equal(read_file(path, &b, 4096), 0);
	return (char *)buf_cstr(&b);
}

static void
test_report(void **state)
{
	char *path = path_in(state, "count"), *got;

	arm("4", NULL, NULL, path);
	got = slurp(path);
	assert_string_equal(got, "0\nsqlite=0 tree=0 file=0 blob=0\nfired=0\n");
	free(got);
	for (int i = 0; i < 3; i++)
		assert_int_equal(fault_write(FAULT_SQLITE), 0);
	assert_int_equal(fault_write(FAULT_BLOB), -1);
	assert_int_equal(fault_write(FAULT_TREE), 0);
	got = slurp(path);
	assert_string_equal(got, "5\nsqlite=3 tree=1 file=0 blob=1\n"
	    "fired=1 first_site=blob\n");
	free(got);
	free(path);
}

static void
test_bad_settings(void **state)
{
	/* A malformed setting exits: a test meaning to inject a fault must
	 * not pass without one.  Checked in a child. */
	const char *bad[][2] = {
		{ "ROSTER_FAULT_WRITE", "0" }, { "ROSTER_FAULT_WRITE", "x" },
		{ "ROSTER_FAULT_WRITE", "-1" }, { "ROSTER_FAULT_MODE", "often" },
		{ "ROSTER_FAULT_SITE", "disk" },
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		pid_t pid;
		int st;

		fflush(NULL);
		pid = fork();
		assert_true(pid >= 0);
		if (pid == 0) {
			if (freopen("/dev/null", "w", stderr) == NULL)
				_exit(3);
			setenv("ROSTER_FAULT_WRITE", "1", 1);
			setenv(bad[i][0], bad[i][1], 1);
			fault_init();
			_exit(0);
		}
		assert_int_equal(waitpid(pid, &st, 0), pid);
		assert_true(WIFEXITED(st));
		assert_int_equal(WEXITSTATUS(st), 2);
	}
}

static int64_t
rows(sqlite3 *db)
{
	sqlite3_stmt *st = db_prep(db, "SELECT count(*) FROM t");
	int64_t n;

	assert_non_null(st);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return n;
}

/* PRAGMA integrity_check answers one row "ok", or rows naming damage. */
static void
intact(sqlite3 *db)
{
	sqlite3_stmt *st = db_prep(db, "PRAGMA integrity_check");

	assert_non_null(st);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	assert_string_equal((const char *)sqlite3_column_text(st, 0), "ok");
	assert_int_equal(sqlite3_step(st), SQLITE_DONE);
	sqlite3_finalize(st);
}

/* One row in one transaction. */
static int
insert(sqlite3 *db)
{
	if (db_begin(db) != 0)
		return -1;
	if (db_exec(db, "INSERT INTO t(v) VALUES(randomblob(3000))") != 0 ||
	    db_commit(db) != 0) {
		db_rollback(db);
		return -1;
	}
	return 0;
}

static unsigned long long
reported(const char *count, int line)
{
	char *got = slurp(count), *p = got;
	unsigned long long n;

	for (; line > 1 && p != NULL; line--)
		if ((p = strchr(p, '\n')) != NULL)
			p++;
	assert_non_null(p);
	if (strncmp(p, "fired=", 6) == 0)
		p += 6;
	n = strtoull(p, NULL, 10);
	free(got);
	return n;
}

static void
test_sqlite(void **state)
{
	char *path = path_in(state, "t.db"), *count = path_in(state, "count");
	unsigned long long writes, fired = 0;
	int64_t want;
	sqlite3 *db;

	db = db_open(path, "CREATE TABLE IF NOT EXISTS t(v BLOB);");
	assert_non_null(db);
	assert_int_equal(insert(db), 0);
	db_close(db);
	want = 1;

	/* The writes of opening the store, one transaction and closing,
	 * counted through the VFS. */
	arm(NULL, NULL, NULL, count);
	db = db_open(path, NULL);
	assert_non_null(db);
	assert_int_equal(insert(db), 0);
	db_close(db);
	want++;
	writes = reported(count, 1);
	assert_true(writes >= 2);	/* at least a page and a sync */

	/* Fail each of them in turn.  What reports success is there after
	 * reopening, what reports failure is not; the connection takes the
	 * next transaction; the database stays intact. */
	for (unsigned long long k = 1; k <= writes; k++) {
		char w[32];

		snprintf(w, sizeof(w), "%llu", k);
		arm(w, NULL, NULL, count);
		db = db_open(path, NULL);
		if (db != NULL) {
			if (insert(db) == 0)
				want++;
			else {
				assert_non_null(strstr(rs_err(), "I/O error"));
				assert_int_equal(insert(db), 0);
				want++;
			}
			db_close(db);
		}
		/* The writes of closing (a checkpoint of the WAL) vary with
		 * what the WAL holds: the last few may not come this time. */
		if (reported(count, 3) == 0)
			assert_true(k > writes / 2);
		else
			fired++;
		arm(NULL, NULL, NULL, NULL);
		db = db_open(path, NULL);
		assert_non_null(db);
		assert_int_equal(rows(db), want);
		intact(db);
		db_close(db);
	}
	assert_true(fired >= writes / 2);
	free(path);
	free(count);
}

/* A disk that goes bad and comes back: every write fails for a while, the
 * connection refuses each transaction, then takes the next one once the
 * writes work again, and nothing of the failed ones is there. */
static void
test_sqlite_sticky(void **state)
{
	char *path = path_in(state, "t.db");
	sqlite3 *db;

	db = db_open(path, "CREATE TABLE IF NOT EXISTS t(v BLOB);");
	assert_non_null(db);
	assert_int_equal(insert(db), 0);
	db_close(db);
	arm("1", "sticky", "sqlite", NULL);
	db = db_open(path, NULL);
	assert_non_null(db);
	for (int i = 0; i < 3; i++)
		assert_int_equal(insert(db), -1);
	arm(NULL, NULL, NULL, NULL);
	assert_int_equal(rows(db), 1);
	assert_int_equal(insert(db), 0);
	db_close(db);
	db = db_open(path, NULL);
	assert_non_null(db);
	assert_int_equal(rows(db), 2);
	intact(db);
	db_close(db);
	free(path);
}

static void
test_write_file_atomic(void **state)
{
	char *path = path_in(state, "f");
	struct buf b = {0};

	assert_int_equal(write_file_atomic(path, "old", 3, 0600), 0);
	/* Its three writes: the data, the sync of the file, the sync of the
	 * folder.  A failure of the first two keeps the old file; the third
	 * comes after the rename, so the new file is in place but not known
	 * durable, and the call still reports the failure. */
	for (int k = 1; k <= 3; k++) {
		char w[2] = { (char)('0' + k), 0 };

		arm(w, NULL, "file", NULL);
		assert_int_equal(write_file_atomic(path, "new", 3, 0600), -1);
		arm(NULL, NULL, NULL, NULL);
		b.len = 0;
		assert_int_equal(read_file(path, &b, 100), 0);
		assert_int_equal(b.len, 3);
		assert_memory_equal(b.p, k < 3 ? "old" : "new", 3);
		assert_int_equal(write_file_atomic(path, "old", 3, 0600), 0);
	}
	buf_free(&b);
	free(path);
}

static void
test_merkle(void **state)
{
	char *dir = path_in(state, "tree");
	struct merkle_tree *t;
	uint8_t leaf[32] = {1}, root1[32], root2[32];

	assert_int_equal(merkle_open(&t, dir, 0), 0);
	assert_int_equal(merkle_append(t, leaf), 0);
	assert_int_equal(merkle_sync(t), 0);
	assert_int_equal(merkle_root(t, 1, root1), 0);
	leaf[0] = 2;
	assert_int_equal(merkle_append(t, leaf), 0);
	arm("1", NULL, "tree", NULL);
	assert_int_equal(merkle_sync(t), -1);		/* the pwrite */
	arm(NULL, NULL, NULL, NULL);
	assert_int_equal(merkle_sync(t), 0);		/* rewritten from ondisk */
	assert_int_equal(merkle_append(t, leaf), 0);
	arm("2", NULL, "tree", NULL);
	assert_int_equal(merkle_sync(t), -1);		/* the fdatasync */
	arm(NULL, NULL, NULL, NULL);
	/* after a failed sync durability is unknown: refused until reopened */
	assert_int_equal(merkle_sync(t), -1);
	assert_int_equal(merkle_append(t, leaf), -1);
	merkle_close(t);
	/* reopened from what the caller's database committed: 2 leaves */
	assert_int_equal(merkle_open(&t, dir, 2), 0);
	assert_int_equal(merkle_root(t, 1, root2), 0);
	assert_memory_equal(root1, root2, 32);
	assert_int_equal(merkle_size(t), 2);
	merkle_close(t);
	free(dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_disarmed, disarm),
		cmocka_unit_test_teardown(test_once, disarm),
		cmocka_unit_test_teardown(test_sticky, disarm),
		cmocka_unit_test_teardown(test_site, disarm),
		cmocka_unit_test_setup_teardown(test_report, setup_tmp, disarm_tmp),
		cmocka_unit_test_teardown(test_bad_settings, disarm),
		cmocka_unit_test_setup_teardown(test_sqlite, setup_tmp, disarm_tmp),
		cmocka_unit_test_setup_teardown(test_sqlite_sticky, setup_tmp,
		    disarm_tmp),
		cmocka_unit_test_setup_teardown(test_write_file_atomic, setup_tmp,
		    disarm_tmp),
		cmocka_unit_test_setup_teardown(test_merkle, setup_tmp, disarm_tmp),
	};

	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
