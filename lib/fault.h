/*
 * fault.h - the write-fault hook: fail the Nth write to storage, on purpose.
 *
 * Every place where the hub or a node writes what it must keep calls
 * fault_write(SITE) just before the system call (or, for SQLite, the VFS
 * below does it for every xWrite, xSync and xTruncate).  Normally the hook
 * is one load of a global and a branch not taken.  A test arms it through
 * the environment (read once, by fault_init, at the start of rosterd and
 * roster):
 *
 *   ROSTER_FAULT_WRITE=N    the Nth counted write (from 1) fails with EIO
 *   ROSTER_FAULT_MODE=M     "once" (default): only that write fails;
 *                           "sticky": it and every later one fail, as a disk
 *                           that went bad would
 *   ROSTER_FAULT_SITE=S     count only one class of write: sqlite, tree,
 *                           file or blob (default: all of them)
 *   ROSTER_FAULT_COUNT=PATH after every counted write, PATH holds the number
 *                           seen so far, how many of each class, and whether
 *                           (and where) the fault fired: how a test learns
 *                           how many write sites a journey has, even from a
 *                           process that is killed
 *
 * Counting is per process: a test that drives several commands of one node
 * runs each under its own setting (tests/e2e/test_write_faults.sh).
 */
#ifndef ROSTER_FAULT_H
#define ROSTER_FAULT_H

enum fault_site {
	FAULT_SQLITE,	/* every SQLite xWrite, xSync, xTruncate (lib/db.c) */
	FAULT_TREE,	/* the Merkle tree's level files (lib/merkle.c) */
	FAULT_FILE,	/* write_file_atomic, fsync_dir (lib/util.c) */
	FAULT_BLOB,	/* the hub's attachment files (lib/blob.c) */
	FAULT_NSITES
};

/* Reads the environment; when ROSTER_FAULT_WRITE or ROSTER_FAULT_COUNT is
 * set, arms the hook and makes the counting SQLite VFS the default.  Call
 * it once, before any database is opened.  Exits with a message on a
 * malformed setting (a test that meant to inject a fault must not pass
 * silently without one). */
void fault_init(void);

extern int fault_armed;
int fault_write_slow(enum fault_site site);

/* 0 to go on with the write; -1 with errno = EIO when this write must fail. */
__attribute__((warn_unused_result)) static inline int
fault_write(enum fault_site site)
{
	return fault_armed ? fault_write_slow(site) : 0;
}

#endif
