"""Issuing a certificate: compute it, log its number (so it can be verified), render the PDF."""
from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

from connectors.attempts import AttemptLog
from connectors.live import LiveWorkbook
from documents.certificate_pdf import certificate_pdf
from workflows.certificate import Certificate, certificate_for

from services.activities import derivation_of, limit_actions


CERTIFICATES_PER_HOUR = 5  # each PDF costs seconds of CPU


def issue_certificate(live: LiveWorkbook, person_id: str, by: str, now: dt.datetime,
                      attempts: AttemptLog | None = None, public_url: str = "") -> tuple[Certificate, bytes] | None:
    """With `attempts`, a person's certificates an hour are limited (`Refused("too_many_attempts")`).
    With `public_url` (the app's address as phones reach it) the PDF carries a QR code to its Verify page."""
    shown = live.data()
    limit_actions(attempts, f"certificate:{by}", CERTIFICATES_PER_HOUR, shown.tables.timezone)
    certificate = certificate_for(shown.tables, derivation_of(shown), person_id, now)
    if certificate is None:
        return None
    link = f"{public_url.rstrip('/')}/verify?{urlencode({'no': certificate.number})}" if public_url else None
    pdf = certificate_pdf(certificate, link)  # rendered before it is logged: no number without a document
    live.append("_certificates", [certificate.log_row(now, by)])
    return certificate, pdf
