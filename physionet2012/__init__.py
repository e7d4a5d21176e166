"""PhysioNet/CinC Challenge 2012 ingest: the challenge's text files -> long-format Parquet.

See docs/physionet2012.md. The dbt models under dbt_project/models/physionet2012/ read what
`ingest()` writes.
"""
from physionet2012.ingest import IngestResult, ingest, ingest_records
from physionet2012.parser import DESCRIPTORS, SKIP_RULES, P12FormatError, ParsedRecord, parse_record

__all__ = ["DESCRIPTORS", "SKIP_RULES", "IngestResult", "P12FormatError", "ParsedRecord", "ingest", "ingest_records",
           "parse_record"]
