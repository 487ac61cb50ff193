#!/usr/bin/env python3
"""hubdb.py - what the storage tests do to a hub's store, on either backend.

A hostile operator (or a failing disk) changes what the hub stored; the
tests must be able to do the same whether the hub keeps its log in
HUBDIR/hub.db (SQLite) or in the PostgreSQL database its hub.json names.
This script is the one place that knows both:

  hubdb.py HUBDIR sql SQL            run SQL, print the rows (| between fields)
  hubdb.py HUBDIR flip IDX OFFSET    flip the low bit of one byte of log row
                                     IDX's envelope (OFFSET < 0 counts from
                                     the end)
  hubdb.py HUBDIR forget-checkpoints delete the checkpoints the hub stored
  hubdb.py HUBDIR forget-tree        delete both trees (files, or rows) so the
                                     hub rebuilds them from the log at start
  hubdb.py HUBDIR dump FILE          every byte the store holds, into FILE
  hubdb.py HUBDIR backend            "sqlite" or "pg"

SQL given to "sql" must mean the same on both (count(*), UPDATE ... SET
time = time + 1, ...); byte strings are handled by the subcommands.
PostgreSQL is reached with psql and pg_dump, the URL from hub.json.
"""
import json
import os
import sqlite3
import subprocess
import sys


def url_of(hubdir):
    with open(os.path.join(hubdir, "hub.json")) as f:
        return json.load(f).get("db")


def psql(url, sql):
    out = subprocess.run(["psql", "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1",
                          "-d", url, "-c", sql], check=True, capture_output=True,
                         text=True)
    return out.stdout


def main(argv):
    if len(argv) < 3:
        sys.exit(__doc__)
    hubdir, cmd, args = argv[1], argv[2], argv[3:]
    url = url_of(hubdir)
    db = None if url else sqlite3.connect(os.path.join(hubdir, "hub.db"))
    if cmd == "backend":
        print("pg" if url else "sqlite")
    elif cmd == "sql":
        if url:
            sys.stdout.write(psql(url, args[0]))
        else:
            for row in db.execute(args[0]).fetchall():
                print("|".join("" if v is None else str(v) for v in row))
            db.commit()
    elif cmd == "flip":
        idx, off = int(args[0]), int(args[1])
        if url:
            env = bytearray.fromhex(psql(url, "SELECT encode(envelope, 'hex') FROM log"
                                          " WHERE idx = %d" % idx).strip())
        else:
            env = bytearray(db.execute("SELECT envelope FROM log WHERE idx = ?",
                                       (idx,)).fetchone()[0])
        env[off] ^= 0x01
        if url:
            psql(url, "UPDATE log SET envelope = decode('%s', 'hex') WHERE idx = %d"
                 % (env.hex(), idx))
        else:
            db.execute("UPDATE log SET envelope = ? WHERE idx = ?", (bytes(env), idx))
            db.commit()
    elif cmd == "forget-checkpoints":
        if url:
            psql(url, "DELETE FROM checkpoint")
        else:
            for (k,) in db.execute("SELECT k FROM meta").fetchall():
                if "checkpoint" in k:
                    db.execute("DELETE FROM meta WHERE k = ?", (k,))
            db.commit()
    elif cmd == "forget-tree":
        if url:
            psql(url, "DELETE FROM tree; DELETE FROM ptree")
        else:
            subprocess.run(["rm", "-rf", os.path.join(hubdir, "tree")], check=True)
    elif cmd == "dump":
        with open(args[0], "wb") as f:
            if url:
                f.write(subprocess.run(["pg_dump", "-d", url], check=True,
                                       capture_output=True).stdout)
            else:
                db.execute("PRAGMA wal_checkpoint(FULL)")
                for name in sorted(os.listdir(hubdir)):
                    p = os.path.join(hubdir, name)
                    if os.path.isfile(p):
                        f.write(open(p, "rb").read())
    else:
        sys.exit("hubdb.py: unknown command %s" % cmd)


if __name__ == "__main__":
    main(sys.argv)
