/*
 * regfold.h - what "search" means for the terminology, in six languages and
 * four scripts.
 *
 * A query and a text are compared after both are folded the same way, so
 * that what a reader types finds what is written, whatever the keyboard:
 *
 *   Chinese    traditional characters become simplified ones (ICU's
 *              Traditional-Simplified), full-width Latin and digits become
 *              ASCII; there are no spaces between words, so a query matches
 *              any substring: "关键信息" finds "关键信息基础设施";
 *   Arabic     vowel marks (harakat, shadda, sukun), the dagger alef and
 *              the tatweel are dropped; alef with hamza or madda and alef
 *              wasla become alef, alef maqsura becomes yeh, teh marbuta
 *              becomes heh, hamza on waw or yeh becomes waw or yeh; the
 *              article and attached prefixes need no stemming since a
 *              query matches inside a word: "بنية" finds "البنية";
 *   Cyrillic   case folded, ё is е (and, as every diacritic is dropped, й
 *              is и: a looser match, never a missed one);
 *   Latin      case folded (Unicode full folding: "ß" is "ss"), accents
 *              dropped: "securite" finds "sécurité";
 *   all        NFKC (compatibility forms, ligatures, presentation forms of
 *              Arabic), default-ignorable characters (joiners, soft
 *              hyphens) dropped, punctuation and symbols ("-", "'", "、")
 *              become one space, spaces collapse.
 *
 * A query matches a text when each of its space-separated words is a
 * substring of the folded text, so "ICT-environment", "ict environment" and
 * "environment ICT" all find "ICT environment".  What it does not do:
 * transliterate between scripts (a Latin query does not find a Cyrillic
 * form; every term carries its forms in all six languages instead), stem,
 * or guess synonyms (the data's aliases do that: "CERT", "ИКТ").
 */
#ifndef ROSTER_REGFOLD_H
#define ROSTER_REGFOLD_H

#include <stddef.h>

#include "util.h"

#define REG_FOLD_MAX 65536	/* bytes of text folded at most */

/* Folds s (UTF-8; invalid bytes become U+FFFD) into out, replacing what
 * out held; out is NUL-terminated.  -1 with rs_err when s is longer than
 * REG_FOLD_MAX or ICU fails. */
int reg_fold(const char *s, struct buf *out) __attribute__((warn_unused_result));

/* How a folded text matches a folded query. */
enum reg_match {
	REG_MATCH_NONE = 0,
	REG_MATCH_WORDS,	/* every word of the query is in the text */
	REG_MATCH_PREFIX,	/* the text starts with the query */
	REG_MATCH_EXACT,	/* the text is the query */
};
enum reg_match reg_fold_match(const char *text, const char *query);

#endif
