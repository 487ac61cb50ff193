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
/* A step in the thread of request id (accept, decline, propose,
 * outcome), sent as message_send sends.  0, or -1 with rs_err. */
int consult_reply(struct node *n, const uint8_t id[32], const char *step, const char *body,
    uint8_t newid[32], struct sent *r) __attribute__((warn_unused_result));
/* The other side's signed agreement to outcome id; *queued when the hub
 * could not be reached (it goes with the next sync).  0, or -1 with
 * rs_err. */
int consult_agree_to(struct node *n, const uint8_t id[32], const char *note, int *queued)
    __attribute__((warn_unused_result));
/* Every step of the consultation request opened, in log order:
 * [{id, direction, from, time, step, subject, text, index?, agreed?}]. */
json_t *consult_json(struct node *n, const uint8_t request[32]);
/* Where the consultation of those steps stands, in words. */
const char *consult_state(json_t *steps);
/* The consultations (only: the one of that request), newest first:
 * [{request, state, steps}]; NULL with rs_err. */
json_t *consult_list_json(struct node *n, const uint8_t *only);

#endif
