"""Text packs: the documented example loads; malformed packs name the file and the field."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from backcare.errors import InputError
from backcare.io.textpack import read_text_pack

DATA = Path(__file__).parent / "data"
PACK = DATA / "fictional-ndi-pack.yaml"
DOCS = Path(__file__).resolve().parents[2] / "docs" / "text-packs.md"


def test_fictional_pack_loads():
    pack = read_text_pack(PACK)
    assert pack.instrument == "ndi"
    assert len(pack.items) == 10
    first = pack.item("ndi.1")
    assert first is not None
    assert [o.value for o in first.options] == [0, 1, 2, 3, 4, 5]
    assert read_text_pack(PACK, instrument_id="ndi") == pack


def test_docs_example_is_the_test_pack():
    block = re.search(r"```yaml\n(.*?)```", DOCS.read_text(encoding="utf-8"), re.S)
    assert block is not None
    assert yaml.safe_load(block.group(1)) == yaml.safe_load(PACK.read_text(encoding="utf-8"))


def _write(tmp_path: Path, mutate) -> Path:
    raw = yaml.safe_load(PACK.read_text(encoding="utf-8"))
    mutate(raw)
    path = tmp_path / "pack.yaml"
    path.write_text(yaml.safe_dump(raw), encoding="utf-8")
    return path


def _set(key, value):
    def mutate(raw):
        raw[key] = value

    return mutate


@pytest.mark.parametrize(
    ("mutate", "field"),
    [
        (lambda raw: raw.pop("licence_holder"), "field licence_holder: Field required"),
        (_set("format", "other/2"), "field format"),
        (_set("language", "English!"), "field language"),
        (_set("colour", "blue"), "field colour: Extra inputs are not permitted"),
        (lambda raw: raw["items"][2].update(text=""), "field items[2].text"),
        (
            lambda raw: raw["items"][2].update(options=[{"value": 7, "label": "x"}]),
            "field items[2].options: ndi.3: option value 7 is outside 0-5",
        ),
        (lambda raw: raw["items"][4].update(id="ndi.11"), "field items[4].id: 'ndi.11' is not"),
        (lambda raw: raw["items"].pop(), "field items: no wording for ndi.10"),
        (lambda raw: raw["items"].append(dict(raw["items"][0])), "'ndi.1' is listed twice"),
        (_set("variant", "employment"), "field variant"),
        (_set("instrument", "nope"), "field instrument: "),
    ],
)
def test_malformed_pack_names_file_and_field(tmp_path, mutate, field):
    path = _write(tmp_path, mutate)
    with pytest.raises(InputError) as err:
        read_text_pack(path)
    assert err.value.where == str(path)
    assert field in err.value.problem


def test_pack_for_another_instrument(tmp_path):
    with pytest.raises(InputError, match="the pack is for 'ndi', not 'odi'"):
        read_text_pack(PACK, instrument_id="odi")


def test_unreadable_and_non_yaml_files(tmp_path):
    with pytest.raises(InputError, match="cannot read") as err:
        read_text_pack(tmp_path / "absent.yaml")
    assert err.value.where.endswith("absent.yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_text("items: [unclosed", encoding="utf-8")
    with pytest.raises(InputError, match="not valid YAML"):
        read_text_pack(bad)
    bad.write_text("- a list\n", encoding="utf-8")
    with pytest.raises(InputError, match="YAML mapping"):
        read_text_pack(bad)
