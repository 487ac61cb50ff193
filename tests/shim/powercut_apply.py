#!/usr/bin/env python3
"""powercut_apply.py - cut the power: undo every change the powercut shim
journaled that no later sync made durable (tests/shim/powercut.c says why
and how; tests/shim/powercut.h gives the journal's records).

Run it after the process under the shim is dead (kill -9, then wait): it
reads JOURNAL, marks as durable every write covered by a later fsync or
fdatasync of its file, every directory change covered by a later sync of its
directory, and everything before a sync() or syncfs(); then it undoes the
rest, newest first: pre-images written back and sizes restored, created files
and folders removed, renames reversed, unlinked files linked back.  It prints
what it undid, then removes the journal and its keep folder.

usage: powercut_apply.py JOURNAL [--keep-journal]
"""
import os
import struct
import sys

HDR = struct.Struct("<4sIQQQQqqQIIII")
assert HDR.size == 80
WRITE, SYNC, CREATE, MKDIR, RENAME, UNLINK, DIRSYNC, SYNCALL = range(1, 9)


class Rec:
    __slots__ = ("type", "seq", "dev", "ino", "upto", "off", "old_size",
                 "p1", "p2", "p3", "data", "durable")


def read_journal(path):
    recs = []
    with open(path, "rb") as f:
        raw = f.read()
    pos = 0
    while pos + HDR.size <= len(raw):
        (magic, typ, seq, dev, ino, upto, off, old_size, ln,
         l1, l2, l3, _pad) = HDR.unpack_from(raw, pos)
        if magic != b"PCR1":
            sys.exit("powercut_apply: bad record at byte %d of %s" % (pos, path))
        pos += HDR.size
        end = pos + l1 + l2 + l3 + ln
        if end > len(raw):
            break       # the last record was cut short by the kill: its change never began
        r = Rec()
        r.type, r.seq, r.dev, r.ino, r.upto = typ, seq, dev, ino, upto
        r.off, r.old_size = off, old_size
        r.p1 = raw[pos:pos + l1].decode()
        pos += l1
        r.p2 = raw[pos:pos + l2].decode()
        pos += l2
        r.p3 = raw[pos:pos + l3].decode()
        pos += l3
        r.data = raw[pos:pos + ln]
        pos += ln
        r.durable = typ in (SYNC, DIRSYNC, SYNCALL)
        recs.append(r)
    return recs


def mark_durable(recs):
    pending = {}        # (kind, dev, ino) -> records not yet durable
    everything = []
    for r in recs:
        if r.type == WRITE:
            pending.setdefault(("f", r.dev, r.ino), []).append(r)
            everything.append(r)
        elif r.type in (CREATE, MKDIR, RENAME, UNLINK):
            pending.setdefault(("d", r.dev, r.ino), []).append(r)
            everything.append(r)
        elif r.type in (SYNC, DIRSYNC):
            key = ("f" if r.type == SYNC else "d", r.dev, r.ino)
            left = []
            for p in pending.get(key, []):
                if p.seq < r.upto:
                    p.durable = True
                else:
                    left.append(p)
            pending[key] = left
        elif r.type == SYNCALL:
            for p in everything:
                if p.seq < r.upto:
                    p.durable = True
            for key in pending:
                pending[key] = [p for p in pending[key] if not p.durable]


def locate(renames, w):
    """The path of the file w wrote to, following durable renames after it."""
    cur = w.p1
    for r in renames:
        if r.seq > w.seq and r.p1 == cur:
            cur = r.p2
    try:
        st = os.stat(cur)
    except FileNotFoundError:
        return None
    return cur if (st.st_dev, st.st_ino) == (w.dev, w.ino) else None


def undo(recs):
    counts = {"writes": 0, "bytes": 0, "created": 0, "mkdirs": 0,
              "renames": 0, "unlinks": 0, "gone": 0}
    renames = [r for r in recs if r.type == RENAME and r.durable]
    for r in sorted((r for r in recs if not r.durable), key=lambda r: -r.seq):
        if r.type == WRITE:
            path = locate(renames, r)
            if path is None:
                counts["gone"] += 1
                continue
            fd = os.open(path, os.O_WRONLY)
            try:
                if r.data:
                    os.pwrite(fd, r.data, r.off)
                os.ftruncate(fd, r.old_size)
            finally:
                os.close(fd)
            counts["writes"] += 1
            counts["bytes"] += len(r.data)
        elif r.type == CREATE:
            if os.path.lexists(r.p1):
                os.unlink(r.p1)
                counts["created"] += 1
        elif r.type == MKDIR:
            try:
                os.rmdir(r.p1)
                counts["mkdirs"] += 1
            except OSError as e:
                print("powercut_apply: cannot remove %s: %s" % (r.p1, e), file=sys.stderr)
        elif r.type == RENAME:
            os.rename(r.p2, r.p1)
            if r.p3:
                os.rename(r.p3, r.p2)
            counts["renames"] += 1
        elif r.type == UNLINK:
            if r.p3 and not os.path.lexists(r.p1):
                os.link(r.p3, r.p1)
                counts["unlinks"] += 1
    return counts


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__.strip().splitlines()[-1])
    journal = sys.argv[1]
    if not os.path.exists(journal):
        print("power cut: no journal, nothing written under the shim")
        return
    recs = read_journal(journal)
    mark_durable(recs)
    kept = sum(1 for r in recs if r.durable and r.type not in (SYNC, DIRSYNC, SYNCALL))
    c = undo(recs)
    print("power cut: %d records, %d changes were durable; undone: %d writes (%d bytes"
          " of pre-image), %d files created, %d folders, %d renames, %d unlinks"
          " (%d writes to files no longer there)"
          % (len(recs), kept, c["writes"], c["bytes"], c["created"], c["mkdirs"],
             c["renames"], c["unlinks"], c["gone"]))
    if "--keep-journal" not in sys.argv:
        os.unlink(journal)
        keep = journal + ".keep"
        if os.path.isdir(keep):
            for name in os.listdir(keep):
                os.unlink(os.path.join(keep, name))
            os.rmdir(keep)


main()
