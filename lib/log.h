/*
 * log.h - what a long-running roster process (rosterd serve, roster serve)
 * says about itself, in one of two forms chosen at start:
 *
 *   plain   "rosterd: <message>" lines on standard error, as the programs
 *           always printed them (the default);
 *   json    one JSON object per event on standard error, for a log
 *           collector:  {"time":"2025-11-22T14:00:00.123Z","level":"info",
 *           "program":"rosterd","event":"request","msg":"...", ...fields}
 *
 * An event has a fixed name (what happened: "start", "request", "commit",
 * "tree-rebuild", ...), a level, a sentence for people and, in JSON, typed
 * fields.  What goes into a log is the process's own business: paths, sizes,
 * statuses, durations, counts, log indexes.  Never a message's content (the
 * hub never has it; a node must not write it out), never a key, passphrase or
 * query string (it may carry a search term).
 *
 * One line (or object) is written with one write(2), so lines from several
 * threads never interleave.
 */
#ifndef ROSTER_LOG_H
#define ROSTER_LOG_H

#include <jansson.h>

enum log_format {
	LOG_PLAIN,
	LOG_JSON
};

enum log_level {
	LOG_INFO,
	LOG_WARN,
	LOG_ERROR
};

/* Sets the program name ("rosterd") and the form; before any thread logs. */
void log_setup(const char *program, enum log_format f);
enum log_format log_format(void);
/* "plain" or "json"; -1 otherwise. */
int log_format_parse(const char *s, enum log_format *f)
    __attribute__((warn_unused_result));

/* In the JSON form, whatever else writes to standard error from now on (a
 * library's message, code that prints its own lines) becomes an event
 * "stderr" too, one per line, so the stream stays one object per line.
 * log_capture_end restores standard error (after the last line is out). */
int log_capture_stderr(void) __attribute__((warn_unused_result));
void log_capture_end(void);

/* An event with a sentence (printf format).  Plain: "program: sentence". */
void log_event(enum log_level level, const char *event, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* The same with fields (an object, stolen; may be NULL), which only the JSON
 * form shows; plain shows the sentence alone, or nothing when quiet_plain
 * (events too frequent for a terminal, such as every request). */
void log_fields(enum log_level level, const char *event, json_t *fields,
    int quiet_plain, const char *fmt, ...) __attribute__((format(printf, 5, 6)));

#endif
