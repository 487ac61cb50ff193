/*
 * tlp.c - may a POC forward a message?  The rule of the Traffic Light
 * Protocol 2.0 (FIRST) as roster applies it between States, plus the
 * sender's own choice:
 *
 *   RED           never: for the eyes of the named recipients only.
 *   AMBER+STRICT  only within the forwarder's own State (its other POCs).
 *   AMBER, GREEN, CLEAR  may be passed on, unless the sender forbade it.
 *   anything else refused: an unknown marking is not a permission.
 *
 * Self-contained on purpose (no node state), so every path that forwards
 * (the web interface today, the forwarded envelope later) asks the one
 * function, and a unit test can try every case.
 */
#include "web.h"

#include <stdio.h>
#include <string.h>

int
tlp_may_forward(const char *tlp, int no_forward, const char *own_state,
    const char *to_state, char *why, size_t whylen)
{
	if (tlp == NULL || to_state == NULL || own_state == NULL) {
		snprintf(why, whylen, "the message has no TLP marking, so it may not be passed on");
		return 0;
	}
	if (strcmp(tlp, "RED") == 0) {
		snprintf(why, whylen, "TLP:RED is for the named recipients only and is never "
		    "forwarded; ask the sender to send it to %s", to_state);
		return 0;
	}
	if (strcmp(tlp, "AMBER+STRICT") == 0 && strcmp(own_state, to_state) != 0) {
		snprintf(why, whylen, "TLP:AMBER+STRICT may be shared only within your own "
		    "State (%s), not with %s", own_state, to_state);
		return 0;
	}
	if (strcmp(tlp, "AMBER+STRICT") != 0 && strcmp(tlp, "AMBER") != 0 &&
	    strcmp(tlp, "GREEN") != 0 && strcmp(tlp, "CLEAR") != 0) {
		snprintf(why, whylen, "unknown TLP marking \"%.32s\": it may not be passed on", tlp);
		return 0;
	}
	if (no_forward) {
		snprintf(why, whylen, "the sender asked that this message not be forwarded");
		return 0;
	}
	snprintf(why, whylen, "TLP:%s allows forwarding to %s", tlp, to_state);
	return 1;
}
