"""Runs a command and writes its CPU seconds and peak memory to a file, as one small process measures them.

    python -m benchmarks.child RESULT.json COMMAND [ARG ...]

A process started by a large one takes that one's peak memory as its own start (Linux records the
peak of the memory it had before `exec`), so a benchmark that has grown to 900 MiB would see every
command it starts peak at 900 MiB or more. Started from this small process instead, the command's
figures are its own (from ~10 MiB, this process's size, up).
"""
from __future__ import annotations

import json
import os
import subprocess
import sys


def main() -> int:
    result, command = sys.argv[1], sys.argv[2:]
    process = subprocess.Popen(command)
    _, status, usage = os.wait4(process.pid, 0)
    code = os.waitstatus_to_exitcode(status)
    with open(result, "w") as file:
        json.dump({"cpu_s": usage.ru_utime + usage.ru_stime, "peak_mib": usage.ru_maxrss / 1024, "exit": code}, file)
    return code


if __name__ == "__main__":
    sys.exit(main())
