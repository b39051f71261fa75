"""Group commit (store/db.py): writes queued together share one COMMIT, each in its own
savepoint, so one caller's refusal undoes only its own changes, and nobody is answered
before the COMMIT that holds its changes."""
from __future__ import annotations

import contextvars
import threading

import pytest

from queue_server.store.db import Database, _Job


def _db(tmp_path, seen: list) -> Database:
    d = Database(str(tmp_path / "g.db"), on_commit=lambda tx: seen.append(tx.actor))
    d.conn().execute("CREATE TABLE t (v TEXT)")
    return d


def _insert(v: str, fail: bool = False):
    def fn(tx):
        tx.run("INSERT INTO t (v) VALUES (?)", (v,))
        tx.tickets.add(1)  # something to hand on after commit
        if fail:
            raise ValueError(v)
        return v
    return fn


def _job(actor: str, fn) -> _Job:
    return _Job(actor, fn, contextvars.copy_context())


def test_a_refusal_in_a_group_undoes_only_its_own_changes(tmp_path):
    seen: list[str] = []
    d = _db(tmp_path, seen)
    group = [_job("a", _insert("a")), _job("b", _insert("b", fail=True)), _job("c", _insert("c"))]
    d._run_group(group)
    assert [j.result for j in group] == ["a", None, "c"]
    assert isinstance(group[1].error, ValueError)
    assert group[0].error is group[2].error is None
    assert all(j.done for j in group)
    assert [r[0] for r in d.conn().execute("SELECT v FROM t ORDER BY rowid")] == ["a", "c"]
    assert seen == ["a", "c"]  # handed on in order, after the commit


def test_a_failed_commit_acknowledges_nobody(tmp_path, monkeypatch):
    seen: list[str] = []
    d = _db(tmp_path, seen)

    def broken(c):
        raise OSError("disk I/O error")
    monkeypatch.setattr(Database, "_commit", staticmethod(broken))
    group = [_job("a", _insert("a")), _job("b", _insert("b"))]
    d._run_group(group)
    assert all(isinstance(j.error, OSError) and j.result is None for j in group)
    assert d.conn().execute("SELECT COUNT(*) FROM t").fetchone()[0] == 0
    assert seen == []
    with pytest.raises(OSError, match="disk I/O error"):  # through write(), the caller sees it
        d.write("x", _insert("x"))


def test_concurrent_writers_each_get_their_own_answer(tmp_path):
    seen: list[str] = []
    d = _db(tmp_path, seen)
    d.release()
    out: dict[str, object] = {}

    def writer(i: int) -> None:
        try:
            out[str(i)] = d.write(str(i), _insert(str(i), fail=i % 5 == 0))
        except ValueError as e:
            out[str(i)] = e
        finally:
            d.release()
    threads = [threading.Thread(target=writer, args=(i,)) for i in range(40)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for i in range(40):
        assert isinstance(out[str(i)], ValueError) if i % 5 == 0 else out[str(i)] == str(i)
    rows = sorted(r[0] for r in d.conn().execute("SELECT v FROM t"))
    assert rows == sorted(str(i) for i in range(40) if i % 5)
    assert sorted(seen) == rows
