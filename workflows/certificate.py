"""The service-hours certificate (志愿服务时长证明): what it says, and how it is verified.

Its content follows 《关于规范志愿服务记录证明工作的指导意见》(民发〔2015〕149号; 中央文明办、
民政部、教育部、共青团中央): the volunteer's identity (name, ID type and number — the student or
staff ID — and the volunteer number where the person is registered), the service (the total
credited hours in the period, and each activity or entry with its date and hours), the issuing
organisation with its person in charge, handling officer and contact (settings), a unique
certificate number and the date of issue; the organisation's seal goes on the printed paper.
Every certificate issued is logged, so its number can be checked on the public Verify page
(name, hours, date; nothing private).
"""
from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass

import pandas as pd

from workflows.hours import credited_entries
from workflows.settings import setting
from workflows.signup import Derivation

NUMBER_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"


@dataclass(frozen=True)
class Certificate:
    number: str
    person_id: str
    name: str
    organization: str
    hours: float
    period_start: dt.date | None
    period_end: dt.date
    issued_on: dt.date
    entries: tuple[tuple[dt.date, str, float], ...]  # (date, service content, hours)
    id_type: str = "学生证"
    volunteer_no: str = ""  # the national registration number, where the people sheet has one
    person_in_charge: str = ""
    handling_officer: str = ""
    contact: str = ""

    def log_row(self, issued_at: dt.datetime, issued_by: str) -> dict[str, str]:
        return {"certificate_no": self.number, "person_id": self.person_id, "name": self.name,
                "hours": f"{self.hours:g}", "period_start": f"{self.period_start:%Y-%m-%d}" if self.period_start else "",
                "period_end": f"{self.period_end:%Y-%m-%d}", "issued_at": f"{issued_at:%Y-%m-%d %H:%M:%S}",
                "issued_by": issued_by}


def new_certificate_number(now: dt.datetime) -> str:
    """Unguessable, so that numbers cannot be enumerated to look people up."""
    return f"ZYFW-{now:%Y}-" + "".join(secrets.choice(NUMBER_ALPHABET) for _ in range(8))


def certificate_for(tables, derivation: Derivation, person_id: str, now: dt.datetime) -> Certificate | None:
    """The certificate of everything credited to the person up to now; None for an unknown person."""
    people = tables["people"].set_index("person_id")
    if person_id not in people.index:
        return None
    entries = credited_entries(tables, derivation, now)
    mine = entries[entries["person_id"] == person_id]
    lines = tuple((row.date.date(), row.title or "", round(float(row.hours), 2)) for row in mine.itertuples())
    start = min((line[0] for line in lines), default=None)
    volunteer_no = people.loc[person_id, "volunteer_no"] if "volunteer_no" in people.columns else ""
    return Certificate(new_certificate_number(now), person_id, people.loc[person_id, "name"],
                       setting(tables, "organization_name"), round(float(mine["hours"].sum()), 2), start,
                       now.date(), now.date(), lines, id_type=setting(tables, "certificate_id_type"),
                       volunteer_no=volunteer_no if isinstance(volunteer_no, str) else "",
                       person_in_charge=setting(tables, "organization_head"),
                       handling_officer=setting(tables, "organization_officer"),
                       contact=setting(tables, "organization_contact"))


@dataclass(frozen=True)
class Verification:
    number: str
    name: str
    hours: float
    issued_on: dt.date


def verify(tables, number: str) -> Verification | None:
    log = tables["_certificates"]
    match = log[log["certificate_no"].str.upper() == number.strip().upper()]
    if match.empty:
        return None
    row = match.iloc[0]
    hours = 0.0 if pd.isna(row["hours"]) else float(row["hours"])
    return Verification(row["certificate_no"], row["name"], hours, row["issued_at"].date())
