/*
 * fuzz_envelope.c - libFuzzer target for envelopes and the directory rules.
 *
 * The input is what a hub receives on POST /v1/envelopes and what a node
 * receives in every listing: one envelope, or a batch of them.  Each one that
 * parses goes through everything the hub and nodes run on it: env_verify,
 * env_payload_json, seal_recipients and seal_decrypt, and dir_check /
 * dir_check_at against a small fixed directory (operator, the root of XA,
 * one certified device of XA) built once in LLVMFuzzerInitialize from
 * fixed seeds, so the seed corpus in tests/fuzz-corpus/fuzz_envelope can hold
 * envelopes that pass the rules.  Nothing may crash, leak or read outside
 * the input (each envelope of a batch is copied to its own allocation).
 *
 * Invariants that abort:
 *   - a parsed envelope's id is SHA-256 of its bytes, its parts lie inside;
 *   - what passes the rules with the hash chain enforced passes without it;
 *   - a record that passes, once applied (to a fresh copy of the
 *     directory), is refused the second time: no replay.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "directory.h"
#include "envelope.h"
#include "jsonutil.h"
#include "keys.h"
#include "seal.h"
#include "util.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Key seeds shared with the corpus generator: byte n repeated. */
#define SEED_OPERATOR 1
#define SEED_ROOT_XA 2
#define SEED_DEVICE 3
#define SEED_DEVICE_BOX 4

static struct keypair op, root, dev;
static struct buf base[2];	/* admit of XA's root, cert of the device */
static struct directory *D;

static void
seeded(struct keypair *k, int n, int box_n)
{
	uint8_t seed[32];

	memset(k, 0, sizeof(*k));
	memset(seed, n, sizeof(seed));
	crypto_sign_seed_keypair(k->pk, k->sk, seed);
	if (box_n) {
		memset(seed, box_n, sizeof(seed));
		crypto_box_seed_keypair(k->box_pk, k->box_sk, seed);
		k->has_box = 1;
	}
}

static void
build(struct buf *out, const char *kind, json_t *payload, const struct keypair *k)
{
	json_t *h = json_pack("{s:s,s:s,s:I}", "kind", kind, "state", "XA",
	    "time", (json_int_t)1763820000000LL);
	char *t = jdump(payload);

	if (env_build(out, h, t, strlen(t), k->pk, k->sk) != 0)
		abort();
	free(t);
	json_decref(h);
	json_decref(payload);
}

static struct directory *
base_directory(void)
{
	struct directory *d = dir_new(op.pk);

	for (int i = 0; i < 2; i++) {
		struct envelope e;
		if (env_parse(&e, base[i].p, base[i].len) != 0 ||
		    dir_check(d, &e, INT64_MAX, 0, DIR_CHECK_CHAIN) != 0)
			abort();
		dir_apply(d, &e, i);
		env_free(&e);
	}
	return d;
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct buf m = {0};
	uint8_t pop[64];

	jalloc_init();
	if (sodium_init() < 0)
		abort();
	seeded(&op, SEED_OPERATOR, 0);
	seeded(&root, SEED_ROOT_XA, 0);
	seeded(&dev, SEED_DEVICE, SEED_DEVICE_BOX);
	build(&base[0], "admit", json_pack("{s:s,s:o}", "state", "XA",
	    "root_key", jhex(root.pk, 32)), &op);
	dir_pop_message(&m, "XA", dev.pk, dev.box_pk);
	crypto_sign_detached(pop, NULL, m.p, m.len, dev.sk);
	buf_free(&m);
	build(&base[1], "cert", json_pack("{s:s,s:o,s:o,s:s,s:s,s:s,s:o}",
	    "state", "XA", "device", jhex(dev.pk, 32), "box_key", jhex(dev.box_pk, 32),
	    "role", "technical", "name", "Fuzz", "email", "fuzz@example.org",
	    "pop", jb64(pop, 64)), &root);
	D = base_directory();
	return 0;
}

static void
one(const uint8_t *p, size_t n)
{
	struct envelope e;
	uint8_t id[32];

	if (env_parse(&e, p, n) != 0) {
		if (e.h != NULL)
			abort();	/* a failed parse owns nothing */
		return;
	}
	sha256(id, p, n);
	if (memcmp(id, e.id, 32) != 0 || e.raw != p || e.raw_len != n ||
	    e.header != p + 8 || e.payload + e.payload_len != p + n ||
	    e.sig + 64 + 4 != e.payload || e.kind == NULL)
		abort();
	(void)env_verify(&e);

	json_t *j = env_payload_json(&e);
	json_decref(j);

	uint8_t (*devs)[32] = NULL;
	size_t nd = 0;
	if (seal_recipients(e.payload, e.payload_len, &devs, &nd) == 0) {
		if (nd == 0 || nd > 65535)
			abort();
		free(devs);
	}
	struct buf plain = {0};
	(void)seal_decrypt(&plain, e.payload, e.payload_len, &dev);
	buf_free(&plain);

	int chain = dir_check(D, &e, INT64_MAX, 0, DIR_CHECK_CHAIN) == 0;
	int plainck = dir_check(D, &e, INT64_MAX, 0, 0) == 0;
	if (chain && !plainck)
		abort();
	(void)dir_check(D, &e, 0, 0, 0);
	(void)dir_check(D, &e, 1, 0, 0);
	(void)dir_check(D, &e, 2, 0, 0);
	(void)dir_check(D, &e, e.time, 0, 0);

	if (chain) {
		struct directory *d2 = base_directory();
		if (dir_check(d2, &e, INT64_MAX, 0, DIR_CHECK_CHAIN) != 0)
			abort();
		dir_apply(d2, &e, 2);
		if (dir_check(d2, &e, INT64_MAX, 0, DIR_CHECK_CHAIN) == 0)
			abort();	/* accepted twice */
		dir_free(d2);
	}
	env_free(&e);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int64_t first = env_frame_len(data, size);

	one(data, size);
	if (first <= 0 || (size_t)first >= size)
		return 0;
	/* A batch: each envelope on its own, in an allocation of its size. */
	for (size_t off = 0; off < size;) {
		int64_t n = env_frame_len(data + off, size - off);
		if (n <= 0)
			break;
		uint8_t *copy = xmalloc((size_t)n);
		memcpy(copy, data + off, (size_t)n);
		one(copy, (size_t)n);
		free(copy);
		off += (size_t)n;
	}
	return 0;
}
