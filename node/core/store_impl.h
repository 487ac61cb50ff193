/*
 * store_impl.h - what store*.c share and nothing else in node/ sees: the
 * connection and its kept statements.  See store.h.
 */
#ifndef ROSTER_NODE_STORE_IMPL_H
#define ROSTER_NODE_STORE_IMPL_H

#include <sqlite3.h>

#include "store.h"

/* The statements kept prepared on the connection: the ones a sync pass
 * runs for every record it takes and every envelope it signs, and those
 * that file every STIX object into its collections or serve every TAXII
 * request. */
enum stmt {
	ST_META_GET,
	ST_META_SET,
	ST_RECORD_ADD,
	ST_CHECKPOINT_NEWEST,
	ST_CHECKPOINTS_OF_SIZE,
	ST_CHECKPOINT_ADD,
	ST_SENDER_GET,
	ST_SENDER_SET,
	ST_MESSAGE_ADD,
	ST_MESSAGE_EXISTS,
	ST_SENT_RCPT,
	ST_ACK_ADD,
	ST_MESSAGE_ESCALATED,
	ST_OUTBOX_ADD,
	ST_OUTBOX_RECEIPT,
	ST_MESSAGE_LOGGED,
	ST_RECORD_IS_CHECK,
	ST_ALERT_ADD,
	ST_CHECKPOINT_V2,
	ST_TIMES_AROUND,
	ST_RECORD_ID_AT,
	ST_RECORD_ADD_PUBLIC,
	ST_PUBLIC_BELOW,
	ST_PUB_GET,
	ST_PUB_PUT,
	ST_ALARMS_RESOLVE,
	ST_ALARMS_UNRESOLVED,
	ST_TAXII_COLL_ADD,
	ST_TAXII_COLL_ENSURE,
	ST_TAXII_COLL_BY_UUID,
	ST_TAXII_COLL_BY_ALIAS,
	ST_STIX_OBJECT_PUT,
	ST_STIX_OBJECT_GET,
	ST_TAXII_ENTRY_ADD,
	ST_TAXII_ENTRY_VERSIONS,
	ST_STIX_MSG_DONE,
	ST_STIX_MSG_FILED,
	ST_TAXII_TOKEN_GET,
	ST_TAXII_TOKEN_USED,
	ST_TAXII_STATUS_COLLS,
	ST_COUNT
};

struct store {
	sqlite3 *db;
	sqlite3_stmt *kept[ST_COUNT];
};

/* The kept statement k, prepared from sql on first use, reset and with no
 * bindings; NULL with rs_err. */
sqlite3_stmt *store_kept(struct node *n, enum stmt k, const char *sql);
/* A statement for one use (finalize it); NULL with rs_err. */
sqlite3_stmt *store_prep(struct node *n, const char *sql);
/* Steps a statement that returns no rows and resets it: 0, or -1 with
 * rs_err.  store_step_insert tells a uniqueness constraint
 * (STORE_DUPLICATE) from every other failure (STORE_ERROR). */
int store_done(struct node *n, sqlite3_stmt *st);
enum store_result store_step_insert(struct node *n, sqlite3_stmt *st);
/* Steps a statement that returns one row or none: SQLITE_ROW, SQLITE_DONE,
 * or an error (rs_err set).  The caller resets it. */
int store_step(struct node *n, sqlite3_stmt *st);
/* Column i as text, "" for NULL; as a malloc'd copy. */
const char *store_col_text(sqlite3_stmt *st, int i);
char *store_col_dup(sqlite3_stmt *st, int i);

#endif
