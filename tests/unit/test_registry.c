/*
 * test_registry.c - the rules of the registries (docs/protocol.md section
 * 11) and their views, by trying to break them.
 *
 * Each rule is tried with a record that breaks only that rule and is
 * otherwise well formed and correctly signed: a report, a CII list or a
 * request about XB signed by XC's device, by the operator, by a
 * stakeholder; a source that is not "SYMBOL para N"; an empty title, a
 * title without the original's language; a report on a norm that does not
 * exist, on an action no checklist has; versions out of sequence; an offer
 * on a closed request; a payload claiming "agreed"; an "adopts" naming a
 * norm or version that is not there.  Agreement is tried through the
 * process: a proposal adopting a norm, open, adopted at its deadline, and
 * others objected to or withdrawn.  Sealed records are tried with readers:
 * a CII list for XC is read by XC's node and not by XD's, holds no
 * plaintext, and a hostile sender's sealed content is refused by the
 * reader naming the field.  A log is replayed into a fresh state in
 * different batch splits, with three readers, and must give the same views
 * byte for byte.
 *
 * The world: the operator; root keys of XA..XE admitted; devices a1 (XA),
 * b1 (XB), c1 (XC), d1 (XD), e1 (XE); a stakeholder device; body "oewg"
 * with members XA..XD and XA in the Chair.  Log indexes and log times are
 * the test's, as the hub would give them (increasing).
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

#include "directory.h"
#include "envelope.h"
#include "jsonutil.h"
#include "keys.h"
#include "process.h"
#include "procview.h"
#include "regdata.h"
#include "registry.h"
#include "regview.h"
#include "rules.h"
#include "seal.h"
#include "util.h"

#define T0	1800000000000LL
#define HOUR	3600000LL
#define DAY	86400000LL

enum entry_kind { E_DIR, E_PROC, E_REG, E_INJECT };

struct entry {
	enum entry_kind kind;
	struct buf raw;
	int64_t index, time;
};

struct rec {
	struct buf raw;
	struct envelope e;
};

#define NDEV 5
struct world {
	struct directory *d;
	struct process *p;
	struct registry *r;
	struct keypair *op, *root[5], *dev[NDEV], *sh;
	int64_t next, t;
	struct entry *log;
	size_t nlog;
};

static struct regdata *data;
static const char *codes[5] = { "XA", "XB", "XC", "XD", "XE" };
#define A1 0
#define B1 1
#define C1 2
#define D1 3
#define E1 4
#define DEV(i) w->dev[i], codes[i]

static int64_t seq_counter;

static void
rec_build(struct rec *r, const struct keypair *k, const char *state, json_t *hdr,
    const void *payload, size_t len, int64_t signer_time)
{
	const char *kind = json_string_value(json_object_get(hdr, "kind"));

	memset(r, 0, sizeof(*r));
	if (state != NULL && strcmp(kind, "cert") != 0 && strcmp(kind, "admit") != 0 &&
	    json_object_get(hdr, "seq") == NULL)
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

static void
dir_take(struct world *w, const struct keypair *k, const char *kind, const char *state,
    json_t *payload)
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

/* Takes r at the next index and log time t, as the hub and a node would:
 * a registry record through the registry, a process record through the
 * process (and a proposal through both, checked by both before either
 * applies).  A refusal must change nothing. */
static int
take_at(struct world *w, struct rec *r, int64_t t)
{
	size_t before = w->r->records, pbefore = w->p->records;
	int rc;

	if (reg_kind(r->e.kind)) {
		enum reg_result c = reg_check(w->r, w->d, w->p, &r->e, w->next, t);
		rc = reg_take(w->r, w->d, w->p, &r->e, w->next, t);
		assert_int_equal(rc, c);
		assert_int_equal(w->r->records, before + (rc == REG_OK));
		if (rc == REG_OK)
			log_add(w, E_REG, &r->raw, w->next, t);
	} else {
		enum proc_result pc = proc_check(w->p, w->d, &r->e, w->next, t);
		enum reg_result rgc = reg_concerns(&r->e) ?
		    reg_check(w->r, w->d, w->p, &r->e, w->next, t) : REG_OK;
		rc = pc != PROC_OK ? (int)pc : (int)rgc;
		if (rc == 0) {
			proc_apply(w->p, w->d, &r->e, w->next, t);
			if (reg_concerns(&r->e))
				reg_apply(w->r, w->d, w->p, &r->e, w->next, t);
			log_add(w, E_PROC, &r->raw, w->next, t);
		}
		assert_int_equal(w->p->records, pbefore + (rc == 0));
	}
	if (rc == 0) {
		w->next++;
		if (t > w->t)
			w->t = t;
	}
	return rc;
}

static int
put(struct world *w, const struct keypair *k, const char *state, json_t *hdr,
    json_t *payload, int64_t t, uint8_t id[32])
{
	struct rec r;
	char *s = jdump(payload);
	int rc;

	rec_build(&r, k, state, hdr, s, strlen(s), t);
	free(s);
	json_decref(payload);
	rc = take_at(w, &r, t);
	if (id != NULL)
		memcpy(id, r.e.id, 32);
	if (getenv("TEST_VERBOSE") != NULL && rc != 0)
		fprintf(stderr, "refused (%d): %s\n", rc, rs_err());
	rec_free(&r);
	return rc;
}

static int
put_raw(struct world *w, const struct keypair *k, const char *state, json_t *hdr,
    const struct buf *payload, int64_t t, uint8_t id[32])
{
	struct rec r;
	int rc;

	rec_build(&r, k, state, hdr, payload->p, payload->len, t);
	rc = take_at(w, &r, t);
	if (id != NULL)
		memcpy(id, r.e.id, 32);
	rec_free(&r);
	return rc;
}

/* Seals plain to the devices listed (indexes into w->dev, -1 ends; -2 the
 * stakeholder). */
static void
seal_to(struct world *w, struct buf *out, json_t *plain, ...)
{
	struct seal_recipient rc[8];
	size_t n = 0;
	char *s = jdump(plain);
	va_list ap;
	int i;

	va_start(ap, plain);
	while ((i = va_arg(ap, int)) != -1) {
		const struct keypair *k = i == -2 ? w->sh : w->dev[i];
		memcpy(rc[n].device, k->pk, 32);
		memcpy(rc[n].box_pk, k->box_pk, 32);
		n++;
	}
	va_end(ap);
	memset(out, 0, sizeof(*out));
	assert_int_equal(seal_encrypt(out, s, strlen(s), rc, n), 0);
	free(s);
	json_decref(plain);
}

static json_t *
hdr(const char *kind)
{
	return json_pack("{s:s}", "kind", kind);
}

static int64_t
jint(json_t *o, const char *k)
{
	json_t *v = json_object_get(o, k);

	assert_true(json_is_integer(v));
	return json_integer_value(v);
}

static char *
hexid(const uint8_t id[32])
{
	static char s[65];
	char *h = hex_encode(id, 32);

	snprintf(s, sizeof(s), "%s", h);
	free(h);
	return s;
}

/* ---- the world ---------------------------------------------------------------- */

static int
group_setup(void **state)
{
	(void)state;
	if (sodium_init() < 0 || regdata_load_shipped(&data) != 0) {
		fprintf(stderr, "%s\n", rs_err());
		return -1;
	}
	return 0;
}

static int
group_teardown(void **state)
{
	(void)state;
	regdata_free(data);
	return 0;
}

static int
setup(void **state)
{
	struct world *w = xcalloc(1, sizeof(*w));

	w->op = keypair_new(NULL, 0);
	for (int i = 0; i < 5; i++) {
		w->root[i] = keypair_new(codes[i], 0);
		w->dev[i] = keypair_new(codes[i], 1);
	}
	w->sh = keypair_new(NULL, 1);
	w->d = dir_new(w->op->pk);
	w->p = proc_new();
	w->r = reg_new(data);
	w->t = T0;
	for (int i = 0; i < 5; i++)
		dir_take(w, w->op, "admit", codes[i], json_pack("{s:s,s:o,s:s}", "state",
		    codes[i], "root_key", jhex(w->root[i]->pk, 32), "name", codes[i]));
	for (int i = 0; i < 5; i++)
		dir_take(w, w->root[i], "cert", codes[i], cert_payload(codes[i], w->dev[i],
		    "technical"));
	dir_take(w, w->op, "group", NULL, json_pack("{s:s,s:[s,s]}", "name", "forum",
	    "states", "XC", "XD"));
	assert_int_equal(put(w, w->op, NULL, json_pack("{s:s,s:s}", "kind", "body", "body",
	    "oewg"), json_pack("{s:s,s:[s,s,s,s],s:{s:s}}", "chair", "XA", "members",
	    "XA", "XB", "XC", "XD", "title", "en", "Open-ended working group"), w->t,
	    NULL), 0);
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
	reg_free(w->r);
	proc_free(w->p);
	dir_free(w->d);
	keypair_free(w->op);
	for (int i = 0; i < 5; i++) {
		keypair_free(w->root[i]);
		keypair_free(w->dev[i]);
	}
	keypair_free(w->sh);
	free(w);
	return 0;
}

/* Certifies w->sh as a stakeholder device for application app, applied
 * directly (the directory's rule for such certificates is not there yet:
 * docs/protocol.md section 10). */
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

/* ---- record shapes ---------------------------------------------------------------- */

static json_t *
norm_payload(void)
{
	return json_pack("{s:s,s:{s:s,s:s},s:{s:s},s:[s,s]}", "lang", "en", "title",
	    "en", "Notify before large-scale ICT exercises", "fr",
	    "Notifier avant les exercices TIC de grande ampleur", "text", "en",
	    "States should notify each other of large-scale ICT exercises.",
	    "sources", "A/76/135 para 70", "A/75/816 para 20");
}

static int
propose_norm(struct world *w, int who, uint8_t id[32])
{
	return put(w, DEV(who), hdr("norm"), norm_payload(), w->t, id);
}

/* A proposal of body oewg by its Chair (XA), adopting item/id/version. */
static int
adopt(struct world *w, const char *item, const char *id, int version, int64_t t,
    uint8_t pid[32])
{
	json_t *h = json_pack("{s:s,s:s,s:s,s:s,s:{s:s,s:s,s:i}}", "kind", "proposal",
	    "body", "oewg", "audience", "public", "lang", "en", "adopts", "item", item,
	    "id", id, "version", version);

	return put(w, DEV(A1), h, json_pack("{s:{s:s}}", "text", "en",
	    "The working group agrees the text."), t, pid);
}

static int
object(struct world *w, int who, const uint8_t ref[32], int64_t t)
{
	return put(w, DEV(who), json_pack("{s:s,s:o,s:s}", "kind", "position", "ref",
	    jhex(ref, 32), "stance", "object"), json_object(), t, NULL);
}

static json_t *
report_payload(const char *norm, int action, const char *status)
{
	json_t *e = json_pack("{s:s,s:s}", "norm", norm, "status", status);

	if (action > 0)
		json_object_set_new(e, "action", json_integer(action));
	return json_pack("{s:s,s:[o],s:s}", "lang", "fr", "entries", e, "note",
	    "Rapport national.");
}

static json_t *
view_of(struct world *w, const char *which, const char *arg)
{
	if (strcmp(which, "norm") == 0)
		return reg_view_norm(w->r, w->p, w->t, arg);
	if (strcmp(which, "checklist") == 0)
		return reg_view_checklist(w->r, w->p, w->t, arg);
	return NULL;
}

/* ---- norms ------------------------------------------------------------------------- */

static void
test_norm_propose(void **state)
{
	struct world *w = *state;
	uint8_t id[32];
	json_t *p, *v, *list;
	struct reg_norm_filter f = { NULL, NULL };

	assert_int_equal(propose_norm(w, B1, id), REG_OK);
	v = view_of(w, "norm", hexid(id));
	assert_string_equal(jstr(v, "status"), "proposed");
	assert_string_equal(jstr(v, "by"), "XB");
	assert_string_equal(jstr(json_array_get(json_object_get(v, "sources"), 0), "symbol"),
	    "A/76/135");
	json_decref(v);

	/* a source that is not "SYMBOL para N" */
	p = norm_payload();
	json_object_set_new(p, "sources", json_pack("[s]", "A/75/816, para 20"));
	assert_int_equal(put(w, DEV(B1), hdr("norm"), p, w->t, NULL), REG_MALFORMED);
	assert_non_null(strstr(rs_err(), "\"sources\" entry 0"));
	/* no source at all */
	p = norm_payload();
	json_object_set_new(p, "sources", json_array());
	assert_int_equal(put(w, DEV(B1), hdr("norm"), p, w->t, NULL), REG_MALFORMED);
	/* an empty title; a title without the language it names as original */
	p = norm_payload();
	json_object_set_new(json_object_get(p, "title"), "en", json_string(""));
	assert_int_equal(put(w, DEV(B1), hdr("norm"), p, w->t, NULL), REG_MALFORMED);
	assert_non_null(strstr(rs_err(), "title in en"));
	p = norm_payload();
	json_object_set_new(p, "lang", json_string("ru"));
	assert_int_equal(put(w, DEV(B1), hdr("norm"), p, w->t, NULL), REG_MALFORMED);
	assert_non_null(strstr(rs_err(), "has no ru"));
	/* a norm that declares itself agreed */
	p = norm_payload();
	json_object_set_new(p, "status", json_string("agreed"));
	assert_int_equal(put(w, DEV(B1), hdr("norm"), p, w->t, NULL), REG_MALFORMED);
	assert_non_null(strstr(rs_err(), "agreed only by a decision"));
	/* not the operator's act, nor a stakeholder's */
	assert_int_equal(put(w, w->op, NULL, hdr("norm"), norm_payload(), w->t, NULL),
	    REG_FORBIDDEN);
	assert_non_null(strstr(rs_err(), "operator signs no registry record"));
	{
		uint8_t app[32];
		assert_int_equal(put(w, w->op, NULL, json_pack("{s:s,s:s,s:b}", "kind",
		    "application", "body", "oewg", "ecosoc", 1), json_pack("{s:s}", "name",
		    "Institute"), w->t, app), 0);
		inject_stakeholder(w, app);
		assert_int_equal(put(w, w->sh, "ZZ", hdr("norm"), norm_payload(), w->t, NULL),
		    REG_FORBIDDEN);
	}
	/* a device of XB signing for XC */
	assert_int_equal(put(w, w->dev[B1], "XC", hdr("norm"), norm_payload(), w->t, NULL),
	    REG_FORBIDDEN);
	/* an audience on a public kind */
	assert_int_equal(put(w, DEV(B1), json_pack("{s:s,s:s}", "kind", "norm", "audience",
	    "sealed"), norm_payload(), w->t, NULL), REG_MALFORMED);

	/* beside the agreed eleven, never above them */
	list = reg_view_norms(w->r, w->p, w->t, &f);
	assert_int_equal(json_array_size(list), 16);
	for (size_t i = 0; i < 11; i++)
		assert_string_equal(jstr(json_array_get(list, i), "status"), "agreed");
	assert_string_equal(jstr(json_array_get(list, 11), "id"), "ru2024-1");
	assert_string_equal(jstr(json_array_get(list, 15), "id"), hexid(id));
	json_decref(list);
	/* filters: by status, by source document */
	f.status = "proposed";
	list = reg_view_norms(w->r, w->p, w->t, &f);
	assert_int_equal(json_array_size(list), 5);
	json_decref(list);
	f.status = NULL;
	f.source = "A/76/135";
	list = reg_view_norms(w->r, w->p, w->t, &f);
	assert_int_equal(json_array_size(list), 3);		/* ru2024-2, -3 and ours */
	json_decref(list);
	f.source = "A/RES/58/199";				/* 13(g) refers to it */
	list = reg_view_norms(w->r, w->p, w->t, &f);
	assert_int_equal(json_array_size(list), 1);
	assert_string_equal(jstr(json_array_get(list, 0), "id"), "a70-174-13g");
	json_decref(list);
	/* a shipped norm: title in six languages, all ours, source and no text */
	v = view_of(w, "norm", "a70-174-13f");
	assert_string_equal(jstr(v, "agreed_in"), "A/70/174 para 13(f)");
	assert_int_equal(json_array_size(json_object_get(v, "unofficial")), 6);
	assert_true(json_is_null(json_object_get(v, "text")));
	json_decref(v);
	assert_null(view_of(w, "norm", "a70-174-13z"));
}

static void
test_cosponsor_and_versions(void **state)
{
	struct world *w = *state;
	uint8_t id[32];
	json_t *h, *v, *p;

	assert_int_equal(propose_norm(w, B1, id), REG_OK);
	h = json_pack("{s:s,s:s}", "kind", "cosponsor", "norm", hexid(id));
	assert_int_equal(put(w, DEV(C1), json_deep_copy(h), json_object(), w->t, NULL),
	    REG_OK);
	assert_int_equal(put(w, DEV(C1), json_deep_copy(h), json_object(), w->t, NULL),
	    REG_DUPLICATE);
	assert_int_equal(put(w, DEV(B1), json_deep_copy(h), json_object(), w->t, NULL),
	    REG_FORBIDDEN);					/* the proposer */
	assert_int_equal(put(w, DEV(D1), json_deep_copy(h), json_pack("{s:i}", "x", 1),
	    w->t, NULL), REG_MALFORMED);
	json_decref(h);
	/* the statement's proposals take co-sponsors; an agreed norm does not */
	assert_int_equal(put(w, DEV(D1), json_pack("{s:s,s:s}", "kind", "cosponsor", "norm",
	    "ru2024-2"), json_object(), w->t, NULL), REG_OK);
	assert_int_equal(put(w, DEV(D1), json_pack("{s:s,s:s}", "kind", "cosponsor", "norm",
	    "a70-174-13a"), json_object(), w->t, NULL), REG_CLOSED);
	assert_int_equal(put(w, DEV(D1), json_pack("{s:s,s:s}", "kind", "cosponsor", "norm",
	    "no-such-norm"), json_object(), w->t, NULL), REG_UNKNOWN);

	/* versions: the proposer's, in sequence */
	p = json_pack("{s:{s:s},s:s}", "title", "en", "Notify before ICT exercises",
	    "note", "Shorter title.");
	h = json_pack("{s:s,s:s,s:i}", "kind", "norm-version", "norm", hexid(id),
	    "version", 2);
	assert_int_equal(put(w, DEV(C1), json_deep_copy(h), json_deep_copy(p), w->t, NULL),
	    REG_FORBIDDEN);
	assert_int_equal(put(w, DEV(B1), json_deep_copy(h), json_deep_copy(p), w->t, NULL),
	    REG_OK);
	assert_int_equal(put(w, DEV(B1), json_deep_copy(h), json_deep_copy(p), w->t + 1,
	    NULL), REG_DUPLICATE);
	json_object_set_new(h, "version", json_integer(4));
	assert_int_equal(put(w, DEV(B1), json_deep_copy(h), json_deep_copy(p), w->t, NULL),
	    REG_MALFORMED);
	json_object_set_new(h, "version", json_integer(3));
	assert_int_equal(put(w, DEV(B1), json_deep_copy(h), json_object(), w->t, NULL),
	    REG_MALFORMED);					/* changes nothing */
	json_decref(h);
	json_decref(p);
	assert_int_equal(put(w, DEV(B1), json_pack("{s:s,s:s,s:i}", "kind", "norm-version",
	    "norm", "a70-174-13a", "version", 2), json_pack("{s:{s:s}}", "title", "en", "x"),
	    w->t, NULL), REG_FORBIDDEN);			/* shipped data */

	v = view_of(w, "norm", hexid(id));
	assert_int_equal(jint(v, "version"), 2);
	assert_int_equal(json_array_size(json_object_get(v, "versions")), 2);
	assert_string_equal(jstr(json_object_get(v, "title"), "en"),
	    "Notify before ICT exercises");
	/* the history keeps the older text; the text carries over */
	assert_string_equal(jstr(json_object_get(json_array_get(json_object_get(v,
	    "versions"), 0), "title"), "en"), "Notify before large-scale ICT exercises");
	assert_non_null(jstr(json_object_get(v, "text"), "en"));
	assert_string_equal(jstr(json_array_get(json_object_get(v, "cosponsors"), 0),
	    "state"), "XC");
	json_decref(v);
}

static void
test_agreement(void **state)
{
	struct world *w = *state;
	uint8_t n1[32], n2[32], n3[32], p1[32], p2[32], p3[32];
	int64_t t = w->t, dl = t + 72 * HOUR;
	json_t *v;
	char h1[65], h2[65], h3[65];

	assert_int_equal(propose_norm(w, B1, n1), REG_OK);
	assert_int_equal(propose_norm(w, C1, n2), REG_OK);
	assert_int_equal(propose_norm(w, D1, n3), REG_OK);
	snprintf(h1, sizeof(h1), "%s", hexid(n1));
	snprintf(h2, sizeof(h2), "%s", hexid(n2));
	snprintf(h3, sizeof(h3), "%s", hexid(n3));
	/* "adopts" names what exists, in a version it has */
	assert_int_equal(adopt(w, "norm", "no-such-norm", 1, t, NULL), REG_UNKNOWN);
	assert_int_equal(adopt(w, "norm", h1, 2, t, NULL), REG_UNKNOWN);
	assert_int_equal(adopt(w, "norm", "a70-174-13f", 1, t, NULL), REG_CLOSED);
	assert_int_equal(adopt(w, "treaty", h1, 1, t, NULL), REG_MALFORMED);
	assert_int_equal(adopt(w, "definition", h1, 1, t, NULL), REG_UNKNOWN);
	/* three proposals: one adopted, one objected to, one withdrawn */
	assert_int_equal(adopt(w, "norm", h1, 1, t, p1), 0);
	assert_int_equal(adopt(w, "norm", h2, 1, t, p2), 0);
	assert_int_equal(adopt(w, "norm", h3, 1, t, p3), 0);
	assert_int_equal(object(w, B1, p2, dl - 1), 0);
	assert_int_equal(put(w, DEV(A1), json_pack("{s:s,s:o}", "kind", "withdraw", "ref",
	    jhex(p3, 32)), json_object(), dl - 1, NULL), 0);

	/* under discussion until the deadline, to the millisecond */
	w->t = dl - 1;
	v = view_of(w, "norm", h1);
	assert_string_equal(jstr(v, "status"), "under-discussion");
	assert_int_equal(json_array_size(json_object_get(v, "agreed_by")), 0);
	json_decref(v);
	w->t = dl;
	v = view_of(w, "norm", h1);
	assert_string_equal(jstr(v, "status"), "agreed");
	assert_int_equal(jint(v, "agreed_version"), 1);
	assert_string_equal(jstr(json_array_get(json_object_get(v, "agreed_by"), 0),
	    "decision"), hexid(p1));
	assert_string_equal(jstr(json_array_get(json_object_get(v, "agreed_by"), 0),
	    "body"), "oewg");
	json_decref(v);
	v = view_of(w, "norm", h2);
	assert_string_equal(jstr(v, "status"), "proposed");
	assert_string_equal(jstr(json_array_get(json_object_get(v, "decisions"), 0),
	    "status"), "not-adopted");
	json_decref(v);
	v = view_of(w, "norm", h3);
	assert_string_equal(jstr(v, "status"), "proposed");
	json_decref(v);
	/* an agreed norm takes no new version, no co-sponsor, no second adoption */
	assert_int_equal(put(w, DEV(B1), json_pack("{s:s,s:s,s:i}", "kind", "norm-version",
	    "norm", h1, "version", 2), json_pack("{s:{s:s}}", "title", "en", "x"), dl, NULL),
	    REG_CLOSED);
	assert_int_equal(put(w, DEV(D1), json_pack("{s:s,s:s}", "kind", "cosponsor", "norm",
	    h1), json_object(), dl, NULL), REG_CLOSED);
	assert_int_equal(adopt(w, "norm", h1, 1, dl, NULL), REG_CLOSED);
	/* the one objected to may be proposed again, and co-sponsored meanwhile */
	assert_int_equal(put(w, DEV(D1), json_pack("{s:s,s:s}", "kind", "cosponsor", "norm",
	    h2), json_object(), dl, NULL), REG_OK);
	assert_int_equal(adopt(w, "norm", h2, 1, dl, NULL), 0);

	/* the shipped model checklist is adopted as version 0, a record's as 1 */
	assert_int_equal(adopt(w, "checklist", "a70-174-13f", 0, dl, NULL), 0);
	assert_int_equal(adopt(w, "checklist", "a70-174-13f", 1, dl, NULL), REG_UNKNOWN);
	assert_int_equal(adopt(w, "checklist", "ru2024-1", 0, dl, NULL), REG_UNKNOWN);
	w->t = dl + 80 * HOUR;
	v = view_of(w, "checklist", "a70-174-13f");
	assert_string_equal(jstr(v, "status"), "agreed");
	assert_int_equal(jint(v, "agreed_version"), 0);
	json_decref(v);
	v = view_of(w, "norm", h2);
	assert_string_equal(jstr(v, "status"), "agreed");
	json_decref(v);
}

/* ---- checklists and reports --------------------------------------------------------- */

static void
test_reports(void **state)
{
	struct world *w = *state;
	json_t *p, *v, *x;
	uint8_t id[32];

	/* a public report on 13(f), action 1, and the norm as a whole */
	p = report_payload("a70-174-13f", 1, "implemented");
	json_array_append_new(json_object_get(p, "entries"), json_pack("{s:s,s:s}", "norm",
	    "a70-174-13f", "status", "in-progress"));
	assert_int_equal(put(w, DEV(B1), json_pack("{s:s,s:i,s:s}", "kind", "report",
	    "version", 1, "audience", "public"), p, w->t, id), REG_OK);
	/* the next version is 2: not 1 again, not 3 */
	assert_int_equal(put(w, DEV(B1), json_pack("{s:s,s:i,s:s}", "kind", "report",
	    "version", 1, "audience", "public"), report_payload("a70-174-13f", 2, "planned"),
	    w->t, NULL), REG_DUPLICATE);
	assert_int_equal(put(w, DEV(B1), json_pack("{s:s,s:i,s:s}", "kind", "report",
	    "version", 3, "audience", "public"), report_payload("a70-174-13f", 2, "planned"),
	    w->t, NULL), REG_MALFORMED);
	/* a norm that does not exist; an action no checklist has; a bad status */
	assert_int_equal(put(w, DEV(B1), json_pack("{s:s,s:i,s:s}", "kind", "report",
	    "version", 2, "audience", "public"), report_payload("a70-174-13z", 0, "planned"),
	    w->t, NULL), REG_UNKNOWN);
	assert_non_null(strstr(rs_err(), "entries[0]: norm \"a70-174-13z\""));
	assert_int_equal(put(w, DEV(B1), json_pack("{s:s,s:i,s:s}", "kind", "report",
	    "version", 2, "audience", "public"), report_payload("a70-174-13f", 7, "planned"),
	    w->t, NULL), REG_UNKNOWN);
	assert_non_null(strstr(rs_err(), "no action 7"));
	assert_int_equal(put(w, DEV(B1), json_pack("{s:s,s:i,s:s}", "kind", "report",
	    "version", 2, "audience", "public"), report_payload("a70-174-13f", 1, "done"),
	    w->t, NULL), REG_MALFORMED);
	/* the same entry twice */
	p = report_payload("a70-174-13f", 1, "planned");
	json_array_append_new(json_object_get(p, "entries"), json_pack("{s:s,s:i,s:s}",
	    "norm", "a70-174-13f", "action", 1, "status", "implemented"));
	assert_int_equal(put(w, DEV(B1), json_pack("{s:s,s:i,s:s}", "kind", "report",
	    "version", 2, "audience", "public"), p, w->t, NULL), REG_MALFORMED);
	/* once a checklist version has action 7, a report may name it */
	assert_int_equal(put(w, DEV(C1), json_pack("{s:s,s:s,s:i}", "kind", "checklist",
	    "norm", "a70-174-13f", "version", 1), json_pack("{s:s,s:[{s:i,s:{s:s}}],s:s}",
	    "lang", "en", "actions", "n", 7, "title", "en", "Publish the national policy",
	    "note", "Adds action 7."), w->t, NULL), REG_OK);
	assert_int_equal(put(w, DEV(C1), json_pack("{s:s,s:s,s:i}", "kind", "checklist",
	    "norm", "a70-174-13f", "version", 1), json_pack("{s:s,s:[{s:i,s:{s:s}}]}",
	    "lang", "en", "actions", "n", 8, "title", "en", "x"), w->t, NULL), REG_DUPLICATE);
	assert_int_equal(put(w, DEV(B1), json_pack("{s:s,s:i,s:s}", "kind", "report",
	    "version", 2, "audience", "public"), report_payload("a70-174-13f", 7, "planned"),
	    w->t, NULL), REG_OK);

	/* only XB writes XB's report: not XC's device, not the operator, and
	 * no stakeholder writes a report at all */
	assert_int_equal(put(w, w->dev[C1], "XB", json_pack("{s:s,s:i,s:s}", "kind",
	    "report", "version", 3, "audience", "public"), report_payload("a70-174-13f", 1,
	    "planned"), w->t, NULL), REG_FORBIDDEN);
	assert_int_equal(put(w, w->op, "XB", json_pack("{s:s,s:i,s:s}", "kind", "report",
	    "version", 3, "audience", "public"), report_payload("a70-174-13f", 1, "planned"),
	    w->t, NULL), REG_FORBIDDEN);

	/* XC reports too; the comparison on 13(f) shows both */
	assert_int_equal(put(w, DEV(C1), json_pack("{s:s,s:i,s:s}", "kind", "report",
	    "version", 1, "audience", "public"), report_payload("a70-174-13f", 1,
	    "implemented"), w->t, NULL), REG_OK);
	v = reg_view_reports(w->r, w->p, w->t, "a70-174-13f", NULL);
	x = json_object_get(v, "states");
	assert_int_equal(json_array_size(x), 2);
	assert_string_equal(jstr(json_array_get(x, 0), "state"), "XB");
	assert_int_equal(jint(json_array_get(x, 0), "shown"), 2);
	x = json_object_get(json_object_get(v, "compare"), "actions");
	/* actions 1, 2, 3 of the model, 7 of the record, and the whole norm */
	assert_int_equal(json_array_size(x), 5);
	assert_int_equal(jint(json_object_get(json_array_get(x, 0), "counts"),
	    "implemented"), 1);				/* XC; XB's v2 is action 7 */
	assert_int_equal(jint(json_object_get(json_array_get(x, 3), "counts"), "planned"), 1);
	x = json_object_get(json_object_get(v, "charts"), "filed");
	assert_int_equal(json_array_size(x), 3);
	json_decref(v);
}

/* A sealed report of XE: the hub sees that it exists, never what it says;
 * XC reads it, XD does not; a hostile sender's content is refused by the
 * reader, naming the field. */
static struct registry *
replay_for(struct world *w, const struct keypair *reader, struct directory **dout,
    struct process **pout, size_t split);

static void
test_sealed_report(void **state)
{
	struct world *w = *state;
	struct buf sealed;
	struct registry *rc, *rd;
	struct directory *dc, *dd;
	struct process *pc, *pd;
	json_t *v, *s;
	static const char marker[] = "MARKER-7f3a-plaintext";

	/* v1 public, then v2 for XC only (and XB's own device) */
	assert_int_equal(put(w, DEV(E1), json_pack("{s:s,s:i,s:s}", "kind", "report",
	    "version", 1, "audience", "public"), report_payload("a70-174-13a", 1, "planned"),
	    w->t, NULL), REG_OK);
	v = report_payload("a70-174-13a", 1, "implemented");
	json_object_set_new(v, "note", json_string(marker));
	seal_to(w, &sealed, v, E1, C1, -1);
	assert_null(memmem(sealed.p, sealed.len, marker, strlen(marker)));
	assert_int_equal(put_raw(w, DEV(E1), json_pack("{s:s,s:i,s:s,s:[s]}", "kind",
	    "report", "version", 2, "audience", "sealed", "to", "XC"), &sealed, w->t, NULL),
	    REG_OK);
	assert_null(memmem(w->log[w->nlog - 1].raw.p, w->log[w->nlog - 1].raw.len, marker,
	    strlen(marker)));
	/* sealed to a device not in the audience it names */
	assert_int_equal(put_raw(w, DEV(E1), json_pack("{s:s,s:i,s:s,s:[s]}", "kind",
	    "report", "version", 3, "audience", "sealed", "to", "XD"), &sealed, w->t, NULL),
	    REG_FORBIDDEN);
	assert_non_null(strstr(rs_err(), "not in the audience"));
	/* a group that does not exist */
	assert_int_equal(put_raw(w, DEV(E1), json_pack("{s:s,s:i,s:s,s:s}", "kind",
	    "report", "version", 3, "audience", "sealed", "to", "group:nobody"), &sealed,
	    w->t, NULL), REG_UNKNOWN);
	/* a group that holds XC: fine; "to" is checked, not trusted */
	assert_int_equal(put_raw(w, DEV(E1), json_pack("{s:s,s:i,s:s,s:s}", "kind",
	    "report", "version", 3, "audience", "sealed", "to", "group:forum"), &sealed,
	    w->t, NULL), REG_OK);
	buf_free(&sealed);
	/* v4: XE's node was hostile and sealed a report on a norm that does not
	 * exist; the hub cannot tell, XC's node refuses what it reads */
	seal_to(w, &sealed, report_payload("a70-174-13q", 0, "planned"), E1, C1, -1);
	assert_int_equal(put_raw(w, DEV(E1), json_pack("{s:s,s:i,s:s,s:[s]}", "kind",
	    "report", "version", 4, "audience", "sealed", "to", "XC"), &sealed, w->t, NULL),
	    REG_OK);
	buf_free(&sealed);
	/* the author's node refuses that before signing, with the same rule */
	v = report_payload("a70-174-13q", 0, "planned");
	assert_int_equal(reg_check_content(w->r, REG_K_REPORT, v), REG_UNKNOWN);
	json_decref(v);

	rc = replay_for(w, w->dev[C1], &dc, &pc, 0);
	rd = replay_for(w, w->dev[D1], &dd, &pd, 0);
	/* XC: v3 is the latest right one it can read (v4 refused) */
	v = reg_view_reports(rc, pc, w->t, NULL, "XE");
	s = json_array_get(json_object_get(v, "states"), 0);
	assert_int_equal(jint(s, "latest"), 4);
	assert_int_equal(jint(s, "shown"), 3);
	assert_string_equal(jstr(json_array_get(json_object_get(s, "entries"), 0), "status"),
	    "implemented");
	assert_string_equal(jstr(s, "note"), marker);
	assert_non_null(strstr(jstr(json_array_get(json_object_get(s, "versions"), 3),
	    "refused"), "entries[0]: norm \"a70-174-13q\""));
	json_decref(v);
	/* XD: reads v1 only, and sees that newer versions exist, not for it */
	v = reg_view_reports(rd, pd, w->t, NULL, "XE");
	s = json_array_get(json_object_get(v, "states"), 0);
	assert_int_equal(jint(s, "shown"), 1);
	assert_true(json_is_true(json_object_get(s, "newer_not_readable")));
	assert_false(json_is_true(json_object_get(json_array_get(json_object_get(s,
	    "versions"), 1), "readable")));
	{
		char *t = proc_dump(v);
		assert_null(strstr(t, marker));
		free(t);
	}
	json_decref(v);
	/* the hub (no reader) the same */
	v = reg_view_reports(w->r, w->p, w->t, NULL, "XE");
	assert_int_equal(jint(json_array_get(json_object_get(v, "states"), 0), "shown"), 1);
	json_decref(v);
	reg_free(rc);
	reg_free(rd);
	proc_free(pc);
	proc_free(pd);
	dir_free(dc);
	dir_free(dd);
}

/* ---- CII lists ------------------------------------------------------------------------ */

static json_t *
cii_payload(int version)
{
	json_t *s = json_array();

	json_array_append_new(s, json_pack("{s:s,s:s}", "taxonomy", "cii-nis2-annex1",
	    "code", "energy"));
	json_array_append_new(s, json_pack("{s:s,s:s}", "taxonomy", "cii-ru-187fz",
	    "code", "atomic-energy"));
	json_array_append_new(s, json_pack("{s:s,s:[{s:s,s:s}]}", "text",
	    "Réseaux de chaleur urbains", "maps", "taxonomy", "cii-nis2-annex1", "code",
	    "energy"));
	if (version >= 2)
		json_array_append_new(s, json_pack("{s:s,s:s}", "taxonomy", "cii-us-ppd21",
		    "code", "dams"));
	if (version >= 2)
		json_array_remove(s, 1);
	return json_pack("{s:s,s:o,s:s}", "lang", "fr", "spheres", s, "description",
	    "Liste nationale.");
}

static void
test_cii(void **state)
{
	struct world *w = *state;
	struct buf sealed;
	struct registry *rc, *rd;
	struct directory *dc, *dd;
	struct process *pc, *pd;
	json_t *v, *p, *x;

	/* XB's list for XC, twice; XC's own list for XB */
	seal_to(w, &sealed, cii_payload(1), B1, C1, -1);
	assert_int_equal(put_raw(w, DEV(B1), json_pack("{s:s,s:i,s:s,s:[s]}", "kind", "cii",
	    "version", 1, "audience", "sealed", "to", "XC"), &sealed, w->t, NULL), REG_OK);
	buf_free(&sealed);
	seal_to(w, &sealed, cii_payload(2), B1, C1, -1);
	assert_int_equal(put_raw(w, DEV(B1), json_pack("{s:s,s:i,s:s,s:[s]}", "kind", "cii",
	    "version", 2, "audience", "sealed", "to", "XC"), &sealed, w->t, NULL), REG_OK);
	buf_free(&sealed);
	seal_to(w, &sealed, json_pack("{s:s,s:[{s:s,s:s},{s:s,s:s}]}", "lang", "en",
	    "spheres", "taxonomy", "cii-us-ppd21", "code", "energy", "taxonomy",
	    "cii-us-ppd21", "code", "nuclear"), C1, B1, -1);
	assert_int_equal(put_raw(w, DEV(C1), json_pack("{s:s,s:i,s:s,s:[s]}", "kind", "cii",
	    "version", 1, "audience", "sealed", "to", "XB"), &sealed, w->t, NULL), REG_OK);
	buf_free(&sealed);
	/* a CII list is never public; nor written by another State */
	assert_int_equal(put(w, DEV(B1), json_pack("{s:s,s:i,s:s}", "kind", "cii",
	    "version", 3, "audience", "public"), cii_payload(1), w->t, NULL), REG_MALFORMED);
	seal_to(w, &sealed, cii_payload(1), B1, C1, -1);
	assert_int_equal(put_raw(w, w->dev[C1], "XB", json_pack("{s:s,s:i,s:s,s:[s]}",
	    "kind", "cii", "version", 3, "audience", "sealed", "to", "XC"), &sealed, w->t,
	    NULL), REG_FORBIDDEN);
	buf_free(&sealed);
	/* the author's node refuses unknown codes before sealing, naming them */
	p = cii_payload(1);
	json_object_set_new(json_array_get(json_object_get(p, "spheres"), 1), "code",
	    json_string("tourism"));
	assert_int_equal(reg_check_content(w->r, REG_K_CII, p), REG_UNKNOWN);
	assert_non_null(strstr(rs_err(), "spheres[1]: \"tourism\" is not a code of "
	    "cii-ru-187fz"));
	json_object_set_new(json_array_get(json_object_get(p, "spheres"), 1), "taxonomy",
	    json_string("cii-xx"));
	assert_int_equal(reg_check_content(w->r, REG_K_CII, p), REG_UNKNOWN);
	json_decref(p);
	p = json_pack("{s:s,s:[]}", "lang", "fr", "spheres");
	assert_int_equal(reg_check_content(w->r, REG_K_CII, p), REG_MALFORMED);
	json_decref(p);

	rc = replay_for(w, w->dev[C1], &dc, &pc, 0);
	rd = replay_for(w, w->dev[D1], &dd, &pd, 0);
	/* XC reads version 2 with its labels in Russian, and what changed */
	v = reg_view_cii(rc, w->t, "XB", "ru");
	assert_int_equal(jint(v, "shown"), 2);
	x = json_object_get(v, "spheres");
	assert_int_equal(json_array_size(x), 3);
	assert_string_equal(jstr(json_array_get(x, 0), "label"), "Энергетика");
	assert_string_equal(jstr(json_array_get(x, 0), "label_lang"), "ru");
	assert_string_equal(jstr(json_array_get(x, 1), "text"), "Réseaux de chaleur urbains");
	x = json_object_get(v, "diff");
	assert_int_equal(jint(x, "from"), 1);
	assert_string_equal(jstr(json_array_get(json_object_get(x, "added"), 0), "code"),
	    "dams");
	assert_string_equal(jstr(json_array_get(json_object_get(x, "removed"), 0), "code"),
	    "atomic-energy");
	json_decref(v);
	/* XD sees that XB has a list, not what it holds */
	v = reg_view_cii(rd, w->t, "XB", "en");
	assert_true(json_is_null(json_object_get(v, "shown")));
	assert_int_equal(jint(v, "latest"), 2);
	assert_int_equal(json_array_size(json_object_get(v, "spheres")), 0);
	json_decref(v);
	/* compared on PPD-21: XB's NIS2 energy and its own wording mapped to
	 * it land on "energy", its PPD-21 dams on "dams"; XC's list as shared
	 * with XC itself */
	v = reg_view_cii_compare(rc, w->t, "XB", "XC", "cii-us-ppd21", "en");
	x = json_object_get(v, "rows");
	for (size_t i = 0; i < json_array_size(x); i++) {
		json_t *row = json_array_get(x, i);
		if (strcmp(jstr(row, "code"), "energy") == 0) {
			assert_int_equal(json_array_size(json_object_get(row, "a")), 2);
			assert_int_equal(json_array_size(json_object_get(row, "b")), 1);
		} else if (strcmp(jstr(row, "code"), "dams") == 0)
			assert_int_equal(json_array_size(json_object_get(row, "a")), 1);
		else if (strcmp(jstr(row, "code"), "nuclear") == 0) {
			assert_int_equal(json_array_size(json_object_get(row, "a")), 0);
			assert_int_equal(json_array_size(json_object_get(row, "b")), 1);
		}
	}
	json_decref(v);
	assert_null(reg_view_cii_compare(rc, w->t, "XB", "XC", "cii-xx", "en"));
	reg_free(rc);
	reg_free(rd);
	proc_free(pc);
	proc_free(pd);
	dir_free(dc);
	dir_free(dd);
}

/* ---- terminology ------------------------------------------------------------------------ */

static const char *
first_hit(struct world *w, const char *q)
{
	static char id[REG_ID_MAX];
	json_t *v = reg_view_terms(w->r, w->p, w->t, q);

	assert_non_null(v);
	snprintf(id, sizeof(id), "%s", json_array_size(v) ? jstr(json_array_get(v, 0), "id") :
	    "");
	json_decref(v);
	return id;
}

static void
test_terms(void **state)
{
	struct world *w = *state;
	uint8_t term[32], def[32], pid[32];
	json_t *v, *t;
	char big[400];

	/* a Russian user finds the term by its Russian form, and so on */
	assert_string_equal(first_hit(w, "ИКТ"), "icts");
	assert_string_equal(first_hit(w, "критическая информационная инфраструктура"),
	    "critical-information-infrastructure");
	assert_string_equal(first_hit(w, "关键信息基础设施"),
	    "critical-information-infrastructure");
	assert_string_equal(first_hit(w, "關鍵基礎設施"), "critical-infrastructure");
	assert_string_equal(first_hit(w, "البِنْيَة التحتية الحيوية"),
	    "critical-infrastructure");
	assert_string_equal(first_hit(w, "chaine d'approvisionnement"), "supply-chain");
	assert_string_equal(first_hit(w, "CSIRT"), "emergency-response-teams");
	assert_string_equal(first_hit(w, "environment ICT"), "ict-environment");
	assert_string_equal(first_hit(w, "cadena de suministro"), "supply-chain");
	assert_string_equal(first_hit(w, "quantum teleportation"), "");
	v = reg_view_terms(w->r, w->p, w->t, "ИКТ");
	assert_string_equal(jstr(json_object_get(json_array_get(v, 0), "match"), "lang"),
	    "ru");
	json_decref(v);
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	assert_null(reg_view_terms(w->r, w->p, w->t, big));

	/* a term proposed by a State, with its source; a definition; translations */
	assert_int_equal(put(w, DEV(B1), hdr("term"), json_pack("{s:s,s:{s:s,s:s},s:[s]}",
	    "lang", "ru", "forms", "ru", "информационное пространство", "en",
	    "information space", "sources", "A/RES/73/27 PP 16"), w->t, term), REG_OK);
	assert_int_equal(put(w, DEV(B1), hdr("term"), json_pack("{s:s,s:{s:s},s:[]}",
	    "lang", "en", "forms", "en", "x", "sources"), w->t, NULL), REG_MALFORMED);
	assert_string_equal(first_hit(w, "Информационное пространство"), hexid(term));
	assert_int_equal(put(w, DEV(C1), json_pack("{s:s,s:s}", "kind", "definition", "term",
	    "ict-environment"), json_pack("{s:s,s:{s:s}}", "lang", "en", "text", "en",
	    "The environment in which ICTs are used."), w->t, def), REG_OK);
	assert_int_equal(put(w, DEV(C1), json_pack("{s:s,s:s}", "kind", "definition", "term",
	    "no-such-term"), json_pack("{s:s,s:{s:s}}", "lang", "en", "text", "en", "x"),
	    w->t, NULL), REG_UNKNOWN);
	assert_int_equal(put(w, DEV(D1), json_pack("{s:s,s:o,s:s}", "kind", "translation",
	    "ref", jhex(def, 32), "lang", "fr"), json_pack("{s:s}", "text",
	    "L'environnement dans lequel les TIC sont utilisées."), w->t, NULL), REG_OK);
	assert_int_equal(put(w, DEV(D1), json_pack("{s:s,s:o,s:s}", "kind", "translation",
	    "ref", jhex(def, 32), "lang", "fr"), json_pack("{s:s}", "text", "Encore."), w->t,
	    NULL), REG_DUPLICATE);				/* the same party, twice */
	assert_int_equal(put(w, DEV(E1), json_pack("{s:s,s:o,s:s}", "kind", "translation",
	    "ref", jhex(def, 32), "lang", "en"), json_pack("{s:s}", "text", "Other."), w->t,
	    NULL), REG_DUPLICATE);				/* the author's own */
	assert_int_equal(put(w, DEV(E1), json_pack("{s:s,s:o,s:s}", "kind", "translation",
	    "ref", jhex(def, 32), "lang", "es"), json_pack("{s:s,s:s}", "title", "x", "text",
	    "y"), w->t, NULL), REG_MALFORMED);			/* no title for a definition */
	assert_int_equal(put(w, DEV(E1), json_pack("{s:s,s:o,s:s}", "kind", "translation",
	    "ref", jhex(term, 32), "lang", "zh"), json_pack("{s:s}", "text", "信息空间"),
	    w->t, NULL), REG_OK);
	assert_string_equal(first_hit(w, "信息空间"), hexid(term));
	/* no record declares a definition agreed; a decision does */
	assert_int_equal(put(w, DEV(C1), json_pack("{s:s,s:s}", "kind", "definition", "term",
	    "ict-environment"), json_pack("{s:s,s:{s:s},s:b}", "lang", "en", "text", "en",
	    "x", "agreed", 1), w->t, NULL), REG_MALFORMED);
	assert_int_equal(adopt(w, "definition", hexid(def), 1, w->t, pid), 0);
	v = reg_view_terms(w->r, w->p, w->t + 72 * HOUR, "ict environment");
	t = json_array_get(v, 0);
	assert_string_equal(jstr(t, "status"), "agreed-definition");
	assert_string_equal(jstr(t, "agreed_definition"), hexid(def));
	assert_string_equal(jstr(json_array_get(json_object_get(json_array_get(
	    json_object_get(t, "definitions"), 0), "translations"), 0), "by"), "XD");
	json_decref(v);
	v = reg_view_terms(w->r, w->p, w->t + 72 * HOUR - 1, "ict environment");
	assert_string_equal(jstr(json_array_get(v, 0), "status"), "definition-under-discussion");
	json_decref(v);
}

/* ---- capacity-building ---------------------------------------------------------------------- */

static json_t *
request_payload(const char *area)
{
	return json_pack("{s:s,s:s,s:s,s:s,s:[s,s]}", "area", area, "title",
	    "Mise en place d'un CSIRT national", "lang", "fr", "needs",
	    "Formation et outils pour une équipe de cinq personnes.", "languages", "fr", "ar");
}

static json_t *
offer_payload(const char *area, const char *lang)
{
	json_t *p = json_pack("{s:s,s:s,s:s,s:[s]}", "title", "CSIRT training", "lang", "en",
	    "text", "Two weeks of training.", "languages", lang);

	if (area != NULL)
		json_object_set_new(p, "areas", json_pack("[s]", area));
	return p;
}

static int
step(struct world *w, int who, const char *what, const uint8_t req[32],
    const uint8_t *offer, int64_t t)
{
	json_t *h = json_pack("{s:s,s:s,s:o}", "kind", "cb-step", "step", what, "request",
	    jhex(req, 32));

	if (offer != NULL)
		json_object_set_new(h, "offer", jhex(offer, 32));
	return put(w, DEV(who), h, json_object(), t, NULL);
}

static void
test_cb(void **state)
{
	struct world *w = *state;
	uint8_t req[32], o1[32], o2[32], st[32], app[32], so[32];
	json_t *v, *q;
	int64_t t = w->t;

	/* standing offers first, matched later by area and language */
	assert_int_equal(put(w, DEV(D1), json_pack("{s:s,s:s}", "kind", "cb-offer",
	    "audience", "public"), offer_payload("incident-response", "fr"), t, st), REG_OK);
	assert_int_equal(put(w, DEV(E1), json_pack("{s:s,s:s}", "kind", "cb-offer",
	    "audience", "public"), offer_payload("incident-response", "ru"), t, NULL),
	    REG_OK);					/* no shared language */
	assert_int_equal(put(w, DEV(E1), json_pack("{s:s,s:s}", "kind", "cb-offer",
	    "audience", "public"), offer_payload(NULL, "fr"), t, NULL), REG_MALFORMED);
	/* only a recipient State opens a request */
	assert_int_equal(put(w, DEV(B1), json_pack("{s:s,s:s}", "kind", "cb-request",
	    "audience", "public"), request_payload("incident-response"), t, req), REG_OK);
	assert_int_equal(put(w, w->op, NULL, json_pack("{s:s,s:s}", "kind", "cb-request",
	    "audience", "public"), request_payload("incident-response"), t, NULL),
	    REG_FORBIDDEN);
	assert_int_equal(put(w, w->op, NULL, json_pack("{s:s,s:s,s:b}", "kind",
	    "application", "body", "oewg", "ecosoc", 1), json_pack("{s:s}", "name",
	    "Institute"), t, app), 0);
	inject_stakeholder(w, app);
	assert_int_equal(put(w, w->sh, "ZZ", json_pack("{s:s,s:s}", "kind", "cb-request",
	    "audience", "public"), request_payload("incident-response"), t, NULL),
	    REG_FORBIDDEN);
	assert_non_null(strstr(rs_err(), "only a recipient State opens a request"));
	assert_int_equal(put(w, DEV(B1), json_pack("{s:s,s:s}", "kind", "cb-request",
	    "audience", "public"), request_payload("espionage"), t, NULL), REG_UNKNOWN);
	assert_non_null(strstr(rs_err(), "\"espionage\" is not a capacity-building area"));
	/* offers: from others; a stakeholder once accredited (72 h of silence) */
	assert_int_equal(put(w, DEV(C1), json_pack("{s:s,s:o,s:s}", "kind", "cb-offer",
	    "request", jhex(req, 32), "audience", "public"), offer_payload(NULL, "fr"), t,
	    o1), REG_OK);
	assert_int_equal(put(w, DEV(B1), json_pack("{s:s,s:o,s:s}", "kind", "cb-offer",
	    "request", jhex(req, 32), "audience", "public"), offer_payload(NULL, "fr"), t,
	    NULL), REG_FORBIDDEN);
	assert_int_equal(put(w, w->sh, "ZZ", json_pack("{s:s,s:o,s:s}", "kind", "cb-offer",
	    "request", jhex(req, 32), "audience", "public"), offer_payload(NULL, "fr"), t,
	    NULL), REG_FORBIDDEN);
	assert_non_null(strstr(rs_err(), "not accredited"));
	assert_int_equal(put(w, w->sh, "ZZ", json_pack("{s:s,s:o,s:s}", "kind", "cb-offer",
	    "request", jhex(req, 32), "audience", "public"), offer_payload(NULL, "ar"),
	    t + 72 * HOUR, o2), REG_OK);
	/* a sealed offer to the requester */
	{
		struct buf sealed;
		seal_to(w, &sealed, offer_payload(NULL, "fr"), B1, E1, -1);
		assert_int_equal(put_raw(w, DEV(E1), json_pack("{s:s,s:o,s:s,s:[s]}", "kind",
		    "cb-offer", "request", jhex(req, 32), "audience", "sealed", "to", "XB"),
		    &sealed, w->t, so), REG_OK);
		buf_free(&sealed);
	}
	/* steps: only XB; accept once; complete what was accepted; close */
	assert_int_equal(step(w, C1, "accept", req, o1, w->t), REG_FORBIDDEN);
	assert_int_equal(step(w, B1, "accept", req, o1, w->t), REG_OK);
	assert_int_equal(step(w, B1, "accept", req, o1, w->t), REG_DUPLICATE);
	assert_int_equal(step(w, B1, "complete", req, o2, w->t), REG_FORBIDDEN);
	assert_int_equal(step(w, B1, "accept", req, st, w->t), REG_OK);	/* standing */
	assert_int_equal(step(w, B1, "complete", req, o1, w->t), REG_OK);
	assert_int_equal(step(w, B1, "complete", req, o1, w->t), REG_DUPLICATE);
	assert_int_equal(step(w, B1, "close", req, NULL, w->t), REG_OK);
	assert_int_equal(step(w, B1, "close", req, NULL, w->t), REG_CLOSED);
	assert_int_equal(step(w, B1, "accept", req, o2, w->t), REG_CLOSED);
	/* an offer on a closed request */
	assert_int_equal(put(w, DEV(D1), json_pack("{s:s,s:o,s:s}", "kind", "cb-offer",
	    "request", jhex(req, 32), "audience", "public"), offer_payload(NULL, "fr"),
	    w->t, NULL), REG_CLOSED);
	/* an offer on a request that is not there */
	assert_int_equal(put(w, DEV(D1), json_pack("{s:s,s:o,s:s}", "kind", "cb-offer",
	    "request", jhex(app, 32), "audience", "public"), offer_payload(NULL, "fr"),
	    w->t, NULL), REG_UNKNOWN);

	v = reg_view_cb(w->r, w->t, "fr");
	q = json_array_get(json_object_get(v, "requests"), 0);
	assert_string_equal(jstr(q, "status"), "closed");
	assert_string_equal(jstr(q, "label"), "Réponse aux incidents et capacités des "
	    "CERT/CSIRT");
	assert_int_equal(json_array_size(json_object_get(q, "offers")), 3);
	assert_int_equal(json_array_size(json_object_get(q, "accepted")), 2);
	assert_false(json_is_null(json_object_get(json_array_get(json_object_get(q,
	    "accepted"), 0), "completed")));
	/* matched: the French standing offer, not the Russian one */
	assert_int_equal(json_array_size(json_object_get(q, "matches")), 1);
	assert_string_equal(json_string_value(json_array_get(json_object_get(q, "matches"),
	    0)), hexid(st));
	/* the stakeholder's offer is attributed to its application */
	assert_string_equal(jstr(json_array_get(json_object_get(v, "offers"), 3), "by"),
	    "stakeholder");
	/* the hub cannot read the sealed offer */
	assert_false(json_is_true(json_object_get(json_array_get(json_object_get(v,
	    "offers"), 4), "readable")));
	json_decref(v);
}

/* ---- replay ---------------------------------------------------------------------------------- */

static struct registry *
replay_for(struct world *w, const struct keypair *reader, struct directory **dout,
    struct process **pout, size_t split)
{
	struct directory *d = dir_new(w->op->pk);
	struct process *p = proc_new();
	struct registry *r = reg_new(data);

	if (reader != NULL)
		reg_set_reader(r, reader);
	for (size_t i = 0; i < w->nlog; i++) {
		struct entry *x = &w->log[i];
		struct envelope e;

		assert_int_equal(env_parse(&e, x->raw.p, x->raw.len), 0);
		switch (x->kind) {
		case E_REG:
			assert_int_equal(reg_take(r, d, p, &e, x->index, x->time), REG_OK);
			break;
		case E_PROC:
			assert_int_equal(proc_check(p, d, &e, x->index, x->time), PROC_OK);
			if (reg_concerns(&e))
				assert_int_equal(reg_check(r, d, p, &e, x->index, x->time), REG_OK);
			proc_apply(p, d, &e, x->index, x->time);
			if (reg_concerns(&e))
				reg_apply(r, d, p, &e, x->index, x->time);
			break;
		case E_DIR:
			assert_int_equal(dir_check(d, &e, x->index, x->time, 0), 0);
			/* fall through */
		case E_INJECT:
			dir_apply(d, &e, x->index);
			break;
		}
		env_free(&e);
		if (split > 0 && i % split == split - 1) {
			json_t *v = reg_view(r, p, x->time, "en");
			json_decref(v);
		}
	}
	*dout = d;
	*pout = p;
	return r;
}

static char *
all_views(struct registry *r, struct process *p, int64_t now, const char *lang)
{
	json_t *o = json_object();
	char *s;

	json_object_set_new(o, "all", reg_view(r, p, now, lang));
	json_object_set_new(o, "report", reg_view_reports(r, p, now, "a70-174-13f", NULL));
	json_object_set_new(o, "checklist", reg_view_checklist(r, p, now, "a70-174-13f"));
	json_object_set_new(o, "search", reg_view_terms(r, p, now, "инфраструктура"));
	json_object_set_new(o, "compare", reg_view_cii_compare(r, now, "XB", "XC",
	    "cii-nis2-annex1", lang));
	s = proc_dump(o);
	json_decref(o);
	return s;
}

static void
test_replay(void **state)
{
	struct world *w = *state;
	static const size_t splits[] = { 0, 1, 3, 1000 };
	const struct keypair *readers[3];
	char *want[3];

	/* a log with a bit of everything */
	test_cosponsor_and_versions(state);
	test_agreement(state);
	test_reports(state);
	test_sealed_report(state);
	test_cii(state);
	test_terms(state);
	test_cb(state);
	readers[0] = NULL;
	readers[1] = w->dev[C1];
	readers[2] = w->dev[D1];
	for (int k = 0; k < 3; k++) {
		struct directory *d;
		struct process *p;
		struct registry *r = replay_for(w, readers[k], &d, &p, 0);
		want[k] = all_views(r, p, w->t + 100 * DAY, k == 2 ? "ar" : "en");
		reg_free(r);
		proc_free(p);
		dir_free(d);
	}
	/* the world's own (no reader) is the hub's, and the same */
	{
		char *hub = all_views(w->r, w->p, w->t + 100 * DAY, "en");
		assert_string_equal(hub, want[0]);
		free(hub);
	}
	for (size_t s = 0; s < sizeof(splits) / sizeof(splits[0]); s++)
		for (int k = 0; k < 3; k++) {
			struct directory *d;
			struct process *p;
			struct registry *r = replay_for(w, readers[k], &d, &p, splits[s]);
			char *got = all_views(r, p, w->t + 100 * DAY, k == 2 ? "ar" : "en");
			assert_string_equal(got, want[k]);
			free(got);
			reg_free(r);
			proc_free(p);
			dir_free(d);
		}
	/* and the readers see different things */
	assert_string_not_equal(want[0], want[1]);
	assert_non_null(strstr(want[1], "Réseaux de chaleur urbains"));
	assert_null(strstr(want[0], "Réseaux de chaleur urbains"));
	assert_null(strstr(want[2], "Réseaux de chaleur urbains"));
	for (int k = 0; k < 3; k++)
		free(want[k]);
}

static void
test_order(void **state)
{
	struct world *w = *state;
	struct rec r;
	char *t;
	json_t *p = norm_payload();

	t = jdump(p);
	json_decref(p);
	rec_build(&r, w->dev[B1], "XB", hdr("norm"), t, strlen(t), w->t);
	free(t);
	assert_int_equal(take_at(w, &r, w->t), REG_OK);
	/* the same record again, and one out of log order */
	assert_int_equal(take_at(w, &r, w->t), REG_DUPLICATE);
	assert_int_equal(reg_check(w->r, w->d, w->p, &r.e, w->next - 1, w->t),
	    REG_MALFORMED);
	rec_free(&r);
	/* not a registry record; too large */
	rec_build(&r, w->dev[B1], "XB", hdr("msg"), "{}", 2, w->t);
	assert_int_equal(reg_check(w->r, w->d, w->p, &r.e, w->next, w->t), REG_MALFORMED);
	assert_false(reg_concerns(&r.e));
	rec_free(&r);
	{
		size_t n = 2000000;
		char *big = xmalloc(n);
		memset(big, ' ', n);
		big[0] = '{';
		big[n - 1] = '}';
		rec_build(&r, w->dev[B1], "XB", hdr("cosponsor"), big, n, w->t);
		assert_int_equal(reg_check(w->r, w->d, w->p, &r.e, w->next, w->t),
		    REG_MALFORMED);
		assert_non_null(strstr(rs_err(), "at most"));
		rec_free(&r);
		free(big);
	}
	/* a revoked device writes nothing */
	dir_take(w, w->root[1], "revoke", "XB", json_pack("{s:o}", "device",
	    jhex(w->dev[B1]->pk, 32)));
	assert_int_equal(propose_norm(w, B1, NULL), REG_FORBIDDEN);
	assert_true(reg_kind("cii"));
	assert_false(reg_kind("proposal"));
	assert_true(regrec_kind("report")->may_seal);
	assert_true(kind_has(regrec_kind("norm")->id, KIND_PUBLIC | KIND_REGISTRY |
	    KIND_CHAINED));
	for (const struct reg_kind_info *k = reg_kinds; k->name != NULL; k++) {
		assert_int_equal(kind_from_name(k->name), k->id);
		assert_true(kind_has(k->id, KIND_PUBLIC | KIND_REGISTRY));
		assert_int_equal(kind_info(k->id)->signers & KIND_BY_OPERATOR, 0);
	}
}

/* The one order the hub and every node run (lib/rules.c): a registry record
 * reaches the registries' rules through rules_check, after the directory's,
 * and a refusal there is the hub's refusal too (its HTTP status from
 * rules_status); a proposal "adopting" what is not there is refused though
 * the process alone would take it.  Before lib/rules.c called reg_check, a
 * report on a norm that does not exist passed rules_check. */
static enum rules_result
rules_put(struct world *w, const struct keypair *k, const char *state, json_t *h,
    json_t *payload, int64_t t)
{
	struct rec r;
	char *s = jdump(payload);
	enum rules_result rc, c;
	size_t before = w->r->records;

	rec_build(&r, k, state, h, s, strlen(s), t);
	free(s);
	json_decref(payload);
	c = rules_check(w->d, w->p, w->r, &r.e, w->next, t, 0);
	rc = rules_take(w->d, w->p, w->r, &r.e, w->next, t, 0);
	assert_int_equal(rc, c);
	if (rc == RULES_OK) {
		log_add(w, reg_kind(r.e.kind) ? E_REG : E_PROC, &r.raw, w->next, t);
		w->next++;
		w->t = t;
	} else
		assert_int_equal(w->r->records, before);
	rec_free(&r);
	return rc;
}

static void
test_rules_order(void **state)
{
	struct world *w = *state;
	json_t *rh = json_pack("{s:s,s:i,s:s}", "kind", "report", "version", 1,
	    "audience", "public");

	/* a report on a norm no one proposed and the data does not have */
	assert_int_equal(rules_put(w, DEV(B1), json_deep_copy(rh),
	    report_payload("a70-174-13z", 1, "implemented"), w->t + 1), RULES_UNKNOWN);
	assert_non_null(strstr(rs_err(), "a70-174-13z"));
	assert_int_equal(rules_status(RULES_UNKNOWN), 400);
	/* XC's device writing XB's report: the directory refuses the signer */
	assert_int_equal(rules_put(w, w->dev[C1], "XB", json_deep_copy(rh),
	    report_payload("a70-174-13f", 1, "implemented"), w->t + 1), RULES_DIRECTORY);
	/* the operator writes no registry record */
	assert_int_equal(rules_put(w, w->op, NULL, hdr("norm"), norm_payload(),
	    w->t + 1), RULES_DIRECTORY);
	/* a source that is not "SYMBOL para N": the kind's shape, first */
	assert_int_equal(rules_put(w, DEV(B1), hdr("norm"), json_pack(
	    "{s:s,s:{s:s},s:{s:s},s:[s]}", "lang", "en", "title", "en", "T", "text",
	    "en", "X.", "sources", "A/75/816 paragraph 20"), w->t + 1), RULES_DIRECTORY);
	assert_non_null(strstr(rs_err(), "sources"));
	/* version 2 before version 1 */
	json_object_set_new(rh, "version", json_integer(2));
	assert_int_equal(rules_put(w, DEV(B1), json_deep_copy(rh),
	    report_payload("a70-174-13f", 1, "implemented"), w->t + 1), RULES_MALFORMED);
	json_object_set_new(rh, "version", json_integer(1));
	/* the good one passes, and the registries have it */
	assert_int_equal(rules_put(w, DEV(B1), json_deep_copy(rh),
	    report_payload("a70-174-13f", 1, "implemented"), w->t + 1), RULES_OK);
	assert_non_null(reg_state(w->r, "XB"));
	assert_int_equal(reg_state(w->r, "XB")->nreports, 1);
	/* a proposal the process would take, adopting a norm that is not there */
	assert_int_equal(rules_put(w, DEV(A1), json_pack("{s:s,s:s,s:s,s:s,s:{s:s,s:s,s:i}}",
	    "kind", "proposal", "body", "oewg", "audience", "public", "lang", "en",
	    "adopts", "item", "norm", "id", "a70-174-13z", "version", 1),
	    json_pack("{s:{s:s}}", "text", "en", "Agree it."), w->t + 1), RULES_UNKNOWN);
	/* a proposal without "adopts" is the process's alone */
	assert_int_equal(rules_put(w, DEV(A1), json_pack("{s:s,s:s,s:s,s:s}",
	    "kind", "proposal", "body", "oewg", "audience", "public", "lang", "en"),
	    json_pack("{s:{s:s}}", "text", "en", "Meet on Monday."), w->t + 1), RULES_OK);
	json_decref(rh);
}

#define W(t) cmocka_unit_test_setup_teardown(t, setup, teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		W(test_norm_propose),
		W(test_cosponsor_and_versions),
		W(test_agreement),
		W(test_reports),
		W(test_sealed_report),
		W(test_cii),
		W(test_terms),
		W(test_cb),
		W(test_replay),
		W(test_order),
		W(test_rules_order),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
