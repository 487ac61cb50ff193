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

#include <stdio.h>
#include <stdlib.h>
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

/* The one id among the n entries of all (id_of gives each, made in buf if
 * it must be) that s is, or that s starts when s is 8 or more lower-case
 * hex digits (a record id's prefix), into out; -1 with rs_err. */
static int
find_id(const char *s, const char *what, const char *(*id_of)(const void *, size_t,
    char buf[REG_ID_MAX]), const void *all, size_t n, char out[REG_ID_MAX])
{
	size_t len = s != NULL ? strlen(s) : 0, found = 0;
	char buf[REG_ID_MAX];

	if (len == 0) {
		rs_seterr("no %s id given", what);
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		const char *id = id_of(all, i, buf);
		if (strcmp(id, s) == 0) {
			snprintf(out, REG_ID_MAX, "%s", id);
			return 0;
		}
	}
	if (len >= 8 && strspn(s, "0123456789abcdef") == len)
		for (size_t i = 0; i < n; i++) {
			const char *id = id_of(all, i, buf);
			if (strncmp(id, s, len) == 0 && found++ == 0)
				snprintf(out, REG_ID_MAX, "%s", id);
		}
	if (found == 1)
		return 0;
	if (found > 1)
		rs_seterr("%zu %ss have an id starting %s: give more digits", found, what, s);
	else
		rs_seterr("no %s \"%.64s\" in the registry (`roster %ss` lists them)", what,
		    s, what);
	return -1;
}

static const char *
norm_id(const void *all, size_t i, char buf[REG_ID_MAX])
{
	(void)buf;
	return ((const struct reg_norm *)all)[i].id;
}

static const char *
term_id(const void *all, size_t i, char buf[REG_ID_MAX])
{
	(void)buf;
	return ((const struct reg_term *)all)[i].id;
}

static const char *
def_id(const void *all, size_t i, char buf[REG_ID_MAX])
{
	char *h = hex_encode(((const struct reg_def *)all)[i].id, 32);

	snprintf(buf, REG_ID_MAX, "%s", h);
	free(h);
	return buf;
}

json_t *
regnode_adopts(const struct procnode *pn, const char *arg)
{
	const struct registry *r = pn->reg;
	char item[16], id[REG_ID_MAX + 1] = "", full[REG_ID_MAX], *end;
	const char *c1 = arg ? strchr(arg, ':') : NULL, *c2;
	long long version = -1;
	long ix;

	if (c1 == NULL || (size_t)(c1 - arg) >= sizeof(item))
		goto usage;
	memcpy(item, arg, (size_t)(c1 - arg));
	item[c1 - arg] = '\0';
	c2 = strchr(c1 + 1, ':');
	if ((size_t)((c2 ? c2 : c1 + 1 + strlen(c1 + 1)) - (c1 + 1)) > REG_ID_MAX)
		goto usage;
	snprintf(id, sizeof(id), "%.*s", (int)((c2 ? c2 : c1 + 1 + strlen(c1 + 1)) -
	    (c1 + 1)), c1 + 1);
	if (c2 != NULL) {
		version = strtoll(c2 + 1, &end, 10);
		if (c2[1] == '\0' || *end != '\0' || version < 0 || version > REG_MAX_VERSION)
			goto usage;
	}
	if (strcmp(item, "norm") == 0 || strcmp(item, "checklist") == 0) {
		if (find_id(id, "norm", norm_id, r->norms, r->nnorms, full) != 0)
			return NULL;
		ix = reg_norm(r, full);
		if (version < 0 && strcmp(item, "checklist") == 0) {
			rs_seterr("--adopts checklist:NORM:VERSION: say which version (0: the "
			    "shipped model)");
			return NULL;
		}
		if (version < 0)
			version = r->norms[ix].data >= 0 ? 1 : (long long)r->norms[ix].nv;
	} else if (strcmp(item, "definition") == 0) {
		if (find_id(id, "definition", def_id, r->defs, r->ndefs, full) != 0)
			return NULL;
		if (version < 0)
			version = 1;
	} else
		goto usage;
	return json_pack("{s:s,s:s,s:I}", "item", item, "id", full, "version",
	    (json_int_t)version);
usage:
	rs_seterr("--adopts must be norm:ID[:VERSION], checklist:NORM:VERSION or "
	    "definition:ID, not \"%.80s\"", arg ? arg : "");
	return NULL;
}

json_t *
regnode_norm(const struct regnode *rn, int64_t at, const char *id)
{
	const struct registry *r = rn->pn.reg;
	char full[REG_ID_MAX];

	if (find_id(id, "norm", norm_id, r->norms, r->nnorms, full) != 0)
		return NULL;
	return reg_view_norm(r, rn->pn.proc, regnode_at(rn, at), full);
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
	char full[REG_ID_MAX];
	json_t *all, *v, *out = NULL;
	size_t i;

	if (find_id(id, "term", term_id, r->terms, r->nterms, full) != 0 ||
	    (all = regnode_terms(rn, at, NULL)) == NULL)
		return NULL;
	json_array_foreach(all, i, v)
		if (strcmp(jstr(v, "id"), full) == 0)
			out = json_incref(v);
	json_decref(all);
	if (out == NULL)
		rs_seterr("term %s is not in the view", full);
	return out;
}
