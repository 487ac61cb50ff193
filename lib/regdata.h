/*
 * regdata.h - the registries' shipped data (share/registries/): the norms
 * of A/70/174 para 13 and the norms proposed in the 2024 statement, the
 * model checklist, the terms of consensus documents, the reference
 * taxonomies of critical-infrastructure sectors with the crosswalk that
 * maps them onto each other, and the capacity-building areas.
 *
 * Data, not code (docs/registries.md): JSON files that say which languages
 * they promise ("languages"), and every text the file shows people must be
 * there in each of them.  Unlike the message catalogue, this data is never
 * an operator's: it says what is agreed in consensus documents and what
 * codes a record may use, and the hub and every node check records against
 * it, so both must load the same files.  regdata_digest names the exact
 * data set (the hub and nodes compare it, docs/protocol.md section 11).
 * Loading is strict: the first problem refuses the whole set, with a
 * sentence naming the file and the field.
 *
 * Sources are written "SYMBOL para N" (a paragraph) or "SYMBOL PP N" (a
 * preambular paragraph), SYMBOL a UN document symbol ("A/70/174",
 * "A/RES/73/27") and N a number with an optional letter ("13(f)").  In the
 * data, a source may be a bare SYMBOL when a note says why no paragraph is
 * cited; a record's source never may.
 */
#ifndef ROSTER_REGDATA_H
#define ROSTER_REGDATA_H

#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

#define REG_DATA_ID_MAX		48	/* bytes of a data id, without NUL */
#define REG_SYMBOL_MAX		64	/* bytes of a document symbol */
#define REG_SOURCE_MAX		96	/* bytes of a whole source */
#define REG_MAX_CONCEPTS	64	/* concepts of the crosswalk (a bit set) */
#define REG_DATA_FILE_MAX	((size_t)1 << 20)
#define REG_DATA_TEXT_MAX	16384	/* bytes of one text in the data */

/* What a source says. */
enum reg_para { REG_PARA_NONE = 0, REG_PARA, REG_PARA_PP };

struct reg_source {
	char symbol[REG_SYMBOL_MAX + 1];
	enum reg_para kind;
	char para[16];			/* "13(f)", "16" */
};

/* Parses s as a source; bare is 1 where a bare SYMBOL is allowed.  0, or
 * -1 with rs_err saying what a source must look like. */
int reg_source_parse(const char *s, int bare, struct reg_source *out)
    __attribute__((warn_unused_result));
/* Is s a document symbol ("A/70/174")? */
int reg_symbol_ok(const char *s);

/* A data id: 1 to 48 of a-z, 0-9, '-', starting with a letter. */
int reg_data_id_ok(const char *s);

/* A code of a taxonomy (or an area), with its labels. */
struct reg_dcode {
	const char *code;
	json_t *label;			/* {lang: text}, every language of the file */
	uint64_t concepts;		/* crosswalk concepts (taxonomies only) */
};

struct reg_dtax {
	const char *id;
	json_t *obj;			/* the whole file */
	struct reg_dcode *codes;	/* file order */
	size_t ncodes;
};

enum reg_dstatus { REG_D_AGREED = 1, REG_D_PROPOSED };

struct reg_daction {
	int n;
	json_t *title;
};

struct reg_dnorm {
	const char *id;
	enum reg_dstatus status;
	const char *proposed_by;	/* proposals: a State code; else NULL */
	json_t *obj;
	struct reg_daction *actions;	/* the model checklist, or none */
	size_t nactions;
};

struct reg_dterm {
	const char *id;
	json_t *obj;
};

struct regdata {
	struct reg_dnorm *norms;	/* agreed first, then proposals (file order) */
	size_t nnorms;
	struct reg_dterm *terms;
	size_t nterms;
	struct reg_dtax *taxes;		/* sorted by id */
	size_t ntaxes;
	struct reg_dtax areas;		/* capacity-building areas */
	char concept[REG_MAX_CONCEPTS][REG_DATA_ID_MAX + 1];
	size_t nconcepts;
	json_t *files;			/* file name -> object, what was read */
	uint8_t digest[32];
};

/* Loads every *.json of dir (share/registries or a copy).  Strict: -1 with
 * rs_err naming the file and the field of the first problem. */
int regdata_load_dir(struct regdata **out, const char *dir)
    __attribute__((warn_unused_result));
/* The same from share_dir()/registries. */
int regdata_load_shipped(struct regdata **out) __attribute__((warn_unused_result));
void regdata_free(struct regdata *d);
/* The shipped data, read once for the whole program (regdata_load_shipped
 * on the first call) and kept until it exits: the rules of the hub's
 * store, of "rosterd check" and of a node's read model all check records
 * against it, and it does not change while a program runs.  0, or -1 with
 * the load's rs_err (the same on every call). */
int regdata_shipped(const struct regdata **out) __attribute__((warn_unused_result));

/* Lookups; -1 or NULL when absent. */
long regdata_norm(const struct regdata *d, const char *id);
long regdata_term(const struct regdata *d, const char *id);
const struct reg_dtax *regdata_tax(const struct regdata *d, const char *id);
const struct reg_dcode *regdata_code(const struct reg_dtax *t, const char *code);
const struct reg_daction *regdata_action(const struct reg_dnorm *n, int action);

#endif
