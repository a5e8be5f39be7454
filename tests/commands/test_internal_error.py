"""An unexpected exception inside a command ends in one readable line and exit code 70."""

from __future__ import annotations

import argparse

import pytest

from generator import cli


def _boom(args: argparse.Namespace) -> int:
    raise RuntimeError("model has no services")


def test_bug_is_one_line_not_a_traceback(monkeypatch: pytest.MonkeyPatch,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(cli.argparse.ArgumentParser, "parse_args",
                        lambda self, argv=None: argparse.Namespace(func=_boom))
    monkeypatch.delenv("SLOGEN_DEBUG", raising=False)
    assert cli.main([]) == cli.EXIT_INTERNAL
    err = capsys.readouterr().err
    assert err.startswith("slogen: internal error: RuntimeError: model has no services\n")
    assert "Traceback" not in err


def test_debug_variable_shows_the_traceback(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cli.argparse.ArgumentParser, "parse_args",
                        lambda self, argv=None: argparse.Namespace(func=_boom))
    monkeypatch.setenv("SLOGEN_DEBUG", "1")
    with pytest.raises(RuntimeError, match="model has no services"):
        cli.main([])
