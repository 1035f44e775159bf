"""CPU time and memory of the processes taking part, sampled with psutil while the rush runs.

Processes are grouped (`registration`, `postgres`, `bench`, ...); a group's members are found again
at every sample, so PostgreSQL backends that connect during the rush are counted too (their CPU
from zero, those that were there from their CPU at the start). Memory is RSS per process, and
for all processes together the sum of PSS, which counts a page shared by several processes (the
PostgreSQL buffers, say) once rather than in every one of them.
"""

import asyncio
import contextlib
from collections.abc import Callable
from dataclasses import dataclass, field

import psutil

Members = Callable[[], list[int]]  # the pids of a group, as they are now


@dataclass
class GroupUsage:
    cpu_seconds: float = 0.0
    peak_rss: int = 0  # of the group's processes together
    processes: int = 0  # how many were seen
    other_threads_cpu_seconds: float | None = None  # of cpu_seconds, not on the main thread (where known)


def thread_cpu(pid: int) -> dict[int, float]:
    """CPU seconds of each thread of a process (thread id = pid for its main thread)."""
    return {t.id: t.user_time + t.system_time for t in psutil.Process(pid).threads()}


@dataclass
class _Seen:
    process: psutil.Process
    cpu_at_start: float
    cpu_last: float = 0.0


@dataclass
class ResourceSampler:
    groups: dict[str, Members]
    interval: float = 1.0
    pss_every: int = 3  # PSS means reading each process's smaps: only every few samples
    usage: dict[str, GroupUsage] = field(init=False)
    peak_pss_total: int = 0
    _seen: dict[tuple[str, int], _Seen] = field(default_factory=dict)
    _stopping: asyncio.Event = field(default_factory=asyncio.Event)
    _samples: int = 0
    _task: asyncio.Task | None = None

    def __post_init__(self) -> None:
        self.usage = {name: GroupUsage() for name in self.groups}

    def start(self) -> None:
        """From now on: what was used before does not count."""
        self._sample(at_start=True)
        self._task = asyncio.create_task(self._run(), name="resource-sampler")

    async def stop(self) -> dict[str, GroupUsage]:
        self._stopping.set()
        if self._task is not None:
            await self._task  # not cancelled: a sample in its thread would go on beside the last one
        self._sample()
        for (name, _), seen in self._seen.items():
            self.usage[name].cpu_seconds += seen.cpu_last - seen.cpu_at_start
        return self.usage

    async def _run(self) -> None:
        while not self._stopping.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), self.interval)
            # Reading /proc of a few dozen processes takes milliseconds; off the event loop all the same,
            # so the load generator beside it keeps its pace.
            await asyncio.to_thread(self._sample)

    def _sample(self, *, at_start: bool = False) -> None:
        self._samples += 1
        with_pss = at_start or self._samples % self.pss_every == 0
        pss_total = 0
        for name, members in self.groups.items():
            rss = 0
            for pid in members():
                seen = self._seen.get((name, pid))
                try:
                    if seen is None:
                        process = psutil.Process(pid)
                        cpu = _cpu(process)
                        seen = self._seen[name, pid] = _Seen(process, cpu if at_start else 0.0)
                        self.usage[name].processes += 1
                    seen.cpu_last = _cpu(seen.process)
                    memory = seen.process.memory_full_info() if with_pss else seen.process.memory_info()
                except psutil.Error:
                    continue  # it ended between listing and reading; its last reading stands
                rss += memory.rss
                pss_total += memory.pss if with_pss else 0
            self.usage[name].peak_rss = max(self.usage[name].peak_rss, rss)
        self.peak_pss_total = max(self.peak_pss_total, pss_total)


def _cpu(process: psutil.Process) -> float:
    times = process.cpu_times()
    return times.user + times.system


def process_and_children(pid: int) -> Members:
    """A process and its children (PostgreSQL's postmaster and its backends)."""

    def members() -> list[int]:
        try:
            parent = psutil.Process(pid)
            return [pid, *(child.pid for child in parent.children(recursive=True))]
        except psutil.Error:
            return []

    return members
