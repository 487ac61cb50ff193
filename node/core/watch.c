/*
 * watch.c - new mail within a second: the long-polling thread of `roster
 * serve`.
 *
 * The thread keeps one signed request open to the hub, GET
 * /v1/mail?after=CURSOR&wait=25 (docs/protocol.md section 5): the hub
 * answers at once when records past the cursor wait for this device, else
 * holds the request until the sequencer commits one, or answers an empty
 * page after 25 seconds.  When records come, the thread does not store
 * them: it wakes the sync loop (watch_sleep returns), whose ordinary pass
 * fetches, verifies and stores them under the node's lock, as every other
 * record is.  So the watcher holds no store, no lock and no trust: a hub
 * that lies to it can only cause an extra sync pass or a missed wake-up,
 * and the periodic sync still runs as the fallback.
 *
 * The sync loop publishes its mail cursor after each pass
 * (watch_set_cursor); after a wake-up the thread waits for the cursor to
 * move (or two seconds) before asking again, so an answer the sync pass
 * cannot take (a record it refuses and retries) never turns into a busy
 * loop.  When the hub is unreachable (restarting), the thread backs off
 * from a quarter second up to two seconds, says so once on stderr, and when
 * it reconnects wakes a sync pass at once.
 */
#include "watch.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "hubclient.h"
#include "jsonutil.h"

#define WATCH_WAIT_S		25	/* what the hub is asked to hold */
#define BACKOFF_MIN_MS		250
#define BACKOFF_MAX_MS		2000	/* hub unreachable */
#define REFUSED_MAX_MS		30000	/* hub answers an error */
#define MOVE_WAIT_MS		2000	/* after a wake-up, for the cursor */

struct watch {
	pthread_t th;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int running;
	volatile int stop;
	int kick;		/* new mail announced: sync now */
	int64_t after;		/* the sync loop's mail cursor */
	struct http_client *c;
	int64_t backoff;
	int down;		/* the last request failed (said once) */
};

static void
deadline(struct timespec *ts, int64_t ms)
{
	int64_t t = now_ms() + ms;

	ts->tv_sec = (time_t)(t / 1000);
	ts->tv_nsec = (long)(t % 1000) * 1000000L;
}

/* Under mu: waits up to ms, or until stop or the cursor leaves from. */
static void
wait_locked(struct watch *w, int64_t ms, int until_moved, int64_t from)
{
	struct timespec ts;

	deadline(&ts, ms);
	while (!w->stop && (!until_moved || w->after == from))
		if (pthread_cond_timedwait(&w->cv, &w->mu, &ts) != 0)
			break;
}

static void
kick(struct watch *w)
{
	pthread_mutex_lock(&w->mu);
	w->kick = 1;
	pthread_cond_broadcast(&w->cv);
	pthread_mutex_unlock(&w->mu);
}

/* A failed round: say so once, then back off (interruptibly). */
static void
failed(struct watch *w, const char *why, int64_t max)
{
	if (!w->down)
		fprintf(stderr, "roster: waiting for mail: %s (retrying)\n", why);
	w->down = 1;
	w->backoff = w->backoff == 0 ? BACKOFF_MIN_MS : w->backoff * 2;
	if (w->backoff > max)
		w->backoff = max;
	pthread_mutex_lock(&w->mu);
	wait_locked(w, w->backoff, 0, 0);
	pthread_mutex_unlock(&w->mu);
}

/* Number of records in the hub's answer, or -1 when it is not a listing. */
static int
count_records(const struct buf *body)
{
	json_t *j = jparse(body->p, body->len), *r;
	int n = -1;

	if (j == NULL)
		return -1;
	r = json_object_get(j, "records");
	if (json_is_array(r))
		n = (int)json_array_size(r);
	json_decref(j);
	return n;
}

static void
round_done(struct watch *w, int records, int64_t from, int64_t took)
{
	if (w->down) {
		fprintf(stderr, "roster: waiting for mail: reconnected to the hub\n");
		w->down = 0;
		kick(w);	/* whatever came meanwhile */
	}
	pthread_mutex_lock(&w->mu);
	if (records > 0) {
		w->backoff = 0;
		w->kick = 1;
		pthread_cond_broadcast(&w->cv);
		wait_locked(w, MOVE_WAIT_MS, 1, from);
	} else if (took < WATCH_WAIT_S * 1000 / 2) {
		/* An empty page early: a hub stopping, or one that does not
		 * wait.  Back off as after a failure, silently. */
		w->backoff = w->backoff == 0 ? BACKOFF_MIN_MS : w->backoff * 2;
		if (w->backoff > BACKOFF_MAX_MS)
			w->backoff = BACKOFF_MAX_MS;
		wait_locked(w, w->backoff, 0, 0);
	} else
		w->backoff = 0;
	pthread_mutex_unlock(&w->mu);
}

static void
one_round(struct watch *w)
{
	char why[RS_ERRLEN];
	struct buf body = {0};
	int64_t from, t0 = now_ms();
	long status = 0;
	int n;

	pthread_mutex_lock(&w->mu);
	from = w->after;
	pthread_mutex_unlock(&w->mu);
	if (hub_mail_wait(w->c, from, WATCH_WAIT_S, &status, &body) != 0) {
		failed(w, rs_err(), BACKOFF_MAX_MS);
	} else if (status != 200) {
		snprintf(why, sizeof(why), "the hub answered HTTP %ld", status);
		failed(w, why, REFUSED_MAX_MS);
	} else if ((n = count_records(&body)) < 0) {
		failed(w, "the hub's answer is not a mail listing", REFUSED_MAX_MS);
	} else
		round_done(w, n, from, now_ms() - t0);
	buf_free(&body);
}

static void *
watch_main(void *arg)
{
	struct watch *w = arg;

	for (;;) {
		pthread_mutex_lock(&w->mu);
		int stop = w->stop;
		pthread_mutex_unlock(&w->mu);
		if (stop)
			break;
		one_round(w);
	}
	return NULL;
}

struct watch *
watch_start(struct node *n, int64_t after)
{
	struct watch *w = xcalloc(1, sizeof(*w));

	w->after = after;
	if (n->key == NULL || (w->c = hub_client(&n->cfg, n->key)) == NULL) {
		if (n->key == NULL)
			rs_seterr("the device key is locked");
		free(w);
		return NULL;
	}
	http_client_set_abort(w->c, &w->stop);
	if (pthread_mutex_init(&w->mu, NULL) != 0 ||
	    pthread_cond_init(&w->cv, NULL) != 0 ||
	    pthread_create(&w->th, NULL, watch_main, w) != 0) {
		rs_seterr("cannot start the mail watcher thread");
		http_client_free(w->c);
		free(w);
		return NULL;
	}
	w->running = 1;
	return w;
}

void
watch_stop(struct watch *w)
{
	if (w == NULL)
		return;
	pthread_mutex_lock(&w->mu);
	w->stop = 1;
	pthread_cond_broadcast(&w->cv);
	pthread_mutex_unlock(&w->mu);
	/* A request in flight ends at curl's next progress call. */
	pthread_join(w->th, NULL);
	http_client_free(w->c);
	pthread_mutex_destroy(&w->mu);
	pthread_cond_destroy(&w->cv);
	free(w);
}

void
watch_set_cursor(struct watch *w, int64_t after)
{
	if (w == NULL)
		return;
	pthread_mutex_lock(&w->mu);
	w->after = after;
	pthread_cond_broadcast(&w->cv);
	pthread_mutex_unlock(&w->mu);
}

void
watch_kick(struct watch *w)
{
	if (w != NULL)
		kick(w);
}

int
watch_sleep(struct watch *w, int64_t ms, volatile sig_atomic_t *stopping)
{
	struct timespec ts;
	int64_t end = now_ms() + ms;
	int kicked = 0;

	if (w == NULL) {
		while (!*stopping && now_ms() < end)
			usleep(100000);
		return 0;
	}
	pthread_mutex_lock(&w->mu);
	while (!w->kick && !*stopping && now_ms() < end) {
		int64_t left = end - now_ms();
		deadline(&ts, left < 100 ? left : 100);	/* to see *stopping */
		pthread_cond_timedwait(&w->cv, &w->mu, &ts);
	}
	kicked = w->kick;
	w->kick = 0;
	pthread_mutex_unlock(&w->mu);
	return kicked;
}
