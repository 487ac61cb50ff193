/*
 * workpool.c - see workpool.h.
 *
 * Jobs (one per workpool_for call, from any number of request threads) wait
 * in a FIFO.  A helper takes the next chunk of the job at the head, runs it
 * without the lock, and reports it done; a job leaves the queue once all its
 * chunks are handed out.  The caller works on its own job too, so a job
 * finishes even when every helper is busy with others, and a request never
 * waits for CPU it could use itself.  The lock is taken once per chunk; with
 * chunks of tens of signatures (a millisecond of work) it is never hot.
 */
#include "workpool.h"

#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>

#include "util.h"

struct job {
	work_fn fn;
	void *arg;
	size_t n, chunk;
	size_t next;		/* first item not handed out */
	size_t done;		/* items finished */
	struct job *link;
};

struct workpool {
	pthread_mutex_t mu;
	pthread_cond_t work;
	pthread_cond_t done;
	struct job *head, *tail;
	int stop;
	pthread_t *th;
	unsigned nth;
};

static void
unlink_job(struct workpool *p, struct job *j)
{
	struct job **pp = &p->head, *prev = NULL;

	while (*pp != NULL && *pp != j) {
		prev = *pp;
		pp = &(*pp)->link;
	}
	if (*pp != j)
		return;
	*pp = j->link;
	if (p->tail == j)
		p->tail = prev;
	j->link = NULL;
}

/* Hands out the next chunk of j (lock held); a job leaves the queue as soon
 * as its last chunk is handed out, before its caller can return. */
static int
take(struct workpool *p, struct job *j, size_t *a, size_t *b)
{
	if (j->next >= j->n) {
		unlink_job(p, j);
		return 0;
	}
	*a = j->next;
	*b = j->n - j->next > j->chunk ? j->next + j->chunk : j->n;
	j->next = *b;
	if (j->next >= j->n)
		unlink_job(p, j);
	return 1;
}

static void
run_chunk(struct workpool *p, struct job *j, size_t a, size_t b)
{
	for (size_t i = a; i < b; i++)
		j->fn(j->arg, i);
	pthread_mutex_lock(&p->mu);
	j->done += b - a;
	if (j->done == j->n)
		pthread_cond_broadcast(&p->done);
	pthread_mutex_unlock(&p->mu);
}

static void *
helper(void *arg)
{
	struct workpool *p = arg;
	struct job *j;
	size_t a, b;

	pthread_mutex_lock(&p->mu);
	for (;;) {
		while (p->head == NULL && !p->stop)
			pthread_cond_wait(&p->work, &p->mu);
		if (p->head == NULL)
			break;
		j = p->head;
		if (!take(p, j, &a, &b))
			continue;
		pthread_mutex_unlock(&p->mu);
		run_chunk(p, j, a, b);
		pthread_mutex_lock(&p->mu);
	}
	pthread_mutex_unlock(&p->mu);
	return NULL;
}

struct workpool *
workpool_new(unsigned nthreads)
{
	struct workpool *p = xcalloc(1, sizeof(*p));
	long ncpu;

	if (nthreads == 0) {
		ncpu = sysconf(_SC_NPROCESSORS_ONLN);
		nthreads = ncpu > 0 && ncpu < 256 ? (unsigned)ncpu : 2;
	}
	if (pthread_mutex_init(&p->mu, NULL) != 0 ||
	    pthread_cond_init(&p->work, NULL) != 0 ||
	    pthread_cond_init(&p->done, NULL) != 0) {
		rs_seterr("cannot initialise the work pool's locks");
		free(p);
		return NULL;
	}
	p->th = xcalloc(nthreads, sizeof(*p->th));
	for (p->nth = 0; p->nth < nthreads; p->nth++) {
		if (pthread_create(&p->th[p->nth], NULL, helper, p) != 0) {
			rs_seterr("cannot start a work pool thread");
			workpool_free(p);
			return NULL;
		}
	}
	return p;
}

void
workpool_free(struct workpool *p)
{
	if (p == NULL)
		return;
	pthread_mutex_lock(&p->mu);
	p->stop = 1;
	pthread_cond_broadcast(&p->work);
	pthread_mutex_unlock(&p->mu);
	for (unsigned i = 0; i < p->nth; i++)
		pthread_join(p->th[i], NULL);
	pthread_mutex_destroy(&p->mu);
	pthread_cond_destroy(&p->work);
	pthread_cond_destroy(&p->done);
	free(p->th);
	free(p);
}

void
workpool_for(struct workpool *p, size_t n, size_t chunk, work_fn fn, void *arg)
{
	struct job j = { .fn = fn, .arg = arg, .n = n, .chunk = chunk ? chunk : 1 };
	size_t a, b;

	if (p == NULL || n <= j.chunk) {
		for (size_t i = 0; i < n; i++)
			fn(arg, i);
		return;
	}
	pthread_mutex_lock(&p->mu);
	if (p->tail != NULL)
		p->tail->link = &j;
	else
		p->head = &j;
	p->tail = &j;
	pthread_cond_broadcast(&p->work);
	while (take(p, &j, &a, &b)) {
		pthread_mutex_unlock(&p->mu);
		run_chunk(p, &j, a, b);
		pthread_mutex_lock(&p->mu);
	}
	while (j.done < j.n)
		pthread_cond_wait(&p->done, &p->mu);
	pthread_mutex_unlock(&p->mu);
}
