#!/usr/bin/env bash
# Every test: the Rust workspace (`cargo test --release`), then the Python package built by
# maturin with the same target folder and release profile (so no dependency compiles twice)
# and tested with pytest in a virtual environment ($EVSTUDY_VENV, default .venv).
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$PWD/target}"
export EVSTUDY_SHARED="${EVSTUDY_SHARED:-$(cd .. && pwd)/shared}"
VENV="${EVSTUDY_VENV:-$PWD/.venv}"

cargo test --release

# Versions known to work together (the package itself asks only for polars >= 1.0).
[ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check \
  maturin==1.16.0 pytest==9.2.0 polars==2.1.0 pandas==3.1.1 pyarrow==26.0.1

WHEELS="$CARGO_TARGET_DIR/wheels"
rm -rf "$WHEELS"
"$VENV/bin/maturin" build --release --manifest-path crates/evstudy-py/Cargo.toml \
  --interpreter "$VENV/bin/python" --out "$WHEELS"
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --force-reinstall \
  --no-deps "$WHEELS"/evstudy-*.whl
# From another folder, so `import evstudy` finds the installed wheel, not the source tree.
(cd crates/evstudy-py/tests && "$VENV/bin/python" -m pytest -q -p no:cacheprovider .)
