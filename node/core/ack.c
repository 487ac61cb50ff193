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

enum ack_result
ack_message(struct node *n, const uint8_t id[32], const char *note)
{
	struct msg_row m;
	enum store_result found = store_message_get(n, id, &m);
	uint8_t sender[32];
	int received, acked = 0;

	if (found == STORE_ERROR)
		return ACK_FAILED;
	received = found == STORE_OK && strcmp(m.direction, "in") == 0 && m.has_sender;
	if (received)
		memcpy(sender, m.sender_device, 32);
	if (found == STORE_OK) {
		acked = m.acked;
		msg_row_free(&m);
	}
	if (!received)
		return ACK_NOT_RECEIVED;
	if (acked) {		/* one acknowledgement per message and POC */
		rs_seterr("the message was already acknowledged");
		return ACK_ALREADY;
	}
	if (store_begin(n) != 0)
		return ACK_FAILED;
	if (ack_sign(n, id, sender, "acknowledged", note, NULL) != 0 ||
	    store_message_set_acked(n, id) != 0 || store_commit(n) != 0) {
		store_rollback(n);
		return ACK_FAILED;
	}
	return ACK_SIGNED;
}
