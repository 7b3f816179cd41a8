"""``backcare camera``: posture from photos and videos filmed with a phone or a webcam."""

from __future__ import annotations

import math
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.markup import escape

from backcare.cli.console import console, err_console
from backcare.errors import InputError

if TYPE_CHECKING:  # the pipeline (pandas, SciPy, the pose model) loads inside the command
    from backcare.camera.runner import FileResult

__all__ = ["camera_app"]

camera_app = typer.Typer(
    # help texts hold units in brackets ("[kg]"): plain text, not Rich markup
    rich_markup_mode=None,
    help=(
        "Camera posture analysis: photos and videos to joint angles, REBA/RULA, spinal load, "
        "exposure, and annotated reports."
    ),
    no_args_is_help=True,
)


def _parse_window(text: str | None) -> tuple[float, float] | None:
    if text is None:
        return None
    start, sep, end = text.partition(":")
    try:
        window = (float(start), float(end))
    except ValueError:
        window = None
    if not sep or window is None or not all(math.isfinite(v) for v in window):
        raise InputError(
            f"expected START:END in seconds, e.g. 0:3, got {text!r}", where="--neutral"
        )
    return window


def _stored_body() -> tuple[float | None, float | None, str | None]:
    """Mass [kg], height [cm] and sex from the stored local profile (no database is created)."""
    from sqlalchemy import select

    from backcare.config import database_url
    from backcare.store.assessments import LOCAL_PERSON
    from backcare.store.db import open_database
    from backcare.store.models import Person

    url = database_url()
    if url.startswith("sqlite:///") and not Path(url.removeprefix("sqlite:///")).exists():
        return None, None, None
    db = open_database(url)
    try:
        with db.session() as session:
            person = session.scalars(
                select(Person).where(Person.display_name == LOCAL_PERSON).order_by(Person.id)
            ).first()
            if person is None:
                return None, None, None
            return person.mass_kg, person.height_cm, person.sex
    finally:
        db.dispose()


def analyze(
    inputs: list[Path] = typer.Argument(..., help="Images, videos or folders of them."),
    out: Path = typer.Option(..., "--out", help="Folder for the results (created if needed)."),
    every: int | None = typer.Option(
        None, "--every", help="Analyse every N-th video frame.", show_default=False
    ),
    fps: float | None = typer.Option(
        None, "--fps", help="Analyse at most N frames per second of video.", show_default=False
    ),
    mass: float | None = typer.Option(
        None, "--mass", help="Body mass in kg (default: the stored profile).", show_default=False
    ),
    height: float | None = typer.Option(
        None,
        "--height",
        help="Body height in cm (default: the stored profile).",
        show_default=False,
    ),
    load: float = typer.Option(0.0, "--load", help="Load held in the hands, in kg."),
    coupling: str = typer.Option(
        "good", "--coupling", help="REBA hand coupling of the load: good, fair, poor, unacceptable."
    ),
    sex: str | None = typer.Option(
        None,
        "--sex",
        help="male or female: segment table of the L5/S1 model (default: the stored profile).",
        show_default=False,
    ),
    workers: int = typer.Option(1, "--workers", help="Files analysed in parallel (processes)."),
    camera_pitch: float | None = typer.Option(
        None,
        "--camera-pitch",
        help="Camera tilt in degrees, positive when it looks down (default: level).",
        show_default=False,
    ),
    neutral: str | None = typer.Option(
        None,
        "--neutral",
        help="START:END seconds of a video window where the person stands or sits upright looking "
        "ahead: levels the camera and zeroes the person's neutral angles.",
        show_default=False,
    ),
    video: bool = typer.Option(True, "--video/--no-video", help="Write the annotated video."),
    smooth: bool = typer.Option(True, "--smooth/--no-smooth", help="Smooth landmarks in video."),
    people: bool = typer.Option(
        True,
        "--people/--no-people",
        help="Look for several people in view and choose whom to analyse.",
    ),
    person: int | None = typer.Option(
        None,
        "--person",
        min=1,
        help="Analyse person N when several are in view (numbers from 'backcare camera people').",
        show_default=False,
    ),
    pdf: bool = typer.Option(
        False, "--pdf", help="Also write each report as a PDF beside it (needs WeasyPrint)."
    ),
    pose_model: str = typer.Option(
        "full",
        "--pose-model",
        help="MediaPipe's pose model: full, or heavy (about three times slower; more accurate on "
        "bent and twisted postures).",
    ),
) -> None:
    """Analyse posture in images and videos; write tables, a summary, an HTML report and an
    annotated image or video per file into --out."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn

    if workers < 1:
        raise InputError("must be at least 1", where="--workers")
    if every is not None and every < 1:
        raise InputError("must be a whole number >= 1", where="--every")
    if fps is not None and not fps > 0:
        raise InputError("must be a positive number of frames per second", where="--fps")
    if every is not None and fps is not None:
        raise InputError("give either --every or --fps, not both", where="--every/--fps")
    if person is not None and not people:
        raise InputError("choosing a person needs the people search", where="--no-people")
    from backcare.camera.pipeline import CameraOptions
    from backcare.camera.runner import collect_inputs, run_files

    paths = collect_inputs(inputs)
    if person is not None and len(paths) > 1:
        raise InputError(
            "people are numbered per file: give one file with --person", where="--person"
        )
    body_note = None
    if mass is None or height is None or sex is None:
        stored_mass, stored_height, stored_sex = _stored_body()
        if sex is None and stored_sex in ("male", "female"):
            sex = stored_sex
        if mass is None and stored_mass is not None:
            mass = stored_mass
            body_note = "stored profile"
        if height is None and stored_height is not None:
            height = stored_height
            body_note = "stored profile"
    options = CameraOptions(
        every=every,
        fps=fps,
        mass_kg=mass,
        height_cm=height,
        load_kg=load,
        coupling=coupling,  # type: ignore[arg-type]  # validated by CameraOptions
        sex=sex,  # type: ignore[arg-type]
        camera_pitch_deg=camera_pitch,
        neutral_s=_parse_window(neutral),
        smooth=smooth,
        person=person,
        pose_model=pose_model,
    )
    out.mkdir(parents=True, exist_ok=True)
    if body_note:
        console.print(f"Body mass and height from the {body_note}: {mass} kg, {height} cm.")

    results: list[FileResult] = []
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[stage]}"),
        console=console,
        transient=False,
    ) as progress:
        tasks: dict[int, TaskID] = {
            i: progress.add_task(p.name, total=None, stage="queued") for i, p in enumerate(paths)
        }

        def on_progress(event: tuple[int, str, int, int | None]) -> None:
            i, stage, done, total = event
            progress.update(tasks[i], completed=done, total=total, stage=stage)

        def on_done(i: int, result: FileResult) -> None:
            task = progress.tasks[tasks[i]]
            total = task.total if task.total is not None else max(task.completed, 1)
            progress.update(
                tasks[i],
                completed=total,
                total=total,
                stage="done" if result.ok else "[red]failed[/]",
            )

        results = run_files(
            paths,
            options,
            out,
            workers=workers,
            annotate=video,
            find_people=people,
            on_progress=on_progress,
            on_done=on_done,
        )
    failed = 0
    for result in results:
        if not result.ok:
            failed += 1
            err_console.print(f"[bold red]error:[/] {escape(str(result.error))}")
            continue
        head = result.headline
        scores = ", ".join(
            f"{k.removesuffix('_max').upper()} max {v:.0f}"
            + (f"-{hi:.0f}" if (hi := head.get(f"{k}_possible", v)) > v else "")
            for k, v in head.items()
            if k.endswith("_max")
        )
        console.print(
            f"[bold]{escape(result.path.name)}[/]: {head['with_person']}/{head['frames']} frames "
            f"with a person, {head['view']} view"
            + (f", {scores}" if scores else "")
            + f" -> {escape(str(out / result.files['html']))}"
        )
        for issue in result.issues:
            console.print(f"  [yellow]note:[/] {escape(str(issue))}")
        if pdf:
            from backcare.report.pdf import write_pdf_beside

            written = write_pdf_beside(out / result.files["html"])
            console.print(f"  PDF -> {escape(str(written))}")
        if "people_image" in result.files:
            console.print(
                f"  people found: {escape(str(out / result.files['people_image']))}"
                " (numbered boxes)"
            )
    if failed:
        err_console.print(f"{failed} of {len(results)} files could not be analysed.")
        raise typer.Exit(2)


def people_command(
    source: Path = typer.Argument(..., help="A photo or a video."),
    out: Path = typer.Option(
        Path("."), "--out", help="Folder for the preview image and people.json."
    ),
    person: int | None = typer.Option(
        None, "--person", min=1, help="Mark person N as the one to analyse.", show_default=False
    ),
    pose_model: str = typer.Option(
        "full", "--pose-model", help="MediaPipe's pose model: full, or heavy (slower)."
    ),
) -> None:
    """List the people in a photo or video and write a preview with numbered boxes.

    Pass the number of the person you want to 'backcare camera analyze --person N'.
    """
    from backcare.camera.pipeline import CameraOptions
    from backcare.camera.runner import list_people, write_people

    if not source.is_file():
        raise InputError("no such file", where=str(source))
    survey = list_people(source, CameraOptions(person=person, pose_model=pose_model))
    if survey is None:
        raise InputError("no person found", where=str(source))
    files = write_people(survey, out, f"{source.stem}.")
    n = len(survey.people)
    checked = (
        f" on {len(survey.samples)} frames spread over the video" if survey.kind == "video" else ""
    )
    console.print(
        f"{n} {'person' if n == 1 else 'people'} found{checked}, numbered from left to right:",
        markup=False,
    )
    for line in survey.listing():
        console.print(f"  {line}", markup=False)
    console.print(f"preview: {out / files['people_image']}", markup=False)
    if n > 1:
        console.print(
            f"analyse someone else with: backcare camera analyze {source} --person N --out DIR",
            markup=False,
        )
