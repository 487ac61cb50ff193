/*
 * accept.c - the rules of each listing's records (see accept.h).
 *
 * A record reaches these functions with its inclusion in a verified
 * checkpoint proved and its signature checked (sync.c).  What is left is
 * what only this node can judge: whether the signer was a current device
 * at that index (the directory), whether the record is for this device and
 * in its sender's sequence, whether a payload decrypts and makes sense.  A
 * refusal is final for that record; a failure of this node's own store is
 * not a refusal (NR_STORAGE: the page is rolled back and taken again).
 */
#include "accept.h"

#include <stdlib.h>
#include <string.h>
#include <sodium.h>

#include "ack.h"
#include "alert.h"
#include "checkrec.h"
#include "jsonutil.h"
#include "original.h"
#include "payload.h"
#include "seal.h"
#include "store.h"
#include "verify.h"

static int
rcpt_has(const struct envelope *e, const uint8_t key[32])
{
	json_t *r = env_field(e, "rcpt"), *v;
	char *hex = hex_encode(key, 32);
	size_t i;
	int found = 0;

	json_array_foreach(r, i, v)
		if (json_is_string(v) && strcmp(json_string_value(v), hex) == 0)
			found = 1;
	free(hex);
	return found;
}

/* Under the directory's rules at index, or only maybe refused because this
 * node's directory is older than the record (its signer was certified just
 * before it wrote). */
static enum node_result
signer_ok(struct node *n, const struct envelope *e, int64_t index, int64_t time)
{
	if (dir_check(n->directory, e, index, time, 0) != 0)
		return (uint64_t)index >= n->dir_size ? NR_RETRY : NR_REFUSED;
	return NR_OK;
}

/* Envelopes of one device reach a node in log order, so their sequence
 * numbers must rise; anything else is a replay or a reordering. */
static enum node_result
check_sender_seq(struct node *n, const struct envelope *e)
{
	int64_t last;

	if (store_sender_seq(n, e->key, &last) != 0)
		return NR_STORAGE;
	if (e->seq <= last) {
		rs_seterr("replayed or reordered: sequence number %lld after %lld from the"
		    " same device", (long long)e->seq, (long long)last);
		return NR_REFUSED;
	}
	return store_sender_set(n, e->key, e->seq) == 0 ? NR_OK : NR_STORAGE;
}

static enum node_result
check_device_envelope(struct node *n, const struct envelope *e, int64_t index,
    int64_t time)
{
	enum node_result rc;

	if (!rcpt_has(e, n->cfg.device)) {
		rs_seterr("not addressed to this device");
		return NR_REFUSED;
	}
	if ((rc = signer_ok(n, e, index, time)) != NR_OK)
		return rc;
	return check_sender_seq(n, e);
}

/* The receiving side of escalation (escalate.c): an overdue notice about a
 * message this node received from the same sender marks it escalated and
 * alerts the POC. */
static int
notice_received(struct node *n, const struct envelope *e, json_t *m, int64_t time)
{
	uint8_t ref[32];
	const char *notice = jstr(m, "notice");
	int changed, rc;

	if (notice == NULL)
		return 0;
	if (strcmp(notice, "overdue") != 0 || jstr(m, "ref") == NULL ||
	    hex_decode_exact(ref, 32, jstr(m, "ref")) != 0)
		return 0;	/* a notice this version does not know: kept, not acted on */
	rc = store_message_set_escalated(n, ref, e->key, time, &changed);
	if (rc == 0 && changed)
		rc = alert_queue(n, "escalated", jstr(m, "urgency") ? jstr(m, "urgency") :
		    "routine", ref);
	return rc;
}

static enum node_result
accept_msg(struct node *n, const struct checkpoint *cp, const struct envelope *e,
    int64_t index, int64_t time, struct sync_stats *s)
{
	struct buf plain = {0};
	struct msg_new row;
	json_t *m = NULL;
	char *to = NULL, *rcpt = NULL, *content = NULL, ferr[RS_ERRLEN + 64];
	uint8_t parent[32];
	enum node_result rc;

	if ((rc = check_device_envelope(n, e, index, time)) != NR_OK)
		return rc;
	if (seal_decrypt(&plain, e->payload, e->payload_len, n->key) != 0)
		return NR_REFUSED;
	m = jparse(plain.p, plain.len);
	if (plain.p != NULL)
		sodium_memzero(plain.p, plain.len);
	buf_free(&plain);
	rc = NR_REFUSED;
	if (m == NULL || !json_is_object(m)) {
		rs_seterr("decrypted body is not a roster message");
		goto out;
	}
	if (message_validate(m) != 0)
		goto out;
	to = jdump(env_field(e, "to") ? env_field(e, "to") : json_array());
	rcpt = jdump(env_field(e, "rcpt"));
	ferr[0] = '\0';
	if (json_object_get(m, "forward") != NULL && forward_verify(n, cp, e, m) != 0)
		snprintf(ferr, sizeof(ferr), "the forwarded original does not verify: %s",
		    rs_err());
	content = jdump(m);
	memset(&row, 0, sizeof(row));
	row.id = e->id;
	row.direction = "in";
	row.logged = 1;
	row.index = index;
	row.time = time;
	row.checked_size = (int64_t)cp->size;
	row.sender_state = e->state;
	row.sender_device = e->key;
	row.to_states = to;
	row.rcpt = rcpt;
	row.urgency = env_str(e, "urgency");
	row.subject = jstr(m, "subject");
	row.body = jstr(m, "body");
	row.tlp = jstr(m, "tlp");
	row.lang = jstr(m, "lang");
	row.sent = json_integer_value(json_object_get(m, "sent"));
	row.content = content;
	if (jstr(m, "re") != NULL && hex_decode_exact(parent, 32, jstr(m, "re")) == 0)
		row.parent = parent;
	if ((row.has_deadline = json_is_integer(env_field(e, "deadline"))))
		row.deadline = json_integer_value(env_field(e, "deadline"));
	row.notice = jstr(m, "notice");
	row.error = ferr[0] != '\0' ? ferr : NULL;
	switch (store_message_add(n, &row)) {
	case STORE_OK:
		break;
	case STORE_DUPLICATE:
		rs_seterr("duplicate of a message already received");
		rc = NR_REFUSED;
		goto out;
	default:
		rc = NR_STORAGE;	/* not a verdict on the message: taken next time */
		goto out;
	}
	if (store_record_add(n, e, index, time, cp->size) != 0 ||
	    ack_sign(n, e->id, e->key, "delivered", "", NULL) != 0 ||
	    notice_received(n, e, m, time) != 0 ||
	    (jstr(m, "notice") == NULL &&
	    alert_queue(n, "message", env_str(e, "urgency"), e->id) != 0)) {
		rc = NR_STORAGE;
		goto out;
	}
	s->messages++;
	rc = NR_OK;
out:
	free(to);
	free(rcpt);
	if (content != NULL)
		sodium_memzero(content, strlen(content));
	free(content);
	json_decref(m);
	return rc;
}

static int
listed_in(const char *rcpt_json, const uint8_t key[32])
{
	json_t *rcpt = rcpt_json ? jparse(rcpt_json, strlen(rcpt_json)) : NULL, *v;
	char *dev = hex_encode(key, 32);
	size_t i;
	int listed = 0;

	json_array_foreach(rcpt, i, v)
		if (json_is_string(v) && strcmp(json_string_value(v), dev) == 0)
			listed = 1;
	json_decref(rcpt);
	free(dev);
	return listed;
}

static enum node_result
accept_ack(struct node *n, const struct checkpoint *cp, const struct envelope *e,
    int64_t index, int64_t time, struct sync_stats *s)
{
	uint8_t ref[32];
	const char *status = env_str(e, "status");
	struct buf plain = {0};
	json_t *note = NULL;
	char *rcpt = NULL;
	enum store_result sent;
	enum node_result rc;

	if (status == NULL || (strcmp(status, "delivered") != 0 &&
	    strcmp(status, "acknowledged") != 0 && strcmp(status, "agreed") != 0)) {
		rs_seterr("acknowledgement status must be delivered, acknowledged or agreed");
		return NR_REFUSED;
	}
	if (env_str(e, "ref") == NULL || hex_decode_exact(ref, 32, env_str(e, "ref")) != 0) {
		rs_seterr("acknowledgement without a valid \"ref\"");
		return NR_REFUSED;
	}
	if ((rc = check_device_envelope(n, e, index, time)) != NR_OK)
		return rc;
	if ((sent = store_sent_rcpt(n, ref, &rcpt)) == STORE_ERROR)
		return NR_STORAGE;
	rc = NR_REFUSED;
	if (sent != STORE_OK) {
		rs_seterr("acknowledges a message this node did not send");
		goto out;
	}
	if (!listed_in(rcpt, e->key)) {
		rs_seterr("acknowledgement from a device the message was not sent to");
		goto out;
	}
	if (seal_decrypt(&plain, e->payload, e->payload_len, n->key) != 0 ||
	    (note = jparse(plain.p, plain.len)) == NULL)
		goto out;
	if (store_ack_add(n, ref, e->key, status, index, time, jstr(note, "note")) != 0 ||
	    store_record_add(n, e, index, time, cp->size) != 0) {
		rc = NR_STORAGE;
		goto out;
	}
	s->acks++;
	rc = NR_OK;
out:
	buf_free(&plain);
	json_decref(note);
	free(rcpt);
	return rc;
}

enum node_result
accept_mail(struct node *n, const struct checkpoint *cp, const struct envelope *e,
    int64_t index, int64_t time, struct sync_stats *s)
{
	if (strcmp(e->kind, "msg") == 0)
		return accept_msg(n, cp, e, index, time, s);
	if (strcmp(e->kind, "ack") == 0)
		return accept_ack(n, cp, e, index, time, s);
	rs_seterr("unexpected %s record in the mail", e->kind);
	return NR_REFUSED;
}

enum node_result
accept_directory(struct node *n, const struct checkpoint *cp, const struct envelope *e,
    int64_t index, int64_t time, struct sync_stats *s)
{
	enum node_result rc;

	if (!dir_public_kind(e->kind)) {
		rs_seterr("unexpected %s record in the directory", e->kind);
		return NR_REFUSED;
	}
	if ((rc = directory_accept(n, e, index, time)) != NR_OK)
		return rc;
	s->directory++;
	return store_record_add(n, e, index, time, cp->size) == 0 ? NR_OK : NR_STORAGE;
}

enum node_result
accept_cosign(struct node *n, const struct checkpoint *cp, const struct envelope *e,
    int64_t index, int64_t time, struct sync_stats *s)
{
	enum node_result rc;

	(void)s;
	if (strcmp(e->kind, "cosign") != 0) {
		rs_seterr("unexpected %s record among cosignatures", e->kind);
		return NR_REFUSED;
	}
	if ((rc = signer_ok(n, e, index, time)) != NR_OK)
		return rc;
	return store_record_add(n, e, index, time, cp->size) == 0 ? NR_OK : NR_STORAGE;
}

/* Checks and their answers are public records (lib/checkrec.h), taken like
 * the directory; an answer must name a check already taken. */
enum node_result
accept_check(struct node *n, const struct checkpoint *cp, const struct envelope *e,
    int64_t index, int64_t time, struct sync_stats *s)
{
	uint8_t ref[32];
	enum node_result rc;

	(void)s;
	if (strcmp(e->kind, "check") != 0 && !checkrec_is_answer(e)) {
		rs_seterr("unexpected %s record among the checks", e->kind);
		return NR_REFUSED;
	}
	if ((rc = signer_ok(n, e, index, time)) != NR_OK)
		return rc;
	if (checkrec_is_answer(e)) {
		if (hex_decode_exact(ref, 32, env_str(e, "ref")) != 0) {
			rs_seterr("answer without a valid \"ref\"");	/* dir_check saw to it */
			return NR_REFUSED;
		}
		switch (store_record_is_check(n, ref)) {
		case STORE_OK:
			break;
		case STORE_NOT_FOUND:
			rs_seterr("answer to a check not in the log before it");
			return NR_REFUSED;
		default:
			return NR_STORAGE;
		}
	}
	return store_record_add(n, e, index, time, cp->size) == 0 ? NR_OK : NR_STORAGE;
}
