/*
 * catalogue_node.h - the node's catalogue of message templates: what
 * roster ships, plus the State's own additions in NODEDIR/catalogue/, plus
 * the hub operator's, fetched from GET /v1/catalogue into
 * NODEDIR/catalogue-hub.json.  See lib/catalogue.h and docs/templates.md.
 */
#ifndef ROSTER_CATALOGUE_NODE_H
#define ROSTER_CATALOGUE_NODE_H

#include "node.h"
#include "catalogue.h"

/* The node's full catalogue: shipped (a broken installation is an error),
 * then NODEDIR/catalogue/, then NODEDIR/catalogue-hub.json.  A refused
 * addition is a warning on stderr (unless n->quiet), not an error, given
 * when the catalogue is loaded.  n->dir may be NULL: the shipped catalogue
 * alone.  *out is read only and may be shared: the handle's cached copy
 * while none of those files changed (catalogue_node.c), a reference the
 * caller drops with catalogue_free.  Safe from several threads on one
 * handle.  0, or -1 with rs_err. */
int node_catalogue(struct node *n, struct catalogue **out)
    __attribute__((warn_unused_result));

/* Fetches the hub's catalogue document (n->hub must be set, as node_open
 * does), checks it as node_catalogue will, and stores it as
 * NODEDIR/catalogue-hub.json.  *report (may be NULL) receives a catalogue
 * of shipped + the hub's document, for its counts and problems.  A
 * document that is not a catalogue at all is refused and the stored one
 * kept.  0, or -1 with rs_err. */
int catalogue_fetch(struct node *n, struct catalogue **report)
    __attribute__((warn_unused_result));

/* The language this node's people read: the first of its configured
 * languages that is one of the six, else "en". */
const char *node_lang(struct node *n);

#endif
