/*
 * views.h - the one view of each thing a POC reads, built from the store
 * and shared by the command line and the web interface: `roster show
 * --json` and GET /api/messages/ID serialize the same message view,
 * `roster inbox --json` and GET /api/inbox the same inbox, `roster
 * directory --json` and GET /api/directory the same directory (views.c).
 * The printers (node/cli) and the pages (share/web) choose what to show
 * and in which words; nothing here is a sentence.  (A check and a
 * consultation have theirs in checks.h and consult.h.)
 */
#ifndef ROSTER_NODE_VIEWS_H
#define ROSTER_NODE_VIEWS_H

#include <stdint.h>
#include <jansson.h>

#include "node.h"

#define VIEWS_WUR __attribute__((warn_unused_result))

enum view_result {
	VIEW_OK,
	VIEW_NOT_FOUND,		/* no such message on this node */
	VIEW_ERROR,		/* the store failed: rs_err */
};

/* A device as every view shows it: {"device" (hex), "fingerprint",
 * "known", and when the directory knows it "state", "role", "name",
 * "email"}. */
json_t *view_device(struct node *n, const uint8_t key[32]);

/* Message id as a reader in lang (one of the six: labels of a template,
 * the template's title) sees it.  Every field is documented in
 * docs/node-api.md (GET /api/messages/ID); in short: the message's own
 * fields, "acknowledged" (in: this State acknowledged it, by an
 * acknowledgement or an answer, "acknowledged_by" saying which; out:
 * every recipient State did), "overdue", "escalated", "notice" (an overdue
 * notice: the message it names and what this node holds of it),
 * "no_forward" and "forward_allowed" (what forwarding it may reach, or
 * why nothing), the template ("template", "template_title",
 * "subject_is_title", "rendered", "rendered_fields", "template_problem",
 * "fields_problem"), a forward's verified "original" with its own
 * "verification" (or "original_error"), "attachments", "consultation",
 * "thread", "verification" (re-checked on the stored bytes now), and for
 * a message this node sent, "recipients" (per device) and "states" (per
 * State: acknowledged by whom and how, overdue, escalations).  The message
 * is not marked read: that is the web's, per account. */
enum view_result message_view(struct node *n, const uint8_t id[32], const char *lang,
    json_t **out) VIEWS_WUR;

/* Received messages, unacknowledged overdue first, then by urgency, then
 * deadline, then newest, at most limit: [{"id", "index", "time", "from",
 * "urgency", "subject", "lang", "tlp", "acknowledged", "overdue",
 * "deadline"?, "escalated"?, "warning"?, "notice"?, "template"?,
 * "template_title"?, "read"? (when user is given: what that account
 * read)}] with labels in lang; NULL with rs_err. */
json_t *inbox_view(struct node *n, const char *user, int limit, const char *lang);

/* Messages this node sent, newest first, at most 500 (store_sent_each):
 * [{"id", "sent", "to", "urgency", "subject", "lang", "tlp", "recipients",
 * "delivered", "acknowledged" (counts of recipient devices; acknowledged
 * by the rule of protocol.md section 3), "template"?, "template_title"?
 * (in lang), "notice"?, "synced_at"? (what the counts are as of),
 * "index"?, "time"?, "error"?}].  GET /api/sent and `roster status
 * --json`'s "sent" list are this one view.  NULL with rs_err. */
json_t *sent_view(struct node *n, const char *lang);

/* The thread of message id (from its first ancestor this node holds),
 * [{id, depth, from, subject, time}] in log order, notices left out. */
json_t *message_thread_json(struct node *n, const uint8_t id[32]);

/* The verified directory: {"own_state", "states": [one per State, even
 * with two root keys: {"state", "root_fingerprint", "index", "roots":
 * [{"fingerprint", "key", "index"}], "warning"?: "second-root-key",
 * "pocs": [{"role", "name", "email", "languages", "fingerprint", "device",
 * "status", "expires", "index", "root_fingerprint", "last_check",
 * "stale"}]}], "groups": [{"name", "title", "states", "index"}]}. */
json_t *directory_view(struct node *n);

/* The process as this node sees it (issue 13), the one read model of the
 * bodies, papers, proposals, positions, deadlines and decisions that
 * `roster decisions --json`, `roster decision show --json` and GET
 * /api/process serialize: lib/procview.c's view of pn (the records this
 * node proved complete) at log time at (-1: the verified checkpoint's),
 * with this State as viewer, and what only this node knows beside it:
 * "state", "verified_size", "dropped", "refused", "act_time" (the log time
 * the next record this device signs is checked at: its clock, never before
 * the last record or the checkpoint), and in each decision "own" (this
 * State's position: "object", "support" or null) and "may" ({"object",
 * "support", "withdraw"}: whether lib's proc_may_position and
 * proc_may_withdraw allow this State that at act_time, so a button is
 * offered exactly when the hub would log the record).  Decisions of one
 * body (body not NULL) or open ones only (open_only), as proc_view_decisions.
 * `roster process` prints lib's view alone, without these, since it is the
 * one to compare byte for byte with the hub's (`rosterd process`). */
struct procnode;
json_t *process_view(struct node *n, const struct procnode *pn, int64_t at,
    const char *body, int open_only);

#endif
