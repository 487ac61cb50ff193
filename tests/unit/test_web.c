/*
 * test_web.c - the web interface's security-bearing pieces, tried by
 * breaking them:
 *
 *   accounts    an Argon2id hash accepts its password and nothing else; the
 *               sealed device key opens with the password only, and only as
 *               the device it claims to be; a tampered copy is refused
 *   sessions    tokens are random and unguessable, expire when idle and at
 *               their maximum age, end on sign-out; a full table drops the
 *               least recently used; failed sign-ins lock an account name
 *   cookies     the session cookie is found among others, and an oversized
 *               or missing one is refused
 *   files       the URL-to-file mapping refuses every traversal attempt
 *   .mo         the catalogue reader reads a good file and refuses every
 *               truncation and out-of-bounds offset
 *   TLP         the forwarding rule of node/core/tlp.c, case by case
 */
/* The rule under test is one self-contained function of the node. */
#include "../../node/core/tlp.c"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>
#include <sodium.h>

#include "keys.h"
#include "mo.h"
#include "util.h"
#include "webfile.h"
#include "websession.h"

/* ---- accounts ----------------------------------------------------------- */

static void
test_password_hash(void **state)
{
	char h[128];

	assert_int_equal(ws_hash_password(h, "correct horse"), 0);
	assert_true(strncmp(h, "$argon2id$", 10) == 0);
	assert_int_equal(ws_check_password(h, "correct horse"), 0);
	assert_int_equal(ws_check_password(h, "correct horsE"), -1);
	assert_int_equal(ws_check_password(h, ""), -1);
	assert_int_equal(ws_check_password(h, "correct horse "), -1);
	assert_int_equal(ws_check_password("not a hash", "correct horse"), -1);
	assert_int_equal(ws_hash_password(h, "short"), -1);
	assert_non_null(strstr(rs_err(), "at least"));
}

static void
test_sealed_key(void **state)
{
	struct keypair *k = keypair_new("XA", 1), *o;
	struct ws_sealed s, bad;

	assert_non_null(k);
	assert_int_equal(ws_seal_key(&s, k, "account password"), 0);
	o = ws_open_key(&s, "account password", k->pk, "XA");
	assert_non_null(o);
	assert_memory_equal(o->sk, k->sk, 64);
	assert_memory_equal(o->box_sk, k->box_sk, 32);
	assert_memory_equal(o->box_pk, k->box_pk, 32);
	assert_int_equal(o->has_box, 1);
	keypair_free(o);

	assert_null(ws_open_key(&s, "account passwore", k->pk, "XA"));
	assert_non_null(strstr(rs_err(), "does not open"));

	/* every byte of the stored copy matters */
	for (size_t i = 0; i < sizeof(s); i += 7) {
		bad = s;
		((uint8_t *)&bad)[i] ^= 0x01;
		assert_null(ws_open_key(&bad, "account password", k->pk, "XA"));
	}

	/* a copy of another device's key is refused, not used */
	struct keypair *other = keypair_new("XA", 1);
	assert_null(ws_open_key(&s, "account password", other->pk, "XA"));
	assert_non_null(strstr(rs_err(), "another device"));

	/* a signing key without encryption half cannot be sealed */
	struct keypair *root = keypair_new("XA", 0);
	assert_int_equal(ws_seal_key(&bad, root, "account password"), -1);
	keypair_free(root);
	keypair_free(other);
	keypair_free(k);
}

static void
test_names(void **state)
{
	assert_true(ws_valid_name("alice"));
	assert_true(ws_valid_name("bob-en.2"));
	assert_false(ws_valid_name(""));
	assert_false(ws_valid_name("Alice"));
	assert_false(ws_valid_name(".hidden"));
	assert_false(ws_valid_name("-x"));
	assert_false(ws_valid_name("a b"));
	assert_false(ws_valid_name("a/b"));
	assert_false(ws_valid_name("abcdefghijabcdefghijabcdefghijabc"));
}

/* ---- sessions ----------------------------------------------------------- */

static void
test_session_expiry(void **state)
{
	struct ws_table *t = ws_table_new();
	struct ws_session s, g, s2;
	int64_t t0 = 1700000000000LL;

	assert_int_equal(ws_session_start(t, "alice", "ar", 1, keypair_new("XA", 1), t0, &s), 0);
	assert_int_equal(strlen(s.token), WS_TOKEN_LEN);
	assert_int_equal(strlen(s.csrf), WS_TOKEN_LEN);
	assert_string_not_equal(s.token, s.csrf);
	assert_null(s.key);

	assert_int_equal(ws_session_get(t, s.token, t0 + 1000, &g), 0);
	assert_string_equal(g.user, "alice");
	assert_string_equal(g.lang, "ar");
	assert_non_null(g.key);

	/* a token one digit off, or truncated, finds nothing */
	char wrong[WS_TOKEN_LEN + 1];
	memcpy(wrong, s.token, sizeof(wrong));
	wrong[10] = wrong[10] == 'a' ? 'b' : 'a';
	assert_int_equal(ws_session_get(t, wrong, t0 + 1000, &g), -1);
	wrong[10] = s.token[10];
	wrong[WS_TOKEN_LEN - 1] = '\0';
	assert_int_equal(ws_session_get(t, wrong, t0 + 1000, &g), -1);
	assert_int_equal(ws_session_get(t, "", t0 + 1000, &g), -1);

	/* used within the idle limit it lives on ... */
	int64_t now = t0;
	for (int i = 0; i < 10; i++) {
		now += WS_IDLE_MS - 1000;
		assert_int_equal(ws_session_get(t, s.token, now, &g), 0);
	}
	/* ... until its maximum age */
	assert_int_equal(ws_session_get(t, s.token, t0 + WS_MAX_MS + 1, &g), -1);
	assert_int_equal(ws_session_get(t, s.token, t0 + 1000, &g), -1);	/* gone for good */

	/* idle too long: over */
	assert_int_equal(ws_session_start(t, "bob", "en", 0, NULL, t0, &s2), 0);
	assert_int_equal(ws_session_get(t, s2.token, t0 + WS_IDLE_MS + 1, &g), -1);

	/* a clock that went backwards does not revive or extend a session */
	assert_int_equal(ws_session_start(t, "bob", "en", 0, NULL, t0, &s2), 0);
	assert_int_equal(ws_session_get(t, s2.token, t0 - 1, &g), -1);

	/* sign-out ends it */
	assert_int_equal(ws_session_start(t, "carol", "en", 0, NULL, t0, &s2), 0);
	ws_session_end(t, s2.token);
	assert_int_equal(ws_session_get(t, s2.token, t0, &g), -1);

	/* ending a user's sessions (password changed) */
	assert_int_equal(ws_session_start(t, "dave", "en", 0, NULL, t0, &s2), 0);
	ws_session_end_user(t, "dave");
	assert_int_equal(ws_session_get(t, s2.token, t0, &g), -1);
	ws_table_free(t);
}

static void
test_session_table_full(void **state)
{
	struct ws_table *t = ws_table_new();
	struct ws_session first, s, g;
	int64_t t0 = 1700000000000LL;

	assert_int_equal(ws_session_start(t, "u", "en", 0, NULL, t0, &first), 0);
	for (int i = 1; i < WS_MAX_SESSIONS + 5; i++)
		assert_int_equal(ws_session_start(t, "u", "en", 0, NULL, t0 + i, &s), 0);
	assert_int_equal(ws_session_get(t, first.token, t0 + 1000, &g), -1);
	assert_int_equal(ws_session_get(t, s.token, t0 + 1000, &g), 0);
	assert_int_equal(ws_session_start(t, "Bad Name", "en", 0, NULL, t0, &s), -1);
	ws_table_free(t);
}

static void
test_rate_limit(void **state)
{
	struct ws_table *t = ws_table_new();
	int64_t t0 = 1700000000000LL;

	for (int i = 0; i < WS_FAIL_LIMIT - 1; i++) {
		ws_rate_failed(t, "alice", 1, t0 + i);
		assert_int_equal(ws_rate_wait(t, "alice", 1, t0 + 1000 * i), 0);
	}
	ws_rate_failed(t, "alice", 1, t0 + 10);
	assert_true(ws_rate_wait(t, "alice", 1, t0 + 10) > 0);
	assert_true(ws_rate_wait(t, "alice", 1, t0 + 10) <= WS_LOCK_MS / 1000);
	assert_int_equal(ws_rate_wait(t, "bob", 1, t0 + 10000), 0);	/* others unaffected */
	assert_int_equal(ws_rate_wait(t, "alice", 1, t0 + 10 + WS_LOCK_MS), 0);
	/* a success clears the count */
	ws_rate_passed(t, "alice");
	ws_rate_failed(t, "alice", 1, t0 + 20);
	assert_int_equal(ws_rate_wait(t, "alice", 1, t0 + 20 + 2 * WS_LOCK_MS), 0);
	ws_table_free(t);
}

/* The eviction trick: one failure on each of 64 throw-away names,
 * then guesses on the victim.  The victim is locked after WS_FAIL_LIMIT
 * wrong guesses all the same (its counter is an account's, which other
 * names never displace), for WS_LOCK_MS. */
static void
test_rate_eviction(void **state)
{
	struct ws_table *t = ws_table_new();
	int64_t now = 1700000000000LL;
	char name[32];
	int allowed = 0;

	for (int round = 0; round < 4; round++) {
		for (int i = 0; i < 64; i++) {
			snprintf(name, sizeof(name), "junk%d-%d", round, i);
			now += 200;			/* within the rate of all tries */
			if (ws_rate_wait(t, name, 0, now) == 0)
				ws_rate_failed(t, name, 0, now);
		}
		for (int g = 0; g < 5; g++) {
			now += 200;
			if (ws_rate_wait(t, "victim", 1, now) == 0) {
				allowed++;
				ws_rate_failed(t, "victim", 1, now);
			}
		}
	}
	assert_int_equal(allowed, WS_FAIL_LIMIT);
	assert_true(ws_rate_wait(t, "victim", 1, now) > 0);
	/* Names that are no account share a counter, and its lock. */
	assert_true(ws_rate_wait(t, "junk-new", 0, now) > 0);
	/* The lock ends WS_LOCK_MS after the last failure. */
	assert_int_equal(ws_rate_wait(t, "victim", 1, now + WS_LOCK_MS), 0);
	ws_table_free(t);
}

/* Tries of all names together: at most WS_TRIES_PER_S a second. */
static void
test_rate_all_tries(void **state)
{
	struct ws_table *t = ws_table_new();
	int64_t now = 1700000000000LL;
	char name[32];

	for (int i = 0; i < WS_TRIES_PER_S; i++) {
		snprintf(name, sizeof(name), "user%d", i);
		assert_int_equal(ws_rate_wait(t, name, i % 2, now + i), 0);
	}
	assert_int_equal(ws_rate_wait(t, "another", 1, now + 500), 1);
	assert_int_equal(ws_rate_wait(t, "another", 1, now + 1000), 0);
	ws_table_free(t);
}

static void
test_cookie(void **state)
{
	char v[70];

	assert_int_equal(ws_cookie("roster_session=abc", "roster_session", v, sizeof(v)), 0);
	assert_string_equal(v, "abc");
	assert_int_equal(ws_cookie("a=1; roster_session=xyz; b=2", "roster_session", v, sizeof(v)), 0);
	assert_string_equal(v, "xyz");
	assert_int_equal(ws_cookie("xroster_session=1", "roster_session", v, sizeof(v)), -1);
	assert_int_equal(ws_cookie("roster_sessionx=1", "roster_session", v, sizeof(v)), -1);
	assert_int_equal(ws_cookie("", "roster_session", v, sizeof(v)), -1);
	assert_int_equal(ws_cookie(NULL, "roster_session", v, sizeof(v)), -1);
	char big[200];
	memset(big, 'a', sizeof(big));
	memcpy(big, "roster_session=", 15);
	big[sizeof(big) - 1] = '\0';
	assert_int_equal(ws_cookie(big, "roster_session", v, sizeof(v)), -1);
	assert_true(ws_token_equal("abcd", "abcd"));
	assert_false(ws_token_equal("abcd", "abce"));
	assert_false(ws_token_equal("abcd", "abc"));
	assert_false(ws_token_equal("", ""));
}

/* ---- static files ------------------------------------------------------- */

static void
test_webfile_paths(void **state)
{
	char out[512];
	const char *ok[] = { "/", "/index.html", "/js/app.js", "/js/pages/inbox.js",
	    "/i18n/ar.json", "/style.css", "/a..b.css", NULL };
	const char *bad[] = { "", "index.html", "/..", "/../etc/passwd", "/js/../../x.js",
	    "/./index.html", "/js//app.js", "/.git/config", "/js/.hidden.js", "/%2e%2e/x.js",
	    "/js\\app.js", "/index.html/", "/app", "/x.exe", "/x.js\n", "/x .js", "/é.js",
	    "/etc/passwd", "/js/app.js?x", NULL };

	for (int i = 0; ok[i]; i++)
		assert_non_null(webfile_resolve("/srv/web", ok[i], out, sizeof(out)));
	assert_non_null(webfile_resolve("/srv/web", "/", out, sizeof(out)));
	assert_string_equal(out, "/srv/web/index.html");
	assert_string_equal(webfile_resolve("/r", "/js/app.js", out, sizeof(out)),
	    "text/javascript; charset=utf-8");
	for (int i = 0; bad[i]; i++) {
		if (webfile_resolve("/srv/web", bad[i], out, sizeof(out)) != NULL)
			fail_msg("accepted \"%s\"", bad[i]);
	}
	char longp[300];
	memset(longp, 'a', sizeof(longp));
	longp[0] = '/';
	memcpy(longp + sizeof(longp) - 5, ".css", 5);
	assert_null(webfile_resolve("/srv/web", longp, out, sizeof(out)));
	assert_null(webfile_resolve("/srv/web", "/index.html", out, 10));	/* no room */
}

/* ---- .mo ---------------------------------------------------------------- */

static size_t
make_mo(uint8_t *p, int swap)
{
	const char *o[] = { "France", "Spain" }, *t[] = { "Francia", "Espa\xc3\xb1" "a" };
	uint32_t hdr[7] = { 0x950412de, 0, 2, 28, 44, 0, 0 };
	size_t pos = 60, at = 28;

	for (int i = 0; i < 7; i++) {
		uint32_t v = swap ? __builtin_bswap32(hdr[i]) : hdr[i];
		memcpy(p + 4 * i, &v, 4);
	}
	for (int k = 0; k < 2; k++) {
		const char **s = k ? t : o;
		for (int i = 0; i < 2; i++) {
			uint32_t len = (uint32_t)strlen(s[i]), off = (uint32_t)pos;
			if (swap) {
				len = __builtin_bswap32(len);
				off = __builtin_bswap32(off);
			}
			memcpy(p + at, &len, 4);
			memcpy(p + at + 4, &off, 4);
			at += 8;
			memcpy(p + pos, s[i], strlen(s[i]) + 1);
			pos += strlen(s[i]) + 1;
		}
	}
	return pos;
}

static int
collect(void *ctx, const char *o, const char *t)
{
	char *out = ctx;
	strcat(out, o);
	strcat(out, "=");
	strcat(out, t);
	strcat(out, ";");
	return 0;
}

static void
test_mo(void **state)
{
	uint8_t mo[256];
	char got[256];

	for (int swap = 0; swap < 2; swap++) {
		size_t len = make_mo(mo, swap);
		got[0] = '\0';
		assert_int_equal(mo_walk(mo, len, collect, got), 0);
		assert_string_equal(got, "France=Francia;Spain=Espa\xc3\xb1" "a;");
		/* every truncation is refused or reads only what is there */
		for (size_t cut = 0; cut < len; cut++) {
			got[0] = '\0';
			assert_int_equal(mo_walk(mo, cut, collect, got), -1);
		}
	}
	size_t len = make_mo(mo, 0);
	uint8_t bad[256];
	memcpy(bad, mo, len);
	bad[0] ^= 1;					/* magic */
	assert_int_equal(mo_walk(bad, len, collect, got), -1);
	memcpy(bad, mo, len);
	bad[8] = 0xff; bad[9] = 0xff; bad[10] = 0xff; bad[11] = 0x7f;	/* count */
	assert_int_equal(mo_walk(bad, len, collect, got), -1);
	memcpy(bad, mo, len);
	bad[32] = 0xf0;					/* first string's offset */
	assert_int_equal(mo_walk(bad, len, collect, got), -1);
	memcpy(bad, mo, len);
	bad[28] = 0xff; bad[29] = 0xff; bad[30] = 0xff; bad[31] = 0xff;	/* length */
	assert_int_equal(mo_walk(bad, len, collect, got), -1);
	memcpy(bad, mo, len);
	bad[60 + 6] = 'x';				/* NUL after "France" gone */
	assert_int_equal(mo_walk(bad, len, collect, got), -1);
	memcpy(bad, mo, len);
	bad[6] = 1;					/* major revision 1 */
	assert_int_equal(mo_walk(bad, len, collect, got), -1);
}

/* ---- TLP ---------------------------------------------------------------- */

static void
test_tlp(void **state)
{
	json_t *orig = json_pack("[s,s]", "XA", "XB");

#define MAY(tlp, nf, to) (tlp_may_forward(tlp, nf, "XA", orig, to) == 0)
	assert_false(MAY("RED", 0, "XA"));
	assert_non_null(strstr(rs_err(), "TLP:RED"));
	assert_false(MAY("RED", 0, "XB"));
	assert_true(MAY("AMBER+STRICT", 0, "XA"));
	assert_false(MAY("AMBER+STRICT", 0, "XB"));
	assert_non_null(strstr(rs_err(), "only within XA"));
	assert_true(MAY("AMBER", 0, "XB"));		/* the original went to XB */
	assert_false(MAY("AMBER", 0, "XC"));		/* a new State would learn it */
	assert_non_null(strstr(rs_err(), "XC was not among them"));
	assert_true(MAY("GREEN", 0, "XC"));
	assert_true(MAY("CLEAR", 0, "XC"));
	assert_false(MAY("CLEAR", 1, "XB"));
	assert_non_null(strstr(rs_err(), "does not allow"));
	assert_false(MAY("AMBER+STRICT", 1, "XA"));
	assert_false(MAY("red", 0, "XB"));
	assert_non_null(strstr(rs_err(), "unknown TLP"));
	assert_false(MAY("", 0, "XB"));
	assert_false(MAY(NULL, 0, "XB"));
	assert_false(MAY("WHITE", 0, "XB"));
#undef MAY
	json_decref(orig);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_password_hash),
		cmocka_unit_test(test_sealed_key),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_session_expiry),
		cmocka_unit_test(test_session_table_full),
		cmocka_unit_test(test_rate_limit),
		cmocka_unit_test(test_rate_eviction),
		cmocka_unit_test(test_rate_all_tries),
		cmocka_unit_test(test_cookie),
		cmocka_unit_test(test_webfile_paths),
		cmocka_unit_test(test_mo),
		cmocka_unit_test(test_tlp),
	};

	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
