from __future__ import annotations

from backcare import __version__


def test_version(cli):
    rc, out, _ = cli("--version")
    assert rc == 0
    assert __version__ in out


def test_unknown_command_is_a_usage_error(cli):
    rc, _, err = cli("no-such-command")
    assert rc == 2
    assert "No such command" in err


def test_doctor_checks_knowledge_and_database(cli):
    rc, out, _ = cli("doctor")
    assert rc == 0, out
    assert "all citations resolve" in out
    assert "database ok" in out


def test_help_shows_units_in_brackets(cli):
    rc, out, _ = cli("ergo", "load", "--help")
    assert rc == 0
    assert "Body mass [kg]" in " ".join(out.split())
