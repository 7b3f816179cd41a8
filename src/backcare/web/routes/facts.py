"""``/facts``: the seed article's claims with verdicts, evidence and sources (public)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from backcare.clinical.facts import claims
from backcare.web.deps import public
from backcare.web.templating import render

__all__ = ["router"]

router = APIRouter()


@router.get("/facts")
@public
def facts(request: Request) -> Response:
    return render(request, "facts/facts.html", {"claims": claims()})
