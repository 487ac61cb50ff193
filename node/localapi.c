/*
 * localapi.c - the node's local API (docs/node-api.md) and the request
 * dispatcher of `roster serve`: /api/... here, everything else a static
 * file of the web interface (web.c).
 *
 * Who may ask.  On loopback with no account the node is a single-user
 * desk: whoever can reach 127.0.0.1 is the POC (as with the CLI), and the
 * process's own device key signs.  Once an account exists, or whenever the
 * node listens beyond loopback (it refuses to start then without one), every
 * call but sign-in needs a session, and actions that sign use the key
 * unsealed from the signed-in account (lib/websession.h).
 *
 * Browser attacks.  A page on another site must not drive the API through
 * the user's browser: every POST must be application/json (a cross-site form
 * cannot send that without a CORS preflight, which we never grant) and carry
 * the session's CSRF token in X-CSRF-Token; the session cookie is HttpOnly
 * and SameSite=Strict.  On loopback the Host header must name the loopback
 * address and port, so a DNS-rebinding site cannot pose as the node.
 *
 * Concurrency.  The store and directory are shared with the sync loop, so
 * each request holds the serve loop's lock while it touches them.  Password
 * checks (Argon2id, deliberately slow) run outside it.
 *
 * Live updates.  GET /api/events answers a version string made from the
 * store's counters (messages, acknowledgements, alarms, checkpoint size,
 * log records such as communication checks and their answers);
 * the page polls it every second or two and reloads its data when it moves.
 * The sync loop needs no hook for that, and a poll costs one query.
 */
#include "web.h"
#include "catalogue_node.h"
#include "alert.h"

#include <ctype.h>
#include <unistd.h>
#include <sys/stat.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sodium.h>

#include "db.h"
#include "jsonutil.h"

#define COOKIE "roster_session"

static struct {
	struct node *n;
	pthread_mutex_t *lock;
	struct ws_table *sessions;
	int loopback;
	unsigned port;
	char local_csrf[WS_TOKEN_LEN + 1];
	char dummy_hash[128];	/* checked for unknown names, so both take as long */
} W;

/* Who is asking: a session (account) or the loopback desk. */
struct who {
	int ok;				/* signed in, or no sign-in needed */
	int account;			/* 1 for a real account */
	char token[WS_TOKEN_LEN + 1];
	struct ws_session s;
};

static const char *urgencies[] = { "flash", "urgent", "priority", "routine", NULL };
static const char *tlps[] = { "CLEAR", "GREEN", "AMBER", "AMBER+STRICT", "RED", NULL };

static int
in_list(const char *v, const char **list)
{
	for (int i = 0; v != NULL && list[i] != NULL; i++)
		if (strcmp(v, list[i]) == 0)
			return 1;
	return 0;
}

static const char *
col_text(sqlite3_stmt *st, int i)
{
	const unsigned char *t = sqlite3_column_text(st, i);
	return t ? (const char *)t : "";
}

int
listen_is_loopback(const char *listen)
{
	const char *colon = strrchr(listen, ':');
	size_t n = colon ? (size_t)(colon - listen) : strlen(listen);

	return (n >= 4 && strncmp(listen, "127.", 4) == 0) ||
	    (n == 5 && strncmp(listen, "[::1]", 5) == 0) ||
	    (n == 9 && strncmp(listen, "localhost", 9) == 0);
}

int
web_init(struct node *n, pthread_mutex_t *lock, const char *listen)
{
	uint8_t r[WS_TOKEN_LEN / 2];
	int count;

	if (accounts_schema(n->db) != 0 || (count = accounts_count(n->db)) < 0)
		return -1;
	W.loopback = listen_is_loopback(listen);
	if (!W.loopback && count == 0) {
		rs_seterr("--listen %s is beyond loopback, so the web interface needs sign-in: "
		    "create an account first with `roster user add NAME`", listen);
		return -1;
	}
	W.n = n;
	W.lock = lock;
	W.sessions = ws_table_new();
	randombytes_buf(r, sizeof(r));
	sodium_bin2hex(W.local_csrf, sizeof(W.local_csrf), r, sizeof(r));
	if (ws_hash_password(W.dummy_hash, "no such account, no such password") != 0)
		return -1;
	return 0;
}

void
web_set_port(unsigned port)
{
	W.port = port;
}

void
web_free(void)
{
	ws_table_free(W.sessions);
	W.sessions = NULL;
}

/* ---- helpers ------------------------------------------------------------ */

static json_t *
body_json(const struct http_req *req, struct http_resp *resp)
{
	json_t *j;

	if (req->body_len == 0) {
		http_resp_error(resp, 400, "the request needs a JSON object as its body");
		return NULL;
	}
	if ((j = jparse(req->body, req->body_len)) == NULL || !json_is_object(j)) {
		http_resp_error(resp, 400, "the body is not a JSON object: %s",
		    j ? "wrong type" : rs_err());
		json_decref(j);
		return NULL;
	}
	return j;
}

static const char *
user_of(const struct who *w)
{
	return w->account ? w->s.user : "local";
}

static const char *
lang_of(const struct who *w)
{
	return w->s.lang[0] ? w->s.lang : "en";
}

/* "/api/messages/<64 hex>[/action]": the id, and the action or "". */
static int
parse_msg_path(const char *path, uint8_t id[32], const char **action)
{
	static const char pre[] = "/api/messages/";
	char hex[65];

	if (strncmp(path, pre, sizeof(pre) - 1) != 0)
		return -1;
	path += sizeof(pre) - 1;
	if (strspn(path, "0123456789abcdef") != 64 || (path[64] != '\0' && path[64] != '/'))
		return -1;
	memcpy(hex, path, 64);
	hex[64] = '\0';
	if (hex_decode_exact(id, 32, hex) != 0)
		return -1;
	*action = path[64] == '/' ? path + 65 : "";
	return 0;
}

/* ---- session ------------------------------------------------------------ */

static int
auth_required(void)
{
	return !W.loopback || accounts_count(W.n->db) != 0;
}

static json_t *
session_json(const struct who *w, int required)
{
	char fpr[RS_FPR_LEN];

	fingerprint(fpr, W.n->cfg.device);
	return json_pack("{s:b,s:b,s:s?,s:b,s:s,s:s,s:s,s:s,s:s,s:s}",
	    "auth_required", required, "signed_in", w->ok,
	    "user", w->ok ? user_of(w) : NULL, "admin", w->ok && w->s.admin,
	    "lang", lang_of(w), "csrf", w->ok ? w->s.csrf : "",
	    "state", W.n->cfg.state, "role", W.n->cfg.role, "name", W.n->cfg.name,
	    "device", fpr);
}

/* Fills w from the request's cookie (or the loopback desk).  Holds the
 * serve lock. */
static void
identify(const struct http_req *req, struct who *w, int *required)
{
	const char *cookie = http_req_header(req, "Cookie");
	char *lang;

	memset(w, 0, sizeof(*w));
	*required = auth_required();
	if (cookie != NULL && ws_cookie(cookie, COOKIE, w->token, sizeof(w->token)) == 0 &&
	    ws_session_get(W.sessions, w->token, now_ms(), &w->s) == 0) {
		w->s.key = NULL;
		w->ok = w->account = 1;
		return;
	}
	w->token[0] = '\0';
	if (*required)
		return;
	w->ok = 1;
	w->s.admin = 1;
	snprintf(w->s.user, sizeof(w->s.user), "local");
	snprintf(w->s.csrf, sizeof(w->s.csrf), "%s", W.local_csrf);
	lang = db_meta_get_text(W.n->db, "web_lang");
	snprintf(w->s.lang, sizeof(w->s.lang), "%s", lang && web_lang_ok(lang) ? lang : "en");
	free(lang);
}

static void
set_cookie(struct http_resp *resp, const char *token, int clear)
{
	size_t used = strnlen(resp->extra_headers, sizeof(resp->extra_headers));

	snprintf(resp->extra_headers + used, sizeof(resp->extra_headers) - used,
	    "Set-Cookie: " COOKIE "=%s; HttpOnly; SameSite=Strict; Path=/%s\r\n",
	    clear ? "" : token, clear ? "; Max-Age=0" : "");
}

/* POST /api/session/login {"user","password"}.  Called without the serve
 * lock (Argon2id takes a while); takes it for the store. */
static void
login(const struct http_req *req, struct http_resp *resp)
{
	json_t *j = body_json(req, resp);
	const char *user, *pw;
	struct account a;
	struct keypair *key = NULL;
	struct ws_session s;
	struct who w;
	int64_t wait;
	int rc;

	if (j == NULL)
		return;
	user = jstr(j, "user");
	pw = jstr(j, "password");
	if (user == NULL || pw == NULL || !ws_valid_name(user)) {
		http_resp_error(resp, 400, "give \"user\" (an account name) and \"password\"");
		goto out;
	}
	pthread_mutex_lock(W.lock);
	rc = account_get(W.n->db, user, &a);
	pthread_mutex_unlock(W.lock);
	if (rc < 0) {
		http_resp_error(resp, 500, "cannot read the accounts: %s", rs_err());
		goto out;
	}
	if ((wait = ws_rate_wait(W.sessions, user, rc == 0, now_ms())) > 0) {
		http_resp_error(resp, 429, "too many failed sign-ins for %s: try again in %lld s",
		    user, (long long)wait);
		goto out;
	}
	if (rc == 1)
		(void)ws_check_password(W.dummy_hash, pw);	/* same time as a real check */
	if (rc == 1 || ws_check_password(a.hash, pw) != 0) {
		ws_rate_failed(W.sessions, user, rc == 0, now_ms());
		http_resp_error(resp, 401, "wrong account name or password");
		goto out;
	}
	/* The right password that does not open the key copy: the account was
	 * made for another device key (node folder re-initialised, or node.db
	 * tampered with).  Say so; do not sign in without a key. */
	if ((key = ws_open_key(&a.sealed, pw, W.n->cfg.device, W.n->cfg.state)) == NULL) {
		http_resp_error(resp, 409, "account %s cannot unlock this node's device key (%s): "
		    "set its password again with `roster user passwd %s`", user, rs_err(), user);
		goto out;
	}
	ws_rate_passed(W.sessions, user);
	if (ws_session_start(W.sessions, a.name, a.lang, a.admin, key, now_ms(), &s) != 0) {
		http_resp_error(resp, 500, "%s", rs_err());
		goto out;
	}
	memset(&w, 0, sizeof(w));
	w.ok = w.account = 1;
	w.s = s;
	set_cookie(resp, s.token, 0);
	http_resp_json(resp, 200, session_json(&w, 1));
out:
	sodium_memzero(&a, sizeof(a));
	json_decref(j);
}

/* ---- inbox, sent, message ---------------------------------------------- */

static json_t *
inbox(const struct who *w)
{
	static const char sql[] = "SELECT m.id, m.idx, m.time, m.sender_state, m.urgency,"
	    " m.subject, m.acked, m.tlp, m.deadline AS dl,"
	    " EXISTS(SELECT 1 FROM web_reads r WHERE r.user = ?1 AND r.msg_id = m.id)"
	    " FROM messages m WHERE m.direction = 'in'"
	    " ORDER BY (dl IS NOT NULL AND dl < ?2 AND m.acked = 0) DESC,"
	    " CASE m.urgency WHEN 'flash' THEN 0 WHEN 'urgent' THEN 1 WHEN 'priority' THEN 2"
	    " ELSE 3 END, coalesce(dl, 9000000000000000000), m.time DESC LIMIT 500";
	sqlite3_stmt *st;
	json_t *arr = json_array();
	int64_t now = now_ms();

	if ((st = db_prep(W.n->db, sql)) == NULL) {
		json_decref(arr);
		return NULL;
	}
	sqlite3_bind_text(st, 1, user_of(w), -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 2, now);
	while (sqlite3_step(st) == SQLITE_ROW) {
		int has_dl = sqlite3_column_type(st, 8) != SQLITE_NULL;
		int64_t dlv = sqlite3_column_int64(st, 8);
		json_t *m = json_pack("{s:o,s:I,s:I,s:s,s:s,s:s,s:b,s:s,s:b,s:b}",
		    "id", jhex(sqlite3_column_blob(st, 0), 32),
		    "index", (json_int_t)sqlite3_column_int64(st, 1),
		    "time", (json_int_t)sqlite3_column_int64(st, 2),
		    "from", col_text(st, 3), "urgency", col_text(st, 4),
		    "subject", col_text(st, 5), "acknowledged", sqlite3_column_int(st, 6),
		    "tlp", col_text(st, 7), "read", sqlite3_column_int(st, 9),
		    "overdue", has_dl && dlv < now && !sqlite3_column_int(st, 6));
		if (has_dl)
			json_object_set_new(m, "deadline", json_integer(dlv));
		json_array_append_new(arr, m);
	}
	sqlite3_finalize(st);
	return arr;
}

static json_t *
sent(void)
{
	sqlite3_stmt *st = db_prep(W.n->db, "SELECT m.id, m.idx, m.time, m.sent, m.to_states,"
	    " m.urgency, m.subject, m.tlp, json_array_length(m.rcpt), m.error,"
	    " (SELECT count(DISTINCT device) FROM acks a WHERE a.msg_id = m.id AND"
	    "  a.status = 'delivered'),"
	    " (SELECT count(DISTINCT device) FROM acks a WHERE a.msg_id = m.id AND"
	    "  a.status = 'acknowledged')"
	    " FROM messages m WHERE m.direction = 'out' ORDER BY m.rowid DESC LIMIT 500");
	json_t *arr = json_array();

	if (st == NULL) {
		json_decref(arr);
		return NULL;
	}
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *to = col_text(st, 4);
		json_t *toj = jparse(to, strlen(to));
		json_t *m = json_pack("{s:o,s:I,s:o,s:s,s:s,s:s,s:I,s:I,s:I}",
		    "id", jhex(sqlite3_column_blob(st, 0), 32),
		    "sent", (json_int_t)sqlite3_column_int64(st, 3),
		    "to", toj ? toj : json_array(),
		    "urgency", col_text(st, 5), "subject", col_text(st, 6), "tlp", col_text(st, 7),
		    "recipients", (json_int_t)sqlite3_column_int64(st, 8),
		    "delivered", (json_int_t)sqlite3_column_int64(st, 10),
		    "acknowledged", (json_int_t)sqlite3_column_int64(st, 11));
		if (sqlite3_column_type(st, 1) != SQLITE_NULL) {
			json_object_set_new(m, "index", json_integer(sqlite3_column_int64(st, 1)));
			json_object_set_new(m, "time", json_integer(sqlite3_column_int64(st, 2)));
		}
		if (sqlite3_column_type(st, 9) != SQLITE_NULL)
			json_object_set_new(m, "error", json_string(col_text(st, 9)));
		json_array_append_new(arr, m);
	}
	sqlite3_finalize(st);
	return arr;
}

static json_t *
device_json(const uint8_t key[32])
{
	struct dir_device *d = dir_device(W.n->directory, key);
	char fpr[RS_FPR_LEN];

	fingerprint(fpr, key);
	if (d == NULL)
		return json_pack("{s:o,s:s,s:b}", "device", jhex(key, 32), "fingerprint", fpr,
		    "known", 0);
	return json_pack("{s:o,s:s,s:b,s:s,s:s,s:s,s:s}", "device", jhex(key, 32),
	    "fingerprint", fpr, "known", 1, "state", d->state, "role", d->role,
	    "name", jstr(d->cert, "name") ? jstr(d->cert, "name") : "",
	    "email", jstr(d->cert, "email") ? jstr(d->cert, "email") : "");
}

/* Per-recipient delivered and acknowledged log times of a sent message. */
static json_t *
recipients_of_sent(const uint8_t id[32], const char *rcpt_json)
{
	json_t *rcpt = jparse(rcpt_json, strlen(rcpt_json)), *out = json_array(), *v;
	size_t i;

	json_array_foreach(rcpt, i, v) {
		uint8_t dev[32];
		sqlite3_stmt *st;
		json_t *row;

		if (!json_is_string(v) || hex_decode_exact(dev, 32, json_string_value(v)) != 0)
			continue;
		row = device_json(dev);
		if ((st = db_prep(W.n->db, "SELECT status, time, note FROM acks"
		    " WHERE msg_id = ? AND device = ?")) != NULL) {
			sqlite3_bind_blob(st, 1, id, 32, SQLITE_STATIC);
			sqlite3_bind_blob(st, 2, dev, 32, SQLITE_STATIC);
			while (sqlite3_step(st) == SQLITE_ROW) {
				const char *status = col_text(st, 0);
				if (strcmp(status, "delivered") != 0 && strcmp(status, "acknowledged") != 0)
					continue;
				json_object_set_new(row, status, json_integer(sqlite3_column_int64(st, 1)));
				if (strcmp(status, "acknowledged") == 0 && *col_text(st, 2))
					json_object_set_new(row, "note", json_string(col_text(st, 2)));
			}
			sqlite3_finalize(st);
		}
		json_array_append_new(out, row);
	}
	json_decref(rcpt);
	return out;
}

/* Re-checks the stored envelope's signature, so what the page says about
 * verification is true of the bytes on disk now. */
static int
signature_ok(const uint8_t id[32], int outgoing)
{
	sqlite3_stmt *st = db_prep(W.n->db, outgoing ?
	    "SELECT envelope FROM outbox WHERE id = ?" :
	    "SELECT envelope FROM records WHERE id = ?");
	struct envelope e;
	int ok = 0;

	if (st == NULL)
		return 0;
	sqlite3_bind_blob(st, 1, id, 32, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW &&
	    env_parse(&e, sqlite3_column_blob(st, 0), (size_t)sqlite3_column_bytes(st, 0)) == 0) {
		ok = memcmp(e.id, id, 32) == 0 && env_verify(&e) == 0;
		env_free(&e);
	}
	sqlite3_finalize(st);
	return ok;
}

static int64_t
checkpoint_seen(int64_t size)
{
	sqlite3_stmt *st = db_prep(W.n->db, "SELECT min(seen) FROM checkpoints WHERE size = ?");
	int64_t t = 0;

	if (st == NULL)
		return 0;
	sqlite3_bind_int64(st, 1, size);
	if (sqlite3_step(st) == SQLITE_ROW)
		t = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return t;
}

static void
mark_read(const struct who *w, const uint8_t id[32])
{
	sqlite3_stmt *st = db_prep(W.n->db, "INSERT OR IGNORE INTO web_reads(user, msg_id, time)"
	    " VALUES(?, ?, ?)");

	if (st == NULL)
		return;
	sqlite3_bind_text(st, 1, user_of(w), -1, SQLITE_TRANSIENT);
	sqlite3_bind_blob(st, 2, id, 32, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, now_ms());
	if (db_done(W.n->db, st) != 0)
		fprintf(stderr, "roster: cannot mark a message read: %s\n", rs_err());
	sqlite3_finalize(st);
}

static json_t *
verification(sqlite3_stmt *st, const uint8_t id[32], int out)
{
	const void *signer = sqlite3_column_blob(st, 2);
	json_t *v = json_object();

	json_object_set_new(v, "signature_valid", json_boolean(signature_ok(id, out)));
	if (signer != NULL && sqlite3_column_bytes(st, 2) == 32) {
		struct dir_device *d = dir_device(W.n->directory, signer);
		json_object_set_new(v, "signer", device_json(signer));
		if (d != NULL) {
			char rf[RS_FPR_LEN];
			fingerprint(rf, d->root);
			json_object_set_new(v, "certified_by", json_pack("{s:s,s:s,s:I}",
			    "state", d->state, "root_fingerprint", rf,
			    "certificate_index", (json_int_t)d->cert_index));
		}
	}
	if (sqlite3_column_type(st, 10) != SQLITE_NULL) {
		json_object_set_new(v, "log_index", json_integer(sqlite3_column_int64(st, 10)));
		json_object_set_new(v, "logged", json_integer(sqlite3_column_int64(st, 11)));
	}
	if (out)
		json_object_set_new(v, "receipt", json_boolean(sqlite3_column_type(st, 10) !=
		    SQLITE_NULL));
	else if (sqlite3_column_type(st, 12) != SQLITE_NULL) {
		int64_t size = sqlite3_column_int64(st, 12);
		json_object_set_new(v, "inclusion_checked_size", json_integer(size));
		json_object_set_new(v, "inclusion_checked_at", json_integer(checkpoint_seen(size)));
	}
	return v;
}

/* A consultation step: which, and every step of its consultation so far
 * (consult.c), so the page can offer the next one. */
static void
consultation_view(json_t *j, const uint8_t id[32], const char *content)
{
	json_t *c = jparse(content, strlen(content)), *k = json_object_get(c, "consultation");
	uint8_t request[32];

	if (json_is_object(k) && jstr(k, "step") != NULL) {
		memcpy(request, id, 32);
		if (jstr(k, "request") == NULL ||
		    hex_decode_exact(request, 32, jstr(k, "request")) == 0)
			json_object_set_new(j, "consultation", json_pack("{s:s,s:o,s:o}",
			    "step", jstr(k, "step"), "request", jhex(request, 32),
			    "steps", consult_json(W.n, request)));
	}
	json_decref(c);
}

/* A message's attachments as the page lists them: name, size and type from
 * the sealed descriptions (never their keys). */
static json_t *
attachments_json(const char *content)
{
	json_t *c = jparse(content, strlen(content)), *out = json_array(), *a;
	size_t i;

	json_array_foreach(json_object_get(c, "attachments"), i, a)
		json_array_append_new(out, json_pack("{s:i,s:s,s:I,s:s}", "n", (int)i + 1,
		    "name", jstr(a, "name") ? jstr(a, "name") : "",
		    "size", (json_int_t)json_integer_value(json_object_get(a, "size")),
		    "type", jstr(a, "type") ? jstr(a, "type") : ""));
	json_decref(c);
	return out;
}

/* GET /api/messages/ID/attachments/N: the file, fetched from the hub and
 * checked chunk by chunk exactly as `roster attachment` does, into a
 * private temporary file that is unlinked as soon as it is open; the
 * answer streams from it.  The store lock is held meanwhile (a large file
 * delays the next sync pass by its download time). */
static void
attachment(const uint8_t id[32], const char *nstr, struct http_resp *resp)
{
	sqlite3_stmt *st = db_prep(W.n->db, "SELECT content FROM messages WHERE id = ?");
	json_t *c = NULL, *desc;
	char path[4096], name[128], *end;
	long k = strtol(nstr, &end, 10);
	struct stat sb;
	int fd = -1;

	if (st == NULL) {
		http_resp_error(resp, 500, "cannot read the store: %s", rs_err());
		return;
	}
	sqlite3_bind_blob(st, 1, id, 32, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0) != NULL)
		c = jparse(sqlite3_column_text(st, 0), (size_t)sqlite3_column_bytes(st, 0));
	sqlite3_finalize(st);
	if (*nstr == '\0' || *end != '\0' || k < 1 ||
	    (desc = json_array_get(json_object_get(c, "attachments"), (size_t)k - 1)) == NULL) {
		json_decref(c);
		http_resp_error(resp, 404, "no such attachment");
		return;
	}
	snprintf(path, sizeof(path), "%s/.web-download-%lld-%u", W.n->dir,
	    (long long)now_ms(), randombytes_uniform(1u << 30));
	if (attach_download(W.n, desc, path, 0) != 0) {
		json_decref(c);
		http_resp_error(resp, 502, "the attachment was refused: %s", rs_err());
		return;
	}
	fd = open(path, O_RDONLY | O_CLOEXEC);
	unlink(path);
	if (fd < 0 || fstat(fd, &sb) != 0) {
		if (fd >= 0)
			close(fd);
		json_decref(c);
		http_resp_error(resp, 500, "cannot read the downloaded file");
		return;
	}
	/* A name safe in a header: letters, digits, '.', '-', '_' only. */
	snprintf(name, sizeof(name), "%s", jstr(desc, "name") ? jstr(desc, "name") : "attachment");
	for (char *q = name; *q; q++)
		if (!isalnum((unsigned char)*q) && *q != '.' && *q != '-' && *q != '_')
			*q = '_';
	http_resp_fd(resp, 200, "application/octet-stream", fd, (uint64_t)sb.st_size);
	snprintf(resp->extra_headers, sizeof(resp->extra_headers),
	    "Content-Disposition: attachment; filename=\"%s\"\r\n", name);
	json_decref(c);
}

/* A templated message's fields as its reader sees them: every label and
 * taxonomy value in the reader's language (catalogue_render). */
static void
template_view(json_t *j, const char *id, json_t *fields, const char *lang)
{
	struct catalogue *c = NULL;
	struct buf b = {0};
	json_t *t;
	int fb;

	json_object_set_new(j, "template", json_string(id));
	if (node_catalogue(W.n, &c) != 0 || (t = catalogue_template(c, id)) == NULL) {
		catalogue_free(c);
		return;
	}
	json_object_set_new(j, "template_title", json_string(cat_label(
	    json_object_get(t, "title"), lang, &fb)));
	if (json_is_object(fields) && catalogue_render(c, id, fields, lang, &b) == 0)
		json_object_set_new(j, "rendered", json_string(buf_cstr(&b)));
	buf_free(&b);
	catalogue_free(c);
}

static void
message(const struct who *w, const uint8_t id[32], struct http_resp *resp)
{
	char sql[512];
	sqlite3_stmt *st;
	json_t *j;
	int out;

	snprintf(sql, sizeof(sql), "SELECT direction, sender_state, sender_device, to_states,"
	    " urgency, subject, body, tlp, lang, sent, idx, time, checked_size, rcpt, error,"
	    " acked, json_extract(content, '$.fields'), deadline,"
	    " json_extract(content, '$.template'), content FROM messages WHERE id = ?");
	if ((st = db_prep(W.n->db, sql)) == NULL) {
		http_resp_error(resp, 500, "cannot read the store: %s", rs_err());
		return;
	}
	sqlite3_bind_blob(st, 1, id, 32, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_ROW) {
		sqlite3_finalize(st);
		http_resp_error(resp, 404, "no such message on this node");
		return;
	}
	out = strcmp(col_text(st, 0), "out") == 0;
	const char *to = col_text(st, 3);
	json_t *toj = jparse(to, strlen(to));
	j = json_pack("{s:o,s:s,s:s,s:o,s:s,s:s,s:s,s:s,s:s,s:I,s:b}",
	    "id", jhex(id, 32), "direction", col_text(st, 0), "from", col_text(st, 1),
	    "to", toj ? toj : json_array(), "urgency", col_text(st, 4),
	    "subject", col_text(st, 5), "body", col_text(st, 6), "tlp", col_text(st, 7),
	    "lang", col_text(st, 8), "sent", (json_int_t)sqlite3_column_int64(st, 9),
	    "acknowledged", sqlite3_column_int(st, 15));
	if (sqlite3_column_type(st, 10) != SQLITE_NULL) {
		json_object_set_new(j, "index", json_integer(sqlite3_column_int64(st, 10)));
		json_object_set_new(j, "time", json_integer(sqlite3_column_int64(st, 11)));
	}
	if (sqlite3_column_type(st, 14) != SQLITE_NULL)
		json_object_set_new(j, "error", json_string(col_text(st, 14)));
	if (sqlite3_column_type(st, 16) != SQLITE_NULL) {
		const char *f = col_text(st, 16);
		json_t *fj = jparse(f, strlen(f));
		if (fj != NULL)
			json_object_set_new(j, "fields", fj);
	}
	if (sqlite3_column_type(st, 17) != SQLITE_NULL)
		json_object_set_new(j, "deadline", json_integer(sqlite3_column_int64(st, 17)));
	if (sqlite3_column_type(st, 18) != SQLITE_NULL)
		template_view(j, col_text(st, 18), json_object_get(j, "fields"), lang_of(w));
	if (sqlite3_column_type(st, 19) != SQLITE_NULL) {
		const char *c = col_text(st, 19);
		json_t *cj = jparse(c, strlen(c));
		if (cj != NULL && json_object_get(cj, "original") != NULL)
			json_object_set(j, "original", json_object_get(cj, "original"));
		json_decref(cj);
	}
	json_object_set_new(j, "thread", message_thread_json(W.n, id));
	if (sqlite3_column_type(st, 19) != SQLITE_NULL)
		json_object_set_new(j, "attachments", attachments_json(col_text(st, 19)));
	if (sqlite3_column_type(st, 19) != SQLITE_NULL)
		consultation_view(j, id, col_text(st, 19));
	json_object_set_new(j, "verification", verification(st, id, out));
	if (out)
		json_object_set_new(j, "recipients", recipients_of_sent(id, col_text(st, 13)));
	sqlite3_finalize(st);
	if (!out)
		mark_read(w, id);
	http_resp_json(resp, 200, j);
}

/* ---- actions that sign -------------------------------------------------- */

/* Runs fn with the session's key in n->key (the process key on the
 * loopback desk).  The session table stays locked meanwhile, so a sign-out
 * cannot wipe the key under our feet. */
static int
with_key(const struct who *w, int (*fn)(void *), void *arg)
{
	struct keypair *saved = W.n->key, *k;
	int rc;

	if (!w->account)
		return fn(arg);
	ws_lock(W.sessions);
	if ((k = ws_session_key(W.sessions, w->token)) == NULL) {
		ws_unlock(W.sessions);
		rs_seterr("your session ended: sign in again");
		return -1;
	}
	W.n->key = k;
	rc = fn(arg);
	W.n->key = saved;
	ws_unlock(W.sessions);
	return rc;
}

struct ack_arg {
	uint8_t id[32];
	uint8_t sender[32];
	const char *note;
};

static int
do_ack(void *p)
{
	struct ack_arg *a = p;
	sqlite3_stmt *st;

	if (db_begin(W.n->db) != 0)
		return -1;
	if (make_ack(W.n, a->id, a->sender, "acknowledged", a->note) != 0)
		goto fail;
	if ((st = db_prep(W.n->db, "UPDATE messages SET acked = 1 WHERE id = ?")) == NULL)
		goto fail;
	sqlite3_bind_blob(st, 1, a->id, 32, SQLITE_STATIC);
	if (db_done(W.n->db, st) != 0) {
		sqlite3_finalize(st);
		goto fail;
	}
	sqlite3_finalize(st);
	return db_commit(W.n->db);
fail:
	db_rollback(W.n->db);
	return -1;
}

static void
ack(const struct who *w, const uint8_t id[32], json_t *body, struct http_resp *resp)
{
	struct ack_arg a;
	struct sync_stats s = {0};
	sqlite3_stmt *st;
	int found = 0, acked = 0;

	memcpy(a.id, id, 32);
	a.note = jstr(body, "note");
	if (a.note != NULL && strlen(a.note) > 2000) {
		http_resp_error(resp, 400, "the note is too long (at most 2000 bytes)");
		return;
	}
	if ((st = db_prep(W.n->db, "SELECT sender_device, acked FROM messages"
	    " WHERE id = ? AND direction = 'in'")) == NULL) {
		http_resp_error(resp, 500, "cannot read the store: %s", rs_err());
		return;
	}
	sqlite3_bind_blob(st, 1, id, 32, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_bytes(st, 0) == 32) {
		memcpy(a.sender, sqlite3_column_blob(st, 0), 32);
		acked = sqlite3_column_int(st, 1);
		found = 1;
	}
	sqlite3_finalize(st);
	if (!found) {
		http_resp_error(resp, 404, "no received message with this id: only recipients "
		    "acknowledge");
		return;
	}
	if (acked) {
		http_resp_error(resp, 409, "you already acknowledged this message");
		return;
	}
	if (with_key(w, do_ack, &a) != 0) {
		http_resp_error(resp, 500, "cannot acknowledge: %s", rs_err());
		return;
	}
	int flushed = outbox_flush(W.n, &s) == 0;
	http_resp_json(resp, 200, json_pack("{s:b,s:b}", "acknowledged", 1, "queued", !flushed));
}

struct send_arg {
	struct outgoing out;
	const char *tpl;		/* a catalogue template, or NULL */
	const char *kv[65];		/* its fields as "name=value" */
	size_t nkv;
	char kvbuf[65][2048];
	uint8_t id[32];
	uint8_t parent[32];		/* "reply_to": the thread's parent */
	int forward;			/* forward_send instead of message_send */
	uint8_t orig[32];
	const char *note;
};

static int
do_send(void *p)
{
	struct send_arg *s = p;

	if (s->forward)
		return forward_send(W.n, s->orig, s->out.to, s->out.roles, s->note,
		    jstr(s->out.payload, "lang"), s->id);
	if (s->tpl != NULL && send_fill_template(W.n, s->tpl, s->kv, s->nkv,
	    jstr(s->out.payload, "lang"), s->out.payload) != 0)
		return -1;
	return message_send(W.n, &s->out, s->id);
}

/* Answers with the message just made: its id, and its log index unless it
 * waits in the outbox. */
static void
sent_result(struct http_resp *resp, const uint8_t id[32])
{
	sqlite3_stmt *st = db_prep(W.n->db, "SELECT id, idx, error FROM messages"
	    " WHERE id = ?");
	json_t *j;

	if (st != NULL)
		sqlite3_bind_blob(st, 1, id, 32, SQLITE_STATIC);
	if (st == NULL || sqlite3_step(st) != SQLITE_ROW) {
		sqlite3_finalize(st);
		http_resp_error(resp, 500, "the message was made but cannot be read back");
		return;
	}
	j = json_pack("{s:o,s:b}", "id", jhex(sqlite3_column_blob(st, 0), 32),
	    "queued", sqlite3_column_type(st, 1) == SQLITE_NULL);
	if (sqlite3_column_type(st, 1) != SQLITE_NULL)
		json_object_set_new(j, "index", json_integer(sqlite3_column_int64(st, 1)));
	sqlite3_finalize(st);
	http_resp_json(resp, 200, j);
}

/* "to" as a JSON array of State codes, "group:NAME" or "all", joined
 * "XB,group:forum" into out. */
static int
states_list(json_t *to, char *out, size_t len)
{
	json_t *v;
	size_t i, used = 0;

	if (!json_is_array(to) || json_array_size(to) == 0 || json_array_size(to) > 64) {
		rs_seterr("\"to\" must list 1 to 64 State codes");
		return -1;
	}
	out[0] = '\0';
	json_array_foreach(to, i, v) {
		const char *s = json_string_value(v);
		if (s == NULL || (!valid_state(s) && strcmp(s, "all") != 0 &&
		    (strncmp(s, "group:", 6) != 0 || strlen(s) > 6 + 31))) {
			rs_seterr("\"to\" item %zu is not a State code (two capital letters),"
			    " group:NAME or all", i);
			return -1;
		}
		if (used + strlen(s) + 2 >= len) {
			rs_seterr("\"to\" is too long");
			return -1;
		}
		used += (size_t)snprintf(out + used, len - used, "%s%s", i ? "," : "", s);
	}
	return 0;
}

/* The template's own fields, given in the request as "NAME": "value" (or
 * a list of values), become "NAME=value" pairs for catalogue_fill. */
static int
template_fields(json_t *j, struct send_arg *s, char *err, size_t errlen)
{
	json_t *fields = json_object_get(j, "fields"), *v, *x;
	const char *k;
	size_t i;

	if (fields == NULL)
		return 0;
	if (!json_is_object(fields)) {
		snprintf(err, errlen, "\"fields\" must be an object of NAME: value");
		return -1;
	}
	json_object_foreach(fields, k, v) {
		json_t *list = json_is_array(v) ? v : NULL;
		for (i = 0; i < (list ? json_array_size(list) : 1); i++) {
			x = list ? json_array_get(list, i) : v;
			if (!json_is_string(x)) {
				snprintf(err, errlen, "field \"%.40s\" must be text", k);
				return -1;
			}
			if (*json_string_value(x) == '\0')
				continue;
			if (s->nkv >= 64) {
				snprintf(err, errlen, "too many field values (at most 64)");
				return -1;
			}
			snprintf(s->kvbuf[s->nkv], sizeof(s->kvbuf[0]), "%s=%s", k,
			    json_string_value(x));
			s->kv[s->nkv] = s->kvbuf[s->nkv];
			s->nkv++;
		}
	}
	return 0;
}

static int
send_checks(json_t *j, struct send_arg *s, char *to, size_t tolen, char *err, size_t errlen)
{
	const char *tpl = jstr(j, "template"), *subject = jstr(j, "subject");
	const char *body = jstr(j, "body"), *urgency, *tlp, *lang, *roles = jstr(j, "roles");

	if (tpl != NULL && strcmp(tpl, "free-text") != 0)
		s->tpl = tpl;
	if (states_list(json_object_get(j, "to"), to, tolen) != 0) {
		snprintf(err, errlen, "%s", rs_err());
		return -1;
	}
	s->out.to = to;
	urgency = jstr(j, "urgency") ? jstr(j, "urgency") : "routine";
	tlp = jstr(j, "tlp") ? jstr(j, "tlp") : "AMBER";
	lang = jstr(j, "lang") ? jstr(j, "lang") : "en";
	if (s->tpl == NULL && (subject == NULL || *subject == '\0'))
		snprintf(err, errlen, "\"subject\" is required (1 to 300 bytes)");
	else if (subject != NULL && strlen(subject) > 300)
		snprintf(err, errlen, "\"subject\" is too long (at most 300 bytes)");
	else if ((s->tpl == NULL && body == NULL) || (body != NULL && strlen(body) > (1u << 19)))
		snprintf(err, errlen, "\"body\" is required (at most 512 KiB)");
	else if (!in_list(urgency, urgencies))
		snprintf(err, errlen, "\"urgency\" must be flash, urgent, priority or routine");
	else if (!in_list(tlp, tlps))
		snprintf(err, errlen, "\"tlp\" must be CLEAR, GREEN, AMBER, AMBER+STRICT or RED");
	else if (!web_lang_ok(lang))
		snprintf(err, errlen, "\"lang\" must be one of ar, en, es, fr, ru, zh");
	else if (roles != NULL && audience_check_roles(roles) != 0)
		snprintf(err, errlen, "\"roles\": %s", rs_err());
	else if (template_fields(j, s, err, errlen) == 0) {
		s->out.urgency = urgency;
		s->out.roles = roles;
		if (subject != NULL && *subject != '\0')
			json_object_set_new(s->out.payload, "subject", json_string(subject));
		json_object_set_new(s->out.payload, "body", json_string(body ? body : ""));
		json_object_set_new(s->out.payload, "tlp", json_string(tlp));
		json_object_set_new(s->out.payload, "lang", json_string(lang));
		if (json_is_true(json_object_get(j, "no_forward")))
			json_object_set_new(s->out.payload, "no_forward", json_true());
		if (json_is_true(json_object_get(j, "consultation")))
			json_object_set_new(s->out.payload, "consultation",
			    json_pack("{s:s}", "step", "request"));
		if (jstr(j, "reply_to") != NULL) {
			if (store_find_message(W.n, jstr(j, "reply_to"), s->parent) != 0) {
				snprintf(err, errlen, "\"reply_to\": %s", rs_err());
				return -1;
			}
			s->out.parent = s->parent;
		}
		return 0;
	}
	return -1;
}

static void
api_send(const struct who *w, json_t *j, struct http_resp *resp)
{
	struct send_arg *s = xcalloc(1, sizeof(*s));
	char to[1024], err[256];

	outgoing_init(&s->out);
	if (send_checks(j, s, to, sizeof(to), err, sizeof(err)) != 0)
		http_resp_error(resp, 400, "%s", err);
	else if (with_key(w, do_send, s) != 0)
		http_resp_error(resp, 422, "not sent: %s", rs_err());
	else
		sent_result(resp, s->id);
	outgoing_free(&s->out);
	sodium_memzero(s, sizeof(*s));
	free(s);
}

/* Consultations (consult.c): a step in the thread of a request, or the
 * signed agreement to the other side's outcome. */
struct consult_arg {
	uint8_t id[32], newid[32];
	const char *step, *text;
	int agree, queued;
};

static int
do_consult(void *p)
{
	struct consult_arg *c = p;

	if (c->agree)
		return consult_agree_to(W.n, c->id, c->text, &c->queued);
	return consult_reply(W.n, c->id, c->step, c->text, c->newid);
}

static void
consult_action(const struct who *w, const uint8_t id[32], const char *action, json_t *j,
    struct http_resp *resp)
{
	struct consult_arg c;

	memset(&c, 0, sizeof(c));
	memcpy(c.id, id, 32);
	c.agree = strcmp(action, "agree") == 0;
	c.step = jstr(j, "step");
	c.text = jstr(j, c.agree ? "note" : "body");
	if (!c.agree && c.step == NULL) {
		http_resp_error(resp, 400, "\"step\" is required: accept, decline, propose or outcome");
		return;
	}
	if (c.text != NULL && strlen(c.text) > (1u << 19)) {
		http_resp_error(resp, 400, "the text is too long (at most 512 KiB)");
		return;
	}
	if (with_key(w, do_consult, &c) != 0)
		http_resp_error(resp, 422, "%s", rs_err());
	else if (c.agree)
		http_resp_json(resp, 200, json_pack("{s:b,s:b}", "agreed", 1, "queued", c.queued));
	else
		sent_result(resp, c.newid);
}

/* Forwarding: forward.c checks the original's TLP label and the sender's
 * wish (tlp.c) and sends the original itself, verifiable by each
 * recipient; a refusal is 403 with the rule in plain words. */
static void
forward(const struct who *w, const uint8_t id[32], json_t *j, struct http_resp *resp)
{
	struct send_arg *s = xcalloc(1, sizeof(*s));
	char to[1024];
	int rc;

	outgoing_init(&s->out);
	if (states_list(json_object_get(j, "to"), to, sizeof(to)) != 0) {
		http_resp_error(resp, 400, "%s", rs_err());
		goto out;
	}
	s->forward = 1;
	memcpy(s->orig, id, 32);
	s->out.to = to;
	s->out.roles = jstr(j, "roles");
	s->note = jstr(j, "note");
	json_object_set_new(s->out.payload, "lang", json_string(web_lang_ok(jstr(j, "lang")) ?
	    jstr(j, "lang") : "en"));
	rc = with_key(w, do_send, s);
	if (rc == -2)
		http_resp_json(resp, 403, json_pack("{s:s,s:b}", "error", rs_err(),
		    "refused", 1));
	else if (rc != 0)
		http_resp_error(resp, 422, "not forwarded: %s", rs_err());
	else
		sent_result(resp, s->id);
out:
	outgoing_free(&s->out);
	sodium_memzero(s, sizeof(*s));
	free(s);
}

/* ---- reading: recipients, templates, directory, trust ------------------ */

static int
device_current(const struct dir_device *d)
{
	return d->revoked_index < 0 && (d->expires == 0 || d->expires >= now_ms());
}

/* Who would receive a message to the States of ?to=XB,XC: the same rule as
 * send.c (every current device of each State, not this one). */
/* GET /api/recipients?to=XB,group:forum[&roles=technical]: exactly who a
 * message would reach, by the rule send uses (audience.c), grouped by
 * State.  An audience send would refuse is a 400 naming why. */
static void
recipients(const struct http_req *req, struct http_resp *resp)
{
	const char *q = http_req_query(req, "to"), *roles = http_req_query(req, "roles");
	struct seal_recipient *r = NULL;
	json_t *states = json_array(), *rcpt = json_array(), *out = json_array(), *v;
	size_t nr = 0, i;

	if (q == NULL || strlen(q) > 1024 || (roles != NULL && strlen(roles) > 64)) {
		http_resp_error(resp, 400, "give ?to=XB,XC,group:NAME or all (and &roles=...)");
		goto done;
	}
	if (audience_resolve(W.n, q, roles && *roles ? roles : NULL, &r, &nr, states,
	    rcpt) != 0) {
		http_resp_error(resp, 400, "%s", rs_err());
		goto done;
	}
	json_array_foreach(states, i, v) {
		json_t *devs = json_array(), *k;
		size_t j;
		json_array_foreach(rcpt, j, k) {
			uint8_t key[32];
			struct dir_device *d;
			if (hex_decode_exact(key, 32, json_string_value(k)) == 0 &&
			    (d = dir_device(W.n->directory, key)) != NULL &&
			    strcmp(d->state, json_string_value(v)) == 0)
				json_array_append_new(devs, device_json(key));
		}
		json_array_append_new(out, json_pack("{s:O,s:o}", "state", v, "devices", devs));
	}
	http_resp_json(resp, 200, json_pack("{s:O}", "states", out));
done:
	free(r);
	json_decref(states);
	json_decref(rcpt);
	json_decref(out);
}

/* The node's template catalogue as the compose page draws it: free text
 * first (a subject and a body), then every catalogue template with a
 * subject, an optional note, and its own fields with their labels in the
 * six languages and, for choices, the taxonomy's codes and labels. */
static json_t *
template_field(struct catalogue *c, json_t *f)
{
	const char *type = jstr(f, "type"), *tax = jstr(f, "taxonomy");
	json_t *out = json_pack("{s:s,s:b,s:O}", "name", jstr(f, "name"),
	    "required", json_is_true(json_object_get(f, "required")),
	    "labels", json_object_get(f, "label"));
	json_t *tx, *v, *choices;
	size_t i;

	if (json_object_get(f, "help") != NULL)
		json_object_set(out, "help", json_object_get(f, "help"));
	if (type != NULL && strcmp(type, "choice") == 0 && tax != NULL &&
	    (tx = catalogue_taxonomy(c, tax)) != NULL) {
		choices = json_array();
		if (!json_is_true(json_object_get(f, "required")))
			json_array_append_new(choices, json_pack("{s:s}", "value", ""));
		json_array_foreach(json_object_get(tx, "values"), i, v)
			json_array_append_new(choices, json_pack("{s:s,s:O}", "value",
			    jstr(v, "code"), "labels", json_object_get(v, "label")));
		json_object_set_new(out, "type", json_string("select"));
		json_object_set_new(out, "choices", choices);
	} else if (type != NULL && (strcmp(type, "text") == 0 ||
	    strcmp(type, "indicators") == 0))
		json_object_set_new(out, "type", json_string("textarea"));
	else
		json_object_set_new(out, "type", json_string("text"));
	json_object_set_new(out, "template_field", json_true());
	return out;
}

static json_t *
templates(void)
{
	struct catalogue *c = NULL;
	json_t *list = json_array(), *t, *f, *fields;
	size_t i, k;

	json_array_append_new(list, json_pack("{s:s,s:[{s:s,s:s,s:b,s:i},{s:s,s:s,s:b,s:i}]}",
	    "id", "free-text", "fields",
	    "name", "subject", "type", "text", "required", 1, "max", 300,
	    "name", "body", "type", "textarea", "required", 1, "max", 1 << 19));
	if (node_catalogue(W.n, &c) != 0)
		return json_pack("{s:o}", "templates", list);
	json_array_foreach(catalogue_templates(c), i, t) {
		const char *id = jstr(t, "id");
		if (id == NULL || strcmp(id, "free-text") == 0)
			continue;
		fields = json_pack("[{s:s,s:s,s:b,s:i}]", "name", "subject", "type", "text",
		    "required", 0, "max", 300);
		json_array_foreach(json_object_get(t, "fields"), k, f) {
			const char *type = jstr(f, "type");
			if (type != NULL && strcmp(type, "attachment") == 0)
				continue;	/* files go with the CLI's --attach */
			json_array_append_new(fields, template_field(c, f));
		}
		json_array_append_new(fields, json_pack("{s:s,s:s,s:b,s:i}", "name", "body",
		    "type", "textarea", "required", 0, "max", 1 << 19));
		json_array_append_new(list, json_pack("{s:s,s:O,s:o}", "id", id,
		    "names", json_object_get(t, "title"), "fields", fields));
	}
	catalogue_free(c);
	return json_pack("{s:o}", "templates", list);
}

static json_t *
directory_json(void)
{
	struct directory *d = W.n->directory;
	json_t *states = json_array();
	char fpr[RS_FPR_LEN];

	json_t *last = checks_last_answers(W.n);	/* communication checks */

	for (size_t i = 0; i < d->nroots; i++) {
		struct dir_root *r = &d->roots[i];
		json_t *pocs = json_array();
		fingerprint(fpr, r->key);
		for (size_t k = 0; k < d->ndevices; k++) {
			struct dir_device *v = d->devices[k];
			char f2[RS_FPR_LEN];
			if (strcmp(v->state, r->state) != 0 || memcmp(v->root, r->key, 32) != 0)
				continue;
			fingerprint(f2, v->key);
			json_t *langs = json_object_get(v->cert, "languages");
			int64_t answered;
			int fresh = checks_device_fresh(W.n, v, last, &answered);
			json_array_append_new(pocs, json_pack("{s:s,s:s,s:s,s:O,s:s,s:o,s:s,s:I,s:I,s:o,s:b}",
			    "role", v->role,
			    "name", jstr(v->cert, "name") ? jstr(v->cert, "name") : "",
			    "email", jstr(v->cert, "email") ? jstr(v->cert, "email") : "",
			    "languages", json_is_array(langs) ? langs : json_array(),
			    "fingerprint", f2, "device", jhex(v->key, 32),
			    "status", v->revoked_index >= 0 ? "revoked" :
			    !device_current(v) ? "expired" : "current",
			    "expires", (json_int_t)v->expires, "index", (json_int_t)v->cert_index,
			    "last_check", answered > 0 ? json_integer(answered) : json_null(),
			    "stale", !fresh));
		}
		json_array_append_new(states, json_pack("{s:s,s:s,s:I,s:o}", "state", r->state,
		    "root_fingerprint", fpr, "index", (json_int_t)r->index, "pocs", pocs));
	}
	json_decref(last);
	json_t *groups = json_array();
	for (size_t i = 0; i < d->ngroups; i++) {
		struct dir_group *g = &d->groups[i];
		json_t *members = json_array();
		if (g->nstates == 0)
			continue;
		for (size_t k = 0; k < g->nstates; k++)
			json_array_append_new(members, json_string(g->states[k]));
		json_array_append_new(groups, json_pack("{s:s,s:O,s:o}", "name", g->name,
		    "title", g->title ? g->title : json_null(), "states", members));
	}
	return json_pack("{s:s,s:o,s:o}", "own_state", W.n->cfg.state, "states", states,
	    "groups", groups);
}

static json_t *
latest_checkpoint(void)
{
	sqlite3_stmt *st = db_prep(W.n->db, "SELECT size, root, time, seen, text,"
	    " (SELECT count(*) FROM checkpoints) FROM checkpoints"
	    " ORDER BY size DESC, seen DESC LIMIT 1");
	json_t *j = json_null();

	if (st != NULL && sqlite3_step(st) == SQLITE_ROW)
		j = json_pack("{s:I,s:o,s:I,s:I,s:s,s:I}",
		    "size", (json_int_t)sqlite3_column_int64(st, 0),
		    "root", jhex(sqlite3_column_blob(st, 1), (size_t)sqlite3_column_bytes(st, 1)),
		    "time", (json_int_t)sqlite3_column_int64(st, 2),
		    "verified", (json_int_t)sqlite3_column_int64(st, 3),
		    "text", col_text(st, 4), "seen_count", (json_int_t)sqlite3_column_int64(st, 5));
	sqlite3_finalize(st);
	return j;
}

/* The newest cosignature of each other device, from the verified records. */
static json_t *
cosignatures(void)
{
	sqlite3_stmt *st = db_prep(W.n->db, "SELECT idx, time, envelope FROM records"
	    " WHERE kind = 'cosign' ORDER BY idx DESC LIMIT 500");
	json_t *by = json_object(), *arr = json_array(), *v;
	const char *k;

	while (st != NULL && sqlite3_step(st) == SQLITE_ROW) {
		struct envelope e;
		if (env_parse(&e, sqlite3_column_blob(st, 2),
		    (size_t)sqlite3_column_bytes(st, 2)) != 0)
			continue;
		char *hex = hex_encode(e.key, 32);
		if (json_object_get(by, hex) == NULL) {
			json_t *c = device_json(e.key);
			json_t *size = env_field(&e, "size");
			json_object_set_new(c, "index", json_integer(sqlite3_column_int64(st, 0)));
			json_object_set_new(c, "time", json_integer(sqlite3_column_int64(st, 1)));
			if (json_is_integer(size))
				json_object_set(c, "size", size);
			json_object_set_new(by, hex, c);
		}
		free(hex);
		env_free(&e);
	}
	sqlite3_finalize(st);
	json_object_foreach(by, k, v)
		json_array_append(arr, v);
	json_decref(by);
	return arr;
}

static json_t *
trust(void)
{
	sqlite3_stmt *st = db_prep(W.n->db, "SELECT time, kind, text FROM alarms ORDER BY n");
	json_t *alarms = json_array(), *j;
	int64_t cosigned = -1, refusals = 0;
	char fpr[RS_FPR_LEN], rf[RS_FPR_LEN] = "";

	while (st != NULL && sqlite3_step(st) == SQLITE_ROW)
		json_array_append_new(alarms, json_pack("{s:I,s:s,s:s}",
		    "time", (json_int_t)sqlite3_column_int64(st, 0), "kind", col_text(st, 1),
		    "text", col_text(st, 2)));
	sqlite3_finalize(st);
	if ((st = db_prep(W.n->db, "SELECT count(*) FROM refusals")) != NULL &&
	    sqlite3_step(st) == SQLITE_ROW)
		refusals = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	if (db_meta_get_int(W.n->db, "cosigned_size", &cosigned) != 0)
		cosigned = -1;
	fingerprint(fpr, W.n->cfg.device);
	if (W.n->cfg.has_root)
		fingerprint(rf, W.n->cfg.root_key);
	j = json_pack("{s:s,s:o,s:o,s:o,s:I,s:I,s:s,s:s,s:s}",
	    "status", json_array_size(alarms) ? "alarm" : "ok",
	    "alarms", alarms, "checkpoint", latest_checkpoint(),
	    "cosignatures", cosignatures(), "own_cosigned_size", (json_int_t)cosigned,
	    "refusals", (json_int_t)refusals, "device_fingerprint", fpr,
	    "root_fingerprint", rf, "state", W.n->cfg.state);
	return j;
}

/* ---- settings, events, statistics -------------------------------------- */

static json_t *
settings(const struct who *w)
{
	struct account a;
	json_t *devs = json_array();

	json_t *j = json_pack("{s:s,s:s,s:s,s:b,s:b}", "user", user_of(w),
	    "lang", lang_of(w), "email", "", "admin", w->s.admin, "account", w->account);
	if (w->account && account_get(W.n->db, w->s.user, &a) == 0)
		json_object_set_new(j, "email", json_string(a.email));
	json_object_set_new(j, "alerts", json_pack("{s:s,s:b}", "email", W.n->cfg.alert_email,
	    "mail_server", W.n->cfg.smtp_url[0] != '\0'));
	if (w->s.admin)
		for (size_t i = 0; i < W.n->directory->ndevices; i++) {
			struct dir_device *d = W.n->directory->devices[i];
			if (strcmp(d->state, W.n->cfg.state) != 0)
				continue;
			json_t *dj = device_json(d->key);
			json_object_set_new(dj, "status", json_string(d->revoked_index >= 0 ?
			    "revoked" : device_current(d) ? "current" : "expired"));
			json_object_set_new(dj, "this_node",
			    json_boolean(memcmp(d->key, W.n->cfg.device, 32) == 0));
			json_array_append_new(devs, dj);
		}
	json_object_set_new(j, "devices", devs);
	sodium_memzero(&a, sizeof(a));
	return j;
}

static void
set_settings(const struct who *w, json_t *j, struct http_resp *resp)
{
	const char *lang = jstr(j, "lang"), *email = jstr(j, "email");

	if (lang != NULL && !web_lang_ok(lang)) {
		http_resp_error(resp, 400, "\"lang\" must be one of ar, en, es, fr, ru, zh");
		return;
	}
	if (email != NULL && *email && (strlen(email) > 254 || strchr(email, '@') == NULL ||
	    strpbrk(email, " \r\n\t<>") != NULL)) {
		http_resp_error(resp, 400, "\"email\" is not an e-mail address");
		return;
	}
	if (!w->account && email != NULL && *email) {
		http_resp_error(resp, 400, "alert e-mail needs an account (`roster user add`)");
		return;
	}
	if ((w->account ? account_set_prefs(W.n->db, w->s.user, lang, email) :
	    lang ? db_meta_set_text(W.n->db, "web_lang", lang) : 0) != 0) {
		http_resp_error(resp, 500, "cannot save the settings: %s", rs_err());
		return;
	}
	/* The account's alert address is where this node's e-mail alerts go
	 * (one POC per node); the mail server stays the administrator's
	 * `roster alerts set --smtp`. */
	if (w->account && email != NULL && *email &&
	    strcmp(email, W.n->cfg.alert_email) != 0) {
		if (alert_check_address("the alert address", email) != 0) {
			http_resp_error(resp, 400, "%s", rs_err());
			return;
		}
		snprintf(W.n->cfg.alert_email, sizeof(W.n->cfg.alert_email), "%s", email);
		if (config_save(W.n) != 0) {
			http_resp_error(resp, 500, "cannot save the alert address: %s", rs_err());
			return;
		}
	}
	if (w->account && lang != NULL)
		ws_session_set_lang(W.sessions, w->token, lang);
	struct who w2 = *w;
	if (lang != NULL)
		snprintf(w2.s.lang, sizeof(w2.s.lang), "%s", lang);
	http_resp_json(resp, 200, settings(&w2));
}

static json_t *
events(const struct who *w)
{
	sqlite3_stmt *st = db_prep(W.n->db, "SELECT (SELECT count(*) FROM messages),"
	    " (SELECT count(*) FROM acks), (SELECT count(*) FROM alarms),"
	    " (SELECT coalesce(max(size), -1) FROM checkpoints),"
	    " (SELECT count(*) FROM records),"		/* checks and their answers */
	    " (SELECT count(*) FROM messages WHERE direction = 'in' AND acked = 0),"
	    " (SELECT count(*) FROM messages m WHERE direction = 'in' AND NOT EXISTS"
	    "  (SELECT 1 FROM web_reads r WHERE r.user = ? AND r.msg_id = m.id))");
	json_t *j = NULL;
	char v[160];

	if (st == NULL)
		return NULL;
	sqlite3_bind_text(st, 1, user_of(w), -1, SQLITE_TRANSIENT);
	if (sqlite3_step(st) == SQLITE_ROW) {
		snprintf(v, sizeof(v), "%lld.%lld.%lld.%lld.%lld",
		    (long long)sqlite3_column_int64(st, 0), (long long)sqlite3_column_int64(st, 1),
		    (long long)sqlite3_column_int64(st, 2), (long long)sqlite3_column_int64(st, 3),
		    (long long)sqlite3_column_int64(st, 4));
		j = json_pack("{s:s,s:I,s:I,s:I}", "version", v,
		    "unacknowledged", (json_int_t)sqlite3_column_int64(st, 5),
		    "unread", (json_int_t)sqlite3_column_int64(st, 6),
		    "alarms", (json_int_t)sqlite3_column_int64(st, 2));
	}
	sqlite3_finalize(st);
	return j;
}

/* Response statistics of the messages this node sent: per recipient State,
 * how many recipient devices delivered and acknowledged, per day; and the
 * acknowledgement times (log time of the ack minus log time of the
 * message).  The charts of the checks page draw these. */
static json_t *
stats(void)
{
	sqlite3_stmt *st = db_prep(W.n->db, "SELECT m.time, j.value,"
	    " (SELECT min(time) FROM acks a WHERE a.msg_id = m.id AND lower(hex(a.device)) = j.value"
	    "  AND a.status = 'delivered'),"
	    " (SELECT min(time) FROM acks a WHERE a.msg_id = m.id AND lower(hex(a.device)) = j.value"
	    "  AND a.status = 'acknowledged')"
	    " FROM messages m, json_each(m.rcpt) j WHERE m.direction = 'out'"
	    " AND m.idx IS NOT NULL ORDER BY m.time LIMIT 20000");
	json_t *rows = json_array();

	if (st == NULL) {
		json_decref(rows);
		return NULL;
	}
	while (sqlite3_step(st) == SQLITE_ROW) {
		uint8_t dev[32];
		struct dir_device *d;
		if (hex_decode_exact(dev, 32, col_text(st, 1)) != 0)
			continue;
		d = dir_device(W.n->directory, dev);
		json_t *r = json_pack("{s:s,s:I}", "state", d ? d->state : "?",
		    "time", (json_int_t)sqlite3_column_int64(st, 0));
		if (sqlite3_column_type(st, 2) != SQLITE_NULL)
			json_object_set_new(r, "delivered", json_integer(sqlite3_column_int64(st, 2)));
		if (sqlite3_column_type(st, 3) != SQLITE_NULL)
			json_object_set_new(r, "acknowledged", json_integer(sqlite3_column_int64(st, 3)));
		json_array_append_new(rows, r);
	}
	sqlite3_finalize(st);
	return json_pack("{s:s,s:o}", "source", "sent-messages", "responses", rows);
}

/* ---- dispatch ----------------------------------------------------------- */

/* On loopback the Host header must be the loopback address we serve, so a
 * DNS-rebinding page (evil.example resolving to 127.0.0.1) is refused. */
static int
host_ok(const struct http_req *req)
{
	const char *host = http_req_header(req, "Host");
	char a[64], b[64], c[64];

	if (!W.loopback)
		return 1;
	if (host == NULL)
		return 0;
	snprintf(a, sizeof(a), "127.0.0.1:%u", W.port);
	snprintf(b, sizeof(b), "localhost:%u", W.port);
	snprintf(c, sizeof(c), "[::1]:%u", W.port);
	return strcmp(host, a) == 0 || strcmp(host, b) == 0 || strcmp(host, c) == 0;
}

static int
post_ok(const struct http_req *req, const struct who *w, int need_csrf,
    struct http_resp *resp)
{
	const char *ct = http_req_header(req, "Content-Type");
	const char *tok = http_req_header(req, "X-CSRF-Token");

	if (ct == NULL || strncmp(ct, "application/json", 16) != 0) {
		http_resp_error(resp, 415, "send the body as application/json");
		return 0;
	}
	if (need_csrf && (tok == NULL || !ws_token_equal(tok, w->s.csrf))) {
		http_resp_error(resp, 403, "missing or wrong X-CSRF-Token: reload the page");
		return 0;
	}
	return 1;
}

static void
api_get(const struct http_req *req, const struct who *w, int required,
    struct http_resp *resp)
{
	const char *p = req->path, *action;
	uint8_t id[32];
	json_t *j = NULL;

	if (strcmp(p, "/api/session") == 0)
		j = session_json(w, required);
	else if (strcmp(p, "/api/countries") == 0) {	/* public data: the sign-in page uses it */
		const char *lang = http_req_query(req, "lang");
		if ((j = countries_json(lang ? lang : lang_of(w))) == NULL) {
			http_resp_error(resp, lang && !web_lang_ok(lang) ? 400 : 500, "%s", rs_err());
			return;
		}
	} else if (!w->ok) {
		http_resp_error(resp, 401, "sign in first");
		return;
	} else if (strcmp(p, "/api/health") == 0) {
		char fpr[RS_FPR_LEN];
		json_t *cp = latest_checkpoint();
		json_t *ev = events(w);
		fingerprint(fpr, W.n->cfg.device);
		j = json_pack("{s:s,s:s,s:s,s:s,s:I,s:I}", "state", W.n->cfg.state,
		    "role", W.n->cfg.role, "name", W.n->cfg.name, "device", fpr,
		    "checkpoint", (json_int_t)(json_is_object(cp) ?
		    json_integer_value(json_object_get(cp, "size")) : -1),
		    "alarms", (json_int_t)json_integer_value(json_object_get(ev, "alarms")));
		json_decref(cp);
		json_decref(ev);
	} else if (strcmp(p, "/api/inbox") == 0)
		j = inbox(w);
	else if (strcmp(p, "/api/sent") == 0)
		j = sent();
	else if (parse_msg_path(p, id, &action) == 0 && *action == '\0') {
		message(w, id, resp);
		return;
	} else if (parse_msg_path(p, id, &action) == 0 &&
	    strncmp(action, "attachments/", 12) == 0) {
		attachment(id, action + 12, resp);
		return;
	} else if (strcmp(p, "/api/recipients") == 0) {
		recipients(req, resp);
		return;
	} else if (strcmp(p, "/api/templates") == 0)
		j = templates();
	else if (strcmp(p, "/api/directory") == 0)
		j = directory_json();
	else if (strcmp(p, "/api/trust") == 0)
		j = trust();
	else if (strcmp(p, "/api/settings") == 0)
		j = settings(w);
	else if (strcmp(p, "/api/events") == 0)
		j = events(w);
	else if (strcmp(p, "/api/stats/responses") == 0)
		j = stats();
	else if (strcmp(p, "/api/checks") == 0)		/* node/checks.c */
		j = checks_list_json(W.n, 0);
	else if (strcmp(p, "/api/checks/report") == 0)
		j = checks_report_json(W.n);
	else {
		http_resp_error(resp, 404, "no such resource: %s", p);
		return;
	}
	if (j == NULL)
		http_resp_error(resp, 500, "cannot read the store: %s", rs_err());
	else
		http_resp_json(resp, 200, j);
}

/* ---- communication checks (node/checks.c) --------------------------------- */

struct check_arg {
	const char *to, *roles, *deadline, *check;	/* check: answer it */
	uint8_t id[32];
	int rc;
};

static int
do_check(void *p)
{
	struct check_arg *c = p;

	c->rc = c->check != NULL ? checks_sign_answer(W.n, c->check, c->id) :
	    checks_sign_start(W.n, c->to, c->roles, c->deadline, c->id);
	return c->rc < 0 ? -1 : 0;	/* 1 and 2 are answers for check_action */
}

/* POST /api/checks {"to"?,"deadline"?,"roles"?}: start a check (default:
 * all, 24h).  POST /api/checks/ID/answer {}: answer check ID. */
static void
check_action(const struct who *w, const char *p, json_t *j, struct http_resp *resp)
{
	static const char answer[] = "/answer";
	struct check_arg c = { .to = jstr(j, "to"), .roles = jstr(j, "roles"),
	    .deadline = jstr(j, "deadline") };
	struct sync_stats s = {0};
	char check[65], *hex;
	size_t len;

	if (strcmp(p, "/api/checks") != 0) {
		p += strlen("/api/checks/");
		len = strlen(p);
		if (len <= sizeof(answer) - 1 || len - (sizeof(answer) - 1) >= sizeof(check) ||
		    strcmp(p + len - (sizeof(answer) - 1), answer) != 0) {
			http_resp_error(resp, 404, "no such action: POST /api/checks/%.80s", p);
			return;
		}
		memcpy(check, p, len - (sizeof(answer) - 1));
		check[len - (sizeof(answer) - 1)] = '\0';
		c.check = check;
	}
	if (c.to == NULL)
		c.to = "all";
	if (c.deadline == NULL)
		c.deadline = "24h";
	if (with_key(w, do_check, &c) != 0 || c.rc != 0) {
		http_resp_error(resp, c.rc == 1 ? 409 : c.rc == 2 ? 403 :
		    c.check != NULL ? 404 : 400, "%s", rs_err());
		return;
	}
	int flushed = outbox_flush(W.n, &s) == 0;
	hex = hex_encode(c.id, 32);
	http_resp_json(resp, 200, json_pack("{s:s,s:b}", "id", hex, "queued", !flushed));
	free(hex);
}

static void
api_post(const struct http_req *req, const struct who *w, struct http_resp *resp)
{
	const char *p = req->path, *action;
	uint8_t id[32];
	json_t *j;

	if (!w->ok) {
		http_resp_error(resp, 401, "sign in first");
		return;
	}
	if (!post_ok(req, w, 1, resp))
		return;
	if (strcmp(p, "/api/session/logout") == 0) {
		if (w->account)
			ws_session_end(W.sessions, w->token);
		set_cookie(resp, "", 1);
		http_resp_json(resp, 200, json_pack("{s:b}", "signed_in", 0));
		return;
	}
	if ((j = body_json(req, resp)) == NULL)
		return;
	if (strcmp(p, "/api/send") == 0)
		api_send(w, j, resp);
	else if (strcmp(p, "/api/settings") == 0)
		set_settings(w, j, resp);
	else if (parse_msg_path(p, id, &action) == 0 && strcmp(action, "ack") == 0)
		ack(w, id, j, resp);
	else if (parse_msg_path(p, id, &action) == 0 && strcmp(action, "forward") == 0)
		forward(w, id, j, resp);
	else if (parse_msg_path(p, id, &action) == 0 && (strcmp(action, "consult") == 0 ||
	    strcmp(action, "agree") == 0))
		consult_action(w, id, action, j, resp);
	else if (strcmp(p, "/api/checks") == 0 || strncmp(p, "/api/checks/", 12) == 0)
		check_action(w, p, j, resp);
	else
		http_resp_error(resp, 404, "no such action: POST %s", p);
	json_decref(j);
}

void
web_handle(void *ctx, const struct http_req *req, struct http_resp *resp)
{
	struct who w;
	int required;

	(void)ctx;
	web_headers(resp);
	if (!host_ok(req)) {
		http_resp_error(resp, 421, "this node answers only as 127.0.0.1:%u or "
		    "localhost:%u (Host header refused)", W.port, W.port);
		return;
	}
	if (strncmp(req->path, "/api/", 5) != 0) {
		web_static(req, resp);
		return;
	}
	if (strcmp(req->method, "POST") == 0 && strcmp(req->path, "/api/session/login") == 0) {
		struct who none = {0};
		if (post_ok(req, &none, 0, resp))
			login(req, resp);
		return;
	}
	if (strcmp(req->method, "GET") != 0 && strcmp(req->method, "POST") != 0) {
		http_resp_error(resp, 405, "method %s not allowed here", req->method);
		return;
	}
	pthread_mutex_lock(W.lock);
	identify(req, &w, &required);
	if (strcmp(req->method, "GET") == 0)
		api_get(req, &w, required, resp);
	else
		api_post(req, &w, resp);
	pthread_mutex_unlock(W.lock);
	sodium_memzero(&w, sizeof(w));
}
