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
"    rosterd serve HUBDIR [--listen ADDR:PORT] [--threads N]\n"
"    rosterd admit HUBDIR --state XA --root-key FILE.pub [--name TEXT]\n"
"    rosterd group HUBDIR --name NAME --states XA,XB,... [--title LANG=TEXT]\n"
"    rosterd check HUBDIR [--receipts FILE]\n"
"    rosterd ping HUBDIR --to all|group:NAME|XA,XB --deadline 24h [--role R]\n"
"    rosterd checks HUBDIR [--json|--csv] [--since DATE]\n"
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
"\n"
"FILES\n"
"    HUBDIR/hub.json      configuration (see rosterd init --help)\n"
"    HUBDIR/operator.key  operator signing key, unsealed, mode 0600\n"
"    HUBDIR/operator.pub  its public half, to give to nodes\n"
"    HUBDIR/hub.db        the log (SQLite, WAL, synchronous=FULL)\n"
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
"      GET  /v1/directory?after=I      admit, cert, revoke, group records\n"
"      GET  /v1/cosignatures?after=I   cosign records\n"
"      GET  /v1/mail?after=I           msg and ack for the signing device\n"
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
"    On start the tree is checked against the log and rebuilt from the log\n"
"    if its files were lost or damaged (said on stderr).  When listening,\n"
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
"\n"
"EXAMPLE\n"
"    rosterd serve /var/lib/rosterd --listen 127.0.0.1:8443\n"
"    rosterd serve /var/lib/rosterd --listen 0.0.0.0:443 \\\n"
"        --tls-cert /etc/rosterd/cert.pem --tls-key /etc/rosterd/key.pem\n", stdout);
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
"    rows and stored checkpoint agree with the log.\n"
"\n"
"    Prints \"N envelopes, root HEX\" and exits 0 when all is well, or\n"
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
