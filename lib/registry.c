/*
 * registry.c - the registries' state machine (see registry.h for who may
 * write what and why "agreed" is never written).
 *
 * Records live in arrays in log order (norms and terms: the data's first),
 * found by id through one idmap (tag = kind, value = index in its array),
 * and the reports and CII lists of a State in a slot indexed by its code,
 * so the replay is linear in the number of records.  A record's references
 * are resolved against the state as it was before it: a report may name an
 * action only once a checklist holding it is in the log.
 *
 * reg_check never changes the state; reg_apply trusts a check that passed
 * (and asserts what it relies on).  Decryption happens in reg_apply, for
 * this node's reader only, and what a reader finds in a sealed payload is
 * judged by the same reference rules as a public payload (content_refs),
 * against the state before the record, so every reader of it judges alike.
 */
#include "registry.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "jsonutil.h"
#include "seal.h"

enum {
	TAG_NORM = 1, TAG_NVERSION, TAG_CHECKLIST, TAG_TERM, TAG_DEF, TAG_REPORT,
	TAG_CII, TAG_REQUEST, TAG_OFFER, TAG_OTHER
};

struct who {
	struct reg_party party;
	int accredited;			/* stakeholders */
	const struct dir_device *dev;
};

#define GROW(arr, n) ((arr) = xrealloc((arr), ((n) + 1) * sizeof(*(arr))), \
	memset(&(arr)[(n)], 0, sizeof(*(arr))), &(arr)[(n)++])

static int
state_slot(const char *s)
{
	if (!valid_state(s))
		return -1;
	return (s[0] - 'A') * 26 + (s[1] - 'A');
}

struct registry *
reg_new(const struct regdata *data)
{
	struct registry *r = xcalloc(1, sizeof(*r));

	r->data = data;
	r->last_index = r->last_time = -1;
	for (size_t i = 0; i < data->nnorms; i++) {
		struct reg_norm *n = GROW(r->norms, r->nnorms);
		n->data = (long)i;
		snprintf(n->id, sizeof(n->id), "%s", data->norms[i].id);
		n->index = n->time = -1;
		if (data->norms[i].proposed_by != NULL)
			snprintf(n->by, sizeof(n->by), "%s", data->norms[i].proposed_by);
		for (size_t k = 0; k < data->norms[i].nactions; k++)
			n->actions[data->norms[i].actions[k].n / 64] |=
			    1ULL << (data->norms[i].actions[k].n % 64);
	}
	for (size_t i = 0; i < data->nterms; i++) {
		struct reg_term *t = GROW(r->terms, r->nterms);
		t->data = (long)i;
		snprintf(t->id, sizeof(t->id), "%s", data->terms[i].id);
		t->index = t->time = -1;
	}
	return r;
}

static void
doc_free(struct reg_doc *d)
{
	json_decref(d->content);
	free(d->refused);
}

struct registry *
reg_new_shipped(void)
{
	const struct regdata *data;

	return regdata_shipped(&data) == 0 ? reg_new(data) : NULL;
}

void
reg_free(struct registry *r)
{
	if (r == NULL)
		return;
	for (size_t i = 0; i < r->nnorms; i++) {
		struct reg_norm *n = &r->norms[i];
		for (size_t k = 0; k < n->nv; k++)
			json_decref(n->v[k].payload);
		for (size_t k = 0; k < n->ncl; k++)
			json_decref(n->cl[k].payload);
		free(n->v);
		free(n->co);
		free(n->cl);
	}
	for (size_t i = 0; i < r->nterms; i++)
		json_decref(r->terms[i].payload);
	for (size_t i = 0; i < r->ndefs; i++)
		json_decref(r->defs[i].payload);
	for (size_t i = 0; i < r->ntrans; i++)
		json_decref(r->trans[i].payload);
	for (size_t i = 0; i < REG_NSTATES; i++) {
		struct reg_statedocs *s = r->states[i];
		if (s == NULL)
			continue;
		for (size_t k = 0; k < s->nreports; k++)
			doc_free(&s->reports[k]);
		for (size_t k = 0; k < s->ncii; k++)
			doc_free(&s->cii[k]);
		free(s->reports);
		free(s->cii);
		free(s);
	}
	for (size_t i = 0; i < r->nreqs; i++) {
		doc_free(&r->reqs[i].d);
		free(r->reqs[i].acc);
	}
	for (size_t i = 0; i < r->noffers; i++)
		doc_free(&r->offers[i].d);
	free(r->norms);
	free(r->terms);
	free(r->defs);
	free(r->trans);
	free(r->reqs);
	free(r->offers);
	free(r->binds);
	free(r->vrefs);
	idmap_free(&r->ids);
	free(r);
}

void
reg_set_reader(struct registry *r, const struct keypair *k)
{
	assert(r->records == 0);
	r->reader = k;
}

int
reg_kind(const char *kind)
{
	return regrec_kind(kind) != NULL;
}

int
reg_concerns(const struct envelope *e)
{
	return e->kind != NULL && (reg_kind(e->kind) || strcmp(e->kind, "proposal") == 0);
}

/* ---- lookups ----------------------------------------------------------------- */

static const struct idmap_slot *
lookup(const struct registry *r, const uint8_t id[32], uint32_t tag)
{
	const struct idmap_slot *s = idmap_get(&r->ids, id);

	return s != NULL && s->tag == tag ? s : NULL;
}

/* A data id, or the hex id of a record with the tag. */
static long
item_ix(const struct registry *r, const char *id, uint32_t tag, long data)
{
	uint8_t b[32];
	const struct idmap_slot *s;

	if (data >= 0)
		return data;
	if (id == NULL || strlen(id) != 64 || hex_decode_exact(b, 32, id) != 0)
		return -1;
	s = lookup(r, b, tag);
	return s ? (long)s->value : -1;
}

long
reg_norm(const struct registry *r, const char *id)
{
	return item_ix(r, id, TAG_NORM, regdata_norm(r->data, id));
}

long
reg_term(const struct registry *r, const char *id)
{
	return item_ix(r, id, TAG_TERM, regdata_term(r->data, id));
}

const struct reg_statedocs *
reg_state(const struct registry *r, const char *state)
{
	int i = state_slot(state);

	return i < 0 ? NULL : r->states[i];
}

static struct reg_statedocs *
state_docs(struct registry *r, const char *state)
{
	int i = state_slot(state);

	assert(i >= 0);
	if (r->states[i] == NULL)
		r->states[i] = xcalloc(1, sizeof(*r->states[i]));
	return r->states[i];
}

/* ---- standing ---------------------------------------------------------------- */

enum reg_standing
reg_standing(const struct registry *r, struct process *p, enum reg_item item,
    size_t ix, int64_t t, int *version)
{
	int open = 0, best = -1;
	int64_t best_deadline = -1;

	*version = -1;
	if (item == REG_ITEM_NORM && r->norms[ix].data >= 0 &&
	    r->data->norms[r->norms[ix].data].status == REG_D_AGREED) {
		*version = 1;
		return REG_AGREED;
	}
	for (size_t i = 0; i < r->nbinds; i++) {
		const struct reg_bind *b = &r->binds[i];
		struct proc_matter *m;
		if (b->item != item || b->ix != ix)
			continue;
		m = proc_matter(p, b->matter);
		assert(m != NULL);
		switch (proc_status(m, t)) {
		case PROC_ADOPTED:
			if (m->deadline > best_deadline ||
			    (m->deadline == best_deadline && b->version > best)) {
				best_deadline = m->deadline;
				best = b->version;
			}
			break;
		case PROC_OPEN:
			open = 1;
			break;
		case PROC_REJECTED:
		case PROC_WITHDRAWN:
			break;
		}
	}
	*version = best;
	if (best >= 0)
		return REG_AGREED;
	return open ? REG_UNDER_DISCUSSION : REG_PROPOSED;
}

static int
agreed_at(const struct registry *r, struct process *p, enum reg_item item, size_t ix,
    int64_t t)
{
	int v;

	return reg_standing(r, p, item, ix, t, &v) == REG_AGREED;
}

/* ---- references in a payload --------------------------------------------------- */

/* Is action n in the norm's checklist: the shipped model, or any version
 * in the log?  A bit set kept as checklists are applied. */
static int
action_exists(const struct registry *r, size_t ni, int n)
{
	assert(n >= 1 && n <= REG_MAX_ACTIONS);
	return (r->norms[ni].actions[n / 64] >> (n % 64)) & 1;
}

static void
add_actions(struct reg_norm *x, json_t *actions)
{
	json_t *a;
	size_t i;

	json_array_foreach(actions, i, a) {
		int n = (int)json_integer_value(json_object_get(a, "n"));
		assert(n >= 1 && n <= REG_MAX_ACTIONS);
		x->actions[n / 64] |= 1ULL << (n % 64);
	}
}

static enum reg_result
code_ref(const struct registry *r, json_t *v, const char *what)
{
	const struct reg_dtax *t = regdata_tax(r->data, jstr(v, "taxonomy"));

	if (t == NULL) {
		rs_seterr("%s: \"%s\" is not a reference taxonomy of the data", what,
		    jstr(v, "taxonomy"));
		return REG_UNKNOWN;
	}
	if (regdata_code(t, jstr(v, "code")) == NULL) {
		rs_seterr("%s: \"%s\" is not a code of %s", what, jstr(v, "code"), t->id);
		return REG_UNKNOWN;
	}
	return REG_OK;
}

static enum reg_result
area_ref(const struct registry *r, const char *code, const char *what)
{
	if (regdata_code(&r->data->areas, code) == NULL) {
		rs_seterr("%s: \"%s\" is not a capacity-building area", what, code);
		return REG_UNKNOWN;
	}
	return REG_OK;
}

/* The references of a payload whose shape passed (regrec_content). */
static enum reg_result
content_refs(const struct registry *r, enum reg_kind k, json_t *c)
{
	json_t *v, *m, *w;
	size_t i, j;
	char what[64];
	enum reg_result rc;

	switch (k) {
	case REG_K_REPORT:
		json_array_foreach(json_object_get(c, "entries"), i, v) {
			long ni = reg_norm(r, jstr(v, "norm"));
			json_t *a = json_object_get(v, "action");
			if (ni < 0) {
				rs_seterr("entries[%zu]: norm \"%.64s\" is not in the registry: "
				    "a report is on a norm that exists", i, jstr(v, "norm"));
				return REG_UNKNOWN;
			}
			if (a != NULL && !action_exists(r, (size_t)ni, (int)json_integer_value(a))) {
				rs_seterr("entries[%zu]: norm \"%.64s\" has no action %lld in its "
				    "checklist", i, jstr(v, "norm"), (long long)json_integer_value(a));
				return REG_UNKNOWN;
			}
		}
		return REG_OK;
	case REG_K_CII:
		json_array_foreach(json_object_get(c, "spheres"), i, v) {
			snprintf(what, sizeof(what), "spheres[%zu]", i);
			if (json_object_get(v, "text") == NULL) {
				if ((rc = code_ref(r, v, what)) != REG_OK)
					return rc;
				continue;
			}
			m = json_object_get(v, "maps");
			json_array_foreach(m, j, w) {
				snprintf(what, sizeof(what), "spheres[%zu] maps[%zu]", i, j);
				if ((rc = code_ref(r, w, what)) != REG_OK)
					return rc;
			}
		}
		return REG_OK;
	case REG_K_CB_REQUEST:
		return area_ref(r, jstr(c, "area"), "cb-request \"area\"");
	case REG_K_CB_OFFER:
		json_array_foreach(json_object_get(c, "areas"), i, v) {
			snprintf(what, sizeof(what), "cb-offer \"areas\" entry %zu", i);
			if ((rc = area_ref(r, json_string_value(v), what)) != REG_OK)
				return rc;
		}
		return REG_OK;
	default:
		return REG_OK;
	}
}

enum reg_result
reg_check_content(struct registry *r, enum reg_kind k, json_t *payload)
{
	enum reg_result rc;

	if ((rc = regrec_content(k, payload, REG_K_NONE)) != REG_OK)
		return rc;
	return content_refs(r, k, payload);
}

/* ---- signers and audiences ---------------------------------------------------- */

static enum reg_result
who_signed(struct directory *d, struct process *p, const struct envelope *e,
    int64_t index, int64_t time, struct who *w)
{
	const struct dir_device *dev;
	const char *app;

	memset(w, 0, sizeof(*w));
	if (memcmp(e->key, d->operator_key, 32) == 0) {
		rs_seterr("the operator signs no registry record: a %s is a State's act",
		    e->kind);
		return REG_FORBIDDEN;
	}
	if ((dev = dir_device(d, e->key)) == NULL) {
		rs_seterr("%s signed by a key that is not a certified device's", e->kind);
		return REG_FORBIDDEN;
	}
	if (!dir_device_current(d, e->key, index) ||
	    (dev->expires > 0 && time > dev->expires)) {
		rs_seterr("%s signed by a device that is not current at log index %lld",
		    e->kind, (long long)index);
		return REG_FORBIDDEN;
	}
	w->dev = dev;
	if (strcmp(dev->role, "stakeholder") == 0) {
		struct proc_matter *m;
		w->party.stakeholder = 1;
		app = jstr(dev->cert, "stakeholder");
		if (app == NULL || hex_decode_exact(w->party.application, 32, app) != 0) {
			rs_seterr("a stakeholder device whose certificate names no application");
			return REG_FORBIDDEN;
		}
		m = proc_matter(p, w->party.application);
		w->accredited = m != NULL && proc_accredited(m, time);
		return REG_OK;
	}
	if (e->state == NULL || strcmp(e->state, dev->state) != 0 ||
	    !valid_state(dev->state)) {
		rs_seterr("%s signed by a device of %s but \"state\" names %s: only a State "
		    "writes its own records", e->kind, dev->state, e->state ? e->state : "none");
		return REG_FORBIDDEN;
	}
	memcpy(w->party.state, dev->state, 3);
	return REG_OK;
}

static enum reg_result
need_state(const struct who *w, const char *what)
{
	if (w->party.stakeholder) {
		rs_seterr("%s: a stakeholder device cannot do this; a State's device does",
		    what);
		return REG_FORBIDDEN;
	}
	return REG_OK;
}

/* Every device a sealed payload opens for is current at index and of a
 * State in the audience, or the author's own.  The audience is a set of
 * State slots built once, so a record sealed to every device of 193 States
 * costs 193 lookups, not 193 x 193. */
static enum reg_result
slots_ok(struct directory *d, const struct envelope *e, const struct reg_rec *rr,
    const struct who *w, int64_t index, int64_t time, size_t *nslots)
{
	uint8_t (*devs)[32] = NULL, in[REG_NSTATES];
	const struct dir_group *g;
	enum reg_result rc = REG_OK;
	size_t n;

	if (seal_recipients(e->payload, e->payload_len, &devs, &n) != 0)
		return REG_MALFORMED;
	*nslots = n;
	/* every certified device's State has an admitted root: "all" is all */
	memset(in, rr->to.kind == REG_TO_ALL, sizeof(in));
	if (rr->to.kind == REG_TO_GROUP) {
		if ((g = dir_group(d, rr->to.group)) == NULL) {
			rs_seterr("%s \"to\": no group \"%s\" in the directory", e->kind,
			    rr->to.group);
			rc = REG_UNKNOWN;
			goto out;
		}
		for (size_t k = 0; k < g->nstates; k++)
			if (state_slot(g->states[k]) >= 0)
				in[state_slot(g->states[k])] = 1;
	} else if (rr->to.kind == REG_TO_LIST)
		for (size_t k = 0; k < rr->to.list.n; k++)
			in[state_slot(rr->to.list.v[k])] = 1;
	if (!w->party.stakeholder && state_slot(w->party.state) >= 0)
		in[state_slot(w->party.state)] = 1;
	for (size_t i = 0; i < n; i++) {
		struct dir_device *x = dir_device(d, devs[i]);
		int slot;
		if (x == NULL || !dir_device_current(d, devs[i], index) ||
		    (x->expires > 0 && time > x->expires)) {
			rs_seterr("%s: recipient device %zu is not a current device", e->kind, i);
			rc = REG_FORBIDDEN;
			goto out;
		}
		slot = state_slot(x->state);
		if (memcmp(devs[i], e->key, 32) != 0 && (slot < 0 || !in[slot])) {
			rs_seterr("%s: recipient device %zu is of %s, which is not in the "
			    "audience it names (\"to\")", e->kind, i, x->state);
			rc = REG_FORBIDDEN;
			goto out;
		}
	}
out:
	free(devs);
	return rc;
}

/* The next version of a sequence of n. */
static enum reg_result
next_version(int64_t v, size_t n, const char *what)
{
	if (v == (int64_t)n + 1)
		return REG_OK;
	if (v <= (int64_t)n) {
		rs_seterr("%s version %lld exists already: the next is %zu", what,
		    (long long)v, n + 1);
		return REG_DUPLICATE;
	}
	rs_seterr("%s version %lld does not follow the last (%zu): the next is %zu", what,
	    (long long)v, n, n + 1);
	return REG_MALFORMED;
}

static long
need_norm(const struct registry *r, const char *id, const char *what)
{
	long ni = reg_norm(r, id);

	if (ni < 0)
		rs_seterr("%s: no norm \"%.64s\" in the registry", what, id);
	return ni;
}

/* ---- the rules, kind by kind --------------------------------------------------- */

static enum reg_result
check_norm_version(struct registry *r, struct process *p, const struct who *w,
    const struct reg_rec *rr, int64_t time)
{
	long ni = need_norm(r, rr->item, "norm-version");
	const struct reg_norm *n;
	char what[96];

	if (ni < 0)
		return REG_UNKNOWN;
	n = &r->norms[ni];
	if (n->data >= 0) {
		rs_seterr("norm-version: \"%s\" is shipped data; its text changes only with "
		    "the data (a State proposes a new norm instead)", n->id);
		return REG_FORBIDDEN;
	}
	if (w->party.stakeholder || strcmp(w->party.state, n->by) != 0) {
		rs_seterr("norm-version: only the State that proposed the norm (%s) "
		    "writes a new version of it", n->by);
		return REG_FORBIDDEN;
	}
	if (agreed_at(r, p, REG_ITEM_NORM, (size_t)ni, time)) {
		rs_seterr("norm-version: the norm was agreed by a decision; a change is a "
		    "new proposal");
		return REG_CLOSED;
	}
	snprintf(what, sizeof(what), "the norm's");
	return next_version(rr->version, n->nv, what);
}

static enum reg_result
check_cosponsor(struct registry *r, struct process *p, const struct who *w,
    const struct reg_rec *rr, int64_t time)
{
	long ni = need_norm(r, rr->item, "cosponsor");
	const struct reg_norm *n;

	if (ni < 0)
		return REG_UNKNOWN;
	n = &r->norms[ni];
	if (agreed_at(r, p, REG_ITEM_NORM, (size_t)ni, time)) {
		rs_seterr("cosponsor: norm \"%s\" is agreed; only a proposal is co-sponsored",
		    n->id);
		return REG_CLOSED;
	}
	if (strcmp(n->by, w->party.state) == 0) {
		rs_seterr("cosponsor: %s proposed this norm; co-sponsors are other States",
		    n->by);
		return REG_FORBIDDEN;
	}
	for (size_t i = 0; i < n->nco; i++)
		if (strcmp(n->co[i].state, w->party.state) == 0) {
			rs_seterr("cosponsor: %s co-sponsors this norm already (log index %lld)",
			    w->party.state, (long long)n->co[i].index);
			return REG_DUPLICATE;
		}
	return REG_OK;
}

static enum reg_result
check_checklist(struct registry *r, const struct reg_rec *rr)
{
	long ni = need_norm(r, rr->item, "checklist");

	if (ni < 0)
		return REG_UNKNOWN;
	return next_version(rr->version, r->norms[ni].ncl, "the norm's checklist");
}

static enum reg_result
check_doc(struct registry *r, struct directory *d, const struct envelope *e,
    const struct reg_rec *rr, const struct who *w, int64_t index, int64_t time)
{
	const struct reg_statedocs *s = reg_state(r, w->party.state);
	size_t n = 0, slots;
	char what[64];
	enum reg_result rc;

	if (rr->kind == REG_K_REPORT || rr->kind == REG_K_CII) {
		if (s != NULL)
			n = rr->kind == REG_K_REPORT ? s->nreports : s->ncii;
		snprintf(what, sizeof(what), "%s's %s", w->party.state,
		    rr->kind == REG_K_REPORT ? "report" : "CII list");
		if ((rc = next_version(rr->version, n, what)) != REG_OK)
			return rc;
	}
	if (rr->audience == REG_SEALED &&
	    (rc = slots_ok(d, e, rr, w, index, time, &slots)) != REG_OK)
		return rc;
	return REG_OK;
}

static enum reg_result
check_definition(struct registry *r, const struct reg_rec *rr)
{
	if (reg_term(r, rr->item) < 0) {
		rs_seterr("definition: no term \"%.64s\" in the registry", rr->item);
		return REG_UNKNOWN;
	}
	return REG_OK;
}

/* What a translation's ref names: its kind, index and version. */
static enum reg_result
trans_target(const struct registry *r, const uint8_t ref[32], enum reg_kind *kind,
    size_t *ix, int *version, json_t **orig)
{
	const struct idmap_slot *s = idmap_get(&r->ids, ref);

	if (s != NULL && s->tag == TAG_TERM) {
		*kind = REG_K_TERM;
		*ix = s->value;
		*version = 1;
		*orig = json_object_get(r->terms[s->value].payload, "forms");
		return REG_OK;
	}
	if (s != NULL && s->tag == TAG_DEF) {
		*kind = REG_K_DEFINITION;
		*ix = s->value;
		*version = 1;
		*orig = json_object_get(r->defs[s->value].payload, "text");
		return REG_OK;
	}
	if (s != NULL && (s->tag == TAG_NORM || s->tag == TAG_NVERSION)) {
		const struct reg_norm *n;
		*kind = REG_K_NORM;
		*ix = s->tag == TAG_NORM ? s->value : r->vrefs[s->value].norm;
		*version = s->tag == TAG_NORM ? 1 : r->vrefs[s->value].version;
		n = &r->norms[*ix];
		for (size_t k = 0; k < n->nv; k++)
			if (n->v[k].version == *version)
				*orig = n->v[k].title;
		return REG_OK;
	}
	rs_seterr("translation \"ref\" names no term, definition or norm version in the "
	    "log");
	return REG_UNKNOWN;
}

static enum reg_result
check_translation(struct registry *r, const struct reg_rec *rr, const struct who *w)
{
	enum reg_kind kind;
	size_t ix;
	int version;
	json_t *orig = NULL;
	enum reg_result rc;

	if (w->party.stakeholder && !w->accredited) {
		rs_seterr("translation: the organisation is not accredited at this log time");
		return REG_FORBIDDEN;
	}
	if ((rc = trans_target(r, rr->ref, &kind, &ix, &version, &orig)) != REG_OK)
		return rc;
	if (regrec_content(REG_K_TRANSLATION, rr->payload, kind) != REG_OK)
		return REG_MALFORMED;
	if (json_object_get(orig, rr->lang) != NULL) {
		rs_seterr("translation: the text has its author's own %s already", rr->lang);
		return REG_DUPLICATE;
	}
	for (size_t i = 0; i < r->ntrans; i++) {
		const struct reg_trans *t = &r->trans[i];
		if (t->target == kind && t->ix == ix && t->version == version &&
		    strcmp(t->lang, rr->lang) == 0 && t->by.stakeholder == w->party.stakeholder &&
		    strcmp(t->by.state, w->party.state) == 0 &&
		    memcmp(t->by.application, w->party.application, 32) == 0) {
			rs_seterr("translation: this party translated it into %s already (log "
			    "index %lld)", rr->lang, (long long)t->index);
			return REG_DUPLICATE;
		}
	}
	return REG_OK;
}

static const struct reg_request *
need_request(const struct registry *r, const uint8_t id[32], const char *what)
{
	const struct idmap_slot *s = lookup(r, id, TAG_REQUEST);

	if (s == NULL) {
		rs_seterr("%s: no capacity-building request with that id in the log", what);
		return NULL;
	}
	return &r->reqs[s->value];
}

static enum reg_result
check_offer(struct registry *r, const struct reg_rec *rr, const struct who *w)
{
	const struct reg_request *q = NULL;

	if (w->party.stakeholder && !w->accredited) {
		rs_seterr("cb-offer: the organisation is not accredited at this log time");
		return REG_FORBIDDEN;
	}
	if (!rr->has_ref) {
		if (rr->audience != REG_PUBLIC ||
		    json_array_size(json_object_get(rr->payload, "areas")) == 0) {
			rs_seterr("cb-offer: a standing offer (for no request) is public and "
			    "names its \"areas\", so that requests can be matched to it");
			return REG_MALFORMED;
		}
		return REG_OK;
	}
	if ((q = need_request(r, rr->ref, "cb-offer")) == NULL)
		return REG_UNKNOWN;
	if (q->closed_index >= 0) {
		rs_seterr("cb-offer: the request was closed at log index %lld; it takes no "
		    "more offers", (long long)q->closed_index);
		return REG_CLOSED;
	}
	if (!w->party.stakeholder && strcmp(q->d.by, w->party.state) == 0) {
		rs_seterr("cb-offer: %s made this request; offers come from others",
		    w->party.state);
		return REG_FORBIDDEN;
	}
	return REG_OK;
}

static enum reg_result
check_step(struct registry *r, const struct reg_rec *rr, const struct who *w)
{
	const struct reg_request *q = need_request(r, rr->ref, "cb-step");
	const struct idmap_slot *s;
	const struct reg_offer *o;

	if (q == NULL)
		return REG_UNKNOWN;
	if (w->party.stakeholder || strcmp(q->d.by, w->party.state) != 0) {
		rs_seterr("cb-step: only the requesting State (%s) accepts, completes or "
		    "closes", q->d.by);
		return REG_FORBIDDEN;
	}
	if (rr->step == REG_STEP_CLOSE) {
		if (q->closed_index >= 0) {
			rs_seterr("cb-step: the request was closed already (log index %lld)",
			    (long long)q->closed_index);
			return REG_CLOSED;
		}
		return REG_OK;
	}
	if ((s = lookup(r, rr->offer, TAG_OFFER)) == NULL) {
		rs_seterr("cb-step: no offer with that id in the log");
		return REG_UNKNOWN;
	}
	o = &r->offers[s->value];
	for (size_t i = 0; i < q->nacc; i++) {
		if (q->acc[i].offer != s->value)
			continue;
		if (rr->step == REG_STEP_ACCEPT) {
			rs_seterr("cb-step: that offer was accepted already (log index %lld)",
			    (long long)q->acc[i].index);
			return REG_DUPLICATE;
		}
		if (q->acc[i].completed_index >= 0) {
			rs_seterr("cb-step: that assistance was completed already (log index "
			    "%lld)", (long long)q->acc[i].completed_index);
			return REG_DUPLICATE;
		}
		return REG_OK;
	}
	if (rr->step == REG_STEP_COMPLETE) {
		rs_seterr("cb-step: an offer is completed only after it was accepted");
		return REG_FORBIDDEN;
	}
	if (q->closed_index >= 0) {
		rs_seterr("cb-step: the request was closed at log index %lld",
		    (long long)q->closed_index);
		return REG_CLOSED;
	}
	if (o->request >= 0 && &r->reqs[o->request] != q) {
		rs_seterr("cb-step: that offer answers another request");
		return REG_MALFORMED;
	}
	return REG_OK;
}

static enum reg_result
check_adopts(struct registry *r, struct process *p, const struct reg_rec *rr,
    int64_t time)
{
	const struct idmap_slot *s;
	long ni;
	size_t ix;
	int have, v;

	switch (rr->adopts) {
	case REG_ITEM_NORM:
	case REG_ITEM_CHECKLIST:
		if ((ni = need_norm(r, rr->item, "proposal \"adopts\"")) < 0)
			return REG_UNKNOWN;
		ix = (size_t)ni;
		if (rr->adopts == REG_ITEM_NORM) {
			const struct reg_norm *n = &r->norms[ix];
			have = n->data >= 0 ? rr->version == 1 :
			    rr->version >= 1 && rr->version <= (int64_t)n->nv;
		} else
			have = rr->version == 0 ? r->norms[ix].data >= 0 &&
			    r->data->norms[r->norms[ix].data].nactions > 0 :
			    rr->version >= 1 && rr->version <= (int64_t)r->norms[ix].ncl;
		break;
	case REG_ITEM_DEFINITION:
		{
			uint8_t b[32];
			if (hex_decode_exact(b, 32, rr->item) != 0 ||
			    (s = lookup(r, b, TAG_DEF)) == NULL) {
				rs_seterr("proposal \"adopts\": no definition with that id in the log");
				return REG_UNKNOWN;
			}
			ix = s->value;
			have = rr->version == 1;
		}
		break;
	default:
		return REG_OK;
	}
	if (!have) {
		rs_seterr("proposal \"adopts\": %s \"%.64s\" has no version %lld",
		    rr->adopts == REG_ITEM_NORM ? "norm" : rr->adopts == REG_ITEM_CHECKLIST ?
		    "the checklist of" : "definition", rr->item, (long long)rr->version);
		return REG_UNKNOWN;
	}
	if (reg_standing(r, p, rr->adopts, ix, time, &v) == REG_AGREED &&
	    (rr->adopts != REG_ITEM_CHECKLIST || rr->version <= v)) {
		rs_seterr("proposal \"adopts\": that %s is agreed already (version %d)",
		    rr->adopts == REG_ITEM_DEFINITION ? "definition" :
		    rr->adopts == REG_ITEM_NORM ? "norm" : "checklist", v);
		return REG_CLOSED;
	}
	return REG_OK;
}

static enum reg_result
check_rec(struct registry *r, struct directory *d, struct process *p,
    const struct envelope *e, const struct reg_rec *rr, const struct who *w,
    int64_t index, int64_t time)
{
	enum reg_result rc;

	switch (rr->kind) {
	case REG_K_NORM:
	case REG_K_TERM:
		return need_state(w, e->kind);
	case REG_K_NORM_VERSION:
		return check_norm_version(r, p, w, rr, time);
	case REG_K_COSPONSOR:
		if ((rc = need_state(w, "cosponsor")) != REG_OK)
			return rc;
		return check_cosponsor(r, p, w, rr, time);
	case REG_K_CHECKLIST:
		if ((rc = need_state(w, "checklist")) != REG_OK)
			return rc;
		return check_checklist(r, rr);
	case REG_K_REPORT:
	case REG_K_CII:
		if ((rc = need_state(w, e->kind)) != REG_OK)
			return rc;
		return check_doc(r, d, e, rr, w, index, time);
	case REG_K_CB_REQUEST:
		if (w->party.stakeholder) {
			rs_seterr("cb-request: only a recipient State opens a request; a "
			    "stakeholder device cannot");
			return REG_FORBIDDEN;
		}
		return check_doc(r, d, e, rr, w, index, time);
	case REG_K_DEFINITION:
		if ((rc = need_state(w, "definition")) != REG_OK)
			return rc;
		return check_definition(r, rr);
	case REG_K_TRANSLATION:
		return check_translation(r, rr, w);
	case REG_K_CB_OFFER:
		if ((rc = check_offer(r, rr, w)) != REG_OK)
			return rc;
		return check_doc(r, d, e, rr, w, index, time);
	case REG_K_CB_STEP:
		return check_step(r, rr, w);
	case REG_K_PROPOSAL:
	case REG_K_NONE:
		break;
	}
	rs_seterr("\"%s\" is not a registry record", e->kind);
	return REG_MALFORMED;
}

static enum reg_result
check_parsed(struct registry *r, struct directory *d, struct process *p,
    const struct envelope *e, const struct reg_rec *rr, int64_t index, int64_t time,
    struct who *w)
{
	enum reg_result rc;

	if (r->last_index >= 0 && (index <= r->last_index || time < r->last_time)) {
		rs_seterr("registry record at log index %lld, time %lld comes before one "
		    "already taken (index %lld, time %lld)", (long long)index,
		    (long long)time, (long long)r->last_index, (long long)r->last_time);
		return REG_MALFORMED;
	}
	if (idmap_get(&r->ids, e->id) != NULL) {
		rs_seterr("this %s is in the log already", e->kind);
		return REG_DUPLICATE;
	}
	if (rr->kind == REG_K_PROPOSAL)
		return check_adopts(r, p, rr, time);
	if ((rc = who_signed(d, p, e, index, time, w)) != REG_OK)
		return rc;
	if ((rc = check_rec(r, d, p, e, rr, w, index, time)) != REG_OK)
		return rc;
	if (rr->payload != NULL)
		return content_refs(r, rr->kind, rr->payload);
	return REG_OK;
}

enum reg_result
reg_check(struct registry *r, struct directory *d, struct process *p,
    const struct envelope *e, int64_t index, int64_t time)
{
	struct reg_rec rr;
	struct who w;
	enum reg_result rc;

	if ((rc = regrec_parse(e, &rr)) != REG_OK)
		return rc;
	rc = check_parsed(r, d, p, e, &rr, index, time, &w);
	regrec_free(&rr);
	return rc;
}

/* ---- applying ------------------------------------------------------------------- */

static void
set_refused(struct reg_doc *doc, const char *why)
{
	free(doc->refused);
	doc->refused = xstrdup(why);
	json_decref(doc->content);
	doc->content = NULL;
}

/* Fills what this node can read of doc: the public payload, or the sealed
 * one opened with the reader's key and judged by the same rules. */
static void
read_doc(struct registry *r, struct reg_doc *doc, const struct envelope *e,
    const struct reg_rec *rr)
{
	struct buf plain = {0};
	uint8_t (*devs)[32] = NULL;
	size_t n = 0;
	int mine = 0;
	json_t *c;

	doc->audience = rr->audience;
	doc->to = rr->to;
	if (rr->audience == REG_PUBLIC) {
		doc->readable = 1;
		doc->content = json_incref(rr->payload);
		return;
	}
	if (seal_recipients(e->payload, e->payload_len, &devs, &n) == 0) {
		doc->nslots = n;
		for (size_t i = 0; r->reader != NULL && i < n; i++)
			mine |= memcmp(devs[i], r->reader->pk, 32) == 0;
	}
	free(devs);
	if (!mine)
		return;
	doc->readable = 1;
	if (seal_decrypt(&plain, e->payload, e->payload_len, r->reader) != 0) {
		set_refused(doc, rs_err());
		goto out;
	}
	if ((c = jparse(plain.p, plain.len)) == NULL) {
		set_refused(doc, rs_err());
		goto out;
	}
	if (regrec_content(rr->kind, c, REG_K_NONE) != REG_OK ||
	    content_refs(r, rr->kind, c) != REG_OK) {
		set_refused(doc, rs_err());
		json_decref(c);
		goto out;
	}
	doc->content = c;
out:
	sodium_memzero(plain.p, plain.len);
	buf_free(&plain);
}

static void
doc_head(struct reg_doc *doc, const struct envelope *e, const struct who *w,
    const struct reg_rec *rr, int64_t index, int64_t time)
{
	memcpy(doc->id, e->id, 32);
	doc->index = index;
	doc->time = time;
	memcpy(doc->by, w->party.state, 3);
	doc->version = (int)rr->version;
}

static void
apply_norm(struct registry *r, const struct envelope *e, const struct reg_rec *rr,
    const struct who *w, int64_t index, int64_t time)
{
	struct reg_norm *n;
	struct reg_nversion *v;
	long ni;
	char *hex;

	if (rr->kind == REG_K_NORM) {
		ni = (long)r->nnorms;
		n = GROW(r->norms, r->nnorms);
		n->data = -1;
		hex = hex_encode(e->id, 32);
		snprintf(n->id, sizeof(n->id), "%s", hex);
		free(hex);
		n->index = index;
		n->time = time;
		memcpy(n->by, w->party.state, 3);
	} else {
		ni = reg_norm(r, rr->item);
		assert(ni >= 0 && r->norms[ni].nv >= 1);
		n = &r->norms[ni];
	}
	/* every version, the first included, is found by its id */
	idmap_put(&r->ids, e->id, rr->kind == REG_K_NORM ?
	    TAG_NORM : TAG_NVERSION, rr->kind == REG_K_NORM ? (uint32_t)ni :
	    (uint32_t)r->nvrefs);
	if (rr->kind == REG_K_NORM_VERSION) {
		r->vrefs = xrealloc(r->vrefs, (r->nvrefs + 1) * sizeof(*r->vrefs));
		r->vrefs[r->nvrefs].norm = (size_t)ni;
		r->vrefs[r->nvrefs++].version = (int)n->nv + 1;
	}
	n->v = xrealloc(n->v, (n->nv + 1) * sizeof(*n->v));
	v = &n->v[n->nv];
	memset(v, 0, sizeof(*v));
	if (n->nv > 0) {
		const struct reg_nversion *prev = &n->v[n->nv - 1];
		v->title = prev->title;
		v->text = prev->text;
		v->sources = prev->sources;
		v->lang = prev->lang;
	}
	memcpy(v->id, e->id, 32);
	v->index = index;
	v->time = time;
	v->version = (int)n->nv + 1;
	v->payload = json_incref(rr->payload);
	if (json_object_get(rr->payload, "title") != NULL)
		v->title = json_object_get(rr->payload, "title");
	if (json_object_get(rr->payload, "text") != NULL)
		v->text = json_object_get(rr->payload, "text");
	if (json_object_get(rr->payload, "sources") != NULL)
		v->sources = json_object_get(rr->payload, "sources");
	if (jstr(rr->payload, "lang") != NULL)
		v->lang = jstr(rr->payload, "lang");
	n->nv++;
}

static void
apply_parsed(struct registry *r, const struct envelope *e, const struct reg_rec *rr,
    const struct who *w, int64_t index, int64_t time)
{
	struct reg_statedocs *s;
	struct reg_doc *doc;
	long ni;
	char *hex;

	switch (rr->kind) {
	case REG_K_NORM:
	case REG_K_NORM_VERSION:
		apply_norm(r, e, rr, w, index, time);
		break;
	case REG_K_COSPONSOR: {
		struct reg_norm *n = &r->norms[reg_norm(r, rr->item)];
		struct reg_cosponsor *c = GROW(n->co, n->nco);
		idmap_put(&r->ids, e->id, TAG_OTHER, 0);
		memcpy(c->state, w->party.state, 3);
		c->index = index;
		c->time = time;
		break;
	}
	case REG_K_CHECKLIST: {
		struct reg_norm *n;
		struct reg_checklist *c;
		ni = reg_norm(r, rr->item);
		assert(ni >= 0);
		n = &r->norms[ni];
		idmap_put(&r->ids, e->id, TAG_CHECKLIST, (uint32_t)ni);
		c = GROW(n->cl, n->ncl);
		memcpy(c->id, e->id, 32);
		c->index = index;
		c->time = time;
		memcpy(c->by, w->party.state, 3);
		c->version = (int)rr->version;
		c->payload = json_incref(rr->payload);
		add_actions(n, json_object_get(rr->payload, "actions"));
		break;
	}
	case REG_K_REPORT:
	case REG_K_CII:
		s = state_docs(r, w->party.state);
		if (rr->kind == REG_K_REPORT) {
			idmap_put(&r->ids, e->id, TAG_REPORT, (uint32_t)s->nreports);
			doc = GROW(s->reports, s->nreports);
		} else {
			idmap_put(&r->ids, e->id, TAG_CII, (uint32_t)s->ncii);
			doc = GROW(s->cii, s->ncii);
		}
		doc_head(doc, e, w, rr, index, time);
		read_doc(r, doc, e, rr);
		break;
	case REG_K_TERM: {
		struct reg_term *t;
		idmap_put(&r->ids, e->id, TAG_TERM, (uint32_t)r->nterms);
		t = GROW(r->terms, r->nterms);
		t->data = -1;
		hex = hex_encode(e->id, 32);
		snprintf(t->id, sizeof(t->id), "%s", hex);
		free(hex);
		t->index = index;
		t->time = time;
		memcpy(t->by, w->party.state, 3);
		t->payload = json_incref(rr->payload);
		break;
	}
	case REG_K_DEFINITION: {
		struct reg_def *df;
		idmap_put(&r->ids, e->id, TAG_DEF, (uint32_t)r->ndefs);
		df = GROW(r->defs, r->ndefs);
		memcpy(df->id, e->id, 32);
		df->term = (size_t)reg_term(r, rr->item);
		df->index = index;
		df->time = time;
		memcpy(df->by, w->party.state, 3);
		df->payload = json_incref(rr->payload);
		break;
	}
	case REG_K_TRANSLATION: {
		struct reg_trans *t;
		enum reg_kind kind;
		size_t ix;
		int version;
		json_t *orig = NULL;
		enum reg_result rc = trans_target(r, rr->ref, &kind, &ix, &version, &orig);
		assert(rc == REG_OK);
		(void)rc;
		idmap_put(&r->ids, e->id, TAG_OTHER, 0);
		t = GROW(r->trans, r->ntrans);
		memcpy(t->id, e->id, 32);
		t->target = kind;
		t->ix = ix;
		t->version = version;
		snprintf(t->lang, sizeof(t->lang), "%s", rr->lang);
		t->by = w->party;
		t->index = index;
		t->time = time;
		t->payload = json_incref(rr->payload);
		break;
	}
	case REG_K_CB_REQUEST: {
		struct reg_request *q;
		idmap_put(&r->ids, e->id, TAG_REQUEST, (uint32_t)r->nreqs);
		q = GROW(r->reqs, r->nreqs);
		doc_head(&q->d, e, w, rr, index, time);
		q->closed_index = q->closed_time = -1;
		read_doc(r, &q->d, e, rr);
		break;
	}
	case REG_K_CB_OFFER: {
		struct reg_offer *o;
		const struct idmap_slot *sl = rr->has_ref ? lookup(r, rr->ref, TAG_REQUEST) : NULL;
		long req = sl ? (long)sl->value : -1;	/* before the map may move */
		idmap_put(&r->ids, e->id, TAG_OFFER, (uint32_t)r->noffers);
		o = GROW(r->offers, r->noffers);
		doc_head(&o->d, e, w, rr, index, time);
		o->by = w->party;
		o->request = req;
		read_doc(r, &o->d, e, rr);
		break;
	}
	case REG_K_CB_STEP: {
		const struct idmap_slot *sl = lookup(r, rr->ref, TAG_REQUEST);
		struct reg_request *q;
		assert(sl != NULL);
		q = &r->reqs[sl->value];
		idmap_put(&r->ids, e->id, TAG_OTHER, 0);
		if (rr->step == REG_STEP_CLOSE) {
			q->closed_index = index;
			q->closed_time = time;
			break;
		}
		sl = lookup(r, rr->offer, TAG_OFFER);
		assert(sl != NULL);
		if (rr->step == REG_STEP_ACCEPT) {
			struct reg_accept *a = GROW(q->acc, q->nacc);
			a->offer = sl->value;
			a->index = index;
			a->time = time;
			a->completed_index = a->completed_time = -1;
			break;
		}
		for (size_t i = 0; i < q->nacc; i++)
			if (q->acc[i].offer == sl->value) {
				q->acc[i].completed_index = index;
				q->acc[i].completed_time = time;
			}
		break;
	}
	case REG_K_PROPOSAL:
	case REG_K_NONE:
		assert(!"apply of a record that is not a registry record");
		return;
	}
	r->last_index = index;
	r->last_time = time;
	r->records++;
}

static void
apply_adopts(struct registry *r, const struct envelope *e, const struct reg_rec *rr,
    int64_t index, int64_t time)
{
	struct reg_bind *b;
	uint8_t id[32];

	if (rr->adopts != 0) {
		b = GROW(r->binds, r->nbinds);
		memcpy(b->matter, e->id, 32);
		b->item = rr->adopts;
		if (rr->adopts == REG_ITEM_DEFINITION) {
			int rc = hex_decode_exact(id, 32, rr->item);
			assert(rc == 0);
			(void)rc;
			b->ix = lookup(r, id, TAG_DEF)->value;
		} else
			b->ix = (size_t)reg_norm(r, rr->item);
		b->version = (int)rr->version;
		b->index = index;
		idmap_put(&r->ids, e->id, TAG_OTHER, 0);
	}
	r->last_index = index;
	r->last_time = time;
}

static void
apply_rec(struct registry *r, const struct envelope *e, const struct reg_rec *rr,
    const struct who *w, int64_t index, int64_t time)
{
	if (rr->kind == REG_K_PROPOSAL)
		apply_adopts(r, e, rr, index, time);
	else
		apply_parsed(r, e, rr, w, index, time);
}

void
reg_apply(struct registry *r, struct directory *d, struct process *p,
    const struct envelope *e, int64_t index, int64_t time)
{
	struct reg_rec rr;
	struct who w;

	if (regrec_parse(e, &rr) != REG_OK ||
	    (rr.kind != REG_K_PROPOSAL && who_signed(d, p, e, index, time, &w) != REG_OK)) {
		assert(!"reg_apply of a record reg_check refused");
		regrec_free(&rr);
		return;
	}
	apply_rec(r, e, &rr, &w, index, time);
	regrec_free(&rr);
}

enum reg_result
reg_take(struct registry *r, struct directory *d, struct process *p,
    const struct envelope *e, int64_t index, int64_t time)
{
	struct reg_rec rr;
	struct who w;
	enum reg_result rc;

	if ((rc = regrec_parse(e, &rr)) != REG_OK)
		return rc;
	memset(&w, 0, sizeof(w));
	if ((rc = check_parsed(r, d, p, e, &rr, index, time, &w)) == REG_OK)
		apply_rec(r, e, &rr, &w, index, time);
	regrec_free(&rr);
	return rc;
}
