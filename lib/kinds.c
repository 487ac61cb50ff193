/*
 * kinds.c - the table of kinds (kinds.h) and the checks read from it.
 *
 * Payload limits (docs/protocol.md section 9) keep any one device from
 * filling the listings everyone reads: mail is bounded so a page of it
 * stays small (attachments travel as blobs), and public records, which
 * every node fetches and keeps, are bounded tightly and must have exactly
 * the shape of their kind, so a record can carry nothing but what it is
 * for.  The shapes are data (a field list per kind) plus, where a kind
 * needs more, one rules function; the directory's own rules (who may
 * admit, certify, revoke) stay in directory.c, which calls kind_validate
 * before them.
 */
#include "kinds.h"

#include <assert.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "checkrec.h"
#include "envelope.h"
#include "jsonutil.h"
#include "procrec.h"
#include "regrec.h"
#include "statement.h"
#include "util.h"

#define KIB	1024u
#define MIB	(1024u * 1024u)

static const struct kind_field admit_fields[] = {
	{ "state", KF_TEXT, 1 },
	{ "root_key", KF_HEX32, 1 },
	{ "name", KF_TEXT, 0 },
	{ NULL, 0, 0 }
};

static const struct kind_field cert_fields[] = {
	{ "state", KF_TEXT, 1 },
	{ "device", KF_HEX32, 1 },
	{ "box_key", KF_HEX32, 1 },
	{ "role", KF_TEXT, 1 },
	{ "name", KF_TEXT, 1 },
	{ "email", KF_TEXT, 1 },
	{ "languages", KF_TEXTS, 0 },
	{ "issued", KF_INT, 0 },
	{ "expires", KF_INT, 0 },
	{ "pop", KF_B64, 1 },
	{ "stakeholder", KF_HEX32, 0 },	/* a stakeholder's device: its application */
	{ NULL, 0, 0 }
};

static const struct kind_field revoke_fields[] = {
	{ "device", KF_HEX32, 1 },
	{ "reason", KF_TEXT, 0 },
	{ NULL, 0, 0 }
};

static const struct kind_field group_fields[] = {
	{ "name", KF_TEXT, 1 },
	{ "states", KF_TEXTS, 1 },
	{ "title", KF_LANG_TEXTS, 0 },
	{ NULL, 0, 0 }
};

static const struct kind_field endorse_fields[] = {
	{ "root_key", KF_HEX32, 1 },
	{ "accept", KF_BOOL, 1 },
	{ NULL, 0, 0 }
};

static const struct kind_field cosign_fields[] = {
	{ "checkpoint", KF_TEXT, 1 },
	{ "sig", KF_B64, 1 },
	{ NULL, 0, 0 }
};

static const struct kind_field check_fields[] = {
	{ "text", KF_LANG_TEXTS, 1 },
	{ NULL, 0, 0 }
};

/* An answer to a check: the payload is exactly {}. */
static const struct kind_field answer_fields[] = {
	{ NULL, 0, 0 }
};

/* A cosignature carries one checkpoint the operator signed. */
static int
cosign_rules(json_t *p, const uint8_t operator_key[32])
{
	struct checkpoint c;
	char why[RS_ERRLEN];

	if (checkpoint_from_json(&c, p, operator_key) != 0) {
		snprintf(why, sizeof(why), "%s", rs_err());
		rs_seterr("cosign payload is not a checkpoint the operator "
		    "signed: %s", why);
		return -1;
	}
	checkpoint_free(&c);
	return 0;
}

static int
check_rules(json_t *p, const uint8_t operator_key[32])
{
	(void)operator_key;
	return checkrec_payload_rules(p);
}

/* A process record (docs/protocol.md section 10): its header and payload
 * read by lib/procrec.c, which refuses any field out of place.  The rules
 * that depend on the log (the body exists, the signer is its Chair) are
 * lib/process.c's. */
static int
process_shape(const struct envelope *e)
{
	struct proc_rec r;
	enum proc_result rc = procrec_parse(e, &r);

	procrec_free(&r);
	return rc == PROC_OK ? 0 : -1;
}

/* A registry record (docs/protocol.md section 11): header and payload (a
 * plaintext one) read by lib/regrec.c; whether what it names exists and
 * who may write it is lib/registry.c's. */
static int
registry_shape(const struct envelope *e)
{
	struct reg_rec r;
	enum reg_result rc = regrec_parse(e, &r);

	regrec_free(&r);
	return rc == REG_OK ? 0 : -1;
}

#define PROC_ROW(k, name, signers, chained, max) \
	[k] = { k, name, signers, KIND_PUBLIC | KIND_PROCESS | (chained), max, \
	    NULL, NULL, process_shape }

/* Every registry kind is public and chained, signed by a State's device
 * (translations and offers by an accredited stakeholder's too; the
 * operator signs none: nothing in a registry is an operator's act). */
#define REG_ROW(k, name, signers, max) \
	[k] = { k, name, signers, KIND_PUBLIC | KIND_REGISTRY | KIND_CHAINED, max, \
	    NULL, NULL, registry_shape }

static const struct kind_info table[KIND_COUNT] = {
	[KIND_ADMIT] = { KIND_ADMIT, "admit", KIND_BY_OPERATOR,
	    KIND_PUBLIC | KIND_DIRECTORY, 16 * KIB, admit_fields, NULL },
	[KIND_CERT] = { KIND_CERT, "cert", KIND_BY_ROOT | KIND_BY_OPERATOR,
	    KIND_PUBLIC | KIND_DIRECTORY, 16 * KIB, cert_fields, NULL },
	[KIND_REVOKE] = { KIND_REVOKE, "revoke",
	    KIND_BY_ROOT | KIND_BY_DEVICE | KIND_BY_OPERATOR,
	    KIND_PUBLIC | KIND_DIRECTORY, 16 * KIB, revoke_fields, NULL },
	[KIND_GROUP] = { KIND_GROUP, "group", KIND_BY_OPERATOR,
	    KIND_PUBLIC | KIND_DIRECTORY, 16 * KIB, group_fields, NULL },
	[KIND_ENDORSE] = { KIND_ENDORSE, "endorse", KIND_BY_ROOT,
	    KIND_PUBLIC | KIND_DIRECTORY, 16 * KIB, endorse_fields, NULL },
	[KIND_MSG] = { KIND_MSG, "msg", KIND_BY_DEVICE,
	    KIND_CHAINED | KIND_ROUTED, 1 * MIB, NULL, NULL },
	[KIND_ACK] = { KIND_ACK, "ack", KIND_BY_DEVICE,
	    KIND_CHAINED | KIND_ROUTED, 16 * KIB, NULL, NULL },
	[KIND_COSIGN] = { KIND_COSIGN, "cosign", KIND_BY_DEVICE,
	    KIND_PUBLIC | KIND_CHAINED, 4 * KIB, cosign_fields, cosign_rules },
	[KIND_CHECK] = { KIND_CHECK, "check", KIND_BY_OPERATOR | KIND_BY_DEVICE,
	    KIND_PUBLIC | KIND_CHAINED, 32 * KIB, check_fields, check_rules },
	/* The process: every kind public (a hub cannot show one node an
	 * objection and hide it from another), the limits of section 10. */
	PROC_ROW(KIND_BODY, "body", KIND_BY_OPERATOR, 0, 16 * KIB),
	PROC_ROW(KIND_BODY_RULES, "body-rules", KIND_BY_OPERATOR, 0, 16 * KIB),
	PROC_ROW(KIND_MEETING, "meeting", KIND_BY_OPERATOR | KIND_BY_DEVICE,
	    KIND_CHAINED, 16 * KIB),
	PROC_ROW(KIND_PAPER, "paper", KIND_BY_OPERATOR | KIND_BY_DEVICE,
	    KIND_CHAINED, 256 * KIB),
	PROC_ROW(KIND_PAPER_LANG, "paper-lang", KIND_BY_OPERATOR | KIND_BY_DEVICE,
	    KIND_CHAINED, 256 * KIB),
	PROC_ROW(KIND_PROPOSAL, "proposal", KIND_BY_DEVICE, KIND_CHAINED, 1 * MIB),
	PROC_ROW(KIND_POSITION, "position", KIND_BY_DEVICE, KIND_CHAINED, 128 * KIB),
	PROC_ROW(KIND_WITHDRAW, "withdraw", KIND_BY_OPERATOR | KIND_BY_DEVICE,
	    KIND_CHAINED, 1 * KIB),
	PROC_ROW(KIND_APPLICATION, "application", KIND_BY_OPERATOR, 0, 32 * KIB),
	PROC_ROW(KIND_CONTRIBUTION, "contribution", KIND_BY_STAKEHOLDER,
	    KIND_CHAINED, 64 * KIB),
	/* The registries: the limits of section 11. */
	REG_ROW(KIND_NORM, "norm", KIND_BY_DEVICE, 128 * KIB),
	REG_ROW(KIND_NORM_VERSION, "norm-version", KIND_BY_DEVICE, 128 * KIB),
	REG_ROW(KIND_COSPONSOR, "cosponsor", KIND_BY_DEVICE, 1 * KIB),
	REG_ROW(KIND_CHECKLIST, "checklist", KIND_BY_DEVICE, 256 * KIB),
	REG_ROW(KIND_REPORT, "report", KIND_BY_DEVICE, 1 * MIB),
	REG_ROW(KIND_CII, "cii", KIND_BY_DEVICE, 512 * KIB),
	REG_ROW(KIND_TERM, "term", KIND_BY_DEVICE, 64 * KIB),
	REG_ROW(KIND_DEFINITION, "definition", KIND_BY_DEVICE, 128 * KIB),
	REG_ROW(KIND_TRANSLATION, "translation",
	    KIND_BY_DEVICE | KIND_BY_STAKEHOLDER, 128 * KIB),
	REG_ROW(KIND_CB_REQUEST, "cb-request", KIND_BY_DEVICE, 256 * KIB),
	REG_ROW(KIND_CB_OFFER, "cb-offer", KIND_BY_DEVICE | KIND_BY_STAKEHOLDER,
	    256 * KIB),
	REG_ROW(KIND_CB_STEP, "cb-step", KIND_BY_DEVICE, 1 * KIB),
};

enum kind
kind_from_name(const char *name)
{
	if (name == NULL)
		return KIND_UNKNOWN;
	for (int k = 1; k < KIND_COUNT; k++)
		if (strcmp(table[k].name, name) == 0)
			return (enum kind)k;
	return KIND_UNKNOWN;
}

const struct kind_info *
kind_info(enum kind k)
{
	if (k <= KIND_UNKNOWN || k >= KIND_COUNT)
		return NULL;
	assert(table[k].id == k);
	return &table[k];
}

int
kind_has(enum kind k, unsigned f)
{
	const struct kind_info *ki = kind_info(k);

	return ki != NULL && (ki->flags & f) == f;
}

int
record_is_public(const struct envelope *e)
{
	return kind_has(e->kind_id, KIND_PUBLIC) || checkrec_is_answer(e);
}

/* ---- payload shapes ------------------------------------------------------ */

static int
field_ok(json_t *v, enum kind_field_type type)
{
	const char *k;
	json_t *w;
	size_t i;
	uint8_t h[32];
	struct buf b = {0};
	int ok;

	switch (type) {
	case KF_TEXT:
		return json_is_string(v);
	case KF_HEX32:
		return json_is_string(v) &&
		    hex_decode_exact(h, 32, json_string_value(v)) == 0;
	case KF_B64:
		if (!json_is_string(v))
			return 0;
		ok = b64_decode(&b, json_string_value(v), json_string_length(v)) == 0;
		buf_free(&b);
		return ok;
	case KF_INT:
		return json_is_integer(v);
	case KF_BOOL:
		return json_is_boolean(v);
	case KF_TEXTS:
		if (!json_is_array(v))
			return 0;
		json_array_foreach(v, i, w)
			if (!json_is_string(w))
				return 0;
		return 1;
	case KF_LANG_TEXTS:
		if (!json_is_object(v))
			return 0;
		json_object_foreach(v, k, w)
			if (!json_is_string(w) || strlen(k) == 0 || strlen(k) > 8)
				return 0;
		return 1;
	}
	return 0;
}

static const char *
type_words(enum kind_field_type type)
{
	switch (type) {
	case KF_TEXT:
		return "a string";
	case KF_HEX32:
		return "64 hexadecimal digits";
	case KF_B64:
		return "valid base64";
	case KF_INT:
		return "an integer";
	case KF_BOOL:
		return "true or false";
	case KF_TEXTS:
		return "a list of strings";
	case KF_LANG_TEXTS:
		return "an object of language: text";
	}
	return "?";
}

/* p has exactly the fields of the list, each of its type. */
static int
fields_ok(const char *what, json_t *p, const struct kind_field *fields)
{
	const struct kind_field *f;
	const char *key;
	json_t *v;

	for (f = fields; f->name != NULL; f++) {
		v = json_object_get(p, f->name);
		if (v == NULL) {
			if (f->required) {
				rs_seterr("%s payload is missing field \"%s\"",
				    what, f->name);
				return -1;
			}
			continue;
		}
		if (!field_ok(v, f->type)) {
			rs_seterr("%s payload field \"%s\" must be %s", what,
			    f->name, type_words(f->type));
			return -1;
		}
	}
	json_object_foreach(p, key, v) {
		for (f = fields; f->name != NULL; f++)
			if (strcmp(f->name, key) == 0)
				break;
		if (f->name == NULL) {
			rs_seterr("%s payload has a field \"%.40s\" that a %s "
			    "does not carry", what, key, what);
			return -1;
		}
	}
	return 0;
}

enum kind_verdict
kind_validate(const struct envelope *e, const uint8_t operator_key[32])
{
	const struct kind_info *ki = kind_info(e->kind_id);
	const struct kind_field *fields;
	const char *what;
	json_t *p;
	int rc;

	if (ki == NULL) {
		rs_seterr("unknown envelope kind \"%.31s\"", e->kind);
		return KIND_NOT_A_KIND;
	}
	if (!MUTANT(kindsize) && e->payload_len > ki->max_payload) {
		rs_seterr("a %s payload may have at most %zu bytes, not %zu",
		    ki->name, ki->max_payload, e->payload_len);
		return KIND_TOO_LARGE;
	}
	if (ki->shape != NULL)
		return ki->shape(e) == 0 ? KIND_VALID : KIND_BAD_PAYLOAD;
	if (checkrec_is_answer(e)) {
		fields = answer_fields;
		what = "check answer";
	} else {
		fields = ki->fields;
		what = ki->name;
	}
	if (fields == NULL)
		return KIND_VALID;	/* sealed: nobody but its recipients reads it */
	if ((p = env_payload_json(e)) == NULL) {
		char why[RS_ERRLEN];
		snprintf(why, sizeof(why), "%s", rs_err());
		rs_seterr("%s payload must be a JSON object: %s", what, why);
		return KIND_BAD_PAYLOAD;
	}
	rc = fields_ok(what, p, fields);
	if (rc == 0 && fields != answer_fields && ki->rules != NULL)
		rc = ki->rules(p, operator_key);
	json_decref(p);
	return rc == 0 ? KIND_VALID : KIND_BAD_PAYLOAD;
}

/* ---- SQL lists ------------------------------------------------------------ */

static char sql_mail[256], sql_directory[256];
static pthread_once_t sql_once = PTHREAD_ONCE_INIT;

static void
sql_list(char *out, size_t len, int (*in)(const struct kind_info *))
{
	size_t n = 0;
	int first = 1;

	n += (size_t)snprintf(out + n, len - n, "(");
	for (int k = 1; k < KIND_COUNT; k++) {
		if (!in(&table[k]))
			continue;
		n += (size_t)snprintf(out + n, len - n, "%s'%s'", first ? "" : ", ",
		    table[k].name);
		first = 0;
		assert(n < len);
	}
	n += (size_t)snprintf(out + n, len - n, ")");
	assert(n < len && !first);
}

static int
in_mail(const struct kind_info *ki)
{
	return (ki->flags & KIND_PUBLIC) == 0;
}

static int
in_directory(const struct kind_info *ki)
{
	return (ki->flags & KIND_DIRECTORY) != 0;
}

static void
sql_build(void)
{
	sql_list(sql_mail, sizeof(sql_mail), in_mail);
	sql_list(sql_directory, sizeof(sql_directory), in_directory);
}

const char *
kinds_sql(enum kind_set set)
{
	pthread_once(&sql_once, sql_build);
	return set == KINDS_MAIL ? sql_mail : sql_directory;
}
