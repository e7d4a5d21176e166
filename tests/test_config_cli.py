"""The config is the command line: short flags of earlier versions, every field as a flag, one-line
errors, and a run's config.json that reruns the run."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from models_py.config import Config, load_config
from models_py.config_cli import cli_config
from models_py.data import resolve_targets
from pipelines import train as train_cli


def test_short_flags_set_the_config_fields(tmp_path):
    cfg = cli_config(["--epochs", "3", "--seeds", "2", "--ablations", "--no-shap", "--seed", "7", "--device", "cpu",
                      "--marts", "m", "--out", "o", "--warehouse", "w.duckdb", "--set", "student.lr=5e-4"],
                     data_dir=tmp_path)
    assert (cfg.mae.epochs, cfg.teacher.epochs, cfg.student.epochs) == (3, 3, 3)
    assert (cfg.run.seeds, cfg.run.ablations, cfg.run.shap, cfg.seed, cfg.device) == (2, True, False, 7, "cpu")
    assert (cfg.run.marts, cfg.run.out, cfg.run.warehouse) == (Path("m"), Path("o"), Path("w.duckdb"))
    assert cfg.student.lr == 5e-4
    defaults = cli_config([], data_dir=tmp_path)
    assert (defaults.run.marts, defaults.run.out, defaults.run.warehouse) == \
        (tmp_path / "marts", tmp_path / "runs", tmp_path / "warehouse.duckdb")
    assert (defaults.run.ablations, defaults.run.seeds, defaults.run.shap) == (False, 1, True)


def test_every_field_is_a_flag_and_field_flags_win(tmp_path):
    cfg = cli_config(["--set", "student.lr=5e-4", "--student.lr", "2e-4", "--teacher.heads", "untrained",
                      "--data.score-columns", "sofa_first_day", "oasis", "--run.no-shap", "--epochs", "4",
                      "--mae.epochs", "1"], data_dir=tmp_path)
    assert (cfg.student.lr, cfg.teacher.heads, cfg.run.shap) == (2e-4, "untrained", False)
    assert cfg.data.score_columns == ["sofa_first_day", "oasis"]
    assert (cfg.mae.epochs, cfg.student.epochs) == (1, 4)


def test_help_shows_every_field_with_default_and_doc(tmp_path, capsys):
    with pytest.raises(SystemExit) as stop:
        cli_config(["--help"], data_dir=tmp_path)
    assert stop.value.code == 0
    text = capsys.readouterr().out
    for section, model in Config.model_fields.items():
        fields = getattr(model.annotation, "model_fields", None)
        names = [f"--{section}.{name.replace('_', '-')}" for name in fields] if fields else [f"--{section}"]
        for name in names:
            assert name in text, name
    assert "(default: 0.001)" in text and "--epochs N" in text  # defaults, and the short flags listed
    assert "primary binary label, a column of cohort.parquet" in text  # field docs


@pytest.mark.parametrize("argv, message", [
    (["--set", "student.lrr=1"], "--set: unknown config key 'lrr' in section student"),
    (["--set", "student.epochs=many"], "--set: config key 'student.epochs' expects int, got 'many'"),
    (["--set", "teacher.heads=sometimes"], "config key 'teacher.heads' expects one of 'untrained' or 'probe'"),
    (["--seeds", "0"], "config key 'run.seeds'"),
    (["--student.epochs", "many"], "--student.epochs"),
    (["--bogus"], "--bogus"),
])
def test_a_bad_argument_is_one_line_and_exit_2(argv, message, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("VISTREND_DATA_DIR", str(tmp_path))
    assert train_cli.main(argv) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("train: error: ") and message in err[0], err


def test_a_config_file_with_an_unknown_key_names_the_file_and_key(tmp_path):
    path = tmp_path / "c.toml"
    path.write_text('[student]\nlrr = 1\n')
    with pytest.raises(ValueError, match=f"{path}: unknown config key 'lrr' in section student"):
        load_config(path)


def test_resolve_targets_returns_a_new_config_and_leaves_the_given_one(tmp_path):
    import polars as pl

    from models_py.synthetic_marts import write_marts, write_metadata

    folder = write_metadata(write_marts(tmp_path / "marts", n_stays=60, seed=1))
    targets = pl.read_parquet(folder / "model_targets.parquet")
    targets.with_columns(role=pl.when(pl.col("target") == "icu_mortality").then(pl.lit("alternative"))
                         .when(pl.col("target") == "hospital_mortality").then(pl.lit("primary"))
                         .otherwise(pl.col("role"))).write_parquet(folder / "model_targets.parquet")
    cfg = Config()
    resolved, changes = resolve_targets(cfg.data, folder)
    assert changes == ["label_column=hospital_mortality"] and resolved.label_column == "hospital_mortality"
    assert cfg.data.label_column == "icu_mortality"


@pytest.mark.slow
def test_a_runs_config_json_reruns_it_with_the_same_metrics(small_run, tmp_path, capsys):
    run_dir, _ = small_run
    assert train_cli.main(["--config", str(run_dir / "config.json"), "--out", str(tmp_path / "runs"),
                           "--set", "run.warehouse=null"]) == 0
    rerun = Path(capsys.readouterr().out.strip().splitlines()[-1])
    first, second = (json.loads((d / "metrics.json").read_text()) for d in (run_dir, rerun))
    assert second["models"] == first["models"] and second["auroc_vs_full"] == first["auroc_vs_full"]
    config = json.loads((rerun / "config.json").read_text())
    assert config["data_fingerprint"] == json.loads((run_dir / "config.json").read_text())["data_fingerprint"]
    assert config["config"]["run"]["ablations"] is True  # the run section came from the file


def test_a_config_json_written_before_the_run_section_gets_it_from_the_runs_facts(small_run, tmp_path):
    run_dir, _ = small_run
    info = json.loads((run_dir / "config.json").read_text())
    del info["config"]["run"]
    (tmp_path / "config.json").write_text(json.dumps(info))
    cfg = load_config(tmp_path / "config.json")
    assert (str(cfg.run.marts), cfg.run.ablations, cfg.run.seeds) == (info["marts_dir"], True, 1)
    assert cfg.model_dump(exclude={"run"}) == load_config(run_dir / "config.json").model_dump(exclude={"run"})


def test_a_bad_short_flag_is_one_line(tmp_path):
    with pytest.raises(ValueError, match=r"argument --epochs: invalid int value: 'x' \(see --help\)"):
        cli_config(["--epochs", "x"], data_dir=tmp_path)
