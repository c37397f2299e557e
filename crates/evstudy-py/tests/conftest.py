"""Shared fixtures: the repository, the command-line binary built by cargo, the demo inputs."""

import os
import subprocess
from pathlib import Path

import polars as pl
import pytest

REPO = Path(__file__).resolve().parents[3]
DEMO = REPO / "datasets" / "demo" / "study.toml"


def cli_binary() -> Path:
    target = Path(os.environ.get("CARGO_TARGET_DIR", REPO / "target"))
    return target / "release" / "evstudy"


@pytest.fixture(scope="session")
def cli():
    """Runs the `evstudy` binary built by `cargo test --release`."""
    exe = cli_binary()
    if not exe.exists():
        pytest.fail(f"{exe} is missing: run `cargo test --release` first (scripts/test-all.sh)")

    def run(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([str(exe), *args], cwd=REPO, capture_output=True, text=True, check=True)

    return run


@pytest.fixture(scope="session")
def demo_frames():
    """The demo's prices, events and securities as polars frames (text as written)."""
    events = pl.read_csv(REPO / "datasets" / "events" / "china_ai_chips.csv", infer_schema=False)
    securities = pl.read_csv(REPO / "datasets" / "demo" / "securities.csv", infer_schema=False)
    prices = pl.read_csv(
        REPO / "datasets" / "demo" / "prices.csv",
        schema={"date": pl.Date, "ticker": pl.String, "close": pl.Float64},
    )
    return {"prices": prices, "events": events, "securities": securities}
