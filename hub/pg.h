/*
 * pg.h - libpq, the way the hub's PostgreSQL store uses it.
 *
 * Everything is sent and received in binary: integers as 8-byte big-endian
 * int8, byte strings as bytea, with no text escaping anywhere, so an
 * envelope goes to the server exactly as it came from the network.
 * Queries take their parameters in a struct pgq; results are read with
 * pg_i64 / pg_bytes / pg_text.  Bulk rows go through COPY ... FROM STDIN
 * in PostgreSQL's binary format (struct pgcopy), which is how a batch of
 * thousands of envelopes is one round trip per table.
 *
 * A PGconn is used by one thread at a time (libpq's rule); the store keeps
 * one per role (writer, listener, each reader) and never shares one.
 * Errors come back as -1 (or NULL) with rs_err set to the server's
 * message; pg_broken tells whether the connection itself was lost, in
 * which case the store reconnects before its next use.
 */
#ifndef ROSTER_HUB_PG_H
#define ROSTER_HUB_PG_H

#include <stddef.h>
#include <stdint.h>

#include <libpq-fe.h>

#include "util.h"

/* Is s a PostgreSQL connection URL (postgresql:// or postgres://)? */
int pg_is_url(const char *s);
/* The URL without its password, for messages (static buffer per thread). */
const char *pg_redact(const char *url);

/* Connects (application_name rosterd, TCP keepalives, unless the URL says
 * otherwise); NULL with rs_err. */
PGconn *pg_connect(const char *url);
void pg_close(PGconn *c);
/* 1 when the connection is gone (the server restarted, the network broke). */
int pg_broken(PGconn *c);
/* Reconnects a broken connection; 0 when usable again. */
int pg_reset(PGconn *c) __attribute__((warn_unused_result));

#define PGQ_MAX	16

/* The parameters of one query, $1, $2, ... in order. */
struct pgq {
	int n;
	const char *v[PGQ_MAX];
	int len[PGQ_MAX];
	int fmt[PGQ_MAX];
	Oid type[PGQ_MAX];
	uint8_t num[PGQ_MAX][8];
};

void pgq_init(struct pgq *q);
void pgq_i64(struct pgq *q, int64_t v);
void pgq_bytes(struct pgq *q, const void *p, size_t n);
/* Text; NULL is SQL NULL. */
void pgq_text(struct pgq *q, const char *s);

/* Runs sql with q (NULL: no parameters), results in binary.  The result
 * when it is rows or a command's completion, else NULL with rs_err (the
 * server's message, prefixed by what). */
PGresult *pg_exec(PGconn *c, const char *sql, const struct pgq *q)
    __attribute__((warn_unused_result));
/* The same for a statement whose rows, if any, are not wanted. */
int pg_cmd(PGconn *c, const char *sql, const struct pgq *q)
    __attribute__((warn_unused_result));
/* Several statements without parameters, one round trip (simple query
 * protocol): the last result decides. */
int pg_script(PGconn *c, const char *sql) __attribute__((warn_unused_result));
/* Ends the open transaction, if any, keeping rs_err as it was (an error
 * path's cleanup). */
void pg_rollback(PGconn *c);
/* The SQLSTATE of the last failed pg_exec/pg_cmd on this thread ("" when
 * none): "23505" is a unique violation, "40001" a serialization failure. */
const char *pg_sqlstate(void);

/* Fields of a binary result.  pg_i64 reads int8, int4 or int2; pg_bytes a
 * bytea (or text) field's bytes. */
int pg_null(const PGresult *r, int row, int col);
int64_t pg_i64(const PGresult *r, int row, int col);
const uint8_t *pg_bytes(const PGresult *r, int row, int col, size_t *len);
/* A text field, NUL-terminated by libpq; NULL when SQL NULL. */
const char *pg_text(const PGresult *r, int row, int col);

/* Rows for COPY table(cols) FROM STDIN (FORMAT binary). */
struct pgcopy {
	struct buf b;
	int ncols;
	size_t rows;
};

void pgcopy_init(struct pgcopy *c, int ncols);
void pgcopy_row(struct pgcopy *c);
void pgcopy_i64(struct pgcopy *c, int64_t v);
void pgcopy_i16(struct pgcopy *c, int16_t v);
void pgcopy_bytes(struct pgcopy *c, const void *p, size_t n);
/* Text; NULL is SQL NULL. */
void pgcopy_text(struct pgcopy *c, const char *s);
void pgcopy_null(struct pgcopy *c);
/* Sends the rows with sql ("COPY t(a, b) FROM STDIN (FORMAT binary)") and
 * empties c; nothing is sent when there are no rows.  -1 with rs_err. */
int pgcopy_send(PGconn *conn, const char *sql, struct pgcopy *c)
    __attribute__((warn_unused_result));
void pgcopy_free(struct pgcopy *c);

#endif
