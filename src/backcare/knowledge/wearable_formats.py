"""Schema of the sensor-file reading rules (``data/wearable_formats/readers.yaml``).

One kind, ``wearable-readers``: the unit conversions and decoding conventions the readers in
:mod:`backcare.wearable.readers` rely on (standard gravity, how CSV units are detected, the AX3/AX6
temperature conversion, how block and page times are turned into sample times). Each block is
:class:`~backcare.knowledge.schema.Cited`.
"""

from __future__ import annotations

from typing import ClassVar

from pydantic import Field, model_validator

from backcare.knowledge.schema import Cited, Document

__all__ = ["Constant", "LinearConversion", "ReaderRules", "Rule", "UnitsDetection"]


class Rule(Cited):
    """A convention stated in words (what the readers do and why)."""

    statement: str = Field(min_length=10)


class Constant(Rule):
    """A physical constant with its unit."""

    value: float = Field(gt=0)
    unit: str


class LinearConversion(Rule):
    """``physical = (raw - offset) / divisor``."""

    offset: float
    divisor: float = Field(gt=0)
    unit: str


class UnitsDetection(Rule):
    """Band of the median vector magnitude [in g] that identifies data recorded in g."""

    g_band: tuple[float, float]

    @model_validator(mode="after")
    def _band(self) -> UnitsDetection:
        low, high = self.g_band
        if not 0 < low < 1 < high:
            raise ValueError("g_band must be (low, high) with 0 < low < 1 < high")
        return self


class ReaderRules(Document):
    """Rules of the sensor-file readers."""

    KIND: ClassVar[str] = "wearable-readers"
    gravity: Constant
    units_detection: UnitsDetection
    cwa_temperature: LinearConversion
    cwa_time: Rule
    geneactiv_time: Rule
    apdm_units: Rule
    gt3x_scale: Rule

    @property
    def standard_gravity(self) -> float:
        """Standard gravity [m/s^2]."""
        return self.gravity.value

    @model_validator(mode="after")
    def _band_apart(self) -> ReaderRules:
        low, high = self.units_detection.g_band
        if high >= low * self.gravity.value:
            raise ValueError("the g band and the m/s^2 band (g band x gravity) must not overlap")
        return self
