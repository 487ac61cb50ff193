/*
 * collections.h - the TAXII collections of a node (collections.c): which
 * there are, what each holds, and the outboxes a tool writes to.
 *
 *   received      every message this State received (not TLP:RED)
 *   from-XA       what State XA sent this State
 *   group-NAME    what the States of group NAME sent (members when the
 *                 message arrived)
 *   sent          what this node sent
 *   NAME          an outbox: what a tool POSTs is sent, signed by this
 *                 node, to its audience under its TLP label; it holds
 *                 the messages sent through it once logged
 *
 * Each has a fixed UUID (v5 of its alias in roster's namespace), so a
 * tool's configuration survives a restart and a re-created outbox.
 */
#ifndef ROSTER_NODE_COLLECTIONS_H
#define ROSTER_NODE_COLLECTIONS_H

#include "node.h"
#include "store.h"

#define COLL_NAME_MAX	32		/* an outbox's name */

/* The UUID of the collection called alias. */
void coll_uuid(const char *alias, char out[37]);
/* Makes sure the built-in collection alias exists (received, sent,
 * from-XA, group-NAME); -1 with rs_err for a store error or another
 * alias. */
int coll_ensure(struct node *n, const char *alias) __attribute__((warn_unused_result));
/* 1 when name may be an outbox's: 1 to 32 of a-z 0-9 '-', starting with
 * a letter, and not a built-in alias (received, sent, from-*, group-*). */
int coll_outbox_name_ok(const char *name);
/* May objects labelled tlp be in a TAXII collection?  TLP:RED is for
 * its named recipients, so never: every collection is read by tools. */
int coll_tlp_allowed(const char *tlp);

/* An outbox: where what a tool POSTs goes, and how. */
struct outbox_def {
	const char *name;
	const char *to;			/* an audience as `roster send --to` takes */
	const char *roles;		/* NULL: every role */
	const char *tlp;		/* CLEAR to AMBER+STRICT */
	const char *urgency;		/* NULL: routine */
	const char *subject;		/* for bundles that name no incident or report
					 * (NULL: "Shared through outbox NAME") */
	const char *title, *description;
	const char **kv;		/* default template fields, NAME=VALUE */
	size_t nkv;
};
/* Checks d (the audience resolves now, the label, urgency and fields are
 * of the incident notification) and stores it; -1 with rs_err. */
int coll_outbox_add(struct node *n, const struct outbox_def *d)
    __attribute__((warn_unused_result));

#endif
