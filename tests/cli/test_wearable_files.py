"""``backcare wearable info`` and ``backcare wearable simulate``."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd


def test_simulate_then_info(cli, tmp_path: Path) -> None:
    out = tmp_path / "week.cwa"
    rc, stdout, err = cli(
        "wearable",
        "simulate",
        "--days",
        "0.02",
        "--rate",
        "50",
        "--placement",
        "trunk_back",
        "--seed",
        "3",
        "--start",
        "2024-02-05T07:30:00",
        "--out",
        str(out),
    )
    assert rc == 0, err
    assert "wrote" in stdout
    truth = pd.read_parquet(tmp_path / "week.truth.parquet")
    assert len(truth) == round(0.02 * 86400)
    rc, stdout, err = cli("wearable", "info", str(out))
    assert rc == 0, err
    for text in ("AX3", "50 Hz", "+-8 g", "2024-02-05T07:30:00", "86,400", "trunk_back"):
        assert text in stdout
    assert "no problems found" in stdout
    rc, stdout, _ = cli("wearable", "info", str(out), "--json")
    doc = json.loads(stdout)
    assert doc["n_samples"] == 86400
    assert doc["rate_hz"] == 50.0
    assert doc["issues"] == []
    assert doc["extra"]["packing"] == "packed"


def test_info_lists_problems(cli, tmp_path: Path) -> None:
    out = tmp_path / "s.cwa"
    assert cli("wearable", "simulate", "--days", "0.01", "--out", str(out))[0] == 0
    data = bytearray(out.read_bytes())
    data[1024 + 512 * 7 + 99] ^= 0x10
    out.write_bytes(bytes(data))
    rc, stdout, _ = cli("wearable", "info", str(out))
    assert rc == 0
    assert "1 problem(s)" in stdout
    assert "block 7" in stdout
    assert "bad checksum" in stdout
    rc, stdout, _ = cli("wearable", "info", str(out), "--header-only", "--json")
    assert json.loads(stdout)["scanned"] is False


def test_errors_without_traceback(cli, tmp_path: Path) -> None:
    rc, _, err = cli("wearable", "info", str(tmp_path / "missing.cwa"))
    assert rc == 2
    assert "no such file" in err
    assert "Traceback" not in err
    junk = tmp_path / "junk.cwa"
    junk.write_bytes(b"\x00" * 3000)
    rc, _, err = cli("wearable", "info", str(junk))
    assert rc == 2
    assert "not an Axivity CWA" in err
    rc, _, err = cli(
        "wearable",
        "simulate",
        "--days",
        "0.01",
        "--out",
        str(tmp_path / "x.cwa"),
        "--start",
        "yesterday",
    )
    assert rc == 2
    assert "--start" in err
    rc, _, err = cli(
        "wearable",
        "simulate",
        "--days",
        "0.01",
        "--out",
        str(tmp_path / "x.cwa"),
        "--placement",
        "ankle",
    )
    assert rc == 2
    assert "placement" in err


def test_markup_in_user_strings_is_printed_as_text(cli, tmp_path: Path) -> None:
    # a folder name that looks like Rich markup used to crash the error message (MarkupError)
    folder = tmp_path / "d[/x]" / "[bold]"
    folder.mkdir(parents=True)
    bad = folder / "bad.cwa"
    bad.write_bytes(b"xx")
    rc, _, err = cli("wearable", "info", str(bad))
    assert rc == 2
    assert "Traceback" not in err
    assert "d[/x]/[bold]/bad.cwa" in err.replace("\n", "")
    good = folder / "[red]s.cwa"
    assert cli("wearable", "simulate", "--days", "0.01", "--out", str(good))[0] == 0
    rc, stdout, _ = cli("wearable", "info", str(good))
    assert rc == 0
    assert "[red]s.cwa" in stdout.replace("\n", "")
