/*
 * watch.h - the long-polling thread of `roster serve` (new mail within a
 * second; watch.c).
 */
#ifndef ROSTER_NODE_WATCH_H
#define ROSTER_NODE_WATCH_H

#include <signal.h>
#include <stdint.h>

#include "node.h"

struct watch;
/* Starts the thread (its own client, signing with n->key); NULL with
 * rs_err. */
struct watch *watch_start(struct node *n, int64_t mail_after);
void watch_stop(struct watch *w);
/* The sync loop's mail cursor after a pass. */
void watch_set_cursor(struct watch *w, int64_t mail_after);
/* Wakes the sync loop's watch_sleep now, as new mail does: something
 * waits in the outbox (a web action or a tool's POST to a TAXII outbox
 * queued it).  w may be NULL. */
void watch_kick(struct watch *w);
/* Sleeps up to ms, returning 1 early when the hub announced mail or
 * watch_kick was called (then sync now), 0 otherwise; w may be NULL. */
int watch_sleep(struct watch *w, int64_t ms, volatile sig_atomic_t *stopping);

#endif
