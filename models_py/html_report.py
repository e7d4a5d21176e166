"""report.md -> report.html: one self-contained file (figures embedded, no network) a browser opens as is.

Markdown is rendered by markdown-it-py (CommonMark plus tables). Every image the report links is read
from the run directory and inlined as a base64 data URI; a link to anything outside the file is refused,
so the HTML never fetches from the network.
"""
from __future__ import annotations

import base64
import html
import re
from pathlib import Path

from markdown_it import MarkdownIt

_STYLE = """
body { font-family: system-ui, sans-serif; max-width: 60rem; margin: 2rem auto; padding: 0 1rem; color: #222;
       line-height: 1.45; }
table { border-collapse: collapse; margin: 1rem 0; font-size: 0.9rem; }
th, td { border: 1px solid #ccc; padding: 0.25rem 0.5rem; text-align: left; }
th { background: #f3f5f7; }
img { max-width: 100%; }
code { background: #f3f5f7; padding: 0 0.2rem; }
"""
_IMG = re.compile(r'<img src="([^"]+)"')
_MEDIA = {".png": "image/png", ".svg": "image/svg+xml", ".jpg": "image/jpeg", ".jpeg": "image/jpeg"}


def _inline_image(match: re.Match, run_dir: Path) -> str:
    source = html.unescape(match.group(1))
    path = (run_dir / source).resolve()
    if "://" in source or not path.is_relative_to(run_dir.resolve()) or path.suffix.lower() not in _MEDIA:
        raise ValueError(f"report.md links image {source!r}; expected a figure file inside the run directory")
    data = base64.b64encode(path.read_bytes()).decode("ascii")
    return f'<img src="data:{_MEDIA[path.suffix.lower()]};base64,{data}"'


def render_html(markdown_text: str, run_dir: str | Path, title: str) -> str:
    """The report as one HTML document with every figure embedded."""
    body = MarkdownIt("commonmark").enable("table").render(markdown_text)
    body = _IMG.sub(lambda m: _inline_image(m, Path(run_dir)), body)
    return (f"<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>{html.escape(title)}</title>"
            f"<style>{_STYLE}</style></head>\n<body>\n{body}</body></html>\n")
