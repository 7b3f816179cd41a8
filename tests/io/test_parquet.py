from __future__ import annotations

import pytest

from backcare.errors import InputError
from backcare.io.parquet import read_series, write_series
from tests.posture.test_series import make


def test_parquet_round_trip(tmp_path):
    s = make(20)
    path = write_series(s, tmp_path / "s.parquet")
    assert read_series(path).equals(s)


def test_not_parquet_is_a_clear_error(tmp_path):
    p = tmp_path / "junk.parquet"
    p.write_bytes(b"not parquet at all")
    with pytest.raises(InputError, match="junk.parquet"):
        read_series(p)
