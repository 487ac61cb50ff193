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
 * log while a hub serves (store_open_reader: one snapshot, on either
 * backend) and needs no lock.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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
	struct hub_config cfg;

	memset(hs, 0, sizeof(*hs));
	/* store_open_reader: the directory and the process replayed from one
	 * snapshot of the log, on either backend, beside a serving hub */
	if (hub_config_read(hubdir, &cfg) != 0 ||
	    (hs->store = store_open_reader(hubdir, &cfg)) == NULL)
		return -1;
	hs->dir = hs->store->dir;
	hs->proc = hs->store->proc;
	hs->size = store_committed(hs->store);
	hs->last_time = hs->store->time_committed;
	return 0;
}

void
hub_state_free(struct hub_state *hs)
{
	store_close(hs->store);	/* with its directory and process */
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
	const char *hubdir, *viewer, *at_arg;
	struct hub_state hs;
	struct opts op;
	int64_t at = -1;
	json_t *v;
	char *text;
	int json;

	if (hub_opts(&op, &hdoc_process, argc, argv) != 0)
		return 2;
	json = opt_flag(&op, "--json");
	at_arg = opt_value(&op, "--at");
	viewer = opt_value(&op, "--viewer");
	if (hub_opts_finish(&op, &hubdir) != 0)
		return 2;
	if (at_arg != NULL && procopt_time(at_arg, &at) != 0)
		return opts_usage_for("rosterd", "process", "--at: %s", rs_err());
	if (viewer != NULL && !dir_state_code(viewer))
		return opts_usage_for("rosterd", "process", "--viewer must be a State "
		    "code, such as XA");
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
