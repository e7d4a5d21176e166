# vistrend: one entry point per job. Every target reads the same environment variables:
#   VISTREND_DATA_DIR  outputs (warehouse.duckdb, marts/, runs/), default ./data
#   MIMIC_IV_DIR       raw MIMIC-IV layout (hosp/, icu/), default the synthetic data
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c

VENV   := $(CURDIR)/.venv
PY     := $(VENV)/bin/python
DBT    := $(VENV)/bin/dbt

VISTREND_DATA_DIR ?= $(CURDIR)/data
MIMIC_IV_DIR      ?= $(VISTREND_DATA_DIR)/raw/synthetic
# absolute, so dbt (run inside dbt_project/) and the pipelines agree on relative paths given by the user
override VISTREND_DATA_DIR := $(abspath $(VISTREND_DATA_DIR))
override MIMIC_IV_DIR      := $(abspath $(MIMIC_IV_DIR))
export VISTREND_DATA_DIR MIMIC_IV_DIR
export DBT_SEND_ANONYMOUS_USAGE_STATS := false
export DBT_PROFILES_DIR := $(CURDIR)/dbt_project
STAYS ?=

.PHONY: setup synthetic warehouse train demo test clean

# torch first, pinned: the CPU wheel; an unpinned torch pulls several GB of CUDA packages
setup:
	python3 -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet torch==2.13.0
	$(VENV)/bin/pip install --quiet -e '.[dev]'
	@echo "setup done: $(VENV)"

synthetic:
	$(PY) pipelines/synthesize.py --out $(VISTREND_DATA_DIR)/raw/synthetic $(if $(STAYS),--stays $(STAYS),)

# COHORT=p12_style builds the marts for the PhysioNet-2012-style cohort (default: the paper's; docs/warehouse.md)
COHORT ?=
warehouse:
	mkdir -p $(VISTREND_DATA_DIR)
	cd dbt_project && $(DBT) build --exclude-resource-type unit_test $(if $(COHORT),--vars '{cohort: $(COHORT)}',)
	@echo "marts: $(VISTREND_DATA_DIR)/marts/  warehouse: $(VISTREND_DATA_DIR)/warehouse.duckdb"

train:
	$(PY) pipelines/train.py

demo: synthetic warehouse
	$(PY) pipelines/train.py --ablations
	@echo "report: $(VISTREND_DATA_DIR)/runs/latest/report.md"

test:
	$(PY) -m pytest

clean:
	rm -rf $(VISTREND_DATA_DIR)/marts $(VISTREND_DATA_DIR)/staging $(VISTREND_DATA_DIR)/duckdb_tmp \
	       $(VISTREND_DATA_DIR)/runs $(VISTREND_DATA_DIR)/warehouse.duckdb* \
	       $(VISTREND_DATA_DIR)/raw/synthetic dbt_project/target dbt_project/logs

# PhysioNet 2012: ingest every set in P12_DIR, build the P12 marts, train (docs/physionet2012.md).
#   make physionet2012 [P12_DIR=...] [VISTREND_DATA_DIR=...] [ABLATIONS=1] [P12_HOLDOUT=b] [P12_TRAIN_ARGS='--epochs 5']
# Outputs go to data/physionet2012 unless another VISTREND_DATA_DIR is given (the marts share MIMIC's file names).
P12_DIR ?= $(CURDIR)/../shared/data/physionet2012
P12_HOLDOUT ?=
P12_TRAIN_ARGS ?=
ABLATIONS ?=
# the default data dir (MIMIC-IV's) is swapped for data/physionet2012 so MIMIC outputs are not clobbered
P12_DATA_DIR := $(if $(filter $(abspath $(CURDIR)/data),$(abspath $(VISTREND_DATA_DIR))),$(CURDIR)/data/physionet2012,$(abspath $(VISTREND_DATA_DIR)))
.PHONY: physionet2012
P12_ENV := VISTREND_DATA_DIR=$(P12_DATA_DIR) P12_RAW_DIR=$(P12_DATA_DIR)/raw/physionet2012
physionet2012:
	mkdir -p $(P12_DATA_DIR)
	$(P12_ENV) $(PY) pipelines/ingest_physionet2012.py $(P12_DIR) --out $(P12_DATA_DIR)/raw/physionet2012
	cd dbt_project && $(P12_ENV) $(DBT) build --vars '{source: physionet2012}'
	$(P12_ENV) $(PY) pipelines/train.py --marts $(P12_DATA_DIR)/marts --out $(P12_DATA_DIR)/runs \
	    --warehouse $(P12_DATA_DIR)/warehouse.duckdb $(if $(ABLATIONS),--ablations,) \
	    $(if $(P12_HOLDOUT),--set split.holdout_column=set_name --set split.holdout_values=$(P12_HOLDOUT),) \
	    $(P12_TRAIN_ARGS)
	@echo "report: $(P12_DATA_DIR)/runs/latest/report.md"

# Scale benchmark (issue 5, docs/scaling.md): synthetic realistic profile at SCALE x 94,458 stays ->
# warehouse -> paper recipe -> SHAP; JSON under $(VISTREND_DATA_DIR)/bench/. A MIMIC_IV_DIR other than
# the default synthetic one is benchmarked as is (no generation).
#   make bench [SCALE=0.1] [BENCH_ARGS='--phases synth,warehouse --format parquet']
SCALE ?= 0.1
BENCH_ARGS ?=
.PHONY: bench
bench:
	$(PY) bench/bench_scale.py --scale $(SCALE) \
	    $(if $(filter-out $(VISTREND_DATA_DIR)/raw/synthetic,$(MIMIC_IV_DIR)),--mimic-iv-dir $(MIMIC_IV_DIR),) $(BENCH_ARGS)
