# vistrend: one entry point per job. Every target reads the same environment variables:
#   VISTREND_DATA_DIR  outputs (warehouse.duckdb, marts/ -> mart_builds/<id>/, runs/, dbt_target/, dbt_logs/), default ./data
#   MIMIC_IV_DIR       raw MIMIC-IV layout (hosp/, icu/), default the synthetic data
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c

VENV   := $(CURDIR)/.venv
PY     := $(VENV)/bin/python
DBT    := $(VENV)/bin/dbt

VISTREND_DATA_DIR ?= $(CURDIR)/data
MIMIC_IV_DIR      ?= $(VISTREND_DATA_DIR)/raw/synthetic
export DBT_SEND_ANONYMOUS_USAGE_STATS := false
export DBT_PROFILES_DIR := $(CURDIR)/dbt_project
STAYS ?=

# Paths may hold spaces and apostrophes ("o'brien data"), so they never pass through make's word
# functions ($(abspath) would split them): a recipe line starting with $(PATHS) gets them quoted, made
# absolute by the shell (dbt runs inside dbt_project/), exported, and dbt's target/ and logs/ under the
# data folder (so two builds into different data folders never share them).
q = '$(subst ','\'',$(1))'
absolute = $(1)=$(call q,$($(1))); case "$$$(1)" in /*) ;; *) $(1)="$$PWD/$$$(1)";; esac; export $(1);
PATHS = $(call absolute,VISTREND_DATA_DIR) $(call absolute,MIMIC_IV_DIR) \
        export DBT_TARGET_PATH="$$VISTREND_DATA_DIR/dbt_target" DBT_LOG_PATH="$$VISTREND_DATA_DIR/dbt_logs";
PY_Q  = $(call q,$(PY))
DBT_Q = $(call q,$(DBT))

.PHONY: help setup synthetic warehouse train demo test lint clean
.DEFAULT_GOAL := help

help:
	@echo "vistrend: make <target> [VARIABLE=value ...]   (docs/architecture.md: what each step does)"
	@echo "  setup          create .venv and install the pinned packages (other targets do it when missing or stale)"
	@echo "  demo           the main job: synthetic data -> warehouse -> every model -> runs/latest/report.md"
	@echo "  test           make lint, then the test suite (needs ../shared/data for the demo tests, else skips)"
	@echo "  lint           ruff (Python) and sqlfluff (dbt models)"
	@echo "  synthetic      write synthetic MIMIC-IV-shaped raw files   [STAYS=n]"
	@echo "  warehouse      dbt build: staging -> concepts -> marts, published as one set   [COHORT=p12_style]"
	@echo "  train          train and evaluate on the marts"
	@echo "  physionet2012  ingest PhysioNet 2012, build its marts, train   [P12_DIR P12_HOLDOUT ABLATIONS P12_TRAIN_ARGS]"
	@echo "  bench          scale benchmark   [SCALE BENCH_ARGS]"
	@echo "  clean          remove the data folder's outputs"
	@echo "variables: VISTREND_DATA_DIR (outputs, default ./data), MIMIC_IV_DIR (raw MIMIC-IV: hosp/, icu/;"
	@echo "           default the synthetic data); paths may hold spaces and apostrophes"

# The environment as a prerequisite: created when missing, refreshed when pyproject.toml is newer (a relative
# stamp, so a checkout path with spaces is still a valid make target). torch first, pinned: the CPU wheel; an
# unpinned torch pulls several GB of CUDA packages.
STAMP := .venv/.installed
$(STAMP): pyproject.toml
	python3 -m venv $(call q,$(VENV))
	$(call q,$(VENV)/bin/pip) install --quiet --upgrade pip
	$(call q,$(VENV)/bin/pip) install --quiet torch==2.13.0
	$(call q,$(VENV)/bin/pip) install --quiet -e '.[dev]'
	touch $(STAMP)
	@echo "setup done: $(VENV)"

setup:
	rm -f $(STAMP)
	$(MAKE) --no-print-directory $(STAMP)

synthetic: $(STAMP)
	$(PATHS) $(PY_Q) pipelines/synthesize.py --out "$$VISTREND_DATA_DIR/raw/synthetic" $(if $(STAYS),--stays $(STAYS),)

# COHORT=p12_style builds the marts for the PhysioNet-2012-style cohort (default: the paper's; docs/warehouse.md)
COHORT ?=
warehouse: $(STAMP)
	$(PATHS) mkdir -p "$$VISTREND_DATA_DIR"
	$(PATHS) cd dbt_project && $(DBT_Q) build --exclude-resource-type unit_test $(if $(COHORT),--vars '{cohort: $(COHORT)}',)
	@$(PATHS) echo "marts: $$VISTREND_DATA_DIR/marts/  warehouse: $$VISTREND_DATA_DIR/warehouse.duckdb"

train: $(STAMP)
	$(PATHS) $(PY_Q) pipelines/train.py

demo: synthetic warehouse
	$(PATHS) $(PY_Q) pipelines/train.py --ablations --set eval.saliency_stays=500
	@$(PATHS) echo "report: $$VISTREND_DATA_DIR/runs/latest/report.md"

test: lint
	$(PATHS) $(PY_Q) -m pytest

lint: $(STAMP)
	$(call q,$(VENV)/bin/ruff) check .
	$(call q,$(VENV)/bin/sqlfluff) lint dbt_project/models --processes 2

clean:
	$(PATHS) cd "$$VISTREND_DATA_DIR" 2>/dev/null || exit 0; \
	    rm -rf marts mart_builds staging duckdb_tmp runs warehouse.duckdb* raw/synthetic dbt_target dbt_logs
	rm -rf dbt_project/target dbt_project/logs

# PhysioNet 2012: ingest every set in P12_DIR, build the P12 marts, train (docs/physionet2012.md).
#   make physionet2012 [P12_DIR=...] [VISTREND_DATA_DIR=...] [ABLATIONS=1] [P12_HOLDOUT=b] [P12_TRAIN_ARGS='--epochs 5']
# Outputs go to data/physionet2012 unless another VISTREND_DATA_DIR is given (the marts share MIMIC's file names).
P12_DIR ?= $(CURDIR)/../shared/data/physionet2012
P12_HOLDOUT ?=
P12_TRAIN_ARGS ?=
ABLATIONS ?=
.PHONY: physionet2012
# the default data dir (MIMIC-IV's) is swapped for data/physionet2012 so MIMIC outputs are not clobbered
P12_PATHS = $(PATHS) $(call absolute,P12_DIR) \
    if [ "$${VISTREND_DATA_DIR%/}" = "$$PWD/data" ]; then VISTREND_DATA_DIR="$$PWD/data/physionet2012"; fi; \
    export P12_RAW_DIR="$$VISTREND_DATA_DIR/raw/physionet2012" \
           DBT_TARGET_PATH="$$VISTREND_DATA_DIR/dbt_target" DBT_LOG_PATH="$$VISTREND_DATA_DIR/dbt_logs";
physionet2012: $(STAMP)
	$(P12_PATHS) mkdir -p "$$VISTREND_DATA_DIR"
	$(P12_PATHS) $(PY_Q) pipelines/ingest_physionet2012.py "$$P12_DIR" --out "$$P12_RAW_DIR"
	$(P12_PATHS) cd dbt_project && $(DBT_Q) build --vars '{source: physionet2012}'
	$(P12_PATHS) $(PY_Q) pipelines/train.py --marts "$$VISTREND_DATA_DIR/marts" --out "$$VISTREND_DATA_DIR/runs" \
	    --warehouse "$$VISTREND_DATA_DIR/warehouse.duckdb" $(if $(ABLATIONS),--ablations,) \
	    $(if $(P12_HOLDOUT),--set split.holdout_column=set_name --set split.holdout_values=$(P12_HOLDOUT),) \
	    $(P12_TRAIN_ARGS)
	@$(P12_PATHS) echo "report: $$VISTREND_DATA_DIR/runs/latest/report.md"

# Scale benchmark (issue 5, docs/scaling.md): synthetic realistic profile at SCALE x 94,458 stays ->
# warehouse -> paper recipe -> SHAP; JSON under $(VISTREND_DATA_DIR)/bench/. A MIMIC_IV_DIR other than
# the default synthetic one is benchmarked as is (no generation).
#   make bench [SCALE=0.1] [BENCH_ARGS='--phases synth,warehouse --format parquet']
SCALE ?= 0.1
BENCH_ARGS ?=
.PHONY: bench
bench: $(STAMP)
	$(PATHS) if [ "$$MIMIC_IV_DIR" != "$$VISTREND_DATA_DIR/raw/synthetic" ]; then set -- --mimic-iv-dir "$$MIMIC_IV_DIR"; fi; \
	    $(PY_Q) bench/bench_scale.py --scale $(SCALE) "$$@" $(BENCH_ARGS)
