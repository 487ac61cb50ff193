/*
 * policy.c - the hub's deadline policy on this node (see policy.h).
 *
 * Why a node checks it.  Escalation is the node's promise to the POC that
 * an unanswered flash message reaches someone else at the other State; a
 * hub that published a flash deadline of ten years, or longer than the
 * routine one, would switch that off for every message signed afterwards,
 * since the deadline goes into the signed header.  The kept copy is in
 * meta (deadline_<urgency>, deadlines_read).
 */
#include "policy.h"

#include <stdlib.h>
#include <string.h>

#include "hubclient.h"
#include "jsonutil.h"
#include "store.h"

#define POLICY_EVERY_MS	(3600 * 1000)

int
policy_refresh(struct node *n, int force)
{
	int64_t read = 0, ms[URGENCY_LEVELS];
	char key[64];
	json_t *info = NULL, *dl;
	int rc = -1;

	if (!force && store_meta_get_int(n, "deadlines_read", &read) == 0 &&
	    now_ms() - read < POLICY_EVERY_MS)
		return 0;
	if (hub_info(n, &info) != 0)
		return -1;
	dl = json_object_get(info, "deadlines");
	for (int i = 0; i < URGENCY_LEVELS; i++) {
		json_t *v = json_object_get(dl, urgency_names[i]);
		ms[i] = json_is_integer(v) ? json_integer_value(v) : -1;
	}
	if (deadline_policy_check(ms) != 0) {
		char why[RS_ERRLEN], *ev = jdump(dl != NULL ? dl : json_null());
		snprintf(why, sizeof(why), "%s", rs_err());
		(void)store_alarm(n, "deadline-policy", ev, "the hub's deadline policy is "
		    "refused (%s): messages keep the deadlines read before", why);
		free(ev);
	} else {
		if (store_begin(n) != 0)
			goto out;
		for (int i = 0; i < URGENCY_LEVELS; i++) {
			snprintf(key, sizeof(key), "deadline_%s", urgency_names[i]);
			if (store_meta_set_int(n, key, ms[i]) != 0) {
				store_rollback(n);
				goto out;
			}
		}
		if (store_alarms_resolve_kind(n, "deadline-policy", NULL) != 0 ||
		    store_commit(n) != 0) {
			store_rollback(n);
			goto out;
		}
	}
	rc = store_meta_set_int(n, "deadlines_read", now_ms());
out:
	json_decref(info);
	return rc;
}

int64_t
policy_deadline_ms(struct node *n, const char *urgency)
{
	int64_t ms[URGENCY_LEVELS];
	int u = urgency_index(urgency);
	char key[64];

	if (u < 0)
		return urgency_default_deadline_ms[URGENCY_LEVELS - 1];
	/* The copy kept is checked again as a whole: a store written before
	 * the rule existed may hold any policy. */
	for (int i = 0; i < URGENCY_LEVELS; i++) {
		snprintf(key, sizeof(key), "deadline_%s", urgency_names[i]);
		if (store_meta_get_int(n, key, &ms[i]) != 0)
			ms[i] = urgency_default_deadline_ms[i];
	}
	if (deadline_policy_check(ms) != 0)
		return urgency_default_deadline_ms[u];
	return ms[u];
}
