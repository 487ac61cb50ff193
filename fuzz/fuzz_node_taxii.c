/*
 * fuzz_node_taxii.c - libFuzzer target for the TAXII 2.1 server's request
 * path (node/taxii: the front door, credentials, routes, queries, the next
 * token, pages, status, POST bodies) over a real node store, beyond what
 * fuzz_taxii_query (queries, media types) and fuzz_stix (bundles) cover
 * alone.
 *
 * LLVMFuzzerInitialize makes a node store in a temporary folder (State
 * XA, not enrolled, no device key), a token with write to every
 * collection, the built-in collections and an outbox to XB, and files a
 * few hundred entries into "received" (so pages, filters and next have
 * something to walk).  A POST never signs anything: the node is not
 * enrolled and XB is not in its directory.
 *
 * Input:
 *   byte 0   flags.  Bit 0: send the real token as Bearer (else the input's
 *            Authorization field); bit 1: use the received collection's id
 *            for the first "@" in the target; bit 2: give no Accept.
 *   then     method NUL target NUL Accept NUL Content-Type NUL Authorization
 *            NUL body (missing fields empty; an empty field is an absent
 *            header).
 * HTTP Basic that would check an account's password (Argon2id, a tenth of
 * a second a run) is dropped: the accounts' path is the web's, fuzzed
 * there; tokens by Basic are kept.
 *
 * Invariants that abort: every answer is application/taxii+json;version=2.1
 * and JSON (or empty, for a 200 to a delete); a refusal is a TAXII error
 * object whose http_status is the status as a string; without the real
 * token the answer is a 401 (nothing is read without credentials); no
 * POST is ever accepted (202), and no message is ever stored.
 */
#include <ftw.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <microhttpd.h>
#include <sodium.h>

#include "core/collections.h"
#include "core/node.h"
#include "core/store.h"
#include "core/tokens.h"
#include "jsonutil.h"
#include "taxii.h"
#include "taxii/taxii_server.h"

struct fake_conn {
	const char *accept, *ct, *authz;
};

const char *
MHD_lookup_connection_value(struct MHD_Connection *connection,
    enum MHD_ValueKind kind, const char *key)
{
	const struct fake_conn *c = (const struct fake_conn *)(void *)connection;

	if (c == NULL || key == NULL || kind == MHD_GET_ARGUMENT_KIND)
		return NULL;
	if (strcasecmp(key, "Accept") == 0)
		return c->accept;
	if (strcasecmp(key, "Content-Type") == 0)
		return c->ct;
	if (strcasecmp(key, "Authorization") == 0)
		return c->authz;
	return NULL;
}

static struct node n;
static struct taxii *taxii;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static char bearer[TOKEN_SECRET_LEN + 16];
static char received[37];

static int
rm_one(const char *path, const struct stat *sb, int flag, struct FTW *f)
{
	(void)sb;
	(void)flag;
	(void)f;
	return remove(path);
}

static void
cleanup(void)
{
	taxii_free(taxii);
	taxii = NULL;
	store_close(&n);
	if (n.dir != NULL)
		nftw(n.dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

/* Entries in received: indicators, a few with two versions, and SCOs. */
static void
fill(void)
{
	char id[STIX_ID_MAX], json[512], mod[STIX_TS_LEN];
	int64_t obj, added = INT64_C(1798761600000000);

	for (int i = 0; i < 300; i++) {
		const char *type = i % 3 == 0 ? "url" : "indicator";
		snprintf(json, sizeof(json), "fuzz/%d", i % 250);
		stix_id_make(type, json, id);
		stix_ts_format(INT64_C(1798761600000000) + (int64_t)(i / 250) * 1000, 3, mod);
		snprintf(json, sizeof(json), "{\"type\":\"%s\",\"spec_version\":\"2.1\",\"id\":\"%s\""
		    "%s%s%s}", type, id, i % 3 ? ",\"modified\":\"" : "", i % 3 ? mod : "",
		    i % 3 ? "\"" : "");
		if (store_stix_object_put(&n, id, i % 3 ? mod : "", json, &obj) != 0)
			abort();
		struct taxii_entry e = { .coll = "received", .added = added, .obj = obj,
		    .type = type, .id = id, .spec = "2.1" };
		e.version = i % 3 ? INT64_C(1798761600000000) + (int64_t)(i / 250) * 1000 : added;
		if (store_taxii_entry_add(&n, &e) == STORE_ERROR)
			abort();
		added += i % 7 == 0 ? 0 : 1;	/* some ties too, which the store breaks by row */
	}
}

int LLVMFuzzerInitialize(int *argc, char ***argv);

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char tmpl[] = "/tmp/roster-fuzz-taxii-XXXXXX", secret[TOKEN_SECRET_LEN];
	uint8_t op[32] = {0};
	struct taxii_coll c;

	(void)argc;
	(void)argv;
	jalloc_init();
	setenv("ROSTER_SHARE", "share", 0);	/* run from the source tree */
	if (sodium_init() < 0 || mkdtemp(tmpl) == NULL)
		abort();
	n.dir = xstrdup(tmpl);
	snprintf(n.cfg.state, sizeof(n.cfg.state), "XA");
	snprintf(n.cfg.role, sizeof(n.cfg.role), "technical");
	n.quiet = 1;
	if (store_open(&n) != 0 || store_accounts_schema(&n) != 0 ||
	    (n.directory = dir_new(op)) == NULL)
		abort();
	atexit(cleanup);
	if ((taxii = taxii_init(&n, &lock, 1, 0, NULL, NULL)) == NULL ||
	    token_create(&n, "fuzz", "all", 1, secret) != 0)
		abort();
	snprintf(bearer, sizeof(bearer), "Bearer %s", secret);
	memset(&c, 0, sizeof(c));
	snprintf(c.alias, sizeof(c.alias), "to-xb");
	snprintf(c.kind, sizeof(c.kind), "outbox");
	coll_uuid("to-xb", c.uuid);
	c.to = "XB";
	c.tlp = "AMBER";
	c.urgency = "routine";
	c.subject = "fuzz";
	if (store_taxii_coll_add(&n, &c, 0) != STORE_OK)
		abort();
	coll_uuid("received", received);
	fill();
	return 0;
}

static char *
field(const uint8_t **p, const uint8_t *end)
{
	const uint8_t *z = memchr(*p, '\0', (size_t)(end - *p));
	size_t len = z ? (size_t)(z - *p) : (size_t)(end - *p);
	char *s = xmalloc(len + 1);

	memcpy(s, *p, len);
	s[len] = '\0';
	*p += len + (z ? 1 : 0);
	return s;
}

/* Would this Authorization check an account's password? */
static int
slow(const char *authz)
{
	char user[64], secret[256];
	enum taxii_auth a = taxii_auth_parse(authz, user, sizeof(user), secret, sizeof(secret));

	return a == TAXII_AUTH_BASIC && strncmp(secret, TOKEN_PREFIX, 4) != 0;
}

static void
check_answer(const struct http_resp *resp, const char *method, int real)
{
	json_t *j = NULL;

	if (resp->status < 100 || resp->status > 599 || resp->content_type == NULL ||
	    strcmp(resp->content_type, TAXII_MEDIA_TYPE) != 0)
		abort();
	if (!real && resp->status != 401 && resp->status != 413)
		abort();			/* something answered without credentials */
	if (strcmp(method, "POST") == 0 && resp->status == 202)
		abort();			/* nothing here can be signed */
	if (resp->body.len == 0 && resp->status == 200)
		return;				/* a delete */
	if ((j = jparse(resp->body.p, resp->body.len)) == NULL || !json_is_object(j))
		abort();
	if (resp->status != 200) {
		char want[8];
		snprintf(want, sizeof(want), "%d", resp->status);
		if (jstr(j, "title") == NULL || jstr(j, "http_status") == NULL ||
		    strcmp(jstr(j, "http_status"), want) != 0)
			abort();
	}
	json_decref(j);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *p = data + 1, *end = data + size;
	struct fake_conn c;
	struct http_req req;
	struct http_resp resp;
	char *method, *target, *accept, *ct, *authz, *at, path[1024];
	struct store_counters counts;
	uint8_t flags;

	if (size < 1 || size > 65536)
		return 0;
	flags = data[0];
	method = field(&p, end);
	target = field(&p, end);
	accept = field(&p, end);
	ct = field(&p, end);
	authz = field(&p, end);
	if ((flags & 2) && (at = strchr(target, '@')) != NULL && strlen(target) < 900) {
		snprintf(path, sizeof(path), "%.*s%s%s", (int)(at - target), target, received,
		    at + 1);
		free(target);
		target = xstrdup(path);
	}
	memset(&c, 0, sizeof(c));
	c.accept = (flags & 4) || !*accept ? NULL : accept;
	c.ct = *ct ? ct : NULL;
	c.authz = (flags & 1) ? bearer : *authz ? authz : NULL;
	if (c.authz != NULL && slow(c.authz))
		c.authz = NULL;
	memset(&req, 0, sizeof(req));
	req.method = method;
	req.target = target;
	snprintf(path, sizeof(path), "%.*s", (int)strcspn(target, "?"), target);
	req.path = path;
	req.body = p;
	req.body_len = (size_t)(end - p);
	req.conn = &c;
	memset(&resp, 0, sizeof(resp));
	resp.content_type = "application/json";
	taxii_handle(taxii, &req, &resp);
	check_answer(&resp, method, c.authz != NULL && strcmp(c.authz, bearer) == 0);
	if (store_counters(&n, "fuzz", &counts) != 0 || counts.messages != 0)
		abort();			/* a message was made */
	buf_free(&resp.body);
	free(method);
	free(target);
	free(accept);
	free(ct);
	free(authz);
	return 0;
}
