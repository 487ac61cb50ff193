/*
 * serve.c - roster serve: the long-running node.  (The one command that
 * reaches into node/web: it starts the web interface beside the loop.)
 *
 * One loop syncs with the hub every few seconds; an HTTP server answers the
 * local API (docs/node-api.md) for the people and tools of the State.  The
 * loop works on a node handle of its own (node_open_peer: its own store
 * connection, hub client and directory), so a pass that waits on a slow hub
 * holds nothing the web needs: its transactions are short and ask the hub
 * nothing (node/core/sync.c), and SQLite orders them with the web's.  The
 * web's handle is used under a mutex, and talks to no hub under it
 * (n->offline: what it signs is queued and the loop woken); after each pass
 * the web's directory takes in what the loop stored.  The API listens on loopback by
 * default: it serves decrypted messages, so exposing it is a deliberate act,
 * and one that needs accounts (node/web answers the requests; web/web.h
 * says how).  Two more threads run beside them: the mail watcher (watch.c), which
 * long-polls the hub and wakes the loop as soon as mail for this device is
 * logged, and the alert sender (alert.c), which e-mails the POC about urgent
 * mail, taking the same mutex for each use of the store.  NODEDIR/serve.lock
 * is held while it runs, so that `roster ack` beside it leaves the
 * acknowledgement to this loop rather than wait on the hub itself.
 *
 * The same address serves TAXII 2.1 under /taxii2/ to the State's CERT
 * tools (node/taxii: a third front end over core), and HTTPS when given
 * --tls-cert and --tls-key, as the hub does.  A tool's POST to an outbox
 * wakes the loop, which sends what it signed.
 *
 * Operations: --metrics-listen ADDR:PORT serves the node's Prometheus
 * figures on a listener of their own (node/web/metrics.c), its URL in
 * NODEDIR/metrics.url; --log-format json makes what the loop says, and
 * anything else written to standard error, one JSON object per line
 * (lib/log.h).  Neither ever carries a message's content.
 */
#include "cli.h"

#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "core/alert.h"
#include "core/catalogue_node.h"
#include "core/escalate.h"
#include "core/store.h"
#include "core/sync.h"
#include "core/verify.h"
#include "core/watch.h"
#include "jsonutil.h"
#include "log.h"
#include "taxii/taxii_server.h"
#include "web/web.h"

static volatile sig_atomic_t stopping;
static pthread_mutex_t node_lock = PTHREAD_MUTEX_INITIALIZER;

/* A web action queued something for the hub: sync now. */
static void
wake_loop(void *watch)
{
	watch_kick(watch);
}

static void
on_signal(int sig)
{
	(void)sig;
	stopping = 1;
}

/* What the one HTTP server answers: TAXII under /taxii2, else the web. */
struct front {
	struct web *web;
	struct taxii *taxii;
	struct watch *watch;		/* set once started; read by kick */
};

static void
front_handle(void *ctx, const struct http_req *req, struct http_resp *resp)
{
	struct front *f = ctx;

	if (taxii_path(req->path))
		taxii_handle(f->taxii, req, resp);
	else
		web_handle(f->web, req, resp);
}

/* A TAXII POST signed a message: the loop sends it now. */
static void
kick(void *arg)
{
	struct front *f = arg;

	watch_kick(__atomic_load_n(&f->watch, __ATOMIC_ACQUIRE));
}

/* The server, plain or over TLS (--tls-cert and --tls-key). */
static struct http_server *
start_server(const char *listen, const char *cert_file, const char *key_file,
    struct front *f)
{
	struct buf cert = {0}, key = {0};
	struct http_server *srv = NULL;

	if (cert_file != NULL && (read_file(cert_file, &cert, 1 << 20) != 0 ||
	    read_file(key_file, &key, 1 << 20) != 0))
		goto out;
	/* (the server's own 413, 414 and 431 keep the security headers) */
	const struct http_limits lim = { .headers = web_security_headers };
	srv = http_server_start_limited(listen, 1 << 20, 4, front_handle, f,
	    cert.p ? buf_cstr(&cert) : NULL, key.p ? buf_cstr(&key) : NULL, &lim);
	if (srv != NULL && taxii_attach(f->taxii, srv) != 0) {
		http_server_stop(srv);
		srv = NULL;
	}
out:
	if (key.p != NULL)
		sodium_memzero(key.p, key.len);
	buf_free(&key);
	buf_free(&cert);
	return srv;
}

int
cmd_serve(int argc, char **argv)
{
	struct node n = {0}, loop = {0};
	struct opts o;
	struct http_server *srv = NULL;
	const char *listen, *iv;
	char url[128], path[4096], lasterr[RS_ERRLEN] = "";
	struct watch *watch = NULL;
	struct alerter *alerter = NULL;
	struct front front = {0};
	struct web_metrics *metrics = NULL;
	const char *tls_cert, *tls_key, *mlisten, *lformat;
	enum log_format lf = LOG_PLAIN;
	int64_t mail_after = -1;
	int interval = 2, rc;
	int64_t catalogue_at = 0;	/* last refresh of the hub's templates */

	if ((rc = cli_parse(&o, &doc_serve, argc, argv)) != 0)
		return rc;
	node_common_opts(&n, &o);
	listen = opt_value(&o, "--listen");
	iv = opt_value(&o, "--interval");
	tls_cert = opt_value(&o, "--tls-cert");
	tls_key = opt_value(&o, "--tls-key");
	mlisten = opt_value(&o, "--metrics-listen");
	lformat = opt_value(&o, "--log-format");
	if ((rc = cli_finish(&o)) != 0) {
		node_close(&n);
		return rc;
	}
	if (iv != NULL && ((interval = atoi(iv)) < 1 || interval > 3600)) {
		node_close(&n);
		return usage_error("serve", "--interval must be between 1 and 3600 seconds");
	}
	if ((tls_cert == NULL) != (tls_key == NULL)) {
		node_close(&n);
		return usage_error("serve", "--tls-cert and --tls-key go together");
	}
	if (lformat != NULL && log_format_parse(lformat, &lf) != 0) {
		node_close(&n);
		return usage_error("serve", "--log-format must be plain or json");
	}
	if (mlisten != NULL && strchr(mlisten, ':') == NULL) {
		node_close(&n);
		return usage_error("serve", "--metrics-listen must be ADDR:PORT");
	}
	log_setup("roster", lf);
	if (log_capture_stderr() != 0) {
		node_close(&n);
		return fail("serve");
	}
	if (listen == NULL)
		listen = "127.0.0.1:8080";
	if (node_open(&n, 1) != 0 || node_serve_lock(&n) < 0 ||
	    node_open_peer(&loop, &n) != 0) {
		rc = fail("serve");
		goto out;
	}
	if ((front.web = web_init(&n, &node_lock, listen)) == NULL ||
	    (front.taxii = taxii_init(&n, &node_lock, listen_is_loopback(listen),
	    tls_cert != NULL, kick, &front)) == NULL) {
		rc = fail("serve");
		goto out;
	}
	if (taxii_backfill(front.taxii) != 0)
		fprintf(stderr, "roster: cannot file the stored messages into the TAXII "
		    "collections: %s\n", rs_err());
	if ((srv = start_server(listen, tls_cert, tls_key, &front)) == NULL) {
		rc = fail("serve");
		goto out;
	}
	web_set_port(front.web, http_server_port(srv));
	/* The metrics listener first: serve.url says the node is up, so
	 * everything it announces is there once serve.url is. */
	if (mlisten != NULL) {
		if ((metrics = web_metrics_start(&n, &node_lock, mlisten)) == NULL) {
			rc = fail("serve");
			goto out;
		}
		snprintf(url, sizeof(url), "http://%.*s:%u/metrics\n",
		    (int)(strrchr(mlisten, ':') - mlisten), mlisten,
		    web_metrics_port(metrics));
		snprintf(path, sizeof(path), "%s/metrics.url", n.dir);
		if (write_file_atomic(path, url, strlen(url), 0644) != 0)
			log_event(LOG_WARN, "metrics", "cannot write %s: %s", path, rs_err());
	}
	const char *colon = strrchr(listen, ':');
	snprintf(url, sizeof(url), "%s://%.*s:%u\n", tls_cert != NULL ? "https" : "http",
	    (int)(colon - listen), listen, http_server_port(srv));
	snprintf(path, sizeof(path), "%s/serve.url", n.dir);
	if (write_file_atomic(path, url, strlen(url), 0644) != 0)
		fprintf(stderr, "roster: cannot write %s: %s\n", path, rs_err());
	if (lf == LOG_PLAIN) {
		printf("roster: %s %s node serving on %s", n.cfg.state, n.cfg.role, url);
		fflush(stdout);
	} else {
		json_t *f = json_object();
		url[strcspn(url, "\n")] = '\0';
		json_object_set_new(f, "url", json_string(url));
		json_object_set_new(f, "state", json_string(n.cfg.state));
		log_fields(LOG_INFO, "start", f, 0, "%s %s node serving on %s",
		    n.cfg.state, n.cfg.role, url);
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	n.quiet = loop.quiet = 0;
	(void)store_meta_get_int(&loop, "mail_after", &mail_after);
	if ((watch = watch_start(&loop, mail_after)) == NULL)
		fprintf(stderr, "roster: %s; mail comes with the periodic sync "
		    "only\n", rs_err());
	__atomic_store_n(&front.watch, watch, __ATOMIC_RELEASE);
	web_set_wake(front.web, wake_loop, watch);
	pthread_mutex_lock(&node_lock);
	n.lock = &node_lock;	/* a download releases it meanwhile (hubclient.c) */
	pthread_mutex_unlock(&node_lock);
	if ((alerter = alert_start(&n, &node_lock)) == NULL)
		fprintf(stderr, "roster: %s; no e-mail alerts\n", rs_err());
	while (!stopping) {
		struct sync_stats s;
		int notices = 0;
		char syncerr[RS_ERRLEN] = "";
		pthread_mutex_lock(&node_lock);	/* what the alert thread adopted */
		alert_settings_copy(&loop.cfg, &n.cfg);
		pthread_mutex_unlock(&node_lock);
		rc = sync_once(&loop, &s);
		if (rc != 0)
			snprintf(syncerr, sizeof(syncerr), "%s", rs_err());
		if (now_ms() - catalogue_at > 3600 * 1000 &&
		    catalogue_fetch(&loop, NULL) == 0)
			catalogue_at = now_ms();
		if (escalate_due(&loop, &notices) != 0)
			log_event(LOG_WARN, "deadlines", "deadlines: %s", rs_err());
		else if (notices > 0)
			log_event(LOG_INFO, "overdue", "%d overdue notice%s sent", notices,
			    notices == 1 ? "" : "s");
		(void)store_meta_get_int(&loop, "mail_after", &mail_after);
		int64_t nap = escalate_next_ms(&loop);
		/* The web's directory takes in what the pass stored: replayed
		 * from the start when the pass took directory records (one may
		 * sit below those held, served after it was left out). */
		pthread_mutex_lock(&node_lock);
		int drc;
		if (s.directory > 0) {
			dir_free(n.directory);
			n.directory = NULL;
			drc = directory_load(&n);
		} else
			drc = directory_refresh(&n);
		if (drc != 0)
			fprintf(stderr, "roster: cannot refresh the web's directory: %s\n",
			    rs_err());
		pthread_mutex_unlock(&node_lock);
		nap = nap < (int64_t)interval * 1000 - 50 ? nap + 50 : (int64_t)interval * 1000;
		watch_set_cursor(watch, mail_after);
		if ((rc == 0 && s.messages > 0) || notices > 0)
			alert_kick(alerter);
		if (rc != 0 && strcmp(lasterr, syncerr) != 0) {
			log_event(LOG_WARN, "sync", "sync: %s (will retry)", syncerr);
			snprintf(lasterr, sizeof(lasterr), "%s", syncerr);
		} else if (rc == 0) {
			lasterr[0] = '\0';
			if ((s.messages || s.acks) && lf == LOG_PLAIN)
				printf("roster: %d new message%s, %d acknowledgement%s\n",
				    s.messages, s.messages == 1 ? "" : "s", s.acks,
				    s.acks == 1 ? "" : "s");
			else if (s.messages || s.acks) {
				json_t *f = json_object();
				json_object_set_new(f, "messages", json_integer(s.messages));
				json_object_set_new(f, "acks", json_integer(s.acks));
				log_fields(LOG_INFO, "synced", f, 0, "%d new messages, %d "
				    "acknowledgements", s.messages, s.acks);
			}
			fflush(stdout);
		}
		watch_sleep(watch, nap, &stopping);
	}
	rc = 0;
out:
	if (srv != NULL)
		http_server_stop(srv);
	__atomic_store_n(&front.watch, NULL, __ATOMIC_RELEASE);
	watch_stop(watch);
	alert_stop(alerter);
	web_metrics_stop(metrics);
	if (metrics != NULL) {
		snprintf(path, sizeof(path), "%s/metrics.url", n.dir);
		unlink(path);
	}
	web_free(front.web);
	taxii_free(front.taxii);
	node_close(&loop);
	node_close(&n);
	log_capture_end();
	return rc;
}
