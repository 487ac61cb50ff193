/*
 * powercut.c - an LD_PRELOAD library that lets a test cut the power under a
 * process: every write that no fsync or fdatasync has yet made durable can be
 * undone afterwards, as if the machine had lost power at that instant.
 *
 * Why.  kill -9 keeps the kernel's page cache: everything a process wrote
 * reaches the disk even if it never called fsync, so a test that only kills
 * the hub cannot tell a durable commit from one that a power loss would
 * lose (PRAGMA synchronous=OFF, a missing fdatasync of the tree).  Under this
 * library it can.
 *
 * How: an undo journal, on disk, beside the files.  Before each write,
 * truncate or O_TRUNC open of a file under POWERCUT_ROOT, the library appends
 * to the journal the bytes the write will overwrite and the file's size
 * (tests/shim/powercut.h gives the records).  When fsync or fdatasync of that
 * file returns, it appends a SYNC record: everything journaled for the file
 * before the sync began is durable.  Directory entries go the same way:
 * creations, mkdirs, renames and unlinks are journaled (an unlink or a rename
 * over a file first hard-links the old file into the journal's keep folder)
 * and become durable when their directory is fsync'd.  The power cut is then
 * done from outside, with no cooperation from the process:
 *
 *   kill -9 PID; wait; python3 tests/shim/powercut_apply.py JOURNAL
 *
 * undoes, newest first, every journaled change not covered by a later sync.
 * What is left on disk is a state a real power loss could have left: every
 * synced write, none of the others (a real disk may keep some unsynced
 * writes, or parts of them; dropping all is the harshest case, and the one a
 * missing fsync always fails).
 *
 * Why a journal on disk rather than buffering in memory until fsync: reads
 * need no interception (the process reads what it wrote, as it would), the
 * cut needs no signal handler or thread inside the victim (kill -9 cannot be
 * caught, so the process never writes after the cut), and the journal
 * survives the kill because the page cache does.  Ordering: a write's record
 * is appended before the write; a sync takes the journal's position while no
 * journaled write is in flight (a write holds a read lock across record and
 * write, a sync takes the write lock just to read the position), so a write
 * whose record precedes the position had completed before the sync began.
 *
 * Not modelled, and said so: writes through mmap (SQLite's -shm file, which
 * is excluded: SQLite rebuilds it after a crash), metadata other than size
 * and directory entries, and files opened O_SYNC/O_DSYNC (treated as synced
 * after each write).  A rename counts as durable when the new name's
 * directory is synced.
 *
 * Environment: POWERCUT_ROOT (only files under this folder are journaled;
 * unset, the library does nothing), POWERCUT_JOURNAL (the journal's path,
 * on the same file system as ROOT; the keep folder is JOURNAL.keep).
 */
#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <unistd.h>

#include "powercut.h"

#define PC_FDS		65536	/* fds cached; beyond, looked up every time */

enum fd_state { FD_UNKNOWN = 0, FD_JOURNALED, FD_IGNORED };

struct fdinfo {
	dev_t dev;
	ino_t ino;
	enum fd_state state;
	char *path;
};

static struct {
	ssize_t (*write)(int, const void *, size_t);
	ssize_t (*pwrite)(int, const void *, size_t, off_t);
	ssize_t (*pwrite64)(int, const void *, size_t, off_t);
	ssize_t (*writev)(int, const struct iovec *, int);
	ssize_t (*pwritev)(int, const struct iovec *, int, off_t);
	int (*open)(const char *, int, ...);
	int (*open64)(const char *, int, ...);
	int (*openat)(int, const char *, int, ...);
	int (*openat64)(int, const char *, int, ...);
	int (*creat)(const char *, mode_t);
	int (*creat64)(const char *, mode_t);
	int (*ftruncate)(int, off_t);
	int (*ftruncate64)(int, off_t);
	int (*truncate)(const char *, off_t);
	int (*fsync)(int);
	int (*fdatasync)(int);
	void (*sync)(void);
	int (*syncfs)(int);
	int (*rename)(const char *, const char *);
	int (*renameat)(int, const char *, int, const char *);
	int (*unlink)(const char *);
	int (*unlinkat)(int, const char *, int);
	int (*mkdir)(const char *, mode_t);
	int (*close)(int);
} real;

static char root[PATH_MAX];
static size_t rootlen;
static char journal_path[PATH_MAX];
static int journal_fd = -1;
static uint64_t next_seq;
static uint64_t keep_n;
static pthread_mutex_t journal_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_rwlock_t order;	/* writer-preferring: syncs do not starve */
static pthread_mutex_t cache_mu = PTHREAD_MUTEX_INITIALIZER;
static struct fdinfo cache[PC_FDS];
static int enabled;

static void
die(const char *what)
{
	char msg[512];
	int n = snprintf(msg, sizeof(msg), "powercut: %s: %s\n", what, strerror(errno));

	if (n > 0 && real.write != NULL)
		(void)!real.write(2, msg, (size_t)n);
	abort();
}

#define RESOLVE(name) (*(void **)&real.name = dlsym(RTLD_NEXT, #name))

__attribute__((constructor)) static void
powercut_init(void)
{
	const char *r = getenv("POWERCUT_ROOT"), *j = getenv("POWERCUT_JOURNAL");
	pthread_rwlockattr_t ra;

	pthread_rwlockattr_init(&ra);
	pthread_rwlockattr_setkind_np(&ra, PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP);
	pthread_rwlock_init(&order, &ra);
	pthread_rwlockattr_destroy(&ra);

	RESOLVE(write); RESOLVE(pwrite); RESOLVE(pwrite64); RESOLVE(writev);
	RESOLVE(pwritev); RESOLVE(open); RESOLVE(open64); RESOLVE(openat);
	RESOLVE(openat64); RESOLVE(creat); RESOLVE(creat64); RESOLVE(ftruncate);
	RESOLVE(ftruncate64); RESOLVE(truncate); RESOLVE(fsync); RESOLVE(fdatasync);
	RESOLVE(sync); RESOLVE(syncfs); RESOLVE(rename); RESOLVE(renameat);
	RESOLVE(unlink); RESOLVE(unlinkat); RESOLVE(mkdir); RESOLVE(close);
	if (r == NULL || j == NULL)
		return;
	if (realpath(r, root) == NULL)
		die("POWERCUT_ROOT");
	rootlen = strlen(root);
	snprintf(journal_path, sizeof(journal_path), "%s", j);
	enabled = 1;
}

static int
under_root(const char *path)
{
	size_t n = strlen(path);

	if (!enabled || strncmp(path, root, rootlen) != 0 ||
	    (path[rootlen] != '/' && path[rootlen] != '\0'))
		return 0;
	return !(n > 4 && strcmp(path + n - 4, "-shm") == 0);
}

/* ---- the journal --------------------------------------------------------- */

static void
full_write(int fd, const void *p, size_t len)
{
	const char *b = p;

	while (len > 0) {
		ssize_t n = real.write(fd, b, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			die("cannot write the journal");
		b += n;
		len -= (size_t)n;
	}
}

/* Appends one record; returns its seq.  The three paths may be NULL. */
static uint64_t
journal(enum pc_type type, dev_t dev, ino_t ino, uint64_t upto, int64_t off,
    int64_t old_size, const void *data, size_t len, const char *p1,
    const char *p2, const char *p3)
{
	struct pc_rec r;
	uint64_t seq;

	memset(&r, 0, sizeof(r));
	memcpy(r.magic, PC_MAGIC, 4);
	r.type = type;
	r.dev = dev;
	r.ino = ino;
	r.upto = upto;
	r.off = off;
	r.old_size = old_size;
	r.len = len;
	r.plen1 = p1 ? (uint32_t)strlen(p1) : 0;
	r.plen2 = p2 ? (uint32_t)strlen(p2) : 0;
	r.plen3 = p3 ? (uint32_t)strlen(p3) : 0;
	pthread_mutex_lock(&journal_mu);
	if (journal_fd < 0 && (journal_fd = real.open(journal_path,
	    O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600)) < 0)
		die(journal_path);
	seq = r.seq = next_seq++;
	full_write(journal_fd, &r, sizeof(r));
	full_write(journal_fd, p1 ? p1 : "", r.plen1);
	full_write(journal_fd, p2 ? p2 : "", r.plen2);
	full_write(journal_fd, p3 ? p3 : "", r.plen3);
	full_write(journal_fd, data ? data : "", len);
	pthread_mutex_unlock(&journal_mu);
	return seq;
}

static uint64_t
current(void)
{
	uint64_t p;

	pthread_mutex_lock(&journal_mu);
	p = next_seq;
	pthread_mutex_unlock(&journal_mu);
	return p;
}

/* The journal's position once no journaled change is in flight: every
 * record before it belongs to a change that has completed. */
static uint64_t
position(void)
{
	uint64_t p;

	pthread_rwlock_wrlock(&order);
	pthread_mutex_lock(&journal_mu);
	p = next_seq;
	pthread_mutex_unlock(&journal_mu);
	pthread_rwlock_unlock(&order);
	return p;
}

/* A hard link to path in the keep folder, so that its removal can be
 * undone; "" when there is nothing to keep. */
static void
keep(const char *path, char out[PATH_MAX])
{
	char dir[PATH_MAX];
	uint64_t n;

	out[0] = '\0';
	if (access(path, F_OK) != 0)
		return;
	if (snprintf(dir, sizeof(dir), "%s.keep", journal_path) >= (int)sizeof(dir))
		die("the journal's path is too long");
	if (real.mkdir(dir, 0700) != 0 && errno != EEXIST)
		die(dir);
	pthread_mutex_lock(&journal_mu);
	n = keep_n++;
	pthread_mutex_unlock(&journal_mu);
	if (snprintf(out, PATH_MAX, "%s/%d.%llu", dir, (int)getpid(),
	    (unsigned long long)n) >= PATH_MAX)
		die("the journal's path is too long");
	if (link(path, out) != 0)
		die("cannot keep a file that is being removed");
}

/* ---- paths --------------------------------------------------------------- */

static int
fd_path(int fd, char out[PATH_MAX])
{
	char proc[64];
	ssize_t n;

	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
	if ((n = readlink(proc, out, PATH_MAX - 1)) < 0)
		return -1;
	out[n] = '\0';
	return 0;
}

/* The absolute path of path relative to dirfd, with its folder resolved
 * (the last component need not exist).  -1 when it cannot be had. */
static int
abs_path(int dirfd, const char *path, char out[PATH_MAX])
{
	char whole[PATH_MAX], dir[PATH_MAX], rdir[PATH_MAX], *slash;
	const char *base;

	if (path[0] == '/')
		snprintf(whole, sizeof(whole), "%s", path);
	else {
		if (dirfd == AT_FDCWD) {
			if (getcwd(dir, sizeof(dir)) == NULL)
				return -1;
		} else if (fd_path(dirfd, dir) != 0)
			return -1;
		if (snprintf(whole, sizeof(whole), "%s/%s", dir, path) >= (int)sizeof(whole))
			return -1;
	}
	snprintf(dir, sizeof(dir), "%s", whole);
	if ((slash = strrchr(dir, '/')) == NULL)
		return -1;
	base = whole + (slash - dir) + 1;
	if (slash == dir)
		snprintf(dir, sizeof(dir), "/");
	else
		*slash = '\0';
	if (realpath(dir, rdir) == NULL)
		return -1;
	if (snprintf(out, PATH_MAX, "%s/%s", strcmp(rdir, "/") ? rdir : "", base) >= PATH_MAX)
		return -1;
	return 0;
}

static int
parent_id(const char *path, struct stat *st)
{
	char dir[PATH_MAX], *slash;

	snprintf(dir, sizeof(dir), "%s", path);
	if ((slash = strrchr(dir, '/')) == NULL)
		return -1;
	if (slash == dir)
		slash[1] = '\0';
	else
		*slash = '\0';
	return stat(dir, st);
}

/* Whether fd is a regular file under the root; its path in path. */
static int
fd_journaled(int fd, struct stat *st, char path[PATH_MAX])
{
	struct fdinfo *c = fd >= 0 && fd < PC_FDS ? &cache[fd] : NULL;
	int yes;

	if (!enabled || fstat(fd, st) != 0 || !S_ISREG(st->st_mode))
		return 0;
	pthread_mutex_lock(&cache_mu);
	if (c != NULL && c->state != FD_UNKNOWN && c->dev == st->st_dev &&
	    c->ino == st->st_ino) {
		yes = c->state == FD_JOURNALED;
		if (yes)
			snprintf(path, PATH_MAX, "%s", c->path);
		pthread_mutex_unlock(&cache_mu);
		return yes;
	}
	pthread_mutex_unlock(&cache_mu);
	if (fd_path(fd, path) != 0)
		return 0;
	yes = under_root(path);
	if (c != NULL) {
		pthread_mutex_lock(&cache_mu);
		free(c->path);
		c->path = strdup(path);
		c->dev = st->st_dev;
		c->ino = st->st_ino;
		c->state = yes && c->path != NULL ? FD_JOURNALED : FD_IGNORED;
		pthread_mutex_unlock(&cache_mu);
	}
	return yes;
}

static void
fd_forget(int fd)
{
	if (fd < 0 || fd >= PC_FDS)
		return;
	pthread_mutex_lock(&cache_mu);
	free(cache[fd].path);
	memset(&cache[fd], 0, sizeof(cache[fd]));
	pthread_mutex_unlock(&cache_mu);
}

/* ---- pre-images ---------------------------------------------------------- */

/* Journals the bytes [off, off + len) of the file as they are now, and its
 * size, before they change. */
static void
preimage(int fd, const struct stat *st, const char *path, off_t off, size_t len)
{
	int64_t size = (int64_t)st->st_size;
	size_t have = off < size ? (size_t)((uint64_t)(size - off) < len ? (uint64_t)(size - off) : len) : 0;
	char *data = NULL;
	size_t got = 0;

	if (have > 0) {
		int rfd = fd;
		if ((data = malloc(have)) == NULL)
			die("out of memory");
		while (got < have) {
			ssize_t n = pread(rfd, data + got, have - got, off + (off_t)got);
			if (n < 0 && errno == EINTR)
				continue;
			if (n < 0 && errno == EBADF && rfd == fd) {
				/* Opened write-only: read through another descriptor. */
				if ((rfd = real.open(path, O_RDONLY | O_CLOEXEC)) < 0)
					die(path);
				continue;
			}
			if (n < 0)
				die("cannot read a pre-image");
			if (n == 0)
				break;		/* shorter than fstat said */
			got += (size_t)n;
		}
		if (rfd != fd)
			real.close(rfd);
	}
	journal(PC_WRITE, st->st_dev, st->st_ino, 0, off, size, data, got, path, NULL, NULL);
	free(data);
}

/* After a write to a file opened O_SYNC or O_DSYNC: durable at once. */
static void
synced_now(int fd, const struct stat *st)
{
	int fl = fcntl(fd, F_GETFL);

	if (fl >= 0 && (fl & (O_SYNC | O_DSYNC)) != 0)
		journal(PC_SYNC, st->st_dev, st->st_ino, current(), 0, 0, NULL, 0, NULL, NULL, NULL);
}

static off_t
write_offset(int fd, const struct stat *st)
{
	int fl = fcntl(fd, F_GETFL);

	if (fl >= 0 && (fl & O_APPEND) != 0)
		return st->st_size;
	return lseek(fd, 0, SEEK_CUR);
}

/* ---- interposed calls ---------------------------------------------------- */

static ssize_t
do_write(int fd, const void *buf, size_t n, off_t off, int positional, int is64)
{
	char path[PATH_MAX];
	struct stat st;
	ssize_t rc;

	if (!fd_journaled(fd, &st, path))
		return positional ? (is64 ? real.pwrite64 : real.pwrite)(fd, buf, n, off) :
		    real.write(fd, buf, n);
	pthread_rwlock_rdlock(&order);
	preimage(fd, &st, path, positional ? off : write_offset(fd, &st), n);
	rc = positional ? (is64 ? real.pwrite64 : real.pwrite)(fd, buf, n, off) :
	    real.write(fd, buf, n);
	synced_now(fd, &st);
	pthread_rwlock_unlock(&order);
	return rc;
}

ssize_t
write(int fd, const void *buf, size_t n)
{
	return do_write(fd, buf, n, 0, 0, 0);
}

ssize_t
pwrite(int fd, const void *buf, size_t n, off_t off)
{
	return do_write(fd, buf, n, off, 1, 0);
}

ssize_t
pwrite64(int fd, const void *buf, size_t n, off_t off)
{
	return do_write(fd, buf, n, off, 1, 1);
}

static size_t
iov_total(const struct iovec *iov, int cnt)
{
	size_t t = 0;

	for (int i = 0; i < cnt; i++)
		t += iov[i].iov_len;
	return t;
}

ssize_t
writev(int fd, const struct iovec *iov, int cnt)
{
	char path[PATH_MAX];
	struct stat st;
	ssize_t rc;

	if (!fd_journaled(fd, &st, path))
		return real.writev(fd, iov, cnt);
	pthread_rwlock_rdlock(&order);
	preimage(fd, &st, path, write_offset(fd, &st), iov_total(iov, cnt));
	rc = real.writev(fd, iov, cnt);
	synced_now(fd, &st);
	pthread_rwlock_unlock(&order);
	return rc;
}

ssize_t
pwritev(int fd, const struct iovec *iov, int cnt, off_t off)
{
	char path[PATH_MAX];
	struct stat st;
	ssize_t rc;

	if (!fd_journaled(fd, &st, path))
		return real.pwritev(fd, iov, cnt, off);
	pthread_rwlock_rdlock(&order);
	preimage(fd, &st, path, off, iov_total(iov, cnt));
	rc = real.pwritev(fd, iov, cnt, off);
	synced_now(fd, &st);
	pthread_rwlock_unlock(&order);
	return rc;
}

static int
do_ftruncate(int fd, off_t len, int is64)
{
	char path[PATH_MAX];
	struct stat st;
	int rc;

	if (!fd_journaled(fd, &st, path))
		return (is64 ? real.ftruncate64 : real.ftruncate)(fd, len);
	pthread_rwlock_rdlock(&order);
	preimage(fd, &st, path, len, st.st_size > len ? (size_t)(st.st_size - len) : 0);
	rc = (is64 ? real.ftruncate64 : real.ftruncate)(fd, len);
	pthread_rwlock_unlock(&order);
	return rc;
}

int
ftruncate(int fd, off_t len)
{
	return do_ftruncate(fd, len, 0);
}

int
ftruncate64(int fd, off_t len)
{
	return do_ftruncate(fd, len, 1);
}

int
truncate(const char *path, off_t len)
{
	int fd, rc;

	if (!enabled)
		return real.truncate(path, len);
	if ((fd = real.open(path, O_WRONLY | O_CLOEXEC)) < 0)
		return -1;
	rc = do_ftruncate(fd, len, 0);
	real.close(fd);
	return rc;
}

/* open, openat, creat: an O_TRUNC of an existing file journals its content;
 * a file that did not exist journals its creation. */
static int
do_open(int dirfd, const char *path, int flags, mode_t mode, int which)
{
	char abs[PATH_MAX];
	struct stat st, pst;
	int existed = 1, fd, journaled;

	journaled = enabled && (flags & (O_CREAT | O_TRUNC)) != 0 &&
	    abs_path(dirfd, path, abs) == 0 && under_root(abs);
	if (journaled)
		pthread_rwlock_rdlock(&order);
	if (journaled) {
		existed = stat(abs, &st) == 0;
		if (existed && (flags & O_TRUNC) && S_ISREG(st.st_mode) && st.st_size > 0) {
			int rfd = real.open(abs, O_RDONLY | O_CLOEXEC);
			if (rfd >= 0) {
				preimage(rfd, &st, abs, 0, (size_t)st.st_size);
				real.close(rfd);
			}
		}
	}
	switch (which) {
	case 0: fd = real.open(path, flags, mode); break;
	case 1: fd = real.open64(path, flags, mode); break;
	case 2: fd = real.openat(dirfd, path, flags, mode); break;
	default: fd = real.openat64(dirfd, path, flags, mode); break;
	}
	if (fd >= 0)
		fd_forget(fd);
	if (journaled) {
		if (fd >= 0 && !existed && parent_id(abs, &pst) == 0)
			journal(PC_CREATE, pst.st_dev, pst.st_ino, 0, 0, 0, NULL, 0, abs, NULL, NULL);
		pthread_rwlock_unlock(&order);
	}
	return fd;
}

static mode_t
open_mode(int flags, va_list ap)
{
	return (flags & O_CREAT) || (flags & O_TMPFILE) == O_TMPFILE ? (mode_t)va_arg(ap, int) : 0;
}

int
open(const char *path, int flags, ...)
{
	va_list ap;
	mode_t m;

	va_start(ap, flags);
	m = open_mode(flags, ap);
	va_end(ap);
	return do_open(AT_FDCWD, path, flags, m, 0);
}

int
open64(const char *path, int flags, ...)
{
	va_list ap;
	mode_t m;

	va_start(ap, flags);
	m = open_mode(flags, ap);
	va_end(ap);
	return do_open(AT_FDCWD, path, flags, m, 1);
}

int
openat(int dirfd, const char *path, int flags, ...)
{
	va_list ap;
	mode_t m;

	va_start(ap, flags);
	m = open_mode(flags, ap);
	va_end(ap);
	return do_open(dirfd, path, flags, m, 2);
}

int
openat64(int dirfd, const char *path, int flags, ...)
{
	va_list ap;
	mode_t m;

	va_start(ap, flags);
	m = open_mode(flags, ap);
	va_end(ap);
	return do_open(dirfd, path, flags, m, 3);
}

int
creat(const char *path, mode_t mode)
{
	return do_open(AT_FDCWD, path, O_CREAT | O_WRONLY | O_TRUNC, mode, 0);
}

int
creat64(const char *path, mode_t mode)
{
	return do_open(AT_FDCWD, path, O_CREAT | O_WRONLY | O_TRUNC, mode, 1);
}

static int
do_sync(int fd, int data_only)
{
	char path[PATH_MAX];
	struct stat st;
	uint64_t upto;
	int rc, dir;

	if (!enabled || fstat(fd, &st) != 0)
		return (data_only ? real.fdatasync : real.fsync)(fd);
	dir = S_ISDIR(st.st_mode);
	if (dir ? fd_path(fd, path) != 0 || !under_root(path) : !fd_journaled(fd, &st, path))
		return (data_only ? real.fdatasync : real.fsync)(fd);
	upto = position();
	if ((rc = (data_only ? real.fdatasync : real.fsync)(fd)) == 0)
		journal(dir ? PC_DIRSYNC : PC_SYNC, st.st_dev, st.st_ino, upto, 0, 0,
		    NULL, 0, path, NULL, NULL);
	return rc;
}

int
fsync(int fd)
{
	return do_sync(fd, 0);
}

int
fdatasync(int fd)
{
	return do_sync(fd, 1);
}

void
sync(void)
{
	uint64_t upto = enabled ? position() : 0;

	real.sync();
	if (enabled)
		journal(PC_SYNCALL, 0, 0, upto, 0, 0, NULL, 0, NULL, NULL, NULL);
}

int
syncfs(int fd)
{
	uint64_t upto = enabled ? position() : 0;
	int rc = real.syncfs(fd);

	if (enabled && rc == 0)
		journal(PC_SYNCALL, 0, 0, upto, 0, 0, NULL, 0, NULL, NULL, NULL);
	return rc;
}

static int
do_rename(int ofd, const char *oldp, int nfd, const char *newp)
{
	char a[PATH_MAX], b[PATH_MAX], kept[PATH_MAX];
	struct stat pst;
	int rc, journaled;

	journaled = enabled && abs_path(ofd, oldp, a) == 0 && abs_path(nfd, newp, b) == 0 &&
	    (under_root(a) || under_root(b));
	if (!journaled)
		return real.renameat(ofd, oldp, nfd, newp);
	pthread_rwlock_rdlock(&order);
	keep(b, kept);
	rc = real.renameat(ofd, oldp, nfd, newp);
	if (rc == 0 && parent_id(b, &pst) == 0)
		journal(PC_RENAME, pst.st_dev, pst.st_ino, 0, 0, 0, NULL, 0, a, b, kept);
	else if (kept[0] != '\0')
		real.unlink(kept);
	pthread_rwlock_unlock(&order);
	return rc;
}

int
rename(const char *oldp, const char *newp)
{
	return do_rename(AT_FDCWD, oldp, AT_FDCWD, newp);
}

int
renameat(int ofd, const char *oldp, int nfd, const char *newp)
{
	return do_rename(ofd, oldp, nfd, newp);
}

static int
do_unlink(int dirfd, const char *path, int flags)
{
	char a[PATH_MAX], kept[PATH_MAX];
	struct stat pst;
	int rc;

	if (!enabled || (flags & AT_REMOVEDIR) || abs_path(dirfd, path, a) != 0 || !under_root(a))
		return real.unlinkat(dirfd, path, flags);
	pthread_rwlock_rdlock(&order);
	keep(a, kept);
	rc = real.unlinkat(dirfd, path, flags);
	if (rc == 0 && parent_id(a, &pst) == 0)
		journal(PC_UNLINK, pst.st_dev, pst.st_ino, 0, 0, 0, NULL, 0, a, NULL, kept);
	else if (kept[0] != '\0')
		real.unlink(kept);
	pthread_rwlock_unlock(&order);
	return rc;
}

int
unlink(const char *path)
{
	return do_unlink(AT_FDCWD, path, 0);
}

int
unlinkat(int dirfd, const char *path, int flags)
{
	return do_unlink(dirfd, path, flags);
}

int
mkdir(const char *path, mode_t mode)
{
	char a[PATH_MAX];
	struct stat pst;
	int rc;

	if (!enabled || abs_path(AT_FDCWD, path, a) != 0 || !under_root(a))
		return real.mkdir(path, mode);
	pthread_rwlock_rdlock(&order);
	rc = real.mkdir(path, mode);
	if (rc == 0 && parent_id(a, &pst) == 0)
		journal(PC_MKDIR, pst.st_dev, pst.st_ino, 0, 0, 0, NULL, 0, a, NULL, NULL);
	pthread_rwlock_unlock(&order);
	return rc;
}

int
close(int fd)
{
	fd_forget(fd);
	return real.close(fd);
}
