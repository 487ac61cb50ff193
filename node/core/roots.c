/*
 * roots.c - a State's root keys as this node shows them (see roots.h).
 *
 * Why every node warns, not only the State's own: a root key admitted for a
 * State without that State's endorsement is the operator's word alone.  The
 * State's own node raises the foreign-key alarm (audit.c); the others cannot
 * tell the State's new key from the operator's, so they say so and do not
 * encrypt to its devices unless their user chooses to.
 */
#include "roots.h"

#include <assert.h>
#include <stdio.h>
#include <string.h>

#include "jsonutil.h"

/* A device's standing now, in one word. */
static const char *
device_status(struct node *n, const struct dir_device *d)
{
	struct dir_root *r = dir_root_of(n->directory, d->root);

	if (d->revoked_index >= 0)
		return "revoked";
	if (r != NULL && r->status == ROOT_DISOWNED)
		return "disowned";
	if (d->expires > 0 && d->expires < now_ms())
		return "expired";
	if (r != NULL && r->status == ROOT_UNENDORSED)
		return "unconfirmed";
	return "current";
}

/* Current devices certified by root key r. */
static size_t
devices_of(struct node *n, const struct dir_root *r)
{
	struct directory *d = n->directory;
	size_t k = 0;

	for (size_t i = 0; i < d->ndevices; i++)
		if (memcmp(d->devices[i]->root, r->key, 32) == 0 &&
		    strcmp(device_status(n, d->devices[i]), "unconfirmed") == 0)
			k++;
	return k;
}

const char *
roots_warning_text(struct node *n, const struct dir_root *r, char *out, size_t len)
{
	char fpr[RS_FPR_LEN];
	size_t k = devices_of(n, r);

	fingerprint(fpr, r->key);
	if (strcmp(r->state, n->cfg.state) == 0)
		snprintf(out, len, "WARNING: a root key for %s, your State, is admitted but "
		    "not endorsed by %s (%s, log index %lld; %zu unconfirmed device%s): "
		    "if your State's administrators did not make it, the operator did; "
		    "endorse it or disown it with `roster endorse`", r->state, r->state,
		    fpr, (long long)r->index, k, k == 1 ? "" : "s");
	else
		snprintf(out, len, "WARNING: %s has a root key %s has not endorsed (%s, "
		    "log index %lld; %zu unconfirmed device%s): mail to %s is not "
		    "encrypted to its devices unless sent with --unconfirmed", r->state,
		    r->state, fpr, (long long)r->index, k, k == 1 ? "" : "s", r->state);
	return out;
}

json_t *
roots_warnings(struct node *n)
{
	struct directory *d = n->directory;
	json_t *a = json_array();
	char fpr[RS_FPR_LEN], text[1024];

	for (size_t i = 0; i < d->nroots; i++) {
		const struct dir_root *r = &d->roots[i];
		if (r->status != ROOT_UNENDORSED)
			continue;
		assert(dir_state_contested(d, r->state));
		fingerprint(fpr, r->key);
		json_array_append_new(a, json_pack("{s:s,s:o,s:s,s:I,s:I,s:b,s:s}",
		    "state", r->state, "key", jhex(r->key, 32), "fingerprint", fpr,
		    "index", (json_int_t)r->index, "devices", (json_int_t)devices_of(n, r),
		    "own", strcmp(r->state, n->cfg.state) == 0,
		    "text", roots_warning_text(n, r, text, sizeof(text))));
	}
	return a;
}
