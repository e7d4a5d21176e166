"""report.html is one self-contained file: figures inlined, no external URL, well-formed."""
from html.parser import HTMLParser

import pytest

from models_py.html_report import render_html

PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
       b"\x00\x00\x00\rIDATx\x9cc\xf8\xff\xff?\x00\x05\xfe\x02\xfe\xa7V\xbd\xfa\x00\x00\x00\x00IEND\xaeB`\x82")


class _Collect(HTMLParser):
    def __init__(self):
        super().__init__()
        self.urls, self.tags, self.open = [], [], []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.urls += [v for k, v in attrs if k in ("src", "href")]
        if tag not in ("img", "meta", "br", "hr"):
            self.open.append(tag)

    def handle_startendtag(self, tag, attrs):  # <img ... /> opens and closes at once
        self.tags.append(tag)
        self.urls += [v for k, v in attrs if k in ("src", "href")]

    def handle_endtag(self, tag):
        assert self.open.pop() == tag


def test_report_html_is_self_contained(tmp_path):
    (tmp_path / "roc.png").write_bytes(PNG)
    text = "# Report\n\n| model | AUROC |\n|---|---|\n| full | 0.81 |\n\n![ROC](roc.png)\n"
    page = render_html(text, tmp_path, "run 1")
    parser = _Collect()
    parser.feed(page)
    assert parser.open == []  # every element closed
    assert {"table", "img", "h1"} <= set(parser.tags)
    assert parser.urls and all(url.startswith("data:image/png;base64,") for url in parser.urls)
    assert "http://" not in page and "https://" not in page


@pytest.mark.parametrize("link", ["https://example.org/x.png", "../outside.png", "notes.txt"])
def test_links_outside_the_run_are_refused(tmp_path, link):
    (tmp_path / "notes.txt").write_text("x")
    with pytest.raises(ValueError, match="expected a figure file inside the run directory"):
        render_html(f"![x]({link})\n", tmp_path, "run")
