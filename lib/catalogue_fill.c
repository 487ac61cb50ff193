/*
 * catalogue_fill.c - filling a template from "name=value" pairs, checking a
 * filled one, and rendering it in a reader's language (see catalogue.h).
 *
 * One parser per field type turns what a person typed into the canonical
 * value, and one checker per type accepts only canonical values.  The
 * sender's node fills (and so normalises: dates to UTC, codes to their
 * taxonomy spelling, indicators to lower case); a recipient's node checks
 * before it renders, since the values come from another State's node and
 * must not be trusted to fit.  Canonical values:
 *
 *   text        {"lang": "fr", "text": "..."}
 *   choice      "code", or ["code", ...] when multiple
 *   datetime    "2026-11-22T08:30:00Z"
 *   states      ["XA", "XB"]
 *   indicators  [{"type": "ip", "value": "192.0.2.1"}, ...]
 *   attachment  "/path", or ["/path", ...] when multiple
 *
 * Every refusal names the field: `field "sector": "enrgy" is not a code of
 * taxonomy sectors (energy, ...)`.
 */
#include "catalogue.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "jsonutil.h"
#include "vocab.h"

#define MAX_INDICATOR	2048
#define MAX_PATH_VALUE	4096

/* ---- small helpers ------------------------------------------------------------ */

/* Why the last catalogue_fill refused, by code (catalogue_fill_refusal). */
static _Thread_local const char *why_code;
static _Thread_local char why_field[72];

static void
refuse(const char *code)
{
	why_code = code;
}

static int
utf8_ok(const char *s, size_t n)
{
	json_t *j = json_stringn(s, n);

	json_decref(j);
	return j != NULL;
}

static const char *
ftype(json_t *f)
{
	return jstr(f, "type");
}

static int
is_list(json_t *f)
{
	const char *t = ftype(f);

	return strcmp(t, "states") == 0 || strcmp(t, "indicators") == 0 ||
	    json_is_true(json_object_get(f, "multiple"));
}

static json_t *
find_field(json_t *t, const char *name)
{
	json_t *f;
	size_t i;

	json_array_foreach(json_object_get(t, "fields"), i, f)
		if (strcmp(jstr(f, "name"), name) == 0)
			return f;
	return NULL;
}

/* "a, b, c" of the field names of t, bounded. */
static void
field_names(json_t *t, char *out, size_t len)
{
	json_t *f;
	size_t i, used = 0;

	out[0] = '\0';
	json_array_foreach(json_object_get(t, "fields"), i, f) {
		int n = snprintf(out + used, len - used, "%s%s", i ? ", " : "",
		    jstr(f, "name"));
		if (n < 0 || (size_t)n >= len - used)
			break;
		used += (size_t)n;
	}
}

/* "a, b, c, ..." of the codes of taxonomy x, bounded. */
static void
code_list(json_t *x, char *out, size_t len)
{
	json_t *v;
	size_t i, used = 0;

	out[0] = '\0';
	json_array_foreach(json_object_get(x, "values"), i, v) {
		int n = snprintf(out + used, len - used, "%s%s", i ? ", " : "",
		    jstr(v, "code"));
		if (n < 0 || (size_t)n >= len - used - 5) {
			snprintf(out + used, len - used, ", ...");
			break;
		}
		used += (size_t)n;
	}
}

static json_t *
find_code(json_t *x, const char *code, int nocase)
{
	json_t *v;
	size_t i;

	json_array_foreach(json_object_get(x, "values"), i, v) {
		const char *c = jstr(v, "code");
		if (nocase ? strcasecmp(c, code) == 0 : strcmp(c, code) == 0)
			return v;
	}
	return NULL;
}

/* ---- datetime ----------------------------------------------------------------- */

static int
digits(const char *s, int n, int *out)
{
	int v = 0;

	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return 0;
}

static int
days_in(int y, int m)
{
	static const int d[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

	if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return 29;
	return d[m - 1];
}

/* The zone after the time: "Z", "+HH:MM", "+HHMM" or "+HH"; seconds east. */
static int
parse_zone(const char *p, long *off)
{
	int h, m = 0, sign;

	if ((p[0] == 'Z' || p[0] == 'z') && p[1] == '\0') {
		*off = 0;
		return 0;
	}
	if (p[0] != '+' && p[0] != '-')
		return -1;
	sign = p[0] == '-' ? -1 : 1;
	if (digits(p + 1, 2, &h) != 0)
		return -1;
	p += 3;
	if (*p == ':')
		p++;
	if (*p != '\0' && (digits(p, 2, &m) != 0 || p[2] != '\0'))
		return -1;
	if (h > 14 || m > 59)
		return -1;
	*off = sign * (h * 3600L + m * 60L);
	return 0;
}

/* ISO 8601 with a zone, normalised to UTC "YYYY-MM-DDTHH:MM:SSZ". */
static int
parse_datetime(const char *s, char out[21])
{
	int y, mo, d, h, mi, sec = 0;
	const char *p = s;
	long off;
	struct tm tm = {0};
	time_t t;

	if (strlen(s) < 16 || digits(p, 4, &y) != 0 || p[4] != '-' ||
	    digits(p + 5, 2, &mo) != 0 || p[7] != '-' || digits(p + 8, 2, &d) != 0 ||
	    (p[10] != 'T' && p[10] != 't' && p[10] != ' ') ||
	    digits(p + 11, 2, &h) != 0 || p[13] != ':' || digits(p + 14, 2, &mi) != 0)
		goto bad;
	p += 16;
	if (*p == ':') {
		if (digits(p + 1, 2, &sec) != 0)
			goto bad;
		p += 3;
		if (*p == '.' || *p == ',') {	/* fractions of a second: dropped */
			p++;
			if (!isdigit((unsigned char)*p))
				goto bad;
			while (isdigit((unsigned char)*p))
				p++;
		}
	}
	if (*p == '\0') {
		rs_seterr("\"%.64s\" has no time zone: end it with Z (UTC) or an offset "
		    "such as +03:00", s);
		refuse("no-time-zone");
		return -1;
	}
	if (parse_zone(p, &off) != 0 || y < 1970 || y > 9999 || mo < 1 || mo > 12 ||
	    d < 1 || d > days_in(y, mo) || h > 23 || mi > 59 || sec > 59)
		goto bad;
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = sec;
	t = timegm(&tm) - off;
	if (t < 0 || gmtime_r(&t, &tm) == NULL || tm.tm_year + 1900 > 9999)
		goto bad;
	strftime(out, 21, "%Y-%m-%dT%H:%M:%SZ", &tm);
	return 0;
bad:
	rs_seterr("\"%.64s\" is not a date and time (ISO 8601, e.g. 2026-11-22T08:30Z "
	    "or 2026-11-22T11:30+03:00)", s);
	refuse("bad-datetime");
	return -1;
}

/* ---- indicators ----------------------------------------------------------------- */

static int
hex_len_ok(const char *v, size_t want)
{
	if (strlen(v) != want)
		return 0;
	for (size_t i = 0; i < want; i++)
		if (!isxdigit((unsigned char)v[i]))
			return 0;
	return 1;
}

static int
domain_ok(const char *v)
{
	size_t n = strlen(v), lab = 0, labels = 1;

	if (n == 0 || n > 253 || v[0] == '.' || v[n - 1] == '.' || v[0] == '-')
		return 0;
	for (size_t i = 0; i < n; i++) {
		char ch = v[i];
		if (ch == '.') {
			if (lab == 0 || v[i - 1] == '-' || v[i + 1] == '-')
				return 0;
			labels++;
			lab = 0;
			continue;
		}
		if (!(isalnum((unsigned char)ch) || ch == '-') || ++lab > 63)
			return 0;
	}
	return labels >= 2 && v[n - 1] != '-';
}

/* Normalises an IP address or CIDR block; 0 when it is not one. */
static int
ip_ok(const char *v, char *out, size_t len)
{
	char addr[64], txt[INET6_ADDRSTRLEN];
	unsigned char bin[16];
	const char *slash = strchr(v, '/');
	size_t alen = slash ? (size_t)(slash - v) : strlen(v);
	int fam, prefix = -1;

	if (alen == 0 || alen >= sizeof(addr))
		return 0;
	memcpy(addr, v, alen);
	addr[alen] = '\0';
	fam = strchr(addr, ':') ? AF_INET6 : AF_INET;
	if (inet_pton(fam, addr, bin) != 1 || inet_ntop(fam, bin, txt, sizeof(txt)) == NULL)
		return 0;
	if (slash != NULL) {
		size_t pl = strlen(slash + 1);
		if (pl == 0 || pl > 3 || digits(slash + 1, (int)pl, &prefix) != 0 ||
		    prefix > (fam == AF_INET ? 32 : 128))
			return 0;
		snprintf(out, len, "%s/%d", txt, prefix);
	} else
		snprintf(out, len, "%s", txt);
	return 1;
}

static int
url_ok(const char *v)
{
	const char *p = v, *sep = strstr(v, "://");

	if (sep == NULL || sep == v || sep[3] == '\0' || sep[3] == '/')
		return 0;
	if (!isalpha((unsigned char)*p))
		return 0;
	for (; p < sep; p++)
		if (!(isalnum((unsigned char)*p) || *p == '+' || *p == '.' || *p == '-'))
			return 0;
	for (p = v; *p; p++)
		if ((unsigned char)*p <= 0x20 || *p == 0x7f)
			return 0;
	return 1;
}

/* An e-mail indicator: an address by lib/vocab's one check (so what a
 * report names is what roster would take as an address anywhere), with a
 * local part of at most 64 bytes and a domain by the domain indicator's
 * rules. */
static int
email_ok(const char *v)
{
	const char *at = strrchr(v, '@');

	return vocab_email_check("an e-mail indicator", v) == 0 && at != NULL &&
	    at - v <= 64 && domain_ok(at + 1);
}

static int
cve_ok(const char *v)
{
	int y;
	size_t n = strlen(v);

	if (n < 13 || n > 20 || strncasecmp(v, "CVE-", 4) != 0 ||
	    digits(v + 4, 4, &y) != 0 || v[8] != '-')
		return 0;
	for (size_t i = 9; i < n; i++)
		if (!isdigit((unsigned char)v[i]))
			return 0;
	return 1;
}

static void
lower(char *s)
{
	for (; *s; s++)
		*s = (char)tolower((unsigned char)*s);
}

static const char *const ind_types[] = {
	"ip", "domain", "url", "email", "md5", "sha1", "sha256", "sha512", "cve", NULL
};

/* Normalises value v of indicator type into out; 0 when it is one. */
static int
indicator_ok(const char *type, const char *v, char *out, size_t len)
{
	if (strlen(v) >= len || strlen(v) > MAX_INDICATOR)
		return 0;
	if (strcmp(type, "ip") == 0)
		return ip_ok(v, out, len);
	snprintf(out, len, "%s", v);
	if (strcmp(type, "url") == 0)
		return url_ok(out);
	if (strcmp(type, "cve") == 0) {
		for (char *p = out; *p; p++)
			*p = (char)toupper((unsigned char)*p);
		return cve_ok(out);
	}
	lower(out);
	if (strcmp(type, "domain") == 0)
		return domain_ok(out);
	if (strcmp(type, "email") == 0)
		return email_ok(out);
	if (strcmp(type, "md5") == 0)
		return hex_len_ok(out, 32);
	if (strcmp(type, "sha1") == 0)
		return hex_len_ok(out, 40);
	if (strcmp(type, "sha256") == 0)
		return hex_len_ok(out, 64);
	if (strcmp(type, "sha512") == 0)
		return hex_len_ok(out, 128);
	return 0;
}

static int
known_ind_type(const char *t)
{
	for (size_t i = 0; ind_types[i] != NULL; i++)
		if (strcmp(t, ind_types[i]) == 0)
			return 1;
	return 0;
}

int
catalogue_indicator(const char *type, const char *value, char *out, size_t len)
{
	return type != NULL && value != NULL && known_ind_type(type) &&
	    indicator_ok(type, value, out, len);
}

/* The type of an untyped indicator, by its shape. */
static const char *
guess_type(const char *v)
{
	char tmp[MAX_INDICATOR + 1];
	static const char *const order[] = { "ip", "md5", "sha1", "sha256", "sha512",
	    "cve", "url", "email", "domain", NULL };

	for (size_t i = 0; order[i] != NULL; i++)
		if (indicator_ok(order[i], v, tmp, sizeof(tmp)))
			return order[i];
	return NULL;
}

/* "type:value" or a bare value whose type is guessed. */
static json_t *
parse_indicator(const char *s)
{
	char type[16], norm[MAX_INDICATOR + 1];
	const char *colon = strchr(s, ':'), *v = s, *t;
	json_t *o;

	t = NULL;
	if (colon != NULL && (size_t)(colon - s) < sizeof(type)) {
		memcpy(type, s, (size_t)(colon - s));
		type[colon - s] = '\0';
		lower(type);
		if (known_ind_type(type)) {
			t = type;
			v = colon + 1;
		}
	}
	if (t == NULL && (t = guess_type(s)) == NULL) {
		rs_seterr("\"%.80s\" is not an indicator (give TYPE:VALUE, TYPE one of ip, "
		    "domain, url, email, md5, sha1, sha256, sha512, cve)", s);
		refuse("bad-indicator");
		return NULL;
	}
	if (!indicator_ok(t, v, norm, sizeof(norm))) {
		rs_seterr("\"%.80s\" is not a valid %s indicator", v, t);
		refuse("bad-indicator");
		return NULL;
	}
	o = json_object();
	json_object_set_new(o, "type", json_string(t));
	json_object_set_new(o, "value", json_string(norm));
	return o;
}

/* ---- one value, as typed ----------------------------------------------------- */

static int
text_ok(const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if ((*p < 0x20 && *p != '\n' && *p != '\t') || *p == 0x7f ||
		    (p[0] == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f)) {
			rs_seterr("holds a control character");
			refuse("bad-text");
			return -1;
		}
	if (strlen(s) > CAT_MAX_TEXT) {
		rs_seterr("longer than %d bytes", CAT_MAX_TEXT);
		refuse("too-long");
		return -1;
	}
	return 0;
}

static json_t *
parse_choice(struct catalogue *c, json_t *f, const char *s)
{
	json_t *x = catalogue_taxonomy(c, jstr(f, "taxonomy")), *v;
	char codes[300];

	if (x == NULL)
		return NULL;
	if ((v = find_code(x, s, 1)) != NULL)
		return json_string(jstr(v, "code"));
	code_list(x, codes, sizeof(codes));
	rs_seterr("\"%.64s\" is not a code of taxonomy %s (%s)", s, jstr(x, "id"), codes);
	refuse("not-a-code");
	return NULL;
}

static json_t *
parse_state(const char *s)
{
	char up[3];

	if (strlen(s) == 2) {
		up[0] = (char)toupper((unsigned char)s[0]);
		up[1] = (char)toupper((unsigned char)s[1]);
		up[2] = '\0';
		if (valid_state(up))
			return json_string(up);
	}
	rs_seterr("\"%.64s\" is not a two-letter State code (ISO 3166-1 alpha-2, "
	    "e.g. FR)", s);
	refuse("bad-state");
	return NULL;
}

static json_t *
parse_attachment(const char *s)
{
	char real[PATH_MAX];
	struct stat st;

	if (stat(s, &st) != 0 || !S_ISREG(st.st_mode)) {
		rs_seterr("\"%.200s\" is not a file", s);
		return NULL;
	}
	if (realpath(s, real) == NULL || strlen(real) > MAX_PATH_VALUE) {
		rs_seterr("\"%.200s\": cannot resolve the path", s);
		return NULL;
	}
	return json_string(real);
}

static json_t *
parse_one(struct catalogue *c, json_t *f, const char *s)
{
	const char *t = ftype(f);
	char dt[21];

	if (s[0] == '\0') {
		rs_seterr("empty value");
		refuse("field-required");
		return NULL;
	}
	if (strcmp(t, "choice") == 0)
		return parse_choice(c, f, s);
	if (strcmp(t, "datetime") == 0)
		return parse_datetime(s, dt) == 0 ? json_string(dt) : NULL;
	if (strcmp(t, "states") == 0)
		return parse_state(s);
	if (strcmp(t, "indicators") == 0)
		return parse_indicator(s);
	if (strcmp(t, "attachment") == 0)
		return parse_attachment(s);
	rs_seterr("no parser for type %s", t);
	return NULL;
}

/* Appends v to list a unless an equal value is there.  seen holds the
 * canonical text (compact, keys sorted) of every value in a, so that a
 * list of CAT_MAX_LIST values costs one lookup each, not a comparison with
 * every earlier one (a bundle of 1,000 indicators made that 500,000
 * json_equal calls). */
static int
append_unique(json_t *a, json_t *seen, json_t *v)
{
	char *key = json_dumps(v, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY);
	int rc;

	if (key == NULL) {
		json_decref(v);
		rs_seterr("out of memory");
		return -1;
	}
	if (json_object_get(seen, key) != NULL) {
		json_decref(v);		/* given already */
		rc = 0;
	} else if (json_object_set_new(seen, key, json_true()) != 0) {
		json_decref(v);
		rc = -1;
	} else
		rc = json_array_append_new(a, v);	/* takes v either way */
	free(key);
	if (rc != 0)
		rs_seterr("out of memory");
	return rc;
}

/* The next unescaped comma of p, NULL if none; "\\," becomes ",". */
static char *
next_comma(char *p)
{
	char *w = p;

	for (; *p; p++) {
		if (p[0] == '\\' && p[1] == ',') {
			*w++ = ',';
			p++;
			continue;
		}
		if (*p == ',') {
			*w = '\0';
			return p;
		}
		*w++ = *p;
	}
	*w = '\0';
	return NULL;
}

/* Splits s at commas into a (trimmed pieces, parsed); "\\," is a comma
 * inside a value (a URL, say). */
static int
parse_list(struct catalogue *c, json_t *f, const char *s, json_t *a, json_t *seen)
{
	char *copy = xstrdup(s), *p = copy;
	int rc = 0;

	while (p != NULL && rc == 0) {
		char *comma = next_comma(p), *end;
		while (*p == ' ' || *p == '\t')
			p++;
		end = p + strlen(p);
		while (end > p && (end[-1] == ' ' || end[-1] == '\t'))
			*--end = '\0';
		json_t *v = parse_one(c, f, p);
		if (v == NULL)
			rc = -1;
		else if (json_array_size(a) >= CAT_MAX_LIST) {
			json_decref(v);
			rs_seterr("more than %d values", CAT_MAX_LIST);
			refuse("too-many");
			rc = -1;
		} else
			rc = append_unique(a, seen, v);
		p = comma ? comma + 1 : NULL;
	}
	free(copy);
	return rc;
}

/* The value of field f from its raw strings (a JSON array). */
static json_t *
field_value(struct catalogue *c, json_t *f, json_t *raw, const char *lang)
{
	const char *t = ftype(f);
	json_t *a, *s, *seen;
	size_t i;

	if (!is_list(f) && json_array_size(raw) > 1) {
		rs_seterr("given %zu times, but takes one value", json_array_size(raw));
		refuse("one-value");
		return NULL;
	}
	if (strcmp(t, "text") == 0) {
		const char *v = json_string_value(json_array_get(raw, 0));
		if (v[0] == '\0') {
			rs_seterr("empty value");
			refuse("field-required");
			return NULL;
		}
		if (text_ok(v) != 0)
			return NULL;
		return json_pack("{s:s, s:s}", "lang", lang, "text", v);
	}
	if (!is_list(f))
		return parse_one(c, f, json_string_value(json_array_get(raw, 0)));
	a = json_array();
	seen = json_object();
	json_array_foreach(raw, i, s)
		if (parse_list(c, f, json_string_value(s), a, seen) != 0) {
			json_decref(seen);
			json_decref(a);
			return NULL;
		}
	json_decref(seen);
	return a;
}

/* Sorts the pairs into raw: field name -> array of the strings given. */
static int
gather(json_t *t, const char **kv, size_t n, json_t *raw)
{
	char names[400];

	for (size_t i = 0; i < n; i++) {
		const char *eq = strchr(kv[i], '=');
		char name[72];
		json_t *f, *a;
		if (eq == NULL || eq == kv[i] || (size_t)(eq - kv[i]) >= sizeof(name)) {
			rs_seterr("\"%.64s\" is not NAME=VALUE", kv[i]);
			return -1;
		}
		memcpy(name, kv[i], (size_t)(eq - kv[i]));
		name[eq - kv[i]] = '\0';
		if ((f = find_field(t, name)) == NULL) {
			field_names(t, names, sizeof(names));
			rs_seterr("unknown field \"%.64s\" in template %s (its fields: %s)",
			    name, jstr(t, "id"), names);
			refuse("unknown-field");
			snprintf(why_field, sizeof(why_field), "%s", name);
			return -1;
		}
		if (!utf8_ok(eq + 1, strlen(eq + 1))) {
			rs_seterr("field \"%s\": value is not valid UTF-8", name);
			refuse("bad-text");
			snprintf(why_field, sizeof(why_field), "%s", name);
			return -1;
		}
		if ((a = json_object_get(raw, name)) == NULL) {
			a = json_array();
			json_object_set_new(raw, name, a);
		}
		json_array_append_new(a, json_string(eq + 1));
	}
	return 0;
}

int
catalogue_fill(struct catalogue *c, const char *id, const char **kv, size_t n,
    const char *lang, json_t **fields)
{
	json_t *t = catalogue_template(c, id), *raw, *out, *f;
	size_t i;

	*fields = NULL;
	why_code = "bad-value";
	why_field[0] = '\0';
	if (t == NULL) {
		refuse("unknown-template");
		return -1;
	}
	if (!cat_lang_ok(lang)) {
		rs_seterr("language \"%.16s\" is not one of ar, zh, en, fr, ru, es",
		    lang ? lang : "");
		return -1;
	}
	raw = json_object();
	if (gather(t, kv, n, raw) != 0) {
		json_decref(raw);
		return -1;
	}
	out = json_object();
	/* the values given first, so a bad value is named before a missing one */
	json_array_foreach(json_object_get(t, "fields"), i, f) {
		const char *name = jstr(f, "name");
		json_t *r = json_object_get(raw, name), *v;
		if (r == NULL)
			continue;
		if ((v = field_value(c, f, r, lang)) == NULL) {
			char why[RS_ERRLEN];
			snprintf(why, sizeof(why), "%s", rs_err());
			rs_seterr("field \"%s\": %s", name, why);
			snprintf(why_field, sizeof(why_field), "%s", name);
			goto fail;
		}
		json_object_set_new(out, name, v);
	}
	json_array_foreach(json_object_get(t, "fields"), i, f) {
		const char *name = jstr(f, "name");
		int fb;
		if (json_object_get(out, name) != NULL ||
		    !json_is_true(json_object_get(f, "required")))
			continue;
		rs_seterr("field \"%s\" (%s) is required", name,
		    cat_label(json_object_get(f, "label"), "en", &fb));
		refuse("field-required");
		snprintf(why_field, sizeof(why_field), "%s", name);
		goto fail;
	}
	json_decref(raw);
	*fields = out;		/* in template order, whatever the order given */
	return 0;
fail:
	json_decref(raw);
	json_decref(out);
	return -1;
}

/* ---- canonical values, as received --------------------------------------------- */

static int
check_one(struct catalogue *c, json_t *f, json_t *v)
{
	const char *t = ftype(f), *s = json_string_value(v);
	char norm[MAX_INDICATOR + 1];

	if (strcmp(t, "indicators") == 0) {
		const char *it = jstr(v, "type"), *iv = jstr(v, "value");
		if (!json_is_object(v) || json_object_size(v) != 2 || it == NULL ||
		    iv == NULL || !known_ind_type(it) ||
		    !indicator_ok(it, iv, norm, sizeof(norm)) || strcmp(norm, iv) != 0) {
			rs_seterr("not a valid indicator {type, value}");
			return -1;
		}
		return 0;
	}
	if (s == NULL) {
		rs_seterr("not a string");
		return -1;
	}
	if (strcmp(t, "choice") == 0) {
		json_t *x = catalogue_taxonomy(c, jstr(f, "taxonomy"));
		if (x == NULL || find_code(x, s, 0) == NULL) {
			rs_seterr("\"%.64s\" is not a code of taxonomy %s", s,
			    jstr(f, "taxonomy"));
			return -1;
		}
		return 0;
	}
	if (strcmp(t, "datetime") == 0) {
		char dt[21];
		if (parse_datetime(s, dt) != 0 || strcmp(dt, s) != 0) {
			rs_seterr("not a UTC date and time YYYY-MM-DDTHH:MM:SSZ");
			return -1;
		}
		return 0;
	}
	if (strcmp(t, "states") == 0) {
		if (!valid_state(s)) {
			rs_seterr("\"%.8s\" is not a two-letter State code", s);
			return -1;
		}
		return 0;
	}
	/* attachment: a path on the sender's side, shown as text */
	if (s[0] == '\0' || strlen(s) > MAX_PATH_VALUE || text_ok(s) != 0) {
		rs_seterr("not a file reference");
		return -1;
	}
	return 0;
}

static int
check_text_value(json_t *v)
{
	const char *lang = jstr(v, "lang"), *text = jstr(v, "text");

	if (!json_is_object(v) || json_object_size(v) != 2 || text == NULL ||
	    !cat_lang_ok(lang) || text[0] == '\0') {
		rs_seterr("not a text {lang, text} in one of ar, zh, en, fr, ru, es");
		return -1;
	}
	return text_ok(text);
}

static int
check_value(struct catalogue *c, json_t *f, json_t *v)
{
	json_t *o;
	size_t i;

	if (strcmp(ftype(f), "text") == 0)
		return check_text_value(v);
	if (!is_list(f))
		return check_one(c, f, v);
	if (!json_is_array(v) || json_array_size(v) == 0 ||
	    json_array_size(v) > CAT_MAX_LIST) {
		rs_seterr("not a list of 1 to %d values", CAT_MAX_LIST);
		return -1;
	}
	json_array_foreach(v, i, o)
		if (check_one(c, f, o) != 0)
			return -1;
	return 0;
}

const char *
catalogue_fill_refusal(const char **field)
{
	const char *code = why_code;

	*field = why_field;
	why_code = NULL;	/* said once: a later refusal elsewhere is not this one */
	return code;
}

int
catalogue_check_fields(struct catalogue *c, const char *id, json_t *fields)
{
	json_t *t = catalogue_template(c, id), *f, *v;
	const char *k;
	size_t i;

	if (t == NULL)
		return -1;
	if (!json_is_object(fields)) {
		rs_seterr("template %s: the fields are not a JSON object", id);
		return -1;
	}
	json_object_foreach(fields, k, v)
		if (find_field(t, k) == NULL) {
			rs_seterr("unknown field \"%.64s\" in template %s", k, id);
			return -1;
		}
	json_array_foreach(json_object_get(t, "fields"), i, f) {
		const char *name = jstr(f, "name");
		v = json_object_get(fields, name);
		if (v == NULL && json_is_true(json_object_get(f, "required"))) {
			rs_seterr("field \"%s\" is required", name);
			return -1;
		}
		if (v != NULL && check_value(c, f, v) != 0) {
			char why[RS_ERRLEN];
			snprintf(why, sizeof(why), "%s", rs_err());
			rs_seterr("field \"%s\": %s", name, why);
			return -1;
		}
	}
	return 0;
}

/* ---- rendering ------------------------------------------------------------------ */

/* Appends s with control characters (but newline, which becomes a newline
 * and an indent) and bidirectional overrides replaced by U+FFFD. */
static void
add_safe(struct buf *out, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	for (; *p; p++) {
		if (*p == '\n') {
			buf_addstr(out, "\n    ");
		} else if (*p < 0x20 || *p == 0x7f) {
			buf_addstr(out, "\xef\xbf\xbd");
		} else if (p[0] == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f) {
			buf_addstr(out, "\xef\xbf\xbd");	/* C1 controls */
			p++;
		} else if (p[0] == 0xe2 && p[1] == 0x80 && p[2] >= 0xaa && p[2] <= 0xae) {
			buf_addstr(out, "\xef\xbf\xbd");	/* U+202A..U+202E */
			p += 2;
		} else
			buf_add(out, p, 1);
	}
}

static void
add_label(struct buf *out, json_t *i18n, const char *lang)
{
	int fb;
	const char *s = cat_label(i18n, lang, &fb);

	if (fb)
		buf_addstr(out, "[en] ");
	add_safe(out, s);
}

static void
render_one(struct catalogue *c, json_t *f, json_t *v, const char *lang,
    struct buf *out)
{
	const char *t = ftype(f);

	if (strcmp(t, "choice") == 0) {
		json_t *x = catalogue_taxonomy(c, jstr(f, "taxonomy"));
		json_t *e = x ? find_code(x, json_string_value(v), 0) : NULL;
		if (e != NULL)
			add_label(out, json_object_get(e, "label"), lang);
		else
			add_safe(out, json_string_value(v));
	} else if (strcmp(t, "indicators") == 0) {
		add_safe(out, jstr(v, "type"));
		buf_addstr(out, " ");
		add_safe(out, jstr(v, "value"));
	} else
		add_safe(out, json_string_value(v));
}

static void
render_raw(struct buf *out, json_t *v, const char *why)
{
	char *s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
	char cut[204];

	snprintf(cut, sizeof(cut), "%.200s", s ? s : "?");
	buf_addstr(out, "[does not fit the template: ");
	add_safe(out, why);
	buf_addstr(out, "] ");
	add_safe(out, cut);
	free(s);
}

static void
render_value(struct catalogue *c, json_t *f, json_t *v, const char *lang,
    struct buf *out)
{
	json_t *o;
	size_t i;

	if (check_value(c, f, v) != 0) {
		render_raw(out, v, rs_err());
		return;
	}
	if (strcmp(ftype(f), "text") == 0) {
		buf_printf(out, "(%s) ", jstr(v, "lang"));
		add_safe(out, jstr(v, "text"));
		return;
	}
	if (!is_list(f)) {
		render_one(c, f, v, lang, out);
		return;
	}
	json_array_foreach(v, i, o) {
		if (i > 0)
			buf_addstr(out, strcmp(ftype(f), "states") == 0 ? ", " : "; ");
		render_one(c, f, o, lang, out);
	}
}

int
catalogue_render(struct catalogue *c, const char *id, json_t *fields,
    const char *lang, struct buf *out)
{
	json_t *t = catalogue_template(c, id), *f, *v;
	const char *k;
	size_t i;

	if (t == NULL)
		return -1;
	if (!json_is_object(fields)) {
		rs_seterr("template %s: the fields are not a JSON object", id);
		return -1;
	}
	add_label(out, json_object_get(t, "title"), lang);
	buf_printf(out, " (%s, v%lld)\n", id,
	    (long long)json_integer_value(json_object_get(t, "version")));
	json_array_foreach(json_object_get(t, "fields"), i, f) {
		if ((v = json_object_get(fields, jstr(f, "name"))) == NULL)
			continue;
		add_label(out, json_object_get(f, "label"), lang);
		buf_addstr(out, ": ");
		render_value(c, f, v, lang, out);
		buf_addstr(out, "\n");
	}
	json_object_foreach(fields, k, v)
		if (find_field(t, k) == NULL) {
			buf_addstr(out, "[not in the template] ");
			add_safe(out, k);
			buf_addstr(out, ": ");
			render_raw(out, v, "unknown field");
			buf_addstr(out, "\n");
		}
	return 0;
}

/* ---- rendering, structured (for a page that lays the fields out itself) ---- */

/* One value as text for people, in lang (its label for a choice). */
static void
text_of(struct catalogue *c, json_t *f, json_t *v, const char *lang, struct buf *out)
{
	if (strcmp(ftype(f), "text") == 0)
		add_safe(out, jstr(v, "text"));
	else
		render_one(c, f, v, lang, out);
}

/* "2026-11-22T08:30:00Z" as ms since the epoch (the value was checked). */
static int64_t
time_of(const char *s)
{
	struct tm tm;

	memset(&tm, 0, sizeof(tm));
	if (s == NULL || sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2dZ", &tm.tm_year, &tm.tm_mon,
	    &tm.tm_mday, &tm.tm_hour, &tm.tm_min, &tm.tm_sec) != 6)
		return 0;
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	return (int64_t)timegm(&tm) * 1000;
}

json_t *
catalogue_render_fields(struct catalogue *c, const char *id, json_t *fields,
    const char *lang)
{
	json_t *t = catalogue_template(c, id), *out, *f, *v, *o;
	const char *k;
	size_t i, j;
	int fb;

	if (t == NULL)
		return NULL;
	if (!json_is_object(fields)) {
		rs_seterr("template %s: the fields are not a JSON object", id);
		return NULL;
	}
	out = json_array();
	json_array_foreach(json_object_get(t, "fields"), i, f) {
		struct buf b = {0}, label = {0};
		json_t *e;
		if ((v = json_object_get(fields, jstr(f, "name"))) == NULL)
			continue;
		add_safe(&label, cat_label(json_object_get(f, "label"), lang, &fb));
		e = json_pack("{s:s,s:s,s:s,s:b}", "name", jstr(f, "name"), "label",
		    buf_cstr(&label), "kind", ftype(f), "multiple", is_list(f));
		buf_free(&label);
		if (fb)
			json_object_set_new(e, "label_lang", json_string("en"));
		if (check_value(c, f, v) != 0) {
			char *raw = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
			json_object_set_new(e, "fits", json_false());
			json_object_set_new(e, "why", json_string("does-not-fit"));
			json_object_set_new(e, "problem", json_string(rs_err()));
			add_safe(&b, raw ? raw : "?");
			free(raw);
		} else {
			json_object_set_new(e, "fits", json_true());
			if (strcmp(ftype(f), "text") == 0)
				json_object_set_new(e, "lang", json_string(jstr(v, "lang")));
			if (strcmp(ftype(f), "datetime") == 0)
				json_object_set_new(e, "time", json_integer(
				    time_of(json_string_value(v))));
			if (is_list(f)) {
				json_t *vals = json_array();
				json_array_foreach(v, j, o) {
					struct buf one = {0};
					if (j > 0)
						buf_addstr(&b, strcmp(ftype(f), "states") == 0 ?
						    ", " : "; ");
					text_of(c, f, o, lang, &b);
					text_of(c, f, o, lang, &one);
					json_array_append_new(vals, json_string(buf_cstr(&one)));
					buf_free(&one);
				}
				json_object_set_new(e, "values", vals);
			} else
				text_of(c, f, v, lang, &b);
		}
		json_object_set_new(e, "text", json_string(b.p ? buf_cstr(&b) : ""));
		buf_free(&b);
		json_array_append_new(out, e);
	}
	json_object_foreach(fields, k, v)
		if (find_field(t, k) == NULL) {
			struct buf b = {0}, name = {0};
			char *raw = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
			add_safe(&b, raw ? raw : "?");
			free(raw);
			add_safe(&name, k);
			json_array_append_new(out, json_pack("{s:s,s:s,s:b,s:s,s:s}", "name",
			    buf_cstr(&name), "label", buf_cstr(&name), "fits", 0, "why",
			    "not-in-template", "text", buf_cstr(&b)));
			buf_free(&name);
			buf_free(&b);
		}
	return out;
}
