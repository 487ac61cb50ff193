/*
 * stixstore.h - a stored message as STIX 2.1, and the objects the node
 * keeps for its TAXII collections (stixstore.c).
 */
#ifndef ROSTER_NODE_STIXSTORE_H
#define ROSTER_NODE_STIXSTORE_H

#include <stdint.h>
#include <jansson.h>

#include "catalogue.h"
#include "node.h"
#include "stixmap.h"

/* The bundle of stored message id (received or sent, logged), mapped now
 * with catalogue c (NULL: the node's): what `roster stix ID` prints,
 * whatever its TLP label.  STIX_MAP_BAD with rs_err when the message is
 * not there, not logged, or cannot be read. */
enum stix_map_result stixstore_bundle(struct node *n, struct catalogue *c,
    const uint8_t id[32], json_t **bundle) __attribute__((warn_unused_result));

/* Files logged message id into its collections, inside the caller's
 * transaction: its objects once each, an entry per collection (received,
 * from-XA, group-NAME of each group XA is in; or sent and the outboxes it
 * was POSTed to), each with a date_added unique on the node.  A message
 * already filed is left alone, and an id that is no message (an
 * acknowledgement's receipt) is nothing to file.  A message that is not mapped (a notice,
 * TLP:RED, a payload the mapping refuses) is recorded as such, not an
 * error: only a store failure is -1, so the caller rolls back and the
 * message is taken again. */
int stixstore_file(struct node *n, struct catalogue *c, const uint8_t id[32])
    __attribute__((warn_unused_result));
/* The same for a message the accept path has just stored, from what it
 * holds: its id, sender State, label (the payload's tlp), log index, signer
 * and signed time, and the payload as stored (the same JSON as the row's
 * content).  The same filing as stixstore_file makes from the row. */
struct stix_received {
	const uint8_t *id;
	const char *sender_state, *tlp;
	int64_t index;
	const uint8_t *signer;
	int64_t signed_ms;
	json_t *payload;
};
int stixstore_file_received(struct node *n, const struct stix_received *r)
    __attribute__((warn_unused_result));

/* Files every logged message not filed yet (a store from before, or one a
 * failure left out), each in its own transaction; *count (may be NULL)
 * says how many.  -1 with rs_err on a store failure. */
int stixstore_backfill(struct node *n, int *count) __attribute__((warn_unused_result));

#endif
