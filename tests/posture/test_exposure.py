"""Exposure summaries on synthetic series whose exposure is known by construction."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import numpy as np
import pandas as pd
import pytest
from scipy.ndimage import median_filter

from backcare.errors import InputError
from backcare.knowledge.exposure import iso11226, thresholds
from backcare.posture import Activity, PostureSeries, SeriesMeta
from backcare.posture.alerts import evaluate_batch, iso_rules
from backcare.posture.exposure import analyze_exposure, exposure, glossary
from tests.posture.exposure_helpers import segments, series, trunk

TOL = 1e-6
CET = timezone(timedelta(hours=1))


def test_ten_minutes_at_45_deg_is_600_s_at_or_above_20_and_30_and_none_above_60():
    s = trunk([(300, 5.0), (600, 45.0), (300, 5.0)])
    tot = exposure(s).total.iloc[0]
    assert tot["trunk_fwd_ge20_time_s"] == pytest.approx(600, abs=TOL)
    assert tot["trunk_fwd_ge30_time_s"] == pytest.approx(600, abs=TOL)
    assert tot["trunk_fwd_ge60_time_s"] == 0
    assert tot["trunk_fwd_ge90_time_s"] == 0
    assert tot["trunk_time_s"] == pytest.approx(1200, abs=TOL)
    assert tot["trunk_fwd_ge30_pct"] == pytest.approx(50, abs=1e-6)


def test_band_edges_are_inclusive():
    s = trunk([(100, 29.99), (50, 30.0), (60, 60.0), (40, 90.0)])
    tot = exposure(s).total.iloc[0]
    assert tot["trunk_fwd_ge30_time_s"] == pytest.approx(150, abs=TOL)
    assert tot["trunk_fwd_ge60_time_s"] == pytest.approx(100, abs=TOL)
    assert tot["trunk_fwd_ge90_time_s"] == pytest.approx(40, abs=TOL)


def test_leaning_back_is_not_forward_inclination():
    t, a = segments([(600, 45.0)])
    s = series(t, trunk_inclination=a, trunk_flexion=-a)
    assert exposure(s).total.iloc[0]["trunk_fwd_ge20_time_s"] == 0


def test_camera_flexion_only_counts_its_forward_part():
    t, a = segments([(100, -40.0), (200, 40.0)])
    r = exposure(series(t, trunk_flexion=a))
    assert r.total.iloc[0]["trunk_fwd_ge30_time_s"] == pytest.approx(200, abs=TOL)
    assert any("trunk_flexion" in n for n in r.notes)


def test_inclination_without_sign_counts_all_and_says_so():
    t, a = segments([(100, 40.0)])
    r = exposure(series(t, trunk_inclination=a))
    assert r.total.iloc[0]["trunk_fwd_ge30_time_s"] == pytest.approx(100, abs=TOL)
    assert any("forward sign is unknown" in n for n in r.notes)


def test_lying_is_excluded_from_trunk_exposure():
    t, a = segments([(300, 80.0), (300, 80.0)])
    act = np.full(t.shape[0], Activity.STAND, dtype=np.int8)
    act[: t.shape[0] // 2] = Activity.LIE
    tot = exposure(series(t, activity=act, trunk_inclination=a, trunk_flexion=a)).total.iloc[0]
    assert tot["lying_time_s"] == pytest.approx(300, abs=TOL)
    assert tot["trunk_time_s"] == pytest.approx(300, abs=TOL)
    assert tot["trunk_fwd_ge60_time_s"] == pytest.approx(300, abs=TOL)
    assert tot["trunk_fwd_gt60_longest_s"] == pytest.approx(300, abs=0.05)


def test_sitting_and_upright_split():
    t, a = segments([(200, 35.0), (100, 35.0), (100, 5.0)])
    act = np.full(t.shape[0], Activity.WALK, dtype=np.int8)
    act[: 200 * 25] = Activity.SIT
    tot = exposure(series(t, activity=act, trunk_inclination=a, trunk_flexion=a)).total.iloc[0]
    assert tot["trunk_fwd_ge30_sit_time_s"] == pytest.approx(200, abs=TOL)
    assert tot["trunk_fwd_ge30_upright_time_s"] == pytest.approx(100, abs=TOL)
    assert tot["trunk_fwd_ge30_sit_pct"] == pytest.approx(100)
    assert tot["trunk_fwd_ge30_upright_pct"] == pytest.approx(50)
    assert tot["sit_time_s"] == pytest.approx(200, abs=TOL)
    assert tot["upright_time_s"] == pytest.approx(200, abs=TOL)


def test_percentiles_of_a_ramp():
    rate = 10.0
    n = 90_001
    a = np.linspace(0, 90, n)
    s = series(np.arange(n) / rate, rate_hz=rate, trunk_inclination=a, trunk_flexion=a)
    tot = exposure(s).total.iloc[0]
    res = thresholds().percentiles.resolution_deg
    for p in thresholds().percentiles.percentiles:
        assert tot[f"trunk_fwd_p{p}_deg"] == pytest.approx(0.9 * p, abs=res + 1e-9)


def test_percentile_of_a_constant_is_exact():
    tot = exposure(trunk([(60, 45.0)])).total.iloc[0]
    assert tot["trunk_fwd_p50_deg"] == pytest.approx(45.0)


def test_hours_and_days_split_across_midnight_in_a_half_hour_zone():
    india = timezone(timedelta(hours=5, minutes=30))
    start = datetime(2026, 3, 1, 23, 30, tzinfo=india)
    r = exposure(trunk([(1800, 40.0), (1800, 10.0)], start=start))
    days = r.per_day
    assert list(days["label"]) == ["2026-03-01", "2026-03-02"]
    assert days["trunk_fwd_ge30_time_s"].tolist() == pytest.approx([1800, 0], abs=TOL)
    assert days["measured_time_s"].tolist() == pytest.approx([1800, 1800], abs=TOL)
    hours = r.per_hour
    assert hours["hour"].tolist() == [23, 0]
    assert hours["start"].iloc[1] == pd.Timestamp("2026-03-02 00:00", tz=india)
    assert hours["trunk_fwd_ge30_time_s"].tolist() == pytest.approx([1800, 0], abs=TOL)


def test_hours_follow_the_local_clock_in_utc():
    start = datetime(2026, 3, 2, 7, 15, tzinfo=UTC)
    r = exposure(trunk([(7200, 40.0)], start=start))
    assert r.per_hour["hour"].tolist() == [7, 8, 9]
    assert r.per_hour["measured_time_s"].tolist() == pytest.approx([2700, 3600, 900], abs=TOL)


def test_a_dst_day_has_23_local_hours():
    zoneinfo = pytest.importorskip("zoneinfo")
    try:
        berlin = zoneinfo.ZoneInfo("Europe/Berlin")
    except zoneinfo.ZoneInfoNotFoundError:
        pytest.skip("no timezone database on this system")
    start = datetime(2026, 3, 28, 12, 0, tzinfo=berlin)
    r = exposure(trunk([(36 * 3600, 10.0)], rate_hz=1.0, start=start))
    assert r.per_day["measured_time_s"].tolist() == pytest.approx([43_200, 82_800, 3600])
    day2 = r.per_hour[r.per_hour["day"] == 2]
    assert len(day2) == 23
    assert 2 not in day2["hour"].tolist()  # 02:00 does not exist that night


def test_without_start_days_count_from_the_first_sample():
    t, a = segments([(26 * 3600, 40.0)], rate_hz=0.1)
    t = t + 5000.0  # the origin of series time does not matter, the first sample does
    s = series(t, rate_hz=0.1, trunk_inclination=a, trunk_flexion=a)
    r = exposure(s)
    assert list(r.per_day["label"]) == ["day 1", "day 2"]
    assert r.per_day["start_s"].tolist() == pytest.approx([5000.0, 5000.0 + 86_400])
    assert r.per_day["measured_time_s"].tolist() == pytest.approx([86_400, 7200])
    assert r.per_day["start"].isna().all()
    assert r.per_hour["label"].iloc[24] == "day 2 h00"
    assert any("first sample" in n for n in r.notes)


def test_work_hours_window_per_day():
    start = datetime(2026, 3, 2, 7, 0, tzinfo=CET)
    r = exposure(trunk([(3600, 40.0), (9 * 3600, 10.0)], start=start), work_hours=(8, 16))
    w = r.per_window.iloc[0]
    assert w["measured_time_s"] == pytest.approx(8 * 3600, abs=TOL)
    assert w["trunk_fwd_ge30_time_s"] == 0
    assert w["start"] == pd.Timestamp("2026-03-02 08:00", tz=CET)


def test_explicit_windows_in_seconds_and_wall_clock():
    start = datetime(2026, 3, 2, 7, 0, tzinfo=CET)
    s = trunk([(600, 40.0), (600, 10.0)], start=start)
    wall = (start + timedelta(seconds=300), start + timedelta(seconds=900))
    r = exposure(s, windows=[(0.0, 300.0), wall])
    assert r.per_window["trunk_fwd_ge30_time_s"].tolist() == pytest.approx([300, 300], abs=TOL)
    assert r.per_window["measured_time_s"].tolist() == pytest.approx([300, 600], abs=TOL)


@pytest.mark.parametrize(
    ("kwargs", "where"),
    [
        ({"work_hours": (16, 8)}, "work_hours"),
        ({"windows": [(10.0, 5.0)]}, "windows[0]"),
        ({"windows": [(datetime(2026, 1, 1), datetime(2026, 1, 2))]}, "windows[0]"),
        ({"reba": np.zeros(3, dtype=np.int8)}, "reba"),
        ({"disc_pressure_mpa": np.zeros(3)}, "disc_pressure_mpa"),
    ],
)
def test_bad_arguments_name_the_place(kwargs, where):
    s = trunk([(60, 40.0)], start=datetime(2026, 3, 2, 7, 0, tzinfo=CET))
    with pytest.raises(InputError) as err:
        exposure(s, **kwargs)
    assert err.value.where == where


def test_naive_start_and_empty_series_are_errors():
    t, a = segments([(10, 40.0)])
    naive = PostureSeries(
        t,
        {"trunk_flexion": a},
        meta=SeriesMeta(source="manual", start=datetime(2026, 3, 2, 7, 0)),
    )
    with pytest.raises(InputError, match="timezone-aware"):
        exposure(naive)
    with pytest.raises(InputError, match="at least one sample"):
        exposure(PostureSeries(np.zeros(0), {}))


def test_longest_period_uses_the_median_filter():
    # a 30 s bend at 70 deg interrupted by a 1 s dip stays one period; a 2 s spike is filtered out
    s = trunk([(60, 10.0), (15, 70.0), (1, 50.0), (14, 70.0), (60, 10.0), (2, 80.0), (60, 10.0)])
    tot = exposure(s).total.iloc[0]
    assert tot["trunk_fwd_gt60_longest_s"] == pytest.approx(30, abs=TOL)
    assert tot["trunk_fwd_ge60_time_s"] == pytest.approx(31, abs=TOL)  # raw time, unfiltered


def test_longest_period_matches_a_reference_median_filter():
    rng = np.random.default_rng(3)
    rate = 10.0
    n = 6000
    a = np.clip(40 + np.cumsum(rng.normal(0, 4, n)), 0, 120)
    s = series(np.arange(n) / rate, rate_hz=rate, trunk_inclination=a, trunk_flexion=a)
    w = 2 * round(thresholds().median_filter.window_s * rate / 2) + 1  # odd window of samples
    above = median_filter(a, size=w, mode="nearest") > thresholds().longest.above_deg
    edges = np.flatnonzero(np.diff(np.concatenate(([0], above.astype(int), [0]))))
    runs = (edges[1::2] - edges[0::2]) / rate
    got = exposure(s).total.iloc[0]["trunk_fwd_gt60_longest_s"]
    assert got == pytest.approx(runs.max() if runs.size else 0.0, abs=TOL)


def test_static_holds_on_steps():
    s = trunk([(120, 10.0), (90, 45.0), (30, 20.0), (200, 80.0)])
    r = exposure(s)
    holds = r.bouts[r.bouts["kind"] == "static_hold_trunk"]
    # the 30 s posture is shorter than the minimum hold (60 s)
    assert holds["duration_s"].tolist() == pytest.approx([120, 90, 200], abs=1.0)
    assert holds["mean_deg"].tolist() == pytest.approx([10, 45, 80], abs=0.5)
    assert r.summary.holds["trunk"].count == 3
    assert r.summary.holds["trunk"].longest_s == pytest.approx(200, abs=1.0)


def test_slow_drift_within_the_band_is_one_hold_and_a_wobble_is_none():
    rate = 25.0
    n = int(600 * rate)
    t = np.arange(n) / rate
    drift = 20 + t / 600 * 5  # 5 deg in 10 min
    wobble = 20 + 15 * np.sin(2 * np.pi * t / 20)
    for angle, count in ((drift, 1), (wobble, 0)):
        s = series(t, trunk_inclination=angle, trunk_flexion=angle)
        assert exposure(s).summary.holds["trunk"].count == count


def test_sedentary_bouts_and_breaks():
    rate = 1.0
    plan = [
        (Activity.SIT, 40 * 60),
        (Activity.STAND, 5 * 60),
        (Activity.SIT, 20 * 60),
        (Activity.LIE, 10 * 60),
        (Activity.SIT, 35 * 60),
    ]
    act = np.concatenate([np.full(d, a, dtype=np.int8) for a, d in plan])
    t = np.arange(act.shape[0]) / rate
    r = exposure(series(t, rate_hz=rate, activity=act, trunk_flexion=np.full(t.shape, 5.0)))
    tot = r.total.iloc[0]
    assert tot["sed_bouts_ge30min_n"] == 2
    assert tot["sed_bouts_ge30min_time_s"] == pytest.approx(75 * 60)
    assert tot["sed_longest_s"] == pytest.approx(40 * 60)
    assert tot["sed_breaks_n"] == 1  # the bout ending in lying and the last one are not breaks
    sed = r.bouts[r.bouts["kind"] == "sedentary"]
    assert sed["ended_by"].tolist() == ["stand", "lie", ""]
    assert sed["is_break"].tolist() == [True, False, False]


@pytest.mark.parametrize(
    ("parts", "verdict", "violations"),
    [
        ([(120, 20.0)], "acceptable", 0),
        ([(30, 5.0), (59, 20.5), (30, 5.0)], "acceptable_within_holding_time", 0),
        ([(30, 5.0), (61, 20.5), (30, 5.0)], "not_recommended", 1),
        ([(30, 5.0), (50, 60.0), (30, 5.0)], "acceptable_within_holding_time", 0),
        ([(30, 5.0), (4, 60.5), (30, 5.0)], "acceptable_within_holding_time", 0),
        ([(30, 5.0), (6, 60.5), (30, 5.0)], "not_recommended", 1),
        ([(30, 5.0), (65, 70.0), (30, 5.0)], "not_recommended", 2),
    ],
)
def test_iso_trunk_verdict_at_the_boundaries(parts, verdict, violations):
    r = exposure(trunk(parts))
    assert r.summary.iso["trunk"].verdict == verdict
    assert r.summary.iso["trunk"].violations == violations
    assert r.summary.iso["neck"].verdict == "not_measured"


def test_iso_zone_times():
    r = exposure(trunk([(30, 5.0), (100, 40.0), (30, 5.0), (20, 75.0), (30, 5.0)]))
    tot = r.total.iloc[0]
    assert tot["iso_trunk_inclination_holding_zone_time_s"] == pytest.approx(100, abs=TOL)
    assert tot["iso_trunk_inclination_not_recommended_time_s"] == pytest.approx(20, abs=TOL)


def test_neck_and_upper_arm_bands_and_verdicts():
    t, a = segments([(60, 10.0), (40, 30.0), (60, 10.0)])
    arms = np.where(a > 20, 70.0, 10.0)
    s = series(
        t,
        neck_flexion=a,
        upper_arm_elevation_left=arms,
        upper_arm_elevation_right=np.full(t.shape, 15.0),
    )
    r = exposure(s)
    tot = r.total.iloc[0]
    assert tot["neck_flex_ge25_time_s"] == pytest.approx(40, abs=TOL)
    assert tot["upper_arm_ge60_time_s"] == pytest.approx(40, abs=TOL)
    assert r.summary.iso["neck"].verdict == "not_recommended"
    assert r.summary.iso["upper_arm"].verdict == "not_recommended"
    assert r.summary.iso["trunk"].verdict == "not_measured"
    assert np.isnan(tot["trunk_time_s"])


def test_violations_count_in_the_hour_the_limit_is_reached():
    start = datetime(2026, 3, 2, 8, 59, 30, tzinfo=UTC)
    r = exposure(trunk([(120, 40.0)], start=start))
    assert r.per_hour["iso_trunk_violations_n"].tolist() == [0, 1]  # limit reached at 09:00:30
    assert r.per_hour["iso_trunk_verdict"].tolist() == [
        "acceptable_within_holding_time",
        "not_recommended",
    ]


def test_gaps_are_not_credited():
    rate = 25.0
    t1, a1 = segments([(60, 40.0)], rate)
    t = np.concatenate((t1, t1 + 3600))
    a = np.concatenate((a1, a1))
    s = series(t, rate_hz=rate, trunk_inclination=a, trunk_flexion=a)
    tot = exposure(s).total.iloc[0]
    assert tot["measured_time_s"] == pytest.approx(s.sample_durations().sum(), abs=TOL)
    assert tot["measured_time_s"] == pytest.approx(120, abs=TOL)
    assert tot["trunk_fwd_ge30_time_s"] == pytest.approx(120, abs=TOL)
    # the gap breaks the run: the longest bend is one recorded minute, not the hour between
    assert tot["trunk_fwd_gt60_longest_s"] == 0
    assert tot["hold_trunk_longest_s"] <= 60 + TOL


def test_disc_dose_relative_to_standing():
    t, a = segments([(7200, 10.0)])
    s = series(t, trunk_flexion=a)
    ref = thresholds().disc.standing_mpa
    r = exposure(s, disc_pressure_mpa=np.full(t.shape, ref))
    tot = r.total.iloc[0]
    assert tot["disc_dose_mpa_h"] == pytest.approx(2 * ref)
    assert tot["disc_dose_rel_h"] == pytest.approx(2.0)
    assert tot["disc_rel_standing"] == pytest.approx(1.0)
    p = np.full(t.shape, 2 * ref)
    p[: t.shape[0] // 2] = np.nan
    tot = exposure(s, disc_pressure_mpa=p).total.iloc[0]
    assert tot["disc_time_s"] == pytest.approx(3600)
    assert tot["disc_rel_standing"] == pytest.approx(2.0)


def test_score_distributions_from_arrays():
    t, a = segments([(100, 10.0), (100, 40.0)])
    s = series(t, trunk_flexion=a)
    score = np.where(a > 20, 6, 2).astype(np.int8)
    score[:250] = 0  # 10 s not computable
    level = np.where(a > 20, 2, 1).astype(np.int8)

    class Frames:
        def __init__(self) -> None:
            self.score = score
            self.action_level = np.where(score > 0, level, -1).astype(np.int8)

    r = exposure(s, reba=Frames(), rula=score)
    tot = r.total.iloc[0]
    assert tot["reba_scored_time_s"] == pytest.approx(190)
    assert tot["reba_median_score"] == 6
    assert tot["reba_max_score"] == 6
    sc = r.scores[(r.scores["period"] == "total") & (r.scores["method"] == "reba")]
    by = sc.set_index(["measure", "value"])["time_s"]
    assert by[("score", 2)] == pytest.approx(90)
    assert by[("score", 6)] == pytest.approx(100)
    assert by[("action_level", 2)] == pytest.approx(100)
    assert set(r.scores["method"]) == {"reba", "rula"}


def test_analyze_exposure_calls_the_real_scorers():
    from backcare.posture.ergo_common import TaskInputs

    t, a = segments([(60, 10.0), (60, 50.0)])
    s = series(
        t,
        activity=Activity.STAND,
        trunk_flexion=a,
        neck_flexion=np.full(t.shape, 10.0),
        upper_arm_flexion_left=np.full(t.shape, 10.0),
        upper_arm_flexion_right=np.full(t.shape, 10.0),
        elbow_flexion_left=np.full(t.shape, 80.0),
        elbow_flexion_right=np.full(t.shape, 80.0),
        wrist_flexion_left=np.zeros(t.shape),
        wrist_flexion_right=np.zeros(t.shape),
    )
    r = analyze_exposure(s, task=TaskInputs(load_kg=0.0, coupling="good"))
    tot = r.total.iloc[0]
    assert tot["reba_scored_time_s"] > 0
    assert tot["rula_scored_time_s"] > 0
    assert tot["disc_time_s"] == pytest.approx(120, abs=TOL)
    # standing bent forward carries more disc pressure than upright standing
    assert tot["disc_rel_standing"] > 1.0
    plain = analyze_exposure(s)
    assert np.isnan(plain.total.iloc[0]["reba_scored_time_s"])
    assert any("REBA/RULA not computed" in n for n in plain.notes)


def test_glossary_matches_every_column():
    g = glossary()
    s = trunk([(100, 40.0)], start=datetime(2026, 3, 2, 7, 0, tzinfo=CET))
    r = exposure(s, work_hours=(8, 16), reba=np.full(len(s), 3, dtype=np.int8))
    seen: set[str] = set()
    for name, table in r.tables().items():
        missing = set(table.columns) - set(g)
        assert not missing, f"{name}: columns without a glossary entry: {sorted(missing)}"
        seen |= set(table.columns)
    assert set(g) - seen == set(), "glossary entries that no table has"
    assert all(e.unit and e.meaning for e in g.values())


def test_same_result_whatever_the_chunk_size():
    rng = np.random.default_rng(5)
    n = 20_000
    a = np.clip(30 + np.cumsum(rng.normal(0, 2, n)), 0, 150)
    act = np.repeat(rng.choice([3, 4, 6, 2], size=n // 500 + 1), 500)[:n]
    s = series(np.arange(n) / 25.0, activity=act, trunk_inclination=a, trunk_flexion=a)
    big = exposure(s)
    small = exposure(s, chunk_size=997)
    assert big.events == small.events
    pd.testing.assert_frame_equal(big.total, small.total, check_exact=False, rtol=1e-9)
    pd.testing.assert_frame_equal(big.bouts, small.bouts, check_exact=False, rtol=1e-9)


def test_exposure_events_are_the_batch_alert_events():
    rng = np.random.default_rng(11)
    n = 30_000
    a = np.clip(25 + np.cumsum(rng.normal(0, 1.5, n)), 0, 150)
    s = series(np.arange(n) / 25.0, trunk_inclination=a, trunk_flexion=a)
    rules = iso_rules("trunk_inclination")
    r = exposure(s)
    assert r.events == tuple(evaluate_batch(s, rules))
    assert len(r.events) > 0
    assert r.summary.iso["trunk"].violations == len(r.events)


def test_iso_knowledge_is_what_the_rules_use():
    trunk_rule = next(m for m in iso11226().measures if m.id == "trunk_inclination")
    holding, not_rec = iso_rules(trunk_rule)
    assert holding.above_deg == trunk_rule.acceptable_max_deg
    assert holding.duration_s == trunk_rule.max_holding_time_s
    assert not_rec.above_deg == trunk_rule.not_recommended_above_deg
    assert not_rec.duration_s == iso11226().not_recommended_sustained.min_s


def test_head_inclination_channel_feeds_iso_head_verdict_without_hips():
    """An upper-body view (desk webcam) has head inclination but no trunk or neck flexion."""
    import numpy as np

    from backcare.posture import PostureSeries, SeriesMeta
    from backcare.posture.exposure import exposure

    t = np.arange(0, 600, 1.0)
    series = PostureSeries(
        t, {"head_inclination": np.full(t.size, 40.0)}, meta=SeriesMeta(source="live", rate_hz=1)
    )
    report = exposure(series)
    assert report.summary.iso["neck"].verdict == "not_recommended"  # 40 deg held 10 min
