/*
 * test_regdata.c - the registries' shipped data (share/registries/) and
 * what search means (lib/regfold.c), by checking what the files promise
 * and by breaking copies of them.
 *
 * The shipped files must load: every text in every language its file
 * promises, every reference resolving (a checklist's norm, a code's
 * concepts), every source in the grammar.  Beyond loading, the facts the
 * data carries are checked against the brief: the eleven norms of
 * A/70/174 para 13 (a)-(k), agreed, each citing its own letter; the four
 * norms of the 2024 statement after them, proposed by the Russian
 * Federation, each with the sources it cites.  Then copies of the folder
 * are broken one way each (a title without Arabic, a checklist naming a
 * norm that is not there, a code naming an unknown concept, a source that
 * is not "SYMBOL para N", a proposal with no proposer, a bidirectional
 * override, a second norms file, an "agreed" norm with no agreed_in) and
 * must be refused, with a message naming the file and the field.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "jsonutil.h"
#include "regdata.h"
#include "regfold.h"
#include "share.h"
#include "util.h"

static const char *six[6] = { "ar", "zh", "en", "fr", "ru", "es" };

static void
test_shipped(void **state)
{
	struct regdata *d;
	char letter[2] = "a", want[64];
	json_t *v;
	size_t i;

	(void)state;
	if (regdata_load_shipped(&d) != 0)
		fail_msg("shipped registries refused: %s", rs_err());
	/* the eleven of para 13, agreed, in order, then the four proposals */
	assert_int_equal(d->nnorms, 15);
	for (i = 0; i < 11; i++, letter[0]++) {
		const struct reg_dnorm *n = &d->norms[i];
		snprintf(want, sizeof(want), "A/70/174 para 13(%s)", letter);
		assert_int_equal(n->status, REG_D_AGREED);
		assert_string_equal(jstr(n->obj, "agreed_in"), want);
		assert_null(json_object_get(n->obj, "text"));	/* not in the tree */
		for (int k = 0; k < 6; k++)
			assert_non_null(jstr(json_object_get(n->obj, "title"), six[k]));
		assert_true(n->nactions >= 3);			/* the model checklist */
	}
	for (; i < 15; i++) {
		const struct reg_dnorm *n = &d->norms[i];
		assert_int_equal(n->status, REG_D_PROPOSED);
		assert_string_equal(n->proposed_by, "RU");
		assert_string_equal(jstr(json_object_get(n->obj, "proposed_in"), "date"),
		    "2024-03-05");
		assert_non_null(jstr(json_object_get(n->obj, "text"), "en"));
		assert_int_equal(n->nactions, 0);
	}
	/* the sources the statement cites: norm 1, four; norm 2, five */
	assert_int_equal(json_array_size(json_object_get(d->norms[11].obj, "sources")), 4);
	assert_string_equal(jstr(json_array_get(json_object_get(d->norms[11].obj,
	    "sources"), 0), "source"), "A/RES/73/27 PP 16");
	assert_int_equal(json_array_size(json_object_get(d->norms[12].obj, "sources")), 5);
	/* the statement's "2021 GGE report, A/75/816" is carried as cited, with a
	 * note in six languages */
	v = json_array_get(json_object_get(d->norms[14].obj, "sources"), 0);
	assert_string_equal(jstr(v, "source"), "A/75/816 para 35");
	assert_non_null(jstr(json_object_get(v, "note"), "ar"));
	/* terms: some, each with its six forms; every taxonomy labelled */
	assert_true(d->nterms >= 10);
	assert_true(regdata_term(d, "critical-information-infrastructure") >= 0);
	assert_true(regdata_term(d, "ict-environment") >= 0);
	assert_int_equal(regdata_term(d, "ict-infrastructure"), -1);	/* not verified */
	assert_non_null(regdata_tax(d, "cii-ga-58-199"));
	assert_non_null(regdata_tax(d, "cii-nis2-annex1"));
	assert_non_null(regdata_tax(d, "cii-nis2-annex2"));
	assert_non_null(regdata_tax(d, "cii-us-ppd21"));
	assert_non_null(regdata_tax(d, "cii-ru-187fz"));
	assert_int_equal(regdata_tax(d, "cii-nis2-annex1")->ncodes, 11);
	assert_int_equal(regdata_tax(d, "cii-nis2-annex2")->ncodes, 7);
	assert_int_equal(regdata_tax(d, "cii-us-ppd21")->ncodes, 16);
	for (size_t t = 0; t < d->ntaxes; t++)
		for (size_t k = 0; k < d->taxes[t].ncodes; k++)
			assert_true(d->taxes[t].codes[k].concepts != 0);
	assert_non_null(regdata_code(&d->areas, "incident-response"));
	assert_null(regdata_code(&d->areas, "espionage"));
	regdata_free(d);
}

static void
test_digest(void **state)
{
	struct regdata *a, *b;

	(void)state;
	assert_int_equal(regdata_load_shipped(&a), 0);
	assert_int_equal(regdata_load_shipped(&b), 0);
	assert_memory_equal(a->digest, b->digest, 32);
	regdata_free(a);
	regdata_free(b);
}

static void
test_sources(void **state)
{
	struct reg_source s;
	static const char *good[] = { "A/70/174 para 13(f)", "A/RES/73/27 PP 16",
	    "A/75/816 para 20", "A/HRC/RES/20/8 para 1", "A/RES/49/221 B para 3",
	    "E/CN.4/2005/1 para 12", NULL };
	static const char *bad[] = { "A/75/816, para 20", "A/75/816 para", "a/70/174 para 1",
	    "A/70/174 para 13 (f)", "A/70/174 para 0", "A/70/174 para 13(F)",
	    "A/70/174", "para 13", "A/70/174 para 12345", "A//174 para 1",
	    "2021 OEWG report para 3", "A/70/174 para 13(f) ", "", NULL };

	(void)state;
	for (int i = 0; good[i]; i++)
		if (reg_source_parse(good[i], 0, &s) != 0)
			fail_msg("refused %s: %s", good[i], rs_err());
	assert_int_equal(reg_source_parse("A/70/174 para 13(f)", 0, &s), 0);
	assert_string_equal(s.symbol, "A/70/174");
	assert_string_equal(s.para, "13(f)");
	assert_int_equal(s.kind, REG_PARA);
	assert_int_equal(reg_source_parse("A/RES/73/27 PP 16", 0, &s), 0);
	assert_int_equal(s.kind, REG_PARA_PP);
	for (int i = 0; bad[i]; i++)
		if (reg_source_parse(bad[i], 0, &s) == 0)
			fail_msg("took \"%s\" as a source", bad[i]);
	assert_non_null(strstr(rs_err(), "SYMBOL para N"));
	/* a bare symbol, only where the data allows it */
	assert_int_equal(reg_source_parse("A/70/174", 1, &s), 0);
	assert_int_equal(s.kind, REG_PARA_NONE);
	assert_int_equal(reg_source_parse(NULL, 1, &s), -1);
}

/* ---- broken copies --------------------------------------------------------------- */

static char tmpdir[128];

static void
copy_shipped(void)
{
	char cmd[2048], src[600];

	snprintf(tmpdir, sizeof(tmpdir), "/tmp/test_regdata.%d", (int)getpid());
	assert_int_equal(share_path(src, sizeof(src), "registries"), 0);
	snprintf(cmd, sizeof(cmd), "rm -rf %s && cp -r %s %s", tmpdir, src, tmpdir);
	assert_int_equal(system(cmd), 0);
}

static void
remove_copy(void)
{
	char cmd[512];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", tmpdir);
	assert_int_equal(system(cmd), 0);
}

static json_t *
load(const char *name)
{
	char path[512];
	json_error_t e;
	json_t *o;

	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	o = json_load_file(path, 0, &e);
	assert_non_null(o);
	return o;
}

static void
save(const char *name, json_t *o)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	assert_int_equal(json_dump_file(o, path, JSON_INDENT(1)), 0);
	json_decref(o);
}

/* Loading the copy fails, and the message holds every part of want. */
static void
refused(const char *want1, const char *want2)
{
	struct regdata *d;

	assert_int_equal(regdata_load_dir(&d, tmpdir), -1);
	assert_null(d);
	if (strstr(rs_err(), want1) == NULL || (want2 && strstr(rs_err(), want2) == NULL))
		fail_msg("refusal \"%s\" does not name %s / %s", rs_err(), want1,
		    want2 ? want2 : "");
}

static json_t *
norm_at(json_t *f, size_t i)
{
	return json_array_get(json_object_get(f, "norms"), i);
}

static void
test_broken(void **state)
{
	struct regdata *d;
	json_t *f;

	(void)state;
	copy_shipped();
	assert_int_equal(regdata_load_dir(&d, tmpdir), 0);	/* the copy is fine */
	regdata_free(d);

	/* a title missing its Arabic */
	f = load("norms.json");
	json_object_del(json_object_get(norm_at(f, 5), "title"), "ar");
	save("norms.json", f);
	refused("norms.json", "a70-174-13f\": \"title\" has no ar text");
	copy_shipped();

	/* an empty Chinese label of a taxonomy code */
	f = load("cii-us-ppd21.json");
	json_object_set_new(json_object_get(json_array_get(json_object_get(f, "values"), 2),
	    "label"), "zh", json_string(""));
	save("cii-us-ppd21.json", f);
	refused("cii-us-ppd21.json", "values[2]");
	copy_shipped();

	/* a checklist naming a norm the data does not have */
	f = load("checklists.json");
	json_object_set_new(json_array_get(json_object_get(f, "checklists"), 0), "norm",
	    json_string("a70-174-13z"));
	save("checklists.json", f);
	refused("checklists[0] names norm \"a70-174-13z\"", NULL);
	copy_shipped();

	/* a code naming a concept that is not in the crosswalk */
	f = load("cii-ru-187fz.json");
	json_array_append_new(json_object_get(json_array_get(json_object_get(f, "values"), 0),
	    "concepts"), json_string("tourism"));
	save("cii-ru-187fz.json", f);
	refused("cii-ru-187fz.json", "concept \"tourism\"");
	copy_shipped();

	/* a source that is not "SYMBOL para N" */
	f = load("norms.json");
	json_object_set_new(json_array_get(json_object_get(norm_at(f, 12), "sources"), 0),
	    "source", json_string("A/75/816, para 20"));
	save("norms.json", f);
	refused("sources[0]", "SYMBOL para N");
	copy_shipped();

	/* a bare symbol with no note saying why */
	f = load("terms.json");
	json_object_del(json_array_get(json_object_get(json_array_get(json_object_get(f,
	    "terms"), 0), "sources"), 0), "note");
	save("terms.json", f);
	refused("terms.json", "sources[0]");
	copy_shipped();

	/* a proposal with no proposer */
	f = load("norms.json");
	json_object_del(norm_at(f, 11), "proposed_by");
	save("norms.json", f);
	refused("ru2024-1", "proposed_by");
	copy_shipped();

	/* "agreed" without saying where */
	f = load("norms.json");
	json_object_del(norm_at(f, 0), "agreed_in");
	save("norms.json", f);
	refused("a70-174-13a", "agreed_in");
	copy_shipped();

	/* agreed_in that is not one of its sources */
	f = load("norms.json");
	json_object_set_new(norm_at(f, 0), "agreed_in", json_string("A/76/135 para 1"));
	save("norms.json", f);
	refused("a70-174-13a", "must be one of the norm's sources");
	copy_shipped();

	/* a hidden bidirectional override in a French form */
	f = load("terms.json");
	json_object_set_new(json_object_get(json_array_get(json_object_get(f, "terms"), 3),
	    "forms"), "fr", json_string("attri\xe2\x80\xae" "bution"));
	save("terms.json", f);
	refused("terms.json", "bidirectional override");
	copy_shipped();

	/* an unknown key, a typo that would otherwise mean nothing */
	f = load("cb-areas.json");
	json_object_set_new(json_array_get(json_object_get(f, "values"), 1), "lable",
	    json_object());
	save("cb-areas.json", f);
	refused("cb-areas.json", "unknown key \"lable\"");
	copy_shipped();

	/* two norms files; an id that is not the file's name */
	f = load("norms.json");
	json_object_set_new(f, "id", json_string("norms2"));
	save("norms2.json", f);
	refused("exactly one", "norms");
	copy_shipped();
	f = load("terms.json");
	save("terms2.json", f);
	refused("terms2.json", "file's name");
	copy_shipped();

	/* a model checklist that does not say it is one */
	f = load("checklists.json");
	json_object_set_new(f, "model", json_false());
	save("checklists.json", f);
	refused("checklists.json", "model");
	copy_shipped();

	/* a file promising fewer languages is held to what it promises */
	f = load("cb-areas.json");
	json_object_set_new(f, "languages", json_pack("[s,s]", "en", "fr"));
	save("cb-areas.json", f);
	refused("cb-areas.json", "\"title\" has \"ar\", which is not one of the file's");
	remove_copy();
}

/* ---- search --------------------------------------------------------------------- */

static void
fold_is(const char *in, const char *want)
{
	struct buf b = {0};

	assert_int_equal(reg_fold(in, &b), 0);
	if (strcmp((const char *)b.p, want) != 0)
		fail_msg("fold(\"%s\") = \"%s\", want \"%s\"", in, (const char *)b.p, want);
	buf_free(&b);
}

static void
test_fold(void **state)
{
	struct buf a = {0}, b = {0};
	char big[REG_FOLD_MAX + 2];

	(void)state;
	/* Cyrillic: case, ё */
	fold_is("ИКТ-среда", "икт среда");
	fold_is("Ёлка", "елка");
	/* Latin: full case folding, accents, punctuation */
	fold_is("Sécurité de l'Information", "securite de l information");
	fold_is("Straße", "strasse");
	fold_is("  ICT\tenvironment,  ", "ict environment");
	/* full-width forms and ligatures (NFKC) */
	fold_is("ＩＣＴ", "ict");
	fold_is("ﬁnance", "finance");
	/* Arabic: harakat, tatweel, hamza forms, alef maqsura, teh marbuta */
	fold_is("البِنْيَةُ التَّحْتِيَّة", "البنيه التحتيه");
	fold_is("الطـــاقة", "الطاقه");
	fold_is("أمن إدارة آمنة", "امن اداره امنه");
	fold_is("مستوى", "مستوي");
	/* Arabic presentation forms are the same letters */
	fold_is("\xef\xbb\xb7", "لا");
	/* Chinese: traditional is simplified, full-width punctuation a space */
	fold_is("關鍵基礎設施", "关键基础设施");
	fold_is("信息，通信", "信息 通信");
	/* zero-width joiners and soft hyphens vanish */
	fold_is("cyber\xc2\xadsecurity", "cybersecurity");
	fold_is("in\xe2\x80\x8d" "formation", "information");
	/* invalid UTF-8 is replaced, not trusted */
	assert_int_equal(reg_fold("ab\xff" "cd", &a), 0);
	assert_non_null(strstr((const char *)a.p, "ab"));
	/* bounded */
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	assert_int_equal(reg_fold(big, &a), -1);

	/* matching */
	assert_int_equal(reg_fold("ICT environment", &a), 0);
	assert_int_equal(reg_fold("Environment ICT", &b), 0);
	assert_int_equal(reg_fold_match((char *)a.p, (char *)b.p), REG_MATCH_WORDS);
	assert_int_equal(reg_fold("ict", &b), 0);
	assert_int_equal(reg_fold_match((char *)a.p, (char *)b.p), REG_MATCH_PREFIX);
	assert_int_equal(reg_fold("ict-environment", &b), 0);
	assert_int_equal(reg_fold_match((char *)a.p, (char *)b.p), REG_MATCH_EXACT);
	assert_int_equal(reg_fold("environment vulnerability", &b), 0);
	assert_int_equal(reg_fold_match((char *)a.p, (char *)b.p), REG_MATCH_NONE);
	assert_int_equal(reg_fold("关键信息基础设施", &a), 0);
	assert_int_equal(reg_fold("關鍵資訊", &b), 0);	/* "资讯" is not "信息" */
	assert_int_equal(reg_fold_match((char *)a.p, (char *)b.p), REG_MATCH_NONE);
	assert_int_equal(reg_fold("基礎設施", &b), 0);
	assert_int_equal(reg_fold_match((char *)a.p, (char *)b.p), REG_MATCH_WORDS);
	assert_int_equal(reg_fold_match((char *)a.p, ""), REG_MATCH_NONE);
	buf_free(&a);
	buf_free(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_shipped),
		cmocka_unit_test(test_digest),
		cmocka_unit_test(test_sources),
		cmocka_unit_test(test_broken),
		cmocka_unit_test(test_fold),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
