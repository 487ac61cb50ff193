/*
 * test_catalogue.c - message templates and taxonomies (lib/catalogue.h).
 *
 * What it tries to break: that a recipient reads every label in its own
 * language (every shipped entry has all six, and rendering uses them); that
 * a filled template holds only values its fields allow, in one canonical
 * spelling, and that every refusal names the field; that a received fields
 * object that does not fit is shown as such, never trusted or crashed on;
 * that an operator's file replaces a shipped one only with a higher
 * version; and that a broken catalogue file is refused with its name.
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

#include <jansson.h>

#include "catalogue.h"
#include "jsonutil.h"
#include "tmpdir.h"
#include "util.h"

static const char *const want_templates[] = {
	"communication-check", "request-information", "request-assistance",
	"incident-notification", "mitigation-information", "consultation-request",
	"consultation-response", "reply", "free-text", NULL
};
static const char *const want_taxonomies[] = {
	"threat-categories", "incident-classes", "sectors", "tlp", "urgency",
	"consultation-response", NULL
};

static struct catalogue *
shipped(void)
{
	struct catalogue *c = catalogue_new();

	if (catalogue_load_shipped(c) != 0)
		fail_msg("shipped catalogue: %s", rs_err());
	return c;
}

static void
all_six(json_t *i18n, const char *what)
{
	for (int i = 0; i < CAT_NLANGS; i++) {
		const char *s = jstr(i18n, cat_langs[i]);
		if (s == NULL || s[0] == '\0')
			fail_msg("%s has no %s text", what, cat_langs[i]);
	}
}

/* ---- the shipped catalogue ------------------------------------------------ */

static void
test_shipped_complete(void **state)
{
	struct catalogue *c = shipped();
	json_t *t, *f, *x, *v;
	size_t i, j;

	assert_int_equal(catalogue_nproblems(c), 0);
	for (i = 0; want_templates[i] != NULL; i++)
		assert_non_null(catalogue_template(c, want_templates[i]));
	for (i = 0; want_taxonomies[i] != NULL; i++)
		assert_non_null(catalogue_taxonomy(c, want_taxonomies[i]));
	json_array_foreach(catalogue_templates(c), i, t) {
		all_six(json_object_get(t, "title"), jstr(t, "id"));
		all_six(json_object_get(t, "help"), jstr(t, "id"));
		json_array_foreach(json_object_get(t, "fields"), j, f) {
			all_six(json_object_get(f, "label"), jstr(f, "name"));
			if (json_object_get(f, "help"))
				all_six(json_object_get(f, "help"), jstr(f, "name"));
		}
	}
	json_array_foreach(catalogue_taxonomies(c), i, x) {
		all_six(json_object_get(x, "title"), jstr(x, "id"));
		json_array_foreach(json_object_get(x, "values"), j, v)
			all_six(json_object_get(v, "label"), jstr(v, "code"));
	}
	/* the lists the issue names */
	x = catalogue_taxonomy(c, "tlp");
	assert_int_equal(json_array_size(json_object_get(x, "values")), 5);
	x = catalogue_taxonomy(c, "incident-classes");
	assert_int_equal(json_array_size(json_object_get(x, "values")), 10);
	x = catalogue_taxonomy(c, "urgency");
	assert_int_equal(json_array_size(json_object_get(x, "values")), 4);
	catalogue_free(c);
}

static void
test_digest(void **state)
{
	struct catalogue *a = shipped(), *b = shipped();
	uint8_t d1[32], d2[32], d3[32];

	assert_int_equal(catalogue_digest(a, "reply", d1), 0);
	assert_int_equal(catalogue_digest(b, "reply", d2), 0);
	assert_memory_equal(d1, d2, 32);
	assert_int_equal(catalogue_digest(a, "free-text", d3), 0);
	assert_memory_not_equal(d1, d3, 32);
	assert_int_equal(catalogue_digest(a, "no-such", d3), -1);
	assert_non_null(strstr(rs_err(), "no-such"));
	catalogue_free(a);
	catalogue_free(b);
}

/* ---- fill ---------------------------------------------------------------- */

static json_t *
fill(struct catalogue *c, const char *id, const char *lang, ...)
{
	const char *kv[32];
	size_t n = 0;
	va_list ap;
	json_t *out;

	va_start(ap, lang);
	while (n < 32 && (kv[n] = va_arg(ap, const char *)) != NULL)
		n++;
	va_end(ap);
	if (catalogue_fill(c, id, kv, n, lang, &out) != 0)
		return NULL;
	return out;
}

#define HASH "E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855"

static void
test_fill_incident(void **state)
{
	struct catalogue *c = shipped();
	char *att = path_in(state, "report.pdf");
	char attkv[4200];
	json_t *f;
	char *s;

	assert_int_equal(write_file_atomic(att, "%PDF", 4, 0644), 0);
	snprintf(attkv, sizeof(attkv), "attachment=%s", att);
	f = fill(c, "incident-notification", "fr",
	    "incident_class=Intrusions", "sector=energy, Health", "sector=energy",
	    "first_seen=2026-11-22T11:30+03:00", "impact=high",
	    "affected_states=fr,de", "indicators=ip:192.0.2.1,evil.Example",
	    "indicators=sha256:" HASH ",ip:192.0.2.1", "indicators=2001:DB8::1",
	    "indicators=url:https://evil.example/a\\,b?c=1\\,2",
	    "indicators=email:Phish.Desk@Evil.example",
	    "measures_taken=Serveurs isolés.\nFiltrage en place.", attkv, NULL);
	if (f == NULL)
		fail_msg("fill: %s", rs_err());
	s = jdump(f);
	assert_non_null(strstr(s,
	    "{\"incident_class\":\"intrusions\",\"sector\":[\"energy\",\"health\"],"
	    "\"first_seen\":\"2026-11-22T08:30:00Z\",\"impact\":\"high\","
	    "\"affected_states\":[\"FR\",\"DE\"],\"indicators\":["
	    "{\"type\":\"ip\",\"value\":\"192.0.2.1\"},"
	    "{\"type\":\"domain\",\"value\":\"evil.example\"},"
	    "{\"type\":\"sha256\",\"value\":\"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\"},"
	    "{\"type\":\"ip\",\"value\":\"2001:db8::1\"},"
	    "{\"type\":\"url\",\"value\":\"https://evil.example/a,b?c=1,2\"},"
	    "{\"type\":\"email\",\"value\":\"phish.desk@evil.example\"}],"
	    "\"measures_taken\":{\"lang\":\"fr\",\"text\":\"Serveurs isol\xc3\xa9s.\\nFiltrage en place.\"},"
	    "\"attachment\":[\"/") == s);
	assert_non_null(strstr(s, "report.pdf\"]}"));
	free(s);
	assert_int_equal(catalogue_check_fields(c, "incident-notification", f), 0);
	json_decref(f);
	free(att);
	catalogue_free(c);
}

/* Fill must fail with rs_err containing every one of the fragments. */
static void
refused(struct catalogue *c, const char *id, const char **kv, size_t n,
    const char *lang, const char *frag1, const char *frag2)
{
	json_t *out = (json_t *)1;

	if (catalogue_fill(c, id, kv, n, lang, &out) == 0)
		fail_msg("fill of %s (%s...) succeeded", id, n ? kv[0] : "");
	assert_null(out);
	if (strstr(rs_err(), frag1) == NULL || (frag2 && strstr(rs_err(), frag2) == NULL))
		fail_msg("error \"%s\" lacks \"%s\" / \"%s\"", rs_err(), frag1,
		    frag2 ? frag2 : "");
}

#define BASE "incident_class=intrusions", "sector=energy", "impact=low"
#define REFUSED(frag1, frag2, ...) do { \
	const char *kv_[] = { __VA_ARGS__ }; \
	refused(c, "incident-notification", kv_, sizeof(kv_) / sizeof(kv_[0]), "en", \
	    frag1, frag2); \
} while (0)

static void
test_fill_refusals(void **state)
{
	struct catalogue *c = shipped();
	const char *kv[] = { "body=hello" };

	/* missing required */
	REFUSED("field \"first_seen\"", "required", BASE);
	REFUSED("field \"incident_class\"", "required", "sector=energy", "impact=low",
	    "first_seen=2026-01-01T00:00Z");
	/* a bad value is named before a missing required field */
	REFUSED("field \"sector\": \"enrgy\"", NULL, "sector=enrgy");
	/* unknown field */
	REFUSED("unknown field \"colour\"", "first_seen", BASE, "colour=red");
	REFUSED("is not NAME=VALUE", NULL, BASE, "first_seen");
	/* bad choice */
	REFUSED("field \"sector\": \"enrgy\" is not a code of taxonomy sectors (energy",
	    NULL, "incident_class=intrusions", "sector=enrgy", "impact=low",
	    "first_seen=2026-01-01T00:00Z");
	REFUSED("field \"incident_class\"", "taxonomy incident-classes",
	    "incident_class=hacking", "sector=energy", "impact=low",
	    "first_seen=2026-01-01T00:00Z");
	REFUSED("field \"incident_class\"", "takes one value", BASE,
	    "incident_class=fraud", "first_seen=2026-01-01T00:00Z");
	/* bad datetime */
	REFUSED("field \"first_seen\"", "not a date", BASE, "first_seen=2026-13-01T00:00Z");
	REFUSED("field \"first_seen\"", "not a date", BASE, "first_seen=2026-02-29T00:00Z");
	REFUSED("field \"first_seen\"", "not a date", BASE, "first_seen=yesterday");
	REFUSED("field \"first_seen\"", "not a date", BASE, "first_seen=2026-01-01T24:00Z");
	REFUSED("field \"first_seen\"", "no time zone", BASE, "first_seen=2026-01-01T10:00");
	REFUSED("field \"first_seen\"", "not a date", BASE, "first_seen=2026-01-01T10:00Zjunk");
	/* bad State code */
	REFUSED("field \"affected_states\"", "\"X1\" is not a two-letter State code", BASE,
	    "first_seen=2026-01-01T00:00Z", "affected_states=FR,X1");
	REFUSED("field \"affected_states\"", "two-letter", BASE,
	    "first_seen=2026-01-01T00:00Z", "affected_states=FRA");
	REFUSED("field \"affected_states\"", "empty value", BASE,
	    "first_seen=2026-01-01T00:00Z", "affected_states=FR,,DE");
	/* bad indicators */
	REFUSED("field \"indicators\"", "not a valid ip indicator", BASE,
	    "first_seen=2026-01-01T00:00Z", "indicators=ip:999.1.1.1");
	REFUSED("field \"indicators\"", "not a valid sha256 indicator", BASE,
	    "first_seen=2026-01-01T00:00Z", "indicators=sha256:abc");
	REFUSED("field \"indicators\"", "not an indicator", BASE,
	    "first_seen=2026-01-01T00:00Z", "indicators=not an indicator");
	REFUSED("field \"indicators\"", "not a valid url", BASE,
	    "first_seen=2026-01-01T00:00Z", "indicators=url:javascript:alert(1)");
	REFUSED("field \"indicators\"", "not a valid email", BASE,
	    "first_seen=2026-01-01T00:00Z", "indicators=email:nobody@");
	/* ... by the one address check (lib/vocab.h): an address that would add
	 * a recipient or carries brackets is not an e-mail indicator either. */
	REFUSED("field \"indicators\"", "not a valid email", BASE,
	    "first_seen=2026-01-01T00:00Z", "indicators=email:a;b@evil.example");
	REFUSED("field \"indicators\"", "not a valid email", BASE,
	    "first_seen=2026-01-01T00:00Z", "indicators=email:<a>@evil.example");
	REFUSED("field \"indicators\"", "not a valid domain", BASE,
	    "first_seen=2026-01-01T00:00Z", "indicators=domain:-bad-.example");
	/* text */
	REFUSED("field \"measures_taken\"", "given 2 times", BASE,
	    "first_seen=2026-01-01T00:00Z", "measures_taken=a", "measures_taken=b");
	REFUSED("field \"measures_taken\"", "control character", BASE,
	    "first_seen=2026-01-01T00:00Z", "measures_taken=a\033[2Jb");
	REFUSED("field \"measures_taken\"", "UTF-8", BASE,
	    "first_seen=2026-01-01T00:00Z", "measures_taken=\xff\xfe");
	/* attachment */
	REFUSED("field \"attachment\"", "is not a file", BASE,
	    "first_seen=2026-01-01T00:00Z", "attachment=/nonexistent/file.pdf");
	/* the template and the language */
	refused(c, "no-such-template", kv, 1, "en", "no template \"no-such-template\"", NULL);
	refused(c, "free-text", kv, 1, "de", "language \"de\"", NULL);
	refused(c, "free-text", kv, 0, "en", "field \"body\"", "required");
	catalogue_free(c);
}

static void
test_fill_datetime_forms(void **state)
{
	struct catalogue *c = shipped();
	static const char *const forms[][2] = {
		{ "2026-11-22T08:30Z", "2026-11-22T08:30:00Z" },
		{ "2026-11-22 08:30:59z", "2026-11-22T08:30:59Z" },
		{ "2026-11-22T08:30:00.123Z", "2026-11-22T08:30:00Z" },
		{ "2026-11-22T01:30-0700", "2026-11-22T08:30:00Z" },
		{ "2026-11-23T00:30+16", NULL },
		{ "2026-01-01T02:00+05:30", "2025-12-31T20:30:00Z" },
		{ "2028-02-29T00:00Z", "2028-02-29T00:00:00Z" },
	};

	for (size_t i = 0; i < sizeof(forms) / sizeof(forms[0]); i++) {
		char kv[64];
		const char *p[1] = { kv };
		json_t *f;
		snprintf(kv, sizeof(kv), "respond_by=%s", forms[i][0]);
		if (catalogue_fill(c, "communication-check", p, 1, "en", &f) != 0) {
			if (forms[i][1] != NULL)
				fail_msg("%s: %s", forms[i][0], rs_err());
			continue;
		}
		if (forms[i][1] == NULL)
			fail_msg("%s was accepted", forms[i][0]);
		assert_string_equal(jstr(f, "respond_by"), forms[i][1]);
		json_decref(f);
	}
	catalogue_free(c);
}

/* ---- check and render ------------------------------------------------------- */

static json_t *
sample(struct catalogue *c)
{
	json_t *f = fill(c, "incident-notification", "ru",
	    "incident_class=intrusions", "sector=energy,health",
	    "first_seen=2026-11-22T08:30Z", "impact=severe",
	    "measures_taken=Серверы изолированы", "indicators=domain:evil.example", NULL);

	if (f == NULL)
		fail_msg("fill: %s", rs_err());
	return f;
}

static char *
render(struct catalogue *c, const char *id, json_t *f, const char *lang)
{
	struct buf b = {0};
	char *s;

	if (catalogue_render(c, id, f, lang, &b) != 0)
		fail_msg("render: %s", rs_err());
	s = xstrdup(buf_cstr(&b));
	buf_free(&b);
	return s;
}

static void
test_render_languages(void **state)
{
	struct catalogue *c = shipped();
	json_t *f = sample(c);
	char *ar = render(c, "incident-notification", f, "ar");
	char *zh = render(c, "incident-notification", f, "zh");
	char *en = render(c, "incident-notification", f, "en");
	char *xx = render(c, "incident-notification", f, "de");

	/* labels, taxonomy values and the title in the reader's language */
	assert_non_null(strstr(ar, "إخطار بحادث متصل بتكنولوجيا المعلومات والاتصالات"));
	assert_non_null(strstr(ar, "فئة الحادث: اختراقات"));
	assert_non_null(strstr(ar, "القطاعات المتضررة: الطاقة; الصحة"));
	assert_non_null(strstr(ar, "أول رصد: 2026-11-22T08:30:00Z"));
	assert_non_null(strstr(zh, "信息通信技术事件通报"));
	assert_non_null(strstr(zh, "事件类别: 入侵"));
	assert_non_null(strstr(zh, "受影响部门: 能源; 卫生"));
	assert_non_null(strstr(zh, "影响: 严重 – 基本服务中断"));
	assert_non_null(strstr(en, "Affected sectors: Energy; Health"));
	assert_non_null(strstr(en, "Technical indicators: domain evil.example"));
	/* free text keeps the writer's language, tagged */
	assert_non_null(strstr(zh, "已采取的措施: (ru) Серверы изолированы"));
	assert_null(strstr(en, "[en]"));
	/* an unknown reading language falls back to English, marked */
	assert_non_null(strstr(xx, "[en] Affected sectors: [en] Energy"));
	free(ar);
	free(zh);
	free(en);
	free(xx);
	json_decref(f);
	catalogue_free(c);
}

static void
test_received_fields(void **state)
{
	struct catalogue *c = shipped();
	json_t *f = sample(c);
	char *s;

	assert_int_equal(catalogue_check_fields(c, "incident-notification", f), 0);
	/* a value that is not canonical, a wrong type, an unknown code or field */
	json_object_set_new(f, "first_seen", json_string("2026-11-22T11:30+03:00"));
	assert_int_equal(catalogue_check_fields(c, "incident-notification", f), -1);
	assert_non_null(strstr(rs_err(), "field \"first_seen\""));
	json_object_set_new(f, "first_seen", json_integer(7));
	assert_int_equal(catalogue_check_fields(c, "incident-notification", f), -1);
	json_object_set_new(f, "first_seen", json_string("2026-11-22T08:30:00Z"));
	json_object_set_new(f, "sector", json_pack("[s]", "enrgy"));
	assert_int_equal(catalogue_check_fields(c, "incident-notification", f), -1);
	assert_non_null(strstr(rs_err(), "field \"sector\""));
	json_object_set_new(f, "sector", json_pack("[s]", "energy"));
	json_object_set_new(f, "x_extra", json_string("\033]0;pwned\007"));
	assert_int_equal(catalogue_check_fields(c, "incident-notification", f), -1);
	assert_non_null(strstr(rs_err(), "unknown field \"x_extra\""));
	json_object_set_new(f, "measures_taken", json_pack("{s:s,s:s}", "lang", "en",
	    "text", "a\033[2Jb\xe2\x80\xae" "evil"));
	json_object_set_new(f, "impact", json_pack("[i]", 1));
	/* rendering shows what does not fit, and no control character */
	s = render(c, "incident-notification", f, "en");
	assert_non_null(strstr(s, "[not in the template] x_extra"));
	assert_non_null(strstr(s, "Impact: [does not fit the template"));
	assert_null(strchr(s, '\033'));
	assert_null(strchr(s, '\007'));
	assert_null(strstr(s, "\xe2\x80\xae"));
	free(s);
	json_object_del(f, "incident_class");
	assert_int_equal(catalogue_check_fields(c, "incident-notification", f), -1);
	s = (char *)json_string("x");
	assert_int_equal(catalogue_render(c, "incident-notification", (json_t *)s,
	    "en", &(struct buf){0}), -1);
	json_decref((json_t *)s);
	json_decref(f);
	catalogue_free(c);
}

/* ---- operator additions ------------------------------------------------------ */

static void
write_json(void **state, const char *rel, json_t *j)
{
	char *p = path_in(state, rel), *dir = xstrdup(p), *s;

	*strrchr(dir, '/') = '\0';
	assert_int_equal(mkdir_p(dir, 0755), 0);
	s = json_dumps(j, JSON_INDENT(1));
	assert_int_equal(write_file_atomic(p, s, strlen(s), 0644), 0);
	free(s);
	free(dir);
	free(p);
}

static void
write_text(void **state, const char *rel, const char *text)
{
	char *p = path_in(state, rel), *dir = xstrdup(p);

	*strrchr(dir, '/') = '\0';
	assert_int_equal(mkdir_p(dir, 0755), 0);
	assert_int_equal(write_file_atomic(p, text, strlen(text), 0644), 0);
	free(dir);
	free(p);
}

/* A copy of shipped entry id with version v and English title title. */
static json_t *
variant(struct catalogue *c, int is_template, const char *id, int v, const char *title)
{
	json_t *o = json_deep_copy(is_template ? catalogue_template(c, id) :
	    catalogue_taxonomy(c, id));

	json_object_set_new(o, "version", json_integer(v));
	json_object_set_new(json_object_get(o, "title"), "en", json_string(title));
	return o;
}

static int
has_problem(struct catalogue *c, const char *a, const char *b)
{
	for (size_t i = 0; i < catalogue_nproblems(c); i++)
		if (strstr(catalogue_problem(c, i), a) &&
		    (b == NULL || strstr(catalogue_problem(c, i), b)))
			return 1;
	return 0;
}

static void
test_override_rules(void **state)
{
	struct catalogue *c = shipped();
	char *dir = path_in(state, "node"), *dir2 = path_in(state, "hub");
	json_t *o;
	int fb;

	o = variant(c, 1, "free-text", 1, "Same version");
	write_json(state, "node/templates/free-text.json", o);
	json_decref(o);
	o = variant(c, 1, "reply", 2, "Reply, second edition");
	write_json(state, "node/templates/reply.json", o);
	json_decref(o);
	o = variant(c, 0, "sectors", 3, "Sectors, third edition");
	write_json(state, "node/taxonomies/sectors.json", o);
	json_decref(o);
	assert_int_equal(catalogue_add_dir(c, dir, "node"), 1);
	/* equal version: the shipped one stays, and the file is reported */
	assert_true(has_problem(c, "free-text.json", "version 1 ignored"));
	assert_string_equal(catalogue_source(c, "free-text"), "shipped");
	assert_string_equal(cat_label(json_object_get(catalogue_template(c, "free-text"),
	    "title"), "en", &fb), "Free text");
	/* higher version: replaced */
	assert_string_equal(catalogue_source(c, "reply"), "node");
	assert_string_equal(cat_label(json_object_get(catalogue_template(c, "reply"),
	    "title"), "en", &fb), "Reply, second edition");
	assert_string_equal(catalogue_source(c, "sectors"), "node");
	/* a later layer with the same higher version does not win either */
	o = variant(c, 1, "reply", 2, "The hub's reply");
	write_json(state, "hub/templates/reply.json", o);
	json_decref(o);
	o = variant(c, 1, "reply", 1, "x");
	json_object_set_new(o, "id", json_string("operator-note"));
	write_json(state, "hub/templates/operator-note.json", o);
	json_decref(o);
	assert_int_equal(catalogue_add_dir(c, dir2, "hub"), 1);
	assert_string_equal(catalogue_source(c, "reply"), "node");
	assert_string_equal(catalogue_source(c, "operator-note"), "hub");
	/* export by source: what the hub serves */
	o = catalogue_export(c, "hub");
	assert_int_equal(json_array_size(json_object_get(o, "templates")), 1);
	assert_int_equal(json_array_size(json_object_get(o, "taxonomies")), 0);
	json_decref(o);
	free(dir);
	free(dir2);
	catalogue_free(c);
}

static void
test_broken_files(void **state)
{
	struct catalogue *c = shipped();
	char *dir = path_in(state, "op"), *dir2;
	json_t *o;

	write_text(state, "op/templates/garbled.json", "{\"id\": \"garbled\", ");
	o = variant(c, 1, "reply", 5, "x");
	json_object_set_new(o, "id", json_string("no-russian"));
	json_object_del(json_object_get(o, "title"), "ru");
	write_json(state, "op/templates/no-russian.json", o);
	json_decref(o);
	o = variant(c, 1, "incident-notification", 5, "x");
	json_object_set_new(o, "id", json_string("bad-taxonomy"));
	json_object_set_new(json_array_get(json_object_get(o, "fields"), 0), "taxonomy",
	    json_string("colours"));
	write_json(state, "op/templates/bad-taxonomy.json", o);
	json_decref(o);
	o = variant(c, 1, "reply", 5, "x");
	write_json(state, "op/templates/misnamed.json", o);
	json_decref(o);
	o = variant(c, 1, "reply", 5, "x");
	json_object_set_new(o, "id", json_string("typo"));
	json_object_set_new(json_array_get(json_object_get(o, "fields"), 0), "requird",
	    json_true());
	write_json(state, "op/templates/typo.json", o);
	json_decref(o);
	o = variant(c, 0, "tlp", 5, "x");
	json_object_set_new(o, "id", json_string("dup"));
	json_array_append(json_object_get(o, "values"),
	    json_array_get(json_object_get(o, "values"), 0));
	write_json(state, "op/taxonomies/dup.json", o);
	json_decref(o);
	o = variant(c, 1, "reply", 5, "x");
	json_object_set_new(o, "id", json_string("bad-type"));
	json_object_set_new(json_array_get(json_object_get(o, "fields"), 1), "type",
	    json_string("number"));
	write_json(state, "op/templates/bad-type.json", o);
	json_decref(o);

	o = variant(c, 1, "reply", 5, "Reply \xe2\x80\xae" "txet");
	json_object_set_new(o, "id", json_string("bidi"));
	write_json(state, "op/templates/bidi.json", o);
	json_decref(o);
	o = variant(c, 1, "reply", 5, "x");
	json_object_set_new(o, "id", json_string("c1\xc2\x9b" "31m"));
	write_json(state, "op/templates/c1.json", o);
	json_decref(o);

	assert_int_equal(catalogue_add_dir(c, dir, "node"), 9);
	assert_true(has_problem(c, "op/templates/bidi.json", "bidirectional override"));
	assert_true(has_problem(c, "op/templates/c1.json", "c1??31m"));
	for (size_t i = 0; i < catalogue_nproblems(c); i++)
		assert_null(strstr(catalogue_problem(c, i), "\xc2\x9b"));
	assert_true(has_problem(c, "op/templates/garbled.json", "malformed JSON"));
	assert_true(has_problem(c, "op/templates/no-russian.json", "title: no \"ru\" text"));
	assert_true(has_problem(c, "op/templates/bad-taxonomy.json",
	    "field \"incident_class\": taxonomy \"colours\" is not in the catalogue"));
	assert_true(has_problem(c, "op/templates/misnamed.json", "does not match the file name"));
	assert_true(has_problem(c, "op/templates/typo.json", "unknown key \"requird\""));
	assert_true(has_problem(c, "op/taxonomies/dup.json", "appears twice"));
	assert_true(has_problem(c, "op/templates/bad-type.json", "\"type\" must be"));
	/* none of them got in; the rest of the catalogue is whole */
	assert_null(catalogue_template(c, "garbled"));
	assert_null(catalogue_template(c, "no-russian"));
	assert_null(catalogue_taxonomy(c, "dup"));
	assert_string_equal(catalogue_source(c, "reply"), "shipped");
	catalogue_free(c);

	/* the shipped catalogue itself is strict: one broken file, no catalogue */
	write_text(state, "op/taxonomies/tlp.json", "[]");
	setenv("ROSTER_SHARE", (char *)*state, 1);
	dir2 = path_in(state, "catalogue");
	assert_int_equal(rename(dir, dir2), 0);
	free(dir2);
	c = catalogue_new();
	assert_int_equal(catalogue_load_shipped(c), -1);
	assert_non_null(strstr(rs_err(), "shipped catalogue refused"));
	assert_non_null(strstr(rs_err(), ".json"));
	catalogue_free(c);
	unsetenv("ROSTER_SHARE");
	free(dir);
}

static void
test_documents(void **state)
{
	struct catalogue *c = shipped();
	json_t *doc;

	assert_int_equal(catalogue_add_doc_bytes(c, "[]", 2, "hub", "hub"), -1);
	assert_non_null(strstr(rs_err(), "not a catalogue document"));
	assert_int_equal(catalogue_add_doc_bytes(c, "{\"templates\":{}}", 15, "hub", "hub"), -1);
	assert_int_equal(catalogue_add_doc_bytes(c, "{\"templ", 7, "hub", "hub"), -1);
	doc = json_pack("{s:[i, s, {s:s}], s:[]}", "templates", 1, "x", "id", "Bad Id",
	    "taxonomies");
	assert_int_equal(catalogue_add_doc(c, doc, "hub catalogue", "hub"), 3);
	assert_true(has_problem(c, "hub catalogue: templates[0]", "not a JSON object"));
	assert_true(has_problem(c, "templates[2] \"Bad Id\"", "id"));
	json_decref(doc);
	catalogue_free(c);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_shipped_complete),
		cmocka_unit_test(test_digest),
		cmocka_unit_test_setup_teardown(test_fill_incident, setup_tmp, teardown_tmp),
		cmocka_unit_test(test_fill_refusals),
		cmocka_unit_test(test_fill_datetime_forms),
		cmocka_unit_test(test_render_languages),
		cmocka_unit_test(test_received_fields),
		cmocka_unit_test_setup_teardown(test_override_rules, setup_tmp, teardown_tmp),
		cmocka_unit_test_setup_teardown(test_broken_files, setup_tmp, teardown_tmp),
		cmocka_unit_test(test_documents),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
