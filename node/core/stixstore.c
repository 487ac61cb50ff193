/*
 * stixstore.c - a stored message as STIX 2.1 (lib/stixmap.h over the
 * store), and the filing of its objects into the node's TAXII collections
 * at the time it is logged (see stixstore.h, collections.h).
 *
 * When.  A received message is filed by the accept path in the transaction
 * that stores it, from what that path holds (stixstore_file_received:
 * reading the row, the envelope and the payload back, hashing and parsing
 * them again, was a quarter of the node's CPU on a 512 KiB message); a
 * sent one when its receipt arrives (the log index is
 * part of every object's provenance, so a message cannot be mapped
 * before).  Filing never refuses a message: what the mapping cannot read
 * is recorded in stix_msgs with the reason, and only a store failure rolls
 * the transaction back.  A backfill (serve's start) files whatever a store
 * from before holds.
 *
 * date_added.  Each entry's date_added is the time of filing in
 * microseconds, moved on to one more than the last one given when the
 * clock has not moved (or went back): unique on the node and rising, so
 * a client paging by X-TAXII-Date-Added-Last loses nothing at a page
 * boundary, and one that polls with added_after never misses a later
 * filing.  The last one given is kept in meta (taxii_added).
 *
 * Versions.  An object's version is its modified (else created) time; an
 * SCO has neither and is versioned by its date_added, as TAXII 2.1 says.
 */
#include "stixstore.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "catalogue_node.h"
#include "collections.h"
#include "jsonutil.h"
#include "store.h"

static int64_t
now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* The message's signed envelope: its signer and its header's time. */
static int
envelope_of(struct node *n, const struct msg_row *m, uint8_t key[32], int64_t *signed_ms)
{
	struct stored_record rec;
	struct buf raw = {0};
	struct envelope e;
	enum store_result r;
	int rc = -1;

	memset(&rec, 0, sizeof(rec));
	if (strcmp(m->direction, "in") == 0) {
		if ((r = store_record_get(n, m->id, &rec)) == STORE_OK) {
			raw = rec.raw;
			memset(&rec.raw, 0, sizeof(rec.raw));
		}
		stored_record_free(&rec);
	} else
		r = store_outbox_envelope(n, m->id, &raw);
	if (r != STORE_OK) {
		if (r == STORE_NOT_FOUND)
			rs_seterr("the message's envelope is not in the store");
		buf_free(&raw);
		return -1;
	}
	if (env_parse(&e, raw.p, raw.len) == 0) {
		memcpy(key, e.key, 32);
		*signed_ms = e.time;
		env_free(&e);
		rc = 0;
	}
	buf_free(&raw);
	return rc;
}

/* The mapping of message m (logged) into *bundle: its envelope and its
 * payload read back from the store. */
static enum stix_map_result
map_row(struct node *n, struct catalogue *c, const struct msg_row *m, json_t **bundle)
{
	struct stix_source src;
	uint8_t key[32];
	char hex[65];
	json_t *payload;
	enum stix_map_result r;

	*bundle = NULL;
	if (!m->has_index || m->content == NULL) {
		rs_seterr("the message is not in the log yet, or its content is not stored");
		return STIX_MAP_BAD;
	}
	if (envelope_of(n, m, key, &src.signed_ms) != 0)
		return STIX_MAP_BAD;
	if ((payload = jparse(m->content, strlen(m->content))) == NULL ||
	    !json_is_object(payload)) {
		json_decref(payload);
		rs_seterr("the stored payload is not JSON");
		return STIX_MAP_BAD;
	}
	sodium_bin2hex(hex, sizeof(hex), m->id, 32);
	src.message_id = hex;
	src.log_index = m->index;
	src.state = strcmp(m->direction, "in") == 0 ? m->sender_state : n->cfg.state;
	src.signer_key = key;
	src.payload = payload;
	r = stix_from_message(c, &src, bundle);
	json_decref(payload);
	return r;
}

/* What filing needs of a message besides its mapping. */
struct to_file {
	const uint8_t *id;
	int in;				/* received (else sent) */
	const char *sender_state, *tlp;
};

enum stix_map_result
stixstore_bundle(struct node *n, struct catalogue *c, const uint8_t id[32], json_t **bundle)
{
	struct catalogue *own = NULL;
	struct msg_row m;
	enum store_result found;
	enum stix_map_result r;

	*bundle = NULL;
	if ((found = store_message_get(n, id, &m)) != STORE_OK) {
		if (found == STORE_NOT_FOUND)
			rs_seterr("no such message");
		return STIX_MAP_BAD;
	}
	if (c == NULL && node_catalogue(n, &own) != 0) {
		msg_row_free(&m);
		return STIX_MAP_BAD;
	}
	r = map_row(n, c != NULL ? c : own, &m, bundle);
	catalogue_free(own);
	msg_row_free(&m);
	return r;
}

/* ---- filing --------------------------------------------------------------------- */

struct filing {
	struct node *n;
	json_t *colls;			/* aliases, strings */
	int64_t last;			/* the last date_added given */
};

static int
add_coll(void *ud, const char *alias)
{
	struct filing *f = ud;
	size_t i;
	json_t *v;

	json_array_foreach(f->colls, i, v)
		if (strcmp(json_string_value(v), alias) == 0)
			return 0;
	json_array_append_new(f->colls, json_string(alias));
	return 0;
}

/* The collections message m goes to. */
static int
colls_of(struct filing *f, const struct to_file *m)
{
	char alias[64];

	if (m->in) {
		add_coll(f, "received");
		snprintf(alias, sizeof(alias), "from-%s", m->sender_state);
		add_coll(f, alias);
		for (size_t i = 0; f->n->directory != NULL && i < f->n->directory->ngroups; i++) {
			struct dir_group *g = &f->n->directory->groups[i];
			if (g->nstates > 0 && dir_group_has(g, m->sender_state)) {
				snprintf(alias, sizeof(alias), "group-%s", g->name);
				add_coll(f, alias);
			}
		}
		return 0;
	}
	add_coll(f, "sent");
	return store_taxii_status_colls_each(f->n, m->id, add_coll, f);
}

/* The version of o (microseconds) and the key it is stored under. */
static int64_t
version_of(json_t *o, const char **vkey, int64_t added)
{
	const char *t = jstr(o, "modified") ? jstr(o, "modified") : jstr(o, "created");
	int64_t us;

	*vkey = t != NULL ? t : "";
	if (t != NULL && stix_ts_parse(t, &us, NULL) == 0)
		return us;
	return added;
}

static int
file_object(struct filing *f, json_t *o)
{
	const char *vkey, *type = jstr(o, "type"), *id = jstr(o, "id");
	const char *spec = jstr(o, "spec_version") ? jstr(o, "spec_version") : "2.1";
	char *json;
	int64_t obj;
	size_t i;
	json_t *alias;
	int rc;

	if (type == NULL || id == NULL) {
		rs_seterr("the mapping made an object without a type or id");
		return -1;
	}
	json = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
	(void)version_of(o, &vkey, 0);
	rc = store_stix_object_put(f->n, id, vkey, json, &obj);
	free(json);
	if (rc != 0)
		return -1;
	json_array_foreach(f->colls, i, alias) {
		struct taxii_entry e;
		int64_t now = now_us();
		e.coll = json_string_value(alias);
		e.added = now > f->last ? now : f->last + 1;
		e.obj = obj;
		e.version = version_of(o, &vkey, e.added);
		e.type = type;
		e.id = id;
		e.spec = spec;
		switch (store_taxii_entry_add(f->n, &e)) {
		case STORE_OK:
			f->last = e.added;
			break;
		case STORE_DUPLICATE:	/* a fixed object (a marking, an identity) again */
			break;
		default:
			return -1;
		}
	}
	return 0;
}

/* Files message m as mapped (r, bundle: taken). */
static int
file_mapped(struct node *n, const struct to_file *m, enum stix_map_result r, json_t *bundle)
{
	struct filing f = { .n = n };
	json_t *o;
	const char *tlp;
	char why[RS_ERRLEN + 32];
	size_t i;
	int rc = -1;

	switch (r) {
	case STIX_MAP_SKIP:
		return store_stix_msg_done(n, m->id, "skip", 0);
	case STIX_MAP_BAD:
		snprintf(why, sizeof(why), "not mapped: %s", rs_err());
		return store_stix_msg_done(n, m->id, why, 0);
	case STIX_MAP_OK:
		break;
	}
	/* the mapping reads a missing label as RED; so does the filing (the
	 * messages table holds the payload's label) */
	tlp = m->tlp;
	if (!MUTANT(taxiired) && (tlp == NULL || !coll_tlp_allowed(tlp))) {
		json_decref(bundle);
		return store_stix_msg_done(n, m->id, "red", 0);
	}
	f.colls = json_array();
	if (colls_of(&f, m) != 0)
		goto out;
	json_array_foreach(f.colls, i, o)
		if (strcmp(json_string_value(o), "sent") == 0 ||
		    strcmp(json_string_value(o), "received") == 0 ||
		    strncmp(json_string_value(o), "from-", 5) == 0 ||
		    strncmp(json_string_value(o), "group-", 6) == 0)
			if (coll_ensure(n, json_string_value(o)) != 0)
				goto out;
	if (store_meta_get_int(n, "taxii_added", &f.last) != 0)
		f.last = 0;
	json_array_foreach(json_object_get(bundle, "objects"), i, o)
		if (file_object(&f, o) != 0)
			goto out;
	if (store_meta_set_int(n, "taxii_added", f.last) != 0)
		goto out;
	rc = store_stix_msg_done(n, m->id, "ok",
	    (int64_t)json_array_size(json_object_get(bundle, "objects")));
out:
	json_decref(f.colls);
	json_decref(bundle);
	return rc;
}

static int
file_row(struct node *n, struct catalogue *c, const struct msg_row *m)
{
	struct to_file t = { m->id, strcmp(m->direction, "in") == 0, m->sender_state, m->tlp };
	json_t *bundle = NULL;
	enum stix_map_result r = map_row(n, c, m, &bundle);

	return file_mapped(n, &t, r, bundle);
}

int
stixstore_file(struct node *n, struct catalogue *c, const uint8_t id[32])
{
	struct catalogue *own = NULL;
	struct msg_row m;
	enum store_result r;
	int rc;

	if ((r = store_stix_msg_filed(n, id)) != STORE_NOT_FOUND)
		return r == STORE_OK ? 0 : -1;
	if ((r = store_message_get(n, id, &m)) != STORE_OK)
		return r == STORE_NOT_FOUND ? 0 : -1;	/* not a message: nothing to file */
	if (c == NULL && node_catalogue(n, &own) != 0) {
		msg_row_free(&m);
		return -1;
	}
	rc = file_row(n, c != NULL ? c : own, &m);
	catalogue_free(own);
	msg_row_free(&m);
	return rc;
}

int
stixstore_file_received(struct node *n, const struct stix_received *r)
{
	struct to_file t = { r->id, 1, r->sender_state, r->tlp };
	struct catalogue *own = NULL;
	struct stix_source src;
	enum store_result found;
	enum stix_map_result m;
	json_t *bundle = NULL;
	char hex[65];
	int rc;

	if ((found = store_stix_msg_filed(n, r->id)) != STORE_NOT_FOUND)
		return found == STORE_OK ? 0 : -1;
	if (node_catalogue(n, &own) != 0)
		return -1;
	sodium_bin2hex(hex, sizeof(hex), r->id, 32);
	src.message_id = hex;
	src.log_index = r->index;
	src.state = r->sender_state;
	src.signer_key = r->signer;
	src.signed_ms = r->signed_ms;
	src.payload = r->payload;
	m = stix_from_message(own, &src, &bundle);
	rc = file_mapped(n, &t, m, bundle);
	catalogue_free(own);
	return rc;
}

struct pending {
	uint8_t (*ids)[32];
	size_t n;
};

static int
collect(void *ud, const uint8_t id[32])
{
	struct pending *p = ud;

	p->ids = xrealloc(p->ids, (p->n + 1) * sizeof(*p->ids));
	memcpy(p->ids[p->n++], id, 32);
	return 0;
}

int
stixstore_backfill(struct node *n, int *count)
{
	struct pending p = {0};
	struct catalogue *c = NULL;
	int rc = -1;

	if (count != NULL)
		*count = 0;
	if (store_stix_unfiled_each(n, collect, &p) != 0)
		goto out;
	if (p.n > 0 && node_catalogue(n, &c) != 0)
		goto out;
	for (size_t i = 0; i < p.n; i++) {
		if (store_begin(n) != 0)
			goto out;
		if (stixstore_file(n, c, p.ids[i]) != 0 || store_commit(n) != 0) {
			store_rollback(n);
			goto out;
		}
		if (count != NULL)
			(*count)++;
	}
	rc = 0;
out:
	catalogue_free(c);
	free(p.ids);
	return rc;
}
