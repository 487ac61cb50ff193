/*
 * checks.h - communication checks ("ping tests") on a node: start one,
 * answer one, list them, recompute the figures from the verified records,
 * and POC freshness.  The records come in with every sync (accept.c); the
 * figures are computed by lib/checkstats.c, the code the hub runs.
 */
#ifndef ROSTER_NODE_CHECKS_H
#define ROSTER_NODE_CHECKS_H

#include <stdint.h>
#include <jansson.h>

#include "node.h"

#define CHECKS_WUR __attribute__((warn_unused_result))

/* Is prefix the id of a check this node knows? */
int checks_is_check(struct node *n, const char *prefix);

enum checks_answer {
	CHECKS_ANSWER_SIGNED,		/* in the outbox; the caller flushes */
	CHECKS_ANSWER_ALREADY,		/* one answer counts: none signed */
	CHECKS_ANSWER_NOT_ASKED,	/* this device is not in its audience */
	CHECKS_ANSWER_FAILED,		/* no such check, or a store error: rs_err */
};
/* Signs this device's answer to check prefix (with n->key) in a
 * transaction of its own.  *answered: the log time of an earlier answer
 * (0: still in the outbox); *deadline: the check's. */
enum checks_answer checks_sign_answer(struct node *n, const char *prefix, uint8_t id[32],
    int64_t *answered, int64_t *deadline) CHECKS_WUR;
/* Signs a check from this device to an audience ("all", group:NAME, State
 * codes) narrowed to roles, with a deadline ("24h") and a text (NULL: the
 * standard one) in lang, into the outbox; how many devices of how many
 * States it asks.  The caller flushes.  0, or -1 with rs_err. */
int checks_sign_start(struct node *n, const char *to, const char *roles,
    const char *deadline, const char *text, const char *lang, uint8_t id[32],
    size_t *devices, size_t *states) CHECKS_WUR;

/* Device (hex) -> log time of its last answer to any check. */
json_t *checks_last_answers(struct node *n);
/* 1 when d answered a check or was certified within stale_after_days (or
 * is revoked); *answered is its last answer's log time or -1. */
int checks_device_fresh(struct node *n, const struct dir_device *d, json_t *last,
    int64_t *answered);
double checks_stale_days(struct node *n);
/* This State's POCs not confirmed for stale_after_days: [{role, name,
 * email, answered}] (answered 0: never). */
json_t *checks_stale(struct node *n);
/* How many checks ask this device and wait for its answer. */
int checks_open(struct node *n);
/* The checks this node started or was asked (all: every check it
 * verified), NULL with rs_err. */
json_t *checks_list_json(struct node *n, int all);
/* The log prefix both the checks and the directory were verified up to,
 * given the checkpoint of the last sync (0: none). */
int64_t checks_report_size(struct node *n, uint64_t checkpoint);
/* The report over the records below size (INT64_MAX: all), logged since
 * (ms), restricted to the check prefix when not NULL; NULL with rs_err. */
json_t *checks_report_json(struct node *n, int64_t size, int64_t since,
    const char *prefix);
/* Asks the hub for its figures at size and compares them with mine: 0
 * when identical, -1 with rs_err. */
int checks_compare_with_hub(struct node *n, int64_t size, int64_t since, json_t *mine)
    CHECKS_WUR;

#endif
