/*
 * payload.h - what the sealed payload of a message must look like before a
 * node acts on it: the fields it reads have the types it expects.  A
 * payload authenticates its sender, not its good sense: a hostile or buggy
 * node can seal any JSON, so every received payload (and every forwarded
 * original) passes here before it is stored.  The one place where a
 * message's fields are checked; the limits and vocabulary the sender's
 * side applies will join them here.
 */
#ifndef ROSTER_NODE_PAYLOAD_H
#define ROSTER_NODE_PAYLOAD_H

#include <jansson.h>

/* 0, or -1 with rs_err naming the field. */
int message_payload_check(json_t *m) __attribute__((warn_unused_result));

#endif
