"""Files only the app may read: the workbook, the journal, the attempt log, the app's key."""
from __future__ import annotations

import os
from pathlib import Path


def private_file(path: str | Path) -> None:
    """Creates the file readable and writable by the app's user only (0600), if it is not there yet.
    SQLite gives its -wal and -shm files the same mode."""
    if not Path(path).exists():
        os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
