/*
 * serve.c - "rosterd serve": run the hub.
 *
 * Start-up order matters: take the hub lock (one writer per log), open the
 * store (which may rebuild the tree), block SIGINT/SIGTERM in every thread
 * we are about to create, start the sequencer, then the HTTP server, and
 * only when it listens publish its URL in HUBDIR/serve.url (atomically, so a
 * reader never sees half a URL) and say so on stdout.  The main thread then
 * just waits for a signal with sigwait: no handler runs in an arbitrary
 * context, and shutdown happens in ordinary code.
 *
 * Shutdown is the reverse: stop the HTTP server (it waits for requests in
 * flight, which may be waiting on the sequencer, which is still running),
 * then the sequencer (it finishes what is queued), then close the store
 * (which saves the latest checkpoint), remove serve.url, release the lock.
 *
 * Operations: with --metrics-listen (or metrics_listen in hub.json) a second
 * listener serves GET /metrics (metrics.c), its URL in HUBDIR/metrics.url;
 * --log-format json (or log_format) makes every event, each request
 * included, one JSON object on standard error (lib/log.h).
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "api.h"
#include "blobs.h"
#include <sodium.h>

#include "hub.h"
#include "log.h"
#include "mailwait.h"
#include "metrics.h"
#include "sequencer.h"
#include "store.h"
#include "util.h"

struct serve_opts {
	const char *hubdir;
	const char *listen;
	const char *tls_cert;
	const char *tls_key;
	const char *metrics_listen;
	const char *log_format;
	unsigned threads;
};

static int
parse_serve(int argc, char **argv, struct serve_opts *o)
{
	struct opts op;
	const char *threads;
	char *end;
	long v;

	memset(o, 0, sizeof(*o));
	if (hub_opts(&op, &hdoc_serve, argc, argv) != 0)
		return -1;
	o->listen = opt_value(&op, "--listen");
	threads = opt_value(&op, "--threads");
	o->tls_cert = opt_value(&op, "--tls-cert");
	o->tls_key = opt_value(&op, "--tls-key");
	o->metrics_listen = opt_value(&op, "--metrics-listen");
	o->log_format = opt_value(&op, "--log-format");
	if (hub_opts_finish(&op, &o->hubdir) != 0)
		return -1;
	if (threads != NULL) {
		v = strtol(threads, &end, 10);
		if (*threads == '\0' || *end != '\0' || v < 1 || v > HUB_MAX_THREADS) {
			opts_usage_for("rosterd", "serve", "--threads must be a number "
			    "from 1 to %d", HUB_MAX_THREADS);
			return -1;
		}
		o->threads = (unsigned)v;
	}
	return 0;
}

/* "http://HOST:PORT" for clients on this machine: a wildcard listen address
 * is reached through loopback. */
static void
serve_url(char *out, size_t len, const char *listen, uint16_t port, int tls)
{
	char host[HUB_LISTEN_MAX];
	const char *colon = strrchr(listen, ':');
	size_t n = colon != NULL ? (size_t)(colon - listen) : 0;

	if (n >= sizeof(host))
		n = 0;
	memcpy(host, listen, n);
	host[n] = '\0';
	if (n == 0 || strcmp(host, "0.0.0.0") == 0)
		snprintf(host, sizeof(host), "127.0.0.1");
	else if (strcmp(host, "[::]") == 0)
		snprintf(host, sizeof(host), "[::1]");
	snprintf(out, len, "%s://%s:%u", tls ? "https" : "http", host, (unsigned)port);
}

static int
block_signals(sigset_t *set)
{
	sigemptyset(set);
	sigaddset(set, SIGINT);
	sigaddset(set, SIGTERM);
	if (pthread_sigmask(SIG_BLOCK, set, NULL) != 0) {
		rs_seterr("cannot block signals");
		return -1;
	}
	signal(SIGPIPE, SIG_IGN);
	return 0;
}

static void
wait_for_signal(const sigset_t *set)
{
	int sig = 0;

	while (sigwait(set, &sig) != 0)
		;
	log_event(LOG_INFO, "stop", "%s received, stopping",
	    sig == SIGINT ? "SIGINT" : "SIGTERM");
}

/* What another process appended to a shared database wakes the long polls
 * parked here (store_set_wake). */
static void
wake_parked(void *arg, const uint8_t (*keys)[32], size_t n, int all)
{
	if (all)
		http_server_wake_all(arg);
	else
		http_server_wake(arg, keys, n);
}

/* The metrics listener, its URL in HUBDIR/metrics.url. */
static int
start_metrics(const struct serve_opts *o, const struct hub_config *cfg,
    struct api *api, struct http_server *srv, struct metrics_server **ms)
{
	char url[HUB_LISTEN_MAX + 48], *path;
	int rc;

	*ms = NULL;
	if (cfg->metrics_listen[0] == '\0')
		return 0;
	if ((*ms = metrics_start(cfg->metrics_listen, api, srv)) == NULL)
		return -1;
	serve_url(url, sizeof(url), cfg->metrics_listen, metrics_port(*ms), 0);
	strcat(url, "/metrics\n");
	path = hub_path(o->hubdir, "metrics.url");
	rc = write_file_atomic(path, url, strlen(url), 0644);
	free(path);
	url[strlen(url) - 1] = '\0';
	log_event(LOG_INFO, "metrics", "metrics on %s", url);
	return rc;
}

static int
run(const struct serve_opts *o, struct hub_config *cfg)
{
	struct api api = {0};
	struct http_server *srv = NULL;
	struct metrics_server *ms = NULL;
	struct buf cert = {0}, key = {0};
	struct http_limits lim = {0};
	char url[HUB_LISTEN_MAX + 32], *urlpath = hub_path(o->hubdir, "serve.url");
	sigset_t set;
	int rc = -1;

	if (block_signals(&set) != 0)
		goto out;
	mailwait_raise_fd_limit();
	if ((api.s = store_open(o->hubdir, cfg)) == NULL)
		goto out;
	if ((api.nonces = nonce_cache_new()) == NULL) {
		rs_seterr("cannot allocate the nonce cache");
		goto out;
	}
	if ((api.pool = workpool_new(0)) == NULL)
		goto out;
	if ((api.q = seq_start(api.s)) == NULL)
		goto out;
	if (cfg->tls_cert[0] != '\0' &&
	    (read_file(cfg->tls_cert, &cert, 1 << 20) != 0 ||
	    read_file(cfg->tls_key, &key, 1 << 20) != 0))
		goto out;
	lim.per_address = cfg->conn_per_address;
	lim.header_timeout_s = cfg->header_timeout_s;
	lim.parks_per_key = cfg->waits_per_device;
	srv = http_server_start_limited(cfg->listen, cfg->max_body, cfg->threads,
	    api_handle, &api, cert.p ? buf_cstr(&cert) : NULL,
	    key.p ? buf_cstr(&key) : NULL, &lim);
	if (key.p != NULL)
		sodium_memzero(key.p, key.len);
	if (srv == NULL || blobs_serve(srv, &api) != 0)
		goto out;
	seq_set_notify(api.q, mailwait_notify, srv);
	store_set_wake(api.s, wake_parked, srv);
	if (store_follow(api.s) != 0)
		goto out;
	if (start_metrics(o, cfg, &api, srv, &ms) != 0)
		goto out;
	serve_url(url, sizeof(url), cfg->listen, http_server_port(srv),
	    cfg->tls_cert[0] != '\0');
	strcat(url, "\n");
	if (write_file_atomic(urlpath, url, strlen(url), 0644) != 0)
		goto out;
	url[strlen(url) - 1] = '\0';
	if (log_format() == LOG_PLAIN) {
		printf("rosterd: serving %s on %s\n", cfg->name, url);
		fflush(stdout);
	} else {
		json_t *f = json_object();
		json_object_set_new(f, "url", json_string(url));
		log_fields(LOG_INFO, "start", f, 0, "serving %s on %s", cfg->name, url);
	}
	wait_for_signal(&set);
	rc = 0;
out:
	if (rc != 0)
		log_event(LOG_ERROR, "fatal", "serve: %s", rs_err());
	if (api.q != NULL)
		seq_set_notify(api.q, NULL, NULL);
	if (api.s != NULL)
		store_set_wake(api.s, NULL, NULL);
	if (ms != NULL) {
		char *mpath = hub_path(o->hubdir, "metrics.url");
		unlink(mpath);
		free(mpath);
	}
	metrics_stop(ms);
	http_server_stop(srv);
	seq_stop(api.q);
	workpool_free(api.pool);
	store_close(api.s);
	nonce_cache_free(api.nonces);
	if (srv != NULL)
		unlink(urlpath);
	free(urlpath);
	buf_free(&cert);
	buf_free(&key);
	return rc;
}

int
cmd_serve(int argc, char **argv)
{
	struct serve_opts o;
	struct hub_config cfg;
	enum log_format lf;
	int lockfd, rc;

	if (parse_serve(argc, argv, &o) != 0)
		return 2;
	if (hub_config_read(o.hubdir, &cfg) != 0) {
		fprintf(stderr, "rosterd serve: %s\n", rs_err());
		return 1;
	}
	if (o.listen != NULL) {
		if (strlen(o.listen) >= sizeof(cfg.listen)) {
			fprintf(stderr, "rosterd serve: --listen address too long\n");
			return 2;
		}
		snprintf(cfg.listen, sizeof(cfg.listen), "%s", o.listen);
	}
	if (o.threads > 0)
		cfg.threads = o.threads;
	if (o.metrics_listen != NULL) {
		if (strlen(o.metrics_listen) >= sizeof(cfg.metrics_listen) ||
		    strchr(o.metrics_listen, ':') == NULL) {
			fprintf(stderr, "rosterd serve: --metrics-listen must be ADDR:PORT\n");
			return 2;
		}
		snprintf(cfg.metrics_listen, sizeof(cfg.metrics_listen), "%s",
		    o.metrics_listen);
	}
	if (o.log_format != NULL) {
		if (strlen(o.log_format) >= sizeof(cfg.log_format)) {
			fprintf(stderr, "rosterd serve: --log-format must be plain or json\n");
			return 2;
		}
		snprintf(cfg.log_format, sizeof(cfg.log_format), "%s", o.log_format);
	}
	if (log_format_parse(cfg.log_format, &lf) != 0) {
		fprintf(stderr, "rosterd serve: %s\n", rs_err());
		return 2;
	}
	log_setup("rosterd", lf);
	if ((o.tls_cert == NULL) != (o.tls_key == NULL)) {
		fprintf(stderr, "rosterd serve: --tls-cert and --tls-key go together\n");
		return 2;
	}
	if (o.tls_cert != NULL) {
		snprintf(cfg.tls_cert, sizeof(cfg.tls_cert), "%s", o.tls_cert);
		snprintf(cfg.tls_key, sizeof(cfg.tls_key), "%s", o.tls_key);
	}
	if ((cfg.tls_cert[0] == '\0') != (cfg.tls_key[0] == '\0')) {
		fprintf(stderr, "rosterd serve: tls_cert and tls_key go together\n");
		return 1;
	}
	rc = hub_lock(o.hubdir, &lockfd);
	if (rc != 0) {
		fprintf(stderr, "rosterd serve: %s%s\n", rs_err(), rc == 1 ?
		    " (is the hub already serving, or an admit running?)" : "");
		return 1;
	}
	if (log_capture_stderr() != 0) {
		fprintf(stderr, "rosterd serve: %s\n", rs_err());
		hub_unlock(lockfd);
		return 1;
	}
	rc = run(&o, &cfg);
	log_capture_end();
	hub_unlock(lockfd);
	return rc == 0 ? 0 : 1;
}
