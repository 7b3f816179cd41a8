"""Several people in view: find them, follow them over a clip and choose whom to analyse.

MediaPipe Pose (0.10.14, the legacy graph whose model the wheel ships) reports one person per
image; the multi-person Pose Landmarker task needs a model bundle the wheel does not ship. To find
everybody, the person found is masked out (their landmark box, enlarged, filled with the image's
mean colour) and the image is searched again, up to :data:`MAX_PEOPLE` people per frame.

**Survey.** A photo is searched once. A video is searched on sampled frames (about
:data:`MAX_SAMPLES` frames spread over the clip, at least :data:`MIN_GAP_S` apart); the people of
successive samples are linked into tracks by the overlap of their boxes.

**Numbering.** People are numbered from left to right on the *preview frame* (the sampled frame in
which most people are seen, the earliest of equals); people who never appear there get the next
numbers in the order they first appear. The same numbers label the preview image
(:func:`backcare.camera.annotate.draw_people`), the ``--person`` option and the web picker.

**Automatic choice.** The person present and working longest over the clip is analysed, not the
largest in one frame: each person scores ``presence x (activity + ACTIVITY_FLOOR)``, where
``presence`` is the fraction of sampled frames in which they are seen and ``activity`` the median
speed of their elbows and wrists *relative to their own shoulders* [box heights per second]
between successive sightings (walking past moves the whole box, not the arms relative to it). On
a photo nobody moves, so presence ties and the larger, more central person is taken (box area
times centrality, :func:`prominence`). The choice and how to change it are reported.

**Following the chosen person.** :class:`SubjectGuide` keeps a tracking backend on the chosen
person: on sampled frames the other people are masked out before the frame reaches the tracker,
and a tracked pose that matches another person's box better than the chosen person's is dropped
and searched again with the others masked.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
from numpy.typing import NDArray

from backcare.camera.backend import PoseBackend, PoseResult, landmark_index
from backcare.errors import InputError

__all__ = [
    "ACTIVITY_FLOOR",
    "MAX_PEOPLE",
    "MAX_SAMPLES",
    "MIN_GAP_S",
    "PeopleSurvey",
    "Person",
    "Sighting",
    "SubjectGuide",
    "find_people",
    "mask_person",
    "prominence",
    "sample_times",
    "survey_frames",
]

Box = tuple[float, float, float, float]

MAX_PEOPLE = 4  # people searched per frame (each costs one detection pass)
MAX_SAMPLES = 24  # sampled frames per video
MIN_GAP_S = 0.5  # sampled frames are at least this far apart [s]
ACTIVITY_FLOOR = 0.05  # [box heights / s]: keeps presence decisive when nobody moves
_MARGIN = 0.1  # the masked box is enlarged by this fraction of its size on each side
_MAX_OVERLAP = 0.3  # a further find overlapping a found person by more (IoU) is that person
_MAX_INSIDE = 0.5  # a further find lying this much inside a found person's box is a part of them
_HEAD_TOP = 3.0  # the masked box reaches this many margins above the landmarks
_MIN_SEEN = 8  # a person needs at least this many landmarks seen
_MIN_SIGHTINGS = 2  # in a video, a person must be found on at least this many checked frames
_LINK_IOU = 0.1  # boxes of successive samples overlapping at least this much are one person
_ARMS = tuple(landmark_index(n) for n in ("left_elbow", "right_elbow", "left_wrist", "right_wrist"))
_SHOULDERS = (landmark_index("left_shoulder"), landmark_index("right_shoulder"))


def _box(result: PoseResult, min_visibility: float) -> Box:
    x0, y0, x1, y1 = result.bbox(min_visibility)
    return max(0.0, x0), max(0.0, y0), min(1.0, x1), min(1.0, y1)


def prominence(result: PoseResult, min_visibility: float = 0.5) -> float:
    """Size times centrality of a person's landmark box: its area (fraction of the image) times
    ``1 - d``, ``d`` the distance of its centre from the image centre over the largest possible
    distance (0 at the centre, 1 in a corner)."""
    return _box_prominence(_box(result, min_visibility))


def _box_prominence(box: Box) -> float:
    x0, y0, x1, y1 = box
    area = max(0.0, x1 - x0) * max(0.0, y1 - y0)
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    d = float(np.hypot(cx - 0.5, cy - 0.5) / np.hypot(0.5, 0.5))
    return area * (1.0 - min(d, 1.0))


def _iou(a: Box, b: Box) -> float:
    ix = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    iy = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = ix * iy
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / union if union > 0 else 0.0


def _inside(a: Box, b: Box) -> float:
    """Fraction of box ``a`` that lies inside box ``b``."""
    ix = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    iy = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    area = (a[2] - a[0]) * (a[3] - a[1])
    return ix * iy / area if area > 0 else 1.0


def _pixel_box(box: Box, w: int, h: int, margin: float) -> tuple[int, int, int, int]:
    x0, y0, x1, y1 = box
    mx, my = (x1 - x0) * margin, (y1 - y0) * margin
    top = my * _HEAD_TOP if margin else 0.0  # the landmarks stop at the eyes: cover the head
    c0, c1 = int(max(0.0, x0 - mx) * w), int(np.ceil(min(1.0, x1 + mx) * w))
    r0, r1 = int(max(0.0, y0 - top) * h), int(np.ceil(min(1.0, y1 + my) * h))
    return c0, r0, c1, r1


def _mask_boxes(
    rgb: NDArray[np.uint8], boxes: Iterable[Box], keep: Box | None
) -> NDArray[np.uint8]:
    """A copy of ``rgb`` with ``boxes`` (enlarged) filled with the mean colour; the pixels of
    ``keep`` are left as they were."""
    h, w = rgb.shape[:2]
    out = rgb.copy()
    fill = rgb.reshape(-1, 3).mean(axis=0).astype(np.uint8)
    for box in boxes:
        c0, r0, c1, r1 = _pixel_box(box, w, h, _MARGIN)
        out[r0:r1, c0:c1] = fill
    if keep is not None:
        c0, r0, c1, r1 = _pixel_box(keep, w, h, 0.0)
        out[r0:r1, c0:c1] = rgb[r0:r1, c0:c1]
    return out


def mask_person(
    rgb: NDArray[np.uint8], result: PoseResult, min_visibility: float = 0.5
) -> NDArray[np.uint8]:
    """A copy of ``rgb`` with the person's enlarged landmark box filled with the mean colour."""
    return _mask_boxes(rgb, [_box(result, min_visibility)], None)


def _is_body(result: PoseResult, min_visibility: float) -> bool:
    """Enough of a body to be a person: both shoulders seen (a face alone, e.g. hair left beside
    a mask, is not)."""
    seen = result.visibility >= min_visibility
    return int(seen.sum()) >= _MIN_SEEN and bool(seen[list(_SHOULDERS)].all())


def find_people(
    rgb: NDArray[np.uint8],
    searcher: PoseBackend,
    *,
    min_visibility: float = 0.5,
    max_people: int = MAX_PEOPLE,
) -> list[PoseResult]:
    """Everybody the static-image backend ``searcher`` finds in ``rgb`` (at most ``max_people``),
    in the order found."""
    found: list[PoseResult] = []
    boxes: list[Box] = []
    image = rgb
    while len(found) < max_people:
        result = searcher.process(image)
        if result is None or not _is_body(result, min_visibility):
            break
        box = _box(result, min_visibility)
        if any(_iou(box, b) > _MAX_OVERLAP or _inside(box, b) > _MAX_INSIDE for b in boxes):
            break  # the mask did not hide a found person: searching on would only repeat them
        found.append(result)
        boxes.append(box)
        image = _mask_boxes(rgb, boxes, None)
    return found


@dataclass(frozen=True)
class Sighting:
    """One person on one sampled frame."""

    frame_index: int
    time_s: float
    pose: PoseResult
    box: Box


@dataclass
class Person:
    """One person followed over the sampled frames.

    ``presence`` is the fraction of sampled frames they were seen in; ``activity`` the median
    speed of their elbows and wrists relative to their shoulders [box heights per second];
    ``score`` is ``presence x (activity + ACTIVITY_FLOOR)``.
    """

    number: int
    sightings: list[Sighting]
    presence: float = 0.0
    activity: float = 0.0
    score: float = 0.0
    prominence: float = 0.0

    def box_at(self, frame_index: int) -> Box | None:
        for s in self.sightings:
            if s.frame_index == frame_index:
                return s.box
        return None

    @property
    def first_box(self) -> Box:
        return self.sightings[0].box

    def describe(self, box: Box | None = None) -> str:
        """Where the person is, in words: ``"on the left, 55 % of the picture's height"``."""
        x0, y0, x1, y1 = box or self.first_box
        cx = (x0 + x1) / 2
        side = "on the left" if cx < 0.4 else "on the right" if cx > 0.6 else "in the middle"
        return f"{side}, {round(100 * (y1 - y0))} % of the picture's height"


def _arm_offsets(pose: PoseResult, aspect: float, min_visibility: float) -> NDArray[np.float64]:
    """Elbows and wrists relative to the shoulders' midpoint, in box heights (NaN where unseen)."""
    img = pose.image * np.array([aspect, 1.0])
    mid = img[list(_SHOULDERS)].mean(axis=0)
    _, y0, _, y1 = pose.bbox(min_visibility)
    height = max(y1 - y0, 1e-3)
    out = (img[list(_ARMS)] - mid) / height
    seen = pose.visibility[list(_ARMS)] >= min_visibility
    seen &= bool((pose.visibility[list(_SHOULDERS)] >= min_visibility).all())
    out[~seen] = np.nan
    return np.asarray(out, dtype=np.float64)


def _activity(person: Person, aspect: float, min_visibility: float) -> float:
    speeds: list[float] = []
    for a, b in zip(person.sightings, person.sightings[1:], strict=False):
        dt = b.time_s - a.time_s
        if dt <= 0:
            continue
        d = np.linalg.norm(
            _arm_offsets(b.pose, aspect, min_visibility)
            - _arm_offsets(a.pose, aspect, min_visibility),
            axis=1,
        )
        if np.isfinite(d).any():
            speeds.append(float(np.nanmean(d)) / dt)
    return float(np.median(speeds)) if speeds else 0.0


@dataclass
class PeopleSurvey:
    """The people found in a photo or on a video's sampled frames, and the one chosen.

    ``samples`` lists ``(frame index, time [s])`` of the frames searched; ``preview_index`` is the
    frame index of the preview frame and ``preview`` its pixels; ``chosen`` is the number of the
    person analysed; ``asked`` tells whether that person was asked for.
    """

    kind: Literal["image", "video"]
    people: list[Person]
    samples: list[tuple[int, float]]
    preview_index: int
    preview: NDArray[np.uint8]
    chosen: int
    asked: bool = False
    min_visibility: float = 0.5
    _by_frame: dict[int, list[tuple[int, Box]]] = field(default_factory=dict, repr=False)

    def person(self, number: int) -> Person:
        return self.people[number - 1]

    @property
    def subject(self) -> Person:
        return self.person(self.chosen)

    def boxes_at(self, frame_index: int) -> list[tuple[int, Box]]:
        """``(number, box)`` of everybody seen on a sampled frame."""
        return self._by_frame.get(frame_index, [])

    def preview_boxes(self) -> list[tuple[int, Box]]:
        return self.boxes_at(self.preview_index)

    def nearest_sample(self, time_s: float) -> int | None:
        """Frame index of the sampled frame nearest in time that shows anybody."""
        best, gap = None, math.inf
        for index, t in self.samples:
            if self._by_frame.get(index) and abs(t - time_s) < gap:
                best, gap = index, abs(t - time_s)
        return best

    def listing(self) -> list[str]:
        """One line per person: number, where, how often seen (videos) and whether analysed."""
        lines = []
        n = len(self.samples)
        for p in self.people:
            box = self.person(p.number).box_at(self.preview_index)
            text = f"{p.number}: {p.describe(box)}"
            if self.kind == "video":
                text += f", in view in {len(p.sightings)} of {n} checked frames"
            if p.number == self.chosen:
                text += " (analysed)"
            lines.append(text)
        return lines

    def note(self) -> str | None:
        """The report's note when several people were found (``None`` for one)."""
        if len(self.people) < 2:
            return None
        p = self.subject
        where = p.describe(p.box_at(self.preview_index))
        if self.asked:
            why = "as asked"
        elif self.kind == "video":
            longest = len(p.sightings) >= max(len(q.sightings) for q in self.people)
            busiest = p.activity >= max(q.activity for q in self.people)
            traits = [
                t
                for t, ok in (("in view longest", longest), ("moving their arms most", busiest))
                if ok
            ]
            why = (
                f"the one {' and '.join(traits) or 'present and working longest overall'}: seen "
                f"in {len(p.sightings)} of {len(self.samples)} checked frames"
            )
        else:
            why = "the largest and most central one"
        return (
            f"{len(self.people)} people were found; backcare analysed person {p.number} "
            f"({where}; {why}). People are numbered from left to right on the preview; choose "
            "another with the person number (--person N on the command line, or the people "
            "picker on the results page)"
        )


def sample_times(duration_s: float | None) -> float:
    """Seconds between sampled frames of a clip lasting ``duration_s`` (``None``: unknown)."""
    if duration_s is None or not math.isfinite(duration_s) or duration_s <= 0:
        return 1.0
    return max(MIN_GAP_S, duration_s / MAX_SAMPLES)


def survey_frames(
    frames: Iterable[tuple[int, float, NDArray[np.uint8]]],
    searcher: PoseBackend,
    *,
    kind: Literal["image", "video"],
    person: int | None = None,
    min_visibility: float = 0.5,
    where: str = "",
) -> PeopleSurvey | None:
    """Find and follow people on sampled frames ``(frame index, time [s], rgb)``.

    Returns ``None`` when nobody is found on any of them. ``person`` (1-based) picks the person
    to analyse; ``None`` chooses automatically (see the module docstring). A ``person`` number
    beyond those found is an :class:`InputError`.
    """
    samples: list[tuple[int, float]] = []
    tracks: list[list[Sighting]] = []
    previews: dict[int, tuple[int, NDArray[np.uint8]]] = {}
    aspect = 1.0
    for index, time_s, rgb in frames:
        h, w = rgb.shape[:2]
        aspect = w / h
        samples.append((index, time_s))
        sightings = [
            Sighting(index, time_s, pose, _box(pose, min_visibility))
            for pose in find_people(rgb, searcher, min_visibility=min_visibility)
        ]
        if sightings and (not previews or len(sightings) > max(c for c, _ in previews.values())):
            previews = {index: (len(sightings), rgb)}
        _link(tracks, sightings)
    if kind == "video" and len(samples) >= _MIN_SIGHTINGS:
        # a find on a single checked frame is a passer-by or a false detection
        tracks = [t for t in tracks if len(t) >= _MIN_SIGHTINGS] or tracks[:1]
    if not tracks:
        return None
    preview_index = next(iter(previews))
    on_preview = [t for t in tracks if any(s.frame_index == preview_index for s in t)]
    on_preview.sort(key=lambda t: _centre_x(next(s for s in t if s.frame_index == preview_index)))
    later = sorted(
        (t for t in tracks if not any(s.frame_index == preview_index for s in t)),
        key=lambda t: (t[0].time_s, _centre_x(t[0])),
    )
    people: list[Person] = []
    by_frame: dict[int, list[tuple[int, Box]]] = {}
    for number, sightings in enumerate([*on_preview, *later], start=1):
        p = Person(number=number, sightings=sightings)
        p.presence = len(sightings) / len(samples)
        p.activity = _activity(p, aspect, min_visibility)
        p.score = p.presence * (p.activity + ACTIVITY_FLOOR)
        p.prominence = float(np.mean([_box_prominence(s.box) for s in sightings]))
        people.append(p)
        for s in sightings:
            by_frame.setdefault(s.frame_index, []).append((number, s.box))
    if person is not None:
        if not 1 <= person <= len(people):
            found = "1 person was" if len(people) == 1 else f"{len(people)} people were"
            raise InputError(
                f"there is no person {person}: {found} found (numbered from 1, left to right)",
                where=f"person ({where})" if where else "person",
            )
        chosen = person
    else:
        chosen = max(people, key=lambda p: (round(p.score, 6), p.prominence)).number
    return PeopleSurvey(
        kind=kind,
        people=people,
        samples=samples,
        preview_index=preview_index,
        preview=previews[preview_index][1],
        chosen=chosen,
        asked=person is not None,
        min_visibility=min_visibility,
        _by_frame=by_frame,
    )


def _centre_x(s: Sighting) -> float:
    return (s.box[0] + s.box[2]) / 2


def _link(tracks: list[list[Sighting]], sightings: list[Sighting]) -> None:
    """Append each sighting to the track whose last box overlaps it most (greedy), or start one."""
    pairs = sorted(
        (
            (_iou(t[-1].box, s.box), ti, si)
            for ti, t in enumerate(tracks)
            for si, s in enumerate(sightings)
        ),
        reverse=True,
    )
    used_t: set[int] = set()
    used_s: set[int] = set()
    for overlap, ti, si in pairs:
        if overlap < _LINK_IOU:
            break
        if ti in used_t or si in used_s:
            continue
        tracks[ti].append(sightings[si])
        used_t.add(ti)
        used_s.add(si)
    for si, s in enumerate(sightings):
        if si not in used_s:
            tracks.append([s])


class SubjectGuide:
    """Keeps a tracking backend on the surveyed subject of a video (see the module docstring)."""

    def __init__(self, survey: PeopleSurvey) -> None:
        self.survey = survey
        self.min_visibility = survey.min_visibility
        self.refound = 0
        self.dropped = 0

    def _others(self, frame_index: int) -> tuple[list[Box], Box | None]:
        boxes = self.survey.boxes_at(frame_index)
        mine = next((b for n, b in boxes if n == self.survey.chosen), None)
        return [b for n, b in boxes if n != self.survey.chosen], mine

    def prepare(self, frame_index: int, rgb: NDArray[np.uint8]) -> NDArray[np.uint8]:
        """The frame the tracker should see: on sampled frames, the other people masked."""
        others, mine = self._others(frame_index)
        return _mask_boxes(rgb, others, mine) if others else rgb

    def _is_subject(self, result: PoseResult, sample: int) -> bool:
        box = _box(result, self.min_visibility)
        boxes = self.survey.boxes_at(sample)
        if not boxes:
            return True
        best = max(boxes, key=lambda nb: _iou(box, nb[1]))
        return best[0] == self.survey.chosen or _iou(box, best[1]) == 0.0

    def accept(
        self,
        frame_index: int,
        time_s: float,
        rgb: NDArray[np.uint8],
        result: PoseResult | None,
        tracker: PoseBackend,
    ) -> PoseResult | None:
        """``result`` when it is the chosen person; else one new try with the others (from the
        nearest sampled frame) masked, or ``None``."""
        if result is None or len(self.survey.people) < 2:
            return result
        sample = self.survey.nearest_sample(time_s)
        if sample is None or self._is_subject(result, sample):
            return result
        others, mine = self._others(sample)
        retry = tracker.process(_mask_boxes(rgb, others, mine))
        if retry is not None and self._is_subject(retry, sample):
            self.refound += 1
            return retry
        self.dropped += 1
        return None
