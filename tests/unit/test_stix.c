/*
 * test_stix.c - STIX 2.1: timestamps, identifiers, TLP markings, the
 * pattern parser, the bundle validator and the mapping both ways
 * (lib/stix.h, lib/stixmap.h).
 *
 * What it tries to break: that a bundle with any one thing wrong (a
 * missing required property, a malformed id or timestamp, a reference to
 * nothing, a TLP object that is not the official one, a pattern that does
 * not parse or names the wrong kind of value) is refused with the object
 * and property named; that limits on size, objects and nesting hold
 * before anything is built; that what roster makes of a message is itself
 * valid STIX, the same bytes every time, marked and attributed on every
 * object; and that a bundle made of a message gives that message's fields
 * back exactly, while what a message cannot carry is refused or listed.
 *
 * Reference values computed independently: UUIDv5 with Python's uuid
 * module (uuid.uuid5), epoch seconds with Python's calendar.timegm.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "catalogue.h"
#include "jsonutil.h"
#include "stix.h"
#include "stixmap.h"
#include "util.h"

#define has(s, sub) do { \
	if (strstr((s), (sub)) == NULL) \
		fail_msg("\"%s\" does not contain \"%s\"", (s), (sub)); \
} while (0)

/* ---- timestamps -------------------------------------------------------------- */

static void
test_timestamps(void **state)
{
	static const char *const bad[] = {
		"2026-11-22t08:30:00Z", "2026-11-22T08:30:00z", "2026-11-22T08:30:00+00:00",
		"2026-11-22T08:30:00", "2026-11-22 08:30:00Z", "2026-11-22T08:30Z",
		"2026-02-29T00:00:00Z", "2026-13-01T00:00:00Z", "2026-00-01T00:00:00Z",
		"2026-04-31T00:00:00Z", "2026-11-22T24:00:00Z", "2026-11-22T08:60:00Z",
		"2026-11-22T12:00:60Z", "2026-11-22T08:30:00.Z", "2026-11-22T08:30:00.1234567890Z",
		"2026-11-22T08:30:00.5ZZ", "26-11-22T08:30:00Z", "", "2026-11-22T08:30:00.-1Z",
		NULL
	};
	char out[STIX_TS_LEN];
	int64_t us, prev;
	int digits;

	(void)state;
	assert_int_equal(stix_ts_parse("2026-11-22T08:30:00Z", &us, &digits), 0);
	assert_int_equal(us, INT64_C(1795336200) * 1000000);
	assert_int_equal(digits, 0);
	assert_int_equal(stix_ts_parse("2026-11-22T08:30:00.1Z", &us, &digits), 0);
	assert_int_equal(us, INT64_C(1795336200) * 1000000 + 100000);
	assert_int_equal(digits, 1);
	/* finer than a microsecond is truncated, never rounded up */
	assert_int_equal(stix_ts_parse("2026-11-22T08:30:00.123456999Z", &us, &digits), 0);
	assert_int_equal(us, INT64_C(1795336200) * 1000000 + 123456);
	assert_int_equal(digits, 9);
	assert_int_equal(stix_ts_parse("2024-02-29T23:59:59Z", &us, NULL), 0);
	assert_int_equal(us, INT64_C(1709251199) * 1000000);
	assert_int_equal(stix_ts_parse("1969-07-20T20:17:40Z", &us, NULL), 0);
	assert_int_equal(us, INT64_C(-14182940) * 1000000);
	/* a leap second sorts inside its minute */
	assert_int_equal(stix_ts_parse("2016-12-31T23:59:60.5Z", &us, NULL), 0);
	assert_int_equal(stix_ts_parse("2016-12-31T23:59:59.999999Z", &prev, NULL), 0);
	assert_int_equal(us, prev);
	for (int i = 0; bad[i] != NULL; i++)
		if (stix_ts_parse(bad[i], &us, NULL) == 0)
			fail_msg("accepted %s", bad[i]);
	assert_int_equal(stix_ts_parse(NULL, &us, NULL), -1);

	stix_ts_format(0, 3, out);
	assert_string_equal(out, "1970-01-01T00:00:00.000Z");
	stix_ts_format(-1, 6, out);
	assert_string_equal(out, "1969-12-31T23:59:59.999999Z");
	stix_ts_format(INT64_C(1795336200) * 1000000 + 7, 0, out);
	assert_string_equal(out, "2026-11-22T08:30:00Z");
	/* format and parse are inverse over centuries, both signs */
	for (int64_t t = INT64_C(-5000000000000000); t < INT64_C(5000000000000000);
	    t += INT64_C(123456789012345)) {
		stix_ts_format(t, 6, out);
		assert_int_equal(stix_ts_parse(out, &us, NULL), 0);
		assert_int_equal(us, t);
	}
}

/* ---- identifiers ---------------------------------------------------------------- */

static void
test_identifiers(void **state)
{
	static const uint8_t dns_ns[16] = { 0x6b, 0xa7, 0xb8, 0x10, 0x9d, 0xad, 0x11, 0xd1,
	    0x80, 0xb4, 0x00, 0xc0, 0x4f, 0xd4, 0x30, 0xc8 };
	static const uint8_t stix_ns[16] = { 0x00, 0xab, 0xed, 0xb4, 0xaa, 0x42, 0x46, 0x6c,
	    0x9c, 0x01, 0xfe, 0xd2, 0x33, 0x15, 0xa9, 0xb7 };
	char u[STIX_UUID_LEN], id[STIX_ID_MAX], t[64];

	(void)state;
	assert_true(stix_type_ok("indicator"));
	assert_true(stix_type_ok("x-acme-widget"));
	assert_true(stix_type_ok("ipv4-addr"));
	assert_false(stix_type_ok("ab"));
	assert_false(stix_type_ok("Indicator"));
	assert_false(stix_type_ok("a--b"));
	assert_false(stix_type_ok("indicator-"));
	assert_false(stix_type_ok("1abc"));
	assert_false(stix_type_ok("in_dicator"));
	assert_false(stix_type_ok(NULL));

	assert_true(stix_id_ok("indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f", NULL));
	assert_true(stix_id_ok("indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f", "indicator"));
	assert_false(stix_id_ok("indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f", "report"));
	assert_true(stix_id_ok("x-a--8E2E2D2B-17D4-5CBF-938F-98EE46B3CD3F", NULL));
	assert_false(stix_id_ok("indicator--8e2e2d2b-17d4-6cbf-938f-98ee46b3cd3f", NULL));
	assert_false(stix_id_ok("indicator--8e2e2d2b-17d4-4cbf-c38f-98ee46b3cd3f", NULL));
	assert_false(stix_id_ok("indicator--8e2e2d2b17d4-4cbf-938f-98ee46b3cd3f0", NULL));
	assert_false(stix_id_ok("indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3", NULL));
	assert_false(stix_id_ok("indicator-8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f", NULL));
	assert_false(stix_id_ok("--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f", NULL));
	assert_false(stix_id_ok("indicator--8e2e2d2g-17d4-4cbf-938f-98ee46b3cd3f", NULL));
	stix_id_type("ipv4-addr--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f", t, sizeof(t));
	assert_string_equal(t, "ipv4-addr");
	stix_id_type("nonsense", t, sizeof(t));
	assert_string_equal(t, "");

	/* RFC 4122's DNS namespace: Python's own example */
	stix_uuid5(dns_ns, "python.org", 10, u);
	assert_string_equal(u, "886313e1-3b8a-5372-9b90-0c9aee199e5d");
	/* STIX's SCO namespace and a JCS-canonical value */
	stix_uuid5(stix_ns, "{\"value\":\"198.51.100.3\"}", 24, u);
	assert_string_equal(u, "28bb3599-77cd-5a82-a950-b5bc3caf07c4");
	/* roster's namespace, as docs/taxii.md gives it */
	stix_id_make("identity", "state/XA", id);
	assert_string_equal(id, "identity--a94122ea-9092-5ffc-8bfb-55a2e1c663f2");
	assert_true(stix_id_ok(id, "identity"));
	assert_true(stix_id_ok(STIX_ROSTER_IDENTITY, "identity"));
	assert_true(stix_id_ok(STIX_ROSTER_EXTENSION, "extension-definition"));
	assert_true(stix_id_ok(STIX_NO_FORWARD_MARKING, "marking-definition"));
}

/* ---- TLP --------------------------------------------------------------------------- */

static void
test_tlp(void **state)
{
	static const char *const labels[] = { "CLEAR", "GREEN", "AMBER", "AMBER+STRICT", "RED" };
	/* the ids as published by OASIS (cti-stix-common-objects, tlp-2.0) */
	static const char *const ids[] = {
		"marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487",
		"marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb",
		"marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421",
		"marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003",
		"marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1",
	};
	json_t *m;

	(void)state;
	for (int i = 0; i < 5; i++) {
		char name[32], level[32];
		assert_int_equal(stix_tlp_rank(labels[i]), i);
		assert_string_equal(stix_tlp_marking_id(labels[i]), ids[i]);
		assert_string_equal(stix_tlp_of_marking(ids[i]), labels[i]);
		m = stix_tlp_marking(labels[i]);
		assert_true(stix_tlp_official(m));
		snprintf(name, sizeof(name), "TLP:%s", labels[i]);
		assert_string_equal(jstr(m, "name"), name);
		assert_string_equal(jstr(m, "created"), "2022-10-01T00:00:00.000Z");
		snprintf(level, sizeof(level), "%s", labels[i]);
		for (char *c = level; *c; c++)
			*c = (char)(*c >= 'A' && *c <= 'Z' ? *c - 'A' + 'a' : *c);
		assert_string_equal(jstr(json_object_get(json_object_get(m, "extensions"),
		    STIX_TLP2_EXTENSION), "tlp_2_0"), level);
		/* any change makes it not the official object */
		json_object_set_new(m, "name", json_string("TLP:WHATEVER"));
		assert_false(stix_tlp_official(m));
		json_decref(m);
	}
	assert_int_equal(stix_tlp_rank("amber"), -1);
	assert_null(stix_tlp_marking_id("WHITE"));
	/* STIX 2.1's TLP 1.0 objects are read as labels, WHITE as CLEAR */
	assert_string_equal(stix_tlp_of_marking(
	    "marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9"), "CLEAR");
	assert_string_equal(stix_tlp_of_marking(
	    "marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed"), "RED");
	assert_null(stix_tlp_of_marking(STIX_NO_FORWARD_MARKING));
	m = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:{s:s}}", "type", "marking-definition",
	    "spec_version", "2.1", "id", "marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da",
	    "created", "2017-01-20T00:00:00.000Z", "definition_type", "tlp", "name", "TLP:GREEN",
	    "definition", "tlp", "green");
	assert_true(stix_tlp_official(m));
	json_object_set_new(m, "created", json_string("2017-01-21T00:00:00.000Z"));
	assert_false(stix_tlp_official(m));
	json_decref(m);
}

/* ---- patterns -------------------------------------------------------------------------- */

static void
pattern_ok(const char *s)
{
	struct stix_pattern p;

	if (stix_pattern_parse(s, &p) != 0)
		fail_msg("refused %s: %s", s, rs_err());
	stix_pattern_free(&p);
}

static void
pattern_bad(const char *s, const char *why)
{
	struct stix_pattern p;

	if (stix_pattern_parse(s, &p) == 0)
		fail_msg("accepted %.80s", s);
	if (strcmp(rs_err(), why) != 0)
		fail_msg("%.80s: said \"%s\", not \"%s\"", s, rs_err(), why);
	stix_pattern_free(&p);
}

static void
test_pattern_grammar(void **state)
{
	struct stix_pattern p;
	struct buf b = {0};

	(void)state;
	pattern_ok("[ipv4-addr:value = '192.0.2.1']");
	pattern_ok("[ipv4-addr:value == '192.0.2.1']");
	pattern_ok("  [ ipv4-addr : value = '192.0.2.1' ]\n");
	pattern_ok("[ipv6-addr:value = '2001:db8::1']");
	pattern_ok("[ipv4-addr:value ISSUBSET '198.51.100.0/24']");
	pattern_ok("[ipv6-addr:value ISSUPERSET '2001:db8::1']");
	pattern_ok("[domain-name:value = 'example.org'] OR [url:value = 'https://x.example/a\\'b']");
	pattern_ok("[email-addr:value IN ('a@x.example', 'b@x.example')]");
	pattern_ok("[file:hashes.MD5 = 'd41d8cd98f00b204e9800998ecf8427e']");
	pattern_ok("[file:hashes.'MD5' = 'D41D8CD98F00B204E9800998ECF8427E']");
	pattern_ok("[file:hashes.'SHA-1' = 'da39a3ee5e6b4b0d3255bfef95601890afd80709']");
	pattern_ok("[file:hashes.'SHA-256' = "
	    "'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855']");
	pattern_ok("([domain-name:value = 'a.example'] AND [url:value LIKE 'http%'])");
	pattern_ok("[domain-name:value = 'a.example' OR domain-name:value = 'b.example' AND "
	    "(url:value MATCHES '^https?://' OR url:value NOT = 'http://c.example/')]");
	pattern_ok("[domain-name:value != 'a.example'] OR [domain-name:value <> 'b.example']");

	/* the tree: AND binds tighter than OR; values unescaped */
	assert_int_equal(stix_pattern_parse("[url:value = 'https://x.example/\\'\\\\'] OR "
	    "[domain-name:value = 'a.example'] AND [domain-name:value = 'b.example']", &p), 0);
	assert_int_equal(p.nodes[p.root].kind, STIX_N_OR);
	assert_int_equal(p.nodes[p.root].observation, 1);
	assert_int_equal(p.nodes[p.nodes[p.root].b].kind, STIX_N_AND);
	assert_int_equal(p.nvalues, 3);
	assert_string_equal(p.values[0], "https://x.example/'\\");
	stix_pattern_free(&p);

	/* quoting round-trips whatever a URL may hold */
	static const char *const tricky[] = { "https://x.example/a'b", "https://x.example/\\'",
	    "https://x.example/''\\\\", "https://x.example/a,b;c", NULL };
	for (int i = 0; tricky[i] != NULL; i++) {
		b.len = 0;
		buf_addstr(&b, "[url:value = ");
		stix_pattern_quote(&b, tricky[i]);
		buf_addstr(&b, "]");
		assert_int_equal(stix_pattern_parse(buf_cstr(&b), &p), 0);
		assert_string_equal(p.values[0], tricky[i]);
		stix_pattern_free(&p);
	}
	buf_free(&b);
}

static void
test_pattern_refusals(void **state)
{
	struct buf b = {0};
	char why[64];

	(void)state;
	pattern_bad("[ipv4-addr:value = '192.0.2.1']]", "unexpected ']' at 31");
	pattern_bad("", "unexpected end of pattern at 0");
	pattern_bad("[]", "unexpected ']' at 1");
	pattern_bad("[ipv4-addr:value = '192.0.2.1'", "unexpected end of pattern at 30");
	pattern_bad("[ipv4-addr:value = '192.0.2.1]", "unterminated string at 19");
	pattern_bad("[url:value = 'a\\nb']", "unknown escape in string (only \\' and \\\\ "
	    "are escapes) at 15");
	pattern_bad("[ipv4-addr:value = 'example.org']",
	    "'example.org' is not a value of ipv4-addr:value at 19");
	pattern_bad("[ipv4-addr:value = '2001:db8::1']",
	    "'2001:db8::1' is not a value of ipv4-addr:value at 19");
	pattern_bad("[ipv6-addr:value = '192.0.2.1']",
	    "'192.0.2.1' is not a value of ipv6-addr:value at 19");
	pattern_bad("[file:hashes.MD5 = 'abc']", "'abc' is not a value of file:hashes.MD5 at 19");
	pattern_bad("[domain-name:value ISSUBSET 'a.example']",
	    "ISSUBSET applies to addresses, not to domain-name:value at 28");
	pattern_bad("[process:name = 'x.exe']", "unsupported object path (roster reads "
	    "ipv4-addr:value, ipv6-addr:value, domain-name:value, url:value, email-addr:value "
	    "and file:hashes of MD5, SHA-1, SHA-256 or SHA-512) at 1");
	pattern_bad("[file:hashes.SHA-256 = 'x']",
	    "a property name with '-' must be quoted ('SHA-256') at 13");
	pattern_bad("[ipv4-addr:value[0] = '192.0.2.1']", "unsupported index step at 16");
	pattern_bad("[ipv4-addr:value = '192.0.2.1'] FOLLOWEDBY [ipv4-addr:value = '192.0.2.2']",
	    "unsupported 'FOLLOWEDBY' at 32");
	pattern_bad("[ipv4-addr:value = '192.0.2.1'] WITHIN 300 SECONDS",
	    "unsupported 'WITHIN' at 32");
	pattern_bad("[ipv4-addr:value > '192.0.2.1']", "unsupported '>' at 17");
	pattern_bad("[ipv4-addr:value = 5]", "unsupported number literal at 19");
	pattern_bad("[ipv4-addr:value = t'2026-01-01T00:00:00Z']",
	    "unsupported timestamp literal at 19");
	pattern_bad("[ipv4-addr:value = true]", "unsupported 'true' at 19");
	pattern_bad("[EXISTS ipv4-addr:value]", "unsupported 'EXISTS' at 1");
	pattern_bad("[NOT ipv4-addr:value = '192.0.2.1']", "unexpected 'ipv4-addr' at 5");
	pattern_bad("[ipv4-addr:value = '192.0.2.1'] and [url:value = 'http://a.example']",
	    "unexpected 'and' at 32");
	pattern_bad("[ipv4-addr:value = '192.0.2.1'] /* c */", "unexpected character at 32");
	pattern_bad("[ipv4-addr:value IN ()]", "unexpected ')' at 21");
	pattern_bad(NULL, "longer than 16384 bytes");

	/* nesting and size are bounded */
	for (int i = 0; i < 16; i++)
		buf_addstr(&b, "(");
	buf_addstr(&b, "[domain-name:value = 'a.example']");
	for (int i = 0; i < 16; i++)
		buf_addstr(&b, ")");
	pattern_bad(buf_cstr(&b), "nested deeper than 16 at 16");
	b.len = 0;
	buf_addstr(&b, "[domain-name:value IN ('a.bc'");
	for (int i = 1; i < STIX_MAX_VALUES; i++)
		buf_addstr(&b, ",'a.bc'");
	snprintf(why, sizeof(why), "more than 1000 values at %zu", b.len + 1);
	buf_addstr(&b, ",'a.bc')]");
	pattern_bad(buf_cstr(&b), why);
	b.len = 0;
	buf_addstr(&b, "[url:value = 'https://x.example/");
	for (int i = 0; i < STIX_MAX_PATTERN; i++)
		buf_addstr(&b, "a");
	buf_addstr(&b, "']");
	pattern_bad(buf_cstr(&b), "longer than 16384 bytes");
	buf_free(&b);
}

/* ---- the validator ---------------------------------------------------------------------- */

#define U(n)	"00000000-0000-4000-8000-00000000000" #n
#define IDENTITY	"identity--" U(1)
#define INDICATOR	"indicator--" U(2)
#define IPV4		"ipv4-addr--" U(3)
#define OBSERVED	"observed-data--" U(4)
#define REPORT		"report--" U(5)
#define NOTE		"note--" U(6)
#define REL		"relationship--" U(7)
#define FILE_SCO	"file--" U(8)
#define AMBER		"marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421"
#define TS		"\"created\": \"2026-12-01T10:00:00.000Z\", \"modified\": \"2026-12-01T10:00:00.000Z\""

static const char base_json[] =
	"{\"type\": \"bundle\", \"id\": \"bundle--" U(9) "\", \"objects\": ["
	"{\"type\": \"identity\", \"spec_version\": \"2.1\", \"id\": \"" IDENTITY "\", " TS ","
	" \"name\": \"CERT-XB\", \"identity_class\": \"organization\"},"
	"{\"type\": \"indicator\", \"spec_version\": \"2.1\", \"id\": \"" INDICATOR "\", " TS ","
	" \"created_by_ref\": \"" IDENTITY "\", \"pattern\": \"[ipv4-addr:value = '192.0.2.1']\","
	" \"pattern_type\": \"stix\", \"pattern_version\": \"2.1\","
	" \"valid_from\": \"2026-12-01T10:00:00Z\", \"object_marking_refs\": [\"" AMBER "\"],"
	" \"labels\": [\"x\"], \"x_acme_score\": 7},"
	"{\"type\": \"ipv4-addr\", \"id\": \"" IPV4 "\", \"value\": \"192.0.2.1\"},"
	"{\"type\": \"observed-data\", \"spec_version\": \"2.1\", \"id\": \"" OBSERVED "\", " TS ","
	" \"first_observed\": \"2026-12-01T09:00:00Z\", \"last_observed\": \"2026-12-01T09:30:00Z\","
	" \"number_observed\": 2, \"object_refs\": [\"" IPV4 "\"]},"
	"{\"type\": \"report\", \"spec_version\": \"2.1\", \"id\": \"" REPORT "\", " TS ","
	" \"name\": \"Scanning\", \"published\": \"2026-12-01T10:00:00Z\","
	" \"object_refs\": [\"" IDENTITY "\", \"" INDICATOR "\", \"" IPV4 "\", \"" NOTE "\"]},"
	"{\"type\": \"note\", \"spec_version\": \"2.1\", \"id\": \"" NOTE "\", " TS ","
	" \"content\": \"Seen from 09:00.\", \"object_refs\": [\"" INDICATOR "\"]},"
	"{\"type\": \"relationship\", \"spec_version\": \"2.1\", \"id\": \"" REL "\", " TS ","
	" \"relationship_type\": \"based-on\", \"source_ref\": \"" INDICATOR "\","
	" \"target_ref\": \"" OBSERVED "\"},"
	"{\"type\": \"file\", \"id\": \"" FILE_SCO "\", \"hashes\": {\"SHA-256\":"
	" \"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\","
	" \"x-acme-hash\": \"whatever\"}},"
	"{\"type\": \"x-acme-widget\", \"id\": \"x-acme-widget--" U(a) "\", \"size\": 3}"
	"]}";

static json_t *
base_bundle(void)
{
	json_t *b = jparse(base_json, strlen(base_json));

	if (b == NULL)
		fail_msg("base bundle: %s", rs_err());
	json_array_append_new(json_object_get(b, "objects"), stix_tlp_marking("AMBER"));
	return b;
}

static void
expect_ok(json_t *b)
{
	if (stix_bundle_check(b) != STIX_OK)
		fail_msg("refused: %s", rs_err());
}

/* objects[i].key set to the JSON text value (NULL deletes it), then the
 * bundle must be refused with an error containing why. */
static void
mutant(size_t i, const char *key, const char *value, const char *why)
{
	json_t *b = base_bundle(), *o = json_array_get(json_object_get(b, "objects"), i);

	if (value == NULL)
		json_object_del(o, key);
	else
		json_object_set_new(o, key, json_loads(value, JSON_DECODE_ANY, NULL));
	if (stix_bundle_check(b) == STIX_OK)
		fail_msg("objects[%zu].%s = %s accepted", i, key, value ? value : "(deleted)");
	has(rs_err(), why);
	json_decref(b);
}

static void
test_valid_bundle(void **state)
{
	json_t *b = base_bundle(), *o;
	char *text;

	(void)state;
	expect_ok(b);
	/* the same through bytes */
	text = json_dumps(b, JSON_COMPACT);
	json_decref(b);
	assert_int_equal(stix_bundle_parse(text, strlen(text), &b), STIX_OK);
	assert_non_null(b);
	json_decref(b);
	free(text);
	/* a bundle without objects is a valid (empty) bundle */
	b = json_pack("{s:s, s:s}", "type", "bundle", "id", "bundle--" U(9));
	expect_ok(b);
	json_decref(b);
	/* roster's own objects are valid where they are used */
	b = base_bundle();
	o = json_object_get(b, "objects");
	json_array_append_new(o, stix_roster_identity());
	json_array_append_new(o, stix_roster_extension());
	json_array_append_new(o, stix_no_forward_marking());
	json_array_append_new(json_object_get(json_array_get(o, 1), "object_marking_refs"),
	    json_string(STIX_NO_FORWARD_MARKING));
	expect_ok(b);
	json_decref(b);
}

static void
test_refusals(void **state)
{
	(void)state;
	mutant(1, "pattern", NULL, "objects[1] (" INDICATOR "): \"pattern\": required");
	mutant(1, "pattern", "\"[ipv4-addr:value = '192.0.2.1']]\"",
	    "objects[1] (" INDICATOR "): \"pattern\": unexpected ']' at 31");
	mutant(1, "pattern", "\"[ipv4-addr:value = 'bad.example']\"",
	    "\"pattern\": 'bad.example' is not a value of ipv4-addr:value at 19");
	mutant(1, "pattern", "7", "\"pattern\": must be a string");
	mutant(1, "pattern_type", NULL, "\"pattern_type\": required");
	mutant(1, "pattern_version", "\"3.0\"", "\"pattern_version\": \"3.0\" is not");
	mutant(1, "id", "\"indicator--not-a-uuid\"", "objects[1]: \"id\": \"indicator--not-a-uuid\"");
	mutant(1, "id", "\"report--" U(2) "\"", "is not an identifier indicator--UUID");
	mutant(1, "id", NULL, "objects[1]: \"id\": required");
	mutant(1, "type", "\"Indicator\"", "\"type\": \"Indicator\" is not a STIX type name");
	mutant(1, "type", "\"bundle\"", "a bundle cannot be an object of a bundle");
	mutant(1, "created", "\"2026-12-01T10:00:00Z\"", "\"created\": \"2026-12-01T10:00:00Z\" "
	    "must be precise to the millisecond");
	mutant(1, "created", "\"2026-12-01T10:00:00.000+00:00\"", "\"created\": \"2026-12-01T10:");
	mutant(1, "modified", "\"2026-12-01T09:00:00.000Z\"", "\"modified\": is before created");
	mutant(1, "modified", NULL, "\"modified\": required");
	mutant(1, "spec_version", "\"2.0\"", "\"spec_version\": \"2.0\": only STIX 2.1");
	mutant(1, "spec_version", NULL, "\"spec_version\": required");
	mutant(1, "valid_from", "\"yesterday\"", "\"valid_from\": \"yesterday\" is not a timestamp");
	mutant(1, "valid_until", "\"2026-12-01T10:00:00Z\"", "\"valid_until\": must be after "
	    "valid_from");
	mutant(1, "created_by_ref", "\"identity--" U(0) "\"",
	    "\"created_by_ref\": \"identity--" U(0) "\" is not in the bundle");
	mutant(1, "created_by_ref", "\"" REPORT "\"",
	    "\"created_by_ref\": \"" REPORT "\" must name a identity");
	mutant(1, "object_marking_refs", "[\"marking-definition--" U(0) "\"]",
	    "\"object_marking_refs[0]\": \"marking-definition--" U(0) "\" is not in the bundle");
	mutant(1, "object_marking_refs", "[\"" IDENTITY "\"]", "must name a marking-definition");
	mutant(1, "object_marking_refs", "[]", "\"object_marking_refs\": must be a non-empty");
	mutant(1, "labels", "[]", "\"labels\": must be a non-empty list");
	mutant(1, "labels", "[1]", "\"labels[0]\": must be a string");
	mutant(1, "confidence", "101", "\"confidence\": must be from 0 to 100");
	mutant(1, "revoked", "\"no\"", "\"revoked\": must be true or false");
	mutant(1, "lang", "\"en US\"", "\"lang\": \"en US\" is not a language tag");
	mutant(1, "Bad-Name", "1", "\"Bad-Name\": not a STIX property name");
	mutant(1, "ab", "1", "\"ab\": not a STIX property name");
	mutant(1, "external_references", "[{\"source_name\": \"cve\", \"external_id\": \"CVE-1\"}]",
	    "\"external_references[0].external_id\": a cve reference needs an id");
	mutant(1, "external_references", "[{\"source_name\": \"acme\"}]",
	    "\"external_references[0]\": needs a description, url or external_id");
	mutant(1, "external_references", "[{\"source_name\": \"acme\", \"url\": \"u\", "
	    "\"hashes\": {\"MD5\": \"00\"}}]", "\"external_references[0].hashes.MD5\": must be 32");
	mutant(1, "extensions", "{\"bogus\": {\"a\": 1}}", "\"extensions.bogus\": not an "
	    "extension-definition identifier or a predefined extension name");
	mutant(1, "extensions", "{\"extension-definition--" U(0) "\": {\"extension_type\": "
	    "\"nonsense\"}}", "extension_type must be one of");
	mutant(1, "extensions", "{\"extension-definition--" U(0) "\": {\"extension_type\": "
	    "\"property-extension\", \"owner_ref\": \"identity--" U(0) "\"}}",
	    "\"extensions.extension-definition--" U(0) ".owner_ref\": \"identity--" U(0)
	    "\" is not in the bundle");
	mutant(1, "extensions", "{\"" STIX_ROSTER_EXTENSION "\": {\"extension_type\": "
	    "\"property-extension\", \"message_id\": \"00\"}}",
	    "message_id must be 64 lower-case hex digits");
	mutant(1, "extensions", "{\"" STIX_ROSTER_EXTENSION "\": {\"extension_type\": "
	    "\"property-extension\", \"colour\": \"red\"}}", "not a property of the roster extension");
	mutant(1, "granular_markings", "[{\"marking_ref\": \"" AMBER "\", \"lang\": \"en\", "
	    "\"selectors\": [\"name\"]}]", "needs exactly one of marking_ref and lang");
	mutant(1, "granular_markings", "[{\"marking_ref\": \"" AMBER "\", \"selectors\": []}]",
	    "\"selectors\": must be a non-empty list");
	mutant(1, "kill_chain_phases", "[{\"phase_name\": \"x\"}]", "needs kill_chain_name");
	mutant(2, "value", "\"2001:db8::1\"", "objects[2] (" IPV4 "): \"value\": \"2001:db8::1\" "
	    "is not a valid IPv4 address");
	mutant(2, "value", NULL, "\"value\": required");
	mutant(2, "spec_version", "\"2.0\"", "only STIX 2.1 is accepted");
	mutant(2, "defanged", "1", "\"defanged\": must be true or false");
	mutant(3, "objects", "{\"0\": {\"type\": \"ipv4-addr\", \"value\": \"192.0.2.1\", "
	    "\"resolves_to_refs\": [\"1\"]}}",
	    "\"objects\": deprecated in STIX 2.1");
	mutant(3, "object_refs", "[\"" INDICATOR "\"]",
	    "\"object_refs[0]\": must name an SCO or a relationship, not a indicator");
	mutant(3, "number_observed", "0", "\"number_observed\": must be from 1 to 999999999");
	mutant(3, "last_observed", "\"2026-12-01T08:00:00Z\"", "\"last_observed\": is before");
	mutant(4, "object_refs", "[\"" IDENTITY "\", \"" NOTE "x\"]",
	    "objects[4] (" REPORT "): \"object_refs[1]\": must be a STIX identifier");
	mutant(4, "object_refs", "[\"" IDENTITY "\", \"note--" U(0) "\"]",
	    "\"object_refs[1]\": \"note--" U(0) "\" is not in the bundle");
	mutant(4, "published", NULL, "\"published\": required");
	mutant(4, "name", "\"\"", "\"name\": must not be empty");
	mutant(5, "object_refs", NULL, "objects[5] (" NOTE "): \"object_refs\": required");
	mutant(5, "content", NULL, "\"content\": required");
	mutant(6, "source_ref", "\"" AMBER "\"", "\"source_ref\": must name an SDO or SCO, not a "
	    "marking-definition");
	mutant(6, "relationship_type", "\"Based On\"", "\"relationship_type\": \"Based On\" must be");
	mutant(6, "target_ref", NULL, "\"target_ref\": required");
	mutant(7, "hashes", "{\"MD5\": \"abc\"}", "\"hashes.MD5\": must be 32 hex digits");
	mutant(7, "hashes", "{}", "\"hashes\": must be a non-empty dictionary");
	mutant(7, "hashes", NULL, "a file needs hashes or a name");
	mutant(8, "created", "\"2026-12-01T10:00:00.000Z\"", "objects[8] (x-acme-widget--" U(a)
	    "): \"spec_version\": required");
	mutant(9, "name", "\"TLP:GREEN\"", "a TLP marking must be the official object");
	mutant(9, "created", "\"2022-10-02T00:00:00.000Z\"", "a TLP marking must be the official");
}


/* The base bundle with one more object (JSON text): refused with why, or
 * accepted when why is NULL. */
static void
added(const char *obj, const char *why)
{
	json_t *b = base_bundle(), *o = json_loads(obj, 0, NULL);

	if (o == NULL)
		fail_msg("test object does not parse: %s", obj);
	json_array_append_new(json_object_get(b, "objects"), o);
	if (why == NULL) {
		if (stix_bundle_check(b) != STIX_OK)
			fail_msg("refused %s: %s", obj, rs_err());
	} else {
		if (stix_bundle_check(b) == STIX_OK)
			fail_msg("accepted %s", obj);
		has(rs_err(), why);
	}
	json_decref(b);
}

#define SDO(type, n)	"\"type\": \"" type "\", \"spec_version\": \"2.1\", \"id\": \"" type "--" U(n) "\", " TS

static void
test_more_types(void **state)
{
	(void)state;
	added("{\"type\": \"email-addr\", \"id\": \"email-addr--" U(b) "\", \"value\": "
	    "\"a@x.example\", \"display_name\": \"A\"}", NULL);
	added("{\"type\": \"email-addr\", \"id\": \"email-addr--" U(b) "\", \"value\": "
	    "\"not an address\"}", "\"value\": \"not an address\" is not a valid email");
	added("{\"type\": \"domain-name\", \"id\": \"domain-name--" U(b) "\", \"value\": "
	    "\"-bad-.example\"}", "is not a valid domain");
	added("{\"type\": \"url\", \"id\": \"url--" U(b) "\", \"value\": \"no scheme\"}",
	    "is not a valid url");
	added("{\"type\": \"ipv6-addr\", \"id\": \"ipv6-addr--" U(b) "\", \"value\": "
	    "\"2001:db8::/32\"}", NULL);
	added("{\"type\": \"ipv6-addr\", \"id\": \"ipv6-addr--" U(b) "\", \"value\": "
	    "\"192.0.2.1\"}", "is not a valid IPv6 address");
	added("{\"type\": \"ipv4-addr\", \"id\": \"ipv4-addr--" U(b) "\", \"value\": "
	    "\"192.0.2.0/33\"}", "is not a valid IPv4 address");
	added("{" SDO("vulnerability", b) "}", "objects[10] (vulnerability--" U(b) "): \"name\": "
	    "required");
	added("{" SDO("relationship", b) ", \"relationship_type\": \"related-to\", \"source_ref\": "
	    "\"" INDICATOR "\", \"target_ref\": \"" IPV4 "\", \"start_time\": "
	    "\"2026-01-02T00:00:00Z\", \"stop_time\": \"2026-01-01T00:00:00Z\"}",
	    "\"stop_time\": must be after start_time");
	added("{" SDO("relationship", b) ", \"relationship_type\": \"related-to\", \"source_ref\": "
	    "\"" REL "\", \"target_ref\": \"" IPV4 "\"}", "\"source_ref\": must name an SDO or SCO, "
	    "not a relationship");
	added("{" SDO("extension-definition", b) ", \"name\": \"x\", \"schema\": \"s\", "
	    "\"version\": \"1\", \"extension_types\": [\"property-extension\"]}",
	    "\"created_by_ref\": required for an extension-definition");
	added("{" SDO("extension-definition", b) ", \"created_by_ref\": \"" IDENTITY "\", "
	    "\"name\": \"x\", \"schema\": \"s\", \"version\": \"1\", \"extension_types\": "
	    "[\"new-thing\"]}", "\"extension_types\": \"new-thing\" is not an extension type");
	added("{" SDO("extension-definition", b) ", \"created_by_ref\": \"" IDENTITY "\", "
	    "\"name\": \"x\", \"schema\": \"s\", \"version\": \"1\", \"extension_types\": "
	    "[\"new-sdo\"], \"extension_properties\": [\"a\"]}",
	    "\"extension_properties\": only for a toplevel-property-extension");
	added("{" SDO("extension-definition", b) ", \"created_by_ref\": \"" IDENTITY "\", "
	    "\"name\": \"x\", \"schema\": \"s\", \"version\": \"1\", \"extension_types\": "
	    "[\"toplevel-property-extension\"], \"extension_properties\": [\"x_a\"]}", NULL);
	/* a TLP 2.0 marking under another id would claim a label it is not */
	added("{\"type\": \"marking-definition\", \"spec_version\": \"2.1\", \"id\": "
	    "\"marking-definition--" U(b) "\", \"created\": \"2022-10-01T00:00:00.000Z\", "
	    "\"name\": \"TLP:CLEAR\", \"extensions\": {\"" STIX_TLP2_EXTENSION "\": "
	    "{\"extension_type\": \"property-extension\", \"tlp_2_0\": \"clear\"}}}",
	    "a TLP 2.0 marking must have its official id");
	added("{\"type\": \"marking-definition\", \"spec_version\": \"2.1\", \"id\": "
	    "\"marking-definition--" U(b) "\", \"created\": \"2022-10-01T00:00:00.000Z\"}",
	    "\"definition_type\": required");
	added("{\"type\": \"marking-definition\", \"spec_version\": \"2.1\", \"id\": "
	    "\"marking-definition--" U(b) "\", \"created\": \"2022-10-01T00:00:00.000Z\", "
	    "\"definition_type\": \"statement\", \"definition\": {\"statement\": 3}}",
	    "a statement marking's definition is");
	/* another STIX type or a custom one: common properties only, kept */
	added("{" SDO("malware", b) ", \"is_family\": \"whatever\"}", NULL);
	added("{" SDO("malware", b) ", \"created_by_ref\": \"identity--" U(0) "\"}",
	    "\"created_by_ref\": \"identity--" U(0) "\" is not in the bundle");
	added("{\"type\": \"x-thing\", \"id\": \"x-thing--" U(b) "\", \"spec_version\": \"2.0\"}",
	    "only STIX 2.1 is accepted");
	added("{\"type\": \"x-thing\", \"id\": \"x-thing--" U(b) "\", \"thing_refs\": [\""
	    IPV4 "\", \"file--" U(0) "\"]}", "\"thing_refs[1]\": \"file--" U(0) "\" is not in the "
	    "bundle");
}

static void
test_bundle_refusals(void **state)
{
	struct buf big = {0};
	json_t *b, *o, *objs;
	char *text;

	(void)state;
	b = base_bundle();
	json_object_set_new(b, "spec_version", json_string("2.0"));
	assert_int_equal(stix_bundle_check(b), STIX_INVALID);
	has(rs_err(), "bundle: \"spec_version\": a STIX 2.0 bundle");
	json_object_del(b, "spec_version");
	json_object_set_new(b, "colour", json_string("red"));
	assert_int_equal(stix_bundle_check(b), STIX_INVALID);
	has(rs_err(), "bundle: \"colour\": not a property of a bundle");
	json_object_del(b, "colour");
	json_object_set_new(b, "id", json_string("report--" U(9)));
	assert_int_equal(stix_bundle_check(b), STIX_INVALID);
	has(rs_err(), "bundle: \"id\": must be an identifier bundle--UUID");
	json_object_set_new(b, "id", json_string("bundle--" U(9)));
	json_object_set_new(b, "type", json_string("Bundle"));
	assert_int_equal(stix_bundle_check(b), STIX_INVALID);
	json_object_set_new(b, "type", json_string("bundle"));
	json_object_set_new(b, "objects", json_array());
	assert_int_equal(stix_bundle_check(b), STIX_INVALID);
	has(rs_err(), "bundle: \"objects\": must be a non-empty list");
	json_decref(b);
	b = base_bundle();
	/* an object twice (same id and modified) */
	objs = json_object_get(b, "objects");
	json_array_append(objs, json_array_get(objs, 1));
	assert_int_equal(stix_bundle_check(b), STIX_INVALID);
	has(rs_err(), "objects[10] (" INDICATOR "): appears twice (same id and modified)");
	json_array_remove(objs, 10);
	json_array_append_new(objs, json_integer(3));
	assert_int_equal(stix_bundle_check(b), STIX_INVALID);
	has(rs_err(), "objects[10]: not a JSON object");
	json_array_remove(objs, 10);
	/* a marking that is neither TLP nor a statement */
	o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:{s:s}}", "type", "marking-definition",
	    "spec_version", "2.1", "id", "marking-definition--" U(b), "created",
	    "2026-01-01T00:00:00.000Z", "definition_type", "tlp", "definition", "tlp", "white");
	json_array_append_new(objs, o);
	assert_int_equal(stix_bundle_check(b), STIX_INVALID);
	has(rs_err(), "\"definition_type\": \"tlp\": roster reads statement markings");
	json_object_set_new(o, "definition_type", json_string("statement"));
	json_object_set_new(o, "definition", json_pack("{s:s}", "statement", "Copyright X"));
	expect_ok(b);
	json_decref(b);

	/* JSON that is not one object, duplicate keys */
	assert_int_equal(stix_bundle_parse("[1]", 3, &b), STIX_NOT_JSON);
	assert_null(b);
	assert_int_equal(stix_bundle_parse("{\"type\": \"bundle\"", 17, &b), STIX_NOT_JSON);
	has(rs_err(), "not JSON");
	text = "{\"type\": \"bundle\", \"type\": \"bundle\", \"id\": \"bundle--" U(9) "\"}";
	assert_int_equal(stix_bundle_parse(text, strlen(text), &b), STIX_NOT_JSON);
	text = "{\"type\": \"bundle\", \"id\": \"bundle--" U(9) "\", \"x\": \"\\u0000\"}";
	assert_int_equal(stix_bundle_parse(text, strlen(text), &b), STIX_NOT_JSON);

	/* nesting: refused on the bytes, "[" inside strings not counted */
	buf_addstr(&big, "{\"type\": \"bundle\", \"id\": \"bundle--" U(9) "\", \"objects\": "
	    "[{\"type\": \"x-deep\", \"id\": \"x-deep--" U(1) "\", \"x_str\": \"[[[[[[[[[[[[[[[[[[[[[[[[[[[[\", \"x_d\": ");
	for (int i = 0; i < 21; i++)
		buf_addstr(&big, "[");
	for (int i = 0; i < 21; i++)
		buf_addstr(&big, "]");
	buf_addstr(&big, "}]}");
	assert_int_equal(stix_bundle_parse(big.p, big.len, &b), STIX_OK);
	json_decref(b);
	big.len = 0;
	buf_addstr(&big, "{\"type\": \"bundle\", \"id\": \"bundle--" U(9) "\", \"objects\": "
	    "[{\"type\": \"x-deep\", \"id\": \"x-deep--" U(1) "\", \"x_d\": ");
	for (int i = 0; i < 22; i++)
		buf_addstr(&big, "[");
	for (int i = 0; i < 22; i++)
		buf_addstr(&big, "]");
	buf_addstr(&big, "}]}");
	assert_int_equal(stix_bundle_parse(big.p, big.len, &b), STIX_TOO_DEEP);
	has(rs_err(), "nested deeper than 24 (at byte");
	/* bytes and objects */
	big.len = 0;
	buf_reserve(&big, STIX_MAX_BUNDLE + 1);
	memset(big.p, ' ', STIX_MAX_BUNDLE + 1);
	big.len = STIX_MAX_BUNDLE + 1;
	assert_int_equal(stix_bundle_parse(big.p, big.len, &b), STIX_TOO_LARGE);
	big.len = 0;
	buf_addstr(&big, "{\"type\": \"bundle\", \"id\": \"bundle--" U(9) "\", \"objects\": [");
	for (int i = 0; i <= STIX_MAX_OBJECTS; i++)
		buf_printf(&big, "%s{\"type\": \"domain-name\", \"id\": \"domain-name--"
		    "00000000-0000-4000-8000-%012d\", \"value\": \"a.example\"}", i ? "," : "", i);
	buf_addstr(&big, "]}");
	assert_int_equal(stix_bundle_parse(big.p, big.len, &b), STIX_TOO_LARGE);
	has(rs_err(), "10001 objects, more than 10000");
	buf_free(&big);
}

/* ---- mapping: message to STIX ---------------------------------------------------------- */

static const uint8_t signer[32] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16,
	17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32 };
#define MSG_ID	"3fa2c1d05e6b7a8f9e0d1c2b3a4f5e6d7c8b9a0f1e2d3c4b5a69788796a5b4c3"

static struct catalogue *
shipped(void)
{
	struct catalogue *c = catalogue_new();

	if (catalogue_load_shipped(c) != 0)
		fail_msg("shipped catalogue: %s", rs_err());
	return c;
}

static const char *const incident_kv[] = {
	"incident_class=intrusions", "threat_category=criminal,attacks-state-resources",
	"sector=energy,transport", "first_seen=2026-11-22T08:30Z", "impact=high",
	"impact_description=Control systems of two grid operators reached from outside.",
	"affected_states=FR,DE",
	"indicators=ip:192.0.2.1,ip:2001:db8::1,ip:198.51.100.0/24,domain:evil.example",
	"indicators=url:https://x.example/a\\,b'c\\d,email:a@evil.example",
	"indicators=md5:d41d8cd98f00b204e9800998ecf8427e",
	"indicators=sha1:da39a3ee5e6b4b0d3255bfef95601890afd80709",
	"indicators=sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
	"indicators=sha512:cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce"
	"47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e",
	"indicators=cve:CVE-2024-1234",
	"measures_taken=Blocked at the border; operators informed.",
};

static json_t *
incident_payload(struct catalogue *c, const char *tlp)
{
	json_t *fields, *p;

	if (catalogue_fill(c, "incident-notification", (const char **)incident_kv,
	    sizeof(incident_kv) / sizeof(incident_kv[0]), "fr", &fields) != 0)
		fail_msg("fill: %s", rs_err());
	p = json_pack("{s:s, s:s, s:s, s:s, s:I, s:s, s:o, s:b}", "subject",
	    "Intrusion dans des réseaux électriques", "body", "Détails à suivre.",
	    "lang", "fr", "tlp", tlp, "sent", (json_int_t)1764583200000,
	    "template", "incident-notification", "fields", fields, "no_forward", 1);
	return p;
}

static json_t *
map(struct catalogue *c, json_t *payload, const char *id)
{
	struct stix_source m = { .message_id = id, .log_index = 41,
	    .signed_ms = INT64_C(1764583200123), .state = "XA", .signer_key = signer,
	    .payload = payload };
	json_t *b;

	if (stix_from_message(c, &m, &b) != STIX_MAP_OK)
		fail_msg("map: %s", rs_err());
	if (stix_bundle_check(b) != STIX_OK)
		fail_msg("roster's own bundle is not valid STIX: %s", rs_err());
	return b;
}

static json_t *
find_type(json_t *b, const char *type, size_t nth)
{
	json_t *o;
	size_t i;

	json_array_foreach(json_object_get(b, "objects"), i, o)
		if (strcmp(jstr(o, "type"), type) == 0 && nth-- == 0)
			return o;
	return NULL;
}

static size_t
count_type(json_t *b, const char *type)
{
	size_t n = 0;

	while (find_type(b, type, n) != NULL)
		n++;
	return n;
}

static int
is_fixed(const char *id)
{
	return strcmp(id, STIX_ROSTER_IDENTITY) == 0 || strcmp(id, STIX_ROSTER_EXTENSION) == 0 ||
	    stix_tlp_of_marking(id) != NULL || strcmp(id, STIX_NO_FORWARD_MARKING) == 0 ||
	    strncmp(id, "identity--a94122ea", 18) == 0;
}

static int
has_string(json_t *a, const char *s)
{
	json_t *e;
	size_t i;

	json_array_foreach(a, i, e)
		if (json_is_string(e) && strcmp(json_string_value(e), s) == 0)
			return 1;
	return 0;
}

static void
test_map_incident(void **state)
{
	struct catalogue *c = shipped();
	json_t *p = incident_payload(c, "AMBER"), *b = map(c, p, MSG_ID), *o, *x, *ids;
	char fpr[RS_FPR_LEN], *hex = hex_encode(signer, 32);
	const char *sender = "identity--a94122ea-9092-5ffc-8bfb-55a2e1c663f2";
	size_t i;

	(void)state;
	fingerprint(fpr, signer);
	assert_string_equal(jstr(find_type(b, "identity", 1), "id"), sender);
	assert_string_equal(jstr(find_type(b, "identity", 1), "name"), "XA");
	assert_true(stix_tlp_official(find_type(b, "marking-definition", 0)));
	assert_string_equal(jstr(find_type(b, "marking-definition", 0), "id"),
	    stix_tlp_marking_id("AMBER"));
	assert_int_equal(count_type(b, "incident"), 1);
	assert_int_equal(count_type(b, "report"), 1);
	assert_int_equal(count_type(b, "indicator"), 10);
	assert_int_equal(count_type(b, "vulnerability"), 1);
	assert_int_equal(count_type(b, "observed-data"), 1);
	assert_int_equal(count_type(b, "note"), 1);
	assert_int_equal(count_type(b, "relationship"), 11);
	assert_int_equal(count_type(b, "file"), 4);

	/* every object made from the message: marked, attributed, traceable */
	ids = json_object();
	json_array_foreach(json_object_get(b, "objects"), i, o) {
		const char *id = jstr(o, "id");
		if (json_object_get(ids, id) != NULL)
			fail_msg("%s twice", id);
		json_object_set_new(ids, id, json_true());
		if (is_fixed(id))
			continue;
		x = json_object_get(o, "object_marking_refs");
		assert_true(has_string(x, stix_tlp_marking_id("AMBER")));
		assert_true(has_string(x, STIX_NO_FORWARD_MARKING));
		x = json_object_get(json_object_get(o, "extensions"), STIX_ROSTER_EXTENSION);
		assert_string_equal(jstr(x, "message_id"), MSG_ID);
		assert_int_equal(json_integer_value(json_object_get(x, "log_index")), 41);
		assert_string_equal(jstr(x, "signer_key"), hex);
		assert_string_equal(jstr(x, "signer_fingerprint"), fpr);
		assert_string_equal(jstr(x, "state"), "XA");
		if (json_object_get(o, "created") != NULL) {
			assert_string_equal(jstr(o, "created_by_ref"), sender);
			assert_string_equal(jstr(o, "created"), "2025-12-01T10:00:00.123Z");
		}
	}
	json_decref(ids);

	o = find_type(b, "incident", 0);
	assert_string_equal(jstr(o, "name"), "Intrusion dans des réseaux électriques");
	assert_string_equal(jstr(o, "description"),
	    "Control systems of two grid operators reached from outside.");
	assert_string_equal(jstr(o, "lang"), "fr");
	x = json_object_get(o, "labels");
	assert_true(has_string(x, "incident-class:intrusions"));
	assert_true(has_string(x, "threat-category:criminal"));
	assert_true(has_string(x, "threat-category:attacks-state-resources"));
	assert_true(has_string(x, "sector:energy"));
	assert_true(has_string(x, "sector:transport"));
	assert_true(has_string(x, "impact:high"));
	assert_true(has_string(x, "affected-state:FR"));
	assert_true(has_string(x, "affected-state:DE"));
	assert_string_equal(jstr(json_object_get(json_object_get(o, "extensions"),
	    STIX_ROSTER_EXTENSION), "first_seen"), "2026-11-22T08:30:00Z");

	/* patterns, one per indicator, as the specification writes them */
	static const char *const want[] = {
		"[ipv4-addr:value = '192.0.2.1']",
		"[ipv6-addr:value = '2001:db8::1']",
		"[ipv4-addr:value ISSUBSET '198.51.100.0/24']",
		"[domain-name:value = 'evil.example']",
		"[url:value = 'https://x.example/a,b\\'c\\\\d']",
		"[email-addr:value = 'a@evil.example']",
		"[file:hashes.MD5 = 'd41d8cd98f00b204e9800998ecf8427e']",
		"[file:hashes.'SHA-1' = 'da39a3ee5e6b4b0d3255bfef95601890afd80709']",
	};
	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		o = find_type(b, "indicator", i);
		assert_string_equal(jstr(o, "pattern"), want[i]);
		assert_string_equal(jstr(o, "valid_from"), "2026-11-22T08:30:00.000Z");
	}
	o = find_type(b, "vulnerability", 0);
	assert_string_equal(jstr(o, "name"), "CVE-2024-1234");
	o = find_type(b, "observed-data", 0);
	assert_string_equal(jstr(o, "first_observed"), "2026-11-22T08:30:00.000Z");
	assert_string_equal(jstr(o, "last_observed"), "2026-11-22T08:30:00.000Z");
	assert_int_equal(json_array_size(json_object_get(o, "object_refs")), 10);
	o = find_type(b, "report", 0);
	assert_string_equal(jstr(o, "description"), "Détails à suivre.");
	/* the report lists every object made from the message and the sender */
	assert_int_equal(json_array_size(json_object_get(o, "object_refs")),
	    json_array_size(json_object_get(b, "objects")) - 5);
	o = find_type(b, "note", 0);
	assert_string_equal(jstr(o, "content"), "Blocked at the border; operators informed.");
	assert_true(has_string(json_object_get(o, "labels"), "measures-taken"));

	free(hex);
	json_decref(b);
	json_decref(p);
	catalogue_free(c);
}

static void
test_map_deterministic(void **state)
{
	struct catalogue *c = shipped();
	json_t *p = incident_payload(c, "RED"), *a = map(c, p, MSG_ID), *b = map(c, p, MSG_ID);
	json_t *other = map(c, p, "00000000000000000000000000000000000000000000000000000000000000ff");
	char *ta = jdump(a), *tb = jdump(b), *to = jdump(other);

	(void)state;
	assert_string_equal(ta, tb);
	assert_string_not_equal(ta, to);
	assert_string_not_equal(jstr(a, "id"), jstr(other, "id"));
	/* same objects for the same message, whatever else */
	assert_string_equal(jstr(find_type(a, "incident", 0), "id"),
	    jstr(find_type(b, "incident", 0), "id"));
	assert_string_not_equal(jstr(find_type(a, "incident", 0), "id"),
	    jstr(find_type(other, "incident", 0), "id"));
	free(ta);
	free(tb);
	free(to);
	json_decref(a);
	json_decref(b);
	json_decref(other);
	json_decref(p);
	catalogue_free(c);
}

static void
test_map_other_messages(void **state)
{
	struct catalogue *c = shipped();
	struct stix_source m = { .message_id = MSG_ID, .log_index = 0, .signed_ms = 0,
	    .state = "XB", .signer_key = signer };
	json_t *p, *b, *fields, *o;
	const char *kv[] = { "assistance=forensic-analysis", "description=Please help.",
	    "indicators=domain:c2.example" };

	(void)state;
	/* a plain message without a TLP label: the strictest label */
	p = json_pack("{s:s, s:s}", "subject", "Hello", "body", "Plain text.");
	b = map(c, p, MSG_ID);
	assert_string_equal(jstr(find_type(b, "marking-definition", 0), "id"),
	    stix_tlp_marking_id("RED"));
	assert_string_equal(jstr(find_type(b, "report", 0), "description"), "Plain text.");
	assert_null(find_type(b, "incident", 0));
	json_decref(b);
	json_decref(p);

	/* another template: its fields in English in a note; its indicators */
	if (catalogue_fill(c, "request-assistance", kv, 3, "en", &fields) != 0)
		fail_msg("fill: %s", rs_err());
	p = json_pack("{s:s, s:s, s:s, s:s, s:o}", "subject", "Help", "tlp", "GREEN", "lang",
	    "en", "template", "request-assistance", "fields", fields);
	b = map(c, p, MSG_ID);
	o = find_type(b, "note", 0);
	assert_non_null(o);
	has(jstr(o, "content"), "Please help.");
	assert_string_equal(jstr(find_type(b, "indicator", 0), "pattern"),
	    "[domain-name:value = 'c2.example']");
	assert_null(find_type(b, "relationship", 0));
	json_decref(b);

	/* fields that do not fit are not read, and the report says so */
	json_object_set_new(json_object_get(p, "fields"), "assistance",
	    json_string("<script>"));
	b = map(c, p, MSG_ID);
	assert_null(find_type(b, "note", 0));
	assert_null(find_type(b, "indicator", 0));
	has(jstr(find_type(b, "report", 0), "description"),
	    "[The fields of template request-assistance are not mapped: field \"assistance\"");
	json_decref(b);
	json_decref(p);

	/* free text is the report's text */
	kv[0] = "body=Le texte.";
	if (catalogue_fill(c, "free-text", kv, 1, "fr", &fields) != 0)
		fail_msg("fill: %s", rs_err());
	p = json_pack("{s:s, s:s, s:s, s:o}", "subject", "", "tlp", "CLEAR", "template",
	    "free-text", "fields", fields);
	b = map(c, p, MSG_ID);
	assert_string_equal(jstr(find_type(b, "report", 0), "description"), "Le texte.");
	assert_string_equal(jstr(find_type(b, "report", 0), "lang"), "fr");
	assert_string_equal(jstr(find_type(b, "report", 0), "name"), "roster message 3fa2c1d0");
	json_decref(b);

	/* an overdue notice is not STIX; a malformed source is refused */
	json_object_set_new(p, "notice", json_string("overdue"));
	m.payload = p;
	assert_int_equal(stix_from_message(c, &m, &b), STIX_MAP_SKIP);
	assert_null(b);
	json_object_del(p, "notice");
	m.message_id = "3FA2";
	assert_int_equal(stix_from_message(c, &m, &b), STIX_MAP_BAD);
	m.message_id = MSG_ID;
	m.state = "xa";
	assert_int_equal(stix_from_message(c, &m, &b), STIX_MAP_BAD);
	m.state = "XA";
	m.log_index = -1;
	assert_int_equal(stix_from_message(c, &m, &b), STIX_MAP_BAD);
	json_decref(p);
	catalogue_free(c);
}

/* ---- mapping: STIX to a message ----------------------------------------------------------- */

static void
draft(json_t *b, struct stix_draft *d)
{
	if (stix_bundle_check(b) != STIX_OK)
		fail_msg("test bundle invalid: %s", rs_err());
	if (stix_to_draft(b, d) != 0)
		fail_msg("draft refused: %s", rs_err());
}

static void
test_round_trip(void **state)
{
	struct catalogue *c = shipped();
	json_t *p = incident_payload(c, "AMBER+STRICT"), *b = map(c, p, MSG_ID), *fields;
	struct stix_draft d;

	(void)state;
	draft(b, &d);
	assert_string_equal(d.template_id, "incident-notification");
	assert_string_equal(d.subject, jstr(p, "subject"));
	assert_string_equal(d.body, jstr(p, "body"));
	assert_string_equal(d.lang, "fr");
	assert_string_equal(d.tlp, "AMBER+STRICT");
	assert_true(d.no_forward);
	for (size_t i = 0; i < d.ndropped; i++)
		fail_msg("dropped from roster's own bundle: %s", d.dropped[i]);
	/* the pairs fill the template back to exactly the fields sent */
	if (catalogue_fill(c, d.template_id, (const char **)d.kv, d.nkv, d.lang, &fields) != 0)
		fail_msg("fill from the draft: %s", rs_err());
	if (!json_equal(fields, json_object_get(p, "fields"))) {
		char *x = jdump(fields), *y = jdump(json_object_get(p, "fields"));
		fail_msg("round trip changed the fields:\n%s\n%s", x, y);
	}
	json_decref(fields);
	stix_draft_free(&d);
	json_decref(b);
	json_decref(p);

	/* a plain message comes back plain */
	p = json_pack("{s:s, s:s, s:s, s:s}", "subject", "Hello", "body", "Text, with a comma.",
	    "tlp", "GREEN", "lang", "ar");
	b = map(c, p, MSG_ID);
	draft(b, &d);
	assert_null(d.template_id);
	assert_int_equal(d.nkv, 0);
	assert_string_equal(d.subject, "Hello");
	assert_string_equal(d.body, "Text, with a comma.");
	assert_string_equal(d.tlp, "GREEN");
	assert_string_equal(d.lang, "ar");
	assert_false(d.no_forward);
	stix_draft_free(&d);
	json_decref(b);
	json_decref(p);
	catalogue_free(c);
}

#define OBJ(type, n)	"\"type\": \"" type "\", \"spec_version\": \"2.1\", \"id\": \"" type "--" U(n) "\", " TS

static json_t *
tool_bundle(const char *extra)
{
	struct buf t = {0};
	json_t *b;

	buf_printf(&t, "{\"type\": \"bundle\", \"id\": \"bundle--" U(9) "\", \"objects\": ["
	    "{" OBJ("identity", 1) ", \"name\": \"CERT-ZZ\"},"
	    "{" OBJ("indicator", 2) ", \"created_by_ref\": \"identity--" U(1) "\","
	    " \"pattern\": \"[ipv4-addr:value = '203.0.113.5'] OR [domain-name:value = 'Bad.Example']\","
	    " \"pattern_type\": \"stix\", \"valid_from\": \"2026-12-01T00:00:00Z\","
	    " \"object_marking_refs\": [\"marking-definition--f88d31f6-486f-44da-b317-01333bde0b82\"]},"
	    "{" OBJ("report", 3) ", \"name\": \"C2 servers\", \"description\": \"Seen today.\","
	    " \"published\": \"2026-12-01T00:00:00Z\", \"object_refs\": [\"indicator--" U(2) "\"],"
	    " \"labels\": [\"incident-class:malicious-code\", \"sector:health\", \"impact:low\","
	    " \"tool-label\"]}"
	    "%s]}", extra ? extra : "");
	b = jparse(t.p, t.len);
	if (b == NULL)
		fail_msg("tool bundle: %s", rs_err());
	buf_free(&t);
	return b;
}

static void
draft_refused(const char *extra, const char *why)
{
	json_t *b = tool_bundle(extra);
	struct stix_draft d;

	if (stix_bundle_check(b) != STIX_OK)
		fail_msg("test bundle invalid: %s", rs_err());
	if (stix_to_draft(b, &d) == 0)
		fail_msg("carried: %s", extra);
	has(rs_err(), why);
	stix_draft_free(&d);
	json_decref(b);
}

static void
test_from_tools(void **state)
{
	struct catalogue *c = shipped();
	struct stix_draft d;
	json_t *b, *fields;
	const char **kv;

	(void)state;
	b = tool_bundle(",{\"type\": \"url\", \"id\": \"url--" U(4) "\", \"value\": "
	    "\"https://x.example/a,b\"},"
	    "{" OBJ("vulnerability", 5) ", \"name\": \"CVE-2025-0001\"},"
	    "{" OBJ("observed-data", 6) ", \"first_observed\": \"2026-11-30T12:00:00.5Z\","
	    " \"last_observed\": \"2026-12-01T00:00:00Z\", \"number_observed\": 3,"
	    " \"object_refs\": [\"url--" U(4) "\"]},"
	    "{" OBJ("relationship", 7) ", \"relationship_type\": \"indicates\","
	    " \"source_ref\": \"indicator--" U(2) "\", \"target_ref\": \"vulnerability--" U(5) "\"},"
	    "{" OBJ("note", 8) ", \"abstract\": \"Context\", \"content\": \"From a partner.\","
	    " \"object_refs\": [\"report--" U(3) "\"], \"lang\": \"de\"},"
	    "{\"type\": \"file\", \"id\": \"file--" U(a) "\", \"name\": \"x.exe\","
	    " \"hashes\": {\"SHA-256\": \"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\","
	    " \"SSDEEP\": \"3:a:b\"},"
	    " \"object_marking_refs\": [\"marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed\"]}");
	draft(b, &d);
	assert_string_equal(d.template_id, "incident-notification");
	assert_string_equal(d.subject, "C2 servers");
	assert_string_equal(d.body, "Seen today.\n\nContext\nFrom a partner.");
	assert_string_equal(d.tlp, "RED");	/* the strictest of AMBER (TLP 1.0) and RED */
	assert_string_equal(d.lang, "en");
	assert_false(d.no_forward);
	/* what has no place in a message is listed, not lost in silence */
	assert_int_equal(d.ndropped, 3);
	has(d.dropped[0], "objects[6] (relationship--" U(7) "): not carried: the relationship "
	    "\"indicates\"");
	has(d.dropped[1], "objects[8] (file--" U(a) "): not carried: hashes.SSDEEP");
	has(d.dropped[2], "objects[8] (file--" U(a) "): not carried: name");
	/* catalogue_fill checks and normalises what the draft carries */
	kv = xcalloc(d.nkv + 1, sizeof(*kv));
	memcpy(kv, d.kv, d.nkv * sizeof(*kv));
	kv[d.nkv] = "first_seen=2026-11-30T12:00Z";
	assert_int_equal(catalogue_fill(c, d.template_id, kv, d.nkv, d.lang, &fields), 0);
	assert_string_equal(jstr(fields, "incident_class"), "malicious-code");
	assert_string_equal(jstr(fields, "first_seen"), "2026-11-30T12:00:00Z");
	assert_int_equal(json_array_size(json_object_get(fields, "indicators")), 5);
	assert_string_equal(jstr(json_array_get(json_object_get(fields, "indicators"), 1),
	    "value"), "bad.example");
	assert_string_equal(jstr(json_array_get(json_object_get(fields, "indicators"), 2),
	    "value"), "https://x.example/a,b");
	json_decref(fields);
	free(kv);
	stix_draft_free(&d);
	json_decref(b);

	/* a label that is not a code is refused by the fill, naming the field */
	b = tool_bundle(",{" OBJ("incident", 4) ", \"name\": \"Outage\", \"labels\": "
	    "[\"sector:enrgy\", \"incident-class:availability\", \"impact:high\"]}");
	draft(b, &d);
	assert_string_equal(d.subject, "Outage");
	assert_int_not_equal(catalogue_fill(c, d.template_id, (const char **)d.kv, d.nkv,
	    d.lang, &fields), 0);
	has(rs_err(), "field \"sector\": \"enrgy\" is not a code of taxonomy sectors");
	stix_draft_free(&d);
	json_decref(b);

	/* a marking on an object the message does not carry is no obstacle */
	b = tool_bundle(",{\"type\": \"marking-definition\", \"spec_version\": \"2.1\", \"id\": "
	    "\"marking-definition--" U(4) "\", \"created\": \"2026-01-01T00:00:00.000Z\","
	    " \"definition_type\": \"statement\", \"definition\": {\"statement\": \"(c) ZZ\"}},"
	    "{" OBJ("identity", 5) ", \"name\": \"Analyst\", \"object_marking_refs\": "
	    "[\"marking-definition--" U(4) "\"]}");
	draft(b, &d);
	assert_int_equal(d.ndropped, 1);
	has(d.dropped[0], "objects[3] (marking-definition--" U(4) "): not carried: a marking");
	stix_draft_free(&d);
	json_decref(b);

	/* what a message cannot carry */
	draft_refused(",{" OBJ("malware", 4) ", \"name\": \"x\", \"is_family\": false}",
	    "objects[3] (malware--" U(4) "): a roster message cannot carry a malware");
	draft_refused(",{" OBJ("incident", 4) ", \"name\": \"a\"},{" OBJ("incident", 5)
	    ", \"name\": \"b\"}", "objects[4] (incident--" U(5) "): a roster message carries "
	    "one incident (incident--" U(4) " is another)");
	draft_refused(",{" OBJ("indicator", 4) ", \"pattern\": \"[domain-name:value = 'a.example'"
	    " AND domain-name:value = 'b.example']\", \"pattern_type\": \"stix\","
	    " \"valid_from\": \"2026-12-01T00:00:00Z\"}", "\"pattern\": AND cannot be carried");
	draft_refused(",{" OBJ("indicator", 4) ", \"pattern\": \"[domain-name:value NOT = "
	    "'a.example']\", \"pattern_type\": \"stix\", \"valid_from\": \"2026-12-01T00:00:00Z\"}",
	    "only =, IN and ISSUBSET comparisons can be carried");
	draft_refused(",{" OBJ("indicator", 4) ", \"pattern\": \"[url:value LIKE 'http%']\","
	    " \"pattern_type\": \"stix\", \"valid_from\": \"2026-12-01T00:00:00Z\"}",
	    "only =, IN and ISSUBSET comparisons can be carried");
	draft_refused(",{" OBJ("indicator", 4) ", \"pattern\": \"rule x { condition: true }\","
	    " \"pattern_type\": \"yara\", \"valid_from\": \"2026-12-01T00:00:00Z\"}",
	    "a pattern of type yara cannot be carried");
	draft_refused(",{\"type\": \"file\", \"id\": \"file--" U(4) "\", \"hashes\": "
	    "{\"SSDEEP\": \"3:a:b\"}}", "a file without an MD5, SHA-1, SHA-256 or SHA-512 hash");
	draft_refused(",{" OBJ("vulnerability", 4) ", \"name\": \"Heartbleed\"}",
	    "a vulnerability without a CVE id cannot be carried");
	draft_refused(",{\"type\": \"marking-definition\", \"spec_version\": \"2.1\", \"id\": "
	    "\"marking-definition--" U(4) "\", \"created\": \"2026-01-01T00:00:00.000Z\","
	    " \"definition_type\": \"statement\", \"definition\": {\"statement\": \"Not for X\"}},"
	    "{\"type\": \"domain-name\", \"id\": \"domain-name--" U(5) "\", \"value\": \"a.example\","
	    " \"object_marking_refs\": [\"marking-definition--" U(4) "\"]}",
	    "objects[4] (domain-name--" U(5) "): marking marking-definition--" U(4)
	    " cannot be carried");
	draft_refused(",{\"type\": \"domain-name\", \"id\": \"domain-name--" U(5) "\", \"value\": "
	    "\"a.example\", \"granular_markings\": [{\"lang\": \"en\", \"selectors\": [\"value\"]}]}",
	    "granular markings cannot be carried");
	catalogue_free(c);
}

static void
test_no_subject(void **state)
{
	json_t *b = json_pack("{s:s, s:s, s:[{s:s, s:s, s:s}]}", "type", "bundle",
	    "id", "bundle--" U(9), "objects", "type", "domain-name", "id",
	    "domain-name--" U(1), "value", "a.example");
	struct stix_draft d;

	(void)state;
	assert_int_equal(stix_bundle_check(b), STIX_OK);
	/* no subject is no refusal: the caller gives one (--subject, the
	 * collection's) or refuses */
	assert_int_equal(stix_to_draft(b, &d), 0);
	assert_null(d.subject);
	assert_string_equal(d.template_id, "incident-notification");
	assert_int_equal(d.nkv, 1);
	assert_string_equal(d.kv[0], "indicators=domain:a.example");
	stix_draft_free(&d);
	json_decref(b);
	/* an indicator's valid_from is first_seen when nothing else says */
	b = json_pack("{s:s, s:s, s:[{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s},"
	    " {s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}]}", "type", "bundle",
	    "id", "bundle--" U(9), "objects",
	    "type", "indicator", "spec_version", "2.1", "id", "indicator--" U(1),
	    "created", "2026-12-01T00:00:00.000Z", "modified", "2026-12-01T00:00:00.000Z",
	    "pattern", "[domain-name:value = 'a.example']", "pattern_type", "stix",
	    "valid_from", "2026-11-03T10:00:00Z",
	    "type", "indicator", "spec_version", "2.1", "id", "indicator--" U(2),
	    "created", "2026-12-01T00:00:00.000Z", "modified", "2026-12-01T00:00:00.000Z",
	    "pattern", "[ipv4-addr:value = '192.0.2.1']", "pattern_type", "stix",
	    "valid_from", "2026-11-02T09:30:00.5Z");
	assert_int_equal(stix_bundle_check(b), STIX_OK);
	assert_int_equal(stix_to_draft(b, &d), 0);
	assert_int_equal(d.nkv, 3);
	assert_string_equal(d.kv[2], "first_seen=2026-11-02T09:30:00Z");
	stix_draft_free(&d);
	json_decref(b);
	b = json_pack("{s:s, s:s}", "type", "bundle", "id", "bundle--" U(9));
	assert_int_equal(stix_to_draft(b, &d), -1);
	has(rs_err(), "nothing to send");
	stix_draft_free(&d);
	json_decref(b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_timestamps),
		cmocka_unit_test(test_identifiers),
		cmocka_unit_test(test_tlp),
		cmocka_unit_test(test_pattern_grammar),
		cmocka_unit_test(test_pattern_refusals),
		cmocka_unit_test(test_valid_bundle),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_more_types),
		cmocka_unit_test(test_bundle_refusals),
		cmocka_unit_test(test_map_incident),
		cmocka_unit_test(test_map_deterministic),
		cmocka_unit_test(test_map_other_messages),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_from_tools),
		cmocka_unit_test(test_no_subject),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
