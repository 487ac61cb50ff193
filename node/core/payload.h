/*
 * payload.h - what the sealed payload of a message must be, on both sides:
 * one message_validate with one set of limits, applied by whoever composes
 * a message (the command line before anything is signed, the web API before
 * it answers 400, and message.c before it signs, for every path: send,
 * reply, forward, consultation, notice) and by whoever receives one (accept
 * and a forward's original), so a node never signs what another node would
 * refuse, nor keeps what it would not have sent.
 *
 * A payload authenticates its sender, not its good sense: a hostile or
 * buggy node can seal any JSON, so every received payload passes here
 * before it is stored.  The vocabulary (TLP labels, languages, urgencies)
 * is lib/vocab.h's, in canonical form only: normalising what a user typed
 * is the input's business, never the wire's.
 */
#ifndef ROSTER_NODE_PAYLOAD_H
#define ROSTER_NODE_PAYLOAD_H

#include <jansson.h>

#define MSG_SUBJECT_MAX	300		/* bytes, one line */
#define MSG_BODY_MAX	(512u << 10)	/* bytes of text */
#define MSG_FIELDS_MAX	64		/* template fields */

/* 0, or -1 with rs_err naming the field and the limit. */
int message_validate(json_t *m) __attribute__((warn_unused_result));

/* prefix ("Re: ", "Fwd: ") and subject in out, cut at a character boundary
 * to fit MSG_SUBJECT_MAX bytes; len must be more than that. */
void message_subject_prefixed(char *out, size_t len, const char *prefix,
    const char *subject);

#endif
