/*
 * registry.c - the registries on the command line (docs/registries.md):
 * roster norms, norm show, norm propose, norm cosponsor, terms, term show.
 *
 * As the process's commands (process.c): each first syncs (the records and
 * their completeness, section 8), then computes the view from the node's
 * own verified records (node/core/regnode.c, lib/regview.c), never taking
 * the hub's word for what is agreed; "as of" says up to which log time and
 * index.  Texts are printed in the reader's language (--lang, else the
 * node's first language) when the entry has it, else in English, else in
 * its original's, and every text that is ours and not the official one
 * says "unofficial".  --json prints the view itself (docs/protocol.md
 * section 11), the same bytes on every node that verified the same records.
 *
 * A command that signs (norm propose, norm cosponsor) builds the record,
 * then procnode_sign checks it with lib/rules.c on this node's state, the
 * same rules the hub runs before it appends and every node runs when it
 * replays: a refusal is the rule's sentence here, naming the field, and
 * nothing is signed.  "Agreed" is not something a command can say: a norm
 * becomes agreed only by a decision of a body (roster propose --adopts).
 */
#include "cli.h"

#include <stdlib.h>
#include <string.h>

#include "catalogue.h"
#include "core/catalogue_node.h"
#include "core/procnode.h"
#include "core/regnode.h"
#include "core/sync.h"
#include "jsonutil.h"
#include "procopt.h"
#include "procrec.h"
#include "procview.h"
#include "regrec.h"

struct reg_args {
	const char *cmd;	/* "norms", "norm show", ... for messages */
	const char *lang;
	const char *status, *source, *search, *id;
	int json;
	int64_t at;
};

/* Opens the node, syncs (a failed sync is said; the records verified
 * earlier are used) and replays. */
static int
open_synced(struct node *n, struct regnode *rn, const char *cmd)
{
	struct sync_stats s = {0};

	if (node_open(n, 1) != 0)
		return -1;
	if (sync_once(n, &s) != 0)
		warn(cmd, "no sync (%s); using the records verified earlier", rs_err());
	if (regnode_load(n, rn) != 0)
		return -1;
	if (rn->pn.refused > 0)
		fprintf(stderr, "roster %s: WARNING: the hub logged %zu record%s the "
		    "rules refuse (the first at log index %lld: %s); they are left out, "
		    "as every node leaves them out\n", cmd, rn->pn.refused,
		    rn->pn.refused == 1 ? "" : "s", (long long)rn->pn.first_refused,
		    rn->pn.why);
	return 0;
}

/* The common options of the four commands; 0 or EXIT_USAGE (said). */
static int
common_args(struct opts *o, struct node *n, struct reg_args *a)
{
	const char *at;

	node_common_opts(n, o);
	a->lang = opt_value(o, "--lang");
	a->json = opt_flag(o, "--json");
	a->at = -1;
	if ((at = opt_value(o, "--at")) != NULL && procopt_time(at, &a->at) != 0)
		return usage_error(a->cmd, "--at: %s", rs_err());
	if (a->lang != NULL && !cat_lang_ok(a->lang))
		return usage_error(a->cmd, "--lang: \"%s\" is not one of ar, zh, en, fr, "
		    "ru, es", a->lang);
	return 0;
}

/* "show ID" of norm and term; 0 or EXIT_USAGE. */
static int
show_args(struct opts *o, struct reg_args *a, const char *family)
{
	const char *sub = opt_positional(o);

	if (sub == NULL || strcmp(sub, "show") != 0) {
		usage_error(family, "say: roster %s show ID (roster %ss lists them)",
		    family, family);
		return EXIT_USAGE;
	}
	opts_subcommand(o, sub);
	if ((a->id = opt_positional(o)) == NULL)
		return usage_error(a->cmd, "show needs an id (roster %ss lists them)",
		    family);
	return 0;
}

/* The text of i18n in lang, else English, else the first; *in its
 * language.  NULL when i18n is not an object of texts. */
static const char *
text_in(json_t *i18n, const char *lang, const char **in)
{
	const char *k;
	json_t *v;

	*in = NULL;
	if (!json_is_object(i18n))
		return NULL;
	if (lang != NULL && jstr(i18n, lang) != NULL) {
		*in = lang;
		return jstr(i18n, lang);
	}
	if (jstr(i18n, "en") != NULL) {
		*in = "en";
		return jstr(i18n, "en");
	}
	json_object_foreach(i18n, k, v) {
		*in = k;
		return json_string_value(v);
	}
	return NULL;
}

static int
listed(json_t *a, const char *s)
{
	json_t *v;
	size_t i;

	json_array_foreach(a, i, v)
		if (s != NULL && json_is_string(v) && strcmp(json_string_value(v), s) == 0)
			return 1;
	return 0;
}

/* "title (fr, unofficial translation)" */
static void
print_text(const char *label, json_t *i18n, json_t *unofficial, const char *lang)
{
	const char *in, *s = text_in(i18n, lang, &in);

	if (s == NULL)
		return;
	printf("%s%s", label, s);
	if (listed(unofficial, in))
		printf("  [%s, unofficial]", in);
	else if (lang != NULL && strcmp(in, lang) != 0)
		printf("  [%s: none in %s]", in, lang);
	printf("\n");
}

static void
print_sources(const char *label, json_t *a)
{
	json_t *v;
	size_t i;

	if (json_array_size(a) == 0)
		return;
	printf("%s", label);
	json_array_foreach(a, i, v)
		printf("%s%s", i ? "; " : "", jstr(v, "source"));
	printf("\n");
}

static const char *
standing_words(const char *s)
{
	if (s == NULL)
		return "?";
	if (strcmp(s, "agreed") == 0)
		return "AGREED";
	if (strcmp(s, "under-discussion") == 0)
		return "UNDER DISCUSSION";
	if (strcmp(s, "proposed") == 0)
		return "PROPOSED";
	return s;
}

static void
as_of_line(const struct regnode *rn, int64_t at)
{
	char t[32];

	printf("as of log time %s (the records up to log index %llu, verified "
	    "complete)\n", time_str(at, t, sizeof(t)), (unsigned long long)rn->pn.size);
}

static void
print_dump(json_t *v)
{
	char *text = proc_dump(v);

	fputs(text, stdout);
	free(text);
}

static void
print_norm(json_t *v, const char *lang, int full)
{
	json_t *x;
	size_t i;
	char t[32];

	/* a record's id by its first 16 digits, as roster decisions does */
	printf("%-16.16s %-16s ", jstr(v, "id"), standing_words(jstr(v, "status")));
	{
		const char *in, *s = text_in(json_object_get(v, "title"), lang, &in);
		printf("%s%s\n", s ? s : "(no title)",
		    listed(json_object_get(v, "unofficial"), in) ? "  [unofficial]" : "");
	}
	if (!full) {
		print_sources("    ", json_object_get(v, "sources"));
		return;
	}
	print_text("    title: ", json_object_get(v, "title"),
	    json_object_get(v, "unofficial"), lang);
	print_text("    text: ", json_object_get(v, "text"),
	    json_object_get(v, "text_unofficial"), lang);
	if (json_is_null(json_object_get(v, "text")))
		printf("    text: not in the data (its source carries it)\n");
	print_sources("    sources: ", json_object_get(v, "sources"));
	if (jstr(v, "agreed_in") != NULL)
		printf("    agreed in %s (a consensus document)\n", jstr(v, "agreed_in"));
	if (strcmp(jstr(v, "origin"), "record") == 0)
		printf("    id %s\n", jstr(v, "id"));
	if (jstr(v, "by") != NULL)
		printf("    proposed by %s at log index %lld, %s\n", jstr(v, "by"),
		    (long long)json_integer_value(json_object_get(v, "index")),
		    time_str(json_integer_value(json_object_get(v, "time")), t, sizeof(t)));
	if (json_array_size(json_object_get(v, "cosponsors")) > 0) {
		printf("    co-sponsors:");
		json_array_foreach(json_object_get(v, "cosponsors"), i, x)
			printf("%s %s", i ? "," : "", jstr(x, "state"));
		printf("\n");
	}
	json_array_foreach(json_object_get(v, "versions"), i, x)
		printf("    version %lld at log index %lld, %s%s%s\n",
		    (long long)json_integer_value(json_object_get(x, "version")),
		    (long long)json_integer_value(json_object_get(x, "index")),
		    time_str(json_integer_value(json_object_get(x, "time")), t, sizeof(t)),
		    jstr(x, "note") ? ": " : "", jstr(x, "note") ? jstr(x, "note") : "");
	json_array_foreach(json_object_get(v, "decisions"), i, x)
		printf("    decision %.16s of %s on version %lld: %s (roster decision "
		    "show %.16s)\n", jstr(x, "decision"), jstr(x, "body"),
		    (long long)json_integer_value(json_object_get(x, "version")),
		    jstr(x, "status"), jstr(x, "decision"));
	x = json_object_get(v, "checklist");
	if (x != NULL)
		printf("    checklist: %lld model action%s, %lld version%s by record, %s\n",
		    (long long)json_integer_value(json_object_get(x, "model_actions")),
		    json_integer_value(json_object_get(x, "model_actions")) == 1 ? "" : "s",
		    (long long)json_integer_value(json_object_get(x, "versions")),
		    json_integer_value(json_object_get(x, "versions")) == 1 ? "" : "s",
		    standing_words(jstr(x, "status")));
}

static const char *
term_status_words(const char *s)
{
	if (s != NULL && strcmp(s, "agreed-definition") == 0)
		return "agreed definition";
	if (s != NULL && strcmp(s, "definition-under-discussion") == 0)
		return "definition under discussion";
	return "term from a consensus document, no agreed definition";
}

static void
print_term(json_t *v, const char *lang, int full)
{
	static const char *const six[] = { "ar", "zh", "en", "fr", "ru", "es", NULL };
	json_t *forms = json_object_get(v, "forms"), *un = json_object_get(v, "unofficial");
	json_t *x, *m = json_object_get(v, "match");
	const char *in, *s = text_in(forms, lang, &in);
	size_t i;

	printf("%-28s %s%s", jstr(v, "id"), s ? s : "?",
	    listed(un, in) ? "  [unofficial]" : "");
	if (m != NULL && jstr(m, "lang") != NULL && (in == NULL ||
	    strcmp(jstr(m, "lang"), in) != 0))
		printf("  (found by its %s form \"%s\")", jstr(m, "lang"), jstr(m, "text"));
	printf("\n");
	if (!full)
		return;
	printf("    %s\n", term_status_words(jstr(v, "status")));
	for (i = 0; six[i] != NULL; i++)
		if (jstr(forms, six[i]) != NULL)
			printf("    %s: %s%s\n", six[i], jstr(forms, six[i]),
			    listed(un, six[i]) ? "  [unofficial translation]" : "");
	if (json_is_object(json_object_get(v, "aliases"))) {
		const char *k;
		int first = 1;
		printf("    also:");
		json_object_foreach(json_object_get(v, "aliases"), k, x) {
			json_t *y;
			size_t j;
			json_array_foreach(x, j, y)
				printf("%s %s (%s)", first ? "" : ",", json_string_value(y), k);
			first = 0;
		}
		printf("\n");
	}
	print_sources("    appears in: ", json_object_get(v, "sources"));
	json_array_foreach(json_object_get(v, "sources"), i, x)
		if (json_object_get(x, "note") != NULL && !json_is_null(json_object_get(x,
		    "note")))
			print_text("    note: ", json_object_get(x, "note"), NULL, lang);
	if (json_is_object(json_object_get(v, "note")))
		print_text("    note: ", json_object_get(v, "note"), NULL, lang);
	json_array_foreach(json_object_get(v, "definitions"), i, x) {
		printf("    definition %.16s by %s (%s): ", jstr(x, "id"), jstr(x, "by"),
		    standing_words(jstr(x, "status")));
		s = text_in(json_object_get(x, "text"), lang, &in);
		printf("%s\n", s ? s : "");
	}
}

/* ---- norms ---------------------------------------------------------------- */

int
cmd_norms(int argc, char **argv)
{
	struct opts o;
	struct node n = {0};
	struct regnode rn = {0};
	struct reg_args a = { .cmd = "norms" };
	struct reg_norm_filter f = {0};
	json_t *v = NULL, *x;
	size_t i;
	int rc, loaded = 0;
	int64_t at;

	if ((rc = cli_parse(&o, &doc_norms, argc, argv)) != 0)
		return rc;
	rc = common_args(&o, &n, &a);
	f.status = opt_value(&o, "--status");
	f.source = opt_value(&o, "--source");
	if (rc == 0 && f.status != NULL && !regnode_norm_status_ok(f.status))
		rc = usage_error("norms", "--status: \"%s\" is not agreed, proposed or "
		    "under-discussion", f.status);
	if (rc == 0 && opts_finish(&o) != OPTS_OK)
		rc = EXIT_USAGE;
	if (rc != 0)
		goto out;
	rc = 1;
	if (open_synced(&n, &rn, "norms") != 0) {
		rc = fail("norms");
		goto out;
	}
	loaded = 1;
	if (a.lang == NULL)
		a.lang = node_lang(&n);
	at = regnode_at(&rn, a.at);
	v = regnode_norms(&rn, at, &f);
	if (a.json)
		print_dump(v);
	else {
		as_of_line(&rn, at);
		json_array_foreach(v, i, x)
			print_norm(x, a.lang, 0);
		if (json_array_size(v) == 0)
			printf("no norms%s%s%s%s\n", f.status ? " with status " : "",
			    f.status ? f.status : "", f.source ? " citing " : "",
			    f.source ? f.source : "");
	}
	rc = 0;
out:
	json_decref(v);
	opts_free(&o);
	if (loaded)
		regnode_free(&rn);
	node_close(&n);
	return rc;
}

static int
norm_show(struct opts *o, struct reg_args *a)
{
	struct node n = {0};
	struct regnode rn = {0};
	json_t *v = NULL;
	int rc, loaded = 0;
	int64_t at;

	if ((a->id = opt_positional(o)) == NULL)
		return usage_error(a->cmd, "show needs an id (roster norms lists them)");
	rc = common_args(o, &n, a);
	if (rc == 0 && opts_finish(o) != OPTS_OK)
		rc = EXIT_USAGE;
	if (rc != 0)
		goto out;
	rc = 1;
	if (open_synced(&n, &rn, "norm show") != 0) {
		rc = fail("norm show");
		goto out;
	}
	loaded = 1;
	if (a->lang == NULL)
		a->lang = node_lang(&n);
	at = regnode_at(&rn, a->at);
	if ((v = regnode_norm(&rn, at, a->id)) == NULL) {
		rc = fail("norm show");
		goto out;
	}
	if (a->json)
		print_dump(v);
	else {
		as_of_line(&rn, at);
		print_norm(v, a->lang, 1);
	}
	rc = 0;
out:
	json_decref(v);
	if (loaded)
		regnode_free(&rn);
	node_close(&n);
	return rc;
}

/* A file's text (1 to max bytes of UTF-8) as a JSON string; NULL after the
 * usage message. */
static json_t *
file_text(const char *cmd, const char *opt, const char *path, size_t max)
{
	struct buf b = {0};
	json_t *s = NULL;

	if (read_file(path, &b, max + 1) != 0)
		usage_error(cmd, "%s: %s", opt, rs_err());
	else if (b.len == 0 || b.len > max)
		usage_error(cmd, "%s: %s must have 1 to %zu bytes", opt, path, max);
	else if ((s = json_stringn((const char *)b.p, b.len)) == NULL)
		usage_error(cmd, "%s: %s is not UTF-8 text", opt, path);
	buf_free(&b);
	return s;
}

/* Signs hdr and payload (checked first by the rules, on the replayed
 * state) and submits it. */
static int
sign_and_submit(struct node *n, const char *cmd, const char *what, json_t *hdr,
    json_t *payload)
{
	struct regnode rn = {0};
	char *text = jdump(payload);
	uint8_t id[32];
	int rc = 1;

	if (open_synced(n, &rn, cmd) != 0 ||
	    procnode_sign(n, &rn.pn, hdr, text, id) != 0 || submit(n, what, id) != 0)
		rc = fail(cmd);
	else
		rc = 0;
	free(text);
	regnode_free(&rn);
	return rc;
}

static int
norm_propose(struct opts *o, struct reg_args *a)
{
	struct node n = {0};
	json_t *title = json_object(), *text = json_object(), *sources = json_array();
	json_t *hdr = NULL, *p = NULL, *t;
	const char *v, *file;
	int rc;

	node_common_opts(&n, o);
	a->lang = opt_value(o, "--lang");
	file = opt_value(o, "--text-file");
	rc = EXIT_USAGE;
	if (a->lang == NULL || file == NULL) {
		usage_error(a->cmd, "--lang (the original's language), --text-file, "
		    "--title and --source are required");
		goto out;
	}
	if (!procrec_valid_lang(a->lang)) {
		usage_error(a->cmd, "--lang: \"%s\" is not a language code", a->lang);
		goto out;
	}
	while ((v = opt_value(o, "--title")) != NULL)
		if (procopt_text("--title", title, v, REG_TITLE_MAX) != 0) {
			usage_error(a->cmd, "%s", rs_err());
			goto out;
		}
	if ((t = file_text(a->cmd, "--text-file", file, REG_TEXT_MAX)) == NULL)
		goto out;
	json_object_set_new(text, a->lang, t);
	while ((v = opt_value(o, "--translation")) != NULL) {
		char l[PROC_LANG_MAX];
		const char *path = procopt_file("--translation", v, l);
		if (path == NULL) {
			usage_error(a->cmd, "%s", rs_err());
			goto out;
		}
		if (json_object_get(text, l) != NULL) {
			usage_error(a->cmd, "--translation: %s is given twice", l);
			goto out;
		}
		if ((t = file_text(a->cmd, "--translation", path, REG_TEXT_MAX)) == NULL)
			goto out;
		json_object_set_new(text, l, t);
	}
	while ((v = opt_value(o, "--source")) != NULL)
		json_array_append_new(sources, json_string(v));
	if (json_object_size(title) == 0 || json_array_size(sources) == 0) {
		usage_error(a->cmd, "--title LANG=TEXT and --source \"SYMBOL para N\" are "
		    "required");
		goto out;
	}
	if (opts_finish(o) != OPTS_OK)
		goto out;
	hdr = json_pack("{s:s}", "kind", "norm");
	p = json_pack("{s:s,s:O,s:O,s:O}", "lang", a->lang, "title", title, "text", text,
	    "sources", sources);
	rc = sign_and_submit(&n, a->cmd, "norm", hdr, p);
out:
	json_decref(title);
	json_decref(text);
	json_decref(sources);
	json_decref(hdr);
	json_decref(p);
	node_close(&n);
	return rc;
}

static int
norm_cosponsor(struct opts *o, struct reg_args *a)
{
	struct node n = {0};
	struct regnode rn = {0};
	json_t *hdr = NULL, *v = NULL;
	uint8_t id[32];
	int rc = EXIT_USAGE, loaded = 0;

	node_common_opts(&n, o);
	if ((a->id = opt_positional(o)) == NULL) {
		usage_error(a->cmd, "cosponsor needs a norm id (roster norms lists them)");
		goto out;
	}
	if (opts_finish(o) != OPTS_OK)
		goto out;
	rc = 1;
	if (open_synced(&n, &rn, a->cmd) != 0)
		goto fail;
	loaded = 1;
	/* the full id, from this node's records */
	if ((v = regnode_norm(&rn, -1, a->id)) == NULL)
		goto fail;
	hdr = json_pack("{s:s,s:s}", "kind", "cosponsor", "norm", jstr(v, "id"));
	if (procnode_sign(&n, &rn.pn, hdr, "{}", id) != 0 ||
	    submit(&n, "co-sponsorship", id) != 0)
		goto fail;
	rc = 0;
	goto out;
fail:
	rc = fail(a->cmd);
out:
	json_decref(v);
	json_decref(hdr);
	if (loaded)
		regnode_free(&rn);
	node_close(&n);
	return rc;
}

int
cmd_norm(int argc, char **argv)
{
	static const char *const subs[] = { "show", "propose", "cosponsor", NULL };
	struct opts o;
	struct reg_args a = {0};
	const char *sub, *near;
	int rc;

	if ((rc = cli_parse(&o, &doc_norm, argc, argv)) != 0)
		return rc;
	sub = opt_positional(&o);
	if (sub != NULL)
		opts_subcommand(&o, sub);
	if (sub != NULL && strcmp(sub, "show") == 0) {
		a.cmd = "norm show";
		rc = norm_show(&o, &a);
	} else if (sub != NULL && strcmp(sub, "propose") == 0) {
		a.cmd = "norm propose";
		rc = norm_propose(&o, &a);
	} else if (sub != NULL && strcmp(sub, "cosponsor") == 0) {
		a.cmd = "norm cosponsor";
		rc = norm_cosponsor(&o, &a);
	} else if (sub != NULL && (near = opts_nearest(sub, subs)) != NULL)
		rc = usage_error("norm", "unknown subcommand \"%s\" (did you mean %s?)",
		    sub, near);
	else
		rc = usage_error("norm", "say: roster norm show ID, roster norm propose "
		    "..., or roster norm cosponsor ID");
	opts_free(&o);
	return rc;
}

/* ---- terms ---------------------------------------------------------------- */

int
cmd_terms(int argc, char **argv)
{
	struct opts o;
	struct node n = {0};
	struct regnode rn = {0};
	struct reg_args a = { .cmd = "terms" };
	json_t *v = NULL, *x;
	size_t i;
	int rc, loaded = 0;
	int64_t at;

	if ((rc = cli_parse(&o, &doc_terms, argc, argv)) != 0)
		return rc;
	rc = common_args(&o, &n, &a);
	a.search = opt_value(&o, "--search");
	if (rc == 0 && opts_finish(&o) != OPTS_OK)
		rc = EXIT_USAGE;
	if (rc != 0)
		goto out;
	rc = 1;
	if (open_synced(&n, &rn, "terms") != 0) {
		rc = fail("terms");
		goto out;
	}
	loaded = 1;
	if (a.lang == NULL)
		a.lang = node_lang(&n);
	at = regnode_at(&rn, a.at);
	if ((v = regnode_terms(&rn, at, a.search)) == NULL) {
		rc = fail("terms");
		goto out;
	}
	if (a.json)
		print_dump(v);
	else {
		as_of_line(&rn, at);
		json_array_foreach(v, i, x)
			print_term(x, a.lang, 0);
		if (json_array_size(v) == 0)
			printf("no term%s%s%s\n", a.search ? " matches \"" : "s",
			    a.search ? a.search : "", a.search ? "\"" : "");
	}
	rc = 0;
out:
	json_decref(v);
	opts_free(&o);
	if (loaded)
		regnode_free(&rn);
	node_close(&n);
	return rc;
}

int
cmd_term(int argc, char **argv)
{
	struct opts o;
	struct node n = {0};
	struct regnode rn = {0};
	struct reg_args a = { .cmd = "term show" };
	json_t *v = NULL;
	int rc, loaded = 0;
	int64_t at;

	if ((rc = cli_parse(&o, &doc_term, argc, argv)) != 0)
		return rc;
	if ((rc = show_args(&o, &a, "term")) == 0)
		rc = common_args(&o, &n, &a);
	if (rc == 0 && opts_finish(&o) != OPTS_OK)
		rc = EXIT_USAGE;
	if (rc != 0)
		goto out;
	rc = 1;
	if (open_synced(&n, &rn, "term show") != 0) {
		rc = fail("term show");
		goto out;
	}
	loaded = 1;
	if (a.lang == NULL)
		a.lang = node_lang(&n);
	at = regnode_at(&rn, a.at);
	if ((v = regnode_term(&rn, at, a.id)) == NULL) {
		rc = fail("term show");
		goto out;
	}
	if (a.json)
		print_dump(v);
	else {
		as_of_line(&rn, at);
		print_term(v, a.lang, 1);
	}
	rc = 0;
out:
	json_decref(v);
	opts_free(&o);
	if (loaded)
		regnode_free(&rn);
	node_close(&n);
	return rc;
}
