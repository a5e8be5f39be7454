"""Child process that evaluates Jsonnet specs inside the limits the parent sets.

Run by jsonnet_sandbox as `python -I jsonnet_child.py`, it imports only the standard library and
the Jsonnet binding, so it starts fast and reads nothing from the project. Protocol:
stdin: one JSON request {"roots", "library", "memory_bytes", "cpu_seconds", "max_output",
"files": [{"path", "text"}]}; stdout: one JSON line per file, in order, {"json": text} or
{"error": jsonnet's message}. Memory and CPU are capped with setrlimit before any evaluation;
the parent enforces the wall-clock limit and kills this process when it is passed.
"""

from __future__ import annotations

import json
import os
import resource
import stat
import sys
from typing import Any

MAX_IMPORT_BYTES = 4 * 1024 * 1024


class ImportRefused(Exception):
    """An import the sandbox does not allow; Jsonnet reports it at the import expression."""


def _inside(path: str, roots: list[str]) -> bool:
    return any(path == root or path.startswith(root.rstrip(os.sep) + os.sep) for root in roots)


def make_import_callback(roots: list[str], library: list[str]) -> Any:
    """Jsonnet import callback: files below `roots` only, found next to the importer or in
    `library`; absolute paths, `..` escapes and symlinks that leave the roots are refused."""
    real_roots = [os.path.realpath(r) for r in roots]

    def callback(base: str, rel: str) -> tuple[str, bytes]:
        if os.path.isabs(rel) or rel.startswith("~"):
            raise ImportRefused(f"absolute import paths are not allowed ({rel}); import "
                                "files below the spec directory by a relative path")
        if "\0" in rel:
            raise ImportRefused("import path contains a NUL character")
        for directory in [base, *library]:
            candidate = os.path.normpath(os.path.join(directory, rel))
            if not _inside(candidate, real_roots):
                raise ImportRefused("it leaves the spec directory and library path (`..` or "
                                    "an absolute path); only files below them can be imported")
            if not os.path.lexists(candidate):
                continue
            real = os.path.realpath(candidate)
            if not _inside(real, real_roots):
                raise ImportRefused("it is a symlink to a file outside the spec directory and "
                                    "library path; only files below them can be imported")
            try:
                info = os.stat(real)
            except OSError as exc:
                raise ImportRefused(f"cannot read it: {exc.strerror}") from None
            if not stat.S_ISREG(info.st_mode):
                raise ImportRefused("it is not a regular file")
            if info.st_size > MAX_IMPORT_BYTES:
                raise ImportRefused(f"it is larger than {MAX_IMPORT_BYTES // 1024 // 1024} MiB")
            with open(real, "rb") as handle:
                return candidate, handle.read(MAX_IMPORT_BYTES + 1)
        raise ImportRefused("no such file next to the importing file or in the library path")

    return callback


def _limit(kind: int, value: int) -> None:
    _, hard = resource.getrlimit(kind)
    if hard != resource.RLIM_INFINITY:
        value = min(value, hard)
    resource.setrlimit(kind, (value, hard))


def main() -> int:
    """Evaluate every requested file, one answer line per file."""
    request = json.loads(sys.stdin.buffer.read())
    _limit(resource.RLIMIT_AS, int(request["memory_bytes"]))
    _limit(resource.RLIMIT_CPU, int(request["cpu_seconds"]))
    import _jsonnet  # after the limits: the binding's allocations count as well

    callback = make_import_callback(request["roots"], request["library"])
    out = sys.stdout
    for item in request["files"]:
        try:
            rendered = _jsonnet.evaluate_snippet(item["path"], item["text"],
                                                 import_callback=callback, max_stack=500)
        except RuntimeError as exc:
            answer = {"error": str(exc)}
        except MemoryError:
            answer = {"limit": "memory"}
        except UnicodeDecodeError:
            # The C++ evaluator writes a lone UTF-16 surrogate (std.char(55296)) as bytes that
            # are no UTF-8; left uncaught, the child's exit read as "out of memory".
            answer = {"error": "the result holds a lone UTF-16 surrogate (a code point in "
                               "U+D800..U+DFFF, such as std.char(55296)), which is not a "
                               "character; write the character itself"}
        else:
            if len(rendered) > request["max_output"]:
                answer = {"limit": "output"}
            else:
                answer = {"json": rendered}
        out.write(json.dumps(answer) + "\n")
        out.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
