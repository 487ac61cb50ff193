/*
 * alert.h - e-mail alerts without content (alert.c explains why and how):
 * the queue, the mail, SMTP, and the sender thread beside `roster serve`.
 * The `roster alerts` command (node/cli/alerts.c) configures and tests
 * them.
 */
#ifndef ROSTER_NODE_ALERT_H
#define ROSTER_NODE_ALERT_H

#include <pthread.h>
#include <stdint.h>

#include "node.h"

#define ALERT_GIVE_UP_MS	(48LL * 3600 * 1000)	/* then marked failed */

/* One alert as queued in node.db's alerts table. */
struct alert {
	int64_t n;
	int64_t created;
	char kind[16];		/* message, overdue, test */
	char urgency[16];
	uint8_t ref[32];
	int has_ref;
	char rcpt[256];
	int64_t attempts;
};

/* Queues an alert, in the caller's transaction (the one storing what
 * triggered it); kind is "message" (urgency flash or urgent: others are
 * ignored), "overdue" (an acknowledgement not received in time) or
 * "escalated" (an overdue notice arrived); ref is the message id.  0 (also
 * when no alert is due or none is configured), -1 with rs_err on a store
 * error. */
int alert_queue(struct node *n, const char *kind, const char *urgency,
    const uint8_t ref[32]) __attribute__((warn_unused_result));

/* The sender thread: takes lock around each use of the store. */
struct alerter;
struct alerter *alert_start(struct node *n, pthread_mutex_t *lock);
void alert_stop(struct alerter *a);
void alert_kick(struct alerter *a);

/* E-mail addresses are checked by lib/vocab.h's vocab_email_check, the
 * one check of every address roster takes. */
/* Checks an SMTP URL: smtp:// or smtps://, printable, no spaces. */
int alert_check_smtp_url(const char *url);

/* The complete mail (headers and base64 body, CRLF line ends) for alert a
 * to a->rcpt, in the first of cfg->languages. */
int alert_compose(const struct node_config *cfg, const char *node_url,
    const struct alert *a, struct buf *out);
/* Sends mail through cfg->smtp_url (libcurl, with timeouts).  0, or -1
 * with rs_err naming the SMTP failure. */
int alert_smtp_send(const struct node_config *cfg, const char *to,
    const struct buf *mail);
/* Records the outcome of one attempt (in its own transaction). */
int alert_record(struct node *n, const struct alert *a, int ok,
    const char *error) __attribute__((warn_unused_result));
/* Queues a test alert (in its own transaction) and returns its row in *a. */
int alert_queue_test(struct node *n, struct alert *a) __attribute__((warn_unused_result));

/* Copies the alert settings (address, SMTP, node URL) of src into dst: the
 * serve loop's own handle takes what the alert thread adopted from
 * config.json, so that `roster alerts off` stops the queueing too. */
void alert_settings_copy(struct node_config *dst, const struct node_config *src);

#endif
