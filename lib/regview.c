/*
 * regview.c - the views of the registries (see regview.h for what each
 * shows).  Pure functions of the registry, the process, now and lang:
 * nothing here reads a clock, a file or a key, and every object is built
 * key by key in a fixed order, so two nodes that took the same records
 * with the same reader print the same bytes.
 */
#include "regview.h"

#include <stdlib.h>
#include <string.h>

#include "jsonutil.h"
#include "regfold.h"

#define QUERY_MAX 256

static int64_t
as_of(const struct registry *r, int64_t now)
{
	return now < r->last_time ? r->last_time : now;
}

static json_t *
or_null(json_t *v)
{
	return v != NULL ? json_deep_copy(v) : json_null();
}

static json_t *
str_or_null(const char *s)
{
	return s != NULL && s[0] != '\0' ? json_string(s) : json_null();
}

static json_t *
num_or_null(int64_t v)
{
	return v >= 0 ? json_integer(v) : json_null();
}

/* The label of i18n in lang, or English, with the language it is in. */
static void
label_in(json_t *o, json_t *i18n, const char *lang)
{
	const char *s = lang ? jstr(i18n, lang) : NULL;
	const char *in = lang;

	if (s == NULL) {
		s = jstr(i18n, "en");
		in = "en";
	}
	json_object_set_new(o, "label", str_or_null(s));
	json_object_set_new(o, "label_lang", s ? json_string(in) : json_null());
}

static const char *
standing_name(enum reg_standing s)
{
	switch (s) {
	case REG_AGREED:
		return "agreed";
	case REG_UNDER_DISCUSSION:
		return "under-discussion";
	case REG_PROPOSED:
		break;
	}
	return "proposed";
}

static const char *
matter_status(const struct proc_matter *m, int64_t now)
{
	switch (proc_status(m, now)) {
	case PROC_OPEN:
		return "open";
	case PROC_ADOPTED:
		return "adopted";
	case PROC_REJECTED:
		return "not-adopted";
	case PROC_WITHDRAWN:
		return "withdrawn";
	}
	return "open";
}

/* The decisions that would adopt an item, and those that did. */
static void
decisions_of(const struct registry *r, struct process *p, int64_t now,
    enum reg_item item, size_t ix, json_t *o)
{
	json_t *all = json_array(), *agreed = json_array();

	for (size_t i = 0; i < r->nbinds; i++) {
		const struct reg_bind *b = &r->binds[i];
		struct proc_matter *m;
		json_t *d;
		if (b->item != item || b->ix != ix)
			continue;
		m = proc_matter(p, b->matter);
		d = json_object();
		json_object_set_new(d, "decision", jhex(b->matter, 32));
		json_object_set_new(d, "body", json_string(p->bodies[m->body].name));
		json_object_set_new(d, "version", json_integer(b->version));
		json_object_set_new(d, "status", json_string(matter_status(m, now)));
		json_object_set_new(d, "index", json_integer(b->index));
		json_object_set_new(d, "deadline", json_integer(m->deadline));
		if (proc_status(m, now) == PROC_ADOPTED)
			json_array_append(agreed, d);
		json_array_append_new(all, d);
	}
	json_object_set_new(o, "decisions", all);
	json_object_set_new(o, "agreed_by", agreed);
}

/* Sources as one shape, from the data ({"source", "as_cited"?, "note"?})
 * or a record ("SYMBOL para N"). */
static json_t *
sources_json(json_t *a)
{
	json_t *out = json_array(), *v;
	size_t i;

	json_array_foreach(a, i, v) {
		const char *s = json_is_string(v) ? json_string_value(v) : jstr(v, "source");
		struct reg_source src;
		json_t *o = json_object();
		int bare = !json_is_string(v);
		if (reg_source_parse(s, bare, &src) != 0)
			memset(&src, 0, sizeof(src));
		json_object_set_new(o, "source", json_string(s));
		json_object_set_new(o, "symbol", json_string(src.symbol));
		json_object_set_new(o, "para", src.kind == REG_PARA_NONE ? json_null() :
		    json_string(src.para));
		json_object_set_new(o, "preambular", json_boolean(src.kind == REG_PARA_PP));
		json_object_set_new(o, "as_cited", str_or_null(json_is_string(v) ? NULL :
		    jstr(v, "as_cited")));
		json_object_set_new(o, "note", or_null(json_is_string(v) ? NULL :
		    json_object_get(v, "note")));
		json_array_append_new(out, o);
	}
	return out;
}

/* The languages of texts not listed in official. */
static json_t *
unofficial(json_t *texts, json_t *official)
{
	json_t *out = json_array(), *v;
	const char *k;

	json_object_foreach(texts, k, v) {
		int off = 0;
		size_t i;
		json_t *x;
		json_array_foreach(official, i, x)
			off |= strcmp(json_string_value(x), k) == 0;
		if (!off)
			json_array_append_new(out, json_string(k));
	}
	return out;
}

static json_t *
party_json(json_t *o, const struct reg_party *by)
{
	if (by->stakeholder) {
		json_object_set_new(o, "by", json_string("stakeholder"));
		json_object_set_new(o, "application", jhex(by->application, 32));
	} else {
		json_object_set_new(o, "by", json_string(by->state));
		json_object_set_new(o, "application", json_null());
	}
	return o;
}

static json_t *
translations_of(const struct registry *r, enum reg_kind target, size_t ix)
{
	json_t *a = json_array();

	for (size_t i = 0; i < r->ntrans; i++) {
		const struct reg_trans *t = &r->trans[i];
		json_t *o;
		if (t->target != target || t->ix != ix)
			continue;
		o = json_object();
		json_object_set_new(o, "id", jhex(t->id, 32));
		json_object_set_new(o, "index", json_integer(t->index));
		json_object_set_new(o, "time", json_integer(t->time));
		party_json(o, &t->by);
		json_object_set_new(o, "version", json_integer(t->version));
		json_object_set_new(o, "lang", json_string(t->lang));
		json_object_set_new(o, "title", str_or_null(jstr(t->payload, "title")));
		json_object_set_new(o, "text", str_or_null(jstr(t->payload, "text")));
		json_array_append_new(a, o);
	}
	return a;
}

/* ---- norms -------------------------------------------------------------------- */

static int
names_source(json_t *sources, json_t *refers, const char *symbol)
{
	json_t *v;
	size_t i;

	json_array_foreach(sources, i, v) {
		const char *s = json_is_string(v) ? json_string_value(v) : jstr(v, "source");
		struct reg_source src;
		if (reg_source_parse(s, 1, &src) == 0 && strcmp(src.symbol, symbol) == 0)
			return 1;
	}
	json_array_foreach(refers, i, v)
		if (strcmp(json_string_value(v), symbol) == 0)
			return 1;
	return 0;
}

static json_t *
norm_json(const struct registry *r, struct process *p, int64_t now, size_t ix)
{
	const struct reg_norm *n = &r->norms[ix];
	const struct reg_dnorm *dn = n->data >= 0 ? &r->data->norms[n->data] : NULL;
	const struct reg_nversion *cur = n->nv > 0 ? &n->v[n->nv - 1] : NULL;
	json_t *o = json_object(), *a, *title, *sources, *text;
	int version;
	enum reg_standing st = reg_standing(r, p, REG_ITEM_NORM, ix, now, &version);

	title = dn ? json_object_get(dn->obj, "title") : cur->title;
	text = dn ? json_object_get(dn->obj, "text") : cur->text;
	sources = dn ? json_object_get(dn->obj, "sources") : cur->sources;
	json_object_set_new(o, "id", json_string(n->id));
	json_object_set_new(o, "origin", json_string(dn ? "data" : "record"));
	json_object_set_new(o, "index", num_or_null(n->index));
	json_object_set_new(o, "time", num_or_null(n->time));
	json_object_set_new(o, "by", str_or_null(n->by));
	json_object_set_new(o, "status", json_string(standing_name(st)));
	json_object_set_new(o, "agreed_version", version >= 0 ? json_integer(version) :
	    json_null());
	json_object_set_new(o, "title", or_null(title));
	json_object_set_new(o, "unofficial", dn ? unofficial(title,
	    json_object_get(dn->obj, "official")) : json_array());
	json_object_set_new(o, "text", or_null(text));
	json_object_set_new(o, "text_unofficial", dn && text ? unofficial(text,
	    json_object_get(dn->obj, "text_official")) : json_array());
	json_object_set_new(o, "lang", dn ? str_or_null(text ?
	    json_object_iter_key(json_object_iter(text)) : NULL) : str_or_null(cur->lang));
	json_object_set_new(o, "sources", sources_json(sources));
	json_object_set_new(o, "refers_to", or_null(dn ? json_object_get(dn->obj,
	    "refers_to") : NULL));
	json_object_set_new(o, "agreed_in", str_or_null(dn ? jstr(dn->obj, "agreed_in") :
	    NULL));
	json_object_set_new(o, "proposed_in", or_null(dn ? json_object_get(dn->obj,
	    "proposed_in") : NULL));
	json_object_set_new(o, "version", json_integer(dn ? 1 : (json_int_t)n->nv));
	a = json_array();
	for (size_t k = 0; k < n->nv; k++) {
		const struct reg_nversion *v = &n->v[k];
		json_t *x = json_object();
		json_object_set_new(x, "version", json_integer(v->version));
		json_object_set_new(x, "id", jhex(v->id, 32));
		json_object_set_new(x, "index", json_integer(v->index));
		json_object_set_new(x, "time", json_integer(v->time));
		json_object_set_new(x, "lang", str_or_null(v->lang));
		json_object_set_new(x, "title", or_null(v->title));
		json_object_set_new(x, "text", or_null(v->text));
		json_object_set_new(x, "sources", sources_json(v->sources));
		json_object_set_new(x, "note", str_or_null(jstr(v->payload, "note")));
		json_array_append_new(a, x);
	}
	json_object_set_new(o, "versions", a);
	a = json_array();
	for (size_t k = 0; k < n->nco; k++)
		json_array_append_new(a, json_pack("{s:s,s:I,s:I}", "state", n->co[k].state,
		    "index", (json_int_t)n->co[k].index, "time", (json_int_t)n->co[k].time));
	json_object_set_new(o, "cosponsors", a);
	json_object_set_new(o, "translations", translations_of(r, REG_K_NORM, ix));
	decisions_of(r, p, now, REG_ITEM_NORM, ix, o);
	{
		int cv;
		enum reg_standing cs = reg_standing(r, p, REG_ITEM_CHECKLIST, ix, now, &cv);
		json_object_set_new(o, "checklist", json_pack("{s:I,s:I,s:s,s:o}",
		    "model_actions", (json_int_t)(dn ? dn->nactions : 0), "versions",
		    (json_int_t)n->ncl, "status", standing_name(cs), "agreed_version",
		    cv >= 0 ? json_integer(cv) : json_null()));
	}
	return o;
}

json_t *
reg_view_norms(const struct registry *r, struct process *p, int64_t now,
    const struct reg_norm_filter *f)
{
	json_t *out = json_array();

	now = as_of(r, now);
	/* agreed first, then the others, each in data and log order */
	for (int pass = 0; pass < 2; pass++)
		for (size_t i = 0; i < r->nnorms; i++) {
			const struct reg_norm *n = &r->norms[i];
			const struct reg_dnorm *dn = n->data >= 0 ? &r->data->norms[n->data] : NULL;
			int v;
			enum reg_standing st = reg_standing(r, p, REG_ITEM_NORM, i, now, &v);
			if ((st == REG_AGREED) != (pass == 0))
				continue;
			if (f != NULL && f->status != NULL &&
			    strcmp(f->status, standing_name(st)) != 0)
				continue;
			if (f != NULL && f->source != NULL && !names_source(dn ?
			    json_object_get(dn->obj, "sources") : n->v[n->nv - 1].sources,
			    dn ? json_object_get(dn->obj, "refers_to") : NULL, f->source))
				continue;
			json_array_append_new(out, norm_json(r, p, now, i));
		}
	return out;
}

json_t *
reg_view_norm(const struct registry *r, struct process *p, int64_t now, const char *id)
{
	long ix = reg_norm(r, id);

	if (ix < 0) {
		rs_seterr("no norm \"%.64s\" in the registry", id ? id : "");
		return NULL;
	}
	return norm_json(r, p, as_of(r, now), (size_t)ix);
}

/* ---- checklists ----------------------------------------------------------------- */

static json_t *
actions_json(json_t *actions)
{
	json_t *a = json_array(), *v;
	size_t i;

	json_array_foreach(actions, i, v)
		json_array_append_new(a, json_pack("{s:O,s:o,s:o}", "n",
		    json_object_get(v, "n"), "title", or_null(json_object_get(v, "title")),
		    "text", or_null(json_object_get(v, "text"))));
	return a;
}

json_t *
reg_view_checklist(const struct registry *r, struct process *p, int64_t now,
    const char *norm)
{
	long ix = reg_norm(r, norm);
	const struct reg_norm *n;
	const struct reg_dnorm *dn;
	json_t *o, *vs;
	int agreed, current;
	enum reg_standing st;

	if (ix < 0) {
		rs_seterr("no norm \"%.64s\" in the registry", norm ? norm : "");
		return NULL;
	}
	now = as_of(r, now);
	n = &r->norms[ix];
	dn = n->data >= 0 ? &r->data->norms[n->data] : NULL;
	st = reg_standing(r, p, REG_ITEM_CHECKLIST, (size_t)ix, now, &agreed);
	current = agreed >= 0 ? agreed : n->ncl > 0 ? (int)n->ncl : dn && dn->nactions ? 0 : -1;
	o = json_object();
	vs = json_array();
	json_object_set_new(o, "norm", json_string(n->id));
	json_object_set_new(o, "status", json_string(standing_name(st)));
	json_object_set_new(o, "agreed_version", agreed >= 0 ? json_integer(agreed) :
	    json_null());
	json_object_set_new(o, "current", current >= 0 ? json_integer(current) : json_null());
	if (dn != NULL && dn->nactions > 0) {
		json_t *a = json_array();
		for (size_t k = 0; k < dn->nactions; k++)
			json_array_append_new(a, json_pack("{s:i,s:O,s:n}", "n",
			    dn->actions[k].n, "title", dn->actions[k].title, "text"));
		json_array_append_new(vs, json_pack("{s:i,s:s,s:n,s:n,s:n,s:n,s:n,s:b,s:o,s:o}",
		    "version", 0, "origin", "data", "id", "by", "index", "time", "lang",
		    "model", 1, "actions", a, "note", or_null(json_object_get(json_object_get(
		    r->data->files, "checklists.json"), "note"))));
	}
	for (size_t k = 0; k < n->ncl; k++) {
		const struct reg_checklist *c = &n->cl[k];
		json_t *x = json_object();
		json_object_set_new(x, "version", json_integer(c->version));
		json_object_set_new(x, "origin", json_string("record"));
		json_object_set_new(x, "id", jhex(c->id, 32));
		json_object_set_new(x, "by", json_string(c->by));
		json_object_set_new(x, "index", json_integer(c->index));
		json_object_set_new(x, "time", json_integer(c->time));
		json_object_set_new(x, "lang", json_string(jstr(c->payload, "lang")));
		json_object_set_new(x, "model", json_false());
		json_object_set_new(x, "actions", actions_json(json_object_get(c->payload,
		    "actions")));
		json_object_set_new(x, "note", str_or_null(jstr(c->payload, "note")));
		json_array_append_new(vs, x);
	}
	json_object_set_new(o, "versions", vs);
	decisions_of(r, p, now, REG_ITEM_CHECKLIST, (size_t)ix, o);
	return o;
}

/* ---- sealed documents ---------------------------------------------------------- */

static json_t *
to_json(const struct reg_doc *d)
{
	char g[PROC_NAME_MAX + 8];
	json_t *a;

	if (d->audience == REG_PUBLIC)
		return json_null();
	switch (d->to.kind) {
	case REG_TO_ALL:
		return json_string("all");
	case REG_TO_GROUP:
		snprintf(g, sizeof(g), "group:%s", d->to.group);
		return json_string(g);
	case REG_TO_LIST:
		break;
	}
	a = json_array();
	for (size_t i = 0; i < d->to.list.n; i++)
		json_array_append_new(a, json_string(d->to.list.v[i]));
	return a;
}

/* The public header of a document: what everyone sees. */
static json_t *
doc_head(const struct reg_doc *d)
{
	json_t *o = json_object();

	json_object_set_new(o, "version", d->version > 0 ? json_integer(d->version) :
	    json_null());
	json_object_set_new(o, "id", jhex(d->id, 32));
	json_object_set_new(o, "index", json_integer(d->index));
	json_object_set_new(o, "time", json_integer(d->time));
	json_object_set_new(o, "audience", json_string(d->audience == REG_PUBLIC ?
	    "public" : "sealed"));
	json_object_set_new(o, "to", to_json(d));
	json_object_set_new(o, "recipients", json_integer((json_int_t)d->nslots));
	json_object_set_new(o, "readable", json_boolean(d->readable));
	json_object_set_new(o, "refused", str_or_null(d->refused));
	return o;
}

/* The latest version this node can read and that is right, or NULL. */
static const struct reg_doc *
shown_of(const struct reg_doc *v, size_t n)
{
	for (size_t i = n; i > 0; i--)
		if (v[i - 1].content != NULL)
			return &v[i - 1];
	return NULL;
}

static void
versions_json(json_t *o, const struct reg_doc *v, size_t n, const struct reg_doc *shown)
{
	json_t *a = json_array();

	for (size_t i = 0; i < n; i++)
		json_array_append_new(a, doc_head(&v[i]));
	json_object_set_new(o, "versions", a);
	json_object_set_new(o, "latest", n ? json_integer(v[n - 1].version) : json_null());
	json_object_set_new(o, "shown", shown ? json_integer(shown->version) : json_null());
	json_object_set_new(o, "newer_not_readable", json_boolean(n > 0 &&
	    shown != &v[n - 1]));
}

/* ---- reports -------------------------------------------------------------------- */

static json_t *
report_state(const char *state, const struct reg_statedocs *s, const char *norm)
{
	const struct reg_doc *shown = shown_of(s->reports, s->nreports);
	json_t *o = json_object(), *a = json_array(), *v;
	size_t i;

	json_object_set_new(o, "state", json_string(state));
	versions_json(o, s->reports, s->nreports, shown);
	json_object_set_new(o, "lang", str_or_null(shown ? jstr(shown->content, "lang") :
	    NULL));
	json_object_set_new(o, "note", str_or_null(shown ? jstr(shown->content, "note") :
	    NULL));
	if (shown != NULL)
		json_array_foreach(json_object_get(shown->content, "entries"), i, v)
			if (norm == NULL || strcmp(jstr(v, "norm"), norm) == 0)
				json_array_append_new(a, json_pack("{s:s,s:o,s:s,s:o}", "norm",
				    jstr(v, "norm"), "action", or_null(json_object_get(v,
				    "action")), "status", jstr(v, "status"), "note",
				    str_or_null(jstr(v, "note"))));
	json_object_set_new(o, "entries", a);
	return o;
}

static void
state_code(char out[3], size_t slot)
{
	out[0] = (char)('A' + slot / 26);
	out[1] = (char)('A' + slot % 26);
	out[2] = '\0';
}

/* The actions of a norm's checklists (model and every version), sorted by
 * number, each with its latest title. */
static json_t *
all_actions(const struct registry *r, size_t ix)
{
	const struct reg_norm *n = &r->norms[ix];
	json_t *title[REG_MAX_ACTIONS + 1] = { NULL }, *a = json_array();

	if (n->data >= 0)
		for (size_t k = 0; k < r->data->norms[n->data].nactions; k++)
			title[r->data->norms[n->data].actions[k].n] =
			    r->data->norms[n->data].actions[k].title;
	for (size_t k = 0; k < n->ncl; k++) {
		json_t *v;
		size_t i;
		json_array_foreach(json_object_get(n->cl[k].payload, "actions"), i, v)
			title[json_integer_value(json_object_get(v, "n"))] =
			    json_object_get(v, "title");
	}
	for (int k = 1; k <= REG_MAX_ACTIONS; k++)
		if (title[k] != NULL)
			json_array_append_new(a, json_pack("{s:i,s:O}", "n", k, "title", title[k]));
	return a;
}

static json_t *
compare_json(const struct registry *r, const char *norm, json_t *states)
{
	long ix = reg_norm(r, norm);
	json_t *o = json_object(), *rows = json_array(), *acts, *act, *st;
	size_t i, k;

	json_object_set_new(o, "norm", json_string(norm));
	if (ix < 0) {
		json_object_set_new(o, "actions", rows);
		return o;
	}
	acts = all_actions(r, (size_t)ix);
	json_array_append_new(acts, json_pack("{s:n,s:n}", "n", "title"));
	json_array_foreach(acts, i, act) {
		json_t *row = json_object(), *counts = json_object(), *who = json_array();
		json_int_t c[REG_NSTATUS] = { 0 };
		json_t *n = json_object_get(act, "n");
		json_object_set_new(row, "action", json_deep_copy(n));
		json_object_set_new(row, "title", json_deep_copy(json_object_get(act, "title")));
		json_array_foreach(states, k, st) {
			json_t *e;
			size_t j;
			json_array_foreach(json_object_get(st, "entries"), j, e)
				if (json_equal(json_object_get(e, "action"), n)) {
					c[regrec_status(jstr(e, "status"))]++;
					json_array_append_new(who, json_pack("{s:O,s:O,s:O}",
					    "state", json_object_get(st, "state"), "status",
					    json_object_get(e, "status"), "note",
					    json_object_get(e, "note")));
				}
		}
		for (int s = 0; s < REG_NSTATUS; s++)
			json_object_set_new(counts, reg_status_names[s], json_integer(c[s]));
		json_object_set_new(row, "counts", counts);
		json_object_set_new(row, "states", who);
		json_array_append_new(rows, row);
	}
	json_decref(acts);
	json_object_set_new(o, "actions", rows);
	return o;
}

json_t *
reg_view_reports(const struct registry *r, struct process *p, int64_t now,
    const char *norm, const char *state)
{
	json_t *o = json_object(), *states = json_array(), *filed = json_array();
	json_t *per = json_array();
	size_t *impl = xcalloc(r->nnorms + 1, sizeof(size_t));
	size_t *ent = xcalloc(r->nnorms + 1, sizeof(size_t));
	char code[3];

	(void)p;
	now = as_of(r, now);
	for (size_t slot = 0; slot < REG_NSTATES; slot++) {
		const struct reg_statedocs *s = r->states[slot];
		const struct reg_doc *shown;
		json_t *v;
		size_t i;
		if (s == NULL || s->nreports == 0)
			continue;
		state_code(code, slot);
		for (i = 0; i < s->nreports; i++)
			json_array_append_new(filed, json_pack("{s:s,s:i,s:I,s:I}", "state",
			    code, "version", s->reports[i].version, "index",
			    (json_int_t)s->reports[i].index, "time",
			    (json_int_t)s->reports[i].time));
		if ((shown = shown_of(s->reports, s->nreports)) != NULL)
			json_array_foreach(json_object_get(shown->content, "entries"), i, v) {
				long ni = reg_norm(r, jstr(v, "norm"));
				if (ni < 0)
					continue;
				ent[ni]++;
				impl[ni] += strcmp(jstr(v, "status"), "implemented") == 0;
			}
		if (state != NULL && strcmp(state, code) != 0)
			continue;
		json_array_append_new(states, report_state(code, s, norm));
	}
	for (size_t i = 0; i < r->nnorms; i++)
		if (ent[i] > 0)
			json_array_append_new(per, json_pack("{s:s,s:I,s:I}", "norm",
			    r->norms[i].id, "implemented", (json_int_t)impl[i], "entries",
			    (json_int_t)ent[i]));
	free(impl);
	free(ent);
	json_object_set_new(o, "as_of", json_integer(now));
	json_object_set_new(o, "norm", str_or_null(norm));
	json_object_set_new(o, "states", states);
	json_object_set_new(o, "compare", norm ? compare_json(r, norm, states) : json_null());
	json_object_set_new(o, "charts", json_pack("{s:o,s:o}", "implemented_per_norm", per,
	    "filed", filed));
	return o;
}

/* ---- terminology --------------------------------------------------------------- */

struct hit {
	size_t term;
	enum reg_match how;
	char lang[PROC_LANG_MAX];
	const char *text;
};

/* Folds text and remembers it when it matches q better than h does. */
static int
try_match(struct hit *h, const char *q, const char *lang, const char *text,
    struct buf *tmp)
{
	enum reg_match m;

	if (text == NULL)
		return 0;
	if (reg_fold(text, tmp) != 0)
		return -1;
	m = reg_fold_match((const char *)tmp->p, q);
	if (m > h->how) {
		h->how = m;
		snprintf(h->lang, sizeof(h->lang), "%s", lang);
		h->text = text;
	}
	return 0;
}

static int
match_texts(struct hit *h, const char *q, json_t *texts, struct buf *tmp)
{
	const char *k;
	json_t *v;

	json_object_foreach(texts, k, v)
		if (try_match(h, q, k, json_string_value(v), tmp) != 0)
			return -1;
	return 0;
}

static int
match_term(const struct registry *r, size_t ti, const char *q, struct hit *h,
    struct buf *tmp)
{
	const struct reg_term *t = &r->terms[ti];
	json_t *obj = t->data >= 0 ? r->data->terms[t->data].obj : t->payload;
	json_t *al = json_object_get(obj, "aliases"), *v, *x;
	const char *k;
	size_t i;

	memset(h, 0, sizeof(*h));
	h->term = ti;
	if (match_texts(h, q, json_object_get(obj, "forms"), tmp) != 0)
		return -1;
	json_object_foreach(al, k, v)
		json_array_foreach(v, i, x)
			if (try_match(h, q, k, json_string_value(x), tmp) != 0)
				return -1;
	for (i = 0; i < r->ntrans; i++)
		if (r->trans[i].target == REG_K_TERM && r->trans[i].ix == ti &&
		    try_match(h, q, r->trans[i].lang, jstr(r->trans[i].payload, "text"),
		    tmp) != 0)
			return -1;
	return 0;
}

static json_t *
definition_json(const struct registry *r, struct process *p, int64_t now, size_t di)
{
	const struct reg_def *d = &r->defs[di];
	json_t *o = json_object();
	int v;
	enum reg_standing st = reg_standing(r, p, REG_ITEM_DEFINITION, di, now, &v);

	json_object_set_new(o, "id", jhex(d->id, 32));
	json_object_set_new(o, "index", json_integer(d->index));
	json_object_set_new(o, "time", json_integer(d->time));
	json_object_set_new(o, "by", json_string(d->by));
	json_object_set_new(o, "status", json_string(standing_name(st)));
	json_object_set_new(o, "lang", json_string(jstr(d->payload, "lang")));
	json_object_set_new(o, "text", or_null(json_object_get(d->payload, "text")));
	json_object_set_new(o, "sources", sources_json(json_object_get(d->payload,
	    "sources")));
	json_object_set_new(o, "translations", translations_of(r, REG_K_DEFINITION, di));
	decisions_of(r, p, now, REG_ITEM_DEFINITION, di, o);
	return o;
}

static const char *
match_name(enum reg_match m)
{
	switch (m) {
	case REG_MATCH_EXACT:
		return "exact";
	case REG_MATCH_PREFIX:
		return "prefix";
	case REG_MATCH_WORDS:
		return "words";
	case REG_MATCH_NONE:
		break;
	}
	return "none";
}

static json_t *
term_json(const struct registry *r, struct process *p, int64_t now, size_t ti,
    const struct hit *h)
{
	const struct reg_term *t = &r->terms[ti];
	json_t *obj = t->data >= 0 ? r->data->terms[t->data].obj : t->payload;
	json_t *o = json_object(), *defs = json_array();
	const char *status = "no-agreed-definition";
	json_t *agreed = json_null();

	for (size_t i = 0; i < r->ndefs; i++) {
		int v;
		enum reg_standing st;
		if (r->defs[i].term != ti)
			continue;
		st = reg_standing(r, p, REG_ITEM_DEFINITION, i, now, &v);
		if (st == REG_AGREED) {
			status = "agreed-definition";
			json_decref(agreed);
			agreed = jhex(r->defs[i].id, 32);
		} else if (st == REG_UNDER_DISCUSSION && json_is_null(agreed))
			status = "definition-under-discussion";
		json_array_append_new(defs, definition_json(r, p, now, i));
	}
	json_object_set_new(o, "id", json_string(t->id));
	json_object_set_new(o, "origin", json_string(t->data >= 0 ? "data" : "record"));
	json_object_set_new(o, "index", num_or_null(t->index));
	json_object_set_new(o, "time", num_or_null(t->time));
	json_object_set_new(o, "by", str_or_null(t->by));
	json_object_set_new(o, "status", json_string(status));
	json_object_set_new(o, "agreed_definition", agreed);
	json_object_set_new(o, "forms", or_null(json_object_get(obj, "forms")));
	json_object_set_new(o, "unofficial", t->data >= 0 ?
	    unofficial(json_object_get(obj, "forms"), json_object_get(obj, "official")) :
	    json_array());
	json_object_set_new(o, "aliases", or_null(json_object_get(obj, "aliases")));
	json_object_set_new(o, "sources", sources_json(json_object_get(obj, "sources")));
	json_object_set_new(o, "note", or_null(json_object_get(obj, "note")));
	json_object_set_new(o, "translations", translations_of(r, REG_K_TERM, ti));
	json_object_set_new(o, "definitions", defs);
	if (h != NULL)
		json_object_set_new(o, "match", json_pack("{s:s,s:s,s:s}", "how",
		    match_name(h->how), "lang", h->lang, "text", h->text));
	return o;
}

static int
cmp_hit(const void *a, const void *b)
{
	const struct hit *x = a, *y = b;

	if (x->how != y->how)
		return x->how > y->how ? -1 : 1;
	return x->term < y->term ? -1 : x->term > y->term;
}

json_t *
reg_view_terms(const struct registry *r, struct process *p, int64_t now,
    const char *query)
{
	struct buf q = {0}, tmp = {0};
	struct hit *hits;
	size_t nh = 0;
	json_t *out;

	now = as_of(r, now);
	if (query == NULL || query[0] == '\0') {
		out = json_array();
		for (size_t i = 0; i < r->nterms; i++)
			json_array_append_new(out, term_json(r, p, now, i, NULL));
		return out;
	}
	if (strlen(query) > QUERY_MAX) {
		rs_seterr("a search is at most %d bytes", QUERY_MAX);
		return NULL;
	}
	if (reg_fold(query, &q) != 0)
		return NULL;
	hits = xcalloc(r->nterms + 1, sizeof(*hits));
	for (size_t i = 0; q.len > 0 && i < r->nterms; i++) {
		if (match_term(r, i, (const char *)q.p, &hits[nh], &tmp) != 0) {
			free(hits);
			buf_free(&q);
			buf_free(&tmp);
			return NULL;
		}
		if (hits[nh].how != REG_MATCH_NONE)
			nh++;
	}
	qsort(hits, nh, sizeof(*hits), cmp_hit);
	out = json_array();
	for (size_t i = 0; i < nh; i++)
		json_array_append_new(out, term_json(r, p, now, hits[i].term, &hits[i]));
	free(hits);
	buf_free(&q);
	buf_free(&tmp);
	return out;
}

/* ---- CII lists ------------------------------------------------------------------ */

static json_t *
coded_json(const struct registry *r, json_t *v, const char *lang)
{
	const struct reg_dtax *t = regdata_tax(r->data, jstr(v, "taxonomy"));
	const struct reg_dcode *c = regdata_code(t, jstr(v, "code"));
	json_t *o = json_object();

	json_object_set_new(o, "taxonomy", json_string(jstr(v, "taxonomy")));
	json_object_set_new(o, "code", json_string(jstr(v, "code")));
	label_in(o, c ? c->label : NULL, lang);
	return o;
}

static json_t *
sphere_json(const struct registry *r, json_t *v, const char *lang)
{
	json_t *o, *maps, *m;
	size_t i;

	if (json_object_get(v, "text") == NULL) {
		o = coded_json(r, v, lang);
		json_object_set_new(o, "text", json_null());
		json_object_set_new(o, "maps", json_array());
		return o;
	}
	o = json_object();
	json_object_set_new(o, "taxonomy", json_null());
	json_object_set_new(o, "code", json_null());
	json_object_set_new(o, "label", json_null());
	json_object_set_new(o, "label_lang", json_null());
	json_object_set_new(o, "text", json_string(jstr(v, "text")));
	maps = json_array();
	json_array_foreach(json_object_get(v, "maps"), i, m)
		json_array_append_new(maps, coded_json(r, m, lang));
	json_object_set_new(o, "maps", maps);
	return o;
}

static int
has_sphere(json_t *spheres, json_t *v)
{
	json_t *w;
	size_t i;

	json_array_foreach(spheres, i, w) {
		if (json_object_get(v, "text") != NULL ?
		    json_equal(json_object_get(w, "text"), json_object_get(v, "text")) :
		    json_equal(w, v))
			return 1;
	}
	return 0;
}

static void
diff_into(const struct registry *r, json_t *from, json_t *to, json_t *out,
    const char *lang)
{
	json_t *v;
	size_t i;

	json_array_foreach(to, i, v)
		if (!has_sphere(from, v))
			json_array_append_new(out, sphere_json(r, v, lang));
}

json_t *
reg_view_cii(const struct registry *r, int64_t now, const char *state, const char *lang)
{
	const struct reg_statedocs *s = reg_state(r, state);
	const struct reg_doc *shown = NULL, *prev = NULL;
	json_t *o = json_object(), *sp = json_array(), *v;
	size_t i, n = s ? s->ncii : 0;

	now = as_of(r, now);
	if (n > 0 && (shown = shown_of(s->cii, n)) != NULL)
		prev = shown_of(s->cii, (size_t)(shown - s->cii));
	json_object_set_new(o, "as_of", json_integer(now));
	json_object_set_new(o, "state", json_string(state ? state : ""));
	versions_json(o, s ? s->cii : NULL, n, shown);
	json_object_set_new(o, "lang", str_or_null(shown ? jstr(shown->content, "lang") :
	    NULL));
	json_object_set_new(o, "description", str_or_null(shown ?
	    jstr(shown->content, "description") : NULL));
	if (shown != NULL)
		json_array_foreach(json_object_get(shown->content, "spheres"), i, v)
			json_array_append_new(sp, sphere_json(r, v, lang));
	json_object_set_new(o, "spheres", sp);
	if (shown != NULL && prev != NULL) {
		json_t *d = json_object(), *add = json_array(), *rem = json_array();
		diff_into(r, json_object_get(prev->content, "spheres"),
		    json_object_get(shown->content, "spheres"), add, lang);
		diff_into(r, json_object_get(shown->content, "spheres"),
		    json_object_get(prev->content, "spheres"), rem, lang);
		json_object_set_new(d, "from", json_integer(prev->version));
		json_object_set_new(d, "to", json_integer(shown->version));
		json_object_set_new(d, "added", add);
		json_object_set_new(d, "removed", rem);
		json_object_set_new(o, "diff", d);
	} else
		json_object_set_new(o, "diff", json_null());
	return o;
}

/* The codes of t a coded sphere maps to: itself in t, or the codes of t
 * that share a crosswalk concept with it. */
static void
project(const struct registry *r, const struct reg_dtax *t, json_t *v, uint8_t *hit)
{
	const struct reg_dtax *u = regdata_tax(r->data, jstr(v, "taxonomy"));
	const struct reg_dcode *c = regdata_code(u, jstr(v, "code"));

	if (c == NULL)
		return;
	for (size_t k = 0; k < t->ncodes; k++)
		if (u == t ? &t->codes[k] == c : (t->codes[k].concepts & c->concepts) != 0)
			hit[k] = 1;
}

static json_t *
side_json(const struct registry *r, const char *state, const struct reg_dtax *t,
    const char *lang, json_t **cells, json_t **unmapped)
{
	const struct reg_statedocs *s = reg_state(r, state);
	const struct reg_doc *shown = s ? shown_of(s->cii, s->ncii) : NULL;
	json_t *o = json_object(), *v, *m;
	uint8_t *hit = xcalloc(t->ncodes + 1, 1);
	size_t i, j;

	*unmapped = json_array();
	for (size_t k = 0; k < t->ncodes; k++)
		cells[k] = json_array();
	json_object_set_new(o, "state", json_string(state));
	json_object_set_new(o, "version", shown ? json_integer(shown->version) : json_null());
	json_object_set_new(o, "newer_not_readable", json_boolean(s && s->ncii > 0 &&
	    shown != &s->cii[s->ncii - 1]));
	if (shown != NULL)
		json_array_foreach(json_object_get(shown->content, "spheres"), i, v) {
			int any = 0;
			memset(hit, 0, t->ncodes);
			if (json_object_get(v, "text") == NULL)
				project(r, t, v, hit);
			else
				json_array_foreach(json_object_get(v, "maps"), j, m)
					project(r, t, m, hit);
			for (size_t k = 0; k < t->ncodes; k++)
				if (hit[k]) {
					json_array_append_new(cells[k], sphere_json(r, v, lang));
					any = 1;
				}
			if (!any)
				json_array_append_new(*unmapped, sphere_json(r, v, lang));
		}
	free(hit);
	return o;
}

json_t *
reg_view_cii_compare(const struct registry *r, int64_t now, const char *a,
    const char *b, const char *taxonomy, const char *lang)
{
	const struct reg_dtax *t = regdata_tax(r->data, taxonomy);
	json_t *o, *rows, **ca, **cb, *ua, *ub;

	if (t == NULL) {
		rs_seterr("no reference taxonomy \"%.64s\" in the data", taxonomy ? taxonomy : "");
		return NULL;
	}
	ca = xcalloc(t->ncodes + 1, sizeof(json_t *));
	cb = xcalloc(t->ncodes + 1, sizeof(json_t *));
	o = json_object();
	json_object_set_new(o, "as_of", json_integer(as_of(r, now)));
	json_object_set_new(o, "taxonomy", json_string(t->id));
	json_object_set_new(o, "a", side_json(r, a, t, lang, ca, &ua));
	json_object_set_new(o, "b", side_json(r, b, t, lang, cb, &ub));
	rows = json_array();
	for (size_t k = 0; k < t->ncodes; k++) {
		json_t *row = json_object();
		json_object_set_new(row, "code", json_string(t->codes[k].code));
		label_in(row, t->codes[k].label, lang);
		json_object_set_new(row, "a", ca[k]);
		json_object_set_new(row, "b", cb[k]);
		json_array_append_new(rows, row);
	}
	json_object_set_new(o, "rows", rows);
	json_object_set_new(o, "unmapped", json_pack("{s:o,s:o}", "a", ua, "b", ub));
	free(ca);
	free(cb);
	return o;
}

/* ---- capacity-building ----------------------------------------------------------- */

static int
shares_lang(json_t *a, json_t *b)
{
	json_t *x, *y;
	size_t i, j;

	json_array_foreach(a, i, x)
		json_array_foreach(b, j, y)
			if (json_equal(x, y))
				return 1;
	return 0;
}

static int
has_area(json_t *areas, const char *area)
{
	json_t *x;
	size_t i;

	json_array_foreach(areas, i, x)
		if (strcmp(json_string_value(x), area) == 0)
			return 1;
	return 0;
}

static json_t *
request_json(const struct registry *r, size_t qi, const char *lang)
{
	const struct reg_request *q = &r->reqs[qi];
	json_t *o = doc_head(&q->d), *c = q->d.content, *offers = json_array();
	json_t *acc = json_array(), *matches = json_array();
	const struct reg_dcode *area = c ? regdata_code(&r->data->areas, jstr(c, "area")) :
	    NULL;

	json_object_del(o, "version");
	json_object_set_new(o, "by", json_string(q->d.by));
	json_object_set_new(o, "area", str_or_null(c ? jstr(c, "area") : NULL));
	label_in(o, area ? area->label : NULL, lang);
	json_object_set_new(o, "title", str_or_null(c ? jstr(c, "title") : NULL));
	json_object_set_new(o, "lang", str_or_null(c ? jstr(c, "lang") : NULL));
	json_object_set_new(o, "needs", str_or_null(c ? jstr(c, "needs") : NULL));
	json_object_set_new(o, "languages", or_null(c ? json_object_get(c, "languages") :
	    NULL));
	json_object_set_new(o, "status", json_string(q->closed_index >= 0 ? "closed" :
	    "open"));
	json_object_set_new(o, "closed", q->closed_index >= 0 ? json_pack("{s:I,s:I}",
	    "index", (json_int_t)q->closed_index, "time", (json_int_t)q->closed_time) :
	    json_null());
	for (size_t i = 0; i < r->noffers; i++) {
		const struct reg_offer *f = &r->offers[i];
		json_t *fc = f->d.content;
		if (f->request == (long)qi)
			json_array_append_new(offers, jhex(f->d.id, 32));
		else if (f->request < 0 && c != NULL && fc != NULL &&
		    has_area(json_object_get(fc, "areas"), jstr(c, "area")) &&
		    shares_lang(json_object_get(fc, "languages"), json_object_get(c,
		    "languages")))
			json_array_append_new(matches, jhex(f->d.id, 32));
	}
	for (size_t i = 0; i < q->nacc; i++) {
		const struct reg_accept *a = &q->acc[i];
		json_array_append_new(acc, json_pack("{s:o,s:I,s:I,s:o}", "offer",
		    jhex(r->offers[a->offer].d.id, 32), "index", (json_int_t)a->index, "time",
		    (json_int_t)a->time, "completed", a->completed_index >= 0 ?
		    json_pack("{s:I,s:I}", "index", (json_int_t)a->completed_index, "time",
		    (json_int_t)a->completed_time) : json_null()));
	}
	json_object_set_new(o, "offers", offers);
	json_object_set_new(o, "accepted", acc);
	json_object_set_new(o, "matches", matches);
	return o;
}

static json_t *
offer_json(const struct registry *r, size_t oi, const char *lang)
{
	const struct reg_offer *f = &r->offers[oi];
	json_t *o = doc_head(&f->d), *c = f->d.content, *areas = json_array(), *x;
	size_t i;

	json_object_del(o, "version");
	party_json(o, &f->by);
	json_object_set_new(o, "request", f->request >= 0 ?
	    jhex(r->reqs[f->request].d.id, 32) : json_null());
	json_object_set_new(o, "title", str_or_null(c ? jstr(c, "title") : NULL));
	json_object_set_new(o, "lang", str_or_null(c ? jstr(c, "lang") : NULL));
	json_object_set_new(o, "text", str_or_null(c ? jstr(c, "text") : NULL));
	json_object_set_new(o, "languages", or_null(c ? json_object_get(c, "languages") :
	    NULL));
	json_array_foreach(c ? json_object_get(c, "areas") : NULL, i, x) {
		const struct reg_dcode *a = regdata_code(&r->data->areas, json_string_value(x));
		json_t *ao = json_pack("{s:O}", "code", x);
		label_in(ao, a ? a->label : NULL, lang);
		json_array_append_new(areas, ao);
	}
	json_object_set_new(o, "areas", areas);
	return o;
}

json_t *
reg_view_cb(const struct registry *r, int64_t now, const char *lang)
{
	json_t *o = json_object(), *reqs = json_array(), *offers = json_array();

	json_object_set_new(o, "as_of", json_integer(as_of(r, now)));
	for (size_t i = 0; i < r->nreqs; i++)
		json_array_append_new(reqs, request_json(r, i, lang));
	for (size_t i = 0; i < r->noffers; i++)
		json_array_append_new(offers, offer_json(r, i, lang));
	json_object_set_new(o, "requests", reqs);
	json_object_set_new(o, "offers", offers);
	return o;
}

/* ---- everything ------------------------------------------------------------------ */

json_t *
reg_view(const struct registry *r, struct process *p, int64_t now, const char *lang)
{
	json_t *o = json_object(), *cii = json_array(), *terms;
	char code[3];

	now = as_of(r, now);
	json_object_set_new(o, "as_of", json_integer(now));
	json_object_set_new(o, "records", json_integer((json_int_t)r->records));
	json_object_set_new(o, "data", jhex(r->data->digest, 32));
	json_object_set_new(o, "norms", reg_view_norms(r, p, now, NULL));
	terms = reg_view_terms(r, p, now, NULL);
	json_object_set_new(o, "terms", terms ? terms : json_array());
	json_object_set_new(o, "reports", reg_view_reports(r, p, now, NULL, NULL));
	for (size_t slot = 0; slot < REG_NSTATES; slot++)
		if (r->states[slot] != NULL && r->states[slot]->ncii > 0) {
			state_code(code, slot);
			json_array_append_new(cii, reg_view_cii(r, now, code, lang));
		}
	json_object_set_new(o, "cii", cii);
	json_object_set_new(o, "cb", reg_view_cb(r, now, lang));
	return o;
}
