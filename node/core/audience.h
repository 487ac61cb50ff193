/*
 * audience.h - who receives a message: States, groups and roles resolved
 * against the verified directory (audience.c), the same for `roster send`,
 * the web's compose page and its recipient preview.
 */
#ifndef ROSTER_NODE_AUDIENCE_H
#define ROSTER_NODE_AUDIENCE_H

#include <jansson.h>

#include "node.h"

struct seal_recipient;

/* 0 when every role of the comma-separated list is known, else -1 with
 * rs_err. */
int audience_check_roles(const char *roles) __attribute__((warn_unused_result));
/* Resolves to (State codes, group:NAME, all) narrowed to roles (NULL:
 * every role) to recipient devices; appends the States reached to states
 * and the device keys (hex) to rcpt.  Devices certified by a root key
 * their State has not endorsed (unconfirmed, roots.h) are recipients only
 * with AUDIENCE_UNCONFIRMED; *unconfirmed (when not NULL) counts those of
 * the audience: left out without the flag, included with it.  A State
 * named whose only current devices are unconfirmed is an error without
 * the flag.  0, or -1 with rs_err. */
#define AUDIENCE_UNCONFIRMED	1
int audience_resolve(struct node *n, const char *to, const char *roles, int flags,
    struct seal_recipient **r, size_t *nr, json_t *states, json_t *rcpt,
    size_t *unconfirmed) __attribute__((warn_unused_result));

#endif
