#!/usr/bin/env python3
"""hub_forge.py - a hostile operator edits its stopped hub's log, then covers
its tracks so that everything it serves afterwards is self-consistent.

  resign IDX   flip one byte of the signature of the envelope at log index IDX
  payload IDX  flip one byte of its payload (it no longer matches the digest
               the signed header carries)
  retime IDX   add one millisecond to its log time (a rewritten history)

For resign and payload the envelope id (SHA-256 of the envelope) is fixed in
the row; the signer's chain head is left alone, so that the device's next
envelope (whose "prev" is the id it signed) is still taken.  Then, whatever the
edit, the Merkle tree files are removed (the hub rebuilds them from the rows
at start-up) and the checkpoints the hub signed are forgotten, so the hub
signs new ones over the edited log.  A node that never saw a checkpoint
covering IDX can only catch a resign or payload edit by checking the
envelope itself (its signature, its payload digest); one that did must
catch any of them as a rewritten history, at sync and not only at audit.

usage: hub_forge.py HUBDIR resign|payload|retime IDX
"""
import hashlib
import os
import shutil
import sqlite3
import struct
import sys


def main():
    hub, what, idx = sys.argv[1], sys.argv[2], int(sys.argv[3])
    db = sqlite3.connect(os.path.join(hub, "hub.db"))
    row = db.execute("SELECT id, envelope FROM log WHERE idx = ?", (idx,)).fetchone()
    if row is None:
        sys.exit("hub_forge: no envelope at log index %d" % idx)
    env = bytearray(row[1])
    hl = struct.unpack(">I", env[4:8])[0]
    if what == "resign":
        env[8 + hl + 20] ^= 0x01
    elif what == "payload":
        if len(env) <= 8 + hl + 64 + 4:
            sys.exit("hub_forge: the envelope at %d has no payload" % idx)
        env[-1] ^= 0x01
    elif what == "retime":
        db.execute("UPDATE log SET time = time + 1 WHERE idx = ?", (idx,))
    else:
        sys.exit(__doc__.strip().splitlines()[-1])
    if what in ("resign", "payload"):
        new_id = hashlib.sha256(bytes(env)).digest()
        db.execute("UPDATE log SET envelope = ?, id = ? WHERE idx = ?", (bytes(env), new_id, idx))
    for (k,) in db.execute("SELECT k FROM meta").fetchall():
        if "checkpoint" in k:
            db.execute("DELETE FROM meta WHERE k = ?", (k,))
    db.commit()
    db.close()
    shutil.rmtree(os.path.join(hub, "tree"), ignore_errors=True)


main()
