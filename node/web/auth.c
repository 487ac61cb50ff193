/*
 * auth.c - who is asking the local API, and the browser attacks it keeps
 * out.
 *
 * Who may ask.  On loopback with no account the node is a single-user
 * desk: whoever can reach 127.0.0.1 is the POC (as with the CLI), and the
 * process's own device key signs.  Once an account exists, or whenever the
 * node listens beyond loopback (it refuses to start then without one),
 * every call but sign-in needs a session, and actions that sign use the
 * key unsealed from the signed-in account (lib/websession.h,
 * node/core/accounts.h).
 *
 * Browser attacks.  A page on another site must not drive the API through
 * the user's browser: every POST must be application/json (a cross-site
 * form cannot send that without a CORS preflight, which we never grant)
 * and carry the session's CSRF token in X-CSRF-Token; the session cookie
 * is HttpOnly and SameSite=Strict.  (The Host check against DNS rebinding
 * is server.c's.)  Password checks (Argon2id, deliberately slow) run
 * outside the store lock.
 */
#include "web_impl.h"

#include <stdlib.h>
#include <string.h>
#include <sodium.h>

#include "core/accounts.h"
#include "core/catalogue_node.h"
#include "core/store.h"
#include "jsonutil.h"

#define COOKIE "roster_session"

const char *
web_user(const struct who *who)
{
	return who->account ? who->s.user : "local";
}

const char *
web_lang(const struct who *who)
{
	return who->s.lang[0] ? who->s.lang : "en";
}

int
web_auth_required(struct web *w)
{
	return !w->loopback || store_accounts_count(w->n) != 0;
}

json_t *
web_session_json(struct web *w, const struct who *who, int required)
{
	char fpr[RS_FPR_LEN];

	fingerprint(fpr, w->n->cfg.device);
	return json_pack("{s:b,s:b,s:s?,s:b,s:s,s:s,s:s,s:s,s:s,s:s}",
	    "auth_required", required, "signed_in", who->ok,
	    "user", who->ok ? web_user(who) : NULL, "admin", who->ok && who->s.admin,
	    "lang", web_lang(who), "csrf", who->ok ? who->s.csrf : "",
	    "state", w->n->cfg.state, "role", w->n->cfg.role, "name", w->n->cfg.name,
	    "device", fpr);
}

void
web_identify(struct web *w, const struct http_req *req, struct who *who, int *required)
{
	const char *cookie = http_req_header(req, "Cookie");
	char *lang;

	memset(who, 0, sizeof(*who));
	*required = web_auth_required(w);
	if (cookie != NULL && ws_cookie(cookie, COOKIE, who->token, sizeof(who->token)) == 0 &&
	    ws_session_get(w->sessions, who->token, now_ms(), &who->s) == 0) {
		who->s.key = NULL;
		who->ok = who->account = 1;
		return;
	}
	who->token[0] = '\0';
	if (*required)
		return;
	who->ok = 1;
	who->s.admin = 1;
	snprintf(who->s.user, sizeof(who->s.user), "local");
	snprintf(who->s.csrf, sizeof(who->s.csrf), "%s", w->local_csrf);
	/* The desk reads in the language it chose, else the node's own (the
	 * one `roster show` renders in: one view, CLI and web alike). */
	lang = store_meta_get_text(w->n, "web_lang");
	snprintf(who->s.lang, sizeof(who->s.lang), "%s", lang && web_lang_ok(lang) ?
	    lang : web_lang_ok(node_lang(w->n)) ? node_lang(w->n) : "en");
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

static json_t *
body_object(const struct http_req *req, struct http_resp *resp)
{
	json_t *j;

	if (req->body_len == 0) {
		web_refuse(resp, 400, "not-json", "the request needs a JSON object as its body");
		return NULL;
	}
	if ((j = jparse(req->body, req->body_len)) == NULL || !json_is_object(j)) {
		web_refuse(resp, 400, "not-json", "the body is not a JSON object: %s",
		    j ? "wrong type" : rs_err());
		json_decref(j);
		return NULL;
	}
	return j;
}

/* POST /api/session/login {"user","password"}.  Called without the serve
 * lock (Argon2id takes a while); takes it for the store. */
void
web_login(struct web *w, const struct http_req *req, struct http_resp *resp)
{
	json_t *j = body_object(req, resp);
	const char *user, *pw;
	struct account a;
	struct keypair *key = NULL;
	struct ws_session s;
	struct who who;
	enum store_result found;
	int64_t wait;

	memset(&a, 0, sizeof(a));
	if (j == NULL)
		return;
	user = jstr(j, "user");
	pw = jstr(j, "password");
	if (user == NULL || pw == NULL || !ws_valid_name(user)) {
		web_refuse(resp, 400, "sign-in-incomplete", "give \"user\" (an account name) and "
		    "\"password\"");
		goto out;
	}
	pthread_mutex_lock(w->lock);
	found = store_account_get(w->n, user, &a);
	pthread_mutex_unlock(w->lock);
	if (found == STORE_ERROR) {
		web_refuse(resp, 500, "store-failed", "cannot read the accounts: %s", rs_err());
		goto out;
	}
	/* Counted per name only for accounts (names nobody can evict), and
	 * against the rate of all tries whatever the name. */
	if ((wait = ws_rate_wait(w->sessions, user, found == STORE_OK, now_ms())) > 0) {
		web_refuse_with(resp, 429, "sign-in-locked", json_pack("{s:I}", "wait_s",
		    (json_int_t)wait), "too many failed sign-ins for %s: try again in %lld s",
		    user, (long long)wait);
		goto out;
	}
	if (found == STORE_NOT_FOUND)
		(void)ws_check_password(w->dummy_hash, pw);	/* same time as a real check */
	if (found == STORE_NOT_FOUND || ws_check_password(a.hash, pw) != 0) {
		ws_rate_failed(w->sessions, user, found == STORE_OK, now_ms());
		web_refuse(resp, 401, "wrong-password", "wrong account name or password");
		goto out;
	}
	/* The right password that does not open the key copy: the account was
	 * made for another device key (node folder re-initialised, or node.db
	 * tampered with).  Say so; do not sign in without a key. */
	if ((key = ws_open_key(&a.sealed, pw, w->n->cfg.device, w->n->cfg.state)) == NULL) {
		web_refuse(resp, 409, "account-key-mismatch", "account %s cannot unlock this node's device key (%s): "
		    "set its password again with `roster user passwd %s`", user, rs_err(), user);
		goto out;
	}
	ws_rate_passed(w->sessions, user);
	if (ws_session_start(w->sessions, a.name, a.lang, a.admin, key, now_ms(), &s) != 0) {
		web_refuse(resp, 500, "session-failed", "%s", rs_err());
		goto out;
	}
	memset(&who, 0, sizeof(who));
	who.ok = who.account = 1;
	who.s = s;
	set_cookie(resp, s.token, 0);
	http_resp_json(resp, 200, web_session_json(w, &who, 1));
out:
	sodium_memzero(&a, sizeof(a));
	json_decref(j);
}

void
web_logout(const struct call *c, struct http_resp *resp)
{
	if (c->who->account)
		ws_session_end(c->w->sessions, c->who->token);
	set_cookie(resp, "", 1);
	http_resp_json(resp, 200, json_pack("{s:b}", "signed_in", 0));
}

int
web_post_ok(const struct http_req *req, const struct who *who, int need_csrf,
    struct http_resp *resp)
{
	const char *ct = http_req_header(req, "Content-Type");
	const char *tok = http_req_header(req, "X-CSRF-Token");

	if (ct == NULL || strncmp(ct, "application/json", 16) != 0) {
		web_refuse(resp, 415, "not-json", "send the body as application/json");
		return 0;
	}
	if (need_csrf && (tok == NULL || !ws_token_equal(tok, who->s.csrf))) {
		web_refuse(resp, 403, "csrf", "missing or wrong X-CSRF-Token: reload the page");
		return 0;
	}
	return 1;
}

/* The session table stays locked meanwhile, so a sign-out cannot wipe the
 * key under our feet. */
int
web_with_key(struct web *w, const struct who *who, int (*fn)(void *), void *arg)
{
	struct keypair *saved = w->n->key, *k;
	int rc;

	if (!who->account)
		return fn(arg);
	ws_lock(w->sessions);
	if ((k = ws_session_key(w->sessions, who->token)) == NULL) {
		ws_unlock(w->sessions);
		rs_seterr("your session ended: sign in again");
		return -1;
	}
	w->n->key = k;
	rc = fn(arg);
	w->n->key = saved;
	ws_unlock(w->sessions);
	return rc;
}
