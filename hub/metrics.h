/*
 * metrics.h - the hub's Prometheus endpoint (docs/operations.md, "Metrics").
 *
 * Off unless asked for: "rosterd serve --metrics-listen ADDR:PORT" (or
 * "metrics_listen" in hub.json) serves GET /metrics, in Prometheus' text
 * format, on a listener of its own, so the figures can be kept to a
 * monitoring network while the API faces the nodes.  What it counts is
 * about the service, never about a message: envelopes accepted and refused
 * by reason, requests and their latency per route, quota refusals, commits
 * and their latency, the log's size, the age of the newest checkpoint and
 * the long polls parked now.
 *
 * The counters are process-wide (one hub per process) and lock-free; the
 * request threads, the sequencer and the renderer touch them at once.
 */
#ifndef ROSTER_HUB_METRICS_H
#define ROSTER_HUB_METRICS_H

#include <stddef.h>
#include <stdint.h>

#include "http.h"

struct api;

/* A monotonic clock in microseconds, for the durations below. */
int64_t metrics_clock_us(void);

/* One envelope's outcome: status 0 appended, else the HTTP status of its
 * refusal (400, 403, 409, 413, 429, 503, ...). */
void metrics_envelope(int status);
/* One answered request on route (a path of the API, "other" for the rest),
 * its status and how long its handler ran. */
void metrics_request(const char *route, int status, int64_t usec);
/* One commit of the sequencer: how long making the batch durable took
 * (tree sync and database commit) and how many envelopes it appended. */
void metrics_commit(int64_t usec, uint64_t appended);

/* The text exposition of every metric into out. */
void metrics_render(struct api *a, struct http_server *api_srv, struct buf *out);

/* Serves GET /metrics on listen ("ADDR:PORT"); NULL with rs_err. */
struct metrics_server;
struct metrics_server *metrics_start(const char *listen, struct api *a,
    struct http_server *api_srv);
uint16_t metrics_port(struct metrics_server *m);
void metrics_stop(struct metrics_server *m);

#endif
