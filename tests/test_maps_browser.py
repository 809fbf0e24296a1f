"""Maps in a real browser: Debian chromium, headless, offline, driven over a tiny CDP pipe client.

Each test writes a map, opens it from a file:// URL, waits until vis-network has drawn it,
reads the counts the page writes into ``<body data-*>``, hovers nodes to check the tooltip,
and saves a screenshot PNG.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import select
import shutil
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest

from hfkg.exports.maps import write_map
from hfkg.graph.similarity import (
    BenefitFact,
    ProgramRecord,
    Vocabulary,
    build_features,
    compute_similarity,
)

pytestmark = pytest.mark.browser

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
INJECTION = "<img src=x onerror=alert(1)>"
FT = "https://w3id.org/hfkg/vocab/family-type/"
BT = "https://w3id.org/hfkg/vocab/benefit-type/"
PF = "https://w3id.org/hfkg/vocab/payment-frequency/"


class Browser:
    """Headless chromium with ``--remote-debugging-pipe``: NUL-terminated JSON over fds 3 (in) and 4 (out)."""

    def __init__(self, profile: Path) -> None:
        if not os.path.exists(CHROMIUM):
            pytest.fail(f"chromium not found at {CHROMIUM}: install Debian's chromium (see .ci/run)")
        to_chrome_r, self._w = os.pipe()
        self._r, from_chrome_w = os.pipe()
        args = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-dev-shm-usage", f"--user-data-dir={profile}", "--window-size=1280,900",
                "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1", "--remote-debugging-pipe",
                "about:blank"]

        def fds() -> None:
            a, b = os.dup(to_chrome_r), os.dup(from_chrome_w)  # never dup2 an fd onto itself (keeps CLOEXEC)
            os.dup2(a, 3)
            os.dup2(b, 4)

        # os.pipe() fds are close-on-exec; the dup2 copies on 3 and 4 are the only ones chromium inherits
        self.proc = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL, preexec_fn=fds, close_fds=False)
        os.close(to_chrome_r)
        os.close(from_chrome_w)
        self._buf = b""
        self._id = 0
        self.events: list[dict[str, Any]] = []
        targets = self.call("Target.getTargets")["targetInfos"]
        page = next(t for t in targets if t["type"] == "page")
        self.session = self.call("Target.attachToTarget", targetId=page["targetId"], flatten=True)["sessionId"]

    def _read(self, timeout: float) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while b"\0" not in self._buf:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self._r], [], [], left)[0]:
                raise TimeoutError("no answer from chromium")
            chunk = os.read(self._r, 1 << 20)
            if not chunk:
                raise RuntimeError("chromium closed the pipe")
            self._buf += chunk
        msg, self._buf = self._buf.split(b"\0", 1)
        return json.loads(msg)

    def call(self, method: str, session: str | None = None, timeout: float = 30, **params: Any) -> dict[str, Any]:
        self._id += 1
        msg: dict[str, Any] = {"id": self._id, "method": method, "params": params}
        if session:
            msg["sessionId"] = session
        os.write(self._w, json.dumps(msg).encode() + b"\0")
        while True:
            reply = self._read(timeout)
            if reply.get("id") == self._id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply.get("result", {})
            self.events.append(reply)

    def page(self, method: str, **params: Any) -> dict[str, Any]:
        return self.call(method, session=self.session, **params)

    def eval(self, expr: str) -> Any:
        res = self.page("Runtime.evaluate", expression=expr, returnByValue=True, awaitPromise=True)
        if "exceptionDetails" in res:
            raise RuntimeError(f"page script failed: {res['exceptionDetails']}")
        return res["result"].get("value")

    def open(self, path: Path, timeout: float = 60) -> None:
        self.page("Page.enable")
        self.page("Runtime.enable")
        self.page("Page.addScriptToEvaluateOnNewDocument", source=(
            "window.__alerts = 0; window.alert = function () { window.__alerts += 1; };"))
        self.page("Page.navigate", url=path.resolve().as_uri())
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.eval("document.body ? document.body.getAttribute('data-ready') : null") == "1":
                return
            time.sleep(0.2)
        raise TimeoutError(f"{path.name} was not drawn within {timeout} s")

    def screenshot(self, path: Path) -> bytes:
        data = base64.b64decode(self.page("Page.captureScreenshot", format="png")["data"])
        path.write_bytes(data)
        return data

    def hover_node(self, node_id: str) -> str:
        """Move the mouse onto a node and return the text of the tooltip vis-network shows."""
        point = self.eval(
            f"(function(){{var m=window.hfkgMap, p=m.network.canvasToDOM(m.network.getPosition({json.dumps(node_id)}));"
            "var r=document.getElementById('network').getBoundingClientRect();"
            "return [p.x + r.left, p.y + r.top];})()")
        for dx in (3, 0):
            self.page("Input.dispatchMouseEvent", type="mouseMoved", x=point[0] + dx, y=point[1])
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            text = self.eval("(function(){var t=document.querySelector('div.vis-tooltip');"
                             "return t && t.style.visibility !== 'hidden' ? t.textContent : '';})()")
            if text:
                return str(text)
            time.sleep(0.2)
        return ""

    def close(self) -> None:
        with contextlib.suppress(RuntimeError, TimeoutError, OSError):
            self.call("Browser.close", timeout=5)
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        os.close(self._w)
        os.close(self._r)


@pytest.fixture()
def browser(tmp_path: Path) -> Any:
    b = Browser(tmp_path / "profile")
    yield b
    b.close()


def _records() -> tuple[list[ProgramRecord], Vocabulary]:
    vocab = Vocabulary(
        labels={FT + "bereaved": {"zh": "失独家庭"}, FT + "special": {"zh": "计划生育特殊家庭"},
                FT + "empty-nest": {"zh": "空巢家庭"}, BT + "cash": {"en": "cash allowance"},
                BT + "counselling": {"en": "counselling"}, PF + "monthly": {"en": "monthly"}},
        broader={FT + "bereaved": {FT + "special"}})
    cash = BenefitFact(BT + "cash", "扶助金", 200.0, PF + "monthly")
    recs = [
        ProgramRecord("https://example.org/hfkg/id/initiative/a", name=INJECTION, region="r:bj",
                      region_label="北京市", family_types=[FT + "bereaved"],
                      benefits=[cash, BenefitFact(BT + "counselling")], evidence=["为失独家庭发放扶助金"]),
        ProgramRecord("https://example.org/hfkg/id/initiative/b", name="一对一帮扶", name_en="one-to-one support",
                      region="r:tj", region_label="天津市", family_types=[FT + "bereaved"],
                      benefits=[cash, BenefitFact(BT + "counselling")], evidence=["为失独家庭发放扶助金"]),
        ProgramRecord("https://example.org/hfkg/id/initiative/c", name="暖心计划", region="r:sh",
                      region_label="上海市", family_types=[FT + "special"], benefits=[cash]),
        ProgramRecord("https://example.org/hfkg/id/initiative/d", name="空巢关爱", region="r:cq",
                      region_label="重庆市", family_types=[FT + "empty-nest"]),
    ]
    return recs, vocab


def _sim(**kw: Any) -> Any:
    recs, vocab = _records()
    return compute_similarity(build_features(recs, vocab), min_score=0.2, **kw)


def _counts(b: Browser) -> tuple[int, int]:
    return (int(b.eval("document.body.getAttribute('data-nodes-drawn')")),
            int(b.eval("document.body.getAttribute('data-edges-drawn')")))


def test_program_map_draws_nodes_edges_and_injection_stays_text(browser: Browser, tmp_path: Path) -> None:
    sim = _sim()
    result = write_map(sim, tmp_path / "map.html")
    assert result.nodes == 4 and result.edges == len(sim) >= 2
    browser.open(tmp_path / "map.html")
    assert _counts(browser) == (4, result.edges)
    # the injected name is a text node: no <img> was created, no alert ran, and the tooltip shows it literally
    assert browser.eval("document.querySelectorAll('img').length") == 0
    tip = browser.hover_node("https://example.org/hfkg/id/initiative/a")
    assert INJECTION in tip and "北京市" in tip and "失独家庭" in tip
    assert browser.eval("document.querySelectorAll('img').length") == 0
    assert browser.eval("window.__alerts") == 0
    assert not [e for e in browser.events if e.get("method") == "Page.javascriptDialogOpening"]
    png = browser.screenshot(tmp_path / "map.png")
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 10_000


def test_filters_change_what_is_drawn(browser: Browser, tmp_path: Path) -> None:
    result = write_map(_sim(), tmp_path / "map.html")
    browser.open(tmp_path / "map.html")
    browser.eval("(function(){var s=document.getElementById('family-filter'); s.value='失独家庭';"
                 "s.dispatchEvent(new Event('change'));})()")
    nodes, edges = _counts(browser)
    assert nodes == 2 and edges == 1 < result.edges
    browser.eval("(function(){var s=document.getElementById('family-filter'); s.value='';"
                 "s.dispatchEvent(new Event('change')); var r=document.getElementById('region-filter');"
                 "r.value='r:cq'; r.dispatchEvent(new Event('change'));})()")
    assert _counts(browser) == (1, 0)
    browser.eval("(function(){var r=document.getElementById('region-filter'); r.value='';"
                 "r.dispatchEvent(new Event('change')); var s=document.getElementById('search');"
                 "s.value='ONE-TO-ONE'; s.dispatchEvent(new Event('input'));})()")
    assert browser.eval("document.getElementById('match-count').textContent") == "1 match"
    assert browser.eval("window.hfkgMap.network.getSelectedNodes()") == ["https://example.org/hfkg/id/initiative/b"]


def test_region_map_and_empty_map_render(browser: Browser, tmp_path: Path) -> None:
    sim = _sim()
    regions = write_map(sim, tmp_path / "regions.html", level="region")
    browser.open(tmp_path / "regions.html")
    assert _counts(browser) == (4, regions.edges)
    assert browser.eval("document.body.getAttribute('data-level')") == "region"
    browser.screenshot(tmp_path / "regions.png")
    empty = write_map(sim, tmp_path / "empty.html", family_types=("留守家庭",))
    assert empty.nodes == 0
    browser.open(tmp_path / "empty.html")
    assert _counts(browser) == (0, 0)
    shown = browser.eval("(function(){var e=document.getElementById('empty'); return e.hidden ? '' : e.textContent;})()")
    assert "No program matches" in shown and "留守家庭" in shown


def test_built_sample_map_opens_offline(browser: Browser, tmp_path: Path) -> None:
    from hfkg.builders import build

    result = build(None, out=tmp_path / "out", validate=False)
    links = result.summary["similarity"]["links"]
    browser.open(tmp_path / "out" / "map.html")
    nodes, edges = _counts(browser)
    assert nodes == result.summary["similarity"]["programs"] > 10 and edges == links > 0
    browser.screenshot(tmp_path / "sample-map.png")
    browser.open(tmp_path / "out" / "regions.html")
    assert _counts(browser)[0] >= 2
