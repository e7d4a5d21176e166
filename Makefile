# vistrend: one entry point per job. Every target reads the same environment variables:
#   VISTREND_DATA_DIR  outputs (warehouse.duckdb, marts/, runs/), default ./data
#   MIMIC_IV_DIR       raw MIMIC-IV layout (hosp/, icu/), default the synthetic data
SHELL := /bin/bash
.ONESHELL:
.SHELLFLAGS := -eu -o pipefail -c

VENV   := $(CURDIR)/.venv
PY     := $(VENV)/bin/python
DBT    := $(VENV)/bin/dbt

export VISTREND_DATA_DIR ?= $(CURDIR)/data
export MIMIC_IV_DIR      ?= $(VISTREND_DATA_DIR)/raw/synthetic
export DBT_SEND_ANONYMOUS_USAGE_STATS := false
export DBT_PROFILES_DIR := $(CURDIR)/dbt_project
# idle OpenMP threads must sleep, not spin: spinning made 2-core torch steps 7-10x slower
export OMP_WAIT_POLICY := PASSIVE
STAYS ?=

.PHONY: setup synthetic warehouse train demo test clean

setup:
	python3 -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	# the local CPU wheel; an unpinned torch pulls several GB of CUDA packages
	$(VENV)/bin/pip install --quiet torch==2.13.0
	$(VENV)/bin/pip install --quiet -e '.[dev]'
	@echo "setup done: $(VENV)"

synthetic:
	$(PY) pipelines/synthesize.py --out $(VISTREND_DATA_DIR)/raw/synthetic $(if $(STAYS),--stays $(STAYS),)

warehouse:
	mkdir -p $(VISTREND_DATA_DIR)
	cd dbt_project && $(DBT) build
	@echo "marts: $(VISTREND_DATA_DIR)/marts/  warehouse: $(VISTREND_DATA_DIR)/warehouse.duckdb"

train:
	$(PY) pipelines/train.py

demo: synthetic warehouse
	$(PY) pipelines/train.py --ablations
	@echo "report: $(VISTREND_DATA_DIR)/runs/latest/report.md"

test:
	$(PY) -m pytest

clean:
	rm -rf $(VISTREND_DATA_DIR)/marts $(VISTREND_DATA_DIR)/runs $(VISTREND_DATA_DIR)/warehouse.duckdb* \
	       $(VISTREND_DATA_DIR)/raw/synthetic dbt_project/target dbt_project/logs
