/*
 * ack.c - signing acknowledgements (see ack.h).
 */
#include "ack.h"

#include <stdlib.h>
#include <string.h>

#include "jsonutil.h"
#include "outbox.h"
#include "seal.h"
#include "store.h"

int
ack_sign(struct node *n, const uint8_t msg_id[32], const uint8_t sender[32],
    const char *status, const char *note, uint8_t *id)
{
	struct dir_device *dev = dir_device(n->directory, sender);
	struct seal_recipient r;
	struct buf payload = {0}, env = {0};
	json_t *plain, *hdr, *rcpt;
	uint8_t own[32];
	char *text;
	int rc;

	if (dev == NULL) {
		rs_seterr("the sender's device is not in the directory");
		return -1;
	}
	memcpy(r.device, dev->key, 32);
	memcpy(r.box_pk, dev->box, 32);
	plain = json_pack("{s:s}", "note", note ? note : "");
	text = jdump(plain);
	json_decref(plain);
	rc = seal_encrypt(&payload, text, strlen(text), &r, 1);
	free(text);
	if (rc != 0)
		return -1;
	hdr = json_object();
	json_object_set_new(hdr, "kind", json_string("ack"));
	json_object_set_new(hdr, "ref", jhex(msg_id, 32));
	json_object_set_new(hdr, "status", json_string(status));
	rcpt = json_array();
	json_array_append_new(rcpt, jhex(sender, 32));
	json_object_set_new(hdr, "rcpt", rcpt);
	rc = outbox_add(n, hdr, payload.p, payload.len, &env, id != NULL ? id : own);
	json_decref(hdr);
	buf_free(&payload);
	buf_free(&env);
	return rc;
}

/* What acknowledging received message m acknowledges: m, or for an
 * overdue notice the message it names (0), -1 when a notice names none. */
static int
ack_target(const struct msg_row *m, uint8_t target[32])
{
	json_t *c;
	int rc = 0;

	memcpy(target, m->id, 32);
	if (*m->notice == '\0')
		return 0;
	c = m->content != NULL ? jparse(m->content, strlen(m->content)) : NULL;
	if (strcmp(m->notice, "overdue") != 0 || jstr(c, "ref") == NULL ||
	    hex_decode_exact(target, 32, jstr(c, "ref")) != 0) {
		rs_seterr("this notice names no message to acknowledge");
		rc = -1;
	}
	json_decref(c);
	return rc;
}

enum ack_result
ack_message(struct node *n, const uint8_t id[32], const char *note, uint8_t *acked)
{
	struct msg_row m, orig;
	enum store_result found = store_message_get(n, id, &m);
	uint8_t sender[32], target[32];
	int received, already = 0, rc;

	if (found == STORE_ERROR)
		return ACK_FAILED;
	received = found == STORE_OK && strcmp(m.direction, "in") == 0 && m.has_sender;
	if (!received) {
		if (found == STORE_OK)
			msg_row_free(&m);
		return ACK_NOT_RECEIVED;
	}
	memcpy(sender, m.sender_device, 32);
	already = m.acked;
	rc = ack_target(&m, target);
	msg_row_free(&m);
	if (rc != 0)
		return ACK_FAILED;
	if (acked != NULL)
		memcpy(acked, target, 32);
	if (memcmp(target, id, 32) != 0) {	/* a notice: is the original held? */
		switch (store_message_get(n, target, &orig)) {
		case STORE_OK:
			already |= strcmp(orig.direction, "in") == 0 && orig.acked;
			msg_row_free(&orig);
			break;
		case STORE_NOT_FOUND:
			break;
		default:
			return ACK_FAILED;
		}
	}
	if (already) {
		rs_seterr("your State has already acknowledged this message");
		return ACK_ALREADY;
	}
	if (store_begin(n) != 0)
		return ACK_FAILED;
	if (ack_sign(n, target, sender, "acknowledged", note, NULL) != 0 ||
	    store_message_set_acked(n, id) != 0 ||
	    (memcmp(target, id, 32) != 0 && store_message_set_acked(n, target) != 0) ||
	    store_commit(n) != 0) {
		store_rollback(n);
		return ACK_FAILED;
	}
	return ACK_SIGNED;
}
