/*
 * regnode.c - the registries on a node (see regnode.h).
 *
 * Nothing is kept: every command replays (procnode_load) and asks
 * lib/regview.c, as the process's commands do, so there is no second copy
 * of a registry to drift from the records.  What this file adds is finding
 * an entry by what a person types: a data id as printed, or the start of a
 * record id, refused when it names none or several.
 */
#include "regnode.h"

#include <string.h>

#include "jsonutil.h"

int
regnode_load(struct node *n, struct regnode *rn)
{
	return procnode_load(n, &rn->pn);
}

void
regnode_free(struct regnode *rn)
{
	procnode_free(&rn->pn);
}

int64_t
regnode_at(const struct regnode *rn, int64_t at)
{
	int64_t t = procnode_at(&rn->pn, at);

	return t > rn->pn.reg->last_time ? t : rn->pn.reg->last_time;
}

int
regnode_norm_status_ok(const char *status)
{
	return status != NULL && (strcmp(status, "agreed") == 0 ||
	    strcmp(status, "proposed") == 0 || strcmp(status, "under-discussion") == 0);
}

json_t *
regnode_norms(const struct regnode *rn, int64_t at, const struct reg_norm_filter *f)
{
	return reg_view_norms(rn->pn.reg, rn->pn.proc, regnode_at(rn, at), f);
}

/* The one id among the n entries of all (id_of gives each) that s is, or
 * that s starts when s is 8 or more lower-case hex digits (a record id's
 * prefix); NULL with rs_err. */
static const char *
find_id(const char *s, const char *what, const char *(*id_of)(const void *, size_t),
    const void *all, size_t n)
{
	size_t len = s != NULL ? strlen(s) : 0, found = 0;
	const char *hit = NULL;

	if (len == 0) {
		rs_seterr("no %s id given", what);
		return NULL;
	}
	for (size_t i = 0; i < n; i++)
		if (strcmp(id_of(all, i), s) == 0)
			return id_of(all, i);
	if (len >= 8 && strspn(s, "0123456789abcdef") == len)
		for (size_t i = 0; i < n; i++)
			if (strncmp(id_of(all, i), s, len) == 0) {
				hit = id_of(all, i);
				found++;
			}
	if (found == 1)
		return hit;
	if (found > 1)
		rs_seterr("%zu %ss have an id starting %s: give more digits", found, what, s);
	else
		rs_seterr("no %s \"%.64s\" in the registry (`roster %ss` lists them)", what,
		    s, what);
	return NULL;
}

static const char *
norm_id(const void *all, size_t i)
{
	return ((const struct reg_norm *)all)[i].id;
}

static const char *
term_id(const void *all, size_t i)
{
	return ((const struct reg_term *)all)[i].id;
}

json_t *
regnode_norm(const struct regnode *rn, int64_t at, const char *id)
{
	const struct registry *r = rn->pn.reg;
	const char *full = find_id(id, "norm", norm_id, r->norms, r->nnorms);

	return full != NULL ? reg_view_norm(r, rn->pn.proc, regnode_at(rn, at), full) :
	    NULL;
}

json_t *
regnode_terms(const struct regnode *rn, int64_t at, const char *query)
{
	return reg_view_terms(rn->pn.reg, rn->pn.proc, regnode_at(rn, at), query);
}

json_t *
regnode_term(const struct regnode *rn, int64_t at, const char *id)
{
	const struct registry *r = rn->pn.reg;
	const char *full = find_id(id, "term", term_id, r->terms, r->nterms);
	json_t *all, *v, *out = NULL;
	size_t i;

	if (full == NULL || (all = regnode_terms(rn, at, NULL)) == NULL)
		return NULL;
	json_array_foreach(all, i, v)
		if (strcmp(jstr(v, "id"), full) == 0)
			out = json_incref(v);
	json_decref(all);
	if (out == NULL)
		rs_seterr("term %s is not in the view", full);
	return out;
}
