/*
 * pg_schema.c - the hub's tables in PostgreSQL, created and upgraded by
 * rosterd itself ("rosterd db migrate", "rosterd db status", and at init).
 *
 * The schema is a list of numbered migrations, each a script applied once,
 * in order, in one transaction with the row of roster_schema that records
 * it; a migration is never edited once released, a change is a new one.
 * Whoever migrates holds a transaction-scoped advisory lock, so two
 * processes (two hubs starting, an operator's "db migrate") never apply
 * one twice.  A hub refuses to open a database whose version is not the
 * one it was built for: older needs "rosterd db migrate" (a deliberate
 * step, with a backup first, on a service other processes share); newer
 * means a newer rosterd wrote it.
 *
 * The tables hold what the SQLite store holds (hub/store.c), plus what
 * several processes must share:
 *
 *   log, rcpt, head, pub   as in SQLite (idx = leaf index, pub = public
 *                          index -> log index)
 *   tree, ptree            the two Merkle trees: the hash of the complete
 *                          aligned subtree of 2^L leaves at index i of level
 *                          L (lib/merkle.h's levels, as rows), keyed by
 *                          k = L * 2^56 + i, so that a proof's entries are
 *                          one index scan (k = ANY(...)) and a level's run
 *                          one range
 *   seqlock                one row: the committed size, public size and
 *                          last log time.  The sequencer of any process
 *                          takes it FOR UPDATE to append (store_pg_write.c):
 *                          the coordination row
 *   checkpoint             one row: the latest checkpoint any process signed
 *   meta                   operator_key
 *
 * No index on envelope ids, for SQLite's reason (store.c): uniqueness
 * follows from the rules and the (signer, seq) index.  The envelope column
 * is stored without compression (ciphertext and signatures do not
 * compress, and compressing costs the sequencer).  The kind index is full
 * rather than partial as in SQLite: a partial index would have to be
 * rebuilt by a migration whenever lib/kinds.c gains a kind.
 */
#include "store_pg.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

/* Any constant: the advisory lock of migrations. */
#define MIGRATE_LOCK	"7248126001"

static const struct migration {
	int version;
	const char *name;
	const char *sql;
} migrations[] = {
	{ 1, "the log, routing, chain heads, public records, both trees, "
	    "the coordination row and the latest checkpoint",
	"CREATE TABLE meta(k text PRIMARY KEY, v text NOT NULL);"
	"CREATE TABLE seqlock(one integer PRIMARY KEY CHECK (one = 1),"
	" size bigint NOT NULL, pub_size bigint NOT NULL, last_time bigint NOT NULL);"
	"INSERT INTO seqlock VALUES (1, 0, 0, 0);"
	"CREATE TABLE log(idx bigint PRIMARY KEY, id bytea NOT NULL,"
	" time bigint NOT NULL, kind text NOT NULL, state text,"
	" signer bytea NOT NULL, seq bigint, envelope bytea NOT NULL);"
	"ALTER TABLE log ALTER COLUMN envelope SET STORAGE EXTERNAL;"
	"CREATE INDEX log_kind ON log(kind, idx);"
	"CREATE UNIQUE INDEX log_chain ON log(signer, seq) WHERE seq IS NOT NULL;"
	"CREATE TABLE rcpt(device bytea NOT NULL, idx bigint NOT NULL,"
	" PRIMARY KEY(device, idx));"
	"CREATE TABLE head(device bytea PRIMARY KEY, seq bigint NOT NULL,"
	" id bytea NOT NULL);"
	"CREATE TABLE pub(pindex bigint PRIMARY KEY, idx bigint NOT NULL UNIQUE);"
	"CREATE TABLE tree(k bigint PRIMARY KEY, h bytea NOT NULL);"
	"CREATE TABLE ptree(k bigint PRIMARY KEY, h bytea NOT NULL);"
	"CREATE TABLE checkpoint(one integer PRIMARY KEY CHECK (one = 1),"
	" size bigint NOT NULL, text text NOT NULL, sig text NOT NULL);" },
};

#define NMIGRATIONS	(sizeof(migrations) / sizeof(migrations[0]))

int
pg_schema_latest(void)
{
	return migrations[NMIGRATIONS - 1].version;
}

int
pg_schema_version(PGconn *c, int *version)
{
	PGresult *r;

	r = pg_exec(c, "SELECT to_regclass('roster_schema') IS NOT NULL", NULL);
	if (r == NULL)
		return -1;
	if (PQgetvalue(r, 0, 0)[0] == 0) {	/* binary bool false */
		PQclear(r);
		*version = 0;
		return 0;
	}
	PQclear(r);
	r = pg_exec(c, "SELECT coalesce(max(version), 0)::int8 FROM roster_schema", NULL);
	if (r == NULL)
		return -1;
	*version = (int)pg_i64(r, 0, 0);
	PQclear(r);
	return 0;
}

int
pg_schema_list(PGconn *c, pg_schema_cb cb, void *arg)
{
	PGresult *r;
	int version;

	if (pg_schema_version(c, &version) != 0)
		return -1;
	if (version > 0) {
		r = pg_exec(c, "SELECT version::int8, name, applied FROM roster_schema"
		    " ORDER BY version", NULL);
		if (r == NULL)
			return -1;
		for (int i = 0; i < PQntuples(r); i++)
			cb(arg, (int)pg_i64(r, i, 0), pg_text(r, i, 1), pg_i64(r, i, 2));
		PQclear(r);
	}
	for (size_t i = 0; i < NMIGRATIONS; i++)
		if (migrations[i].version > version)
			cb(arg, migrations[i].version, migrations[i].name, -1);
	return 0;
}

int
pg_schema_migrate(PGconn *c, int *from, int *to)
{
	struct pgq q;
	int version;

	*from = *to = 0;
	if (pg_script(c, "BEGIN; SELECT pg_advisory_xact_lock(" MIGRATE_LOCK ");"
	    "CREATE TABLE IF NOT EXISTS roster_schema(version integer PRIMARY KEY,"
	    " name text NOT NULL, applied bigint NOT NULL)") != 0)
		goto fail;
	if (pg_schema_version(c, &version) != 0)
		goto fail;
	*from = *to = version;
	if (version > pg_schema_latest()) {
		rs_seterr("the database's schema is version %d, newer than this "
		    "rosterd knows (%d): upgrade rosterd", version, pg_schema_latest());
		goto fail;
	}
	for (size_t i = 0; i < NMIGRATIONS; i++) {
		const struct migration *m = &migrations[i];
		if (m->version <= version)
			continue;
		if (pg_script(c, m->sql) != 0) {
			char why[RS_ERRLEN];
			snprintf(why, sizeof(why), "%s", rs_err());
			rs_seterr("migration %d (%s) failed: %s", m->version, m->name, why);
			goto fail;
		}
		pgq_init(&q);
		pgq_i64(&q, m->version);
		pgq_text(&q, m->name);
		pgq_i64(&q, now_ms());
		if (pg_cmd(c, "INSERT INTO roster_schema(version, name, applied)"
		    " VALUES ($1::int8::int4, $2, $3)", &q) != 0)
			goto fail;
		*to = m->version;
	}
	if (pg_script(c, "COMMIT") != 0)
		goto fail;
	return 0;
fail:
	pg_rollback(c);
	*to = *from;
	return -1;
}

int
pg_schema_check(PGconn *c, const char *what)
{
	int version;

	if (pg_schema_version(c, &version) != 0)
		return -1;
	if (version == 0) {
		rs_seterr("%s holds no roster hub (no schema): run \"rosterd init "
		    "--db\" or \"rosterd migrate-store\"", what);
		return -1;
	}
	if (version < pg_schema_latest()) {
		rs_seterr("the schema of %s is version %d, this rosterd needs %d: "
		    "run \"rosterd db migrate\" (after a backup)", what, version,
		    pg_schema_latest());
		return -1;
	}
	if (version > pg_schema_latest()) {
		rs_seterr("the schema of %s is version %d, newer than this rosterd "
		    "knows (%d): upgrade rosterd", what, version, pg_schema_latest());
		return -1;
	}
	return 0;
}
