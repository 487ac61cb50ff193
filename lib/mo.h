/*
 * mo.h - a reader for GNU gettext .mo catalogues.
 *
 * Country names in the six UN languages come from Debian's iso-codes: the
 * English names in /usr/share/iso-codes/json/iso_3166-1.json and their
 * translations in /usr/share/locale/<lang>/LC_MESSAGES/iso_3166-1.mo.  The
 * .mo format is a header (magic, revision, count, two table offsets) and two
 * tables of (length, offset) pairs pointing at NUL-terminated strings.  The
 * file is data from disk, but we parse it as if hostile: every offset and
 * length is checked against the file's size before it is read, and the
 * parser is fuzzed (fuzz/fuzz_node_web.c).
 */
#ifndef ROSTER_MO_H
#define ROSTER_MO_H

#include <stddef.h>
#include <stdint.h>

/* Called once per (original, translation) pair; both NUL-terminated.
 * A non-zero return stops the walk. */
typedef int (*mo_pair_fn)(void *ctx, const char *orig, const char *trans);

/* Walks every pair of the catalogue in p[0..len).  0, or -1 with rs_err
 * when the data is not a well-formed .mo file (nothing is reported then
 * for the pairs after the fault). */
int mo_walk(const uint8_t *p, size_t len, mo_pair_fn fn, void *ctx);

#endif
