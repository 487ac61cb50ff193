/*
 * dbcmd.c - "rosterd db status" and "rosterd db migrate": the schema of a
 * hub's PostgreSQL database, which rosterd creates and versions itself
 * (pg_schema.c).
 *
 * status says which version the database is at, each migration applied
 * and when, and each one pending; exit 0 when the schema is this rosterd's,
 * 1 otherwise (so a deployment script can test it).  migrate applies the
 * pending ones, each in its own transaction, under an advisory lock (two
 * operators, or an operator and a starting hub, cannot apply one twice),
 * and is a no-op on a current schema.  A hub refuses to serve a database
 * whose schema is not its own, so an upgrade is: stop the hubs (or not,
 * when a migration says it is compatible), back up, migrate, start the new
 * rosterd.
 *
 * The database is the one of HUBDIR/hub.json (or ROSTER_HUB_DB, or --db).
 * The SQLite store has no versions: rosterd creates and extends its schema
 * when it opens hub.db, and says so.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hub.h"
#include "store_pg.h"
#include "util.h"

struct db_opts {
	const char *what;	/* status, migrate */
	const char *hubdir;
	char url[HUB_DB_MAX];
};

static int
parse_db(int argc, char **argv, struct db_opts *o)
{
	struct hub_config cfg;
	const char *pos, *db;
	struct opts op;

	memset(o, 0, sizeof(*o));
	if (hub_opts(&op, &hdoc_db, argc, argv) != 0)
		return -1;
	db = opt_value(&op, "--db");
	o->what = opt_positional(&op);
	if (o->what == NULL || (strcmp(o->what, "status") != 0 &&
	    strcmp(o->what, "migrate") != 0)) {
		opts_usage(&op, "say \"status\" or \"migrate\"");
		opts_free(&op);
		return -1;
	}
	opts_subcommand(&op, o->what);
	pos = opt_positional(&op);
	if (opts_finish(&op) != OPTS_OK) {
		opts_free(&op);
		return -1;
	}
	opts_free(&op);
	if (db != NULL) {
		if (!pg_is_url(db) || strlen(db) >= sizeof(o->url)) {
			opts_usage_for("rosterd", "db", "--db must be a postgresql:// URL");
			return -1;
		}
		snprintf(o->url, sizeof(o->url), "%s", db);
		return 0;
	}
	if ((o->hubdir = hub_dir_arg(pos)) == NULL ||
	    hub_config_read(o->hubdir, &cfg) != 0) {
		fprintf(stderr, "rosterd db: %s\n", rs_err());
		return -1;
	}
	snprintf(o->url, sizeof(o->url), "%s", cfg.db);
	return 0;
}

static void
print_migration(void *arg, int version, const char *name, int64_t applied)
{
	char when[32] = "pending";

	(void)arg;
	if (applied >= 0) {
		time_t t = (time_t)(applied / 1000);
		strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S UTC", gmtime(&t));
	}
	printf("  %3d  %-23s  %s\n", version, when, name);
}

int
cmd_db(int argc, char **argv)
{
	struct db_opts o;
	PGconn *c;
	int version, from, to, rc = 1;

	if (parse_db(argc, argv, &o) != 0)
		return 2;
	if (o.url[0] == '\0') {
		printf("%s/hub.db: SQLite; rosterd creates and extends its schema "
		    "when it opens it: nothing to migrate\n", o.hubdir);
		return 0;
	}
	if ((c = pg_connect(o.url)) == NULL) {
		fprintf(stderr, "rosterd db: %s\n", rs_err());
		return 1;
	}
	if (strcmp(o.what, "migrate") == 0) {
		if (pg_schema_migrate(c, &from, &to) != 0) {
			fprintf(stderr, "rosterd db migrate: %s\n", rs_err());
			goto out;
		}
		if (from == to)
			printf("%s: schema version %d, nothing to migrate\n",
			    pg_redact(o.url), to);
		else
			printf("%s: schema migrated from version %d to %d\n",
			    pg_redact(o.url), from, to);
		rc = 0;
		goto out;
	}
	if (pg_schema_version(c, &version) != 0) {
		fprintf(stderr, "rosterd db status: %s\n", rs_err());
		goto out;
	}
	printf("%s: PostgreSQL %d, schema version %d, this rosterd's is %d\n",
	    pg_redact(o.url), PQserverVersion(c) / 10000, version,
	    pg_schema_latest());
	if (pg_schema_list(c, print_migration, NULL) != 0) {
		fprintf(stderr, "rosterd db status: %s\n", rs_err());
		goto out;
	}
	if (version == pg_schema_latest())
		rc = 0;
	else if (version < pg_schema_latest())
		printf("run \"rosterd db migrate\" (after a backup)\n");
	else
		printf("the database is newer than this rosterd: upgrade rosterd\n");
out:
	pg_close(c);
	return rc;
}
