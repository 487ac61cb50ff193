/*
 * countries.c - the interface's six languages, and country names in them.
 *
 * Debian's iso-codes package has the English short names of ISO 3166-1
 * (iso_3166-1.json) and gettext catalogues translating them
 * (<locale>/<lang>/LC_MESSAGES/iso_3166-1.mo).  We read both at run time,
 * through the bounds-checked .mo reader of lib/mo.c, and keep one table per
 * language in memory once built.  A name the catalogue lacks stays English;
 * codes that are not countries (the XA..XZ of the tests, say) are simply
 * not in the table, and the interface shows the code.
 *
 * ROSTER_ISO_CODES overrides /usr/share/iso-codes/json and ROSTER_LOCALE
 * /usr/share/locale (for tests and unusual installs).
 */
#include "web_impl.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "jsonutil.h"
#include "mo.h"

const char *const web_langs[] = { "ar", "en", "es", "fr", "ru", "zh", NULL };

int
web_lang_ok(const char *lang)
{
	return vocab_lang_ok(lang);	/* web_langs is the same set, lib/vocab.h's */
}

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static json_t *cache[8];		/* indexed like web_langs */

static const char *
env_or(const char *name, const char *def)
{
	const char *v = getenv(name);
	return v != NULL && *v ? v : def;
}

/* Gettext's folder for each language (Chinese: simplified, as at the UN). */
static const char *
locale_of(const char *lang)
{
	return strcmp(lang, "zh") == 0 ? "zh_CN" : lang;
}

struct tr {
	json_t *english;		/* code -> English name */
	json_t *byname;			/* English name -> translation */
};

static int
on_pair(void *ctx, const char *orig, const char *trans)
{
	struct tr *t = ctx;

	if (*orig && *trans)
		json_object_set_new(t->byname, orig, json_string(trans));
	return 0;
}

static json_t *
english_names(void)
{
	char path[4096];
	struct buf b = {0};
	json_t *j, *list, *v, *out;
	size_t i;

	snprintf(path, sizeof(path), "%s/iso_3166-1.json",
	    env_or("ROSTER_ISO_CODES", "/usr/share/iso-codes/json"));
	if (read_file(path, &b, 4u << 20) != 0)
		return NULL;
	j = jparse(b.p, b.len);
	buf_free(&b);
	if (j == NULL)
		return NULL;
	list = json_object_get(j, "3166-1");
	out = json_object();
	json_array_foreach(list, i, v) {
		const char *code = jstr(v, "alpha_2"), *name = jstr(v, "name");
		if (code != NULL && name != NULL && valid_state(code))
			json_object_set_new(out, code, json_string(name));
	}
	json_decref(j);
	if (json_object_size(out) == 0) {
		json_decref(out);
		rs_seterr("%s lists no countries", path);
		return NULL;
	}
	return out;
}

static json_t *
build(const char *lang)
{
	struct tr t = { english_names(), json_object() };
	char path[4096];
	struct buf b = {0};
	const char *code;
	json_t *v, *out = NULL;

	if (t.english == NULL)
		goto out;
	if (strcmp(lang, "en") == 0) {
		out = json_incref(t.english);
		goto out;
	}
	snprintf(path, sizeof(path), "%s/%s/LC_MESSAGES/iso_3166-1.mo",
	    env_or("ROSTER_LOCALE", "/usr/share/locale"), locale_of(lang));
	if (read_file(path, &b, 8u << 20) != 0 || mo_walk(b.p, b.len, on_pair, &t) != 0)
		goto out;
	out = json_object();
	json_object_foreach(t.english, code, v) {
		json_t *tr = json_object_get(t.byname, json_string_value(v));
		json_object_set(out, code, tr ? tr : v);
	}
out:
	buf_free(&b);
	json_decref(t.english);
	json_decref(t.byname);
	return out;
}

json_t *
countries_json(const char *lang)
{
	json_t *r = NULL;
	int i;

	for (i = 0; web_langs[i] != NULL; i++)
		if (strcmp(web_langs[i], lang) == 0)
			break;
	if (web_langs[i] == NULL) {
		rs_seterr("unknown language \"%.16s\": give ar, en, es, fr, ru or zh", lang);
		return NULL;
	}
	pthread_mutex_lock(&mu);
	if (cache[i] == NULL)
		cache[i] = build(lang);
	if (cache[i] != NULL)
		r = json_incref(cache[i]);
	pthread_mutex_unlock(&mu);
	return r;
}
