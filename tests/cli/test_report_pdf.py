"""`wearable analyze --pdf` and `camera analyze --pdf`: the ergonomist's reports as PDFs made from
the same HTML."""

from __future__ import annotations

import html as html_lib
import io
import re

import pytest
from pypdf import PdfReader

from backcare.report.pdf import pdf_available
from backcare.wearable.cwa_writer import CwaWriter
from backcare.wearable.synthetic import simulate
from tests.wearable.sim import BACK, DAY, THIGH

pytestmark = pytest.mark.skipif(not pdf_available(), reason="WeasyPrint/Pango not installed")


def _words(text: str) -> str:
    return " ".join(text.split())


def _beyond_the_page(reader: PdfReader) -> list[str]:
    """Text drawn to the right of the page's edge (cut off on paper)."""
    beyond: list[str] = []
    for page in reader.pages:
        width = float(page.mediabox.width)

        def visit(text, cm, tm, _font, _size, width=width):
            if text.strip() and tm[4] * cm[0] + cm[4] > width:
                beyond.append(text.strip())

        page.extract_text(visitor_text=visit)
    return beyond


def test_analyze_writes_the_report_as_pdf_with_its_headline_and_figures(cli, tmp_path):
    sources, _ = simulate(DAY, [THIGH, BACK], fs_hz=25, seed=5)
    args = []
    for placement, src in sources.items():
        path = tmp_path / f"{placement}.cwa"
        with CwaWriter(path, rate_hz=25, start=src.info.start) as w:
            for chunk in src.chunks(100_000):
                w.write(chunk.accel)
        args += ["--thigh" if placement == "thigh" else "--trunk", str(path)]
    out = tmp_path / "out"
    rc, stdout, err = cli("wearable", "analyze", *args, "--out", str(out), "--pdf")
    assert rc == 0, err
    pdf_path = out / "report.pdf"
    assert pdf_path.is_file()
    assert "report.pdf" in _words(stdout)
    reader = PdfReader(io.BytesIO(pdf_path.read_bytes()))
    text = _words(" ".join(p.extract_text() or "" for p in reader.pages))
    assert _beyond_the_page(reader) == []  # wide tables wrap instead of running off the page
    page = (out / "report.html").read_text(encoding="utf-8")
    title = html_lib.unescape(re.search(r"<h1[^>]*>(.*?)</h1>", page, re.S).group(1))
    assert _words(re.sub(r"<[^>]+>", "", title)) in text
    assert "Time per activity" in text
    # every row of the activity table (name and hours) is in the PDF
    rows = re.findall(r"<tr><td>([a-z ]+)</td><td[^>]*>([0-9.]+)</td>", page)
    assert rows
    for name, hours in rows:
        assert re.search(rf"{re.escape(name)}\s*{re.escape(hours)}", text), (name, hours)


def test_pdf_needs_the_html_report(cli, tmp_path):
    rc, _, err = cli(
        "wearable", "analyze", "--thigh", str(tmp_path / "x.cwa"), "--out", str(tmp_path),
        "--no-html", "--pdf",
    )  # fmt: skip
    assert rc != 0
    assert "drop --no-html" in _words(err)


def test_camera_analyze_writes_a_pdf_beside_each_report(cli, tmp_path):
    from tests.camera.media import grace_hopper

    out = tmp_path / "out"
    rc, stdout, err = cli("camera", "analyze", str(grace_hopper()), "--out", str(out), "--pdf")
    assert rc == 0, err
    reports = sorted(out.glob("*.html"))
    assert len(reports) == 1
    pdf_path = reports[0].with_suffix(".pdf")
    assert pdf_path.is_file()
    assert pdf_path.name in _words(stdout)
    reader = PdfReader(io.BytesIO(pdf_path.read_bytes()))
    text = _words(" ".join(p.extract_text() or "" for p in reader.pages))
    assert _beyond_the_page(reader) == []  # wide tables wrap instead of running off the page
    page = reports[0].read_text(encoding="utf-8")
    title = html_lib.unescape(re.search(r"<h1[^>]*>(.*?)</h1>", page, re.S).group(1))
    assert _words(re.sub(r"<[^>]+>", "", title)) in text
