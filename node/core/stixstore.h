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

/* The same for a message the accept path is storing now: from its
 * envelope e, log index and (final) payload, read nothing back. */
int stixstore_file_received(struct node *n, struct catalogue *c, const struct envelope *e,
    int64_t index, json_t *payload) __attribute__((warn_unused_result));

/* Objects filed in one transaction by stixstore_file_chunked. */
#define STIX_FILE_CHUNK	500

/* Files logged message id outside any transaction: mapped first, then its
 * objects STIX_FILE_CHUNK a transaction, the last one marking it filed (a
 * sent message, after the transaction that took its receipt; the
 * backfill).  -1 with rs_err on a store failure: what was committed stays,
 * and the next try (the backfill at serve's start) files the rest. */
int stixstore_file_chunked(struct node *n, struct catalogue *c, const uint8_t id[32])
    __attribute__((warn_unused_result));

/* Files every logged message not filed yet (a store from before, or one a
 * failure left out), each as stixstore_file_chunked does; *count (may be NULL)
 * says how many.  -1 with rs_err on a store failure. */
int stixstore_backfill(struct node *n, int *count) __attribute__((warn_unused_result));

#endif
