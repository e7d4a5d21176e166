"""The entry points, one per job: train, predict, synthesize, ingest_physionet2012.

Installed as the console scripts vistrend-train, vistrend-predict, vistrend-synthesize and
vistrend-ingest-physionet2012 ([project.scripts]); `python pipelines/<name>.py` works the same
(the Makefile and docs use it). They share pipelines/cli.py.
"""
