/*
 * serve.c - roster serve: the long-running node.  (The one command that
 * reaches into node/web: it starts the web interface beside the loop.)
 *
 * One loop syncs with the hub every few seconds; an HTTP server answers the
 * local API (docs/node-api.md) for the people and tools of the State.  Both
 * use the one store, so a mutex keeps a sync pass and an API request from
 * interleaving inside a transaction.  The API listens on loopback by
 * default: it serves decrypted messages, so exposing it is a deliberate act,
 * and one that needs accounts (node/web answers the requests; web/web.h
 * says how).  Two more threads run beside them: the mail watcher (watch.c), which
 * long-polls the hub and wakes the loop as soon as mail for this device is
 * logged, and the alert sender (alert.c), which e-mails the POC about urgent
 * mail, taking the same mutex for each use of the store.
 */
#include "cli.h"

#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/alert.h"
#include "core/catalogue_node.h"
#include "core/escalate.h"
#include "core/store.h"
#include "core/sync.h"
#include "core/watch.h"
#include "jsonutil.h"
#include "web/web.h"

static volatile sig_atomic_t stopping;
static pthread_mutex_t node_lock = PTHREAD_MUTEX_INITIALIZER;

static void
on_signal(int sig)
{
	(void)sig;
	stopping = 1;
}

int
cmd_serve(int argc, char **argv)
{
	struct node n = {0};
	struct opts o;
	struct http_server *srv = NULL;
	const char *listen, *iv;
	char url[128], path[4096], lasterr[RS_ERRLEN] = "";
	struct watch *watch = NULL;
	struct alerter *alerter = NULL;
	struct web *web = NULL;
	int64_t mail_after = -1;
	int interval = 2, rc;
	int64_t catalogue_at = 0;	/* last refresh of the hub's templates */

	if ((rc = cli_parse(&o, &doc_serve, argc, argv)) != 0)
		return rc;
	node_common_opts(&n, &o);
	listen = opt_value(&o, "--listen");
	iv = opt_value(&o, "--interval");
	if ((rc = cli_finish(&o)) != 0) {
		node_close(&n);
		return rc;
	}
	if (iv != NULL && ((interval = atoi(iv)) < 1 || interval > 3600)) {
		node_close(&n);
		return usage_error("serve", "--interval must be between 1 and 3600 seconds");
	}
	if (listen == NULL)
		listen = "127.0.0.1:8080";
	if (node_open(&n, 1) != 0) {
		rc = fail("serve");
		goto out;
	}
	if ((web = web_init(&n, &node_lock, listen)) == NULL) {
		rc = fail("serve");
		goto out;
	}
	srv = http_server_start(listen, 1 << 20, 4, web_handle, web);
	if (srv == NULL) {
		rc = fail("serve");
		goto out;
	}
	web_set_port(web, http_server_port(srv));
	const char *colon = strrchr(listen, ':');
	snprintf(url, sizeof(url), "http://%.*s:%u\n", (int)(colon - listen), listen,
	    http_server_port(srv));
	snprintf(path, sizeof(path), "%s/serve.url", n.dir);
	if (write_file_atomic(path, url, strlen(url), 0644) != 0)
		fprintf(stderr, "roster serve: cannot write %s: %s\n", path, rs_err());
	printf("roster serve: %s %s node serving on %s", n.cfg.state, n.cfg.role, url);
	fflush(stdout);
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	n.quiet = 0;
	(void)store_meta_get_int(&n, "mail_after", &mail_after);
	if ((watch = watch_start(&n, mail_after)) == NULL)
		fprintf(stderr, "roster serve: %s; mail comes with the periodic sync "
		    "only\n", rs_err());
	if ((alerter = alert_start(&n, &node_lock)) == NULL)
		fprintf(stderr, "roster serve: %s; no e-mail alerts\n", rs_err());
	while (!stopping) {
		struct sync_stats s;
		int notices = 0;
		char syncerr[RS_ERRLEN] = "";
		pthread_mutex_lock(&node_lock);
		rc = sync_once(&n, &s);
		if (rc != 0)
			snprintf(syncerr, sizeof(syncerr), "%s", rs_err());
		if (now_ms() - catalogue_at > 3600 * 1000 && catalogue_fetch(&n, NULL) == 0)
			catalogue_at = now_ms();
		if (escalate_due(&n, &notices) != 0)
			fprintf(stderr, "roster serve: deadlines: %s\n", rs_err());
		else if (notices > 0)
			printf("roster serve: %d overdue notice%s sent\n", notices,
			    notices == 1 ? "" : "s");
		(void)store_meta_get_int(&n, "mail_after", &mail_after);
		int64_t nap = escalate_next_ms(&n);
		pthread_mutex_unlock(&node_lock);
		nap = nap < (int64_t)interval * 1000 - 50 ? nap + 50 : (int64_t)interval * 1000;
		watch_set_cursor(watch, mail_after);
		if ((rc == 0 && s.messages > 0) || notices > 0)
			alert_kick(alerter);
		if (rc != 0 && strcmp(lasterr, syncerr) != 0) {
			fprintf(stderr, "roster serve: sync: %s (will retry)\n", syncerr);
			snprintf(lasterr, sizeof(lasterr), "%s", syncerr);
		} else if (rc == 0) {
			lasterr[0] = '\0';
			if (s.messages || s.acks)
				printf("roster serve: %d new message%s, %d acknowledgement%s\n",
				    s.messages, s.messages == 1 ? "" : "s", s.acks,
				    s.acks == 1 ? "" : "s");
			fflush(stdout);
		}
		watch_sleep(watch, nap, &stopping);
	}
	rc = 0;
out:
	watch_stop(watch);
	alert_stop(alerter);
	if (srv != NULL)
		http_server_stop(srv);
	web_free(web);
	node_close(&n);
	return rc;
}
