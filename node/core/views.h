/*
 * views.h - read models built from the store, shared by the command line
 * and the web interface.  (Today the message page of each still builds
 * its own message view; one view per thing, serialized alike by `roster
 * show --json` and /api/messages/ID, belongs here.)
 */
#ifndef ROSTER_NODE_VIEWS_H
#define ROSTER_NODE_VIEWS_H

#include <stdint.h>
#include <jansson.h>

#include "node.h"

/* Received messages for the inbox, the unacknowledged overdue ones first,
 * then by urgency, newest first; NULL with rs_err. */
json_t *inbox_json(struct node *n, int limit);
/* The thread of message id (from its first ancestor this node holds),
 * [{id, depth, from, subject, time}] in log order, notices left out. */
json_t *message_thread_json(struct node *n, const uint8_t id[32]);
/* A message written on a template (its decrypted content): the template's
 * title and its fields rendered in this node's language, and whether the
 * sender's version differs from this node's; NULL when not templated. */
json_t *message_template_view(struct node *n, json_t *content);

#endif
