/*
 * db.h - SQLite, opened the one way roster uses it: WAL journal, synchronous
 * FULL (a commit is on disk when it returns: a receipt may follow), foreign
 * keys on, a busy wait so the CLI and a running daemon can share a file:
 * 1 ms steps, for at most DB_BUSY_MS (db.c).
 */
#ifndef ROSTER_DB_H
#define ROSTER_DB_H

#include <stdint.h>
#include <sqlite3.h>

#define DB_BUSY_MS	10000	/* the longest a statement waits for a lock */

sqlite3 *db_open(const char *path, const char *schema);
void db_close(sqlite3 *db);
int db_exec(sqlite3 *db, const char *sql);
/* Adds column (a "name TYPE ..." definition) to table unless it is there:
 * how a store made by an earlier version grows new columns. */
int db_add_column(sqlite3 *db, const char *table, const char *column);
sqlite3_stmt *db_prep(sqlite3 *db, const char *sql);
/* Steps a statement that returns no rows; resets it. */
int db_done(sqlite3 *db, sqlite3_stmt *st);
int db_begin(sqlite3 *db);
int db_commit(sqlite3 *db);
void db_rollback(sqlite3 *db);
/* meta(k, v) key-value table helpers (the schema must create it). */
int db_meta_get_int(sqlite3 *db, const char *k, int64_t *v);
int db_meta_set_int(sqlite3 *db, const char *k, int64_t v);
char *db_meta_get_text(sqlite3 *db, const char *k);	/* malloc'd or NULL */
int db_meta_set_text(sqlite3 *db, const char *k, const char *v);

#endif
