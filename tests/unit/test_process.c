/*
 * test_process.c - the rules of the process (docs/protocol.md section 10)
 * and its views, by trying to break them.
 *
 * Each rule is tried with a record that breaks only that rule and is
 * otherwise well formed and correctly signed: a body or a meeting by
 * someone who may not record it, a paper with no file, a language that is
 * not a language code, a 70 MiB version, a version twice; a proposal by a
 * member who is not the Chair, by a stakeholder, by the operator; an
 * objection by a State that is not a member, or that was removed from the
 * members after the proposal, twice, one millisecond after the deadline, or
 * signed with a clock set back; positions after a withdrawal; a
 * contribution by a stakeholder who is not (yet) accredited.  The views are
 * checked for the figures they must show (lead time per language, the
 * outcome, the objecting States or only their number), and a log is
 * replayed into a fresh state in different batch splits, with views taken
 * in between, to show the projection is byte for byte the same.
 *
 * The world: the operator; root keys of XA..XE admitted; devices a1 and a2
 * (XA), b1 (XB), c1 (XC), d1 (XD), e1 (XE) certified; body "oewg" with
 * members XA..XD and XA in the Chair, default rules.  Log indexes and log
 * times are the test's, as the hub would give them (increasing).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <sodium.h>

#include "blob.h"
#include "directory.h"
#include "envelope.h"
#include "jsonutil.h"
#include "keys.h"
#include "process.h"
#include "procrec.h"
#include "procview.h"
#include "rules.h"
#include "seal.h"
#include "util.h"

#define T0	1800000000000LL		/* 2027-01-15, a log time */
#define HOUR	3600000LL
#define DAY	86400000LL

/* What the world took, to replay it. */
enum entry_kind { E_DIR, E_PROC, E_INJECT };

struct entry {
	enum entry_kind kind;
	struct buf raw;
	int64_t index, time;
};

struct rec {
	struct buf raw;
	struct envelope e;
};

#define NDEV 6
struct world {
	struct directory *d;
	struct process *p;
	struct registry *r;				/* lib/rules.c's fourth family */
	struct keypair *op, *root[5], *dev[NDEV];	/* a1 a2 b1 c1 d1 e1 */
	struct keypair *sh;				/* a stakeholder device */
	int64_t next, t;
	struct entry *log;
	size_t nlog;
	uint8_t oewg_id[32];
};

static const char *root_state[5] = { "XA", "XB", "XC", "XD", "XE" };
static const char *dev_state[NDEV] = { "XA", "XA", "XB", "XC", "XD", "XE" };
#define A1 0
#define A2 1
#define B1 2
#define C1 3
#define D1 4
#define E1 5

/* ---- records -------------------------------------------------------------- */

static int64_t seq_counter;

/* Device records carry a "seq" (the directory's chain, not checked here),
 * which also keeps two otherwise equal records apart. */
static void
rec_build(struct rec *r, const struct keypair *k, const char *state, json_t *hdr,
    const void *payload, size_t len, int64_t signer_time)
{
	memset(r, 0, sizeof(*r));
	if (state != NULL && json_object_get(hdr, "seq") == NULL &&
	    strcmp(json_string_value(json_object_get(hdr, "kind")), "cert") != 0 &&
	    strcmp(json_string_value(json_object_get(hdr, "kind")), "admit") != 0 &&
	    strcmp(json_string_value(json_object_get(hdr, "kind")), "revoke") != 0)
		json_object_set_new(hdr, "seq", json_integer(++seq_counter));
	if (state != NULL)
		json_object_set_new(hdr, "state", json_string(state));
	json_object_set_new(hdr, "time", json_integer(signer_time));
	assert_int_equal(env_build(&r->raw, hdr, payload, len, k->pk, k->sk), 0);
	json_decref(hdr);
	assert_int_equal(env_parse(&r->e, r->raw.p, r->raw.len), 0);
}

static void
rec_free(struct rec *r)
{
	env_free(&r->e);
	buf_free(&r->raw);
}

static void
log_add(struct world *w, enum entry_kind k, const struct buf *raw, int64_t index,
    int64_t time)
{
	struct entry *x;

	w->log = xrealloc(w->log, (w->nlog + 1) * sizeof(*w->log));
	x = &w->log[w->nlog++];
	memset(x, 0, sizeof(*x));
	x->kind = k;
	buf_add(&x->raw, raw->p, raw->len);
	x->index = index;
	x->time = time;
}

/* A directory record, checked and applied at the next index. */
static void
dir_take(struct world *w, const struct keypair *k, const char *kind,
    const char *state, json_t *payload)
{
	struct rec r;
	char *t = jdump(payload);

	rec_build(&r, k, state, json_pack("{s:s}", "kind", kind), t, strlen(t), w->t);
	free(t);
	json_decref(payload);
	assert_int_equal(dir_check(w->d, &r.e, w->next, w->t, 0), 0);
	dir_apply(w->d, &r.e, w->next);
	log_add(w, E_DIR, &r.raw, w->next, w->t);
	w->next++;
	rec_free(&r);
}

static json_t *
cert_payload(const char *state, const struct keypair *dev, const char *role)
{
	struct buf m = {0};
	uint8_t sig[64];

	dir_pop_message(&m, state, dev->pk, dev->box_pk);
	crypto_sign_detached(sig, NULL, m.p, m.len, dev->sk);
	buf_free(&m);
	return json_pack("{s:s,s:o,s:o,s:s,s:s,s:s,s:o}", "state", state,
	    "device", jhex(dev->pk, 32), "box_key", jhex(dev->box_pk, 32),
	    "role", role, "name", "A. Person", "email", "poc@example.org",
	    "pop", jb64(sig, 64));
}

/* The process record r at the next index and log time t: the result of
 * proc_take, which must equal proc_check's (and change nothing when it
 * refuses). */
static enum proc_result
take_at(struct world *w, struct rec *r, int64_t t)
{
	enum proc_result c = proc_check(w->p, w->d, &r->e, w->next, t), rc;
	size_t before = w->p->records;

	rc = proc_take(w->p, w->d, &r->e, w->next, t);
	assert_int_equal(rc, c);
	if (rc == PROC_OK) {
		log_add(w, E_PROC, &r->raw, w->next, t);
		w->next++;
		if (t > w->t)
			w->t = t;
		assert_int_equal(w->p->records, before + 1);
	} else
		assert_int_equal(w->p->records, before);
	return rc;
}

/* Builds, takes at log time t, frees; the record's id in id when given. */
static enum proc_result
put(struct world *w, const struct keypair *k, const char *state, json_t *hdr,
    json_t *payload, int64_t t, uint8_t id[32])
{
	struct rec r;
	char *s = jdump(payload);
	enum proc_result rc;

	rec_build(&r, k, state, hdr, s, strlen(s), t);
	free(s);
	json_decref(payload);
	rc = take_at(w, &r, t);
	if (id != NULL)
		memcpy(id, r.e.id, 32);
	rec_free(&r);
	return rc;
}

/* As put, with raw payload bytes (sealed payloads). */
static enum proc_result
put_raw(struct world *w, const struct keypair *k, const char *state, json_t *hdr,
    const struct buf *payload, int64_t t, uint8_t id[32])
{
	struct rec r;
	enum proc_result rc;

	rec_build(&r, k, state, hdr, payload->p, payload->len, t);
	rc = take_at(w, &r, t);
	if (id != NULL)
		memcpy(id, r.e.id, 32);
	rec_free(&r);
	return rc;
}

/* The device's State, for put. */
static const char *
st(struct world *w, const struct keypair *k)
{
	for (int i = 0; i < NDEV; i++)
		if (k == w->dev[i])
			return dev_state[i];
	return NULL;
}

#define DEV(i) w->dev[i], dev_state[i]
#define OP w->op, NULL

/* ---- record shapes -------------------------------------------------------- */

static json_t *
hdr(const char *kind)
{
	return json_pack("{s:s}", "kind", kind);
}

static json_t *
hdr_body(const char *kind, const char *body)
{
	return json_pack("{s:s,s:s}", "kind", kind, "body", body);
}

static json_t *
body_payload(const char *chair, json_t *members, json_t *rules)
{
	json_t *p = json_pack("{s:s,s:o,s:{s:s,s:s}}", "chair", chair,
	    "members", members, "title", "en", "Open-ended working group", "fr",
	    "Groupe de travail à composition non limitée");

	if (rules != NULL)
		json_object_set_new(p, "rules", rules);
	return p;
}

static json_t *
members4(void)
{
	return json_pack("[s,s,s,s]", "XA", "XB", "XC", "XD");
}

static json_t *
meeting_hdr(const char *body, int64_t start, int64_t end)
{
	return json_pack("{s:s,s:s,s:I,s:I}", "kind", "meeting", "body", body,
	    "start", (json_int_t)start, "end", (json_int_t)end);
}

static json_t *
meeting_payload(void)
{
	return json_pack("{s:{s:s}}", "title", "en", "Eighth substantive session");
}

static json_t *
file_entry(const char *lang, uint64_t plain)
{
	uint8_t sha[32];

	sha256(sha, lang, strlen(lang));
	return json_pack("{s:s,s:o,s:I}", "lang", lang, "sha256", jhex(sha, 32),
	    "size", (json_int_t)blob_cipher_size(plain));
}

/* "files" for the languages in the comma-separated list. */
static json_t *
files_of(const char *langs)
{
	json_t *a = json_array();
	char buf[128], *save = NULL, *tok;

	snprintf(buf, sizeof(buf), "%s", langs);
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save))
		json_array_append_new(a, file_entry(tok, 1000));
	return a;
}

static json_t *
file_descs(size_t n)
{
	uint8_t key[32] = {0}, h[24] = {0};
	json_t *a = json_array();

	for (size_t i = 0; i < n; i++)
		json_array_append_new(a, json_pack("{s:s,s:s,s:o,s:o}", "name",
		    "paper.pdf", "type", "application/pdf", "key", jb64(key, 32),
		    "header", jb64(h, 24)));
	return a;
}

/* A public paper of body for meeting (NULL: none) in langs. */
static json_t *
paper_hdr(const char *body, const uint8_t *meeting, const char *audience,
    json_t *files)
{
	json_t *h = json_pack("{s:s,s:s,s:s,s:o}", "kind", "paper", "body", body,
	    "audience", audience, "files", files);

	if (meeting != NULL)
		json_object_set_new(h, "meeting", jhex(meeting, 32));
	return h;
}

static json_t *
paper_payload(json_t *hdr_files)
{
	return json_pack("{s:{s:s},s:o}", "title", "en", "Chair's checklist",
	    "files", file_descs(json_array_size(hdr_files)));
}

static enum proc_result
circulate(struct world *w, const struct keypair *k, const char *body,
    const uint8_t *meeting, const char *langs, int64_t t, uint8_t id[32])
{
	json_t *f = files_of(langs);
	json_t *p = paper_payload(f);

	return put(w, k, st(w, k), paper_hdr(body, meeting, "public", f), p, t, id);
}

static enum proc_result
add_lang(struct world *w, const struct keypair *k, const uint8_t paper[32],
    const char *langs, int64_t t)
{
	json_t *f = files_of(langs);
	json_t *h = json_pack("{s:s,s:o,s:s,s:o}", "kind", "paper-lang", "paper",
	    jhex(paper, 32), "audience", "public", "files", f);

	return put(w, k, st(w, k), h, json_pack("{s:o}", "files",
	    file_descs(json_array_size(f))), t, NULL);
}

static json_t *
proposal_hdr(const char *body, const char *lang)
{
	return json_pack("{s:s,s:s,s:s,s:s}", "kind", "proposal", "body", body,
	    "audience", "public", "lang", lang);
}

static json_t *
proposal_text(void)
{
	return json_pack("{s:{s:s,s:s}}", "text", "en",
	    "The working group decides to hold its ninth session in July.",
	    "fr", "Le groupe de travail décide de tenir sa neuvième session en juillet.");
}

static enum proc_result
propose(struct world *w, const struct keypair *k, const char *body, int64_t t,
    uint8_t id[32])
{
	return put(w, k, st(w, k), proposal_hdr(body, "en"), proposal_text(), t, id);
}

static enum proc_result
position(struct world *w, const struct keypair *k, const uint8_t ref[32],
    const char *stance, int64_t log_t, int64_t signer_t)
{
	struct rec r;
	enum proc_result rc;

	rec_build(&r, k, st(w, k), json_pack("{s:s,s:o,s:s}", "kind", "position",
	    "ref", jhex(ref, 32), "stance", stance), "{}", 2, signer_t);
	rc = take_at(w, &r, log_t);
	rec_free(&r);
	return rc;
}

static enum proc_result
object(struct world *w, const struct keypair *k, const uint8_t ref[32], int64_t t)
{
	return position(w, k, ref, "object", t, t);
}

static enum proc_result
withdraw(struct world *w, const struct keypair *k, const char *state,
    const uint8_t ref[32], int64_t t)
{
	return put(w, k, state, json_pack("{s:s,s:o}", "kind", "withdraw", "ref",
	    jhex(ref, 32)), json_object(), t, NULL);
}

static enum proc_result
apply_org(struct world *w, const char *body, int ecosoc, int64_t t, uint8_t id[32])
{
	return put(w, OP, json_pack("{s:s,s:s,s:b}", "kind", "application", "body",
	    body, "ecosoc", ecosoc), json_pack("{s:s,s:s,s:s}", "name",
	    "Cyber Peace Institute", "website", "https://example.org", "about",
	    "An independent NGO."), t, id);
}

/* ---- the world ------------------------------------------------------------ */

static int
setup(void **state)
{
	struct world *w = xcalloc(1, sizeof(*w));

	w->op = keypair_new(NULL, 0);
	for (int i = 0; i < 5; i++)
		w->root[i] = keypair_new(root_state[i], 0);
	for (int i = 0; i < NDEV; i++)
		w->dev[i] = keypair_new(dev_state[i], 1);
	w->sh = keypair_new(NULL, 1);
	w->d = dir_new(w->op->pk);
	w->p = proc_new();
	w->r = reg_new_shipped();
	assert_non_null(w->r);
	w->t = T0;
	for (int i = 0; i < 5; i++)
		dir_take(w, w->op, "admit", root_state[i], json_pack("{s:s,s:o,s:s}",
		    "state", root_state[i], "root_key", jhex(w->root[i]->pk, 32),
		    "name", root_state[i]));
	for (int i = 0; i < NDEV; i++)
		dir_take(w, w->root[dev_state[i][1] - 'A'], "cert", dev_state[i],
		    cert_payload(dev_state[i], w->dev[i], "technical"));
	assert_int_equal(put(w, OP, hdr_body("body", "oewg"), body_payload("XA",
	    members4(), NULL), w->t, w->oewg_id), PROC_OK);
	*state = w;
	return 0;
}

static int
teardown(void **state)
{
	struct world *w = *state;

	for (size_t i = 0; i < w->nlog; i++)
		buf_free(&w->log[i].raw);
	free(w->log);
	proc_free(w->p);
	reg_free(w->r);
	dir_free(w->d);
	keypair_free(w->op);
	for (int i = 0; i < 5; i++)
		keypair_free(w->root[i]);
	for (int i = 0; i < NDEV; i++)
		keypair_free(w->dev[i]);
	keypair_free(w->sh);
	free(w);
	return 0;
}

/* Certifies w->sh as a stakeholder device for application app, applied
 * directly, whatever the application's standing: the rules of such
 * certificates (lib/directory.c, and proc_check_cert through lib/rules.c)
 * would refuse one before accreditation, and this shows that the process's
 * own rule for contributions holds even so.  test_stakeholder_cert takes
 * them through the rules. */
static void
inject_stakeholder(struct world *w, const uint8_t app[32])
{
	struct rec r;
	json_t *p = cert_payload("ZZ", w->sh, "stakeholder");
	char *t;

	json_object_set_new(p, "stakeholder", jhex(app, 32));
	t = jdump(p);
	rec_build(&r, w->op, "ZZ", json_pack("{s:s}", "kind", "cert"), t, strlen(t), w->t);
	free(t);
	json_decref(p);
	dir_apply(w->d, &r.e, w->next);
	log_add(w, E_INJECT, &r.raw, w->next, w->t);
	w->next++;
	rec_free(&r);
}

/* The view as text, for comparisons and for looking things up. */
static char *
view_text(struct process *p, int64_t now, const char *viewer)
{
	json_t *v = proc_view(p, now, viewer);
	char *s = proc_dump(v);

	json_decref(v);
	return s;
}

static json_t *
decision(struct world *w, const uint8_t id[32], int64_t now, const char *viewer)
{
	json_t *all = proc_view_decisions(w->p, now, viewer, NULL, 0), *v, *found = NULL;
	char *hex = hex_encode(id, 32);
	size_t i;

	json_array_foreach(all, i, v)
		if (strcmp(jstr(v, "id"), hex) == 0)
			found = json_incref(v);
	free(hex);
	json_decref(all);
	assert_non_null(found);
	return found;
}

static json_t *
paper_view(struct world *w, const uint8_t id[32], int64_t now)
{
	json_t *all = proc_view_papers(w->p, now, NULL), *v, *found = NULL;
	char *hex = hex_encode(id, 32);
	size_t i;

	json_array_foreach(all, i, v)
		if (strcmp(jstr(v, "id"), hex) == 0)
			found = json_incref(v);
	free(hex);
	json_decref(all);
	assert_non_null(found);
	return found;
}

static json_t *
lang_of(json_t *paper, const char *lang)
{
	json_t *v;
	size_t i;

	json_array_foreach(json_object_get(paper, "languages"), i, v)
		if (strcmp(jstr(v, "lang"), lang) == 0)
			return v;
	fail_msg("no language %s in the paper view", lang);
	return NULL;
}

static int64_t
jint(json_t *o, const char *k)
{
	json_t *v = json_object_get(o, k);

	assert_true(json_is_integer(v));
	return json_integer_value(v);
}

static void
assert_states(json_t *a, const char *want)
{
	char got[256] = "";
	json_t *v;
	size_t i;

	assert_true(json_is_array(a));
	json_array_foreach(a, i, v) {
		if (i > 0)
			strcat(got, ",");
		strcat(got, json_string_value(v));
	}
	assert_string_equal(got, want);
}

/* ---- the tests ------------------------------------------------------------ */

static void
test_parsers(void **state)
{
	struct proc_rules d, r;
	json_t *j;
	uint64_t plain;

	(void)state;
	assert_true(procrec_valid_lang("en"));
	assert_true(procrec_valid_lang("fil"));
	assert_true(procrec_valid_lang("zh-Hant"));
	assert_true(procrec_valid_lang("es-419"));
	assert_false(procrec_valid_lang("EN"));
	assert_false(procrec_valid_lang("english"));
	assert_false(procrec_valid_lang("e"));
	assert_false(procrec_valid_lang("en-"));
	assert_false(procrec_valid_lang("en-x"));
	assert_false(procrec_valid_lang("en_US"));
	assert_false(procrec_valid_lang("e1"));
	assert_false(procrec_valid_lang(""));
	assert_true(procrec_valid_name("oewg"));
	assert_true(procrec_valid_name("osce-cbm"));
	assert_false(procrec_valid_name("-x"));
	assert_false(procrec_valid_name("OEWG"));
	assert_false(procrec_valid_name("a234567890123456789012345678901x"));
	for (uint64_t s = 0; s < 3 * BLOB_CHUNK; s += 4099) {
		assert_true(procrec_blob_plain(blob_cipher_size(s), &plain));
		assert_int_equal(plain, s);
	}
	assert_true(procrec_blob_plain(blob_cipher_size(BLOB_CHUNK), &plain));
	assert_int_equal(plain, BLOB_CHUNK);
	assert_false(procrec_blob_plain(blob_cipher_size(BLOB_CHUNK) - 1, &plain));
	assert_false(procrec_blob_plain(3, &plain));
	assert_true(procrec_blob_plain(blob_cipher_size(PROC_FILE_MAX), &plain));
	assert_false(procrec_blob_plain(blob_cipher_size(PROC_FILE_MAX + 1), &plain));
	assert_false(procrec_blob_plain(blob_cipher_size(70ULL << 20), &plain));

	/* defaults from UN practice, and a merge that changes one rule only */
	procrec_rules_default(&d);
	j = procrec_rules_json(&d);
	{
		char *s = jdump(j);
		assert_string_equal(s, "{\"silence_ms\":259200000,\"lead_time_ms\":3628800000,"
		    "\"languages\":[\"ar\",\"zh\",\"en\",\"fr\",\"ru\",\"es\"],"
		    "\"objections\":\"all\",\"proposers\":\"chair\","
		    "\"stakeholders\":{\"ecosoc\":\"silence\",\"other\":\"silence\"}}");
		free(s);
	}
	/* the JSON form reads back to the same rules */
	assert_int_equal(procrec_rules_merge(&d, j, &r), 0);
	assert_memory_equal(&r, &d, sizeof(r));
	json_decref(j);
	j = json_pack("{s:I}", "lead_time_ms", (json_int_t)(21 * DAY));
	assert_int_equal(procrec_rules_merge(&d, j, &r), 0);
	json_decref(j);
	assert_int_equal(r.lead_ms, 21 * DAY);
	assert_int_equal(r.silence_ms, d.silence_ms);
	/* each bad field is refused, naming it, and leaves out unchanged */
	static const char *bad[] = {
		"{\"silence_ms\": 59999}", "{\"silence_ms\": \"72h\"}",
		"{\"lead_time_ms\": -1}", "{\"languages\": []}",
		"{\"languages\": [\"en\", \"en\"]}", "{\"languages\": [\"english\"]}",
		"{\"objections\": \"none\"}", "{\"proposers\": [\"xa\"]}",
		"{\"proposers\": \"anyone\"}", "{\"stakeholders\": {\"ecosoc\": \"maybe\"}}",
		"{\"stakeholders\": {\"ngo\": \"silence\"}}", "{\"quorum\": 3}", "[]",
		NULL };
	for (int i = 0; bad[i] != NULL; i++) {
		struct proc_rules before = r;
		j = json_loads(bad[i], 0, NULL);
		assert_non_null(j);
		assert_int_not_equal(procrec_rules_merge(&d, j, &r), 0);
		assert_memory_equal(&r, &before, sizeof(r));
		json_decref(j);
	}
}

static void
test_body(void **state)
{
	struct world *w = *state;
	json_t *b;
	char *s;

	/* only the operator records bodies and changes their rules */
	assert_int_equal(put(w, DEV(A1), hdr_body("body", "forum"), body_payload("XA",
	    json_string("all"), NULL), w->t, NULL), PROC_FORBIDDEN);
	assert_int_equal(put(w, OP, hdr_body("body", "oewg"), body_payload("XB",
	    json_string("all"), NULL), w->t, NULL), PROC_DUPLICATE);
	assert_int_equal(put(w, OP, hdr_body("body", "Bad Name"), body_payload("XA",
	    json_string("all"), NULL), w->t, NULL), PROC_MALFORMED);
	assert_int_equal(put(w, OP, hdr_body("body", "forum"), json_pack("{s:s}",
	    "members", "all"), w->t, NULL), PROC_MALFORMED);		/* no chair */
	assert_int_equal(put(w, OP, hdr_body("body", "forum"), body_payload("XA",
	    json_string("group:"), NULL), w->t, NULL), PROC_MALFORMED);
	assert_int_equal(put(w, OP, hdr_body("body", "forum"), body_payload("XA",
	    json_pack("[s,s]", "XB", "XB"), NULL), w->t, NULL), PROC_MALFORMED);
	assert_int_equal(put(w, OP, hdr_body("body", "forum"), body_payload("XA",
	    json_string("all"), json_pack("{s:i}", "quorum", 3)), w->t, NULL),
	    PROC_MALFORMED);
	b = body_payload("XA", json_string("all"), NULL);
	json_object_set_new(b, "colour", json_string("blue"));
	assert_int_equal(put(w, OP, hdr_body("body", "forum"), b, w->t, NULL),
	    PROC_MALFORMED);
	assert_int_equal(put(w, OP, hdr_body("body", "forum"), body_payload("XB",
	    json_string("group:arf"), json_pack("{s:I,s:[s,s],s:s}", "lead_time_ms",
	    (json_int_t)(21 * DAY), "languages", "en", "fr", "objections", "chair")),
	    w->t, NULL), PROC_OK);

	/* rule changes: the operator's, of a body that exists, changing something */
	assert_int_equal(put(w, DEV(A1), hdr_body("body-rules", "oewg"),
	    json_pack("{s:{s:I}}", "rules", "lead_time_ms", (json_int_t)(21 * DAY)),
	    w->t, NULL), PROC_FORBIDDEN);
	assert_int_equal(put(w, OP, hdr_body("body-rules", "nobody"),
	    json_pack("{s:{s:I}}", "rules", "lead_time_ms", (json_int_t)(21 * DAY)),
	    w->t, NULL), PROC_UNKNOWN);
	assert_int_equal(put(w, OP, hdr_body("body-rules", "oewg"), json_object(),
	    w->t, NULL), PROC_MALFORMED);
	assert_int_equal(put(w, OP, hdr_body("body-rules", "oewg"),
	    json_pack("{s:{s:I}}", "rules", "silence_ms", (json_int_t)1), w->t, NULL),
	    PROC_MALFORMED);
	assert_int_equal(put(w, OP, hdr_body("body-rules", "oewg"),
	    json_pack("{s:{s:I}}", "rules", "silence_ms", (json_int_t)(24 * HOUR)),
	    w->t, NULL), PROC_OK);

	b = proc_view_bodies(w->p);
	s = jdump(json_object_get(json_array_get(b, 0), "rules"));
	assert_string_equal(s, "{\"silence_ms\":86400000,\"lead_time_ms\":3628800000,"
	    "\"languages\":[\"ar\",\"zh\",\"en\",\"fr\",\"ru\",\"es\"],"
	    "\"objections\":\"all\",\"proposers\":\"chair\","
	    "\"stakeholders\":{\"ecosoc\":\"silence\",\"other\":\"silence\"}}");
	free(s);
	assert_int_equal(jint(json_array_get(b, 0), "changes"), 1);
	s = jdump(json_object_get(json_array_get(b, 1), "rules"));
	assert_string_equal(s, "{\"silence_ms\":259200000,\"lead_time_ms\":1814400000,"
	    "\"languages\":[\"en\",\"fr\"],\"objections\":\"chair\",\"proposers\":\"chair\","
	    "\"stakeholders\":{\"ecosoc\":\"silence\",\"other\":\"silence\"}}");
	free(s);
	assert_string_equal(jstr(json_array_get(b, 1), "members"), "group:arf");
	json_decref(b);
}

static void
test_meeting(void **state)
{
	struct world *w = *state;
	int64_t s = T0 + 60 * DAY;

	assert_int_equal(put(w, OP, meeting_hdr("oewg", s, s + 5 * DAY),
	    meeting_payload(), w->t, NULL), PROC_OK);
	assert_int_equal(put(w, DEV(A2), meeting_hdr("oewg", s, s + 5 * DAY),
	    meeting_payload(), w->t, NULL), PROC_OK);		/* a Chair's device */
	assert_int_equal(put(w, DEV(B1), meeting_hdr("oewg", s, s + 5 * DAY),
	    meeting_payload(), w->t, NULL), PROC_FORBIDDEN);	/* a member */
	assert_int_equal(put(w, DEV(E1), meeting_hdr("oewg", s, s + 5 * DAY),
	    meeting_payload(), w->t, NULL), PROC_FORBIDDEN);
	assert_int_equal(put(w, OP, meeting_hdr("nobody", s, s + 5 * DAY),
	    meeting_payload(), w->t, NULL), PROC_UNKNOWN);
	assert_int_equal(put(w, OP, meeting_hdr("oewg", s, s), meeting_payload(),
	    w->t, NULL), PROC_MALFORMED);
	assert_int_equal(put(w, OP, meeting_hdr("oewg", s, s + 32 * DAY),
	    meeting_payload(), w->t, NULL), PROC_MALFORMED);
	assert_int_equal(put(w, OP, meeting_hdr("oewg", s, s + DAY), json_object(),
	    w->t, NULL), PROC_MALFORMED);			/* no title */
	assert_int_equal(put(w, OP, meeting_hdr("oewg", s, s + DAY),
	    json_pack("{s:{s:s}}", "title", "EN", "x"), w->t, NULL), PROC_MALFORMED);
	assert_int_equal(w->p->nmeetings, 2);
}

static void
test_paper_rules(void **state)
{
	struct world *w = *state;
	uint8_t m[32], m2[32], pid[32], pid2[32];
	int64_t s = T0 + 60 * DAY;
	json_t *f, *h, *p;
	struct buf big = {0};
	struct seal_recipient rc;

	assert_int_equal(put(w, OP, hdr_body("body", "forum"), body_payload("XE",
	    json_pack("[s]", "XE"), NULL), w->t, NULL), PROC_OK);
	assert_int_equal(put(w, OP, meeting_hdr("oewg", s, s + DAY), meeting_payload(),
	    w->t, m), PROC_OK);
	assert_int_equal(put(w, OP, meeting_hdr("forum", s, s + DAY), meeting_payload(),
	    w->t, m2), PROC_OK);

	/* bad input: no file, a language that is not a code, a version twice,
	 * 70 MiB, an unknown or foreign meeting; nothing is stored */
	assert_int_equal(circulate(w, w->dev[A1], "oewg", m, "", w->t, NULL),
	    PROC_MALFORMED);
	assert_int_equal(circulate(w, w->dev[A1], "oewg", m, "english", w->t, NULL),
	    PROC_MALFORMED);
	assert_int_equal(circulate(w, w->dev[A1], "oewg", m, "EN", w->t, NULL),
	    PROC_MALFORMED);
	assert_int_equal(circulate(w, w->dev[A1], "oewg", m, "en,fr,en", w->t, NULL),
	    PROC_MALFORMED);
	f = json_pack("[o]", file_entry("en", 70ULL << 20));
	assert_int_equal(put(w, DEV(A1), paper_hdr("oewg", m, "public", f),
	    paper_payload(f), w->t, NULL), PROC_MALFORMED);
	f = json_pack("[o]", file_entry("en", 1000));
	json_object_set_new(json_array_get(f, 0), "size", json_integer(65560));
	assert_int_equal(put(w, DEV(A1), paper_hdr("oewg", m, "public", f),
	    paper_payload(f), w->t, NULL), PROC_MALFORMED);	/* not a blob size */
	assert_int_equal(circulate(w, w->dev[A1], "oewg", m2, "en", w->t, NULL),
	    PROC_UNKNOWN);
	assert_int_equal(circulate(w, w->dev[A1], "nobody", m, "en", w->t, NULL),
	    PROC_UNKNOWN);
	{
		uint8_t none[32] = { 1 };
		assert_int_equal(circulate(w, w->dev[A1], "oewg", none, "en", w->t, NULL),
		    PROC_UNKNOWN);
	}
	/* the public payload describes exactly the header's files */
	f = files_of("en,fr");
	p = files_of("en");
	assert_int_equal(put(w, DEV(A1), paper_hdr("oewg", m, "public", f),
	    paper_payload(p), w->t, NULL), PROC_MALFORMED);
	json_decref(p);
	/* a paper for the members is sealed */
	f = files_of("en");
	assert_int_equal(put(w, DEV(A1), paper_hdr("oewg", m, "members", f),
	    paper_payload(f), w->t, NULL), PROC_MALFORMED);
	memcpy(rc.device, w->dev[B1]->pk, 32);
	memcpy(rc.box_pk, w->dev[B1]->box_pk, 32);
	assert_int_equal(seal_encrypt(&big, "{}", 2, &rc, 1), 0);
	assert_int_equal(put_raw(w, DEV(A1), paper_hdr("oewg", m, "members",
	    files_of("en")), &big, w->t, NULL), PROC_OK);
	buf_free(&big);

	/* who: the operator, the Chair, a member; not a non-member */
	assert_int_equal(circulate(w, w->dev[E1], "oewg", m, "en", w->t, NULL),
	    PROC_FORBIDDEN);
	assert_int_equal(circulate(w, w->dev[C1], "oewg", m, "en", w->t, NULL), PROC_OK);
	f = files_of("ar");
	assert_int_equal(put(w, OP, paper_hdr("oewg", m, "public", f), paper_payload(f),
	    w->t, NULL), PROC_OK);
	assert_int_equal(circulate(w, w->dev[A1], "oewg", m, "en", w->t, pid), PROC_OK);

	/* language versions: by who circulated it, or the Chair; never twice */
	assert_int_equal(add_lang(w, w->dev[B1], pid, "fr", w->t), PROC_FORBIDDEN);
	assert_int_equal(add_lang(w, w->dev[A2], pid, "fr", w->t), PROC_OK);
	assert_int_equal(add_lang(w, w->dev[A1], pid, "fr", w->t), PROC_DUPLICATE);
	assert_int_equal(add_lang(w, w->dev[A1], pid, "en,ru", w->t), PROC_DUPLICATE);
	assert_int_equal(add_lang(w, w->dev[A1], pid, "ru,ru", w->t), PROC_MALFORMED);
	assert_int_equal(circulate(w, w->dev[C1], "oewg", m, "es", w->t, pid2), PROC_OK);
	assert_int_equal(add_lang(w, w->dev[A1], pid2, "zh", w->t), PROC_OK);	/* Chair */
	assert_int_equal(add_lang(w, w->dev[C1], pid2, "ru", w->t), PROC_OK);
	{
		uint8_t none[32] = { 2 };
		assert_int_equal(add_lang(w, w->dev[A1], none, "ru", w->t), PROC_UNKNOWN);
	}
	f = files_of("ar");
	h = json_pack("{s:s,s:o,s:s,s:o}", "kind", "paper-lang", "paper", jhex(pid, 32),
	    "audience", "members", "files", f);
	p = json_pack("{s:o}", "files", file_descs(1));
	assert_int_equal(put(w, DEV(A1), h, p, w->t, NULL), PROC_MALFORMED);
	assert_int_equal(w->p->npapers, 5);
}

static void
test_lead_time(void **state)
{
	struct world *w = *state;
	int64_t s = T0 + 100 * DAY;
	uint8_t m[32], pid[32], late[32];
	json_t *v;

	assert_int_equal(put(w, OP, meeting_hdr("oewg", s, s + 5 * DAY),
	    meeting_payload(), w->t, m), PROC_OK);
	/* en 43 days ahead, fr exactly 42 (on time), es 42 days less 1 ms
	 * (late), ru after the meeting started; ar and zh never */
	assert_int_equal(circulate(w, w->dev[A1], "oewg", m, "en", s - 43 * DAY, pid),
	    PROC_OK);
	assert_int_equal(add_lang(w, w->dev[A1], pid, "fr", s - 42 * DAY), PROC_OK);
	assert_int_equal(add_lang(w, w->dev[A1], pid, "es", s - 42 * DAY + 1), PROC_OK);
	/* a paper first circulated exactly 42 days ahead is on time; one 1 ms
	 * later is not */
	{
		uint8_t q1[32], q2[32];

		assert_int_equal(circulate(w, w->dev[B1], "oewg", m, "en",
		    s - 42 * DAY + 1, q2), PROC_OK);
		v = paper_view(w, q2, w->t);
		assert_true(json_is_false(json_object_get(v, "on_time")));
		json_decref(v);
		/* log times never go back, so the exact case is a meeting 1 ms
		 * later, circulated exactly 42 days before it */
		assert_int_equal(put(w, OP, meeting_hdr("oewg", s + 1, s + DAY),
		    meeting_payload(), w->t, q1), PROC_OK);
		assert_int_equal(circulate(w, w->dev[C1], "oewg", q1, "en",
		    s + 1 - 42 * DAY, q1), PROC_OK);
		v = paper_view(w, q1, w->t);
		assert_true(json_is_true(json_object_get(v, "on_time")));
		assert_string_equal(jstr(lang_of(v, "en"), "status"), "on-time");
		json_decref(v);
	}

	/* a signer whose clock is set back 60 days still gets its log time:
	 * 9 days, late */
	{
		struct rec r;
		json_t *f = files_of("fr"), *pl = paper_payload(f);
		char *t = jdump(pl);

		json_decref(pl);
		rec_build(&r, w->dev[C1], "XC", paper_hdr("oewg", m, "public", f), t,
		    strlen(t), s - 60 * DAY);
		free(t);
		assert_int_equal(take_at(w, &r, s - 9 * DAY), PROC_OK);
		memcpy(late, r.e.id, 32);
		rec_free(&r);
	}
	v = paper_view(w, late, s - 9 * DAY);
	assert_string_equal(jstr(lang_of(v, "fr"), "status"), "late");
	assert_int_equal(jint(lang_of(v, "fr"), "lead_ms"), 9 * DAY);
	assert_int_equal(jint(lang_of(v, "fr"), "time"), s - 9 * DAY);
	assert_true(json_is_false(json_object_get(v, "on_time")));
	json_decref(v);

	/* as of before ru is logged, ru is missing */
	v = paper_view(w, pid, s);
	assert_string_equal(jstr(lang_of(v, "ru"), "status"), "missing");
	json_decref(v);
	assert_int_equal(add_lang(w, w->dev[A1], pid, "ru", s + HOUR), PROC_OK);
	v = paper_view(w, pid, s + 2 * HOUR);
	assert_string_equal(jstr(lang_of(v, "en"), "status"), "on-time");
	assert_int_equal(jint(lang_of(v, "en"), "lead_ms"), 43 * DAY);
	assert_string_equal(jstr(lang_of(v, "fr"), "status"), "on-time");
	assert_int_equal(jint(lang_of(v, "fr"), "lead_ms"), 42 * DAY);
	assert_string_equal(jstr(lang_of(v, "es"), "status"), "late");
	assert_int_equal(jint(lang_of(v, "es"), "lead_ms"), 42 * DAY - 1);
	assert_string_equal(jstr(lang_of(v, "ru"), "status"), "late");
	assert_int_equal(jint(lang_of(v, "ru"), "lead_ms"), -HOUR);
	assert_string_equal(jstr(lang_of(v, "ar"), "status"), "missing");
	assert_string_equal(jstr(lang_of(v, "zh"), "status"), "missing");
	assert_int_equal(jint(v, "due"), s - 42 * DAY);
	assert_true(json_is_true(json_object_get(v, "on_time")));
	assert_true(json_is_false(json_object_get(v, "all_languages")));
	assert_true(json_is_false(json_object_get(v, "all_on_time")));
	/* the required languages come first, in the rule's order */
	assert_string_equal(jstr(json_array_get(json_object_get(v, "languages"), 0),
	    "lang"), "ar");
	json_decref(v);

	/* a meeting recorded after a rules change is judged by the new rule (21
	 * days); the meeting recorded before keeps 42 */
	assert_int_equal(put(w, OP, hdr_body("body-rules", "oewg"),
	    json_pack("{s:{s:I,s:[s,s]}}", "rules", "lead_time_ms", (json_int_t)(21 * DAY),
	    "languages", "en", "fr"), w->t, NULL), PROC_OK);
	{
		uint8_t m2[32], p2[32];
		assert_int_equal(put(w, OP, meeting_hdr("oewg", s + 30 * DAY, s + 31 * DAY),
		    meeting_payload(), w->t, m2), PROC_OK);
		assert_int_equal(circulate(w, w->dev[A1], "oewg", m2, "en,fr",
		    s + 30 * DAY - 21 * DAY, p2), PROC_OK);
		v = paper_view(w, p2, s + 30 * DAY);
		assert_int_equal(jint(v, "lead_time_ms"), 21 * DAY);
		assert_true(json_is_true(json_object_get(v, "all_on_time")));
		assert_int_equal(json_array_size(json_object_get(v, "languages")), 2);
		json_decref(v);
		v = paper_view(w, pid, s + 30 * DAY);
		assert_int_equal(jint(v, "lead_time_ms"), 42 * DAY);
		assert_int_equal(json_array_size(json_object_get(v, "languages")), 6);
		json_decref(v);
	}
}

static void
test_proposal_rules(void **state)
{
	struct world *w = *state;
	uint8_t id[32], m[32], pid[32], other_m[32];
	int64_t s = w->t + 10 * DAY;
	json_t *h;

	/* only the Chair proposes by default */
	assert_int_equal(propose(w, w->dev[A2], "oewg", w->t, id), PROC_OK);
	assert_int_equal(propose(w, w->dev[B1], "oewg", w->t, NULL), PROC_FORBIDDEN);
	assert_int_equal(put(w, OP, proposal_hdr("oewg", "en"), proposal_text(), w->t,
	    NULL), PROC_FORBIDDEN);
	assert_int_equal(propose(w, w->dev[A1], "nobody", w->t, NULL), PROC_UNKNOWN);
	/* a designated proposer, then any member */
	assert_int_equal(put(w, OP, hdr_body("body-rules", "oewg"),
	    json_pack("{s:{s:[s]}}", "rules", "proposers", "XB"), w->t, NULL), PROC_OK);
	assert_int_equal(propose(w, w->dev[B1], "oewg", w->t, NULL), PROC_OK);
	assert_int_equal(propose(w, w->dev[C1], "oewg", w->t, NULL), PROC_FORBIDDEN);
	assert_int_equal(put(w, OP, hdr_body("body-rules", "oewg"),
	    json_pack("{s:{s:s}}", "rules", "proposers", "members"), w->t, NULL), PROC_OK);
	assert_int_equal(propose(w, w->dev[C1], "oewg", w->t, NULL), PROC_OK);
	assert_int_equal(propose(w, w->dev[E1], "oewg", w->t, NULL), PROC_FORBIDDEN);

	/* the text has its original language */
	assert_int_equal(put(w, DEV(A1), proposal_hdr("oewg", "ru"), proposal_text(),
	    w->t, NULL), PROC_MALFORMED);
	assert_int_equal(put(w, DEV(A1), proposal_hdr("oewg", "russian"),
	    proposal_text(), w->t, NULL), PROC_MALFORMED);
	assert_int_equal(put(w, DEV(A1), proposal_hdr("oewg", "en"), json_pack("{s:{}}",
	    "text"), w->t, NULL), PROC_MALFORMED);
	/* a members-only proposal is sealed */
	h = proposal_hdr("oewg", "en");
	json_object_set_new(h, "audience", json_string("members"));
	assert_int_equal(put(w, DEV(A1), h, proposal_text(), w->t, NULL), PROC_MALFORMED);

	/* silence: never shorter than the body's rule, except during the
	 * meeting the proposal names */
	assert_int_equal(put(w, OP, meeting_hdr("oewg", s, s + DAY), meeting_payload(),
	    w->t, m), PROC_OK);
	h = proposal_hdr("oewg", "en");
	json_object_set_new(h, "silence_ms", json_integer(HOUR));
	assert_int_equal(put(w, DEV(A1), h, proposal_text(), w->t, NULL), PROC_MALFORMED);
	h = proposal_hdr("oewg", "en");
	json_object_set_new(h, "silence_ms", json_integer(HOUR));
	json_object_set_new(h, "meeting", jhex(m, 32));
	assert_int_equal(put(w, DEV(A1), h, proposal_text(), s - 1, NULL),
	    PROC_MALFORMED);				/* before it started */
	h = proposal_hdr("oewg", "en");
	json_object_set_new(h, "silence_ms", json_integer(HOUR));
	json_object_set_new(h, "meeting", jhex(m, 32));
	assert_int_equal(put(w, DEV(A1), h, proposal_text(), s + HOUR, id), PROC_OK);
	{
		json_t *v = decision(w, id, s + HOUR, NULL);
		assert_int_equal(jint(v, "deadline"), s + 2 * HOUR);
		json_decref(v);
	}
	h = proposal_hdr("oewg", "en");
	json_object_set_new(h, "silence_ms", json_string("72h"));
	assert_int_equal(put(w, DEV(A1), h, proposal_text(), w->t, NULL), PROC_MALFORMED);
	h = proposal_hdr("oewg", "en");
	json_object_set_new(h, "silence_ms", json_integer(367 * DAY));
	assert_int_equal(put(w, DEV(A1), h, proposal_text(), w->t, NULL), PROC_MALFORMED);

	/* a paper and a meeting named must be the body's */
	assert_int_equal(put(w, OP, hdr_body("body", "forum"), body_payload("XE",
	    json_pack("[s]", "XE"), NULL), w->t, NULL), PROC_OK);
	assert_int_equal(put(w, OP, meeting_hdr("forum", s, s + DAY), meeting_payload(),
	    w->t, other_m), PROC_OK);
	assert_int_equal(circulate(w, w->dev[E1], "forum", other_m, "en", w->t, pid),
	    PROC_OK);
	h = proposal_hdr("oewg", "en");
	json_object_set_new(h, "paper", jhex(pid, 32));
	assert_int_equal(put(w, DEV(A1), h, proposal_text(), w->t, NULL), PROC_UNKNOWN);
	h = proposal_hdr("oewg", "en");
	json_object_set_new(h, "meeting", jhex(other_m, 32));
	assert_int_equal(put(w, DEV(A1), h, proposal_text(), w->t, NULL), PROC_UNKNOWN);
	h = proposal_hdr("forum", "en");
	json_object_set_new(h, "paper", jhex(pid, 32));
	assert_int_equal(put(w, DEV(E1), h, proposal_text(), w->t, NULL), PROC_OK);

	/* a body whose group does not exist has nobody to decide */
	assert_int_equal(put(w, OP, hdr_body("body", "arf"), body_payload("XA",
	    json_string("group:arf"), NULL), w->t, NULL), PROC_OK);
	assert_int_equal(propose(w, w->dev[A1], "arf", w->t, NULL), PROC_FORBIDDEN);
}

/* Time is the log's, to the millisecond. */
static void
test_deadline(void **state)
{
	struct world *w = *state;
	uint8_t p1[32], p2[32], p3[32];
	int64_t t = w->t + HOUR, dl = t + 72 * HOUR;
	json_t *v;

	assert_int_equal(propose(w, w->dev[A1], "oewg", t, p1), PROC_OK);
	assert_int_equal(propose(w, w->dev[A1], "oewg", t, p2), PROC_OK);
	assert_int_equal(propose(w, w->dev[A1], "oewg", t, p3), PROC_OK);
	v = decision(w, p1, t, NULL);
	assert_int_equal(jint(v, "deadline"), dl);
	assert_string_equal(jstr(v, "status"), "open");
	assert_int_equal(jint(v, "remaining_ms"), 72 * HOUR);
	assert_int_equal(jint(v, "members"), 4);
	json_decref(v);

	/* 1 ms before the deadline counts, even from a clock far ahead */
	assert_int_equal(position(w, w->dev[B1], p1, "object", dl - 1, dl + 30 * DAY),
	    PROC_OK);
	/* at the deadline and 1 ms after it does not, even from a clock set
	 * back to well before it */
	assert_int_equal(position(w, w->dev[C1], p2, "object", dl, t), PROC_CLOSED);
	assert_int_equal(position(w, w->dev[C1], p2, "object", dl + 1, t), PROC_CLOSED);
	assert_int_equal(position(w, w->dev[C1], p3, "support", dl + 1, t), PROC_CLOSED);

	v = decision(w, p1, dl - 1, NULL);
	assert_string_equal(jstr(v, "status"), "open");
	assert_int_equal(jint(v, "remaining_ms"), 1);
	assert_true(json_is_true(json_object_get(v, "silence_broken")));
	json_decref(v);
	v = decision(w, p1, dl, NULL);
	assert_string_equal(jstr(v, "status"), "not-adopted");
	assert_int_equal(jint(v, "objections"), 1);
	assert_states(json_object_get(v, "objecting"), "XB");
	assert_true(json_is_null(json_object_get(v, "remaining_ms")));
	json_decref(v);
	v = decision(w, p2, dl - 1, NULL);
	assert_string_equal(jstr(v, "status"), "open");
	json_decref(v);
	v = decision(w, p2, dl, NULL);
	assert_string_equal(jstr(v, "status"), "adopted");
	assert_int_equal(jint(v, "objections"), 0);
	json_decref(v);
	/* the proof lists the records that decide it */
	v = decision(w, p1, dl, NULL);
	assert_int_equal(json_array_size(json_object_get(json_object_get(v, "proof"),
	    "positions")), 1);
	assert_int_equal(jint(json_object_get(v, "proof"), "record"),
	    w->log[w->nlog - 2].index - 2);	/* p1 was logged before p2, p3 */
	json_decref(v);
}

static void
test_positions(void **state)
{
	struct world *w = *state;
	uint8_t p1[32], p2[32], none[32] = { 7 };
	int64_t t = w->t;
	json_t *v;

	assert_int_equal(propose(w, w->dev[A1], "oewg", t, p1), PROC_OK);
	/* only members: XE is not one, the operator takes no position */
	assert_int_equal(object(w, w->dev[E1], p1, t + 1), PROC_FORBIDDEN);
	assert_int_equal(put(w, OP, json_pack("{s:s,s:o,s:s}", "kind", "position",
	    "ref", jhex(p1, 32), "stance", "object"), json_object(), t + 1, NULL),
	    PROC_FORBIDDEN);
	assert_int_equal(object(w, w->dev[B1], none, t + 1), PROC_UNKNOWN);
	assert_int_equal(position(w, w->dev[B1], p1, "abstain", t + 1, t + 1),
	    PROC_MALFORMED);

	/* one objection per State; support, then object, may; not the reverse */
	assert_int_equal(object(w, w->dev[B1], p1, t + 2), PROC_OK);
	assert_int_equal(object(w, w->dev[B1], p1, t + 3), PROC_DUPLICATE);
	assert_int_equal(position(w, w->dev[B1], p1, "support", t + 3, t + 3),
	    PROC_DUPLICATE);
	assert_int_equal(position(w, w->dev[C1], p1, "support", t + 4, t + 4), PROC_OK);
	assert_int_equal(position(w, w->dev[C1], p1, "support", t + 5, t + 5),
	    PROC_DUPLICATE);
	assert_int_equal(object(w, w->dev[C1], p1, t + 6), PROC_OK);
	/* another device of the same State is the same State */
	assert_int_equal(position(w, w->dev[A2], p1, "support", t + 7, t + 7), PROC_OK);
	assert_int_equal(position(w, w->dev[A1], p1, "support", t + 8, t + 8),
	    PROC_DUPLICATE);

	/* the members are those of the proposal's log index: removing XD from
	 * the body does not remove its objection from a pending proposal... */
	assert_int_equal(put(w, OP, hdr_body("body-rules", "oewg"), json_pack("{s:[s,s,s]}",
	    "members", "XA", "XB", "XC"), t + 9, NULL), PROC_OK);
	assert_int_equal(object(w, w->dev[D1], p1, t + 10), PROC_OK);
	/* ...but XD is no member for the next one */
	assert_int_equal(propose(w, w->dev[A1], "oewg", t + 11, p2), PROC_OK);
	assert_int_equal(object(w, w->dev[D1], p2, t + 12), PROC_FORBIDDEN);

	v = decision(w, p1, t + 72 * HOUR, NULL);
	assert_string_equal(jstr(v, "status"), "not-adopted");
	assert_int_equal(jint(v, "objections"), 3);
	assert_states(json_object_get(v, "objecting"), "XB,XC,XD");
	assert_int_equal(jint(v, "supports"), 2);
	assert_states(json_object_get(v, "supporting"), "XC,XA");
	assert_int_equal(jint(v, "members"), 4);
	json_decref(v);
	v = decision(w, p2, t + 11 + 72 * HOUR, NULL);
	assert_string_equal(jstr(v, "status"), "adopted");
	assert_int_equal(jint(v, "members"), 3);
	json_decref(v);

	/* a reason is optional, and sealed when given */
	{
		uint8_t p3[32];
		struct seal_recipient r;
		struct buf sealed = {0};
		char *b64;
		memcpy(r.device, w->dev[A1]->pk, 32);
		memcpy(r.box_pk, w->dev[A1]->box_pk, 32);
		assert_int_equal(propose(w, w->dev[A1], "oewg", t + 13, p3), PROC_OK);
		assert_int_equal(put(w, DEV(B1), json_pack("{s:s,s:o,s:s}", "kind",
		    "position", "ref", jhex(p3, 32), "stance", "object"),
		    json_pack("{s:s}", "reason", "not sealed"), t + 14, NULL),
		    PROC_MALFORMED);
		assert_int_equal(seal_encrypt(&sealed, "too soon", 8, &r, 1), 0);
		b64 = b64_encode(sealed.p, sealed.len);
		assert_int_equal(put(w, DEV(B1), json_pack("{s:s,s:o,s:s}", "kind",
		    "position", "ref", jhex(p3, 32), "stance", "object"),
		    json_pack("{s:s}", "reason", b64), t + 14, NULL), PROC_OK);
		free(b64);
		buf_free(&sealed);
		assert_int_equal(put(w, DEV(C1), json_pack("{s:s,s:o,s:s}", "kind",
		    "position", "ref", jhex(p3, 32), "stance", "object"),
		    json_pack("{s:s}", "note", "x"), t + 15, NULL), PROC_MALFORMED);
	}
}

static void
test_withdraw(void **state)
{
	struct world *w = *state;
	uint8_t p1[32], p2[32], p3[32];
	int64_t t = w->t;
	json_t *v;

	assert_int_equal(put(w, OP, hdr_body("body-rules", "oewg"),
	    json_pack("{s:{s:[s]}}", "rules", "proposers", "XB"), t, NULL), PROC_OK);
	assert_int_equal(propose(w, w->dev[A1], "oewg", t, p1), PROC_OK);
	assert_int_equal(propose(w, w->dev[B1], "oewg", t, p2), PROC_OK);
	assert_int_equal(propose(w, w->dev[A1], "oewg", t, p3), PROC_OK);
	assert_int_equal(object(w, w->dev[C1], p1, t + 1), PROC_OK);

	/* only the proposer or the Chair */
	assert_int_equal(withdraw(w, DEV(C1), p1, t + 2), PROC_FORBIDDEN);
	assert_int_equal(withdraw(w, DEV(B1), p1, t + 2), PROC_FORBIDDEN);
	assert_int_equal(withdraw(w, OP, p1, t + 2), PROC_FORBIDDEN);
	assert_int_equal(withdraw(w, DEV(A2), p1, t + 2), PROC_OK);
	assert_int_equal(withdraw(w, DEV(B1), p2, t + 3), PROC_OK);	/* its own */
	/* a withdrawn proposal takes no more positions, nor a second withdrawal */
	assert_int_equal(object(w, w->dev[D1], p1, t + 4), PROC_CLOSED);
	assert_int_equal(position(w, w->dev[D1], p2, "support", t + 4, t + 4),
	    PROC_CLOSED);
	assert_int_equal(withdraw(w, DEV(A1), p1, t + 5), PROC_CLOSED);
	/* nor is a decided one withdrawn */
	assert_int_equal(withdraw(w, DEV(A1), p3, t + 72 * HOUR), PROC_CLOSED);

	v = decision(w, p1, t + 72 * HOUR, NULL);
	assert_string_equal(jstr(v, "status"), "withdrawn");
	assert_string_equal(jstr(json_object_get(v, "withdrawn"), "by"), "XA");
	json_decref(v);
	v = decision(w, p3, t + 72 * HOUR, NULL);
	assert_string_equal(jstr(v, "status"), "adopted");
	json_decref(v);
	v = proc_view_decisions(w->p, t + 10, NULL, "oewg", 1);
	assert_int_equal(json_array_size(v), 1);	/* p3 only is open */
	json_decref(v);
}

/* Objections shown to the Chair only: the number for everyone, the States
 * for the Chair. */
static void
test_visibility(void **state)
{
	struct world *w = *state;
	uint8_t p1[32];
	int64_t t = w->t;
	json_t *v;

	assert_int_equal(put(w, OP, hdr_body("body-rules", "oewg"),
	    json_pack("{s:{s:s}}", "rules", "objections", "chair"), t, NULL), PROC_OK);
	assert_int_equal(propose(w, w->dev[A1], "oewg", t, p1), PROC_OK);
	assert_int_equal(object(w, w->dev[B1], p1, t + 1), PROC_OK);
	assert_int_equal(object(w, w->dev[D1], p1, t + 2), PROC_OK);
	v = decision(w, p1, t + 72 * HOUR, NULL);
	assert_string_equal(jstr(v, "status"), "not-adopted");
	assert_int_equal(jint(v, "objections"), 2);
	assert_true(json_is_null(json_object_get(v, "objecting")));
	assert_string_equal(jstr(v, "objections_shown_to"), "chair");
	json_decref(v);
	v = decision(w, p1, t + 72 * HOUR, "XC");
	assert_true(json_is_null(json_object_get(v, "objecting")));
	json_decref(v);
	v = decision(w, p1, t + 72 * HOUR, "XA");
	assert_states(json_object_get(v, "objecting"), "XB,XD");
	json_decref(v);
}

static void
test_applications(void **state)
{
	struct world *w = *state;
	uint8_t a1[32], a2[32], a3[32];
	int64_t t = w->t;
	json_t *v;

	assert_int_equal(put(w, DEV(A1), json_pack("{s:s,s:s,s:b}", "kind", "application",
	    "body", "oewg", "ecosoc", 1), json_pack("{s:s}", "name", "X"), t, NULL),
	    PROC_FORBIDDEN);
	assert_int_equal(put(w, OP, json_pack("{s:s,s:s,s:s}", "kind", "application",
	    "body", "oewg", "ecosoc", "yes"), json_pack("{s:s}", "name", "X"), t, NULL),
	    PROC_MALFORMED);
	assert_int_equal(put(w, OP, json_pack("{s:s,s:s,s:b}", "kind", "application",
	    "body", "oewg", "ecosoc", 0), json_pack("{s:s,s:s}", "name", "X",
	    "website", "javascript:alert(1)"), t, NULL), PROC_MALFORMED);
	assert_int_equal(put(w, OP, json_pack("{s:s,s:s,s:b}", "kind", "application",
	    "body", "oewg", "ecosoc", 0), json_pack("{s:s}", "name", "Line\nbreak"),
	    t, NULL), PROC_MALFORMED);
	assert_int_equal(apply_org(w, "nobody", 1, t, NULL), PROC_UNKNOWN);

	/* by default both go under silence */
	assert_int_equal(apply_org(w, "oewg", 1, t, a1), PROC_OK);
	assert_int_equal(apply_org(w, "oewg", 0, t, a2), PROC_OK);
	assert_int_equal(object(w, w->dev[C1], a2, t + 1), PROC_OK);
	v = decision(w, a1, t + 72 * HOUR, NULL);
	assert_string_equal(jstr(v, "status"), "accredited");
	assert_string_equal(jstr(json_object_get(v, "organisation"), "name"),
	    "Cyber Peace Institute");
	json_decref(v);
	v = decision(w, a2, t + 72 * HOUR, NULL);
	assert_string_equal(jstr(v, "status"), "not-accredited");
	json_decref(v);

	/* the rules: ECOSOC status admitted at once, others not taken */
	assert_int_equal(put(w, OP, hdr_body("body-rules", "oewg"),
	    json_pack("{s:{s:{s:s,s:s}}}", "rules", "stakeholders", "ecosoc", "admit",
	    "other", "closed"), t + 2, NULL), PROC_OK);
	assert_int_equal(apply_org(w, "oewg", 0, t + 3, NULL), PROC_FORBIDDEN);
	assert_int_equal(apply_org(w, "oewg", 1, t + 3, a3), PROC_OK);
	assert_int_equal(object(w, w->dev[C1], a3, t + 4), PROC_CLOSED);
	assert_int_equal(withdraw(w, OP, a3, t + 4), PROC_CLOSED);
	v = decision(w, a3, t + 3, NULL);
	assert_string_equal(jstr(v, "status"), "accredited");
	assert_true(json_is_true(json_object_get(v, "admitted_at_once")));
	json_decref(v);
	/* an application under silence is withdrawn by the operator or Chair */
	assert_int_equal(put(w, OP, hdr_body("body-rules", "oewg"),
	    json_pack("{s:{s:{s:s}}}", "rules", "stakeholders", "other", "silence"),
	    t + 5, NULL), PROC_OK);
	assert_int_equal(apply_org(w, "oewg", 0, t + 6, a3), PROC_OK);
	assert_int_equal(withdraw(w, DEV(B1), a3, t + 7), PROC_FORBIDDEN);
	assert_int_equal(withdraw(w, OP, a3, t + 7), PROC_OK);
}

static json_t *
contribution_hdr(const char *body, const uint8_t app[32], const char *langs)
{
	return json_pack("{s:s,s:s,s:o,s:o}", "kind", "contribution", "body", body,
	    "application", jhex(app, 32), "files", files_of(langs));
}

static void
sealed_to(struct world *w, struct buf *out, const struct keypair *k)
{
	struct seal_recipient r;

	memcpy(r.device, k->pk, 32);
	memcpy(r.box_pk, k->box_pk, 32);
	assert_int_equal(seal_encrypt(out, "{\"title\":{\"en\":\"x\"}}", 20, &r, 1), 0);
	(void)w;
}

static void
test_stakeholders(void **state)
{
	struct world *w = *state;
	uint8_t app[32], other[32], cid[32], m[32];
	int64_t t = w->t, dl = t + 72 * HOUR;
	struct buf sealed = {0};
	json_t *f, *v;

	assert_int_equal(apply_org(w, "oewg", 1, t, app), PROC_OK);
	assert_int_equal(apply_org(w, "oewg", 0, t, other), PROC_OK);
	inject_stakeholder(w, app);
	sealed_to(w, &sealed, w->dev[A1]);

	/* not before accreditation: under silence it is not accredited yet */
	assert_int_equal(put_raw(w, w->sh, "ZZ", contribution_hdr("oewg", app, "en"),
	    &sealed, dl - 1, NULL), PROC_FORBIDDEN);
	assert_int_equal(put_raw(w, w->sh, "ZZ", contribution_hdr("oewg", app, "en,fr"),
	    &sealed, dl, cid), PROC_OK);
	/* not for an application it was not certified for, nor for another body,
	 * nor by a State's device; a contribution is sealed */
	assert_int_equal(put_raw(w, w->sh, "ZZ", contribution_hdr("oewg", other, "en"),
	    &sealed, dl, NULL), PROC_FORBIDDEN);
	assert_int_equal(put(w, OP, hdr_body("body", "forum"), body_payload("XE",
	    json_pack("[s]", "XE"), NULL), dl, NULL), PROC_OK);
	assert_int_equal(put_raw(w, w->sh, "ZZ", contribution_hdr("forum", app, "en"),
	    &sealed, dl, NULL), PROC_UNKNOWN);
	assert_int_equal(put_raw(w, DEV(B1), contribution_hdr("oewg", app, "en"),
	    &sealed, dl, NULL), PROC_FORBIDDEN);
	assert_int_equal(put(w, w->sh, "ZZ", contribution_hdr("oewg", app, "en"),
	    json_object(), dl, NULL), PROC_MALFORMED);

	/* a stakeholder device cannot propose, object, support, circulate,
	 * record a meeting or withdraw */
	assert_int_equal(put(w, w->sh, "ZZ", proposal_hdr("oewg", "en"),
	    proposal_text(), dl, NULL), PROC_FORBIDDEN);
	{
		uint8_t p[32];
		struct rec r;
		assert_int_equal(propose(w, w->dev[A1], "oewg", dl, p), PROC_OK);
		rec_build(&r, w->sh, "ZZ", json_pack("{s:s,s:o,s:s}", "kind", "position",
		    "ref", jhex(p, 32), "stance", "object"), "{}", 2, dl);
		assert_int_equal(take_at(w, &r, dl + 1), PROC_FORBIDDEN);
		rec_free(&r);
		rec_build(&r, w->sh, "ZZ", json_pack("{s:s,s:o,s:s}", "kind", "position",
		    "ref", jhex(p, 32), "stance", "support"), "{}", 2, dl);
		assert_int_equal(take_at(w, &r, dl + 1), PROC_FORBIDDEN);
		rec_free(&r);
		assert_int_equal(withdraw(w, w->sh, "ZZ", p, dl + 1), PROC_FORBIDDEN);
	}
	assert_int_equal(put(w, OP, meeting_hdr("oewg", dl + 30 * DAY, dl + 31 * DAY),
	    meeting_payload(), dl + 1, m), PROC_OK);
	f = files_of("en");
	assert_int_equal(put(w, w->sh, "ZZ", paper_hdr("oewg", m, "public", f),
	    paper_payload(f), dl + 1, NULL), PROC_FORBIDDEN);
	assert_int_equal(put(w, w->sh, "ZZ", meeting_hdr("oewg", dl + 30 * DAY,
	    dl + 31 * DAY), meeting_payload(), dl + 1, NULL), PROC_FORBIDDEN);

	/* the Chair distributes it: the same files, verifiably */
	f = files_of("en");
	v = paper_hdr("oewg", m, "public", f);
	json_object_set_new(v, "contribution", jhex(cid, 32));
	assert_int_equal(put(w, DEV(B1), json_deep_copy(v), paper_payload(f),
	    dl + 2, NULL), PROC_FORBIDDEN);			/* not the Chair */
	assert_int_equal(put(w, DEV(A1), json_deep_copy(v), paper_payload(f),
	    dl + 2, NULL), PROC_OK);
	json_decref(v);
	f = files_of("ru");
	v = paper_hdr("oewg", m, "public", f);
	json_object_set_new(v, "contribution", jhex(cid, 32));
	assert_int_equal(put(w, DEV(A1), v, paper_payload(f), dl + 3, NULL),
	    PROC_MALFORMED);				/* not its file */
	f = json_pack("[o]", file_entry("en", 1001));
	v = paper_hdr("oewg", m, "public", f);
	json_object_set_new(v, "contribution", jhex(cid, 32));
	assert_int_equal(put(w, DEV(A1), v, paper_payload(f), dl + 3, NULL),
	    PROC_MALFORMED);				/* another size */
	v = proc_view_contributions(w->p);
	assert_int_equal(json_array_size(v), 1);
	assert_int_equal(json_array_size(json_object_get(json_array_get(v, 0),
	    "distributed_as")), 1);
	json_decref(v);
	buf_free(&sealed);
}

/* The operator's certificate for a stakeholder's device, through the rules
 * hub and nodes run (lib/rules.c), at log time t. */
static enum rules_result
certify_at(struct world *w, struct keypair *dev, const uint8_t app[32], int64_t t)
{
	struct rec r;
	json_t *p = cert_payload("ZZ", dev, "stakeholder");
	enum rules_result rc;
	char *s;

	json_object_set_new(p, "stakeholder", jhex(app, 32));
	s = jdump(p);
	rec_build(&r, w->op, "ZZ", json_pack("{s:s}", "kind", "cert"), s, strlen(s), t);
	free(s);
	json_decref(p);
	rc = rules_take(w->d, w->p, w->r, &r.e, w->next, t, 0);
	if (rc == RULES_OK) {
		log_add(w, E_DIR, &r.raw, w->next, t);
		w->next++;
	}
	rec_free(&r);
	return rc;
}

static void
test_stakeholder_cert(void **state)
{
	struct world *w = *state;
	uint8_t app[32], rejected[32], pid[32], cid[32];
	int64_t t = w->t, dl = t + 72 * HOUR;
	struct keypair *k[4];
	struct buf sealed = {0};

	for (int i = 0; i < 4; i++)
		k[i] = keypair_new(NULL, 1);
	assert_int_equal(apply_org(w, "oewg", 1, t, app), PROC_OK);
	assert_int_equal(apply_org(w, "oewg", 0, t, rejected), PROC_OK);
	assert_int_equal(object(w, w->dev[C1], rejected, t + 1), PROC_OK);
	assert_int_equal(propose(w, w->dev[A1], "oewg", t + 2, pid), PROC_OK);
	/* under silence: not yet; a millisecond before the end: not yet */
	assert_int_equal(certify_at(w, k[0], app, t + 3), RULES_FORBIDDEN);
	assert_non_null(strstr(rs_err(), "still under silence"));
	assert_int_equal(certify_at(w, k[0], app, dl - 1), RULES_FORBIDDEN);
	/* an application that was objected to, a proposal, nothing */
	assert_int_equal(certify_at(w, k[0], rejected, dl), RULES_FORBIDDEN);
	assert_int_equal(certify_at(w, k[0], pid, dl), RULES_UNKNOWN);
	memset(cid, 9, 32);
	assert_int_equal(certify_at(w, k[0], cid, dl), RULES_UNKNOWN);
	assert_null(dir_device(w->d, k[0]->pk));
	/* accredited at its deadline: the certificate stands, and the device
	 * contributes (and does nothing else) */
	assert_int_equal(certify_at(w, k[0], app, dl), RULES_OK);
	assert_true(dir_is_stakeholder(dir_device(w->d, k[0]->pk)));
	sealed_to(w, &sealed, w->dev[A1]);
	assert_int_equal(put_raw(w, k[0], "ZZ", contribution_hdr("oewg", app, "en"),
	    &sealed, dl + 1, NULL), PROC_OK);
	/* a State's root cannot make one, nor the operator one of a State */
	{
		struct rec r;
		json_t *p = cert_payload("ZZ", k[1], "stakeholder");
		char *s;
		json_object_set_new(p, "stakeholder", jhex(app, 32));
		s = jdump(p);
		rec_build(&r, w->root[0], "ZZ", json_pack("{s:s}", "kind", "cert"), s,
		    strlen(s), dl + 2);
		free(s);
		json_decref(p);
		assert_int_equal(rules_check(w->d, w->p, w->r, &r.e, w->next, dl + 2, 0),
		    RULES_DIRECTORY);
		rec_free(&r);
	}
	buf_free(&sealed);
	for (int i = 0; i < 4; i++)
		keypair_free(k[i]);
}

static void
test_order(void **state)
{
	struct world *w = *state;
	struct rec r;
	char *t;
	json_t *p = proposal_text();

	t = jdump(p);
	json_decref(p);
	rec_build(&r, w->dev[A1], "XA", proposal_hdr("oewg", "en"), t, strlen(t), w->t);
	free(t);
	assert_int_equal(take_at(w, &r, w->t), PROC_OK);
	/* the same record again, and records out of log order */
	assert_int_equal(take_at(w, &r, w->t), PROC_DUPLICATE);
	assert_int_equal(proc_check(w->p, w->d, &r.e, w->next - 1, w->t), PROC_MALFORMED);
	rec_free(&r);
	p = proposal_text();
	t = jdump(p);
	json_decref(p);
	rec_build(&r, w->dev[A1], "XA", proposal_hdr("oewg", "en"), t, strlen(t), w->t + 5);
	free(t);
	assert_int_equal(proc_check(w->p, w->d, &r.e, w->next, w->t - 1), PROC_MALFORMED);
	rec_free(&r);
	/* a rules change replayed at a later index (found by fuzz_process) */
	{
		json_t *pl = json_pack("{s:{s:I}}", "rules", "silence_ms",
		    (json_int_t)(96 * HOUR));
		t = jdump(pl);
		json_decref(pl);
		rec_build(&r, w->op, NULL, hdr_body("body-rules", "oewg"), t, strlen(t),
		    w->t);
		free(t);
		assert_int_equal(take_at(w, &r, w->t), PROC_OK);
		assert_int_equal(take_at(w, &r, w->t + 1), PROC_DUPLICATE);
		rec_free(&r);
	}
	/* an operator's record is not numbered; a revoked device signs nothing */
	{
		json_t *h = hdr_body("body", "forum");
		json_object_set_new(h, "seq", json_integer(1));
		assert_int_equal(put(w, OP, h, body_payload("XA", json_string("all"), NULL),
		    w->t, NULL), PROC_MALFORMED);
	}
	dir_take(w, w->root[0], "revoke", "XA", json_pack("{s:o}", "device",
	    jhex(w->dev[A2]->pk, 32)));
	assert_int_equal(propose(w, w->dev[A2], "oewg", w->t, NULL), PROC_FORBIDDEN);
	assert_int_equal(propose(w, w->dev[A1], "oewg", w->t, NULL), PROC_OK);
	/* a device of XA claiming to sign for XB */
	assert_int_equal(put(w, w->dev[A1], "XB", proposal_hdr("oewg", "en"),
	    proposal_text(), w->t, NULL), PROC_FORBIDDEN);
	/* a key that is nobody's */
	{
		struct keypair *k = keypair_new("XA", 1);
		assert_int_equal(put(w, k, "XA", proposal_hdr("oewg", "en"),
		    proposal_text(), w->t, NULL), PROC_FORBIDDEN);
		keypair_free(k);
	}
	/* not a process record at all */
	assert_int_equal(put(w, DEV(A1), hdr("msg"), json_object(), w->t, NULL),
	    PROC_MALFORMED);
	assert_false(proc_kind("msg"));
	assert_true(proc_kind("paper-lang"));
}

static void
test_report(void **state)
{
	struct world *w = *state;
	int64_t s = T0 + 100 * DAY, s2 = T0 + 400 * DAY;
	uint8_t m[32], m2[32], p1[32], p2[32], p3[32];
	json_t *rep, *b, *med, *x;
	struct buf csv = {0};

	assert_int_equal(put(w, OP, meeting_hdr("oewg", s, s + DAY), meeting_payload(),
	    w->t, m), PROC_OK);
	assert_int_equal(put(w, OP, meeting_hdr("oewg", s2, s2 + DAY), meeting_payload(),
	    w->t, m2), PROC_OK);
	/* p1 (XA): six languages 50 days ahead: on time, all languages */
	assert_int_equal(circulate(w, w->dev[A1], "oewg", m, "ar,zh,en,fr,ru,es",
	    s - 50 * DAY, p1), PROC_OK);
	/* p2 (XB): en 45 days ahead, fr 10 days ahead: on time, not all */
	assert_int_equal(circulate(w, w->dev[B1], "oewg", m, "en", s - 45 * DAY, p2),
	    PROC_OK);
	assert_int_equal(add_lang(w, w->dev[B1], p2, "fr", s - 10 * DAY), PROC_OK);
	/* p3 (XA): en 7 days ahead (the seed's complaint): late */
	assert_int_equal(circulate(w, w->dev[A1], "oewg", m, "en", s - 7 * DAY, p3),
	    PROC_OK);
	/* a paper for the next meeting, still pending at s */
	assert_int_equal(circulate(w, w->dev[A1], "oewg", m2, "en", s, NULL), PROC_OK);
	/* a paper for no meeting is in no figure */
	assert_int_equal(circulate(w, w->dev[A1], "oewg", NULL, "en", s, NULL), PROC_OK);

	rep = proc_view_report(w->p, s, "oewg");
	b = json_array_get(json_object_get(rep, "bodies"), 0);
	assert_int_equal(jint(b, "papers"), 3);
	assert_int_equal(jint(b, "pending"), 1);
	assert_int_equal(jint(b, "on_time"), 2);
	assert_int_equal(jint(b, "all_languages"), 1);
	assert_int_equal(jint(b, "all_on_time"), 1);
	assert_true(json_real_value(json_object_get(b, "on_time_pct")) == 66.7);
	assert_true(json_real_value(json_object_get(b, "all_languages_pct")) == 33.3);
	med = json_object_get(b, "median_lead_ms");
	/* en: 50, 45, 7 days: the median is 45; fr: 50, 10: the lower, 10 */
	assert_int_equal(jint(med, "en"), 45 * DAY);
	assert_int_equal(jint(med, "fr"), 10 * DAY);
	assert_int_equal(jint(med, "ar"), 50 * DAY);
	assert_int_equal(json_object_size(med), 6);
	/* per party: XA first (its first paper came first), then XB */
	x = json_object_get(rep, "parties");
	assert_int_equal(json_array_size(x), 2);
	assert_string_equal(jstr(json_array_get(x, 0), "by"), "XA");
	assert_int_equal(jint(json_array_get(x, 0), "papers"), 2);
	assert_int_equal(jint(json_array_get(x, 0), "pending"), 1);
	assert_int_equal(jint(json_array_get(x, 0), "on_time"), 1);
	assert_string_equal(jstr(json_array_get(x, 1), "by"), "XB");
	assert_true(json_is_null(json_object_get(json_object_get(json_array_get(x, 1),
	    "median_lead_ms"), "ar")));
	proc_report_csv(rep, &csv);
	assert_non_null(strstr(buf_cstr(&csv), "scope,body,by,papers,pending,on_time,"));
	assert_non_null(strstr(buf_cstr(&csv),
	    "body,oewg,,3,1,2,1,1,66.7,33.3,33.3,en,3888000000\n"));
	assert_non_null(strstr(buf_cstr(&csv), "party,oewg,XB,1,0,1,0,0,100.0,0.0,0.0,ar,\n"));
	buf_free(&csv);
	json_decref(rep);
	/* an unknown body has no rows */
	rep = proc_view_report(w->p, s, "nobody");
	assert_int_equal(json_array_size(json_object_get(rep, "bodies")), 0);
	json_decref(rep);
}

/* ---- replay ---------------------------------------------------------------- */

/* A log with a bit of everything, taken by the world. */
static void
busy_log(struct world *w)
{
	int64_t t = w->t, s = t + 60 * DAY;
	uint8_t m[32], pid[32], props[8][32], app[32];

	assert_int_equal(put(w, OP, hdr_body("body", "forum"), body_payload("XB",
	    json_string("all"), json_pack("{s:s,s:I}", "objections", "chair",
	    "silence_ms", (json_int_t)(24 * HOUR))), t, NULL), PROC_OK);
	assert_int_equal(put(w, OP, meeting_hdr("oewg", s, s + 5 * DAY),
	    meeting_payload(), t, m), PROC_OK);
	assert_int_equal(circulate(w, w->dev[A1], "oewg", m, "en,fr", t + DAY, pid),
	    PROC_OK);
	for (int i = 0; i < 8; i++) {
		const char *body = i % 2 ? "forum" : "oewg";
		const struct keypair *k = i % 2 ? w->dev[B1] : w->dev[A1];
		assert_int_equal(propose(w, (struct keypair *)k, body, t + 2 * DAY + i,
		    props[i]), PROC_OK);
	}
	for (int i = 0; i < 8; i++)
		if (i % 3 == 0)
			assert_int_equal(object(w, w->dev[C1], props[i], t + 2 * DAY + 10 + i),
			    PROC_OK);
	for (int i = 0; i < 8; i++) {
		if (i % 3 == 1)
			assert_int_equal(position(w, w->dev[D1], props[i], "support",
			    t + 2 * DAY + 20 + i, t), PROC_OK);
	}
	assert_int_equal(object(w, w->dev[E1], props[1], t + 2 * DAY + 30), PROC_OK);
	assert_int_equal(withdraw(w, DEV(A1), props[2], t + 2 * DAY + 40), PROC_OK);
	assert_int_equal(apply_org(w, "oewg", 1, t + 2 * DAY + 50, app), PROC_OK);
	inject_stakeholder(w, app);
	{
		struct buf sealed = {0};
		sealed_to(w, &sealed, w->dev[A1]);
		assert_int_equal(put_raw(w, w->sh, "ZZ", contribution_hdr("oewg", app,
		    "en"), &sealed, t + 6 * DAY, NULL), PROC_OK);
		buf_free(&sealed);
	}
	assert_int_equal(add_lang(w, w->dev[A1], pid, "ru", s - 3 * DAY), PROC_OK);
}

/* Replays the world's log into a fresh directory and process, in batches
 * of n records, taking a view after each batch (a node that syncs page by
 * page and shows its table in between). */
static struct process *
replay(struct world *w, size_t n, struct directory **dout)
{
	struct directory *d = dir_new(w->op->pk);
	struct process *p = proc_new();

	for (size_t i = 0; i < w->nlog; i++) {
		struct entry *x = &w->log[i];
		struct envelope e;

		assert_int_equal(env_parse(&e, x->raw.p, x->raw.len), 0);
		if (x->kind == E_PROC)
			assert_int_equal(proc_take(p, d, &e, x->index, x->time), PROC_OK);
		else {
			if (x->kind == E_DIR)
				assert_int_equal(dir_check(d, &e, x->index, x->time, 0), 0);
			dir_apply(d, &e, x->index);
		}
		env_free(&e);
		if (n > 0 && i % n == n - 1)
			free(view_text(p, x->time, NULL));
	}
	*dout = d;
	return p;
}

static void
test_replay(void **state)
{
	struct world *w = *state;
	static const size_t splits[] = { 0, 1, 2, 7, 1000 };
	static const int64_t whens[] = { 0, 2 * DAY + 15, 4 * DAY, 57 * DAY,
	    130 * DAY };
	static const char *viewers[] = { NULL, "XB", "XC" };
	int64_t base = w->t;

	busy_log(w);
	for (size_t k = 0; k < sizeof(whens) / sizeof(whens[0]); k++) {
		for (size_t v = 0; v < 3; v++) {
			int64_t now = base + whens[k];
			char *want = view_text(w->p, now, viewers[v]);
			for (size_t s = 0; s < sizeof(splits) / sizeof(splits[0]); s++) {
				struct directory *d;
				struct process *p = replay(w, splits[s], &d);
				char *got = view_text(p, now, viewers[v]);
				assert_string_equal(got, want);
				free(got);
				proc_free(p);
				dir_free(d);
			}
			free(want);
		}
	}
	/* and the views say something: the forum shows objections to its
	 * Chair (XB) only */
	{
		char *pub = view_text(w->p, base + 130 * DAY, NULL);
		char *chair = view_text(w->p, base + 130 * DAY, "XB");
		assert_string_not_equal(pub, chair);
		assert_non_null(strstr(pub, "\"status\": \"withdrawn\""));
		assert_non_null(strstr(pub, "\"status\": \"not-adopted\""));
		assert_non_null(strstr(pub, "\"status\": \"adopted\""));
		free(pub);
		free(chair);
	}
}

/* A record a hub would refuse is refused by a replaying node, at the same
 * place: the hub cannot slip in an objection after the deadline. */
static void
test_replay_refuses_late(void **state)
{
	struct world *w = *state;
	uint8_t p1[32];
	struct rec r;
	struct directory *d;
	struct process *p;
	int64_t t = w->t;

	assert_int_equal(propose(w, w->dev[A1], "oewg", t, p1), PROC_OK);
	rec_build(&r, w->dev[B1], "XB", json_pack("{s:s,s:o,s:s}", "kind", "position",
	    "ref", jhex(p1, 32), "stance", "object"), "{}", 2, t + HOUR);
	/* a dishonest hub logs it at the deadline, as if it were in time */
	p = replay(w, 0, &d);
	assert_int_equal(proc_take(p, d, &r.e, w->next, t + 72 * HOUR), PROC_CLOSED);
	assert_int_equal(proc_take(p, d, &r.e, w->next, t + 72 * HOUR - 1), PROC_OK);
	rec_free(&r);
	proc_free(p);
	dir_free(d);
}

/* proc_may_position and proc_may_withdraw are the hub's check (the node
 * offers what they allow, the hub logs what the check passes): before each
 * record of a script that tries every refusal, what they say is what the
 * check then says, and asking changes nothing. */
static enum proc_result
may_then_take(struct world *w, int dev, int op, const uint8_t ref[32],
    const char *what, int64_t t)
{
	struct proc_matter *m = proc_matter(w->p, ref);
	size_t before = w->p->records;
	enum proc_result may, got;

	assert_non_null(m);
	if (strcmp(what, "withdraw") == 0)
		may = proc_may_withdraw(w->p, m, op ? "operator" : dev_state[dev], t);
	else
		may = proc_may_position(w->p, m, dev_state[dev],
		    strcmp(what, "object") == 0 ? PROC_OBJECT : PROC_SUPPORT, t);
	assert_int_equal(w->p->records, before);
	if (strcmp(what, "withdraw") == 0)
		got = op ? withdraw(w, OP, ref, t) : withdraw(w, DEV(dev), ref, t);
	else
		got = position(w, w->dev[dev], ref, what, t, t);
	assert_int_equal(may, got);
	return got;
}

static void
test_may(void **state)
{
	struct world *w = *state;
	uint8_t p1[32], p2[32], p3[32], a1[32];
	int64_t t = w->t, dl = t + 72 * HOUR;
	static const struct { int dev; const char *what; int64_t dt; enum proc_result want; }
	    s1[] = {
		{ E1, "object", 1, PROC_FORBIDDEN },	/* not a member */
		{ B1, "support", 2, PROC_OK },
		{ B1, "support", 3, PROC_DUPLICATE },
		{ B1, "object", 4, PROC_OK },		/* a supporter may object */
		{ B1, "object", 5, PROC_DUPLICATE },
		{ B1, "support", 6, PROC_DUPLICATE },
		{ C1, "withdraw", 7, PROC_FORBIDDEN },	/* not the proposer */
		{ A2, "withdraw", 8, PROC_OK },		/* the proposer, another device */
		{ C1, "object", 9, PROC_CLOSED },	/* withdrawn */
		{ A1, "withdraw", 10, PROC_CLOSED },
	};

	assert_int_equal(propose(w, w->dev[A1], "oewg", t, p1), PROC_OK);
	assert_int_equal(propose(w, w->dev[A1], "oewg", t, p2), PROC_OK);
	for (size_t i = 0; i < sizeof(s1) / sizeof(s1[0]); i++)
		assert_int_equal(may_then_take(w, s1[i].dev, 0, p1, s1[i].what,
		    t + s1[i].dt), s1[i].want);
	/* the deadline, to the millisecond */
	assert_int_equal(may_then_take(w, C1, 0, p2, "object", dl - 1), PROC_OK);
	assert_int_equal(may_then_take(w, D1, 0, p2, "object", dl), PROC_CLOSED);
	assert_int_equal(may_then_take(w, D1, 0, p2, "support", dl + 1), PROC_CLOSED);
	assert_int_equal(may_then_take(w, A1, 0, p2, "withdraw", dl), PROC_CLOSED);
	/* the Chair withdraws another's proposal; the operator none */
	assert_int_equal(put(w, OP, hdr_body("body-rules", "oewg"),
	    json_pack("{s:{s:[s]}}", "rules", "proposers", "XB"), dl + 2, NULL), PROC_OK);
	assert_int_equal(propose(w, w->dev[B1], "oewg", dl + 3, p3), PROC_OK);
	assert_int_equal(may_then_take(w, 0, 1, p3, "withdraw", dl + 4), PROC_FORBIDDEN);
	assert_int_equal(may_then_take(w, C1, 0, p3, "withdraw", dl + 4), PROC_FORBIDDEN);
	assert_int_equal(may_then_take(w, A1, 0, p3, "withdraw", dl + 5), PROC_OK);
	/* an application: the operator withdraws it, not a member */
	assert_int_equal(apply_org(w, "oewg", 1, dl + 6, a1), PROC_OK);
	assert_int_equal(may_then_take(w, B1, 0, a1, "withdraw", dl + 7), PROC_FORBIDDEN);
	assert_int_equal(may_then_take(w, C1, 0, a1, "object", dl + 8), PROC_OK);
	assert_int_equal(may_then_take(w, 0, 1, a1, "withdraw", dl + 9), PROC_OK);
	assert_int_equal(may_then_take(w, D1, 0, a1, "support", dl + 10), PROC_CLOSED);
	/* nobody's State is no member */
	assert_int_equal(proc_may_position(w->p, proc_matter(w->p, p2), NULL,
	    PROC_OBJECT, t + 1), PROC_FORBIDDEN);
}

#define W(t) cmocka_unit_test_setup_teardown(t, setup, teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parsers),
		W(test_body),
		W(test_meeting),
		W(test_paper_rules),
		W(test_lead_time),
		W(test_proposal_rules),
		W(test_deadline),
		W(test_positions),
		W(test_withdraw),
		W(test_may),
		W(test_visibility),
		W(test_applications),
		W(test_stakeholders),
		W(test_stakeholder_cert),
		W(test_order),
		W(test_report),
		W(test_replay),
		W(test_replay_refuses_late),
	};

	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
