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
#include <getopt.h>
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
	static const struct option longopts[] = {
		{ "body", required_argument, NULL, 'b' },
		{ "start", required_argument, NULL, 's' },
		{ "end", required_argument, NULL, 'e' },
		{ "title", required_argument, NULL, 't' },
		{ "place", required_argument, NULL, 'p' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const char *pos = NULL;
	int c;

	memset(o, 0, sizeof(*o));
	o->title = json_object();
	optind = 1;
	while ((c = getopt_long(argc, argv, "b:s:e:t:p:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'b':
			o->body = optarg;
			break;
		case 's':
			o->start = optarg;
			break;
		case 'e':
			o->end = optarg;
			break;
		case 'p':
			o->place = optarg;
			break;
		case 't':
			if (procopt_text("--title", o->title, optarg, PROC_TITLE_MAX) != 0) {
				fprintf(stderr, "rosterd meeting: %s\n", rs_err());
				return -1;
			}
			break;
		case 'h':
			opts_help(stdout, &rosterd_prog, &hdoc_meeting);
			exit(0);
		default:
			fprintf(stderr, "Try \"rosterd meeting --help\".\n");
			return -1;
		}
	}
	if (optind < argc)
		pos = argv[optind++];
	if (optind < argc) {
		fprintf(stderr, "rosterd meeting: unexpected argument \"%s\"\n",
		    argv[optind]);
		return -1;
	}
	if ((o->hubdir = hub_dir_arg(pos)) == NULL) {
		fprintf(stderr, "rosterd meeting: %s\n", rs_err());
		return -1;
	}
	if (o->body == NULL || o->start == NULL || o->end == NULL ||
	    json_object_size(o->title) == 0) {
		fprintf(stderr, "rosterd meeting: --body, --start, --end and --title "
		    "LANG=TEXT are required\n");
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
