/*
 * vocab.c - the lists of vocab.h and what a user may type for them.
 *
 * Matching is exact against the canonical spelling; normalising (case,
 * the "TLP:" prefix, spaces in a list) is only ever done by the *_norm
 * functions, which the command line and the web API call on input.
 */
#include "vocab.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util.h"

const char *const vocab_tlp[VOCAB_NTLP + 1] = {
	"CLEAR", "GREEN", "AMBER", "AMBER+STRICT", "RED", NULL
};

const char *const urgency_names[URGENCY_LEVELS] = {
	"flash", "urgent", "priority", "routine"
};

const int64_t urgency_default_deadline_ms[URGENCY_LEVELS] = {
	3600000LL,		/* flash: 1 h */
	4 * 3600000LL,		/* urgent: 4 h */
	24 * 3600000LL,		/* priority: 24 h */
	72 * 3600000LL		/* routine: 72 h */
};

const char *const vocab_langs[VOCAB_NLANGS + 1] = {
	"ar", "zh", "en", "fr", "ru", "es", NULL
};

const char *const vocab_roles[VOCAB_NROLES + 1] = {
	"diplomatic", "technical", "alternate", NULL
};

int
vocab_index(const char *const *list, const char *v)
{
	for (int i = 0; v != NULL && list[i] != NULL; i++)
		if (strcmp(v, list[i]) == 0)
			return i;
	return -1;
}

int
urgency_index(const char *name)
{
	for (int i = 0; name != NULL && i < URGENCY_LEVELS; i++)
		if (strcmp(name, urgency_names[i]) == 0)
			return i;
	return -1;
}

int
vocab_lang_ok(const char *lang)
{
	return vocab_index(vocab_langs, lang) >= 0;
}

int
vocab_role_ok(const char *role)
{
	return vocab_index(vocab_roles, role) >= 0;
}

int
vocab_tlp_ok(const char *label)
{
	return vocab_index(vocab_tlp, label) >= 0;
}

int
valid_state(const char *s)
{
	return s != NULL && strlen(s) == 2 && s[0] >= 'A' && s[0] <= 'Z' &&
	    s[1] >= 'A' && s[1] <= 'Z';
}

/* The entry of list equal to in but for case, or NULL. */
static const char *
nocase(const char *const *list, size_t n, const char *in)
{
	for (size_t i = 0; in != NULL && i < n; i++)
		if (strcasecmp(in, list[i]) == 0)
			return list[i];
	return NULL;
}

const char *
vocab_tlp_norm(const char *in)
{
	if (in != NULL && strncasecmp(in, "TLP:", 4) == 0)
		in += 4;
	return nocase(vocab_tlp, VOCAB_NTLP, in);
}

const char *
vocab_urgency_norm(const char *in)
{
	return nocase(urgency_names, URGENCY_LEVELS, in);
}

const char *
vocab_role_norm(const char *in)
{
	return nocase(vocab_roles, VOCAB_NROLES, in);
}

const char *
vocab_lang_norm(const char *in)
{
	return nocase(vocab_langs, VOCAB_NLANGS, in);
}

static int
letter(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

int
vocab_state_norm(const char *in, char out[3])
{
	if (in == NULL || strlen(in) != 2 || !letter(in[0]) || !letter(in[1]))
		return -1;
	for (int i = 0; i < 2; i++)
		out[i] = in[i] >= 'a' && in[i] <= 'z' ? (char)(in[i] - 32) : in[i];
	out[2] = '\0';
	assert(valid_state(out));
	return 0;
}

char *
vocab_audience_norm(const char *in)
{
	struct buf b = {0};
	const char *p = in;
	char *out;
	int first = 1;

	buf_addstr(&b, "");
	while (*p != '\0') {
		size_t n = strcspn(p, ",");
		const char *s = p, *e = p + n;
		char code[3], item[3];
		while (s < e && (*s == ' ' || *s == '\t'))
			s++;
		while (e > s && (e[-1] == ' ' || e[-1] == '\t'))
			e--;
		if (!first)
			buf_addstr(&b, ",");
		first = 0;
		snprintf(item, sizeof(item), "%.*s", (int)(e - s), s);
		if (e - s == 2 && vocab_state_norm(item, code) == 0)
			buf_addstr(&b, code);
		else
			buf_add(&b, s, (size_t)(e - s));
		p += n;
		if (*p == ',')
			p++;
	}
	out = xstrdup(buf_cstr(&b));
	buf_free(&b);
	return out;
}

char *
vocab_langs_norm(const char *in)
{
	struct buf b = {0};
	const char *p = in;
	char *out;

	for (;;) {
		size_t n = strcspn(p, ","), k = 0;
		char tag[4];
		const char *s = p, *e = p + n;
		while (s < e && *s == ' ')
			s++;
		while (e > s && e[-1] == ' ')
			e--;
		if (e - s < 2 || e - s > 3) {
			rs_seterr("\"%.*s\" is not a language code (2 or 3 letters, such as "
			    "en or fr)", (int)(n > 16 ? 16 : n), p);
			buf_free(&b);
			return NULL;
		}
		for (const char *c = s; c < e; c++) {
			if (!letter(*c)) {
				rs_seterr("\"%.*s\" is not a language code (2 or 3 letters, "
				    "such as en or fr)", (int)(e - s), s);
				buf_free(&b);
				return NULL;
			}
			tag[k++] = *c >= 'A' && *c <= 'Z' ? (char)(*c + 32) : *c;
		}
		tag[k] = '\0';
		if (b.len > 0)
			buf_addstr(&b, ",");
		buf_addstr(&b, tag);
		p += n;
		if (*p != ',')
			break;
		p++;
	}
	out = xstrdup(buf_cstr(&b));
	buf_free(&b);
	return out;
}

int
vocab_line_ok(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	for (; p != NULL && *p != '\0'; p++)
		if (*p < 0x20 || *p == 0x7f || (p[0] == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f))
			return 0;
	return s != NULL;
}

int
vocab_lang_tag_ok(const char *tag)
{
	size_t n = tag != NULL ? strlen(tag) : 0;

	if (n < 2 || n > 3)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (tag[i] < 'a' || tag[i] > 'z')
			return 0;
	return 1;
}

int
vocab_email_check(const char *what, const char *addr)
{
	const char *at = addr != NULL ? strchr(addr, '@') : NULL;
	size_t len = addr != NULL ? strlen(addr) : 0;

	for (const char *p = addr; p != NULL && *p; p++)
		if ((unsigned char)*p <= 0x20 || (unsigned char)*p >= 0x7f ||
		    strchr("<>\"(),;:\\[]", *p) != NULL) {
			rs_seterr("%s has a character not allowed in an address "
			    "(spaces, line breaks, brackets, quotes, non-ASCII)", what);
			return -1;
		}
	if (len == 0 || len > 253 || at == NULL || at == addr || at[1] == '\0' ||
	    strchr(at + 1, '@') != NULL || at[1] == '.' || addr[len - 1] == '.') {
		rs_seterr("%s \"%.80s\" is not an e-mail address (local@domain)", what,
		    addr != NULL ? addr : "");
		return -1;
	}
	return 0;
}
