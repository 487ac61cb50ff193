/*
 * websession.c - password hashes, sealed device keys, sessions and sign-in
 * rate limiting for the node's web interface (see websession.h for the
 * design).  The session table is a fixed array behind one mutex: a node has
 * a handful of users, and a bounded table cannot be grown by a flood of
 * sign-ins (the oldest session is dropped when it is full).
 *
 * Sign-in limits.  The counters of accounts live in their own table, which
 * only names of accounts enter: it is as large as the node's accounts, and
 * failing on any number of other names leaves every account's count alone
 * (a shared table that evicts its oldest entry, unknown names included,
 * let 64 throw-away names reset the victim's count).  Names that are no
 * account share one counter, and every try, whatever the name, goes
 * through a limit of WS_TRIES_PER_S a second (each costs an Argon2id).
 */
#include "websession.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sodium.h>

#include "util.h"

#define RATE_ACCOUNTS_MAX 4096	/* accounts with a counter, at most */

struct rate {
	char name[WS_NAME_MAX + 1];
	int fails;
	int64_t first, last;
};

struct ws_table {
	pthread_mutex_t mu;
	struct ws_session s[WS_MAX_SESSIONS];
	struct rate *accounts;		/* one per account that failed */
	size_t naccounts;
	struct rate unknown;		/* every name that is no account */
	int64_t tries[WS_TRIES_PER_S];	/* times of the last tries, a ring */
	size_t ntry;
};

int
ws_valid_name(const char *name)
{
	size_t n = strlen(name);

	if (n == 0 || n > WS_NAME_MAX)
		return 0;
	if (strspn(name, "abcdefghijklmnopqrstuvwxyz0123456789._-") != n)
		return 0;
	return name[0] != '.' && name[0] != '_' && name[0] != '-';
}

int
ws_hash_password(char out[128], const char *password)
{
	if (strlen(password) < WS_PASSWORD_MIN) {
		rs_seterr("a password needs at least %d characters", WS_PASSWORD_MIN);
		return -1;
	}
	if (crypto_pwhash_str(out, password, strlen(password),
	    crypto_pwhash_OPSLIMIT_INTERACTIVE, crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0) {
		rs_seterr("not enough memory to hash the password (Argon2id)");
		return -1;
	}
	return 0;
}

int
ws_check_password(const char *hash, const char *password)
{
	if (hash == NULL || password == NULL)
		return -1;
	return crypto_pwhash_str_verify(hash, password, strlen(password)) == 0 ? 0 : -1;
}

static int
derive(uint8_t key[32], const uint8_t salt[16], const char *password)
{
	if (crypto_pwhash(key, 32, password, strlen(password), salt,
	    crypto_pwhash_OPSLIMIT_INTERACTIVE, crypto_pwhash_MEMLIMIT_INTERACTIVE,
	    crypto_pwhash_ALG_ARGON2ID13) != 0) {
		rs_seterr("not enough memory to derive the key (Argon2id)");
		return -1;
	}
	return 0;
}

int
ws_seal_key(struct ws_sealed *out, const struct keypair *k, const char *password)
{
	uint8_t *plain = sodium_malloc(96), *key = sodium_malloc(32);
	int rc = -1;

	if (plain == NULL || key == NULL) {
		rs_seterr("out of protected memory");
		goto out;
	}
	if (!k->has_box) {
		rs_seterr("only a device key can be sealed for an account");
		goto out;
	}
	randombytes_buf(out->salt, sizeof(out->salt));
	randombytes_buf(out->nonce, sizeof(out->nonce));
	if (derive(key, out->salt, password) != 0)
		goto out;
	memcpy(plain, k->sk, 64);
	memcpy(plain + 64, k->box_sk, 32);
	crypto_secretbox_easy(out->box, plain, 96, out->nonce, key);
	rc = 0;
out:
	sodium_free(plain);
	sodium_free(key);
	return rc;
}

struct keypair *
ws_open_key(const struct ws_sealed *s, const char *password,
    const uint8_t expect_pk[32], const char *state)
{
	uint8_t *plain = sodium_malloc(96), *key = sodium_malloc(32);
	struct keypair *k = NULL;

	if (plain == NULL || key == NULL) {
		rs_seterr("out of protected memory");
		goto out;
	}
	if (derive(key, s->salt, password) != 0)
		goto out;
	if (crypto_secretbox_open_easy(plain, s->box, sizeof(s->box), s->nonce, key) != 0) {
		rs_seterr("the password does not open this account's copy of the device key");
		goto out;
	}
	if ((k = keypair_new(state, 1)) == NULL)
		goto out;
	memcpy(k->sk, plain, 64);
	memcpy(k->box_sk, plain + 64, 32);
	crypto_sign_ed25519_sk_to_pk(k->pk, k->sk);
	crypto_scalarmult_base(k->box_pk, k->box_sk);
	if (sodium_memcmp(k->pk, expect_pk, 32) != 0) {
		rs_seterr("the account holds the key of another device (was the node re-initialised?)");
		keypair_free(k);
		k = NULL;
	}
out:
	sodium_free(plain);
	sodium_free(key);
	return k;
}

struct ws_table *
ws_table_new(void)
{
	struct ws_table *t = xcalloc(1, sizeof(*t));

	pthread_mutex_init(&t->mu, NULL);
	return t;
}

static void
end_slot(struct ws_session *s)
{
	keypair_free(s->key);
	sodium_memzero(s, sizeof(*s));
}

void
ws_table_free(struct ws_table *t)
{
	if (t == NULL)
		return;
	for (int i = 0; i < WS_MAX_SESSIONS; i++)
		if (t->s[i].token[0])
			end_slot(&t->s[i]);
	pthread_mutex_destroy(&t->mu);
	free(t->accounts);
	free(t);
}

void
ws_lock(struct ws_table *t)
{
	pthread_mutex_lock(&t->mu);
}

void
ws_unlock(struct ws_table *t)
{
	pthread_mutex_unlock(&t->mu);
}

static void
random_token(char out[WS_TOKEN_LEN + 1])
{
	uint8_t r[WS_TOKEN_LEN / 2];

	randombytes_buf(r, sizeof(r));
	sodium_bin2hex(out, WS_TOKEN_LEN + 1, r, sizeof(r));
}

static int
expired(const struct ws_session *s, int64_t now)
{
	return now - s->last > WS_IDLE_MS || now - s->created > WS_MAX_MS || now < s->created;
}

int
ws_session_start(struct ws_table *t, const char *user, const char *lang,
    int admin, struct keypair *key, int64_t now, struct ws_session *out)
{
	struct ws_session *slot = NULL;

	if (!ws_valid_name(user)) {
		keypair_free(key);
		rs_seterr("invalid account name");
		return -1;
	}
	pthread_mutex_lock(&t->mu);
	for (int i = 0; i < WS_MAX_SESSIONS; i++) {
		struct ws_session *s = &t->s[i];
		if (s->token[0] && expired(s, now))
			end_slot(s);
		if (!s->token[0] && slot == NULL)
			slot = s;
	}
	if (slot == NULL) {		/* full: drop the least recently used */
		slot = &t->s[0];
		for (int i = 1; i < WS_MAX_SESSIONS; i++)
			if (t->s[i].last < slot->last)
				slot = &t->s[i];
		end_slot(slot);
	}
	random_token(slot->token);
	random_token(slot->csrf);
	snprintf(slot->user, sizeof(slot->user), "%s", user);
	snprintf(slot->lang, sizeof(slot->lang), "%s", lang ? lang : "en");
	slot->admin = admin;
	slot->created = slot->last = now;
	slot->key = key;
	*out = *slot;
	out->key = NULL;
	pthread_mutex_unlock(&t->mu);
	return 0;
}

int
ws_token_equal(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);

	if (la != lb || la == 0)
		return 0;
	return sodium_memcmp(a, b, la) == 0;
}

static struct ws_session *
find(struct ws_table *t, const char *token)
{
	if (token == NULL || strlen(token) != WS_TOKEN_LEN)
		return NULL;
	for (int i = 0; i < WS_MAX_SESSIONS; i++)
		if (t->s[i].token[0] && ws_token_equal(t->s[i].token, token))
			return &t->s[i];
	return NULL;
}

int
ws_session_get(struct ws_table *t, const char *token, int64_t now,
    struct ws_session *out)
{
	struct ws_session *s;
	int rc = -1;

	pthread_mutex_lock(&t->mu);
	if ((s = find(t, token)) != NULL) {
		if (expired(s, now))
			end_slot(s);
		else {
			s->last = now;
			*out = *s;
			rc = 0;
		}
	}
	pthread_mutex_unlock(&t->mu);
	return rc;
}

struct keypair *
ws_session_key(struct ws_table *t, const char *token)
{
	struct ws_session *s = find(t, token);

	return s != NULL ? s->key : NULL;
}

void
ws_session_end(struct ws_table *t, const char *token)
{
	struct ws_session *s;

	pthread_mutex_lock(&t->mu);
	if ((s = find(t, token)) != NULL)
		end_slot(s);
	pthread_mutex_unlock(&t->mu);
}

void
ws_session_end_user(struct ws_table *t, const char *user)
{
	pthread_mutex_lock(&t->mu);
	for (int i = 0; i < WS_MAX_SESSIONS; i++)
		if (t->s[i].token[0] && strcmp(t->s[i].user, user) == 0)
			end_slot(&t->s[i]);
	pthread_mutex_unlock(&t->mu);
}

void
ws_session_set_lang(struct ws_table *t, const char *token, const char *lang)
{
	struct ws_session *s;

	pthread_mutex_lock(&t->mu);
	if ((s = find(t, token)) != NULL)
		snprintf(s->lang, sizeof(s->lang), "%s", lang);
	pthread_mutex_unlock(&t->mu);
}

/* The counter of an account (created when create). */
static struct rate *
account_rate(struct ws_table *t, const char *name, int create, int64_t now)
{
	struct rate *r;

	for (size_t i = 0; i < t->naccounts; i++)
		if (strcmp(t->accounts[i].name, name) == 0)
			return &t->accounts[i];
	if (!create || t->naccounts == RATE_ACCOUNTS_MAX)
		return NULL;
	t->accounts = xrealloc(t->accounts, (t->naccounts + 1) * sizeof(*t->accounts));
	r = &t->accounts[t->naccounts++];
	memset(r, 0, sizeof(*r));
	snprintf(r->name, sizeof(r->name), "%.*s", WS_NAME_MAX, name);
	r->first = r->last = now;
	return r;
}

static int64_t
locked_for(const struct rate *r, int limit, int64_t now)
{
	if (r == NULL || r->fails < limit || now - r->last >= WS_LOCK_MS)
		return 0;
	return (WS_LOCK_MS - (now - r->last) + 999) / 1000;
}

static void
count_failure(struct rate *r, int64_t now)
{
	if (now - r->first > WS_FAIL_WINDOW_MS) {
		r->fails = 0;
		r->first = now;
	}
	r->fails++;
	r->last = now;
}

int64_t
ws_rate_wait(struct ws_table *t, const char *name, int is_account, int64_t now)
{
	int64_t wait, oldest;

	pthread_mutex_lock(&t->mu);
	wait = is_account ? locked_for(account_rate(t, name, 0, now), WS_FAIL_LIMIT,
	    now) : locked_for(&t->unknown, WS_UNKNOWN_LIMIT, now);
	if (wait == 0) {
		/* The ring holds the last WS_TRIES_PER_S tries; the oldest of
		 * them less than a second ago means one try too many. */
		oldest = t->tries[t->ntry % WS_TRIES_PER_S];
		if (t->ntry >= WS_TRIES_PER_S && now - oldest < 1000)
			wait = 1;
		else
			t->tries[t->ntry++ % WS_TRIES_PER_S] = now;
	}
	pthread_mutex_unlock(&t->mu);
	return wait;
}

void
ws_rate_failed(struct ws_table *t, const char *name, int is_account, int64_t now)
{
	struct rate *r;

	pthread_mutex_lock(&t->mu);
	r = is_account ? account_rate(t, name, 1, now) : &t->unknown;
	if (r == NULL)
		r = &t->unknown;	/* more accounts than counters: share one */
	count_failure(r, now);
	pthread_mutex_unlock(&t->mu);
}

void
ws_rate_passed(struct ws_table *t, const char *name)
{
	struct rate *r;

	pthread_mutex_lock(&t->mu);
	if ((r = account_rate(t, name, 0, 0)) != NULL) {
		r->fails = 0;
		r->first = r->last = 0;
	}
	pthread_mutex_unlock(&t->mu);
}

int
ws_cookie(const char *header, const char *name, char *out, size_t len)
{
	size_t nl = strlen(name);
	const char *p = header;

	if (header == NULL || len == 0)
		return -1;
	while (*p) {
		while (*p == ' ' || *p == '\t' || *p == ';')
			p++;
		const char *end = strchr(p, ';');
		size_t seg = end ? (size_t)(end - p) : strlen(p);
		if (seg > nl && strncmp(p, name, nl) == 0 && p[nl] == '=') {
			size_t vl = seg - nl - 1;
			while (vl > 0 && (p[nl + 1 + vl - 1] == ' ' || p[nl + 1 + vl - 1] == '\t'))
				vl--;
			if (vl >= len)
				return -1;
			memcpy(out, p + nl + 1, vl);
			out[vl] = '\0';
			return 0;
		}
		p += seg;
	}
	return -1;
}
