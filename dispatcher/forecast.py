"""Arrival forecast per service per half hour from a hall's recorded days (docs/dispatcher.md).

    fc = forecast(history, "2026-03-02")        # history: traces, each with its "date"
    fc["rates"]["soc"][k]                       # expected arrivals of soc in slot k
    error(fc, actual_trace)                     # MAPE per service-hour, WAPE
    sample_day(fc, seed)                        # a trace drawn from the forecast

Method: weighted same-weekday averages with a trend factor. Each recorded day's counts per
(service, slot) are scaled by the trend to the target date, and the days of the target's
weekday are averaged with weights halving every `half_life_weeks`. The trend is a log-linear
fit of the days' totals after removing the weekday factors, clamped to ±`MAX_TREND` per week.
With fewer than `min_same_weekday` days of that weekday, every day is used, scaled by the
weekday factors.
"""
from __future__ import annotations

import datetime as _dt
import math
import random

from .generate import _poisson

SLOT_S = 1800.0
MAX_TREND = 0.10  # per week: a fit beyond this is noise or a one-off, not a trend


def _slots(trace: dict, slot_s: float) -> int:
    return max(1, math.ceil((float(trace["close_s"]) - float(trace["open_s"])) / slot_s))


def counts(trace: dict, slot_s: float = SLOT_S) -> dict[str, list[float]]:
    """Arrivals per service per slot from opening (late issues count in the last slot)."""
    n, open_s = _slots(trace, slot_s), float(trace["open_s"])
    out = {s["id"]: [0.0] * n for s in trace["services"]}
    for a in trace["arrivals"]:
        k = min(n - 1, max(0, int((a["t"] - open_s) // slot_s)))
        out.setdefault(a["service"], [0.0] * n)[k] += 1
    return out


def _ordinal(date: str) -> int:
    return _dt.date.fromisoformat(date).toordinal()


def _weekday(date: str) -> int:
    return _dt.date.fromisoformat(date).weekday()


def trend_and_weekday(history: list[dict]) -> tuple[float, dict[int, float]]:
    """(log-trend per day, weekday factors of mean 1 over the recorded weekdays)."""
    tot = [max(1.0, float(len(t["arrivals"]))) for t in history]
    od = [_ordinal(t["date"]) for t in history]
    wd = [_weekday(t["date"]) for t in history]
    slope = 0.0
    factors: dict[int, float] = {}
    for _ in range(2):  # weekday factors on detrended totals, then the trend on those
        o_mean = sum(od) / len(od)
        det = [x * math.exp(-slope * (o - o_mean)) for x, o in zip(tot, od, strict=True)]
        mean = sum(det) / len(det)
        factors = {d: sum(x for x, w in zip(det, wd, strict=True) if w == d)
                   / sum(1 for w in wd if w == d) / mean for d in set(wd)}
        y = [math.log(x / factors[w]) for x, w in zip(tot, wd, strict=True)]
        var = sum((o - o_mean) ** 2 for o in od)
        if var > 0:
            y_mean = sum(y) / len(y)
            slope = sum((o - o_mean) * (v - y_mean) for o, v in zip(od, y, strict=True)) / var
        cap = math.log(1 + MAX_TREND) / 7
        slope = max(-cap, min(cap, slope))
    return slope, factors


def forecast(history: list[dict], date: str, *, half_life_weeks: float = 3.0,
             min_same_weekday: int = 2, slot_s: float = SLOT_S) -> dict:
    """Expected arrivals per service per slot on `date` (see the module doc)."""
    if not history:
        raise ValueError("no recorded days")
    last = history[-1]
    slope, factors = trend_and_weekday(history)
    target_o, target_wd = _ordinal(date), _weekday(date)
    same = [t for t in history if _weekday(t["date"]) == target_wd]
    use = same if len(same) >= min_same_weekday else history
    n = _slots(last, slot_s)
    services = {s["id"]: s for t in history for s in t["services"]}
    rates = {sid: [0.0] * n for sid in services}
    wsum = 0.0
    for t in use:
        dt = target_o - _ordinal(t["date"])
        w = 0.5 ** (dt / (7 * half_life_weeks))
        scale = math.exp(slope * dt)
        if use is history:
            scale *= factors.get(target_wd, 1.0) / factors[_weekday(t["date"])]
        for sid, row in counts(t, slot_s).items():
            r = rates.setdefault(sid, [0.0] * n)
            for k, c in enumerate(row[:n]):
                r[k] += w * scale * c
        wsum += w
    rates = {sid: [round(x / wsum, 3) for x in row] for sid, row in rates.items()}
    return {"date": date, "open_s": float(last["open_s"]), "close_s": float(last["close_s"]),
            "slot_s": slot_s, "rates": rates,
            "services": [dict(services[s]) for s in sorted(services)],
            "windows": [{"id": w["id"], "skills": dict(w["skills"])} for w in last["windows"]],
            "stats": _stats(history),
            "basis": {"days": len(history), "same_weekday": len(same),
                      "used": len(use), "trend_per_week": round(math.exp(7 * slope) - 1, 4),
                      "weekday_factor": round(factors.get(target_wd, 1.0), 3)}}


def _stats(history: list[dict]) -> dict:
    """Service-time mean and spread per service, and the priority / appointment / no-show
    shares, from the recorded days: what `sample_day` draws from."""
    arr = [a for t in history for a in t["arrivals"]]
    n = max(1, len(arr))
    svc: dict[str, dict] = {}
    for t in history:
        for s in t["services"]:
            svc.setdefault(s["id"], {"mean_service_s": float(s["mean_service_s"]), "xs": []})
    for a in arr:
        if not a.get("no_show"):
            svc.setdefault(a["service"], {"mean_service_s": 600.0, "xs": []})["xs"].append(
                float(a["service_s"]))
    out = {}
    for sid, v in svc.items():
        xs = v.pop("xs")
        mean = sum(xs) / len(xs) if xs else v["mean_service_s"]
        var = sum((x - mean) ** 2 for x in xs) / len(xs) if len(xs) > 1 else (0.5 * mean) ** 2
        out[sid] = {"mean_s": round(mean, 1), "cv": round(math.sqrt(var) / mean, 3)}
    return {"service": out,
            "priority_share": sum(1 for a in arr if a.get("priority") == 1) / n,
            "appointment_share": sum(1 for a in arr if a.get("priority") == 2) / n,
            "no_show_share": sum(1 for a in arr if a.get("no_show")) / n}


def hourly(fc_or_trace: dict, hour_s: float = 3600.0) -> dict[str, list[float]]:
    """Arrivals per service per hour: a forecast's rates summed, or a trace's counts."""
    if "rates" in fc_or_trace:
        per = round(hour_s / fc_or_trace["slot_s"])
        return {s: [sum(r[k:k + per]) for k in range(0, len(r), per)]
                for s, r in fc_or_trace["rates"].items()}
    return counts(fc_or_trace, hour_s)


def error(fc: dict, actual: dict, hour_s: float = 3600.0) -> dict:
    """Forecast error against the day that happened, per service-hour.

    `mape`: mean of |forecast - actual| / actual over the service-hours with actual > 0
    (a percentage error is undefined at 0, so those cells are left out of it and counted
    apart: `zero_cells`, with `zero_cell_forecast` their mean forecast). `wape`: the sum of
    absolute errors over the sum of actuals, every cell counted. `day_error`: the day's total."""
    f, a = hourly(fc, hour_s), hourly(actual, hour_s)
    ape, abs_err, tot, zeros, zero_fc = [], 0.0, 0.0, 0, []
    for s in sorted(set(f) | set(a)):
        fr, ar = f.get(s, []), a.get(s, [])
        for k in range(max(len(fr), len(ar))):
            x = fr[k] if k < len(fr) else 0.0
            y = ar[k] if k < len(ar) else 0.0
            abs_err += abs(x - y)
            tot += y
            if y > 0:
                ape.append(abs(x - y) / y)
            else:
                zeros += 1
                zero_fc.append(x)
    f_day, a_day = sum(map(sum, f.values())), sum(map(sum, a.values()))
    return {"mape": round(sum(ape) / len(ape), 4) if ape else 0.0, "cells": len(ape),
            "zero_cells": zeros,
            "zero_cell_forecast": round(sum(zero_fc) / len(zero_fc), 3) if zero_fc else 0.0,
            "wape": round(abs_err / tot, 4) if tot else 0.0,
            "day_error": round((f_day - a_day) / a_day, 4) if a_day else 0.0}


def sample_day(fc: dict, seed: int, volume: float = 1.0) -> dict:
    """A trace drawn from the forecast: Poisson counts per (service, slot) at the forecast
    rate × `volume`, uniform times in the slot, lognormal service times and the priority,
    appointment and no-show shares of the recorded days. The same seed, the same day."""
    rng = random.Random(f"sample:{fc['date']}:{seed}")
    st = fc["stats"]
    arrivals = []
    for sid in sorted(fc["rates"]):
        s_st = st["service"].get(sid, {"mean_s": 600.0, "cv": 0.5})
        sigma = math.sqrt(math.log(1 + s_st["cv"] ** 2))
        mu = math.log(s_st["mean_s"]) - sigma * sigma / 2
        for k, lam in enumerate(fc["rates"][sid]):
            for _ in range(_poisson(rng, lam * volume)):
                t = fc["open_s"] + fc["slot_s"] * (k + rng.random())
                a = {"t": round(t, 1), "service": sid, "priority": 0,
                     "service_s": round(max(30.0, rng.lognormvariate(mu, sigma)), 1)}
                u = rng.random()
                if u < st["priority_share"]:
                    a["priority"] = 1
                elif u < st["priority_share"] + st["appointment_share"]:
                    a["priority"] = 2
                    a["due_t"] = round(t + rng.uniform(0, 600), 1)
                if rng.random() < st["no_show_share"]:
                    a["no_show"] = True
                arrivals.append(a)
    arrivals.sort(key=lambda a: (a["t"], a["service"]))
    for i, a in enumerate(arrivals, 1):
        a["id"] = f"f{i}"
    return {"name": f"forecast-{fc['date']}-{seed}", "date": fc["date"],
            "open_s": fc["open_s"], "close_s": fc["close_s"], "services": fc["services"],
            "windows": [dict(w) for w in fc["windows"]], "arrivals": arrivals}
