/*
 * audience.c - who receives a message: States, groups and roles resolved
 * against the verified directory.
 *
 * The sender names an audience as a comma-separated list of State codes,
 * group:NAME (a group the operator recorded in the log) and "all" (every
 * admitted State), optionally narrowed to some roles.  The node resolves it
 * here, once, to State codes and device keys; the message's signed header
 * carries both, so recipients and auditors see exactly who was addressed,
 * whatever the group held before or after.  The sender's own device is never
 * a recipient of its own message.
 */
#include "audience.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "jsonutil.h"
#include "seal.h"

/* named: the State was named on its own, so it must be reachable; a group
 * or "all" may include States with no device yet. */
struct audience_set {
	char (*states)[3];
	int *named;
	size_t n;
};

static void
add_state(struct audience_set *a, const char *st, int named)
{
	for (size_t i = 0; i < a->n; i++)
		if (strcmp(a->states[i], st) == 0) {
			a->named[i] |= named;
			return;
		}
	a->states = xrealloc(a->states, (a->n + 1) * sizeof(*a->states));
	a->named = xrealloc(a->named, (a->n + 1) * sizeof(*a->named));
	snprintf(a->states[a->n], 3, "%s", st);
	a->named[a->n++] = named;
}

static int
role_wanted(const char *roles, const char *role)
{
	size_t len = strlen(role);

	if (roles == NULL || *roles == '\0')
		return 1;
	for (const char *p = roles; *p != '\0'; p += strcspn(p, ",")) {
		p += strspn(p, ", ");
		if (strncmp(p, role, len) == 0 && (p[len] == ',' || p[len] == '\0'))
			return 1;
	}
	return 0;
}

int
audience_check_roles(const char *roles)
{
	char *list, *save = NULL;
	int rc = 0;

	if (roles == NULL)
		return 0;
	list = xstrdup(roles);
	for (char *r = strtok_r(list, ", ", &save); r; r = strtok_r(NULL, ", ", &save))
		if (!dir_valid_role(r)) {
			rs_seterr("unknown role \"%s\" (diplomatic, technical or alternate)", r);
			rc = -1;
			break;
		}
	free(list);
	return rc;
}

static int
expand(struct node *n, const char *to, struct audience_set *a)
{
	char *list = xstrdup(to), *save = NULL;
	struct directory *d = n->directory;
	int rc = -1;

	for (char *t = strtok_r(list, ", ", &save); t; t = strtok_r(NULL, ", ", &save)) {
		if (strcmp(t, "all") == 0) {
			for (size_t i = 0; i < d->nroots; i++)
				add_state(a, d->roots[i].state, 0);
		} else if (strncmp(t, "group:", 6) == 0) {
			struct dir_group *g = dir_group(d, t + 6);
			if (g == NULL) {
				rs_seterr("there is no group \"%s\" in the directory "
				    "(`roster directory --groups` lists them)", t + 6);
				goto out;
			}
			for (size_t i = 0; i < g->nstates; i++)
				add_state(a, g->states[i], 0);
		} else if (valid_state(t)) {
			add_state(a, t, 1);
		} else {
			rs_seterr("\"%s\" is not a State code (two capital letters, e.g. XB),"
			    " group:NAME or all", t);
			goto out;
		}
	}
	if (a->n == 0) {
		rs_seterr("the audience is empty: name States, group:NAME or all");
		goto out;
	}
	rc = 0;
out:
	free(list);
	return rc;
}

/* A recipient: current (certified, not revoked, its root key not disowned;
 * INT64_MAX: from now on), not expired, not this device, of a role wanted.
 * Whether it is confirmed (its root key endorsed) is audience_resolve's
 * question: a device under a second root key the State has not endorsed
 * may be the operator's own (docs/protocol.md section 2). */
static int
device_usable(struct node *n, const struct dir_device *dv, const char *roles)
{
	return dir_device_current(n->directory, dv->key, INT64_MAX) &&
	    (dv->expires == 0 || dv->expires >= now_ms()) &&
	    memcmp(dv->key, n->cfg.device, 32) != 0 && role_wanted(roles, dv->role);
}

int
audience_resolve(struct node *n, const char *to, const char *roles, int flags,
    struct seal_recipient **r, size_t *nr, json_t *states, json_t *rcpt,
    size_t *unconfirmed)
{
	struct audience_set a = {0};
	struct directory *d = n->directory;
	size_t nunconf = 0;
	int rc = -1;

	*r = NULL;
	*nr = 0;
	if (unconfirmed != NULL)
		*unconfirmed = 0;
	if (audience_check_roles(roles) != 0 || expand(n, to, &a) != 0)
		goto out;
	for (size_t s = 0; s < a.n; s++) {
		size_t found = 0, left_out = 0;
		for (size_t i = 0; i < d->ndevices; i++) {
			struct dir_device *dv = d->devices[i];
			if (strcmp(dv->state, a.states[s]) != 0 || !device_usable(n, dv, roles))
				continue;
			/* Section 2: a device of a root key its State has not
			 * endorsed is the operator's word alone. */
			if (dir_device_unconfirmed(d, dv->key)) {
				nunconf++;
				if (!MUTANT(unconfirmed) && !(flags & AUDIENCE_UNCONFIRMED)) {
					left_out++;
					continue;
				}
			}
			*r = xrealloc(*r, (*nr + 1) * sizeof(**r));
			memcpy((*r)[*nr].device, dv->key, 32);
			memcpy((*r)[*nr].box_pk, dv->box, 32);
			json_array_append_new(rcpt, jhex(dv->key, 32));
			(*nr)++;
			found++;
		}
		if (found == 0) {
			if (a.named[s] && left_out > 0) {
				rs_seterr("%s's only current device%s%s %s unconfirmed: "
				    "certified by a root key %s has not endorsed (`roster "
				    "directory`); send with --unconfirmed to encrypt to %s "
				    "anyway", a.states[s], left_out == 1 ? "" : "s",
				    roles ? " with that role" : "", left_out == 1 ? "is" : "are",
				    a.states[s], left_out == 1 ? "it" : "them");
				goto out;
			}
			if (a.named[s]) {
				rs_seterr("%s has no current device%s%s in the directory",
				    a.states[s], roles ? " with role " : "", roles ? roles : "");
				goto out;
			}
			continue;
		}
		json_array_append_new(states, json_string(a.states[s]));
	}
	if (*nr == 0) {
		rs_seterr("nobody in that audience has a current device%s%s",
		    roles ? " with role " : "", roles ? roles : "");
		goto out;
	}
	if (*nr > SEAL_MAX_RECIPIENTS) {
		rs_seterr("%zu recipient devices is more than the %d one message can carry",
		    *nr, SEAL_MAX_RECIPIENTS);
		goto out;
	}
	if (unconfirmed != NULL)
		*unconfirmed = nunconf;
	rc = 0;
out:
	free(a.states);
	free(a.named);
	if (rc != 0) {
		free(*r);
		*r = NULL;
		*nr = 0;
	}
	return rc;
}
