"""The PDF adapter: real WeasyPrint output read back with pypdf, nothing fetched from the network
or the disk, local stylesheets inlined, bounded in time, and a plain message where WeasyPrint or
Pango is missing."""

from __future__ import annotations

import io
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import ClassVar

import pytest
from pypdf import PdfReader

from backcare.report.pdf import (
    PdfError,
    PdfUnavailableError,
    html_to_pdf,
    inline_stylesheets,
    pdf_available,
    write_pdf_beside,
)

needs_pdf = pytest.mark.skipif(not pdf_available(), reason="WeasyPrint/Pango not installed")


def _text(pdf: bytes) -> str:
    return " ".join(
        " ".join((p.extract_text() or "").split()) for p in PdfReader(io.BytesIO(pdf)).pages
    )


@needs_pdf
def test_the_pdf_holds_the_pages_text_without_navigation_or_forms():
    page = """<!doctype html><html><head><title>t</title></head><body>
    <header class="site"><nav><a href="/plan">Your plan</a></nav></header>
    <h1>On Tuesday you sat for 9.5 hours</h1><p>ODI 24% &rarr; 36%: worse.</p>
    <form><button>Add note</button></form></body></html>"""
    text = _text(html_to_pdf(page))
    assert "On Tuesday you sat for 9.5 hours" in text
    assert "ODI 24% → 36%: worse." in text
    assert "Your plan" not in text
    assert "Add note" not in text
    assert "Page 1 of 1" in text


PIXEL = (
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk"
    "+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
)


class _Counter(BaseHTTPRequestHandler):
    hits: ClassVar[list[str]] = []

    def do_GET(self) -> None:
        _Counter.hits.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "text/css")
        self.end_headers()
        self.wfile.write(b"h1 { color: red }")

    def log_message(self, *_args: object) -> None:
        pass


@needs_pdf
def test_nothing_is_fetched_from_the_network_or_the_disk(tmp_path: Path):
    server = HTTPServer(("127.0.0.1", 0), _Counter)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    secret = tmp_path / "secret.txt"
    secret.write_text("do not embed")
    base = f"http://127.0.0.1:{server.server_port}"
    try:
        page = f"""<html><head><link rel="stylesheet" href="{base}/style.css">
        <style>@import url("{base}/more.css");</style></head><body><h1>Report</h1>
        <img src="{base}/pixel.png"><img src="file://{secret}">
        <object data="file://{secret}"></object>
        <img src="data:image/png;base64,{PIXEL}"></body></html>"""
        pdf = html_to_pdf(page)
    finally:
        server.shutdown()
        server.server_close()
    assert _Counter.hits == []
    assert "Report" in _text(pdf)
    assert b"do not embed" not in pdf


def test_local_stylesheets_are_inlined_from_the_static_folder_only(tmp_path: Path):
    static = tmp_path / "static"
    (static / "css").mkdir(parents=True)
    (static / "css" / "app.css").write_text("h1 { color: #123456 }")
    (tmp_path / "private.css").write_text("PRIVATE")
    page = (
        '<link rel="stylesheet" href="/static/css/app.css?v=2">'
        '<link rel="stylesheet" href="/static/../private.css">'
        '<link rel="stylesheet" href="/static/css/missing.css">'
    )
    inlined = inline_stylesheets(page, static)
    assert inlined == "<style>h1 { color: #123456 }</style>"


def test_rendering_is_bounded_in_time():
    with pytest.raises(PdfError, match="longer than 0.01 seconds"):
        html_to_pdf("<h1>x</h1>", timeout_s=0.01)


def test_without_weasyprint_or_pango_the_message_says_what_to_do(tmp_path, monkeypatch):
    # a WeasyPrint whose Pango library cannot be loaded, as on a machine without it
    fake = tmp_path / "weasyprint"
    fake.mkdir()
    (fake / "__init__.py").write_text("raise OSError(\"cannot load library 'libpango-1.0-0'\")\n")
    monkeypatch.setenv("PYTHONPATH", str(tmp_path))
    with pytest.raises(PdfUnavailableError) as caught:
        html_to_pdf("<h1>x</h1>")
    message = str(caught.value)
    assert "PDF files cannot be made on this computer" in message
    assert "pip install weasyprint" in message
    assert "Save as PDF" in message


@needs_pdf
def test_write_pdf_beside_a_report(tmp_path: Path):
    report = tmp_path / "clip_mp4.html"
    report.write_text("<h1>Camera report</h1><p>REBA max 7</p>", encoding="utf-8")
    written = write_pdf_beside(report)
    assert written == tmp_path / "clip_mp4.pdf"
    assert "REBA max 7" in _text(written.read_bytes())


def test_at_most_two_renderings_run_at_once(monkeypatch):
    from backcare.report import pdf as adapter

    taken = [adapter._SLOTS.acquire(timeout=1) for _ in range(adapter.MAX_CONCURRENT)]
    try:
        assert all(taken)
        with pytest.raises(PdfError, match="Too many PDF files"):
            html_to_pdf("<h1>x</h1>", timeout_s=0.2)
    finally:
        for _ in taken:
            adapter._SLOTS.release()
