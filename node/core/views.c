/*
 * views.c - read models shared by the command line and the web interface
 * (see views.h).  They read the node's own store, which holds only what
 * passed verification.
 */
#include "views.h"

#include <stdlib.h>
#include <string.h>

#include "catalogue_node.h"
#include "jsonutil.h"
#include "store.h"

static int
inbox_row(void *ud, const struct inbox_row *r)
{
	json_t *arr = ud, *m = json_object();
	int64_t now = now_ms();
	char subject[128];

	json_object_set_new(m, "id", jhex(r->id, 32));
	json_object_set_new(m, "index", json_integer(r->index));
	json_object_set_new(m, "time", json_integer(r->time));
	json_object_set_new(m, "from", json_string(r->sender_state));
	json_object_set_new(m, "urgency", json_string(r->urgency));
	/* An overdue notice is listed under a subject of its own (it has
	 * none: it carries nothing of the message). */
	if (*r->notice) {
		snprintf(subject, sizeof(subject), "OVERDUE NOTICE: message %.16s awaits"
		    " your State's acknowledgement", r->ref);
		json_object_set_new(m, "subject", json_string(subject));
		json_object_set_new(m, "notice", json_string(r->notice));
		json_object_set_new(m, "ref", json_string(r->ref));
	} else
		json_object_set_new(m, "subject", json_string(r->subject));
	json_object_set_new(m, "acknowledged", json_boolean(r->acked));
	if (r->deadline > 0) {
		json_object_set_new(m, "deadline", json_integer(r->deadline));
		json_object_set_new(m, "overdue", json_boolean(!r->acked && !*r->notice &&
		    r->deadline < now));
	}
	if (r->escalated > 0)
		json_object_set_new(m, "escalated", json_integer(r->escalated));
	if (*r->error)
		json_object_set_new(m, "warning", json_string(r->error));
	json_array_append_new(arr, m);
	return 0;
}

json_t *
inbox_json(struct node *n, int limit)
{
	json_t *arr = json_array();

	if (store_inbox_each(n, limit, now_ms(), inbox_row, arr) != 0) {
		json_decref(arr);
		return NULL;
	}
	return arr;
}

static int
thread_row(void *ud, const uint8_t id[32], int depth, const char *from,
    const char *subject, int64_t time, int notice)
{
	if (notice)
		return 0;	/* overdue notices are not part of the conversation */
	json_array_append_new(ud, json_pack("{s:o,s:i,s:s,s:s,s:I}", "id", jhex(id, 32),
	    "depth", depth, "from", from, "subject", subject, "time", (json_int_t)time));
	return 0;
}

/* The thread a message belongs to: up the parents to the first message
 * this node holds, then every message below it, in log order. */
json_t *
message_thread_json(struct node *n, const uint8_t id[32])
{
	uint8_t root[32], parent[32];
	json_t *out = json_array();

	memcpy(root, id, 32);
	for (int depth = 0; depth < 1000; depth++) {
		if (store_message_parent(n, root, parent) != STORE_OK ||
		    store_message_exists(n, parent) != STORE_OK)
			break;
		memcpy(root, parent, 32);
	}
	(void)store_thread_each(n, root, thread_row, out);
	return out;
}

/* The sender's template digest is compared with this node's copy, so a
 * reader knows when the two differ (another version, or an operator's
 * replacement). */
json_t *
message_template_view(struct node *n, json_t *content)
{
	struct catalogue *c = NULL;
	struct buf b = {0};
	const char *id = jstr(content, "template"), *theirs = jstr(content, "template_digest");
	json_t *fields = json_object_get(content, "fields"), *v, *t;
	uint8_t digest[32];
	char *ours = NULL;
	int fb;

	if (id == NULL)
		return NULL;
	v = json_pack("{s:s,s:s}", "template", id, "lang", node_lang(n));
	if (node_catalogue(n, &c) != 0 || (t = catalogue_template(c, id)) == NULL) {
		json_object_set_new(v, "problem", json_string("this node does not know"
		    " that template; the fields are shown as sent"));
		json_object_set_new(v, "rendered", json_string(""));
		goto out;
	}
	json_object_set_new(v, "title", json_string(cat_label(json_object_get(t, "title"),
	    node_lang(n), &fb)));
	if (catalogue_digest(c, id, digest) == 0)
		ours = hex_encode(digest, 32);
	if (theirs == NULL || ours == NULL || strcmp(ours, theirs) != 0)
		json_object_set_new(v, "problem", json_string("the sender used another"
		    " version of this template; labels are this node's"));
	if (!json_is_object(fields) || catalogue_check_fields(c, id, fields) != 0)
		json_object_set_new(v, "fields_problem", json_string(rs_err()));
	if (json_is_object(fields) && catalogue_render(c, id, fields, node_lang(n), &b) == 0)
		json_object_set_new(v, "rendered", json_string(buf_cstr(&b)));
out:
	free(ours);
	buf_free(&b);
	catalogue_free(c);
	return v;
}
