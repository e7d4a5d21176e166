"""What the four entry points share: OpenMP defaults, one-line argument errors and warnings, and
one error line with exit code 2 for every failure (docs/reliability-python.md).

Import this before torch (it imports nothing heavy): `prefer_short_openmp_spin()` must run first.
Set VISTREND_TRACEBACK=1 to get the full traceback of an unexpected error as well.
"""
from __future__ import annotations

import argparse
import errno
import os
import sys
import traceback
import warnings
from collections.abc import Callable, Sequence

EXIT_FAILURE = 2
EXIT_INTERRUPTED = 130


def prefer_short_openmp_spin() -> None:
    """OpenMP idle threads spin ~0.1 ms (GOMP_SPINCOUNT 10000), then sleep: on 2 idle cores the
    second torch thread then halves a training step (sleeping at once, PASSIVE, made it useless; the
    default long spin made steps 7-10x slower when another process held a core). On a busy machine
    set OMP_WAIT_POLICY=PASSIVE (docs/modeling.md, Speed). Must run before `import torch`."""
    if "OMP_WAIT_POLICY" not in os.environ:
        os.environ.setdefault("GOMP_SPINCOUNT", "10000")


class OneLineParser(argparse.ArgumentParser):
    """argparse with a one-line usage error (exit 2) instead of usage + error."""

    def error(self, message):
        self.exit(EXIT_FAILURE, f"{self.prog}: error: {message} (see --help)\n")


def _one_line_warning(message, category, filename, lineno, file=None, line=None):
    print(f"warning: {' '.join(str(message).split())}", file=sys.stderr if file is None else file, flush=True)


_OS_WHAT = {
    errno.ENOSPC: "no space left on the device (disk full)",
    errno.EROFS: "read-only file system",
    errno.EACCES: "permission denied",
    errno.EPERM: "operation not permitted",
    errno.ENOENT: "not found",
    errno.ENOTDIR: "a path component is a file, not a folder",
    errno.EISDIR: "is a folder, expected a file",
    errno.EEXIST: "already exists",
    errno.EDQUOT: "disk quota exceeded",
}


def _is_duckdb(error: BaseException) -> bool:
    return type(error).__module__.lstrip("_").startswith("duckdb")  # without importing duckdb


def describe(error: BaseException) -> str:
    """One line for an error: `<path>: <what>` where the error names a path."""
    if isinstance(error, OSError) and error.errno is not None:
        what = _OS_WHAT.get(error.errno, error.strerror or str(error))
        paths = [p for p in (error.filename, error.filename2) if p]
        return f"{' -> '.join(map(str, paths))}: {what}" if paths else what
    if isinstance(error, MemoryError):
        return "out of memory"
    if _is_duckdb(error):
        text = str(error)
        if "Could not set lock on file" in text:
            start = text.find('"') + 1
            path = text[start:text.find('"', start)] if start else "the warehouse"
            return f"{path}: locked by another process (close other DuckDB sessions on it and retry)"
        return text.strip().splitlines()[0] if text.strip() else type(error).__name__
    text = " ".join(str(error).split())
    return text or type(error).__name__


def run(main: Callable[[Sequence[str] | None], int], argv: Sequence[str] | None = None, prog: str | None = None,
        expected: tuple[type[BaseException], ...] = ()) -> int:
    """Run an entry point: its own return code, or one `prog: error: ...` line and exit 2 on failure.

    `expected`: the errors that are the user's data or arguments (messages already name the file);
    anything else is printed as one line too, with its exception type, since it may be a bug.
    """
    prog = prog or os.path.basename(sys.argv[0])
    warnings.showwarning = _one_line_warning
    try:
        return main(argv)
    except KeyboardInterrupt:
        print(f"{prog}: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except Exception as error:  # noqa: BLE001 -- every failure is one line; VISTREND_TRACEBACK=1 shows the rest
        known = isinstance(error, (OSError, MemoryError, *expected)) or _is_duckdb(error)
        hint = "" if known else f" ({type(error).__name__}; VISTREND_TRACEBACK=1 shows where)"
        print(f"{prog}: error: {describe(error)}{hint}", file=sys.stderr)
        _traceback_if_asked()
        return EXIT_FAILURE


def _traceback_if_asked() -> None:
    if os.environ.get("VISTREND_TRACEBACK"):
        traceback.print_exc()
