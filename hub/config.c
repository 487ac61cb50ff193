/*
 * config.c - HUBDIR/hub.json.
 *
 *   {"name": "UN Global POC hub", "listen": "127.0.0.1:8443",
 *    "max_body": 16777216, "threads": 4, "max_attachment": 52428800,
 *    "tls_cert": "/etc/rosterd/cert.pem", "tls_key": "/etc/rosterd/key.pem",
 *    "deadlines": {"flash": "1h", "urgent": "4h", "priority": "24h",
 *                  "routine": "72h"},
 *    "metrics_listen": "127.0.0.1:9464", "log_format": "json",
 *    "db": "postgresql://rosterd@db.example/roster", "db_pool": 8,
 *    "blobs": "/srv/shared/roster-blobs",
 *    "quota_envelopes": 3600, "quota_bytes": 67108864,
 *    "max_connections_per_address": 64, "header_timeout_s": 10,
 *    "max_waits_per_device": 4, "startup_check": true}
 *
 * The last five are docs/protocol.md section 9's: what one device may
 * append in a sliding hour (envelopes it signs and their bytes; 0 turns a
 * quota off, for benchmarks; operator records are never counted), how many
 * connections one address may hold open, how long a client has to finish
 * sending a request's headers, and how many long polls one device may
 * park.  docs/operations.md says how to size them.  "startup_check" false
 * skips the re-hashing of every stored envelope at start (hub/startcheck.c;
 * its cost is in docs/operations.md), for hubs restarted in a loop.
 *
 * ROSTER_HUB_DB in the environment overrides "db" for every command (so a
 * URL with a password can stay out of the file: libpq's PGPASSFILE and
 * ~/.pgpass are the other ways).
 *
 * Only "name" is required (the TLS pair goes together or not at all); the others have defaults (hub.h).  Unknown keys
 * are refused rather than ignored, so a misspelt key is noticed at once.
 * The file is written atomically (lib/util.h) and read with a size bound.
 */
#include "hub.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonutil.h"
#include "pg.h"
#include "util.h"

#define CONFIG_MAX	65536

void
hub_config_defaults(struct hub_config *c)
{
	memset(c, 0, sizeof(*c));
	snprintf(c->listen, sizeof(c->listen), "%s", HUB_DEFAULT_LISTEN);
	c->max_body = HUB_DEFAULT_MAX_BODY;
	c->threads = HUB_DEFAULT_THREADS;
	c->max_attachment = HUB_DEFAULT_MAX_ATTACHMENT;
	for (int i = 0; i < URGENCY_LEVELS; i++)
		c->deadline_ms[i] = urgency_default_deadline_ms[i];
	c->quota_envelopes = HUB_DEFAULT_QUOTA_ENVELOPES;
	c->quota_bytes = HUB_DEFAULT_QUOTA_BYTES;
	c->conn_per_address = HUB_DEFAULT_CONN_PER_ADDRESS;
	c->header_timeout_s = HUB_DEFAULT_HEADER_TIMEOUT_S;
	c->waits_per_device = HUB_DEFAULT_WAITS_PER_DEVICE;
	c->startup_check = 1;
	snprintf(c->log_format, sizeof(c->log_format), "plain");
	c->db_pool = HUB_DEFAULT_DB_POOL;
}

/* An integer key within [min, max]. */
static int
config_int(const char *path, const char *key, json_t *v, int64_t min, int64_t max,
    int64_t *out)
{
	if (!json_is_integer(v) || json_integer_value(v) < min ||
	    json_integer_value(v) > max) {
		rs_seterr("%s: \"%s\" must be an integer from %lld to %lld", path,
		    key, (long long)min, (long long)max);
		return -1;
	}
	*out = json_integer_value(v);
	return 0;
}

/* "deadlines": any subset of the urgency levels, each a duration. */
static int
config_deadlines(struct hub_config *c, const char *path, json_t *v)
{
	const char *k;
	json_t *d;
	int u;

	if (!json_is_object(v)) {
		rs_seterr("%s: \"deadlines\" must be an object such as "
		    "{\"flash\": \"1h\", \"routine\": \"72h\"}", path);
		return -1;
	}
	json_object_foreach(v, k, d) {
		if ((u = urgency_index(k)) < 0) {
			rs_seterr("%s: deadlines: unknown urgency \"%s\" (flash, "
			    "urgent, priority, routine)", path, k);
			return -1;
		}
		if (!json_is_string(d) ||
		    parse_duration(json_string_value(d), &c->deadline_ms[u]) != 0 ||
		    c->deadline_ms[u] <= 0) {
			rs_seterr("%s: deadlines: %s must be a duration such as \"4h\"",
			    path, k);
			return -1;
		}
	}
	/* The rule every node applies to the policy it is served (lib/util.c):
	 * a hub.json that nodes would refuse is refused here first. */
	if (deadline_policy_check(c->deadline_ms) != 0) {
		char why[RS_ERRLEN];
		snprintf(why, sizeof(why), "%s", rs_err());
		rs_seterr("%s: deadlines: %s", path, why);
		return -1;
	}
	return 0;
}

int
hub_parse_size(const char *s, size_t *out)
{
	unsigned long long v = 0, mul = 1;
	size_t i = 0;

	for (; s[i] >= '0' && s[i] <= '9'; i++) {
		if (v > (1ull << 40))
			return -1;
		v = v * 10 + (unsigned)(s[i] - '0');
	}
	if (i == 0)
		return -1;
	switch (s[i]) {
	case '\0':
		break;
	case 'k': case 'K':
		mul = 1ull << 10;
		break;
	case 'm': case 'M':
		mul = 1ull << 20;
		break;
	case 'g': case 'G':
		mul = 1ull << 30;
		break;
	default:
		return -1;
	}
	if (s[i] != '\0' && s[i + 1] != '\0')
		return -1;
	if (v > (1ull << 40) / mul)
		return -1;
	*out = (size_t)(v * mul);
	return 0;
}

static int
config_field(struct hub_config *c, const char *path, const char *key, json_t *v)
{
	int64_t n;

	if (strcmp(key, "name") == 0) {
		if (!json_is_string(v) || !checkpoint_valid_origin(json_string_value(v))) {
			rs_seterr("%s: \"name\" must be 1 to %d bytes of text "
			    "without control characters", path, ORIGIN_MAX - 1);
			return -1;
		}
		snprintf(c->name, sizeof(c->name), "%s", json_string_value(v));
	} else if (strcmp(key, "listen") == 0) {
		if (!json_is_string(v) || strlen(json_string_value(v)) == 0 ||
		    strlen(json_string_value(v)) >= sizeof(c->listen)) {
			rs_seterr("%s: \"listen\" must be ADDR:PORT", path);
			return -1;
		}
		snprintf(c->listen, sizeof(c->listen), "%s", json_string_value(v));
	} else if (strcmp(key, "max_body") == 0) {
		if (!json_is_integer(v) || json_integer_value(v) < 1024 ||
		    (unsigned long long)json_integer_value(v) > HUB_MAX_MAX_BODY) {
			rs_seterr("%s: \"max_body\" must be an integer from 1024 "
			    "to %zu bytes", path, HUB_MAX_MAX_BODY);
			return -1;
		}
		c->max_body = (size_t)json_integer_value(v);
	} else if (strcmp(key, "max_attachment") == 0) {
		if (!json_is_integer(v) || json_integer_value(v) < 0 ||
		    (unsigned long long)json_integer_value(v) > HUB_MAX_MAX_ATTACHMENT) {
			rs_seterr("%s: \"max_attachment\" must be an integer from 0 "
			    "(no attachments) to %zu bytes", path, HUB_MAX_MAX_ATTACHMENT);
			return -1;
		}
		c->max_attachment = (size_t)json_integer_value(v);
	} else if (strcmp(key, "threads") == 0) {
		if (!json_is_integer(v) || json_integer_value(v) < 1 ||
		    json_integer_value(v) > HUB_MAX_THREADS) {
			rs_seterr("%s: \"threads\" must be an integer from 1 to %d",
			    path, HUB_MAX_THREADS);
			return -1;
		}
		c->threads = (unsigned)json_integer_value(v);
	} else if (strcmp(key, "tls_cert") == 0 || strcmp(key, "tls_key") == 0) {
		char *dst = key[4] == 'c' ? c->tls_cert : c->tls_key;
		if (!json_is_string(v) || strlen(json_string_value(v)) >= sizeof(c->tls_cert)) {
			rs_seterr("%s: \"%s\" must be the path of a PEM file", path, key);
			return -1;
		}
		snprintf(dst, sizeof(c->tls_cert), "%s", json_string_value(v));
	} else if (strcmp(key, "deadlines") == 0) {
		return config_deadlines(c, path, v);
	} else if (strcmp(key, "metrics_listen") == 0) {
		if (!json_is_string(v) || strchr(json_string_value(v), ':') == NULL ||
		    strlen(json_string_value(v)) >= sizeof(c->metrics_listen)) {
			rs_seterr("%s: \"metrics_listen\" must be ADDR:PORT", path);
			return -1;
		}
		snprintf(c->metrics_listen, sizeof(c->metrics_listen), "%s",
		    json_string_value(v));
	} else if (strcmp(key, "db") == 0) {
		if (!json_is_string(v) || !pg_is_url(json_string_value(v)) ||
		    strlen(json_string_value(v)) >= sizeof(c->db)) {
			rs_seterr("%s: \"db\" must be a postgresql:// URL (leave it "
			    "out for SQLite in HUBDIR/hub.db)", path);
			return -1;
		}
		snprintf(c->db, sizeof(c->db), "%s", json_string_value(v));
	} else if (strcmp(key, "db_pool") == 0) {
		if (!json_is_integer(v) || json_integer_value(v) < 1 ||
		    json_integer_value(v) > HUB_MAX_DB_POOL) {
			rs_seterr("%s: \"db_pool\" must be an integer from 1 to %d",
			    path, HUB_MAX_DB_POOL);
			return -1;
		}
		c->db_pool = (unsigned)json_integer_value(v);
	} else if (strcmp(key, "blobs") == 0) {
		if (!json_is_string(v) || json_string_value(v)[0] != '/' ||
		    strlen(json_string_value(v)) >= sizeof(c->blobs)) {
			rs_seterr("%s: \"blobs\" must be an absolute path", path);
			return -1;
		}
		snprintf(c->blobs, sizeof(c->blobs), "%s", json_string_value(v));
	} else if (strcmp(key, "log_format") == 0) {
		enum log_format f;
		if (!json_is_string(v) || log_format_parse(json_string_value(v), &f) != 0) {
			rs_seterr("%s: \"log_format\" must be \"plain\" or \"json\"", path);
			return -1;
		}
		snprintf(c->log_format, sizeof(c->log_format), "%s", json_string_value(v));
	} else if (strcmp(key, "quota_envelopes") == 0) {
		return config_int(path, key, v, 0, 1000000000, &c->quota_envelopes);
	} else if (strcmp(key, "quota_bytes") == 0) {
		return config_int(path, key, v, 0, (int64_t)1 << 40, &c->quota_bytes);
	} else if (strcmp(key, "max_connections_per_address") == 0) {
		if (config_int(path, key, v, 1, 4096, &n) != 0)
			return -1;
		c->conn_per_address = (unsigned)n;
	} else if (strcmp(key, "header_timeout_s") == 0) {
		if (config_int(path, key, v, 1, 3600, &n) != 0)
			return -1;
		c->header_timeout_s = (unsigned)n;
	} else if (strcmp(key, "startup_check") == 0) {
		if (!json_is_boolean(v)) {
			rs_seterr("%s: \"startup_check\" must be true or false", path);
			return -1;
		}
		c->startup_check = json_is_true(v);
	} else if (strcmp(key, "max_waits_per_device") == 0) {
		if (config_int(path, key, v, 0, 4000, &n) != 0)
			return -1;
		c->waits_per_device = (unsigned)n;
	} else {
		rs_seterr("%s: unknown key \"%s\" (known: name, listen, "
		    "max_body, max_attachment, threads, tls_cert, tls_key, deadlines, "
		    "quota_envelopes, quota_bytes, max_connections_per_address, "
		    "header_timeout_s, max_waits_per_device, startup_check, "
		    "metrics_listen, log_format, db, db_pool, blobs)", path, key);
		return -1;
	}
	return 0;
}

int
hub_config_db_env(struct hub_config *c)
{
	const char *env = getenv("ROSTER_HUB_DB");

	if (env == NULL || env[0] == '\0')
		return 0;
	if (!pg_is_url(env) || strlen(env) >= sizeof(c->db)) {
		rs_seterr("ROSTER_HUB_DB must be a postgresql:// URL");
		return -1;
	}
	snprintf(c->db, sizeof(c->db), "%s", env);
	return 0;
}

int
hub_config_read(const char *hubdir, struct hub_config *c)
{
	char *path = hub_path(hubdir, "hub.json");
	struct buf b = {0};
	const char *key;
	json_t *j = NULL, *v;
	int rc = -1;

	hub_config_defaults(c);
	if (read_file(path, &b, CONFIG_MAX) != 0) {
		char why[RS_ERRLEN];
		snprintf(why, sizeof(why), "%s", rs_err());
		rs_seterr("%s is not an initialised hub (%s); run \"rosterd init\"",
		    hubdir, why);
		goto out;
	}
	if ((j = jparse(b.p, b.len)) == NULL || !json_is_object(j)) {
		char why[RS_ERRLEN];
		snprintf(why, sizeof(why), "%s", j == NULL ? rs_err() :
		    "not a JSON object");
		rs_seterr("%s: %s", path, why);
		goto out;
	}
	json_object_foreach(j, key, v) {
		if (config_field(c, path, key, v) != 0)
			goto out;
	}
	if (c->name[0] == '\0') {
		rs_seterr("%s: missing \"name\"", path);
		goto out;
	}
	if (hub_config_db_env(c) != 0)
		goto out;
	rc = 0;
out:
	json_decref(j);
	buf_free(&b);
	free(path);
	return rc;
}

int
hub_config_write(const char *hubdir, const struct hub_config *c)
{
	char *path = hub_path(hubdir, "hub.json"), *text;
	json_t *j = json_object();
	int rc;

	json_object_set_new(j, "name", json_string(c->name));
	json_object_set_new(j, "listen", json_string(c->listen));
	json_object_set_new(j, "max_body", json_integer((json_int_t)c->max_body));
	json_object_set_new(j, "threads", json_integer(c->threads));
	json_object_set_new(j, "max_attachment",
	    json_integer((json_int_t)c->max_attachment));
	if (c->tls_cert[0] != '\0') {
		json_object_set_new(j, "tls_cert", json_string(c->tls_cert));
		json_object_set_new(j, "tls_key", json_string(c->tls_key));
	}
	if (c->metrics_listen[0] != '\0')
		json_object_set_new(j, "metrics_listen", json_string(c->metrics_listen));
	if (strcmp(c->log_format, "plain") != 0)
		json_object_set_new(j, "log_format", json_string(c->log_format));
	if (c->db[0] != '\0')
		json_object_set_new(j, "db", json_string(c->db));
	if (c->blobs[0] != '\0')
		json_object_set_new(j, "blobs", json_string(c->blobs));
	/* Section 9's keys when not the defaults (a benchmark's hub). */
	if (c->quota_envelopes != HUB_DEFAULT_QUOTA_ENVELOPES)
		json_object_set_new(j, "quota_envelopes", json_integer(c->quota_envelopes));
	if (c->quota_bytes != HUB_DEFAULT_QUOTA_BYTES)
		json_object_set_new(j, "quota_bytes", json_integer(c->quota_bytes));
	if (c->conn_per_address != HUB_DEFAULT_CONN_PER_ADDRESS)
		json_object_set_new(j, "max_connections_per_address",
		    json_integer(c->conn_per_address));
	if (c->header_timeout_s != HUB_DEFAULT_HEADER_TIMEOUT_S)
		json_object_set_new(j, "header_timeout_s",
		    json_integer(c->header_timeout_s));
	if (c->waits_per_device != HUB_DEFAULT_WAITS_PER_DEVICE)
		json_object_set_new(j, "max_waits_per_device",
		    json_integer(c->waits_per_device));
	if (!c->startup_check)
		json_object_set_new(j, "startup_check", json_false());
	text = json_dumps(j, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	json_decref(j);
	if (text == NULL) {
		rs_seterr("cannot serialise the configuration");
		free(path);
		return -1;
	}
	rc = write_file_atomic(path, text, strlen(text), 0600);
	free(text);
	free(path);
	return rc;
}
