"""CPU time by component during a benchmark round, from /proc (Linux).

Wall-clock rates on a shared 2-core machine say little about *where* the time goes; the CPU
seconds that each part used per append do: the server's worker processes, the database's
processes (all of them: the server is shared), the benchmark process itself (its clients, or
the library side's own work) and the whole machine (everything that ran, other work included).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

_TICK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def _stat(pid: int) -> list[str] | None:
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return text.rsplit(")", 1)[1].split()  # fields from the state on (the name may hold spaces)


def process_cpu(pid: int) -> float:
    """User and system CPU seconds of one process so far (0 if it is gone)."""
    fields = _stat(pid)
    return 0.0 if fields is None else (int(fields[11]) + int(fields[12])) / _TICK


def _pids() -> list[int]:
    return [int(p.name) for p in Path("/proc").iterdir() if p.name.isdigit()]


def children_of(parent: int) -> list[int]:
    """The processes whose parent is `parent` (gunicorn's workers under its master)."""
    return [pid for pid in _pids() if (f := _stat(pid)) is not None and int(f[1]) == parent]


def named(name: str) -> list[int]:
    """The processes with this command name (e.g. every PostgreSQL server process)."""
    found = []
    for pid in _pids():
        try:
            if Path(f"/proc/{pid}/comm").read_text().strip() == name:
                found.append(pid)
        except OSError:
            continue
    return found


def machine_busy() -> float:
    """CPU seconds the machine spent outside idle and I/O wait, all cores together."""
    values = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    return (sum(values) - values[3] - values[4]) / _TICK


@dataclass
class CpuMeter:
    """CPU seconds used between `start()` and `stop()` by each named group of processes.

    The groups are fixed at `start()`; a database process that starts later (a new
    connection) is not counted, nor is CPU that a process that ended used.
    """

    groups: dict[str, list[int]]

    def start(self) -> None:
        self._before = {pid: process_cpu(pid) for pids in self.groups.values() for pid in pids}
        self._machine = machine_busy()

    def stop(self) -> dict[str, float]:
        """Seconds by group, and `machine` for the whole machine."""
        used = {
            name: sum(max(0.0, process_cpu(pid) - self._before[pid]) for pid in pids)
            for name, pids in self.groups.items()
        }
        used["machine"] = machine_busy() - self._machine
        return used
