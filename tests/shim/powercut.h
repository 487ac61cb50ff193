/*
 * powercut.h - the journal the power-cut shim writes (tests/shim/powercut.c)
 * and tests/shim/powercut_apply.py reads.
 *
 * The journal is a sequence of records, each a fixed header followed by up
 * to three paths and the pre-image bytes, all little-endian:
 *
 *   magic "PCR1" | u32 type | u64 seq | u64 dev | u64 ino | u64 upto |
 *   i64 off | i64 old_size | u64 len | u32 plen1 | u32 plen2 | u32 plen3 |
 *   u32 pad | path1 | path2 | path3 | len bytes of pre-image
 *
 * seq numbers the records of one process from 0.  dev and ino name the file
 * a WRITE or SYNC is about, or the directory a CREATE, MKDIR, RENAME, UNLINK
 * or DIRSYNC changed or synced.
 */
#ifndef POWERCUT_H
#define POWERCUT_H

#include <stdint.h>

#define PC_MAGIC	"PCR1"

enum pc_type {
	/* Before a write, truncate or O_TRUNC open of path1: the bytes
	 * [off, off + len) as they were, and the file's size old_size. */
	PC_WRITE = 1,
	/* fsync or fdatasync of the file dev/ino returned: every record of
	 * that file with seq < upto is on disk. */
	PC_SYNC = 2,
	/* path1 was created in the directory dev/ino. */
	PC_CREATE = 3,
	/* The directory path1 was created in the directory dev/ino. */
	PC_MKDIR = 4,
	/* path1 was renamed to path2 in the directory dev/ino (path2's);
	 * path3, when not empty, is a hard link to the file path2 named
	 * before, kept so that the rename can be undone. */
	PC_RENAME = 5,
	/* path1 was removed from the directory dev/ino; path3 is a hard link
	 * to it, kept so that the removal can be undone. */
	PC_UNLINK = 6,
	/* fsync or fdatasync of the directory dev/ino returned: its entries
	 * changed by records with seq < upto are on disk. */
	PC_DIRSYNC = 7,
	/* sync() or syncfs() returned: every record with seq < upto is. */
	PC_SYNCALL = 8,
};

struct pc_rec {
	char magic[4];
	uint32_t type;
	uint64_t seq;
	uint64_t dev;
	uint64_t ino;
	uint64_t upto;
	int64_t off;
	int64_t old_size;
	uint64_t len;
	uint32_t plen1;
	uint32_t plen2;
	uint32_t plen3;
	uint32_t pad;
};

_Static_assert(sizeof(struct pc_rec) == 80, "the journal header is 80 bytes");

#endif
