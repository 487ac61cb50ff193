/*
 * tlp.h - the TLP 2.0 forwarding rule (tlp.c), applied by the forwarder's
 * node (forward.c) and again by every receiving node (original.c).
 */
#ifndef ROSTER_NODE_TLP_H
#define ROSTER_NODE_TLP_H

#include <jansson.h>

/* May a message labelled tlp (no_forward: the sender forbade it), received
 * by own_state and originally sent to original_to, be forwarded to
 * to_state?  0, or -1 with rs_err explaining the rule. */
int tlp_may_forward(const char *tlp, int no_forward, const char *own_state,
    json_t *original_to, const char *to_state) __attribute__((warn_unused_result));

#endif
