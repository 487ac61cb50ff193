/*
 * help.c - the manual of rosterd: one struct cmd_doc per command
 * (lib/opts.h), its option table beside its prose.
 *
 * The table is what the command parses against (parse_* in each command's
 * file), what "rosterd CMD --help" prints and what the manual page
 * rosterd-CMD(1) is made from, so they cannot drift.  Kept in one place,
 * laid out like man pages, so the pages read side by side; roster's are in
 * node/cli/help.c, in the same form.  Prose rules (opts.h): lines starting
 * with a letter flow into paragraphs; lines starting with a space stay as
 * they are.
 */
#include <stdio.h>

#include "hub.h"
#include "opts.h"

static const struct doc_section rosterd_sections[] = {
	{ "ENVIRONMENT",
	  "  ROSTER_HUB_DIR   the hub directory, when HUBDIR is not given" },
	{ "FILES",
	  "  HUBDIR/hub.json      configuration (see rosterd init --help)\n"
	  "  HUBDIR/operator.key  operator signing key, unsealed, mode 0600\n"
	  "  HUBDIR/operator.pub  its public half, to give to nodes\n"
	  "  HUBDIR/hub.db        the log (SQLite, WAL, synchronous=FULL), unless\n"
	  "                       hub.json names a PostgreSQL database (\"db\")\n"
	  "  HUBDIR/tree/         the Merkle tree, one file per level\n"
	  "  HUBDIR/blobs/        attachments' ciphertexts, by SHA-256\n"
	  "  HUBDIR/lock          held by the one process writing the log\n"
	  "  HUBDIR/serve.url     the URL of the running hub" },
	{ NULL, NULL }
};

static const struct cmd_doc doc_rosterd = {
	.prog = "rosterd",
	.summary = "the roster hub: an append-only, signed log of envelopes",
	.synopsis = "COMMAND [HUBDIR] [options]\nCOMMAND --help\nhelp [COMMAND]\n--version",
	.description =
"rosterd accepts envelopes signed by States' devices, appends them to a\n"
"Merkle-tree log (RFC 9162 hashing), answers each with a receipt signed by\n"
"the operator key once it is durable, and serves checkpoints, proofs, the\n"
"key directory and each device's mail.  It never holds a State's key and\n"
"stores message bodies only as ciphertext.  docs/protocol.md is the\n"
"contract it implements.\n"
"\n"
"HUBDIR may be given as the first argument of each command or in the\n"
"environment variable ROSTER_HUB_DIR.  Every command has --help and a\n"
"manual page (rosterd-serve(1) and so on).",
	.sections = rosterd_sections,
	.examples =
"  rosterd init /var/lib/rosterd --name \"OEWG POC hub\"\n"
"  rosterd serve /var/lib/rosterd --listen 127.0.0.1:8443\n"
"  rosterd admit /var/lib/rosterd --state XA --root-key xa.root.pub",
};

/* ---- init ---------------------------------------------------------------- */

static const struct opt_spec opts_init[] = {
	{ "--name", "NAME", 0,
	  "The hub's name, required: the origin line of every checkpoint the\n"
	  "hub signs.  1 to 127 bytes of UTF-8 without control characters." },
	{ "--listen", "ADDR:PORT", 0,
	  "Default listen address written to hub.json (127.0.0.1:8443)." },
	{ "--max-body", "SIZE", 0,
	  "Largest request body accepted, with optional K, M or G suffix\n"
	  "(default 16M; 1K to 1G)." },
	{ "--db", "postgresql://USER@HOST/DB", 0,
	  "Keep the log in this PostgreSQL database instead of HUBDIR/hub.db\n"
	  "(or ROSTER_HUB_DB): rosterd creates its schema there (the database\n"
	  "must hold no hub) and writes \"db\" into hub.json.  Several rosterd\n"
	  "serve processes, each with a HUBDIR of its own (operator.key,\n"
	  "operator.pub and hub.json copied), may then serve one log; see\n"
	  "docs/operations.md." },
	{ NULL, NULL, 0, NULL }
};

static const struct doc_section init_sections[] = {
	{ "CONFIGURATION",
"HUBDIR/hub.json is a JSON object; unknown keys are refused.\n"
"  \"name\"      string, required: the checkpoints' origin (see --name).\n"
"  \"listen\"    string, \"ADDR:PORT\" or \"[V6ADDR]:PORT\", numeric only;\n"
"              port 0 picks a free port.  Default \"127.0.0.1:8443\".\n"
"  \"max_body\"  integer, bytes: larger request bodies are answered 413\n"
"              without being read.  Default 16777216 (16 MiB).\n"
"  \"max_attachment\"  integer, bytes: the largest file a message may\n"
"              attach (plus 17 bytes per 64 KiB of encryption), streamed\n"
"              to HUBDIR/blobs/, never held in memory; max_body does not\n"
"              apply.  0 refuses attachments.  Default 52428800 (50 MiB).\n"
"  \"threads\"   integer, 1 to 256: HTTP worker threads, which parse and\n"
"              verify envelopes in parallel.  Default 4.\n"
"  \"tls_cert\", \"tls_key\"  strings, paths of a PEM certificate (chain)\n"
"              and its private key: serve HTTPS.  Both or neither.\n"
"  \"db\"        string, a postgresql:// URL: the log is there, not in\n"
"              hub.db (see --db; ROSTER_HUB_DB overrides it).\n"
"  \"db_pool\"   integer, 1 to 256: reader connections per process to\n"
"              that database.  Default 8.\n"
"  \"blobs\"     string, an absolute path: the attachments' folder\n"
"              (default HUBDIR/blobs); processes serving one database\n"
"              share one.\n"
"  \"metrics_listen\"  string, \"ADDR:PORT\": serve GET /metrics there\n"
"              (see rosterd serve --help).  Default: no metrics.\n"
"  \"log_format\"  \"plain\" (default) or \"json\" (see rosterd serve).\n"
"  \"quota_envelopes\", \"quota_bytes\"  integers: what one device (any\n"
"              signer but the operator) may append in a sliding hour,\n"
"              envelopes and bytes of envelopes; beyond, 429 with\n"
"              Retry-After.  0 turns one off.  Defaults 3600 and\n"
"              67108864 (64 MiB).\n"
"  \"max_connections_per_address\"  integer, 1 to 4096: open connections\n"
"              from one client address.  Default 64.\n"
"  \"header_timeout_s\"  integer, 1 to 3600: seconds a client has, from\n"
"              connecting, to finish sending a request's headers.\n"
"              Default 10.\n"
"  \"max_waits_per_device\"  integer, 0 to 4000: long polls (GET\n"
"              /v1/mail?wait=S) one device may have parked; beyond,\n"
"              answered at once.  Default 4.\n"
"  \"startup_check\"  true or false: re-hash every stored envelope at\n"
"              start and compare it with its id, both trees and its\n"
"              header.  Default true; see docs/operations.md for its\n"
"              cost." },
	{ NULL, NULL }
};

const struct cmd_doc hdoc_init = {
	.prog = "rosterd", .name = "init", .run = cmd_init,
	.summary = "create a new hub",
	.synopsis = "HUBDIR --name NAME [--listen ADDR:PORT] [--max-body SIZE] "
	    "[--db postgresql://USER@HOST/DB]",
	.description =
"Creates HUBDIR (mode 0700) holding a new operator key (operator.key,\n"
"unsealed, mode 0600, so that the daemon can start unattended; protect it\n"
"like a TLS server key), its public half (operator.pub), an empty log\n"
"(hub.db, tree/) and the configuration hub.json.  Prints the operator\n"
"key's fingerprint and hex: give them to the States out of band, so their\n"
"nodes can check they talk to this hub.\n"
"\n"
"Refuses when HUBDIR already holds any part of a hub: init never\n"
"overwrites a key or a log.",
	.opts = opts_init,
	.sections = init_sections,
	.examples = "  rosterd init /var/lib/rosterd --name \"OEWG POC hub\"",
};

/* ---- serve --------------------------------------------------------------- */

static const struct opt_spec opts_serve[] = {
	{ "--listen", "ADDR:PORT", 0,
	  "Overrides \"listen\" of hub.json.  Port 0 picks a free port (read it\n"
	  "from serve.url or stdout)." },
	{ "--threads", "N", 0,
	  "Overrides \"threads\" of hub.json: HTTP worker threads (1-256)." },
	{ "--tls-cert", "FILE", 0,
	  "Serve HTTPS with this PEM certificate (chain), with --tls-key;\n"
	  "overrides \"tls_cert\" of hub.json.  Put both in hub.json if rosterd\n"
	  "admit is to reach the running hub.  Nodes trust a self-signed\n"
	  "certificate with roster init --hub-ca FILE.  roster's security does\n"
	  "not rest on TLS (everything is signed and bodies are encrypted end\n"
	  "to end); TLS hides metadata from the network." },
	{ "--tls-key", "FILE", 0,
	  "The certificate's private key (PEM); overrides \"tls_key\" of\n"
	  "hub.json." },
	{ "--metrics-listen", "ADDR:PORT", 0,
	  "Serve GET /metrics (Prometheus text: envelopes accepted and\n"
	  "refused, requests and latency per route, quota refusals, commit\n"
	  "latency, log size, checkpoint age, parked long polls) on this\n"
	  "separate address; overrides \"metrics_listen\" of hub.json.  Off by\n"
	  "default.  The URL goes to HUBDIR/metrics.url." },
	{ "--log-format", "plain|json", 0,
	  "plain (the default): \"rosterd: ...\" lines on stderr.  json: one\n"
	  "JSON object per event on stderr (time, level, event, msg and\n"
	  "fields), including one \"request\" event per request (method,\n"
	  "route, status, duration).  Never a message's content.  Overrides\n"
	  "\"log_format\" of hub.json." },
	{ NULL, NULL, 0, NULL }
};

const struct cmd_doc hdoc_serve = {
	.prog = "rosterd", .name = "serve", .run = cmd_serve,
	.summary = "run the hub",
	.synopsis = "HUBDIR [--listen ADDR:PORT] [--threads N] "
	    "[--tls-cert FILE --tls-key FILE] "
	    "[--metrics-listen ADDR:PORT] [--log-format plain|json]",
	.description =
"Opens the log and serves the API of docs/protocol.md section 5 over\n"
"HTTPS when a certificate is configured, else plain HTTP:\n"
"  GET  /v1/info                   name, operator key, log size\n"
"  POST /v1/envelopes              append envelopes, get receipts\n"
"  GET  /v1/checkpoint             the latest signed checkpoint\n"
"  GET  /v1/proof/inclusion?size=N&index=I[,I...]\n"
"  GET  /v1/proof/consistency?from=M&to=N\n"
"  GET  /v1/public?after=I[&limit=L]   every public record, with its\n"
"                                  public index (section 8)\n"
"  GET  /v1/proof/public?size=N&pindex=K\n"
"  GET  /v1/record?index=I         one public record\n"
"  GET  /v1/mail?after=I[&limit=L] msg and ack for the signing device\n"
"  GET  /v1/mail?after=I&wait=S    the same, held up to S (<= 30) seconds\n"
"                                  until mail for that device is logged\n"
"\n"
"A held request takes no thread (the connection is suspended until the\n"
"sequencer commits mail for its device), but it is an open connection:\n"
"rosterd raises its open-file limit towards 8192 and serves up to 4096\n"
"connections, 4000 of them waiting.\n"
"\n"
"Envelopes are verified on the worker threads and appended by one\n"
"sequencer thread in group commits: everything queued goes into one\n"
"SQLite transaction and one sync of the tree.  A receipt is sent only\n"
"after that commit, so a receipt means the envelope survives a crash.\n"
"\n"
"On start both trees are checked against the log and rebuilt from it if\n"
"their files were lost or damaged (said on stderr); then every stored\n"
"envelope is re-hashed and compared with its id, its leaves in both trees\n"
"and its header (kind column, public or not): a hub whose store disagrees\n"
"refuses to start, naming the first bad index (the cost, one SHA-256 pass\n"
"over the log, is in docs/operations.md).  A log from before the public\n"
"tree is classified first, once.  When listening, rosterd writes its URL\n"
"to HUBDIR/serve.url and prints \"rosterd: serving NAME on\n"
"http://ADDR:PORT\".  It holds an exclusive lock on HUBDIR/lock while\n"
"running.  SIGINT or SIGTERM stop it cleanly: requests in flight are\n"
"finished and the latest checkpoint saved.",
	.opts = opts_serve,
	.examples =
"  rosterd serve /var/lib/rosterd --listen 127.0.0.1:8443\n"
"  rosterd serve /var/lib/rosterd --listen 0.0.0.0:443 \\\n"
"      --tls-cert /etc/rosterd/cert.pem --tls-key /etc/rosterd/key.pem",
};

/* ---- admit, group -------------------------------------------------------- */

static const struct opt_spec opts_admit[] = {
	{ "--state", "XA", 0, "The State's two-letter code (xa is taken as XA)." },
	{ "--root-key", "FILE.pub", 0,
	  "The State's root public key file ({\"roster\":\"root-key.pub\",...},\n"
	  "from roster keygen)." },
	{ "--name", "TEXT", 0, "An optional display name of the State." },
	{ NULL, NULL, 0, NULL }
};

static const struct doc_section admit_sections[] = {
	{ "ERRORS",
	  "Fails (exit 1) on a missing or malformed key file, a key file of\n"
	  "another State, or a root key already admitted." },
	{ NULL, NULL }
};

const struct cmd_doc hdoc_admit = {
	.prog = "rosterd", .name = "admit", .run = cmd_admit,
	.summary = "admit a State's root key to the directory",
	.synopsis = "HUBDIR --state XA --root-key FILE.pub [--name TEXT]",
	.description =
"Signs an \"admit\" envelope with the operator key, naming the State and\n"
"its root key, and appends it to the log, where every node sees it.  The\n"
"State's root key then certifies the State's devices.  Compare the\n"
"fingerprint printed with the one the State's administrator reads to you\n"
"out of band before admitting.\n"
"\n"
"If the hub is serving, the envelope is sent to it over HTTP (the URL in\n"
"HUBDIR/serve.url); otherwise rosterd opens the log itself.  Prints the\n"
"log index of the admission and the root key's fingerprint.\n"
"\n"
"A second root key for a State that has one is admitted unendorsed: its\n"
"devices are unconfirmed and every node warns about the State until the\n"
"State endorses it with its first key (docs/protocol.md section 2).\n"
"rosterd admit then prints a WARNING naming the first key's fingerprint.",
	.opts = opts_admit,
	.sections = admit_sections,
	.examples = "  rosterd admit /var/lib/rosterd --state XA --root-key xa.root.pub",
};

static const struct opt_spec opts_group[] = {
	{ "--name", "NAME", 0, "1 to 31 lower-case letters, digits or '-'." },
	{ "--states", "LIST", 0,
	  "The member State codes, separated by commas (fr is taken as FR);\n"
	  "\"\" dissolves the group." },
	{ "--title", "LANG=TEXT", OPT_REPEAT,
	  "The display name in one language (repeat for each of ar, en, es,\n"
	  "fr, ru, zh)." },
	{ NULL, NULL, 0, NULL }
};

static const struct doc_section group_sections[] = {
	{ "ERRORS",
	  "Fails (exit 1) on a bad name or State code, a State listed twice,\n"
	  "or a hub that cannot be reached or refuses the record." },
	{ NULL, NULL }
};

const struct cmd_doc hdoc_group = {
	.prog = "rosterd", .name = "group", .run = cmd_group,
	.summary = "define, change or dissolve a named group of States",
	.synopsis = "HUBDIR --name NAME --states XA,XB,... [--title LANG=TEXT]...",
	.description =
"Signs a \"group\" envelope with the operator key and appends it to the\n"
"log.  Senders then address the group as group:NAME (roster send --to);\n"
"their node resolves it to the member States and names those States in\n"
"the signed message, so recipients see exactly who was addressed.\n"
"Recording a group again with the same name replaces its members; an\n"
"empty --states \"\" dissolves it.  Every change stays in the log.",
	.opts = opts_group,
	.sections = group_sections,
	.examples = "  rosterd group /var/lib/rosterd --name forum --states XA,XB,XC \\\n"
"      --title en=Forum --title fr=Forum",
};

/* ---- check --------------------------------------------------------------- */

static const struct opt_spec opts_check[] = {
	{ "--receipts", "FILE", 0,
	  "FILE holds receipts as returned by the API, one JSON object per line\n"
	  "({\"id\",\"index\",\"time\",\"sig\"}).  Each must verify against the\n"
	  "operator key, and its envelope must be stored at its index with its\n"
	  "time: no receipted envelope was lost.  The summary then ends with\n"
	  "\"all receipts present\"." },
	{ NULL, NULL, 0, NULL }
};

const struct cmd_doc hdoc_check = {
	.prog = "rosterd", .name = "check", .run = cmd_check,
	.summary = "verify a hub's stored log",
	.synopsis = "HUBDIR [--receipts FILE]",
	.description =
"Verifies a stopped hub (it takes HUBDIR/lock, so it refuses to run while\n"
"the hub serves): every stored envelope parses, its signature verifies,\n"
"its id is the hash of its bytes, the envelopes obey the directory rules\n"
"and chains in order, ids are unique, indexes are contiguous from 0 and\n"
"log times never go back; the tree files match the root recomputed from\n"
"the stored leaves; the chain heads, routing rows and stored checkpoint\n"
"agree with the log; the public records (pub table) are exactly the\n"
"envelopes public by their headers, in order, the public tree's files\n"
"hold their leaves, and the stored checkpoint's public size and root are\n"
"the log's.\n"
"\n"
"On PostgreSQL (\"db\" in hub.json) it needs no stopped hub: it reads one\n"
"snapshot of the database and checks the log up to the size recorded when\n"
"it began, while hubs go on serving.\n"
"\n"
"Prints \"P public records, public root HEX\" and \"N envelopes, root HEX\"\n"
"when all is well, or names each problem (the first 20, then a count).",
	.opts = opts_check,
	.exit_status = "0 when the log holds; 1 when any problem is named (or the "
	    "hub is serving); 2 on a usage error.",
	.examples = "  rosterd check /var/lib/rosterd --receipts receipts.jsonl",
};

/* ---- ping, checks -------------------------------------------------------- */

static const struct opt_spec opts_ping[] = {
	{ "--to", "AUDIENCE", 0,
	  "all, group:NAME or State codes, separated by commas (xb is taken as\n"
	  "XB; a State named on its own must have a current POC)." },
	{ "--deadline", "DURATION", 0,
	  "How long POCs have to answer: 90s, 30m, 24h, 7d (1s to 366d after\n"
	  "the check is logged)." },
	{ "--role", "ROLES", 0,
	  "Only devices with these roles (diplomatic, technical, alternate;\n"
	  "comma-separated)." },
	{ "--text", "TEXT", 0,
	  "The question, instead of the standard text in the six UN languages." },
	{ "--lang", "CODE", 0, "The language of --text (default en)." },
	{ NULL, NULL, 0, NULL }
};

const struct cmd_doc hdoc_ping = {
	.prog = "rosterd", .name = "ping", .run = cmd_ping,
	.summary = "start a communication check (\"ping test\") of POCs",
	.synopsis = "HUBDIR --to AUDIENCE --deadline DURATION [--role ROLES] "
	    "[--text TEXT [--lang CODE]]",
	.description =
"Signs a \"check\" envelope with the operator key (the operator's own\n"
"logged identity) and appends it to the log, through the serving hub or\n"
"directly when it is stopped.  The signed header names the audience:\n"
"every current device of the States named, resolved against the\n"
"directory now, and the deadline as a log time.  Each POC answers with\n"
"one action (roster checks answer ID), a signed answer in the log; the\n"
"figures (rosterd checks, roster checks report) are computed from these\n"
"records alone, so anyone can recompute them.",
	.opts = opts_ping,
	.exit_status =
"2 on a usage error (missing --to or --deadline, a bad duration or role);\n"
"1 when the audience is empty or unknown (no such group, a named State\n"
"without a current device) or the hub refuses the record; else 0.",
	.examples = "  rosterd ping /var/lib/rosterd --to all --deadline 7d",
};

static const struct opt_spec opts_checks[] = {
	{ "--json", NULL, 0, "The report as JSON (the form nodes compare)." },
	{ "--csv", NULL, 0, "One row per check and scope, then the history rows." },
	{ "--since", "DATE", 0,
	  "Only checks logged since DATE (YYYY-MM-DD, UTC) or a log time in ms." },
	{ NULL, NULL, 0, NULL }
};

const struct cmd_doc hdoc_checks = {
	.prog = "rosterd", .name = "checks", .run = cmd_checks,
	.summary = "response rates and times of communication checks",
	.synopsis = "HUBDIR [--json | --csv] [--since DATE]",
	.description =
"Computes, from the log alone, for each communication check and across\n"
"all of them (history): per State, per role and per group, the number of\n"
"POCs asked, how many answered before the deadline and how many only\n"
"after it (late), the response rate, and the median and 95th percentile\n"
"response times (nearest rank); and the same at State level (a State\n"
"answered when any of its POCs did).  Works on a serving or a stopped\n"
"hub.  The same figures are served at GET /v1/checks/report, and every\n"
"node recomputes them from the signed records (roster checks report);\n"
"docs/checks.md defines each one.",
	.opts = opts_checks,
	.examples = "  rosterd checks /var/lib/rosterd --csv --since 2026-01-01",
};


/* ---- the process -------------------------------------------------------- */

/* The rules of a body: rosterd body and body-rules take the same ones (each
 * sets one field of the record's "rules"; lib/procopt.c reads the words). */
#define BODY_RULE_OPTS \
	{ "--silence", "DURATION", 0, \
	  "Length of a silence procedure (default 72h; at least 60s): GA\n" \
	  "decision 74/544." }, \
	{ "--lead-time", "DURATION", 0, \
	  "Papers are due this long before a meeting (default 42d, the\n" \
	  "six-week rule; 21d for \"2-3 weeks\")." }, \
	{ "--languages", "LIST", 0, \
	  "Languages every paper must have (default ar,zh,en,fr,ru,es)." }, \
	{ "--objections", "all|chair", 0, \
	  "Who is shown which States objected (default all members; chair:\n" \
	  "the tables name only their number, except to the Chair; the signed\n" \
	  "records still say it)." }, \
	{ "--proposers", "chair|members|XA,XB", 0, \
	  "Who proposes besides the Chair (default chair: nobody else)." }, \
	{ "--ecosoc", "silence|admit|closed", 0, \
	  "Applications of organisations with ECOSOC status (default silence:\n" \
	  "accredited unless a member objects in the silence period)." }, \
	{ "--other", "silence|admit|closed", 0, \
	  "The same, for organisations without ECOSOC status." }

static const struct opt_spec opts_body[] = {
	{ "--name", "NAME", 0,
	  "1 to 31 of a-z, 0-9 and -, not starting with -." },
	{ "--chair", "XA", 0, "The State in the Chair." },
	{ "--members", "M", 0,
	  "all (every State on the hub, as the directory says when each\n"
	  "matter is put under silence), group:NAME (a group of rosterd\n"
	  "group), or a list XA,XB,..." },
	{ "--title", "LANG=TEXT", OPT_REPEAT,
	  "The body's name in one language (repeat for each)." },
	BODY_RULE_OPTS,
	{ NULL, NULL, 0, NULL }
};

static const struct doc_section hdoc_body_sections[] = {
	{ "DURATIONS", "A number and s, m, h or d (72h, 42d)." },
	{ "ERRORS",
"  Exit 2 on a usage error (a bad name, State, duration or language\n"
"  code), 1 when the hub refuses the record (a body of that name exists:\n"
"  its 409 is printed) or cannot be reached; nothing is stored then." },
	{ NULL, NULL }
};

const struct cmd_doc hdoc_body = {
	.prog = "rosterd", .name = "body", .run = cmd_body,
	.summary = "record a body of the process",
	.synopsis = "HUBDIR --name NAME --chair XA --members all|group:NAME|XA,XB,... [--title LANG=TEXT]... [--silence D] [--lead-time D] [--languages L] [--objections all|chair] [--proposers chair|members|XA,..] [--ecosoc A] [--other A]",
	.description =
"Signs a \"body\" record with the operator key and appends it to the\n"
"log: a working group, a mechanism or a forum, its members, its Chair\n"
"(a State) and its rules.  The rules are data in the record; what is\n"
"not given keeps the default from UN practice (docs/process.md).  A\n"
"body's name is taken once; change it with rosterd body-rules.\n"
"Prints the log index and the record's id.",
	.opts = opts_body,
	.sections = hdoc_body_sections,
};

static const struct doc_section hdoc_body_rules_sections[] = {
	{ "ERRORS",
"  Exit 2 on a usage error or when nothing is to change, 1 when the hub\n"
"  refuses (no such body: 400) or cannot be reached." },
	{ NULL, NULL }
};

const struct cmd_doc hdoc_body_rules = {
	.prog = "rosterd", .name = "body-rules", .run = cmd_body_rules,
	.summary = "change a body's Chair, members, title or rules",
	.synopsis = "HUBDIR --name NAME [--chair XA] [--members M] [--title LANG=TEXT]... [RULE OPTIONS]",
	.description =
"Signs a \"body-rules\" record changing only what is given; every other\n"
"field keeps its value.  A change never reaches back: a proposal keeps\n"
"the rules and members of its own log index, a meeting's papers are\n"
"judged by the rules in force when the meeting was recorded.  A new\n"
"--title replaces the whole title.",
	.opts = opts_body,
	.sections = hdoc_body_rules_sections,
};

static const struct opt_spec opts_meeting[] = {
	{ "--body", "NAME", 0, "The body." },
	{ "--start", "DATE", 0,
	  "YYYY-MM-DD (midnight UTC), YYYY-MM-DDTHH:MMZ,\n"
	  "YYYY-MM-DDTHH:MM+HH:MM, or ms since 1970." },
	{ "--end", "DATE", 0,
	  "As --start: after the start, within 31 days." },
	{ "--title", "LANG=TEXT", OPT_REPEAT,
	  "The meeting's title in one language (repeat for each)." },
	{ "--place", "TEXT", 0, "Where it sits." },
	{ NULL, NULL, 0, NULL }
};

static const struct doc_section hdoc_meeting_sections[] = {
	{ "ERRORS",
"  Exit 2 on a usage error (a date that is not one), 1 when the hub\n"
"  refuses (no such body: 400) or cannot be reached." },
	{ NULL, NULL }
};

const struct cmd_doc hdoc_meeting = {
	.prog = "rosterd", .name = "meeting", .run = cmd_meeting,
	.summary = "record a meeting of a body",
	.synopsis = "HUBDIR --body NAME --start DATE --end DATE --title LANG=TEXT... [--place TEXT]",
	.description =
"Signs a \"meeting\" record with the operator key.  Papers for the\n"
"meeting are judged against its start: each language version's lead\n"
"time is the start minus the log time it was circulated at, against the\n"
"body's lead time as it was when the meeting was recorded.  The Chair's\n"
"devices record meetings too (roster meeting add).  Prints the log\n"
"index and the meeting's id, which papers name.",
	.opts = opts_meeting,
	.sections = hdoc_meeting_sections,
};

static const struct opt_spec opts_stakeholder[] = {
	{ "--body", "NAME", 0, "apply: the body applied to." },
	{ "--name", "TEXT", 0, "apply: the organisation's name (1 to 256 bytes)." },
	{ "--ecosoc", "yes|no", 0,
	  "apply: whether it has ECOSOC consultative status." },
	{ "--website", "URL", 0, "apply: http(s), at most 512 bytes." },
	{ "--about-file", "FILE", 0,
	  "apply: a description, UTF-8, at most 16,384 bytes." },
	{ "--application", "ID", 0,
	  "certify: the accredited application (64 hex digits)." },
	{ "--out", "FILE", 0, "certify: where the certificate goes." },
	{ "--days", "N", 0,
	  "certify: validity of the certificate (default 730, at most 3650)." },
	{ NULL, NULL, 0, NULL }
};

static const struct doc_section hdoc_stakeholder_sections[] = {
	{ "ERRORS",
"  Exit 2 on a usage error, 1 when the hub refuses (no such body, a body\n"
"  that takes no such applications: 403) or, for certify, when the\n"
"  application is not accredited or the request is not a stakeholder's." },
	{ NULL, NULL }
};

const struct cmd_doc hdoc_stakeholder = {
	.prog = "rosterd", .name = "stakeholder", .run = cmd_stakeholder,
	.summary = "an organisation's application, and its device",
	.synopsis = "apply HUBDIR --body NAME --name TEXT --ecosoc yes|no [--website URL] [--about-file FILE]\n"
"certify HUBDIR --application ID REQUEST.json [--out FILE] [--days N]",
	.description =
"apply records an organisation's application to a body (an operator-\n"
"signed \"application\" record).  Under the body's rules it goes under\n"
"the silence procedure (accredited unless a member objects before the\n"
"deadline; no member need say why), is admitted at once, or is refused.\n"
"Prints the application's id.\n"
"\n"
"certify signs the certificate of the organisation's device, made with\n"
"roster init --state ZZ --role stakeholder, for an application that is\n"
"accredited now, and writes it to REQUEST.cert (or --out); the\n"
"organisation publishes it with roster enroll.  Such a device can do\n"
"one thing: send written contributions to the Chair.  It is never a\n"
"recipient of anything addressed to States.",
	.opts = opts_stakeholder,
	.sections = hdoc_stakeholder_sections,
};

static const struct opt_spec opts_process[] = {
	{ "--json", NULL, 0, "The view as JSON." },
	{ "--at", "TIME", 0,
	  "The log time to compute outcomes at (default: now); a date as\n"
	  "rosterd meeting takes." },
	{ "--viewer", "XA", 0,
	  "As shown to XA (objecting States are named only where the body\n"
	  "shows them, or to its Chair)." },
	{ NULL, NULL, 0, NULL }
};

const struct cmd_doc hdoc_process = {
	.prog = "rosterd", .name = "process", .run = cmd_process,
	.summary = "the process as the hub's log makes it",
	.synopsis = "HUBDIR [--json] [--at TIME] [--viewer XA]",
	.description =
"Replays the hub's public records through the rules every node runs\n"
"and prints the bodies, meetings and decisions with their state; with\n"
"--json, the whole view (docs/protocol.md section 10, \"Views\"): a\n"
"node that took the same records prints the same bytes for the same\n"
"--at and viewer.  Works while the hub serves.",
	.opts = opts_process,
};

/* ---- db, migrate-store ---------------------------------------------------- */

static const struct opt_spec opts_db[] = {
	{ "--db", "URL", 0,
	  "The database, a postgresql:// URL (default: \"db\" in\n"
	  "HUBDIR/hub.json, or ROSTER_HUB_DB)." },
	{ NULL, NULL, 0, NULL }
};

static const struct opt_spec opts_migrate[] = {
	{ "--from", "HUBDIR", 0, "The SQLite hub to move (the hub stopped)." },
	{ "--to", "URL", 0, "The new database, a postgresql:// URL, holding no hub." },
	{ NULL, NULL, 0, NULL }
};

const struct cmd_doc hdoc_db = {
	.prog = "rosterd", .name = "db", .run = cmd_db,
	.summary = "the schema of a PostgreSQL store: status, migrate",
	.opts = opts_db,
	.synopsis = "status [HUBDIR] [--db URL]\nmigrate [HUBDIR] [--db URL]",
	.description =
"rosterd creates the tables of a hub on PostgreSQL itself (rosterd init\n"
"--db) and versions them: each change is a numbered migration, recorded\n"
"in the table roster_schema when applied.  A hub refuses to serve a\n"
"database whose schema is not the one it was built for.\n"
"\n"
"status prints the server's version, the schema's, every migration\n"
"applied (with when) and every one pending; it exits 0 when the schema\n"
"is this rosterd's, 1 otherwise.  migrate applies the pending ones, in\n"
"order, each in one transaction, under an advisory lock (never twice,\n"
"whoever else migrates at the same time); back up first.\n"
"\n"
"The database is the one named by \"db\" in HUBDIR/hub.json, or by\n"
"ROSTER_HUB_DB, or by --db.  A SQLite hub has nothing to migrate:\n"
"rosterd creates and extends hub.db's schema when it opens it.",
};

const struct cmd_doc hdoc_migrate = {
	.prog = "rosterd", .name = "migrate-store", .run = cmd_migrate_store,
	.summary = "move a hub's log from SQLite to PostgreSQL",
	.opts = opts_migrate,
	.synopsis = "--from HUBDIR --to postgresql://USER@HOST/DB",
	.description =
"With the hub stopped, copies every envelope of HUBDIR/hub.db, at its\n"
"index and log time, into the database (which must hold no hub yet; the\n"
"schema is created), with its routing, public records, both Merkle\n"
"trees, the chain heads and the latest checkpoint.  Then it checks that\n"
"nothing a node could see changed: the roots at the final size, and the\n"
"roots (and public roots) at every checkpoint the operator signed that\n"
"the log knows of (the stored one and every one a node cosigned); the\n"
"routing rows; and that the database opens as a hub opens it.  Only then\n"
"does hub.json name the database (\"db\"); hub.db and tree/ are left as\n"
"they were, as a backup.  On failure the database is emptied again and\n"
"hub.json left alone.\n"
"\n"
"Start the hub (rosterd serve HUBDIR) as before; for more processes see\n"
"docs/operations.md.",
};

static const struct cmd_doc *const rosterd_cmds[] = {
	&hdoc_init, &hdoc_serve, &hdoc_admit, &hdoc_group, &hdoc_check,
	&hdoc_ping, &hdoc_checks, &hdoc_db, &hdoc_migrate, &hdoc_body, &hdoc_body_rules, &hdoc_meeting,
	&hdoc_stakeholder, &hdoc_process, NULL
};

const struct prog_doc rosterd_prog = {
	.main = &doc_rosterd,
	.cmds = rosterd_cmds,
	.exit_status = "0 on success, 1 on failure, 2 on a usage error.",
};
