/*
 * process.c - the process's state machine (see process.h for who may sign
 * what and why time is the log's).
 *
 * Records live in arrays in log order and are found by id through one
 * idmap (tag = kind, value = index in its array), so a position finds its
 * proposal in O(1) and the whole replay is linear in the number of records.
 * Membership is resolved against the directory when a matter is logged and
 * kept with it (shared while it does not change), because "all" and
 * "group:NAME" mean what the directory said then, not now.
 *
 * proc_check and proc_apply parse the record themselves (procrec_parse);
 * proc_take parses once for both.  The check never changes the state;
 * apply trusts a check that passed (and asserts what it relies on).
 */
#include "process.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "jsonutil.h"

/* idmap tags: every record taken is in the map (so none is taken twice);
 * those others name are found through it */
enum { TAG_MEETING = 1, TAG_PAPER, TAG_MATTER, TAG_CONTRIB, TAG_OTHER };

enum signer { S_OPERATOR = 1, S_STATE, S_STAKEHOLDER };

struct who {
	enum signer kind;
	char party[PROC_PARTY_MAX];	/* "operator" or the State code */
	struct dir_device *dev;		/* devices only */
};

struct process *
proc_new(void)
{
	struct process *p = xcalloc(1, sizeof(*p));

	p->last_index = -1;
	p->last_time = -1;
	return p;
}

void
proc_free(struct process *p)
{
	if (p == NULL)
		return;
	for (size_t i = 0; i < p->nbodies; i++)
		json_decref(p->bodies[i].title);
	for (size_t i = 0; i < p->nmeetings; i++)
		json_decref(p->meetings[i].title);
	for (size_t i = 0; i < p->npapers; i++) {
		json_decref(p->papers[i].title);
		free(p->papers[i].v);
	}
	for (size_t i = 0; i < p->nmatters; i++) {
		json_decref(p->matters[i].text);
		json_decref(p->matters[i].about);
		free(p->matters[i].pos);
	}
	for (size_t i = 0; i < p->nsets; i++) {
		free(p->sets[i]->v);
		free(p->sets[i]);
	}
	free(p->sets);
	free(p->bodies);
	free(p->meetings);
	free(p->papers);
	free(p->matters);
	free(p->contribs);
	idmap_free(&p->ids);
	free(p);
}

int
proc_kind(const char *kind)
{
	return procrec_kind(kind) != NULL;
}

/* ---- lookups ------------------------------------------------------------ */

struct proc_body *
proc_body(struct process *p, const char *name)
{
	for (size_t i = 0; i < p->nbodies; i++)
		if (strcmp(p->bodies[i].name, name) == 0)
			return &p->bodies[i];
	return NULL;
}

static const struct idmap_slot *
lookup(struct process *p, const uint8_t id[32], uint32_t tag)
{
	const struct idmap_slot *s = idmap_get(&p->ids, id);

	return s != NULL && s->tag == tag ? s : NULL;
}

struct proc_matter *
proc_matter(struct process *p, const uint8_t id[32])
{
	const struct idmap_slot *s = lookup(p, id, TAG_MATTER);

	return s ? &p->matters[s->value] : NULL;
}

struct proc_paper *
proc_paper(struct process *p, const uint8_t id[32])
{
	const struct idmap_slot *s = lookup(p, id, TAG_PAPER);

	return s ? &p->papers[s->value] : NULL;
}

struct proc_meeting *
proc_meeting(struct process *p, const uint8_t id[32])
{
	const struct idmap_slot *s = lookup(p, id, TAG_MEETING);

	return s ? &p->meetings[s->value] : NULL;
}

static struct proc_contribution *
contribution(struct process *p, const uint8_t id[32])
{
	const struct idmap_slot *s = lookup(p, id, TAG_CONTRIB);

	return s ? &p->contribs[s->value] : NULL;
}

static size_t
body_ix(struct process *p, const struct proc_body *b)
{
	return (size_t)(b - p->bodies);
}

/* ---- status ------------------------------------------------------------- */

size_t
proc_count(const struct proc_matter *m, enum proc_stance stance)
{
	size_t n = 0;

	for (size_t i = 0; i < m->npos; i++)
		if (m->pos[i].stance == stance && m->pos[i].time < m->deadline)
			n++;
	return n;
}

enum proc_status
proc_status(const struct proc_matter *m, int64_t now)
{
	if (m->withdrawn_index >= 0)
		return PROC_WITHDRAWN;
	if (m->at_once)
		return PROC_ADOPTED;
	if (now < m->deadline)
		return PROC_OPEN;
	return proc_count(m, PROC_OBJECT) == 0 ? PROC_ADOPTED : PROC_REJECTED;
}

int
proc_accredited(const struct proc_matter *m, int64_t t)
{
	return m->kind == PROC_K_APPLICATION && proc_status(m, t) == PROC_ADOPTED;
}

int
proc_member(const struct proc_memberset *s, const char *state)
{
	size_t lo = 0, hi = s->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = memcmp(s->v[mid], state, 2);
		if (c == 0)
			return 1;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return 0;
}

/* ---- signers and members ------------------------------------------------ */

static enum proc_result
who_signed(struct directory *d, const struct envelope *e, int64_t index,
    int64_t time, struct who *w)
{
	memset(w, 0, sizeof(*w));
	if (memcmp(e->key, d->operator_key, 32) == 0) {
		if (e->seq != 0 || e->has_prev) {
			rs_seterr("the operator's %s is not numbered (no seq or prev)", e->kind);
			return PROC_MALFORMED;
		}
		w->kind = S_OPERATOR;
		snprintf(w->party, sizeof(w->party), "operator");
		return PROC_OK;
	}
	w->dev = dir_device(d, e->key);
	if (w->dev == NULL) {
		rs_seterr("%s signed by a key that is neither the operator's nor a "
		    "certified device's", e->kind);
		return PROC_FORBIDDEN;
	}
	if (!dir_device_current(d, e->key, index) ||
	    (w->dev->expires > 0 && time > w->dev->expires)) {
		rs_seterr("%s signed by a device that is not current at log index %lld",
		    e->kind, (long long)index);
		return PROC_FORBIDDEN;
	}
	if (strcmp(w->dev->role, "stakeholder") == 0) {
		w->kind = S_STAKEHOLDER;
		snprintf(w->party, sizeof(w->party), "stakeholder");
		return PROC_OK;
	}
	if (e->state == NULL || strcmp(e->state, w->dev->state) != 0) {
		rs_seterr("%s signed by a device of %s but \"state\" names %s", e->kind,
		    w->dev->state, e->state ? e->state : "none");
		return PROC_FORBIDDEN;
	}
	w->kind = S_STATE;
	snprintf(w->party, sizeof(w->party), "%s", w->dev->state);
	return PROC_OK;
}

static int
is_chair(const struct who *w, const struct proc_body *b)
{
	return w->kind == S_STATE && strcmp(w->party, b->chair) == 0;
}

/* Is state a member of b by the directory as it is now? */
static int
member_now(struct directory *d, const struct proc_body *b, const char *state)
{
	const struct dir_group *g;

	switch (b->members.kind) {
	case PROC_MEMBERS_ALL:
		for (size_t i = 0; i < d->nroots; i++)
			if (strcmp(d->roots[i].state, state) == 0)
				return 1;
		return 0;
	case PROC_MEMBERS_GROUP:
		g = dir_group(d, b->members.group);
		return g != NULL && dir_group_has(g, state);
	case PROC_MEMBERS_LIST:
		for (size_t i = 0; i < b->members.list.n; i++)
			if (strcmp(b->members.list.v[i], state) == 0)
				return 1;
		return 0;
	}
	return 0;
}

static int
code_cmp(const void *a, const void *b)
{
	return memcmp(a, b, 2);
}

/* The members of b now, as a memberset shared with the last matter of b
 * when they have not changed. */
static const struct proc_memberset *
members_snapshot(struct process *p, struct directory *d, struct proc_body *b)
{
	struct proc_memberset *s = xcalloc(1, sizeof(*s));
	const struct dir_group *g;
	size_t cap = 0, k = 0;

	switch (b->members.kind) {
	case PROC_MEMBERS_ALL:
		cap = d->nroots;
		s->v = xcalloc(cap ? cap : 1, 3);
		for (size_t i = 0; i < d->nroots; i++)
			memcpy(s->v[s->n++], d->roots[i].state, 3);
		break;
	case PROC_MEMBERS_GROUP:
		g = dir_group(d, b->members.group);
		cap = g ? g->nstates : 0;
		s->v = xcalloc(cap ? cap : 1, 3);
		for (size_t i = 0; i < cap; i++)
			memcpy(s->v[s->n++], g->states[i], 3);
		break;
	case PROC_MEMBERS_LIST:
		cap = b->members.list.n;
		s->v = xcalloc(cap ? cap : 1, 3);
		for (size_t i = 0; i < cap; i++)
			memcpy(s->v[s->n++], b->members.list.v[i], 3);
		break;
	}
	qsort(s->v, s->n, 3, code_cmp);
	for (size_t i = 0; i < s->n; i++)	/* a State with two roots once */
		if (k == 0 || memcmp(s->v[k - 1], s->v[i], 2) != 0)
			memcpy(s->v[k++], s->v[i], 3);
	s->n = k;
	if (b->last_set != NULL && b->last_set->n == s->n &&
	    memcmp(b->last_set->v, s->v, 3 * s->n) == 0) {
		free(s->v);
		free(s);
		return b->last_set;
	}
	p->sets = xrealloc(p->sets, (p->nsets + 1) * sizeof(*p->sets));
	p->sets[p->nsets++] = s;
	b->last_set = s;
	return s;
}

static int
has_members_now(struct directory *d, const struct proc_body *b)
{
	const struct dir_group *g;

	switch (b->members.kind) {
	case PROC_MEMBERS_ALL:
		return d->nroots > 0;
	case PROC_MEMBERS_GROUP:
		g = dir_group(d, b->members.group);
		return g != NULL && g->nstates > 0;
	case PROC_MEMBERS_LIST:
		return b->members.list.n > 0;
	}
	return 0;
}

static void
fmt_duration(char *out, size_t n, int64_t ms)
{
	if (ms % 86400000 == 0)
		snprintf(out, n, "%lld days", (long long)(ms / 86400000));
	else if (ms % 3600000 == 0)
		snprintf(out, n, "%lld h", (long long)(ms / 3600000));
	else
		snprintf(out, n, "%lld ms", (long long)ms);
}

static struct proc_body *
need_body(struct process *p, const char *name)
{
	struct proc_body *b = proc_body(p, name);

	if (b == NULL)
		rs_seterr("no body \"%s\" in the log", name);
	return b;
}

static int
file_in(const struct proc_file *f, const struct proc_files *set)
{
	for (size_t i = 0; i < set->n; i++)
		if (strcmp(set->v[i].lang, f->lang) == 0 &&
		    memcmp(set->v[i].sha, f->sha, 32) == 0 && set->v[i].size == f->size)
			return 1;
	return 0;
}

/* ---- the rules, kind by kind --------------------------------------------- */

static enum proc_result
check_body(struct process *p, const struct who *w, const struct proc_rec *r)
{
	struct proc_body *b = proc_body(p, r->body);
	struct proc_rules tmp;

	if (w->kind != S_OPERATOR) {
		rs_seterr("only the operator records a body or changes its rules");
		return PROC_FORBIDDEN;
	}
	if (r->kind == PROC_K_BODY) {
		if (b != NULL) {
			rs_seterr("body \"%s\" exists already (log index %lld); change it "
			    "with body-rules", r->body, (long long)b->index);
			return PROC_DUPLICATE;
		}
		return PROC_OK;
	}
	if (b == NULL) {
		rs_seterr("no body \"%s\" in the log", r->body);
		return PROC_UNKNOWN;
	}
	if (r->rules != NULL && procrec_rules_merge(&b->rules, r->rules, &tmp) != 0)
		return PROC_MALFORMED;
	return PROC_OK;
}

static enum proc_result
check_meeting(struct process *p, const struct who *w, const struct proc_rec *r)
{
	struct proc_body *b = need_body(p, r->body);

	if (b == NULL)
		return PROC_UNKNOWN;
	if (w->kind != S_OPERATOR && !is_chair(w, b)) {
		rs_seterr("only the operator or the Chair (%s) records a meeting of %s",
		    b->chair, b->name);
		return PROC_FORBIDDEN;
	}
	return PROC_OK;
}

static enum proc_result
check_meeting_of(struct process *p, const struct proc_rec *r, const struct proc_body *b)
{
	struct proc_meeting *m;

	if (!r->has_meeting)
		return PROC_OK;
	m = proc_meeting(p, r->meeting);
	if (m == NULL || m->body != body_ix(p, b)) {
		rs_seterr("no meeting of %s with that id in the log", b->name);
		return PROC_UNKNOWN;
	}
	return PROC_OK;
}

static enum proc_result
check_distribution(struct process *p, const struct who *w, const struct proc_rec *r,
    const struct proc_body *b, const struct proc_contribution *c)
{
	if (!is_chair(w, b)) {
		rs_seterr("only the Chair (%s) distributes a contribution", b->chair);
		return PROC_FORBIDDEN;
	}
	if (c == NULL || c->body != body_ix(p, b)) {
		rs_seterr("no contribution to %s with that id in the log", b->name);
		return PROC_UNKNOWN;
	}
	for (size_t i = 0; i < r->files.n; i++)
		if (!file_in(&r->files.v[i], &c->files)) {
			rs_seterr("the %s version is not one of the contribution's files "
			    "(same language, digest and size)", r->files.v[i].lang);
			return PROC_MALFORMED;
		}
	return PROC_OK;
}

static enum proc_result
check_paper(struct process *p, struct directory *d, const struct who *w,
    const struct proc_rec *r)
{
	struct proc_body *b = need_body(p, r->body);
	enum proc_result rc;

	if (b == NULL)
		return PROC_UNKNOWN;
	if ((rc = check_meeting_of(p, r, b)) != PROC_OK)
		return rc;
	if (r->has_contribution)
		return check_distribution(p, w, r, b, contribution(p, r->contribution));
	if (w->kind == S_STAKEHOLDER) {
		rs_seterr("a stakeholder device does not circulate papers: it sends a "
		    "contribution to the Chair");
		return PROC_FORBIDDEN;
	}
	if (w->kind == S_STATE && !is_chair(w, b) && !member_now(d, b, w->party)) {
		rs_seterr("%s is not a member of %s: it cannot circulate a paper there",
		    w->party, b->name);
		return PROC_FORBIDDEN;
	}
	return PROC_OK;
}

static enum proc_result
check_paper_lang(struct process *p, const struct who *w, const struct proc_rec *r)
{
	struct proc_paper *pp = proc_paper(p, r->ref);
	struct proc_body *b;

	if (pp == NULL) {
		rs_seterr("no paper with that id in the log");
		return PROC_UNKNOWN;
	}
	b = &p->bodies[pp->body];
	if (r->audience != pp->audience) {
		rs_seterr("a language version has the audience of its paper (%s)",
		    pp->audience == PROC_PUBLIC ? "public" : "members");
		return PROC_MALFORMED;
	}
	if (strcmp(w->party, pp->by) != 0 && !is_chair(w, b)) {
		rs_seterr("only who circulated the paper (%s) or the Chair (%s) adds "
		    "a language version", pp->by, b->chair);
		return PROC_FORBIDDEN;
	}
	for (size_t i = 0; i < r->files.n; i++) {
		for (size_t j = 0; j < pp->nv; j++)
			if (strcmp(pp->v[j].file.lang, r->files.v[i].lang) == 0) {
				rs_seterr("the paper has a %s version already (log index %lld)",
				    r->files.v[i].lang, (long long)pp->v[j].index);
				return PROC_DUPLICATE;
			}
		if (pp->contribution >= 0 &&
		    !file_in(&r->files.v[i], &p->contribs[pp->contribution].files)) {
			rs_seterr("the %s version is not one of the contribution's files",
			    r->files.v[i].lang);
			return PROC_MALFORMED;
		}
	}
	return PROC_OK;
}

static int
may_propose(struct directory *d, const struct who *w, const struct proc_body *b)
{
	if (is_chair(w, b))
		return 1;
	switch (b->rules.proposers) {
	case PROC_PROPOSE_MEMBERS:
		return member_now(d, b, w->party);
	case PROC_PROPOSE_LISTED:
		for (size_t i = 0; i < b->rules.listed.n; i++)
			if (strcmp(b->rules.listed.v[i], w->party) == 0)
				return 1;
		return 0;
	case PROC_PROPOSE_CHAIR:
		return 0;
	}
	return 0;
}

static enum proc_result
check_proposal(struct process *p, struct directory *d, const struct who *w,
    const struct proc_rec *r, int64_t time)
{
	struct proc_body *b = need_body(p, r->body);
	struct proc_meeting *m;
	struct proc_paper *pp;
	enum proc_result rc;
	char want[32];

	if (b == NULL)
		return PROC_UNKNOWN;
	if (w->kind != S_STATE) {
		rs_seterr("%s", w->kind == S_STAKEHOLDER ?
		    "a stakeholder device cannot propose" :
		    "the operator does not propose: the Chair does");
		return PROC_FORBIDDEN;
	}
	if (!may_propose(d, w, b)) {
		rs_seterr("%s may not propose in %s: the Chair (%s)%s does", w->party,
		    b->name, b->chair, b->rules.proposers == PROC_PROPOSE_LISTED ?
		    " or a designated proposer" : "");
		return PROC_FORBIDDEN;
	}
	if (!has_members_now(d, b)) {
		rs_seterr("%s has no members now: there is nobody to decide", b->name);
		return PROC_FORBIDDEN;
	}
	if ((rc = check_meeting_of(p, r, b)) != PROC_OK)
		return rc;
	if (r->has_paper && ((pp = proc_paper(p, r->paper)) == NULL ||
	    pp->body != body_ix(p, b))) {
		rs_seterr("no paper of %s with that id in the log", b->name);
		return PROC_UNKNOWN;
	}
	if (r->silence_ms >= 0 && r->silence_ms < b->rules.silence_ms) {
		m = r->has_meeting ? proc_meeting(p, r->meeting) : NULL;
		if (m == NULL || time < m->start || time >= m->end) {
			fmt_duration(want, sizeof(want), b->rules.silence_ms);
			rs_seterr("a silence of less than %s (the rule of %s) is only for "
			    "a proposal made during the meeting it names", want, b->name);
			return PROC_MALFORMED;
		}
	}
	return PROC_OK;
}

/* ---- who may take a position, who may withdraw ---------------------------- */

enum proc_result
proc_may_position(const struct process *p, const struct proc_matter *m,
    const char *state, enum proc_stance stance, int64_t time)
{
	if (m->withdrawn_index >= 0) {
		rs_seterr("this %s was withdrawn at log index %lld: it takes no more "
		    "positions", m->kind == PROC_K_PROPOSAL ? "proposal" : "application",
		    (long long)m->withdrawn_index);
		return PROC_CLOSED;
	}
	if (m->at_once) {
		rs_seterr("this application was admitted without a silence procedure");
		return PROC_CLOSED;
	}
	if (time >= m->deadline) {
		rs_seterr("the silence procedure ended at log time %lld; this position "
		    "was logged %lld ms after: it is decided", (long long)m->deadline,
		    (long long)(time - m->deadline));
		return PROC_CLOSED;
	}
	if (state == NULL || !proc_member(m->members, state)) {
		rs_seterr("%s was not a member of %s when this was put under silence: "
		    "only members take positions", state ? state : "this party",
		    p->bodies[m->body].name);
		return PROC_FORBIDDEN;
	}
	for (size_t i = 0; i < m->npos; i++) {
		const struct proc_position *x = &m->pos[i];
		if (strcmp(x->state, state) != 0)
			continue;
		if (x->stance == PROC_OBJECT || stance == x->stance) {
			rs_seterr("%s %s already (log index %lld)", state,
			    x->stance == PROC_OBJECT ? "objected" : "supported",
			    (long long)x->index);
			return PROC_DUPLICATE;
		}
	}
	return PROC_OK;
}

enum proc_result
proc_may_withdraw(const struct process *p, const struct proc_matter *m,
    const char *party, int64_t time)
{
	const struct proc_body *b = &p->bodies[m->body];
	int chair = party != NULL && strcmp(party, b->chair) == 0;
	int own = party != NULL && (m->kind == PROC_K_PROPOSAL ?
	    strcmp(party, "operator") != 0 && strcmp(party, m->by) == 0 :
	    strcmp(party, "operator") == 0);

	if (!own && !chair) {
		rs_seterr("only %s or the Chair (%s) withdraws this %s",
		    m->kind == PROC_K_PROPOSAL ? m->by : "the operator", b->chair,
		    m->kind == PROC_K_PROPOSAL ? "proposal" : "application");
		return PROC_FORBIDDEN;
	}
	if (m->withdrawn_index >= 0) {
		rs_seterr("withdrawn already at log index %lld", (long long)m->withdrawn_index);
		return PROC_CLOSED;
	}
	if (m->at_once || time >= m->deadline) {
		rs_seterr("decided already (the silence procedure ended at log time %lld)",
		    (long long)m->deadline);
		return PROC_CLOSED;
	}
	return PROC_OK;
}

static enum proc_result
check_position(struct process *p, const struct who *w, const struct proc_rec *r,
    int64_t time)
{
	struct proc_matter *m = proc_matter(p, r->ref);

	if (m == NULL) {
		rs_seterr("no proposal or application with that id in the log");
		return PROC_UNKNOWN;
	}
	if (w->kind != S_STATE) {
		rs_seterr("%s", w->kind == S_STAKEHOLDER ?
		    "a stakeholder device cannot object or support" :
		    "the operator takes no position: member States do");
		return PROC_FORBIDDEN;
	}
	return proc_may_position(p, m, w->party, r->stance, time);
}

static enum proc_result
check_withdraw(struct process *p, const struct who *w, const struct proc_rec *r,
    int64_t time)
{
	struct proc_matter *m = proc_matter(p, r->ref);

	if (m == NULL) {
		rs_seterr("no proposal or application with that id in the log");
		return PROC_UNKNOWN;
	}
	if (w->kind == S_STAKEHOLDER) {
		rs_seterr("a stakeholder device withdraws nothing");
		return PROC_FORBIDDEN;
	}
	return proc_may_withdraw(p, m, w->party, time);
}

static enum proc_result
check_application(struct process *p, const struct who *w, const struct proc_rec *r)
{
	struct proc_body *b = need_body(p, r->body);

	if (b == NULL)
		return PROC_UNKNOWN;
	if (w->kind != S_OPERATOR) {
		rs_seterr("applications are recorded by the operator (the secretariat)");
		return PROC_FORBIDDEN;
	}
	if ((r->ecosoc ? b->rules.ecosoc : b->rules.other) == PROC_ADMIT_CLOSED) {
		rs_seterr("%s takes no applications from organisations %s ECOSOC status",
		    b->name, r->ecosoc ? "with" : "without");
		return PROC_FORBIDDEN;
	}
	return PROC_OK;
}

/* The application a stakeholder device was certified for: its certificate's
 * "stakeholder" field (docs/protocol.md section 10). */
static int
device_application(const struct dir_device *dev, uint8_t out[32])
{
	const char *s = jstr(dev->cert, "stakeholder");

	return s != NULL && hex_decode_exact(out, 32, s) == 0 ? 0 : -1;
}

static enum proc_result
check_contribution(struct process *p, const struct who *w, const struct proc_rec *r,
    int64_t time)
{
	struct proc_body *b = need_body(p, r->body);
	struct proc_matter *m;
	uint8_t app[32];

	if (b == NULL)
		return PROC_UNKNOWN;
	if (w->kind != S_STAKEHOLDER) {
		rs_seterr("contributions come from accredited stakeholders' devices; "
		    "States circulate papers");
		return PROC_FORBIDDEN;
	}
	m = proc_matter(p, r->application);
	if (m == NULL || m->kind != PROC_K_APPLICATION || m->body != body_ix(p, b)) {
		rs_seterr("no application to %s with that id in the log", b->name);
		return PROC_UNKNOWN;
	}
	if (device_application(w->dev, app) != 0 || memcmp(app, r->application, 32) != 0) {
		rs_seterr("this device was not certified for that application");
		return PROC_FORBIDDEN;
	}
	if (!proc_accredited(m, time)) {
		rs_seterr("the organisation is not accredited to %s at this log time",
		    b->name);
		return PROC_FORBIDDEN;
	}
	return PROC_OK;
}

static enum proc_result
check_rec(struct process *p, struct directory *d, const struct envelope *e,
    const struct proc_rec *r, const struct who *w, int64_t time)
{
	switch (r->kind) {
	case PROC_K_BODY:
	case PROC_K_BODY_RULES:
		return check_body(p, w, r);
	case PROC_K_MEETING:
		return check_meeting(p, w, r);
	case PROC_K_PAPER:
		return check_paper(p, d, w, r);
	case PROC_K_PAPER_LANG:
		return check_paper_lang(p, w, r);
	case PROC_K_PROPOSAL:
		return check_proposal(p, d, w, r, time);
	case PROC_K_POSITION:
		return check_position(p, w, r, time);
	case PROC_K_WITHDRAW:
		return check_withdraw(p, w, r, time);
	case PROC_K_APPLICATION:
		return check_application(p, w, r);
	case PROC_K_CONTRIBUTION:
		return check_contribution(p, w, r, time);
	case PROC_K_NONE:
		break;
	}
	rs_seterr("\"%s\" is not a process record", e->kind);
	return PROC_MALFORMED;
}

static enum proc_result
check_parsed(struct process *p, struct directory *d, const struct envelope *e,
    const struct proc_rec *r, int64_t index, int64_t time, struct who *w)
{
	enum proc_result rc;

	if (p->last_index >= 0 && (index <= p->last_index || time < p->last_time)) {
		rs_seterr("process record at log index %lld, time %lld comes before one "
		    "already taken (index %lld, time %lld)", (long long)index,
		    (long long)time, (long long)p->last_index, (long long)p->last_time);
		return PROC_MALFORMED;
	}
	if (idmap_get(&p->ids, e->id) != NULL) {
		rs_seterr("this %s is in the log already", e->kind);
		return PROC_DUPLICATE;
	}
	if ((rc = who_signed(d, e, index, time, w)) != PROC_OK)
		return rc;
	return check_rec(p, d, e, r, w, time);
}

enum proc_result
proc_check(struct process *p, struct directory *d, const struct envelope *e,
    int64_t index, int64_t time)
{
	struct proc_rec r;
	struct who w;
	enum proc_result rc;

	if ((rc = procrec_parse(e, &r)) != PROC_OK)
		return rc;
	rc = check_parsed(p, d, e, &r, index, time, &w);
	procrec_free(&r);
	return rc;
}

enum proc_result
proc_check_cert(struct process *p, const struct envelope *e, int64_t time)
{
	struct proc_matter *m;
	uint8_t app[32];

	if (!dir_stakeholder_cert(e, app))
		return PROC_OK;		/* a State's device: the directory's alone */
	m = proc_matter(p, app);
	if (m == NULL || m->kind != PROC_K_APPLICATION) {
		rs_seterr("the stakeholder's certificate names no application in the log");
		return PROC_UNKNOWN;
	}
	if (!proc_accredited(m, time)) {
		rs_seterr("the application this certificate names is not accredited at "
		    "this log time (%s)", proc_status(m, time) == PROC_OPEN ?
		    "still under silence" : "not accredited, or withdrawn");
		return PROC_FORBIDDEN;
	}
	return PROC_OK;
}

/* ---- applying ------------------------------------------------------------ */

#define GROW(arr, n) ((arr) = xrealloc((arr), ((n) + 1) * sizeof(*(arr))), \
	memset(&(arr)[(n)], 0, sizeof(*(arr))), &(arr)[(n)++])

static void
apply_body(struct process *p, const struct proc_rec *r, int64_t index, int64_t time)
{
	struct proc_body *b;
	int rc;

	if (r->kind == PROC_K_BODY) {
		b = GROW(p->bodies, p->nbodies);
		snprintf(b->name, sizeof(b->name), "%s", r->body);
		b->index = index;
		b->time = time;
		b->changed_index = -1;
		procrec_rules_default(&b->rules);
	} else {
		b = proc_body(p, r->body);
		assert(b != NULL);
		b->changed_index = index;
		b->nchanges++;
	}
	if (r->has_chair)
		memcpy(b->chair, r->chair, 3);
	if (r->has_members) {
		b->members = r->members;
		b->last_set = NULL;
	}
	if (r->title != NULL) {
		json_decref(b->title);
		b->title = json_incref(r->title);
	}
	if (r->rules != NULL) {
		rc = procrec_rules_merge(&b->rules, r->rules, &b->rules);
		assert(rc == 0);
		(void)rc;
	}
}

static void
apply_meeting(struct process *p, const struct envelope *e, const struct proc_rec *r,
    int64_t index, int64_t time)
{
	struct proc_body *b = proc_body(p, r->body);
	struct proc_meeting *m;

	assert(b != NULL);
	idmap_put(&p->ids, e->id, TAG_MEETING, (uint32_t)p->nmeetings);
	m = GROW(p->meetings, p->nmeetings);
	memcpy(m->id, e->id, 32);
	m->index = index;
	m->time = time;
	m->body = body_ix(p, b);
	m->start = r->start;
	m->end = r->end;
	m->title = json_incref(r->title);
	m->lead_ms = b->rules.lead_ms;
	m->langs = b->rules.langs;
}

static void
add_versions(struct proc_paper *pp, const struct proc_files *f, int64_t index,
    int64_t time)
{
	pp->v = xrealloc(pp->v, (pp->nv + f->n) * sizeof(*pp->v));
	for (size_t i = 0; i < f->n; i++) {
		struct proc_version *v = &pp->v[pp->nv++];
		v->file = f->v[i];
		v->index = index;
		v->time = time;
	}
}

static void
apply_paper(struct process *p, const struct envelope *e, const struct proc_rec *r,
    const struct who *w, int64_t index, int64_t time)
{
	struct proc_paper *pp;
	const struct idmap_slot *s;

	if (r->kind == PROC_K_PAPER_LANG) {
		idmap_put(&p->ids, e->id, TAG_OTHER, 0);
		pp = proc_paper(p, r->ref);
		assert(pp != NULL);
		add_versions(pp, &r->files, index, time);
		return;
	}
	idmap_put(&p->ids, e->id, TAG_PAPER, (uint32_t)p->npapers);
	pp = GROW(p->papers, p->npapers);
	memcpy(pp->id, e->id, 32);
	pp->index = index;
	pp->time = time;
	pp->body = body_ix(p, proc_body(p, r->body));
	s = r->has_meeting ? lookup(p, r->meeting, TAG_MEETING) : NULL;
	pp->meeting = s ? (int64_t)s->value : -1;
	s = r->has_contribution ? lookup(p, r->contribution, TAG_CONTRIB) : NULL;
	pp->contribution = s ? (int64_t)s->value : -1;
	snprintf(pp->by, sizeof(pp->by), "%s", w->party);
	pp->audience = r->audience;
	pp->title = r->audience == PROC_PUBLIC ? json_incref(r->title) : NULL;
	add_versions(pp, &r->files, index, time);
}

static void
apply_matter(struct process *p, struct directory *d, const struct envelope *e,
    const struct proc_rec *r, const struct who *w, int64_t index, int64_t time)
{
	struct proc_body *b = proc_body(p, r->body);
	struct proc_matter *m;
	const struct idmap_slot *s;
	enum proc_admission adm;

	assert(b != NULL);
	idmap_put(&p->ids, e->id, TAG_MATTER, (uint32_t)p->nmatters);
	m = GROW(p->matters, p->nmatters);
	m->kind = r->kind;
	memcpy(m->id, e->id, 32);
	m->index = index;
	m->time = time;
	m->body = body_ix(p, b);
	snprintf(m->by, sizeof(m->by), "%s", w->party);
	m->objections = b->rules.objections;
	m->members = members_snapshot(p, d, b);
	m->withdrawn_index = -1;
	m->withdrawn_time = -1;
	m->meeting = m->paper = -1;
	if (r->kind == PROC_K_PROPOSAL) {
		m->deadline = time + (r->silence_ms >= 0 ? r->silence_ms : b->rules.silence_ms);
		m->audience = r->audience;
		snprintf(m->lang, sizeof(m->lang), "%s", r->lang);
		m->text = json_incref(r->text);
		s = r->has_meeting ? lookup(p, r->meeting, TAG_MEETING) : NULL;
		m->meeting = s ? (int64_t)s->value : -1;
		s = r->has_paper ? lookup(p, r->paper, TAG_PAPER) : NULL;
		m->paper = s ? (int64_t)s->value : -1;
	} else {
		adm = r->ecosoc ? b->rules.ecosoc : b->rules.other;
		assert(adm != PROC_ADMIT_CLOSED);
		m->at_once = adm == PROC_ADMIT_AT_ONCE;
		m->deadline = m->at_once ? time : time + b->rules.silence_ms;
		m->ecosoc = r->ecosoc;
		m->about = json_incref(r->payload);
	}
}

static void
apply_position(struct process *p, const struct proc_rec *r, const struct who *w,
    int64_t index, int64_t time)
{
	struct proc_matter *m = proc_matter(p, r->ref);
	struct proc_position *x;

	assert(m != NULL && time < m->deadline);
	if (m->npos == m->cappos) {
		m->cappos = m->cappos ? m->cappos * 2 : 4;
		m->pos = xrealloc(m->pos, m->cappos * sizeof(*m->pos));
	}
	x = &m->pos[m->npos++];
	memcpy(x->state, w->party, 3);
	x->stance = r->stance;
	x->index = index;
	x->time = time;
}

static void
apply_withdraw(struct process *p, const struct proc_rec *r, const struct who *w,
    int64_t index, int64_t time)
{
	struct proc_matter *m = proc_matter(p, r->ref);

	assert(m != NULL && m->withdrawn_index < 0);
	m->withdrawn_index = index;
	m->withdrawn_time = time;
	snprintf(m->withdrawn_by, sizeof(m->withdrawn_by), "%s", w->party);
}

static void
apply_contribution(struct process *p, const struct envelope *e,
    const struct proc_rec *r, int64_t index, int64_t time)
{
	const struct idmap_slot *s = lookup(p, r->application, TAG_MATTER);
	struct proc_contribution *c;

	assert(s != NULL);
	idmap_put(&p->ids, e->id, TAG_CONTRIB, (uint32_t)p->ncontribs);
	c = GROW(p->contribs, p->ncontribs);
	memcpy(c->id, e->id, 32);
	c->index = index;
	c->time = time;
	c->body = body_ix(p, proc_body(p, r->body));
	c->application = s->value;
	memcpy(c->device, e->key, 32);
	c->files = r->files;
}

static void
apply_parsed(struct process *p, struct directory *d, const struct envelope *e,
    const struct proc_rec *r, const struct who *w, int64_t index, int64_t time)
{
	switch (r->kind) {
	case PROC_K_BODY:
	case PROC_K_BODY_RULES:
		idmap_put(&p->ids, e->id, TAG_OTHER, 0);
		apply_body(p, r, index, time);
		break;
	case PROC_K_MEETING:
		apply_meeting(p, e, r, index, time);
		break;
	case PROC_K_PAPER:
	case PROC_K_PAPER_LANG:
		apply_paper(p, e, r, w, index, time);
		break;
	case PROC_K_PROPOSAL:
	case PROC_K_APPLICATION:
		apply_matter(p, d, e, r, w, index, time);
		break;
	case PROC_K_POSITION:
		idmap_put(&p->ids, e->id, TAG_OTHER, 0);
		apply_position(p, r, w, index, time);
		break;
	case PROC_K_WITHDRAW:
		idmap_put(&p->ids, e->id, TAG_OTHER, 0);
		apply_withdraw(p, r, w, index, time);
		break;
	case PROC_K_CONTRIBUTION:
		apply_contribution(p, e, r, index, time);
		break;
	case PROC_K_NONE:
		assert(!"apply of a record that is not a process record");
		return;
	}
	p->last_index = index;
	p->last_time = time;
	p->records++;
}

void
proc_apply(struct process *p, struct directory *d, const struct envelope *e,
    int64_t index, int64_t time)
{
	struct proc_rec r;
	struct who w;

	if (procrec_parse(e, &r) != PROC_OK || who_signed(d, e, index, time, &w) != PROC_OK) {
		assert(!"proc_apply of a record proc_check refused");
		procrec_free(&r);
		return;
	}
	apply_parsed(p, d, e, &r, &w, index, time);
	procrec_free(&r);
}

enum proc_result
proc_take(struct process *p, struct directory *d, const struct envelope *e,
    int64_t index, int64_t time)
{
	struct proc_rec r;
	struct who w;
	enum proc_result rc;

	if ((rc = procrec_parse(e, &r)) != PROC_OK)
		return rc;
	if ((rc = check_parsed(p, d, e, &r, index, time, &w)) == PROC_OK)
		apply_parsed(p, d, e, &r, &w, index, time);
	procrec_free(&r);
	return rc;
}
