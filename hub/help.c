/*
 * help.c - the manual of rosterd, printed by "rosterd --help" and
 * "rosterd CMD --help".
 *
 * Kept in one place, one function per page, laid out like a man page, so
 * the pages are easy to read next to each other and to keep true when an
 * option changes.
 */
#include <stdio.h>

#include "hub.h"

void
help_main(void)
{
	fputs(
"NAME\n"
"    rosterd - the roster hub: an append-only, signed log of envelopes\n"
"\n"
"SYNOPSIS\n"
"    rosterd init HUBDIR --name NAME [--listen ADDR:PORT] [--max-body SIZE]\n"
"                 [--db postgresql://USER@HOST/DB]\n"
"    rosterd serve HUBDIR [--listen ADDR:PORT] [--threads N]\n"
"    rosterd admit HUBDIR --state XA --root-key FILE.pub [--name TEXT]\n"
"    rosterd group HUBDIR --name NAME --states XA,XB,... [--title LANG=TEXT]\n"
"    rosterd check HUBDIR [--receipts FILE]\n"
"    rosterd ping HUBDIR --to all|group:NAME|XA,XB --deadline 24h [--role R]\n"
"    rosterd checks HUBDIR [--json|--csv] [--since DATE]\n"
"    rosterd db status|migrate [HUBDIR] [--db URL]\n"
"    rosterd migrate-store --from HUBDIR --to URL\n"
"    rosterd body HUBDIR --name NAME --chair XA --members all|group:NAME|XA,..\n"
"    rosterd body-rules HUBDIR --name NAME [--chair XA] [RULES...]\n"
"    rosterd meeting HUBDIR --body NAME --start DATE --end DATE --title L=TEXT\n"
"    rosterd stakeholder apply|certify HUBDIR ...\n"
"    rosterd process HUBDIR [--json] [--at TIME] [--viewer XA]\n"
"    rosterd COMMAND --help\n"
"\n"
"DESCRIPTION\n"
"    rosterd accepts envelopes signed by States' devices, appends them to a\n"
"    Merkle-tree log (RFC 9162 hashing), answers each with a receipt signed\n"
"    by the operator key once it is durable, and serves checkpoints, proofs,\n"
"    the key directory and each device's mail.  It never holds a State's key\n"
"    and stores message bodies only as ciphertext.  docs/protocol.md is the\n"
"    contract it implements.\n"
"\n"
"    HUBDIR may be given as the first argument of each command or in the\n"
"    environment variable ROSTER_HUB_DIR.\n"
"\n"
"COMMANDS\n"
"    init    create a hub: operator key, configuration, empty log\n"
"    serve   run the hub's HTTP API\n"
"    admit   admit a State's root key (an operator-signed log record)\n"
"    group   define a named group of States (an operator-signed log record)\n"
"    check   verify a stopped hub's log, tree, checkpoint and receipts\n"
"    ping    start a communication check (an operator-signed log record)\n"
"    checks  response rates and times of communication checks\n"
"    db      the schema of a PostgreSQL store: status, migrate\n"
"    migrate-store  move a hub's log from SQLite to PostgreSQL\n"
"    body    record a body of the process (a working group): members, Chair,\n"
"            rules (docs/process.md)\n"
"    body-rules  change a body's Chair, members, title or rules\n"
"    meeting record a meeting of a body, with its dates\n"
"    stakeholder  record an organisation's application; certify the device\n"
"            of an accredited one\n"
"    process the process as the log makes it: bodies, papers, decisions\n"
"\n"
"FILES\n"
"    HUBDIR/hub.json      configuration (see rosterd init --help)\n"
"    HUBDIR/operator.key  operator signing key, unsealed, mode 0600\n"
"    HUBDIR/operator.pub  its public half, to give to nodes\n"
"    HUBDIR/hub.db        the log (SQLite, WAL, synchronous=FULL), unless\n"
"                         hub.json names a PostgreSQL database (\"db\")\n"
"    HUBDIR/tree/         the Merkle tree, one file per level\n"
"    HUBDIR/lock          held by the one process writing the log\n"
"    HUBDIR/serve.url     the URL of the running hub\n"
"\n"
"EXIT STATUS\n"
"    0 on success, 1 on failure, 2 on a usage error.\n", stdout);
}

void
help_init(void)
{
	fputs(
"NAME\n"
"    rosterd init - create a new hub\n"
"\n"
"SYNOPSIS\n"
"    rosterd init HUBDIR --name NAME [--listen ADDR:PORT] [--max-body SIZE]\n"
"                 [--db postgresql://USER@HOST/DB]\n"
"\n"
"DESCRIPTION\n"
"    Creates HUBDIR (mode 0700) holding a new operator key (operator.key,\n"
"    unsealed, mode 0600, so that the daemon can start unattended; protect\n"
"    it like a TLS server key), its public half (operator.pub), an empty\n"
"    log (hub.db, tree/) and the configuration hub.json.  Prints the\n"
"    operator key's fingerprint and hex: give them to the States out of\n"
"    band, so their nodes can check they talk to this hub.\n"
"\n"
"    Refuses when HUBDIR already holds any part of a hub: init never\n"
"    overwrites a key or a log.\n"
"\n"
"OPTIONS\n"
"    --name NAME\n"
"        The hub's name, required: the origin line of every checkpoint the\n"
"        hub signs.  1 to 127 bytes of UTF-8 without control characters.\n"
"    --listen ADDR:PORT\n"
"        Default listen address written to hub.json (127.0.0.1:8443).\n"
"    --max-body SIZE\n"
"        Largest request body accepted, with optional K, M or G suffix\n"
"        (default 16M; 1K to 1G).\n"
"    --db postgresql://USER@HOST/DB\n"
"        Keep the log in this PostgreSQL database instead of HUBDIR/hub.db\n"
"        (or ROSTER_HUB_DB): rosterd creates its schema there (the\n"
"        database must hold no hub) and writes \"db\" into hub.json.\n"
"        Several rosterd serve processes, each with a HUBDIR of its own\n"
"        (operator.key, operator.pub and hub.json copied), may then serve\n"
"        one log; see docs/operations.md.\n"
"\n"
"CONFIGURATION (HUBDIR/hub.json)\n"
"    A JSON object; unknown keys are refused.\n"
"    \"name\"      string, required: the checkpoints' origin (see --name).\n"
"    \"listen\"    string, \"ADDR:PORT\" or \"[V6ADDR]:PORT\", numeric only;\n"
"                port 0 picks a free port.  Default \"127.0.0.1:8443\".\n"
"    \"max_body\"  integer, bytes: larger request bodies are answered 413\n"
"                without being read.  Default 16777216 (16 MiB).\n"
"    \"max_attachment\"  integer, bytes: the largest file a message may\n"
"                attach (plus 17 bytes per 64 KiB of encryption), streamed\n"
"                to HUBDIR/blobs/, never held in memory; max_body does not\n"
"                apply.  0 refuses attachments.  Default 52428800 (50 MiB).\n"
"    \"threads\"   integer, 1 to 256: HTTP worker threads, which parse and\n"
"                verify envelopes in parallel.  Default 4.\n"
"    \"tls_cert\", \"tls_key\"  strings, paths of a PEM certificate (chain)\n"
"                and its private key: serve HTTPS.  Both or neither.\n"
"    \"db\"        string, a postgresql:// URL: the log is there, not in\n"
"                hub.db (see --db; ROSTER_HUB_DB overrides it).\n"
"    \"db_pool\"   integer, 1 to 256: reader connections per process to\n"
"                that database.  Default 8.\n"
"    \"blobs\"     string, an absolute path: the attachments' folder\n"
"                (default HUBDIR/blobs); processes serving one database\n"
"                share one.\n"
"    \"metrics_listen\"  string, \"ADDR:PORT\": serve GET /metrics there\n"
"                (see rosterd serve --help).  Default: no metrics.\n"
"    \"log_format\"  \"plain\" (default) or \"json\" (see rosterd serve).\n"
"    \"quota_envelopes\", \"quota_bytes\"  integers: what one device (any\n"
"                signer but the operator) may append in a sliding hour,\n"
"                envelopes and bytes of envelopes; beyond, 429 with\n"
"                Retry-After.  0 turns one off.  Defaults 3600 and\n"
"                67108864 (64 MiB).\n"
"    \"max_connections_per_address\"  integer, 1 to 4096: open connections\n"
"                from one client address.  Default 64.\n"
"    \"header_timeout_s\"  integer, 1 to 3600: seconds a client has, from\n"
"                connecting, to finish sending a request's headers.\n"
"                Default 10.\n"
"    \"max_waits_per_device\"  integer, 0 to 4000: long polls (GET\n"
"                /v1/mail?wait=S) one device may have parked; beyond,\n"
"                answered at once.  Default 4.\n"
"    \"startup_check\"  true or false: re-hash every stored envelope at start\n"
"                and compare it with its id, both trees and its header.\n"
"                Default true; see docs/operations.md for its cost.\n"
"\n"
"EXAMPLE\n"
"    rosterd init /var/lib/rosterd --name \"OEWG POC hub\"\n", stdout);
}

void
help_serve(void)
{
	fputs(
"NAME\n"
"    rosterd serve - run the hub\n"
"\n"
"SYNOPSIS\n"
"    rosterd serve HUBDIR [--listen ADDR:PORT] [--threads N]\n"
"                  [--tls-cert FILE --tls-key FILE]\n"
"                  [--metrics-listen ADDR:PORT] [--log-format plain|json]\n"
"\n"
"DESCRIPTION\n"
"    Opens the log and serves the API of docs/protocol.md section 5 over\n"
"    HTTPS when a certificate is configured, else plain HTTP:\n"
"\n"
"      GET  /v1/info                   name, operator key, log size\n"
"      POST /v1/envelopes              append envelopes, get receipts\n"
"      GET  /v1/checkpoint             the latest signed checkpoint\n"
"      GET  /v1/proof/inclusion?size=N&index=I[,I...]\n"
"      GET  /v1/proof/consistency?from=M&to=N\n"
"      GET  /v1/public?after=I[&limit=L]   every public record, with its\n"
"                                      public index (section 8)\n"
"      GET  /v1/proof/public?size=N&pindex=K\n"
"      GET  /v1/record?index=I         one public record\n"
"      GET  /v1/mail?after=I[&limit=L] msg and ack for the signing device\n"
"      GET  /v1/mail?after=I&wait=S    the same, held up to S (<= 30) seconds\n"
"                                      until mail for that device is logged\n"
"\n"
"    A held request takes no thread (the connection is suspended until the\n"
"    sequencer commits mail for its device), but it is an open connection:\n"
"    rosterd raises its open-file limit towards 8192 and serves up to 4096\n"
"    connections, 4000 of them waiting.\n"
"\n"
"    Envelopes are verified on the worker threads and appended by one\n"
"    sequencer thread in group commits: everything queued goes into one\n"
"    SQLite transaction and one sync of the tree.  A receipt is sent only\n"
"    after that commit, so a receipt means the envelope survives a crash.\n"
"\n"
"    On start both trees are checked against the log and rebuilt from it\n"
"    if their files were lost or damaged (said on stderr); then every\n"
"    stored envelope is re-hashed and compared with its id, its leaves in\n"
"    both trees and its header (kind column, public or not): a hub whose\n"
"    store disagrees refuses to start, naming the first bad index (the\n"
"    cost, one SHA-256 pass over the log, is in docs/operations.md).  A\n"
"    log from before the public tree is classified first, once.  When\n"
"    listening,\n"
"    rosterd writes its URL to HUBDIR/serve.url and prints\n"
"    \"rosterd: serving NAME on http://ADDR:PORT\".  It holds an exclusive\n"
"    lock on HUBDIR/lock while running.  SIGINT or SIGTERM stop it cleanly:\n"
"    requests in flight are finished and the latest checkpoint saved.\n"
"\n"
"OPTIONS\n"
"    --listen ADDR:PORT\n"
"        Overrides \"listen\" of hub.json.  Port 0 picks a free port (read\n"
"        it from serve.url or stdout).\n"
"    --threads N\n"
"        Overrides \"threads\" of hub.json: HTTP worker threads (1-256).\n"
"    --tls-cert FILE, --tls-key FILE\n"
"        Serve HTTPS with this PEM certificate (chain) and private key;\n"
"        override \"tls_cert\" and \"tls_key\" of hub.json.  Put them in\n"
"        hub.json if `rosterd admit` is to reach the running hub.  Nodes\n"
"        trust a self-signed certificate with `roster init --hub-ca FILE`.\n"
"        roster's security does not rest on TLS (everything is signed and\n"
"        bodies are encrypted end to end); TLS hides metadata from the\n"
"        network.\n"
"    --metrics-listen ADDR:PORT\n"
"        Serve GET /metrics (Prometheus text: envelopes accepted and\n"
"        refused, requests and latency per route, quota refusals, commit\n"
"        latency, log size, checkpoint age, parked long polls) on this\n"
"        separate address; overrides \"metrics_listen\" of hub.json.  Off\n"
"        by default.  The URL goes to HUBDIR/metrics.url.\n"
"    --log-format plain|json\n"
"        plain (the default): \"rosterd: ...\" lines on stderr.  json: one\n"
"        JSON object per event on stderr (time, level, event, msg and\n"
"        fields), including one \"request\" event per request (method,\n"
"        route, status, duration).  Never a message's content.  Overrides\n"
"        \"log_format\" of hub.json.\n"
"\n"
"EXAMPLE\n"
"    rosterd serve /var/lib/rosterd --listen 127.0.0.1:8443\n"
"    rosterd serve /var/lib/rosterd --listen 0.0.0.0:443 \\\n"
"        --tls-cert /etc/rosterd/cert.pem --tls-key /etc/rosterd/key.pem\n", stdout);
}

void
help_db(void)
{
	fputs(
"NAME\n"
"    rosterd db - the schema of a hub's PostgreSQL database\n"
"\n"
"SYNOPSIS\n"
"    rosterd db status [HUBDIR] [--db URL]\n"
"    rosterd db migrate [HUBDIR] [--db URL]\n"
"\n"
"DESCRIPTION\n"
"    rosterd creates the tables of a hub on PostgreSQL itself (rosterd init\n"
"    --db) and versions them: each change is a numbered migration, recorded\n"
"    in the table roster_schema when applied.  A hub refuses to serve a\n"
"    database whose schema is not the one it was built for.\n"
"\n"
"    status prints the server's version, the schema's, every migration\n"
"    applied (with when) and every one pending; it exits 0 when the schema\n"
"    is this rosterd's, 1 otherwise.  migrate applies the pending ones, in\n"
"    order, each in one transaction, under an advisory lock (never twice,\n"
"    whoever else migrates at the same time); back up first.\n"
"\n"
"    The database is the one named by \"db\" in HUBDIR/hub.json, or by\n"
"    ROSTER_HUB_DB, or by --db.  A SQLite hub has nothing to migrate:\n"
"    rosterd creates and extends hub.db's schema when it opens it.\n", stdout);
}

void
help_migrate(void)
{
	fputs(
"NAME\n"
"    rosterd migrate-store - move a hub's log from SQLite to PostgreSQL\n"
"\n"
"SYNOPSIS\n"
"    rosterd migrate-store --from HUBDIR --to postgresql://USER@HOST/DB\n"
"\n"
"DESCRIPTION\n"
"    With the hub stopped, copies every envelope of HUBDIR/hub.db, at its\n"
"    index and log time, into the database (which must hold no hub yet;\n"
"    the schema is created), with its routing, public records, both Merkle\n"
"    trees, the chain heads and the latest checkpoint.  Then it checks that\n"
"    nothing a node could see changed: the roots at the final size, and\n"
"    the roots (and public roots) at every checkpoint the operator signed\n"
"    that the log knows of (the stored one and every one a node cosigned);\n"
"    the routing rows; and that the database opens as a hub opens it.\n"
"    Only then does hub.json name the database (\"db\"); hub.db and tree/\n"
"    are left as they were, as a backup.  On failure the database is\n"
"    emptied again and hub.json left alone.\n"
"\n"
"    Start the hub (rosterd serve HUBDIR) as before; for more processes see\n"
"    docs/operations.md.\n", stdout);
}

void
help_group(void)
{
	fputs(
"NAME\n"
"    rosterd group - define, change or dissolve a named group of States\n"
"\n"
"SYNOPSIS\n"
"    rosterd group HUBDIR --name NAME --states XA,XB,... [--title LANG=TEXT]...\n"
"\n"
"DESCRIPTION\n"
"    Signs a \"group\" envelope with the operator key and appends it to the\n"
"    log.  Senders then address the group as group:NAME (roster send --to);\n"
"    their node resolves it to the member States and names those States in\n"
"    the signed message, so recipients see exactly who was addressed.\n"
"    Recording a group again with the same name replaces its members; an\n"
"    empty --states \"\" dissolves it.  Every change stays in the log.\n"
"\n"
"OPTIONS\n"
"    --name NAME         1 to 31 lower-case letters, digits or '-'\n"
"    --states LIST       member State codes, separated by commas\n"
"    --title LANG=TEXT   display name in one language (repeat for each of\n"
"                        ar, en, es, fr, ru, zh)\n"
"\n"
"ERRORS\n"
"    Fails (exit 1) on a bad name or State code, a State listed twice, or a\n"
"    hub that cannot be reached or refuses the record.\n", stdout);
}

void
help_admit(void)
{
	fputs(
"NAME\n"
"    rosterd admit - admit a State's root key to the directory\n"
"\n"
"SYNOPSIS\n"
"    rosterd admit HUBDIR --state XA --root-key FILE.pub [--name TEXT]\n"
"\n"
"DESCRIPTION\n"
"    Signs an \"admit\" envelope with the operator key, naming the State and\n"
"    its root key, and appends it to the log, where every node sees it.  The\n"
"    State's root key then certifies the State's devices.  Compare the\n"
"    fingerprint printed with the one the State's administrator reads to\n"
"    you out of band before admitting.\n"
"\n"
"    If the hub is serving, the envelope is sent to it over HTTP (the URL in\n"
"    HUBDIR/serve.url); otherwise rosterd opens the log itself.  Prints the\n"
"    log index of the admission and the root key's fingerprint.\n"
"\n"
"    A second root key for a State that has one is admitted unendorsed: its\n"
"    devices are unconfirmed and every node warns about the State until\n"
"    the State endorses it with its first key (docs/protocol.md section 2).\n"
"    rosterd admit then prints a WARNING naming the first key's\n"
"    fingerprint.\n"
"\n"
"OPTIONS\n"
"    --state XA          the State's two-letter code, in capitals\n"
"    --root-key FILE.pub the State's root public key file\n"
"                        ({\"roster\":\"root-key.pub\",...}, from \"roster\")\n"
"    --name TEXT         optional display name of the State\n"
"\n"
"ERRORS\n"
"    Fails (exit 1) on a missing or malformed key file, a key file of\n"
"    another State, an invalid State code, or a root key already admitted.\n", stdout);
}

void
help_check(void)
{
	fputs(
"NAME\n"
"    rosterd check - verify a hub's stored log\n"
"\n"
"SYNOPSIS\n"
"    rosterd check HUBDIR [--receipts FILE]\n"
"\n"
"DESCRIPTION\n"
"    Verifies a stopped hub (it takes HUBDIR/lock, so it refuses to run\n"
"    while the hub serves): every stored envelope parses, its signature\n"
"    verifies, its id is the hash of its bytes, the envelopes obey the\n"
"    directory rules and chains in order, ids are unique, indexes are\n"
"    contiguous from 0 and log times never go back; the tree files match\n"
"    the root recomputed from the stored leaves; the chain heads, routing\n"
"    rows and stored checkpoint agree with the log; the public records\n"
"    (pub table) are exactly the envelopes public by their headers, in\n"
"    order, the public tree's files hold their leaves, and the stored\n"
"    checkpoint's public size and root are the log's.\n"
"\n"
"    On PostgreSQL (\"db\" in hub.json) it needs no stopped hub: it reads\n"
"    one snapshot of the database and checks the log up to the size\n"
"    recorded when it began, while hubs go on serving.\n"
"\n"
"    Prints \"P public records, public root HEX\" and \"N envelopes, root\n"
"    HEX\" and exits 0 when all is well, or\n"
"    names each problem (the first 20, then a count) and exits 1.\n"
"\n"
"OPTIONS\n"
"    --receipts FILE\n"
"        FILE holds receipts as returned by the API, one JSON object per\n"
"        line ({\"id\",\"index\",\"time\",\"sig\"}).  Each must verify against\n"
"        the operator key, and its envelope must be stored at its index\n"
"        with its time: no receipted envelope was lost.  The summary then\n"
"        ends with \"all receipts present\".\n", stdout);
}

void
help_ping(void)
{
	fputs(
"NAME\n"
"    rosterd ping - start a communication check (\"ping test\") of POCs\n"
"\n"
"SYNOPSIS\n"
"    rosterd ping HUBDIR --to AUDIENCE --deadline DURATION [--role ROLES]\n"
"                 [--text TEXT [--lang CODE]]\n"
"\n"
"DESCRIPTION\n"
"    Signs a \"check\" envelope with the operator key (the operator's own\n"
"    logged identity) and appends it to the log, through the serving hub or\n"
"    directly when it is stopped.  The signed header names the audience:\n"
"    every current device of the States named, resolved against the\n"
"    directory now, and the deadline as a log time.  Each POC answers with\n"
"    one action (roster checks answer ID), a signed answer in the log; the\n"
"    figures (rosterd checks, roster checks report) are computed from these\n"
"    records alone, so anyone can recompute them.\n"
"\n"
"OPTIONS\n"
"    --to AUDIENCE       all, group:NAME or State codes, separated by commas\n"
"                        (a State named on its own must have a current POC)\n"
"    --deadline DURATION how long POCs have to answer: 90s, 30m, 24h, 7d\n"
"                        (1s to 366d after the check is logged)\n"
"    --role ROLES        only devices with these roles (diplomatic,\n"
"                        technical, alternate; comma-separated)\n"
"    --text TEXT         the question, instead of the standard text in the\n"
"                        six UN languages; --lang its language (default en)\n"
"\n"
"ERRORS\n"
"    Exit 2 on a usage error (missing --to or --deadline, a bad duration or\n"
"    role); exit 1 when the audience is empty or unknown (no such group, a\n"
"    named State without a current device) or the hub refuses the record.\n", stdout);
}

void
help_checks(void)
{
	fputs(
"NAME\n"
"    rosterd checks - response rates and times of communication checks\n"
"\n"
"SYNOPSIS\n"
"    rosterd checks HUBDIR [--json | --csv] [--since DATE]\n"
"\n"
"DESCRIPTION\n"
"    Computes, from the log alone, for each communication check and across\n"
"    all of them (history): per State, per role and per group, the number\n"
"    of POCs asked, how many answered before the deadline and how many only\n"
"    after it (late), the response rate, and the median and 95th percentile\n"
"    response times (nearest rank); and the same at State level (a State\n"
"    answered when any of its POCs did).  Works on a serving or a stopped\n"
"    hub.  The same figures are served at GET /v1/checks/report, and every\n"
"    node recomputes them from the signed records (roster checks report);\n"
"    docs/checks.md defines each one.\n"
"\n"
"OPTIONS\n"
"    --json          the report as JSON (the form nodes compare)\n"
"    --csv           one row per check and scope, then the history rows\n"
"    --since DATE    only checks logged since DATE (YYYY-MM-DD, UTC) or a\n"
"                    log time in ms\n", stdout);
}

/* The rule options, shared by body and body-rules. */
#define RULE_OPTIONS \
"    --silence DURATION  length of a silence procedure (default 72h; at\n" \
"                        least 60s): GA decision 74/544\n" \
"    --lead-time DURATION  papers are due this long before a meeting\n" \
"                        (default 42d, the six-week rule; 21d for \"2-3 weeks\")\n" \
"    --languages LIST    languages every paper must have (default\n" \
"                        ar,zh,en,fr,ru,es)\n" \
"    --objections all|chair  who is shown which States objected (default\n" \
"                        all members; chair: the tables name only their number,\n" \
"                        except to the Chair; the signed records still say it)\n" \
"    --proposers chair|members|XA,XB  who proposes besides the Chair\n" \
"                        (default chair: nobody else)\n" \
"    --ecosoc silence|admit|closed  applications of organisations with\n" \
"                        ECOSOC status (default silence: accredited unless a\n" \
"                        member objects in the silence period)\n" \
"    --other silence|admit|closed   the same, without ECOSOC status\n"

void
help_body(void)
{
	fputs(
"NAME\n"
"    rosterd body - record a body of the process\n"
"\n"
"SYNOPSIS\n"
"    rosterd body HUBDIR --name NAME --chair XA --members all|group:NAME|XA,XB,...\n"
"        [--title LANG=TEXT]... [--silence D] [--lead-time D] [--languages L]\n"
"        [--objections all|chair] [--proposers chair|members|XA,..]\n"
"        [--ecosoc A] [--other A]\n"
"\n"
"DESCRIPTION\n"
"    Signs a \"body\" record with the operator key and appends it to the\n"
"    log: a working group, a mechanism or a forum, its members, its Chair\n"
"    (a State) and its rules.  The rules are data in the record; what is\n"
"    not given keeps the default from UN practice (docs/process.md).  A\n"
"    body's name is taken once; change it with rosterd body-rules.\n"
"    Prints the log index and the record's id.\n"
"\n"
"OPTIONS\n"
"    --name NAME         1 to 31 of a-z, 0-9 and -, not starting with -\n"
"    --chair XA          the State in the Chair\n"
"    --members M         all (every State on the hub, as the directory says\n"
"                        when each matter is put under silence), group:NAME\n"
"                        (a group of rosterd group), or a list XA,XB,...\n"
"    --title LANG=TEXT   the body's name in one language (repeat)\n"
RULE_OPTIONS
"\n"
"    Durations are a number and s, m, h or d (72h, 42d).\n"
"\n"
"ERRORS\n"
"    Exit 2 on a usage error (a bad name, State, duration or language\n"
"    code), 1 when the hub refuses the record (a body of that name exists:\n"
"    its 409 is printed) or cannot be reached; nothing is stored then.\n",
	    stdout);
}

void
help_body_rules(void)
{
	fputs(
"NAME\n"
"    rosterd body-rules - change a body's Chair, members, title or rules\n"
"\n"
"SYNOPSIS\n"
"    rosterd body-rules HUBDIR --name NAME [--chair XA] [--members M]\n"
"        [--title LANG=TEXT]... [RULE OPTIONS]\n"
"\n"
"DESCRIPTION\n"
"    Signs a \"body-rules\" record changing only what is given; every other\n"
"    field keeps its value.  A change never reaches back: a proposal keeps\n"
"    the rules and members of its own log index, a meeting's papers are\n"
"    judged by the rules in force when the meeting was recorded.  A new\n"
"    --title replaces the whole title.\n"
"\n"
"OPTIONS\n"
"    As rosterd body:\n"
RULE_OPTIONS
"\n"
"ERRORS\n"
"    Exit 2 on a usage error or when nothing is to change, 1 when the hub\n"
"    refuses (no such body: 400) or cannot be reached.\n", stdout);
}

void
help_meeting(void)
{
	fputs(
"NAME\n"
"    rosterd meeting - record a meeting of a body\n"
"\n"
"SYNOPSIS\n"
"    rosterd meeting HUBDIR --body NAME --start DATE --end DATE\n"
"        --title LANG=TEXT... [--place TEXT]\n"
"\n"
"DESCRIPTION\n"
"    Signs a \"meeting\" record with the operator key.  Papers for the\n"
"    meeting are judged against its start: each language version's lead\n"
"    time is the start minus the log time it was circulated at, against the\n"
"    body's lead time as it was when the meeting was recorded.  The Chair's\n"
"    devices record meetings too (roster meeting add).  Prints the log\n"
"    index and the meeting's id, which papers name.\n"
"\n"
"OPTIONS\n"
"    --body NAME         the body\n"
"    --start DATE, --end DATE\n"
"                        YYYY-MM-DD (midnight UTC), YYYY-MM-DDTHH:MMZ,\n"
"                        YYYY-MM-DDTHH:MM+HH:MM, or ms since 1970; the end\n"
"                        after the start, within 31 days\n"
"    --title LANG=TEXT   the meeting's title in one language (repeat)\n"
"    --place TEXT        where it sits\n"
"\n"
"ERRORS\n"
"    Exit 2 on a usage error (a date that is not one), 1 when the hub\n"
"    refuses (no such body: 400) or cannot be reached.\n", stdout);
}

void
help_stakeholder(void)
{
	fputs(
"NAME\n"
"    rosterd stakeholder - an organisation's application, and its device\n"
"\n"
"SYNOPSIS\n"
"    rosterd stakeholder apply HUBDIR --body NAME --name TEXT --ecosoc yes|no\n"
"        [--website URL] [--about-file FILE]\n"
"    rosterd stakeholder certify HUBDIR --application ID REQUEST.json\n"
"        [--out FILE] [--days N]\n"
"\n"
"DESCRIPTION\n"
"    apply records an organisation's application to a body (an operator-\n"
"    signed \"application\" record).  Under the body's rules it goes under\n"
"    the silence procedure (accredited unless a member objects before the\n"
"    deadline; no member need say why), is admitted at once, or is refused.\n"
"    Prints the application's id.\n"
"\n"
"    certify signs the certificate of the organisation's device, made with\n"
"    roster init --state ZZ --role stakeholder, for an application that is\n"
"    accredited now, and writes it to REQUEST.cert (or --out); the\n"
"    organisation publishes it with roster enroll.  Such a device can do\n"
"    one thing: send written contributions to the Chair.  It is never a\n"
"    recipient of anything addressed to States.\n"
"\n"
"OPTIONS\n"
"    --body NAME         the body applied to\n"
"    --name TEXT         the organisation's name (1 to 256 bytes)\n"
"    --ecosoc yes|no     whether it has ECOSOC consultative status\n"
"    --website URL       http(s), at most 512 bytes\n"
"    --about-file FILE   a description, UTF-8, at most 16,384 bytes\n"
"    --application ID    the accredited application (64 hex digits)\n"
"    --out FILE          where the certificate goes\n"
"    --days N            validity of the certificate (default 730)\n"
"\n"
"ERRORS\n"
"    Exit 2 on a usage error, 1 when the hub refuses (no such body, a body\n"
"    that takes no such applications: 403) or, for certify, when the\n"
"    application is not accredited or the request is not a stakeholder's.\n",
	    stdout);
}

void
help_process(void)
{
	fputs(
"NAME\n"
"    rosterd process - the process as the hub's log makes it\n"
"\n"
"SYNOPSIS\n"
"    rosterd process HUBDIR [--json] [--at TIME] [--viewer XA]\n"
"\n"
"DESCRIPTION\n"
"    Replays the hub's public records through the rules every node runs\n"
"    and prints the bodies, meetings and decisions with their state; with\n"
"    --json, the whole view (docs/protocol.md section 10, \"Views\"): a\n"
"    node that took the same records prints the same bytes for the same\n"
"    --at and viewer.  Works while the hub serves.\n"
"\n"
"OPTIONS\n"
"    --json              the view as JSON\n"
"    --at TIME           the log time to compute outcomes at (default: now)\n"
"    --viewer XA         as shown to XA (objecting States are named only\n"
"                        where the body shows them, or to its Chair)\n",
	    stdout);
}
