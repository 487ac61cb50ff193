/*
 * payload.c - message_validate (see payload.h): the types, the vocabulary
 * and the limits of a message's fields, checked in one pass.
 */
#include "payload.h"

#include <assert.h>
#include <stdio.h>
#include <string.h>

#include "jsonutil.h"
#include "util.h"
#include "vocab.h"

void
message_subject_prefixed(char *out, size_t len, const char *prefix, const char *subject)
{
	size_t n;

	assert(len > MSG_SUBJECT_MAX);
	snprintf(out, len, "%s%s", prefix, subject != NULL ? subject : "");
	if ((n = strlen(out)) <= MSG_SUBJECT_MAX)
		return;
	n = MSG_SUBJECT_MAX;
	while (n > 0 && ((unsigned char)out[n] & 0xc0) == 0x80)
		n--;		/* not inside a UTF-8 sequence */
	out[n] = '\0';
}

int
message_validate(json_t *m)
{
	static const char *texts[] = { "subject", "body", "lang", "tlp", "re", "notice",
	    "ref", "template", "template_digest", "urgency", NULL };
	const char *t;
	uint8_t id[32];
	json_t *v;

	if (!json_is_object(m)) {
		rs_seterr("a message is a JSON object");
		return -1;
	}
	for (int i = 0; texts[i] != NULL; i++) {
		v = json_object_get(m, texts[i]);
		if (v != NULL && !json_is_string(v)) {
			rs_seterr("message field \"%s\" must be text", texts[i]);
			return -1;
		}
	}
	if ((t = jstr(m, "subject")) != NULL && (strlen(t) > MSG_SUBJECT_MAX || !vocab_line_ok(t))) {
		rs_seterr("the subject must be one line of at most %d bytes (this one: %zu "
		    "bytes%s)", MSG_SUBJECT_MAX, strlen(t), !vocab_line_ok(t) ? ", with a line "
		    "break or control character" : "");
		return -1;
	}
	if ((t = jstr(m, "body")) != NULL && strlen(t) > MSG_BODY_MAX) {
		rs_seterr("the body is %zu bytes, more than the %u KiB a message may carry",
		    strlen(t), MSG_BODY_MAX >> 10);
		return -1;
	}
	if ((t = jstr(m, "tlp")) != NULL && !vocab_tlp_ok(t)) {
		rs_seterr("message TLP label \"%.20s\" is not a TLP 2.0 label (CLEAR, "
		    "GREEN, AMBER, AMBER+STRICT, RED)", t);
		return -1;
	}
	if ((t = jstr(m, "lang")) != NULL && !vocab_lang_ok(t)) {
		rs_seterr("message language \"%.20s\" is not one of ar, zh, en, fr, ru, es", t);
		return -1;
	}
	if ((t = jstr(m, "urgency")) != NULL && urgency_index(t) < 0) {
		rs_seterr("message urgency \"%.20s\" is not flash, urgent, priority or "
		    "routine", t);
		return -1;
	}
	if (((t = jstr(m, "re")) != NULL && hex_decode_exact(id, 32, t) != 0) ||
	    ((t = jstr(m, "ref")) != NULL && hex_decode_exact(id, 32, t) != 0)) {
		rs_seterr("message refers to another by something not a message id");
		return -1;
	}
	if ((v = json_object_get(m, "no_forward")) != NULL && !json_is_boolean(v)) {
		rs_seterr("message field \"no_forward\" must be true or false");
		return -1;
	}
	if ((v = json_object_get(m, "forward")) != NULL && !json_is_object(v)) {
		rs_seterr("message field \"forward\" must be an object");
		return -1;
	}
	if ((v = json_object_get(m, "fields")) != NULL &&
	    (!json_is_object(v) || json_object_size(v) > MSG_FIELDS_MAX)) {
		rs_seterr("message field \"fields\" must be an object of at most %d "
		    "template fields", MSG_FIELDS_MAX);
		return -1;
	}
	if ((v = json_object_get(m, "consultation")) != NULL &&
	    (!json_is_object(v) || !json_is_string(json_object_get(v, "step")))) {
		rs_seterr("message field \"consultation\" must be an object naming its step");
		return -1;
	}
	return 0;
}
