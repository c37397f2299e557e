"""Event studies from Python: abnormal returns, CARs and the standard test battery.

The computations are those of the ``evstudy`` command line (the same Rust library); tables
come back as polars DataFrames (pyarrow tables on request).

Example::

    import evstudy as es
    import polars as pl

    study = es.Study(market="^GSPC", model="market_model",
                     estimation=(-250, -11), windows=[(-1, 1), (0, 5)])
    res = study.run(prices=pl.read_csv("prices.csv"), events=pl.read_csv("events.csv"))
    print(res.headline)
    res.write("out/study", formats=["csv", "parquet"])
    res.report("out/study")
"""

from __future__ import annotations

import json
import os
from typing import Any, Iterable, Literal, Mapping, Optional, Sequence, Tuple, Union

import polars as pl

from ._evstudy import EvstudyError, __version__, StudySpec as _StudySpec

__all__ = ["Study", "Result", "Backtest", "EvstudyError", "__version__"]

Window = Union[str, Tuple[int, int]]
Input = Any  # a path, or a polars / pandas DataFrame or pyarrow Table

# Python names for study-file keys whose own names are long.
_ALIASES = {"estimation": "estimation_window", "windows": "event_windows"}


def _window(w: Window) -> str:
    if isinstance(w, str):
        return w
    a, b = w
    return f"{int(a)}:{int(b)}"


def _settings(keys: Mapping[str, Any]) -> dict:
    out = {}
    for key, value in keys.items():
        key = _ALIASES.get(key, key)
        if value is None:
            continue
        if key == "estimation_window":
            value = _window(value)
        elif key == "event_windows":
            value = [_window(w) for w in value]
        elif key == "prices" and not isinstance(value, (list, tuple)):
            value = [value if isinstance(value, Mapping) else {"path": value}]
        out[key] = _plain(value)
    return out


def _plain(value: Any) -> Any:
    """Values as JSON can carry them (paths as text, tuples as lists)."""
    if isinstance(value, os.PathLike):
        return os.fspath(value)
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def _table(obj: Input) -> Input:
    """An input as the extension takes it: a path, or an object with ``__arrow_c_stream__``."""
    if obj is None or isinstance(obj, (str, os.PathLike)):
        return obj
    if hasattr(obj, "__arrow_c_stream__"):
        return obj
    if type(obj).__module__.startswith("pandas"):
        return pl.from_pandas(obj)
    raise EvstudyError(
        f"expected a path or a table (polars, pandas or pyarrow), got {type(obj).__name__}"
    )


class Result:
    """The tables of a run, by name, as polars DataFrames.

    ``res.tables`` maps every table the run wrote (``abnormal_returns``, ``cars``,
    ``model_fits``, ``aggregate``, ``tests``, ``exclusions``, ``day0_mapping``, ``headline``,
    ``events``, ``securities`` and any optional table the settings asked for) to its frame;
    the fixed ones are also properties. ``res.table(name, to="pyarrow")`` gives a pyarrow
    table.

    Example::

        res = es.Study.from_toml("datasets/demo/study.toml").run()
        res.headline.select("group", "window", "mean_car", "p_value")
        res.write("out/demo", formats=["parquet"])
    """

    def __init__(self, outcome: Any) -> None:
        self._outcome = outcome
        self._cache: dict = {}

    @property
    def title(self) -> str:
        """The study's title."""
        return self._outcome.title

    @property
    def table_names(self) -> list:
        """Names of the run's tables, in file order."""
        return list(self._outcome.table_names())

    @property
    def tables(self) -> dict:
        """Every table of the run, name → polars DataFrame."""
        return {name: self.table(name) for name in self.table_names}

    def table(self, name: str, to: Literal["polars", "pyarrow", "pandas"] = "polars") -> Any:
        """One table: a polars DataFrame, or with ``to="pyarrow"``/``"pandas"`` that type."""
        if to == "pyarrow":
            import pyarrow as pa

            return pa.table(self._outcome.table(name))
        if name not in self._cache:
            self._cache[name] = pl.DataFrame(self._outcome.table(name))
        frame = self._cache[name]
        if to == "pandas":
            return frame.to_pandas()
        if to != "polars":
            raise ValueError(f"to must be 'polars', 'pyarrow' or 'pandas', not {to!r}")
        return frame

    def __getattr__(self, name: str) -> Any:
        # Any table by its name (`res.car_regression`), and `res.<name>_arrow()`.
        if name.startswith("_"):
            raise AttributeError(name)
        names = self._outcome.table_names()
        if name in names:
            return self.table(name)
        if name.endswith("_arrow") and name[: -len("_arrow")] in names:
            return lambda: self.table(name[: -len("_arrow")], to="pyarrow")
        raise AttributeError(f"{type(self).__name__} has no table {name!r} (tables: {', '.join(names)})")

    def __dir__(self) -> Iterable[str]:
        return list(super().__dir__()) + list(self._outcome.table_names())

    # The fixed tables of every study, as properties (for completion and type checkers).
    @property
    def abnormal_returns(self) -> pl.DataFrame:
        """Table ``abnormal_returns``: one row per security × event × event day."""
        return self.table("abnormal_returns")

    @property
    def cars(self) -> pl.DataFrame:
        """Table ``cars``: cumulative (and buy-and-hold) abnormal returns per window."""
        return self.table("cars")

    @property
    def model_fits(self) -> pl.DataFrame:
        """Table ``model_fits``: the normal-return model of each pair."""
        return self.table("model_fits")

    @property
    def aggregate(self) -> pl.DataFrame:
        """Table ``aggregate``: mean and median CARs by group and window."""
        return self.table("aggregate")

    @property
    def tests(self) -> pl.DataFrame:
        """Table ``tests``: the test battery."""
        return self.table("tests")

    @property
    def exclusions(self) -> pl.DataFrame:
        """Table ``exclusions``: what was not analysed, and why."""
        return self.table("exclusions")

    @property
    def day0_mapping(self) -> pl.DataFrame:
        """Table ``day0_mapping``: each event's day 0 per security."""
        return self.table("day0_mapping")

    @property
    def headline(self) -> pl.DataFrame:
        """Table ``headline``: one row per group × event window."""
        return self.table("headline")

    @property
    def run_info(self) -> dict:
        """``run.json`` of the run: settings as resolved, counts, warnings."""
        return json.loads(self._outcome.run_info_json())

    def write(self, dir: Union[str, os.PathLike], formats: Sequence[str] = ("csv", "parquet")) -> list:
        """Writes the tables, ``run.json`` (and a study's LaTeX tables) into ``dir``, replacing
        the folder as ``evstudy run`` does; returns the paths written."""
        return [str(p) for p in self._outcome.write(os.fspath(dir), list(formats))]

    def report(self, dir: Union[str, os.PathLike]) -> str:
        """Writes the report (``report.html``, ``report.md``, charts) into ``dir``; returns
        the path of ``report.html``."""
        self._outcome.report(os.fspath(dir))
        return os.path.join(os.fspath(dir), "report.html")

    def __repr__(self) -> str:
        return f"<evstudy.Result {self.title!r}: {', '.join(self.table_names)}>"


class Study:
    """An event study, set up with the keys of a study file.

    Keyword arguments are study-file keys (``model``, ``market``, ``returns``,
    ``aggregate_by``, ``groups``, ``securities``, ``[[differences]]`` as a list of dicts, …);
    ``estimation`` and ``windows`` stand for ``estimation_window`` and ``event_windows`` and
    take ``(a, b)`` pairs or ``"a:b"`` text. Relative paths are relative to the working folder.
    An unknown key or a bad value raises :class:`EvstudyError` naming it.

    Example::

        study = es.Study(market="^GSPC", model="market_model",
                         estimation=(-250, -11), windows=[(-1, 1), (0, 5)])
        res = study.run(prices="prices.csv", events=events_frame)
        res.cars.filter(pl.col("window") == "0:5")
    """

    def __init__(self, **keys: Any) -> None:
        self._spec = _StudySpec.from_json(json.dumps(_settings(keys)))

    @classmethod
    def from_toml(cls, path: Union[str, os.PathLike]) -> "Study":
        """The study of a study file (relative paths in it resolve from its folder)."""
        study = cls.__new__(cls)
        study._spec = _StudySpec.from_toml(os.fspath(path))
        return study

    @property
    def settings(self) -> dict:
        """Every setting, defaults filled in, as the study file's keys."""
        return json.loads(self._spec.to_json())

    def run(self, prices: Input = None, events: Input = None, securities: Input = None) -> Result:
        """Runs the study. ``prices``, ``events`` and ``securities`` (each a path, or a polars
        or pandas DataFrame or pyarrow Table with the columns of the corresponding file)
        replace the study file's; the prices table keeps the study file's column settings.
        The interpreter's lock is released while the study runs."""
        return Result(self._spec.run(_table(prices), _table(events), _table(securities)))

    def backtest(self, prices: Input = None, events: Input = None, securities: Input = None) -> "Result":
        """Runs the study and its ``[backtest]``; the result's tables are the ``bt_*`` tables."""
        return Result(self._spec.backtest(_table(prices), _table(events), _table(securities)))

    def __repr__(self) -> str:
        s = self.settings
        return f"<evstudy.Study {s.get('title')!r} model={s.get('model')!r}>"


class Backtest(Study):
    """A study run as a backtest: ``Backtest(...).run()`` is ``Study(...).backtest()``.

    Example::

        bt = es.Backtest.from_toml("datasets/china-ai-chips/backtest.toml").run()
        bt.tables["bt_metrics"]
    """

    def run(self, prices: Input = None, events: Input = None, securities: Input = None) -> Result:
        """Runs the study and its ``[backtest]``."""
        return self.backtest(prices, events, securities)
