/*
 * metrics.c - see metrics.h.
 *
 * Every figure is a _Atomic counter bumped with relaxed ordering: a scrape
 * may see one counter a moment ahead of another, which Prometheus
 * tolerates, and the hot paths (every envelope, every request) pay one
 * atomic add.  Histograms keep a count per bucket (not cumulative, so an
 * observation touches one bucket), a sum and a count, and are made
 * cumulative when rendered.
 *
 * Labels are bounded by construction: routes are the API's own paths
 * (registered the first time each is seen, at most MAX_ROUTES, the rest
 * "other"), codes are HTTP statuses below 600, refusal reasons a fixed
 * list.  Nothing a client sends can add a series.
 */
#include "metrics.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api.h"
#include "util.h"

#define MAX_ROUTES	32
#define MAX_CODE	600

static const int64_t bucket_us[] = {
	1000, 2500, 5000, 10000, 25000, 50000, 100000, 250000, 500000,
	1000000, 2500000, 5000000, 10000000, 30000000
};
#define NBUCKETS	(sizeof(bucket_us) / sizeof(bucket_us[0]))

struct histogram {
	_Atomic uint64_t bucket[NBUCKETS + 1];	/* the last one is +Inf */
	_Atomic uint64_t count;
	_Atomic uint64_t sum_us;
};

struct route {
	const char *name;
	_Atomic uint64_t code[MAX_CODE];
	struct histogram latency;
};

static struct {
	pthread_mutex_t mu;		/* registering a route */
	struct route routes[MAX_ROUTES + 1];	/* the last is "other" */
	_Atomic size_t nroutes;
	_Atomic uint64_t accepted;
	_Atomic uint64_t refused[MAX_CODE];
	_Atomic uint64_t quota;
	_Atomic uint64_t commits;
	_Atomic uint64_t committed;
	struct histogram commit;
	int64_t start_ms;
} m = { .mu = PTHREAD_MUTEX_INITIALIZER };

int64_t
metrics_clock_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static void
observe(struct histogram *h, int64_t us)
{
	size_t i = 0;

	if (us < 0)
		us = 0;
	while (i < NBUCKETS && us > bucket_us[i])
		i++;
	atomic_fetch_add_explicit(&h->bucket[i], 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&h->count, 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&h->sum_us, (uint64_t)us, memory_order_relaxed);
}

void
metrics_envelope(int status)
{
	if (status == 0)
		atomic_fetch_add_explicit(&m.accepted, 1, memory_order_relaxed);
	else if (status > 0 && status < MAX_CODE)
		atomic_fetch_add_explicit(&m.refused[status], 1, memory_order_relaxed);
}

/* The route's slot, registering it when new. */
static struct route *
route_of(const char *name)
{
	size_t n = atomic_load(&m.nroutes);

	for (size_t i = 0; i < n; i++)
		if (strcmp(m.routes[i].name, name) == 0)
			return &m.routes[i];
	pthread_mutex_lock(&m.mu);
	n = atomic_load(&m.nroutes);
	for (size_t i = 0; i < n; i++)
		if (strcmp(m.routes[i].name, name) == 0) {
			pthread_mutex_unlock(&m.mu);
			return &m.routes[i];
		}
	if (n == MAX_ROUTES || strcmp(name, "other") == 0) {
		pthread_mutex_unlock(&m.mu);
		return &m.routes[MAX_ROUTES];
	}
	m.routes[n].name = xstrdup(name);	/* kept for the process's life */
	atomic_store(&m.nroutes, n + 1);
	pthread_mutex_unlock(&m.mu);
	return &m.routes[n];
}

void
metrics_request(const char *route, int status, int64_t usec)
{
	struct route *r = route_of(route);

	if (status > 0 && status < MAX_CODE)
		atomic_fetch_add_explicit(&r->code[status], 1, memory_order_relaxed);
	observe(&r->latency, usec);
	if (status == 429)
		atomic_fetch_add_explicit(&m.quota, 1, memory_order_relaxed);
}

void
metrics_commit(int64_t usec, uint64_t appended)
{
	atomic_fetch_add_explicit(&m.commits, 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&m.committed, appended, memory_order_relaxed);
	observe(&m.commit, usec);
}

/* ---- rendering --------------------------------------------------------- */

static const char *
reason_of(int status)
{
	switch (status) {
	case 400: return "malformed";
	case 403: return "forbidden";
	case 409: return "conflict";
	case 413: return "too_large";
	case 429: return "quota";
	case 503: return "unavailable";
	default: return "other";
	}
}

static void
help(struct buf *out, const char *name, const char *type, const char *text)
{
	buf_printf(out, "# HELP %s %s\n# TYPE %s %s\n", name, text, name, type);
}

static void
render_histogram(struct buf *out, const char *name, const char *labels,
    struct histogram *h)
{
	uint64_t cum = 0;
	const char *sep = labels[0] != '\0' ? "," : "";

	for (size_t i = 0; i <= NBUCKETS; i++) {
		cum += atomic_load_explicit(&h->bucket[i], memory_order_relaxed);
		if (i < NBUCKETS)
			buf_printf(out, "%s_bucket{%s%sle=\"%g\"} %llu\n", name, labels,
			    sep, (double)bucket_us[i] / 1e6, (unsigned long long)cum);
		else
			buf_printf(out, "%s_bucket{%s%sle=\"+Inf\"} %llu\n", name,
			    labels, sep, (unsigned long long)cum);
	}
	buf_printf(out, "%s_sum%s%s%s %.6f\n", name, *sep ? "{" : "", labels,
	    *sep ? "}" : "", (double)atomic_load(&h->sum_us) / 1e6);
	buf_printf(out, "%s_count%s%s%s %llu\n", name, *sep ? "{" : "", labels,
	    *sep ? "}" : "", (unsigned long long)atomic_load(&h->count));
}

static void
render_requests(struct buf *out)
{
	size_t n = atomic_load(&m.nroutes);
	char labels[160];

	help(out, "roster_http_requests_total", "counter",
	    "Requests answered, by route and status code.");
	for (size_t i = 0; i <= MAX_ROUTES; i++) {
		struct route *r = &m.routes[i];
		if (i >= n && i != MAX_ROUTES)
			continue;
		for (int c = 0; c < MAX_CODE; c++) {
			uint64_t v = atomic_load_explicit(&r->code[c], memory_order_relaxed);
			if (v > 0)
				buf_printf(out, "roster_http_requests_total{route=\"%s\","
				    "code=\"%d\"} %llu\n", i == MAX_ROUTES ? "other" :
				    r->name, c, (unsigned long long)v);
		}
	}
	help(out, "roster_http_request_duration_seconds", "histogram",
	    "Time the handler took, by route (a parked long poll counts each run).");
	for (size_t i = 0; i <= MAX_ROUTES; i++) {
		struct route *r = &m.routes[i];
		if ((i >= n && i != MAX_ROUTES) || atomic_load(&r->latency.count) == 0)
			continue;
		snprintf(labels, sizeof(labels), "route=\"%s\"",
		    i == MAX_ROUTES ? "other" : r->name);
		render_histogram(out, "roster_http_request_duration_seconds", labels,
		    &r->latency);
	}
}

static void
render_envelopes(struct buf *out)
{
	help(out, "roster_envelopes_accepted_total", "counter",
	    "Envelopes appended to the log (with a receipt).");
	buf_printf(out, "roster_envelopes_accepted_total %llu\n",
	    (unsigned long long)atomic_load(&m.accepted));
	help(out, "roster_envelopes_refused_total", "counter",
	    "Envelopes refused, by the status of the refusal.");
	for (int c = 0; c < MAX_CODE; c++) {
		uint64_t v = atomic_load_explicit(&m.refused[c], memory_order_relaxed);
		if (v > 0)
			buf_printf(out, "roster_envelopes_refused_total{reason=\"%s\","
			    "code=\"%d\"} %llu\n", reason_of(c), c,
			    (unsigned long long)v);
	}
	help(out, "roster_quota_refusals_total", "counter",
	    "Requests answered 429 (a device's or an address's quota).");
	buf_printf(out, "roster_quota_refusals_total %llu\n",
	    (unsigned long long)atomic_load(&m.quota));
}

static void
render_store(struct buf *out, struct api *a, struct http_server *srv)
{
	struct store *s = a->s;
	uint64_t size, pub;
	int64_t cp_time = -1;

	store_sizes(s, &size, &pub, NULL);
	help(out, "roster_log_size", "gauge", "Envelopes in the log (committed).");
	buf_printf(out, "roster_log_size %llu\n", (unsigned long long)size);
	help(out, "roster_public_size", "gauge", "Public records in the log.");
	buf_printf(out, "roster_public_size %llu\n", (unsigned long long)pub);
	pthread_mutex_lock(&s->cp_mu);
	if (s->cp_valid)
		cp_time = s->cp.time;
	pthread_mutex_unlock(&s->cp_mu);
	help(out, "roster_checkpoint_age_seconds", "gauge",
	    "Age of the newest checkpoint this process signed or loaded "
	    "(absent before the first).");
	if (cp_time >= 0)
		buf_printf(out, "roster_checkpoint_age_seconds %.3f\n",
		    (double)(now_ms() - cp_time) / 1000.0);
	help(out, "roster_long_polls_parked", "gauge",
	    "Mail requests held open (long polling) now.");
	buf_printf(out, "roster_long_polls_parked %zu\n",
	    srv != NULL ? http_server_parked(srv) : (size_t)0);
	help(out, "roster_db_commits_total", "counter",
	    "Sequencer commits that appended envelopes.");
	buf_printf(out, "roster_db_commits_total %llu\n",
	    (unsigned long long)atomic_load(&m.commits));
	help(out, "roster_db_commit_duration_seconds", "histogram",
	    "Time to make a batch durable: tree sync and database commit.");
	render_histogram(out, "roster_db_commit_duration_seconds", "", &m.commit);
}

void
metrics_render(struct api *a, struct http_server *api_srv, struct buf *out)
{
	render_envelopes(out);
	render_requests(out);
	render_store(out, a, api_srv);
	help(out, "roster_process_start_time_seconds", "gauge",
	    "When this process started, seconds since the epoch.");
	buf_printf(out, "roster_process_start_time_seconds %.3f\n",
	    (double)m.start_ms / 1000.0);
}

/* ---- the listener ------------------------------------------------------ */

struct metrics_server {
	struct api *a;
	struct http_server *api_srv;
	struct http_server *srv;
};

static void
handle(void *ctx, const struct http_req *req, struct http_resp *resp)
{
	struct metrics_server *ms = ctx;

	if (strcmp(req->path, "/metrics") != 0) {
		http_resp_error(resp, 404, "no such endpoint: %.200s (this listener "
		    "serves /metrics only)", req->path);
		return;
	}
	if (strcmp(req->method, "GET") != 0) {
		http_resp_error(resp, 405, "/metrics takes GET, not %.16s", req->method);
		snprintf(resp->extra_headers, sizeof(resp->extra_headers),
		    "Allow: GET\r\n");
		return;
	}
	buf_free(&resp->body);
	metrics_render(ms->a, ms->api_srv, &resp->body);
	resp->status = 200;
	resp->content_type = "text/plain; version=0.0.4; charset=utf-8";
}

struct metrics_server *
metrics_start(const char *listen, struct api *a, struct http_server *api_srv)
{
	struct metrics_server *ms = xcalloc(1, sizeof(*ms));

	ms->a = a;
	ms->api_srv = api_srv;
	if (m.start_ms == 0)
		m.start_ms = now_ms();
	if ((ms->srv = http_server_start(listen, 4096, 1, handle, ms)) == NULL) {
		free(ms);
		return NULL;
	}
	return ms;
}

uint16_t
metrics_port(struct metrics_server *ms)
{
	return http_server_port(ms->srv);
}

void
metrics_stop(struct metrics_server *ms)
{
	if (ms == NULL)
		return;
	http_server_stop(ms->srv);
	free(ms);
}
