/*
 * jsonutil.c - see jsonutil.h.  Error texts name the field, so a 4xx from the
 * hub or a CLI failure tells the user which part of the input was wrong.
 */
#include "jsonutil.h"

#include <stdlib.h>
#include <string.h>

const char *
jstr(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	return json_is_string(v) ? json_string_value(v) : NULL;
}

const char *
jstr_req(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	if (v == NULL) {
		rs_seterr("missing field \"%s\"", key);
		return NULL;
	}
	if (!json_is_string(v)) {
		rs_seterr("field \"%s\" must be a string", key);
		return NULL;
	}
	return json_string_value(v);
}

int
jint_req(json_t *o, const char *key, int64_t *out)
{
	json_t *v = json_object_get(o, key);

	if (v == NULL) {
		rs_seterr("missing field \"%s\"", key);
		return -1;
	}
	if (!json_is_integer(v)) {
		rs_seterr("field \"%s\" must be an integer", key);
		return -1;
	}
	*out = json_integer_value(v);
	return 0;
}

int
jhex32_req(json_t *o, const char *key, uint8_t out[32])
{
	const char *s = jstr_req(o, key);

	if (s == NULL)
		return -1;
	if (hex_decode_exact(out, 32, s) != 0) {
		rs_seterr("field \"%s\" must be 64 hexadecimal digits", key);
		return -1;
	}
	return 0;
}

int
jb64_req(json_t *o, const char *key, struct buf *out)
{
	const char *s = jstr_req(o, key);

	if (s == NULL)
		return -1;
	if (b64_decode(out, s, strlen(s)) != 0) {
		rs_seterr("field \"%s\" is not valid base64", key);
		return -1;
	}
	return 0;
}

void
jalloc_init(void)
{
	json_set_alloc_funcs(xmalloc, free);
}

json_t *
jparse(const void *data, size_t len)
{
	json_error_t err;
	json_t *j = json_loadb(data, len, JSON_REJECT_DUPLICATES, &err);

	if (j == NULL)
		rs_seterr("malformed JSON at line %d column %d: %s", err.line,
		    err.column, err.text);
	return j;
}

char *
jdump(json_t *o)
{
	char *s = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);

	if (s == NULL) {
		rs_seterr("cannot serialize JSON");
		abort();
	}
	return s;
}

json_t *
jhex(const uint8_t *p, size_t n)
{
	char *h = hex_encode(p, n);
	json_t *j = json_string(h);

	free(h);
	return j;
}

json_t *
jb64(const uint8_t *p, size_t n)
{
	char *h = b64_encode(p, n);
	json_t *j = json_string(h);

	free(h);
	return j;
}
