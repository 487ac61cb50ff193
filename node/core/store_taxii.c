/*
 * store_taxii.c - the tables behind the node's TAXII 2.1 server: the STIX
 * objects made from messages, the collections that hold them, tokens and
 * status resources.  See store.h for the API, docs/taxii.md for what each
 * collection holds.
 *
 * Objects and entries.  An object version (id and modified, else created,
 * else nothing: an SCO is immutable) is stored once, as the JSON the
 * mapping made, in stix_objects; an entry in taxii_entries puts it in one
 * collection with its date_added.  The page of a collection is then one
 * range scan of the entries' primary key (coll, added, obj), or of
 * (coll, type, added, obj) for match[type], and a lookup of each object's
 * JSON by its row number: no page ever sorts, and no page state is kept
 * (the position a page ended at is in the client's next token).
 *
 * date_added is chosen by the caller (stixstore.c): the time of filing in
 * microseconds, moved on past the last one given, so that it is unique
 * on the node and rising.  The tie-break on obj is kept all the same, so
 * that the order stays total whatever a caller does.
 *
 * Versions.  Each entry knows whether it is the first and the last
 * version of its id in its collection (the flags are moved when another
 * version arrives), so match[version]=first and last, the default, are
 * column tests rather than subqueries.
 */
#include "store_impl.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "db.h"
#include "taxii.h"

/* ---- collections ---------------------------------------------------------- */

void
taxii_coll_free(struct taxii_coll *c)
{
	free(c->title);
	free(c->description);
	free(c->to);
	free(c->roles);
	free(c->tlp);
	free(c->urgency);
	free(c->subject);
	free(c->fields);
	memset(c, 0, sizeof(*c));
}

static const char *
nz(const char *s)
{
	return s != NULL ? s : "";
}

enum store_result
store_taxii_coll_add(struct node *n, const struct taxii_coll *c, int if_absent)
{
	sqlite3_stmt *st = store_kept(n, if_absent ? ST_TAXII_COLL_ENSURE : ST_TAXII_COLL_ADD,
	    if_absent ? "INSERT OR IGNORE INTO taxii_colls(alias, uuid, kind, title,"
	    " description, aud, roles, tlp, urgency, subject, fields, created)"
	    " VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)" :
	    "INSERT INTO taxii_colls(alias, uuid, kind, title, description, aud, roles, tlp,"
	    " urgency, subject, fields, created) VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");

	if (st == NULL)
		return STORE_ERROR;
	sqlite3_bind_text(st, 1, c->alias, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, c->uuid, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, c->kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, nz(c->title), -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, nz(c->description), -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, nz(c->to), -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 7, nz(c->roles), -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 8, nz(c->tlp), -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 9, nz(c->urgency), -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 10, nz(c->subject), -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 11, c->fields != NULL ? c->fields : "[]", -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 12, c->created);
	return store_step_insert(n, st);
}

#define COLL_COLUMNS "alias, uuid, kind, title, description, aud, roles, tlp, urgency," \
	" subject, fields, created"

static void
coll_row(sqlite3_stmt *st, struct taxii_coll *c)
{
	memset(c, 0, sizeof(*c));
	snprintf(c->alias, sizeof(c->alias), "%s", store_col_text(st, 0));
	snprintf(c->uuid, sizeof(c->uuid), "%s", store_col_text(st, 1));
	snprintf(c->kind, sizeof(c->kind), "%s", store_col_text(st, 2));
	c->title = store_col_dup(st, 3);
	c->description = store_col_dup(st, 4);
	c->to = store_col_dup(st, 5);
	c->roles = store_col_dup(st, 6);
	c->tlp = store_col_dup(st, 7);
	c->urgency = store_col_dup(st, 8);
	c->subject = store_col_dup(st, 9);
	c->fields = store_col_dup(st, 10);
	c->created = sqlite3_column_int64(st, 11);
}

enum store_result
store_taxii_coll_get(struct node *n, const char *uuid, const char *alias,
    struct taxii_coll *c)
{
	sqlite3_stmt *st = store_kept(n, uuid != NULL ? ST_TAXII_COLL_BY_UUID :
	    ST_TAXII_COLL_BY_ALIAS, uuid != NULL ?
	    "SELECT " COLL_COLUMNS " FROM taxii_colls WHERE uuid = ?" :
	    "SELECT " COLL_COLUMNS " FROM taxii_colls WHERE alias = ?");
	enum store_result r = STORE_ERROR;
	int rc;

	memset(c, 0, sizeof(*c));
	if (st == NULL)
		return STORE_ERROR;
	assert((uuid == NULL) != (alias == NULL));
	sqlite3_bind_text(st, 1, uuid != NULL ? uuid : alias, -1, SQLITE_STATIC);
	if ((rc = store_step(n, st)) == SQLITE_ROW) {
		coll_row(st, c);
		r = STORE_OK;
	} else if (rc == SQLITE_DONE)
		r = STORE_NOT_FOUND;
	sqlite3_reset(st);
	return r;
}

int
store_taxii_colls_each(struct node *n, store_taxii_coll_fn fn, void *ud)
{
	sqlite3_stmt *st = store_prep(n, "SELECT " COLL_COLUMNS " FROM taxii_colls"
	    " ORDER BY alias");
	struct taxii_coll c;
	int rc = 0, step;

	if (st == NULL)
		return -1;
	while (rc == 0 && (step = store_step(n, st)) == SQLITE_ROW) {
		coll_row(st, &c);
		rc = fn(ud, &c);
		taxii_coll_free(&c);
	}
	if (rc == 0 && step != SQLITE_DONE)
		rc = -1;
	sqlite3_finalize(st);
	return rc;
}

enum store_result
store_taxii_coll_remove(struct node *n, const char *alias)
{
	sqlite3_stmt *st;
	int rc;

	if (store_begin(n) != 0)
		return STORE_ERROR;
	if ((st = store_prep(n, "DELETE FROM taxii_colls WHERE alias = ? AND kind = 'outbox'"))
	    == NULL)
		goto fail;
	sqlite3_bind_text(st, 1, alias, -1, SQLITE_STATIC);
	rc = store_done(n, st);
	sqlite3_finalize(st);
	if (rc != 0)
		goto fail;
	if (sqlite3_changes(n->store->db) == 0) {
		store_rollback(n);
		rs_seterr("no outbox collection %s (`roster taxii collection list`)", alias);
		return STORE_NOT_FOUND;
	}
	if ((st = store_prep(n, "DELETE FROM taxii_entries WHERE coll = ?")) == NULL)
		goto fail;
	sqlite3_bind_text(st, 1, alias, -1, SQLITE_STATIC);
	rc = store_done(n, st);
	sqlite3_finalize(st);
	if (rc != 0 || store_commit(n) != 0)
		goto fail;
	return STORE_OK;
fail:
	store_rollback(n);
	return STORE_ERROR;
}

/* ---- objects and entries ---------------------------------------------------- */

int
store_stix_object_put(struct node *n, const char *id, const char *vkey, const char *json,
    int64_t *obj)
{
	sqlite3_stmt *st = store_kept(n, ST_STIX_OBJECT_PUT, "INSERT INTO stix_objects(id,"
	    " vkey, json) VALUES(?, ?, ?) ON CONFLICT(id, vkey) DO NOTHING");
	int rc;

	if (st == NULL)
		return -1;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, vkey, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, json, -1, SQLITE_STATIC);
	if (store_done(n, st) != 0)
		return -1;
	if (sqlite3_changes(n->store->db) == 1) {
		*obj = sqlite3_last_insert_rowid(n->store->db);
		return 0;
	}
	if ((st = store_kept(n, ST_STIX_OBJECT_GET, "SELECT n FROM stix_objects WHERE id = ?"
	    " AND vkey = ?")) == NULL)
		return -1;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, vkey, -1, SQLITE_STATIC);
	rc = store_step(n, st);
	if (rc == SQLITE_ROW)
		*obj = sqlite3_column_int64(st, 0);
	else if (rc == SQLITE_DONE)
		rs_seterr("database error: object %s vanished", id);
	sqlite3_reset(st);
	return rc == SQLITE_ROW ? 0 : -1;
}

/* Recomputes the first and last flags of id in coll (another version came,
 * or one was deleted). */
static int
reflag(struct node *n, const char *coll, const char *id)
{
	sqlite3_stmt *st = store_prep(n, "UPDATE taxii_entries SET"
	    " first = (version = (SELECT min(version) FROM taxii_entries WHERE coll = ?1"
	    "   AND id = ?2)),"
	    " last = (version = (SELECT max(version) FROM taxii_entries WHERE coll = ?1"
	    "   AND id = ?2))"
	    " WHERE coll = ?1 AND id = ?2");
	int rc;

	if (st == NULL)
		return -1;
	sqlite3_bind_text(st, 1, coll, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, id, -1, SQLITE_STATIC);
	rc = store_done(n, st);
	sqlite3_finalize(st);
	return rc;
}

/* Two statements for the common case, an id seen for the first time in
 * the collection: the insert (a duplicate is the unique (coll, obj)
 * refusing it) as the first and last version, then the count of the id's
 * versions there; only another version makes the flags be recomputed. */
enum store_result
store_taxii_entry_add(struct node *n, const struct taxii_entry *e)
{
	sqlite3_stmt *st;
	enum store_result r;
	int rc;
	int64_t versions = 0;

	if ((st = store_kept(n, ST_TAXII_ENTRY_ADD, "INSERT INTO taxii_entries(coll, added,"
	    " obj, type, id, version, spec, first, last) VALUES(?, ?, ?, ?, ?, ?, ?, 1, 1)"))
	    == NULL)
		return STORE_ERROR;
	sqlite3_bind_text(st, 1, e->coll, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, e->added);
	sqlite3_bind_int64(st, 3, e->obj);
	sqlite3_bind_text(st, 4, e->type, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, e->id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 6, e->version);
	sqlite3_bind_text(st, 7, e->spec, -1, SQLITE_STATIC);
	if ((r = store_step_insert(n, st)) != STORE_OK)
		return r;
	if ((st = store_kept(n, ST_TAXII_ENTRY_VERSIONS, "SELECT count(*) FROM taxii_entries"
	    " WHERE coll = ? AND id = ?")) == NULL)
		return STORE_ERROR;
	sqlite3_bind_text(st, 1, e->coll, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, e->id, -1, SQLITE_STATIC);
	if ((rc = store_step(n, st)) == SQLITE_ROW)
		versions = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	if (rc != SQLITE_ROW)
		return STORE_ERROR;
	assert(versions >= 1);
	if (versions > 1 && reflag(n, e->coll, e->id) != 0)
		return STORE_ERROR;
	return STORE_OK;
}

/* The WHERE clause of q's match[] filters on the entries' columns (named
 * with prefix p: "e." or ""), bound by filter_bind in the same order. */
static void
filter_sql(struct buf *sql, const char *p, const struct taxii_query *q, int all_versions)
{
	unsigned v = q->versions;

	if (q->nids > 0) {
		buf_printf(sql, " AND %sid IN (", p);
		for (size_t i = 0; i < q->nids; i++)
			buf_addstr(sql, i ? ", ?" : "?");
		buf_addstr(sql, ")");
	}
	if (q->ntypes > 0) {
		buf_printf(sql, " AND %stype IN (", p);
		for (size_t i = 0; i < q->ntypes; i++)
			buf_addstr(sql, i ? ", ?" : "?");
		buf_addstr(sql, ")");
	}
	if (!all_versions && !(v & TAXII_V_ALL)) {
		if (v == 0 && q->nversion_at == 0)
			v = TAXII_V_LAST;	/* the default */
		buf_addstr(sql, " AND (0");
		if (v & TAXII_V_FIRST)
			buf_printf(sql, " OR %sfirst = 1", p);
		if (v & TAXII_V_LAST)
			buf_printf(sql, " OR %slast = 1", p);
		if (q->nversion_at > 0) {
			buf_printf(sql, " OR %sversion IN (", p);
			for (size_t i = 0; i < q->nversion_at; i++)
				buf_addstr(sql, i ? ", ?" : "?");
			buf_addstr(sql, ")");
		}
		buf_addstr(sql, ")");
	}
	buf_printf(sql, " AND %sspec IN (", p);
	if (q->nspec_versions == 0)
		buf_addstr(sql, "'2.1'");	/* the default: the latest */
	for (size_t i = 0; i < q->nspec_versions; i++)
		buf_addstr(sql, i ? ", ?" : "?");
	buf_addstr(sql, ")");
}

static void
filter_bind(sqlite3_stmt *st, int *at, const struct taxii_query *q, int all_versions)
{
	for (size_t i = 0; i < q->nids; i++)
		sqlite3_bind_text(st, (*at)++, q->ids[i], -1, SQLITE_STATIC);
	for (size_t i = 0; i < q->ntypes; i++)
		sqlite3_bind_text(st, (*at)++, q->types[i], -1, SQLITE_STATIC);
	if (!all_versions && !(q->versions & TAXII_V_ALL))
		for (size_t i = 0; i < q->nversion_at; i++)
			sqlite3_bind_int64(st, (*at)++, q->version_at[i]);
	for (size_t i = 0; i < q->nspec_versions; i++)
		sqlite3_bind_text(st, (*at)++, q->spec_versions[i], -1, SQLITE_STATIC);
}

int
store_taxii_page(struct node *n, const struct taxii_filter *f, store_taxii_fn fn, void *ud)
{
	struct buf sql = {0};
	sqlite3_stmt *st;
	struct taxii_row r;
	int rc = 0, step, at = 1;

	assert(f->limit > 0 && f->q != NULL);
	buf_printf(&sql, "SELECT e.added, e.obj, e.version, e.id, e.type, e.spec%s"
	    " FROM taxii_entries e%s WHERE e.coll = ? AND (e.added, e.obj) > (?, ?)",
	    f->want_json ? ", o.json" : "",
	    f->want_json ? " JOIN stix_objects o ON o.n = e.obj" : "");
	if (f->id != NULL)
		buf_addstr(&sql, " AND e.id = ?");
	filter_sql(&sql, "e.", f->q, f->all_versions);
	buf_addstr(&sql, " ORDER BY e.added, e.obj LIMIT ?");
	st = store_prep(n, buf_cstr(&sql));
	buf_free(&sql);
	if (st == NULL)
		return -1;
	sqlite3_bind_text(st, at++, f->coll, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, at++, f->after_added);
	sqlite3_bind_int64(st, at++, f->after_obj);
	if (f->id != NULL)
		sqlite3_bind_text(st, at++, f->id, -1, SQLITE_STATIC);
	filter_bind(st, &at, f->q, f->all_versions);
	sqlite3_bind_int(st, at++, f->limit);
	while (rc == 0 && (step = store_step(n, st)) == SQLITE_ROW) {
		r.added = sqlite3_column_int64(st, 0);
		r.obj = sqlite3_column_int64(st, 1);
		r.version = sqlite3_column_int64(st, 2);
		r.id = store_col_text(st, 3);
		r.type = store_col_text(st, 4);
		r.spec = store_col_text(st, 5);
		r.json = f->want_json ? store_col_text(st, 6) : NULL;
		rc = fn(ud, &r);
	}
	if (rc == 0 && step != SQLITE_DONE)
		rc = -1;
	sqlite3_finalize(st);
	return rc;
}

int64_t
store_taxii_count(struct node *n, const char *coll)
{
	sqlite3_stmt *st = store_prep(n, "SELECT count(*) FROM taxii_entries WHERE coll = ?");
	int64_t c = -1;

	if (st == NULL)
		return -1;
	sqlite3_bind_text(st, 1, coll, -1, SQLITE_STATIC);
	if (store_step(n, st) == SQLITE_ROW)
		c = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return c;
}

int
store_taxii_entries_delete(struct node *n, const char *coll, const char *id,
    const struct taxii_query *q, int *count)
{
	struct buf sql = {0};
	sqlite3_stmt *st;
	int at = 1, rc = -1;

	*count = 0;
	buf_addstr(&sql, "DELETE FROM taxii_entries WHERE coll = ? AND id = ?");
	filter_sql(&sql, "", q, 0);
	if (store_begin(n) != 0) {
		buf_free(&sql);
		return -1;
	}
	st = store_prep(n, buf_cstr(&sql));
	buf_free(&sql);
	if (st == NULL)
		goto out;
	sqlite3_bind_text(st, at++, coll, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, at++, id, -1, SQLITE_STATIC);
	filter_bind(st, &at, q, 0);
	rc = store_done(n, st);
	sqlite3_finalize(st);
	if (rc != 0)
		goto out;
	*count = sqlite3_changes(n->store->db);
	if ((rc = reflag(n, coll, id)) == 0)
		rc = store_commit(n);
out:
	if (rc != 0)
		store_rollback(n);
	return rc;
}

/* ---- messages filed ------------------------------------------------------- */

int
store_stix_msg_done(struct node *n, const uint8_t msg[32], const char *result,
    int64_t objects)
{
	sqlite3_stmt *st = store_kept(n, ST_STIX_MSG_DONE, "INSERT OR REPLACE INTO"
	    " stix_msgs(msg, filed, result, objects) VALUES(?, ?, ?, ?)");

	if (st == NULL)
		return -1;
	sqlite3_bind_blob(st, 1, msg, 32, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, now_ms());
	sqlite3_bind_text(st, 3, result, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, objects);
	return store_done(n, st);
}

enum store_result
store_stix_msg_filed(struct node *n, const uint8_t msg[32])
{
	sqlite3_stmt *st = store_kept(n, ST_STIX_MSG_FILED, "SELECT 1 FROM stix_msgs"
	    " WHERE msg = ?");
	int rc;

	if (st == NULL)
		return STORE_ERROR;
	sqlite3_bind_blob(st, 1, msg, 32, SQLITE_STATIC);
	rc = store_step(n, st);
	sqlite3_reset(st);
	return rc == SQLITE_ROW ? STORE_OK : rc == SQLITE_DONE ? STORE_NOT_FOUND : STORE_ERROR;
}

int
store_stix_unfiled_each(struct node *n, store_id_fn fn, void *ud)
{
	sqlite3_stmt *st = store_prep(n, "SELECT m.id FROM messages m WHERE m.idx IS NOT NULL"
	    " AND NOT EXISTS (SELECT 1 FROM stix_msgs s WHERE s.msg = m.id) ORDER BY m.idx");
	int rc = 0, step;

	if (st == NULL)
		return -1;
	while (rc == 0 && (step = store_step(n, st)) == SQLITE_ROW)
		if (sqlite3_column_bytes(st, 0) == 32)
			rc = fn(ud, sqlite3_column_blob(st, 0));
	if (rc == 0 && step != SQLITE_DONE)
		rc = -1;
	sqlite3_finalize(st);
	return rc;
}

/* ---- tokens ------------------------------------------------------------------ */

void
taxii_token_free(struct taxii_token *t)
{
	free(t->colls);
	sodium_memzero(t, sizeof(*t));
}

enum store_result
store_taxii_token_add(struct node *n, const struct taxii_token *t)
{
	sqlite3_stmt *st;
	enum store_result r;

	if ((st = store_prep(n, "DELETE FROM taxii_tokens WHERE name = ? AND revoked IS NOT NULL"))
	    == NULL)
		return STORE_ERROR;
	sqlite3_bind_text(st, 1, t->name, -1, SQLITE_STATIC);
	r = store_done(n, st) == 0 ? STORE_OK : STORE_ERROR;
	sqlite3_finalize(st);
	if (r != STORE_OK)
		return r;
	if ((st = store_prep(n, "INSERT INTO taxii_tokens(name, hash, colls, write, created)"
	    " VALUES(?, ?, ?, ?, ?)")) == NULL)
		return STORE_ERROR;
	sqlite3_bind_text(st, 1, t->name, -1, SQLITE_STATIC);
	sqlite3_bind_blob(st, 2, t->hash, 32, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, t->colls, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 4, t->write);
	sqlite3_bind_int64(st, 5, t->created);
	r = store_step_insert(n, st);
	sqlite3_finalize(st);
	return r;
}

static void
token_row(sqlite3_stmt *st, struct taxii_token *t)
{
	memset(t, 0, sizeof(*t));
	snprintf(t->name, sizeof(t->name), "%s", store_col_text(st, 0));
	if (sqlite3_column_bytes(st, 1) == 32)
		memcpy(t->hash, sqlite3_column_blob(st, 1), 32);
	t->colls = store_col_dup(st, 2);
	t->write = sqlite3_column_int(st, 3);
	t->created = sqlite3_column_int64(st, 4);
	t->revoked = sqlite3_column_int64(st, 5);
	t->used = sqlite3_column_int64(st, 6);
}

enum store_result
store_taxii_token_get(struct node *n, const uint8_t hash[32], struct taxii_token *t)
{
	sqlite3_stmt *st = store_kept(n, ST_TAXII_TOKEN_GET, "SELECT name, hash, colls, write,"
	    " created, revoked, used FROM taxii_tokens WHERE hash = ?");
	enum store_result r = STORE_ERROR;
	int rc;

	memset(t, 0, sizeof(*t));
	if (st == NULL)
		return STORE_ERROR;
	sqlite3_bind_blob(st, 1, hash, 32, SQLITE_STATIC);
	if ((rc = store_step(n, st)) == SQLITE_ROW) {
		token_row(st, t);
		r = STORE_OK;
	} else if (rc == SQLITE_DONE)
		r = STORE_NOT_FOUND;
	sqlite3_reset(st);
	return r;
}

int
store_taxii_tokens_each(struct node *n, store_taxii_token_fn fn, void *ud)
{
	sqlite3_stmt *st = store_prep(n, "SELECT name, hash, colls, write, created, revoked,"
	    " used FROM taxii_tokens ORDER BY name");
	struct taxii_token t;
	int rc = 0, step;

	if (st == NULL)
		return -1;
	while (rc == 0 && (step = store_step(n, st)) == SQLITE_ROW) {
		token_row(st, &t);
		rc = fn(ud, &t);
		taxii_token_free(&t);
	}
	if (rc == 0 && step != SQLITE_DONE)
		rc = -1;
	sqlite3_finalize(st);
	return rc;
}

enum store_result
store_taxii_token_revoke(struct node *n, const char *name, int64_t now)
{
	sqlite3_stmt *st = store_prep(n, "UPDATE taxii_tokens SET revoked = ? WHERE name = ?"
	    " AND revoked IS NULL");
	int rc;

	if (st == NULL)
		return STORE_ERROR;
	sqlite3_bind_int64(st, 1, now);
	sqlite3_bind_text(st, 2, name, -1, SQLITE_STATIC);
	rc = store_done(n, st);
	sqlite3_finalize(st);
	if (rc != 0)
		return STORE_ERROR;
	if (sqlite3_changes(n->store->db) == 0) {
		rs_seterr("no current token %s (`roster token list`)", name);
		return STORE_NOT_FOUND;
	}
	return STORE_OK;
}

int
store_taxii_token_used(struct node *n, const char *name, int64_t now)
{
	sqlite3_stmt *st = store_kept(n, ST_TAXII_TOKEN_USED, "UPDATE taxii_tokens SET used = ?"
	    " WHERE name = ? AND (used IS NULL OR used < ? - 60000)");

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, now);
	sqlite3_bind_text(st, 2, name, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, now);
	return store_done(n, st);
}

/* ---- status resources ----------------------------------------------------------- */

void
taxii_status_free(struct taxii_status *s)
{
	free(s->objects);
	memset(s, 0, sizeof(*s));
}

int
store_taxii_status_add(struct node *n, const struct taxii_status *s)
{
	sqlite3_stmt *st = store_prep(n, "INSERT INTO taxii_status(uuid, coll, msg, who,"
	    " requested, objects, digest) VALUES(?, ?, ?, ?, ?, ?, ?)");
	int rc;

	if (st == NULL)
		return -1;
	sqlite3_bind_text(st, 1, s->uuid, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, s->coll, -1, SQLITE_STATIC);
	if (s->has_msg)
		sqlite3_bind_blob(st, 3, s->msg, 32, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, s->who, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 5, s->requested);
	sqlite3_bind_text(st, 6, s->objects, -1, SQLITE_STATIC);
	sqlite3_bind_blob(st, 7, s->digest, 32, SQLITE_STATIC);
	rc = store_done(n, st);
	sqlite3_finalize(st);
	return rc;
}

enum store_result
store_taxii_status_get(struct node *n, const char *uuid, struct taxii_status *s)
{
	sqlite3_stmt *st = store_prep(n, "SELECT uuid, coll, msg, who, requested, objects"
	    " FROM taxii_status WHERE uuid = ?");
	enum store_result r = STORE_ERROR;
	int rc;

	memset(s, 0, sizeof(*s));
	if (st == NULL)
		return STORE_ERROR;
	sqlite3_bind_text(st, 1, uuid, -1, SQLITE_STATIC);
	if ((rc = store_step(n, st)) == SQLITE_ROW) {
		snprintf(s->uuid, sizeof(s->uuid), "%s", store_col_text(st, 0));
		snprintf(s->coll, sizeof(s->coll), "%s", store_col_text(st, 1));
		if ((s->has_msg = sqlite3_column_bytes(st, 2) == 32))
			memcpy(s->msg, sqlite3_column_blob(st, 2), 32);
		snprintf(s->who, sizeof(s->who), "%s", store_col_text(st, 3));
		s->requested = sqlite3_column_int64(st, 4);
		s->objects = store_col_dup(st, 5);
		r = STORE_OK;
	} else if (rc == SQLITE_DONE)
		r = STORE_NOT_FOUND;
	sqlite3_finalize(st);
	return r;
}

enum store_result
store_taxii_status_same(struct node *n, const char *coll, const uint8_t digest[32],
    char uuid[37])
{
	sqlite3_stmt *st = store_prep(n, "SELECT uuid FROM taxii_status WHERE coll = ?"
	    " AND digest = ? ORDER BY requested LIMIT 1");
	enum store_result r = STORE_ERROR;
	int rc;

	if (st == NULL)
		return STORE_ERROR;
	sqlite3_bind_text(st, 1, coll, -1, SQLITE_STATIC);
	sqlite3_bind_blob(st, 2, digest, 32, SQLITE_STATIC);
	if ((rc = store_step(n, st)) == SQLITE_ROW) {
		snprintf(uuid, 37, "%s", store_col_text(st, 0));
		r = STORE_OK;
	} else if (rc == SQLITE_DONE)
		r = STORE_NOT_FOUND;
	sqlite3_finalize(st);
	return r;
}

int
store_taxii_status_colls_each(struct node *n, const uint8_t msg[32], store_text_fn fn,
    void *ud)
{
	sqlite3_stmt *st = store_kept(n, ST_TAXII_STATUS_COLLS, "SELECT coll FROM taxii_status"
	    " WHERE msg = ?");
	int rc = 0, step;

	if (st == NULL)
		return -1;
	sqlite3_bind_blob(st, 1, msg, 32, SQLITE_STATIC);
	while (rc == 0 && (step = store_step(n, st)) == SQLITE_ROW)
		rc = fn(ud, store_col_text(st, 0));
	if (rc == 0 && step != SQLITE_DONE)
		rc = -1;
	sqlite3_reset(st);
	return rc;
}
