/*
 * roots.h - a State's root keys as this node shows and uses them
 * (docs/protocol.md section 2, "A second root key").
 *
 * The rules (which key is endorsed, unendorsed or disowned, which devices
 * are current) are lib/directory.c's, the same on hub and nodes.  What a
 * node adds is what it says about them: a warning about every State with a
 * root key it has not endorsed (contested), whichever State it is, in the
 * words roster sync and status print (the directory's own view, for roster
 * directory and the web, is views.c's directory_view).  Mail is not encrypted to an
 * unconfirmed device unless the sender asks (audience.c).
 */
#ifndef ROSTER_NODE_ROOTS_H
#define ROSTER_NODE_ROOTS_H

#include <stddef.h>
#include <jansson.h>

#include "directory.h"
#include "node.h"

/* One object per unendorsed root key in the directory, in log order:
 * {"state", "key" (hex), "fingerprint", "index" (of its admission),
 *  "devices" (how many current devices it certified), "own" (of this
 *  node's State), "text" (the warning, as roots_warning_text words it)}. */
json_t *roots_warnings(struct node *n);
/* The warning about root key r, in out (len bytes); returns out. */
const char *roots_warning_text(struct node *n, const struct dir_root *r, char *out,
    size_t len);

#endif
