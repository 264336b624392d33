"""Sign-in codes for the offline sign-in: issued, reset and revoked, never stored in clear.

Coordinators issue personal codes to their own branch's volunteers (Sign-in codes page); the
administrator issues any code from the command line (`actor` None).
"""
from __future__ import annotations

from dataclasses import dataclass

from connectors.live import LiveWorkbook
from services.clock import Clock
from services.outcomes import refuse
from workflows.access import VOLUNTEER, Viewer, viewer_for
from workflows.codes import ACCESS, CODE_ALPHABET, PERSONAL, code_row, is_strong, new_code
from workflows.codes_overview import may_issue_code


@dataclass(frozen=True)
class CodeIssued:
    person: Viewer
    code: str | None  # None: revoked
    queued: bool = False


def issue_code(live: LiveWorkbook, actor: Viewer | None, person_id: str, clock: Clock, code: str | None = None,
               revoke: bool = False) -> CodeIssued:
    """A new code for the person (shown once, stored as a hash), or with `revoke` none at all."""
    tables = live.data().tables
    person = viewer_for(tables["people"], person_id)
    if person is None:
        raise refuse("unknown_person", person_id)
    if actor is not None and not may_issue_code(tables, actor, person_id):
        raise refuse("not_yours", person_id)
    if code is not None and not revoke and not is_strong(code):
        raise refuse("weak_code", CODE_ALPHABET)
    code = None if revoke else (code or new_code())
    kind = PERSONAL if person.role == VOLUNTEER else ACCESS
    issued_by = actor.person_id if actor is not None else "cli"
    sent = live.append("_access_codes", [code_row(person.person_id, code, kind, issued_by, clock())])
    return CodeIssued(person, code, queued=not sent)
