/*
 * db.c - see db.h.  Every error becomes an rs_err sentence naming what
 * failed; callers roll back and report.
 */
#include "db.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "util.h"

/*
 * A connection that finds the database locked (another process's or
 * thread's write transaction) waits in steps of 1 ms, up to DB_BUSY_MS in
 * all, then the statement fails with SQLITE_BUSY.  SQLite's own handler
 * (sqlite3_busy_timeout) sleeps 1, 2, 5, 10 ... then 100 ms a step: a
 * reader behind a writer's commit of a millisecond waited for up to a
 * tenth of a second more.  The start of a wait is the thread's (the
 * handler runs on the thread whose statement waits; count 0 starts it).
 */
static _Thread_local struct timespec busy_since;

static int
busy_wait(void *arg, int count)
{
	struct timespec now, step = { 0, 1000000 };
	int64_t ms;

	(void)arg;
	if (count == 0)
		clock_gettime(CLOCK_MONOTONIC, &busy_since);
	clock_gettime(CLOCK_MONOTONIC, &now);
	ms = (int64_t)(now.tv_sec - busy_since.tv_sec) * 1000 +
	    (now.tv_nsec - busy_since.tv_nsec) / 1000000;
	if (ms >= DB_BUSY_MS)
		return 0;
	nanosleep(&step, NULL);
	return 1;
}

sqlite3 *
db_open(const char *path, const char *schema)
{
	sqlite3 *db;

	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
	    SQLITE_OPEN_FULLMUTEX, NULL) != SQLITE_OK) {
		rs_seterr("cannot open database %s: %s", path, sqlite3_errmsg(db));
		sqlite3_close(db);
		return NULL;
	}
	sqlite3_busy_handler(db, busy_wait, NULL);
	if (db_exec(db, MUTANT(durability) ? "PRAGMA journal_mode=WAL; PRAGMA synchronous=OFF;" :
	    "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
	    "PRAGMA foreign_keys=ON;") != 0 ||
	    (schema != NULL && db_exec(db, schema) != 0)) {
		char why[RS_ERRLEN];
		snprintf(why, sizeof(why), "%s", rs_err());
		rs_seterr("cannot prepare database %s: %s", path, why);
		sqlite3_close(db);
		return NULL;
	}
	return db;
}

int
db_add_column(sqlite3 *db, const char *table, const char *column)
{
	char sql[512], name[64];
	sqlite3_stmt *st;
	int found = 0;

	snprintf(name, sizeof(name), "%.*s", (int)strcspn(column, " "), column);
	snprintf(sql, sizeof(sql), "SELECT 1 FROM pragma_table_info('%s') WHERE name = ?",
	    table);
	if ((st = db_prep(db, sql)) == NULL)
		return -1;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	found = sqlite3_step(st) == SQLITE_ROW;
	sqlite3_finalize(st);
	if (found)
		return 0;
	snprintf(sql, sizeof(sql), "ALTER TABLE %s ADD COLUMN %s", table, column);
	return db_exec(db, sql);
}

void
db_close(sqlite3 *db)
{
	sqlite3_close(db);
}

int
db_exec(sqlite3 *db, const char *sql)
{
	char *msg = NULL;

	if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		rs_seterr("database error: %s", msg ? msg : sqlite3_errmsg(db));
		sqlite3_free(msg);
		return -1;
	}
	return 0;
}

sqlite3_stmt *
db_prep(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *st;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
		rs_seterr("database error: %s (in: %.60s)", sqlite3_errmsg(db), sql);
		return NULL;
	}
	return st;
}

int
db_done(sqlite3 *db, sqlite3_stmt *st)
{
	int rc = sqlite3_step(st);

	sqlite3_reset(st);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
		rs_seterr("database error: %s", sqlite3_errmsg(db));
		return -1;
	}
	return 0;
}

int
db_begin(sqlite3 *db)
{
	return db_exec(db, "BEGIN IMMEDIATE");
}

int
db_commit(sqlite3 *db)
{
	return db_exec(db, "COMMIT");
}

void
db_rollback(sqlite3 *db)
{
	if (!sqlite3_get_autocommit(db))
		sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
}

int
db_meta_get_int(sqlite3 *db, const char *k, int64_t *v)
{
	sqlite3_stmt *st = db_prep(db, "SELECT v FROM meta WHERE k = ?");
	int rc = -1;

	if (st == NULL)
		return -1;
	sqlite3_bind_text(st, 1, k, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW) {
		*v = sqlite3_column_int64(st, 0);
		rc = 0;
	} else
		rs_seterr("no %s recorded", k);
	sqlite3_finalize(st);
	return rc;
}

int
db_meta_set_int(sqlite3 *db, const char *k, int64_t v)
{
	sqlite3_stmt *st = db_prep(db, "INSERT OR REPLACE INTO meta(k, v) VALUES(?, ?)");
	int rc;

	if (st == NULL)
		return -1;
	sqlite3_bind_text(st, 1, k, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, v);
	rc = db_done(db, st);
	sqlite3_finalize(st);
	return rc;
}

char *
db_meta_get_text(sqlite3 *db, const char *k)
{
	sqlite3_stmt *st = db_prep(db, "SELECT v FROM meta WHERE k = ?");
	char *out = NULL;

	if (st == NULL)
		return NULL;
	sqlite3_bind_text(st, 1, k, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0) != NULL)
		out = xstrdup((const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	return out;
}

int
db_meta_set_text(sqlite3 *db, const char *k, const char *v)
{
	sqlite3_stmt *st = db_prep(db, "INSERT OR REPLACE INTO meta(k, v) VALUES(?, ?)");
	int rc;

	if (st == NULL)
		return -1;
	sqlite3_bind_text(st, 1, k, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, v, -1, SQLITE_STATIC);
	rc = db_done(db, st);
	sqlite3_finalize(st);
	return rc;
}
