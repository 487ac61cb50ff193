/*
 * websession.h - accounts and sessions of the node's web interface.
 *
 * A node may have local accounts (node/core/accounts.c; node.db keeps them).
 * Each account holds two things derived from its password with Argon2id:
 *
 *   - a password hash (crypto_pwhash_str), checked at sign-in;
 *   - a copy of the node's device secret keys (Ed25519 and X25519), sealed
 *     with XChaCha20-Poly1305 (crypto_secretbox) under a key derived from the
 *     password and a per-account salt.
 *
 * Signing in unseals that copy: the session then holds the device key in
 * protected memory (sodium_malloc), and every action that signs on the
 * user's behalf (send, acknowledge, forward) uses the session's key.
 * Signing out or expiry wipes it.  Without the password the copy is useless,
 * so a stolen node.db yields neither the password nor the key.
 *
 * Sessions live in memory only (a restart signs everyone out).  A session is
 * a random 256-bit token kept by the browser in an HttpOnly SameSite=Strict
 * cookie, plus a second random token the page must echo in X-CSRF-Token on
 * every POST.  Sessions end after WS_IDLE_MS without use or WS_MAX_MS after
 * sign-in.  Failed sign-ins are limited three ways: per account (WS_FAIL_LIMIT
 * failures in WS_FAIL_WINDOW_MS lock that account for WS_LOCK_MS), for all
 * names that are no account together (WS_UNKNOWN_LIMIT, the same lock for
 * them), and every try whatever the name (WS_TRIES_PER_S, a short wait).
 * An account's counter is kept only for accounts, so no number of tries on
 * other names can push it out of the table and reset it.
 *
 * Every function takes the current time as an argument so the expiry and
 * rate-limit rules are testable without waiting.
 */
#ifndef ROSTER_WEBSESSION_H
#define ROSTER_WEBSESSION_H

#include <stddef.h>
#include <stdint.h>

#include "keys.h"

#define WS_TOKEN_LEN	64		/* hex digits of a token */
#define WS_NAME_MAX	32
#define WS_MAX_SESSIONS	256
#define WS_IDLE_MS	(30 * 60 * 1000LL)
#define WS_MAX_MS	(12 * 3600 * 1000LL)
#define WS_FAIL_LIMIT	5		/* an account's failures before the lock */
#define WS_FAIL_WINDOW_MS (10 * 60 * 1000LL)
#define WS_LOCK_MS	(60 * 1000LL)
#define WS_UNKNOWN_LIMIT 20		/* failures on names that are no account */
#define WS_TRIES_PER_S	10		/* sign-in tries a second, all names */
#define WS_PASSWORD_MIN	8

/* The sealed copy of a device key, as stored with an account. */
struct ws_sealed {
	uint8_t salt[16];
	uint8_t nonce[24];
	uint8_t box[96 + 16];		/* sk (64) || box_sk (32), plus MAC */
};

/* Account names: 1-32 of [a-z0-9._-], starting with a letter or digit. */
int ws_valid_name(const char *name);

/* The password hash string (crypto_pwhash_str, Argon2id), in out (>= 128
 * bytes).  -1 with rs_err when the password is too short or memory fails. */
int ws_hash_password(char out[128], const char *password);
/* 0 when password matches hash, -1 otherwise. */
int ws_check_password(const char *hash, const char *password);

/* Seals k's secret keys under password; opens them again into a new
 * keypair (pk and box_pk recomputed and compared with expect_pk).  NULL with
 * rs_err on a wrong password or a copy of another key. */
int ws_seal_key(struct ws_sealed *out, const struct keypair *k, const char *password);
struct keypair *ws_open_key(const struct ws_sealed *s, const char *password,
    const uint8_t expect_pk[32], const char *state);

struct ws_session {
	char token[WS_TOKEN_LEN + 1];
	char csrf[WS_TOKEN_LEN + 1];
	char user[WS_NAME_MAX + 1];
	char lang[8];
	int admin;
	int64_t created, last;
	struct keypair *key;		/* owned; wiped on end */
};

struct ws_table;

struct ws_table *ws_table_new(void);
void ws_table_free(struct ws_table *t);
/* Starts a session for user, taking ownership of key (even on failure).
 * Returns a copy of the session (without the key pointer) in *out. */
int ws_session_start(struct ws_table *t, const char *user, const char *lang,
    int admin, struct keypair *key, int64_t now, struct ws_session *out);
/* Finds the live session of token and touches it; expired ones are ended.
 * Copies it into *out (key pointer included: valid while the caller holds
 * the table's lock, see ws_lock).  0, or -1 when there is none. */
int ws_session_get(struct ws_table *t, const char *token, int64_t now,
    struct ws_session *out);
void ws_session_end(struct ws_table *t, const char *token);
/* Ends every session of user (after a password change). */
void ws_session_end_user(struct ws_table *t, const char *user);
void ws_session_set_lang(struct ws_table *t, const char *token, const char *lang);
/* The key of token's session, or NULL; the caller holds ws_lock and may
 * use the key only until ws_unlock. */
struct keypair *ws_session_key(struct ws_table *t, const char *token);
/* The table's lock, for callers that use a session's key. */
void ws_lock(struct ws_table *t);
void ws_unlock(struct ws_table *t);

/* Rate limiting of sign-ins; is_account says whether name is an account
 * of the node.  ws_rate_wait: 0 when name may try now (the try is counted
 * against the rate of all tries); otherwise the seconds to wait. */
int64_t ws_rate_wait(struct ws_table *t, const char *name, int is_account,
    int64_t now) __attribute__((warn_unused_result));
void ws_rate_failed(struct ws_table *t, const char *name, int is_account,
    int64_t now);
void ws_rate_passed(struct ws_table *t, const char *name);

/* Constant-time comparison of two tokens (NUL-terminated). */
int ws_token_equal(const char *a, const char *b);
/* Extracts the value of cookie name from a Cookie header into out.  -1 when
 * absent or longer than len - 1. */
int ws_cookie(const char *header, const char *name, char *out, size_t len);

#endif
