/*
 * procrec.h - the record shapes of the process (docs/protocol.md section
 * 10): bodies and their rules, meetings, papers and their language
 * versions, proposals, positions, withdrawals, stakeholder applications
 * and contributions.
 *
 * This file knows what each record looks like, not what the log already
 * holds: procrec_parse reads one envelope's header and payload into a
 * struct proc_rec and refuses anything malformed, naming the field.  The
 * rules that depend on earlier records (does the body exist, is the signer
 * its Chair, is the proposal still open) are lib/process.c's, which runs
 * this first.  Keeping the stateless part apart gives the fuzzer
 * (fuzz/fuzz_process.c) one function that reaches every parser.
 *
 * Every record kind here is public (section 8): each is a leaf of the
 * public tree, so a hub cannot show one node an objection and hide it from
 * another.  Public is about being served to every node, not about being
 * readable: a paper for the members, a proposal for the members, the reason
 * of an objection and a stakeholder's contribution carry a sealed payload
 * (lib/seal.h) whose recipients are devices.
 */
#ifndef ROSTER_PROCREC_H
#define ROSTER_PROCREC_H

#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

#include "envelope.h"
#include "kinds.h"

#define PROC_NAME_MAX		32	/* body name, with its NUL (as a group's) */
#define PROC_LANG_MAX		16	/* language code, with its NUL */
#define PROC_MAX_LANGS		16	/* required languages of a body */
#define PROC_MAX_TEXTS		32	/* languages of one title or text */
#define PROC_MAX_FILES		16	/* language versions in one record */
#define PROC_MAX_STATES		256	/* as a group */
#define PROC_TITLE_MAX		512	/* bytes of a title, per language */
#define PROC_TEXT_MAX		65536	/* bytes of a proposal's text, per language */
#define PROC_ABOUT_MAX		16384	/* bytes of an application's "about" */
#define PROC_ORG_MAX		256	/* bytes of an organisation's name */
#define PROC_URL_MAX		512
#define PROC_FILE_NAME_MAX	255
#define PROC_FILE_TYPE_MAX	127
#define PROC_FILE_MAX		(64ULL << 20)	/* bytes of one language version */
#define PROC_MIN_SILENCE_MS	(60LL * 1000)
#define PROC_MAX_SILENCE_MS	(366LL * 86400 * 1000)
#define PROC_MAX_LEAD_MS	(366LL * 86400 * 1000)
#define PROC_MAX_MEETING_MS	(31LL * 86400 * 1000)

/* Defaults from UN practice (../shared/reference/un-sources.md). */
#define PROC_DEFAULT_SILENCE_MS	(72LL * 3600 * 1000)	/* GA decision 74/544 */
#define PROC_DEFAULT_LEAD_MS	(42LL * 86400 * 1000)	/* the six-week rule */
extern const char *const proc_un_languages[6];		/* ar zh en fr ru es */

/* What a check of a process record found.  The hub answers 400 for
 * MALFORMED and UNKNOWN, 403 for FORBIDDEN, 409 for CLOSED and DUPLICATE;
 * every refusal also leaves a sentence in rs_err. */
enum proc_result {
	PROC_OK = 0,
	PROC_MALFORMED = -1,	/* the record's own shape */
	PROC_UNKNOWN = -2,	/* names a body or record that is not in the log */
	PROC_FORBIDDEN = -3,	/* the signer may not do this */
	PROC_CLOSED = -4,	/* too late: decided or withdrawn */
	PROC_DUPLICATE = -5,	/* done already: a name, a language, a position */
};

enum proc_kind {
	PROC_K_NONE = 0,
	PROC_K_BODY,
	PROC_K_BODY_RULES,
	PROC_K_MEETING,
	PROC_K_PAPER,
	PROC_K_PAPER_LANG,
	PROC_K_PROPOSAL,
	PROC_K_POSITION,
	PROC_K_WITHDRAW,
	PROC_K_APPLICATION,
	PROC_K_CONTRIBUTION,
};

/* A process kind's name and its row in lib/kinds.c, the one table of kinds
 * (public, payload limit, signers). */
struct proc_kind_info {
	const char *name;
	enum proc_kind kind;
	enum kind id;
};

/* The entry for a kind name, NULL when it is not a process kind. */
const struct proc_kind_info *procrec_kind(const char *name);
/* All entries, ending with a NULL name. */
extern const struct proc_kind_info proc_kinds[];

enum proc_audience { PROC_PUBLIC = 0, PROC_MEMBERS };
enum proc_stance { PROC_OBJECT = 0, PROC_SUPPORT };
enum proc_visibility { PROC_SHOW_ALL = 0, PROC_SHOW_CHAIR };
enum proc_proposers { PROC_PROPOSE_CHAIR = 0, PROC_PROPOSE_MEMBERS, PROC_PROPOSE_LISTED };
enum proc_admission { PROC_ADMIT_SILENCE = 0, PROC_ADMIT_AT_ONCE, PROC_ADMIT_CLOSED };
enum proc_members_kind { PROC_MEMBERS_ALL = 0, PROC_MEMBERS_GROUP, PROC_MEMBERS_LIST };

struct proc_states {
	size_t n;
	char v[PROC_MAX_STATES][3];
};

struct proc_langs {
	size_t n;
	char v[PROC_MAX_LANGS][PROC_LANG_MAX];
};

/* A body's rules: data, not code. */
struct proc_rules {
	int64_t silence_ms;		/* length of a silence procedure */
	int64_t lead_ms;		/* papers due this long before a meeting */
	struct proc_langs langs;	/* required languages of papers */
	enum proc_visibility objections;	/* who sees the objecting States */
	enum proc_proposers proposers;
	struct proc_states listed;	/* designated proposers (LISTED) */
	enum proc_admission ecosoc;	/* applications with ECOSOC status */
	enum proc_admission other;	/* and without */
};

struct proc_members {
	enum proc_members_kind kind;
	char group[PROC_NAME_MAX];	/* GROUP */
	struct proc_states list;	/* LIST */
};

/* One language version: the blob of an attachment (lib/blob.h). */
struct proc_file {
	char lang[PROC_LANG_MAX];
	uint8_t sha[32];
	uint64_t size;			/* blob bytes (ciphertext) */
};

struct proc_files {
	size_t n;
	struct proc_file v[PROC_MAX_FILES];
};

/* A parsed record.  Fields not used by its kind are zero; json_t fields
 * point into payload, which the record owns. */
struct proc_rec {
	enum proc_kind kind;
	char body[PROC_NAME_MAX];	/* every kind that concerns one body */
	int has_ref;			/* position, withdraw: the matter; */
	uint8_t ref[32];		/* paper-lang: the paper */
	int has_meeting;		/* paper, proposal (optional) */
	uint8_t meeting[32];
	int has_paper;			/* proposal (optional) */
	uint8_t paper[32];
	int has_contribution;		/* paper: a distribution */
	uint8_t contribution[32];
	uint8_t application[32];	/* contribution */
	enum proc_audience audience;	/* paper, proposal */
	int64_t start, end;		/* meeting, log times (ms) */
	int64_t silence_ms;		/* proposal; -1 when absent */
	char lang[PROC_LANG_MAX];	/* proposal: the original's language */
	enum proc_stance stance;	/* position */
	int ecosoc;			/* application */
	struct proc_files files;	/* paper, paper-lang, contribution */
	/* body, body-rules: */
	int has_chair;
	char chair[3];
	int has_members;
	struct proc_members members;
	json_t *rules;			/* the "rules" object, or NULL */
	json_t *title;			/* body, meeting, public paper: {lang: text} */
	json_t *text;			/* public proposal: {lang: text} */
	json_t *payload;		/* parsed plaintext payload; NULL when sealed */
};

/* Reads e (already framed and digest-checked by env_parse) as a process
 * record.  PROC_OK, or PROC_MALFORMED with rs_err naming the field; the
 * record is then empty.  Free with procrec_free either way. */
enum proc_result procrec_parse(const struct envelope *e, struct proc_rec *r)
    __attribute__((warn_unused_result));
void procrec_free(struct proc_rec *r);

/* The defaults: 72 h, 42 days, the six UN languages, objections shown to
 * all members, the Chair proposes, applications under silence. */
void procrec_rules_default(struct proc_rules *r);
/* base with the fields of o ({"silence_ms", "lead_time_ms", "languages",
 * "objections", "proposers", "stakeholders"}, each optional) replaced.
 * -1 with rs_err naming the field; out is then unchanged. */
int procrec_rules_merge(const struct proc_rules *base, json_t *o,
    struct proc_rules *out) __attribute__((warn_unused_result));
/* The rules as their JSON object (every field). */
json_t *procrec_rules_json(const struct proc_rules *r);
json_t *procrec_members_json(const struct proc_members *m);

/* A language code: 2 or 3 lower-case letters, optionally "-" and 2 to 8
 * letters or digits ("en", "fil", "zh-hant", "es-419").  1 or 0. */
int procrec_valid_lang(const char *s);
/* A body name: as a group's (1 to 31 of a-z 0-9 -, not starting with -). */
int procrec_valid_name(const char *s);
/* The "files" of a header (paper, paper-lang, contribution): 1 to
 * PROC_MAX_FILES distinct language versions, each an encrypted file's blob
 * digest and size.  -1 with rs_err naming what is wrong. */
int procrec_files(const struct envelope *e, struct proc_files *f)
    __attribute__((warn_unused_result));
/* Is the blob size the encryption of some file of at most PROC_FILE_MAX
 * bytes?  Gives that file's size. */
int procrec_blob_plain(uint64_t blob, uint64_t *plain);

#endif
