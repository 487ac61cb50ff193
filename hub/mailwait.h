/*
 * mailwait.h - long polling on GET /v1/mail (docs/protocol.md section 5):
 * a node asks with wait=SECONDS and the hub holds the request, without a
 * thread, until the sequencer commits something routed to that device.
 */
#ifndef ROSTER_HUB_MAILWAIT_H
#define ROSTER_HUB_MAILWAIT_H

#include <stdint.h>

#include "http.h"
#include "sequencer.h"

#define MAILWAIT_MAX_S	30	/* longest wait a request may ask for */
#define MAILWAIT_FDS	8192	/* open files wanted: a connection per waiter */

/* seq_notify_fn: arg is the struct http_server; wakes the requests parked
 * for every device named in "rcpt" of a msg or ack just appended. */
void mailwait_notify(void *arg, const struct seq_batch *list);

/* Parks the mail request of device key until wait_s seconds after it was
 * first handled (resp already holds the empty page to answer then). */
void mailwait_park(const struct http_req *req, struct http_resp *resp,
    const uint8_t key[32], int64_t wait_s);

/* Raises the soft limit of open files towards MAILWAIT_FDS (as far as the
 * hard limit allows; says so when it cannot), since every waiting node
 * holds a connection. */
void mailwait_raise_fd_limit(void);

#endif
