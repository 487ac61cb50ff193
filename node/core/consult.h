/*
 * consult.h - consultations: a request, its answers, and an outcome both
 * sides signed (consult.c explains the thread).  The command line's
 * `roster consult` and the web's message page both come here.
 */
#ifndef ROSTER_NODE_CONSULT_H
#define ROSTER_NODE_CONSULT_H

#include <stdint.h>
#include <jansson.h>

#include "message.h"
#include "node.h"

/* Is step one of the answers: accept, decline, propose, outcome? */
int consult_is_step(const char *step);
/* What came of a step or an agreement; each refusal has its code
 * (consult_result_code) and an HTTP status the web answers with. */
enum consult_result {
	CONSULT_OK = 0,
	CONSULT_BAD_STEP,	/* not accept, decline, propose, outcome (400) */
	CONSULT_TEXT_REQUIRED,	/* propose or outcome without its text (400) */
	CONSULT_NOT_FOUND,	/* no such message on this node (404) */
	CONSULT_NOT_REQUEST,	/* the message opens no consultation (409) */
	CONSULT_OWN_REQUEST,	/* only the requested side accepts, declines, proposes (409) */
	CONSULT_NOT_OUTCOME,	/* not an outcome the other side wrote (409) */
	CONSULT_ALREADY_AGREED,	/* this node agreed to that outcome already (409) */
	CONSULT_NOT_SENT,	/* the step could not be made or sent: rs_err (422) */
	CONSULT_STORE,		/* this node's store failed: rs_err (500) */
};
/* "bad-step", "text-required", "no-such-message", "not-a-request",
 * "own-request", "not-an-outcome", "already-agreed", "not-sent",
 * "store-failed" ("ok" for CONSULT_OK): the web's code. */
const char *consult_result_code(enum consult_result r);
/* A step in the thread of request id (accept, decline, propose,
 * outcome), sent as message_send sends.  CONSULT_OK, or the refusal with
 * rs_err. */
enum consult_result consult_reply(struct node *n, const uint8_t id[32], const char *step,
    const char *body, uint8_t newid[32], struct sent *r) __attribute__((warn_unused_result));
/* The other side's signed agreement to outcome id; *queued when the hub
 * could not be reached (it goes with the next sync).  CONSULT_OK, or the
 * refusal with rs_err. */
enum consult_result consult_agree_to(struct node *n, const uint8_t id[32], const char *note,
    int *queued) __attribute__((warn_unused_result));
/* Every step of the consultation request opened, in log order:
 * [{id, direction, from, time, step, subject, text, index?, agreed?}]. */
json_t *consult_json(struct node *n, const uint8_t request[32]);
/* Where the consultation of those steps stands, in words. */
const char *consult_state(json_t *steps);
/* The consultations (only: the one of that request), newest first:
 * [{request, state, steps}]; NULL with rs_err. */
json_t *consult_list_json(struct node *n, const uint8_t *only);

#endif
