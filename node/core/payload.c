/*
 * payload.c - the types of a received message's fields (see payload.h).
 */
#include "payload.h"

#include <string.h>

#include "jsonutil.h"
#include "util.h"

int
message_payload_check(json_t *m)
{
	static const char *texts[] = { "subject", "body", "lang", "tlp", "re", "notice",
	    "ref", "template", NULL };
	static const char *tlp_labels[] = { "CLEAR", "GREEN", "AMBER", "AMBER+STRICT",
	    "RED", NULL };
	const char *t;
	uint8_t id[32];
	int ok = 0;

	for (int i = 0; texts[i] != NULL; i++) {
		json_t *v = json_object_get(m, texts[i]);
		if (v != NULL && !json_is_string(v)) {
			rs_seterr("message field \"%s\" must be text", texts[i]);
			return -1;
		}
	}
	if ((t = jstr(m, "tlp")) != NULL) {
		for (int i = 0; tlp_labels[i] != NULL; i++)
			ok |= strcmp(t, tlp_labels[i]) == 0;
		if (!ok) {
			rs_seterr("message TLP label \"%.20s\" is not a TLP 2.0 label", t);
			return -1;
		}
	}
	if (((t = jstr(m, "re")) != NULL &&
	    hex_decode_exact(id, 32, t) != 0) ||
	    ((t = jstr(m, "ref")) != NULL &&
	    hex_decode_exact(id, 32, t) != 0)) {
		rs_seterr("message refers to another by something not a message id");
		return -1;
	}
	if (json_object_get(m, "no_forward") != NULL &&
	    !json_is_boolean(json_object_get(m, "no_forward"))) {
		rs_seterr("message field \"no_forward\" must be true or false");
		return -1;
	}
	if (json_object_get(m, "forward") != NULL &&
	    !json_is_object(json_object_get(m, "forward"))) {
		rs_seterr("message field \"forward\" must be an object");
		return -1;
	}
	return 0;
}
