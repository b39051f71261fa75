"""The kiosk's thermal printer (80 mm, ESC/POS) through python-escpos.

Configured by ``HALLQ_PRINTER`` (or the app setting ``PRINTER``):
``network:HOST[:PORT]`` (default port 9100), ``usb:VID:PID`` (hex), ``dummy`` (in memory,
for trials and tests), or empty for no printer (the kiosk then shows the slip on screen only).
A hall with several kiosks, each with its own printer, names them in ``HALLQ_PRINTERS``
(``KIOSK=SPEC`` pairs separated by commas) and opens each kiosk page as
``/kiosk/<hall>?kiosk=KIOSK``; a kiosk not named there uses ``HALLQ_PRINTER``.
Chinese text is sent as GB18030 in the printer's Chinese character mode, which is what the
printers sold in China expect; python-escpos's own code pages have no Chinese.
"""
from __future__ import annotations

from dataclasses import dataclass

from escpos import printer as escpos_printer
from escpos.escpos import Escpos

from queue_server.api.fields import KIOSK_RE

FS_CHINESE_ON = b"\x1c\x26"  # FS &: Chinese character mode
FS_CHINESE_OFF = b"\x1c\x2e"  # FS .




class PrinterConfigError(ValueError):
    """HALLQ_PRINTER(S) does not say a printer we can open."""


def parse_map(value: str | dict | None) -> dict[str, str]:
    """``HALLQ_PRINTERS`` (``k1=network:10.0.0.5,k2=usb:04b8:0e15``) as {kiosk: spec}.
    Only the form is checked here (at start-up); a printer is opened when a slip prints."""
    if isinstance(value, dict):
        pairs = list(value.items())
    else:
        pairs = []
        for item in (value or "").split(","):
            if item.strip():
                kiosk, sep, spec = item.partition("=")
                if not sep:
                    raise PrinterConfigError(f"HALLQ_PRINTERS: {item.strip()!r} is not KIOSK=SPEC")
                pairs.append((kiosk.strip(), spec.strip()))
    out: dict[str, str] = {}
    for kiosk, spec in pairs:
        if not KIOSK_RE.fullmatch(kiosk) or not spec or kiosk in out:
            raise PrinterConfigError(f"HALLQ_PRINTERS: bad or repeated kiosk {kiosk!r}")
        out[kiosk] = spec
    return out


@dataclass
class Slip:
    """What goes on the ticket slip: no ID or phone number, ever."""

    hall_name: str
    number: str
    service_name: str
    issued_at: str
    ahead: int
    url: str
    notice: str = "请留意叫号屏幕及语音提示，过号需重新取号"
    mark: str = ""  # e.g. 预约 for an appointment's ticket, 优先 for a priority group


def open_printer(spec: str | None) -> Escpos | None:
    """The printer a ``HALLQ_PRINTER`` value names, or None when none is configured."""
    spec = (spec or "").strip()
    if not spec:
        return None
    kind, _, rest = spec.partition(":")
    kind = kind.lower()
    if kind == "dummy":
        return escpos_printer.Dummy()
    if kind == "network":
        host, _, port = rest.partition(":")
        if not host:
            raise PrinterConfigError("network printer needs a host: network:HOST[:PORT]")
        return escpos_printer.Network(host, port=int(port or 9100), timeout=5)
    if kind == "usb":
        vid, _, pid = rest.partition(":")
        try:
            return escpos_printer.Usb(int(vid, 16), int(pid, 16))
        except ValueError as e:
            raise PrinterConfigError("usb printer needs hex ids: usb:VID:PID") from e
    raise PrinterConfigError(f"unknown printer kind {kind!r}")


def _zh(p: Escpos, text: str) -> None:
    p._raw(FS_CHINESE_ON + text.encode("gb18030", errors="replace") + FS_CHINESE_OFF)


def print_slip(p: Escpos, slip: Slip) -> None:
    """Print one slip and cut. Raises whatever the printer raises (the caller cancels)."""
    p.hw("INIT")
    p.set(align="center", bold=True, double_height=True, double_width=True)
    _zh(p, slip.hall_name + "\n")
    p.set(align="center", bold=False, normal_textsize=True)
    _zh(p, ("排队凭条 · " + slip.mark if slip.mark else "排队凭条") + "\n")
    p.text("-" * 42 + "\n")
    p.set(align="center", bold=True, custom_size=True, width=4, height=4)
    p.text(slip.number + "\n")
    p.set(align="center", bold=True, normal_textsize=True, double_height=True)
    _zh(p, slip.service_name + "\n")
    p.set(align="left", bold=False, normal_textsize=True)
    _zh(p, f"取号时间：{slip.issued_at}\n")
    _zh(p, f"前面还有：{slip.ahead} 人\n")
    p.set(align="center")
    p.qr(slip.url, size=6, native=True)
    _zh(p, "扫码查看排队进度\n")
    _zh(p, slip.notice + "\n")
    p.cut()
