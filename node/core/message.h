/*
 * message.h - composing, signing, storing and sending a message, whatever
 * made it: `roster send`, a reply, a forward, a consultation step, an
 * overdue notice, or the web's compose page.
 */
#ifndef ROSTER_NODE_MESSAGE_H
#define ROSTER_NODE_MESSAGE_H

#include <stdint.h>
#include <jansson.h>

#include "node.h"

#define MESSAGE_WUR __attribute__((warn_unused_result))

struct seal_recipient;
struct transfer_progress;

/* A message on its way out.  Set to (an audience for audience_resolve) and
 * roles, or fill r/nr/states/rcpt yourself; payload holds subject, body,
 * tlp, lang and whatever else the message carries. */
struct outgoing {
	const char *to;
	const char *roles;
	const char *urgency;
	json_t *payload;
	const uint8_t *parent;		/* thread: the message replied to */
	const char *notice;		/* NULL, or "overdue" */
	/* 1: encrypt to unconfirmed devices too (the sender asked:
	 * --unconfirmed; audience.h).  nunconfirmed: how many of the
	 * audience's devices are unconfirmed (left out, or included). */
	int unconfirmed;
	size_t nunconfirmed;
	struct seal_recipient *r;
	size_t nr;
	json_t *states, *rcpt;
	/* Attachments (attach.h): the files, uploaded by message_send
	 * before signing; the header's list ({sha256, size}) lands in
	 * attachments, the descriptions in payload's "attachments". */
	const char *const *attach;
	size_t nattach;
	const struct transfer_progress *progress;	/* NULL: none shown */
	json_t *attachments;
};
void outgoing_init(struct outgoing *o);
void outgoing_free(struct outgoing *o);

/* What became of a message sent: in the log (index, receipt verified), or
 * queued in the outbox because the hub could not be reached (why). */
struct sent {
	int queued;
	int64_t index;
	char why[RS_ERRLEN];
	char to[1024];			/* the States reached, "XB,XC" */
	size_t devices;
	size_t unconfirmed;		/* devices unconfirmed: left out, or
					 * (unconfirmed_included) included */
	int unconfirmed_included;
};

/* The acknowledgement deadline for an urgency, from the hub's policy. */
int64_t message_deadline_ms(struct node *n, const char *urgency);
/* Signs and stores o in the outbox: in its own transaction, or in the
 * caller's. */
int message_store(struct node *n, struct outgoing *o, uint8_t id[32]) MESSAGE_WUR;
int message_store_txn(struct node *n, struct outgoing *o, uint8_t id[32]) MESSAGE_WUR;
/* Refreshes the directory (a warning when it cannot), uploads the
 * attachments, stores o and flushes the outbox.  0 with *r filled (sent
 * or queued); -1 with rs_err (not enrolled, the audience, the hub refused
 * it, or its answer failed verification: then it stays in the outbox).
 * With n->offline it only stores o (queued; no attachments). */
int message_send(struct node *n, struct outgoing *o, uint8_t id[32], struct sent *r)
    MESSAGE_WUR;

/* Who a reply to parent goes to (its sender, or for a message this node
 * sent its States; all: every State it went to), with the parent's subject
 * prefixed "Re: " and its TLP label as the reply's defaults. */
struct parent_info {
	char to[1024];
	char subject[512];
	char tlp[16];
};
int message_reply_audience(struct node *n, const uint8_t parent[32], int all,
    struct parent_info *p) MESSAGE_WUR;
/* Fills template id from "name=value" pairs into a message payload (id,
 * version, digest, canonical fields; the subject defaults to the
 * template's title in lang).  0, or -1 with rs_err naming the field. */
int message_fill_template(struct node *n, const char *id, const char **kv, size_t nkv,
    const char *lang, json_t *payload) MESSAGE_WUR;

#endif
