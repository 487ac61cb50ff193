/*
 * regfold.c - folding text for search (see regfold.h for what it does per
 * script), on ICU: its normalizers (NFKC with case folding, NFD, NFC) are
 * the Unicode Consortium's own data, and its Traditional-Simplified
 * transliterator is the one mapping of Chinese characters widely used.
 * The normalizers are shared and thread-safe; a transliterator is not, so
 * the one instance is used under a mutex (the hub serves requests from a
 * thread pool).  Only text holding a Han character goes through it.
 *
 * Working in UTF-16 (ICU's form) between one conversion in and one out.
 */
#include "regfold.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <unicode/uchar.h>
#include <unicode/uscript.h>
#include <unicode/unorm2.h>
#include <unicode/ustring.h>
#include <unicode/utrans.h>

static pthread_mutex_t trans_lock = PTHREAD_MUTEX_INITIALIZER;
static UTransliterator *trans;		/* Traditional-Simplified, opened once */

static int
icu_failed(UErrorCode e, const char *what)
{
	if (U_FAILURE(e)) {
		rs_seterr("text folding failed (%s): %s", what, u_errorName(e));
		return 1;
	}
	return 0;
}

static int
has_han(const UChar *s, int32_t n)
{
	for (int32_t i = 0; i < n; i++) {
		UChar32 c;
		U16_GET(s, 0, i, n, c);
		if (u_getIntPropertyValue(c, UCHAR_SCRIPT) == USCRIPT_HAN)
			return 1;
	}
	return 0;
}

/* Traditional to simplified, in place; *n may change, within cap. */
static int
simplify(UChar *s, int32_t *n, int32_t cap)
{
	UErrorCode e = U_ZERO_ERROR;
	int32_t limit = *n;
	int rc = 0;

	pthread_mutex_lock(&trans_lock);
	if (trans == NULL) {
		UChar id[32];
		u_uastrcpy(id, "Traditional-Simplified");
		trans = utrans_openU(id, -1, UTRANS_FORWARD, NULL, 0, NULL, &e);
		if (icu_failed(e, "Traditional-Simplified")) {
			trans = NULL;
			rc = -1;
			goto out;
		}
	}
	utrans_transUChars(trans, s, n, cap, 0, &limit, &e);
	if (icu_failed(e, "Traditional-Simplified"))
		rc = -1;
out:
	pthread_mutex_unlock(&trans_lock);
	return rc;
}

/* One normalization form over s into a new buffer. */
static UChar *
normalize(const UNormalizer2 *nf, const UChar *s, int32_t n, int32_t *outn)
{
	UErrorCode e = U_ZERO_ERROR;
	int32_t cap = n * 3 + 16;
	UChar *o = xmalloc((size_t)cap * sizeof(UChar));

	*outn = unorm2_normalize(nf, s, n, o, cap, &e);
	if (e == U_BUFFER_OVERFLOW_ERROR) {
		cap = *outn + 1;
		o = xrealloc(o, (size_t)cap * sizeof(UChar));
		e = U_ZERO_ERROR;
		*outn = unorm2_normalize(nf, s, n, o, cap, &e);
	}
	if (icu_failed(e, "normalization")) {
		free(o);
		return NULL;
	}
	return o;
}

/* The letter a character folds to, 0 to drop it, ' ' for a separator. */
static UChar32
fold_char(UChar32 c)
{
	int8_t t;

	switch (c) {
	case 0x0640:			/* tatweel */
		return 0;
	case 0x0649:			/* alef maqsura -> yeh */
	case 0x06CC:			/* farsi yeh */
		return 0x064A;
	case 0x0629:			/* teh marbuta -> heh */
		return 0x0647;
	case 0x0671:			/* alef wasla -> alef */
		return 0x0627;
	case 0x06A9:			/* keheh -> kaf */
		return 0x0643;
	}
	t = (int8_t)u_charType(c);
	switch (t) {
	case U_NON_SPACING_MARK:	/* accents, harakat, dagger alef */
	case U_ENCLOSING_MARK:
	case U_FORMAT_CHAR:
		return 0;
	case U_CONTROL_CHAR:		/* tab, newline */
	case U_SPACE_SEPARATOR:
	case U_LINE_SEPARATOR:
	case U_PARAGRAPH_SEPARATOR:
	case U_DASH_PUNCTUATION:
	case U_START_PUNCTUATION:
	case U_END_PUNCTUATION:
	case U_CONNECTOR_PUNCTUATION:
	case U_OTHER_PUNCTUATION:
	case U_INITIAL_PUNCTUATION:
	case U_FINAL_PUNCTUATION:
	case U_MATH_SYMBOL:
	case U_CURRENCY_SYMBOL:
	case U_MODIFIER_SYMBOL:
	case U_OTHER_SYMBOL:
		return ' ';
	}
	return c;
}

int
reg_fold(const char *s, struct buf *out)
{
	const UNormalizer2 *nfkc_cf, *nfd, *nfc;
	UErrorCode e = U_ZERO_ERROR;
	UChar *u = NULL, *a = NULL, *b = NULL, *c = NULL;
	int32_t n, an, bn, cn, k = 0, len8;
	size_t slen = strlen(s);
	int rc = -1, space = 1;

	out->len = 0;
	if (slen > REG_FOLD_MAX) {
		rs_seterr("a text to search is at most %d bytes", REG_FOLD_MAX);
		return -1;
	}
	nfkc_cf = unorm2_getNFKCCasefoldInstance(&e);
	nfd = unorm2_getNFDInstance(&e);
	nfc = unorm2_getNFCInstance(&e);
	if (icu_failed(e, "normalizers"))
		return -1;
	/* UTF-8 in, with room for the transliterator to grow the text */
	u = xmalloc((slen * 2 + 16) * sizeof(UChar));
	u_strFromUTF8WithSub(u, (int32_t)(slen + 8), &n, s, (int32_t)slen, 0xFFFD, NULL, &e);
	if (icu_failed(e, "UTF-8"))
		goto out;
	if (has_han(u, n) && simplify(u, &n, (int32_t)(slen * 2 + 16)) != 0)
		goto out;
	if ((a = normalize(nfkc_cf, u, n, &an)) == NULL ||
	    (b = normalize(nfd, a, an, &bn)) == NULL)
		goto out;
	/* drop marks, fold letters, one space between words */
	for (int32_t i = 0; i < bn;) {
		UChar32 ch;
		U16_NEXT(b, i, bn, ch);
		ch = fold_char(ch);
		if (ch == 0)
			continue;
		if (ch == ' ') {
			if (!space)
				b[k++] = ' ';
			space = 1;
			continue;
		}
		space = 0;
		if (U_IS_BMP(ch))
			b[k++] = (UChar)ch;
		else {
			b[k++] = U16_LEAD(ch);
			b[k++] = U16_TRAIL(ch);
		}
	}
	if (k > 0 && b[k - 1] == ' ')
		k--;
	if ((c = normalize(nfc, b, k, &cn)) == NULL)
		goto out;
	u_strToUTF8(NULL, 0, &len8, c, cn, &e);
	if (e == U_BUFFER_OVERFLOW_ERROR)
		e = U_ZERO_ERROR;
	if (icu_failed(e, "UTF-8"))
		goto out;
	buf_reserve(out, (size_t)len8 + 1);
	u_strToUTF8((char *)out->p, len8 + 1, &len8, c, cn, &e);
	if (icu_failed(e, "UTF-8"))
		goto out;
	out->len = (size_t)len8;
	buf_cstr(out);
	rc = 0;
out:
	free(u);
	free(a);
	free(b);
	free(c);
	if (rc != 0)
		out->len = 0;
	return rc;
}

enum reg_match
reg_fold_match(const char *text, const char *query)
{
	size_t ql = strlen(query);
	const char *w = query;

	if (ql == 0)
		return REG_MATCH_NONE;
	if (strcmp(text, query) == 0)
		return REG_MATCH_EXACT;
	if (strncmp(text, query, ql) == 0)
		return REG_MATCH_PREFIX;
	while (*w != '\0') {
		const char *end = strchr(w, ' ');
		size_t wl = end ? (size_t)(end - w) : strlen(w);
		char word[256];

		if (wl >= sizeof(word))
			wl = sizeof(word) - 1;
		memcpy(word, w, wl);
		word[wl] = '\0';
		if (wl > 0 && strstr(text, word) == NULL)
			return REG_MATCH_NONE;
		w += wl;
		while (*w == ' ')
			w++;
	}
	return REG_MATCH_WORDS;
}
