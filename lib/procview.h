/*
 * procview.h - what people see of the process, computed from the state
 * lib/process.c built from the log: bodies and meetings, papers with each
 * language's lead time against the body's rule, decisions with their
 * outcome and proof, and the paper report.
 *
 * Every view is a function of (the records applied, now, viewer) alone:
 * now is a log time (normally the time of the checkpoint up to which the
 * records were taken; an earlier one is taken as the last record's time),
 * never a clock read here, and the viewer is a State code or NULL.  Objects list their keys in a fixed order and arrays are in
 * log order, so proc_dump of a view is byte for byte the same on the hub
 * and on a fresh node that replayed the same log (docs/protocol.md section
 * 10 gives every field).
 *
 * Lead time = meeting start - the version's log time.  A version is on
 * time when its lead time is at least the rule's; late otherwise (also
 * when it came after the start: a negative lead time); a required language
 * with no version is missing.  A paper is "on time" when its first version
 * was, "in all languages" when every required language has a version, "all
 * on time" when every required language was on time.  The report counts a
 * paper once its due time (start - rule) has passed, since before that its
 * figures can still change; the others are "pending".  Medians are
 * nearest-rank (the lower middle of an even count), as in docs/checks.md.
 */
#ifndef ROSTER_PROCVIEW_H
#define ROSTER_PROCVIEW_H

#include <stdint.h>
#include <jansson.h>

#include "process.h"
#include "util.h"

/* Every view in one object: {"as_of", "records", "bodies", "papers",
 * "decisions", "contributions", "report"}. */
json_t *proc_view(const struct process *p, int64_t now, const char *viewer);

/* Bodies with their rules and meetings. */
json_t *proc_view_bodies(const struct process *p);
/* Papers, of one body or all (body NULL). */
json_t *proc_view_papers(const struct process *p, int64_t now, const char *body);
/* Proposals and applications, of one body or all; open ones only when
 * open_only.  The objecting States are listed where the body shows them to
 * all members, or when viewer is the body's Chair; otherwise only their
 * number. */
json_t *proc_view_decisions(const struct process *p, int64_t now, const char *viewer,
    const char *body, int open_only);
/* Contributions and what they were distributed as. */
json_t *proc_view_contributions(const struct process *p);
/* The paper report: per body and per circulating party. */
json_t *proc_view_report(const struct process *p, int64_t now, const char *body);

/* The one serialization used to compare views and for --json. */
char *proc_dump(json_t *view);
/* The report as CSV: one row per body or party and language. */
void proc_report_csv(json_t *report, struct buf *out);

#endif
