/*
 * procshow.c - "rosterd process": the process as the hub's records make it
 * (bodies, meetings, papers and their lead times, decisions, the paper
 * report), and the reading of a hub's state that it and "rosterd
 * stakeholder certify" share.
 *
 * The hub computes nothing of its own here: it replays its public records
 * through the rules every node runs (lib/rules.c, via hub/store.c) and
 * prints lib/procview.c's view, so `rosterd process HUBDIR --json --at T`
 * and a node's `roster decisions --json --at T` over the same records are
 * the same bytes (tests/e2e/test_process.sh compares them).  It reads the
 * database while a hub serves (WAL readers see the last commit) and needs
 * no lock.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "db.h"
#include "directory.h"
#include "hub.h"
#include "jsonutil.h"
#include "process.h"
#include "procopt.h"
#include "procview.h"
#include "store.h"
#include "util.h"

int
hub_state_read(const char *hubdir, struct hub_state *hs)
{
	char *path = hub_path(hubdir, "hub.db"), *hex = NULL;
	uint8_t pk[32];
	sqlite3_stmt *st;
	int rc = -1;

	memset(hs, 0, sizeof(*hs));
	if (access(path, R_OK) != 0) {
		rs_seterr("%s is not an initialised hub (no readable hub.db)", hubdir);
		goto out;
	}
	if ((hs->db = db_open(path, NULL)) == NULL)
		goto out;
	/* one read snapshot for all that follows (a deferred transaction:
	 * it takes no write lock, so a serving hub goes on appending) */
	if (db_exec(hs->db, "BEGIN DEFERRED") != 0)
		goto out;
	hex = db_meta_get_text(hs->db, "operator_key");
	if (hex == NULL || hex_decode_exact(pk, 32, hex) != 0) {
		rs_seterr("%s records no operator key: not a hub database", path);
		goto out;
	}
	if ((hs->dir = store_load_state(hs->db, pk, &hs->proc)) == NULL)
		goto out;
	if ((st = db_prep(hs->db, "SELECT coalesce(max(idx), -1) + 1, "
	    "coalesce(max(time), 0) FROM log")) == NULL)
		goto out;
	if (sqlite3_step(st) == SQLITE_ROW) {
		hs->size = (uint64_t)sqlite3_column_int64(st, 0);
		hs->last_time = sqlite3_column_int64(st, 1);
		rc = 0;
	}
	sqlite3_finalize(st);
out:
	if (rc != 0)
		hub_state_free(hs);
	free(path);
	free(hex);
	return rc;
}

void
hub_state_free(struct hub_state *hs)
{
	dir_free(hs->dir);
	proc_free(hs->proc);
	if (hs->db != NULL) {
		db_rollback(hs->db);
		db_close(hs->db);
	}
	memset(hs, 0, sizeof(*hs));
}

static int64_t
jint(json_t *o, const char *key)
{
	return json_integer_value(json_object_get(o, key));
}

static const char *
status_words(const char *s)
{
	if (strcmp(s, "open") == 0)
		return "under silence";
	if (strcmp(s, "not-adopted") == 0)
		return "not adopted (silence broken)";
	if (strcmp(s, "not-accredited") == 0)
		return "not accredited (silence broken)";
	return s;
}

/* The view in words, for the operator's terminal. */
static void
print_text(json_t *v)
{
	json_t *x, *m;
	size_t i, j;

	json_array_foreach(json_object_get(v, "bodies"), i, x) {
		printf("body %s (log index %lld): chair %s, members %s\n",
		    jstr(x, "name"), (long long)jint(x, "index"), jstr(x, "chair"),
		    json_is_string(json_object_get(x, "members")) ?
		    jstr(x, "members") : "listed");
		json_array_foreach(json_object_get(x, "meetings"), j, m)
			printf("  meeting %.16s... from %lld to %lld\n", jstr(m, "id"),
			    (long long)jint(m, "start"), (long long)jint(m, "end"));
	}
	json_array_foreach(json_object_get(v, "decisions"), i, x)
		printf("%s %.16s... of %s by %s: %s, %lld objection(s), %lld "
		    "support(s)\n", jstr(x, "kind"), jstr(x, "id"), jstr(x, "body"),
		    jstr(x, "by"), status_words(jstr(x, "status")),
		    (long long)jint(x, "objections"), (long long)jint(x, "supports"));
	printf("%lld process record(s), as of log time %lld\n",
	    (long long)jint(v, "records"), (long long)jint(v, "as_of"));
}

int
cmd_process(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "at", required_argument, NULL, 'a' },
		{ "viewer", required_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const char *hubdir, *pos = NULL, *viewer = NULL;
	struct hub_state hs;
	int64_t at = -1;
	json_t *v;
	char *text;
	int c, json = 0;

	optind = 1;
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case 'j':
			json = 1;
			break;
		case 'a':
			if (procopt_time(optarg, &at) != 0) {
				fprintf(stderr, "rosterd process: --at: %s\n", rs_err());
				return 2;
			}
			break;
		case 'v':
			if (!dir_state_code(optarg)) {
				fprintf(stderr, "rosterd process: --viewer must be a State "
				    "code\n");
				return 2;
			}
			viewer = optarg;
			break;
		case 'h':
			opts_help(stdout, &rosterd_prog, &hdoc_process);
			exit(0);
		default:
			fprintf(stderr, "Try \"rosterd process --help\".\n");
			return 2;
		}
	}
	if (optind < argc)
		pos = argv[optind++];
	if (optind < argc) {
		fprintf(stderr, "rosterd process: unexpected argument \"%s\"\n",
		    argv[optind]);
		return 2;
	}
	if ((hubdir = hub_dir_arg(pos)) == NULL) {
		fprintf(stderr, "rosterd process: %s\n", rs_err());
		return 2;
	}
	if (hub_state_read(hubdir, &hs) != 0) {
		fprintf(stderr, "rosterd process: %s\n", rs_err());
		return 1;
	}
	v = proc_view(hs.proc, at >= 0 ? at : now_ms(), viewer);
	if (json) {
		text = proc_dump(v);
		fputs(text, stdout);
		free(text);
	} else
		print_text(v);
	json_decref(v);
	hub_state_free(&hs);
	return 0;
}
