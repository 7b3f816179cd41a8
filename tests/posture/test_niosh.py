from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from backcare.errors import InputError
from backcare.posture.niosh import (
    NioshLocation,
    NioshTask,
    asymmetric_multiplier,
    coupling_multiplier,
    distance_multiplier,
    frequency_multiplier,
    horizontal_multiplier,
    niosh,
    recommended_weight_limit,
    vertical_multiplier,
)

# Table 5 of the Applications Manual, transcribed independently of the knowledge file:
# lifts/min -> (<=1 h, <=2 h, <=8 h) for V < 75 cm; the V >= 75 cm column differs only where
# the V < 75 cm value is 0 (listed in FM_V75).
FM_TABLE = {
    0.2: (1.00, 0.95, 0.85),
    0.5: (0.97, 0.92, 0.81),
    1: (0.94, 0.88, 0.75),
    2: (0.91, 0.84, 0.65),
    3: (0.88, 0.79, 0.55),
    4: (0.84, 0.72, 0.45),
    5: (0.80, 0.60, 0.35),
    6: (0.75, 0.50, 0.27),
    7: (0.70, 0.42, 0.22),
    8: (0.60, 0.35, 0.18),
    9: (0.52, 0.30, 0.00),
    10: (0.45, 0.26, 0.00),
    11: (0.41, 0.00, 0.00),
    12: (0.37, 0.00, 0.00),
    13: (0.00, 0.00, 0.00),
    14: (0.00, 0.00, 0.00),
    15: (0.00, 0.00, 0.00),
}
FM_V75 = {
    (9, "8h"): 0.15,
    (10, "8h"): 0.13,
    (11, "2h"): 0.23,
    (12, "2h"): 0.21,
    (13, "1h"): 0.34,
    (14, "1h"): 0.31,
    (15, "1h"): 0.28,
}
DURATIONS = ("1h", "2h", "8h")


@pytest.mark.parametrize("freq", sorted(FM_TABLE))
@pytest.mark.parametrize("duration", DURATIONS)
def test_every_fm_table_cell(freq, duration):
    below = FM_TABLE[freq][DURATIONS.index(duration)]
    above = FM_V75.get((freq, duration), below)
    assert float(frequency_multiplier(freq, duration, 60.0)) == pytest.approx(below)
    assert float(frequency_multiplier(freq, duration, 75.0)) == pytest.approx(above)
    # The U.S. customary split is 30 in.
    assert float(frequency_multiplier(freq, duration, 29.9, system="us")) == pytest.approx(below)
    assert float(frequency_multiplier(freq, duration, 30.0, system="us")) == pytest.approx(above)


def test_fm_boundaries_and_interpolation():
    # Below 0.2 lifts/min counts as 0.2.
    assert frequency_multiplier([0.0, 0.1], "8h", 50.0) == pytest.approx([0.85, 0.85])
    # Between rows: linear (the manual's Example 7 interpolates F = 2.4 between 2 and 3).
    assert float(frequency_multiplier(2.4, "1h", 50.0)) == pytest.approx(0.91 - 0.4 * 0.03)
    assert float(frequency_multiplier(0.35, "2h", 50.0)) == pytest.approx(0.935)
    # Above the last non-zero row of the column: the maximum frequency is exceeded -> 0.
    assert float(frequency_multiplier(12.5, "1h", 50.0)) == 0.0
    assert float(frequency_multiplier(12.0, "1h", 50.0)) == pytest.approx(0.37)
    assert float(frequency_multiplier(10.5, "8h", 80.0)) == 0.0
    assert float(frequency_multiplier(8.5, "8h", 50.0)) == 0.0
    assert float(frequency_multiplier(14.5, "1h", 80.0)) == pytest.approx(0.295)
    # Vectorised over V and F.
    got = frequency_multiplier([13.0, 13.0], "1h", [74.9, 75.0])
    assert got == pytest.approx([0.0, 0.34])
    assert np.isnan(frequency_multiplier(np.nan, "1h", 50.0))


@pytest.mark.parametrize(
    ("freq", "where"),
    [(15.01, "frequency_per_min"), (-1.0, "frequency_per_min"), (np.inf, "frequency_per_min")],
)
def test_frequency_beyond_the_table_is_refused(freq, where):
    with pytest.raises(InputError) as info:
        frequency_multiplier(freq, "1h", 80.0)
    assert info.value.where == where


def test_unknown_duration_is_refused():
    with pytest.raises(InputError, match="duration"):
        frequency_multiplier(1.0, "4h", 50.0)  # type: ignore[arg-type]


def test_horizontal_multiplier():
    got = horizontal_multiplier([0.0, 10.0, 25.0, 50.0, 63.0, 63.01])
    assert got == pytest.approx([1.0, 1.0, 1.0, 0.5, 25 / 63, 0.0])
    us = horizontal_multiplier([5.0, 10.0, 20.0, 25.0, 25.5], system="us")
    assert us == pytest.approx([1.0, 1.0, 0.5, 0.4, 0.0])


def test_vertical_multiplier():
    got = vertical_multiplier([0.0, 75.0, 100.0, 175.0, 175.5])
    assert got == pytest.approx([0.775, 1.0, 0.925, 0.7, 0.0])
    assert vertical_multiplier([22.0, 59.0, 71.0], system="us") == pytest.approx(
        [0.94, 0.7825, 0.0]
    )


def test_distance_multiplier():
    got = distance_multiplier([0.0, 10.0, 25.0, 40.0, 175.0, 176.0])
    assert got == pytest.approx([1.0, 1.0, 1.0, 0.9325, 0.82 + 4.5 / 175, 0.0])
    assert distance_multiplier([37.0, 70.0, 71.0], system="us") == pytest.approx(
        [0.82 + 1.8 / 37, 0.82 + 1.8 / 70, 0.0]
    )


def test_asymmetric_multiplier():
    got = asymmetric_multiplier([0.0, 45.0, 90.0, 135.0, 136.0, 180.0])
    assert got == pytest.approx([1.0, 0.856, 0.712, 0.568, 0.0, 0.0])
    for bad in (-1.0, 181.0):
        with pytest.raises(InputError) as info:
            asymmetric_multiplier(bad)
        assert info.value.where == "a_deg"


def test_coupling_multiplier_with_the_v_75_rule():
    v = [50.0, 74.9, 75.0, 120.0]
    assert coupling_multiplier("good", v) == pytest.approx([1.0, 1.0, 1.0, 1.0])
    assert coupling_multiplier("fair", v) == pytest.approx([0.95, 0.95, 1.0, 1.0])
    assert coupling_multiplier("poor", v) == pytest.approx([0.9, 0.9, 0.9, 0.9])
    assert coupling_multiplier("fair", [29.0, 30.0], system="us") == pytest.approx([0.95, 1.0])
    with pytest.raises(InputError, match="coupling"):
        coupling_multiplier("excellent", 50.0)  # type: ignore[arg-type]


@pytest.mark.parametrize("name", ["h", "v", "d"])
def test_negative_distances_are_refused(name):
    func = {"h": horizontal_multiplier, "v": vertical_multiplier, "d": distance_multiplier}[name]
    with pytest.raises(InputError) as info:
        func(-1.0)
    assert info.value.where == name


def test_applications_manual_example_4_package_inspection():
    """Example 4 (Figure 14) in U.S. units: V 22 -> 59 in, D 37 in, H 10 in at the origin and
    20 in at the destination, no asymmetry, fair coupling, FM .88 on the worksheet (entered here
    as the Table 5 cell 3 lifts/min for <= 1 h, which holds .88).

    The worksheet multiplies multipliers rounded to two places and prints RWL 34.9 lb (origin)
    and 15.2 lb (destination); at full precision the RWLs are 34.8 and 15.3 lb.
    """
    origin = dict(h=10.0, v=22.0)
    dest = dict(h=20.0, v=59.0)
    common = dict(d=37.0, a_deg=0.0, frequency_per_min=3.0, duration="1h", coupling="fair")
    rwl_o = float(recommended_weight_limit(**origin, **common, system="us"))
    rwl_d = float(recommended_weight_limit(**dest, **common, v_origin=22.0, system="us"))
    assert round(rwl_o, 1) == 34.8
    assert round(rwl_d, 1) == 15.3
    # The worksheet's rounded multipliers.
    hm_o, hm_d = horizontal_multiplier([10.0, 20.0], system="us")
    vm_o, vm_d = vertical_multiplier([22.0, 59.0], system="us")
    dm = float(distance_multiplier(37.0, system="us"))
    fm = float(frequency_multiplier(3.0, "1h", 22.0, system="us"))
    cm_o, cm_d = coupling_multiplier("fair", [22.0, 59.0], system="us")
    assert [round(float(x), 2) for x in (hm_o, vm_o, dm, fm, cm_o)] == [1.0, 0.94, 0.87, 0.88, 0.95]
    assert [round(float(x), 2) for x in (hm_d, vm_d, cm_d)] == [0.5, 0.78, 1.0]
    assert round(51 * 1.0 * 0.94 * 0.87 * 1.0 * 0.88 * 0.95, 1) == 34.9
    assert round(51 * 0.5 * 0.78 * 0.87 * 1.0 * 0.88 * 1.0, 1) == 15.2


def _task(**kw: object) -> NioshTask:
    base: dict[str, object] = dict(
        load_kg=15.0,
        h_cm=40.0,
        v_cm=60.0,
        d_cm=50.0,
        a_deg=30.0,
        frequency_per_min=2.0,
        duration="1h",
        coupling="fair",
    )
    base.update(kw)
    return NioshTask.model_validate(base)


def test_niosh_single_task():
    r = niosh(_task())
    m = r.origin.multipliers
    assert (m.hm, m.vm, m.dm, m.am, m.fm, m.cm) == pytest.approx(
        (0.625, 0.955, 0.91, 0.904, 0.91, 0.95)
    )
    expected = 23 * 0.625 * 0.955 * 0.91 * 0.904 * 0.91 * 0.95
    assert r.rwl_kg == pytest.approx(expected)
    assert r.lifting_index == pytest.approx(15.0 / expected)
    assert r.risk_level == "increased"
    assert r.destination is None
    assert r.governing == "origin"
    assert {"waters-1993", "niosh-94-110"} <= set(r.sources)
    assert r.limitations


def test_destination_with_significant_control_uses_the_lower_rwl():
    task = _task(d_cm=None, destination=NioshLocation(h_cm=55.0, v_cm=140.0, a_deg=60.0))
    r = niosh(task)
    assert r.d_cm == 80.0
    assert r.destination is not None
    # FM follows V at the origin, CM the V of each point.
    assert r.destination.multipliers.fm == r.origin.multipliers.fm
    assert r.origin.multipliers.cm == 0.95
    assert r.destination.multipliers.cm == 1.0
    assert r.destination.rwl_kg < r.origin.rwl_kg
    assert r.governing == "destination"
    assert r.rwl_kg == r.destination.rwl_kg
    assert r.lifting_index == pytest.approx(15.0 / r.destination.rwl_kg)


def test_lifting_index_bands_at_their_boundaries():
    rwl = niosh(_task()).rwl_kg
    assert niosh(_task(load_kg=rwl)).risk_level == "acceptable"
    assert niosh(_task(load_kg=rwl * 1.0001)).risk_level == "increased"
    assert niosh(_task(load_kg=rwl * 3.0)).risk_level == "increased"
    assert niosh(_task(load_kg=rwl * 3.001)).risk_level == "high"
    assert niosh(_task(load_kg=0.0)).lifting_index == 0.0


def test_a_variable_beyond_its_limit_gives_rwl_zero_and_says_why():
    r = niosh(_task(h_cm=70.0))
    assert r.rwl_kg == 0.0
    assert math.isinf(r.lifting_index)
    assert r.risk_level == "high"
    assert r.origin.zero_multipliers == ("HM",)
    assert any("HM is 0" in n for n in r.notes)
    assert niosh(_task(frequency_per_min=13.0)).origin.zero_multipliers == ("FM",)
    assert niosh(_task(a_deg=140.0)).origin.zero_multipliers == ("AM",)


def test_values_set_to_their_minimum_are_noted():
    r = niosh(_task(h_cm=15.0, d_cm=10.0, frequency_per_min=0.05))
    assert r.origin.multipliers.hm == 1.0
    assert r.origin.multipliers.dm == 1.0
    assert r.origin.multipliers.fm == 1.0
    assert len(r.notes) == 3


@pytest.mark.parametrize(
    ("kw", "where"),
    [
        ({"load_kg": -1.0}, "load_kg"),
        ({"h_cm": -5.0}, "h_cm"),
        ({"v_cm": -1.0}, "v_cm"),
        ({"d_cm": -10.0}, "d_cm"),
        ({"a_deg": 200.0}, "a_deg"),
        ({"frequency_per_min": 16.0}, "frequency_per_min"),
        ({"h_cm": math.nan}, "h_cm"),
        ({"d_cm": None}, "d_cm"),
        (
            {"d_cm": None, "destination": NioshLocation(h_cm=-3.0, v_cm=100.0)},
            "destination.h_cm",
        ),
    ],
)
def test_niosh_refuses_impossible_input_naming_the_field(kw, where):
    with pytest.raises(InputError) as info:
        niosh(_task(**kw))
    assert info.value.where == where


@settings(max_examples=60, deadline=None)
@given(
    h=st.floats(0, 80),
    v=st.floats(0, 200),
    d=st.floats(0, 200),
    a=st.floats(0, 180),
    f=st.floats(0, 15),
    duration=st.sampled_from(DURATIONS),
    coupling=st.sampled_from(["good", "fair", "poor"]),
)
def test_rwl_never_exceeds_the_load_constant(h, v, d, a, f, duration, coupling):
    rwl = float(recommended_weight_limit(h, v, d, a, f, duration, coupling))
    assert 0.0 <= rwl <= 23.0


@settings(max_examples=40, deadline=None)
@given(h1=st.floats(0, 70), h2=st.floats(0, 70), f1=st.floats(0, 15), f2=st.floats(0, 15))
def test_rwl_decreases_with_distance_and_frequency(h1, h2, f1, f2):
    (hl, hh), (fl, fh) = sorted((h1, h2)), sorted((f1, f2))
    by_h = recommended_weight_limit([hl, hh], 60.0, 40.0, 0.0, 1.0, "8h", "good")
    by_f = recommended_weight_limit(30.0, 60.0, 40.0, 0.0, [fl, fh], "8h", "good")
    assert by_h[0] >= by_h[1] - 1e-12
    assert by_f[0] >= by_f[1] - 1e-12
