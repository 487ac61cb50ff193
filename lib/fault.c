/*
 * fault.c - see fault.h.  One process-wide counter of writes to storage, and
 * a SQLite VFS that counts through it.
 *
 * Why a VFS rather than a hook at each sqlite3_step and COMMIT: every SQL
 * write of the hub and the node, whichever file issues it, reaches the disk
 * through xWrite, xSync or xTruncate of the VFS; wrapping the default VFS
 * covers all of them (the hub's store, the node's store, a schema migration,
 * a checkpoint of the WAL) without touching a call site, and fails them the
 * way a full or broken disk would: SQLite sees SQLITE_IOERR and reports it
 * to the step or the commit that caused the write.
 *
 * The wrapper is registered only when the hook is armed; an ordinary run
 * uses SQLite's own VFS untouched.
 *
 * Threads: the hub writes from its sequencer, workpool and HTTP threads, so
 * the counter is atomic; the report file is rewritten under a mutex (armed
 * runs only).
 */
#include "fault.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

int fault_armed;

static const char *const site_names[FAULT_NSITES] = {
	"sqlite", "tree", "file", "blob"
};

static struct {
	unsigned long long target;	/* 0: count only */
	int sticky;
	int only;			/* a site, or -1 for all */
	int report_fd;			/* -1: no report */
	unsigned long long seen;	/* counted writes so far */
	unsigned long long per[FAULT_NSITES];
	unsigned long long fired;	/* writes failed */
	int fired_site;
	pthread_mutex_t mu;
} F = { .only = -1, .report_fd = -1, .fired_site = -1,
	.mu = PTHREAD_MUTEX_INITIALIZER };

/* Rewrites the report; the caller holds F.mu. */
static void
report(void)
{
	char line[256];
	int n;

	if (F.report_fd < 0)
		return;
	n = snprintf(line, sizeof(line),
	    "%llu\nsqlite=%llu tree=%llu file=%llu blob=%llu\nfired=%llu%s%s\n",
	    F.seen, F.per[FAULT_SQLITE], F.per[FAULT_TREE], F.per[FAULT_FILE],
	    F.per[FAULT_BLOB], F.fired, F.fired_site >= 0 ? " first_site=" : "",
	    F.fired_site >= 0 ? site_names[F.fired_site] : "");
	if (ftruncate(F.report_fd, 0) != 0 ||
	    pwrite(F.report_fd, line, (size_t)n, 0) != n) {
		/* A test that cannot learn the count sees a short file and
		 * fails; the process under test goes on. */
	}
}

int
fault_write_slow(enum fault_site site)
{
	unsigned long long n;
	int fail;

	if (F.only >= 0 && (int)site != F.only)
		return 0;
	pthread_mutex_lock(&F.mu);
	n = ++F.seen;
	F.per[site]++;
	fail = F.target != 0 && (n == F.target || (F.sticky && n > F.target));
	if (fail) {
		if (F.fired++ == 0)
			F.fired_site = (int)site;
	}
	report();
	pthread_mutex_unlock(&F.mu);
	if (fail) {
		errno = EIO;
		return -1;
	}
	return 0;
}

/* ---- the SQLite VFS ------------------------------------------------------- */

static sqlite3_vfs *real_vfs;

/* Our file, followed in the same allocation by the real VFS's file. */
struct ffile {
	sqlite3_file base;
	sqlite3_file *real;
};

#define REAL(f) (((struct ffile *)(f))->real)

static int
f_close(sqlite3_file *f)
{
	return REAL(f)->pMethods->xClose(REAL(f));
}

static int
f_read(sqlite3_file *f, void *p, int n, sqlite3_int64 off)
{
	return REAL(f)->pMethods->xRead(REAL(f), p, n, off);
}

static int
f_write(sqlite3_file *f, const void *p, int n, sqlite3_int64 off)
{
	if (fault_write(FAULT_SQLITE) != 0)
		return SQLITE_IOERR_WRITE;
	return REAL(f)->pMethods->xWrite(REAL(f), p, n, off);
}

static int
f_truncate(sqlite3_file *f, sqlite3_int64 size)
{
	if (fault_write(FAULT_SQLITE) != 0)
		return SQLITE_IOERR_TRUNCATE;
	return REAL(f)->pMethods->xTruncate(REAL(f), size);
}

static int
f_sync(sqlite3_file *f, int flags)
{
	if (fault_write(FAULT_SQLITE) != 0)
		return SQLITE_IOERR_FSYNC;
	return REAL(f)->pMethods->xSync(REAL(f), flags);
}

static int
f_size(sqlite3_file *f, sqlite3_int64 *size)
{
	return REAL(f)->pMethods->xFileSize(REAL(f), size);
}

static int
f_lock(sqlite3_file *f, int level)
{
	return REAL(f)->pMethods->xLock(REAL(f), level);
}

static int
f_unlock(sqlite3_file *f, int level)
{
	return REAL(f)->pMethods->xUnlock(REAL(f), level);
}

static int
f_check_lock(sqlite3_file *f, int *out)
{
	return REAL(f)->pMethods->xCheckReservedLock(REAL(f), out);
}

static int
f_control(sqlite3_file *f, int op, void *arg)
{
	return REAL(f)->pMethods->xFileControl(REAL(f), op, arg);
}

static int
f_sector(sqlite3_file *f)
{
	return REAL(f)->pMethods->xSectorSize(REAL(f));
}

static int
f_devchar(sqlite3_file *f)
{
	return REAL(f)->pMethods->xDeviceCharacteristics(REAL(f));
}

static int
f_shm_map(sqlite3_file *f, int pg, int pgsz, int extend, void volatile **pp)
{
	return REAL(f)->pMethods->xShmMap(REAL(f), pg, pgsz, extend, pp);
}

static int
f_shm_lock(sqlite3_file *f, int off, int n, int flags)
{
	return REAL(f)->pMethods->xShmLock(REAL(f), off, n, flags);
}

static void
f_shm_barrier(sqlite3_file *f)
{
	REAL(f)->pMethods->xShmBarrier(REAL(f));
}

static int
f_shm_unmap(sqlite3_file *f, int del)
{
	return REAL(f)->pMethods->xShmUnmap(REAL(f), del);
}

static int
f_fetch(sqlite3_file *f, sqlite3_int64 off, int n, void **pp)
{
	return REAL(f)->pMethods->xFetch(REAL(f), off, n, pp);
}

static int
f_unfetch(sqlite3_file *f, sqlite3_int64 off, void *p)
{
	return REAL(f)->pMethods->xUnfetch(REAL(f), off, p);
}

static const sqlite3_io_methods f_methods = {
	3, f_close, f_read, f_write, f_truncate, f_sync, f_size, f_lock,
	f_unlock, f_check_lock, f_control, f_sector, f_devchar, f_shm_map,
	f_shm_lock, f_shm_barrier, f_shm_unmap, f_fetch, f_unfetch
};

/* Our methods are version 3: a real file without the version 2 and 3
 * members (shared memory, mmap) is refused rather than called through
 * NULL.  The unix VFS has them all. */
static int
v_open(sqlite3_vfs *vfs, const char *name, sqlite3_file *f, int flags,
    int *out)
{
	struct ffile *ff = (struct ffile *)f;
	int rc;

	ff->real = (sqlite3_file *)(ff + 1);
	ff->real->pMethods = NULL;
	rc = real_vfs->xOpen(real_vfs, name, ff->real, flags, out);
	if (rc != SQLITE_OK || ff->real->pMethods == NULL) {
		/* A failed open that set pMethods still wants its xClose. */
		if (ff->real->pMethods != NULL)
			ff->real->pMethods->xClose(ff->real);
		f->pMethods = NULL;
		return rc != SQLITE_OK ? rc : SQLITE_CANTOPEN;
	}
	if (ff->real->pMethods->iVersion < 3) {
		ff->real->pMethods->xClose(ff->real);
		f->pMethods = NULL;
		return SQLITE_CANTOPEN;
	}
	f->pMethods = &f_methods;
	return SQLITE_OK;
}

static int
v_delete(sqlite3_vfs *vfs, const char *name, int sync)
{
	return real_vfs->xDelete(real_vfs, name, sync);
}

static int
v_access(sqlite3_vfs *vfs, const char *name, int flags, int *out)
{
	return real_vfs->xAccess(real_vfs, name, flags, out);
}

static int
v_fullpath(sqlite3_vfs *vfs, const char *name, int n, char *out)
{
	return real_vfs->xFullPathname(real_vfs, name, n, out);
}

static void *
v_dlopen(sqlite3_vfs *vfs, const char *name)
{
	return real_vfs->xDlOpen(real_vfs, name);
}

static void
v_dlerror(sqlite3_vfs *vfs, int n, char *out)
{
	real_vfs->xDlError(real_vfs, n, out);
}

static void (*
v_dlsym(sqlite3_vfs *vfs, void *h, const char *sym))(void)
{
	return real_vfs->xDlSym(real_vfs, h, sym);
}

static void
v_dlclose(sqlite3_vfs *vfs, void *h)
{
	real_vfs->xDlClose(real_vfs, h);
}

static int
v_random(sqlite3_vfs *vfs, int n, char *out)
{
	return real_vfs->xRandomness(real_vfs, n, out);
}

static int
v_sleep(sqlite3_vfs *vfs, int us)
{
	return real_vfs->xSleep(real_vfs, us);
}

static int
v_time(sqlite3_vfs *vfs, double *out)
{
	return real_vfs->xCurrentTime(real_vfs, out);
}

static int
v_lasterr(sqlite3_vfs *vfs, int n, char *out)
{
	return real_vfs->xGetLastError(real_vfs, n, out);
}

static int
v_time64(sqlite3_vfs *vfs, sqlite3_int64 *out)
{
	return real_vfs->xCurrentTimeInt64(real_vfs, out);
}

static sqlite3_vfs fault_vfs = {
	.iVersion = 2,
	.mxPathname = 0,		/* from the real VFS */
	.zName = "roster-fault",
	.xOpen = v_open,
	.xDelete = v_delete,
	.xAccess = v_access,
	.xFullPathname = v_fullpath,
	.xDlOpen = v_dlopen,
	.xDlError = v_dlerror,
	.xDlSym = v_dlsym,
	.xDlClose = v_dlclose,
	.xRandomness = v_random,
	.xSleep = v_sleep,
	.xCurrentTime = v_time,
	.xGetLastError = v_lasterr,
	.xCurrentTimeInt64 = v_time64,
};

static void
die(const char *what, const char *v)
{
	fprintf(stderr, "roster: %s=%s is not valid (see lib/fault.h)\n", what, v);
	exit(2);
}

static void
register_vfs(void)
{
	if (real_vfs == NULL) {
		real_vfs = sqlite3_vfs_find(NULL);
		if (real_vfs == NULL || real_vfs->iVersion < 2 ||
		    real_vfs->xCurrentTimeInt64 == NULL) {
			fprintf(stderr, "roster: ROSTER_FAULT_*: SQLite has no "
			    "default VFS to wrap\n");
			exit(2);
		}
		fault_vfs.szOsFile = (int)sizeof(struct ffile) + real_vfs->szOsFile;
		fault_vfs.mxPathname = real_vfs->mxPathname;
	}
	if (sqlite3_vfs_register(&fault_vfs, 1) != SQLITE_OK) {
		fprintf(stderr, "roster: ROSTER_FAULT_*: cannot register the "
		    "SQLite VFS\n");
		exit(2);
	}
}

void
fault_init(void)
{
	const char *w = getenv("ROSTER_FAULT_WRITE");
	const char *m = getenv("ROSTER_FAULT_MODE");
	const char *s = getenv("ROSTER_FAULT_SITE");
	const char *c = getenv("ROSTER_FAULT_COUNT");
	char *end;
	int i;

	pthread_mutex_lock(&F.mu);
	if (F.report_fd >= 0)
		close(F.report_fd);
	F.target = 0;
	F.sticky = 0;
	F.only = -1;
	F.report_fd = -1;
	F.seen = F.fired = 0;
	F.fired_site = -1;
	memset(F.per, 0, sizeof(F.per));
	fault_armed = 0;
	pthread_mutex_unlock(&F.mu);
	if ((w == NULL || *w == '\0') && (c == NULL || *c == '\0')) {
		if (real_vfs != NULL)
			sqlite3_vfs_unregister(&fault_vfs);
		return;
	}
	if (w != NULL && *w != '\0') {
		errno = 0;
		F.target = strtoull(w, &end, 10);
		if (errno != 0 || *end != '\0' || F.target == 0 || *w == '-')
			die("ROSTER_FAULT_WRITE", w);
	}
	if (m != NULL && *m != '\0') {
		if (strcmp(m, "sticky") == 0)
			F.sticky = 1;
		else if (strcmp(m, "once") != 0)
			die("ROSTER_FAULT_MODE", m);
	}
	if (s != NULL && *s != '\0') {
		for (i = 0; i < FAULT_NSITES; i++)
			if (strcmp(s, site_names[i]) == 0)
				F.only = i;
		if (F.only < 0)
			die("ROSTER_FAULT_SITE", s);
	}
	if (c != NULL && *c != '\0') {
		F.report_fd = open(c, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
		    0600);
		if (F.report_fd < 0)
			die("ROSTER_FAULT_COUNT", c);
		pthread_mutex_lock(&F.mu);
		report();
		pthread_mutex_unlock(&F.mu);
	}
	register_vfs();
	fault_armed = 1;
}
