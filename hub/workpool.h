/*
 * workpool.h - a parallel "for" over a fixed set of threads, for the CPU-bound
 * steps of ingest (Ed25519 verification of a batch's envelopes, signing its
 * receipts), so that one request can use every core.
 */
#ifndef ROSTER_HUB_WORKPOOL_H
#define ROSTER_HUB_WORKPOOL_H

#include <stddef.h>

struct workpool;

typedef void (*work_fn)(void *arg, size_t i);

/* nthreads helpers (0: one per online CPU).  NULL with rs_err on failure. */
struct workpool *workpool_new(unsigned nthreads);
void workpool_free(struct workpool *p);

/* Calls fn(arg, i) for every i in [0, n), in chunks of about chunk items,
 * on the pool's threads and the calling thread; returns when all are done.
 * p may be NULL: then everything runs on the calling thread. */
void workpool_for(struct workpool *p, size_t n, size_t chunk, work_fn fn,
    void *arg);

#endif
