"""Schema of questionnaire definitions (``data/instruments/*.yaml``) and of user text packs.

An instrument file holds everything the scoring code needs and nothing it must invent: item ids
and their ranges, reversed items, answer-to-score maps, subscales, the missing-item rule, score
bands, the minimal important change, the licence and copyright notice, LOINC codes (each marked
verified or not), what was verified and how, and the sources. The scoring algorithm itself lives
in :mod:`backcare.clinical.instruments`.

Item wording is shipped only where the licence allows it (``licence.wording_shipped``); for the
other instruments a clinic supplies its licensed wording in a :class:`TextPack` read at run time
by :mod:`backcare.io.textpack`.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from fractions import Fraction
from functools import cache
from typing import Any, ClassVar, Literal

from pydantic import Field, PrivateAttr, model_validator

from backcare.errors import KnowledgeError
from backcare.knowledge.loader import data_files, load
from backcare.knowledge.schema import Cited, Document, KnowledgeModel, SourceId

__all__ = [
    "TEXT_PACK_FORMAT",
    "Band",
    "Banding",
    "InstrumentDocument",
    "ItemSpec",
    "Licence",
    "LoincCode",
    "MinimalImportantChange",
    "MissingRule",
    "OptionLabel",
    "StartBackRule",
    "Subscale",
    "TextPack",
    "TextPackItem",
    "Variant",
    "Verification",
    "instrument_definitions",
    "text_pack_problems",
]

TEXT_PACK_FORMAT = "backcare-text-pack/1"

_NAME = r"^[a-z][a-z0-9_]*$"
_BAND_NAME = r"^[a-z][a-z0-9_-]*$"


class OptionLabel(KnowledgeModel):
    """The label of one answer value (shipped wording or a text pack's wording)."""

    value: int
    label: str = Field(min_length=1)


class ItemSpec(KnowledgeModel):
    """One item: its id, the whole-number answers it takes and how an answer becomes a score.

    ``score_map`` maps an answer to its item score (STarT Back item 9: 0-2 -> 0, 3-4 -> 1);
    ``reversed`` scores an answer as ``min + max - answer``. Neither: the answer is the score.
    ``topic`` is backcare's own short construct label, never the instrument's wording; ``text``
    and ``options`` carry wording and may be set only where the licence lets it ship.
    """

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*\.[a-z0-9_]+$")
    topic: str = Field(min_length=2)
    min: int
    max: int
    reversed: bool = False
    score_map: dict[int, int] | None = None
    text: str | None = None
    options: tuple[OptionLabel, ...] = ()

    @model_validator(mode="after")
    def _consistent(self) -> ItemSpec:
        if self.min >= self.max:
            raise ValueError(f"{self.id}: min {self.min} must be below max {self.max}")
        if self.reversed and self.score_map is not None:
            raise ValueError(f"{self.id}: use either reversed or score_map, not both")
        if self.score_map is not None and set(self.score_map) != set(self.values):
            raise ValueError(f"{self.id}: score_map must map every answer {self.min}-{self.max}")
        _check_options(self, self.options)
        return self

    @property
    def values(self) -> range:
        """Every valid answer."""
        return range(self.min, self.max + 1)

    @property
    def score_min(self) -> int:
        """The lowest item score."""
        return min(self.score(v) for v in self.values)

    @property
    def score_max(self) -> int:
        """The highest item score."""
        return max(self.score(v) for v in self.values)

    def score(self, answer: int) -> int:
        """The item score of a valid ``answer``."""
        if self.score_map is not None:
            return self.score_map[answer]
        if self.reversed:
            return self.min + self.max - answer
        return answer


def _check_options(item: ItemSpec, options: tuple[OptionLabel, ...]) -> None:
    seen: set[int] = set()
    for opt in options:
        if opt.value not in item.values:
            raise ValueError(
                f"{item.id}: option value {opt.value} is outside {item.min}-{item.max}"
            )
        if opt.value in seen:
            raise ValueError(f"{item.id}: option value {opt.value} is listed twice")
        seen.add(opt.value)


class Subscale(Cited):
    """A named sum of item scores (reported only when all its items are answered)."""

    name: str = Field(pattern=_NAME)
    items: tuple[str, ...] = Field(min_length=1)


class Variant(KnowledgeModel):
    """A published variant of an instrument (ODI section 8: sex life or employment)."""

    id: str = Field(pattern=_NAME)
    label: str
    note: str


class MissingRule(Cited):
    """How unanswered items are handled and how many are tolerated.

    ``none``: every item must be answered. ``prorate``: each unanswered item counts as the mean
    of the answered item scores (the same as rescaling the sum to the full item count; this is
    ODI's sum / (5 x answered) and NDI's mean substitution). ``score_item``: the total is the one
    item named in ``required``; the others are optional.
    """

    method: Literal["none", "prorate", "score_item"]
    max_missing: int = Field(ge=0)
    required: tuple[str, ...] = ()
    statement: str = Field(min_length=10)


class Band(KnowledgeModel):
    """One published score band with inclusive whole-number bounds."""

    name: str = Field(pattern=_BAND_NAME)
    label: str
    low: int
    high: int


class Banding(Cited):
    """Bands on the total or the percentage.

    ``rounding: half_up`` rounds a non-integer value (prorated scores) to the nearest whole
    number, halves upward, before it is compared with the whole-number bounds.
    """

    scale: Literal["total", "percent"]
    rounding: Literal["half_up"] = "half_up"
    bands: tuple[Band, ...] = Field(min_length=2)
    statement: str = Field(min_length=10)

    def band_for(self, value: Fraction | int) -> Band:
        """The band of an exact ``value`` (rounded half up to a whole number first)."""
        whole = math.floor(Fraction(value) + Fraction(1, 2))
        for band in self.bands:
            if band.low <= whole <= band.high:
                return band
        raise ValueError(f"{value} lies outside every band")

    @model_validator(mode="after")
    def _contiguous(self) -> Banding:
        for prev, nxt in zip(self.bands, self.bands[1:], strict=False):
            if prev.low > prev.high or nxt.low != prev.high + 1:
                raise ValueError(
                    f"bands {prev.name!r} ({prev.low}-{prev.high}) and {nxt.name!r} "
                    f"({nxt.low}-{nxt.high}) must be contiguous whole-number ranges"
                )
        return self


class StartBackRule(Cited):
    """Keele's STarT Back classification: low / medium / high."""

    subscale: str
    low_total_max: int
    high_subscale_min: int
    statement: str = Field(min_length=10)


class MinimalImportantChange(Cited):
    """The change that counts as meaningful between two assessments.

    Improvement is a decrease of at least ``points`` or, when ``percent_of_baseline`` is set and
    the baseline is above zero, of at least that percentage of the baseline. Worsening is an
    increase of at least ``points`` (the relative threshold is defined for improvement only).
    """

    scale: Literal["total", "percent"]
    points: float = Field(gt=0)
    percent_of_baseline: float | None = Field(default=None, gt=0, le=100)
    statement: str = Field(min_length=10)


class Licence(KnowledgeModel):
    """Copyright notice to show and whether backcare may ship the item wording."""

    copyright: str = Field(min_length=10)
    terms: str = Field(min_length=10)
    wording_shipped: bool
    url: str | None = Field(default=None, pattern=r"^https?://\S+$")


class LoincCode(KnowledgeModel):
    """A LOINC code for the panel or the score; ``verified`` says whether we read it on LOINC."""

    code: str = Field(pattern=r"^\d{1,7}-\d$")
    role: Literal["panel", "total"]
    verified: bool
    note: str


class Verification(Cited):
    """What was checked about this instrument, how, and how strongly."""

    what: str
    how: str
    status: Literal["primary", "official", "secondary", "unverified"]


class InstrumentDocument(Document):
    """One questionnaire (``data/instruments/<id>.yaml``)."""

    KIND: ClassVar[str] = "instrument"
    id: str = Field(pattern=_NAME)
    name: str
    short_name: str
    instrument_version: str
    aliases: tuple[str, ...] = ()
    algorithm: Literal["sum", "startback", "single_item"]
    total_kind: Literal["sum", "percent_of_max"] = "sum"
    report_percent: bool = False
    higher_is_worse: bool = True
    variants: tuple[Variant, ...] = ()
    variant_key: str | None = None
    default_variant: str | None = None
    items: tuple[ItemSpec, ...] = Field(min_length=1)
    subscales: tuple[Subscale, ...] = ()
    missing: MissingRule
    banding: Banding | None = None
    classification: StartBackRule | None = None
    mic: MinimalImportantChange | None = None
    licence: Licence
    loinc: tuple[LoincCode, ...] = ()
    verification: tuple[Verification, ...] = ()
    notes: tuple[str, ...] = ()
    sources: tuple[SourceId, ...] = Field(min_length=1)
    _sum_range: tuple[int, int] = PrivateAttr()
    _by_id: dict[str, ItemSpec] = PrivateAttr()

    @model_validator(mode="after")
    def _consistent(self) -> InstrumentDocument:
        ids = [item.id for item in self.items]
        if len(set(ids)) != len(ids):
            raise ValueError("item ids must be unique")
        for item_id in ids:
            if not item_id.startswith(self.id + "."):
                raise ValueError(f"item {item_id!r} must start with {self.id + '.'!r}")
        known = set(ids)
        for sub in self.subscales:
            if not set(sub.items) <= known:
                raise ValueError(f"subscale {sub.name!r} names unknown items")
        if not set(self.missing.required) <= known:
            raise ValueError("missing.required names unknown items")
        if self.missing.method == "score_item" and len(self.missing.required) != 1:
            raise ValueError("missing.method score_item needs exactly one required item")
        if self.missing.max_missing >= len(self.items):
            raise ValueError("missing.max_missing must leave at least one item answered")
        if not self.licence.wording_shipped:
            worded = [item.id for item in self.items if item.text or item.options]
            if worded:
                raise ValueError(f"wording is not licensed for shipping but present: {worded}")
        self._check_variants()
        self._check_algorithm(known)
        if self.banding is not None:
            low, high = self.scale_range(self.banding.scale)
            first, last = self.banding.bands[0], self.banding.bands[-1]
            if first.low > low or last.high < high:
                raise ValueError(
                    f"bands cover {first.low}-{last.high} but the {self.banding.scale} "
                    f"runs {low:g}-{high:g}"
                )
        if self.mic is not None and self.mic.scale == "percent" and not self.report_percent:
            raise ValueError("mic.scale is percent but the instrument reports no percent")
        return self

    def _check_variants(self) -> None:
        if not self.variants:
            if self.variant_key or self.default_variant:
                raise ValueError("variant_key/default_variant need variants")
            return
        if self.variant_key != f"{self.id}.variant":
            raise ValueError(f"variant_key must be {self.id + '.variant'!r}")
        if self.default_variant not in {v.id for v in self.variants}:
            raise ValueError("default_variant must be one of the variants")

    def _check_algorithm(self, known: set[str]) -> None:
        if self.algorithm == "startback":
            rule = self.classification
            if rule is None or rule.subscale not in {s.name for s in self.subscales}:
                raise ValueError("the startback algorithm needs a classification on a subscale")
            if self.banding is not None:
                raise ValueError("startback classifies by rule, not by bands")
        elif self.classification is not None:
            raise ValueError("classification is only used by the startback algorithm")
        if (self.algorithm == "single_item") != (self.missing.method == "score_item"):
            raise ValueError("the single_item algorithm goes with missing.method score_item")
        if self.total_kind == "percent_of_max" and not self.report_percent:
            raise ValueError("total_kind percent_of_max needs report_percent")

    # -- derived facts --------------------------------------------------------------------------
    def item(self, item_id: str) -> ItemSpec:
        """One item by id (``KeyError`` if unknown)."""
        return self._by_id[item_id]

    @property
    def item_ids(self) -> tuple[str, ...]:
        """Item ids in form order."""
        return tuple(self._by_id)

    @property
    def sum_range(self) -> tuple[int, int]:
        """Lowest and highest possible sum of item scores."""
        return self._sum_range

    def model_post_init(self, context: Any, /) -> None:
        """Precompute what every scoring call needs (the model is immutable)."""
        self._by_id = {item.id: item for item in self.items}
        self._sum_range = (
            sum(item.score_min for item in self.items),
            sum(item.score_max for item in self.items),
        )

    def scale_range(self, scale: Literal["total", "percent"] = "total") -> tuple[float, float]:
        """The range of the total (or of the percentage)."""
        if scale == "percent":
            return (0.0, 100.0)
        if self.algorithm == "single_item":
            item = self.item(self.missing.required[0])
            return (float(item.score_min), float(item.score_max))
        if self.total_kind == "percent_of_max":
            return (0.0, 100.0)
        low, high = self.sum_range
        return (float(low), float(high))


@cache
def instrument_definitions() -> dict[str, InstrumentDocument]:
    """Every packaged instrument definition by id, in file-name order."""
    out: dict[str, InstrumentDocument] = {}
    for rel in data_files():
        if rel.startswith("instruments/"):
            doc = load(rel, InstrumentDocument)
            if doc.id in out:
                raise KnowledgeError(f"{rel}: instrument id {doc.id!r} is defined twice")
            out[doc.id] = doc
    return out


# -- text packs (user files; read by backcare.io.textpack) ---------------------------------------
class TextPackItem(KnowledgeModel):
    """One item's licensed wording and, optionally, its answer labels."""

    id: str
    text: str = Field(min_length=1)
    options: tuple[OptionLabel, ...] = ()


class TextPack(KnowledgeModel):
    """A clinic's licensed wording for one instrument in one language.

    See ``docs/text-packs.md``. The pack must word every item of the instrument; answer labels
    are optional (rating scales may label only their anchors) but must lie within the item's
    range. Nothing in a pack changes how an instrument is scored.
    """

    format: Literal["backcare-text-pack/1"]
    instrument: str = Field(pattern=_NAME)
    language: str = Field(pattern=r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$")
    title: str = Field(min_length=1)
    licence_holder: str = Field(min_length=3)
    licence_statement: str = Field(min_length=3)
    variant: str | None = None
    items: tuple[TextPackItem, ...] = Field(min_length=1)

    def item(self, item_id: str) -> TextPackItem | None:
        """The wording of one item, if the pack has it."""
        return next((it for it in self.items if it.id == item_id), None)


def text_pack_problems(pack: TextPack, instrument: InstrumentDocument) -> Iterator[tuple[str, str]]:
    """Yield ``(field, problem)`` for every way ``pack`` does not fit ``instrument``."""
    if pack.instrument != instrument.id:
        yield "instrument", f"is {pack.instrument!r}, expected {instrument.id!r}"
    if pack.variant is not None and pack.variant not in {v.id for v in instrument.variants}:
        known = [v.id for v in instrument.variants] or "none"
        yield "variant", f"{pack.variant!r} is not a variant of {instrument.id} (known: {known})"
    seen: set[str] = set()
    for i, pitem in enumerate(pack.items):
        where = f"items[{i}]"
        if pitem.id in seen:
            yield f"{where}.id", f"{pitem.id!r} is listed twice"
            continue
        seen.add(pitem.id)
        try:
            spec = instrument.item(pitem.id)
        except KeyError:
            yield f"{where}.id", f"{pitem.id!r} is not an item of {instrument.id}"
            continue
        try:
            _check_options(spec, pitem.options)
        except ValueError as exc:
            yield f"{where}.options", str(exc)
    absent = [item_id for item_id in instrument.item_ids if item_id not in seen]
    if absent:
        yield "items", "no wording for " + ", ".join(absent)
