/*
 * statement.h - what the operator signs: checkpoints and receipts.
 *
 * A checkpoint commits the hub to the whole log at one size:
 *
 *   roster-checkpoint-v1\n<origin>\n<size>\n<root hex>\n<time ms>\n
 *
 * signed (Ed25519, detached) by the operator key.  The text is kept and sent
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
	char origin[ORIGIN_MAX];
	uint64_t size;
	uint8_t root[32];
	int64_t time;
	char *text;		/* the signed body, verbatim (malloc'd) */
	uint8_t sig[64];
};

/* Is s a valid origin (the hub's name): UTF-8 text without control
 * characters, 1 to ORIGIN_MAX-1 bytes? */
int checkpoint_valid_origin(const char *s);
void checkpoint_make(struct checkpoint *c, const char *origin, uint64_t size,
    const uint8_t root[32], int64_t time, const uint8_t sk[64]);
/* Parses text and checks sig against the operator key. */
int checkpoint_parse(struct checkpoint *c, const char *text, const uint8_t sig[64],
    const uint8_t operator_key[32]);
/* {"checkpoint": text, "sig": b64} */
json_t *checkpoint_json(const struct checkpoint *c);
int checkpoint_from_json(struct checkpoint *c, json_t *j, const uint8_t operator_key[32]);
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
