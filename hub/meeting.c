/*
 * meeting.c - "rosterd meeting": the operator (the secretariat) records a
 * meeting of a body, with its dates.
 *
 * The meeting's start is what every paper's lead time is measured to, and
 * the rules it is judged by (lead time, languages) are those in force at
 * the meeting's own log index (docs/protocol.md section 10).  The Chair's
 * devices record meetings too, with `roster meeting add`; both write the
 * same record, read from the same words (lib/procopt.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hub.h"
#include "jsonutil.h"
#include "procopt.h"
#include "procrec.h"
#include "util.h"

struct meeting_opts {
	const char *hubdir;
	const char *body;
	const char *start, *end;
	const char *place;
	json_t *title;
};

static int
parse_meeting(int argc, char **argv, struct meeting_opts *o)
{
	struct opts op;
	const char *v;

	memset(o, 0, sizeof(*o));
	o->title = json_object();
	if (hub_opts(&op, &hdoc_meeting, argc, argv) != 0)
		return -1;
	o->body = opt_value(&op, "--body");
	o->start = opt_value(&op, "--start");
	o->end = opt_value(&op, "--end");
	o->place = opt_value(&op, "--place");
	while ((v = opt_value(&op, "--title")) != NULL)
		if (procopt_text("--title", o->title, v, PROC_TITLE_MAX) != 0) {
			opts_usage(&op, "%s", rs_err());
			opts_free(&op);
			return -1;
		}
	if (hub_opts_finish(&op, &o->hubdir) != 0)
		return -1;
	if (o->body == NULL || o->start == NULL || o->end == NULL ||
	    json_object_size(o->title) == 0) {
		opts_usage_for("rosterd", "meeting", "--body, --start, --end and "
		    "--title LANG=TEXT are required");
		return -1;
	}
	return 0;
}

int
cmd_meeting(int argc, char **argv)
{
	struct meeting_opts o;
	struct receipt r;
	int64_t start, end;
	json_t *hdr = NULL, *p = NULL;
	char *id;
	int rc = 2;

	if (parse_meeting(argc, argv, &o) != 0)
		goto out;
	if (procopt_time(o.start, &start) != 0) {
		fprintf(stderr, "rosterd meeting: --start: %s\n", rs_err());
		goto out;
	}
	if (procopt_time(o.end, &end) != 0) {
		fprintf(stderr, "rosterd meeting: --end: %s\n", rs_err());
		goto out;
	}
	hdr = json_pack("{s:s,s:s,s:I,s:I}", "kind", "meeting", "body", o.body,
	    "start", (json_int_t)start, "end", (json_int_t)end);
	p = json_pack("{s:O}", "title", o.title);
	if (o.place != NULL) {
		json_t *pl = json_string(o.place);
		if (pl == NULL) {
			fprintf(stderr, "rosterd meeting: --place is not UTF-8 text\n");
			goto out;
		}
		json_object_set_new(p, "place", pl);
	}
	rc = 1;
	if (operator_record(o.hubdir, hdr, p, &r) != 0) {
		fprintf(stderr, "rosterd meeting: not recorded: %s\n", rs_err());
		goto out;
	}
	id = hex_encode(r.id, 32);
	printf("rosterd: meeting of %s recorded at log index %llu\nid: %s\n", o.body,
	    (unsigned long long)r.index, id);
	free(id);
	rc = 0;
out:
	json_decref(hdr);
	json_decref(p);
	json_decref(o.title);
	return rc;
}
