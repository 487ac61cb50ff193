/*
 * process.h - the rules of the process (bodies, meetings, papers,
 * decisions by silence procedure, stakeholders), as one state machine fed
 * the log's public records in order.
 *
 * Like lib/directory.c, and beside it: the hub runs proc_check before it
 * appends a process record and proc_apply after; every node runs the same
 * two on each public record it takes, with its directory in the same state
 * (the directory records before it applied).  One piece of code, so the
 * hub and the nodes cannot disagree about who may sign what, whether an
 * objection counted, or how late a paper was.  The views people see
 * (lib/procview.h) are computed from this state alone.
 *
 * Who may sign what (docs/protocol.md section 10):
 *   body, body-rules, application      the operator
 *   meeting                            the operator, or the body's Chair
 *   paper                              the operator, the Chair, a member
 *   paper-lang                         whoever circulated the paper, or the Chair
 *   paper with "contribution"          the Chair (a distribution)
 *   proposal                           the Chair, or a designated proposer
 *   position                           a member State of the matter
 *   withdraw                           the proposer or the Chair; for an
 *                                      application the operator or the Chair
 *   contribution                       an accredited stakeholder's device
 * "The Chair" is any current device of the State that is the body's Chair
 * at the record's log index; a member is a State in the body's members as
 * they were when the matter was logged (a Chair who changes the members
 * cannot remove an objector from a pending proposal).  Stakeholder devices
 * (role "stakeholder") may sign only contributions.
 *
 * Time is the log's, never a signer's clock: a matter's deadline is its log
 * time plus its silence period; a position or a withdrawal counts only when
 * its log time is before the deadline (at the deadline the matter is
 * decided and takes no more); a paper's lead time is from each language
 * version's log time to the meeting's start.  Rules changes apply to what
 * is logged after them: a matter keeps the rules of its own log index, a
 * meeting's papers are judged by the rules of the meeting's log index.
 *
 * Device records must also pass the directory's device rules (certified,
 * current, of the header's State, sequence and hash chain), which are
 * dir_check's (it routes the process kinds through them by their rows in
 * lib/kinds.c); proc_check looks the signer up in the directory for its
 * State and role only.  lib/rules.c runs the two in that order, for the hub
 * and for every node.
 */
#ifndef ROSTER_PROCESS_H
#define ROSTER_PROCESS_H

#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

#include "directory.h"
#include "envelope.h"
#include "idmap.h"
#include "procrec.h"

#define PROC_PARTY_MAX 16	/* "XA", "operator" */

/* The States that were members of a body when a matter was logged, sorted.
 * Shared between matters logged under the same membership. */
struct proc_memberset {
	size_t n;
	char (*v)[3];
};

struct proc_body {
	char name[PROC_NAME_MAX];
	int64_t index, time;		/* the body record */
	json_t *title;			/* {lang: text} or NULL */
	char chair[3];
	struct proc_members members;
	struct proc_rules rules;	/* in force now */
	int64_t changed_index;		/* last body-rules, or -1 */
	size_t nchanges;
	const struct proc_memberset *last_set;
};

struct proc_meeting {
	uint8_t id[32];
	int64_t index, time;
	size_t body;
	int64_t start, end;		/* log times, ms */
	json_t *title;
	int64_t lead_ms;		/* the body's rules at the meeting's index */
	struct proc_langs langs;
};

/* One language version of a paper, at its own log time. */
struct proc_version {
	struct proc_file file;
	int64_t index, time;
};

struct proc_paper {
	uint8_t id[32];
	int64_t index, time;
	size_t body;
	int64_t meeting;		/* index into meetings, -1: none */
	char by[PROC_PARTY_MAX];	/* a State code, or "operator" */
	enum proc_audience audience;
	json_t *title;			/* public papers only */
	int64_t contribution;		/* index into contributions, -1: none */
	struct proc_version *v;		/* log order */
	size_t nv;
};

struct proc_position {
	char state[3];
	enum proc_stance stance;
	int64_t index, time;
};

/* A proposal or a stakeholder application: what a silence procedure
 * decides. */
struct proc_matter {
	enum proc_kind kind;		/* PROC_K_PROPOSAL or PROC_K_APPLICATION */
	uint8_t id[32];
	int64_t index, time;
	size_t body;
	char by[PROC_PARTY_MAX];	/* the proposer's State, or "operator" */
	int64_t deadline;		/* log time: time + silence */
	enum proc_visibility objections;	/* the body's rule at index */
	const struct proc_memberset *members;
	int at_once;			/* an application admitted without silence */
	/* proposals */
	enum proc_audience audience;
	char lang[PROC_LANG_MAX];
	json_t *text;			/* public proposals only */
	int64_t meeting, paper;		/* indexes, -1: none */
	/* applications */
	int ecosoc;
	json_t *about;			/* {"name", "website"?, "about"?} */
	struct proc_position *pos;	/* log order */
	size_t npos, cappos;
	int64_t withdrawn_index, withdrawn_time;	/* -1 while not */
	char withdrawn_by[PROC_PARTY_MAX];
};

struct proc_contribution {
	uint8_t id[32];
	int64_t index, time;
	size_t body;
	size_t application;		/* index into matters */
	uint8_t device[32];		/* the stakeholder device that signed */
	struct proc_files files;
};

struct process {
	struct proc_body *bodies;	/* log order */
	size_t nbodies;
	struct proc_meeting *meetings;
	size_t nmeetings;
	struct proc_paper *papers;
	size_t npapers;
	struct proc_matter *matters;
	size_t nmatters;
	struct proc_contribution *contribs;
	size_t ncontribs;
	struct proc_memberset **sets;
	size_t nsets;
	struct idmap ids;		/* record id -> (kind, index into its array) */
	int64_t last_index, last_time;	/* of the last record applied; -1 */
	size_t records;			/* process records applied */
};

struct process *proc_new(void);
void proc_free(struct process *p);

/* Is kind a process record kind? */
int proc_kind(const char *kind);

/* May e stand at log index with log time, given everything applied so far
 * (and d, the directory as of index)?  PROC_OK, or the refusal with rs_err
 * naming the rule broken.  Changes nothing. */
enum proc_result proc_check(struct process *p, struct directory *d,
    const struct envelope *e, int64_t index, int64_t time)
    __attribute__((warn_unused_result));
/* A certificate the operator signed for a stakeholder's device (its form is
 * the directory's rule) stands only while the application it names is
 * accredited at its log time.  PROC_OK for any other certificate. */
enum proc_result proc_check_cert(struct process *p, const struct envelope *e,
    int64_t time) __attribute__((warn_unused_result));
/* Applies e, which proc_check accepted at this index and time. */
void proc_apply(struct process *p, struct directory *d, const struct envelope *e,
    int64_t index, int64_t time);
/* proc_check, then proc_apply when it passed. */
enum proc_result proc_take(struct process *p, struct directory *d,
    const struct envelope *e, int64_t index, int64_t time)
    __attribute__((warn_unused_result));

/* Lookups by name or id; NULL when absent. */
struct proc_body *proc_body(struct process *p, const char *name);
struct proc_matter *proc_matter(struct process *p, const uint8_t id[32]);
struct proc_paper *proc_paper(struct process *p, const uint8_t id[32]);
struct proc_meeting *proc_meeting(struct process *p, const uint8_t id[32]);

/* What a matter came to, as of log time now (at least the log time of
 * every record applied). */
enum proc_status {
	PROC_OPEN = 0,			/* now < deadline */
	PROC_ADOPTED,			/* no objection before the deadline */
	PROC_REJECTED,			/* one objection or more */
	PROC_WITHDRAWN,
};
enum proc_status proc_status(const struct proc_matter *m, int64_t now);
/* Objections and supports logged before the deadline. */
size_t proc_count(const struct proc_matter *m, enum proc_stance stance);
/* Is the application accredited at log time t (admitted, or its silence
 * ended unbroken, and not withdrawn)? */
int proc_accredited(const struct proc_matter *m, int64_t t);
/* May State state take position stance on m at log time time (given every
 * record applied so far)?  PROC_OK; PROC_CLOSED when m was withdrawn,
 * admitted at once or is past its deadline; PROC_FORBIDDEN when state (NULL:
 * none) was not a member when m was logged; PROC_DUPLICATE when state
 * objected already, or took this stance already (a supporter may still
 * object).  rs_err says which, in the words of the refusal.  The hub's
 * check of a position is this (after the signer's kind), and so is what a
 * node offers (roster object, the web's buttons): one rule. */
enum proc_result proc_may_position(const struct process *p, const struct proc_matter *m,
    const char *state, enum proc_stance stance, int64_t time)
    __attribute__((warn_unused_result));
/* May party ("operator" or a State code) withdraw m at log time time?  A
 * proposal: its proposer or the body's Chair; an application: the operator
 * or the Chair; PROC_FORBIDDEN otherwise, then PROC_CLOSED when m is
 * withdrawn or decided.  As proc_may_position, the hub's rule and the
 * node's. */
enum proc_result proc_may_withdraw(const struct process *p, const struct proc_matter *m,
    const char *party, int64_t time) __attribute__((warn_unused_result));
/* Is state in the memberset? */
int proc_member(const struct proc_memberset *s, const char *state);

#endif
