/*
 * metrics.c - roster serve's Prometheus endpoint (docs/operations.md, "A
 * State's nodes"): GET /metrics on a listener of its own, given by
 * --metrics-listen, never on the web interface's, so that a monitoring
 * system can read it without an account and without reaching the pages.
 *
 * A front end like the rest of node/web: it reads through the core (the
 * counts of store_stats, the time of the last good sync pass in struct
 * node) under the serve loop's lock, and prints.  Nothing it says is
 * content: how many records, envelopes waiting for a receipt, messages
 * waiting for the POC's acknowledgement, records refused, alarms, e-mail
 * alerts queued or given up, and when the node last synced.
 */
#include "web.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/contact.h"
#include "core/store.h"
#include "util.h"

struct web_metrics {
	struct node *n;
	pthread_mutex_t *lock;
	struct http_server *srv;
	int64_t start_ms;
};

static void
gauge(struct buf *out, const char *name, const char *help, double v)
{
	buf_printf(out, "# HELP %s %s\n# TYPE %s gauge\n%s %.17g\n", name, help,
	    name, name, v);
}

static void
render(struct web_metrics *m, struct buf *out)
{
	struct node_stats st;
	int64_t synced;
	int rc;

	pthread_mutex_lock(m->lock);
	rc = store_stats(m->n, &st);
	synced = contact_synced_at(m->n);	/* kept in the store by sync passes */
	pthread_mutex_unlock(m->lock);
	buf_printf(out, "# HELP roster_node_info The node's State and role.\n"
	    "# TYPE roster_node_info gauge\nroster_node_info{state=\"%s\","
	    "role=\"%s\"} 1\n", m->n->cfg.state, m->n->cfg.role);
	gauge(out, "roster_node_last_sync_success_timestamp_seconds",
	    "When a sync pass last completed (0: never).",
	    (double)synced / 1000.0);
	if (synced > 0)
		gauge(out, "roster_node_last_sync_age_seconds",
		    "Seconds since a sync pass last succeeded.",
		    (double)(now_ms() - synced) / 1000.0);
	if (rc != 0) {
		gauge(out, "roster_node_store_up", "Whether the store could be read.", 0);
		return;
	}
	gauge(out, "roster_node_store_up", "Whether the store could be read.", 1);
	gauge(out, "roster_node_records", "Log records held, verified.",
	    (double)st.records);
	gauge(out, "roster_node_log_seen", "The log size the records reach.",
	    (double)st.log_seen);
	gauge(out, "roster_node_outbox_pending",
	    "Envelopes signed here without the hub's receipt yet.",
	    (double)st.outbox_pending);
	gauge(out, "roster_node_messages_unacknowledged",
	    "Messages received that the POC has not acknowledged.",
	    (double)st.unacknowledged);
	gauge(out, "roster_node_records_refused",
	    "Records the node refused (roster alarms and refusals say why).",
	    (double)st.refused);
	gauge(out, "roster_node_alarms", "Alarms kept (evidence of a misbehaving hub).",
	    (double)st.alarms);
	gauge(out, "roster_node_alerts_queued", "E-mail alerts waiting to go.",
	    (double)st.alerts_queued);
	gauge(out, "roster_node_alerts_failed", "E-mail alerts given up.",
	    (double)st.alerts_failed);
	gauge(out, "roster_node_start_time_seconds", "When roster serve started.",
	    (double)m->start_ms / 1000.0);
}

static void
handle(void *ctx, const struct http_req *req, struct http_resp *resp)
{
	struct web_metrics *m = ctx;

	if (strcmp(req->path, "/metrics") != 0) {
		http_resp_error(resp, 404, "no such endpoint: %.200s (this listener "
		    "serves /metrics only)", req->path);
		return;
	}
	if (strcmp(req->method, "GET") != 0) {
		http_resp_error(resp, 405, "/metrics takes GET, not %.16s", req->method);
		snprintf(resp->extra_headers, sizeof(resp->extra_headers), "Allow: GET\r\n");
		return;
	}
	buf_free(&resp->body);
	render(m, &resp->body);
	resp->status = 200;
	resp->content_type = "text/plain; version=0.0.4; charset=utf-8";
}

struct web_metrics *
web_metrics_start(struct node *n, pthread_mutex_t *lock, const char *listen)
{
	struct web_metrics *m = xcalloc(1, sizeof(*m));

	m->n = n;
	m->lock = lock;
	m->start_ms = now_ms();
	if ((m->srv = http_server_start(listen, 4096, 1, handle, m)) == NULL) {
		free(m);
		return NULL;
	}
	return m;
}

unsigned
web_metrics_port(struct web_metrics *m)
{
	return http_server_port(m->srv);
}

void
web_metrics_stop(struct web_metrics *m)
{
	if (m == NULL)
		return;
	http_server_stop(m->srv);
	free(m);
}
