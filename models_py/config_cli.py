"""The command line of pipelines/train.py is the Config: every field is a flag (tyro), --help shows
each with its default and doc.

    train.py --student.lr 5e-4 --run.seeds 3 --teacher.heads untrained --run.no-shap

The short flags of earlier versions keep working and are read first by an argparse pre-pass:
--config FILE (JSON/TOML, or a run's config.json to rerun it), --set KEY=VALUE (repeatable),
--epochs N (the MAE, teacher probe and student epochs), --seed, --device, --ablations, --seeds N,
--no-shap, --validation SCHEME (= --set split.validation=SCHEME: split, kfold:K, group:COLUMN,
temporal:COLUMN), and --marts/--out/--warehouse (= --run.marts/--run.out/--run.warehouse).
Precedence: defaults < --config < --set < short flags < --section.field flags.
"""
from __future__ import annotations

import argparse
import io
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

from pydantic import ValidationError

from . import config
from .config import Config, config_from_dict, load_config, one_line

SHORT_FLAGS = ("short flags: --config FILE, --set KEY=VALUE, --epochs N (mae, teacher, student), --seed N, "
               "--device D, --ablations, --seeds N, --no-shap, --validation SCHEME, --marts/--out/--warehouse PATH")


class _ShortFlags(argparse.ArgumentParser):
    """The pre-pass: a bad short flag is a ValueError (one line), not usage text and an exit."""

    def error(self, message):
        raise ValueError(f"{message} (see --help)")


def _pre_parser() -> argparse.ArgumentParser:
    parser = _ShortFlags(add_help=False, allow_abbrev=False)  # --help goes on to tyro
    parser.add_argument("--config", type=Path)
    parser.add_argument("--set", dest="overrides", action="append", default=[])
    parser.add_argument("--epochs", type=int)
    parser.add_argument("--seed", type=int)
    parser.add_argument("--device")
    parser.add_argument("--ablations", action=argparse.BooleanOptionalAction, default=None)
    parser.add_argument("--seeds", type=int)
    parser.add_argument("--no-shap", action="store_true", default=None)
    parser.add_argument("--validation")  # = --set split.validation=X
    for name in ("marts", "out", "warehouse"):
        parser.add_argument(f"--{name}", type=Path)
    return parser


def cli_config(argv: list[str] | None, data_dir: Path | None = None, prog: str = "train",
               description: str = "") -> Config:
    """The Config of a command line (ValueError, one line, on a bad value; --help exits 0).

    data_dir: where marts/, runs/ and warehouse.duckdb default to (default $VISTREND_DATA_DIR).
    """
    args, rest = _pre_parser().parse_known_args(argv)
    overrides = list(args.overrides)
    if args.epochs is not None:
        overrides += [f"{stage}.epochs={args.epochs}" for stage in ("mae", "teacher", "student")]
    overrides += [f"{key}={value}" for key, value in (("seed", args.seed), ("device", args.device),
                                                      ("run.seeds", args.seeds),
                                                      ("split.validation", args.validation)) if value is not None]
    data_dir = data_dir or config.data_dir()
    base = Config().with_run(marts=data_dir / "marts", out=data_dir / "runs", warehouse=data_dir / "warehouse.duckdb")
    cfg = load_config(args.config, overrides, base=base)
    run = {"ablations": args.ablations, "shap": False if args.no_shap else None,
           "marts": args.marts, "out": args.out, "warehouse": args.warehouse}
    cfg = cfg.with_run(**{key: value for key, value in run.items() if value is not None})
    return _tyro(cfg, rest, prog, f"{description}\n\n{SHORT_FLAGS}".strip()) if rest else cfg


def _tyro(base: Config, args: list[str], prog: str, description: str) -> Config:
    import tyro  # only when --section.field flags or --help are given

    captured = io.StringIO()
    try:
        with redirect_stderr(captured), redirect_stdout(captured):
            cfg = tyro.cli(Config, args=args, default=base, prog=prog, description=description)
    except SystemExit as stop:
        if not stop.code:  # --help
            print(captured.getvalue(), end="")
            raise
        raise ValueError(f"{_first_message(captured.getvalue())} (see --help)") from None
    except ValidationError as error:
        raise ValueError(one_line(error)) from None
    return config_from_dict({}, cfg, source="command line")


def _first_message(text: str) -> str:
    """tyro's boxed error (unicode or ASCII borders) -> the paragraph under its title, on one line."""
    paragraphs, current = [], []
    for line in text.splitlines():
        inner = line.strip().strip("│╭╮╰╯─-+| ").strip()
        border = line.strip().startswith(("╭", "╰")) or not inner
        if inner and not border:
            current.append(inner)
            continue
        if current:
            paragraphs.append(" ".join(current))
        current = [inner] if inner else []  # a top border holds the title
    if current:
        paragraphs.append(" ".join(current))
    return paragraphs[min(1, len(paragraphs) - 1)] if paragraphs else "invalid arguments (see --help)"
