"""Headless Chromium driven over the Chrome DevTools Protocol on a pipe.

``--remote-debugging-pipe`` makes Chromium read protocol commands from file
descriptor 3 and write responses and events to descriptor 4, each message
JSON ended by a NUL byte. That needs no driver, no port and no Python
package, and works with whatever Chromium the machine has (Debian's
``/usr/bin/chromium`` here). Used by tests/test_html_browser.py and
scripts/screenshots.py.

Never fetches anything: the flags below turn off Chromium's own background
traffic, and every host name resolves to nothing, so a page that tried to
load something from a network would fail loudly instead.
"""

from __future__ import annotations

import base64
import contextlib
import fcntl
import json
import os
import queue
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from hipaa_scan.reporting.pdf import BROWSER_FLAGS

# The product's own flags (no network: any fetch the page attempted would fail
# loudly), and no scroll bars in screenshots.
FLAGS = [*BROWSER_FLAGS, "--hide-scrollbars"]

# Records every Content-Security-Policy violation of the page. Injected by
# the protocol, which Content-Security-Policy does not govern.
CSP_RECORDER = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__cspViolations.push(e.violatedDirective + " " + (e.blockedURI || "inline"));
});
"""


def find_chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")


class ProtocolError(RuntimeError):
    pass


class Chromium:
    """One headless browser with one page, driven synchronously."""

    def __init__(self, executable: str, *, width: int = 1280, height: int = 900, timeout: float = 60) -> None:
        self.timeout = timeout
        self.events: list[dict[str, Any]] = []
        self._profile = tempfile.mkdtemp(prefix="hipaa-scan-chromium-")
        self._log = tempfile.TemporaryFile()  # noqa: SIM115 (closed in close())
        commands_r, commands_w = os.pipe()
        events_r, events_w = os.pipe()
        # Out of the way of 3 and 4, which the child gets them as.
        high_r = fcntl.fcntl(commands_r, fcntl.F_DUPFD_CLOEXEC, 10)
        high_w = fcntl.fcntl(events_w, fcntl.F_DUPFD_CLOEXEC, 10)
        os.close(commands_r)
        os.close(events_w)

        def child() -> None:
            os.dup2(high_r, 3)
            os.dup2(high_w, 4)

        flags = [
            *FLAGS,
            "--remote-debugging-pipe",
            f"--user-data-dir={self._profile}",
            f"--window-size={width},{height}",
        ]
        if os.geteuid() == 0:
            flags.append("--no-sandbox")  # Chromium refuses to run as root with its sandbox
        self.process = subprocess.Popen(
            [executable, *flags, "about:blank"],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=self._log,
            preexec_fn=child,  # before any thread of ours starts
            close_fds=False,
            start_new_session=True,
        )
        os.close(high_r)
        os.close(high_w)
        self._write = commands_w
        self._read = events_r
        self._messages: queue.Queue[dict[str, Any] | None] = queue.Queue()
        self._reader = threading.Thread(target=self._pump, daemon=True)
        self._reader.start()
        self._next_id = 0
        self.session: str | None = None
        target = self.send("Target.createTarget", {"url": "about:blank"}, browser=True)["targetId"]
        self.session = self.send("Target.attachToTarget", {"targetId": target, "flatten": True}, browser=True)[
            "sessionId"
        ]
        for domain in ("Page", "Runtime", "Log"):
            self.send(f"{domain}.enable")
        self.send("Page.addScriptToEvaluateOnNewDocument", {"source": CSP_RECORDER})
        self.resize(width, height)

    # The protocol

    def _pump(self) -> None:
        buffer = bytearray()
        while chunk := os.read(self._read, 1 << 16):
            buffer += chunk
            while (end := buffer.find(b"\0")) >= 0:
                self._messages.put(json.loads(bytes(buffer[:end])))
                del buffer[: end + 1]
        self._messages.put(None)

    def send(self, method: str, params: dict[str, Any] | None = None, *, browser: bool = False) -> dict[str, Any]:
        self._next_id += 1
        message: dict[str, Any] = {"id": self._next_id, "method": method, "params": params or {}}
        if self.session and not browser:
            message["sessionId"] = self.session
        data = json.dumps(message).encode("utf-8") + b"\0"
        while data:
            data = data[os.write(self._write, data) :]
        deadline = time.monotonic() + self.timeout
        while True:
            reply = self._receive(deadline, method)
            if reply.get("id") == self._next_id:
                if "error" in reply:
                    raise ProtocolError(f"{method}: {reply['error']}")
                result: dict[str, Any] = reply.get("result", {})
                return result
            self.events.append(reply)

    def _receive(self, deadline: float, waiting_for: str) -> dict[str, Any]:
        try:
            message = self._messages.get(timeout=max(0.0, deadline - time.monotonic()))
        except queue.Empty:
            raise ProtocolError(f"no answer to {waiting_for} within {self.timeout} s") from None
        if message is None:
            raise ProtocolError(f"Chromium exited while waiting for {waiting_for}: {self.stderr()[-2000:]}")
        return message

    def wait_for(self, event: str, *, since: int = 0) -> dict[str, Any]:
        """The first ``event`` at or after position ``since`` of the events."""
        deadline = time.monotonic() + self.timeout
        while True:
            for message in self.events[since:]:
                if message.get("method") == event:
                    return message
            since = len(self.events)
            self.events.append(self._receive(deadline, event))

    # The page

    def resize(self, width: int, height: int) -> None:
        self.send(
            "Emulation.setDeviceMetricsOverride",
            {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False},
        )

    def open(self, url: str) -> None:
        """Load ``url`` afresh and wait for its load event (by way of a blank
        page, since going to another fragment of the page already shown
        would load nothing)."""
        for address in ("about:blank", url):
            mark = len(self.events)
            self.send("Page.navigate", {"url": address})
            self.wait_for("Page.loadEventFired", since=mark)

    def evaluate(self, expression: str, *, await_promise: bool = False) -> Any:
        result = self.send(
            "Runtime.evaluate",
            {"expression": expression, "returnByValue": True, "awaitPromise": await_promise},
        )
        if "exceptionDetails" in result:
            details = result["exceptionDetails"]
            raise ProtocolError(f"{expression[:80]!r}: {details.get('exception', {}).get('description', details)}")
        return result["result"].get("value")

    def screenshot(self, path: Path) -> None:
        data = self.send("Page.captureScreenshot", {"format": "png"})["data"]
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(base64.b64decode(data))

    def emulate_print(self, on: bool = True) -> None:
        self.send("Emulation.setEmulatedMedia", {"media": "print" if on else ""})

    def problems(self) -> list[str]:
        """Console errors and warnings, uncaught exceptions and browser log
        errors (a blocked script or style is one) seen so far."""
        found = []
        for event in self.events:
            method, params = event.get("method"), event.get("params", {})
            if method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "warning", "assert"):
                found.append(f"console.{params['type']}: {[a.get('value') for a in params.get('args', [])]}")
            elif method == "Runtime.exceptionThrown":
                found.append(f"exception: {params.get('exceptionDetails', {})}")
            elif method == "Log.entryAdded" and params.get("entry", {}).get("level") in ("error", "warning"):
                found.append(f"log: {params['entry'].get('text')} {params['entry'].get('url', '')}")
        return found

    def stderr(self) -> str:
        self._log.seek(0)
        return self._log.read().decode("utf-8", "replace")

    def close(self) -> None:
        with contextlib.suppress(ProtocolError, OSError):
            self.send("Browser.close", browser=True)
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
        self._reader.join(timeout=5)
        for fd in (self._write, self._read):
            with contextlib.suppress(OSError):
                os.close(fd)
        self._log.close()
        shutil.rmtree(self._profile, ignore_errors=True)

    def __enter__(self) -> Chromium:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()
