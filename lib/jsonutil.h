/*
 * jsonutil.h - typed reads from jansson objects, returning NULL/-1 with a
 * sentence naming the field when it is missing or of the wrong type.  The
 * parsers of network input go through these so every refusal says what was
 * wrong.
 */
#ifndef ROSTER_JSONUTIL_H
#define ROSTER_JSONUTIL_H

#include <stdint.h>
#include <jansson.h>

#include "util.h"

const char *jstr(json_t *o, const char *key);		/* optional */
const char *jstr_req(json_t *o, const char *key);	/* required */
int jint_req(json_t *o, const char *key, int64_t *out);
int jhex32_req(json_t *o, const char *key, uint8_t out[32]);
/* Base64 string field decoded into out (appended). */
int jb64_req(json_t *o, const char *key, struct buf *out);
/* Routes jansson's allocations through xmalloc, so that running out of
 * memory aborts with a message, as everywhere else in roster, instead of a
 * NULL that some json_object_set_new would take for "nothing to add".  Call
 * it first thing in every program, before any json_t exists. */
void jalloc_init(void);
json_t *jparse(const void *data, size_t len);		/* NULL + rs_err */
/* Compact, key-order-preserving serialization; malloc'd. */
char *jdump(json_t *o);
json_t *jhex(const uint8_t *p, size_t n);
json_t *jb64(const uint8_t *p, size_t n);

#endif
