/*
 * stixstore.c - a stored message as STIX 2.1 (lib/stixmap.h over the
 * store), and the filing of its objects into the node's TAXII collections
 * at the time it is logged (see stixstore.h, collections.h).
 *
 * When.  A received message is filed by the accept path in the transaction
 * that stores it, from the payload and envelope accept.c holds (nothing
 * read back from the store).  A sent one is filed once its receipt is
 * committed (the log index is part of every object's provenance, so a
 * message cannot be mapped before), mapped outside any transaction and
 * filed STIX_FILE_CHUNK objects a transaction, so that a big bundle POSTed
 * to an outbox does not hold the store's write lock while it is filed;
 * until its last chunk is committed the message is not marked filed, and
 * a chunk filed twice (a crash in between, then the backfill) adds
 * nothing (an entry is unique per collection and object).  Filing never refuses a message: what the mapping cannot read
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

#include <stdint.h>
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

/* What the mapping and the filing read of one logged message: from the
 * store (src_of_row), or from what the accept path holds already. */
struct src {
	const uint8_t *id;
	int in;				/* received (else sent by this node) */
	int64_t index;
	const char *state;		/* the sending State */
	uint8_t key[32];		/* the signer's */
	int64_t signed_ms;		/* the header's time */
	const char *tlp;		/* the payload's label (NULL: none) */
	json_t *payload;		/* owned */
	char why[RS_ERRLEN];		/* set: it could not be read (src_of_row) */
};

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

/* *s from stored message m (logged); -1 with rs_err when it cannot be
 * read (s->payload is then NULL).  s borrows from m. */
static int
src_of_row(struct node *n, const struct msg_row *m, struct src *s)
{
	memset(s, 0, sizeof(*s));
	s->id = m->id;
	s->in = strcmp(m->direction, "in") == 0;
	s->index = m->index;
	s->state = s->in ? m->sender_state : n->cfg.state;
	s->tlp = m->tlp;
	if (!m->has_index || m->content == NULL)
		rs_seterr("the message is not in the log yet, or its content is not stored");
	else if (envelope_of(n, m, s->key, &s->signed_ms) != 0)
		;
	else if ((s->payload = jparse(m->content, strlen(m->content))) == NULL ||
	    !json_is_object(s->payload)) {
		json_decref(s->payload);
		s->payload = NULL;
		rs_seterr("the stored payload is not JSON");
	} else
		return 0;
	snprintf(s->why, sizeof(s->why), "%s", rs_err());
	return -1;
}

/* The mapping of message s into *bundle. */
static enum stix_map_result
map_src(struct catalogue *c, const struct src *s, json_t **bundle)
{
	struct stix_source in;
	char hex[65];

	*bundle = NULL;
	sodium_bin2hex(hex, sizeof(hex), s->id, 32);
	in.message_id = hex;
	in.log_index = s->index;
	in.state = s->state;
	in.signer_key = s->key;
	in.signed_ms = s->signed_ms;
	in.payload = s->payload;
	return stix_from_message(c, &in, bundle);
}

enum stix_map_result
stixstore_bundle(struct node *n, struct catalogue *c, const uint8_t id[32], json_t **bundle)
{
	struct catalogue *own = NULL;
	struct msg_row m;
	struct src s;
	enum store_result found;
	enum stix_map_result r = STIX_MAP_BAD;

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
	if (src_of_row(n, &m, &s) == 0)
		r = map_src(c != NULL ? c : own, &s, bundle);
	json_decref(s.payload);
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

/* The collections message s goes to. */
static int
colls_of(struct filing *f, const struct src *s)
{
	char alias[64];

	if (s->in) {
		add_coll(f, "received");
		snprintf(alias, sizeof(alias), "from-%s", s->state);
		add_coll(f, alias);
		for (size_t i = 0; f->n->directory != NULL && i < f->n->directory->ngroups; i++) {
			struct dir_group *g = &f->n->directory->groups[i];
			if (g->nstates > 0 && dir_group_has(g, s->state)) {
				snprintf(alias, sizeof(alias), "group-%s", g->name);
				add_coll(f, alias);
			}
		}
		return 0;
	}
	add_coll(f, "sent");
	return store_taxii_status_colls_each(f->n, s->id, add_coll, f);
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
		case STORE_DUPLICATE:	/* a fixed object (a marking, an identity)
					 * again, or a chunk filed before */
			break;
		default:
			return -1;
		}
	}
	return 0;
}

/* A message mapped and placed, not filed yet (plan), or what is recorded
 * of it instead (why != NULL: skipped, not mapped, TLP:RED). */
struct plan {
	struct filing f;
	json_t *bundle;
	json_t *objects;		/* of bundle */
	const char *why;
	char whybuf[RS_ERRLEN + 32];
};

/* Maps s and finds its collections: store reads only, so it may run
 * outside a transaction.  -1 on a store failure. */
static int
plan_of(struct node *n, struct catalogue *c, const struct src *s, struct plan *p)
{
	memset(p, 0, sizeof(*p));
	p->f.n = n;
	if (s->why[0] != '\0') {
		snprintf(p->whybuf, sizeof(p->whybuf), "not mapped: %s", s->why);
		p->why = p->whybuf;
		return 0;
	}
	switch (map_src(c, s, &p->bundle)) {
	case STIX_MAP_SKIP:
		p->why = "skip";
		return 0;
	case STIX_MAP_BAD:
		snprintf(p->whybuf, sizeof(p->whybuf), "not mapped: %s", rs_err());
		p->why = p->whybuf;
		return 0;
	case STIX_MAP_OK:
		break;
	}
	/* the mapping reads a missing label as RED; so does the filing (the
	 * messages table holds the payload's label) */
	if (!MUTANT(taxiired) && (s->tlp == NULL || !coll_tlp_allowed(s->tlp))) {
		p->why = "red";
		return 0;
	}
	p->objects = json_object_get(p->bundle, "objects");
	p->f.colls = json_array();
	return colls_of(&p->f, s);
}

static void
plan_free(struct plan *p)
{
	json_decref(p->f.colls);
	json_decref(p->bundle);
}

/* Files objects [from, to) of plan p, inside the caller's transaction; the
 * collections are made with the first, the message recorded with the
 * last. */
static int
file_range(struct node *n, const uint8_t id[32], struct plan *p, size_t from, size_t to)
{
	size_t i, total = json_array_size(p->objects);
	json_t *o;

	if (p->why != NULL)
		return store_stix_msg_done(n, id, p->why, 0);
	if (from == 0)
		json_array_foreach(p->f.colls, i, o)
			if (strcmp(json_string_value(o), "sent") == 0 ||
			    strcmp(json_string_value(o), "received") == 0 ||
			    strncmp(json_string_value(o), "from-", 5) == 0 ||
			    strncmp(json_string_value(o), "group-", 6) == 0)
				if (coll_ensure(n, json_string_value(o)) != 0)
					return -1;
	if (store_meta_get_int(n, "taxii_added", &p->f.last) != 0)
		p->f.last = 0;
	for (i = from; i < to && i < total; i++)
		if (file_object(&p->f, json_array_get(p->objects, i)) != 0)
			return -1;
	if (store_meta_set_int(n, "taxii_added", p->f.last) != 0)
		return -1;
	return to < total ? 0 : store_stix_msg_done(n, id, "ok", (int64_t)total);
}

/* Files message s whole, inside the caller's transaction. */
static int
file_src(struct node *n, struct catalogue *c, const struct src *s)
{
	struct catalogue *own = NULL;
	struct plan p;
	int rc = -1;

	if (c == NULL && node_catalogue(n, &own) != 0)
		return -1;
	if (plan_of(n, c != NULL ? c : own, s, &p) == 0)
		rc = file_range(n, s->id, &p, 0, SIZE_MAX);
	plan_free(&p);
	catalogue_free(own);
	return rc;
}

int
stixstore_file(struct node *n, struct catalogue *c, const uint8_t id[32])
{
	struct msg_row m;
	struct src s;
	enum store_result r;
	int rc;

	if ((r = store_stix_msg_filed(n, id)) != STORE_NOT_FOUND)
		return r == STORE_OK ? 0 : -1;
	if ((r = store_message_get(n, id, &m)) != STORE_OK)
		return r == STORE_NOT_FOUND ? 0 : -1;	/* not a message: nothing to file */
	(void)src_of_row(n, &m, &s);	/* unreadable: recorded as not mapped */
	rc = file_src(n, c, &s);
	json_decref(s.payload);
	msg_row_free(&m);
	return rc;
}

int
stixstore_file_received(struct node *n, struct catalogue *c, const struct envelope *e,
    int64_t index, json_t *payload)
{
	struct src s;
	enum store_result r;

	if ((r = store_stix_msg_filed(n, e->id)) != STORE_NOT_FOUND)
		return r == STORE_OK ? 0 : -1;
	memset(&s, 0, sizeof(s));
	s.id = e->id;
	s.in = 1;
	s.index = index;
	s.state = e->state;
	memcpy(s.key, e->key, 32);
	s.signed_ms = e->time;
	s.tlp = jstr(payload, "tlp");
	s.payload = payload;		/* borrowed: not freed here */
	return file_src(n, c, &s);
}

int
stixstore_file_chunked(struct node *n, struct catalogue *c, const uint8_t id[32])
{
	struct catalogue *own = NULL;
	struct msg_row m;
	struct src s;
	struct plan p;
	enum store_result r;
	size_t total, from = 0;
	int rc = -1;

	if ((r = store_stix_msg_filed(n, id)) != STORE_NOT_FOUND)
		return r == STORE_OK ? 0 : -1;
	if ((r = store_message_get(n, id, &m)) != STORE_OK)
		return r == STORE_NOT_FOUND ? 0 : -1;
	(void)src_of_row(n, &m, &s);
	if (c == NULL && node_catalogue(n, &own) != 0)
		goto out;
	if (plan_of(n, c != NULL ? c : own, &s, &p) != 0) {
		plan_free(&p);
		goto out;
	}
	total = json_array_size(p.objects);
	do {
		size_t to = from + STIX_FILE_CHUNK;
		if (store_begin(n) != 0)
			break;
		/* another filer (a backfill, another process) may have been
		 * first: its filing stands */
		if (from == 0 && (r = store_stix_msg_filed(n, id)) != STORE_NOT_FOUND) {
			rc = r == STORE_OK && store_commit(n) == 0 ? 0 : -1;
			if (rc != 0)
				store_rollback(n);
			break;
		}
		if (file_range(n, id, &p, from, to) != 0 || store_commit(n) != 0) {
			store_rollback(n);
			break;
		}
		from = to;
		if (from >= total)
			rc = 0;
	} while (from < total);
	plan_free(&p);
out:
	catalogue_free(own);
	json_decref(s.payload);
	msg_row_free(&m);
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
		if (stixstore_file_chunked(n, c, p.ids[i]) != 0)
			goto out;
		if (count != NULL)
			(*count)++;
	}
	rc = 0;
out:
	catalogue_free(c);
	free(p.ids);
	return rc;
}
