/*
 * tlp.c - the TLP 2.0 rules a node enforces when a recipient forwards.
 *
 * TLP (FIRST, Traffic Light Protocol 2.0) is about who a recipient may share
 * with.  In roster the "community" is the States on the hub, an
 * "organisation" is one State, and forwarding is the only way a node shares
 * what it received, so the rules become:
 *
 *   RED           never forwarded: for the named recipients only
 *   AMBER+STRICT  only within the forwarder's own State
 *   AMBER         within the forwarder's own State, and to the States the
 *                 original already went to (no new State learns it)
 *   GREEN         to any State on the hub (the community)
 *   CLEAR         to anyone
 *
 * and, whatever the label, never when the sender forbade forwarding.  The
 * forwarder's node refuses; the receiving node checks again and flags a
 * forward that broke the rules, with the forwarder's signature as evidence.
 */
#include "tlp.h"

#include "util.h"

#include <string.h>

static int
listed(json_t *states, const char *state)
{
	size_t i;
	json_t *v;

	json_array_foreach(states, i, v)
		if (json_is_string(v) && strcmp(json_string_value(v), state) == 0)
			return 1;
	return 0;
}

enum tlp_rule
tlp_rule(const char *tlp, int no_forward, const char *own_state, json_t *original_to,
    const char *to_state)
{
	if (no_forward)
		return TLP_NO_FORWARD;
	if (tlp == NULL || (!MUTANT(tlpred) && strcmp(tlp, "RED") == 0))
		return TLP_RED;
	if (strcmp(tlp, "AMBER+STRICT") == 0)
		return strcmp(to_state, own_state) == 0 ? TLP_ALLOWED : TLP_AMBER_STRICT;
	if (strcmp(tlp, "AMBER") == 0)
		return strcmp(to_state, own_state) == 0 || listed(original_to, to_state) ?
		    TLP_ALLOWED : TLP_AMBER;
	if (strcmp(tlp, "GREEN") != 0 && strcmp(tlp, "CLEAR") != 0 && !MUTANT(tlpred))
		return TLP_UNKNOWN;
	return TLP_ALLOWED;
}

const char *
tlp_rule_code(enum tlp_rule r)
{
	switch (r) {
	case TLP_ALLOWED:
		return "allowed";
	case TLP_NO_FORWARD:
		return "no-forward";
	case TLP_RED:
		return "tlp-red";
	case TLP_AMBER_STRICT:
		return "amber-strict";
	case TLP_AMBER:
		return "amber";
	case TLP_UNKNOWN:
		break;
	}
	return "unknown-tlp";
}

int
tlp_may_forward(const char *tlp, int no_forward, const char *own_state,
    json_t *original_to, const char *to_state)
{
	switch (tlp_rule(tlp, no_forward, own_state, original_to, to_state)) {
	case TLP_ALLOWED:
		return 0;
	case TLP_NO_FORWARD:
		rs_seterr("the sender does not allow this message to be forwarded");
		break;
	case TLP_RED:
		rs_seterr("TLP:RED is for its named recipients only and is never forwarded");
		break;
	case TLP_AMBER_STRICT:
		rs_seterr("TLP:AMBER+STRICT may be shared only within %s; %s is another State",
		    own_state, to_state);
		break;
	case TLP_AMBER:
		rs_seterr("TLP:AMBER may be shared within %s and with the States it was "
		    "sent to; %s was not among them", own_state, to_state);
		break;
	case TLP_UNKNOWN:
		rs_seterr("unknown TLP label \"%s\": not forwarded", tlp);
		break;
	}
	return -1;
}
