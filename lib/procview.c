/*
 * procview.c - the views of the process (see procview.h for what each
 * figure means).  Pure functions of struct process, now and the viewer:
 * nothing here reads a clock, a file or the directory, and every object is
 * built key by key in a fixed order, so two nodes that took the same
 * records print the same bytes.
 */
#include "procview.h"

#include <assert.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "checkstats.h"
#include "jsonutil.h"

/* The views are of the state as it is: as of a time before the last
 * record taken they would mix two moments, so such a now is moved up. */
static int64_t
as_of(const struct process *p, int64_t now)
{
	return now < p->last_time ? p->last_time : now;
}

static const char *
status_name(const struct proc_matter *m, enum proc_status s)
{
	int app = m->kind == PROC_K_APPLICATION;

	switch (s) {
	case PROC_OPEN:
		return "open";
	case PROC_ADOPTED:
		return app ? "accredited" : "adopted";
	case PROC_REJECTED:
		return app ? "not-accredited" : "not-adopted";
	case PROC_WITHDRAWN:
		return "withdrawn";
	}
	return "open";
}

static json_t *
pct(size_t part, size_t whole)
{
	if (whole == 0)
		return json_null();
	return json_real(round(1000.0 * (double)part / (double)whole) / 10.0);
}

static json_t *
texts_or_null(json_t *t)
{
	return t != NULL ? json_deep_copy(t) : json_null();
}

/* ---- bodies -------------------------------------------------------------- */

static json_t *
meeting_json(const struct process *p, const struct proc_meeting *m)
{
	json_t *o = json_object(), *l = json_array();

	json_object_set_new(o, "id", jhex(m->id, 32));
	json_object_set_new(o, "index", json_integer(m->index));
	json_object_set_new(o, "time", json_integer(m->time));
	json_object_set_new(o, "body", json_string(p->bodies[m->body].name));
	json_object_set_new(o, "start", json_integer(m->start));
	json_object_set_new(o, "end", json_integer(m->end));
	json_object_set_new(o, "title", texts_or_null(m->title));
	json_object_set_new(o, "lead_time_ms", json_integer(m->lead_ms));
	for (size_t i = 0; i < m->langs.n; i++)
		json_array_append_new(l, json_string(m->langs.v[i]));
	json_object_set_new(o, "languages", l);
	return o;
}

json_t *
proc_view_bodies(const struct process *p)
{
	json_t *a = json_array();

	for (size_t i = 0; i < p->nbodies; i++) {
		const struct proc_body *b = &p->bodies[i];
		json_t *o = json_object(), *ms = json_array();

		json_object_set_new(o, "name", json_string(b->name));
		json_object_set_new(o, "index", json_integer(b->index));
		json_object_set_new(o, "time", json_integer(b->time));
		json_object_set_new(o, "title", texts_or_null(b->title));
		json_object_set_new(o, "chair", json_string(b->chair));
		json_object_set_new(o, "members", procrec_members_json(&b->members));
		json_object_set_new(o, "rules", procrec_rules_json(&b->rules));
		json_object_set_new(o, "changes", json_integer((json_int_t)b->nchanges));
		json_object_set_new(o, "changed_index", b->changed_index >= 0 ?
		    json_integer(b->changed_index) : json_null());
		for (size_t k = 0; k < p->nmeetings; k++)
			if (p->meetings[k].body == i)
				json_array_append_new(ms, meeting_json(p, &p->meetings[k]));
		json_object_set_new(o, "meetings", ms);
		json_array_append_new(a, o);
	}
	return a;
}

/* ---- papers -------------------------------------------------------------- */

/* What a paper came to, as of now (procview.h). */
struct paper_fig {
	int has_meeting;
	int judged;		/* now >= due */
	int on_time, all_languages, all_on_time;
};

/* The one rule of lead time: on time when lead >= the rule. */
static int
in_time(const struct proc_meeting *m, const struct proc_version *v)
{
	return m->start - v->time >= m->lead_ms;
}

static const struct proc_version *
version_in(const struct proc_paper *pp, const char *lang)
{
	for (size_t i = 0; i < pp->nv; i++)
		if (strcmp(pp->v[i].file.lang, lang) == 0)
			return &pp->v[i];
	return NULL;
}

static int
required(const struct proc_meeting *m, const char *lang)
{
	for (size_t i = 0; i < m->langs.n; i++)
		if (strcmp(m->langs.v[i], lang) == 0)
			return 1;
	return 0;
}

static void
paper_figures(const struct process *p, const struct proc_paper *pp, int64_t now,
    struct paper_fig *f)
{
	const struct proc_meeting *m;

	memset(f, 0, sizeof(*f));
	if (pp->meeting < 0)
		return;
	m = &p->meetings[pp->meeting];
	assert(pp->nv > 0);
	f->has_meeting = 1;
	f->judged = now >= m->start - m->lead_ms;
	f->on_time = in_time(m, &pp->v[0]);
	f->all_languages = f->all_on_time = 1;
	for (size_t i = 0; i < m->langs.n; i++) {
		const struct proc_version *v = version_in(pp, m->langs.v[i]);
		if (v == NULL)
			f->all_languages = f->all_on_time = 0;
		else if (!in_time(m, v))
			f->all_on_time = 0;
	}
}

static json_t *
version_json(const struct proc_version *v, const struct proc_meeting *m, int req)
{
	json_t *o = json_object();
	uint64_t plain = 0;

	json_object_set_new(o, "lang", json_string(v->file.lang));
	if (m != NULL) {
		json_object_set_new(o, "required", json_boolean(req));
		json_object_set_new(o, "status", json_string(in_time(m, v) ?
		    "on-time" : "late"));
		json_object_set_new(o, "lead_ms", json_integer(m->start - v->time));
	} else
		json_object_set_new(o, "status", json_string("circulated"));
	json_object_set_new(o, "index", json_integer(v->index));
	json_object_set_new(o, "time", json_integer(v->time));
	json_object_set_new(o, "sha256", jhex(v->file.sha, 32));
	(void)procrec_blob_plain(v->file.size, &plain);
	json_object_set_new(o, "size", json_integer((json_int_t)plain));
	return o;
}

static json_t *
paper_json(const struct process *p, const struct proc_paper *pp, int64_t now)
{
	const struct proc_meeting *m = pp->meeting >= 0 ? &p->meetings[pp->meeting] : NULL;
	json_t *o = json_object(), *langs = json_array();
	struct paper_fig f;

	paper_figures(p, pp, now, &f);
	json_object_set_new(o, "id", jhex(pp->id, 32));
	json_object_set_new(o, "index", json_integer(pp->index));
	json_object_set_new(o, "time", json_integer(pp->time));
	json_object_set_new(o, "body", json_string(p->bodies[pp->body].name));
	json_object_set_new(o, "meeting", m ? jhex(m->id, 32) : json_null());
	json_object_set_new(o, "by", json_string(pp->by));
	json_object_set_new(o, "audience", json_string(pp->audience == PROC_PUBLIC ?
	    "public" : "members"));
	json_object_set_new(o, "title", texts_or_null(pp->title));
	json_object_set_new(o, "contribution", pp->contribution >= 0 ?
	    jhex(p->contribs[pp->contribution].id, 32) : json_null());
	if (m != NULL) {
		json_object_set_new(o, "start", json_integer(m->start));
		json_object_set_new(o, "lead_time_ms", json_integer(m->lead_ms));
		json_object_set_new(o, "due", json_integer(m->start - m->lead_ms));
		for (size_t i = 0; i < m->langs.n; i++) {
			const struct proc_version *v = version_in(pp, m->langs.v[i]);
			if (v != NULL)
				json_array_append_new(langs, version_json(v, m, 1));
			else
				json_array_append_new(langs, json_pack("{s:s,s:b,s:s}",
				    "lang", m->langs.v[i], "required", 1, "status", "missing"));
		}
	}
	for (size_t i = 0; i < pp->nv; i++)	/* the others, in log order */
		if (m == NULL || !required(m, pp->v[i].file.lang))
			json_array_append_new(langs, version_json(&pp->v[i], m, 0));
	json_object_set_new(o, "languages", langs);
	if (m != NULL) {
		json_object_set_new(o, "on_time", json_boolean(f.on_time));
		json_object_set_new(o, "all_languages", json_boolean(f.all_languages));
		json_object_set_new(o, "all_on_time", json_boolean(f.all_on_time));
	}
	return o;
}

json_t *
proc_view_papers(const struct process *p, int64_t now, const char *body)
{
	json_t *a = json_array();

	now = as_of(p, now);
	for (size_t i = 0; i < p->npapers; i++) {
		const struct proc_paper *pp = &p->papers[i];
		if (body == NULL || strcmp(p->bodies[pp->body].name, body) == 0)
			json_array_append_new(a, paper_json(p, pp, now));
	}
	return a;
}

/* ---- decisions ----------------------------------------------------------- */

static json_t *
positions_json(const struct proc_matter *m, enum proc_stance st, int named)
{
	json_t *a = json_array();

	if (!named) {
		json_decref(a);
		return json_null();
	}
	for (size_t i = 0; i < m->npos; i++)
		if (m->pos[i].stance == st && m->pos[i].time < m->deadline)
			json_array_append_new(a, json_string(m->pos[i].state));
	return a;
}

static json_t *
matter_json(const struct process *p, const struct proc_matter *m, int64_t now,
    const char *viewer)
{
	const struct proc_body *b = &p->bodies[m->body];
	enum proc_status s = proc_status(m, now);
	int named = m->objections == PROC_SHOW_ALL ||
	    (viewer != NULL && strcmp(viewer, b->chair) == 0);
	json_t *o = json_object(), *proof = json_object(), *ix = json_array();
	size_t objections = proc_count(m, PROC_OBJECT);

	json_object_set_new(o, "id", jhex(m->id, 32));
	json_object_set_new(o, "kind", json_string(m->kind == PROC_K_PROPOSAL ?
	    "proposal" : "application"));
	json_object_set_new(o, "index", json_integer(m->index));
	json_object_set_new(o, "time", json_integer(m->time));
	json_object_set_new(o, "body", json_string(b->name));
	json_object_set_new(o, "by", json_string(m->by));
	json_object_set_new(o, "deadline", json_integer(m->deadline));
	json_object_set_new(o, "status", json_string(status_name(m, s)));
	json_object_set_new(o, "remaining_ms", s == PROC_OPEN ?
	    json_integer(m->deadline - now) : json_null());
	json_object_set_new(o, "silence_broken", json_boolean(objections > 0));
	json_object_set_new(o, "members", json_integer((json_int_t)m->members->n));
	json_object_set_new(o, "objections", json_integer((json_int_t)objections));
	json_object_set_new(o, "objecting", positions_json(m, PROC_OBJECT, named));
	json_object_set_new(o, "objections_shown_to", json_string(
	    m->objections == PROC_SHOW_ALL ? "all" : "chair"));
	json_object_set_new(o, "supports", json_integer((json_int_t)proc_count(m,
	    PROC_SUPPORT)));
	json_object_set_new(o, "supporting", positions_json(m, PROC_SUPPORT, 1));
	if (m->kind == PROC_K_PROPOSAL) {
		json_object_set_new(o, "audience", json_string(m->audience == PROC_PUBLIC ?
		    "public" : "members"));
		json_object_set_new(o, "lang", json_string(m->lang));
		json_object_set_new(o, "text", texts_or_null(m->text));
		json_object_set_new(o, "meeting", m->meeting >= 0 ?
		    jhex(p->meetings[m->meeting].id, 32) : json_null());
		json_object_set_new(o, "paper", m->paper >= 0 ?
		    jhex(p->papers[m->paper].id, 32) : json_null());
	} else {
		json_object_set_new(o, "ecosoc", json_boolean(m->ecosoc));
		json_object_set_new(o, "admitted_at_once", json_boolean(m->at_once));
		json_object_set_new(o, "organisation", texts_or_null(m->about));
	}
	if (s == PROC_WITHDRAWN)
		json_object_set_new(o, "withdrawn", json_pack("{s:I,s:I,s:s}", "index",
		    (json_int_t)m->withdrawn_index, "time", (json_int_t)m->withdrawn_time,
		    "by", m->withdrawn_by));
	else
		json_object_set_new(o, "withdrawn", json_null());
	json_object_set_new(proof, "record", json_integer(m->index));
	for (size_t i = 0; i < m->npos; i++)
		json_array_append_new(ix, json_integer(m->pos[i].index));
	json_object_set_new(proof, "positions", ix);
	json_object_set_new(proof, "withdrawal", s == PROC_WITHDRAWN ?
	    json_integer(m->withdrawn_index) : json_null());
	json_object_set_new(o, "proof", proof);
	return o;
}

json_t *
proc_view_decisions(const struct process *p, int64_t now, const char *viewer,
    const char *body, int open_only)
{
	json_t *a = json_array();

	now = as_of(p, now);
	for (size_t i = 0; i < p->nmatters; i++) {
		const struct proc_matter *m = &p->matters[i];
		if (body != NULL && strcmp(p->bodies[m->body].name, body) != 0)
			continue;
		if (open_only && proc_status(m, now) != PROC_OPEN)
			continue;
		json_array_append_new(a, matter_json(p, m, now, viewer));
	}
	return a;
}

json_t *
proc_view_contributions(const struct process *p)
{
	json_t *a = json_array();

	for (size_t i = 0; i < p->ncontribs; i++) {
		const struct proc_contribution *c = &p->contribs[i];
		json_t *o = json_object(), *langs = json_array(), *dist = json_array();

		json_object_set_new(o, "id", jhex(c->id, 32));
		json_object_set_new(o, "index", json_integer(c->index));
		json_object_set_new(o, "time", json_integer(c->time));
		json_object_set_new(o, "body", json_string(p->bodies[c->body].name));
		json_object_set_new(o, "application", jhex(p->matters[c->application].id, 32));
		json_object_set_new(o, "device", jhex(c->device, 32));
		for (size_t k = 0; k < c->files.n; k++)
			json_array_append_new(langs, json_string(c->files.v[k].lang));
		json_object_set_new(o, "languages", langs);
		for (size_t k = 0; k < p->npapers; k++)
			if (p->papers[k].contribution == (int64_t)i)
				json_array_append_new(dist, jhex(p->papers[k].id, 32));
		json_object_set_new(o, "distributed_as", dist);
		json_array_append_new(a, o);
	}
	return a;
}

/* ---- the paper report ---------------------------------------------------- */

struct vec {
	int64_t *v;
	size_t n, cap;
};

/* Figures of one row (a body, or a party within a body). */
struct row {
	size_t body;
	char by[PROC_PARTY_MAX];	/* "" for the body's row */
	size_t papers, pending, on_time, all_languages, all_on_time;
	struct proc_langs langs;	/* in the order first met */
	struct vec lead[PROC_MAX_LANGS + PROC_MAX_FILES];
	size_t nlead;
	char extra[PROC_MAX_FILES][PROC_LANG_MAX];	/* beyond langs */
};

static void
vec_push(struct vec *x, int64_t v)
{
	if (x->n == x->cap) {
		x->cap = x->cap ? x->cap * 2 : 16;
		x->v = xrealloc(x->v, x->cap * sizeof(*x->v));
	}
	x->v[x->n++] = v;
}

/* The slot of lang in the row: the required languages of the body first,
 * then others as they come (at most PROC_MAX_FILES of those; any beyond
 * share no median). */
static struct vec *
lead_of(struct row *r, const char *lang)
{
	size_t i;

	for (i = 0; i < r->langs.n; i++)
		if (strcmp(r->langs.v[i], lang) == 0)
			return &r->lead[i];
	for (i = 0; i + r->langs.n < r->nlead; i++)
		if (strcmp(r->extra[i], lang) == 0)
			return &r->lead[r->langs.n + i];
	if (i >= PROC_MAX_FILES)
		return NULL;
	snprintf(r->extra[i], PROC_LANG_MAX, "%s", lang);
	r->nlead = r->langs.n + i + 1;
	return &r->lead[r->langs.n + i];
}

static void
row_add(const struct process *p, struct row *r, const struct proc_paper *pp,
    int64_t now)
{
	const struct proc_meeting *m = &p->meetings[pp->meeting];
	struct paper_fig f;

	paper_figures(p, pp, now, &f);
	if (!f.judged) {
		r->pending++;
		return;
	}
	r->papers++;
	r->on_time += f.on_time;
	r->all_languages += f.all_languages;
	r->all_on_time += f.all_on_time;
	for (size_t i = 0; i < pp->nv; i++) {
		struct vec *x = lead_of(r, pp->v[i].file.lang);
		if (x != NULL)
			vec_push(x, m->start - pp->v[i].time);
	}
}

static json_t *
row_json(const struct process *p, struct row *r)
{
	json_t *o = json_object(), *med = json_object();

	json_object_set_new(o, "body", json_string(p->bodies[r->body].name));
	if (r->by[0] != '\0')
		json_object_set_new(o, "by", json_string(r->by));
	json_object_set_new(o, "papers", json_integer((json_int_t)r->papers));
	json_object_set_new(o, "pending", json_integer((json_int_t)r->pending));
	json_object_set_new(o, "on_time", json_integer((json_int_t)r->on_time));
	json_object_set_new(o, "all_languages", json_integer((json_int_t)r->all_languages));
	json_object_set_new(o, "all_on_time", json_integer((json_int_t)r->all_on_time));
	json_object_set_new(o, "on_time_pct", pct(r->on_time, r->papers));
	json_object_set_new(o, "all_languages_pct", pct(r->all_languages, r->papers));
	json_object_set_new(o, "all_on_time_pct", pct(r->all_on_time, r->papers));
	for (size_t i = 0; i < r->nlead; i++) {
		const char *lang = i < r->langs.n ? r->langs.v[i] : r->extra[i - r->langs.n];
		struct vec *x = &r->lead[i];
		json_object_set_new(med, lang, x->n > 0 ?
		    json_integer(cs_percentile(x->v, x->n, 50)) : json_null());
	}
	json_object_set_new(o, "median_lead_ms", med);
	return o;
}

static void
row_free(struct row *r)
{
	for (size_t i = 0; i < PROC_MAX_LANGS + PROC_MAX_FILES; i++)
		free(r->lead[i].v);
	free(r);
}

static struct row *
row_new(const struct process *p, size_t body, const char *by)
{
	struct row *r = xcalloc(1, sizeof(*r));

	r->body = body;
	snprintf(r->by, sizeof(r->by), "%s", by);
	r->langs = p->bodies[body].rules.langs;
	r->nlead = r->langs.n;
	return r;
}

json_t *
proc_view_report(const struct process *p, int64_t now, const char *body)
{
	json_t *rep = json_object(), *bodies = json_array(), *parties = json_array();

	now = as_of(p, now);
	for (size_t b = 0; b < p->nbodies; b++) {
		struct row *all, **party = NULL;
		size_t nparty = 0;

		if (body != NULL && strcmp(p->bodies[b].name, body) != 0)
			continue;
		all = row_new(p, b, "");
		for (size_t i = 0; i < p->npapers; i++) {
			const struct proc_paper *pp = &p->papers[i];
			size_t k;
			if (pp->body != b || pp->meeting < 0)
				continue;
			row_add(p, all, pp, now);
			for (k = 0; k < nparty; k++)
				if (strcmp(party[k]->by, pp->by) == 0)
					break;
			if (k == nparty) {
				party = xrealloc(party, (nparty + 1) * sizeof(*party));
				party[nparty++] = row_new(p, b, pp->by);
			}
			row_add(p, party[k], pp, now);
		}
		json_array_append_new(bodies, row_json(p, all));
		row_free(all);
		for (size_t k = 0; k < nparty; k++) {
			json_array_append_new(parties, row_json(p, party[k]));
			row_free(party[k]);
		}
		free(party);
	}
	json_object_set_new(rep, "as_of", json_integer(now));
	json_object_set_new(rep, "bodies", bodies);
	json_object_set_new(rep, "parties", parties);
	return rep;
}

json_t *
proc_view(const struct process *p, int64_t now, const char *viewer)
{
	json_t *o = json_object();

	now = as_of(p, now);
	json_object_set_new(o, "as_of", json_integer(now));
	json_object_set_new(o, "records", json_integer((json_int_t)p->records));
	json_object_set_new(o, "bodies", proc_view_bodies(p));
	json_object_set_new(o, "papers", proc_view_papers(p, now, NULL));
	json_object_set_new(o, "decisions", proc_view_decisions(p, now, viewer, NULL, 0));
	json_object_set_new(o, "contributions", proc_view_contributions(p));
	json_object_set_new(o, "report", proc_view_report(p, now, NULL));
	return o;
}

char *
proc_dump(json_t *view)
{
	return json_dumps(view, JSON_INDENT(2) | JSON_PRESERVE_ORDER |
	    JSON_REAL_PRECISION(6));
}

/* ---- CSV ------------------------------------------------------------------ */

static void
csv_num(struct buf *out, json_t *v)
{
	if (json_is_integer(v))
		buf_printf(out, "%lld", (long long)json_integer_value(v));
	else if (json_is_real(v))
		buf_printf(out, "%.1f", json_real_value(v));
}

static void
csv_rows(struct buf *out, json_t *rows, const char *scope)
{
	static const char *fields[] = { "papers", "pending", "on_time",
	    "all_languages", "all_on_time", "on_time_pct", "all_languages_pct",
	    "all_on_time_pct", NULL };
	json_t *r, *med, *v;
	const char *lang;
	size_t i;

	json_array_foreach(rows, i, r) {
		med = json_object_get(r, "median_lead_ms");
		json_object_foreach(med, lang, v) {
			const char *by = jstr(r, "by");
			/* body names, State codes and language codes need no quoting */
			buf_printf(out, "%s,%s,%s", scope, jstr(r, "body"), by ? by : "");
			for (size_t k = 0; fields[k] != NULL; k++) {
				buf_addstr(out, ",");
				csv_num(out, json_object_get(r, fields[k]));
			}
			buf_printf(out, ",%s,", lang);
			csv_num(out, v);
			buf_addstr(out, "\n");
		}
	}
}

void
proc_report_csv(json_t *report, struct buf *out)
{
	buf_addstr(out, "scope,body,by,papers,pending,on_time,all_languages,"
	    "all_on_time,on_time_pct,all_languages_pct,all_on_time_pct,lang,"
	    "median_lead_ms\n");
	csv_rows(out, json_object_get(report, "bodies"), "body");
	csv_rows(out, json_object_get(report, "parties"), "party");
}
