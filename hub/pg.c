/*
 * pg.c - see pg.h.
 *
 * Parameters are always typed (int8, bytea, text) and binary, so no SQL
 * text ever carries a value and the server never has to guess a type.
 * Results are asked for in binary (resultFormat 1): an int8 is 8 bytes
 * big-endian, a bytea its bytes, a text its bytes (libpq adds a NUL).
 *
 * The COPY binary format (PostgreSQL's "COPY" page): the signature
 * "PGCOPY\n\377\r\n\0", a 32-bit flags word and a 32-bit header extension
 * length (both 0), then per row a 16-bit field count and per field a
 * 32-bit length (-1 for NULL) and the bytes, and a 16-bit -1 at the end.
 */
#include "pg.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define OID_BYTEA	17
#define OID_INT8	20
#define OID_TEXT	25
#define COPY_CHUNK	((size_t)1 << 20)	/* bytes per PQputCopyData */

static _Thread_local char sqlstate[6];

int
pg_is_url(const char *s)
{
	return s != NULL && (strncmp(s, "postgresql://", 13) == 0 ||
	    strncmp(s, "postgres://", 11) == 0);
}

const char *
pg_redact(const char *url)
{
	static _Thread_local char out[1100];
	const char *scheme, *at, *colon, *pw;
	size_t n;

	snprintf(out, sizeof(out), "%s", url);
	if ((scheme = strstr(out, "://")) == NULL)
		return out;
	scheme += 3;
	at = strchr(scheme, '@');
	colon = strchr(scheme, ':');
	if (at != NULL && colon != NULL && colon < at) {
		/* user:password@host: keep "user:***@host..." */
		n = (size_t)(colon - out) + 1;
		snprintf(out + n, sizeof(out) - n, "***%s", url + (at - out));
	}
	if ((pw = strstr(out, "password=")) != NULL) {
		char *p = (char *)pw + 9;
		char *end = strchr(p, '&');
		char rest[1100];
		snprintf(rest, sizeof(rest), "%s", end != NULL ? end : "");
		snprintf(p, sizeof(out) - (size_t)(p - out), "***%s", rest);
	}
	return out;
}

/* The server's message without its trailing newline. */
static void
set_conn_err(PGconn *c, const char *what)
{
	char msg[RS_ERRLEN];
	size_t n;

	snprintf(msg, sizeof(msg), "%s", c != NULL ? PQerrorMessage(c) : "out of memory");
	n = strlen(msg);
	while (n > 0 && (msg[n - 1] == '\n' || msg[n - 1] == ' '))
		msg[--n] = '\0';
	rs_seterr("%s: %s", what, msg);
}

/* Server notices ("relation already exists, skipping") are not for the
 * operator's terminal. */
static void
quiet(void *arg, const char *message)
{
	(void)arg;
	(void)message;
}

PGconn *
pg_connect(const char *url)
{
	const char *keys[] = { "application_name", "connect_timeout",
		"keepalives", "keepalives_idle", "keepalives_interval",
		"keepalives_count", "options", "dbname", NULL };
	/* MUTANT(durability) lets COMMIT return before the WAL is flushed
	 * (kept by PQreset, which reuses these settings). */
	const char *vals[] = { "rosterd", "10", "1", "10", "5", "3",
		MUTANT(durability) ? "-c synchronous_commit=off" : "", url, NULL };
	PGconn *c;

	if (!pg_is_url(url)) {
		rs_seterr("\"%s\" is not a postgresql:// URL", pg_redact(url));
		return NULL;
	}
	/* expand_dbname: the URL's own settings override the defaults before. */
	c = PQconnectdbParams(keys, vals, 1);
	if (c == NULL || PQstatus(c) != CONNECTION_OK) {
		char what[1200];
		snprintf(what, sizeof(what), "cannot connect to %s", pg_redact(url));
		set_conn_err(c, what);
		PQfinish(c);
		return NULL;
	}
	PQsetNoticeProcessor(c, quiet, NULL);
	return c;
}

void
pg_close(PGconn *c)
{
	if (c != NULL)
		PQfinish(c);
}

int
pg_broken(PGconn *c)
{
	return c == NULL || PQstatus(c) == CONNECTION_BAD;
}

int
pg_reset(PGconn *c)
{
	PQreset(c);
	if (PQstatus(c) != CONNECTION_OK) {
		set_conn_err(c, "cannot reconnect to the database");
		return -1;
	}
	return 0;
}

void
pgq_init(struct pgq *q)
{
	memset(q, 0, sizeof(*q));
}

/* More than PGQ_MAX parameters is a programming error, caught at once. */
static void
pgq_room(const struct pgq *q)
{
	if (q->n >= PGQ_MAX)
		abort();
}

void
pgq_i64(struct pgq *q, int64_t v)
{
	pgq_room(q);
	put_u64be(q->num[q->n], (uint64_t)v);
	q->v[q->n] = (const char *)q->num[q->n];
	q->len[q->n] = 8;
	q->fmt[q->n] = 1;
	q->type[q->n] = OID_INT8;
	q->n++;
}

void
pgq_bytes(struct pgq *q, const void *p, size_t n)
{
	pgq_room(q);
	q->v[q->n] = n > 0 ? p : "";
	q->len[q->n] = (int)n;
	q->fmt[q->n] = 1;
	q->type[q->n] = OID_BYTEA;
	q->n++;
}

void
pgq_text(struct pgq *q, const char *s)
{
	pgq_room(q);
	q->v[q->n] = s;
	q->len[q->n] = s != NULL ? (int)strlen(s) : 0;
	q->fmt[q->n] = 1;
	q->type[q->n] = OID_TEXT;
	q->n++;
}

void
pg_rollback(PGconn *c)
{
	char keep[RS_ERRLEN];
	PGresult *r;

	if (pg_broken(c))
		return;
	snprintf(keep, sizeof(keep), "%s", rs_err());
	r = PQexec(c, "ROLLBACK");
	PQclear(r);
	rs_seterr("%s", keep);
}

const char *
pg_sqlstate(void)
{
	return sqlstate;
}

static int
result_ok(PGconn *c, PGresult *r, const char *sql)
{
	ExecStatusType st = PQresultStatus(r);
	const char *code;
	char msg[RS_ERRLEN];
	size_t n;

	sqlstate[0] = '\0';
	if (st == PGRES_TUPLES_OK || st == PGRES_COMMAND_OK)
		return 1;
	code = r != NULL ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
	snprintf(sqlstate, sizeof(sqlstate), "%s", code != NULL ? code : "");
	snprintf(msg, sizeof(msg), "%s", r != NULL && PQresultErrorMessage(r)[0] ?
	    PQresultErrorMessage(r) : PQerrorMessage(c));
	n = strlen(msg);
	while (n > 0 && (msg[n - 1] == '\n' || msg[n - 1] == ' '))
		msg[--n] = '\0';
	rs_seterr("database error: %s (in \"%.60s%s\")", msg, sql,
	    strlen(sql) > 60 ? "..." : "");
	return 0;
}

PGresult *
pg_exec(PGconn *c, const char *sql, const struct pgq *q)
{
	PGresult *r;

	if (q != NULL)
		r = PQexecParams(c, sql, q->n, q->type, q->v, q->len, q->fmt, 1);
	else
		r = PQexecParams(c, sql, 0, NULL, NULL, NULL, NULL, 1);
	if (!result_ok(c, r, sql)) {
		PQclear(r);
		return NULL;
	}
	return r;
}

int
pg_cmd(PGconn *c, const char *sql, const struct pgq *q)
{
	PGresult *r = pg_exec(c, sql, q);

	if (r == NULL)
		return -1;
	PQclear(r);
	return 0;
}

int
pg_script(PGconn *c, const char *sql)
{
	PGresult *r = PQexec(c, sql);
	int ok = result_ok(c, r, sql);

	PQclear(r);
	return ok ? 0 : -1;
}

int
pg_null(const PGresult *r, int row, int col)
{
	return PQgetisnull(r, row, col);
}

int64_t
pg_i64(const PGresult *r, int row, int col)
{
	const uint8_t *p = (const uint8_t *)PQgetvalue(r, row, col);
	int len = PQgetlength(r, row, col);

	if (PQgetisnull(r, row, col))
		return 0;
	if (len == 8)
		return (int64_t)get_u64be(p);
	if (len == 4)
		return (int32_t)get_u32be(p);
	if (len == 2)
		return (int16_t)((p[0] << 8) | p[1]);
	return 0;
}

const uint8_t *
pg_bytes(const PGresult *r, int row, int col, size_t *len)
{
	if (PQgetisnull(r, row, col)) {
		*len = 0;
		return NULL;
	}
	*len = (size_t)PQgetlength(r, row, col);
	return (const uint8_t *)PQgetvalue(r, row, col);
}

const char *
pg_text(const PGresult *r, int row, int col)
{
	return PQgetisnull(r, row, col) ? NULL : PQgetvalue(r, row, col);
}

/* ---- COPY ----------------------------------------------------------------- */

static const uint8_t copy_header[19] = {
	'P', 'G', 'C', 'O', 'P', 'Y', '\n', 0xff, '\r', '\n', 0,
	0, 0, 0, 0, 0, 0, 0, 0
};

void
pgcopy_init(struct pgcopy *c, int ncols)
{
	memset(c, 0, sizeof(*c));
	c->ncols = ncols;
}

void
pgcopy_row(struct pgcopy *c)
{
	uint8_t n[2] = { (uint8_t)(c->ncols >> 8), (uint8_t)c->ncols };

	if (c->b.len == 0)
		buf_add(&c->b, copy_header, sizeof(copy_header));
	buf_add(&c->b, n, 2);
	c->rows++;
}

void
pgcopy_i64(struct pgcopy *c, int64_t v)
{
	buf_add_u32be(&c->b, 8);
	buf_add_u64be(&c->b, (uint64_t)v);
}

void
pgcopy_i16(struct pgcopy *c, int16_t v)
{
	uint8_t p[2] = { (uint8_t)((uint16_t)v >> 8), (uint8_t)v };

	buf_add_u32be(&c->b, 2);
	buf_add(&c->b, p, 2);
}

void
pgcopy_bytes(struct pgcopy *c, const void *p, size_t n)
{
	buf_add_u32be(&c->b, (uint32_t)n);
	buf_add(&c->b, p, n);
}

void
pgcopy_text(struct pgcopy *c, const char *s)
{
	if (s == NULL)
		pgcopy_null(c);
	else
		pgcopy_bytes(c, s, strlen(s));
}

void
pgcopy_null(struct pgcopy *c)
{
	buf_add_u32be(&c->b, 0xffffffffu);
}

int
pgcopy_send(PGconn *conn, const char *sql, struct pgcopy *c)
{
	static const uint8_t trailer[2] = { 0xff, 0xff };
	PGresult *r;
	int ok;

	if (c->rows == 0)
		return 0;
	buf_add(&c->b, trailer, 2);
	r = PQexec(conn, sql);
	if (PQresultStatus(r) != PGRES_COPY_IN) {
		result_ok(conn, r, sql);
		PQclear(r);
		c->b.len = 0;
		c->rows = 0;
		return -1;
	}
	PQclear(r);
	ok = 1;
	for (size_t off = 0; ok && off < c->b.len; off += COPY_CHUNK) {
		size_t n = c->b.len - off < COPY_CHUNK ? c->b.len - off : COPY_CHUNK;
		ok = PQputCopyData(conn, (const char *)c->b.p + off, (int)n) == 1;
	}
	ok = ok && PQputCopyEnd(conn, NULL) == 1;
	c->b.len = 0;
	c->rows = 0;
	if (!ok) {
		set_conn_err(conn, "cannot send rows to the database");
		while ((r = PQgetResult(conn)) != NULL)
			PQclear(r);
		return -1;
	}
	ok = 1;
	while ((r = PQgetResult(conn)) != NULL) {
		if (ok && !result_ok(conn, r, sql))
			ok = 0;
		PQclear(r);
	}
	return ok ? 0 : -1;
}

void
pgcopy_free(struct pgcopy *c)
{
	buf_free(&c->b);
	c->rows = 0;
}
