/*
 * fuzz_process.c - libFuzzer target for the process records' parsers and
 * rules (lib/procrec.c, lib/process.c) and their views (lib/procview.c).
 *
 * A hub takes process records from any device on POST /v1/envelopes, and
 * every node takes them from the hub's listings: both run procrec_parse and
 * proc_check on bytes nobody vouched for.  The signature is not what the
 * rules look at (env_verify is separate), so the fuzzer builds and signs
 * each record itself, with one of five fixed keys, from a header and a
 * payload it chooses:
 *
 *   byte 0   the signer: 0 operator, 1 a device of XA (the Chair), 2 a
 *            device of XB (a member), 3 a stakeholder device, 4 a key
 *            nobody certified (mod 5);
 *   byte 1   the log time: the base log's last time + byte 1 hours (the
 *            base proposal's silence ends at hour 72);
 *   then     the header JSON, up to the first NUL (kind and fields; v, key,
 *            time and the payload digest are added);
 *   then     the payload bytes (the rest).
 * An input that starts with "RSE1" is instead one raw envelope (as the hub
 * would receive it), taken at hour 1.
 *
 * Every input starts from the same state: the base log (the directory of
 * XA, XB and the stakeholder device; body "oewg" with XA in the Chair and
 * members XA, XB; a meeting; a public paper in en; a proposal under
 * silence; an application accredited at once; a contribution) replayed
 * into a fresh directory and process.  All keys come from fixed seeds (32
 * equal bytes: 0x41 operator, 0x42/0x43 roots of XA/XB, 0x44-0x49 devices
 * and their box keys, 0x4a nobody) and all times are fixed.
 *
 * FUZZ_VERBOSE=1 prints each outcome (to check the seeds).
 * FUZZ_WRITE_PROCESS_SEEDS=DIR writes the seed corpus (one input per kind,
 * each accepted, and a few refused on purpose) into DIR, and exits.
 *
 * Invariants that abort:
 *   - proc_check and proc_take agree, and a refused record changes nothing
 *     (the view is byte for byte what it was);
 *   - what procrec_parse refuses, proc_check refuses as malformed;
 *   - a record taken is refused the second time (no replay);
 *   - the rules round-trip: a body's rules, as JSON, merge back to the same;
 *   - after a record is taken, a fresh replay of the base log and that
 *     record gives the same view, byte for byte (the projection is a
 *     function of the log).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "directory.h"
#include "envelope.h"
#include "jsonutil.h"
#include "keys.h"
#include "process.h"
#include "procrec.h"
#include "procview.h"
#include "util.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define T0 1800000000000LL
#define HOUR 3600000LL

enum { K_OP, K_RA, K_RB, K_A, K_B, K_S, K_NOBODY, NKEYS };
static struct keypair keys[NKEYS];

#define MAXBASE 16
static struct buf base[MAXBASE];
static int base_dir[MAXBASE];	/* 1 directory (checked), 2 injected, 0 process */
static size_t nbase;
static int64_t base_time;	/* the last base record's log time */
static int verbose;		/* FUZZ_VERBOSE=1: print each outcome */
static uint8_t ids[8][32];	/* meeting, paper, proposal, application, contribution */
enum { ID_MEETING, ID_PAPER, ID_PROPOSAL, ID_APP, ID_CONTRIB };

static void
fatal(const char *what)
{
	fprintf(stderr, "fuzz_process: %s: %s\n", what, rs_err());
	abort();
}

static void
seeded(struct keypair *k, int n, int box)
{
	uint8_t seed[32];

	memset(k, 0, sizeof(*k));
	memset(seed, n, sizeof(seed));
	crypto_sign_seed_keypair(k->pk, k->sk, seed);
	if (box) {
		memset(seed, n + 1, sizeof(seed));
		crypto_box_seed_keypair(k->box_pk, k->box_sk, seed);
		k->has_box = 1;
	}
}

static const char *
state_of(int k)
{
	switch (k) {
	case K_A: return "XA";
	case K_B: return "XB";
	case K_S: return "ZZ";
	default: return NULL;
	}
}

/* Signs hdr (consumed) over payload with key k at signer time t. */
static void
build(struct buf *out, int k, json_t *hdr, const void *payload, size_t len, int64_t t)
{
	if (state_of(k) != NULL && json_object_get(hdr, "state") == NULL)
		json_object_set_new(hdr, "state", json_string(state_of(k)));
	json_object_set_new(hdr, "time", json_integer(t));
	memset(out, 0, sizeof(*out));
	if (env_build(out, hdr, payload, len, keys[k].pk, keys[k].sk) != 0)
		fatal("env_build");
	json_decref(hdr);
}

static void
build_json(struct buf *out, int k, json_t *hdr, json_t *payload, int64_t t)
{
	char *s = jdump(payload);

	build(out, k, hdr, s, strlen(s), t);
	free(s);
	json_decref(payload);
}

static json_t *
cert(const char *state, int k, const char *role)
{
	struct buf m = {0};
	uint8_t sig[64];

	dir_pop_message(&m, state, keys[k].pk, keys[k].box_pk);
	crypto_sign_detached(sig, NULL, m.p, m.len, keys[k].sk);
	buf_free(&m);
	return json_pack("{s:s,s:o,s:o,s:s,s:s,s:s,s:o}", "state", state,
	    "device", jhex(keys[k].pk, 32), "box_key", jhex(keys[k].box_pk, 32),
	    "role", role, "name", "P", "email", "p@example.org", "pop", jb64(sig, 64));
}

static int64_t
base_log_time(size_t i)
{
	return T0 + (int64_t)i * 1000;
}

/* The shapes of the seeds, shared by the base log and the corpus. */
static json_t *
files(const char *lang)
{
	uint8_t sha[32];

	sha256(sha, lang, strlen(lang));
	return json_pack("[{s:s,s:o,s:i}]", "lang", lang, "sha256", jhex(sha, 32),
	    "size", 1017);
}

static json_t *
file_desc(void)
{
	uint8_t z[32] = {0};

	return json_pack("[{s:s,s:s,s:o,s:o}]", "name", "a.pdf", "type",
	    "application/pdf", "key", jb64(z, 32), "header", jb64(z, 24));
}

/* A sealed payload to the Chair's device, with fixed bytes: the rules look
 * only at its framing ("RSP1", one slot, nonce, tag), and a real seal is
 * random, which would change the base log's ids from run to run. */
static void
sealed_to_chair(struct buf *out)
{
	uint8_t slot[80], nonce[24], ct[18];

	memset(slot, 0x5a, sizeof(slot));
	memset(nonce, 0x01, sizeof(nonce));
	memset(ct, 0x02, sizeof(ct));
	buf_add(out, "RSP1\x00\x01", 6);
	buf_add(out, keys[K_A].pk, 32);
	buf_add(out, slot, sizeof(slot));
	buf_add(out, nonce, sizeof(nonce));
	buf_add(out, ct, sizeof(ct));
}

static void
add_base(int dir, struct buf *b)
{
	if (nbase == MAXBASE)
		fatal("base log full");
	base_dir[nbase] = dir;
	base[nbase++] = *b;
}

static void
make_base(void)
{
	struct buf b, sealed = {0};
	json_t *p;

	build_json(&b, K_OP, json_pack("{s:s,s:s}", "kind", "admit", "state", "XA"),
	    json_pack("{s:s,s:o}", "state", "XA", "root_key", jhex(keys[K_RA].pk, 32)),
	    T0);
	add_base(1, &b);
	build_json(&b, K_OP, json_pack("{s:s,s:s}", "kind", "admit", "state", "XB"),
	    json_pack("{s:s,s:o}", "state", "XB", "root_key", jhex(keys[K_RB].pk, 32)),
	    T0);
	add_base(1, &b);
	build_json(&b, K_RA, json_pack("{s:s,s:s}", "kind", "cert", "state", "XA"),
	    cert("XA", K_A, "diplomatic"), T0);
	add_base(1, &b);
	build_json(&b, K_RB, json_pack("{s:s,s:s}", "kind", "cert", "state", "XB"),
	    cert("XB", K_B, "technical"), T0);
	add_base(1, &b);
	build_json(&b, K_OP, json_pack("{s:s,s:s}", "kind", "body", "body", "oewg"),
	    json_pack("{s:s,s:[s,s],s:{s:s},s:{s:{s:s}}}", "chair", "XA", "members",
	    "XA", "XB", "title", "en", "OEWG", "rules", "stakeholders", "ecosoc", "admit"),
	    T0);
	add_base(0, &b);
	build_json(&b, K_A, json_pack("{s:s,s:s,s:I,s:I}", "kind", "meeting", "body",
	    "oewg", "start", (json_int_t)(T0 + 40 * 24 * HOUR), "end",
	    (json_int_t)(T0 + 41 * 24 * HOUR)), json_pack("{s:{s:s}}", "title", "en",
	    "Session"), T0);
	sha256(ids[ID_MEETING], b.p, b.len);
	add_base(0, &b);
	p = json_pack("{s:s,s:s,s:s,s:o,s:o}", "kind", "paper", "body", "oewg",
	    "audience", "public", "files", files("en"), "meeting",
	    jhex(ids[ID_MEETING], 32));
	build_json(&b, K_B, p, json_pack("{s:{s:s},s:o}", "title", "en", "Paper",
	    "files", file_desc()), T0);
	sha256(ids[ID_PAPER], b.p, b.len);
	add_base(0, &b);
	build_json(&b, K_A, json_pack("{s:s,s:s,s:s,s:s}", "kind", "proposal", "body",
	    "oewg", "audience", "public", "lang", "en"), json_pack("{s:{s:s}}", "text",
	    "en", "Decides."), T0);
	sha256(ids[ID_PROPOSAL], b.p, b.len);
	add_base(0, &b);
	build_json(&b, K_OP, json_pack("{s:s,s:s,s:b}", "kind", "application", "body",
	    "oewg", "ecosoc", 1), json_pack("{s:s}", "name", "NGO"), T0);
	sha256(ids[ID_APP], b.p, b.len);
	add_base(0, &b);
	p = cert("ZZ", K_S, "stakeholder");
	json_object_set_new(p, "stakeholder", jhex(ids[ID_APP], 32));
	build_json(&b, K_OP, json_pack("{s:s,s:s}", "kind", "cert", "state", "ZZ"), p, T0);
	add_base(2, &b);
	sealed_to_chair(&sealed);
	build(&b, K_S, json_pack("{s:s,s:s,s:o,s:o}", "kind", "contribution", "body",
	    "oewg", "application", jhex(ids[ID_APP], 32), "files", files("fr")),
	    sealed.p, sealed.len, T0);
	sha256(ids[ID_CONTRIB], b.p, b.len);
	add_base(0, &b);
	buf_free(&sealed);
	base_time = base_log_time(nbase - 1);
}

/* The base log replayed into a fresh directory and process. */
static void
replay_base(struct directory **dp, struct process **pp)
{
	struct directory *d = dir_new(keys[K_OP].pk);
	struct process *p = proc_new();

	for (size_t i = 0; i < nbase; i++) {
		struct envelope e;
		if (env_parse(&e, base[i].p, base[i].len) != 0)
			fatal("base parse");
		if (base_dir[i] == 0) {
			if (proc_take(p, d, &e, (int64_t)i, base_log_time(i)) != PROC_OK)
				fatal("base process record");
		} else {
			if (base_dir[i] == 1 && dir_check(d, &e, (int64_t)i,
			    base_log_time(i), 0) != 0)
				fatal("base directory record");
			dir_apply(d, &e, (int64_t)i);
		}
		env_free(&e);
	}
	*dp = d;
	*pp = p;
}

static char *
view(struct process *p, int64_t now, const char *viewer)
{
	json_t *v = proc_view(p, now, viewer);
	char *s = proc_dump(v);

	json_decref(v);
	if (s == NULL)
		abort();
	return s;
}

static void
check_rules_roundtrip(struct process *p)
{
	for (size_t i = 0; i < p->nbodies; i++) {
		struct proc_rules back;
		json_t *j = procrec_rules_json(&p->bodies[i].rules);
		if (procrec_rules_merge(&p->bodies[i].rules, j, &back) != 0 ||
		    memcmp(&back, &p->bodies[i].rules, sizeof(back)) != 0)
			abort();
		json_decref(j);
	}
}

/* The heart: one envelope against the base state. */
static void
run(const uint8_t *raw, size_t len, int64_t t)
{
	struct directory *d, *d2;
	struct process *p, *p2;
	struct envelope e;
	struct proc_rec r;
	enum proc_result parsed, c, taken;
	int64_t index = (int64_t)nbase;
	char *before, *after, *again;

	if (env_parse(&e, raw, len) != 0)
		return;
	replay_base(&d, &p);
	before = view(p, t, NULL);
	parsed = procrec_parse(&e, &r);
	procrec_free(&r);
	c = proc_check(p, d, &e, index, t);
	if (parsed != PROC_OK && c != PROC_MALFORMED)
		abort();
	taken = proc_take(p, d, &e, index, t);
	if (taken != c)
		abort();
	if (verbose)
		fprintf(stderr, "%s: %d %s\n", e.kind, taken, taken ? rs_err() : "taken");
	after = view(p, t, NULL);
	if (taken != PROC_OK) {
		if (strcmp(before, after) != 0)
			abort();
	} else {
		if (proc_take(p, d, &e, index + 1, t) == PROC_OK)
			abort();
		check_rules_roundtrip(p);
		replay_base(&d2, &p2);
		if (proc_take(p2, d2, &e, index, t) != PROC_OK)
			abort();
		again = view(p2, t, NULL);
		if (strcmp(again, after) != 0)
			abort();
		free(again);
		free(view(p2, t + 100 * HOUR, "XA"));
		proc_free(p2);
		dir_free(d2);
	}
	free(before);
	free(after);
	proc_free(p);
	dir_free(d);
	env_free(&e);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *nul;
	json_t *hdr;
	struct buf env = {0};
	int k;
	int64_t t;

	if (size >= 4 && memcmp(data, "RSE1", 4) == 0) {
		uint8_t *copy = xmalloc(size);	/* its own allocation, for ASan */
		memcpy(copy, data, size);
		run(copy, size, base_time + HOUR);
		free(copy);
		return 0;
	}
	if (size < 2)
		return 0;
	k = data[0] % 5;
	k = k == 0 ? K_OP : k == 1 ? K_A : k == 2 ? K_B : k == 3 ? K_S : K_NOBODY;
	t = base_time + (int64_t)data[1] * HOUR;
	data += 2;
	size -= 2;
	nul = memchr(data, 0, size);
	hdr = json_loadb((const char *)data, nul ? (size_t)(nul - data) : size,
	    JSON_REJECT_DUPLICATES, NULL);
	if (!json_is_object(hdr) || !json_is_string(json_object_get(hdr, "kind"))) {
		json_decref(hdr);
		return 0;
	}
	json_object_del(hdr, "time");
	json_object_del(hdr, "payload_len");
	json_object_del(hdr, "payload_sha256");
	json_object_del(hdr, "key");
	json_object_del(hdr, "v");
	if (nul != NULL)
		build(&env, k, hdr, nul + 1, size - (size_t)(nul + 1 - data), t);
	else
		build(&env, k, hdr, "", 0, t);
	run(env.p, env.len, t);
	buf_free(&env);
	return 0;
}

/* ---- the seed corpus ------------------------------------------------------ */

static void
seed(const char *dir, const char *name, int k, int hours, json_t *hdr,
    const void *payload, size_t len)
{
	char path[512], *h = jdump(hdr);
	struct buf out = {0};
	uint8_t sel[2] = { (uint8_t)k, (uint8_t)hours };

	buf_add(&out, sel, 2);
	buf_addstr(&out, h);
	buf_add(&out, "", 1);
	buf_add(&out, payload, len);
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (write_file_atomic(path, out.p, out.len, 0644) != 0)
		fatal(path);
	free(h);
	json_decref(hdr);
	buf_free(&out);
}

static void
seed_json(const char *dir, const char *name, int k, int hours, json_t *hdr,
    json_t *payload)
{
	char *s = jdump(payload);

	seed(dir, name, k, hours, hdr, s, strlen(s));
	free(s);
	json_decref(payload);
}

/* Selector bytes: 0 operator, 1 XA (Chair), 2 XB, 3 stakeholder, 4 nobody. */
static void
write_seeds(const char *dir)
{
	struct buf sealed = {0}, env = {0};
	char path[512];

	seed_json(dir, "body", 0, 1, json_pack("{s:s,s:s}", "kind", "body", "body",
	    "forum"), json_pack("{s:s,s:s,s:{s:s,s:s},s:{s:I,s:[s,s],s:s,s:[s]}}",
	    "chair", "XB", "members", "all", "title", "en", "Forum", "ru", "Форум",
	    "rules", "lead_time_ms", (json_int_t)(21 * 24 * HOUR), "languages", "en",
	    "ru", "objections", "chair", "proposers", "XA"));
	seed_json(dir, "body-rules", 0, 1, json_pack("{s:s,s:s}", "kind", "body-rules",
	    "body", "oewg"), json_pack("{s:[s],s:{s:s,s:{s:s}}}", "members", "XB",
	    "rules", "proposers", "members", "stakeholders", "other", "closed"));
	seed_json(dir, "meeting", 1, 1, json_pack("{s:s,s:s,s:I,s:I}", "kind", "meeting",
	    "body", "oewg", "start", (json_int_t)(T0 + 50 * 24 * HOUR), "end",
	    (json_int_t)(T0 + 52 * 24 * HOUR)), json_pack("{s:{s:s},s:s}", "title", "fr",
	    "Session", "place", "New York"));
	seed_json(dir, "paper", 2, 1, json_pack("{s:s,s:s,s:s,s:o,s:o}", "kind", "paper",
	    "body", "oewg", "audience", "public", "files", files("ar"), "meeting",
	    jhex(ids[ID_MEETING], 32)), json_pack("{s:{s:s},s:o}", "title", "ar", "ورقة",
	    "files", file_desc()));
	seed_json(dir, "paper-lang", 2, 2, json_pack("{s:s,s:o,s:s,s:o}", "kind",
	    "paper-lang", "paper", jhex(ids[ID_PAPER], 32), "audience", "public",
	    "files", files("zh")), json_pack("{s:o}", "files", file_desc()));
	seed_json(dir, "paper-lang-dup", 2, 2, json_pack("{s:s,s:o,s:s,s:o}", "kind",
	    "paper-lang", "paper", jhex(ids[ID_PAPER], 32), "audience", "public",
	    "files", files("en")), json_pack("{s:o}", "files", file_desc()));
	seed_json(dir, "distribution", 1, 3, json_pack("{s:s,s:s,s:s,s:o,s:o}", "kind",
	    "paper", "body", "oewg", "audience", "public", "files", files("fr"),
	    "contribution", jhex(ids[ID_CONTRIB], 32)), json_pack("{s:{s:s},s:o}",
	    "title", "fr", "Contribution", "files", file_desc()));
	sealed_to_chair(&sealed);
	seed(dir, "paper-members", 1, 1, json_pack("{s:s,s:s,s:s,s:o}", "kind", "paper",
	    "body", "oewg", "audience", "members", "files", files("es")), sealed.p,
	    sealed.len);
	seed(dir, "contribution", 3, 5, json_pack("{s:s,s:s,s:o,s:o}", "kind",
	    "contribution", "body", "oewg", "application", jhex(ids[ID_APP], 32),
	    "files", files("en")), sealed.p, sealed.len);
	seed_json(dir, "proposal", 1, 1, json_pack("{s:s,s:s,s:s,s:s,s:I,s:o}", "kind",
	    "proposal", "body", "oewg", "audience", "public", "lang", "ru", "silence_ms",
	    (json_int_t)(96 * HOUR), "paper", jhex(ids[ID_PAPER], 32)),
	    json_pack("{s:{s:s,s:s}}", "text", "ru", "Решение.", "en", "Decision."));
	seed_json(dir, "proposal-by-member", 2, 1, json_pack("{s:s,s:s,s:s,s:s}", "kind",
	    "proposal", "body", "oewg", "audience", "public", "lang", "en"),
	    json_pack("{s:{s:s}}", "text", "en", "Refused: XB is not the Chair."));
	seed_json(dir, "object", 2, 71, json_pack("{s:s,s:o,s:s}", "kind", "position",
	    "ref", jhex(ids[ID_PROPOSAL], 32), "stance", "object"), json_object());
	seed_json(dir, "object-late", 2, 72, json_pack("{s:s,s:o,s:s}", "kind", "position",
	    "ref", jhex(ids[ID_PROPOSAL], 32), "stance", "object"), json_object());
	{
		char *b64 = b64_encode(sealed.p, sealed.len);
		seed_json(dir, "object-reason", 2, 3, json_pack("{s:s,s:o,s:s}", "kind",
		    "position", "ref", jhex(ids[ID_PROPOSAL], 32), "stance", "object"),
		    json_pack("{s:s}", "reason", b64));
		free(b64);
	}
	seed_json(dir, "support", 1, 3, json_pack("{s:s,s:o,s:s}", "kind", "position",
	    "ref", jhex(ids[ID_PROPOSAL], 32), "stance", "support"), json_object());
	seed_json(dir, "withdraw", 1, 4, json_pack("{s:s,s:o}", "kind", "withdraw",
	    "ref", jhex(ids[ID_PROPOSAL], 32)), json_object());
	seed_json(dir, "application", 0, 1, json_pack("{s:s,s:s,s:b}", "kind",
	    "application", "body", "oewg", "ecosoc", 0), json_pack("{s:s,s:s,s:s}",
	    "name", "Institute", "website", "https://example.org", "about", "Research."));
	/* one raw envelope, as the hub receives it */
	build_json(&env, K_B, json_pack("{s:s,s:o,s:s}", "kind", "position", "ref",
	    jhex(ids[ID_PROPOSAL], 32), "stance", "support"), json_object(), T0);
	snprintf(path, sizeof(path), "%s/raw-support", dir);
	if (write_file_atomic(path, env.p, env.len, 0644) != 0)
		fatal(path);
	buf_free(&env);
	buf_free(&sealed);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct directory *d;
	struct process *p;
	const char *out = getenv("FUZZ_WRITE_PROCESS_SEEDS");

	jalloc_init();
	(void)argc;
	(void)argv;
	if (sodium_init() < 0)
		abort();
	seeded(&keys[K_OP], 0x41, 0);
	seeded(&keys[K_RA], 0x42, 0);
	seeded(&keys[K_RB], 0x43, 0);
	seeded(&keys[K_A], 0x44, 1);
	seeded(&keys[K_B], 0x46, 1);
	seeded(&keys[K_S], 0x48, 1);
	seeded(&keys[K_NOBODY], 0x4a, 1);
	verbose = getenv("FUZZ_VERBOSE") != NULL;
	make_base();
	replay_base(&d, &p);		/* it must replay */
	proc_free(p);
	dir_free(d);
	if (out != NULL) {
		if (mkdir_p(out, 0755) != 0)
			fatal(out);
		write_seeds(out);
		exit(0);
	}
	return 0;
}
