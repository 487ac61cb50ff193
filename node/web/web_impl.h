/*
 * web_impl.h - what the files of node/web share: the context every request
 * runs with (no global state: serve passes it as the handler's context),
 * who is asking, and the routes' calling convention.  See web.h.
 */
#ifndef ROSTER_WEB_IMPL_H
#define ROSTER_WEB_IMPL_H

#include <pthread.h>
#include <stdint.h>
#include <jansson.h>

#include "http.h"
#include "websession.h"
#include "web.h"

struct web {
	struct node *n;
	pthread_mutex_t *lock;		/* the serve loop's: held around every use of n */
	struct ws_table *sessions;
	int loopback;
	unsigned port;
	char local_csrf[WS_TOKEN_LEN + 1];
	char dummy_hash[128];	/* checked for unknown names, so both take as long */
	void (*wake)(void *);	/* the serve loop: something waits for the hub */
	void *wake_arg;
	char open_version[160];	/* the events' open checks, as last counted */
	int64_t open_at;
	int open_count;
};

/* Who is asking: a session (account) or the loopback desk. */
struct who {
	int ok;				/* signed in, or no sign-in needed */
	int account;			/* 1 for a real account */
	char token[WS_TOKEN_LEN + 1];
	struct ws_session s;
};

/* One request to a route, as the route table matched it. */
struct call {
	struct web *w;
	const struct http_req *req;
	const struct who *who;
	int required;			/* this node requires sign-in */
	json_t *body;			/* POST: the JSON object sent */
	char idhex[65];			/* the path's ":id" as given (a prefix) */
	uint8_t id[32];			/* ... and the message it names */
	const char *param;		/* the path's other parameter (":n", ":check") */
	int *queued;			/* set: the action queued something for the hub */
};
typedef void (*route_fn)(const struct call *c, struct http_resp *resp);

/* ---- auth.c ---- */
int web_auth_required(struct web *w);
/* Fills who from the request's cookie (or the loopback desk).  Under the
 * lock. */
void web_identify(struct web *w, const struct http_req *req, struct who *who,
    int *required);
/* POST /api/session/login, without the lock (Argon2id takes a while). */
void web_login(struct web *w, const struct http_req *req, struct http_resp *resp);
void web_logout(const struct call *c, struct http_resp *resp);
json_t *web_session_json(struct web *w, const struct who *who, int required);
/* A POST must be application/json and (need_csrf) carry the session's
 * token: 1, or 0 after answering 415 or 403. */
int web_post_ok(const struct http_req *req, const struct who *who, int need_csrf,
    struct http_resp *resp);
/* Runs fn with the session's key in n->key (the process key on the
 * loopback desk); -1 with rs_err when the session ended. */
int web_with_key(struct web *w, const struct who *who, int (*fn)(void *), void *arg);
const char *web_user(const struct who *who);
const char *web_lang(const struct who *who);

/* ---- views.c ---- */
void view_session(const struct call *c, struct http_resp *resp);
void view_countries(const struct call *c, struct http_resp *resp);
void view_health(const struct call *c, struct http_resp *resp);
void view_inbox(const struct call *c, struct http_resp *resp);
void view_sent(const struct call *c, struct http_resp *resp);
void view_message(const struct call *c, struct http_resp *resp);
void view_attachment(const struct call *c, struct http_resp *resp);
void view_recipients(const struct call *c, struct http_resp *resp);
void view_templates(const struct call *c, struct http_resp *resp);
void view_directory(const struct call *c, struct http_resp *resp);
void view_trust(const struct call *c, struct http_resp *resp);
void view_settings(const struct call *c, struct http_resp *resp);
void view_events(const struct call *c, struct http_resp *resp);
void view_stats(const struct call *c, struct http_resp *resp);
void view_checks(const struct call *c, struct http_resp *resp);
void view_checks_report(const struct call *c, struct http_resp *resp);
void view_process(const struct call *c, struct http_resp *resp);
/* What the settings page shows for who (also the answer to a change). */
json_t *settings_json(struct web *w, const struct who *who);
/* A device as the pages show it: fingerprint, State, role, name. */
json_t *device_json(struct web *w, const uint8_t key[32]);

/* ---- actions.c ---- */
void act_send(const struct call *c, struct http_resp *resp);
void act_settings(const struct call *c, struct http_resp *resp);
void act_ack(const struct call *c, struct http_resp *resp);
void act_forward(const struct call *c, struct http_resp *resp);
void act_consult(const struct call *c, struct http_resp *resp);
void act_agree(const struct call *c, struct http_resp *resp);
void act_check_start(const struct call *c, struct http_resp *resp);
void act_check_answer(const struct call *c, struct http_resp *resp);
void act_position(const struct call *c, struct http_resp *resp);
void act_withdraw(const struct call *c, struct http_resp *resp);

/* ---- server.c ---- */
/* The security headers every answer carries (set before any route runs;
 * a route adds its own with web_header, never replacing them). */
void web_headers(struct http_resp *resp);
void web_header(struct http_resp *resp, const char *line);
/* A refusal the page can say in its reader's language: {"error": the
 * English sentence, "code": one of a fixed list (docs/node-api.md), and
 * the fields of extra (taken, may be NULL) such as "field"}. */
void web_refuse_with(struct http_resp *resp, int status, const char *code, json_t *extra,
    const char *fmt, ...) __attribute__((format(printf, 5, 6)));
#define web_refuse(resp, status, code, ...) \
	web_refuse_with((resp), (status), (code), NULL, __VA_ARGS__)

/* ---- countries.c ---- */
/* The six UN languages the interface speaks. */
extern const char *const web_langs[];
int web_lang_ok(const char *lang);
/* {"XX": "name in lang", ...}; names the iso-codes package does not
 * translate stay in English.  NULL with rs_err. */
json_t *countries_json(const char *lang);

#endif
