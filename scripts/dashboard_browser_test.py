"""Drives headless Chromium against a realtime dashboard server and checks that the page shows the store's state.

    python dashboard_browser_test.py SCREENSHOT.png -- COMMAND...

COMMAND starts a dashboard (the Python or Go example with --serve); its first output line is
"serving http://127.0.0.1:PORT/". Chromium is driven through the DevTools protocol over a pipe
(--remote-debugging-pipe: JSON messages ending in NUL on file descriptors 3 and 4), standard library only.
While the sources update, the page's numbers (values, update counts, points kept, alerts) are read several
times and compared with the store's state at the version the page shows (GET /state?version=N); after the
sources stop, with the final state. A screenshot of the live page is saved. Exits 1 on any mismatch."""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request

READ_PAGE = """(() => {
  const pick = (cls) => Object.fromEntries([...document.querySelectorAll('.' + cls)].map(e => [e.dataset.source, e.textContent]));
  return JSON.stringify({version: Number(document.getElementById('version').textContent),
    status: document.getElementById('status').textContent, values: pick('value'), updates: pick('updates'),
    points: pick('points'), alerts: [...document.querySelectorAll('#alerts li')].map(e => e.textContent)});
})()"""


class Browser:
    """Headless Chromium with the DevTools protocol on a pipe."""

    def __init__(self) -> None:
        binary = shutil.which("chromium") or shutil.which("chromium-browser")
        if not binary:
            raise SystemExit("dashboard_browser_test: chromium is not installed (scripts/setup.sh installs it)")
        self.profile = tempfile.mkdtemp(prefix="agstate-chromium-")
        to_browser_r, self.to_browser = os.pipe()
        self.from_browser, from_browser_w = os.pipe()

        def wire_fds() -> None:  # in the child: the browser reads fd 3 and writes fd 4
            os.dup2(to_browser_r, 3)
            os.dup2(from_browser_w, 4)

        self.process = subprocess.Popen(
            [binary, "--headless", "--no-sandbox", "--disable-gpu", "--remote-debugging-pipe",
             "--user-data-dir=" + self.profile, "--window-size=1200,700", "--no-first-run", "about:blank"],
            preexec_fn=wire_fds, pass_fds=(3, 4),  # kept open after wire_fds ran stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL)
        os.close(to_browser_r)
        os.close(from_browser_w)
        self.next_id = 0
        self.buffer = b""
        self.session = None

    def call(self, method: str, params: dict = None, session: bool = True) -> dict:
        self.next_id += 1
        message = {"id": self.next_id, "method": method, "params": params or {}}
        if session and self.session:
            message["sessionId"] = self.session
        os.write(self.to_browser, json.dumps(message).encode() + b"\0")
        while True:
            while b"\0" not in self.buffer:
                chunk = os.read(self.from_browser, 1 << 20)
                if not chunk:
                    raise RuntimeError("chromium closed the DevTools pipe")
                self.buffer += chunk
            raw, self.buffer = self.buffer.split(b"\0", 1)
            reply = json.loads(raw)
            if reply.get("id") == self.next_id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply.get("result", {})

    def open(self, url: str) -> None:
        target = self.call("Target.createTarget", {"url": url}, session=False)["targetId"]
        self.session = self.call("Target.attachToTarget", {"targetId": target, "flatten": True},
                                 session=False)["sessionId"]

    def evaluate(self, expression: str):
        result = self.call("Runtime.evaluate", {"expression": expression, "returnByValue": True})
        return result["result"].get("value")

    def screenshot(self, path: str) -> None:
        import base64

        data = self.call("Page.captureScreenshot", {"format": "png"})["data"]
        with open(path, "wb") as out:
            out.write(base64.b64decode(data))

    def close(self) -> None:
        try:
            self.call("Browser.close", session=False)
        except Exception:
            pass
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
        shutil.rmtree(self.profile, ignore_errors=True)


def expected_view(state: dict) -> dict:
    """What the page must show for a state."""
    return {"values": {name: f"{s['value']:.1f}" for name, s in state["sources"].items()},
            "updates": {name: str(s["updates"]) for name, s in state["sources"].items()},
            "points": {name: str(len(points)) for name, points in state["series"].items()},
            "alerts": [alert["message"] for alert in reversed(state["alerts"])]}


def main() -> int:
    separator = sys.argv.index("--")
    screenshot, command = sys.argv[1], sys.argv[separator + 1:]
    server = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    browser = None
    failures = 0
    try:
        line = server.stdout.readline()
        if not line.startswith("serving "):
            print(f"dashboard_browser_test: the server said {line!r}")
            return 1
        url = line.split()[1]
        browser = Browser()
        browser.open(url)
        compared = 0
        shot = False
        deadline = time.monotonic() + 20
        stopped = False
        while time.monotonic() < deadline:
            time.sleep(0.4)
            view = json.loads(browser.evaluate(READ_PAGE) or "{}")
            if not view.get("version"):
                continue
            with urllib.request.urlopen(f"{url}state?version={view['version']}") as reply:
                state = json.load(reply)["state"]
            want = expected_view(state)
            got = {key: view[key] for key in want}
            if got != want:
                print(f"FAIL  at v{view['version']} the page shows {got}\n      the store has {want}")
                failures += 1
            compared += 1
            if not shot and compared >= 3 and view["alerts"]:
                os.makedirs(os.path.dirname(os.path.abspath(screenshot)), exist_ok=True)
                browser.screenshot(screenshot)
                shot = True
            if stopped:
                break
            # The server prints "sources stopped" when its sources end; then one last comparison.
            if server.poll() is None and _line_ready(server):
                stopped = server.stdout.readline().strip() == "sources stopped"
                time.sleep(0.5)
        with urllib.request.urlopen(url + "state") as reply:
            final = json.load(reply)
        view = json.loads(browser.evaluate(READ_PAGE))
        ok = view["version"] == final["version"] and {k: view[k] for k in ("values", "updates", "points", "alerts")} \
            == expected_view(final["state"])
        print(("ok    " if ok else "FAIL  ") + f"the page shows the final state v{final['version']} after the sources stopped")
        failures += 0 if ok else 1
        ok = compared >= 3 and failures == 0
        print(("ok    " if ok else "FAIL  ") + f"the live page matched the store's state at the version it showed,"
              f" {compared} times while the sources updated")
        failures += 0 if compared >= 3 else 1
        print(("ok    " if shot else "FAIL  ") + f"screenshot of the live page saved to {screenshot}")
        failures += 0 if shot else 1
    finally:
        if browser:
            browser.close()
        server.terminate()
        server.wait(10)
    return 1 if failures else 0


def _line_ready(process: subprocess.Popen) -> bool:
    import select

    return bool(select.select([process.stdout], [], [], 0)[0])


if __name__ == "__main__":
    sys.exit(main())
