/*
 * fuzz_statement.c - libFuzzer target for checkpoints, receipts and the
 * compact ranges a node keeps of the public tree.
 *
 * A node reads checkpoints and receipts from a hub it does not trust, as JSON
 * (GET /v1/checkpoint, the listings, the answer to POST /v1/envelopes).  The
 * input is treated as such JSON text: checkpoint_from_json (with a fixed
 * operator key, seeded as in fuzz_envelope) and receipt_from_json run on it,
 * and on every array element and object member down a few levels, so the
 * shapes of the real answers ({"checkpoint":{...},"records":[...]},
 * {"results":[{"receipt":{...}}]}) are reached.
 *
 * The signature cannot be forged by a fuzzer, so the checkpoint text parser
 * is also driven directly: when the input starts like a checkpoint, it is
 * signed here with the operator key and parsed.  Invariants that abort:
 *   - a checkpoint accepted is exactly the text checkpoint_make writes for
 *     the values read (one spelling per statement), and its JSON form reads
 *     back to the same text;
 *   - a receipt read from JSON writes back to JSON that reads back equal;
 *   - an input starting "RMF1" is parsed as a serialized compact range
 *     (lib/merkle.h), which a node reads back from its own store: one
 *     accepted serializes to exactly the input, and its root is computed
 *     without touching more than its hashes.
 * Both checkpoint versions are driven: v2 (what hubs sign) and v1 (what
 * they signed before the public tree, still read).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "jsonutil.h"
#include "merkle.h"
#include "statement.h"
#include "util.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define SEED_OPERATOR 1
#define CP_HEAD_V1 "roster-checkpoint-v1\n"
#define CP_HEAD_V2 "roster-checkpoint-v2\n"

static uint8_t op_pk[32], op_sk[64];

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	uint8_t seed[32];

	jalloc_init();
	if (sodium_init() < 0)
		abort();
	memset(seed, SEED_OPERATOR, sizeof(seed));
	crypto_sign_seed_keypair(op_pk, op_sk, seed);
	return 0;
}

/* An accepted checkpoint has one spelling, and survives its JSON form. */
static void
check_checkpoint(const struct checkpoint *c)
{
	struct checkpoint again, back;

	if (c->version != 1 && c->version != 2)
		abort();
	if (c->pub_size > c->size)
		abort();
	if (c->version == 2) {
		checkpoint_make(&again, c->origin, c->size, c->root, c->time,
		    c->pub_size, c->pub_root, op_sk);
		if (strcmp(again.text, c->text) != 0 || !checkpoint_same_tree(&again, c))
			abort();
		checkpoint_free(&again);
	}
	json_t *j = checkpoint_json(c);
	if (checkpoint_from_json(&back, j, op_pk) != 0 ||
	    strcmp(back.text, c->text) != 0 || back.size != c->size ||
	    back.time != c->time || memcmp(back.root, c->root, 32) != 0 ||
	    back.version != c->version || !checkpoint_same_tree(&back, c))
		abort();
	checkpoint_free(&back);
	json_decref(j);
}

static void
statements(json_t *j, int depth)
{
	struct checkpoint c;
	struct receipt r, back;
	size_t i;
	const char *k;
	json_t *v;

	if (checkpoint_from_json(&c, j, op_pk) == 0) {
		check_checkpoint(&c);
		checkpoint_free(&c);
	} else if (c.text != NULL)
		abort();	/* a refusal owns nothing */
	if (receipt_from_json(&r, j) == 0) {
		(void)receipt_verify(&r, op_pk);
		json_t *o = receipt_json(&r);
		memset(&back, 0, sizeof(back));
		if (receipt_from_json(&back, o) != 0 ||
		    memcmp(back.id, r.id, 32) != 0 || back.index != r.index ||
		    back.time != r.time || memcmp(back.sig, r.sig, 64) != 0)
			abort();
		json_decref(o);
	}
	if (depth >= 4)
		return;
	if (json_is_array(j)) {
		json_array_foreach(j, i, v)
			statements(v, depth + 1);
	} else if (json_is_object(j)) {
		json_object_foreach(j, k, v)
			statements(v, depth + 1);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_t *j = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, NULL);

	if (j != NULL) {
		statements(j, 0);
		json_decref(j);
	}
	/* A compact range as a node stores it. */
	if (size >= 4 && memcmp(data, MERKLE_FRONTIER_MAGIC, 4) == 0) {
		struct merkle_frontier f;
		struct buf b = {0};
		uint8_t root[32];
		if (merkle_frontier_parse(&f, data, size) == 0) {
			merkle_frontier_serialize(&f, &b);
			if (b.len != size || memcmp(b.p, data, size) != 0)
				abort();
			merkle_frontier_root(&f, root);
			if (f.size < UINT64_MAX && merkle_frontier_append(&f, root) != 0)
				abort();
			buf_free(&b);
		} else if (f.size != 0)
			abort();	/* a refusal leaves the empty range */
	}
	/* The text parser itself, behind a valid signature. */
	if (size >= strlen(CP_HEAD_V1) && size <= 1100 &&
	    (memcmp(data, CP_HEAD_V1, strlen(CP_HEAD_V1)) == 0 ||
	    memcmp(data, CP_HEAD_V2, strlen(CP_HEAD_V2)) == 0)) {
		char *text = xmalloc(size + 1);
		struct checkpoint c;
		uint8_t sig[64];
		memcpy(text, data, size);
		text[size] = '\0';
		crypto_sign_detached(sig, NULL, (const uint8_t *)text, strlen(text), op_sk);
		if (checkpoint_parse(&c, text, sig, op_pk) == 0) {
			if (strcmp(c.text, text) != 0)
				abort();
			check_checkpoint(&c);
			checkpoint_free(&c);
		}
		free(text);
	}
	return 0;
}
