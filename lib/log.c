/*
 * log.c - see log.h.
 *
 * The form is a process-wide setting written once at start and read
 * without a lock afterwards.  Capturing standard error (JSON only) points
 * fd 2 at a pipe that a thread turns into events, while events themselves
 * go to the real standard error, kept as out_fd.  Each event is formatted into a buffer and
 * written with a single write(2) to standard error, which POSIX makes
 * atomic for a pipe up to PIPE_BUF and which in practice keeps whole lines
 * together on files and journald's stream as well.
 */
#include "log.h"

#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "util.h"

static enum log_format fmt_now = LOG_PLAIN;
static char prog[32] = "roster";
static int out_fd = STDERR_FILENO;	/* the real standard error */
static pthread_t capture_th;
static int capture_rd = -1;

static const char *level_names[] = { "info", "warn", "error" };

void
log_setup(const char *program, enum log_format f)
{
	snprintf(prog, sizeof(prog), "%s", program);
	fmt_now = f;
}

enum log_format
log_format(void)
{
	return fmt_now;
}

int
log_format_parse(const char *s, enum log_format *f)
{
	if (strcmp(s, "plain") == 0)
		*f = LOG_PLAIN;
	else if (strcmp(s, "json") == 0)
		*f = LOG_JSON;
	else {
		rs_seterr("log format must be \"plain\" or \"json\", not \"%.20s\"", s);
		return -1;
	}
	return 0;
}

static void
write_all(const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(out_fd, p, n);
		if (w <= 0)
			return;		/* nowhere to say it */
		p += w;
		n -= (size_t)w;
	}
}

/* "2025-11-22T14:00:00.123Z" */
static void
iso_time(char *out, size_t len)
{
	int64_t ms = now_ms();
	time_t secs = (time_t)(ms / 1000);
	struct tm tm;

	gmtime_r(&secs, &tm);
	snprintf(out, len, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
	    tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
	    (int)(ms % 1000));
}

/* A sentence with bytes that are not UTF-8 (a name cut short) still makes
 * a string: such bytes become '?'. */
static json_t *
text_json(const char *msg)
{
	json_t *j = json_string(msg);
	char *copy;

	if (j != NULL)
		return j;
	copy = xstrdup(msg);
	for (char *p = copy; *p != '\0'; p++)
		if ((unsigned char)*p >= 0x80)
			*p = '?';
	j = json_string(copy);
	free(copy);
	return j;
}

static void
emit(enum log_level level, const char *event, json_t *fields, int quiet_plain,
    const char *msg)
{
	char when[64], *text;
	json_t *o;
	struct buf b = {0};

	if (fmt_now == LOG_PLAIN) {
		json_decref(fields);
		if (quiet_plain)
			return;
		buf_printf(&b, "%s: %s\n", prog, msg);
		write_all((const char *)b.p, b.len);
		buf_free(&b);
		return;
	}
	iso_time(when, sizeof(when));
	o = json_object();
	json_object_set_new(o, "time", json_string(when));
	json_object_set_new(o, "level", json_string(level_names[level]));
	json_object_set_new(o, "program", json_string(prog));
	json_object_set_new(o, "event", json_string(event));
	json_object_set_new(o, "msg", text_json(msg));
	if (fields != NULL) {
		json_object_update_missing(o, fields);
		json_decref(fields);
	}
	text = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_ENSURE_ASCII);
	json_decref(o);
	if (text == NULL)
		return;
	buf_addstr(&b, text);
	buf_addstr(&b, "\n");
	free(text);
	write_all((const char *)b.p, b.len);
	buf_free(&b);
}

/* The capture thread: each line written to fd 2 becomes an event. */
static void *
capture_main(void *arg)
{
	char chunk[4096];
	struct buf line = {0};
	ssize_t n;

	(void)arg;
	while ((n = read(capture_rd, chunk, sizeof(chunk))) > 0 ||
	    (n < 0 && errno == EINTR)) {
		for (ssize_t i = 0; i < n; i++) {
			if (chunk[i] != '\n') {
				if (line.len < 4000)
					buf_add(&line, &chunk[i], 1);
				continue;
			}
			emit(LOG_WARN, "stderr", NULL, 0, buf_cstr(&line));
			line.len = 0;
		}
	}
	if (line.len > 0)
		emit(LOG_WARN, "stderr", NULL, 0, buf_cstr(&line));
	buf_free(&line);
	return NULL;
}

int
log_capture_stderr(void)
{
	int p[2];

	if (fmt_now != LOG_JSON || capture_rd >= 0)
		return 0;
	if ((out_fd = dup(STDERR_FILENO)) < 0 || pipe(p) != 0) {
		out_fd = STDERR_FILENO;
		rs_seterr("cannot capture standard error: %s", strerror(errno));
		return -1;
	}
	fflush(stderr);
	if (dup2(p[1], STDERR_FILENO) < 0) {
		close(p[0]);
		close(p[1]);
		close(out_fd);
		out_fd = STDERR_FILENO;
		rs_seterr("cannot capture standard error: %s", strerror(errno));
		return -1;
	}
	close(p[1]);
	capture_rd = p[0];
	if (pthread_create(&capture_th, NULL, capture_main, NULL) != 0) {
		dup2(out_fd, STDERR_FILENO);
		close(out_fd);
		close(capture_rd);
		out_fd = STDERR_FILENO;
		capture_rd = -1;
		rs_seterr("cannot start the standard error thread");
		return -1;
	}
	return 0;
}

void
log_capture_end(void)
{
	if (capture_rd < 0)
		return;
	fflush(stderr);
	dup2(out_fd, STDERR_FILENO);	/* the pipe's last writer goes: EOF */
	pthread_join(capture_th, NULL);
	close(capture_rd);
	close(out_fd);
	capture_rd = -1;
	out_fd = STDERR_FILENO;
}

void
log_event(enum log_level level, const char *event, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	emit(level, event, NULL, 0, msg);
}

void
log_fields(enum log_level level, const char *event, json_t *fields,
    int quiet_plain, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	emit(level, event, fields, quiet_plain, msg);
}
