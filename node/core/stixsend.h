/*
 * stixsend.h - a STIX 2.1 bundle as a message to sign (stixsend.c): what
 * `roster send --stix FILE` and a POST to an outbox collection send.
 */
#ifndef ROSTER_NODE_STIXSEND_H
#define ROSTER_NODE_STIXSEND_H

#include <jansson.h>

#include "message.h"
#include "node.h"
#include "stixmap.h"

/* What the sender adds to the bundle. */
struct stix_send {
	const char *subject;		/* when the bundle names no incident or report */
	const char *tlp;		/* the label to send under; NULL: the bundle's
					 * strictest, else AMBER */
	const char *lang;		/* NULL: the bundle's */
	const char **kv;		/* template fields: each replaces the bundle's
					 * values of that field (--field) */
	size_t nkv;
	const char **defaults;		/* template fields for what the bundle does not
					 * give (an outbox's) */
	size_t ndefaults;
	int no_forward;
};

/* Fills o's payload (subject, body, TLP, language, no_forward, and the
 * incident notification's fields when the bundle has an incident or
 * indicators) from bundle, which passed stix_bundle_check, and s.  The
 * draft is left in d (its dropped lines say what was not carried; free it
 * in every case).  -1 with rs_err naming the object, property or field:
 * what a message cannot carry, a value the template refuses, a required
 * field missing, no subject, or a label less strict than the bundle's. */
int stix_compose(struct node *n, json_t *bundle, const struct stix_send *s,
    struct outgoing *o, struct stix_draft *d) __attribute__((warn_unused_result));

#endif
