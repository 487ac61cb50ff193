/*
 * help_legacy.c - the pages of the commands that still parse with the old
 * lazy parser (legacy_opts.c): the process's propose, object,
 * support, withdraw, decisions, decision, meeting, process, paper and
 * contribute.  They came to main while the other
 * commands moved to option tables; their text is the usage text they had,
 * so --help and the manual pages still come from one source (lib/opts),
 * but without a table their options are not checked by name ("did you
 * mean") nor listed under OPTIONS.  Porting one means an option table in
 * help.c, cli_parse in its file, and deleting its entry here.
 */
#include "cli.h"

const struct cmd_doc doc_paper = {
	.prog = "roster", .name = "paper", .run = cmd_paper,
	.summary = "papers for a body's meetings, in languages",
	.synopsis = "circulate --body NAME --title CODE=TEXT... --file CODE=FILE... [--meeting ID] [--audience public|members]\n"
"add-language PAPER --file CODE=FILE... [--title CODE=TEXT...]\n"
"list [--body NAME] [--json] [--at TIME]\n"
"show PAPER [--json] [--at TIME]\n"
"report [--body NAME] [--json | --csv] [--at TIME]\n"
"distribute CONTRIBUTION [--meeting ID] [--audience members|public]",
	.description =
"circulate signs a paper of body NAME with its first language versions:\n"
"each FILE (at most 64 MiB) is encrypted and uploaded as an attachment whose\n"
"digest the record signs; with --audience members (default public) the keys\n"
"are sealed to the members' current devices.  add-language adds more\n"
"versions later, each at its own log time; a language is never added twice.\n"
"The Chair, a member or the secretariat circulates; the rules are checked\n"
"before anything is uploaded.\n"
"\n"
"list and show give, for each paper for a meeting and each language, the\n"
"lead time measured from the log time (never the signer's clock) to the\n"
"meeting's start against the body's rule: \"fr: circulated 9 days before\n"
"the meeting (rule: 42 days): LATE\", \"ru: missing\".  report gives per body\n"
"and per circulating party the share of papers on time, in all required\n"
"languages and all on time, and the median lead time per language, from\n"
"the records this node verified (anyone recomputes the same figures).\n"
"\n"
"distribute (the Chair) circulates an organisation's contribution as a\n"
"paper of its body: the same files, whose digests the organisation signed,\n"
"so anyone can check the members got exactly what it sent; their keys are\n"
"sealed to the members (default) or public.",
};

const struct cmd_doc doc_contribute = {
	.prog = "roster", .name = "contribute", .run = cmd_contribute,
	.summary = "an accredited organisation's contribution to the Chair",
	.synopsis = "--title CODE=TEXT... --file CODE=FILE... [--body NAME]",
	.description =
"On the node of an accredited organisation (made with roster init --state ZZ\n"
"--role stakeholder and certified by the operator): signs a written\n"
"contribution to the body it was accredited to, each language version an\n"
"attachment whose keys are sealed to the Chair's devices only.  The Chair\n"
"distributes it to the members with roster paper distribute.  Such a node\n"
"signs nothing else and receives nothing addressed to States.",
};

const struct cmd_doc doc_propose = {
	.prog = "roster", .name = "propose", .run = cmd_propose,
	.summary = "put a proposal under the silence procedure",
	.synopsis = "--body NAME --text-file FILE --lang CODE [--translation CODE=FILE]... [--silence DURATION] [--meeting ID] [--paper ID] [--adopts ITEM:ID[:VERSION]]",
	.description =
"Signs a public proposal to body NAME (docs/process.md): its text in\n"
"language CODE (UTF-8, at most 65,536 bytes) and any translations.  It is\n"
"adopted at its deadline (log time of the proposal + the silence) unless a\n"
"member objects before; the silence is the body's (default 72h) unless\n"
"--silence gives a longer one, or any of at least 60s for a proposal made\n"
"during the meeting it names (--meeting).  Only the body's Chair (or a\n"
"proposer its rules name) proposes: anyone else is told so and nothing is\n"
"signed.  Prints the proposal's id.\n"
"\n"
"--adopts names what the body agrees if the proposal is adopted\n"
"(docs/registries.md): norm:ID[:VERSION] (default: its current version),\n"
"checklist:NORM:VERSION (0: the shipped model) or definition:ID.  Until the\n"
"deadline the item is under discussion; adopted, it is agreed from the\n"
"deadline on, by this decision.  An item that does not exist, a version it\n"
"does not have, or one agreed already is refused before signing.",
};

const struct cmd_doc doc_object = {
	.prog = "roster", .name = "object", .run = cmd_object,
	.summary = "object to a proposal or application (break silence)",
	.synopsis = "ID [--reason-file FILE]",
	.description =
"Signs this State's objection to proposal or application ID (its id or\n"
"8 or more of its first hex digits).  One objection by a member before\n"
"the deadline breaks silence: the matter is not adopted.  No State need\n"
"say why; --reason-file gives a reason, sealed to the members (or to the\n"
"Chair only, where the body's rules say so).  The objection counts when\n"
"its log time is before the deadline: the receipt printed is the proof.\n"
"A State objects once.",
};

const struct cmd_doc doc_support = {
	.prog = "roster", .name = "support", .run = cmd_support,
	.summary = "support a proposal or application",
	.synopsis = "ID",
	.description =
"Signs this State's support of ID.  Support is recorded and shown; it\n"
"does not change the outcome, which only objections decide.  A State may\n"
"object after supporting, not support after objecting.",
};

const struct cmd_doc doc_withdraw = {
	.prog = "roster", .name = "withdraw", .run = cmd_withdraw,
	.summary = "withdraw a proposal (its proposer or the Chair)",
	.synopsis = "ID",
	.description =
"Signs the withdrawal of proposal ID (by its proposer or the Chair) or of\n"
"an application (by the Chair), before its deadline.  It then takes no\n"
"more positions and is shown as withdrawn.",
};

const struct cmd_doc doc_decisions = {
	.prog = "roster", .name = "decisions", .run = cmd_decisions,
	.summary = "proposals and applications, and their outcomes",
	.synopsis = "[--body NAME] [--open] [--json] [--at TIME]",
	.description =
"Syncs, then lists every proposal and stakeholder application with its\n"
"outcome computed by this node from its own verified records (the same\n"
"code as the hub's): OPEN with the time left, ADOPTED, NOT ADOPTED (silence\n"
"broken), ACCREDITED, NOT ACCREDITED, WITHDRAWN, with the number of\n"
"objections and supports.  Outcomes are as of the log time of the last\n"
"checkpoint this node verified complete, so an outcome shown is one no\n"
"missing record can change; --at computes them at another log time\n"
"(YYYY-MM-DD, YYYY-MM-DDTHH:MMZ or ms).  --json prints the view of\n"
"docs/protocol.md section 10.",
};

const struct cmd_doc doc_decision = {
	.prog = "roster", .name = "decision", .run = cmd_decision,
	.summary = "one decision, with its proof",
	.synopsis = "show ID [--json] [--at TIME]",
	.description =
"Shows a proposal or application: its text, its deadline, the objecting\n"
"States (or their number only, where the body's rules show them to the\n"
"Chair only and this State is not the Chair), the supporting States, and\n"
"the log indexes of the records that prove the outcome (the matter, each\n"
"position, a withdrawal).",
};

const struct cmd_doc doc_meeting = {
	.prog = "roster", .name = "meeting", .run = cmd_meeting,
	.summary = "record a meeting of a body (the Chair)",
	.synopsis = "add --body NAME --start DATE --end DATE --title CODE=TEXT... [--place TEXT]",
	.description =
"Signs a meeting of body NAME (the body's Chair's devices, or the operator\n"
"with rosterd meeting).  DATE is YYYY-MM-DD (midnight UTC),\n"
"YYYY-MM-DDTHH:MMZ, YYYY-MM-DDTHH:MM+HH:MM or ms; the end after the start,\n"
"within 31 days.  Papers for it are judged against its start.",
};

const struct cmd_doc doc_process = {
	.prog = "roster", .name = "process", .run = cmd_process,
	.summary = "the whole process view, as JSON",
	.synopsis = "[--json] [--at TIME]",
	.description =
"Syncs, then prints the whole view (bodies, meetings, papers, decisions,\n"
"contributions, the paper report; docs/protocol.md section 10) computed\n"
"from this node's verified records.  For the same --at and viewer it is\n"
"byte for byte what `rosterd process HUBDIR --json` prints on the hub and\n"
"what every other node prints.",
};
