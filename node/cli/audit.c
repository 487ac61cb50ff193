/*
 * audit.c - roster audit (is the hub honest?), alarms, checkpoint and
 * proof check.
 *
 * The audit re-derives every claim from signed data and proofs rather than
 * trusting what sync recorded (node/core/audit.c); each check prints one
 * line, "ok" or "FAIL", and any FAIL makes the exit status 1.  Only a clean
 * audit cosigns: a node vouches only for what it verified.
 */
#include "cli.h"

#include <stdlib.h>
#include <string.h>

#include "core/audit.h"
#include "core/store.h"
#include "jsonutil.h"
#include "merkle.h"

static void
print_line(void *ud, int ok, const char *text)
{
	(void)ud;
	printf("%s %s\n", ok ? "ok  " : "FAIL", text);
}

int
cmd_audit(int argc, char **argv)
{
	struct node n = {0};
	struct audit_report r = { print_line, NULL, 0 };
	struct opts o;
	char fpr[RS_FPR_LEN];
	const char *witness;
	int nocosign, rc;

	if ((rc = cli_parse(&o, &doc_audit, argc, argv)) != 0)
		return rc;
	node_common_opts(&n, &o);
	nocosign = opt_flag(&o, "--no-cosign");
	witness = opt_value(&o, "--witness");
	if ((rc = cli_finish(&o)) != 0)
		goto out;
	if (node_open(&n, 1) != 0) {
		rc = fail("audit");
		goto out;
	}
	n.quiet = 1;
	fingerprint(fpr, n.cfg.device);
	printf("audit of hub \"%s\" by %s %s device %s\n", n.cfg.hub_name, n.cfg.state,
	    n.cfg.role, fpr);
	audit_run(&n, witness, !nocosign, &r);
	printf("%s: %d problem%s\n", r.failures ? "AUDIT FAILED" : "audit passed",
	    r.failures, r.failures == 1 ? "" : "s");
	rc = r.failures ? 1 : 0;
out:
	node_close(&n);
	return rc;
}

struct alarm_listing {
	json_t *arr;
	int json, evidence, count, open;
};

static int
print_alarm(void *ud, const struct alarm_row *a)
{
	struct alarm_listing *l = ud;
	char t[32], r[32];

	l->count++;
	l->open += a->resolved == 0;
	if (l->json) {
		json_t *o = json_pack("{s:I,s:I,s:s,s:s,s:s?}", "n", (json_int_t)a->row,
		    "time", (json_int_t)a->time, "kind", a->kind, "text", a->text,
		    "evidence", a->evidence);
		json_object_set_new(o, "index", a->index >= 0 ?
		    json_integer((json_int_t)a->index) : json_null());
		json_object_set_new(o, "resolved", a->resolved > 0 ?
		    json_integer((json_int_t)a->resolved) : json_null());
		json_array_append_new(l->arr, o);
		return 0;
	}
	if (a->resolved > 0)
		printf("#%lld  %s  %s  %s  (resolved %s)\n", (long long)a->row,
		    time_str(a->time, t, sizeof(t)), a->kind, a->text,
		    time_str(a->resolved, r, sizeof(r)));
	else
		printf("#%lld  %s  %s  %s\n", (long long)a->row, time_str(a->time, t, sizeof(t)),
		    a->kind, a->text);
	if (l->evidence && a->evidence != NULL)
		printf("      evidence: %s\n", a->evidence);
	return 0;
}

/* Every alarm, resolved or not; the exit status is 1 while any is
 * unresolved. */
int
cmd_alarms(int argc, char **argv)
{
	struct node n = {0};
	struct opts o;
	struct alarm_listing l = { json_array(), 0, 0, 0, 0 };
	int rc;

	if ((rc = cli_parse(&o, &doc_alarms, argc, argv)) != 0) {
		json_decref(l.arr);
		return rc;
	}
	node_common_opts(&n, &o);
	l.json = opt_flag(&o, "--json");
	l.evidence = opt_flag(&o, "--evidence");
	if ((rc = cli_finish(&o)) != 0)
		goto out;
	if (node_open(&n, 0) != 0 || store_alarm_rows_each(&n, print_alarm, &l) != 0) {
		rc = fail("alarms");
		goto out;
	}
	if (l.json) {
		char *text = json_dumps(l.arr, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		puts(text);
		free(text);
	} else if (l.count == 0)
		printf("no alarms: nothing this node verified contradicts itself\n");
	else if (l.open == 0)
		printf("no unresolved alarm: the records above were served intact again\n");
	rc = l.open > 0 ? 1 : 0;
out:
	json_decref(l.arr);
	node_close(&n);
	return rc;
}

int
cmd_checkpoint(int argc, char **argv)
{
	struct node n = {0};
	struct stored_checkpoint c;
	struct opts o;
	int rc;

	if ((rc = cli_parse(&o, &doc_checkpoint, argc, argv)) != 0)
		return rc;
	node_common_opts(&n, &o);
	if ((rc = cli_finish(&o)) != 0)
		goto out;
	if (node_open(&n, 0) != 0) {
		rc = fail("checkpoint");
		goto out;
	}
	rc = 1;
	if (store_checkpoint_newest(&n, &c) == STORE_OK) {
		json_t *j = json_object();
		json_object_set_new(j, "checkpoint", json_string(c.text));
		json_object_set_new(j, "sig", jb64(c.sig, 64));
		char *text = json_dumps(j, JSON_INDENT(2));
		puts(text);
		free(text);
		json_decref(j);
		stored_checkpoint_free(&c);
		rc = 0;
	} else
		fprintf(stderr, "roster checkpoint: this node has not verified any "
		    "checkpoint yet (run `roster sync`)\n");
out:
	node_close(&n);
	return rc;
}

int
cmd_proof(int argc, char **argv)
{
	struct buf b = {0};
	struct opts o;
	const char *sub, *file;
	int rc;

	if ((rc = cli_parse(&o, &doc_proof, argc, argv)) != 0)
		return rc;
	sub = opt_positional(&o);
	file = opt_positional(&o);
	if ((rc = cli_finish(&o)) != 0)
		return rc;
	if (sub == NULL || strcmp(sub, "check") != 0 || file == NULL)
		return usage_error("proof", "give check FILE.json");
	if (read_file(file, &b, 16u << 20) != 0) {
		fprintf(stderr, "roster proof: %s\n", rs_err());
		return 2;
	}
	rc = merkle_check_json((const char *)b.p, b.len);
	buf_free(&b);
	if (rc == 0)
		printf("proof holds\n");
	else if (rc == 1)
		printf("proof does not hold: %s\n", rs_err());
	else
		fprintf(stderr, "roster proof: %s: %s\n", file, rs_err());
	return rc;
}
