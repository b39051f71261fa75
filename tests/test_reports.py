"""CSV and XLSX exports parse back to the same numbers as the JSON statistics."""
from __future__ import annotations

import csv
import io
import re

import pytest
from openpyxl import load_workbook

from tests.test_stats import DAY, NEXT, play_day


@pytest.fixture
def mgr(db, client, auth):
    play_day(db)
    auth.login("manager")
    return client


def num(v):
    return None if v in ("", None) else float(v)


def test_csv_matches_json(mgr):
    stats = mgr.get(f"/api/v1/halls/demo/stats?date={DAY}").json
    r = mgr.get(f"/api/v1/halls/demo/stats?date={DAY}&format=csv")
    assert r.status_code == 200
    assert r.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(r.get_data(as_text=True))))
    header, body = rows[0], rows[1:]
    assert header[:4] == ["service", "name", "issued", "served"]
    assert len(body) == len(stats["by_service"])
    for row, want in zip(body, stats["by_service"], strict=True):
        got = dict(zip(header, row, strict=True))
        assert got["service"] == want["service"]
        for k in ("issued", "served", "no_show", "cancelled"):
            assert int(got[k]) == want[k]
        for k in ("mean_wait_s", "p90_wait_s", "mean_service_s"):
            assert num(got[k]) == want[k]
    assert sum(int(dict(zip(header, r, strict=True))["issued"]) for r in body) == 7


def test_xlsx_matches_json(mgr):
    q = f"from={DAY}&to={NEXT}"
    stats = mgr.get(f"/api/v1/halls/demo/stats?{q}").json
    r = mgr.get(f"/api/v1/halls/demo/stats?{q}&format=xlsx")
    assert r.status_code == 200
    assert "spreadsheetml" in r.mimetype
    wb = load_workbook(io.BytesIO(r.data), read_only=True)

    def sheet(name):
        rows = list(wb[name].iter_rows(values_only=True))
        return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]

    summary = sheet("summary")[0]
    for k in ("issued", "served", "no_show", "cancelled", "waiting", "mean_wait_s",
              "p90_wait_s", "mean_service_s"):
        assert summary[k] == stats[k], k
    for name, key in (("by_service", "service"), ("by_window", "window"),
                      ("by_clerk", "clerk"), ("by_hour", "hour"), ("by_day", "date")):
        got = {row[key]: row for row in sheet(name)}
        want = {row[key]: row for row in stats[name]}
        assert set(got) == set(want), name
        for k, row in want.items():
            for field, value in row.items():
                if field in got[k]:
                    assert got[k][field] == ("" if value is None else value) or (
                        value is None and got[k][field] is None), (name, k, field)
    ratings = {row["score"]: row["count"] for row in sheet("ratings")}
    assert ratings == {int(k): v for k, v in stats["ratings"]["by_score"].items()}


def test_csv_cells_never_become_formulas(db, mgr):
    from queue_server.manager import admin

    db.write("manager", lambda tx: admin.save(tx, "services", "demo", "hukou",
                                              {"name": "=HYPERLINK(1)"}, False))
    text = mgr.get(f"/api/v1/halls/demo/stats?date={DAY}&format=csv").get_data(as_text=True)
    assert "'=HYPERLINK(1)" in text


def test_the_spreadsheet_csv_opens_in_excel_on_a_chinese_windows(mgr):
    """With lang: a UTF-8 BOM (else Excel reads it as GBK), headers in that language and
    durations as m:ss; without, the contract's CSV is unchanged (no BOM, field names)."""
    raw = mgr.get(f"/api/v1/halls/demo/stats?date={DAY}&format=csv&lang=zh").data
    assert raw.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0][:3] == ["业务编号", "业务名称", "取号数"]
    waits = [r[6] for r in rows[1:] if r[6]]
    assert waits
    assert all(re.fullmatch(r"(\d+:)?\d{1,2}:\d{2}", w) for w in waits), waits
    en = mgr.get(f"/api/v1/halls/demo/stats?date={DAY}&format=csv&lang=en").data
    assert en.decode("utf-8-sig").startswith("Service id,Service,Issued")
    plain = mgr.get(f"/api/v1/halls/demo/stats?date={DAY}&format=csv").data
    assert plain.startswith(b"service,name,issued")
    assert mgr.get("/api/v1/halls/demo/stats?format=csv&lang=fr").status_code == 400
