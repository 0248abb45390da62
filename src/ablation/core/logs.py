"""Log to stderr and to the rule's log file, so progress (`Progress`), and the reason a job failed, show in `logs/`."""

from __future__ import annotations

import atexit
import logging
import resource
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from types import TracebackType

from ablation.core.errors import InputError

log = logging.getLogger("ablation")


# The last line of a job's log when it succeeds: the CPU time and peak memory the kernel counted (`job_usage`).
USAGE = "job usage:"
_job = {"failed": False, "usage_hook": False}


def setup(log_file: str | None = None) -> None:
    """Log to stderr and `log_file`; if the job fails, its last line there says why, and if it succeeds, what it used
    (`USAGE`)."""
    handlers: list[logging.Handler] = [logging.StreamHandler(sys.stderr)]
    if log_file:
        handlers.append(logging.FileHandler(log_file, mode="w"))
        if not _job["usage_hook"]:
            atexit.register(log_usage)  # after logging's own exit hook, so it runs first: the log is still open
            _job["usage_hook"] = True
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s", handlers=handlers, force=True)
    sys.excepthook = report_failure


def job_usage() -> tuple[float, float]:
    """CPU seconds of this process and of the children it waited for, and the peak resident memory of the largest
    of them (MB): the kernel's own counts, where Snakemake's benchmark samples every 30 s."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime
    kib = 1024 if sys.platform == "darwin" else 1  # ru_maxrss: bytes on macOS, KiB on Linux
    return cpu, max(_own_peak_kib() or own.ru_maxrss / kib, children.ru_maxrss / kib) / 1024


def _own_peak_kib() -> float | None:
    """This process's peak resident memory since it started its program (Linux: VmHWM). Its ru_maxrss can be its
    parent's: a process started by vfork and exec keeps the parent's peak there."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return float(line.split()[1])
    except OSError:
        pass
    return None


def log_usage() -> None:
    if not _job["failed"]:
        cpu, peak = job_usage()
        log.info("%s cpu_s=%.3f max_rss_mb=%.1f", USAGE, cpu, peak)


def report_failure(kind: type[BaseException], error: BaseException, trace: TracebackType | None) -> None:
    """Bad input is one line naming the problem and the fix; anything else keeps its traceback. Both go to the log
    file as well as the terminal."""
    _job["failed"] = True
    if isinstance(error, InputError):
        log.error("Bad input: %s", error)
    else:
        log.error("failed with %s", kind.__name__, exc_info=(kind, error, trace))


def duration(seconds: float) -> str:
    """A duration as a person reads it: '0.4 s', '45 s', '3 min 05 s', '2 h 07 min'."""
    if seconds < 9.95:
        return f"{max(0.0, seconds):.1f} s"
    whole = round(seconds)
    if whole < 60:
        return f"{whole} s"
    if whole < 3600:
        return f"{whole // 60} min {whole % 60:02d} s"
    return f"{whole // 3600} h {whole // 60 % 60:02d} min"


def _amount(value: float) -> str:
    """A whole number as one (sums of fractions may miss it by a rounding error), else to a tenth."""
    return f"{round(value):,}" if abs(value - round(value)) < 1e-9 else f"{value:,.1f}"


def _rate(value: float) -> str:
    return f"{value:,.0f}" if value >= 100 else f"{value:.3g}"


class Progress:
    """Progress of one long job: a log line each time the work done crosses the next `every_fraction` of `total`
    and whenever `every_seconds` passed since the last line, whichever comes first, so that a job at paper scale
    is never silent for long. Each line: done/total, percent, elapsed time, rate and time left; the last (at
    100 %) says how long the whole took. The rate is the average since the start (steadier than the last step).
    Lines come only from calls: `advance` counts work (fractions too), `update` sets it, `tick` only looks at the
    clock; work that cannot call often enough runs under `heartbeat`. Thread-safe, for the heartbeat's thread."""

    def __init__(self, total: float, what: str, unit: str = "items", logger: logging.Logger = log,
                 every_fraction: float = 0.1, every_seconds: float = 60.0,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.total, self.what, self.unit, self.logger = total, what, unit, logger
        self.steps = max(1, round(1 / every_fraction))  # the marks: total * k / steps
        self.every_seconds, self.clock = every_seconds, clock
        self.done: float = 0
        self.start = self.last_line = clock()
        self.mark = 0  # the last mark a line was logged at
        self.finished = False
        self._lock = threading.Lock()

    def advance(self, amount: float = 1) -> None:
        with self._lock:
            self._set(self.done + amount)

    def update(self, done: float) -> None:
        """Set the work done so far (it never goes back)."""
        with self._lock:
            self._set(done)

    def tick(self) -> None:
        """A line if `every_seconds` passed since the last one, whatever the work done."""
        with self._lock:
            self._set(self.done)

    def _set(self, done: float) -> None:
        if self.finished:
            return
        self.done = max(self.done, done)
        now = self.clock()
        if self.done >= self.total or self._mark() > self.mark or now - self.last_line >= self.every_seconds:
            self._log(now)

    def finish(self) -> None:
        """The last line, if the work ended before its total (a t-SNE that converged early) and none came yet."""
        with self._lock:
            if not self.finished:
                self._log(self.clock(), early=self.done < self.total)

    def _mark(self) -> int:
        return int(self.done * self.steps // self.total) if self.total > 0 else self.steps

    def _log(self, now: float, early: bool = False) -> None:
        elapsed = now - self.start
        self.mark, self.last_line = self._mark(), now
        self.finished = early or self.done >= self.total
        percent = min(100, int(100 * self.done // self.total)) if self.total > 0 else 100
        line = (f"{self.what}: {_amount(self.done)}/{_amount(self.total)} {self.unit} ({percent} %) in "
                f"{duration(elapsed)}")
        rate = self.done / elapsed if elapsed > 0 else None
        if rate is not None:
            line += f", {_rate(rate)} {self.unit}/s"
        if early:
            line += ", finished"
        elif not self.finished:
            line += f", about {duration((self.total - self.done) / rate)} left" if rate else ", time left unknown"
        self.logger.info("%s", line)

    @contextmanager
    def heartbeat(self, interval: float = 1.0) -> Iterator[Progress]:
        """While the block runs, a thread ticks every `interval` seconds: a line at least every `every_seconds`
        even while a library call that reports nothing (t-SNE's neighbour search) runs."""
        stop = threading.Event()

        def beat() -> None:
            while not stop.wait(interval):
                self.tick()

        thread = threading.Thread(target=beat, name=f"progress of {self.what}", daemon=True)
        thread.start()
        try:
            yield self
        finally:
            stop.set()
            thread.join()
