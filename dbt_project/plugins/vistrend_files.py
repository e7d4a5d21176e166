"""dbt-duckdb plugin: the file-system checks and moves the warehouse build needs, as DuckDB functions.

Registered in profiles.yml (`plugins: [{module: vistrend_files}]`); `configure_connection` adds these
functions to every connection dbt opens, so macros and hooks call them from SQL:

    vistrend_verify_start(raw_path)         start verifying a raw file in a background thread; returns the path
    vistrend_verify_wait(raw_path, staged)  wait for it; on a truncated or corrupt file, remove the staged
                                            Parquet written from it and raise one line naming the raw file
    vistrend_check_mimic_dir(dir)           MIMIC_IV_DIR exists and holds hosp/ and icu/, or raise saying so
    vistrend_check_p12_dir(dir)             the PhysioNet 2012 ingest output exists, or raise saying so
                                            (both remove the warehouse file this run just created)
    vistrend_remove_file(path)              remove a file if it exists (a staged file built from bad rows)
    vistrend_publish_marts(data_dir, build_id, carry_json, keep)
                                            write the build's _manifest.json, switch <data_dir>/marts to it
                                            atomically, keep the last `keep` builds (docs/reliability.md)
    vistrend_discard_build(data_dir, build_id)  remove an unpublished (failed) build folder

Raw file verification (why: DuckDB reads a gzip without checking its trailer, so a file cut at a line
boundary builds green with part of its rows): a gzip is decompressed member by member and each member's
CRC32 and ISIZE are checked (isal.igzip does this at several hundred MB/s); a Parquet file must end in
its footer magic with a metadata length that fits the file, and pyarrow must parse the footer. Plain
.csv files carry no checksum and are not verified. The check runs in a thread beside DuckDB's own read
of the file (isal releases the GIL), so it adds little wall time.

Marts as one set: parquet_mart writes every mart of a run into <data_dir>/mart_builds/<invocation_id>/
(with an `_unfinished` marker), and only the on-run-end hook of a run where nothing failed publishes it.
"""
from __future__ import annotations

import datetime as _dt
import hashlib
import json
import os
import shutil
import struct
import threading
import zlib
from pathlib import Path

from dbt.adapters.duckdb.plugins import BasePlugin

MANIFEST = "_manifest.json"
UNFINISHED = "_unfinished"
BUILDS = "mart_builds"
_CHUNK = 1 << 24

_pending: dict[str, threading.Thread] = {}
_problems: dict[str, str | None] = {}
_lock = threading.Lock()


class RawFileError(ValueError):
    """A raw file is truncated or corrupt (the message names it, never its content)."""


# --------------------------------------------------------------------------------------------
# raw files

def verify_gzip(path: str) -> None:
    """Decompress every member of a gzip file, checking each CRC32 and ISIZE; raise RawFileError."""
    from isal import igzip

    try:
        with igzip.open(path, "rb") as handle:
            while handle.read(_CHUNK):
                pass
    except EOFError:
        raise RawFileError(f"{path}: truncated gzip file (it ends before its end-of-stream marker); "
                           "copy or download it again") from None
    except (OSError, zlib.error, ValueError) as error:  # BadGzipFile is an OSError; isal raises IsalError (OSError)
        raise RawFileError(f"{path}: corrupt gzip file ({_reason(error)}); copy or download it again") from None


def verify_parquet(path: str) -> None:
    """Footer magic, metadata length within the file, and a footer pyarrow can parse; raise RawFileError."""
    import pyarrow.parquet as pq

    size = os.path.getsize(path)
    with open(path, "rb") as handle:
        head = handle.read(4)
        handle.seek(max(size - 8, 0))
        tail = handle.read(8)
    if size < 12 or head != b"PAR1" or tail[4:] != b"PAR1":
        raise RawFileError(f"{path}: truncated or corrupt Parquet file (no footer magic); copy or download it again")
    (meta_len,) = struct.unpack("<I", tail[:4])
    if meta_len + 12 > size:
        raise RawFileError(f"{path}: truncated or corrupt Parquet file (footer longer than the file); "
                           "copy or download it again")
    try:
        pq.read_metadata(path)
    except Exception as error:  # noqa: BLE001 -- any parse failure is a corrupt footer
        raise RawFileError(f"{path}: corrupt Parquet footer ({_reason(error)}); copy or download it again") from None


def verify_raw_file(path: str) -> None:
    if path.endswith(".gz"):
        verify_gzip(path)
    elif path.endswith(".parquet"):
        verify_parquet(path)


def _reason(error: BaseException) -> str:
    return " ".join(str(error).split())[:200] or type(error).__name__


def verify_start(path: str) -> str:
    """Start verifying `path` in a background thread (once per path until waited for)."""
    def work():
        try:
            verify_raw_file(path)
            problem = None
        except RawFileError as error:
            problem = str(error)
        except OSError as error:
            problem = f"{path}: cannot be read ({_reason(error)})"
        with _lock:
            _problems[path] = problem

    with _lock:
        if path not in _pending:
            _problems.pop(path, None)
            thread = threading.Thread(target=work, name=f"verify {os.path.basename(path)}", daemon=True)
            _pending[path] = thread
            thread.start()
    return path


def verify_wait(path: str, staged: str) -> str:
    """Wait for the verification of `path`; when it failed, remove `staged` and raise."""
    with _lock:
        thread = _pending.get(path)
    if thread is None:
        verify_start(path)
        with _lock:
            thread = _pending[path]
    thread.join()
    with _lock:
        _pending.pop(path, None)
        problem = _problems.pop(path, None)
    if problem:
        remove_file(staged)
        raise RawFileError(problem)
    return path


def remove_file(path: str) -> str:
    if path and os.path.isfile(path):
        os.remove(path)
    return path


_fresh_database: str | None = None  # the warehouse file this process created on connecting, if any


def _input_error(message: str) -> RawFileError:
    """A missing input folder: the warehouse file this run created is removed, so nothing is left behind."""
    if _fresh_database:
        for path in (_fresh_database, _fresh_database + ".wal"):
            remove_file(path)
    return RawFileError(message)


def check_mimic_dir(path: str) -> str:
    """MIMIC_IV_DIR must exist and hold hosp/ and icu/ (one clear line otherwise)."""
    folder = Path(path)
    if not folder.is_dir():
        raise _input_error(f"nothing to read: MIMIC_IV_DIR {path} does not exist (or is not a folder): run "
                           "`make synthetic` (synthetic MIMIC-IV-shaped data) or point MIMIC_IV_DIR at the MIMIC-IV "
                           "folder that holds both hosp/ and icu/")
    missing = [name for name in ("hosp", "icu") if not (folder / name).is_dir()]
    if missing:
        hint = (" (it is itself a module folder)" if folder.name in ("hosp", "icu") else "")
        raise _input_error(f"MIMIC_IV_DIR {path} has no {' or '.join(n + '/' for n in missing)}{hint}: "
                           "point MIMIC_IV_DIR at the folder that holds both hosp/ and icu/")
    return path


def check_p12_dir(path: str) -> str:
    """The PhysioNet 2012 ingest output must exist (one clear line otherwise)."""
    if not (Path(path) / "observations.parquet").is_file():
        raise _input_error(f"P12_RAW_DIR {path} holds no observations.parquet: run pipelines/ingest_physionet2012.py "
                           "(or make physionet2012) first, or point P12_RAW_DIR at its output")
    return path


# --------------------------------------------------------------------------------------------
# marts as one set

def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _rows(path: Path) -> int:
    import pyarrow.parquet as pq

    return pq.read_metadata(path).num_rows


def publish_marts(data_dir: str, build_id: str, carry_json: str, keep: int) -> str:
    """Publish <data_dir>/mart_builds/<build_id> as <data_dir>/marts; return the published folder.

    carry_json: JSON list of the mart names this project builds; those not rebuilt by this run (a
    partial --select) are hard-linked from the set published now, so the new set is complete.
    """
    data = Path(data_dir)
    builds = data / BUILDS
    build = builds / build_id
    link = data / "marts"
    if not build.is_dir():
        return ""
    current = link.resolve() if link.exists() else None
    for name in json.loads(carry_json or "[]"):
        target = build / f"{name}.parquet"
        source = current / f"{name}.parquet" if current else None
        if not target.exists() and source is not None and source.is_file():
            try:
                os.link(source, target)
            except OSError:
                shutil.copy2(source, target)
    files = {}
    for path in sorted(build.glob("*.parquet")):
        files[path.name] = {"bytes": path.stat().st_size, "sha256": _sha256(path), "rows": _rows(path)}
    manifest = {"build_id": build_id, "published_at": _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds"),
                "files": files}
    tmp = build / (MANIFEST + ".tmp")
    tmp.write_text(json.dumps(manifest, indent=1) + "\n")
    os.replace(tmp, build / MANIFEST)
    remove_file(str(build / UNFINISHED))

    # marts from before this layout (a real folder): kept as a build of its own, then replaced by the link
    if link.is_dir() and not link.is_symlink():
        os.replace(link, builds / f"legacy-{_dt.datetime.now():%Y%m%dT%H%M%S}")
    tmp_link = data / f".marts.{build_id}.tmp"
    if tmp_link.is_symlink():
        tmp_link.unlink()
    os.symlink(os.path.join(BUILDS, build_id), tmp_link)  # relative: the data folder can be moved
    os.replace(tmp_link, link)  # rename(2) over the old link: readers see the old set or the new, never a mix
    _prune(builds, keep, published=build)
    return str(build)


def _prune(builds: Path, keep: int, published: Path) -> None:
    """Keep the live build and the `keep - 1` published before it (marts from before this layout count as
    published); remove the rest, unfinished builds of failed or killed runs included."""
    def published_at(path: Path) -> float:
        return (path / MANIFEST).stat().st_mtime if (path / MANIFEST).exists() else path.stat().st_mtime

    others = [p for p in builds.iterdir() if p.is_dir() and p != published]
    done = sorted((p for p in others if (p / MANIFEST).exists() or p.name.startswith("legacy-")),
                  key=published_at, reverse=True)
    kept = set(done[:max(keep - 1, 0)])
    for path in others:
        if path not in kept:
            shutil.rmtree(path, ignore_errors=True)


def discard_build(data_dir: str, build_id: str) -> str:
    """Remove an unpublished build folder (a failed run's marts); the published set is untouched."""
    build = Path(data_dir) / BUILDS / build_id
    if build.is_dir() and not (build / MANIFEST).exists():
        shutil.rmtree(build, ignore_errors=True)
    return str(build)


def begin_build(folder: str) -> str:
    """Create a build folder with its `_unfinished` marker (train.py refuses a folder that has it)."""
    path = Path(folder)
    path.mkdir(parents=True, exist_ok=True)
    marker = path / UNFINISHED
    if not marker.exists() and not (path / MANIFEST).exists():
        marker.write_text("this build has not finished: its marts are not a published set\n")
    return folder


class Plugin(BasePlugin):
    def update_connection_config(self, creds, config):
        global _fresh_database
        path = str(creds.path)
        _fresh_database = None if path == ":memory:" or os.path.exists(path) else os.path.abspath(path)

    def configure_connection(self, conn):
        varchar = "VARCHAR"
        functions = {
            "vistrend_verify_start": (verify_start, [varchar]),
            "vistrend_verify_wait": (verify_wait, [varchar, varchar]),
            "vistrend_check_mimic_dir": (check_mimic_dir, [varchar]),
            "vistrend_check_p12_dir": (check_p12_dir, [varchar]),
            "vistrend_remove_file": (remove_file, [varchar]),
            "vistrend_begin_build": (begin_build, [varchar]),
            "vistrend_publish_marts": (publish_marts, [varchar, varchar, varchar, "INTEGER"]),
            "vistrend_discard_build": (discard_build, [varchar, varchar]),
        }
        for name, (function, params) in functions.items():
            conn.create_function(name, function, params, varchar, side_effects=True)
