"""Log to stderr and to the rule's log file, so per-epoch progress, and the reason a job failed, show in `logs/`."""

import logging
import sys
from types import TracebackType

from ablation.core.errors import InputError

log = logging.getLogger("ablation")


def setup(log_file: str | None = None) -> None:
    """Log to stderr and `log_file`; if the job fails, its last line there says why."""
    handlers: list[logging.Handler] = [logging.StreamHandler(sys.stderr)]
    if log_file:
        handlers.append(logging.FileHandler(log_file, mode="w"))
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s", handlers=handlers, force=True)
    sys.excepthook = report_failure


def report_failure(kind: type[BaseException], error: BaseException, trace: TracebackType | None) -> None:
    """Bad input is one line naming the problem and the fix; anything else keeps its traceback. Both go to the log
    file as well as the terminal."""
    if isinstance(error, InputError):
        log.error("Bad input: %s", error)
    else:
        log.error("failed with %s", kind.__name__, exc_info=(kind, error, trace))
