"""`generate --out` that the swap into place would destroy, or could not create, is refused
before anything is read or written: a file there used to be deleted and replaced by the output
tree (a spec file too), the spec directory replaced, and an unusable path was an internal error."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from generator.cli import main
from tests.conftest import TESTDATA

GOOD = TESTDATA / "spec" / "good"


@pytest.mark.parametrize(("out", "message"), [
    ("slos/checkout.yaml", "--out {tmp}/slos/checkout.yaml is a file, not a directory; give the "
                           "directory to write the output into (it is created if missing)"),
    ("notes.txt", "--out {tmp}/notes.txt is a file, not a directory"),
    ("notes.txt/out", "--out {tmp}/notes.txt/out: {tmp}/notes.txt is a file, so the directory "
                      "cannot be created; give another path"),
    ("slos", "--out {tmp}/slos is the spec directory {tmp}/slos; write the output beside it, "
             "like out next to slos"),
    ("slos/out", "--out {tmp}/slos/out is inside the spec directory {tmp}/slos"),
    (".", "--out {tmp} contains the spec directory {tmp}/slos"),
    ("/", "--out / is the file system root; give a directory of its own, like out"),
])
def test_an_out_dir_that_would_destroy_files_is_refused(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], out: str, message: str) -> None:
    specs = tmp_path / "slos"
    shutil.copytree(GOOD, specs)
    (tmp_path / "notes.txt").write_text("mine", encoding="utf-8")
    before = sorted((p.relative_to(tmp_path), p.read_bytes() if p.is_file() else b"")
                    for p in tmp_path.rglob("*"))
    target = out if out.startswith("/") else f"{tmp_path}/{out}"
    code = main(["generate", "--specs", str(specs), "--out", target, "--skip-checks"])
    err = capsys.readouterr().err
    assert code == 2, err
    assert err.startswith("slogen: " + message.format(tmp=tmp_path)), err
    assert "internal error" not in err
    assert sorted((p.relative_to(tmp_path), p.read_bytes() if p.is_file() else b"")
                  for p in tmp_path.rglob("*")) == before
