/*
 * serve.c - roster serve: the long-running node.
 *
 * One loop syncs with the hub every few seconds; an HTTP server answers the
 * local API (docs/node-api.md) for the people and tools of the State.  Both
 * use the one store, so a mutex keeps a sync pass and an API request from
 * interleaving inside a transaction.  The API listens on loopback by default:
 * it serves decrypted messages, so exposing it is a deliberate act, and one
 * that needs accounts (localapi.c answers the requests; web.h says how).
 */
#include "node.h"

#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "db.h"
#include "jsonutil.h"
#include "web.h"

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
	int interval = 2, rc;

	opts_init(&o, argc, argv);
	node_common_opts(&n, &o);
	listen = opt_value(&o, "--listen");
	iv = opt_value(&o, "--interval");
	rc = opts_finish(&o, "serve");
	opts_free(&o);
	if (rc != 0)
		return EXIT_USAGE;
	if (iv != NULL && ((interval = atoi(iv)) < 1 || interval > 3600))
		return usage_error("serve", "--interval must be between 1 and 3600 seconds");
	if (listen == NULL)
		listen = "127.0.0.1:8080";
	if (node_open(&n, 1) != 0) {
		rc = fail("serve");
		goto out;
	}
	if (web_init(&n, &node_lock, listen) != 0) {
		rc = fail("serve");
		goto out;
	}
	srv = http_server_start(listen, 1 << 20, 4, web_handle, &n);
	if (srv == NULL) {
		rc = fail("serve");
		goto out;
	}
	web_set_port(http_server_port(srv));
	const char *colon = strrchr(listen, ':');
	snprintf(url, sizeof(url), "http://%.*s:%u\n", (int)(colon - listen), listen,
	    http_server_port(srv));
	snprintf(path, sizeof(path), "%s/serve.url", n.dir);
	write_file_atomic(path, url, strlen(url), 0644);
	printf("roster: %s %s node serving on %s", n.cfg.state, n.cfg.role, url);
	fflush(stdout);
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	n.quiet = 0;
	while (!stopping) {
		struct sync_stats s;
		pthread_mutex_lock(&node_lock);
		rc = sync_once(&n, &s);
		pthread_mutex_unlock(&node_lock);
		if (rc != 0 && strcmp(lasterr, rs_err()) != 0) {
			fprintf(stderr, "roster: sync: %s (will retry)\n", rs_err());
			snprintf(lasterr, sizeof(lasterr), "%s", rs_err());
		} else if (rc == 0) {
			lasterr[0] = '\0';
			if (s.messages || s.acks)
				printf("roster: %d new message%s, %d acknowledgement%s\n",
				    s.messages, s.messages == 1 ? "" : "s", s.acks,
				    s.acks == 1 ? "" : "s");
			fflush(stdout);
		}
		for (int i = 0; i < interval * 10 && !stopping; i++)
			usleep(100000);
	}
	rc = 0;
out:
	if (srv != NULL)
		http_server_stop(srv);
	web_free();
	node_close(&n);
	return rc;
}
