/*
 * contact.c - whether the hub can be reached (see contact.h).
 *
 * The hub client notes every exchange (lib/http_client.c: the last answer
 * and the last failure).  A sync pass copies that into the store's meta
 * table, so `roster status`, which may run while the hub is down and
 * another process did the syncing, can say since when; the serve process
 * reads its own client's notes as well, which are newer.  The hub is
 * "reachable" while its last answer is not older than the last failure.
 * What waits in the outbox (envelopes without a receipt) is counted from
 * the store, the urgent ones (flash and urgent messages) apart: an urgent
 * message that cannot leave is what the duty officer must not miss.
 */
#include "contact.h"

#include <stdlib.h>
#include <string.h>

#include "store.h"

void
contact_record(struct node *n, int passed)
{
	int64_t answered, failed, had;
	char why[256];

	if (n->hub == NULL)
		return;
	/* A failure to keep these is no reason to fail a pass: the next
	 * pass writes them again. */
	if (passed && store_meta_set_int(n, "synced_at", now_ms()) != 0)
		return;
	http_client_contact(n->hub, &answered, &failed, why, sizeof(why));
	if (answered > 0 && (store_meta_get_int(n, "hub_answered", &had) != 0 ||
	    had < answered) && store_meta_set_int(n, "hub_answered", answered) != 0)
		return;
	if (failed > 0 && (store_meta_get_int(n, "hub_failed", &had) != 0 || had < failed) &&
	    (store_meta_set_int(n, "hub_failed", failed) != 0 ||
	    store_meta_set_text(n, "hub_why", why) != 0))
		return;
}

int64_t
contact_synced_at(struct node *n)
{
	int64_t t;

	return store_meta_get_int(n, "synced_at", &t) == 0 && t > 0 ? t : 0;
}

json_t *
contact_json(struct node *n)
{
	int64_t answered = 0, failed = 0, synced = 0, a, f, count, urgent, oldest;
	char why[256] = "", *kept;
	json_t *j, *ob;

	if (store_meta_get_int(n, "hub_answered", &answered) != 0)
		answered = 0;
	if (store_meta_get_int(n, "hub_failed", &failed) != 0)
		failed = 0;
	if ((kept = store_meta_get_text(n, "hub_why")) != NULL) {
		snprintf(why, sizeof(why), "%s", kept);
		free(kept);
	}
	if (n->hub != NULL) {		/* this process's own, newer, notes */
		char w2[256];
		http_client_contact(n->hub, &a, &f, w2, sizeof(w2));
		if (a > answered)
			answered = a;
		if (f > failed) {
			failed = f;
			snprintf(why, sizeof(why), "%s", w2);
		}
	}
	if (store_outbox_waiting(n, &count, &urgent, &oldest) != 0)
		return NULL;
	ob = json_pack("{s:I,s:I}", "count", (json_int_t)count, "urgent", (json_int_t)urgent);
	if (count > 0)
		json_object_set_new(ob, "oldest", json_integer(oldest));
	synced = contact_synced_at(n);
	j = json_pack("{s:b,s:o,s:o,s:o}", "reachable", failed <= answered,
	    "last_contact", answered > 0 ? json_integer(answered) : json_null(),
	    "synced_at", synced > 0 ? json_integer(synced) : json_null(), "outbox", ob);
	if (failed > answered) {
		json_object_set_new(j, "failed", json_integer(failed));
		json_object_set_new(j, "error", json_string(strncmp(why, "HTTP ", 5) == 0 ?
		    "hub-error" : "unreachable"));
		json_object_set_new(j, "detail", json_string(why));
	}
	return j;
}
