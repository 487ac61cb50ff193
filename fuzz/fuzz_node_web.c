/*
 * fuzz_node_web.c - libFuzzer target for the web interface's request
 * handling (node/web: the route table, auth, views and actions) and the
 * parsers under it: routing,
 * the message-id paths, the JSON bodies of send, ack, forward and settings,
 * the cookie and CSRF checks, the Host check, the static file mapping
 * (lib/webfile.c), and the .mo reader (lib/mo.c) behind country names.
 *
 * LLVMFuzzerInitialize makes a node store in a temporary folder (store_open,
 * an empty directory, State XA, not enrolled, no account: the loopback desk)
 * and puts two received messages in it, one TLP:RED and one TLP:GREEN, so
 * the message, acknowledgement and forward paths have something to find.
 * Nothing reaches the network: the node is not enrolled, so a send or an
 * allowed forward stops at "not enrolled", and the senders' devices are not
 * in the directory, so an acknowledgement stops there too.
 *
 * Input:
 *   byte 0   flags.  Bit 0: send the desk's real CSRF token (else the input's
 *            X-CSRF-Token field); bit 1: also run the body through mo_walk;
 *            bit 2: send Host 127.0.0.1:8080 (else the input's Host field).
 *   then     method NUL target NUL Content-Type NUL Cookie NUL X-CSRF-Token
 *            NUL Host NUL body (missing fields empty; an empty field is an
 *            absent header; the body is the rest).
 * The target's query is split at '?' and '&' into key=value pairs, which
 * http_req_query reads through the MHD_lookup_connection_value defined here
 * (as in fuzz_hub_api.c).
 *
 * Invariants that abort: the status is a valid HTTP status; an /api/ answer
 * is JSON, and an object with "error" unless the status is 200; a TLP:RED
 * message is never forwarded (any answer to its forward is an error); a
 * static path the mapper accepts never has a segment starting with a dot
 * (so neither "." nor ".."), an empty segment or a backslash.
 */
#include <ftw.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <microhttpd.h>
#include <sodium.h>

#include "core/node.h"
#include "core/store.h"
#include "jsonutil.h"
#include "mo.h"
#include "web/web.h"
#include "websession.h"
#include "webfile.h"

struct fake_conn {
	const char *h_ct, *h_cookie, *h_csrf, *h_host;
	char *qk[8], *qv[8];
	int nq;
};

const char *
MHD_lookup_connection_value(struct MHD_Connection *connection,
    enum MHD_ValueKind kind, const char *key)
{
	const struct fake_conn *c = (const struct fake_conn *)(void *)connection;

	if (c == NULL || key == NULL)
		return NULL;
	if (kind == MHD_GET_ARGUMENT_KIND) {
		for (int i = 0; i < c->nq; i++)
			if (strcmp(c->qk[i], key) == 0)
				return c->qv[i];
		return NULL;
	}
	if (strcasecmp(key, "Content-Type") == 0)
		return c->h_ct;
	if (strcasecmp(key, "Cookie") == 0)
		return c->h_cookie;
	if (strcasecmp(key, "X-CSRF-Token") == 0)
		return c->h_csrf;
	if (strcasecmp(key, "Host") == 0)
		return c->h_host;
	return NULL;
}

static struct node n;
static struct web *web;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static char csrf[WS_TOKEN_LEN + 1];
static uint8_t red_id[32];
static const char red_hex[] =
    "1111111111111111111111111111111111111111111111111111111111111111";

static void
add_message(const char *hex, const char *tlp)
{
	uint8_t id[32], dev[32];
	struct msg_new m = { .direction = "in", .logged = 1, .index = 7,
	    .time = 1700000000000, .checked_size = 8, .sender_state = "XB",
	    .to_states = "[\"XA\"]", .rcpt = "[]", .urgency = "urgent",
	    .subject = "subject", .body = "body", .lang = "en", .sent = 1700000000000 };

	if (hex_decode_exact(id, 32, hex) != 0)
		abort();
	memset(dev, 0x42, sizeof(dev));
	m.id = id;
	m.sender_device = dev;
	m.tlp = tlp;
	if (store_message_add(&n, &m) != STORE_OK)
		abort();
}

static void
call(struct http_resp *resp, struct fake_conn *c, const char *method, char *target,
    const uint8_t *body, size_t len)
{
	static const uint8_t empty[1];
	struct http_req req;
	char *q = strchr(target, '?');
	uint8_t *copy = NULL;

	c->nq = 0;
	if (q != NULL) {
		*q++ = '\0';
		for (char *save = NULL, *kv = strtok_r(q, "&", &save); kv && c->nq < 8;
		    kv = strtok_r(NULL, "&", &save)) {
			char *eq = strchr(kv, '=');
			c->qk[c->nq] = kv;
			c->qv[c->nq] = eq ? (*eq = '\0', eq + 1) : (char *)"";
			c->nq++;
		}
	}
	if (len > 0) {
		copy = xmalloc(len);
		memcpy(copy, body, len);
	}
	memset(&req, 0, sizeof(req));
	req.method = method;
	req.path = target;
	req.target = target;
	req.body = copy != NULL ? copy : empty;
	req.body_len = len;
	req.conn = c;
	memset(resp, 0, sizeof(*resp));
	resp->content_type = "application/json";
	web_handle(web, &req, resp);
	free(copy);
}

static int
rm_one(const char *path, const struct stat *sb, int flag, struct FTW *f)
{
	(void)sb;
	(void)flag;
	(void)f;
	return remove(path);
}

/* The node folder goes when the fuzzer exits. */
static void
cleanup(void)
{
	web_free(web);
	web = NULL;
	store_close(&n);
	if (n.dir != NULL)
		nftw(n.dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

int LLVMFuzzerInitialize(int *argc, char ***argv);

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char tmpl[] = "/tmp/roster-fuzz-web-XXXXXX";
	uint8_t op[32] = {0};
	struct http_resp resp;
	struct fake_conn c = { .h_host = "127.0.0.1:8080" };
	char target[] = "/api/session";
	json_t *j;

	jalloc_init();
	(void)argc;
	(void)argv;
	setenv("ROSTER_SHARE", "share", 0);	/* run from the source tree */
	if (sodium_init() < 0 || mkdtemp(tmpl) == NULL)
		abort();
	n.dir = xstrdup(tmpl);
	snprintf(n.cfg.state, sizeof(n.cfg.state), "XA");
	snprintf(n.cfg.role, sizeof(n.cfg.role), "technical");
	snprintf(n.cfg.name, sizeof(n.cfg.name), "POC XA");
	n.quiet = 1;
	if (store_open(&n) != 0 || (n.directory = dir_new(op)) == NULL)
		abort();
	atexit(cleanup);
	add_message(red_hex, "RED");
	add_message("2222222222222222222222222222222222222222222222222222222222222222", "GREEN");
	if (hex_decode_exact(red_id, 32, red_hex) != 0)
		abort();
	if ((web = web_init(&n, &lock, "127.0.0.1:8080")) == NULL)
		abort();
	web_set_port(web, 8080);
	call(&resp, &c, "GET", target, NULL, 0);
	j = jparse(resp.body.p, resp.body.len);
	if (j == NULL || jstr(j, "csrf") == NULL)
		abort();
	snprintf(csrf, sizeof(csrf), "%s", jstr(j, "csrf"));
	json_decref(j);
	buf_free(&resp.body);
	return 0;
}

static int
count_pair(void *ctx, const char *o, const char *t)
{
	(*(size_t *)ctx) += strlen(o) + strlen(t);
	return 0;
}

/* Splits the next NUL-terminated field off [*p, end); "" when none. */
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

static void
check_answer(const char *path, const char *method, const struct http_resp *resp)
{
	json_t *j;

	if (resp->status < 100 || resp->status > 599)
		abort();
	if (strncmp(path, "/api/", 5) != 0)
		return;
	j = jparse(resp->body.p, resp->body.len);
	if (j == NULL)
		abort();
	if (resp->status != 200 && (!json_is_object(j) || jstr(j, "error") == NULL))
		abort();
	if (strcmp(method, "POST") == 0 && strncmp(path, "/api/messages/", 14) == 0 &&
	    strncmp(path + 14, red_hex, 64) == 0 && strcmp(path + 78, "/forward") == 0 &&
	    resp->status == 200)
		abort();
	json_decref(j);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *p = data + 1, *end = data + size;
	struct fake_conn c;
	struct http_resp resp;
	char *method, *target, *ct, *cookie, *tok, *host, *path, out[512];
	uint8_t flags;

	if (size < 1 || size > 65536)
		return 0;
	flags = data[0];
	method = field(&p, end);
	target = field(&p, end);
	ct = field(&p, end);
	cookie = field(&p, end);
	tok = field(&p, end);
	host = field(&p, end);
	memset(&c, 0, sizeof(c));
	c.h_ct = *ct ? ct : NULL;
	c.h_cookie = *cookie ? cookie : NULL;
	c.h_csrf = (flags & 1) ? csrf : *tok ? tok : NULL;
	c.h_host = (flags & 4) ? "127.0.0.1:8080" : *host ? host : NULL;
	if (flags & 2) {
		size_t total = 0;
		(void)mo_walk(p, (size_t)(end - p), count_pair, &total);
	}
	if (webfile_resolve("/srv", target, out, sizeof(out)) != NULL &&
	    (strstr(out + 4, "/.") || strstr(out, "//") || strchr(out, '\\')))
		abort();
	call(&resp, &c, method, target, p, (size_t)(end - p));
	path = target;		/* call cut the query off */
	check_answer(path, method, &resp);
	buf_free(&resp.body);
	free(method);
	free(target);
	free(ct);
	free(cookie);
	free(tok);
	free(host);
	return 0;
}
