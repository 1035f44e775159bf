"""Where the time goes: py-spy samples each process of interest while the rush runs (it attaches by
pid, so the processes run exactly as they would without it; `--nonblocking` keeps them from being
paused for each sample). The raw stacks are kept next to the results, and summarised as the
functions most often on the stack (inclusive) and most often at its top (self).
"""

import asyncio
import contextlib
import shutil
import signal
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

PROJECT_CODE = ("/services/", "/shared/treffpunkt_shared/", "/bench/", "/tests/")
# Frames that are on the stack of everything an event loop does, and so say nothing about where time goes.
EVERYWHERE = ("run (asyncio/", "_run_once (asyncio/", "_run (asyncio/", "run_forever (asyncio/", "<module>",
              "_run_module_as_main", "_run_code", "run_until_complete", "main (", "serve (", "_serve (",
              "run (uvicorn/", "run_cli (", "ensure_future", "_bootstrap")


@dataclass
class Summary:
    samples: int
    inclusive: list[tuple[float, str]]  # share of the samples, frame: project code only
    self_time: list[tuple[float, str]]  # share of the samples, frame: any code


class Profiler:
    def __init__(self, targets: dict[str, int], out_dir: Path, *, rate: int = 100) -> None:
        self.targets = targets
        self.out_dir = out_dir
        self.rate = rate
        self._spies: dict[str, asyncio.subprocess.Process] = {}


    def path(self, name: str) -> Path:
        return self.out_dir / f"profile-{name}.txt"

    async def start(self) -> None:
        self.out_dir.mkdir(parents=True, exist_ok=True)
        for name, pid in self.targets.items():
            self._spies[name] = await asyncio.create_subprocess_exec(
                _py_spy(), "record", "--pid", str(pid), "--rate", str(self.rate), "--format", "raw", "--function",
                "--full-filenames", "--nonblocking", "--output", str(self.path(name)),
                stdout=asyncio.subprocess.DEVNULL, stderr=(self.out_dir / f"profile-{name}.log").open("wb"),
            )

    async def stop(self) -> dict[str, Summary]:
        """End the recordings (py-spy writes its file on SIGINT) and summarise them."""
        for spy in self._spies.values():
            if spy.returncode is None:
                spy.send_signal(signal.SIGINT)
        for spy in self._spies.values():
            try:
                await asyncio.wait_for(spy.wait(), 30)
            except TimeoutError:
                with contextlib.suppress(ProcessLookupError):
                    spy.kill()
                await spy.wait()
        return {name: summarise(self.path(name)) for name in self._spies if self.path(name).exists()}


def _py_spy() -> str:
    """py-spy of this environment (installed beside its python), else one on the PATH."""
    beside = Path(sys.executable).parent / "py-spy"
    found = str(beside) if beside.exists() else shutil.which("py-spy")
    if found is None:
        raise RuntimeError("py-spy not found: install the dev dependencies (make bench does)")
    return found


def _short(frame: str) -> str:
    """`func (/long/path/site-packages/pkg/mod.py:12)` as `func (pkg/mod.py:12)`."""
    for marker in ("site-packages/", "/work/main/", "/lib/python3"):
        if marker in frame:
            head, _, tail = frame.partition("(")
            return f"{head}({tail.split(marker, 1)[1]}"
    return frame


def summarise(path: Path, top: int = 15) -> Summary:
    inclusive: Counter[str] = Counter()
    self_time: Counter[str] = Counter()
    samples = 0
    for line in path.read_text(errors="replace").splitlines():
        stack, _, count_text = line.rpartition(" ")
        if not stack or not count_text.isdigit():
            continue
        count = int(count_text)
        frames = stack.split(";")
        samples += count
        self_time[_short(frames[-1])] += count
        for frame in set(frames):
            if any(marker in frame for marker in PROJECT_CODE) and not any(f in frame for f in EVERYWHERE):
                inclusive[_short(frame)] += count
    share = 1 / samples if samples else 0
    return Summary(samples, [(n * share, f) for f, n in inclusive.most_common(top)],
                   [(n * share, f) for f, n in self_time.most_common(top)])
