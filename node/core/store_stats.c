/*
 * store_stats.c - the counts a running node reports about itself (its
 * metrics, node/web/metrics.c): one query over the store, no content.
 * See store.h.
 */
#include "store_impl.h"

#include <string.h>

int
store_stats(struct node *n, struct node_stats *s)
{
	sqlite3_stmt *st = store_prep(n, "SELECT"
	    " (SELECT count(*) FROM records),"
	    " (SELECT coalesce(max(idx), -1) + 1 FROM records),"
	    " (SELECT count(*) FROM outbox WHERE receipt IS NULL),"
	    " (SELECT count(*) FROM messages WHERE direction = 'in' AND acked = 0"
	    "   AND error IS NULL),"
	    " (SELECT count(*) FROM refusals),"
	    " (SELECT count(*) FROM alarms),"
	    " (SELECT count(*) FROM alerts WHERE sent IS NULL AND failed IS NULL"
	    "   AND kind != 'test'),"
	    " (SELECT count(*) FROM alerts WHERE failed IS NOT NULL)");
	int rc = -1;

	memset(s, 0, sizeof(*s));
	if (st == NULL)
		return -1;
	if (store_step(n, st) == SQLITE_ROW) {
		s->records = sqlite3_column_int64(st, 0);
		s->log_seen = sqlite3_column_int64(st, 1);
		s->outbox_pending = sqlite3_column_int64(st, 2);
		s->unacknowledged = sqlite3_column_int64(st, 3);
		s->refused = sqlite3_column_int64(st, 4);
		s->alarms = sqlite3_column_int64(st, 5);
		s->alerts_queued = sqlite3_column_int64(st, 6);
		s->alerts_failed = sqlite3_column_int64(st, 7);
		rc = 0;
	}
	sqlite3_finalize(st);
	return rc;
}
