/*
 * test_taxii.c - the pure parts of the TAXII 2.1 server (lib/taxii.h):
 * media-type negotiation, error objects, the query parameters and the next
 * token.
 *
 * What it tries to break: that a client which does not accept TAXII 2.1
 * is told so (406) and one that sends something else is refused (415),
 * while the spellings RFC 9110 allows (case, spaces, quotes, weights,
 * wildcards) are understood; that every malformed, repeated or misplaced
 * query parameter is a clear 400, and that queries which select the same
 * objects have the same canonical form and others do not; that a next
 * token cannot be forged, altered, or carried to another query, collection
 * or server key, but survives a restart; that two servers creating the key
 * at once agree on it; that a path names exactly one endpoint or none, an
 * Authorization header gives its credentials or is malformed, and what a
 * tool POSTs is checked as a bundle.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <jansson.h>
#include <sodium.h>

#include "jsonutil.h"
#include "taxii.h"
#include "tmpdir.h"
#include "util.h"

#define has(s, sub) do { \
	if (strstr((s), (sub)) == NULL) \
		fail_msg("\"%s\" does not contain \"%s\"", (s), (sub)); \
} while (0)

/* ---- media types -------------------------------------------------------------- */

static void
test_accept(void **state)
{
	static const char *const ok[] = {
		"application/taxii+json;version=2.1", "application/taxii+json",
		"application/taxii+json; version=2.1", "APPLICATION/TAXII+JSON;VERSION=2.1",
		"application/taxii+json;version=\"2.1\"", "*/*", "application/*", "",
		" , application/taxii+json;version=2.1 ,", "text/html, */*;q=0.1",
		"application/taxii+json;version=2.0, */*;q=0.1",
		"text/html, application/taxii+json;version=2.1;q=0.5",
		"application/taxii+json;version=2.1;charset=utf-8",
		"application/taxii+json;q=0, application/taxii+json;version=2.1",
		"application/taxii+json;version=2.1;q=1.000;ext=1", NULL
	};
	static const char *const no[] = {
		"application/taxii+json;version=2.0", "application/json",
		"application/stix+json;version=2.1", "text/html", "application/taxii+json;q=0",
		"application/taxii+json;version=2.1;q=0, */*",
		"application/*;q=0, */*", "application/taxii+json;charset=latin1",
		"application/taxii+json;version=2.1;profile=x", "*/*;q=0", NULL
	};
	static const char *const malformed[] = {
		"application", "application/", "/json", ";", "application/taxii+json;version",
		"application/taxii+json;version=", "a/b;q=2", "a/b;q=0.1234", "a/b;q=x",
		"a/b c", "a/b;version=\"2.1", "a/b;q=1.5", NULL
	};
	struct buf big = {0};

	(void)state;
	assert_int_equal(taxii_accept(NULL), TAXII_MEDIA_OK);
	for (int i = 0; ok[i] != NULL; i++)
		if (taxii_accept(ok[i]) != TAXII_MEDIA_OK)
			fail_msg("refused Accept: %s (%s)", ok[i], rs_err());
	for (int i = 0; no[i] != NULL; i++) {
		if (taxii_accept(no[i]) != TAXII_MEDIA_UNSUPPORTED)
			fail_msg("Accept %s not a 406", no[i]);
		has(rs_err(), "answers only in application/taxii+json;version=2.1");
	}
	for (int i = 0; malformed[i] != NULL; i++)
		if (taxii_accept(malformed[i]) != TAXII_MEDIA_MALFORMED)
			fail_msg("Accept %s not malformed", malformed[i]);
	for (int i = 0; i < 400; i++)
		buf_addstr(&big, "text/html, ");
	buf_addstr(&big, "*/*");
	assert_int_equal(taxii_accept(buf_cstr(&big)), TAXII_MEDIA_MALFORMED);
	buf_free(&big);
}

static void
test_content_type(void **state)
{
	(void)state;
	assert_int_equal(taxii_content_type("application/taxii+json;version=2.1"), TAXII_MEDIA_OK);
	assert_int_equal(taxii_content_type("application/taxii+json"), TAXII_MEDIA_OK);
	assert_int_equal(taxii_content_type("Application/TAXII+json ; charset=UTF-8; version=2.1"),
	    TAXII_MEDIA_OK);
	assert_int_equal(taxii_content_type(NULL), TAXII_MEDIA_UNSUPPORTED);
	has(rs_err(), "needs Content-Type: application/taxii+json;version=2.1");
	assert_int_equal(taxii_content_type("application/taxii+json;version=2.0"),
	    TAXII_MEDIA_UNSUPPORTED);
	assert_int_equal(taxii_content_type("application/stix+json;version=2.1"),
	    TAXII_MEDIA_UNSUPPORTED);
	has(rs_err(), "Content-Type application/stix+json is not");
	assert_int_equal(taxii_content_type("application/json"), TAXII_MEDIA_UNSUPPORTED);
	assert_int_equal(taxii_content_type("*/*"), TAXII_MEDIA_UNSUPPORTED);
	assert_int_equal(taxii_content_type("application/taxii+json;version=2.1;version=2.1"),
	    TAXII_MEDIA_MALFORMED);
	assert_int_equal(taxii_content_type("application/taxii+json, text/html"),
	    TAXII_MEDIA_MALFORMED);
	assert_int_equal(taxii_content_type(""), TAXII_MEDIA_MALFORMED);
}

static void
test_error_object(void **state)
{
	json_t *e = taxii_error(406, "Not Acceptable", "only TAXII 2.1");
	char bad[] = { 'x', (char)0xff, 0 };

	(void)state;
	assert_string_equal(jstr(e, "title"), "Not Acceptable");
	assert_string_equal(jstr(e, "description"), "only TAXII 2.1");
	/* http_status is a string in TAXII 2.1 */
	assert_true(json_is_string(json_object_get(e, "http_status")));
	assert_string_equal(jstr(e, "http_status"), "406");
	json_decref(e);
	e = taxii_error(400, "Bad Request", NULL);
	assert_null(json_object_get(e, "description"));
	json_decref(e);
	e = taxii_error(400, "Bad Request", bad);
	has(jstr(e, "description"), "not UTF-8");
	json_decref(e);
}

/* ---- query parameters --------------------------------------------------------------- */

static void
query_bad(const char *raw, unsigned allowed, const char *why)
{
	struct taxii_query q;

	if (taxii_query_parse(&q, raw, allowed) == 0)
		fail_msg("accepted ?%.200s", raw);
	has(rs_err(), why);
	taxii_query_free(&q);
}

static char *
canonical(const char *raw, unsigned allowed)
{
	struct taxii_query q;
	struct buf b = {0};

	if (taxii_query_parse(&q, raw, allowed) != 0)
		fail_msg("refused ?%s: %s", raw, rs_err());
	taxii_query_canonical(&q, &b);
	taxii_query_free(&q);
	return (char *)buf_cstr(&b);
}

#define ID1	"indicator--00000000-0000-4000-8000-000000000001"
#define ID2	"report--00000000-0000-4000-8000-000000000002"

static void
test_query(void **state)
{
	struct taxii_query q;
	struct buf b = {0};

	(void)state;
	assert_int_equal(taxii_query_parse(&q, "added_after=2026-01-01T00%3A00%3A00.123456Z&"
	    "limit=10&match%5Btype%5D=report,indicator,indicator&match[id]=" ID2 "," ID1
	    "&match[version]=all,2026-01-01T00:00:00Z,first&match[spec_version]=2.1,2.0"
	    "&_=12345&foo", TAXII_Q_OBJECTS), 0);
	assert_int_equal(q.given, TAXII_Q_ADDED_AFTER | TAXII_Q_LIMIT | TAXII_Q_MATCH_ID |
	    TAXII_Q_MATCH_TYPE | TAXII_Q_MATCH_VERSION | TAXII_Q_MATCH_SPEC_VERSION);
	assert_int_equal(q.added_after, INT64_C(1767225600123456));
	assert_int_equal(q.limit, 10);
	assert_int_equal(q.ntypes, 2);
	assert_string_equal(q.types[0], "indicator");
	assert_string_equal(q.types[1], "report");
	assert_int_equal(q.nids, 2);
	assert_string_equal(q.ids[0], ID1);
	assert_int_equal(q.versions, TAXII_V_ALL | TAXII_V_FIRST);
	assert_int_equal(q.nversion_at, 1);
	assert_int_equal(q.version_at[0], INT64_C(1767225600000000));
	assert_int_equal(q.nspec_versions, 2);
	assert_string_equal(q.spec_versions[0], "2.0");
	taxii_query_canonical(&q, &b);
	assert_string_equal(buf_cstr(&b), "added_after=1767225600123456\n"
	    "match[id]=" ID1 "," ID2 "\nmatch[type]=indicator,report\n"
	    "match[version]=all,first,1767225600000000,\nmatch[spec_version]=2.0,2.1\n");
	buf_free(&b);
	taxii_query_free(&q);

	/* nothing, and what is not ours */
	assert_int_equal(taxii_query_parse(&q, NULL, TAXII_Q_OBJECTS), 0);
	assert_int_equal(q.given, 0);
	taxii_query_free(&q);
	assert_int_equal(taxii_query_parse(&q, "&&x=1&&", TAXII_Q_NONE), 0);
	taxii_query_free(&q);
	/* a fraction finer than a microsecond is truncated: X > T iff X > floor(T) */
	assert_int_equal(taxii_query_parse(&q, "added_after=2026-01-01T00:00:00.1234567Z",
	    TAXII_Q_OBJECTS), 0);
	assert_int_equal(q.added_after, INT64_C(1767225600123456));
	taxii_query_free(&q);
	assert_int_equal(taxii_query_parse(&q, "next=abc_-DEF", TAXII_Q_OBJECTS), 0);
	assert_string_equal(q.next, "abc_-DEF");
	taxii_query_free(&q);
}

static void
test_query_refusals(void **state)
{
	struct buf b = {0};

	(void)state;
	query_bad("limit=1&limit=2", TAXII_Q_OBJECTS, "limit is given twice");
	query_bad("match[type]=a-b&match%5Btype%5D=c-d", TAXII_Q_OBJECTS,
	    "match[type] is given twice");
	query_bad("match[colour]=red", TAXII_Q_OBJECTS, "match[colour] is not a filter of TAXII 2.1");
	query_bad("match[type]=indicator", TAXII_Q_VERSIONS,
	    "match[type] is not a parameter of this endpoint (it takes: added_after, limit, "
	    "next, match[spec_version])");
	query_bad("match[id]=" ID1, TAXII_Q_OBJECT, "match[id] is not a parameter");
	query_bad("added_after=2026-01-01T00:00:00Z", TAXII_Q_DELETE, "added_after is not a "
	    "parameter of this endpoint (it takes: match[version], match[spec_version])");
	query_bad("limit=1", TAXII_Q_NONE, "(it takes: none)");
	query_bad("limit=0", TAXII_Q_OBJECTS, "limit: \"0\" is not a whole number from 1");
	query_bad("limit=-1", TAXII_Q_OBJECTS, "limit: \"-1\" is not a whole number");
	query_bad("limit=ten", TAXII_Q_OBJECTS, "is not a whole number");
	query_bad("limit=99999999999", TAXII_Q_OBJECTS, "is not a whole number");
	query_bad("limit=1e3", TAXII_Q_OBJECTS, "is not a whole number");
	query_bad("limit=", TAXII_Q_OBJECTS, "limit: empty");
	query_bad("limit", TAXII_Q_OBJECTS, "limit: empty");
	query_bad("added_after=2026-01-01", TAXII_Q_OBJECTS, "added_after: \"2026-01-01\" is not "
	    "a timestamp");
	query_bad("added_after=2026-01-01T00:00:00+01:00", TAXII_Q_OBJECTS, "added_after:");
	query_bad("match[type]=indicator,,report", TAXII_Q_OBJECTS, "match[type]: an empty item");
	query_bad("match[type]=indicator,", TAXII_Q_OBJECTS, "match[type]: an empty item");
	query_bad("match[type]=,indicator", TAXII_Q_OBJECTS, "match[type]: an empty item");
	query_bad("match[type]=Indicator", TAXII_Q_OBJECTS, "\"Indicator\" is not a STIX type name");
	query_bad("match[type]=indicator,+report", TAXII_Q_OBJECTS, "\" report\" is not a STIX");
	query_bad("match[id]=indicator--1", TAXII_Q_OBJECTS, "\"indicator--1\" is not a STIX "
	    "identifier");
	query_bad("match[version]=newest", TAXII_Q_OBJECTS, "\"newest\" is not first, last, all "
	    "or a timestamp");
	query_bad("match[spec_version]=2", TAXII_Q_OBJECTS, "\"2\" is not a STIX version");
	query_bad("match[spec_version]=2.1.1", TAXII_Q_OBJECTS, "is not a STIX version");
	query_bad("next=a%2Fb", TAXII_Q_OBJECTS, "next: not a token this server gave");
	query_bad("next=a.b", TAXII_Q_OBJECTS, "next: not a token");
	query_bad("limit=%zz", TAXII_Q_OBJECTS, "bad %-escape");
	query_bad("limit=1%2", TAXII_Q_OBJECTS, "bad %-escape");
	query_bad("limit=1%", TAXII_Q_OBJECTS, "bad %-escape");
	query_bad("limit=1%00", TAXII_Q_OBJECTS, "bad %-escape");
	query_bad("lim%00it=1", TAXII_Q_OBJECTS, "bad %-escape");

	buf_addstr(&b, "match[type]=a-b");
	for (int i = 0; i < TAXII_MAX_LIST; i++)
		buf_addstr(&b, ",a-b");
	query_bad(buf_cstr(&b), TAXII_Q_OBJECTS, "match[type]: more than 100 items");
	b.len = 0;
	buf_addstr(&b, "x=");
	for (int i = 0; i < TAXII_MAX_QUERY; i++)
		buf_addstr(&b, "a");
	query_bad(buf_cstr(&b), TAXII_Q_OBJECTS, "the query is longer than 8192 bytes");
	buf_free(&b);
}

static void
test_canonical(void **state)
{
	static const char *const same[][2] = {
		{ "match[type]=report,indicator", "match[type]=indicator,report,indicator" },
		{ "added_after=2026-01-01T00:00:00Z", "added_after=2026-01-01T00:00:00.000000Z" },
		{ "", "match[version]=last" },
		{ "match[version]=2026-01-01T00:00:00Z,first",
		    "match[version]=first,2026-01-01T00:00:00.000Z,2026-01-01T00:00:00Z" },
		{ "limit=5", "limit=500&_=x" },
		{ "next=abc&limit=2", "" },
	};
	static const char *const differ[][2] = {
		{ "match[type]=indicator", "match[type]=report" },
		{ "match[type]=indicator", "" },
		{ "added_after=2026-01-01T00:00:00Z", "added_after=2026-01-01T00:00:00.000001Z" },
		{ "match[version]=first", "match[version]=last" },
		{ "match[version]=all", "" },
		{ "match[spec_version]=2.1", "" },
		{ "match[id]=" ID1, "match[id]=" ID2 },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(same) / sizeof(same[0]); i++) {
		char *a = canonical(same[i][0], TAXII_Q_OBJECTS);
		char *b = canonical(same[i][1], TAXII_Q_OBJECTS);
		if (strcmp(a, b) != 0)
			fail_msg("?%s and ?%s differ", same[i][0], same[i][1]);
		free(a);
		free(b);
	}
	for (size_t i = 0; i < sizeof(differ) / sizeof(differ[0]); i++) {
		char *a = canonical(differ[i][0], TAXII_Q_OBJECTS);
		char *b = canonical(differ[i][1], TAXII_Q_OBJECTS);
		if (strcmp(a, b) == 0)
			fail_msg("?%s and ?%s are the same", differ[i][0], differ[i][1]);
		free(a);
		free(b);
	}
}

static void
test_match(void **state)
{
	struct taxii_query q;

	(void)state;
	/* defaults: the last version, STIX 2.1, any id and type */
	assert_int_equal(taxii_query_parse(&q, "", TAXII_Q_OBJECTS), 0);
	assert_true(taxii_match_id(&q, ID1));
	assert_true(taxii_match_type(&q, "indicator"));
	assert_true(taxii_match_version(&q, 5, 0, 1));
	assert_false(taxii_match_version(&q, 5, 1, 0));
	assert_true(taxii_match_spec_version(&q, "2.1"));
	assert_false(taxii_match_spec_version(&q, "2.0"));
	taxii_query_free(&q);

	assert_int_equal(taxii_query_parse(&q, "match[id]=" ID1 "&match[type]=report,x-a"
	    "&match[version]=first,1970-01-01T00:00:00.000007Z&match[spec_version]=2.0",
	    TAXII_Q_OBJECTS), 0);
	assert_true(taxii_match_id(&q, ID1));
	assert_false(taxii_match_id(&q, ID2));
	assert_false(taxii_match_id(&q, NULL));
	assert_true(taxii_match_type(&q, "x-a"));
	assert_false(taxii_match_type(&q, "indicator"));
	assert_true(taxii_match_version(&q, 1, 1, 0));	/* first */
	assert_true(taxii_match_version(&q, 7, 0, 0));	/* at that time */
	assert_false(taxii_match_version(&q, 8, 0, 1));	/* last is not asked for */
	assert_true(taxii_match_spec_version(&q, "2.0"));
	assert_false(taxii_match_spec_version(&q, "2.1"));
	taxii_query_free(&q);

	assert_int_equal(taxii_query_parse(&q, "match[version]=all", TAXII_Q_OBJECTS), 0);
	assert_true(taxii_match_version(&q, 8, 0, 0));
	taxii_query_free(&q);
}

/* ---- the next token ----------------------------------------------------------------------- */

static const uint8_t key1[32] = { 1 };
static const uint8_t key2[32] = { 2 };
#define SCOPE	"objects /collections/received/"

/* The token of pos for raw, as a server would give it. */
static void
token(const uint8_t *key, const char *scope, const char *raw, struct taxii_pos pos,
    char out[TAXII_NEXT_LEN])
{
	struct taxii_query q;

	if (taxii_query_parse(&q, raw, TAXII_Q_OBJECTS) != 0)
		fail_msg("%s", rs_err());
	taxii_next_encode(key, scope, &q, &pos, out);
	taxii_query_free(&q);
}

/* Decodes next=tok sent with the query raw. */
static enum taxii_next_result
verify(const uint8_t *key, const char *scope, const char *raw, const char *tok,
    struct taxii_pos *pos)
{
	struct taxii_query q;
	struct buf b = {0};
	enum taxii_next_result r;

	buf_printf(&b, "%s%snext=%s", raw, raw[0] ? "&" : "", tok);
	if (taxii_query_parse(&q, buf_cstr(&b), TAXII_Q_OBJECTS) != 0)
		fail_msg("%s", rs_err());
	r = taxii_next_decode(key, scope, &q, pos);
	taxii_query_free(&q);
	buf_free(&b);
	return r;
}

static void
test_next_token(void **state)
{
	static const char raw[] = "match[type]=indicator&added_after=2026-01-01T00:00:00Z&limit=100";
	struct taxii_pos pos = { INT64_C(1767225600123456), 42 }, got;
	char tok[TAXII_NEXT_LEN], again[TAXII_NEXT_LEN], bad[TAXII_NEXT_LEN];
	static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
	struct taxii_query q;

	(void)state;
	token(key1, SCOPE, raw, pos, tok);
	assert_int_equal(strlen(tok), 44);
	/* opaque but deterministic: the same page gives the same token */
	token(key1, SCOPE, raw, pos, again);
	assert_string_equal(tok, again);
	assert_int_equal(verify(key1, SCOPE, raw, tok, &got), TAXII_NEXT_OK);
	assert_int_equal(got.date_added, pos.date_added);
	assert_int_equal(got.seq, pos.seq);
	/* the same filters in another spelling, another limit: the same query */
	assert_int_equal(verify(key1, SCOPE, "limit=7&added_after=2026-01-01T00:00:00.000Z&"
	    "match[type]=indicator,indicator", tok, &got), TAXII_NEXT_OK);
	/* another query, collection, endpoint or key: refused */
	assert_int_equal(verify(key1, SCOPE, "match[type]=report&added_after="
	    "2026-01-01T00:00:00Z", tok, &got), TAXII_NEXT_MISMATCH);
	has(rs_err(), "given for another query or collection");
	assert_int_equal(verify(key1, SCOPE, "match[type]=indicator", tok, &got),
	    TAXII_NEXT_MISMATCH);
	assert_int_equal(verify(key1, "objects /collections/sent/", raw, tok, &got),
	    TAXII_NEXT_MISMATCH);
	assert_int_equal(verify(key1, "manifest /collections/received/", raw, tok, &got),
	    TAXII_NEXT_MISMATCH);
	assert_int_equal(verify(key2, SCOPE, raw, tok, &got), TAXII_NEXT_MISMATCH);
	/* any one character changed: refused, never another position */
	for (size_t i = 0; i < strlen(tok); i++)
		for (size_t c = 0; c < sizeof(b64) - 1; c += 7) {
			enum taxii_next_result r;
			if (b64[c] == tok[i])
				continue;
			memcpy(bad, tok, sizeof(bad));
			bad[i] = b64[c];
			r = verify(key1, SCOPE, raw, bad, &got);
			if (r == TAXII_NEXT_OK)
				fail_msg("altered token %s accepted", bad);
		}
	/* not tokens at all */
	assert_int_equal(verify(key1, SCOPE, raw, "abc", &got), TAXII_NEXT_MALFORMED);
	memcpy(bad, tok, sizeof(bad));
	bad[43] = '\0';
	assert_int_equal(verify(key1, SCOPE, raw, bad, &got), TAXII_NEXT_MALFORMED);
	memset(bad, 'A', 44);
	bad[44] = '\0';
	assert_int_equal(verify(key1, SCOPE, raw, bad, &got), TAXII_NEXT_MALFORMED);
	memset(&q, 0, sizeof(q));
	assert_int_equal(taxii_next_decode(key1, SCOPE, &q, &got), TAXII_NEXT_MALFORMED);
	/* extreme positions survive */
	pos.date_added = INT64_MIN;
	pos.seq = INT64_MAX;
	token(key1, SCOPE, "", pos, tok);
	assert_int_equal(verify(key1, SCOPE, "", tok, &got), TAXII_NEXT_OK);
	assert_int_equal(got.date_added, INT64_MIN);
	assert_int_equal(got.seq, INT64_MAX);
}

static void
test_key(void **state)
{
	char *path = path_in(state, "taxii.key"), *shared = path_in(state, "shared.key");
	uint8_t a[32], b[32], kids[8][32];
	struct taxii_pos pos = { 5, 6 }, got;
	char tok[TAXII_NEXT_LEN];
	struct stat st;
	int fds[8][2];

	assert_int_equal(taxii_key_load(path, a), 0);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(st.st_size, 32);
	/* a restart reads the same key: tokens given before it still verify */
	token(a, SCOPE, "match[type]=indicator", pos, tok);
	assert_int_equal(taxii_key_load(path, b), 0);
	assert_memory_equal(a, b, 32);
	assert_int_equal(verify(b, SCOPE, "match[type]=indicator", tok, &got), TAXII_NEXT_OK);
	/* a damaged key is an error, not a new key in silence */
	assert_int_equal(write_file_atomic(path, "short", 5, 0600), 0);
	assert_int_equal(taxii_key_load(path, b), -1);
	has(rs_err(), "not a 32-byte key (5 bytes)");

	/* eight servers creating it at once agree on one key */
	for (int i = 0; i < 8; i++) {
		pid_t pid;
		assert_int_equal(pipe(fds[i]), 0);
		if ((pid = fork()) == 0) {
			uint8_t k[32];
			close(fds[i][0]);
			if (taxii_key_load(shared, k) != 0 || write(fds[i][1], k, 32) != 32)
				_exit(1);
			_exit(0);
		}
		assert_true(pid > 0);
		close(fds[i][1]);
	}
	for (int i = 0; i < 8; i++) {
		int status;
		assert_int_equal(read(fds[i][0], kids[i], 32), 32);
		close(fds[i][0]);
		assert_true(wait(&status) > 0);
		assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	}
	for (int i = 1; i < 8; i++)
		assert_memory_equal(kids[0], kids[i], 32);
	assert_int_equal(taxii_key_load(shared, a), 0);
	assert_memory_equal(kids[0], a, 32);
	free(path);
	free(shared);
}

/* Every endpoint by its path, with and without the final '/', and what is
 * not one: another root, a bad id, a resource that does not exist. */
static void
test_route(void **state)
{
	struct taxii_route r;
	const char *c = "/taxii2/roster/collections/3F2A0C1E-1111-4222-8333-444455556666";
	char p[512];

	(void)state;
	assert_int_equal(taxii_route_parse("/taxii2/", "roster", &r), TAXII_ROUTE_OK);
	assert_int_equal(r.ep, TAXII_EP_DISCOVERY);
	assert_int_equal(taxii_route_parse("/taxii2", "roster", &r), TAXII_ROUTE_OK);
	assert_int_equal(r.ep, TAXII_EP_DISCOVERY);
	assert_int_equal(taxii_route_parse("/taxii2/roster/", "roster", &r), TAXII_ROUTE_OK);
	assert_int_equal(r.ep, TAXII_EP_ROOT);
	assert_int_equal(taxii_route_parse("/taxii2/roster", "roster", &r), TAXII_ROUTE_OK);
	assert_int_equal(r.ep, TAXII_EP_ROOT);
	assert_int_equal(taxii_route_parse("/taxii2/roster/status/"
	    "0e2a0c1e-1111-4222-8333-444455556666/", "roster", &r), TAXII_ROUTE_OK);
	assert_int_equal(r.ep, TAXII_EP_STATUS);
	assert_string_equal(r.status, "0e2a0c1e-1111-4222-8333-444455556666");
	assert_int_equal(taxii_route_parse("/taxii2/roster/collections/", "roster", &r),
	    TAXII_ROUTE_OK);
	assert_int_equal(r.ep, TAXII_EP_COLLECTIONS);
	assert_int_equal(taxii_route_parse(c, "roster", &r), TAXII_ROUTE_OK);
	assert_int_equal(r.ep, TAXII_EP_COLLECTION);
	assert_string_equal(r.collection, "3f2a0c1e-1111-4222-8333-444455556666");
	snprintf(p, sizeof(p), "%s/objects/", c);
	assert_int_equal(taxii_route_parse(p, "roster", &r), TAXII_ROUTE_OK);
	assert_int_equal(r.ep, TAXII_EP_OBJECTS);
	assert_string_equal(taxii_methods(r.ep), "GET, POST");
	snprintf(p, sizeof(p), "%s/manifest", c);
	assert_int_equal(taxii_route_parse(p, "roster", &r), TAXII_ROUTE_OK);
	assert_int_equal(r.ep, TAXII_EP_MANIFEST);
	snprintf(p, sizeof(p), "%s/objects/indicator--00000000-0000-4000-8000-000000000001/", c);
	assert_int_equal(taxii_route_parse(p, "roster", &r), TAXII_ROUTE_OK);
	assert_int_equal(r.ep, TAXII_EP_OBJECT);
	assert_string_equal(r.object, "indicator--00000000-0000-4000-8000-000000000001");
	assert_string_equal(taxii_methods(r.ep), "GET, DELETE");
	snprintf(p, sizeof(p), "%s/objects/indicator--00000000-0000-4000-8000-000000000001/"
	    "versions/", c);
	assert_int_equal(taxii_route_parse(p, "roster", &r), TAXII_ROUTE_OK);
	assert_int_equal(r.ep, TAXII_EP_VERSIONS);
	assert_string_equal(taxii_methods(r.ep), "GET");

	assert_int_equal(taxii_route_parse("/api/inbox", "roster", &r), TAXII_ROUTE_NOT_FOUND);
	assert_int_equal(taxii_route_parse("/taxii2x/", "roster", &r), TAXII_ROUTE_NOT_FOUND);
	assert_int_equal(taxii_route_parse("/taxii2/other/", "roster", &r), TAXII_ROUTE_NOT_FOUND);
	has(rs_err(), "/taxii2/roster/");
	assert_int_equal(taxii_route_parse("/taxii2/roster/collections/xyz/", "roster", &r),
	    TAXII_ROUTE_NOT_FOUND);
	has(rs_err(), "not a collection id");
	assert_int_equal(taxii_route_parse("/taxii2/roster/status/", "roster", &r),
	    TAXII_ROUTE_NOT_FOUND);
	assert_int_equal(taxii_route_parse("/taxii2/roster/things/", "roster", &r),
	    TAXII_ROUTE_NOT_FOUND);
	snprintf(p, sizeof(p), "%s/objects/not-an-id/", c);
	assert_int_equal(taxii_route_parse(p, "roster", &r), TAXII_ROUTE_NOT_FOUND);
	has(rs_err(), "not a STIX identifier");
	snprintf(p, sizeof(p), "%s/objects/indicator--00000000-0000-4000-8000-000000000001/"
	    "versions/x/", c);
	assert_int_equal(taxii_route_parse(p, "roster", &r), TAXII_ROUTE_NOT_FOUND);
	snprintf(p, sizeof(p), "%s/manifest/extra/", c);
	assert_int_equal(taxii_route_parse(p, "roster", &r), TAXII_ROUTE_NOT_FOUND);
	snprintf(p, sizeof(p), "%s//objects/", c);
	assert_int_equal(taxii_route_parse(p, "roster", &r), TAXII_ROUTE_NOT_FOUND);
}

static void
basic(const char *userpass, char *out, size_t len)
{
	char b64[1024];

	sodium_bin2base64(b64, sizeof(b64), (const unsigned char *)userpass, strlen(userpass),
	    sodium_base64_VARIANT_ORIGINAL);
	snprintf(out, len, "Basic %s", b64);
}

static void
test_auth(void **state)
{
	char user[64], secret[128], h[1100], big[400];

	(void)state;
	assert_int_equal(taxii_auth_parse(NULL, user, sizeof(user), secret, sizeof(secret)),
	    TAXII_AUTH_NONE);
	basic("alice:pass:with:colons", h, sizeof(h));
	assert_int_equal(taxii_auth_parse(h, user, sizeof(user), secret, sizeof(secret)),
	    TAXII_AUTH_BASIC);
	assert_string_equal(user, "alice");
	assert_string_equal(secret, "pass:with:colons");
	h[0] = 'b';	/* the scheme in any case */
	assert_int_equal(taxii_auth_parse(h, user, sizeof(user), secret, sizeof(secret)),
	    TAXII_AUTH_BASIC);
	basic(":", h, sizeof(h));
	assert_int_equal(taxii_auth_parse(h, user, sizeof(user), secret, sizeof(secret)),
	    TAXII_AUTH_BASIC);
	assert_string_equal(user, "");
	assert_int_equal(taxii_auth_parse("Bearer rtk_abc", user, sizeof(user), secret,
	    sizeof(secret)), TAXII_AUTH_BEARER);
	assert_string_equal(secret, "rtk_abc");
	/* what is not a credential */
	basic("no-colon", h, sizeof(h));
	assert_int_equal(taxii_auth_parse(h, user, sizeof(user), secret, sizeof(secret)),
	    TAXII_AUTH_MALFORMED);
	assert_int_equal(taxii_auth_parse("Basic !!!", user, sizeof(user), secret,
	    sizeof(secret)), TAXII_AUTH_MALFORMED);
	assert_int_equal(taxii_auth_parse("Basic", user, sizeof(user), secret, sizeof(secret)),
	    TAXII_AUTH_MALFORMED);
	assert_int_equal(taxii_auth_parse("Digest x=1", user, sizeof(user), secret,
	    sizeof(secret)), TAXII_AUTH_MALFORMED);
	assert_int_equal(taxii_auth_parse("Bearer a b", user, sizeof(user), secret,
	    sizeof(secret)), TAXII_AUTH_MALFORMED);
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	big[10] = ':';
	basic(big, h, sizeof(h));
	assert_int_equal(taxii_auth_parse(h, user, sizeof(user), secret, sizeof(secret)),
	    TAXII_AUTH_MALFORMED);
	assert_string_equal(user, "");
	assert_int_equal(taxii_auth_parse("Basic YQBiOmM=", user, sizeof(user), secret,
	    sizeof(secret)), TAXII_AUTH_MALFORMED);	/* "a\0b:c" */
}

/* What a tool POSTs: an envelope (or a bundle), checked as a bundle. */
static void
test_envelope(void **state)
{
	static const char ok[] = "{\"objects\": [{\"type\": \"domain-name\", \"id\": "
	    "\"domain-name--00000000-0000-4000-8000-000000000001\", \"value\": \"a.example\"}],"
	    " \"more\": false}";
	static const char bundle[] = "{\"type\": \"bundle\", \"id\": \"bundle--"
	    "00000000-0000-4000-8000-000000000009\", \"objects\": [{\"type\": \"url\", \"id\": "
	    "\"url--00000000-0000-4000-8000-000000000001\", \"value\": \"https://x.example/\"}]}";
	json_t *b;
	struct buf deep = {0};

	(void)state;
	assert_int_equal(stix_envelope_parse(ok, strlen(ok), &b), STIX_OK);
	assert_string_equal(jstr(b, "type"), "bundle");
	assert_true(stix_id_ok(jstr(b, "id"), "bundle"));
	assert_int_equal(json_array_size(json_object_get(b, "objects")), 1);
	json_decref(b);
	/* a bundle is taken as one */
	assert_int_equal(stix_envelope_parse(bundle, strlen(bundle), &b), STIX_OK);
	json_decref(b);
	assert_int_equal(stix_envelope_parse("{\"objects\": []}", 15, &b), STIX_INVALID);
	has(rs_err(), "\"objects\": must be a non-empty list");
	assert_null(b);
	assert_int_equal(stix_envelope_parse("{}", 2, &b), STIX_INVALID);
	assert_int_equal(stix_envelope_parse("{\"objects\": [1], \"x\": 1}", 24, &b),
	    STIX_INVALID);
	has(rs_err(), "\"x\": not a property of a TAXII envelope");
	assert_int_equal(stix_envelope_parse("[1]", 3, &b), STIX_NOT_JSON);
	assert_int_equal(stix_envelope_parse("{\"objects\": [", 13, &b), STIX_NOT_JSON);
	assert_int_equal(stix_envelope_parse("{\"objects\": [{\"type\": \"indicator\"}]}", 36,
	    &b), STIX_INVALID);
	has(rs_err(), "objects[0]");
	buf_addstr(&deep, "{\"objects\": [");
	for (int i = 0; i < 40; i++)
		buf_addstr(&deep, "[");
	assert_int_equal(stix_envelope_parse(deep.p, deep.len, &b), STIX_TOO_DEEP);
	buf_free(&deep);
	assert_int_equal(stix_envelope_parse(ok, STIX_MAX_BUNDLE + 1, &b), STIX_TOO_LARGE);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_accept),
		cmocka_unit_test(test_content_type),
		cmocka_unit_test(test_error_object),
		cmocka_unit_test(test_query),
		cmocka_unit_test(test_query_refusals),
		cmocka_unit_test(test_canonical),
		cmocka_unit_test(test_match),
		cmocka_unit_test(test_next_token),
		cmocka_unit_test_setup_teardown(test_key, setup_tmp, teardown_tmp),
		cmocka_unit_test(test_route),
		cmocka_unit_test(test_auth),
		cmocka_unit_test(test_envelope),
	};

	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
