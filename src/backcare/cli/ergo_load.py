"""``backcare ergo niosh`` and ``backcare ergo load``: lifting and spinal-load calculators.

``niosh`` applies the revised NIOSH lifting equation to one task and prints every multiplier, the
recommended weight limit, the lifting index and its band (at the destination too when
``--v-dest`` is given, for lifts that need significant control there). ``load`` estimates the
L5/S1 compression and shear of a posture against NIOSH's limits and the intradiscal pressure from
both disc-pressure models. ``--json`` prints the same content as JSON. Impossible input is
reported naming the option.
"""

from __future__ import annotations

import json
import math
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from backcare.cli.console import console
from backcare.errors import InputError
from backcare.posture.conventions import Activity

if TYPE_CHECKING:  # NumPy, the models and the knowledge catalog load inside the commands
    from backcare.posture.niosh import NioshResult

__all__ = ["load_command", "niosh_command"]


class DurationChoice(StrEnum):
    """Work duration category of the lifting."""

    short = "1h"
    moderate = "2h"
    long = "8h"


class CouplingChoice(StrEnum):
    """Hand-to-object coupling."""

    good = "good"
    fair = "fair"
    poor = "poor"


class PostureChoice(StrEnum):
    """Posture for ``ergo load``."""

    standing = "standing"
    sitting = "sitting"
    lying_supine = "lying-supine"
    lying_prone = "lying-prone"
    lying_side = "lying-side"


class SexChoice(StrEnum):
    """Column of the segment table."""

    male = "male"
    female = "female"


_POSTURE_ACTIVITY = {
    PostureChoice.standing: Activity.STAND,
    PostureChoice.sitting: Activity.SIT,
    PostureChoice.lying_supine: Activity.LIE_SUPINE,
    PostureChoice.lying_prone: Activity.LIE_PRONE,
    PostureChoice.lying_side: Activity.LIE_SIDE,
}


def _renamed(exc: InputError, options: dict[str, str]) -> InputError:
    """The same error with the core's parameter name replaced by the CLI option."""
    where = exc.where or ""
    return InputError(exc.problem, where=options.get(where, where) or None)


def _emit(payload: dict[str, Any]) -> None:
    console.print(json.dumps(payload, indent=2, allow_nan=False), markup=False, highlight=False)


def _citations(ids: tuple[str, ...] | list[str]) -> list[str]:
    from backcare.knowledge import source

    return [source(i).citation for i in dict.fromkeys(ids)]


def _row(table: Table, label: str, *cells: str) -> None:
    table.add_row(escape(label), *(escape(c) for c in cells))


def _fmt(value: float, digits: int = 2) -> str:
    return "inf" if math.isinf(value) else f"{value:.{digits}f}"


# -- niosh ------------------------------------------------------------------------------------

_NIOSH_OPTIONS = {
    "load_kg": "--load",
    "h_cm": "--h",
    "v_cm": "--v",
    "d_cm": "--d",
    "a_deg": "--a",
    "frequency_per_min": "--freq",
    "destination.h_cm": "--h-dest",
    "destination.v_cm": "--v-dest",
    "destination.a_deg": "--a-dest",
}


def _niosh_json(result: NioshResult) -> dict[str, Any]:
    from backcare.knowledge import source

    data = result.model_dump(mode="json")
    for key in ("origin", "destination"):
        point = data.get(key)
        if point is not None and math.isinf(point["lifting_index"]):
            point["lifting_index"] = None
    if math.isinf(result.lifting_index):
        data["lifting_index"] = None
    data["sources"] = [{"id": i, "citation": source(i).citation} for i in result.sources]
    return {"method": "revised NIOSH lifting equation", "result": data}


def _print_niosh(result: NioshResult) -> None:
    table = Table(title="Revised NIOSH lifting equation")
    table.add_column("")
    table.add_column("origin", justify="right")
    if result.destination is not None:
        table.add_column("destination", justify="right")
    points = [result.origin] + ([result.destination] if result.destination else [])
    _row(table, "H [cm]", *(f"{p.h_cm:g}" for p in points))
    _row(table, "V [cm]", *(f"{p.v_cm:g}" for p in points))
    _row(table, "A [deg]", *(f"{p.a_deg:g}" for p in points))
    _row(table, "D [cm]", *(f"{result.d_cm:g}" for _ in points))
    for name in ("hm", "vm", "dm", "am", "fm", "cm"):
        _row(table, name.upper(), *(_fmt(getattr(p.multipliers, name), 3) for p in points))
    _row(table, "RWL [kg]", *(_fmt(p.rwl_kg, 1) for p in points))
    _row(table, "LI", *(_fmt(p.lifting_index, 2) for p in points))
    console.print(table)
    task = result.task
    console.print(
        f"Load {task.load_kg:g} kg, {task.frequency_per_min:g} lifts/min, duration "
        f"{task.duration}, coupling {task.coupling}; LC = {result.load_constant_kg:g} kg."
    )
    console.print(
        f"RWL {_fmt(result.rwl_kg, 1)} kg ({result.governing}), "
        f"lifting index {_fmt(result.lifting_index, 2)}: {result.risk_label}. {result.risk_text}",
        markup=False,
    )
    for note in result.notes:
        console.print(f"note: {note}", markup=False)
    console.print("Limitations:", markup=False)
    for line in result.limitations:
        console.print(f"  - {line}", markup=False)
    console.print("Sources:", markup=False)
    for citation in _citations(result.sources):
        console.print(f"  - {citation}", markup=False)


def niosh_command(
    load: Annotated[float, typer.Option("--load", help="Object weight [kg].")],
    h: Annotated[float, typer.Option("--h", help="Horizontal hand distance at the origin [cm].")],
    v: Annotated[float, typer.Option("--v", help="Hand height at the origin [cm].")],
    freq: Annotated[float, typer.Option("--freq", help="Lifts per minute (15-min average).")],
    duration: Annotated[DurationChoice, typer.Option("--duration", help="Work duration category.")],
    coupling: Annotated[CouplingChoice, typer.Option("--coupling", help="Hand coupling.")],
    d: Annotated[
        float | None,
        typer.Option("--d", help="Vertical travel distance [cm]; default |v-dest - v|."),
    ] = None,
    a: Annotated[float, typer.Option("--a", help="Asymmetry angle at the origin [deg].")] = 0.0,
    h_dest: Annotated[
        float | None, typer.Option("--h-dest", help="Horizontal distance at the destination [cm].")
    ] = None,
    v_dest: Annotated[
        float | None,
        typer.Option("--v-dest", help="Hand height at the destination [cm] (significant control)."),
    ] = None,
    a_dest: Annotated[
        float | None, typer.Option("--a-dest", help="Asymmetry angle at the destination [deg].")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Revised NIOSH lifting equation for one task: multipliers, RWL, lifting index, verdict."""
    from backcare.posture.niosh import NioshLocation, NioshTask, niosh

    destination = None
    if v_dest is not None:
        destination = NioshLocation(
            h_cm=h if h_dest is None else h_dest,
            v_cm=v_dest,
            a_deg=a if a_dest is None else a_dest,
        )
    elif h_dest is not None or a_dest is not None:
        raise InputError("a destination needs its hand height too", where="--v-dest")
    task = NioshTask(
        load_kg=load,
        h_cm=h,
        v_cm=v,
        a_deg=a,
        d_cm=d,
        frequency_per_min=freq,
        duration=duration.value,
        coupling=coupling.value,
        destination=destination,
    )
    try:
        result = niosh(task)
    except InputError as exc:
        raise _renamed(exc, _NIOSH_OPTIONS) from None
    if as_json:
        _emit(_niosh_json(result))
    else:
        _print_niosh(result)


# -- load -------------------------------------------------------------------------------------

_LOAD_OPTIONS = {
    "body_mass_kg": "--mass",
    "height_m": "--height",
    "trunk_flexion_deg": "--trunk-flexion",
    "hand_load_kg": "--load",
    "upper_arm_flexion_deg": "--upper-arm-flexion",
    "elbow_flexion_deg": "--elbow-flexion",
}


def _one(values: Any) -> float:
    import numpy as np

    return float(np.asarray(values).reshape(-1)[0])


def load_command(
    mass: Annotated[float, typer.Option("--mass", help="Body mass [kg].")],
    height: Annotated[float, typer.Option("--height", help="Stature [cm].")],
    trunk_flexion: Annotated[
        float, typer.Option("--trunk-flexion", help="Trunk inclination [deg]; back < 0.")
    ],
    load: Annotated[float, typer.Option("--load", help="Load in the hands [kg].")] = 0.0,
    posture: Annotated[
        PostureChoice, typer.Option("--posture", help="Posture for the disc pressure.")
    ] = PostureChoice.standing,
    upper_arm_flexion: Annotated[
        float | None,
        typer.Option(
            "--upper-arm-flexion", help="Upper arm vs trunk [deg]; default: hanging vertically."
        ),
    ] = None,
    elbow_flexion: Annotated[
        float | None,
        typer.Option("--elbow-flexion", help="Elbow flexion [deg]; default 0 (straight)."),
    ] = None,
    sex: Annotated[SexChoice, typer.Option("--sex", help="Segment table column.")] = (
        SexChoice.male
    ),
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """L5/S1 compression and shear vs NIOSH limits, and disc pressure from Wilke and Nachemson."""
    from backcare.knowledge import source
    from backcare.posture.load import (
        article_claim_comparison,
        disc_pressure,
        disc_pressure_model,
        l5s1_forces,
        relative_to,
    )

    lying = posture not in (PostureChoice.standing, PostureChoice.sitting)
    activity = _POSTURE_ACTIVITY[posture]
    try:
        forces = None
        if not lying:
            forces = l5s1_forces(
                mass,
                height / 100.0,
                trunk_flexion,
                hand_load_kg=load,
                upper_arm_flexion_deg=upper_arm_flexion,
                elbow_flexion_deg=elbow_flexion,
                sex=sex.value,
            )
        pressures: dict[str, dict[str, Any]] = {}
        for model in ("wilke1999", "nachemson1981"):
            mpa = disc_pressure(activity, trunk_flexion, hand_load_kg=load, model=model)
            pressures[model] = {
                "name": disc_pressure_model(model).name,
                "disc": disc_pressure_model(model).disc_level,
                "mpa": _one(mpa),
                "x_standing": _one(relative_to(mpa, "standing", model=model)),
                "x_lying": _one(relative_to(mpa, "lying", model=model)),
                "sources": list(disc_pressure_model(model).sources),
            }
    except InputError as exc:
        renamed = _renamed(exc, _LOAD_OPTIONS)
        if exc.where == "height_m":
            renamed = InputError(
                f"{height:g} cm is outside the accepted stature range (give centimetres)",
                where="--height",
            )
        raise renamed from None
    claim = article_claim_comparison()
    payload: dict[str, Any] = {
        "inputs": {
            "mass_kg": mass,
            "height_cm": height,
            "trunk_flexion_deg": trunk_flexion,
            "load_kg": load,
            "posture": posture.value,
            "upper_arm_flexion_deg": upper_arm_flexion,
            "elbow_flexion_deg": elbow_flexion,
            "sex": sex.value,
        },
        "l5s1": None,
        "disc_pressure": pressures,
        "article_claim": {
            "claim": claim.claim,
            "assessment": claim.assessment,
            "ratios": {
                r.model: {"bent_to_standing": r.bent_to_standing, "bent_to_lying": r.bent_to_lying}
                for r in claim.models
            },
        },
    }
    source_ids: list[str] = []
    if forces is not None:
        compression = _one(forces.compression_n)
        if compression > forces.maximum_permissible_n:
            verdict = "above the maximum permissible limit"
        elif compression > forces.action_limit_n:
            verdict = "above the action limit"
        else:
            verdict = "below the action limit"
        payload["l5s1"] = {
            "compression_n": compression,
            "shear_n": _one(forces.shear_n),
            "moment_nm": _one(forces.moment_nm),
            "extensor_force_n": _one(forces.extensor_force_n),
            "action_limit_n": forces.action_limit_n,
            "maximum_permissible_n": forces.maximum_permissible_n,
            "verdict": verdict,
            "sources": list(forces.sources),
        }
        source_ids += forces.sources
    for entry in pressures.values():
        source_ids += entry["sources"]
    source_ids += claim.sources
    payload["sources"] = [
        {"id": i, "citation": source(i).citation} for i in dict.fromkeys(source_ids)
    ]
    if as_json:
        _emit(payload)
        return
    _print_load(payload)


def _print_load(payload: dict[str, Any]) -> None:
    l5s1 = payload["l5s1"]
    if l5s1 is None:
        console.print("L5/S1 forces: not computed (the static model is for standing and sitting).")
    else:
        table = Table(title="L5/S1, static sagittal model")
        table.add_column("")
        table.add_column("value", justify="right")
        _row(table, "compression [N]", f"{l5s1['compression_n']:.0f}")
        _row(table, "shear (anterior) [N]", f"{l5s1['shear_n']:.0f}")
        _row(table, "moment [N m]", f"{l5s1['moment_nm']:.1f}")
        _row(table, "back-muscle force [N]", f"{l5s1['extensor_force_n']:.0f}")
        _row(table, "NIOSH action limit [N]", f"{l5s1['action_limit_n']:.0f}")
        _row(table, "NIOSH maximum permissible [N]", f"{l5s1['maximum_permissible_n']:.0f}")
        console.print(table)
        console.print(f"Compression is {l5s1['verdict']}.", markup=False)
    table = Table(title="Intradiscal pressure")
    table.add_column("model")
    table.add_column("disc")
    table.add_column("MPa", justify="right")
    table.add_column("x standing", justify="right")
    table.add_column("x lying", justify="right")
    for entry in payload["disc_pressure"].values():
        _row(
            table,
            entry["name"],
            entry["disc"],
            f"{entry['mpa']:.2f}",
            f"{entry['x_standing']:.2f}",
            f"{entry['x_lying']:.1f}",
        )
    console.print(table)
    claim = payload["article_claim"]
    console.print(f"Claim checked: {claim['claim']}", markup=False)
    console.print(claim["assessment"], markup=False)
    console.print("Sources:", markup=False)
    for src in payload["sources"]:
        console.print(f"  - {src['citation']}", markup=False)
