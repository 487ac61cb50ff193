/*
 * tlp.h - the TLP 2.0 forwarding rule (tlp.c), applied by the forwarder's
 * node (forward.c) and again by every receiving node (original.c).
 */
#ifndef ROSTER_NODE_TLP_H
#define ROSTER_NODE_TLP_H

#include <jansson.h>

/* Which rule, if any, forbids a forward (the codes the local API sends,
 * so a page says it in its reader's language: tlp_rule_code). */
enum tlp_rule {
	TLP_ALLOWED = 0,
	TLP_NO_FORWARD,		/* "no-forward": the sender forbade it */
	TLP_RED,		/* "tlp-red": never forwarded */
	TLP_AMBER_STRICT,	/* "amber-strict": only within the own State */
	TLP_AMBER,		/* "amber": own State and the States it went to */
	TLP_UNKNOWN,		/* "unknown-tlp": a label this node does not know */
};
/* May a message labelled tlp (no_forward: the sender forbade it), received
 * by own_state and originally sent to original_to, be forwarded to
 * to_state? */
enum tlp_rule tlp_rule(const char *tlp, int no_forward, const char *own_state,
    json_t *original_to, const char *to_state);
const char *tlp_rule_code(enum tlp_rule r);
/* The same, 0 or -1 with rs_err explaining the rule in words. */
int tlp_may_forward(const char *tlp, int no_forward, const char *own_state,
    json_t *original_to, const char *to_state) __attribute__((warn_unused_result));

#endif
