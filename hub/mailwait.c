/*
 * mailwait.c - long polling for mail.
 *
 * A node that wants its mail within a second, without asking every second,
 * sends GET /v1/mail?after=N&wait=S.  The handler (api.c) lists as usual;
 * when the page is empty it parks the request under the device's key
 * (lib/http_server.c suspends the connection, so 600 waiting devices hold
 * 600 idle sockets, not 600 threads).  After each commit the sequencer
 * calls mailwait_notify with the batches it appended; we collect the
 * devices named in "rcpt" of the msg and ack envelopes (the same routing
 * store.c writes) and wake their requests, whose handler lists again, now
 * at the new committed size and checkpoint: what a woken request answers
 * is durable and proven exactly as any other listing.
 *
 * A wake for a device that has nothing new for this request (a record it
 * already fetched by an ordinary sync) is harmless: the handler finds the
 * page empty again and parks until the same deadline.
 */
#include "mailwait.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "log.h"
#include "util.h"

/* Appends the devices of e's "rcpt" to *keys. */
static void
add_rcpt(const struct envelope *e, uint8_t (**keys)[32], size_t *n, size_t *cap)
{
	json_t *r = env_field(e, "rcpt"), *v;
	size_t i;

	if (!json_is_array(r))
		return;
	json_array_foreach(r, i, v) {
		if (*n == *cap) {
			*cap = *cap ? *cap * 2 : 64;
			*keys = xrealloc(*keys, *cap * 32);
		}
		if (json_is_string(v) &&
		    hex_decode_exact((*keys)[*n], 32, json_string_value(v)) == 0)
			(*n)++;
	}
}

void
mailwait_notify(void *arg, const struct seq_batch *list)
{
	struct http_server *srv = arg;
	uint8_t (*keys)[32] = NULL;
	size_t n = 0, cap = 0;

	for (const struct seq_batch *b = list; b != NULL; b = b->next)
		for (size_t i = 0; i < b->n; i++) {
			const struct seq_item *it = &b->items[i];
			if (it->status == 0 && it->has_receipt &&
			    kind_has(it->e.kind_id, KIND_ROUTED))
				add_rcpt(&it->e, &keys, &n, &cap);
		}
	if (n > 0)
		http_server_wake(srv, (const uint8_t (*)[32])keys, n);
	free(keys);
}

void
mailwait_park(const struct http_req *req, struct http_resp *resp,
    const uint8_t key[32], int64_t wait_s)
{
	if (wait_s <= 0)
		return;
	resp->park_until = req->since_ms + wait_s * 1000;
	memcpy(resp->park_key, key, 32);
}

void
mailwait_raise_fd_limit(void)
{
	struct rlimit rl;
	rlim_t want = MAILWAIT_FDS;

	if (getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur >= want)
		return;
	if (rl.rlim_max != RLIM_INFINITY && rl.rlim_max < want)
		want = rl.rlim_max;
	rl.rlim_cur = want;
	if (setrlimit(RLIMIT_NOFILE, &rl) != 0 || want < MAILWAIT_FDS)
		log_event(LOG_WARN, "fd-limit", "note: open file limit %llu; nodes "
		    "waiting for mail each hold a connection (raise it with "
		    "ulimit -n)", (unsigned long long)want);
}
