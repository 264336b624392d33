"""A dictionary shared by the versions made from it, each holding only what it changed.

After a sign-up the rosters differ from the previous ones in one activity, but copying a dict of
3,000 activities (or 30,000 people) for every write made writes cost in proportion to the university.
A version keeps the dict it came from as its base and its own changes beside it; once the changes
grow past a bound they are merged into a new base, so lookups stay two dict probes and the merge is
paid once per many writes.
"""
from __future__ import annotations

from collections.abc import Mapping, MutableMapping


class Layered(MutableMapping):
    MOST_CHANGES = 1024

    def __init__(self, base: Mapping, changes: dict | None = None):
        self._base = base._merged() if isinstance(base, Layered) else base  # never changed after this
        self._changes = {} if changes is None else changes

    def version(self) -> "Layered":
        """A copy to change without changing this one."""
        if len(self._changes) > self.MOST_CHANGES:
            return Layered(self._merged())
        return Layered(self._base, dict(self._changes))

    def _merged(self) -> dict:
        return {**self._base, **self._changes}

    def __getitem__(self, key):
        changes = self._changes
        return changes[key] if key in changes else self._base[key]

    def __contains__(self, key) -> bool:
        return key in self._changes or key in self._base

    def get(self, key, default=None):
        changes = self._changes
        if key in changes:
            return changes[key]
        return self._base.get(key, default)

    def __setitem__(self, key, value) -> None:
        self._changes[key] = value

    def __delitem__(self, key) -> None:
        raise TypeError("a layered dict only adds and replaces")  # no rule removes a key

    def __iter__(self):
        yield from self._base
        yield from (key for key in self._changes if key not in self._base)

    def __len__(self) -> int:
        return len(self._base) + sum(1 for key in self._changes if key not in self._base)


def version_of(mapping: Mapping) -> Layered:
    """A copy of `mapping` to change, sharing what it does not change."""
    return mapping.version() if isinstance(mapping, Layered) else Layered(mapping)
