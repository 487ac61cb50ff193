/*
 * alerts.c - `roster alerts`: configure, test and list the e-mail alerts
 * of node/core/alert.c.
 *
 *   roster alerts                 the settings and every alert, newest first
 *   roster alerts set ...         where alerts go and through which server
 *   roster alerts off             no more alerts (queued ones still go)
 *   roster alerts test            sends a test alert now, and says how it went
 *
 * The settings live in NODEDIR/config.json (node/core/config.c); a running
 * `roster serve` reads them again before each alert, so no restart is
 * needed.  Every value is checked before it is saved: an address or URL
 * that could smuggle a header or an SMTP command is refused.
 */
#include "cli.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/alert.h"
#include "core/store.h"

struct set_args {
	const char *email, *smtp, *from, *user, *password_file, *smtp_ca,
	    *node_url;
};

static int
set_field(char *dst, size_t len, const char *v, const char *opt)
{
	if (strlen(v) >= len) {
		rs_seterr("%s is too long (at most %zu bytes)", opt, len - 1);
		return -1;
	}
	snprintf(dst, len, "%s", v);
	return 0;
}

static int
check_set(const struct set_args *a)
{
	if (a->email == NULL || a->smtp == NULL) {
		rs_seterr("alerts set needs --email ADDRESS and --smtp URL");
		return -1;
	}
	if (vocab_email_check("--email", a->email) != 0 ||
	    alert_check_smtp_url(a->smtp) != 0 ||
	    (a->from != NULL && vocab_email_check("--from", a->from) != 0))
		return -1;
	if ((a->user == NULL) != (a->password_file == NULL)) {
		rs_seterr("--user and --password-file go together");
		return -1;
	}
	if (a->user != NULL && (a->user[0] == '\0' ||
	    strpbrk(a->user, "\r\n") != NULL)) {
		rs_seterr("--user must be a non-empty name on one line");
		return -1;
	}
	if (a->smtp_ca != NULL && access(a->smtp_ca, R_OK) != 0) {
		rs_seterr("--smtp-ca %s cannot be read", a->smtp_ca);
		return -1;
	}
	if (a->node_url != NULL && (strpbrk(a->node_url, " \t\r\n") != NULL ||
	    a->node_url[0] == '\0')) {
		rs_seterr("--node-url must be a URL without spaces or line breaks");
		return -1;
	}
	return 0;
}

static int
do_set(struct node *n, const struct set_args *a)
{
	struct node_config *c = &n->cfg;

	if (set_field(c->alert_email, sizeof(c->alert_email), a->email, "--email") ||
	    set_field(c->smtp_url, sizeof(c->smtp_url), a->smtp, "--smtp") ||
	    set_field(c->smtp_from, sizeof(c->smtp_from), a->from ? a->from : "",
	    "--from") ||
	    set_field(c->smtp_user, sizeof(c->smtp_user), a->user ? a->user : "",
	    "--user") ||
	    set_field(c->smtp_password_file, sizeof(c->smtp_password_file),
	    a->password_file ? a->password_file : "", "--password-file") ||
	    set_field(c->smtp_ca, sizeof(c->smtp_ca), a->smtp_ca ? a->smtp_ca : "",
	    "--smtp-ca") ||
	    (a->node_url != NULL && set_field(c->node_url, sizeof(c->node_url),
	    a->node_url, "--node-url")) || config_save(n) != 0)
		return -1;
	printf("alerts go to %s through %s\n", c->alert_email, c->smtp_url);
	return 0;
}

static int
do_off(struct node *n)
{
	n->cfg.alert_email[0] = '\0';
	if (config_save(n) != 0)
		return -1;
	printf("alerts are off\n");
	return 0;
}

static int
do_test(struct node *n)
{
	struct alert a;
	struct buf mail = {0};
	char url[512], why[RS_ERRLEN] = "";
	int ok;

	if (n->cfg.alert_email[0] == '\0') {
		rs_seterr("alerts are not set up: run `roster alerts set --email "
		    "ADDRESS --smtp URL` first");
		return -1;
	}
	if (alert_queue_test(n, &a) != 0)
		return -1;
	snprintf(url, sizeof(url), "%s", n->cfg.node_url[0] ? n->cfg.node_url : "-");
	ok = alert_compose(&n->cfg, url, &a, &mail) == 0 &&
	    alert_smtp_send(&n->cfg, a.rcpt, &mail) == 0;
	buf_free(&mail);
	if (!ok)
		snprintf(why, sizeof(why), "%s", rs_err());
	if (alert_record(n, &a, ok, why) != 0)
		return -1;
	if (!ok) {
		rs_seterr("%s", why);
		return -1;
	}
	printf("test alert sent to %s through %s\n", a.rcpt, n->cfg.smtp_url);
	return 0;
}

static const char *
state_of(const struct alert_row *r, char *out, size_t len)
{
	char t[32];

	if (r->sent != 0)
		snprintf(out, len, "sent %s", time_str(r->sent, t, sizeof(t)));
	else if (r->failed != 0)
		snprintf(out, len, "FAILED after %lld attempts: %s", (long long)r->attempts,
		    r->last_error);
	else if (r->attempts > 0)
		snprintf(out, len, "pending, %lld attempts, last: %s", (long long)r->attempts,
		    r->last_error);
	else
		snprintf(out, len, "pending");
	return out;
}

static int
print_alert(void *ud, const struct alert_row *r)
{
	char t[32], id[17] = "-", state[RS_ERRLEN + 64];

	if (r->has_ref)
		short_id(id, r->ref);
	printf("%s  %-8s %-8s %-16s to %s: %s\n", time_str(r->created, t, sizeof(t)),
	    r->kind, r->urgency ? r->urgency : "-", id, r->rcpt,
	    state_of(r, state, sizeof(state)));
	(*(int *)ud)++;
	return 0;
}

static int
do_list(struct node *n)
{
	const struct node_config *c = &n->cfg;
	int count = 0;

	if (c->alert_email[0] != '\0')
		printf("alerts to %s through %s%s%s\n", c->alert_email, c->smtp_url,
		    c->smtp_user[0] ? " as " : "", c->smtp_user);
	else
		printf("alerts are off (roster alerts set --email ADDRESS --smtp URL)\n");
	if (store_alerts_each(n, 200, print_alert, &count) != 0)
		return -1;
	if (count == 0)
		printf("no alerts\n");
	return 0;
}

/* 0, or -1 after a usage message. */
static int
check_usage(const char *sub, const struct set_args *a)
{
	if (sub == NULL)
		sub = "list";
	if (strcmp(sub, "list") != 0 && strcmp(sub, "set") != 0 &&
	    strcmp(sub, "off") != 0 && strcmp(sub, "test") != 0) {
		static const char *const subs[] = { "list", "set", "off", "test", NULL };
		const char *near = opts_nearest(sub, subs);
		if (near != NULL)
			usage_error("alerts", "unknown subcommand \"%s\" (did you mean %s?)",
			    sub, near);
		else
			usage_error("alerts", "unknown subcommand \"%s\" (list, set, off "
			    "or test)", sub);
		return -1;
	}
	if (strcmp(sub, "set") != 0 && (a->email || a->smtp || a->from ||
	    a->user || a->password_file || a->smtp_ca || a->node_url)) {
		usage_error("alerts", "options --email, --smtp, --from, --user, "
		    "--password-file, --smtp-ca and --node-url go with \"set\"");
		return -1;
	}
	if (strcmp(sub, "set") == 0 && check_set(a) != 0) {
		usage_error("alerts", "%s", rs_err());
		return -1;
	}
	return 0;
}

int
cmd_alerts(int argc, char **argv)
{
	struct node n = {0};
	struct set_args a;
	struct opts o;
	const char *sub;
	int rc;

	if ((rc = cli_parse(&o, &doc_alerts, argc, argv)) != 0)
		return rc;
	node_common_opts(&n, &o);
	a.email = opt_value(&o, "--email");
	a.smtp = opt_value(&o, "--smtp");
	a.from = opt_value(&o, "--from");
	a.user = opt_value(&o, "--user");
	a.password_file = opt_value(&o, "--password-file");
	a.smtp_ca = opt_value(&o, "--smtp-ca");
	a.node_url = opt_value(&o, "--node-url");
	sub = opt_positional(&o);
	rc = cli_finish(&o);
	if (rc != 0 || check_usage(sub, &a) != 0) {
		node_close(&n);
		return EXIT_USAGE;
	}
	if (sub == NULL)
		sub = "list";
	if (node_open(&n, 0) != 0) {
		rc = fail("alerts");
		goto out;
	}
	if (strcmp(sub, "set") == 0)
		rc = do_set(&n, &a);
	else if (strcmp(sub, "off") == 0)
		rc = do_off(&n);
	else if (strcmp(sub, "test") == 0)
		rc = do_test(&n);
	else
		rc = do_list(&n);
	if (rc != 0)
		rc = fail("alerts");
out:
	node_close(&n);
	return rc;
}
