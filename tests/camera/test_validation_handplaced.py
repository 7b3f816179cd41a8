"""The camera validation script's reader of hand-placed keypoints (``--build-handplaced``).

The photos themselves are not shipped; these tests give the builder a small annotation file
written here and check the rows it makes for ``keypoints.csv``."""

from __future__ import annotations

import csv
from pathlib import Path
from types import ModuleType

import pytest

from tests.camera._poses import BENT

HEADER = "repository,commit,path,joint,x,y,placed_by\n"
COMMIT = "0123456789abcdef0123456789abcdef01234567"


def _annotations(tmp_path: Path, lines: list[str]) -> Path:
    path = tmp_path / "handplaced.csv"
    path.write_text(HEADER + "".join(f"{line}\n" for line in lines))
    return path


def _bent_lines(path: str = "img/lift.jpg") -> list[str]:
    repo = "someone/work-photos"
    return [f"{repo},{COMMIT},{path},{j},{x},{y},by hand" for j, (x, y) in BENT.items()]


def test_rows_name_the_photo_under_its_repository(vc: ModuleType, tmp_path: Path) -> None:
    rows = vc.build_handplaced(_annotations(tmp_path, _bent_lines()))
    assert len(rows) == len(BENT)
    assert {r["source"] for r in rows} == {"handplaced"}
    assert {r["image"] for r in rows} == {"handplaced/someone/work-photos/img/lift.jpg"}
    assert {r["space"] for r in rows} == {"image_px"}
    assert {r["z"] for r in rows} == {""}
    knee = next(r for r in rows if r["joint"] == "left_knee")
    assert (knee["x"], knee["y"], knee["person"]) == (100.0, 250.0, 0)


def test_built_rows_give_the_side_view_angles_of_the_placed_pose(
    vc: ModuleType, tmp_path: Path
) -> None:
    refs = tmp_path / "keypoints.csv"
    vc.write_references(refs, vc.build_handplaced(_annotations(tmp_path, _bent_lines())))
    (ref,) = vc.load_references(refs)
    assert vc.reference_view(ref) == "side"
    angles = vc.reference_angles_2d(ref)
    assert angles["trunk_flexion"] == pytest.approx(45.0, abs=2.0)
    assert angles["knee_flexion"] == pytest.approx(0.0, abs=1.0)
    # upper arm hanging straight down while the trunk leans 45 deg forward
    assert angles["upper_arm_flexion"] == pytest.approx(45.0, abs=2.0)


def test_rebuilding_replaces_only_the_handplaced_rows(vc: ModuleType, tmp_path: Path) -> None:
    refs = tmp_path / "keypoints.csv"
    nan = float("nan")
    other = vc._row("lspet", "lspet/images/im1.jpg", 0, "head", 1.0, 2.0, nan, space="image_px")
    vc.write_references(refs, [other])
    vc.write_references(refs, vc.build_handplaced(_annotations(tmp_path, _bent_lines("a.jpg"))))
    vc.write_references(refs, vc.build_handplaced(_annotations(tmp_path, _bent_lines("b.jpg"))))
    with refs.open(newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert [r["source"] for r in rows].count("lspet") == 1
    images = {r["image"] for r in rows if r["source"] == "handplaced"}
    assert images == {"handplaced/someone/work-photos/b.jpg"}


@pytest.mark.parametrize(
    ("line", "message"),
    [
        (f"someone/work-photos,{COMMIT},img/lift.jpg,left_toe,1,2,by hand", "unknown joint"),
        (f"someone/work-photos,{COMMIT},img/lift.jpg,left_knee,3,4,by hand", "placed twice"),
        (f"someone/work-photos,{'f' * 40},img/lift.jpg,nose,3,4,by hand", "two commits"),
        (f"someone/work-photos,{COMMIT},img/lift.jpg,right_knee,-3,4,by hand", "outside"),
        (f"work-photos,{COMMIT},img/lift.jpg,nose,3,4,by hand", "owner/name"),
    ],
)
def test_typing_mistakes_are_refused(
    vc: ModuleType, tmp_path: Path, line: str, message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        vc.build_handplaced(_annotations(tmp_path, [*_bent_lines(), line]))


def test_a_file_without_the_columns_is_refused(vc: ModuleType, tmp_path: Path) -> None:
    path = tmp_path / "handplaced.csv"
    path.write_text("image,joint,x,y\nlift.jpg,nose,1,2\n")
    with pytest.raises(ValueError, match="lacks the columns"):
        vc.build_handplaced(path)


def test_only_source_keeps_the_named_sources_and_refuses_unknown_ones(vc: ModuleType) -> None:
    refs = [
        vc.Reference("handplaced", "handplaced/a/b/x.jpg", 0, "image_px"),
        vc.Reference("lspet", "lspet/images/im00001.jpg", 0, "image_px"),
        vc.Reference("coco", "coco/1.jpg", 0, "image_px"),
    ]
    assert [r.source for r in vc.only_sources(refs, ["handplaced"])] == ["handplaced"]
    assert [r.source for r in vc.only_sources(refs, ["coco", "lspet"])] == ["lspet", "coco"]
    assert vc.only_sources(refs, None) == refs
    with pytest.raises(ValueError, match="mpii"):
        vc.only_sources(refs, ["mpii"])
