/*
 * init.c - "rosterd init HUBDIR --name NAME": make a new hub.
 *
 * Creates, in this order: the directory (0700), the operator key (unsealed,
 * 0600: a daemon must start unattended) and its public file, the database
 * (which records the operator's public key, so a swapped key file is noticed
 * at every start), the empty tree, and last hub.json, whose presence is what
 * "initialised" means to the other commands.  Any existing hub file makes
 * init refuse: it never overwrites a key or a log.
 *
 * With --db postgresql://... (or ROSTER_HUB_DB) the database is that one:
 * rosterd creates its schema there (pg_schema.c) and refuses a database
 * that already holds a hub; hub.json records the URL.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "hub.h"
#include "keys.h"
#include "pg.h"
#include "store.h"
#include "util.h"

static const char *hub_files[] = {
	"hub.json", "operator.key", "operator.pub", "hub.db", "tree", NULL
};

struct init_opts {
	const char *hubdir;
	struct hub_config cfg;
};

static int
parse_init(int argc, char **argv, struct init_opts *o)
{
	struct opts op;
	const char *name, *listen, *max_body, *db;

	memset(o, 0, sizeof(*o));
	hub_config_defaults(&o->cfg);
	if (hub_opts(&op, &hdoc_init, argc, argv) != 0)
		return -1;
	name = opt_value(&op, "--name");
	listen = opt_value(&op, "--listen");
	max_body = opt_value(&op, "--max-body");
	db = opt_value(&op, "--db");
	if (hub_opts_finish(&op, &o->hubdir) != 0)
		return -1;
	if (name == NULL) {
		opts_usage_for("rosterd", "init", "--name is required: the hub's name "
		    "appears in every checkpoint");
		return -1;
	}
	if (!checkpoint_valid_origin(name)) {
		opts_usage_for("rosterd", "init", "--name must be 1 to %d bytes of UTF-8 "
		    "text without control characters", ORIGIN_MAX - 1);
		return -1;
	}
	snprintf(o->cfg.name, sizeof(o->cfg.name), "%s", name);
	if (listen != NULL) {
		if (*listen == '\0' || strlen(listen) >= sizeof(o->cfg.listen) ||
		    strchr(listen, ':') == NULL) {
			opts_usage_for("rosterd", "init", "--listen must be ADDR:PORT");
			return -1;
		}
		snprintf(o->cfg.listen, sizeof(o->cfg.listen), "%s", listen);
	}
	if (max_body != NULL && (hub_parse_size(max_body, &o->cfg.max_body) != 0 ||
	    o->cfg.max_body < 1024 || o->cfg.max_body > HUB_MAX_MAX_BODY)) {
		opts_usage_for("rosterd", "init", "--max-body must be a size from 1K to "
		    "1G (such as 16M)");
		return -1;
	}
	if (db != NULL) {
		if (!pg_is_url(db) || strlen(db) >= sizeof(o->cfg.db)) {
			opts_usage_for("rosterd", "init", "--db must be a postgresql:// URL");
			return -1;
		}
		snprintf(o->cfg.db, sizeof(o->cfg.db), "%s", db);
	}
	if (o->cfg.db[0] == '\0' && hub_config_db_env(&o->cfg) != 0) {
		fprintf(stderr, "rosterd init: %s\n", rs_err());
		return -1;
	}
	return 0;
}

/* Refuses a directory that already holds any part of a hub. */
static int
check_fresh(const char *hubdir)
{
	struct stat st;

	for (int i = 0; hub_files[i] != NULL; i++) {
		char *p = hub_path(hubdir, hub_files[i]);
		int exists = stat(p, &st) == 0;
		free(p);
		if (exists) {
			rs_seterr("%s is already initialised (it holds %s); "
			    "refusing to overwrite a hub", hubdir, hub_files[i]);
			return -1;
		}
	}
	return 0;
}

static int
make_dir(const char *hubdir)
{
	if (mkdir_p(hubdir, 0700) != 0)
		return -1;
	if (chmod(hubdir, 0700) != 0) {
		rs_seterr("cannot set the mode of %s: %s", hubdir, strerror(errno));
		return -1;
	}
	return 0;
}

static int
make_hub(const struct init_opts *o, struct keypair *k)
{
	char *keypath = hub_path(o->hubdir, "operator.key");
	char *pubpath = hub_path(o->hubdir, "operator.pub");
	int rc = -1;

	if (keyfile_write(keypath, KEY_OPERATOR, k, NULL) != 0 ||
	    pubfile_write(pubpath, KEY_OPERATOR, NULL, k->pk) != 0 ||
	    (o->cfg.db[0] != '\0' ? store_pg_create(&o->cfg, k->pk) :
	    store_create(o->hubdir, k->pk)) != 0 ||
	    hub_config_write(o->hubdir, &o->cfg) != 0)
		goto out;
	rc = 0;
out:
	free(keypath);
	free(pubpath);
	return rc;
}

int
cmd_init(int argc, char **argv)
{
	struct init_opts o;
	struct keypair *k;
	char fpr[RS_FPR_LEN], *hex;

	if (parse_init(argc, argv, &o) != 0)
		return 2;
	if (check_fresh(o.hubdir) != 0 || make_dir(o.hubdir) != 0) {
		fprintf(stderr, "rosterd init: %s\n", rs_err());
		return 1;
	}
	if ((k = keypair_new(NULL, 0)) == NULL) {
		fprintf(stderr, "rosterd init: %s\n", rs_err());
		return 1;
	}
	if (make_hub(&o, k) != 0) {
		fprintf(stderr, "rosterd init: %s\n", rs_err());
		keypair_free(k);
		return 1;
	}
	fingerprint(fpr, k->pk);
	hex = hex_encode(k->pk, 32);
	printf("rosterd: initialised hub \"%s\" in %s\n", o.cfg.name, o.hubdir);
	printf("operator key fingerprint: %s\n", fpr);
	printf("operator key: %s\n", hex);
	free(hex);
	keypair_free(k);
	return 0;
}
