"""Shared simulated schedules for the wearable pipeline tests."""

from __future__ import annotations

from backcare.posture.angles import SensorAxes
from backcare.posture.conventions import Activity
from backcare.wearable.synthetic import Bout, SimulatedSensor

# A day in miniature: every activity, trunk bending, lying in three ways and a non-wear period.
# Walking is simulated with the trunk 6 deg forward, the angle the reference estimate assumes.
DAY = [
    Bout(Activity.STAND, 120),
    Bout(Activity.WALK, 300, trunk_flexion_deg=6),
    Bout(Activity.SIT, 600, trunk_flexion_deg=15),
    Bout(Activity.STAND, 120, trunk_flexion_deg=40, trunk_lateral_deg=-10),
    Bout(Activity.MOVE, 60),
    Bout(Activity.RUN, 120, trunk_flexion_deg=6),
    Bout(Activity.WALK, 200, trunk_flexion_deg=6),
    Bout(Activity.STAIRS, 60, trunk_flexion_deg=6),
    Bout(Activity.WALK, 60, trunk_flexion_deg=6),
    Bout(Activity.CYCLE, 300, trunk_flexion_deg=20),
    Bout(Activity.LIE_SUPINE, 300),
    Bout(Activity.LIE_SIDE, 300),
    Bout(Activity.LIE_PRONE, 200),
    Bout(Activity.WALK, 60, trunk_flexion_deg=6),
    Bout(Activity.NONWEAR, 6000),
    Bout(Activity.STAND, 300, trunk_flexion_deg=70, arm_elevation_deg=100),
    Bout(Activity.WALK, 200, trunk_flexion_deg=6),
    Bout(Activity.SIT, 300, trunk_flexion_deg=-10, trunk_lateral_deg=8),
]

THIGH = SimulatedSensor("thigh", axes=SensorAxes("+x", "-z"))
BACK = SimulatedSensor("trunk_back", axes=SensorAxes("+x", "+z"), tilt_deg=27.0)
ARM = SimulatedSensor("upper_arm", axes=SensorAxes("+x", "+y"))
