"""Malformed input on the coach WebSocket: answered with an error or closed with a code and a
reason, never an unhandled exception."""

from __future__ import annotations

import json

import pytest

from backcare.camera.stream import MAX_JSON_DEPTH, parse_text
from backcare.errors import InputError

ORIGIN = {"origin": "http://testserver"}


@pytest.mark.parametrize(
    "text",
    [
        "[" * 100_000 + "]" * 100_000,  # deep JSON: a RecursionError in the decoder
        json.dumps({"type": "frame", "t": 1}).replace("1}", "9" * 400 + "}"),  # overflows float
        '{"type": "frame", "t": 1, "seq": ' + "7" * 400 + "}",
        '{"type": "frame", "t": 1, "lm": ' + "[" * (MAX_JSON_DEPTH + 1) + "]" * 9 + "}",
    ],
)
def test_hostile_text_is_an_input_error(text: str) -> None:
    with pytest.raises(InputError):
        parse_text(text)


def test_brackets_inside_strings_do_not_count_as_nesting() -> None:
    assert parse_text(json.dumps({"type": "stop", "note": "[[[[[[[[[[[[[[[["})) == "stop"


def test_socket_answers_hostile_text_and_closes_on_binary(person) -> None:
    with person.client.websocket_connect("/ws/coach", headers=ORIGIN) as ws:
        ws.send_text("[" * 20_000 + "]" * 20_000)
        assert ws.receive_json()["type"] == "error"
        ws.send_text('{"type": "frame", "t": ' + "9" * 400 + "}")
        reply = ws.receive_json()
        assert reply["type"] == "error"
        assert "reasonable" in reply["message"]
        ws.send_bytes(b"\x00\x01binary")
        closed = ws.receive()
    assert closed["type"] == "websocket.close"
    assert closed["code"] == 1003
    assert "JSON text" in closed["reason"]
