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
#include <getopt.h>
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
	static const struct option longopts[] = {
		{ "name", required_argument, NULL, 'n' },
		{ "listen", required_argument, NULL, 'l' },
		{ "max-body", required_argument, NULL, 'm' },
		{ "db", required_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const char *pos = NULL;
	int c;

	memset(o, 0, sizeof(*o));
	hub_config_defaults(&o->cfg);
	optind = 1;
	while ((c = getopt_long(argc, argv, "n:l:m:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'd':
			if (!pg_is_url(optarg) || strlen(optarg) >= sizeof(o->cfg.db)) {
				fprintf(stderr, "rosterd init: --db must be a "
				    "postgresql:// URL\n");
				return -1;
			}
			snprintf(o->cfg.db, sizeof(o->cfg.db), "%s", optarg);
			break;
		case 'n':
			if (!checkpoint_valid_origin(optarg)) {
				fprintf(stderr, "rosterd init: --name must be 1 to "
				    "%d bytes of UTF-8 text without control "
				    "characters\n", ORIGIN_MAX - 1);
				return -1;
			}
			snprintf(o->cfg.name, sizeof(o->cfg.name), "%s", optarg);
			break;
		case 'l':
			if (strlen(optarg) == 0 || strlen(optarg) >= sizeof(o->cfg.listen)
			    || strchr(optarg, ':') == NULL) {
				fprintf(stderr, "rosterd init: --listen must be "
				    "ADDR:PORT\n");
				return -1;
			}
			snprintf(o->cfg.listen, sizeof(o->cfg.listen), "%s", optarg);
			break;
		case 'm':
			if (hub_parse_size(optarg, &o->cfg.max_body) != 0 ||
			    o->cfg.max_body < 1024 || o->cfg.max_body > HUB_MAX_MAX_BODY) {
				fprintf(stderr, "rosterd init: --max-body must be a "
				    "size from 1K to 1G (such as 16M)\n");
				return -1;
			}
			break;
		case 'h':
			help_init();
			exit(0);
		default:
			fprintf(stderr, "Try \"rosterd init --help\".\n");
			return -1;
		}
	}
	if (optind < argc)
		pos = argv[optind++];
	if (optind < argc) {
		fprintf(stderr, "rosterd init: unexpected argument \"%s\"\n",
		    argv[optind]);
		return -1;
	}
	if ((o->hubdir = hub_dir_arg(pos)) == NULL) {
		fprintf(stderr, "rosterd init: %s\n", rs_err());
		return -1;
	}
	if (o->cfg.name[0] == '\0') {
		fprintf(stderr, "rosterd init: --name is required: the hub's name "
		    "appears in every checkpoint\n");
		return -1;
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
