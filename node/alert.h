/*
 * alert.h - what alert.c (queue, mail, SMTP, sender thread) and alertcmd.c
 * (the `roster alerts` command) share.  The public entry points are in
 * node.h.
 */
#ifndef ROSTER_NODE_ALERT_H
#define ROSTER_NODE_ALERT_H

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

/* Checks an e-mail address: local@domain, printable ASCII, no spaces,
 * angle brackets, quotes or line breaks.  0, or -1 with rs_err. */
int alert_check_address(const char *what, const char *addr);
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
    const char *error);
/* Queues a test alert and returns its row in *a. */
int alert_queue_test(struct node *n, struct alert *a);

#endif
