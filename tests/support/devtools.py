"""A small DevTools-protocol client for the tests: headless Chromium on a pipe, recording console
calls, exceptions, log entries and network requests, with screenshots."""

from __future__ import annotations

import base64
import contextlib
import fcntl
import json
import os
import select
import subprocess
import time
from pathlib import Path

CHROMIUM = Path("/usr/bin/chromium")


class DevTools:
    """Headless Chromium driven over the DevTools protocol on a pipe (the browser's fds 3 and 4),
    recording every event: console calls, uncaught exceptions, log entries, network requests."""

    FLAGS = (
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--remote-debugging-pipe",
    )

    def __init__(self, profile: Path) -> None:
        commands_in, self._commands = os.pipe()
        self._replies, replies_out = os.pipe()
        child_in = fcntl.fcntl(commands_in, fcntl.F_DUPFD, 10)  # above 4, so dup2 cannot clobber
        child_out = fcntl.fcntl(replies_out, fcntl.F_DUPFD, 10)
        os.close(commands_in)
        os.close(replies_out)

        def wire_pipes() -> None:
            os.dup2(child_in, 3)
            os.dup2(child_out, 4)

        self.process = subprocess.Popen(
            [str(CHROMIUM), *self.FLAGS, f"--user-data-dir={profile}", "about:blank"],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            pass_fds=(3, 4),
            preexec_fn=wire_pipes,
        )
        os.close(child_in)
        os.close(child_out)
        self.buffer, self.last_id, self.events = b"", 0, []

    def _receive(self, deadline: float) -> dict:
        while b"\0" not in self.buffer:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not select.select([self._replies], [], [], remaining)[0]:
                raise TimeoutError("Chromium did not answer")
            chunk = os.read(self._replies, 1 << 20)
            if not chunk:
                raise ConnectionError("Chromium closed the DevTools pipe")
            self.buffer += chunk
        message, self.buffer = self.buffer.split(b"\0", 1)
        return json.loads(message)

    def call(self, method: str, session: str | None = None, timeout: float = 60, **params) -> dict:
        self.last_id += 1
        message = {
            "id": self.last_id,
            "method": method,
            "params": params,
            **({"sessionId": session} if session else {}),
        }
        os.write(self._commands, json.dumps(message).encode() + b"\0")
        deadline = time.monotonic() + timeout
        while True:
            reply = self._receive(deadline)
            if reply.get("id") == self.last_id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply["result"]
            self.events.append(reply)

    def open(self, url: str, width: int = 1280, *, scripts: bool = True) -> str:
        """Open ``url`` in a new tab (with scripts disabled unless ``scripts``), wait for its
        load event, return the tab's session."""
        target = self.call("Target.createTarget", url="about:blank")["targetId"]
        session = self.call("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]
        for domain in ("Runtime", "Log", "Network", "Page", "DOM", "CSS"):
            self.call(f"{domain}.enable", session=session)
        self.call(
            "Emulation.setDeviceMetricsOverride",
            session=session,
            width=width,
            height=900,
            deviceScaleFactor=1,
            mobile=False,
        )
        if not scripts:
            self.call("Emulation.setScriptExecutionDisabled", session=session, value=True)
        self.call("Page.navigate", session=session, url=url)
        deadline = time.monotonic() + 60
        while not any(e.get("method") == "Page.loadEventFired" and e.get("sessionId") == session for e in self.events):
            self.events.append(self._receive(deadline))
        if scripts:
            self.call(
                "Runtime.evaluate",
                session=session,
                awaitPromise=True,
                expression="new Promise(done => setTimeout(done, 300))",
            )  # late errors, too
        else:  # no timer runs in the page
            time.sleep(0.3)
        return session

    def problems(self, session: str) -> list[str]:
        """Console errors, uncaught exceptions, error log entries (CSP, failed loads) and
        requests for anything but file:, data: and about: URLs, in the order they happened."""
        found = []
        for event in (e for e in self.events if e.get("sessionId") == session):
            method, params = event["method"], event.get("params", {})
            if method == "Runtime.exceptionThrown":
                details = params["exceptionDetails"]
                found.append(f"uncaught: {details.get('exception', {}).get('description') or details['text']}")
            elif method == "Runtime.consoleAPICalled" and params["type"] in ("error", "assert"):
                found.append("console.error: " + " ".join(str(arg.get("value", "")) for arg in params["args"]))
            elif method == "Log.entryAdded" and params["entry"]["level"] == "error":
                found.append(f"log: {params['entry']['text']}")
            elif method == "Network.requestWillBeSent" and not params["request"]["url"].startswith(
                ("file:", "data:", "about:")
            ):
                found.append(f"request: {params['request']['url']}")
        return found

    def text(self, session: str) -> str:
        return self.evaluate(session, "document.body.innerText")

    def fonts(self, session: str, selector: str) -> list[dict]:
        """The platform fonts that rendered the first node matching ``selector``."""
        root = self.call("DOM.getDocument", session=session)["root"]["nodeId"]
        node = self.call("DOM.querySelector", session=session, nodeId=root, selector=selector)["nodeId"]
        return self.call("CSS.getPlatformFontsForNode", session=session, nodeId=node)["fonts"]

    def evaluate(self, session: str, expression: str):
        """The value of a JavaScript expression in the page."""
        return self.call("Runtime.evaluate", session=session, expression=expression, returnByValue=True)["result"].get(
            "value"
        )

    def screenshot(
        self, session: str, path: Path, width: int = 1280, *, top: float = 0, height: float | None = None
    ) -> Path:
        """The whole page as PNG, or the ``height`` pixels from ``top`` when given."""
        full = self.call("Page.getLayoutMetrics", session=session)["cssContentSize"]["height"] - top
        height = full if height is None else min(height, full)
        data = self.call(
            "Page.captureScreenshot",
            session=session,
            format="png",
            captureBeyondViewport=True,
            clip={"x": 0, "y": top, "width": width, "height": height, "scale": 1},
        )["data"]
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(base64.b64decode(data))
        return path

    def close(self) -> None:
        with contextlib.suppress(OSError, RuntimeError, TimeoutError, ConnectionError):
            self.call("Browser.close", timeout=10)
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        os.close(self._commands)
        os.close(self._replies)
