"""``backcare ergo reba`` and ``backcare ergo rula``: manual REBA and RULA calculators.

An ergonomist enters the angles read from a photo or a goniometer (degrees; flexion positive,
extension negative) and the flags that apply; the command prints every intermediate score and the
action level, or JSON with ``--json``. Impossible input is reported naming the option.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.table import Table

from backcare.cli.console import console

if TYPE_CHECKING:  # the scoring tables (knowledge catalog) load inside the commands
    from backcare.posture.reba import RebaResult
    from backcare.posture.rula import RulaResult

__all__ = ["reba_command", "rula_command"]


def _options(fields: dict[str, Any]) -> dict[str, str]:
    """Field name -> the CLI option that sets it (``trunk_flexion_deg`` -> ``--trunk-flexion``)."""
    return {name: "--" + name.removesuffix("_deg").replace("_", "-") for name in fields}


def _print_table(title: str, rows: list[tuple[str, str, int | str]], footer: str) -> None:
    table = Table(title=title, show_lines=False)
    table.add_column("group")
    table.add_column("item")
    table.add_column("score", justify="right")
    for group, item, value in rows:
        table.add_row(group, item, str(value))
    console.print(table)
    console.print(footer)


def _emit_json(method: str, source_id: str, inputs: Any, result: Any) -> None:
    from backcare.knowledge import source

    doc = {
        "method": method,
        "source": source(source_id).citation,
        "inputs": inputs.model_dump(),
        "result": result.model_dump(),
    }
    console.print(json.dumps(doc, indent=2), markup=False, highlight=False)


Deg = float
Flag = bool


def reba_command(
    trunk_flexion: Annotated[Deg, typer.Option(help="Trunk flexion [deg]; extension < 0.")],
    neck_flexion: Annotated[Deg, typer.Option(help="Neck flexion [deg]; extension < 0.")],
    upper_arm_flexion: Annotated[Deg, typer.Option(help="Upper-arm flexion [deg]; ext. < 0.")],
    lower_arm_flexion: Annotated[Deg, typer.Option(help="Elbow flexion [deg], 0 = straight.")],
    wrist_flexion: Annotated[Deg, typer.Option(help="Wrist flexion [deg]; extension < 0.")],
    trunk_twisted: Annotated[Flag, typer.Option(help="Trunk twisted.")] = False,
    trunk_side_bent: Annotated[Flag, typer.Option(help="Trunk bent to the side.")] = False,
    neck_twisted: Annotated[Flag, typer.Option(help="Neck twisted.")] = False,
    neck_side_bent: Annotated[Flag, typer.Option(help="Neck bent to the side.")] = False,
    legs: Annotated[
        str, typer.Option(help="bilateral (also walking, sitting) or unilateral/unstable.")
    ] = "bilateral",
    sitting: Annotated[Flag, typer.Option(help="Sitting (no knee points).")] = False,
    knee_flexion: Annotated[Deg, typer.Option(help="Knee flexion [deg], more flexed knee.")] = 0.0,
    upper_arm_abducted: Annotated[Flag, typer.Option(help="Upper arm abducted.")] = False,
    upper_arm_rotated: Annotated[Flag, typer.Option(help="Upper arm rotated.")] = False,
    shoulder_raised: Annotated[Flag, typer.Option(help="Shoulder raised.")] = False,
    arm_supported: Annotated[
        Flag, typer.Option(help="Arm supported, person leaning, or gravity assisted.")
    ] = False,
    wrist_deviated: Annotated[Flag, typer.Option(help="Wrist deviated.")] = False,
    wrist_twisted: Annotated[Flag, typer.Option(help="Wrist twisted.")] = False,
    load: Annotated[float, typer.Option(help="Load or force [kg].")] = 0.0,
    shock: Annotated[Flag, typer.Option(help="Shock or rapid build-up of force.")] = False,
    coupling: Annotated[
        str, typer.Option(help="Hand hold: good, fair, poor or unacceptable.")
    ] = "good",
    static: Annotated[Flag, typer.Option(help="A body part held longer than 1 min.")] = False,
    repeated: Annotated[
        Flag, typer.Option(help="Small-range actions repeated more than 4 times/min.")
    ] = False,
    rapid: Annotated[
        Flag, typer.Option(help="Rapid large changes of posture, or an unstable base.")
    ] = False,
    as_json: Annotated[Flag, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """REBA (Hignett & McAtamney 2000) for one posture entered by hand."""
    from backcare.posture.ergo_common import validated
    from backcare.posture.reba import RebaInputs, reba

    values = {
        "trunk_flexion_deg": trunk_flexion,
        "trunk_twisted": trunk_twisted,
        "trunk_side_bent": trunk_side_bent,
        "neck_flexion_deg": neck_flexion,
        "neck_twisted": neck_twisted,
        "neck_side_bent": neck_side_bent,
        "legs": legs,
        "sitting": sitting,
        "knee_flexion_deg": knee_flexion,
        "upper_arm_flexion_deg": upper_arm_flexion,
        "upper_arm_abducted": upper_arm_abducted,
        "upper_arm_rotated": upper_arm_rotated,
        "shoulder_raised": shoulder_raised,
        "arm_supported": arm_supported,
        "lower_arm_flexion_deg": lower_arm_flexion,
        "wrist_flexion_deg": wrist_flexion,
        "wrist_deviated": wrist_deviated,
        "wrist_twisted": wrist_twisted,
        "load_kg": load,
        "shock": shock,
        "coupling": coupling,
        "static": static,
        "repeated": repeated,
        "rapid_or_unstable": rapid,
    }
    where = _options(RebaInputs.model_fields) | {
        "load_kg": "--load",
        "rapid_or_unstable": "--rapid",
    }
    inputs = validated(RebaInputs, values, where=where)
    result = reba(inputs)
    if as_json:
        _emit_json("REBA", "hignett-2000", inputs, result)
        return
    _print_reba(result)


def _print_reba(r: RebaResult) -> None:
    rows: list[tuple[str, str, int | str]] = [
        ("A", "trunk", r.trunk),
        ("A", "neck", r.neck),
        ("A", "legs", r.legs),
        ("A", "table A", r.table_a),
        ("A", "load/force", r.load),
        ("A", "score A", r.score_a),
        ("B", "upper arm", r.upper_arm),
        ("B", "lower arm", r.lower_arm),
        ("B", "wrist", r.wrist),
        ("B", "table B", r.table_b),
        ("B", "coupling", r.coupling),
        ("B", "score B", r.score_b),
        ("", "table C", r.table_c),
        ("", "activity", r.activity),
        ("", "REBA score", r.score),
    ]
    _print_table(
        "REBA (Hignett & McAtamney 2000)",
        rows,
        f"REBA score {r.score}: action level {r.action_level}, {r.risk} risk; action {r.action}.",
    )


def rula_command(
    upper_arm_flexion: Annotated[Deg, typer.Option(help="Upper-arm flexion [deg]; ext. < 0.")],
    lower_arm_flexion: Annotated[Deg, typer.Option(help="Elbow flexion [deg], 0 = straight.")],
    wrist_flexion: Annotated[Deg, typer.Option(help="Wrist flexion [deg]; extension < 0.")],
    neck_flexion: Annotated[Deg, typer.Option(help="Neck flexion [deg]; extension < 0.")],
    trunk_flexion: Annotated[Deg, typer.Option(help="Trunk flexion [deg]; extension < 0.")],
    shoulder_raised: Annotated[Flag, typer.Option(help="Shoulder raised.")] = False,
    upper_arm_abducted: Annotated[Flag, typer.Option(help="Upper arm abducted.")] = False,
    arm_supported: Annotated[Flag, typer.Option(help="Arm supported or person leaning.")] = False,
    lower_arm_across_midline: Annotated[
        Flag, typer.Option(help="Lower arm working across the body's midline.")
    ] = False,
    lower_arm_out_to_side: Annotated[
        Flag, typer.Option(help="Lower arm working out to the side.")
    ] = False,
    wrist_deviated: Annotated[Flag, typer.Option(help="Wrist bent from the midline.")] = False,
    wrist_twist: Annotated[
        str, typer.Option(help="Wrist twist: mid_range or end_of_range.")
    ] = "mid_range",
    neck_twisted: Annotated[Flag, typer.Option(help="Neck twisted.")] = False,
    neck_side_bent: Annotated[Flag, typer.Option(help="Neck bent to the side.")] = False,
    trunk_twisted: Annotated[Flag, typer.Option(help="Trunk twisted.")] = False,
    trunk_side_bent: Annotated[Flag, typer.Option(help="Trunk bent to the side.")] = False,
    trunk_supported_sitting: Annotated[
        Flag, typer.Option(help="Seated with the trunk well supported (trunk score 1).")
    ] = False,
    legs_unsupported: Annotated[
        Flag, typer.Option(help="Legs or feet not supported, or weight unevenly balanced.")
    ] = False,
    static_arm: Annotated[Flag, typer.Option(help="Arm posture held longer than 1 min.")] = False,
    repeated_arm: Annotated[
        Flag, typer.Option(help="Arm action repeated more than 4 times/min.")
    ] = False,
    static_body: Annotated[
        Flag, typer.Option(help="Neck/trunk posture held longer than 1 min.")
    ] = False,
    repeated_body: Annotated[
        Flag, typer.Option(help="Neck/trunk action repeated more than 4 times/min.")
    ] = False,
    static: Annotated[Flag, typer.Option(help="Both --static-arm and --static-body.")] = False,
    repeated: Annotated[
        Flag, typer.Option(help="Both --repeated-arm and --repeated-body.")
    ] = False,
    load: Annotated[float, typer.Option(help="Load or force [kg].")] = 0.0,
    load_pattern: Annotated[
        str, typer.Option(help="Load pattern: intermittent, static or repeated.")
    ] = "intermittent",
    shock: Annotated[Flag, typer.Option(help="Shock or rapid build-up of force.")] = False,
    as_json: Annotated[Flag, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """RULA (McAtamney & Corlett 1993, table A of the paper) for one posture and one side."""
    from backcare.posture.ergo_common import validated
    from backcare.posture.rula import RulaInputs, rula

    values = {
        "upper_arm_flexion_deg": upper_arm_flexion,
        "shoulder_raised": shoulder_raised,
        "upper_arm_abducted": upper_arm_abducted,
        "arm_supported": arm_supported,
        "lower_arm_flexion_deg": lower_arm_flexion,
        "lower_arm_across_midline": lower_arm_across_midline,
        "lower_arm_out_to_side": lower_arm_out_to_side,
        "wrist_flexion_deg": wrist_flexion,
        "wrist_deviated": wrist_deviated,
        "wrist_twist": wrist_twist.replace("-", "_"),
        "neck_flexion_deg": neck_flexion,
        "neck_twisted": neck_twisted,
        "neck_side_bent": neck_side_bent,
        "trunk_flexion_deg": trunk_flexion,
        "trunk_twisted": trunk_twisted,
        "trunk_side_bent": trunk_side_bent,
        "trunk_supported_sitting": trunk_supported_sitting,
        "legs_supported": not legs_unsupported,
        "static_arm": static_arm or static,
        "repeated_arm": repeated_arm or repeated,
        "static_body": static_body or static,
        "repeated_body": repeated_body or repeated,
        "load_kg": load,
        "load_pattern": load_pattern,
        "shock": shock,
    }
    where = _options(RulaInputs.model_fields) | {
        "load_kg": "--load",
        "legs_supported": "--legs-unsupported",
    }
    inputs = validated(RulaInputs, values, where=where)
    result = rula(inputs)
    if as_json:
        _emit_json("RULA", "mcatamney-1993", inputs, result)
        return
    _print_rula(result)


def _print_rula(r: RulaResult) -> None:
    rows: list[tuple[str, str, int | str]] = [
        ("A", "upper arm", r.upper_arm),
        ("A", "lower arm", r.lower_arm),
        ("A", "wrist", r.wrist),
        ("A", "wrist twist", r.wrist_twist),
        ("A", "table A", r.table_a),
        ("A", "muscle use", r.muscle_use_a),
        ("A", "force/load", r.force),
        ("A", "score C", r.score_c),
        ("B", "neck", r.neck),
        ("B", "trunk", r.trunk),
        ("B", "legs", r.legs),
        ("B", "table B", r.table_b),
        ("B", "muscle use", r.muscle_use_b),
        ("B", "force/load", r.force),
        ("B", "score D", r.score_d),
        ("", "grand score (table C)", r.score),
    ]
    _print_table(
        "RULA (McAtamney & Corlett 1993)",
        rows,
        f"RULA grand score {r.score}: action level {r.action_level} ({r.risk}); {r.action}.",
    )
