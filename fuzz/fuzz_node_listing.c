/*
 * fuzz_node_listing.c - libFuzzer target for a node taking in a listing page
 * from the hub (docs/protocol.md section 5: {"checkpoint": ..., "records":
 * [{index, time, envelope, proof}], "more": ...}) and the hub's answer to the
 * consistency proof request that a new checkpoint may need.
 *
 * Everything after the HTTP fetch of fetch_listing in node/core/sync.c runs:
 * sync_listing_page, that is checkpoint verification (signature, origin,
 * same size same root, consistency with the latest checkpoint the node
 * holds), each record's inclusion proof, the envelope's parse and signature,
 * and the listing's accept function (node/core/accept.c: directory rules, own-State alarms, mail
 * decryption and the "delivered" acknowledgement, acks, cosignatures, checks
 * and their answers).
 *
 * LLVMFuzzerInitialize makes a node folder with the node's own functions
 * (config_save/config_load, store_open, a device key from keys.h, the
 * directory), for State XA, pinning an operator key whose public half is in
 * the config.  It then gives the node, through sync_listing_page itself, the
 * first three records of a small log (admit XA, cert of this device A, cert
 * of device B) under a checkpoint of size 3, and records a message "sent"
 * by A to B (so acknowledgements have something to acknowledge).  All keys
 * come from fixed seeds (32 equal bytes: 0x31 operator, 0x32 XA root,
 * 0x33/0x34 device A, 0x35/0x36 device B, 0x37 XB root, 0x38/0x39 device G
 * of XB) and all times are fixed, so the seed corpus holds checkpoints the
 * node accepts and records that pass every check.
 *
 * A consistency proof is fetched over HTTP (consistency_check in
 * node/core/verify.c, through node/core/hubclient.c):
 * the node's hub URL points at a small server in this process whose only
 * answer, for any request, is the one the input supplies.
 *
 * Input:
 *   byte 0   flags: bits 0-1 the listing (0 directory, 1 mail, 2
 *            cosignatures, 3 communication checks: GET /v1/checks, whose
 *            records node/checks.c takes); bits 2-4 the HTTP status of the
 *            consistency answer (200, 200, 200, 200, 400, 404, 500, 301).
 *   then     the listing's JSON text, up to the first NUL (or the end);
 *   then     the body of the consistency answer (the rest).
 *
 * FUZZ_VERBOSE=1 in the environment prints each outcome (to check seeds).
 *
 * Each input runs in a transaction that is rolled back, and the node's
 * in-memory directory is reloaded afterwards, so every input starts from the
 * same node.  Invariants that abort: a page accepted moves its cursor, if at
 * all, forward and only to an index below its checkpoint's size (so that no
 * one page, say a record's index altered on the wire, can make the node skip
 * records it has not seen yet); every record stored was proved into a checkpoint the node accepted
 * (idx below checked_size, id the hash of the bytes stored).
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
#define BASE_SIZE	3		/* records the node holds before each input */

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

/* The consistency answer of the current input (read by the server thread
 * while the fuzzing thread waits for it). */
static int answer_status;
static const uint8_t *answer_body;
static size_t answer_len;

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

/* The first records of the log, which the node holds before every input. */
static void
base_records(struct buf out[BASE_SIZE])
{
	memset(out, 0, BASE_SIZE * sizeof(*out));
	make_admit(&out[0], "XA", &keys[K_ROOT]);
	make_cert(&out[1], "XA", &keys[K_ROOT], &keys[K_A]);
	make_cert(&out[2], "XA", &keys[K_ROOT], &keys[K_B]);
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

/* A listing page: the checkpoint of size over t (signed by the operator,
 * at time cp_time) and the records of envs with indexes in [from, to). */
static json_t *
page_json(struct merkle_tree *t, uint64_t size, int64_t cp_time,
    const struct buf *envs, uint64_t from, uint64_t to, int more)
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
	for (uint64_t i = from; i < to; i++)
		json_array_append_new(recs, json_pack("{s:I,s:I,s:o,s:o}", "index",
		    (json_int_t)i, "time", (json_int_t)log_time(i), "envelope",
		    jb64(envs[i].p, envs[i].len), "proof", proof_json(t, i, size)));
	j = json_pack("{s:o,s:o,s:b}", "checkpoint", checkpoint_json(&cp),
	    "records", recs, "more", more);
	checkpoint_free(&cp);
	return j;
}

/* The seed tests/fuzz-corpus/fuzz_node_listing/checks-6: a GET /v1/checks
 * page after the base records: an operator's check to A and B (index 3)
 * and both answers (4, 5), at a checkpoint of size 6, with the consistency
 * proof from the base checkpoint as the hub's answer.  Written when
 * FUZZ_WRITE_CHECKS_SEED names a file. */
static void
write_checks_seed(const char *path, const char *treedir)
{
	struct buf envs[6], out = {0};
	uint8_t proof[MERKLE_MAX_PROOF][32], id[32];
	struct merkle_tree *t;
	json_t *page, *ans, *arr;
	char *p, *text;
	size_t np;

	base_records(envs);
	memset(&envs[BASE_SIZE], 0, 3 * sizeof(envs[0]));
	p = checkrec_payload(NULL, NULL);
	build(&envs[3], json_pack("{s:s,s:[s],s:[o,o],s:I}", "kind", "check", "to", "XA",
	    "rcpt", jhex(keys[K_A].pk, 32), jhex(keys[K_B].pk, 32), "deadline",
	    (json_int_t)(log_time(3) + 3600000)), "XA", p, strlen(p), &keys[K_OP]);
	free(p);
	sha256(id, envs[3].p, envs[3].len);
	for (int i = 0; i < 2; i++) {
		json_t *h = checkrec_answer_header(id);
		json_object_set_new(h, "seq", json_integer(1));
		build(&envs[4 + i], h, "XA", "{}", 2, &keys[i == 0 ? K_A : K_B]);
	}
	t = tree_of(treedir, envs, 6);
	page = page_json(t, 6, T0 + 120000, envs, 3, 6, 0);
	if (merkle_consistency_proof(t, BASE_SIZE, 6, proof, &np) != 0)
		abort();
	arr = json_array();
	for (size_t i = 0; i < np; i++)
		json_array_append_new(arr, jb64(proof[i], 32));
	ans = json_pack("{s:i,s:i,s:o}", "from", BASE_SIZE, "to", 6, "proof", arr);
	buf_add(&out, "\x03", 1);
	text = jdump(page);
	buf_add(&out, text, strlen(text) + 1);
	free(text);
	text = jdump(ans);
	buf_add(&out, text, strlen(text));
	free(text);
	if (write_file_atomic(path, out.p, out.len, 0644) != 0)
		abort();
	json_decref(page);
	json_decref(ans);
	merkle_close(t);
	buf_free(&out);
	for (int i = 0; i < 6; i++)
		buf_free(&envs[i]);
}

/* ---- the hub's consistency answer ------------------------------------------ */

static void
answer(void *ctx, const struct http_req *req, struct http_resp *resp)
{
	resp->status = answer_status;
	buf_free(&resp->body);
	buf_add(&resp->body, answer_body != NULL ? answer_body : (const uint8_t *)"",
	    answer_len);
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
	struct buf envs[BASE_SIZE];
	struct merkle_tree *t;
	struct sync_stats s;
	struct keypair *k;
	struct msg_new sent;
	char *rcpt, treedir[sizeof(nodedir) + 16];
	json_t *page, *list;
	int64_t after = -1;
	int more;

	if (sodium_init() < 0 || mkdtemp(nodedir) == NULL)
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

	if (getenv("FUZZ_WRITE_CHECKS_SEED") != NULL) {
		snprintf(treedir, sizeof(treedir), "%s/seedtree", nodedir);
		write_checks_seed(getenv("FUZZ_WRITE_CHECKS_SEED"), treedir);
	}

	/* The first page of the directory, as a sync would take it. */
	base_records(envs);
	snprintf(treedir, sizeof(treedir), "%s/hubtree", nodedir);
	t = tree_of(treedir, envs, BASE_SIZE);
	page = page_json(t, BASE_SIZE, T0 + 60000, envs, 0, BASE_SIZE, 0);
	memset(&s, 0, sizeof(s));
	if (store_begin(&node) != 0 ||
	    sync_listing_page(&node, SYNC_DIRECTORY, page, &after, &more, &s) != NR_OK ||
	    s.directory != BASE_SIZE || s.refused != 0 || after != BASE_SIZE - 1 ||
	    store_meta_set_int(&node, "dir_after", after) != 0)
		fatal("the first directory page");
	json_decref(page);
	merkle_close(t);
	for (int i = 0; i < BASE_SIZE; i++)
		buf_free(&envs[i]);

	/* A message A sent to B. */
	list = json_pack("[o]", jhex(keys[K_B].pk, 32));
	rcpt = jdump(list);
	json_decref(list);
	memset(&sent, 0, sizeof(sent));
	sent.id = sent_id;
	sent.direction = "out";
	sent.logged = 1;
	sent.index = 3;
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

static const char *const cursors[] = { "dir_after", "mail_after", "cosign_after",
    "checks_after" };
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

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	enum sync_listing which;
	const uint8_t *text, *nul;
	struct sync_stats s;
	int64_t after = -1, before;
	size_t len;
	json_t *j;
	int more = 0;
	enum node_result rc;

	if (size == 0 || size > FUZZ_MAX_INPUT)
		return 0;
	which = (enum sync_listing[]){ SYNC_DIRECTORY, SYNC_MAIL, SYNC_COSIGN,
	    SYNC_CHECKS }[data[0] & 3];
	text = data + 1;
	len = size - 1;
	if ((nul = memchr(text, 0, len)) != NULL) {
		answer_body = nul + 1;
		answer_len = (size_t)(data + size - answer_body);
		len = (size_t)(nul - text);
	} else {
		answer_body = NULL;
		answer_len = 0;
	}
	answer_status = statuses[(data[0] >> 2) & 7];

	/* As fetch_listing: the parse of http_get_json, then the page. */
	j = json_loadb((const char *)text, len, JSON_REJECT_DUPLICATES, NULL);
	if (j == NULL)
		return 0;
	if (store_begin(&node) != 0 || directory_refresh(&node) != 0)
		fatal("begin");
	(void)store_meta_get_int(&node, cursors[which], &after);
	before = after;
	memset(&s, 0, sizeof(s));
	rc = sync_listing_page(&node, which, j, &after, &more, &s);
	json_decref(j);
	if (verbose)
		fprintf(stderr, "listing %d, answer %d: %s, after %lld -> %lld, "
		    "checkpoint %llu, %d directory, %d messages, %d acks, %d refused, "
		    "more %d: %s\n", (int)which, answer_status, node_result_name(rc),
		    (long long)before, (long long)after, (unsigned long long)s.checkpoint,
		    s.directory, s.messages, s.acks, s.refused, more,
		    rc != NR_OK ? rs_err() : "");
	/* A page is taken (ok, or up to a record from a device newer than the
	 * directory: retry), or refused whole; never a transport error (the
	 * accept path asks the network nothing it needs) nor a storage one. */
	if (rc != NR_OK && rc != NR_RETRY && rc != NR_REFUSED && rc != NR_HOSTILE)
		abort();	/* nor may a page make the store fail */
	if ((rc == NR_OK || rc == NR_RETRY) && after != before && (after < before ||
	    (uint64_t)after >= s.checkpoint))
		abort();	/* the cursor went back, or past the log verified */
	check_records();
	store_rollback(&node);

	/* Forget what the page applied to the in-memory directory. */
	dir_free(node.directory);
	if (directory_load(&node) != 0)
		fatal("directory_load");
	return 0;
}
