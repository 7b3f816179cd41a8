"""Photos and videos through the facade: MediaPipe pose, joint angles, REBA/RULA, exposure."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, overload

from backcare.api._results import MediaResult

if TYPE_CHECKING:
    from backcare.camera.pipeline import CameraOptions

__all__ = ["MediaProgress", "analyze_media", "camera_options"]

#: ``progress(stage, done, total)``: ``stage`` is ``"analyse"``; ``done`` and ``total`` count
#: frames (``total`` is ``None`` when the video does not say).
MediaProgress = Callable[[str, int, int | None], None]


def camera_options(
    *,
    mass_kg: float | None = None,
    height_cm: float | None = None,
    sex: str | None = None,
    load_kg: float = 0.0,
    coupling: str = "good",
    camera_pitch_deg: float | None = None,
    neutral_s: tuple[float, float] | None = None,
    every: int | None = None,
    fps: float | None = None,
    person: int | None = None,
    pose_model: str = "full",
) -> CameraOptions:
    """Check the options of a camera analysis (errors name the parameter, e.g. ``mass_kg``).

    ``person`` is the number of the person to analyse when several are in view (numbered as
    ``backcare camera people`` lists them); ``None`` chooses the one present and working longest.
    ``pose_model`` is MediaPipe's landmark model, ``"full"`` or ``"heavy"`` (more accurate on
    bent and twisted postures, about three times slower; installed by ``make install``).
    """
    from backcare.camera.pipeline import CameraOptions

    return CameraOptions(
        every=every,
        fps=fps,
        mass_kg=mass_kg,
        height_cm=height_cm,
        load_kg=load_kg,
        coupling=coupling,  # type: ignore[arg-type]  # checked by CameraOptions
        sex=sex,  # type: ignore[arg-type]  # checked by CameraOptions
        camera_pitch_deg=camera_pitch_deg,
        neutral_s=neutral_s,
        person=person,
        pose_model=pose_model,
    )


@overload
def analyze_media(
    path_or_paths: str | Path,
    *,
    options: CameraOptions | None = ...,
    progress: MediaProgress | None = ...,
    **settings: Any,
) -> MediaResult: ...


@overload
def analyze_media(
    path_or_paths: Sequence[str | Path],
    *,
    options: CameraOptions | None = ...,
    progress: MediaProgress | None = ...,
    **settings: Any,
) -> list[MediaResult]: ...


def analyze_media(
    path_or_paths: str | Path | Sequence[str | Path],
    *,
    options: CameraOptions | None = None,
    progress: MediaProgress | None = None,
    **settings: Any,
) -> MediaResult | list[MediaResult]:
    """Analyse a photo or a video of a person at work (or several: a list, or a folder).

    Parameters
    ----------
    path_or_paths
        An image (``.jpg``, ``.png``...) or video (``.mp4``, ``.mov``...) file; a list of them
        or a folder gives a list of results, one per file, in order.
    options
        The camera options (:func:`camera_options`); or give them as keywords:
        ``mass_kg`` [kg, 20-300], ``height_cm`` [cm, 100-250], ``sex`` (``"male"`` or
        ``"female"``), ``load_kg`` [kg held in the hands], ``coupling`` (``"good"``,
        ``"fair"``, ``"poor"``, ``"unacceptable"``), ``camera_pitch_deg`` [deg, + looking down],
        ``neutral_s`` (``(start, end)`` [s] of a neutral standing posture in a video),
        ``every`` (analyse every n-th frame) or ``fps`` [frames/s].
    progress
        ``progress(stage, done, total)`` per analysed frame of a video.

    Raises
    ------
    InputError
        A file that cannot be read or holds nobody, or an option out of range (naming it).
    """
    from backcare.camera.runner import analyze_media_file, collect_inputs

    if options is None:
        options = camera_options(**settings)
    elif settings:
        raise TypeError("give either options or keyword settings, not both")
    single = isinstance(path_or_paths, str | Path) and not Path(path_or_paths).is_dir()
    paths = collect_inputs(
        [path_or_paths] if isinstance(path_or_paths, str | Path) else list(path_or_paths)
    )
    results = []
    for path in paths:
        analysis = analyze_media_file(path, options, progress=progress)
        results.append(
            MediaResult(path, analysis.series, analysis.scores.exposure_report, analysis)
        )
    return results[0] if single else results
