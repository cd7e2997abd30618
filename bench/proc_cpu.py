"""Server CPU from ``/proc``: user + system time of a process and every
process below it (a uvicorn master and its workers), in seconds.

Read before and after a load and divide by the requests served: CPU per
request over all workers, whatever the load generator or the database spent.
Linux only; the kernel counts in clock ticks (``SC_CLK_TCK``, 100 a second
here), so measure over many requests.
"""

from __future__ import annotations

import os
from pathlib import Path

TICKS = os.sysconf("SC_CLK_TCK")


def _stat(pid: int) -> list[str] | None:
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError, PermissionError):
        return None
    # the command name (field 2) is in parentheses and may hold spaces
    return text[text.rindex(")") + 2 :].split()


def descendants(pid: int) -> list[int]:
    """``pid`` and every live process below it."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        fields = _stat(int(entry.name))
        if fields is not None:
            children.setdefault(int(fields[1]), []).append(int(entry.name))  # field 4: ppid
    found, stack = [], [pid]
    while stack:
        current = stack.pop()
        found.append(current)
        stack.extend(children.get(current, []))
    return found


def cpu_seconds(pid: int) -> float:
    """utime + stime of ``pid`` and its live descendants."""
    total = 0
    for process in descendants(pid):
        fields = _stat(process)
        if fields is not None:
            total += int(fields[11]) + int(fields[12])  # fields 14 and 15: utime, stime
    return total / TICKS
