"""The command line of the workbench (spec/cli.md): bulk work, scheduled jobs, scripted checks.

It works on the same workbook as the app, through the same services and workflow code. "Now"
(and `--as-of`) is in the workbook's time zone (its `timezone` setting), never the machine's.
"""
from __future__ import annotations

import argparse
import json
import math
import sqlite3
import sys
from pathlib import Path
from zoneinfo import ZoneInfo

from connectors.config import open_workbook, public_url
from connectors.kept_tables import kept_tables_for
from connectors.live import LiveWorkbook
from connectors.sheet import QueuedForSync
from services.activities import Refused, cancel, check_in, derivation_of, sign_up
from services.clock import Clock, fixed_clock, workbook_clock
from services.codes import issue_code as issue_code_service
from workflows.cells import BadCell, parse_datetime
from workflows.indicators import report
from workflows.points import leaderboard
from workflows.validation import data_problems

COMMANDS = {}


def command(name: str, help_: str):
    def register(function):
        COMMANDS[name] = (function, help_)
        return function
    return register


def emit(args, data, text: str) -> None:
    if args.json:
        json.dump(data, sys.stdout, ensure_ascii=False, indent=2, default=str)
        sys.stdout.write("\n")
    else:
        print(text)


def live_workbook(workbook, only_reads: bool = False, only_appends: bool = False) -> LiveWorkbook:
    """Read once: a command's own writes are laid over what it read (no second read). A command that
    `only_reads` keeps no cells once parsed (at 30,000 people a third less memory), and on the embedded
    workbook reads the tables kept by an earlier run where nothing changed. So does one that
    `only_appends` (a sign-up, a check-in, a certificate's log row): after its append it reads the
    changes since, its own rows among them (see `LiveWorkbook`)."""
    kept = kept_tables_for(workbook) if only_reads or only_appends else None
    keep_cells = not only_reads and kept is None
    return LiveWorkbook(workbook, interval_seconds=math.inf, keep_cells=keep_cells, kept=kept,
                        appends_read_back=only_appends)


def clock_for(args, live: LiveWorkbook) -> Clock:
    """The moment taken as now: --as-of, else the clock; both in the workbook's time zone."""
    if not args.as_of:
        return workbook_clock(live)
    try:
        return fixed_clock(parse_datetime(args.as_of, ZoneInfo(live.data().tables.timezone)))
    except BadCell:
        raise ValueError(f'--as-of {args.as_of!r} is not a date-time: use "YYYY-MM-DD HH:MM"') from None


@command("init", "create every missing worksheet and header cell")
def init(args, workbook) -> int:
    created = workbook.ensure_schema(args.lang)
    emit(args, {"created": created}, "created: " + ", ".join(created) if created else "nothing to create")
    return 0


def is_empty(workbook) -> bool:
    snapshot = workbook.snapshot()
    return not any(any(cell.strip() for row in sheet.rows for cell in row) for sheet in snapshot.sheets.values())


@command("demo", "fill an empty workbook with a realistic demo college")
def demo(args, workbook) -> int:
    workbook.ensure_schema("zh")
    if not is_empty(workbook):
        print("demo: the workbook already holds data; demo only fills an empty workbook "
              "(use --workbook to choose another one)", file=sys.stderr)
        return 1
    counts = {}
    from demo.codes import DEMO_CODES, load_demo_rows  # here: only this command needs the demo

    for table, rows in load_demo_rows(clock_for(args, live_workbook(workbook))().replace(microsecond=0)):
        workbook.append(table, rows)
        counts[table] = len(rows)
    codes = [{"person_id": p, "code": c, "who": who} for p, c, _, who in DEMO_CODES]
    lines = ["demo loaded: " + ", ".join(f"{k} {v}" for k, v in counts.items() if not k.startswith("_")),
             "sign in to try each role (person_id / code):"]
    lines += [f"  {c['person_id']} / {c['code']}  {c['who']}" for c in codes]
    emit(args, {"loaded": counts, "sign_in_codes": codes}, "\n".join(lines))
    return 0


@command("import", "load an .xlsx workbook or a folder of <table>.csv files")
def import_(args, workbook) -> int:
    live = live_workbook(workbook)
    from services.transfer import import_file  # here: spreadsheet libraries load only for the commands using them

    plans, unknown = import_file(live, args.path, "cli", clock_for(args, live))
    report = [{"table": p.table, "added": len(p.appends), "updated": len(p.updates),
               "skipped": [vars(s) for s in p.skipped], "extra_columns": p.extra_columns,
               "ignored_columns": p.ignored_columns} for p in plans]
    lines = []
    for item in report:
        lines.append(f"{item['table']}: added {item['added']}, updated {item['updated']}, skipped {len(item['skipped'])}")
        lines += [f"  skipped {s['sheet']} row {s['row']}: {s['reason']}" for s in item["skipped"]]
        lines += [f"  extra column copied (not a column of {item['table']}, kept as the sheet's own): {c}"
                  for c in item["extra_columns"]]
        lines += [f"  column not imported: {c}" for c in item["ignored_columns"]]
    lines += [f"sheet not imported (not a table of the workbook): {title}" for title in unknown]
    emit(args, {"tables": report, "unknown_sheets": unknown}, "\n".join(lines) or "nothing to import")
    return 1 if any(item["skipped"] for item in report) else 0


@command("export", "write every table to .xlsx, or to a folder of CSV files")
def export(args, workbook) -> int:
    from services.transfer import export_workbook

    path, titles = export_workbook(live_workbook(workbook), args.path)
    emit(args, {"path": str(path), "tables": titles}, f"exported {len(titles)} tables to {path}")
    return 0


@command("validate", "list the data problems of the workbook")
def validate(args, workbook) -> int:
    problems = data_problems(live_workbook(workbook, only_reads=True).data().tables)
    rows = [p.as_dict() for p in problems]
    text = "\n".join(f"{p.sheet} row {p.row} [{p.column}] {p.value!r}: {p.problem}" for p in problems)
    emit(args, rows, text or "no problems")
    return 1 if problems else 0


@command("issue-code", "issue (or reset, or revoke) a person's sign-in code for the offline sign-in")
def issue_code(args, workbook) -> int:
    live = live_workbook(workbook, only_appends=True)
    try:
        issued = issue_code_service(live, None, args.person_id, clock_for(args, live), args.code, args.revoke)
    except Refused as error:
        if error.refusal.code != "unknown_person":
            return refused(args, error)
        print(f"issue-code: no active person {args.person_id} in the people sheet (成员)", file=sys.stderr)
        return 2
    viewer, code = issued.person, issued.code
    data = {"person_id": viewer.person_id, "name": viewer.name, "role": viewer.role, "code": code}
    text = (f"revoked the code of {viewer.person_id} {viewer.name}" if code is None else
            f"{viewer.person_id} {viewer.name} ({viewer.role}): {code}  — give it to them privately; "
            "it is stored only as a hash and cannot be shown again")
    emit(args, data, text)
    return 0


QUEUED_NOTE = ("Google Sheets did not answer: it is saved on this machine and sent by the app or "
               "`python cli.py sync` when Google answers.")


def refused(args, error: Refused) -> int:
    print(f"{args.command}: refused: {error}", file=sys.stderr)
    return 2


@command("signup", "sign a person up for an activity")
def signup(args, workbook) -> int:
    live = live_workbook(workbook, only_appends=True)
    try:
        outcome = sign_up(live, args.activity_id, args.person_id, args.by or args.person_id, clock_for(args, live))
    except Refused as error:
        return refused(args, error)
    text = "confirmed" if outcome.status == "confirmed" else f"waitlisted {outcome.position}"
    if outcome.queued:
        provisional = ("confirmed" if outcome.status == "confirmed"
                       else f"you are number {outcome.position} on the waitlist")
        emit(args, {"status": "queued", "provisional": outcome.status, "position": outcome.position},
             f"queued — {provisional} when it reaches the sheet. {QUEUED_NOTE}")
        return 0
    emit(args, {"status": outcome.status, "position": outcome.position}, text)
    return 0


@command("cancel", "cancel a person's sign-up; the first waitlisted person is promoted")
def cancel_(args, workbook) -> int:
    live = live_workbook(workbook, only_appends=True)
    try:
        outcome = cancel(live, args.activity_id, args.person_id, args.by or args.person_id, clock_for(args, live))
    except Refused as error:
        return refused(args, error)
    text = f"cancelled; promoted {outcome.promoted}" if outcome.promoted else "cancelled; nobody was waiting"
    if outcome.queued:
        emit(args, {"status": "queued", "provisional": "cancelled", "promoted": outcome.promoted},
             f"queued — {text} when it reaches the sheet. {QUEUED_NOTE}")
        return 0
    emit(args, {"status": "cancelled", "promoted": outcome.promoted}, text)
    return 0


@command("checkin", "check a person in (with --code as they would, without as a coordinator)")
def checkin(args, workbook) -> int:
    live = live_workbook(workbook, only_appends=True)
    try:
        outcome = check_in(live, args.activity_id, args.person_id, args.code, args.by or "cli", clock_for(args, live))
    except Refused as error:
        return refused(args, error)
    if outcome.queued:
        emit(args, {"status": "queued", "provisional": "attended", "already": outcome.already},
             f"queued — checked in when it reaches the sheet. {QUEUED_NOTE}")
        return 0
    emit(args, {"status": "attended", "already": outcome.already},
         "already checked in" if outcome.already else "checked in")
    return 0


@command("roster", "the confirmed, waitlisted and attended people of an activity")
def roster(args, workbook) -> int:
    shown = live_workbook(workbook, only_reads=True).data()
    if args.activity_id not in set(shown.tables["activities"]["activity_id"]):
        print(f"roster: there is no activity {args.activity_id} in the activities sheet (活动)", file=sys.stderr)
        return 2
    result = derivation_of(shown).roster(args.activity_id)
    data = {"confirmed": result.confirmed, "waitlisted": result.waitlisted, "attended": result.attended}
    text = "\n".join(f"{key}: {' '.join(ids) or '-'}" for key, ids in data.items())
    emit(args, data, text)
    return 0


@command("report", "the indicators of kpis.md")
def report_(args, workbook) -> int:
    live = live_workbook(workbook, only_reads=True)
    shown = live.data()
    figures = report(shown.tables, derivation_of(shown), clock_for(args, live)().replace(microsecond=0))
    lines = [f"{key:<24}{value}" for key, value in figures.items() if key != "by_branch"]
    lines += ["by_branch:"] + [f"  {branch}: {values}" for branch, values in figures["by_branch"].items()]
    emit(args, figures, "\n".join(lines))
    return 0


@command("points", "the points leaderboard")
def points(args, workbook) -> int:
    live = live_workbook(workbook, only_reads=True)
    shown = live.data()
    board = leaderboard(shown.tables, derivation_of(shown), clock_for(args, live)(), args.top)
    rows = [{"rank": int(r.rank), "person_id": r.person_id, "name": r.name, "branch": r.branch,
             "points": float(r.points), "hours": float(r.hours)} for r in board.itertuples()]
    text = "\n".join(f"{r['rank']:>4}  {r['person_id']}  {r['name']}  {r['branch']}  {r['points']:g} 分  {r['hours']:g} 小时"
                     for r in rows)
    emit(args, rows, text or "nobody yet")
    return 0


@command("certificate", "the person's service-hours certificate (志愿服务时长证明) as PDF")
def certificate(args, workbook) -> int:
    live = live_workbook(workbook, only_appends=True)
    moment = clock_for(args, live)()
    from services.certificates import issue_certificate  # here: the PDF library loads only for certificates

    issued = issue_certificate(live, args.person_id, "cli", moment, public_url=public_url())
    if issued is None:
        print(f"certificate: there is no person {args.person_id} in the people sheet (成员)", file=sys.stderr)
        return 2
    document, pdf = issued
    path = args.out or Path(f"certificate-{args.person_id}.pdf")
    path.write_bytes(pdf)
    emit(args, {"path": str(path), "number": document.number, "hours": document.hours},
         f"{path}: {document.name}, {document.hours:g} 小时, 证明编号 {document.number}")
    return 0


@command("sync", "send writes still waiting in the local journal (Google Sheets)")
def sync(args, workbook) -> int:
    waiting = workbook.sync()
    emit(args, {"waiting": waiting}, "all writes sent" if waiting == 0 else f"{waiting} writes still waiting")
    return 0 if waiting == 0 else 1


@command("notify", "send the reminders and notifications due now (for cron or a systemd timer)")
def notify_(args, workbook) -> int:
    from connectors.config import load_secrets, outbox_path, workbook_url
    from connectors.notify_channels import channels_from
    from connectors.outbox import Outbox
    from services.notifications import notify

    live = live_workbook(workbook, only_reads=True)  # it writes to the outbox, never to the workbook
    outbox = Outbox(outbox_path(workbook_url(args.workbook)))
    result = notify(live, outbox, channels_from(load_secrets()), clock_for(args, live), dry_run=args.dry_run)
    if args.dry_run:
        lines = [f"{n['at']}  {n['kind']:<20} → {n['recipient']} [{', '.join(n['channels']) or '-'}]"
                 f"{' (turned off)' if n['muted'] else ''}  {n['subject']}" for n in result.planned]
        emit(args, result.as_dict(), "\n".join(lines) or "nothing new is due")
        return 0
    lines = [f"sent {s['kind']} → {s['recipient']} by {s['channel']}" for s in result.sent]
    lines += [f"failed {f['kind']} → {f['recipient']} by {f['channel']}: {f['error']}"
              + (" (will retry)" if f["retry"] else " (given up)") for f in result.failed]
    summary = f"{result.due} due, {result.recorded} new (in the inboxes), {len(result.sent)} sent, {len(result.failed)} failed"
    emit(args, result.as_dict(), "\n".join([*lines, summary]))
    return 0 if result.ok else 1


def parser() -> argparse.ArgumentParser:
    main = argparse.ArgumentParser(prog="python cli.py", description=__doc__.splitlines()[0])
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--workbook", help="workbook URL (sqlite:///path.sqlite3 or gsheets://ID)")
    common.add_argument("--json", action="store_true", help="print one JSON document")
    common.add_argument("--as-of", help='"YYYY-MM-DD HH:MM": the moment taken as now')
    sub = main.add_subparsers(dest="command", required=True)
    for name, (_, help_) in COMMANDS.items():
        one = sub.add_parser(name, help=help_, parents=[common])
        if name == "init":
            one.add_argument("--lang", choices=["zh", "en"], default="zh")
        if name in ("import", "export"):
            one.add_argument("path", type=Path)
        if name in ("signup", "cancel", "checkin", "roster"):
            one.add_argument("activity_id")
        if name in ("signup", "cancel", "checkin"):
            one.add_argument("person_id")
            one.add_argument("--by", help="person_id of who does it (default: the person; for checkin: cli)")
        if name == "checkin":
            one.add_argument("--code", help="the activity's check-in code, as the person would type it")
        if name == "points":
            one.add_argument("--top", type=int, help="only the first N")
        if name == "certificate":
            one.add_argument("person_id")
            one.add_argument("--out", type=Path, help="the PDF file to write (default certificate-PERSON_ID.pdf)")
        if name == "notify":
            one.add_argument("--dry-run", action="store_true", help="print what would be sent; record and send nothing")
        if name == "issue-code":
            one.add_argument("person_id")
            one.add_argument("--code", help="the code to set (default: a new random one)")
            one.add_argument("--revoke", action="store_true", help="revoke the person's code")
    return main


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    function = COMMANDS[args.command][0]
    try:
        workbook = open_workbook(args.workbook)
        return function(args, workbook)
    except QueuedForSync as queued:  # a bulk command stopped at a write Google did not answer
        print(f"{args.command}: stopped: {queued}; what was written so far waits in the local journal "
              "(`python cli.py sync` sends it); run the command again later", file=sys.stderr)
        return 1
    except Exception as error:  # noqa: BLE001 - a clear line, never a traceback, for the backend's errors
        text = backend_error_text(error)
        if text is None:
            if not isinstance(error, (OSError, ValueError, LookupError, RuntimeError, sqlite3.Error)):
                raise
            text = str(error)
        print(f"{args.command}: {text}", file=sys.stderr)
        return 2


def backend_error_text(error: Exception) -> str | None:
    """What went wrong talking to Google Sheets, for a coordinator (None: not such an error)."""
    if "gspread" not in sys.modules and "requests" not in sys.modules:
        return None
    from connectors.sheets_api import explain

    return explain(error)


if __name__ == "__main__":
    sys.exit(main())
