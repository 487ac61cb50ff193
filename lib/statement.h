/*
 * statement.h - what the operator signs: checkpoints and receipts.
 *
 * A checkpoint commits the hub to the whole log at one size, and to the
 * public tree (docs/protocol.md section 8) at that size:
 *
 *   roster-checkpoint-v2\n<origin>\n<size>\n<root hex>\n<time ms>\n
 *   <public size>\n<public root hex>\n
 *
 * signed (Ed25519, detached) by the operator key.  Version 1 is the first
 * five lines alone, what hubs signed before the public tree existed: it is
 * still parsed (a node keeps those it verified, and old cosignatures carry
 * them) but no longer made.  The text is kept and sent
 * verbatim with its signature.  A receipt commits the hub to one envelope at
 * one log index and time:
 *
 *   roster-receipt-v1\n<envelope id hex>\n<index>\n<time ms>\n
 *
 * Both are plain text so that anyone can check them with any Ed25519 tool.
 */
#ifndef ROSTER_STATEMENT_H
#define ROSTER_STATEMENT_H

#include <stdint.h>
#include <jansson.h>

#include "util.h"

#define ORIGIN_MAX 128

struct checkpoint {
	int version;		/* 1 or 2 */
	char origin[ORIGIN_MAX];
	uint64_t size;
	uint8_t root[32];
	int64_t time;
	uint64_t pub_size;	/* v2: public records among the first size */
	uint8_t pub_root[32];	/* v2: the public tree's root over them */
	char *text;		/* the signed body, verbatim (malloc'd) */
	uint8_t sig[64];
};

/* Is s a valid origin (the hub's name): UTF-8 text without control
 * characters, 1 to ORIGIN_MAX-1 bytes? */
int checkpoint_valid_origin(const char *s);
/* Makes and signs a v2 checkpoint.  pub_size <= size; with pub_size 0,
 * pub_root is the empty root. */
void checkpoint_make(struct checkpoint *c, const char *origin, uint64_t size,
    const uint8_t root[32], int64_t time, uint64_t pub_size,
    const uint8_t pub_root[32], const uint8_t sk[64]);
/* Parses a v1 or v2 text (canonical form only) and checks sig against the
 * operator key.  A v2 whose public size exceeds its size, or whose empty
 * public tree has another root than the empty root, is refused. */
int checkpoint_parse(struct checkpoint *c, const char *text, const uint8_t sig[64],
    const uint8_t operator_key[32]) __attribute__((warn_unused_result));
/* Do a and b describe the same tree?  Same size and root and, when both
 * are v2, the same public size and public root (a v1 commits to no public
 * tree).  Two checkpoints of one size that are not the same tree are a
 * split view. */
int checkpoint_same_tree(const struct checkpoint *a, const struct checkpoint *b);
/* {"checkpoint": text, "sig": b64} */
json_t *checkpoint_json(const struct checkpoint *c);
int checkpoint_from_json(struct checkpoint *c, json_t *j, const uint8_t operator_key[32])
    __attribute__((warn_unused_result));
void checkpoint_free(struct checkpoint *c);

struct receipt {
	uint8_t id[32];
	uint64_t index;
	int64_t time;
	uint8_t sig[64];
};

void receipt_make(struct receipt *r, const uint8_t id[32], uint64_t index,
    int64_t time, const uint8_t sk[64]);
int receipt_verify(const struct receipt *r, const uint8_t operator_key[32]);
json_t *receipt_json(const struct receipt *r);
int receipt_from_json(struct receipt *r, json_t *j);

#endif
