/*
 * process.c - the process on the command line (docs/process.md): roster
 * propose, object, support, withdraw, decisions, decision show, meeting
 * add, and process (the whole view, to compare with the hub's).
 *
 * Every command that shows something first syncs (the records and their
 * completeness, section 8), then computes the view from the node's own
 * verified records (node/core/procnode.c, lib/procview.c): the hub's word
 * is never taken for an outcome.  Outcomes are as of the log time of the
 * last checkpoint verified complete ("as of" in every listing); --at
 * computes them at another log time (never one before the last record).
 * Every command that signs checks the record first with the rules the hub
 * applies, so a refusal is said here, in the rule's words, before anything
 * is signed; its options are read by lib/procopt.c, as rosterd's are.
 */
#include "cli.h"

#include <stdlib.h>
#include <string.h>
#include <sodium.h>

#include "core/procnode.h"
#include "core/regnode.h"
#include "core/sync.h"
#include "core/views.h"
#include "jsonutil.h"
#include "procopt.h"
#include "procrec.h"
#include "procview.h"

/* Opens the node and syncs; a failed sync is said and the records
 * verified earlier are used. */
static int
open_synced(struct node *n, struct procnode *pn, int need_key)
{
	struct sync_stats s = {0};

	if (node_open(n, need_key) != 0)
		return -1;
	if (sync_once(n, &s) != 0)
		fprintf(stderr, "roster: warning: no sync (%s); using the records "
		    "verified earlier\n", rs_err());
	if (procnode_load(n, pn) != 0)
		return -1;
	if (pn->dropped > 0)
		fprintf(stderr, "roster: ALARM: %zu position%s of this State receipted "
		    "before the deadline %s not counted (`roster alarms`)\n", pn->dropped,
		    pn->dropped == 1 ? "" : "s", pn->dropped == 1 ? "is" : "are");
	if (pn->refused > 0)
		fprintf(stderr, "roster: WARNING: the hub logged %zu process record%s "
		    "the rules refuse (the first at log index %lld: %s); they are left "
		    "out, as every node leaves them out\n", pn->refused,
		    pn->refused == 1 ? "" : "s", (long long)pn->first_refused, pn->why);
	return 0;
}

static int
read_text(const char *cmd, const char *opt, const char *path, size_t max, struct buf *b)
{
	if (read_file(path, b, max + 1) != 0) {
		usage_error(cmd, "%s: %s", opt, rs_err());
		return -1;
	}
	if (b->len == 0 || b->len > max) {
		usage_error(cmd, "%s: %s must have 1 to %zu bytes", opt, path, max);
		return -1;
	}
	return 0;
}

/* ---- propose ------------------------------------------------------------ */

int
cmd_propose(int argc, char **argv)
{
	struct node n = {0};
	struct procnode pn = {0};
	struct lopts o;
	struct buf b = {0};
	const char *body, *file, *lang, *paper, *meeting, *silence, *tr, *adopts;
	json_t *text = json_object(), *hdr = NULL, *p = NULL, *a;
	uint8_t id[32], ref[32];
	int64_t ms;
	char *payload = NULL;
	int rc = EXIT_USAGE, loaded = 0;

	lopts_init(&o, argc, argv);
	lnode_common_opts(&n, &o);
	body = lopt_value(&o, "--body");
	file = lopt_value(&o, "--text-file");
	lang = lopt_value(&o, "--lang");
	paper = lopt_value(&o, "--paper");
	meeting = lopt_value(&o, "--meeting");
	silence = lopt_value(&o, "--silence");
	adopts = lopt_value(&o, "--adopts");
	if (body == NULL || file == NULL || lang == NULL) {
		usage_error("propose", "--body, --text-file and --lang are required");
		goto usage;
	}
	if (!procrec_valid_lang(lang)) {
		usage_error("propose", "--lang: \"%s\" is not a language code", lang);
		goto usage;
	}
	if (read_text("propose", "--text-file", file, PROC_TEXT_MAX, &b) != 0)
		goto usage;
	if ((p = json_stringn((const char *)b.p, b.len)) == NULL) {
		usage_error("propose", "--text-file: %s is not UTF-8 text", file);
		goto usage;
	}
	json_object_set_new(text, lang, p);
	buf_free(&b);
	while ((tr = lopt_value(&o, "--translation")) != NULL) {
		char l[PROC_LANG_MAX];
		const char *path = procopt_file("--translation", tr, l);
		if (path == NULL) {
			usage_error("propose", "%s", rs_err());
			goto usage;
		}
		if (json_object_get(text, l) != NULL) {
			usage_error("propose", "--translation: %s is given twice", l);
			goto usage;
		}
		if (read_text("propose", "--translation", path, PROC_TEXT_MAX, &b) != 0)
			goto usage;
		if ((p = json_stringn((const char *)b.p, b.len)) == NULL) {
			usage_error("propose", "--translation: %s is not UTF-8 text", path);
			goto usage;
		}
		json_object_set_new(text, l, p);
		buf_free(&b);
	}
	hdr = json_pack("{s:s,s:s,s:s,s:s}", "kind", "proposal", "body", body,
	    "audience", "public", "lang", lang);
	if (silence != NULL) {
		if (procopt_duration("--silence", silence, &ms) != 0) {
			usage_error("propose", "%s", rs_err());
			goto usage;
		}
		if (ms < PROC_MIN_SILENCE_MS) {
			usage_error("propose", "--silence: at least 60s");
			goto usage;
		}
		json_object_set_new(hdr, "silence_ms", json_integer(ms));
	}
	if (paper != NULL) {
		if (procopt_id("--paper", paper, ref) != 0) {
			usage_error("propose", "%s", rs_err());
			goto usage;
		}
		json_object_set_new(hdr, "paper", jhex(ref, 32));
	}
	if (meeting != NULL) {
		if (procopt_id("--meeting", meeting, ref) != 0) {
			usage_error("propose", "%s", rs_err());
			goto usage;
		}
		json_object_set_new(hdr, "meeting", jhex(ref, 32));
	}
	if (lopts_finish(&o, "propose") != 0)
		goto usage;
	rc = 1;
	p = json_pack("{s:O}", "text", text);
	payload = jdump(p);
	json_decref(p);
	if (open_synced(&n, &pn, 1) != 0)
		goto fail;
	loaded = 1;
	/* what it agrees if adopted, found in this node's registries; whether
	 * it may be is the rules' (procnode_sign) */
	if (adopts != NULL) {
		if ((a = regnode_adopts(&pn, adopts)) == NULL)
			goto fail;
		json_object_set_new(hdr, "adopts", a);
	}
	if (procnode_sign(&n, &pn, hdr, payload, id) != 0)
		goto fail;
	if (submit(&n, "proposal", id) != 0)
		goto fail;
	rc = 0;
	goto out;
fail:
	rc = fail("propose");
	goto out;
usage:
	rc = EXIT_USAGE;
out:
	lopts_free(&o);
	if (loaded)
		procnode_free(&pn);
	buf_free(&b);
	free(payload);
	json_decref(hdr);
	json_decref(text);
	node_close(&n);
	return rc;
}

/* ---- object, support, withdraw -------------------------------------------- */

static int
position(int argc, char **argv, const char *cmd)
{
	struct node n = {0};
	struct procnode pn = {0};
	struct lopts o;
	struct buf reason = {0};
	const char *prefix, *rfile = NULL;
	uint8_t ref[32], id[32];
	int rc = EXIT_USAGE, loaded = 0, object = strcmp(cmd, "object") == 0;
	int withdraw = strcmp(cmd, "withdraw") == 0;

	lopts_init(&o, argc, argv);
	lnode_common_opts(&n, &o);
	if (object)
		rfile = lopt_value(&o, "--reason-file");
	prefix = lopt_positional(&o);
	if (lopts_finish(&o, cmd) != 0)
		goto out;
	if (prefix == NULL) {
		usage_error(cmd, "name the proposal or application (its id, or 8 or more "
		    "of its first hex digits)");
		goto out;
	}
	if (rfile != NULL && read_text(cmd, "--reason-file", rfile, 65536, &reason) != 0)
		goto out;
	rc = 1;
	if (open_synced(&n, &pn, 1) != 0)
		goto fail;
	loaded = 1;
	if (procnode_find_matter(&pn, prefix, ref) != 0)
		goto fail;
	if (withdraw) {
		json_t *hdr = json_pack("{s:s,s:o}", "kind", "withdraw", "ref",
		    jhex(ref, 32));
		int r = procnode_sign(&n, &pn, hdr, "{}", id);
		json_decref(hdr);
		if (r != 0)
			goto fail;
	} else if (procnode_position(&n, &pn, ref, object ? "object" : "support",
	    rfile != NULL ? (const char *)reason.p : NULL, reason.len, id) != 0)
		goto fail;
	if (submit(&n, withdraw ? "withdrawal" : object ? "objection" : "support",
	    id) != 0)
		goto fail;
	rc = 0;
	goto out;
fail:
	rc = fail(cmd);
out:
	lopts_free(&o);
	if (loaded)
		procnode_free(&pn);
	if (reason.p != NULL)
		sodium_memzero(reason.p, reason.len);
	buf_free(&reason);
	node_close(&n);
	return rc;
}

int
cmd_object(int argc, char **argv)
{
	return position(argc, argv, "object");
}

int
cmd_support(int argc, char **argv)
{
	return position(argc, argv, "support");
}

int
cmd_withdraw(int argc, char **argv)
{
	return position(argc, argv, "withdraw");
}

/* ---- decisions ------------------------------------------------------------ */

static const char *
status_words(const char *s)
{
	if (strcmp(s, "open") == 0)
		return "OPEN, under silence";
	if (strcmp(s, "adopted") == 0)
		return "ADOPTED";
	if (strcmp(s, "not-adopted") == 0)
		return "NOT ADOPTED (silence broken)";
	if (strcmp(s, "accredited") == 0)
		return "ACCREDITED";
	if (strcmp(s, "not-accredited") == 0)
		return "NOT ACCREDITED (silence broken)";
	if (strcmp(s, "withdrawn") == 0)
		return "WITHDRAWN";
	return s;
}

static int64_t
jint(json_t *o, const char *k)
{
	return json_integer_value(json_object_get(o, k));
}

/* "2d 3h", "45m", "12s" */
static void
remaining(char *out, size_t len, int64_t ms)
{
	int64_t s = ms / 1000;

	if (s >= 86400)
		snprintf(out, len, "%lldd %lldh", (long long)(s / 86400),
		    (long long)(s % 86400 / 3600));
	else if (s >= 3600)
		snprintf(out, len, "%lldh %lldm", (long long)(s / 3600),
		    (long long)(s % 3600 / 60));
	else if (s >= 60)
		snprintf(out, len, "%lldm", (long long)(s / 60));
	else
		snprintf(out, len, "%llds", (long long)s);
}

static void
print_states(const char *label, json_t *a)
{
	json_t *v;
	size_t i;

	if (!json_is_array(a) || json_array_size(a) == 0)
		return;
	printf("%s", label);
	json_array_foreach(a, i, v)
		printf("%s%s", i ? ", " : " ", json_string_value(v));
	printf("\n");
}

static void
print_decision(json_t *d, int full)
{
	char t[32], left[32];
	json_t *pr = json_object_get(d, "proof"), *v;
	size_t i;

	printf("%.16s  %s of %s by %s: %s", jstr(d, "id"), jstr(d, "kind"),
	    jstr(d, "body"), jstr(d, "by"), status_words(jstr(d, "status")));
	if (strcmp(jstr(d, "status"), "open") == 0 && jint(d, "deadline") <= node_clock())
		printf(" until this node verifies a checkpoint past its deadline %s (the "
		    "next record the hub logs brings one)",
		    time_str(jint(d, "deadline"), t, sizeof(t)));
	else if (strcmp(jstr(d, "status"), "open") == 0) {
		remaining(left, sizeof(left), jint(d, "remaining_ms"));
		printf(", %s left (deadline %s)", left,
		    time_str(jint(d, "deadline"), t, sizeof(t)));
	}
	printf("\n    %lld objection%s, %lld support%s, of %lld member%s\n",
	    (long long)jint(d, "objections"), jint(d, "objections") == 1 ? "" : "s",
	    (long long)jint(d, "supports"), jint(d, "supports") == 1 ? "" : "s",
	    (long long)jint(d, "members"), jint(d, "members") == 1 ? "" : "s");
	if (!full)
		return;
	printf("    id %s\n    logged at index %lld, %s; deadline %s\n", jstr(d, "id"),
	    (long long)jint(d, "index"), time_str(jint(d, "time"), t, sizeof(t)),
	    time_str(jint(d, "deadline"), left, sizeof(left)));
	if (json_is_object(json_object_get(d, "text"))) {
		const char *k;
		json_object_foreach(json_object_get(d, "text"), k, v)
			printf("    text (%s): %s\n", k, json_string_value(v));
	}
	if (json_is_array(json_object_get(d, "objecting")))
		print_states("    objecting:", json_object_get(d, "objecting"));
	else if (jint(d, "objections") > 0)
		printf("    the objecting States are shown to the body's Chair only\n");
	print_states("    supporting:", json_object_get(d, "supporting"));
	printf("    proof: the record at log index %lld", (long long)jint(pr, "record"));
	if (json_array_size(json_object_get(pr, "positions")) > 0) {
		printf(", positions at");
		json_array_foreach(json_object_get(pr, "positions"), i, v)
			printf("%s %lld", i ? "," : "", (long long)json_integer_value(v));
	}
	if (json_is_integer(json_object_get(pr, "withdrawal")))
		printf(", withdrawal at %lld", (long long)jint(pr, "withdrawal"));
	printf("\n");
	if (json_is_string(json_object_get(d, "own")))
		printf("    this State: %s\n", strcmp(jstr(d, "own"), "object") == 0 ?
		    "objected" : "supported");
	{
		json_t *may = json_object_get(d, "may");
		int o = json_is_true(json_object_get(may, "object"));
		int s = json_is_true(json_object_get(may, "support"));
		int w = json_is_true(json_object_get(may, "withdraw"));
		if (o || s || w)
			printf("    this State may:%s%s%s\n", o ? " roster object" : "",
			    s ? (o ? ", roster support" : " roster support") : "",
			    w ? (o || s ? ", roster withdraw" : " roster withdraw") : "");
	}
}

/* --at TIME, or -1; -2 on a usage error (said). */
static int64_t
at_opt(struct lopts *o, const char *cmd)
{
	const char *s = lopt_value(o, "--at");
	int64_t at;

	if (s == NULL)
		return -1;
	if (procopt_time(s, &at) != 0) {
		usage_error(cmd, "--at: %s", rs_err());
		return -2;
	}
	return at;
}

static void
as_of_line(const struct procnode *pn, int64_t at)
{
	char t[32];

	printf("as of log time %s (the records up to log index %llu, verified "
	    "complete)\n", time_str(at, t, sizeof(t)), (unsigned long long)pn->size);
}

int
cmd_decisions(int argc, char **argv)
{
	struct node n = {0};
	struct procnode pn = {0};
	struct lopts o;
	const char *body;
	int64_t at;
	json_t *v = NULL, *pv, *d;
	size_t i;
	int rc = EXIT_USAGE, json, open, loaded = 0;

	lopts_init(&o, argc, argv);
	lnode_common_opts(&n, &o);
	body = lopt_value(&o, "--body");
	json = lopt_flag(&o, "--json");
	open = lopt_flag(&o, "--open");
	at = at_opt(&o, "decisions");
	if (at == -2 || lopts_finish(&o, "decisions") != 0)
		goto out;
	rc = 1;
	if (open_synced(&n, &pn, 1) != 0) {
		rc = fail("decisions");
		goto out;
	}
	loaded = 1;
	at = procnode_at(&pn, at);
	pv = process_view(&n, &pn, at, body, open);
	v = json_incref(json_object_get(pv, "decisions"));
	json_decref(pv);
	if (json) {
		char *text = proc_dump(v);
		fputs(text, stdout);
		free(text);
	} else {
		as_of_line(&pn, at);
		json_array_foreach(v, i, d)
			print_decision(d, 0);
		if (json_array_size(v) == 0)
			printf("no %sdecisions%s%s\n", open ? "open " : "",
			    body ? " of " : "", body ? body : "");
	}
	rc = 0;
out:
	json_decref(v);
	lopts_free(&o);
	if (loaded)
		procnode_free(&pn);
	node_close(&n);
	return rc;
}

int
cmd_decision(int argc, char **argv)
{
	struct node n = {0};
	struct procnode pn = {0};
	struct lopts o;
	const char *sub, *prefix;
	uint8_t id[32];
	char hex[65];
	int64_t at;
	json_t *v = NULL, *pv, *d, *found = NULL;
	size_t i;
	int rc = EXIT_USAGE, json, loaded = 0;

	lopts_init(&o, argc, argv);
	lnode_common_opts(&n, &o);
	json = lopt_flag(&o, "--json");
	at = at_opt(&o, "decision");
	sub = lopt_positional(&o);
	prefix = lopt_positional(&o);
	if (at == -2 || lopts_finish(&o, "decision") != 0)
		goto out;
	if (sub == NULL || strcmp(sub, "show") != 0 || prefix == NULL) {
		usage_error("decision", "say: roster decision show ID");
		goto out;
	}
	rc = 1;
	if (open_synced(&n, &pn, 1) != 0 || procnode_find_matter(&pn, prefix, id) != 0) {
		rc = fail("decision show");
		goto out;
	}
	loaded = 1;
	at = procnode_at(&pn, at);
	sodium_bin2hex(hex, sizeof(hex), id, 32);
	pv = process_view(&n, &pn, at, NULL, 0);
	v = json_incref(json_object_get(pv, "decisions"));
	json_decref(pv);
	json_array_foreach(v, i, d)
		if (strcmp(jstr(d, "id"), hex) == 0)
			found = d;
	if (json) {
		char *text = proc_dump(found);
		fputs(text, stdout);
		free(text);
	} else {
		as_of_line(&pn, at);
		print_decision(found, 1);
	}
	rc = 0;
out:
	json_decref(v);
	lopts_free(&o);
	if (loaded || pn.proc != NULL)
		procnode_free(&pn);
	node_close(&n);
	return rc;
}

/* ---- the whole view -------------------------------------------------------- */

int
cmd_process(int argc, char **argv)
{
	struct node n = {0};
	struct procnode pn = {0};
	struct lopts o;
	int64_t at;
	json_t *v;
	char *text;
	int rc = EXIT_USAGE;

	lopts_init(&o, argc, argv);
	lnode_common_opts(&n, &o);
	(void)lopt_flag(&o, "--json");	/* the view is JSON */
	at = at_opt(&o, "process");
	if (at == -2 || lopts_finish(&o, "process") != 0) {
		lopts_free(&o);
		return EXIT_USAGE;
	}
	lopts_free(&o);
	if (open_synced(&n, &pn, 1) != 0) {
		rc = fail("process");
		goto out;
	}
	v = proc_view(pn.proc, procnode_at(&pn, at), n.cfg.state);
	text = proc_dump(v);
	fputs(text, stdout);
	free(text);
	json_decref(v);
	procnode_free(&pn);
	rc = 0;
out:
	node_close(&n);
	return rc;
}

/* ---- meeting add ---------------------------------------------------------- */

int
cmd_meeting(int argc, char **argv)
{
	struct node n = {0};
	struct procnode pn = {0};
	struct lopts o;
	const char *sub, *body, *start, *end, *place, *t;
	json_t *title = json_object(), *hdr = NULL, *p = NULL;
	int64_t s, e;
	uint8_t id[32];
	char *payload = NULL;
	int rc = EXIT_USAGE, loaded = 0;

	lopts_init(&o, argc, argv);
	lnode_common_opts(&n, &o);
	body = lopt_value(&o, "--body");
	start = lopt_value(&o, "--start");
	end = lopt_value(&o, "--end");
	place = lopt_value(&o, "--place");
	while ((t = lopt_value(&o, "--title")) != NULL)
		if (procopt_text("--title", title, t, PROC_TITLE_MAX) != 0) {
			usage_error("meeting", "%s", rs_err());
			goto out;
		}
	sub = lopt_positional(&o);
	if (lopts_finish(&o, "meeting") != 0)
		goto out;
	if (sub == NULL || strcmp(sub, "add") != 0) {
		usage_error("meeting", "say: roster meeting add --body NAME ...");
		goto out;
	}
	if (body == NULL || start == NULL || end == NULL || json_object_size(title) == 0) {
		usage_error("meeting", "--body, --start, --end and --title LANG=TEXT are "
		    "required");
		goto out;
	}
	if (procopt_time(start, &s) != 0 || procopt_time(end, &e) != 0) {
		usage_error("meeting", "%s", rs_err());
		goto out;
	}
	hdr = json_pack("{s:s,s:s,s:I,s:I}", "kind", "meeting", "body", body, "start",
	    (json_int_t)s, "end", (json_int_t)e);
	p = json_pack("{s:O}", "title", title);
	if (place != NULL) {
		json_t *pl = json_string(place);
		if (pl == NULL) {
			usage_error("meeting", "--place is not UTF-8 text");
			goto out;
		}
		json_object_set_new(p, "place", pl);
	}
	payload = jdump(p);
	rc = 1;
	if (open_synced(&n, &pn, 1) != 0)
		goto fail;
	loaded = 1;
	if (procnode_sign(&n, &pn, hdr, payload, id) != 0 || submit(&n, "meeting", id) != 0)
		goto fail;
	rc = 0;
	goto out;
fail:
	rc = fail("meeting add");
out:
	lopts_free(&o);
	if (loaded)
		procnode_free(&pn);
	free(payload);
	json_decref(hdr);
	json_decref(p);
	json_decref(title);
	node_close(&n);
	return rc;
}

/* ---- papers ----------------------------------------------------------------- */

/* --file LANG=PATH, repeated, into f (at most PROC_MAX_FILES). */
static int
file_opts(struct lopts *o, const char *cmd, struct procnode_file *f, size_t *nf)
{
	const char *arg;

	*nf = 0;
	while ((arg = lopt_value(o, "--file")) != NULL) {
		char lang[PROC_LANG_MAX];
		const char *path = procopt_file("--file", arg, lang);
		if (path == NULL)
			return usage_error(cmd, "%s", rs_err());
		for (size_t i = 0; i < *nf; i++)
			if (strcmp(f[i].lang, lang) == 0)
				return usage_error(cmd, "--file: two %s versions", lang);
		if (*nf == PROC_MAX_FILES)
			return usage_error(cmd, "--file: at most %d language versions in one "
			    "record", PROC_MAX_FILES);
		snprintf(f[*nf].lang, sizeof(f[*nf].lang), "%s", lang);
		f[(*nf)++].path = path;
	}
	if (*nf == 0)
		return usage_error(cmd, "--file LANG=FILE is required (one per language)");
	return 0;
}

static int
paper_circulate(int argc, char **argv, int more)
{
	const char *cmd = more ? "paper add-language" : "paper circulate";
	struct node n = {0};
	struct procnode pn = {0};
	struct lopts o;
	struct progress_bar bar;
	struct procnode_file f[PROC_MAX_FILES];
	const char *body = NULL, *meeting = NULL, *paper = NULL, *audience, *t;
	json_t *title = json_object(), *hdr = NULL;
	uint8_t id[32], ref[32];
	size_t nf;
	int rc = EXIT_USAGE, progress;

	lopts_init(&o, argc, argv);
	lnode_common_opts(&n, &o);
	if (more)
		paper = lopt_positional(&o);
	else {
		body = lopt_value(&o, "--body");
		meeting = lopt_value(&o, "--meeting");
	}
	audience = lopt_value(&o, "--audience");
	progress = lopt_flag(&o, "--progress");
	while ((t = lopt_value(&o, "--title")) != NULL)
		if (procopt_text("--title", title, t, PROC_TITLE_MAX) != 0) {
			usage_error(cmd, "%s", rs_err());
			goto out;
		}
	if (file_opts(&o, cmd, f, &nf) != 0 || lopts_finish(&o, cmd) != 0)
		goto out;
	if (!more && (body == NULL || json_object_size(title) == 0)) {
		usage_error(cmd, "--body and --title LANG=TEXT are required");
		goto out;
	}
	if (more && paper == NULL) {
		usage_error(cmd, "name the paper (its id, or 8 or more of its first hex "
		    "digits)");
		goto out;
	}
	if (audience == NULL)
		audience = more ? NULL : "public";
	if (audience != NULL && strcmp(audience, "public") != 0 &&
	    strcmp(audience, "members") != 0) {
		usage_error(cmd, "--audience must be public or members");
		goto out;
	}
	if (meeting != NULL && procopt_id("--meeting", meeting, ref) != 0) {
		usage_error(cmd, "%s", rs_err());
		goto out;
	}
	rc = 1;
	if (open_synced(&n, &pn, 1) != 0)
		goto fail;
	if (more) {
		const struct proc_paper *pp;
		if (procnode_find_paper(&pn, paper, ref) != 0)
			goto fail;
		pp = proc_paper(pn.proc, ref);
		if (audience == NULL)
			audience = pp->audience == PROC_MEMBERS ? "members" : "public";
		hdr = json_pack("{s:s,s:o}", "kind", "paper-lang", "paper", jhex(ref, 32));
	} else {
		hdr = json_pack("{s:s,s:s}", "kind", "paper", "body", body);
		if (meeting != NULL)
			json_object_set_new(hdr, "meeting", jhex(ref, 32));
	}
	if (procnode_paper(&n, &pn, hdr, audience, json_object_size(title) ? title : NULL,
	    f, nf, progress_bar(&bar, progress), id) != 0 ||
	    submit(&n, more ? "language versions" : "paper", id) != 0)
		goto fail;
	rc = 0;
	goto out;
fail:
	rc = fail(cmd);
out:
	lopts_free(&o);
	procnode_free(&pn);
	json_decref(hdr);
	json_decref(title);
	node_close(&n);
	return rc;
}

static void
days(char *out, size_t len, int64_t ms)
{
	double d = (double)ms / 86400000.0;

	if (ms % 86400000 == 0)
		snprintf(out, len, "%lld day%s", (long long)(ms / 86400000),
		    ms == 86400000 ? "" : "s");
	else
		snprintf(out, len, "%.1f days", d);
}

/* "fr: circulated 9 days before the meeting (rule: 42 days): LATE" */
static void
print_paper(json_t *pp, int full)
{
	char t[32], lead[32], rule[32];
	json_t *l, *title = json_object_get(pp, "title");
	const char *k;
	json_t *v;
	size_t i;

	printf("%.16s  paper of %s by %s, %s", jstr(pp, "id"), jstr(pp, "body"),
	    jstr(pp, "by"), jstr(pp, "audience"));
	if (json_is_object(title)) {
		json_object_foreach(title, k, v) {
			printf(": \"%s\" (%s)", json_string_value(v), k);
			break;
		}
	}
	printf("\n");
	if (full)
		printf("    id %s\n    circulated at log index %lld, %s\n", jstr(pp, "id"),
		    (long long)jint(pp, "index"), time_str(jint(pp, "time"), t, sizeof(t)));
	if (json_is_string(json_object_get(pp, "meeting"))) {
		days(rule, sizeof(rule), jint(pp, "lead_time_ms"));
		printf("    for the meeting %.16s starting %s (rule: %s before it)\n",
		    jstr(pp, "meeting"), time_str(jint(pp, "start"), t, sizeof(t)), rule);
	}
	json_array_foreach(json_object_get(pp, "languages"), i, l) {
		const char *st = jstr(l, "status");
		if (strcmp(st, "missing") == 0) {
			printf("    %s: missing\n", jstr(l, "lang"));
			continue;
		}
		if (strcmp(st, "circulated") == 0) {
			printf("    %s: circulated %s\n", jstr(l, "lang"),
			    time_str(jint(l, "time"), t, sizeof(t)));
			continue;
		}
		if (jint(l, "lead_ms") >= 0) {
			days(lead, sizeof(lead), jint(l, "lead_ms"));
			printf("    %s: circulated %s before the meeting (rule: %s): %s",
			    jstr(l, "lang"), lead, rule, strcmp(st, "on-time") == 0 ?
			    "on time" : "LATE");
		} else {
			days(lead, sizeof(lead), -jint(l, "lead_ms"));
			printf("    %s: circulated %s after the meeting started: LATE",
			    jstr(l, "lang"), lead);
		}
		if (!json_is_true(json_object_get(l, "required")))
			printf(" (not a required language)");
		if (full)
			printf(" [log index %lld, %s]", (long long)jint(l, "index"),
			    time_str(jint(l, "time"), t, sizeof(t)));
		printf("\n");
	}
}

static int
paper_show(int argc, char **argv, int list)
{
	const char *cmd = list ? "paper list" : "paper show";
	struct node n = {0};
	struct procnode pn = {0};
	struct lopts o;
	const char *body = NULL, *prefix = NULL;
	uint8_t id[32];
	char hex[65];
	int64_t at;
	json_t *v = NULL, *pp;
	size_t i;
	int rc = EXIT_USAGE, json;

	lopts_init(&o, argc, argv);
	lnode_common_opts(&n, &o);
	json = lopt_flag(&o, "--json");
	at = at_opt(&o, cmd);
	if (list)
		body = lopt_value(&o, "--body");
	else
		prefix = lopt_positional(&o);
	if (at == -2 || lopts_finish(&o, cmd) != 0)
		goto out;
	if (!list && prefix == NULL) {
		usage_error(cmd, "name the paper");
		goto out;
	}
	rc = 1;
	if (open_synced(&n, &pn, 1) != 0 ||
	    (!list && procnode_find_paper(&pn, prefix, id) != 0)) {
		rc = fail(cmd);
		goto out;
	}
	at = procnode_at(&pn, at);
	v = proc_view_papers(pn.proc, at, body);
	if (!list) {
		json_t *one = NULL;
		sodium_bin2hex(hex, sizeof(hex), id, 32);
		json_array_foreach(v, i, pp)
			if (strcmp(jstr(pp, "id"), hex) == 0)
				one = json_incref(pp);
		json_decref(v);
		v = one;
	}
	if (json) {
		char *text = proc_dump(v);
		fputs(text, stdout);
		free(text);
	} else if (list) {
		as_of_line(&pn, at);
		json_array_foreach(v, i, pp)
			print_paper(pp, 0);
		if (json_array_size(v) == 0)
			printf("no papers\n");
	} else
		print_paper(v, 1);
	rc = 0;
out:
	json_decref(v);
	lopts_free(&o);
	procnode_free(&pn);
	node_close(&n);
	return rc;
}

static const char *
pct_str(char out[16], json_t *row, const char *key)
{
	json_t *v = json_object_get(row, key);

	if (!json_is_number(v))
		return "-";
	snprintf(out, 16, "%.1f%%", json_number_value(v));
	return out;
}

static int
paper_report(int argc, char **argv)
{
	struct node n = {0};
	struct procnode pn = {0};
	struct lopts o;
	const char *body;
	int64_t at;
	json_t *v = NULL, *row, *med;
	size_t i;
	int rc = EXIT_USAGE, json, csv;

	lopts_init(&o, argc, argv);
	lnode_common_opts(&n, &o);
	body = lopt_value(&o, "--body");
	json = lopt_flag(&o, "--json");
	csv = lopt_flag(&o, "--csv");
	at = at_opt(&o, "paper report");
	if (at == -2 || lopts_finish(&o, "paper report") != 0)
		goto out;
	if (json && csv) {
		usage_error("paper report", "--json or --csv, not both");
		goto out;
	}
	rc = 1;
	if (open_synced(&n, &pn, 1) != 0) {
		rc = fail("paper report");
		goto out;
	}
	at = procnode_at(&pn, at);
	v = proc_view_report(pn.proc, at, body);
	if (json) {
		char *text = proc_dump(v);
		fputs(text, stdout);
		free(text);
	} else if (csv) {
		struct buf b = {0};
		proc_report_csv(v, &b);
		fwrite(b.p, 1, b.len, stdout);
		buf_free(&b);
	} else {
		as_of_line(&pn, at);
		json_array_foreach(json_object_get(v, "bodies"), i, row) {
			const char *k;
			json_t *x;
			char a[16], b[16], c[16];
			printf("%s: %lld paper%s due (%lld pending): on time %s, in all "
			    "languages %s, all on time %s\n", jstr(row, "body"),
			    (long long)jint(row, "papers"), jint(row, "papers") == 1 ? "" : "s",
			    (long long)jint(row, "pending"), pct_str(a, row, "on_time_pct"),
			    pct_str(b, row, "all_languages_pct"),
			    pct_str(c, row, "all_on_time_pct"));
			med = json_object_get(row, "median_lead_ms");
			json_object_foreach(med, k, x) {
				char d[32];
				if (json_is_integer(x)) {
					days(d, sizeof(d), json_integer_value(x));
					printf("    %s: median lead time %s\n", k, d);
				} else
					printf("    %s: none circulated\n", k);
			}
		}
	}
	rc = 0;
out:
	json_decref(v);
	lopts_free(&o);
	procnode_free(&pn);
	node_close(&n);
	return rc;
}

/* roster contribute (an organisation) and roster paper distribute (the
 * Chair). */
int
cmd_contribute(int argc, char **argv)
{
	struct node n = {0};
	struct procnode pn = {0};
	struct lopts o;
	struct progress_bar bar;
	struct procnode_file f[PROC_MAX_FILES];
	const char *body, *t;
	json_t *title = json_object();
	uint8_t id[32];
	size_t nf;
	int rc = EXIT_USAGE, progress;

	lopts_init(&o, argc, argv);
	lnode_common_opts(&n, &o);
	body = lopt_value(&o, "--body");
	progress = lopt_flag(&o, "--progress");
	while ((t = lopt_value(&o, "--title")) != NULL)
		if (procopt_text("--title", title, t, PROC_TITLE_MAX) != 0) {
			usage_error("contribute", "%s", rs_err());
			goto out;
		}
	if (file_opts(&o, "contribute", f, &nf) != 0 || lopts_finish(&o, "contribute") != 0)
		goto out;
	if (json_object_size(title) == 0) {
		usage_error("contribute", "--title LANG=TEXT is required");
		goto out;
	}
	rc = 1;
	if (open_synced(&n, &pn, 1) != 0 ||
	    procnode_contribute(&n, &pn, body, title, f, nf, progress_bar(&bar, progress),
	    id) != 0 || submit(&n, "contribution", id) != 0)
		rc = fail("contribute");
	else
		rc = 0;
out:
	lopts_free(&o);
	procnode_free(&pn);
	json_decref(title);
	node_close(&n);
	return rc;
}

static int
paper_distribute(int argc, char **argv)
{
	struct node n = {0};
	struct procnode pn = {0};
	struct lopts o;
	const char *prefix, *meeting, *audience;
	uint8_t cid[32], mid[32], id[32];
	int rc = EXIT_USAGE;

	lopts_init(&o, argc, argv);
	lnode_common_opts(&n, &o);
	meeting = lopt_value(&o, "--meeting");
	audience = lopt_value(&o, "--audience");
	prefix = lopt_positional(&o);
	if (lopts_finish(&o, "paper distribute") != 0)
		goto out;
	if (prefix == NULL) {
		usage_error("paper distribute", "name the contribution");
		goto out;
	}
	if (audience == NULL)
		audience = "members";
	if (strcmp(audience, "public") != 0 && strcmp(audience, "members") != 0) {
		usage_error("paper distribute", "--audience must be members or public");
		goto out;
	}
	if (meeting != NULL && procopt_id("--meeting", meeting, mid) != 0) {
		usage_error("paper distribute", "%s", rs_err());
		goto out;
	}
	rc = 1;
	if (open_synced(&n, &pn, 1) != 0 ||
	    procnode_find_contribution(&pn, prefix, cid) != 0 ||
	    procnode_distribute(&n, &pn, cid, meeting ? mid : NULL, audience, id) != 0 ||
	    submit(&n, "paper", id) != 0)
		rc = fail("paper distribute");
	else
		rc = 0;
out:
	lopts_free(&o);
	procnode_free(&pn);
	node_close(&n);
	return rc;
}

int
cmd_paper(int argc, char **argv)
{
	const char *sub = argc > 1 ? argv[1] : NULL;

	if (sub == NULL)
		return usage_error("paper", "say circulate, add-language, list, show, "
		    "report or distribute");
	if (strcmp(sub, "circulate") == 0)
		return paper_circulate(argc - 1, argv + 1, 0);
	if (strcmp(sub, "add-language") == 0)
		return paper_circulate(argc - 1, argv + 1, 1);
	if (strcmp(sub, "list") == 0)
		return paper_show(argc - 1, argv + 1, 1);
	if (strcmp(sub, "show") == 0)
		return paper_show(argc - 1, argv + 1, 0);
	if (strcmp(sub, "report") == 0)
		return paper_report(argc - 1, argv + 1);
	if (strcmp(sub, "distribute") == 0)
		return paper_distribute(argc - 1, argv + 1);
	return usage_error("paper", "unknown subcommand \"%s\"", sub);
}
