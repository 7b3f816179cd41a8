from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from backcare.errors import InputError
from backcare.knowledge import load
from backcare.knowledge.biomechanics import AnthropometryDocument, L5S1ModelDocument
from backcare.posture.conventions import Activity
from backcare.posture.load import (
    article_claim_comparison,
    compression_limits,
    disc_pressure,
    disc_pressure_model,
    disc_pressure_series,
    l5s1_forces,
    l5s1_series,
    relative_to,
)
from backcare.posture.series import PostureSeries

G = 9.80665

# -- disc pressure: Wilke 1999 ------------------------------------------------------------------

# The list of Wilke et al. (1999) values [MPa], with the posture each is entered as.
WILKE = [
    ("lying supine", Activity.LIE_SUPINE, 0.0, 0.0, 0.10),
    ("lying on the side", Activity.LIE_SIDE, 0.0, 0.0, 0.12),
    ("standing", Activity.STAND, 0.0, 0.0, 0.50),
    ("standing bent forward", Activity.STAND, 90.0, 0.0, 1.10),
    ("sitting relaxed", Activity.SIT, 0.0, 0.0, 0.46),
    ("sitting slouched", Activity.SIT, 90.0, 0.0, 0.83),
    ("sitting leaning back", Activity.SIT, -20.0, 0.0, 0.30),
    ("lifting 20 kg, round back", Activity.STAND, 90.0, 20.0, 2.3),
    ("lifting 20 kg, knees bent", Activity.STAND, 45.0, 20.0, 1.7),
    ("lifting 20 kg, close to the body", Activity.STAND, 0.0, 20.0, 1.1),
]


@pytest.mark.parametrize(("label", "activity", "flexion", "load_kg", "expected"), WILKE)
def test_wilke_values_are_reproduced_at_their_postures(label, activity, flexion, load_kg, expected):
    got = disc_pressure(activity, flexion, hand_load_kg=load_kg)
    assert float(got) == pytest.approx(expected, abs=1e-12), label


@pytest.mark.parametrize("model", ["wilke1999", "nachemson1981"])
def test_every_anchor_of_the_knowledge_file_is_reproduced(model):
    m = disc_pressure_model(model)
    codes = {
        "lying_supine": Activity.LIE_SUPINE,
        "lying_prone": Activity.LIE_PRONE,
        "lying_side": Activity.LIE_SIDE,
        "standing": Activity.STAND,
        "sitting": Activity.SIT,
    }
    for a in m.anchors:
        flexion = a.trunk_flexion_deg if a.trunk_flexion_deg is not None else np.nan
        got = disc_pressure(codes[a.posture], flexion, hand_load_kg=a.hand_load_kg, model=model)
        assert float(got) == pytest.approx(a.value * m.mpa_per_unit, abs=1e-12), a.id


def test_interpolation_is_piecewise_linear_between_anchors_and_held_beyond():
    stand = disc_pressure(Activity.STAND, [45.0, 22.5, 120.0, -30.0])
    assert stand == pytest.approx([0.80, 0.65, 1.10, 0.50])
    sit = disc_pressure(Activity.SIT, [45.0, -10.0, -40.0])
    assert sit == pytest.approx([0.645, 0.38, 0.30])


def test_hand_load_increment_per_kg_follows_the_lifting_anchors():
    # 0.03 MPa/kg upright, 0.06 MPa/kg at 90 deg, linear in between.
    got = disc_pressure(Activity.STAND, [0.0, 90.0, 45.0], hand_load_kg=10.0)
    assert got == pytest.approx([0.5 + 0.3, 1.1 + 0.6, 0.8 + 0.45])
    # Sitting has no lifting anchor in Wilke's data and borrows the standing increments.
    assert float(disc_pressure(Activity.SIT, 0.0, hand_load_kg=10.0)) == pytest.approx(0.76)


@settings(max_examples=60, deadline=None)
@given(
    a=st.floats(-180, 180),
    b=st.floats(-180, 180),
    load_kg=st.floats(0, 60),
    activity=st.sampled_from([Activity.STAND, Activity.SIT, Activity.WALK, Activity.CYCLE]),
    model=st.sampled_from(["wilke1999", "nachemson1981"]),
)
def test_pressure_is_monotone_in_flexion_from_upright(a, b, load_kg, activity, model):
    lo, hi = sorted((abs(a) / 2, abs(b) / 2))  # 0..90 deg
    p = disc_pressure(activity, [lo, hi], hand_load_kg=load_kg, model=model)
    assert p[0] <= p[1] + 1e-12


@settings(max_examples=40, deadline=None)
@given(flexion=st.floats(-180, 180), l1=st.floats(0, 100), l2=st.floats(0, 100))
def test_pressure_is_monotone_in_load(flexion, l1, l2):
    lo, hi = sorted((l1, l2))
    p = disc_pressure(Activity.STAND, flexion, hand_load_kg=np.array([lo, hi]))
    assert p[0] <= p[1] + 1e-12


def test_lying_needs_no_flexion_and_ignores_load():
    got = disc_pressure(
        [Activity.LIE, Activity.LIE_SUPINE, Activity.LIE_PRONE, Activity.LIE_SIDE],
        np.nan,
        hand_load_kg=30.0,
    )
    assert got == pytest.approx([0.10, 0.10, 0.10, 0.12])


def test_unknown_nonwear_and_missing_flexion_give_nan():
    got = disc_pressure(
        [Activity.UNKNOWN, Activity.NONWEAR, Activity.STAND, Activity.SIT, Activity.STAND],
        [0.0, 0.0, np.nan, np.nan, 0.0],
        hand_load_kg=[0.0, 0.0, 0.0, 0.0, np.nan],
    )
    assert np.isnan(got).all()


def test_every_activity_code_has_a_posture_class():
    for act in Activity:
        value = disc_pressure(act, 10.0)
        if act in (Activity.UNKNOWN, Activity.NONWEAR):
            assert np.isnan(value)
        else:
            assert np.isfinite(value), act


def test_movement_uses_the_standing_curve_and_cycling_the_sitting_curve():
    walk = disc_pressure([Activity.WALK, Activity.STAIRS, Activity.KNEEL], 30.0)
    assert walk == pytest.approx(disc_pressure(Activity.STAND, [30.0] * 3))
    assert float(disc_pressure(Activity.CYCLE, 30.0)) == float(disc_pressure(Activity.SIT, 30.0))


def test_inputs_broadcast():
    got = disc_pressure(Activity.STAND, np.zeros((2, 3)), hand_load_kg=[0.0, 10.0, 20.0])
    assert got.shape == (2, 3)
    assert got[1] == pytest.approx([0.5, 0.8, 1.1])


def test_nachemson_model_is_relative_to_standing():
    m = "nachemson1981"
    assert float(relative_to(disc_pressure(Activity.SIT, 0.0, model=m), model=m)) == pytest.approx(
        1.4
    )
    bent = disc_pressure(Activity.STAND, 90.0, model=m)
    assert float(relative_to(bent, model=m)) == pytest.approx(1.5)
    assert float(relative_to(bent, "lying", model=m)) == pytest.approx(6.0)
    # Nachemson's sitting is above standing, Wilke's relaxed sitting below it.
    assert disc_pressure(Activity.SIT, 0.0, model=m) > disc_pressure(Activity.STAND, 0.0, model=m)
    assert disc_pressure(Activity.SIT, 0.0) < disc_pressure(Activity.STAND, 0.0)
    # No prone value in Nachemson's table: the supine anchor is used.
    assert float(disc_pressure(Activity.LIE_PRONE, np.nan, model=m)) == pytest.approx(0.125)
    # Sitting bent forward holding 20 kg: 275 % of standing.
    loaded = disc_pressure(Activity.SIT, 90.0, hand_load_kg=20.0, model=m)
    assert float(relative_to(loaded, model=m)) == pytest.approx(2.75)


def test_relative_to_standing_and_lying():
    bent = disc_pressure(Activity.STAND, 90.0)
    assert float(relative_to(bent)) == pytest.approx(2.2)
    assert float(relative_to(bent, "lying")) == pytest.approx(11.0)
    with pytest.raises(InputError, match="reference"):
        relative_to(bent, "sitting")  # type: ignore[arg-type]


def test_article_claim_comparison_numbers():
    cmp = article_claim_comparison()
    assert (cmp.claim_bent_to_standing, cmp.claim_bent_to_lying) == (2.5, 10.0)
    wilke = cmp.ratios("wilke1999")
    nachemson = cmp.ratios("nachemson1981")
    assert (wilke.bent_to_standing, wilke.bent_to_lying) == pytest.approx((2.2, 11.0))
    assert (nachemson.bent_to_standing, nachemson.bent_to_lying) == pytest.approx((1.5, 6.0))
    assert "wilke-1999" in cmp.sources
    assert "nachemson-1981" in cmp.sources
    assert "2.5" in cmp.claim
    assert "2.2" in cmp.assessment


@pytest.mark.parametrize(
    ("kwargs", "where"),
    [
        ({"activity": 99, "trunk_flexion_deg": 0.0}, "activity"),
        ({"activity": [3.5], "trunk_flexion_deg": 0.0}, "activity"),
        ({"activity": Activity.STAND, "trunk_flexion_deg": 200.0}, "trunk_flexion_deg"),
        ({"activity": Activity.STAND, "trunk_flexion_deg": np.inf}, "trunk_flexion_deg"),
        (
            {"activity": Activity.STAND, "trunk_flexion_deg": 0.0, "hand_load_kg": -1},
            "hand_load_kg",
        ),
        ({"activity": Activity.STAND, "trunk_flexion_deg": 0.0, "model": "x"}, "model"),
    ],
)
def test_disc_pressure_rejects_impossible_input(kwargs, where):
    with pytest.raises(InputError) as info:
        disc_pressure(**kwargs)
    assert info.value.where == where


def test_disc_pressure_series_uses_activity_flexion_and_load():
    series = PostureSeries(
        np.arange(5.0),
        {"trunk_flexion": [0.0, 90.0, 45.0, np.nan, 0.0], "hand_load": [0.0, 0.0, 20.0, 0, 0]},
        activity=np.array([4, 4, 4, 2, 0], dtype=np.int8),
    )
    got = disc_pressure_series(series)
    assert got[:4] == pytest.approx([0.5, 1.1, 1.7, 0.1])
    assert np.isnan(got[4])
    override = disc_pressure_series(series, hand_load_kg=0.0)
    assert override[2] == pytest.approx(0.8)


def test_disc_pressure_series_without_trunk_channel_values_only_lying():
    series = PostureSeries(np.arange(3.0), activity=np.array([2, 3, 4], dtype=np.int8))
    got = disc_pressure_series(series, model="nachemson1981")
    assert got[0] == pytest.approx(0.125)
    assert np.isnan(got[1:]).all()


# -- L5/S1 static model -------------------------------------------------------------------------


def test_upright_compression_of_a_75kg_person_is_400_to_500_n():
    r = l5s1_forces(75.0, 1.75, 0.0)
    assert 400.0 <= float(r.compression_n) <= 500.0
    assert float(r.moment_nm) == pytest.approx(0.0, abs=1e-9)
    assert float(r.shear_n) == pytest.approx(0.0, abs=1e-9)
    # Upright with hanging arms the compression is exactly the weight above L5/S1.
    assert float(r.compression_n) == pytest.approx(float(r.upper_body_weight_n))


def test_weight_above_l5s1_is_the_documented_share_of_de_leva_masses():
    seg = load("biomechanics/anthropometry.yaml", AnthropometryDocument).table.male.segments
    share = (
        seg["head_neck"].mass_fraction
        + seg["upper_trunk"].mass_fraction
        + seg["middle_trunk"].mass_fraction
        + 0.5 * seg["lower_trunk"].mass_fraction
        + 2 * (seg["upper_arm"].mass_fraction + seg["forearm"].mass_fraction)
        + 2 * seg["hand"].mass_fraction
    )
    r = l5s1_forces(75.0, 1.75, 0.0, hand_load_kg=10.0)
    assert float(r.upper_body_weight_n) == pytest.approx(G * (75.0 * share + 10.0))


def test_load_lever_arms_follow_the_segment_geometry():
    table = load("biomechanics/anthropometry.yaml", AnthropometryDocument).table.male
    params = load("biomechanics/l5s1_model.yaml", L5S1ModelDocument).model
    scale = 1.75 / table.stature_m
    l5s1 = params.l5s1_fraction_of_lower_trunk * table.segments["lower_trunk"].length_m
    shoulder = (table.shoulder_above_hip_m - l5s1) * scale
    # Trunk horizontal, arms hanging: the load hangs below the shoulder.
    m0, m10 = (float(l5s1_forces(75, 1.75, 90.0, hand_load_kg=x).moment_nm) for x in (0, 10))
    assert m10 - m0 == pytest.approx(G * 10 * shoulder)
    # Trunk upright, upper arm hanging, elbow at 90 deg: the load sits a forearm + hand ahead.
    fa, hand = table.segments["forearm"], table.segments["hand"]
    reach = (fa.length_m + hand.com_from_proximal * hand.length_m) * scale
    r0, r10 = (
        float(l5s1_forces(75, 1.75, 0.0, hand_load_kg=x, elbow_flexion_deg=90).moment_nm)
        for x in (0, 10)
    )
    assert r10 - r0 == pytest.approx(G * 10 * reach)


def test_moment_scales_with_mass_and_height():
    base = float(l5s1_forces(70.0, 1.70, 40.0).moment_nm)
    assert float(l5s1_forces(140.0, 1.70, 40.0).moment_nm) == pytest.approx(2 * base)
    assert float(l5s1_forces(70.0, 2.04, 40.0).moment_nm) == pytest.approx(1.2 * base)


@settings(max_examples=60, deadline=None)
@given(
    a=st.floats(0, 75),
    b=st.floats(0, 75),
    load_kg=st.floats(0, 40),
    mass=st.floats(45, 120),
    sex=st.sampled_from(["male", "female"]),
)
def test_compression_is_monotone_in_flexion(a, b, load_kg, mass, sex):
    lo, hi = sorted((a, b))
    r = l5s1_forces(mass, 1.75, [lo, hi], hand_load_kg=load_kg, sex=sex)
    assert r.compression_n[0] <= r.compression_n[1] + 1e-9


@settings(max_examples=40, deadline=None)
@given(a=st.floats(0, 90), b=st.floats(0, 90), load_kg=st.floats(0, 40))
def test_moment_is_monotone_in_flexion_up_to_90(a, b, load_kg):
    lo, hi = sorted((a, b))
    r = l5s1_forces(75.0, 1.75, [lo, hi], hand_load_kg=load_kg)
    assert r.moment_nm[0] <= r.moment_nm[1] + 1e-9


def test_compression_peaks_near_80_deg_and_stays_within_2_percent_to_90():
    flexion = np.linspace(0.0, 90.0, 181)
    c = l5s1_forces(75.0, 1.75, flexion).compression_n
    peak = int(np.argmax(c))
    assert 75.0 <= flexion[peak] <= 88.0
    assert c[-1] >= 0.98 * c[peak]
    assert c[-1] > c[flexion == 60.0][0]


@settings(max_examples=60, deadline=None)
@given(
    flexion=st.floats(0, 90),
    l1=st.floats(0, 60),
    l2=st.floats(0, 60),
    elbow=st.floats(0, 150),
)
def test_compression_is_monotone_in_load(flexion, l1, l2, elbow):
    # From upright forward the moment of gravity is a flexion moment and a load in front of the
    # body adds to it. (Leaning back, a small load in front first offsets the backward moment and
    # compression falls: see the next test.)
    lo, hi = sorted((l1, l2))
    r = l5s1_forces(75.0, 1.75, flexion, hand_load_kg=[lo, hi], elbow_flexion_deg=elbow)
    assert r.compression_n[0] <= r.compression_n[1] + 1e-9


def test_a_load_in_front_offsets_a_backward_lean():
    r = l5s1_forces(75.0, 1.75, -10.0, hand_load_kg=[0.0, 2.0], elbow_flexion_deg=90.0)
    assert r.moment_nm[0] < 0
    assert abs(r.moment_nm[1]) < abs(r.moment_nm[0])
    assert r.compression_n[1] < r.compression_n[0]


def test_extension_gives_a_backward_moment_balanced_by_muscle():
    r = l5s1_forces(75.0, 1.75, -20.0)
    assert float(r.moment_nm) < 0
    assert float(r.extensor_force_n) == pytest.approx(-float(r.moment_nm) / 0.05)
    assert float(r.shear_n) < 0


def test_disc_inclination_offset_moves_force_from_compression_to_shear():
    base = l5s1_forces(75.0, 1.75, 30.0)
    same = l5s1_forces(75.0, 1.75, 30.0, disc_inclination_offset_deg=0.0)
    assert float(same.compression_n) == float(base.compression_n)
    tilted = l5s1_forces(75.0, 1.75, 30.0, disc_inclination_offset_deg=20.0)
    assert float(tilted.compression_n) < float(base.compression_n)
    total = math.hypot(float(tilted.compression_n), float(tilted.shear_n))
    assert total == pytest.approx(math.hypot(float(base.compression_n), float(base.shear_n)))


def test_limits_are_niosh_3400_and_6400_n():
    assert compression_limits() == (3400.0, 6400.0)
    r = l5s1_forces(75.0, 1.75, [0.0, 60.0, 90.0], hand_load_kg=[0.0, 20.0, 60.0])
    assert r.above_action_limit().tolist() == [False, True, True]
    assert r.above_maximum_permissible().tolist() == [False, False, True]
    assert {"chaffin-2006", "de-leva-1996", "niosh-1981"} <= set(r.sources)


def test_l5s1_is_vectorised_and_nan_passes_through():
    r = l5s1_forces([60.0, 90.0], [1.6, 1.9], [[10.0, np.nan], [30.0, 45.0]])
    assert r.compression_n.shape == (2, 2)
    assert np.isnan(r.compression_n[0, 1])
    assert np.isfinite(r.compression_n[1]).all()


@pytest.mark.parametrize(
    ("args", "kwargs", "where"),
    [
        ((-75.0, 1.75, 0.0), {}, "body_mass_kg"),
        ((75.0, 5.0, 0.0), {}, "height_m"),
        ((75.0, 175.0, 0.0), {}, "height_m"),
        ((75.0, 1.75, 150.0), {}, "trunk_flexion_deg"),
        ((75.0, 1.75, 0.0), {"hand_load_kg": -2.0}, "hand_load_kg"),
        ((75.0, 1.75, 0.0), {"upper_arm_flexion_deg": -90.0}, "upper_arm_flexion_deg"),
        ((75.0, 1.75, 0.0), {"elbow_flexion_deg": 200.0}, "elbow_flexion_deg"),
        ((75.0, 1.75, 0.0), {"sex": "x"}, "sex"),
        ((np.nan, 1.75, 0.0), {}, "body_mass_kg"),
        ((75.0, 1.75, 0.0), {"disc_inclination_offset_deg": 90.0}, "disc_inclination_offset_deg"),
    ],
)
def test_l5s1_rejects_impossible_input(args, kwargs, where):
    with pytest.raises(InputError) as info:
        l5s1_forces(*args, **kwargs)
    assert info.value.where == where


def test_l5s1_series_uses_channels_and_flags_what_it_cannot_model():
    n = 6
    series = PostureSeries(
        np.arange(float(n)),
        {
            "trunk_flexion": [0.0, 45.0, 45.0, -80.0, 30.0, 30.0],
            "upper_arm_flexion_left": [np.nan, 0.0, 0.0, 0.0, 0.0, 0.0],
            "upper_arm_flexion_right": [0.0, np.nan, 0.0, 0.0, 0.0, 0.0],
            "hand_load": [0.0, 0.0, 10.0, 0.0, 0.0, 0.0],
        },
        activity=np.array([4, 4, 4, 4, 2, 0], dtype=np.int8),
    )
    r = l5s1_series(series, 75.0, 1.75)
    direct = l5s1_forces(
        75.0, 1.75, [0.0, 45.0, 45.0], hand_load_kg=[0, 0, 10], upper_arm_flexion_deg=0.0
    )
    assert r.compression_n[:3] == pytest.approx(direct.compression_n)
    assert np.isnan(r.compression_n[3])
    assert r.out_of_range.tolist()[3]
    assert np.isnan(r.compression_n[4])
    assert not r.out_of_range[4]
    assert np.isfinite(r.compression_n[5])  # unknown activity: angles suffice
    assert np.isnan(r.upper_body_weight_n[3])


def test_l5s1_series_needs_trunk_flexion():
    series = PostureSeries(np.arange(2.0), {"neck_flexion": [0.0, 1.0]})
    with pytest.raises(InputError, match="trunk_flexion"):
        l5s1_series(series, 75.0, 1.75)
