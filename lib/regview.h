/*
 * regview.h - what people see of the registries, computed from the state
 * lib/registry.c built from the log (and the process's, for decisions):
 * norms with their sources, history, co-sponsors and standing; a norm's
 * checklist versions; national reports per State and compared per norm,
 * with the figures the charts draw; the terminology with its search;
 * national CII lists with what changed and their comparison on one
 * reference taxonomy; capacity-building requests, offers and matches.
 *
 * Every view is a function of (the records applied, now, lang) alone: now
 * is a log time (an earlier one is taken as the last record's), lang the
 * reader's language for labels (the texts in every language stay in the
 * view; a label missing in lang falls back to English, and says so).  What
 * a sealed record says is in a view only where this node's reader could
 * open it; the rest is listed by its public header (who, when, which
 * version, for whom) and marked unreadable, so a reader sees that a newer
 * version exists that was not shared with it.  Objects list their keys in
 * a fixed order and arrays are in data or log order, so proc_dump of a
 * view is byte for byte the same on every node that replayed the same log
 * with the same reader (docs/protocol.md section 11 gives every field).
 */
#ifndef ROSTER_REGVIEW_H
#define ROSTER_REGVIEW_H

#include <stdint.h>
#include <jansson.h>

#include "process.h"
#include "registry.h"

/* Which norms: status "agreed", "proposed", "under-discussion" or NULL;
 * source a document symbol ("A/70/174") that one of its sources or
 * references names, or NULL. */
struct reg_norm_filter {
	const char *status;
	const char *source;
};

/* Every view in one object: {"as_of", "records", "data", "norms", "terms",
 * "reports", "cii", "cb"}. */
json_t *reg_view(const struct registry *r, struct process *p, int64_t now,
    const char *lang);

/* Norms, agreed first (the data's, then by decision), then the others in
 * data and log order. */
json_t *reg_view_norms(const struct registry *r, struct process *p, int64_t now,
    const struct reg_norm_filter *f);
/* One norm; NULL with rs_err when there is none. */
json_t *reg_view_norm(const struct registry *r, struct process *p, int64_t now,
    const char *id);
/* A norm's checklist: the shipped model and every version, which is
 * agreed, which is current. */
json_t *reg_view_checklist(const struct registry *r, struct process *p, int64_t now,
    const char *norm);
/* National reports (of one State, or all), their entries (on one norm, or
 * all), the comparison on that norm, and the charts' figures. */
json_t *reg_view_reports(const struct registry *r, struct process *p, int64_t now,
    const char *norm, const char *state);
/* Terms matching query in any language (all of them when query is NULL
 * or empty), best match first; NULL with rs_err when the query cannot be
 * folded. */
json_t *reg_view_terms(const struct registry *r, struct process *p, int64_t now,
    const char *query);
/* A State's CII list: versions, the current one it can read, labels in
 * lang, and what changed since the one before. */
json_t *reg_view_cii(const struct registry *r, int64_t now, const char *state,
    const char *lang);
/* Two States' CII lists mapped onto one reference taxonomy; NULL with
 * rs_err when the taxonomy is unknown. */
json_t *reg_view_cii_compare(const struct registry *r, int64_t now, const char *a,
    const char *b, const char *taxonomy, const char *lang);
/* Capacity-building requests, offers, acceptances and matches. */
json_t *reg_view_cb(const struct registry *r, int64_t now, const char *lang);

#endif
