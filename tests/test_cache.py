"""The disk caches never run code that this user did not write (issue 10, item 3).

Each test points the cache at a fresh folder, plants what an attacker with write access to a
shared cache would plant under the exact names lovregler looks up, and checks that loading a
ruleset neither runs it nor is misled by it.
"""

from __future__ import annotations

import builtins
import hashlib
import marshal
import os
import pickle
import sys
from pathlib import Path

import pytest

from lovregler import api, cache
from lovregler.evaluate import compile
from lovregler.syntax import lark_parser

RULESET = "kontanthjælp_aktivitetsparat"


def _forget() -> None:
    """Drop every in-process cache, so that the next load goes to disk."""
    api._parsed.cache_clear()
    api._load.cache_clear()
    lark_parser.parser.cache_clear()
    cache._checked_root.cache_clear()
    cache._read_key.cache_clear()


@pytest.fixture
def cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv("LOVREGLER_CACHE_DIR", str(folder))
    _forget()
    yield folder
    _forget()


class _Planted:
    """A pickle that, when loaded, creates a file: the attacker's code."""

    def __init__(self, marker: Path):
        self.marker = marker

    def __reduce__(self) -> tuple[object, ...]:
        return (open, (str(self.marker), "w"))


def _ruleset_file() -> Path:
    return api._find(RULESET, None)


def _plant(folder: Path, kind: str, name: str, data: bytes) -> list[Path]:
    """The entry at its signed name, unsigned, and at the old (pre-HMAC) name as well."""
    paths = [folder / "signed" / kind / name, folder / kind / name]
    for path in paths:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    # ... and one with a well-formed header but a forged tag
    forged = cache._MAGIC + b"\0" * cache._DIGEST + data
    (folder / "signed" / kind / name).write_bytes(forged)
    return paths


def test_planted_ast_pickle_is_not_executed(cache_dir: Path, tmp_path: Path) -> None:
    marker = tmp_path / "pwned-ast"
    path = _ruleset_file()
    name = api._ast_cache_name(str(path), api._digest(path))
    _plant(cache_dir, "ast", name, pickle.dumps(_Planted(marker)))
    rs = api.load_ruleset(RULESET)
    assert not marker.exists()
    assert rs.rules[0].id == "første_samtale"


def test_planted_compiled_code_is_not_executed(cache_dir: Path, tmp_path: Path) -> None:
    marker = tmp_path / "pwned-code"
    rs = api.load_ruleset(RULESET)
    source, _ = compile.generate(rs.plan)
    filename = f"<lovregler:{rs.plan.name}:{hashlib.sha256(source.encode()).hexdigest()[:12]}>"
    name = hashlib.sha256(f"{sys.version}\0{filename}\0{source}".encode()).hexdigest() + ".bin"
    code = builtins.compile(f"open({str(marker)!r}, 'w').close()\n{source}", filename, "exec")
    _plant(cache_dir, "compiled", name, marshal.dumps(code))
    compiled = compile.compile_plan(rs.plan)
    assert not marker.exists()
    assert callable(compiled.evaluate)


def test_planted_grammar_cache_is_not_executed(cache_dir: Path, tmp_path: Path) -> None:
    marker = tmp_path / "pwned-grammar"
    payload = pickle.dumps(_Planted(marker))
    import lark

    # Lark's own cache name (what older versions used) and every name under grammar/.
    (cache_dir / "grammar").mkdir(parents=True)
    (cache_dir / f"grammar-{lark.__version__}.cache").write_bytes(payload)
    lark_parser.parser()  # builds and signs the real entry
    for entry in (cache_dir / "signed" / "grammar").iterdir():
        _plant(cache_dir, "grammar", entry.name, payload)
    _forget()
    assert lark_parser.parser() is not None
    assert not marker.exists()


def test_folder_is_private_and_key_is_private(cache_dir: Path) -> None:
    cache.store("ast", "x", b"data")
    assert oct(os.stat(cache_dir).st_mode & 0o777) == oct(0o700)
    assert oct(os.stat(cache_dir / "key").st_mode & 0o777) == oct(0o600)
    entry = cache_dir / "signed" / "ast" / "x"
    assert oct(os.stat(entry).st_mode & 0o777) == oct(0o600)
    assert cache.load("ast", "x") == b"data"


def test_loose_folder_is_made_private(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "loose"
    folder.mkdir(mode=0o777)
    os.chmod(folder, 0o777)  # mkdir's mode is masked by the umask
    monkeypatch.setenv("LOVREGLER_CACHE_DIR", str(folder))
    _forget()
    assert cache.cache_dir() == folder
    assert os.stat(folder).st_mode & 0o777 == 0o700
    _forget()


def test_someone_elses_folder_is_not_used(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    if os.getuid() != 0:
        pytest.skip("needs root to make a folder owned by another user")
    folder = tmp_path / "theirs"
    folder.mkdir()
    os.chown(folder, 65534, 65534)
    monkeypatch.setenv("LOVREGLER_CACHE_DIR", str(folder))
    _forget()
    assert cache.cache_dir() is None
    cache.store("ast", "x", b"data")  # silently nothing: the cache is off
    assert cache.load("ast", "x") is None
    assert list(folder.iterdir()) == []
    _forget()


def test_readable_key_is_replaced(cache_dir: Path) -> None:
    cache.store("ast", "x", b"data")
    key = cache_dir / "key"
    os.chmod(key, 0o644)  # someone could have read it: entries signed with it are suspect
    cache._read_key.cache_clear()
    assert cache.load("ast", "x") is None
    assert os.stat(key).st_mode & 0o777 == 0o600


def test_symlinked_key_is_not_followed(cache_dir: Path, tmp_path: Path) -> None:
    cache.cache_dir()
    theirs = b"k" * cache._KEY_BYTES
    other = tmp_path / "their-key"
    other.write_bytes(theirs)
    (cache_dir / "key").symlink_to(other)
    cache.store("ast", "y", b"data")
    assert not (cache_dir / "key").is_symlink()
    assert (cache_dir / "key").read_bytes() != theirs
    assert other.read_bytes() == theirs
    assert cache.load("ast", "y") == b"data"


def test_corrupt_entries_are_rebuilt(cache_dir: Path) -> None:
    rs = api.load_ruleset(RULESET)
    rs.compiled()
    expected = [r.id for r in rs.rules]
    entries = list((cache_dir / "signed").rglob("*.*"))
    assert {p.parent.name for p in entries} >= {"ast", "compiled", "grammar"}
    for entry in entries:
        data = entry.read_bytes()
        entry.write_bytes(data[: len(data) // 2])  # truncated: the tag no longer matches
    _forget()
    again = api.load_ruleset(RULESET)
    assert [r.id for r in again.rules] == expected
    again.compiled()
    for entry in entries:  # rewritten whole
        assert cache.load(entry.parent.name, entry.name) is not None


def test_signed_entry_of_the_wrong_type_is_ignored(cache_dir: Path) -> None:
    path = _ruleset_file()
    name = api._ast_cache_name(str(path), api._digest(path))
    cache.store("ast", name, pickle.dumps(["not", "a", "module"]))
    assert [r.id for r in api.load_ruleset(RULESET).rules][0] == "første_samtale"
