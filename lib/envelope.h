/*
 * envelope.h - the unit of everything roster knows.
 *
 * An envelope is signed header bytes + signature + payload:
 *
 *   "RSE1"  u32be header_len  header  signature[64]  u32be payload_len  payload
 *
 * The header is a JSON object serialized once, by the signer, and from then on
 * stored and sent verbatim: the signature covers the exact bytes, so nothing
 * is ever re-serialized to be checked.  The header carries the payload's
 * length and SHA-256, so the one signature covers the payload too.
 *
 * The envelope id is SHA-256 of all the envelope bytes.  docs/protocol.md
 * lists the header fields per kind.
 */
#ifndef ROSTER_ENVELOPE_H
#define ROSTER_ENVELOPE_H

#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

#include "kinds.h"
#include "util.h"

#define ENV_MAGIC "RSE1"
#define ENV_MAX_HEADER 65536
#define ENV_MAX_PAYLOAD (64u << 20)
#define ENV_SIG_DOMAIN "roster-envelope-v1\n"

struct envelope {
	const uint8_t *raw;		/* borrowed: the caller keeps it alive */
	size_t raw_len;
	const uint8_t *header;
	size_t header_len;
	const uint8_t *sig;
	const uint8_t *payload;
	size_t payload_len;
	uint8_t id[32];

	json_t *h;			/* parsed header (owned) */
	const char *kind;
	enum kind kind_id;		/* KIND_UNKNOWN for a name lib/kinds.c lacks */
	const char *state;		/* NULL when absent */
	uint8_t key[32];		/* signer's Ed25519 public key */
	int64_t time;			/* signer's clock, ms */
	int64_t seq;			/* 0 when absent */
	int has_prev;
	uint8_t prev[32];
};

/* Parses one envelope occupying exactly len bytes.  Checks framing, header
 * JSON, the required fields and the payload digest; not the signature. */
int env_parse(struct envelope *e, const uint8_t *raw, size_t len);
/* Length of the envelope at the start of raw (for concatenated batches), or
 * -1 when raw does not start with a complete envelope. */
int64_t env_frame_len(const uint8_t *raw, size_t len);
int env_verify(const struct envelope *e);	/* signature */
void env_free(struct envelope *e);

/* Builds and signs an envelope.  hdr holds the kind-specific fields; v, key,
 * time (unless present), payload_len and payload_sha256 are added. */
int env_build(struct buf *out, json_t *hdr, const void *payload, size_t len,
    const uint8_t pk[32], const uint8_t sk[64]);

/* Header accessors (NULL / 0 when absent or of the wrong type). */
const char *env_str(const struct envelope *e, const char *field);
json_t *env_field(const struct envelope *e, const char *field);
/* The payload parsed as JSON (for plaintext kinds), or NULL with rs_err. */
json_t *env_payload_json(const struct envelope *e);

/* The log leaf for an envelope: envelope id || u64be log time (ms). */
#define LEAF_DATA_LEN 40
void env_leaf_data(uint8_t out[LEAF_DATA_LEN], const uint8_t id[32], int64_t time);
void env_leaf_hash(uint8_t out[32], const uint8_t id[32], int64_t time);

#endif
