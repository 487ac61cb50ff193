/*
 * sync.c - roster sync: one pass with the hub (node/core/sync.c), the
 * hub's templates refreshed, due overdue notices sent, and what waits for
 * this POC said in a line each.
 */
#include "cli.h"

#include "core/catalogue_node.h"
#include "core/checks.h"
#include "core/escalate.h"
#include "core/sync.h"
#include "jsonutil.h"

int
cmd_sync(int argc, char **argv)
{
	struct node n = {0};
	struct opts o;
	struct sync_stats s;
	json_t *stale;
	int rc, notices = 0, open;

	if ((rc = cli_parse(&o, &doc_sync, argc, argv)) != 0)
		return rc;
	node_common_opts(&n, &o);
	if ((rc = cli_finish(&o)) != 0) {
		node_close(&n);
		return rc;
	}
	if (node_open(&n, 1) != 0) {
		rc = fail("sync");
		goto out;
	}
	if (sync_once(&n, &s) != 0) {
		rc = fail("sync");
		goto out;
	}
	printf("checkpoint %llu verified; %d new message%s, %d acknowledgement%s, "
	    "%d directory record%s, %d envelope%s sent\n",
	    (unsigned long long)s.checkpoint, s.messages, s.messages == 1 ? "" : "s",
	    s.acks, s.acks == 1 ? "" : "s", s.directory, s.directory == 1 ? "" : "s",
	    s.sent, s.sent == 1 ? "" : "s");
	print_root_warnings(&n, stdout);
	if (catalogue_fetch(&n, NULL) != 0)
		fprintf(stderr, "roster sync: warning: the hub's templates were not"
		    " refreshed: %s\n", rs_err());
	if (escalate_due(&n, &notices) != 0)
		fprintf(stderr, "roster sync: deadlines: %s\n", rs_err());
	else if (notices > 0)
		printf("%d overdue notice%s sent (`roster status ID` shows who was reached)\n",
		    notices, notices == 1 ? "" : "s");
	open = checks_open(&n);
	if (open > 0)
		printf("%d communication check%s wait%s for this POC's answer (`roster checks`)\n",
		    open, open == 1 ? "" : "s", open == 1 ? "s" : "");
	stale = checks_stale(&n);	/* the administrator's reminder */
	if (json_array_size(stale) > 0)
		printf("reminder: %zu POC%s of %s not confirmed for %g days (`roster status`)\n",
		    json_array_size(stale), json_array_size(stale) == 1 ? "" : "s", n.cfg.state,
		    checks_stale_days(&n));
	json_decref(stale);
	rc = 0;
	if (s.refused > 0) {
		printf("%d record%s refused (see above)\n", s.refused, s.refused == 1 ? "" : "s");
		rc = 1;
	}
	if (s.unresolved > 0 || s.alarms > 0) {
		printf("%d alarm%s raised; %lld record%s the hub has not served intact "
		    "(`roster alarms`)\n", s.alarms, s.alarms == 1 ? "" : "s",
		    (long long)s.unresolved, s.unresolved == 1 ? "" : "s");
		rc = 1;
	}
out:
	node_close(&n);
	return rc;
}
