/*
 * main.c - roster, the node and CLI: command dispatch and help.
 *
 * Every command is a function cmd_NAME(argc, argv) with argv[0] its name,
 * in the file of its family (cli.h lists them).
 * Options are "--name value" or "--name=value"; each command asks for the
 * ones it knows and opts_finish refuses whatever is left, so a mistyped
 * option is an error rather than silently ignored.  Exit status: 0 success,
 * 1 failure (including any verification failure), 2 usage error.
 */
#include "cli.h"
#include "fault.h"
#include "jsonutil.h"

#include <stdlib.h>
#include <string.h>
#include <sodium.h>

struct command {
	const char *name;
	int (*fn)(int, char **);
	const char *summary;
	const char *help;
};

#define COMMON_OPTS \
"Common options:\n" \
"  --dir NODEDIR            the node's data folder (default: $ROSTER_NODE_DIR)\n" \
"  --passphrase-file FILE   read the key passphrase from FILE's first line\n" \
"                           (default: $ROSTER_PASSPHRASE, else ask on the terminal)\n"

static const struct command commands[] = {
{ "keygen", cmd_keygen, "make a State's root key (administrator)",
"usage: roster keygen --state XA --out FILE [--passphrase-file FILE]\n\n"
"Makes the root key of State XA: the key that certifies and revokes the\n"
"State's point-of-contact devices.  FILE receives the secret key, sealed with\n"
"a passphrase (Argon2id + XChaCha20-Poly1305); FILE.pub the public key to give\n"
"to the hub's operator for admission.  Prints the key's fingerprint: compare\n"
"it with the one the operator admits, by phone or in person.\n\n"
"Keep FILE offline.  Anyone holding it and its passphrase can speak for the\n"
"State's devices.\n" },
{ "certify", cmd_certify, "certify a POC's device (administrator)",
"usage: roster certify --root ROOTKEY REQUEST [--out CERT] [--valid-days N]\n"
"                      [--passphrase-file FILE]\n\n"
"Signs a POC's certification request (the request.json that `roster init`\n"
"wrote) with the State's root key.  Shows who is asking, with which role and\n"
"device fingerprint, checks the request's proof of possession, and writes\n"
"CERT (default: REQUEST with .cert in place of .json).  Give CERT back to the\n"
"POC, who publishes it with `roster enroll`.\n\n"
"The certificate expires after --valid-days (default 730, at most 3650):\n"
"from then on the hub and every node refuse what the device signs, and the\n"
"POC needs a new certificate (a new `roster init` and certify).\n" },
{ "init", cmd_init, "create a node for a point of contact",
"usage: roster init --dir NODEDIR --hub URL --state XA --role ROLE\n"
"                   --name NAME --email ADDRESS [--lang en,fr]\n"
"                   [--operator-key HEX] [--hub-ca FILE] [--passphrase-file FILE]\n\n"
"Creates the node's data folder: a device key pair (signing and encryption,\n"
"sealed with the passphrase), the local store, and NODEDIR/request.json, the\n"
"certification request for the State's administrator.  ROLE is diplomatic,\n"
"technical or alternate.  The hub's operator key is fetched and pinned; pass\n"
"--operator-key to check it against a value obtained out of band (its\n"
"fingerprint is printed either way).  For an https hub with a self-signed\n"
"certificate, --hub-ca FILE names the certificate to trust; it is copied to\n"
"NODEDIR/hub-ca.pem.\n\n"
"An accredited organisation's node (docs/process.md) is made with --state ZZ\n"
"--role stakeholder; the hub's operator certifies it (rosterd stakeholder\n"
"certify), and it can only send written contributions to the Chair.\n" },
{ "enroll", cmd_enroll, "publish this node's certificate",
"usage: roster enroll [--dir NODEDIR] CERT\n\n"
"Publishes the certificate the administrator made with `roster certify`.\n"
"After the hub's receipt the POC is in the directory (`roster directory`).\n"
"The certifying root key becomes the State key this node trusts: `roster\n"
"audit` alarms on any key record about the State not made with it.\n" },
{ "revoke", cmd_revoke, "withdraw a device",
"usage: roster revoke [--dir NODEDIR] [--reason TEXT]\n"
"       roster revoke --root ROOTKEY --device HEX --hub URL [--hub-ca FILE]\n"
"                     [--reason TEXT]\n\n"
"The first form withdraws this node's own device, signed by the device.  The\n"
"second is the administrator's: withdraws any device of the State, signed by\n"
"the root key.  From the revocation's log index on, the hub and every node\n"
"refuse envelopes signed by that device.\n" },
{ "endorse", cmd_endorse, "endorse or disown a second root key of the State (administrator)",
"usage: roster endorse --root ROOTKEY (--key FILE.pub | FINGERPRINT)\n"
"                      (--accept | --reject) [--dir NODEDIR]\n\n"
"A root key the operator admits for a State that has one already is\n"
"unendorsed: every node warns about the State, and its devices are\n"
"unconfirmed (mail is not encrypted to them unless sent with --unconfirmed).\n"
"The State decides, with a root key of its own that is endorsed (the first\n"
"admitted, or one endorsed since): --accept endorses the key (a new key the\n"
"State made), --reject disowns it for good (the operator's): from then on its\n"
"devices are not current, and it certifies and revokes nothing more.  The key\n"
"is named by its public key file or by its fingerprint as `roster directory`\n"
"shows it.  The record goes to the hub of the node in NODEDIR.\n" },
{ "send", cmd_send, "send a message",
"usage: roster send --to AUDIENCE --subject TEXT (--body-file FILE | --body TEXT)\n"
"       roster send --to AUDIENCE --stix BUNDLE.json [--subject TEXT] [--field N=V]...\n"
"                   [--role ROLE[,ROLE]] [--urgency LEVEL] [--tlp LABEL]\n"
"                   [--lang CODE] [--no-forward] [--reply-to ID] [--dir NODEDIR]\n"
"                   [--attach FILE]... [--progress] [--unconfirmed]\n\n"
"Encrypts the message on this node to every current device of the audience,\n"
"signs it, and submits it.  Prints the message id and the log index from the\n"
"hub's signed receipt, which the hub gives only once the message is on disk.\n"
"If the hub cannot be reached the message waits in the outbox and goes with\n"
"the next `roster sync`.\n\n"
"  --to        comma-separated: State codes (XB), group:NAME (a group the\n"
"              operator recorded; `roster directory` lists them), or all\n"
"  --role      only POCs with these roles: diplomatic, technical, alternate\n"
"  --urgency   flash, urgent, priority or routine (default routine); sets the\n"
"              acknowledgement deadline from the hub's policy (by default\n"
"              1 h, 4 h, 24 h, 72 h).  A recipient State that has not\n"
"              acknowledged by then is escalated to its other POCs by\n"
"              `roster serve` (alternates first); see `roster status ID`.\n"
"  --tlp       CLEAR, GREEN, AMBER, AMBER+STRICT or RED (default AMBER);\n"
"              recipients' nodes enforce it when forwarding\n"
"  --no-forward  recipients may not forward it at all\n"
"  --unconfirmed  encrypt to unconfirmed devices too: those certified by a\n"
"              root key their State has not endorsed (`roster directory`\n"
"              warns about them); without it they are left out, and a State\n"
"              named that has no other device is refused\n"
"  --lang      language of the free text: ar, en, es, fr, ru, zh (default en)\n"
"  --reply-to  the message this one answers (any unique id prefix); the\n"
"              thread shows in `roster show`\n"
"  --attach    attach FILE (repeatable, at most 32): encrypted here with its\n"
"              own key, streamed to the hub before the message is signed;\n"
"              the hub's max_attachment bounds each file (default 50 MiB)\n"
"  --progress  draw the upload's progress bar on stderr even when it is not\n"
"              a terminal (on a terminal it is always drawn)\n"
"  --stix FILE the message is the STIX 2.1 bundle in FILE (a CERT tool's):\n"
"              checked (a bad one is refused naming the object and the\n"
"              property), its incident and indicators as an incident\n"
"              notification, anything else as a plain message; --subject\n"
"              when it names no incident or report, --field to replace its\n"
"              values, --tlp no looser than its markings (default: its\n"
"              strictest); what is not carried is listed (docs/taxii.md)\n\n"
"The hub sees who writes to whom, when, the urgency, the deadline and the\n"
"size (of the message and of each attachment); never the subject, body,\n"
"thread or TLP label, nor an attachment's name, type or content.\n"
"Attachments need the hub: with --attach, a hub that cannot be reached\n"
"fails the command instead of queueing the message.\n" },
{ "reply", cmd_reply, "answer a message in its thread",
"usage: roster reply ID (--body-file FILE | --body TEXT) [--all] [--subject TEXT]\n"
"                    [--urgency LEVEL] [--tlp LABEL] [--lang CODE] [--dir NODEDIR]\n"
"                    [--attach FILE]... [--progress]\n\n"
"Sends a reply to the State that sent message ID (for a message this node\n"
"sent, to the States it went to).  --all replies to every State the message\n"
"went to.  The subject defaults to \"Re: \" and the parent's subject, the TLP\n"
"to the parent's.  The reply names its parent inside the signed payload.\n"
"--attach and --progress work as for `roster send`.\n" },
{ "forward", cmd_forward, "pass a received message on, as its TLP allows",
"usage: roster forward ID --to AUDIENCE [--role ROLE] [--note TEXT] [--lang CODE]\n"
"                      [--dir NODEDIR]\n\n"
"Forwards received message ID to an audience (as in `roster send --to`).  The\n"
"forward carries the original signed envelope, its log index and its content\n"
"key, so each recipient's node checks the original's signature, its place in\n"
"the log and its text, and shows who wrote it.  The TLP 2.0 label of the\n"
"original decides where it may go, and this node refuses anything else:\n"
"  RED           never forwarded\n"
"  AMBER+STRICT  only to POCs of this node's own State\n"
"  AMBER         to this State and to States the original already went to\n"
"  GREEN, CLEAR  to any State on the hub\n"
"and nothing at all when the sender forbade forwarding (send --no-forward).\n"
"Receiving nodes check the same rules and flag a forward that broke them.\n" },
{ "consult", cmd_consult, "request consultations and record the outcome",
"usage: roster consult request --to XB --subject TEXT --body TEXT [--urgency LEVEL]\n"
"                              [--tlp LABEL] [--lang CODE]\n"
"       roster consult accept|decline REQUEST_ID [--body TEXT]\n"
"       roster consult propose REQUEST_ID --body TEXT\n"
"       roster consult outcome REQUEST_ID --body TEXT\n"
"       roster consult agree OUTCOME_ID [--note TEXT]\n"
"       roster consult list [--json]\n"
"       roster consult show REQUEST_ID [--json]\n\n"
"A request for consultations on an activity of concern, and its answers, as\n"
"one thread.  The requested State accepts, declines or proposes something\n"
"else; either side then writes the outcome; the other side agrees to it with\n"
"a signed \"agreed\" acknowledgement naming the outcome's id.  The outcome\n"
"(signed by its writer) and the agreement (signed by the other side) are both\n"
"in the log: `consult show` prints them with their log indexes.\n" },
{ "paper", cmd_paper, "papers for a body's meetings, in languages",
"usage: roster paper circulate --body NAME --title CODE=TEXT... --file CODE=FILE...\n"
"                              [--meeting ID] [--audience public|members]\n"
"       roster paper add-language PAPER --file CODE=FILE... [--title CODE=TEXT...]\n"
"       roster paper list [--body NAME] [--json] [--at TIME]\n"
"       roster paper show PAPER [--json] [--at TIME]\n"
"       roster paper report [--body NAME] [--json | --csv] [--at TIME]\n"
"       roster paper distribute CONTRIBUTION [--meeting ID] [--audience members|public]\n\n"
"circulate signs a paper of body NAME with its first language versions:\n"
"each FILE (at most 64 MiB) is encrypted and uploaded as an attachment whose\n"
"digest the record signs; with --audience members (default public) the keys\n"
"are sealed to the members' current devices.  add-language adds more\n"
"versions later, each at its own log time; a language is never added twice.\n"
"The Chair, a member or the secretariat circulates; the rules are checked\n"
"before anything is uploaded.\n\n"
"list and show give, for each paper for a meeting and each language, the\n"
"lead time measured from the log time (never the signer's clock) to the\n"
"meeting's start against the body's rule: \"fr: circulated 9 days before\n"
"the meeting (rule: 42 days): LATE\", \"ru: missing\".  report gives per body\n"
"and per circulating party the share of papers on time, in all required\n"
"languages and all on time, and the median lead time per language, from\n"
"the records this node verified (anyone recomputes the same figures).\n\n"
"distribute (the Chair) circulates an organisation's contribution as a\n"
"paper of its body: the same files, whose digests the organisation signed,\n"
"so anyone can check the members got exactly what it sent; their keys are\n"
"sealed to the members (default) or public.\n" },
{ "contribute", cmd_contribute, "an accredited organisation's contribution to the Chair",
"usage: roster contribute --title CODE=TEXT... --file CODE=FILE... [--body NAME]\n\n"
"On the node of an accredited organisation (made with roster init --state ZZ\n"
"--role stakeholder and certified by the operator): signs a written\n"
"contribution to the body it was accredited to, each language version an\n"
"attachment whose keys are sealed to the Chair's devices only.  The Chair\n"
"distributes it to the members with roster paper distribute.  Such a node\n"
"signs nothing else and receives nothing addressed to States.\n" },
{ "propose", cmd_propose, "put a proposal under the silence procedure",
"usage: roster propose --body NAME --text-file FILE --lang CODE\n"
"                      [--translation CODE=FILE]... [--silence DURATION]\n"
"                      [--meeting ID] [--paper ID]\n\n"
"Signs a public proposal to body NAME (docs/process.md): its text in\n"
"language CODE (UTF-8, at most 65,536 bytes) and any translations.  It is\n"
"adopted at its deadline (log time of the proposal + the silence) unless a\n"
"member objects before; the silence is the body's (default 72h) unless\n"
"--silence gives a longer one, or any of at least 60s for a proposal made\n"
"during the meeting it names (--meeting).  Only the body's Chair (or a\n"
"proposer its rules name) proposes: anyone else is told so and nothing is\n"
"signed.  Prints the proposal's id.\n" },
{ "object", cmd_object, "object to a proposal or application (break silence)",
"usage: roster object ID [--reason-file FILE]\n\n"
"Signs this State's objection to proposal or application ID (its id or\n"
"8 or more of its first hex digits).  One objection by a member before\n"
"the deadline breaks silence: the matter is not adopted.  No State need\n"
"say why; --reason-file gives a reason, sealed to the members (or to the\n"
"Chair only, where the body's rules say so).  The objection counts when\n"
"its log time is before the deadline: the receipt printed is the proof.\n"
"A State objects once.\n" },
{ "support", cmd_support, "support a proposal or application",
"usage: roster support ID\n\n"
"Signs this State's support of ID.  Support is recorded and shown; it\n"
"does not change the outcome, which only objections decide.  A State may\n"
"object after supporting, not support after objecting.\n" },
{ "withdraw", cmd_withdraw, "withdraw a proposal (its proposer or the Chair)",
"usage: roster withdraw ID\n\n"
"Signs the withdrawal of proposal ID (by its proposer or the Chair) or of\n"
"an application (by the Chair), before its deadline.  It then takes no\n"
"more positions and is shown as withdrawn.\n" },
{ "decisions", cmd_decisions, "proposals and applications, and their outcomes",
"usage: roster decisions [--body NAME] [--open] [--json] [--at TIME]\n\n"
"Syncs, then lists every proposal and stakeholder application with its\n"
"outcome computed by this node from its own verified records (the same\n"
"code as the hub's): OPEN with the time left, ADOPTED, NOT ADOPTED (silence\n"
"broken), ACCREDITED, NOT ACCREDITED, WITHDRAWN, with the number of\n"
"objections and supports.  Outcomes are as of the log time of the last\n"
"checkpoint this node verified complete, so an outcome shown is one no\n"
"missing record can change; --at computes them at another log time\n"
"(YYYY-MM-DD, YYYY-MM-DDTHH:MMZ or ms).  --json prints the view of\n"
"docs/protocol.md section 10.\n" },
{ "decision", cmd_decision, "one decision, with its proof",
"usage: roster decision show ID [--json] [--at TIME]\n\n"
"Shows a proposal or application: its text, its deadline, the objecting\n"
"States (or their number only, where the body's rules show them to the\n"
"Chair only and this State is not the Chair), the supporting States, and\n"
"the log indexes of the records that prove the outcome (the matter, each\n"
"position, a withdrawal).\n" },
{ "meeting", cmd_meeting, "record a meeting of a body (the Chair)",
"usage: roster meeting add --body NAME --start DATE --end DATE\n"
"                          --title CODE=TEXT... [--place TEXT]\n\n"
"Signs a meeting of body NAME (the body's Chair's devices, or the operator\n"
"with rosterd meeting).  DATE is YYYY-MM-DD (midnight UTC),\n"
"YYYY-MM-DDTHH:MMZ, YYYY-MM-DDTHH:MM+HH:MM or ms; the end after the start,\n"
"within 31 days.  Papers for it are judged against its start.\n" },
{ "process", cmd_process, "the whole process view, as JSON",
"usage: roster process [--json] [--at TIME]\n\n"
"Syncs, then prints the whole view (bodies, meetings, papers, decisions,\n"
"contributions, the paper report; docs/protocol.md section 10) computed\n"
"from this node's verified records.  For the same --at and viewer it is\n"
"byte for byte what `rosterd process HUBDIR --json` prints on the hub and\n"
"what every other node prints.\n" },
{ "sync", cmd_sync, "one pass with the hub",
"usage: roster sync [--dir NODEDIR]\n\n"
"Sends what waits in the outbox, fetches every public record (directory,\n"
"groups, checks, cosignatures) and this device's mail, and verifies\n"
"everything: the checkpoint's signature and consistency with every earlier\n"
"checkpoint, that the public records are all there (the checkpoint's public\n"
"root), each record's inclusion proof, each envelope's signature and its\n"
"signer's certificate.  New messages are decrypted and a signed \"delivered\"\n"
"acknowledgement goes back.  A record the hub left out or served damaged is\n"
"an alarm, asked for again on every pass until it is served intact; a\n"
"message whose content is wrong is refused.  The exit status is 1 while any\n"
"alarm is unresolved or when a record was refused.\n" },
{ "inbox", cmd_inbox, "list received messages",
"usage: roster inbox [--dir NODEDIR] [--json]\n\n"
"Lists received messages, newest first: id, log time, sender State, urgency,\n"
"subject, and whether this node acknowledged it.  Reads the local store\n"
"only; run `roster sync` (or keep `roster serve` running) to fetch.\n" },
{ "show", cmd_show, "show one message and how it was verified",
"usage: roster show [--dir NODEDIR] [--json] ID\n\n"
"Shows a message (ID may be any unique prefix of 8 or more hex digits) with\n"
"its verification: who signed it, which State key certified the signer, its\n"
"log index, and the checkpoint its inclusion proof was checked against.\n"
"For a message this node sent, shows each recipient's acknowledgements.\n" },
{ "ack", cmd_ack, "acknowledge a message",
"usage: roster ack [--dir NODEDIR] [--note TEXT] ID\n\n"
"Signs an \"acknowledged\" acknowledgement of message ID, encrypted to the\n"
"sender's device, and submits it.  The sender sees it in `roster status`.\n"
"If ID is a communication check, signs this POC's answer to it instead\n"
"(as `roster checks answer ID`).\n" },
{ "checks", cmd_checks, "communication checks: start, answer, report",
"usage: roster checks [list] [--json] [--all]\n"
"       roster checks start --to AUDIENCE --deadline DURATION [--role ROLES]\n"
"                           [--text TEXT [--lang CODE]]\n"
"       roster checks answer ID\n"
"       roster checks report [ID] [--json | --csv] [--since DATE] [--verify]\n"
"                            [--offline]\n\n"
"A communication check (\"ping test\") asks POCs to show they are reachable:\n"
"each answers with one action, a signed answer in the log.  Checks and\n"
"answers are public records: every node fetches and verifies them at each\n"
"sync (signature, directory rules, inclusion proof).\n\n"
"list (the default) syncs, then shows the checks this node started or was\n"
"asked: who started it, when, the deadline, how many answered, and this\n"
"POC's status (OPEN: answer it, answered, answered late, MISSED); --all\n"
"lists every check in the log.\n\n"
"start signs a check from this device to AUDIENCE (State codes, group:NAME\n"
"or all, comma-separated; this device is never asked) narrowed to ROLES\n"
"(diplomatic, technical, alternate).  DURATION is 90s, 30m, 24h, 7d...\n"
"(1s to 366d after the check is logged).  The text is the standard one in\n"
"the six UN languages unless --text gives another (--lang its language).\n\n"
"answer signs this POC's answer to check ID (any unique prefix of 8 or more\n"
"hex digits).  One answer counts; a second is not sent.  An answer logged\n"
"after the deadline is reported as late.  `roster ack ID` does the same.\n\n"
"report syncs, then computes from the verified records, per check and over\n"
"all of them: per State, role and group, POCs asked, answered in time, late,\n"
"response rate, median and 95th-percentile response time (nearest rank),\n"
"and the same per State (a State answered when any of its POCs did).  ID\n"
"restricts it to one check; --since to checks logged since DATE\n"
"(YYYY-MM-DD, UTC, or a log time in ms).\n"
"--verify also fetches the hub's own figures for the same log size and\n"
"fails (exit 1) unless they are identical.  --offline uses the records\n"
"already verified, without contacting the hub.  docs/checks.md defines every\n"
"figure.\n" },
{ "status", cmd_status, "delivery and acknowledgement of a sent message",
"usage: roster status [--dir NODEDIR] [--json] [ID]\n\n"
"For a message this node sent: each recipient device, with the log times at\n"
"which its node signed \"delivered\" and its POC \"acknowledged\".  A missing\n"
"acknowledgement shows as \"-\".  Run `roster sync` first for fresh data.\n"
"Without ID: the reminder naming this State's POCs not confirmed (by an\n"
"answer to a communication check, or a new certificate) for\n"
"stale_after_days (config.json, default 365).\n" },
{ "directory", cmd_directory, "list States and their points of contact",
"usage: roster directory [--dir NODEDIR] [--state XA] [--json]\n\n"
"Fetches and verifies the directory from the hub, then lists each State's\n"
"admitted root keys and its POC devices: role, name, e-mail, languages,\n"
"fingerprint, and whether the device is current or revoked; when each POC\n"
"last answered a communication check, and STALE for a current POC neither\n"
"certified nor confirmed within stale_after_days (config.json, default 365).\n" },
{ "audit", cmd_audit, "check the hub's honesty",
"usage: roster audit [--dir NODEDIR] [--no-cosign] [--witness FILE]\n\n"
"Checks, and reports line by line:\n"
"  - the latest checkpoint's signature by the operator key;\n"
"  - consistency between every two successive checkpoints this node has seen;\n"
"  - inclusion of every envelope this node sent and received;\n"
"  - that every key record about this node's State (root key admissions,\n"
"    device certificates, revocations) was made with the State's own key;\n"
"  - every other node's cosignature against this node's view (a split view\n"
"    shows as two checkpoints that cannot both be true);\n"
"  - with --witness FILE, a checkpoint another State's node verified (its\n"
"    `roster checkpoint`, passed out of band), so a split view is caught\n"
"    even if the hub withholds cosignatures;\n"
"then cosigns the checkpoint it verified (unless --no-cosign).\n"
"Exit status 1, with each failure named, if anything does not hold;\n"
"`roster alarms --evidence` shows the signed evidence of each alarm.\n" },
{ "alarms", cmd_alarms, "list the evidence of a misbehaving hub",
"usage: roster alarms [--dir NODEDIR] [--evidence] [--json]\n\n"
"Lists the alarms this node has raised, oldest first: when, what kind\n"
"(split-view, history-rewritten, checkpoint-downgrade, foreign-key-record,\n"
"public-omitted, public-root, bad-record, log-time, bad-receipt) and what\n"
"was seen.  --evidence adds the signed statements that prove it (checkpoints,\n"
"records as served), which anyone can check.  An alarm about one record the\n"
"hub left out or served damaged is resolved when the hub serves it intact,\n"
"and shown as such; no alarm is ever deleted: they are evidence.  Exit\n"
"status 1 while any alarm is unresolved.\n" },
{ "checkpoint", cmd_checkpoint, "print the newest checkpoint this node verified",
"usage: roster checkpoint [--dir NODEDIR]\n\n"
"Prints, as JSON, the newest checkpoint of the hub's log that this node has\n"
"verified, with the operator's signature.  Send it to other States out of\n"
"band: their `roster audit --witness FILE` checks that the hub showed them\n"
"the same history.\n" },
{ "proof", cmd_proof, "check a Merkle proof given as JSON",
"usage: roster proof check FILE.json\n\n"
"Checks one RFC 9162 inclusion proof (fields leafIdx, treeSize, root,\n"
"leafHash, proof) or consistency proof (size1, size2, root1, root2, proof),\n"
"byte strings in base64, so a third party can check the hub's proofs\n"
"without a node.  Exit status 0 when the proof holds, 1 when it does not,\n"
"2 when the file cannot be read or is not such a proof.\n" },
{ "attachment", cmd_attachment, "save a received message's attachment",
"usage: roster attachment [--dir NODEDIR] [--out PATH] [--progress] ID [N]\n"
"       roster attachment [--dir NODEDIR] --list ID\n\n"
"Downloads attachment N (from 1; may be left out when there is only one) of\n"
"received message ID from the hub, streaming, and decrypts it into PATH\n"
"(default: the sender's file name, in the current folder).  Each 64 KiB\n"
"chunk is authenticated before it is written, and the whole ciphertext must\n"
"match the SHA-256 the sender signed in the message header; the file is\n"
"written under a temporary name and appears at PATH only when all of that\n"
"holds.  A tampered, truncated or substituted attachment is refused with\n"
"the reason and leaves no file.  PATH must not exist yet.\n\n"
"  --list      list the message's attachments: number, name, size, type\n"
"  --out PATH  where to save the file\n"
"  --progress  draw the progress bar on stderr even when it is not a\n"
"              terminal (on a terminal it is always drawn)\n" },
{ "serve", cmd_serve, "keep syncing; serve the web interface and local API",
"usage: roster serve [--dir NODEDIR] [--listen ADDR:PORT] [--interval SECONDS]\n"
"                    [--metrics-listen ADDR:PORT] [--log-format plain|json]\n"
"                    [--tls-cert CERT.pem --tls-key KEY.pem]\n\n"
"Runs the node: syncs with the hub every --interval seconds (default 2) and\n"
"serves the web interface and the local API (docs/node-api.md) on --listen\n"
"(default 127.0.0.1:8080; port 0 picks a free one, written to\n"
"NODEDIR/serve.url).  Open that address in a browser.\n\n"
"On loopback with no account, whoever reaches the address uses the node\n"
"(like the command line).  Once an account exists (`roster user add`),\n"
"everyone signs in.  An address beyond loopback is refused unless an\n"
"account exists.\n\n"
"Beside the periodic sync, one request to the hub waits for new mail\n"
"(long polling), so a message arrives within a second; when the hub\n"
"restarts, the node reconnects by itself.  The loop also sends the overdue\n"
"notices of this node's messages when a deadline passes (`roster send\n"
"--help`), and e-mail alerts, when set up (`roster alerts --help`).\n\n"
"The same address serves TAXII 2.1 at /taxii2/ to the State's CERT tools\n"
"(MISP, OpenCTI, taxii2-client): what this State received and sent, as\n"
"STIX 2.1, and outboxes a tool sends through (`roster token --help`,\n"
"`roster taxii --help`, docs/taxii.md).  With --tls-cert and --tls-key\n"
"(PEM files) it serves HTTPS; beyond loopback TAXII answers only over\n"
"HTTPS.\n"
"Stop it with Ctrl-C or SIGTERM.\n\n"
"--metrics-listen ADDR:PORT serves GET /metrics (Prometheus text: when the\n"
"node last synced, records, envelopes waiting for a receipt, messages not\n"
"acknowledged, records refused, alarms, e-mail alerts queued and failed) on\n"
"that separate address, its URL in NODEDIR/metrics.url.  --log-format json\n"
"writes one JSON object per event (and per other line on stderr); never a\n"
"message's content.\n" },
{ "stix", cmd_stix, "print a message as a STIX 2.1 bundle",
"usage: roster stix [--dir NODEDIR] ID\n"
"       roster stix check FILE\n\n"
"Prints received or sent message ID (any unique prefix of 8 or more hex\n"
"digits) as a STIX 2.1 bundle: a report, an incident with its indicators,\n"
"observed data and notes for an incident notification, the sending State\n"
"as an identity, the message's TLP 2.0 marking, and on every object roster\n"
"provenance (message id, log index, signer key and fingerprint), so that\n"
"anyone holding the envelope can check the signature.  The same bundle for\n"
"the same message on every node.  Whatever its TLP label: the TAXII\n"
"collections never hold TLP:RED, this command is the recipient's own.\n"
"docs/taxii.md has the mapping.\n\n"
"check FILE says whether the bundle in FILE is valid STIX 2.1 (or names the\n"
"object and property that is not) and what `roster send --stix FILE` would\n"
"send of it: the template, subject, TLP, fields, and what it would not\n"
"carry.  Nothing is sent.  Exit status 1 when it is not valid or a message\n"
"cannot carry it (`roster send --stix` would refuse it).\n" },
{ "token", cmd_token, "API tokens for the TAXII server's tools",
"usage: roster token add NAME --collections LIST|all [--write]\n"
"       roster token list [--json]\n"
"       roster token revoke NAME\n\n"
"A token lets a tool (MISP, OpenCTI, a script on taxii2-client) use the TAXII\n"
"server of `roster serve`.  add prints the token once, on stdout (the node\n"
"keeps only its SHA-256); the tool sends it as HTTP Basic (user NAME,\n"
"password the token) or as \"Authorization: Bearer TOKEN\".  Making one asks\n"
"for the device key's passphrase.\n\n"
"  --collections  the collections it may use, by alias, separated by commas:\n"
"                 received, sent, from-XA, group-NAME, an outbox's name; or\n"
"                 all.  An alias may be named before the collection exists.\n"
"  --write        it may POST to the outboxes among them: the node then signs\n"
"                 and sends a message for the tool\n\n"
"revoke holds from the tool's next request.  The web interface's accounts\n"
"(`roster user add`) may also sign in with HTTP Basic; they read every\n"
"collection and write none.\n" },
{ "taxii", cmd_taxii, "the TAXII collections and outboxes",
"usage: roster taxii collection list [--json]\n"
"       roster taxii collection add --name NAME --to AUDIENCE --tlp LABEL --write\n"
"                                   [--role ROLES] [--urgency LEVEL]\n"
"                                   [--subject TEXT] [--field NAME=VALUE]...\n"
"                                   [--title TEXT] [--description TEXT]\n"
"       roster taxii collection remove NAME\n\n"
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
"taxii2-client.\n" },
{ "templates", cmd_templates, "list and show the message templates",
"usage: roster templates [--lang L] [--json] [--refresh] [--dir NODEDIR]\n"
"       roster templates show ID [--lang L] [--json] [--dir NODEDIR]\n"
"       roster templates fill ID --field NAME=VALUE... [--text-lang L]\n"
"                                [--lang L] [--json] [--dir NODEDIR]\n"
"       roster templates check FILE...\n\n"
"Message templates are forms with typed fields (text, a choice from a\n"
"taxonomy, date and time, States, technical indicators, attachments) whose\n"
"labels exist in the six UN languages: a recipient reads every label in its\n"
"own language, whatever the sender's.  See docs/templates.md.\n\n"
"The first form lists the templates: id, version and title.  With a node\n"
"folder the list is the node's full catalogue: the shipped templates, the\n"
"State's own in NODEDIR/catalogue/, and the hub operator's (marked \"hub\");\n"
"without one, the shipped templates only.\n\n"
"  --lang L    ar, zh, en, fr, ru or es (default: the node's first language,\n"
"              else en)\n"
"  --json      the whole catalogue (templates, taxonomies, problems) as JSON\n"
"  --refresh   first fetch the hub operator's catalogue (GET /v1/catalogue)\n"
"              into NODEDIR/catalogue-hub.json; its entries are checked like\n"
"              any other and a refused one is reported, not fatal\n\n"
"`show ID` shows one template: its digest (SHA-256 of its canonical JSON,\n"
"which a message carries to name the exact version), and each field with\n"
"its type, whether it is required, its label, its help and its choices.\n\n"
"`fill ID --field NAME=VALUE...` fills a template as `roster send --template`\n"
"will, without sending: it prints the message as a reader of --lang sees it,\n"
"or with --json what the message carries (template, version, digest and the\n"
"canonical field values).  A list field takes a repeated --field or values\n"
"separated by commas (\\, for a comma inside a value); free text is tagged\n"
"--text-lang (default: --lang).  A bad value is refused, naming the field,\n"
"with exit status 1.\n\n"
"`check FILE...` checks template and taxonomy files (named ID.json; a\n"
"taxonomy's path contains taxonomies/) against the shipped catalogue with\n"
"the checks every node applies, and names each problem.  Exit status 1 if\n"
"any file is refused.\n\n"
"An entry replaces a loaded one of the same id only if its version is\n"
"higher.\n" },
{ "alerts", cmd_alerts, "e-mail alerts for urgent mail (set, test, list)",
"usage: roster alerts [list] [--dir NODEDIR]\n"
"       roster alerts set --email ADDRESS --smtp URL [--from ADDRESS]\n"
"                         [--user NAME --password-file FILE] [--smtp-ca FILE]\n"
"                         [--node-url URL]\n"
"       roster alerts test | off\n\n"
"While `roster serve` runs, the node e-mails the POC when a flash or urgent\n"
"message arrives, and when an acknowledgement of a message the POC sent is\n"
"overdue.  The alert carries nothing of the message: no subject, body,\n"
"sender or marking; only that a message of urgency X awaits, the node's\n"
"address and a 16-digit message id.  It is written in the first of the\n"
"POC's languages (ar, en, es, fr, ru, zh; English for others).\n\n"
"Alerts are queued in the node's store with the message that caused them,\n"
"and retried with a growing delay (2 s up to 5 min) while the mail server is\n"
"unreachable; after 48 hours they are marked failed.\n\n"
"  list        the settings and the alerts, newest first, with their state\n"
"  set         where alerts go:\n"
"    --email ADDRESS     the POC's own address\n"
"    --smtp URL          the mail server: smtp://HOST:PORT (STARTTLS when the\n"
"                        server offers it) or smtps://HOST:PORT\n"
"    --from ADDRESS      the sender (default roster-alerts@ the POC's domain)\n"
"    --user NAME, --password-file FILE\n"
"                        log in to the server (the password is the file's\n"
"                        first line); TLS is then required\n"
"    --smtp-ca FILE      trust the certificates in this PEM file for the\n"
"                        server's TLS (default: the system's)\n"
"    --node-url URL      the address named in alerts (default: the local\n"
"                        API address of `roster serve`)\n"
"  test        sends a test alert now and reports the server's answer\n"
"  off         stops new alerts (already queued ones are still sent)\n" },
{ "user", cmd_user, "manage the web interface's accounts",
"usage: roster user add NAME [--admin] [--lang CODE] [--email ADDRESS]\n"
"                            [--password-file FILE]\n"
"       roster user passwd NAME [--password-file FILE]\n"
"       roster user list\n\n"
"Accounts sign in to the web interface that `roster serve` offers.  Each\n"
"account keeps an Argon2id hash of its password and its own copy of this\n"
"node's device key, sealed under a key derived from the password; signing\n"
"in unseals that copy for the session, and whatever the user signs in the\n"
"browser (messages, acknowledgements, forwards) is signed with it.  So add\n"
"and passwd need the device key's passphrase as well as the new password.\n\n"
"  NAME             1 to 32 of a-z, 0-9, '.', '_', '-'\n"
"  --admin          may see and manage the State's devices in Settings\n"
"  --lang CODE      the interface language: ar, en, es, fr, ru, zh (default en)\n"
"  --email ADDRESS  where alerts go\n"
"  --password-file FILE  the account's password (first line); else\n"
"                   $ROSTER_PASSWORD, else asked twice on the terminal.\n"
"                   At least 8 characters.\n\n"
"A running `roster serve` sees new accounts at once; a changed password\n"
"applies to the next sign-in.\n" },
{ NULL, NULL, NULL, NULL }
};

static void
general_help(FILE *f)
{
	fprintf(f,
"roster - a State's node for the roster of ICT-security points of contact\n\n"
"usage: roster COMMAND [options]      roster COMMAND --help\n\n"
"Commands:\n");
	for (const struct command *c = commands; c->name; c++)
		fprintf(f, "  %-11s %s\n", c->name, c->summary);
	fprintf(f, "\n" COMMON_OPTS
"\nThe journey: an administrator makes the State's root key (keygen) and has\n"
"the hub's operator admit it; each POC creates a node (init), has the\n"
"request certified (certify) and publishes the certificate (enroll); then\n"
"send, sync, inbox, show, ack, status and audit.  See README.md.\n");
}

static void
print_help(const char *cmd)
{
	for (const struct command *c = commands; c->name; c++)
		if (strcmp(c->name, cmd) == 0) {
			fputs(c->help, stdout);
			fputs("\n" COMMON_OPTS, stdout);
			return;
		}
	general_help(stdout);
}

static int
wants_help(int argc, char **argv)
{
	for (int i = 1; i < argc; i++)
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
			return 1;
	return 0;
}

int
main(int argc, char **argv)
{
	if (sodium_init() < 0) {
		fprintf(stderr, "roster: cannot initialise libsodium\n");
		return 1;
	}
	jalloc_init();
	fault_init();
	if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		if (argc >= 3 && strcmp(argv[1], "help") == 0) {
			print_help(argv[2]);
			return 0;
		}
		general_help(argc < 2 ? stderr : stdout);
		return argc < 2 ? EXIT_USAGE : 0;
	}
	if (strcmp(argv[1], "--version") == 0) {
		printf("roster 0.1 (protocol 1)\n");
		return 0;
	}
	for (const struct command *c = commands; c->name; c++)
		if (strcmp(c->name, argv[1]) == 0) {
			if (wants_help(argc - 1, argv + 1)) {
				print_help(c->name);
				return 0;
			}
			return c->fn(argc - 1, argv + 1);
		}
	fprintf(stderr, "roster: unknown command \"%s\" (see `roster --help`)\n", argv[1]);
	return EXIT_USAGE;
}
