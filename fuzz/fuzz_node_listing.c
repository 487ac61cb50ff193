/*
 * fuzz_node_listing.c - libFuzzer target for a node taking in a page of a
 * feed from the hub (docs/protocol.md sections 5 and 8: {"checkpoint": ...,
 * "records": [{index, time, envelope, proof, pindex?}], "more": ...}) and
 * the hub's answer to the proof requests the page may need (a consistency
 * proof for a new checkpoint, a leaf of the public tree for a gap).
 *
 * Everything after the HTTP fetch of fetch_feed in node/core/sync.c runs:
 * sync_page_check, that is checkpoint verification (signature, origin,
 * consistency with the latest checkpoint the node holds), each record's
 * inclusion proof, the envelope's parse and signature and a message's
 * decryption (node/core/page.c), the public feed's checks 1 to 3 with its
 * gaps and root (node/core/public.c); then, in a transaction,
 * sync_page_take: the checkpoint against the store (downgrade, same size
 * same tree, the public records held), the directory's rules and the
 * own-State alarm for public records, mail acceptance (node/core/accept.c:
 * sequence, acks, the "delivered" acknowledgement), alarms and refusals.
 *
 * LLVMFuzzerInitialize makes a node folder with the node's own functions
 * (config_save/config_load, store_open, a device key from keys.h, the
 * directory), for State XA, pinning an operator key whose public half is in
 * the config.  It then gives the node, through sync_page_check and
 * sync_page_take themselves, the first three records of a small log (admit
 * XA, cert of this device A, cert of device B) as a public page under a
 * checkpoint of size 3 whose public root they reach, and records a message
 * "sent" by A to B (so acknowledgements have something to acknowledge).
 * All keys come from fixed seeds (32 equal bytes: 0x31 operator, 0x32 XA
 * root, 0x33/0x34 device A, 0x35/0x36 device B, 0x37 XB root, 0x38/0x39
 * device G of XB) and all times are fixed, so the seed corpus holds
 * checkpoints the node accepts and records that pass every check.
 *
 * A proof is fetched over HTTP (verify.c, public.c, through
 * node/core/hubclient.c): the node's hub URL points at a small server in
 * this process whose only answer, for any request, is the one the input
 * supplies.
 *
 * Input:
 *   byte 0   flags: bits 0-1 the feed (1 mail; 0, 2, 3 the public records:
 *            the directory, cosignature and checks listings of the seeds
 *            written before section 8 are public pages now); bits 2-4 the
 *            HTTP status of the proof answer (200, 200, 200, 200, 400, 404,
 *            500, 301).
 *   then     the page's JSON text, up to the first NUL (or the end);
 *   then     the body of the proof answers, up to the next NUL (or the end);
 *   then     if there is that NUL, the body of the answers to GET
 *            /v1/proof/public, the one before being those to GET
 *            /v1/proof/consistency.
 *
 * FUZZ_VERBOSE=1 in the environment prints each outcome (to check seeds).
 *
 * Each input runs in a transaction that is rolled back, and the node's
 * in-memory directory is reloaded afterwards, so every input starts from the
 * same node.  Invariants that abort: a page taken moves its cursor, if at
 * all, forward and only to an index below its checkpoint's size (the
 * public feed may also go back to its verified point, never below it), so
 * that no one page can make the node skip records it has not seen yet; the
 * size up to which the directory is complete only grows, and only to a
 * checkpoint whose public size and root the records taken reach; every
 * record stored was proved into a checkpoint the node accepted (idx below
 * checked_size, id the hash of the bytes stored); taking asks the network
 * nothing (no transport error) and never makes the store fail.
 */
#include <ftw.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "checkrec.h"
#include "core/node.h"
#include "core/store.h"
#include "core/public.h"
#include "core/sync.h"
#include "core/verify.h"
#include "directory.h"
#include "envelope.h"
#include "http.h"
#include "jsonutil.h"
#include "keys.h"
#include "merkle.h"
#include "seal.h"
#include "statement.h"
#include "util.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_MAX_INPUT	(256 * 1024)
#define T0		1763820000000LL	/* header and log times start here */
#define HUB_NAME	"Fuzz hub"
#define BASE_SIZE	3		/* public records the node holds before each input */
#define BASE_LOG	8		/* the log they are complete up to */
#define SEED_LOG	11		/* the log of the seeds: the base, a check, two answers */

enum { K_OP, K_ROOT, K_A, K_B, K_ROOT_XB, K_G, NKEYS };
static const int key_seed[NKEYS] = { 0x31, 0x32, 0x33, 0x35, 0x37, 0x38 };
static const int box_seed[NKEYS] = { 0, 0, 0x34, 0x36, 0, 0x39 };
static struct keypair keys[NKEYS];
/* The id of the message A "sent" to B, which acks may refer to. */
static const uint8_t sent_id[32] = {
	0x58, 0x58, 0x58, 0x58, 0x58, 0x58, 0x58, 0x58, 0x58, 0x58, 0x58,
	0x58, 0x58, 0x58, 0x58, 0x58, 0x58, 0x58, 0x58, 0x58, 0x58, 0x58,
	0x58, 0x58, 0x58, 0x58, 0x58, 0x58, 0x58, 0x58, 0x58, 0x58
};

static char nodedir[] = "/tmp/fuzz_node_listing.XXXXXX";
static struct node node;
static struct http_server *srv;
static int verbose;		/* FUZZ_VERBOSE set: print each outcome */

/* The proof answers of the current input (read by the server thread while
 * the fuzzing thread waits for it): one body for every request, or, when
 * the input holds a second NUL, one for /v1/proof/consistency and one for
 * /v1/proof/public. */
static int answer_status;
static const uint8_t *answer_body, *public_body;
static size_t answer_len, public_len;

/* ---- the log (shared with the corpus generator) --------------------------- */

static void
seeded(struct keypair *k, int n, int box_n)
{
	uint8_t seed[32];

	memset(seed, n, sizeof(seed));
	crypto_sign_seed_keypair(k->pk, k->sk, seed);
	if (box_n) {
		memset(seed, box_n, sizeof(seed));
		crypto_box_seed_keypair(k->box_pk, k->box_sk, seed);
		k->has_box = 1;
	}
}

static void
build(struct buf *out, json_t *hdr, const char *state, const void *payload,
    size_t len, const struct keypair *k)
{
	json_object_set_new(hdr, "state", json_string(state));
	json_object_set_new(hdr, "time", json_integer(T0));
	if (env_build(out, hdr, payload, len, k->pk, k->sk) != 0)
		abort();
	json_decref(hdr);
}

static void
build_json(struct buf *out, json_t *hdr, const char *state, json_t *payload,
    const struct keypair *k)
{
	char *t = jdump(payload);

	build(out, hdr, state, t, strlen(t), k);
	free(t);
	json_decref(payload);
}

static void
make_admit(struct buf *out, const char *state, const struct keypair *root)
{
	build_json(out, json_pack("{s:s}", "kind", "admit"), state,
	    json_pack("{s:s,s:o}", "state", state, "root_key", jhex(root->pk, 32)),
	    &keys[K_OP]);
}

static void
make_cert(struct buf *out, const char *state, const struct keypair *root,
    const struct keypair *d)
{
	struct buf m = {0};
	uint8_t pop[64];

	dir_pop_message(&m, state, d->pk, d->box_pk);
	crypto_sign_detached(pop, NULL, m.p, m.len, d->sk);
	buf_free(&m);
	build_json(out, json_pack("{s:s}", "kind", "cert"), state,
	    json_pack("{s:s,s:o,s:o,s:s,s:s,s:s,s:[s],s:I,s:I,s:o}", "state", state,
	    "device", jhex(d->pk, 32), "box_key", jhex(d->box_pk, 32), "role",
	    "technical", "name", "Fuzz", "email", "fuzz@example.org", "languages",
	    "en", "issued", (json_int_t)T0, "expires", (json_int_t)(T0 + 86400000000LL),
	    "pop", jb64(pop, 64)), root);
}

/*
 * Sealed payloads draw random bytes (the content key, the sealed boxes'
 * ephemeral keys), and the base log must be the same bytes in every run so
 * that the seeds' checkpoints and proofs are the node's: the target's
 * random bytes come from a deterministic stream, restarted by base_log.
 */
static uint64_t rng_counter;

static const char *
rng_name(void)
{
	return "fuzz_node_listing";
}

static void
rng_buf(void *const buf, const size_t size)
{
	uint8_t seed[randombytes_SEEDBYTES] = "fuzz_node_listing";

	memcpy(seed + 24, &rng_counter, sizeof(rng_counter));
	rng_counter++;
	randombytes_buf_deterministic(buf, size, seed);
}

static uint32_t
rng_random(void)
{
	uint32_t v;

	rng_buf(&v, sizeof(v));
	return v;
}

static struct randombytes_implementation rng = {
	.implementation_name = rng_name,
	.random = rng_random,
	.buf = rng_buf,
};

/* A message from device k to device to (sealed to it, or garbage when
 * sealed is 0), with sequence number seq. */
static void
make_mail(struct buf *out, int k, int to, int64_t seq, int sealed)
{
	struct seal_recipient r;
	struct buf pay = {0};
	json_t *hdr;
	const char *m = "{\"subject\":\"fuzz\",\"body\":\"b\",\"tlp\":\"AMBER\","
	    "\"lang\":\"en\",\"sent\":1763820000000}";

	memcpy(r.device, keys[to].pk, 32);
	memcpy(r.box_pk, keys[to].box_pk, 32);
	if (sealed) {
		if (seal_encrypt(&pay, m, strlen(m), &r, 1) != 0)
			abort();
	} else
		buf_add(&pay, "RSP1 not a sealed payload", 25);
	hdr = json_pack("{s:s,s:[s],s:[o],s:s,s:I,s:I}", "kind", "msg", "to", "XA", "rcpt",
	    jhex(keys[to].pk, 32), "urgency", "routine", "deadline",
	    (json_int_t)(T0 + 86400000), "seq", (json_int_t)seq);
	build(out, hdr, "XA", pay.p, pay.len, &keys[k]);
	buf_free(&pay);
}

/* The log every input starts from: three public records (admit XA, cert of
 * this device A, cert of device B), then mail: two messages from B to A
 * (3, 4), B's "delivered" acknowledgement of the message A sent B (5), a
 * message from B that does not open (6), and one from A to B (7), which is
 * not A's mail.  The node holds the public records, complete up to 8. */
static void
base_log(struct buf out[BASE_LOG])
{
	struct seal_recipient r;
	struct buf pay = {0};
	json_t *hdr;

	memset(out, 0, BASE_LOG * sizeof(*out));
	rng_counter = 0;
	make_admit(&out[0], "XA", &keys[K_ROOT]);
	make_cert(&out[1], "XA", &keys[K_ROOT], &keys[K_A]);
	make_cert(&out[2], "XA", &keys[K_ROOT], &keys[K_B]);
	make_mail(&out[3], K_B, K_A, 1, 1);
	make_mail(&out[4], K_B, K_A, 2, 1);
	memcpy(r.device, keys[K_A].pk, 32);
	memcpy(r.box_pk, keys[K_A].box_pk, 32);
	if (seal_encrypt(&pay, "{\"note\":\"\"}", 11, &r, 1) != 0)
		abort();
	hdr = json_pack("{s:s,s:o,s:s,s:[o],s:I}", "kind", "ack", "ref", jhex(sent_id, 32),
	    "status", "delivered", "rcpt", jhex(keys[K_A].pk, 32), "seq", (json_int_t)3);
	build(&out[5], hdr, "XA", pay.p, pay.len, &keys[K_B]);
	buf_free(&pay);
	make_mail(&out[6], K_B, K_A, 4, 0);
	make_mail(&out[7], K_A, K_B, 1, 1);
}

static int64_t
log_time(uint64_t idx)
{
	return T0 + 1000 * (int64_t)idx;
}

/* A tree over the given envelopes at log times log_time(i), in dir. */
static struct merkle_tree *
tree_of(const char *dir, const struct buf *envs, size_t n)
{
	struct merkle_tree *t;
	uint8_t id[32], leaf[32];

	if (mkdir_p(dir, 0700) != 0 || merkle_open(&t, dir, 0) != 0)
		abort();
	for (size_t i = 0; i < n; i++) {
		sha256(id, envs[i].p, envs[i].len);
		env_leaf_hash(leaf, id, log_time(i));
		if (merkle_append(t, leaf) != 0)
			abort();
	}
	return t;
}

static json_t *
proof_json(struct merkle_tree *t, uint64_t idx, uint64_t size)
{
	uint8_t proof[MERKLE_MAX_PROOF][32];
	json_t *a = json_array();
	size_t np;

	if (merkle_inclusion_proof(t, idx, size, proof, &np) != 0)
		abort();
	for (size_t i = 0; i < np; i++)
		json_array_append_new(a, jb64(proof[i], 32));
	return a;
}

/* The public tree over the first size of envs (docs/protocol.md 8). */
static uint64_t
public_root(const struct buf *envs, uint64_t size, uint8_t root[32])
{
	uint8_t (*leaves)[32] = xcalloc(size + 1, 32);
	struct envelope e;
	uint64_t n = 0;

	for (uint64_t i = 0; i < size; i++) {
		if (env_parse(&e, envs[i].p, envs[i].len) != 0)
			abort();
		if (record_is_public(&e))
			merkle_public_leaf(leaves[n++], i, e.id, log_time(i));
		env_free(&e);
	}
	merkle_root_of(root, (const uint8_t (*)[32])leaves, n);
	free(leaves);
	return n;
}

/* A page: the checkpoint of size over t (signed by the operator, at time
 * cp_time) and the records of envs with indexes in [from, to), each public
 * one with its public index when pindex is set. */
static json_t *
page_json(struct merkle_tree *t, uint64_t size, int64_t cp_time,
    const struct buf *envs, uint64_t from, uint64_t to, int more, int pindex)
{
	struct checkpoint cp;
	uint8_t root[32], proot[32];
	json_t *recs = json_array(), *j;
	uint64_t pub;

	if (merkle_root(t, size, root) != 0)
		abort();
	pub = public_root(envs, size, proot);
	checkpoint_make(&cp, HUB_NAME, size, root, cp_time, pub, proot,
	    keys[K_OP].sk);
	for (uint64_t i = from; i < to; i++) {
		json_t *o = json_pack("{s:I,s:I,s:o,s:o}", "index",
		    (json_int_t)i, "time", (json_int_t)log_time(i), "envelope",
		    jb64(envs[i].p, envs[i].len), "proof", proof_json(t, i, size));
		if (pindex) {
			uint8_t ignored[32];
			struct envelope e;
			if (env_parse(&e, envs[i].p, envs[i].len) != 0)
				abort();
			if (record_is_public(&e))
				json_object_set_new(o, "pindex",
				    json_integer((json_int_t)public_root(envs, i, ignored)));
			env_free(&e);
		}
		json_array_append_new(recs, o);
	}
	j = json_pack("{s:o,s:o,s:b}", "checkpoint", checkpoint_json(&cp),
	    "records", recs, "more", more);
	checkpoint_free(&cp);
	return j;
}

/* The log of the seeds: the base log, an operator's check to A and B
 * (index 8) and both answers (9, 10). */
static void
seed_log(struct buf envs[SEED_LOG])
{
	uint8_t id[32];
	char *p;

	base_log(envs);
	memset(&envs[BASE_LOG], 0, (SEED_LOG - BASE_LOG) * sizeof(envs[0]));
	p = checkrec_payload(NULL, NULL);
	build(&envs[8], json_pack("{s:s,s:[s],s:[o,o],s:I}", "kind", "check", "to", "XA",
	    "rcpt", jhex(keys[K_A].pk, 32), jhex(keys[K_B].pk, 32), "deadline",
	    (json_int_t)(log_time(8) + 3600000)), "XA", p, strlen(p), &keys[K_OP]);
	free(p);
	sha256(id, envs[8].p, envs[8].len);
	for (int i = 0; i < 2; i++) {
		json_t *h = checkrec_answer_header(id);
		json_object_set_new(h, "seq", json_integer(i == 0 ? 2 : 5));
		build(&envs[9 + i], h, "XA", "{}", 2, &keys[i == 0 ? K_A : K_B]);
	}
}

/* GET /v1/proof/public's answer for leaf k of the public tree of the first
 * size records of envs. */
static json_t *
public_proof_json(const char *dir, const struct buf *envs, uint64_t size, uint64_t k)
{
	uint8_t leaf[32], id[32];
	struct merkle_tree *pt;
	struct envelope e;
	uint64_t n = 0;
	int64_t idx = -1;
	json_t *j;

	if (mkdir_p(dir, 0700) != 0 || merkle_open(&pt, dir, 0) != 0)
		abort();
	for (uint64_t i = 0; i < size; i++) {
		if (env_parse(&e, envs[i].p, envs[i].len) != 0)
			abort();
		if (record_is_public(&e)) {
			merkle_public_leaf(leaf, i, e.id, log_time(i));
			if (merkle_append(pt, leaf) != 0)
				abort();
			if (n == k) {
				idx = (int64_t)i;
				memcpy(id, e.id, 32);
			}
			n++;
		}
		env_free(&e);
	}
	if (idx < 0)
		abort();
	j = json_pack("{s:I,s:I,s:I,s:I,s:o,s:I,s:o}", "size", (json_int_t)size,
	    "pub_size", (json_int_t)n, "pindex", (json_int_t)k, "index", (json_int_t)idx,
	    "id", jhex(id, 32), "time", (json_int_t)log_time((uint64_t)idx), "proof",
	    proof_json(pt, k, n));
	merkle_close(pt);
	return j;
}

static void
write_seed(const char *dir, const char *name, int flags, json_t *page, json_t *consistency,
    json_t *pub)
{
	struct buf out = {0};
	uint8_t f = (uint8_t)flags;
	char path[4096], *text;

	buf_add(&out, &f, 1);
	text = jdump(page);
	buf_add(&out, text, strlen(text) + 1);
	free(text);
	if (consistency != NULL) {
		text = jdump(consistency);
		buf_add(&out, text, strlen(text));
		free(text);
	}
	if (pub != NULL) {
		buf_add(&out, "", 1);
		text = jdump(pub);
		buf_add(&out, text, strlen(text));
		free(text);
	}
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (write_file_atomic(path, out.p, out.len, 0644) != 0)
		abort();
	buf_free(&out);
}

/* A version 1 checkpoint of size over t, as hubs signed before section 8. */
static json_t *
checkpoint_v1_json(struct merkle_tree *t, uint64_t size)
{
	uint8_t root[32], sig[64];
	char hex[65], text[512];

	if (merkle_root(t, size, root) != 0)
		abort();
	sodium_bin2hex(hex, sizeof(hex), root, 32);
	snprintf(text, sizeof(text), "roster-checkpoint-v1\n%s\n%llu\n%s\n%lld\n", HUB_NAME,
	    (unsigned long long)size, hex, (long long)(T0 + 130000));
	crypto_sign_detached(sig, NULL, (const uint8_t *)text, strlen(text), keys[K_OP].sk);
	return json_pack("{s:s,s:o}", "checkpoint", text, "sig", jb64(sig, 64));
}

static void
flip_envelope(json_t *rec)
{
	struct buf raw = {0};

	if (jb64_req(rec, "envelope", &raw) != 0)
		abort();
	raw.p[raw.len - 3] ^= 1;
	json_object_set_new(rec, "envelope", jb64(raw.p, raw.len));
	buf_free(&raw);
}

/* The seeds of tests/fuzz-corpus/fuzz_node_listing, into dir
 * (FUZZ_WRITE_SEEDS=DIR).  Public pages after the base at a checkpoint of
 * size 11, with the consistency proof from the base checkpoint (8), and
 * when a record is left out the hub's proof of the leaf the node asks for:
 *   public-11              every record: complete at 11
 *   public-11-gap          the first answer (9) left out: a gap, public
 *                          index 4 proved (public-omitted naming 9)
 *   public-11-last-dropped the last record dropped and "more": false: public
 *                          index 5 proved (public-omitted naming 10)
 *   public-11-renumbered   9 left out and 10 served at public index 4: the
 *                          root fails, the search asks for leaves 4 then 3
 *   public-11-flipped      a byte of the check flipped: bad-record, the feed
 *                          stops before it
 *   public-11-v1           the same page under a version 1 checkpoint: a
 *                          downgrade, refused
 *   public-8-same          an empty page at the base checkpoint
 * and mail pages at the base checkpoint (no proof needed):
 *   mail-8                 the mail: two messages and an acknowledgement
 *                          taken, one that does not open refused, one not
 *                          addressed to A an alarm
 *   mail-8-flipped         the first message's payload byte flipped: an alarm
 *   mail-8-retake          the second message alone */
static void
write_seeds(const char *dir, const char *treedir)
{
	struct buf envs[SEED_LOG];
	uint8_t proof[MERKLE_MAX_PROOF][32];
	char pdir[4096];
	struct merkle_tree *t;
	json_t *page, *ans, *arr, *pub, *recs;
	size_t np;

	seed_log(envs);
	t = tree_of(treedir, envs, SEED_LOG);
	if (merkle_consistency_proof(t, BASE_LOG, SEED_LOG, proof, &np) != 0)
		abort();
	arr = json_array();
	for (size_t i = 0; i < np; i++)
		json_array_append_new(arr, jb64(proof[i], 32));
	ans = json_pack("{s:i,s:i,s:o}", "from", BASE_LOG, "to", SEED_LOG, "proof", arr);

	page = page_json(t, SEED_LOG, T0 + 120000, envs, 8, 11, 0, 1);
	write_seed(dir, "public-11", 0, page, ans, NULL);
	flip_envelope(json_array_get(json_object_get(page, "records"), 0));
	write_seed(dir, "public-11-flipped", 0, page, ans, NULL);
	json_decref(page);
	page = page_json(t, SEED_LOG, T0 + 120000, envs, 8, 11, 0, 1);
	json_object_set_new(page, "checkpoint", checkpoint_v1_json(t, SEED_LOG));
	write_seed(dir, "public-11-v1", 0, page, ans, NULL);
	json_decref(page);

	snprintf(pdir, sizeof(pdir), "%s-pub4", treedir);
	pub = public_proof_json(pdir, envs, SEED_LOG, 4);
	page = page_json(t, SEED_LOG, T0 + 120000, envs, 8, 11, 0, 1);
	recs = json_object_get(page, "records");
	json_array_remove(recs, 1);
	write_seed(dir, "public-11-gap", 0, page, ans, pub);
	json_object_set_new(json_array_get(recs, 1), "pindex", json_integer(4));
	write_seed(dir, "public-11-renumbered", 0, page, ans, pub);
	json_decref(page);
	json_decref(pub);

	snprintf(pdir, sizeof(pdir), "%s-pub5", treedir);
	pub = public_proof_json(pdir, envs, SEED_LOG, 5);
	page = page_json(t, SEED_LOG, T0 + 120000, envs, 8, 10, 0, 1);
	write_seed(dir, "public-11-last-dropped", 0, page, ans, pub);
	json_decref(page);
	json_decref(pub);

	page = page_json(t, BASE_LOG, T0 + 60000, envs, 8, 8, 0, 1);
	write_seed(dir, "public-8-same", 0, page, NULL, NULL);
	json_decref(page);

	page = page_json(t, BASE_LOG, T0 + 60000, envs, 3, 8, 0, 0);
	write_seed(dir, "mail-8", 1, page, NULL, NULL);
	flip_envelope(json_array_get(json_object_get(page, "records"), 0));
	write_seed(dir, "mail-8-flipped", 1, page, NULL, NULL);
	json_decref(page);
	page = page_json(t, BASE_LOG, T0 + 60000, envs, 4, 5, 0, 0);
	write_seed(dir, "mail-8-retake", 1, page, NULL, NULL);
	json_decref(page);

	json_decref(ans);
	merkle_close(t);
	for (int i = 0; i < SEED_LOG; i++)
		buf_free(&envs[i]);
}

/* ---- the hub's consistency answer ------------------------------------------ */

static void
answer(void *ctx, const struct http_req *req, struct http_resp *resp)
{
	int pub = public_body != NULL && strcmp(req->path, "/v1/proof/public") == 0;

	resp->status = answer_status;
	buf_free(&resp->body);
	if (pub)
		buf_add(&resp->body, public_body, public_len);
	else
		buf_add(&resp->body, answer_body != NULL ? answer_body :
		    (const uint8_t *)"", answer_len);
}

/* ---- set-up ------------------------------------------------------------------ */

static int
rm_one(const char *path, const struct stat *st, int flag, struct FTW *f)
{
	return remove(path);
}

static void
cleanup(void)
{
	node_close(&node);
	http_server_stop(srv);
	srv = NULL;
	nftw(nodedir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

static void
fatal(const char *what)
{
	fprintf(stderr, "fuzz_node_listing: %s: %s\n", what, rs_err());
	abort();
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct buf envs[BASE_LOG];
	struct merkle_tree *t;
	struct sync_stats s;
	struct sync_page sp;
	struct keypair *k;
	struct msg_new sent;
	char *rcpt, treedir[sizeof(nodedir) + 32];
	json_t *page, *list;
	int more;

	jalloc_init();
	if (randombytes_set_implementation(&rng) != 0 || sodium_init() < 0 ||
	    mkdtemp(nodedir) == NULL)
		abort();
	verbose = getenv("FUZZ_VERBOSE") != NULL;
	for (int i = 0; i < NKEYS; i++)
		seeded(&keys[i], key_seed[i], box_seed[i]);
	atexit(cleanup);

	/* The hub this node talks to: answers consistency proof requests. */
	if ((srv = http_server_start("127.0.0.1:0", 1 << 20, 1, answer, NULL)) == NULL)
		fatal("server");

	/* The node folder: config, store, device key, directory. */
	memset(&node, 0, sizeof(node));
	node.dir = xstrdup(nodedir);
	node.quiet = !verbose;
	snprintf(node.cfg.hub, sizeof(node.cfg.hub), "http://127.0.0.1:%u",
	    (unsigned)http_server_port(srv));
	snprintf(node.cfg.hub_name, sizeof(node.cfg.hub_name), "%s", HUB_NAME);
	memcpy(node.cfg.operator_key, keys[K_OP].pk, 32);
	snprintf(node.cfg.state, sizeof(node.cfg.state), "XA");
	snprintf(node.cfg.role, sizeof(node.cfg.role), "technical");
	snprintf(node.cfg.name, sizeof(node.cfg.name), "Fuzz");
	snprintf(node.cfg.email, sizeof(node.cfg.email), "fuzz@example.org");
	snprintf(node.cfg.languages, sizeof(node.cfg.languages), "en");
	memcpy(node.cfg.device, keys[K_A].pk, 32);
	memcpy(node.cfg.root_key, keys[K_ROOT].pk, 32);
	node.cfg.has_root = 1;
	if (config_save(&node) != 0)
		fatal("config_save");
	if ((k = keypair_new("XA", 1)) == NULL)
		fatal("keypair_new");
	memcpy(k->pk, keys[K_A].pk, 32);
	memcpy(k->sk, keys[K_A].sk, 64);
	memcpy(k->box_pk, keys[K_A].box_pk, 32);
	memcpy(k->box_sk, keys[K_A].box_sk, 32);
	node.key = k;
	if (node_open(&node, 1) != 0)
		fatal("node_open");

	if (getenv("FUZZ_WRITE_SEEDS") != NULL) {
		snprintf(treedir, sizeof(treedir), "%s/seedtree", nodedir);
		write_seeds(getenv("FUZZ_WRITE_SEEDS"), treedir);
	}

	/* The first public page, as a sync would take it: complete at 8. */
	base_log(envs);
	snprintf(treedir, sizeof(treedir), "%s/hubtree", nodedir);
	t = tree_of(treedir, envs, BASE_LOG);
	page = page_json(t, BASE_LOG, T0 + 60000, envs, 0, BASE_SIZE, 0, 1);
	memset(&s, 0, sizeof(s));
	if (sync_page_check(&node, FEED_PUBLIC, page, -1, &sp) != NR_OK)
		fatal("the first public page");
	if (store_begin(&node) != 0 || sync_page_take(&node, &sp, &s, &more) != NR_OK ||
	    s.directory != BASE_SIZE || s.public != BASE_SIZE || s.alarms != 0 ||
	    node.dir_size != BASE_LOG)
		fatal("the first public page");
	sync_page_free(&sp);
	json_decref(page);
	merkle_close(t);
	for (int i = 0; i < BASE_LOG; i++)
		buf_free(&envs[i]);

	/* A message A sent to B. */
	list = json_pack("[o]", jhex(keys[K_B].pk, 32));
	rcpt = jdump(list);
	json_decref(list);
	memset(&sent, 0, sizeof(sent));
	sent.id = sent_id;
	sent.direction = "out";
	sent.logged = 1;
	sent.index = 7;
	sent.time = T0;
	sent.rcpt = rcpt;
	sent.subject = "sent";
	sent.body = "by A";
	if (store_message_add(&node, &sent) != STORE_OK || store_commit(&node) != 0)
		fatal("messages");
	free(rcpt);
	return 0;
}

/* ---- one input ------------------------------------------------------------- */

static const int statuses[8] = { 200, 200, 200, 200, 400, 404, 500, 301 };

static int
proved(void *ud, int64_t idx, const uint8_t *id, size_t idlen, const uint8_t *env,
    size_t len, int64_t checked)
{
	uint8_t h[32];

	(void)ud;
	if (idlen != 32)
		abort();
	sha256(h, env, len);
	if (memcmp(h, id, 32) != 0 || idx >= checked)
		abort();
	return 0;
}

/* Every record stored in this transaction was proved into a checkpoint. */
static void
check_records(void)
{
	if (store_records_proved_each(&node, BASE_SIZE, proved, NULL) != 0)
		abort();
}

/* Where the feed stands: the cursor, and for the public feed the
 * verified point. */
static void
position(enum page_feed feed, int64_t *after, struct pub_state *v)
{
	struct pub_state t;

	*after = -1;
	if (store_pub_state_get(&node, PUB_VERIFIED, v) == STORE_ERROR)
		fatal("public state");
	if (feed == FEED_MAIL) {
		(void)store_meta_get_int(&node, "mail_after", after);
		return;
	}
	if (store_pub_state_get(&node, PUB_TAKEN, &t) == STORE_ERROR)
		fatal("public state");
	*after = t.last_index;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	enum page_feed feed;
	const uint8_t *text, *nul;
	struct sync_stats s;
	struct sync_page sp;
	struct pub_state v0, v1;
	int64_t after, before;
	size_t len;
	json_t *j;
	int more = 0;
	enum node_result rc;

	if (size == 0 || size > FUZZ_MAX_INPUT)
		return 0;
	feed = (data[0] & 3) == 1 ? FEED_MAIL : FEED_PUBLIC;
	text = data + 1;
	len = size - 1;
	public_body = NULL;
	public_len = 0;
	if ((nul = memchr(text, 0, len)) != NULL) {
		answer_body = nul + 1;
		answer_len = (size_t)(data + size - answer_body);
		len = (size_t)(nul - text);
		if ((nul = memchr(answer_body, 0, answer_len)) != NULL) {
			public_body = nul + 1;
			public_len = (size_t)(data + size - public_body);
			answer_len = (size_t)(nul - answer_body);
		}
	} else {
		answer_body = NULL;
		answer_len = 0;
	}
	answer_status = statuses[(data[0] >> 2) & 7];

	/* As fetch_feed: the parse of http_get_json, the check, then the page
	 * taken in a transaction. */
	j = json_loadb((const char *)text, len, JSON_REJECT_DUPLICATES, NULL);
	if (j == NULL)
		return 0;
	position(feed, &before, &v0);
	memset(&s, 0, sizeof(s));
	rc = sync_page_check(&node, feed, j, -1, &sp);
	json_decref(j);
	if (rc == NR_OK) {
		if (store_begin(&node) != 0 || directory_refresh(&node) != 0)
			fatal("begin");
		rc = sync_page_take(&node, &sp, &s, &more);
		position(feed, &after, &v1);
		/* Taking asks the network nothing, and no page makes the store
		 * fail. */
		if (rc != NR_OK && rc != NR_RETRY && rc != NR_REFUSED)
			abort();
		if ((rc == NR_OK || rc == NR_RETRY) && after != before &&
		    (uint64_t)after >= sp.p.c.cp.size && after > before)
			abort();	/* past the log verified */
		if (after < before && (feed == FEED_MAIL || after != v0.last_index))
			abort();	/* back, other than to the verified point */
		if (v1.size < v0.size)
			abort();	/* the complete size went back */
		if (v1.size != v0.size) {
			uint8_t root[32];
			merkle_frontier_root(&v1.f, root);
			if (v1.size != sp.p.c.cp.size || v1.f.size != sp.p.c.cp.pub_size ||
			    memcmp(root, sp.p.c.cp.pub_root, 32) != 0)
				abort();	/* complete, but not at its root */
		}
		if (verbose)
			fprintf(stderr, "feed %d, answer %d: %s, after %lld -> %lld, "
			    "checkpoint %llu, complete %llu -> %llu, %d public, %d messages, "
			    "%d acks, %d refused, %d alarms, more %d: %s\n", (int)feed,
			    answer_status, node_result_name(rc), (long long)before,
			    (long long)after, (unsigned long long)s.checkpoint,
			    (unsigned long long)v0.size, (unsigned long long)v1.size,
			    s.public, s.messages, s.acks, s.refused, s.alarms, more,
			    rc != NR_OK ? rs_err() : "");
		sync_page_free(&sp);
		check_records();
		store_rollback(&node);
	} else {
		/* Refused whole before any transaction: the checkpoint, a page
		 * out of order, or no proof to be had. */
		if (rc != NR_REFUSED && rc != NR_HOSTILE && rc != NR_TRANSPORT)
			abort();
		if (verbose)
			fprintf(stderr, "feed %d, answer %d: %s: %s\n", (int)feed,
			    answer_status, node_result_name(rc), rs_err());
	}

	/* Forget what the page applied to the in-memory directory. */
	dir_free(node.directory);
	if (directory_load(&node) != 0)
		fatal("directory_load");
	return 0;
}
