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

The same edits on either backend: the log in HUBDIR/hub.db, or in the
PostgreSQL database hub.json names (reached with psql, as hubdb.py does;
there the trees and checkpoints are rows, forgotten the same way).

usage: hub_forge.py HUBDIR resign|payload|retime IDX
"""
import hashlib
import os
import shutil
import sqlite3
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from hubdb import psql, url_of  # noqa: E402


def edit(env, what, idx):
    """Flips the byte of env that what names (resign, payload)."""
    hl = struct.unpack(">I", env[4:8])[0]
    if what == "resign":
        env[8 + hl + 20] ^= 0x01
    elif what == "payload":
        if len(env) <= 8 + hl + 64 + 4:
            sys.exit("hub_forge: the envelope at %d has no payload" % idx)
        env[-1] ^= 0x01
    else:
        sys.exit(__doc__.strip().splitlines()[-1])


def main_pg(url, what, idx):
    """The same edit in one transaction on PostgreSQL, then the trees and the
    checkpoint row forgotten (the hub rebuilds and signs again at start)."""
    hexenv = psql(url, "SELECT encode(envelope, 'hex') FROM log WHERE idx = %d" % idx).strip()
    if not hexenv:
        sys.exit("hub_forge: no envelope at log index %d" % idx)
    if what == "retime":
        sql = "UPDATE log SET time = time + 1 WHERE idx = %d;" % idx
    else:
        env = bytearray.fromhex(hexenv)
        edit(env, what, idx)
        sql = ("UPDATE log SET envelope = decode('%s', 'hex'), id = decode('%s', 'hex')"
               " WHERE idx = %d;" % (env.hex(), hashlib.sha256(bytes(env)).hexdigest(), idx))
    psql(url, "BEGIN; " + sql + " DELETE FROM checkpoint; DELETE FROM tree;"
         " DELETE FROM ptree; COMMIT;")


def main():
    hub, what, idx = sys.argv[1], sys.argv[2], int(sys.argv[3])
    url = url_of(hub)
    if url:
        return main_pg(url, what, idx)
    db = sqlite3.connect(os.path.join(hub, "hub.db"))
    row = db.execute("SELECT id, envelope FROM log WHERE idx = ?", (idx,)).fetchone()
    if row is None:
        sys.exit("hub_forge: no envelope at log index %d" % idx)
    env = bytearray(row[1])
    if what == "retime":
        db.execute("UPDATE log SET time = time + 1 WHERE idx = ?", (idx,))
    else:
        edit(env, what, idx)
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
