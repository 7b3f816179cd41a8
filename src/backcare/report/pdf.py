"""HTML to PDF with WeasyPrint, in a child process that is bounded in time and memory.

Every PDF backcare makes (the person's assessment summary, the clinician's patient summary, the
camera and wearable reports) comes from the very HTML the browser shows: :func:`html_to_pdf`
takes that page, inlines its local stylesheets (``/static/...`` files read from disk), adds a
print stylesheet (A4, no navigation, forms or buttons) and renders it with WeasyPrint.

Safe by construction:

* the renderer fetches nothing: its URL fetcher allows ``data:`` URLs only, so a remote image or
  stylesheet in the page is skipped, never requested (no network access, no local files);
* it runs in ``python -m backcare.report.pdf`` with a wall-clock limit (``timeout_s``) and, on
  POSIX, an address-space limit, so a pathological page cannot hang or exhaust the server; at
  most :data:`MAX_CONCURRENT` run at once (a further request waits up to ``timeout_s``).

WeasyPrint is a Python package that needs the Pango text library of the system. Where either is
missing :class:`PdfUnavailableError` says so in plain words (the page can still be printed from
the browser).
"""

from __future__ import annotations

import re
import subprocess
import sys
import threading
from pathlib import Path

from backcare.errors import BackcareError

__all__ = [
    "PRINT_CSS",
    "PdfError",
    "PdfUnavailableError",
    "html_to_pdf",
    "inline_stylesheets",
    "pdf_available",
    "write_pdf_beside",
]

#: Wall-clock limit of one rendering [s].
DEFAULT_TIMEOUT_S = 60.0
#: Address-space limit of the rendering process [bytes].
MEMORY_LIMIT = 2 * 1024**3
#: Renderings at the same time in this process (each child may use up to MEMORY_LIMIT).
MAX_CONCURRENT = 2
_SLOTS = threading.BoundedSemaphore(MAX_CONCURRENT)
#: Exit status of the child when WeasyPrint or Pango cannot be loaded.
_UNAVAILABLE = 3

UNAVAILABLE_MESSAGE = (
    "PDF files cannot be made on this computer: the WeasyPrint package or the Pango text library "
    "it needs is not installed. Install them (pip install weasyprint; on Debian or Ubuntu also "
    "apt-get install libpango-1.0-0 libpangoft2-1.0-0), or use your browser's Print and "
    "'Save as PDF' instead."
)

#: Added to every page: A4 with margins, and nothing that only works on screen.
PRINT_CSS = """
@page { size: A4; margin: 14mm 12mm 16mm 12mm;
  @bottom-right { content: "Page " counter(page) " of " counter(pages); font-size: 8pt; } }
html { font-size: 10pt; }
body { font-family: "Liberation Sans", Arial, Helvetica, "DejaVu Sans Condensed",
  sans-serif !important; }
body { background: #fff !important; color: #000 !important; }
a.skip, header.site nav, header.site .who, form, button, .no-print, script {
  display: none !important; }
a { color: inherit; text-decoration: none; }
table { page-break-inside: auto; max-width: 100%; } tr { page-break-inside: avoid; }
table { font-size: 8pt; }
th, td { overflow-wrap: anywhere; hyphens: auto; padding: 1pt 3pt; }
div, section, figure { overflow: visible !important; max-width: 100% !important; }
img { max-width: 100%; height: auto; }
h1, h2, h3 { page-break-after: avoid; }
header.site, main, footer.site {
  margin: 0 !important; padding: 0 !important; max-width: none !important; }
footer.site { margin-top: 3mm !important; font-size: 8pt; color: #444 !important; }
footer.site p { margin: 0; }
svg { max-width: 100%; height: auto; }
"""


class PdfError(BackcareError):
    """The PDF could not be made (the message says why, in plain words)."""


class PdfUnavailableError(PdfError):
    """WeasyPrint or the Pango library is not installed here."""

    def __init__(self) -> None:
        super().__init__(UNAVAILABLE_MESSAGE)


_LINK = re.compile(
    r"<link\b(?=[^>]*\brel=[\"']?stylesheet)[^>]*\bhref=[\"'](/static/[^\"'?#]+)[^\"']*[\"'][^>]*>",
    re.IGNORECASE,
)


def inline_stylesheets(html: str, static_dir: Path) -> str:
    """``html`` with each ``<link rel="stylesheet" href="/static/...">`` replaced by the file's
    content in a ``<style>`` element (only files inside ``static_dir``; others are dropped)."""
    root = static_dir.resolve()

    def replace(match: re.Match[str]) -> str:
        path = (root / match.group(1).removeprefix("/static/")).resolve()
        if not path.is_relative_to(root) or not path.is_file():
            return ""
        css = path.read_text(encoding="utf-8").replace("</", "<\\/")
        return f"<style>{css}</style>"

    return _LINK.sub(replace, html)


def pdf_available() -> bool:
    """Whether WeasyPrint and Pango load here (imports WeasyPrint in this process)."""
    try:
        import weasyprint  # noqa: F401
    except (ImportError, OSError):
        return False
    return True


def html_to_pdf(
    html: str,
    *,
    static_dir: Path | None = None,
    timeout_s: float = DEFAULT_TIMEOUT_S,
) -> bytes:
    """The PDF of ``html`` (see the module docstring).

    Raises
    ------
    PdfUnavailableError
        WeasyPrint or Pango is missing.
    PdfError
        The rendering took longer than ``timeout_s`` or failed.
    """
    if static_dir is not None:
        html = inline_stylesheets(html, static_dir)
    if not _SLOTS.acquire(timeout=timeout_s):
        raise PdfError("Too many PDF files are being made right now; try again in a minute.")
    try:
        done = subprocess.run(
            [sys.executable, "-m", "backcare.report.pdf"],
            input=html.encode("utf-8"),
            capture_output=True,
            timeout=timeout_s,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise PdfError(
            f"Making the PDF took longer than {timeout_s:g} seconds and was stopped."
        ) from None
    finally:
        _SLOTS.release()
    if done.returncode == _UNAVAILABLE:
        raise PdfUnavailableError
    if done.returncode != 0 or not done.stdout.startswith(b"%PDF"):
        raise PdfError("The PDF could not be made from this page.")
    return done.stdout


def write_pdf_beside(html_path: Path, *, timeout_s: float = DEFAULT_TIMEOUT_S) -> Path:
    """Write the PDF of a self-contained HTML report next to it (``report.html`` ->
    ``report.pdf``) and return its path; errors as :func:`html_to_pdf`."""
    target = html_path.with_suffix(".pdf")
    pdf = html_to_pdf(html_path.read_text(encoding="utf-8"), timeout_s=timeout_s)
    target.write_bytes(pdf)
    return target


def _limit_memory() -> None:
    try:
        import resource
    except ImportError:  # not POSIX
        return
    _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    limit = MEMORY_LIMIT if hard == resource.RLIM_INFINITY else min(MEMORY_LIMIT, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))


def _render(html: str) -> bytes:
    import weasyprint
    from weasyprint.urls import URLFetcher

    fetcher = URLFetcher(allowed_protocols=("data",), allow_redirects=False)
    document = weasyprint.HTML(string=html, url_fetcher=fetcher, base_url=None)
    stylesheet = weasyprint.CSS(string=PRINT_CSS, url_fetcher=fetcher)
    pdf = document.write_pdf(stylesheets=[stylesheet])
    if pdf is None:  # only when writing to a target
        raise PdfError("WeasyPrint returned no PDF.")
    return bytes(pdf)


def main() -> int:
    """Child process: HTML on stdin, PDF on stdout."""
    _limit_memory()
    try:
        import weasyprint  # noqa: F401
    except (ImportError, OSError):
        return _UNAVAILABLE
    html = sys.stdin.buffer.read().decode("utf-8", errors="replace")
    sys.stdout.buffer.write(_render(html))
    sys.stdout.buffer.flush()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
