/*
 * procopt.c - reading the process commands' options (see procopt.h).
 *
 * Each function says what was wrong with the user's words, naming the
 * option, and changes nothing on failure.  Bounds that belong to a record
 * (a title's length, the number of languages) are the record's
 * (lib/procrec.h), so a value that passes here and fails there is a
 * mistake of this file.
 */
#include "procopt.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "directory.h"
#include "jsonutil.h"
#include "procrec.h"
#include "util.h"

/* n digits at s, as a number; -1 when they are not digits. */
static int
digits(const char *s, int n)
{
	int v = 0;

	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

int
procopt_time(const char *s, int64_t *ms)
{
	struct tm tm;
	int64_t off = 0, t;
	size_t n = strlen(s), i;
	int y, mo, d, h = 0, mi = 0, sec = 0;

	if (n > 0 && n <= 15 && strspn(s, "0123456789") == n) {
		if ((t = strtoll(s, NULL, 10)) <= 0)
			goto bad;
		*ms = t;
		return 0;
	}
	if (n < 10 || (y = digits(s, 4)) < 1970 || s[4] != '-' ||
	    (mo = digits(s + 5, 2)) < 1 || mo > 12 || s[7] != '-' ||
	    (d = digits(s + 8, 2)) < 1 || d > 31)
		goto bad;
	i = 10;
	if (s[i] == 'T' || s[i] == ' ') {
		if ((h = digits(s + i + 1, 2)) < 0 || h > 23 || s[i + 3] != ':' ||
		    (mi = digits(s + i + 4, 2)) < 0 || mi > 59)
			goto bad;
		i += 6;
		if (s[i] == ':') {
			if ((sec = digits(s + i + 1, 2)) < 0 || sec > 59)
				goto bad;
			i += 3;
		}
		if (s[i] == 'Z')
			i++;
		else if (s[i] == '+' || s[i] == '-') {
			int oh = digits(s + i + 1, 2), om;
			if (oh < 0 || oh > 14 || s[i + 3] != ':' ||
			    (om = digits(s + i + 4, 2)) < 0 || om > 59)
				goto bad;
			off = (int64_t)(oh * 60 + om) * 60000 * (s[i] == '+' ? 1 : -1);
			i += 6;
		} else
			goto bad;	/* a time of day says its zone */
	}
	if (s[i] != '\0')
		goto bad;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = sec;
	t = (int64_t)timegm(&tm);
	/* timegm normalises 31 February into March: refuse it */
	{
		struct tm back;
		time_t tt = (time_t)t;
		gmtime_r(&tt, &back);
		if (back.tm_mday != d || back.tm_mon != mo - 1)
			goto bad;
	}
	*ms = t * 1000 - off;
	return 0;
bad:
	rs_seterr("\"%s\" is not a date: write YYYY-MM-DD (midnight UTC), "
	    "YYYY-MM-DDTHH:MMZ, YYYY-MM-DDTHH:MM+HH:MM, or a log time in ms", s);
	return -1;
}

int
procopt_duration(const char *opt, const char *s, int64_t *ms)
{
	char why[RS_ERRLEN];

	if (parse_duration(s, ms) != 0) {
		snprintf(why, sizeof(why), "%s", rs_err());
		rs_seterr("%s: %s", opt, why);
		return -1;
	}
	if (*ms > PROC_MAX_SILENCE_MS) {
		rs_seterr("%s: \"%s\" is longer than 366 days", opt, s);
		return -1;
	}
	return 0;
}

/* The language before "=" in arg, into lang; the rest returned. */
static const char *
lang_prefix(const char *opt, const char *arg, char lang[PROC_LANG_MAX],
    const char *example)
{
	const char *eq = strchr(arg, '=');

	if (eq == NULL || eq == arg || (size_t)(eq - arg) >= PROC_LANG_MAX) {
		rs_seterr("%s must be LANG=%s, such as %s", opt,
		    strcmp(opt, "--file") == 0 ? "FILE" : "TEXT", example);
		return NULL;
	}
	snprintf(lang, PROC_LANG_MAX, "%.*s", (int)(eq - arg), arg);
	if (!procrec_valid_lang(lang)) {
		rs_seterr("%s: \"%s\" is not a language code (two or three lower-case "
		    "letters, as en, fr, zh, or a tag such as zh-hant)", opt, lang);
		return NULL;
	}
	return eq + 1;
}

int
procopt_text(const char *opt, json_t *texts, const char *arg, size_t max)
{
	char lang[PROC_LANG_MAX];
	const char *text = lang_prefix(opt, arg, lang, "en=\"Open-ended working group\"");
	json_t *v;

	if (text == NULL)
		return -1;
	if (*text == '\0' || strlen(text) > max) {
		rs_seterr("%s %s: the text must have 1 to %zu bytes", opt, lang, max);
		return -1;
	}
	if (json_object_get(texts, lang) != NULL) {
		rs_seterr("%s: %s is given twice", opt, lang);
		return -1;
	}
	if (json_object_size(texts) >= PROC_MAX_TEXTS) {
		rs_seterr("%s: at most %d languages", opt, PROC_MAX_TEXTS);
		return -1;
	}
	if ((v = json_string(text)) == NULL) {	/* jansson takes UTF-8 only */
		rs_seterr("%s %s: the text is not UTF-8", opt, lang);
		return -1;
	}
	json_object_set_new(texts, lang, v);
	return 0;
}

const char *
procopt_file(const char *opt, const char *arg, char lang[PROC_LANG_MAX])
{
	const char *path = lang_prefix(opt, arg, lang, "fr=paper-fr.pdf");

	if (path != NULL && *path == '\0') {
		rs_seterr("%s %s: no file named", opt, lang);
		return NULL;
	}
	return path;
}

json_t *
procopt_states(const char *opt, const char *s)
{
	json_t *a = json_array();
	char *list = xstrdup(s), *save = NULL;

	for (char *t = strtok_r(list, ", ", &save); t; t = strtok_r(NULL, ", ", &save)) {
		size_t i;
		json_t *v;
		if (!dir_state_code(t)) {
			rs_seterr("%s: \"%s\" is not a State code (two capital letters, "
			    "e.g. XA)", opt, t);
			goto bad;
		}
		json_array_foreach(a, i, v)
			if (strcmp(json_string_value(v), t) == 0) {
				rs_seterr("%s: %s is listed twice", opt, t);
				goto bad;
			}
		if (json_array_size(a) == PROC_MAX_STATES) {
			rs_seterr("%s: at most %d States", opt, PROC_MAX_STATES);
			goto bad;
		}
		json_array_append_new(a, json_string(t));
	}
	free(list);
	if (json_array_size(a) == 0) {
		rs_seterr("%s: no State named", opt);
		json_decref(a);
		return NULL;
	}
	return a;
bad:
	free(list);
	json_decref(a);
	return NULL;
}

json_t *
procopt_members(const char *s)
{
	if (strcmp(s, "all") == 0)
		return json_string("all");
	if (strncmp(s, "group:", 6) == 0) {
		if (!procrec_valid_name(s + 6)) {
			rs_seterr("--members: \"%s\" is not a group name (1 to %d of "
			    "a-z, 0-9, -)", s + 6, PROC_NAME_MAX - 1);
			return NULL;
		}
		return json_string(s);
	}
	return procopt_states("--members", s);
}

static json_t *
languages(const char *s)
{
	json_t *a = json_array(), *v;
	char *list = xstrdup(s), *save = NULL;
	size_t i;

	for (char *t = strtok_r(list, ", ", &save); t; t = strtok_r(NULL, ", ", &save)) {
		if (!procrec_valid_lang(t)) {
			rs_seterr("--languages: \"%s\" is not a language code", t);
			goto bad;
		}
		json_array_foreach(a, i, v)
			if (strcmp(json_string_value(v), t) == 0) {
				rs_seterr("--languages: %s is listed twice", t);
				goto bad;
			}
		if (json_array_size(a) == PROC_MAX_LANGS) {
			rs_seterr("--languages: at most %d", PROC_MAX_LANGS);
			goto bad;
		}
		json_array_append_new(a, json_string(t));
	}
	free(list);
	if (json_array_size(a) == 0) {
		rs_seterr("--languages: no language named");
		json_decref(a);
		return NULL;
	}
	return a;
bad:
	free(list);
	json_decref(a);
	return NULL;
}

static int
one_of(const char *opt, const char *value, const char *const *words)
{
	for (int i = 0; words[i] != NULL; i++)
		if (strcmp(value, words[i]) == 0)
			return 0;
	rs_seterr("%s must be %s, %s%s%s", opt, words[0], words[1],
	    words[2] ? " or " : "", words[2] ? words[2] : "");
	return -1;
}

int
procopt_rule(json_t *rules, const char *name, const char *value)
{
	static const char *const admission[] = { "silence", "admit", "closed", NULL };
	static const char *const shown[] = { "all", "chair", NULL };
	int64_t ms;
	json_t *v, *sh;

	if (strcmp(name, "silence") == 0) {
		if (procopt_duration("--silence", value, &ms) != 0)
			return -1;
		if (ms < PROC_MIN_SILENCE_MS) {
			rs_seterr("--silence: at least 60s");
			return -1;
		}
		json_object_set_new(rules, "silence_ms", json_integer(ms));
	} else if (strcmp(name, "lead-time") == 0) {
		if (procopt_duration("--lead-time", value, &ms) != 0)
			return -1;
		json_object_set_new(rules, "lead_time_ms", json_integer(ms));
	} else if (strcmp(name, "languages") == 0) {
		if ((v = languages(value)) == NULL)
			return -1;
		json_object_set_new(rules, "languages", v);
	} else if (strcmp(name, "objections") == 0) {
		if (one_of("--objections", value, shown) != 0)
			return -1;
		json_object_set_new(rules, "objections", json_string(value));
	} else if (strcmp(name, "proposers") == 0) {
		if (strcmp(value, "chair") == 0 || strcmp(value, "members") == 0)
			v = json_string(value);
		else if ((v = procopt_states("--proposers", value)) == NULL)
			return -1;
		json_object_set_new(rules, "proposers", v);
	} else if (strcmp(name, "ecosoc") == 0 || strcmp(name, "other") == 0) {
		char opt[16];
		snprintf(opt, sizeof(opt), "--%s", name);
		if (one_of(opt, value, admission) != 0)
			return -1;
		if ((sh = json_object_get(rules, "stakeholders")) == NULL) {
			sh = json_object();
			json_object_set_new(rules, "stakeholders", sh);
		}
		json_object_set_new(sh, name, json_string(value));
	} else {
		rs_seterr("no rule called \"%s\"", name);
		return -1;
	}
	return 0;
}

int
procopt_id(const char *what, const char *s, uint8_t id[32])
{
	if (s == NULL || hex_decode_exact(id, 32, s) != 0) {
		rs_seterr("%s must be a record id: 64 hexadecimal digits, as the "
		    "command that made it printed", what);
		return -1;
	}
	return 0;
}
