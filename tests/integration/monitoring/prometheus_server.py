"""A real Prometheus (Debian's package) on a free loopback port, for the monitoring tests.

Like iombot.testing.redis_server: started in the foreground with its data in a temporary folder,
scraping what the test names, queried over its HTTP API. Standard library only.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from iombot.testing.loopback import free_port


class PrometheusError(RuntimeError):
    pass


class PrometheusServer:
    """`prometheus` scraping `targets` (host:port) as job `job`, every `interval` seconds, and
    evaluating the rule files given (absolute paths) as often."""

    def __init__(
        self,
        targets: list[str],
        rule_files: Sequence[Path | str] = (),
        job: str = "iombot",
        interval: str = "1s",
        port: int | None = None,
    ):
        executable = shutil.which("prometheus")
        if executable is None:
            raise RuntimeError("prometheus is not installed (Debian: apt-get install prometheus)")
        self.executable = executable
        self.port = port or free_port()
        self.folder = Path(tempfile.mkdtemp(prefix="iombot-prometheus-"))
        self.config = self.folder / "prometheus.yml"
        # JSON is YAML: no YAML library needed to write the config.
        config = {
            "global": {"scrape_interval": interval, "evaluation_interval": interval},
            "rule_files": [str(Path(path).resolve()) for path in rule_files],
            "scrape_configs": [
                {
                    "job_name": job,
                    "metrics_path": "/metrics",
                    "scrape_timeout": interval,
                    "static_configs": [{"targets": list(targets)}],
                }
            ],
        }
        self.config.write_text(json.dumps(config, indent=2), encoding="utf-8")
        self.log = self.folder / "prometheus.log"
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 30) -> PrometheusServer:
        args = [
            self.executable,
            f"--config.file={self.config}",
            f"--storage.tsdb.path={self.folder / 'data'}",
            f"--web.listen-address=127.0.0.1:{self.port}",
        ]
        with self.log.open("wb") as log:
            self.process = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"prometheus exited with {self.process.returncode}:\n{self.log_text()}"
                )
            try:
                with urllib.request.urlopen(f"{self.url}/-/ready", timeout=1) as response:
                    if response.status == 200:
                        return self
            except OSError:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"prometheus did not become ready:\n{self.log_text()}")

    def log_text(self) -> str:
        return self.log.read_text(errors="replace")[-4000:] if self.log.exists() else ""

    # --- the HTTP API ---------------------------------------------------------------------------

    def api(self, path: str, **params: Any) -> Any:
        """GET /api/v1/<path>; the `data` of a success, PrometheusError (with Prometheus' own
        message) otherwise."""
        query = urllib.parse.urlencode(params, doseq=True)
        try:
            with urllib.request.urlopen(f"{self.url}/api/v1/{path}?{query}", timeout=10) as r:
                body = json.loads(r.read())
        except urllib.error.HTTPError as error:
            body = json.loads(error.read() or b"{}")
        if body.get("status") != "success":
            raise PrometheusError(f"{path} {params}: {body.get('errorType')}: {body.get('error')}")
        return body["data"]

    def query(self, expr: str) -> list[dict]:
        """An instant query now: the result's series (or a one-item list for a scalar)."""
        data = self.api("query", query=expr)
        return data["result"] if data["resultType"] in ("vector", "matrix") else [data]

    def series(self, selector: str) -> list[dict]:
        return self.api("series", **{"match[]": selector})

    def targets(self) -> list[dict]:
        return self.api("targets")["activeTargets"]

    def rules(self) -> list[dict]:
        return [rule for group in self.api("rules")["groups"] for rule in group["rules"]]

    def wait_for_scrapes(self, count: int = 2, timeout: float = 30) -> None:
        """Return after every target has been scraped successfully `count` more times."""
        deadline = time.monotonic() + timeout
        for _ in range(count):
            before = {t["scrapeUrl"]: t["lastScrape"] for t in self.targets()}
            while True:
                now = self.targets()
                if now and all(
                    t["lastScrape"] != before.get(t["scrapeUrl"]) and t["health"] == "up"
                    for t in now
                ):
                    break
                if time.monotonic() > deadline:
                    raise TimeoutError(f"targets not scraped {count} more times: {now}")
                time.sleep(0.1)

    # --- stopping -------------------------------------------------------------------------------

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)
        self.process = None

    def close(self) -> None:
        self.stop()
        shutil.rmtree(self.folder, ignore_errors=True)

    def __enter__(self) -> PrometheusServer:
        try:
            return self.start()
        except BaseException:
            self.close()
            raise

    def __exit__(self, *exc: object) -> None:
        self.close()
