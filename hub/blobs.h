/*
 * blobs.h - the hub's attachment store: PUT and GET /v1/blobs/<sha256 hex>,
 * and the check that a message's attachments are held before it is logged.
 */
#ifndef ROSTER_HUB_BLOBS_H
#define ROSTER_HUB_BLOBS_H

#include "api.h"
#include "envelope.h"
#include "http.h"

#define BLOBS_PREFIX	"/v1/blobs/"

/* Creates HUBDIR/blobs (clearing temporary files a crash left) and
 * registers the streamed PUT route on srv. */
int blobs_serve(struct http_server *srv, struct api *a);
/* GET /v1/blobs/<hex> (and the answer to any other method on it). */
void blobs_get(struct api *a, const struct http_req *req, struct http_resp *resp);
/* For a msg envelope: its header's "attachments" (if any) must be well
 * formed and every blob held; for a process record with "files" (a
 * paper's language versions, a contribution), every version's blob held
 * with its size.  0, or -1 with rs_err. */
int blobs_check_msg(struct api *a, const struct envelope *e);

#endif
