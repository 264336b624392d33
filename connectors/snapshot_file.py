"""The last good read of a Google Sheets workbook, kept on disk beside the journal.

A process that starts while Google does not answer starts from it (marked stale) instead of
from nothing, so it can still decide, journal and answer. The file is private (0600): it holds
the whole workbook, private columns included. It holds the cells exactly as Google sent them,
without the journal's waiting writes (those are laid over it when it is used).
"""
from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path


def snapshot_path(journal_path: str | Path, spreadsheet_id: str) -> Path:
    return Path(journal_path).with_name(f"snapshot-{spreadsheet_id}.json")


def save(path: Path, titles: list[str], grids: list, taken_at: dt.datetime) -> None:
    """Written whole or not at all: a reader never sees half a file, even if this process is killed."""
    draft = path.with_name(f"{path.name}.{os.getpid()}.{os.urandom(4).hex()}.tmp")
    document = json.dumps({"titles": titles, "grids": grids, "taken_at": taken_at.isoformat()}, ensure_ascii=False)
    with os.fdopen(os.open(draft, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600), "w", encoding="utf-8") as handle:
        handle.write(document)
    os.replace(draft, path)


def load(path: Path) -> tuple[list[str], list, dt.datetime] | None:
    """(titles, grids, taken_at) of the kept read, or None if there is none (or it cannot be read)."""
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
        return document["titles"], document["grids"], dt.datetime.fromisoformat(document["taken_at"])
    except (OSError, ValueError, KeyError, TypeError):
        return None
