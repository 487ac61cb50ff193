/*
 * checkstats.h - the figures of communication checks ("ping tests"),
 * computed from log records alone.
 *
 * A check names its audience (devices, with their State and role as the
 * directory had them) and a deadline; each device answers with one signed
 * "acknowledged" ack.  This module is pure computation over plain arrays:
 * the hub (rosterd checks, GET /v1/checks/report) and every node (roster
 * checks report) fill the same arrays from the records they verified and
 * call the same functions, so the two reports are byte for byte equal when
 * the hub is honest.  docs/checks.md defines every figure.
 *
 * The rules:
 *   - a device's answer is its first answer logged after the check (lowest
 *     log index above the check's); later ones are duplicates and ignored;
 *   - answers by devices outside the audience are ignored;
 *   - response time = answer log time - check log time (ms);
 *   - an answer logged after the deadline is "late": it is not counted as
 *     answered, and not in the response times; it is counted on its own;
 *   - a State answered when at least one of its POCs in the audience
 *     answered in time; its response time is its fastest POC's;
 *   - median and p95 are nearest-rank percentiles: the value at rank
 *     ceil(p/100 * n) of the n sorted times (so the median of an even count
 *     is the lower middle value); none when n = 0.
 */
#ifndef ROSTER_CHECKSTATS_H
#define ROSTER_CHECKSTATS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <jansson.h>

#include "util.h"

#define CS_SIGNER_MAX	16
#define CS_GROUP_MAX	64

struct cs_member {
	uint8_t key[32];
	char state[3];
	char role[16];
};

struct cs_answer {
	uint8_t key[32];	/* the answering device */
	int64_t index;		/* its log index and time */
	int64_t time;
};

struct cs_check {
	uint8_t id[32];
	int64_t index, time;	/* the check's log index and time */
	int64_t deadline;	/* log time, ms */
	char signer[CS_SIGNER_MAX];	/* "operator" or the State's code */
	struct cs_member *aud;	/* duplicates are counted once */
	size_t naud;
	struct cs_answer *ans;	/* any order, any signer */
	size_t nans;
};

struct cs_group {
	char name[CS_GROUP_MAX];
	char (*states)[3];
	size_t nstates;
};

/* What became of one audience member. */
struct cs_outcome {
	int dup;		/* a repeated audience entry: skipped */
	int answered;		/* in time */
	int late;		/* only after the deadline */
	int64_t response_ms;	/* of the first answer (in time or late); -1 */
	int64_t answer_index;	/* -1 when none */
	int64_t answer_time;
};

/* out has c->naud entries. */
void cs_outcomes(const struct cs_check *c, struct cs_outcome *out);

/* Nearest-rank percentile (1 <= p <= 100) of n values, sorted in place;
 * -1 when n = 0. */
int64_t cs_percentile(int64_t *v, size_t n, int p);

/* The report: {"checks":[...], "history":{...}} (docs/checks.md).  since:
 * only checks logged at or after it (ms; 0 for all). */
json_t *cs_report(const struct cs_check *checks, size_t n,
    const struct cs_group *groups, size_t ngroups, int64_t since);

/* The report's rows as CSV (header line first). */
void cs_report_csv(json_t *report, struct buf *out);

/* The report as text for people. */
void cs_report_text(json_t *report, struct buf *out);

/* Serialization used for comparing reports and for --json. */
char *cs_dump(json_t *report);
/* Prints the report to f as cs_dump's JSON, CSV, or text (the default). */
void cs_report_print(FILE *f, json_t *report, int json, int csv);

#endif
