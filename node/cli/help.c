/*
 * help.c - roster's manual: one struct cmd_doc per command (lib/opts.h),
 * its option table beside its prose.
 *
 * The table is what the command parses against, what `roster CMD --help`
 * prints and what the manual page roster-CMD(1) is made from, so an option
 * cannot be accepted without being documented, nor documented in one place
 * and not the other.  Kept in one file, like rosterd's hub/help.c, so the
 * pages read side by side.  Prose rules (opts.h): lines starting with a
 * letter flow into paragraphs; lines starting with a space stay as they
 * are.
 */
#include "cli.h"

#define EXIT_NODE \
"0 on success; 1 on a failure, which includes any verification failure\n" \
"(a bad signature, proof or certificate) and a hub that refuses what was\n" \
"sent; 2 on a usage error (an unknown option, a missing or bad value)."

/* --dir and --passphrase-file, which every command with a node folder
 * takes (node_common_opts). */
static const struct opt_spec common_node[] = {
	{ "--dir", "NODEDIR", 0,
	  "The node's data folder (default: $ROSTER_NODE_DIR)." },
	{ "--passphrase-file", "FILE", 0,
	  "Read the device key's passphrase from FILE's first line (default:\n"
	  "$ROSTER_PASSPHRASE, else ask on the terminal)." },
	{ NULL, NULL, 0, NULL }
};

/* ---- roster ---------------------------------------------------------------- */

static const struct doc_section roster_sections[] = {
	{ "ENVIRONMENT",
	  "  ROSTER_NODE_DIR     the node folder, when --dir is not given\n"
	  "  ROSTER_PASSPHRASE   the device or root key's passphrase, when\n"
	  "                      --passphrase-file is not given\n"
	  "  ROSTER_PASSWORD     a web account's password (roster user)\n"
	  "  ROSTER_SHARE        where the web interface and catalogues are\n"
	  "                      (default: ../share/roster beside the program, as\n"
	  "                      make install puts it; in a build tree, share/)" },
	{ "FILES",
	  "  NODEDIR/config.json   the node's settings (docs/operations.md lists\n"
	  "                        every key)\n"
	  "  NODEDIR/device.key    the device's keys, sealed with the passphrase\n"
	  "  NODEDIR/node.db       the local store: messages in clear, records,\n"
	  "                        checkpoints; mode 0600\n"
	  "  NODEDIR/request.json  the certification request (roster init)\n"
	  "  NODEDIR/hub-ca.pem    the hub's certificate, when --hub-ca was given\n"
	  "  NODEDIR/catalogue/    the State's own message templates\n"
	  "  NODEDIR/serve.url     the address of a running roster serve" },
	{ NULL, NULL }
};

static const struct cmd_doc doc_roster = {
	.prog = "roster",
	.summary = "a State's node for the roster of ICT-security points of contact",
	.synopsis = "COMMAND [options]\nCOMMAND --help\nhelp [COMMAND]\n--version",
	.description =
"roster holds a point of contact's device keys, encrypts and signs what\n"
"the POC sends, and verifies everything the hub says: checkpoint\n"
"signatures, consistency between every two checkpoints it has seen, an\n"
"inclusion proof for every record, every signature and certificate.\n"
"\n"
"The journey: an administrator makes the State's root key (keygen) and has\n"
"the hub's operator admit it; each POC creates a node (init), has the\n"
"request certified (certify) and publishes the certificate (enroll); then\n"
"send, sync, inbox, show, ack, status and audit.  Every command has\n"
"--help and a manual page (roster-send(1) and so on).  \"roster help --man\n"
"DIR\" writes the manual pages into DIR.",
	.sections = roster_sections,
	.examples =
"  roster keygen --state XA --out xa.root\n"
"  roster init --dir ~/roster --hub https://hub.example --state XA \\\n"
"      --role technical --name \"A. Duty Officer\" --email cert@xa.example\n"
"  roster send --to XB --subject \"Scanning\" --body-file note.txt --urgency urgent",
};

/* ---- keygen, certify ---------------------------------------------------- */

static const struct opt_spec opts_keygen[] = {
	{ "--state", "XA", 0, "The State's two-letter code (fr is taken as FR)." },
	{ "--out", "FILE", 0,
	  "Where the sealed secret key goes; the public key goes to FILE.pub.\n"
	  "Neither may exist." },
	{ "--passphrase-file", "FILE", 0,
	  "Read the new passphrase from FILE's first line (default:\n"
	  "$ROSTER_PASSPHRASE, else ask twice on the terminal).  At least 8\n"
	  "characters." },
	{ NULL, NULL, 0, NULL }
};

const struct cmd_doc doc_keygen = {
	.prog = "roster", .name = "keygen", .run = cmd_keygen,
	.summary = "make a State's root key (administrator)",
	.synopsis = "--state XA --out FILE [--passphrase-file FILE]",
	.description =
"Makes the root key of State XA: the key that certifies and revokes the\n"
"State's point-of-contact devices.  FILE receives the secret key, sealed\n"
"with a passphrase (Argon2id + XChaCha20-Poly1305); FILE.pub the public\n"
"key to give to the hub's operator for admission.  Prints the key's\n"
"fingerprint: compare it with the one the operator admits, by phone or in\n"
"person.\n"
"\n"
"Keep FILE offline.  Anyone holding it and its passphrase can speak for\n"
"the State's devices.",
	.opts = opts_keygen,
	.examples = "  roster keygen --state XA --out /media/offline/xa.root",
};

static const struct opt_spec opts_certify[] = {
	{ "--root", "ROOTKEY", 0, "The State's root key file (roster keygen)." },
	{ "--out", "CERT", 0,
	  "Where the certificate goes (default: REQUEST with .cert in place of\n"
	  ".json)." },
	{ "--valid-days", "N", 0,
	  "Days until the certificate expires: 1 to 3650 (default 730)." },
	{ "--passphrase-file", "FILE", 0,
	  "Read the root key's passphrase from FILE's first line (default:\n"
	  "$ROSTER_PASSPHRASE, else ask on the terminal)." },
	{ NULL, NULL, 0, NULL }
};

const struct cmd_doc doc_certify = {
	.prog = "roster", .name = "certify", .run = cmd_certify,
	.summary = "certify a POC's device (administrator)",
	.synopsis = "--root ROOTKEY REQUEST [--out CERT] [--valid-days N] "
	    "[--passphrase-file FILE]",
	.description =
"Signs a POC's certification request (the request.json that roster init\n"
"wrote) with the State's root key.  Shows who is asking, with which role\n"
"and device fingerprint, checks the request's proof of possession, and\n"
"writes CERT.  Give CERT back to the POC, who publishes it with roster\n"
"enroll.\n"
"\n"
"The certificate expires after --valid-days: from then on the hub and\n"
"every node refuse what the device signs, and the POC needs a new\n"
"certificate (a new roster init and certify).",
	.opts = opts_certify,
	.examples = "  roster certify --root /media/offline/xa.root request.json",
};

/* ---- init, enroll, revoke ------------------------------------------------ */

static const struct opt_spec opts_init[] = {
	{ "--hub", "URL", 0, "The hub's address (http://HOST:PORT or https://...)." },
	{ "--state", "XA", 0,
	  "This POC's State (fr is taken as FR).  A State the hub has not\n"
	  "admitted yet is warned about: enrolment waits for its admission." },
	{ "--role", "ROLE", 0, "diplomatic, technical or alternate (in any case)." },
	{ "--name", "NAME", 0, "The POC's name as the directory shows it." },
	{ "--email", "ADDRESS", 0,
	  "The POC's e-mail address as the directory shows it: local@domain,\n"
	  "printable ASCII without spaces, brackets, quotes or commas." },
	{ "--lang", "CODES", 0,
	  "The languages the POC reads, comma-separated, first preferred (2 or\n"
	  "3 letters, such as en,fr; in any case; default en).  Alerts and the\n"
	  "web interface use the first of ar, en, es, fr, ru, zh." },
	{ "--operator-key", "HEX", 0,
	  "The hub's operator key (64 hex digits) obtained out of band: init\n"
	  "refuses a hub presenting another." },
	{ "--hub-ca", "FILE", 0,
	  "For an https hub with a self-signed certificate: the certificate to\n"
	  "trust, copied to NODEDIR/hub-ca.pem." },
	{ NULL, NULL, 0, NULL }
};

const struct cmd_doc doc_init = {
	.prog = "roster", .name = "init", .run = cmd_init,
	.summary = "create a node for a point of contact",
	.synopsis = "--dir NODEDIR --hub URL --state XA --role ROLE --name NAME "
	    "--email ADDRESS [--lang en,fr] [--operator-key HEX] [--hub-ca FILE] "
	    "[--passphrase-file FILE]",
	.description =
"Creates the node's data folder: a device key pair (signing and\n"
"encryption, sealed with the passphrase), the local store, and\n"
"NODEDIR/request.json, the certification request for the State's\n"
"administrator.  The hub's operator key is fetched and pinned; its\n"
"fingerprint is printed: compare it out of band, or pass --operator-key.",
	.opts = opts_init,
	.common = common_node,
	.examples =
"  roster init --dir ~/roster --hub https://hub.example:8443 --state XA \\\n"
"      --role technical --name \"A. Duty Officer\" --email cert@xa.example \\\n"
"      --lang en,fr",
};

const struct cmd_doc doc_enroll = {
	.prog = "roster", .name = "enroll", .run = cmd_enroll,
	.summary = "publish this node's certificate",
	.synopsis = "[--dir NODEDIR] CERT",
	.description =
"Publishes the certificate the administrator made with roster certify.\n"
"After the hub's receipt the POC is in the directory (roster directory).\n"
"The certifying root key becomes the State key this node trusts: roster\n"
"audit alarms on any key record about the State not made with it.",
	.common = common_node,
	.examples = "  roster enroll --dir ~/roster ~/roster/request.cert",
};

static const struct opt_spec opts_revoke[] = {
	{ "--reason", "TEXT", 0, "Why, in the signed revocation." },
	{ "--root", "ROOTKEY", 0,
	  "Revoke as the State's administrator, with its root key." },
	{ "--device", "HEX", 0,
	  "With --root: the device key to revoke, 64 hex digits (roster\n"
	  "directory --json lists them)." },
	{ "--hub", "URL", 0,
	  "With --root: the hub (default: the node's, when --dir is given)." },
	{ "--hub-ca", "FILE", 0, "With --hub: the hub's certificate to trust." },
	{ NULL, NULL, 0, NULL }
};

const struct cmd_doc doc_revoke = {
	.prog = "roster", .name = "revoke", .run = cmd_revoke,
	.summary = "withdraw a device",
	.synopsis = "[--dir NODEDIR] [--reason TEXT]\n"
	    "--root ROOTKEY --device HEX --hub URL [--hub-ca FILE] [--reason TEXT]",
	.description =
"The first form withdraws this node's own device, signed by the device.\n"
"The second is the administrator's: withdraws any device of the State,\n"
"signed by the root key.  From the revocation's log index on, the hub and\n"
"every node refuse envelopes signed by that device.",
	.opts = opts_revoke,
	.common = common_node,
	.examples =
"  roster revoke --reason \"laptop lost\"\n"
"  roster revoke --root xa.root --device 3fa2...c1d0 --hub https://hub.example",
};

/* ---- send, reply, ack, forward ------------------------------------------ */

#define OPT_URGENCY \
	{ "--urgency", "LEVEL", 0, \
	  "flash, urgent, priority or routine (default routine); sets the\n" \
	  "acknowledgement deadline from the hub's policy (by default 1h,\n" \
	  "4h, 24h, 72h).  A recipient State that has not acknowledged by\n" \
	  "then is escalated to its other POCs by roster serve (alternates\n" \
	  "first); see roster status ID." }
#define OPT_TLP(dflt) \
	{ "--tlp", "LABEL", 0, \
	  "CLEAR, GREEN, AMBER, AMBER+STRICT or RED (default " dflt "), in any\n" \
	  "case and with or without TLP: (amber, TLP:AMBER); recipients'\n" \
	  "nodes enforce it when forwarding." }
#define OPT_LANG \
	{ "--lang", "CODE", 0, \
	  "The language of the free text: ar, en, es, fr, ru or zh (default\n" \
	  "en)." }
#define OPT_ATTACH \
	{ "--attach", "FILE", OPT_REPEAT, \
	  "Attach FILE (repeatable, at most 32): encrypted here with its own\n" \
	  "key, streamed to the hub before the message is signed; the hub's\n" \
	  "max_attachment bounds each file (default 50 MiB)." }, \
	{ "--progress", NULL, 0, \
	  "Draw the upload's progress bar on stderr even when it is not a\n" \
	  "terminal (on a terminal it is always drawn)." }

static const struct opt_spec opts_send[] = {
	{ "--to", "AUDIENCE", 0,
	  "Comma-separated: State codes (XB; xb is taken as XB), group:NAME (a\n"
	  "group the operator recorded; roster directory lists them), or all." },
	{ "--subject", "TEXT", 0,
	  "The subject: one line of at most 300 bytes.  Required unless\n"
	  "--template gives one." },
	{ "--body", "TEXT", 0, "The body: UTF-8 text, at most 512 KiB." },
	{ "--body-file", "FILE", 0, "The body, read from FILE." },
	{ "--template", "ID", 0,
	  "Fill message template ID (roster templates lists them): its fields\n"
	  "go in the signed message, and every reader sees their labels in\n"
	  "their own language.  The body is then an optional note." },
	{ "--field", "NAME=VALUE", OPT_REPEAT,
	  "A field of the template (repeatable).  A list field takes values\n"
	  "separated by commas (sector=energy,health) or a repeated --field;\n"
	  "roster templates show ID lists the fields and their choices, and\n"
	  "roster templates fill ID checks them without sending." },
	{ "--role", "ROLES", 0,
	  "Only POCs with these roles, comma-separated: diplomatic, technical,\n"
	  "alternate." },
	OPT_URGENCY,
	OPT_TLP("AMBER"),
	{ "--no-forward", NULL, 0, "Recipients may not forward it at all." },
	OPT_LANG,
	{ "--reply-to", "ID", 0,
	  "The message this one answers (any unique id prefix); the thread\n"
	  "shows in roster show." },
	{ "--stix", "BUNDLE.json", 0,
	  "Send a STIX 2.1 bundle: its text and template fields come from the\n"
	  "bundle (with --to, and maybe --subject, --field, --tlp, --lang,\n"
	  "--urgency, --role, --attach)." },
	{ "--unconfirmed", NULL, 0,
	  "Encrypt to unconfirmed devices too: those certified by a root key\n"
	  "their State has not endorsed (left out otherwise, with a warning)." },
	OPT_ATTACH,
	{ NULL, NULL, 0, NULL }
};

const struct cmd_doc doc_send = {
	.prog = "roster", .name = "send", .run = cmd_send,
	.summary = "send a message",
	.synopsis = "--to AUDIENCE --subject TEXT (--body-file FILE | --body TEXT) "
	    "[--role ROLES] [--urgency LEVEL] [--tlp LABEL] [--lang CODE] [--no-forward] "
	    "[--reply-to ID] [--attach FILE]... [--progress]\n"
	    "--to AUDIENCE --template ID --field NAME=VALUE... [--subject TEXT] "
	    "[--body TEXT] [options]\n"
	    "--to AUDIENCE --stix BUNDLE.json [--subject TEXT] [--field NAME=VALUE]... "
	    "[options]",
	.description =
"Encrypts the message on this node to every current device of the\n"
"audience, signs it, and submits it.  Prints the message id and the log\n"
"index from the hub's signed receipt, which the hub gives only once the\n"
"message is on disk.  If the hub cannot be reached the message waits in\n"
"the outbox and goes with the next roster sync.\n"
"\n"
"The hub sees who writes to whom, when, the urgency, the deadline and the\n"
"size (of the message and of each attachment); never the subject, body,\n"
"thread or TLP label, nor an attachment's name, type or content.\n"
"Attachments need the hub: with --attach, a hub that cannot be reached\n"
"fails the command instead of queueing the message.",
	.opts = opts_send,
	.common = common_node,
	.examples =
"  roster send --to XB --subject \"Scanning of energy-sector hosts\" \\\n"
"      --body-file note.txt --urgency urgent --tlp amber\n"
"  roster send --to group:forum --role technical --urgency flash \\\n"
"      --template incident-notification --field incident_class=intrusions \\\n"
"      --field sector=energy,health --field impact=high \\\n"
"      --field first_seen=2026-12-03T08:30:00Z\n"
"  roster send --to XB --subject Logs --body Attached. --attach logs.tar.gz",
};

static const struct opt_spec opts_reply[] = {
	{ "--body", "TEXT", 0, "The reply's text." },
	{ "--body-file", "FILE", 0, "The reply's text, read from FILE." },
	{ "--all", NULL, 0, "Reply to every State the message went to." },
	{ "--subject", "TEXT", 0, "The subject (default: \"Re: \" and the parent's)." },
	OPT_URGENCY,
	OPT_TLP("the parent's"),
	OPT_LANG,
	{ "--no-forward", NULL, 0, "Recipients may not forward it at all." },
	OPT_ATTACH,
	{ NULL, NULL, 0, NULL }
};

const struct cmd_doc doc_reply = {
	.prog = "roster", .name = "reply", .run = cmd_reply,
	.summary = "answer a message in its thread",
	.synopsis = "ID (--body-file FILE | --body TEXT) [--all] [--subject TEXT] "
	    "[--urgency LEVEL] [--tlp LABEL] [--lang CODE] [--no-forward] [--attach FILE]... "
	    "[--progress]",
	.description =
"Sends a reply to the State that sent message ID (for a message this node\n"
"sent, to the States it went to).  The reply names its parent inside the\n"
"signed payload, so the thread is signed but not shown to the hub.  The\n"
"same limits as roster send apply.",
	.opts = opts_reply,
	.common = common_node,
	.examples = "  roster reply 3fa2c1d0 --body \"Thank you, we see it too\"",
};

static const struct opt_spec opts_ack[] = {
	{ "--note", "TEXT", 0, "A note the sender reads with the acknowledgement." },
	{ NULL, NULL, 0, NULL }
};

const struct cmd_doc doc_ack = {
	.prog = "roster", .name = "ack", .run = cmd_ack,
	.summary = "acknowledge a message",
	.synopsis = "[--note TEXT] ID",
	.description =
"Signs an \"acknowledged\" acknowledgement of message ID, encrypted to the\n"
"sender's device, and submits it.  The sender sees it in roster status.\n"
"A message already acknowledged is not acknowledged again: the command\n"
"says so and signs nothing.  If ID is a communication check, signs this\n"
"POC's answer to it instead (as roster checks answer ID).",
	.opts = opts_ack,
	.common = common_node,
	.examples = "  roster ack 3fa2c1d0 --note \"Confirmed, investigating\"",
};

static const struct opt_spec opts_forward[] = {
	{ "--to", "AUDIENCE", 0, "Where it goes, as for roster send --to." },
	{ "--role", "ROLES", 0, "Only POCs with these roles." },
	{ "--note", "TEXT", 0, "The forwarder's note, shown above the original." },
	OPT_LANG,
	{ NULL, NULL, 0, NULL }
};

const struct cmd_doc doc_forward = {
	.prog = "roster", .name = "forward", .run = cmd_forward,
	.summary = "pass a received message on, as its TLP allows",
	.synopsis = "ID --to AUDIENCE [--role ROLES] [--note TEXT] [--lang CODE]",
	.description =
"Forwards received message ID to an audience.  The forward carries the\n"
"original signed envelope, its log index and its content key, so each\n"
"recipient's node checks the original's signature, its place in the log\n"
"and its text, and shows who wrote it.  The TLP 2.0 label of the original\n"
"decides where it may go, and this node refuses anything else:\n"
"  RED           never forwarded\n"
"  AMBER+STRICT  only to POCs of this node's own State\n"
"  AMBER         to this State and to States the original already went to\n"
"  GREEN, CLEAR  to any State on the hub\n"
"and nothing at all when the sender forbade forwarding (send\n"
"--no-forward).  Receiving nodes check the same rules and flag a forward\n"
"that broke them.",
	.opts = opts_forward,
	.common = common_node,
	.examples = "  roster forward 3fa2c1d0 --to XC --note \"FYI\"",
};

/* ---- consult, checks ----------------------------------------------------- */

static const struct opt_spec opts_consult[] = {
	{ "--to", "XB", 0, "request: the State asked." },
	{ "--subject", "TEXT", 0, "request: its subject." },
	{ "--body", "TEXT", 0,
	  "The text of the request, answer, proposal or outcome (required for\n"
	  "request, propose and outcome)." },
	{ "--urgency", "LEVEL", 0, "request: flash, urgent, priority (default) or routine." },
	OPT_TLP("AMBER"),
	OPT_LANG,
	{ "--note", "TEXT", 0, "agree: a note beside the agreement." },
	{ "--json", NULL, 0, "list, show: as JSON." },
	{ NULL, NULL, 0, NULL }
};

const struct cmd_doc doc_consult = {
	.prog = "roster", .name = "consult", .run = cmd_consult,
	.summary = "request consultations and record the outcome",
	.synopsis = "request --to XB --subject TEXT --body TEXT [--urgency LEVEL] "
	    "[--tlp LABEL] [--lang CODE]\n"
	    "accept|decline REQUEST_ID [--body TEXT]\n"
	    "propose REQUEST_ID --body TEXT\n"
	    "outcome REQUEST_ID --body TEXT\n"
	    "agree OUTCOME_ID [--note TEXT]\n"
	    "list [--json]\n"
	    "show REQUEST_ID [--json]",
	.description =
"A request for consultations on an activity of concern, and its answers,\n"
"as one thread.  The requested State accepts, declines or proposes\n"
"something else; either side then writes the outcome; the other side\n"
"agrees to it with a signed \"agreed\" acknowledgement naming the\n"
"outcome's id.  The outcome (signed by its writer) and the agreement\n"
"(signed by the other side) are both in the log: consult show prints each\n"
"step with its id (what agree takes) and log index.",
	.opts = opts_consult,
	.common = common_node,
	.examples =
"  roster consult request --to XB --subject \"Activity of concern\" --body \"...\"\n"
"  roster consult show 9be04d11\n"
"  roster consult agree 51c7a2e0",
};

static const struct opt_spec opts_checks[] = {
	{ "--json", NULL, 0, "list, report: as JSON." },
	{ "--all", NULL, 0, "list: every check in the log." },
	{ "--to", "AUDIENCE", 0,
	  "start: State codes, group:NAME or all, comma-separated (this device\n"
	  "is never asked)." },
	{ "--deadline", "DURATION", 0,
	  "start: how long POCs have to answer: 90s, 30m, 24h, 7d... (1s to\n"
	  "366d after the check is logged)." },
	{ "--role", "ROLES", 0,
	  "start: only POCs with these roles (diplomatic, technical,\n"
	  "alternate)." },
	{ "--text", "TEXT", 0,
	  "start: the question, instead of the standard one in the six UN\n"
	  "languages." },
	{ "--lang", "CODE", 0, "start: the language of --text." },
	{ "--csv", NULL, 0, "report: one row per check and scope, then the history." },
	{ "--since", "DATE", 0,
	  "report: only checks logged since DATE (YYYY-MM-DD, UTC, or a log\n"
	  "time in ms)." },
	{ "--verify", NULL, 0,
	  "report: also fetch the hub's own figures for the same log size and\n"
	  "fail unless they are identical." },
	{ "--offline", NULL, 0,
	  "report: use the records already verified, without contacting the\n"
	  "hub." },
	{ NULL, NULL, 0, NULL }
};

const struct cmd_doc doc_checks = {
	.prog = "roster", .name = "checks", .run = cmd_checks,
	.summary = "communication checks: start, answer, report",
	.synopsis = "[list] [--json] [--all]\n"
	    "start --to AUDIENCE --deadline DURATION [--role ROLES] "
	    "[--text TEXT [--lang CODE]]\n"
	    "answer ID\n"
	    "report [ID] [--json | --csv] [--since DATE] [--verify] [--offline]",
	.description =
"A communication check (\"ping test\") asks POCs to show they are\n"
"reachable: each answers with one action, a signed answer in the log.\n"
"Checks and answers are public records: every node fetches and verifies\n"
"them at each sync (signature, directory rules, inclusion proof).\n"
"\n"
"list (the default) syncs, then shows the checks this node started or was\n"
"asked: who started it, when, the deadline, how many answered, and this\n"
"POC's status (OPEN: answer it, answered, answered late, MISSED).\n"
"\n"
"start signs a check from this device to AUDIENCE.  The text is the\n"
"standard one in the six UN languages unless --text gives another.\n"
"\n"
"answer signs this POC's answer to check ID (any unique prefix of 8 or\n"
"more hex digits).  One answer counts; a second is not sent.  An answer\n"
"logged after the deadline is reported as late.  roster ack ID does the\n"
"same.\n"
"\n"
"report syncs, then computes from the verified records, per check and\n"
"over all of them: per State, role and group, POCs asked, answered in\n"
"time, late, response rate, median and 95th-percentile response time\n"
"(nearest rank), and the same per State (a State answered when any of its\n"
"POCs did).  ID restricts it to one check.  The text form gives times in\n"
"s, min or h, and names who did not answer in time, or, while a check's\n"
"deadline is ahead, who has not answered yet.  docs/checks.md defines\n"
"every figure.",
	.opts = opts_checks,
	.common = common_node,
	.exit_status = EXIT_NODE "  report --verify exits 1 when the hub's figures "
	    "differ.",
	.examples =
"  roster checks start --to XB,XC --deadline 24h\n"
"  roster checks answer 7d01e5aa\n"
"  roster checks report --json --verify",
};

/* ---- sync, inbox, show, status, directory ------------------------------- */

const struct cmd_doc doc_sync = {
	.prog = "roster", .name = "sync", .run = cmd_sync,
	.summary = "one pass with the hub",
	.synopsis = "[--dir NODEDIR]",
	.description =
"Sends what waits in the outbox, fetches every public record (directory,\n"
"groups, checks, cosignatures) and this device's mail, and verifies\n"
"everything: the checkpoint's signature and consistency with every earlier\n"
"checkpoint, that the public records are all there (the checkpoint's\n"
"public root), each record's inclusion proof, each envelope's signature\n"
"and its signer's certificate.  New messages are decrypted and a signed\n"
"\"delivered\" acknowledgement goes back.  A record the hub left out or\n"
"served damaged is an alarm, asked for again on every pass until it is\n"
"served intact; a message whose content is wrong is refused.",
	.common = common_node,
	.exit_status = EXIT_NODE "  1 also while any alarm is unresolved or when a "
	    "record was refused.",
	.examples = "  roster sync --dir ~/roster",
};

static const struct opt_spec opts_json[] = {
	{ "--json", NULL, 0, "The same facts as JSON." },
	{ NULL, NULL, 0, NULL }
};

const struct cmd_doc doc_inbox = {
	.prog = "roster", .name = "inbox", .run = cmd_inbox,
	.summary = "list received messages",
	.synopsis = "[--json]",
	.description =
"Lists received messages: those overdue and not acknowledged first, then\n"
"by urgency (flash, urgent, priority, routine), newest first within each:\n"
"id, log time, sender State, urgency, whether this node acknowledged it,\n"
"and subject.  Reads the local store only; run roster sync (or keep\n"
"roster serve running) to fetch.",
	.opts = opts_json,
	.common = common_node,
	.examples = "  roster inbox\n  roster inbox --json",
};

const struct cmd_doc doc_show = {
	.prog = "roster", .name = "show", .run = cmd_show,
	.summary = "show one message and how it was verified",
	.synopsis = "[--json] ID",
	.description =
"Shows a message (ID may be any unique prefix of 8 or more hex digits)\n"
"with its verification: who signed it, which State key certified the\n"
"signer, its log index, and the checkpoint its inclusion proof was\n"
"checked against.  For a message this node sent, shows each recipient's\n"
"acknowledgements.",
	.opts = opts_json,
	.common = common_node,
	.examples = "  roster show 3fa2c1d0",
};

static const struct opt_spec opts_status[] = {
	{ "--json", NULL, 0, "The same facts as JSON." },
	{ "--offline", NULL, 0,
	  "Do not sync first: show what this node already holds." },
	{ NULL, NULL, 0, NULL }
};

const struct cmd_doc doc_status = {
	.prog = "roster", .name = "status", .run = cmd_status,
	.summary = "delivery and acknowledgement of a sent message",
	.synopsis = "[--json] [--offline] [ID]",
	.description =
"For a message this node sent: per recipient State, acknowledged when and\n"
"by whom, or OVERDUE and who the overdue notices reached; then each\n"
"recipient device, with the log times at which its node signed\n"
"\"delivered\" and its POC \"acknowledged\" (\"-\" when not yet).  It syncs\n"
"first, so what it shows is fresh; when the hub cannot be reached it says\n"
"so and shows what was known at the last sync, naming its time.\n"
"\n"
"Without ID: whether the hub can be reached and what waits in the outbox,\n"
"then the reminder naming this State's POCs not confirmed (by an\n"
"answer to a communication check, or a new certificate) for\n"
"stale_after_days (config.json, default 365).  With --json it prints\n"
"{\"hub\", \"stale\", \"sent\"}: \"sent\" is the list of sent messages the\n"
"web's Sent page shows (GET /api/sent, one view: newest first, counts of\n"
"recipient devices delivered and acknowledged).",
	.opts = opts_status,
	.common = common_node,
	.examples = "  roster status 3fa2c1d0\n  roster status",
};

static const struct opt_spec opts_directory[] = {
	{ "--state", "XA", 0,
	  "Only this State (fr is taken as FR); exit status 1 if the directory\n"
	  "has no such State." },
	{ "--json", NULL, 0, "The same facts as JSON." },
	{ NULL, NULL, 0, NULL }
};

const struct cmd_doc doc_directory = {
	.prog = "roster", .name = "directory", .run = cmd_directory,
	.summary = "list States and their points of contact",
	.synopsis = "[--state XA] [--json]",
	.description =
"Fetches and verifies the directory from the hub, then lists each State's\n"
"admitted root keys and its POC devices: role, name, e-mail, languages,\n"
"fingerprint, and whether the device is current or revoked; when each POC\n"
"last answered a communication check, and STALE for a current POC neither\n"
"certified nor confirmed within stale_after_days (config.json, default\n"
"365); then the groups.",
	.opts = opts_directory,
	.common = common_node,
	.examples = "  roster directory\n  roster directory --state XB",
};

/* ---- audit, alarms, checkpoint, proof ----------------------------------- */

static const struct opt_spec opts_audit[] = {
	{ "--no-cosign", NULL, 0, "Do not cosign the checkpoint verified." },
	{ "--witness", "FILE", 0,
	  "A checkpoint another State's node verified (its roster checkpoint,\n"
	  "passed out of band), so a split view is caught even if the hub\n"
	  "withholds cosignatures." },
	{ NULL, NULL, 0, NULL }
};

const struct cmd_doc doc_audit = {
	.prog = "roster", .name = "audit", .run = cmd_audit,
	.summary = "check the hub's honesty",
	.synopsis = "[--no-cosign] [--witness FILE]",
	.description =
"Checks, and reports line by line:\n"
"  - the latest checkpoint's signature by the operator key;\n"
"  - consistency between every two successive checkpoints this node has\n"
"    seen;\n"
"  - inclusion of every envelope this node sent and received;\n"
"  - that every key record about this node's State (root key admissions,\n"
"    device certificates, revocations) was made with the State's own key;\n"
"  - every other node's cosignature against this node's view (a split\n"
"    view shows as two checkpoints that cannot both be true);\n"
"  - with --witness FILE, the checkpoint another State's node verified;\n"
"then cosigns the checkpoint it verified (unless --no-cosign).  roster\n"
"alarms --evidence shows the signed evidence of each alarm.",
	.opts = opts_audit,
	.common = common_node,
	.exit_status = "0 when every check holds; 1, with each failure named, if "
	    "anything does not; 2 on a usage error.",
	.examples = "  roster checkpoint > ours.json\n  roster audit --witness theirs.json",
};

static const struct opt_spec opts_alarms[] = {
	{ "--evidence", NULL, 0,
	  "Add the signed statements that prove each alarm (checkpoints,\n"
	  "records as served), which anyone can check." },
	{ "--json", NULL, 0, "As JSON." },
	{ NULL, NULL, 0, NULL }
};

const struct cmd_doc doc_alarms = {
	.prog = "roster", .name = "alarms", .run = cmd_alarms,
	.summary = "list the evidence of a misbehaving hub",
	.synopsis = "[--evidence] [--json]",
	.description =
"Lists the alarms this node has raised, oldest first: when, what kind\n"
"(split-view, history-rewritten, checkpoint-downgrade, foreign-key-record,\n"
"public-omitted, public-root, bad-record, log-time, bad-receipt) and what\n"
"was seen.  An alarm about one record the hub left out or served damaged\n"
"is resolved when the hub serves it intact, and shown as such; no alarm\n"
"is ever deleted: they are evidence.",
	.opts = opts_alarms,
	.common = common_node,
	.exit_status = "0 when no alarm is unresolved; 1 while any is (or on a "
	    "failure); 2 on a usage error.",
	.examples = "  roster alarms --evidence",
};

const struct cmd_doc doc_checkpoint = {
	.prog = "roster", .name = "checkpoint", .run = cmd_checkpoint,
	.summary = "print the newest checkpoint this node verified",
	.synopsis = "[--dir NODEDIR]",
	.description =
"Prints, as JSON, the newest checkpoint of the hub's log that this node\n"
"has verified, with the operator's signature.  Send it to other States\n"
"out of band: their roster audit --witness FILE checks that the hub\n"
"showed them the same history.",
	.common = common_node,
	.examples = "  roster checkpoint > ours.json",
};

const struct cmd_doc doc_proof = {
	.prog = "roster", .name = "proof", .run = cmd_proof,
	.summary = "check a Merkle proof given as JSON",
	.synopsis = "check FILE.json",
	.description =
"Checks one RFC 9162 inclusion proof (fields leafIdx, treeSize, root,\n"
"leafHash, proof) or consistency proof (size1, size2, root1, root2,\n"
"proof), byte strings in base64, so a third party can check the hub's\n"
"proofs without a node.",
	.exit_status = "0 when the proof holds, 1 when it does not, 2 when the file "
	    "cannot be read or is not such a proof.",
	.examples = "  roster proof check proof.json",
};

/* ---- attachment, serve, templates, alerts, user ------------------------- */

static const struct opt_spec opts_attachment[] = {
	{ "--list", NULL, 0, "List the message's attachments: number, name, size, type." },
	{ "--out", "PATH", 0,
	  "Where to save the file (default: the sender's file name, in the\n"
	  "current folder).  PATH must not exist yet." },
	{ "--progress", NULL, 0,
	  "Draw the progress bar on stderr even when it is not a terminal (on a\n"
	  "terminal it is always drawn)." },
	{ NULL, NULL, 0, NULL }
};

const struct cmd_doc doc_attachment = {
	.prog = "roster", .name = "attachment", .run = cmd_attachment,
	.summary = "save a received message's attachment",
	.synopsis = "[--out PATH] [--progress] ID [N]\n--list ID",
	.description =
"Downloads attachment N (from 1; may be left out when there is only one)\n"
"of received message ID from the hub, streaming, and decrypts it.  Each\n"
"64 KiB chunk is authenticated before it is written, and the whole\n"
"ciphertext must match the SHA-256 the sender signed in the message\n"
"header; the file is written under a temporary name and appears at PATH\n"
"only when all of that holds.  A tampered, truncated or substituted\n"
"attachment is refused with the reason and leaves no file.",
	.opts = opts_attachment,
	.common = common_node,
	.examples =
"  roster attachment 3fa2c1d0 --list\n"
"  roster attachment 3fa2c1d0 2 --out logs.tar.gz",
};

static const struct opt_spec opts_serve[] = {
	{ "--listen", "ADDR:PORT", 0,
	  "Where to serve the web interface and local API (default\n"
	  "127.0.0.1:8080; port 0 picks a free one, written to\n"
	  "NODEDIR/serve.url)." },
	{ "--interval", "SECONDS", 0, "Seconds between syncs: 1 to 3600 (default 2)." },
	{ "--tls-cert", "CERT.pem", 0, "Serve HTTPS with this certificate (chain)..." },
	{ "--tls-key", "KEY.pem", 0, "... and its private key: both or neither." },
	{ "--metrics-listen", "ADDR:PORT", 0,
	  "Serve GET /metrics (Prometheus text: when the node last synced,\n"
	  "records, envelopes waiting for a receipt, messages not acknowledged,\n"
	  "records refused, alarms, e-mail alerts queued and failed) on that\n"
	  "separate address, its URL in NODEDIR/metrics.url." },
	{ "--log-format", "plain|json", 0,
	  "json writes one JSON object per event (and per other line on\n"
	  "stderr); never a message's content.  Default plain." },
	{ NULL, NULL, 0, NULL }
};

const struct cmd_doc doc_serve = {
	.prog = "roster", .name = "serve", .run = cmd_serve,
	.summary = "keep syncing; serve the web interface and local API",
	.synopsis = "[--listen ADDR:PORT] [--interval SECONDS] [--tls-cert CERT.pem --tls-key KEY.pem] "
	    "[--metrics-listen ADDR:PORT] [--log-format plain|json]",
	.description =
"Runs the node: syncs with the hub every --interval seconds and serves the\n"
"web interface and the local API (docs/node-api.md).  Open the address in\n"
"a browser.\n"
"\n"
"On loopback with no account, whoever reaches the address uses the node\n"
"(like the command line).  Once an account exists (roster user add),\n"
"everyone signs in.  An address beyond loopback is refused unless an\n"
"account exists.\n"
"\n"
"Beside the periodic sync, one request to the hub waits for new mail\n"
"(long polling), so a message arrives within a second; when the hub\n"
"restarts, the node reconnects by itself.  The loop also sends the\n"
"overdue notices of this node's messages when a deadline passes, and\n"
"e-mail alerts, when set up (roster alerts --help).\n"
"\n"
"The same address serves TAXII 2.1 at /taxii2/ to the State's CERT tools\n"
"(MISP, OpenCTI, taxii2-client): what this State received and sent, as\n"
"STIX 2.1, and outboxes a tool sends through (roster token --help,\n"
"roster taxii --help, docs/taxii.md).  With --tls-cert and --tls-key (PEM\n"
"files) it serves HTTPS; beyond loopback TAXII answers only over HTTPS.\n"
"Stop it with Ctrl-C or SIGTERM.",
	.opts = opts_serve,
	.common = common_node,
	.examples = "  roster serve --dir ~/roster --listen 127.0.0.1:8080",
};

static const struct opt_spec opts_templates[] = {
	{ "--lang", "L", 0,
	  "The language to show: ar, zh, en, fr, ru or es (default: the node's\n"
	  "first language, else en)." },
	{ "--json", NULL, 0,
	  "list: the whole catalogue (templates, taxonomies, problems) as JSON;\n"
	  "show: the template; fill: what the message carries." },
	{ "--refresh", NULL, 0,
	  "list: first fetch the hub operator's catalogue (GET /v1/catalogue)\n"
	  "into NODEDIR/catalogue-hub.json; its entries are checked like any\n"
	  "other and a refused one is reported, not fatal." },
	{ "--field", "NAME=VALUE", OPT_REPEAT,
	  "fill: a field's value (repeatable).  A list field takes a repeated\n"
	  "--field or values separated by commas (\\, for a comma inside a\n"
	  "value)." },
	{ "--text-lang", "L", 0, "fill: the language of free text (default: --lang)." },
	{ NULL, NULL, 0, NULL }
};

const struct cmd_doc doc_templates = {
	.prog = "roster", .name = "templates", .run = cmd_templates,
	.summary = "list and show the message templates",
	.synopsis = "[list] [--lang L] [--json] [--refresh]\n"
	    "show ID [--lang L] [--json]\n"
	    "fill ID --field NAME=VALUE... [--text-lang L] [--lang L] [--json]\n"
	    "check FILE...",
	.description =
"Message templates are forms with typed fields (text, a choice from a\n"
"taxonomy, date and time, States, technical indicators, attachments)\n"
"whose labels exist in the six UN languages: a recipient reads every\n"
"label in its own language, whatever the sender's.  See docs/templates.md.\n"
"\n"
"list (the default) lists the templates: id, version and title.  With a\n"
"node folder the list is the node's full catalogue: the shipped\n"
"templates, the State's own in NODEDIR/catalogue/, and the hub\n"
"operator's (marked \"hub\"); without one, the shipped templates only.\n"
"\n"
"show ID shows one template: its digest (SHA-256 of its canonical JSON,\n"
"which a message carries to name the exact version), and each field with\n"
"its type, whether it is required, its label, its help and its choices.\n"
"\n"
"fill ID fills a template as roster send --template will, without\n"
"sending: it prints the message as a reader of --lang sees it, or with\n"
"--json what the message carries (template, version, digest and the\n"
"canonical field values).  A bad value is refused, naming the field.\n"
"\n"
"check FILE... checks template and taxonomy files (named ID.json; a\n"
"taxonomy's path contains taxonomies/) against the shipped catalogue with\n"
"the checks every node applies, and names each problem.\n"
"\n"
"An entry replaces a loaded one of the same id only if its version is\n"
"higher.",
	.opts = opts_templates,
	.common = common_node,
	.exit_status = "0 on success; 1 when a value or file is refused (fill, "
	    "check) or on a failure; 2 on a usage error.",
	.examples =
"  roster templates --lang fr\n"
"  roster templates show incident-notification\n"
"  roster templates fill incident-notification --field impact=high --json",
};

static const struct opt_spec opts_alerts[] = {
	{ "--email", "ADDRESS", 0, "set: the POC's own address." },
	{ "--smtp", "URL", 0,
	  "set: the mail server: smtp://HOST:PORT (STARTTLS when the server\n"
	  "offers it) or smtps://HOST:PORT." },
	{ "--from", "ADDRESS", 0,
	  "set: the sender (default roster-alerts@ the POC's domain)." },
	{ "--user", "NAME", 0,
	  "set: log in to the server as NAME (with --password-file); TLS is\n"
	  "then required." },
	{ "--password-file", "FILE", 0, "set: the server password, FILE's first line." },
	{ "--smtp-ca", "FILE", 0,
	  "set: trust the certificates in this PEM file for the server's TLS\n"
	  "(default: the system's)." },
	{ "--node-url", "URL", 0,
	  "set: the address named in alerts (default: the local API address of\n"
	  "roster serve)." },
	{ NULL, NULL, 0, NULL }
};

const struct cmd_doc doc_alerts = {
	.prog = "roster", .name = "alerts", .run = cmd_alerts,
	.summary = "e-mail alerts for urgent mail (set, test, list)",
	.synopsis = "[list]\n"
	    "set --email ADDRESS --smtp URL [--from ADDRESS] "
	    "[--user NAME --password-file FILE] [--smtp-ca FILE] [--node-url URL]\n"
	    "test\noff",
	.description =
"While roster serve runs, the node e-mails the POC when a flash or urgent\n"
"message arrives, and when an acknowledgement of a message the POC sent\n"
"is overdue.  The alert carries nothing of the message: no subject, body,\n"
"sender or marking; only that a message of urgency X awaits, the node's\n"
"address and a 16-digit message id.  It is written in the first of the\n"
"POC's languages (ar, en, es, fr, ru, zh; English for others).\n"
"\n"
"Alerts are queued in the node's store with the message that caused them,\n"
"and retried with a growing delay (2 s up to 5 min) while the mail server\n"
"is unreachable; after 48 hours they are marked failed.\n"
"\n"
"list (the default) shows the settings and the alerts, newest first, with\n"
"their state; set says where alerts go; test sends a test alert now and\n"
"reports the server's answer; off stops new alerts (already queued ones\n"
"are still sent).",
	.opts = opts_alerts,
	.common = common_node,
	.examples =
"  roster alerts set --email poc@ministry.example --smtp smtps://mail.example:465\n"
"  roster alerts test",
};

static const struct opt_spec opts_user[] = {
	{ "--admin", NULL, 0,
	  "add: the account may see and manage the State's devices in\n"
	  "Settings." },
	{ "--lang", "CODE", 0,
	  "add: the interface language: ar, en, es, fr, ru, zh (default en)." },
	{ "--email", "ADDRESS", 0, "add: where the account's alerts go." },
	{ "--password-file", "FILE", 0,
	  "The account's password (first line); else $ROSTER_PASSWORD, else\n"
	  "asked twice on the terminal.  At least 8 characters." },
	{ NULL, NULL, 0, NULL }
};

const struct cmd_doc doc_user = {
	.prog = "roster", .name = "user", .run = cmd_user,
	.summary = "manage the web interface's accounts",
	.synopsis = "add NAME [--admin] [--lang CODE] [--email ADDRESS] "
	    "[--password-file FILE]\n"
	    "passwd NAME [--password-file FILE]\n"
	    "list",
	.description =
"Accounts sign in to the web interface that roster serve offers.  Each\n"
"account keeps an Argon2id hash of its password and its own copy of this\n"
"node's device key, sealed under a key derived from the password; signing\n"
"in unseals that copy for the session, and whatever the user signs in the\n"
"browser (messages, acknowledgements, forwards) is signed with it.  So\n"
"add and passwd need the device key's passphrase as well as the new\n"
"password.\n"
"\n"
"NAME is 1 to 32 of a-z, 0-9, '.', '_', '-'.  A running roster serve sees\n"
"new accounts at once; a changed password applies to the next sign-in.",
	.opts = opts_user,
	.common = common_node,
	.examples = "  roster user add alice --admin --lang fr\n  roster user list",
};

static const struct opt_spec opts_endorse[] = {
	{ "--root", "ROOTKEY", 0, "An endorsed root key of this State (roster keygen)." },
	{ "--key", "FILE.pub", 0,
	  "The root key decided on, by its public key file (or give its\n"
	  "fingerprint, as roster directory shows it, instead)." },
	{ "--accept", NULL, 0, "Endorse it: a new key the State made." },
	{ "--reject", NULL, 0, "Disown it, for good: a key the State did not make." },
	{ NULL, NULL, 0, NULL }
};

const struct cmd_doc doc_endorse = {
	.prog = "roster", .name = "endorse", .run = cmd_endorse,
	.summary = "endorse or disown a second root key of the State (administrator)",
	.synopsis = "--root ROOTKEY (--key FILE.pub | FINGERPRINT) (--accept | --reject)",
	.description =
"A root key the operator admits for a State that has one already is\n"
"unendorsed: every node warns about the State, and its devices are\n"
"unconfirmed (mail is not encrypted to them unless sent with\n"
"--unconfirmed).  The State decides, with a root key of its own that is\n"
"endorsed (the first admitted, or one endorsed since): --accept endorses\n"
"the key (a new key the State made), --reject disowns it for good (the\n"
"operator's): from then on its devices are not current, and it certifies\n"
"and revokes nothing more.  The record goes to the hub of the node in\n"
"NODEDIR.",
	.opts = opts_endorse,
	.common = common_node,
	.examples = "  roster endorse --root xa.root --key xa2.root.pub --accept",
};

/* ---- stix, token, taxii ----------------------------------------------------- */

static const struct opt_spec opts_token[] = {
	{ "--collections", "LIST|all", 0,
	  "add: the collections it may use, by alias, separated by commas:\n"
	  "received, sent, from-XA, group-NAME, an outbox's name; or all.  An\n"
	  "alias may be named before the collection exists." },
	{ "--write", NULL, 0,
	  "add: it may POST to the outboxes among them: the node then signs\n"
	  "and sends a message for the tool." },
	{ "--json", NULL, 0, "list: as JSON." },
	{ NULL, NULL, 0, NULL }
};

static const struct opt_spec opts_taxii[] = {
	{ "--name", "NAME", 0, "add: the outbox's name (its alias)." },
	{ "--to", "AUDIENCE", 0, "add: as roster send --to takes it." },
	{ "--tlp", "LABEL", 0, "add: CLEAR, GREEN, AMBER or AMBER+STRICT." },
	{ "--write", NULL, 0, "add: required: an added collection is an outbox." },
	{ "--role", "ROLES", 0, "add: as roster send --role." },
	{ "--urgency", "LEVEL", 0, "add: when the bundle does not say (default routine)." },
	{ "--subject", "TEXT", 0, "add: when the bundle does not say." },
	{ "--field", "NAME=VALUE", OPT_REPEAT,
	  "add: an incident notification's field, when the bundle does not\n"
	  "say (repeat)." },
	{ "--title", "TEXT", 0, "add: the collection's title." },
	{ "--description", "TEXT", 0, "add: the collection's description." },
	{ "--json", NULL, 0, "list: as JSON." },
	{ NULL, NULL, 0, NULL }
};

const struct cmd_doc doc_stix = {
	.prog = "roster", .name = "stix", .run = cmd_stix,
	.common = common_node,
	.summary = "print a message as a STIX 2.1 bundle",
	.synopsis = "ID\n"
"check FILE",
	.description =
"Prints received or sent message ID (any unique prefix of 8 or more hex\n"
"digits) as a STIX 2.1 bundle: a report, an incident with its indicators,\n"
"observed data and notes for an incident notification, the sending State\n"
"as an identity, the message's TLP 2.0 marking, and on every object roster\n"
"provenance (message id, log index, signer key and fingerprint), so that\n"
"anyone holding the envelope can check the signature.  The same bundle for\n"
"the same message on every node.  Whatever its TLP label: the TAXII\n"
"collections never hold TLP:RED, this command is the recipient's own.\n"
"docs/taxii.md has the mapping.\n"
"\n"
"check FILE says whether the bundle in FILE is valid STIX 2.1 (or names the\n"
"object and property that is not) and what `roster send --stix FILE` would\n"
"send of it: the template, subject, TLP, fields, and what it would not\n"
"carry.  Nothing is sent.  Exit status 1 when it is not valid or a message\n"
"cannot carry it (`roster send --stix` would refuse it).",
};

const struct cmd_doc doc_token = {
	.prog = "roster", .name = "token", .run = cmd_token,
	.opts = opts_token,
	.common = common_node,
	.summary = "API tokens for the TAXII server's tools",
	.synopsis = "add NAME --collections LIST|all [--write]\n"
"list [--json]\n"
"revoke NAME",
	.description =
"A token lets a tool (MISP, OpenCTI, a script on taxii2-client) use the TAXII\n"
"server of `roster serve`.  add prints the token once, on stdout (the node\n"
"keeps only its SHA-256); the tool sends it as HTTP Basic (user NAME,\n"
"password the token) or as \"Authorization: Bearer TOKEN\".  Making one asks\n"
"for the device key's passphrase.\n"
"\n"
"revoke holds from the tool's next request.  The web interface's accounts\n"
"(`roster user add`) may also sign in with HTTP Basic; they read every\n"
"collection and write none.",
};

const struct cmd_doc doc_taxii = {
	.prog = "roster", .name = "taxii", .run = cmd_taxii,
	.opts = opts_taxii,
	.common = common_node,
	.summary = "the TAXII collections and outboxes",
	.synopsis = "collection list [--json]\n"
"collection add --name NAME --to AUDIENCE --tlp LABEL --write [--role ROLES] [--urgency LEVEL] [--subject TEXT] [--field NAME=VALUE]... [--title TEXT] [--description TEXT]\n"
"collection remove NAME",
	.description =
"The TAXII 2.1 server of `roster serve` (/taxii2/, API root /taxii2/roster/)\n"
"has these collections, each with a fixed id:\n"
"  received    every message this State received, as STIX 2.1\n"
"  from-XA     what State XA sent\n"
"  group-NAME  what the States of group NAME sent while members\n"
"  sent        what this node sent, once logged\n"
"  NAME        an outbox (add): a bundle a tool POSTs there is checked,\n"
"              signed by this node and sent as one message to AUDIENCE (as\n"
"              `roster send --to` takes it) under TLP LABEL (CLEAR, GREEN,\n"
"              AMBER or AMBER+STRICT; RED is for named recipients, not\n"
"              tools); the status resource follows it to the hub's receipt,\n"
"              and the outbox then holds it as STIX.  --urgency (default\n"
"              routine), --subject and --field (the incident notification's,\n"
"              e.g. --field sector=energy) apply when the bundle does not say.\n"
"No collection holds TLP:RED.  remove deletes an outbox (its messages stay\n"
"in sent).  docs/taxii.md says how to connect MISP, OpenCTI and\n"
"taxii2-client.",
};

/* ---- norms, norm, terms, term (registry.c) ------------------------------- */

/* The options the four commands share. */
#define REG_COMMON_OPTS \
	{ "--lang", "L", 0, \
	  "The language to print texts in: ar, zh, en, fr, ru or es (default:\n" \
	  "the node's first language).  A text missing in L is printed in\n" \
	  "English, and says so; --json carries every language." }, \
	{ "--json", NULL, 0, \
	  "Print the view of docs/protocol.md section 11 (the same bytes on\n" \
	  "every node that verified the same records)." }, \
	{ "--at", "TIME", 0, \
	  "Compute the standing at another log time (YYYY-MM-DD,\n" \
	  "YYYY-MM-DDTHH:MMZ or ms; never before the last record)." }

static const struct opt_spec opts_norms[] = {
	{ "--status", "STATUS", 0,
	  "Only norms that are agreed, proposed or under-discussion." },
	{ "--source", "SYMBOL", 0,
	  "Only norms citing document SYMBOL (\"A/70/174\", \"A/76/135\")." },
	REG_COMMON_OPTS,
	{ NULL, NULL, 0, NULL }
};

static const struct opt_spec opts_reg_show[] = {
	REG_COMMON_OPTS,
	{ NULL, NULL, 0, NULL }
};

static const struct opt_spec opts_terms[] = {
	{ "--search", "TEXT", 0,
	  "Only terms with a form matching TEXT in any of the six languages,\n"
	  "best match first: capitals, accents, Arabic vowel marks and\n"
	  "traditional Chinese characters do not matter (docs/registries.md)." },
	REG_COMMON_OPTS,
	{ NULL, NULL, 0, NULL }
};

const struct cmd_doc doc_norms = {
	.prog = "roster", .name = "norms", .run = cmd_norms,
	.summary = "the norms of responsible State behaviour, with their sources",
	.synopsis = "[--status agreed|proposed|under-discussion] [--source SYMBOL] "
	    "[--lang L] [--json] [--at TIME]",
	.description =
"Syncs, then lists the norms as this node's own verified records make them\n"
"(docs/registries.md): the eleven of A/70/174 paragraph 13 shipped with\n"
"roster, agreed in that consensus document, first; then the norms States\n"
"proposed by record, each with its standing.  A norm is AGREED only in a\n"
"consensus document the data names or by a decision of a body (a proposal\n"
"under the silence procedure that adopts it), never because a record says\n"
"so; UNDER DISCUSSION while such a proposal is open.  Each line gives the\n"
"norm's id, its standing and its short title, marked [unofficial] where\n"
"the title is this project's paraphrase or translation, and its sources\n"
"(document symbol and paragraph).",
	.opts = opts_norms,
	.common = common_node,
	.examples = "  roster norms --status agreed --lang fr\n"
	    "  roster norms --source A/75/816 --json",
};

static const struct opt_spec opts_norm[] = {
	{ "--title", "LANG=TEXT", OPT_REPEAT,
	  "propose: the norm's short title in a language (repeatable; at least\n"
	  "in the original's, --lang)." },
	{ "--text-file", "FILE", 0,
	  "propose: the norm's text in the original's language (UTF-8, at most\n"
	  "16 KiB)." },
	{ "--translation", "LANG=FILE", OPT_REPEAT,
	  "propose: the text in another language, read from FILE (repeatable)." },
	{ "--source", "SOURCE", OPT_REPEAT,
	  "propose: a document and paragraph the norm comes from, written\n"
	  "\"SYMBOL para N\" (\"A/75/816 para 20\") or \"SYMBOL PP N\" for a\n"
	  "preambular paragraph (repeatable, at least one)." },
	REG_COMMON_OPTS,
	{ NULL, NULL, 0, NULL }
};

const struct cmd_doc doc_norm = {
	.prog = "roster", .name = "norm", .run = cmd_norm,
	.summary = "one norm: show it, propose one, co-sponsor one",
	.synopsis = "show ID [--lang L] [--json] [--at TIME]\n"
	    "propose --lang L --title LANG=TEXT... --text-file FILE [--translation LANG=FILE...] "
	    "--source SOURCE...\n"
	    "cosponsor ID",
	.description =
"show ID shows norm ID (an id as roster norms prints it, or at least 8 hex\n"
"digits of a proposed norm's record id): its title and text, its sources,\n"
"the consensus document it is agreed in or the State that proposed it and\n"
"its co-sponsors, every version (the earlier ones stay readable), the\n"
"decisions that would adopt it and what came of them, and its checklist.\n"
"\n"
"propose signs this State's proposal of a norm: its title and text (--lang\n"
"is the original's language, which the title must have too) and its\n"
"sources.  It is PROPOSED, listed after the agreed norms; it becomes\n"
"agreed only by a decision of a body.  cosponsor signs this State's\n"
"co-sponsorship of another State's proposed norm (not its own, not twice,\n"
"not once agreed).  Both are checked first with the rules the hub and every\n"
"node apply, so a refusal names the field here and nothing is signed.",
	.opts = opts_norm,
	.common = common_node,
	.examples = "  roster norm show a70-174-13f\n"
	    "  roster norm propose --lang en --title \"en=Notify large exercises\" \\\n"
	    "      --text-file norm.txt --source \"A/75/816 para 20\"\n"
	    "  roster norm cosponsor 3fa2c1d0",
};

const struct cmd_doc doc_terms = {
	.prog = "roster", .name = "terms", .run = cmd_terms,
	.summary = "the terms of consensus documents, in six languages",
	.synopsis = "[--search TEXT] [--lang L] [--json] [--at TIME]",
	.description =
"Syncs, then lists the terms used in consensus UN documents, shipped with\n"
"roster and added by States by record, each by its form in --lang.  With\n"
"--search, only the terms one of whose forms (or abbreviations) matches\n"
"TEXT in any language, best match first, with the form that matched: a\n"
"Russian reader finds a term by its Russian form, a Chinese reader by the\n"
"first characters of its Chinese form, an Arabic reader with or without\n"
"the vowel marks (docs/registries.md says how each script is compared).",
	.opts = opts_terms,
	.common = common_node,
	.examples = "  roster terms --search \"critical infra\"\n"
	    "  roster terms --search securite --lang fr",
};

const struct cmd_doc doc_term = {
	.prog = "roster", .name = "term", .run = cmd_term,
	.summary = "one term: its forms, sources and definitions",
	.synopsis = "show ID [--lang L] [--json] [--at TIME]",
	.description =
"Shows term ID: its form in each of the six languages (those that are our\n"
"translations marked unofficial), its abbreviations, the paragraphs of\n"
"consensus documents it appears in, and the definitions States proposed,\n"
"each with its standing (agreed only by a decision of a body).",
	.opts = opts_reg_show,
	.common = common_node,
	.examples = "  roster term show critical-information-infrastructure",
};

static const struct cmd_doc *const roster_cmds[] = {
	&doc_keygen, &doc_certify, &doc_init, &doc_enroll, &doc_revoke,
	&doc_send, &doc_reply, &doc_forward, &doc_consult, &doc_sync,
	&doc_inbox, &doc_show, &doc_ack, &doc_checks, &doc_status,
	&doc_directory, &doc_audit, &doc_alarms, &doc_checkpoint, &doc_proof,
	&doc_attachment, &doc_serve, &doc_templates, &doc_alerts, &doc_user,
	&doc_endorse, &doc_propose, &doc_object, &doc_support, &doc_withdraw,
	&doc_decisions, &doc_decision, &doc_meeting, &doc_process, &doc_paper,
	&doc_contribute,	/* help_legacy.c */
	&doc_stix, &doc_token, &doc_taxii,
	&doc_norms, &doc_norm, &doc_terms, &doc_term,
	NULL
};

const struct prog_doc roster_prog = {
	.main = &doc_roster,
	.cmds = roster_cmds,
	.exit_status = EXIT_NODE,
};
