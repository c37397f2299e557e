"""The Python package against the command line: same study, same tables, same errors."""

from pathlib import Path

import pandas as pd
import polars as pl
import pyarrow as pa
import pytest

import evstudy as es
from conftest import DEMO, REPO


@pytest.fixture(scope="module")
def demo_result():
    return es.Study.from_toml(DEMO).run()


def table_files(folder: Path) -> dict:
    return {
        p.name: p.read_bytes()
        for p in sorted(folder.iterdir())
        if p.suffix in (".csv", ".parquet", ".tex")
    }


def test_demo_tables_equal_the_command_line_byte_for_byte(cli, demo_result, tmp_path):
    cli("run", "--config", str(DEMO), "--out", str(tmp_path / "cli"), "--no-report")
    written = demo_result.write(tmp_path / "py", formats=["csv", "parquet"])
    ours, theirs = table_files(tmp_path / "py"), table_files(tmp_path / "cli")
    assert sorted(ours) == sorted(theirs)
    assert len(ours) >= 2 * 10 + 1  # ten tables, two formats, headline.tex
    for name in theirs:
        assert ours[name] == theirs[name], name
    assert str(tmp_path / "py" / "cars.csv") in written


def test_tables_are_every_table_the_run_writes(demo_result, tmp_path):
    names = demo_result.table_names
    demo_result.write(tmp_path / "w", formats=["csv"])
    files = {p.stem for p in (tmp_path / "w").glob("*.csv")}
    assert set(names) == files
    assert list(demo_result.tables) == names
    for name in ("abnormal_returns", "cars", "model_fits", "aggregate", "tests", "exclusions",
                 "day0_mapping", "headline", "events", "securities"):
        assert name in names
        frame = getattr(demo_result, name)
        assert isinstance(frame, pl.DataFrame)
        csv = pl.read_csv(tmp_path / "w" / f"{name}.csv", infer_schema=False)
        assert frame.columns == csv.columns
        assert frame.height == csv.height


def test_frames_equal_the_parquet_files(demo_result, tmp_path):
    demo_result.write(tmp_path, formats=["parquet"])
    for name, frame in demo_result.tables.items():
        assert frame.equals(pl.read_parquet(tmp_path / f"{name}.parquet")), name


def test_pyarrow_and_pandas_outputs(demo_result):
    cars = demo_result.cars_arrow()
    assert isinstance(cars, pa.Table)
    assert pl.from_arrow(cars).equals(demo_result.cars)
    tests = demo_result.table("tests", to="pandas")
    assert isinstance(tests, pd.DataFrame)
    assert len(tests) == demo_result.tests.height


def test_in_memory_inputs_give_the_tables_of_the_files(demo_result, demo_frames):
    res = es.Study.from_toml(DEMO).run(**demo_frames)
    for name in demo_result.table_names:
        if name == "events":
            continue  # names its source file
        assert res.table(name).equals(demo_result.table(name)), name


def test_polars_pandas_and_pyarrow_inputs_give_identical_results(demo_frames):
    study = es.Study.from_toml(DEMO)
    by_polars = study.run(**demo_frames)
    by_pandas = study.run(**{k: v.to_pandas() for k, v in demo_frames.items()})
    by_arrow = study.run(**{k: v.to_arrow() for k, v in demo_frames.items()})
    for name in by_polars.table_names:
        assert by_pandas.table(name).equals(by_polars.table(name)), name
        assert by_arrow.table(name).equals(by_polars.table(name)), name


def test_keyword_settings_read_like_the_study_file(demo_frames):
    groups = {"us_chips": ["NVDA", "AMD"], "china_ai_chips": ["688256.SS", "688981.SS"]}
    study = es.Study(
        market="000300.SS", model="market_model", estimation=(-250, -11),
        windows=[(-1, 1), (0, 5)], aggregate_by=["group"], groups=groups,
    )
    assert study.settings["estimation_window"] == "-250:-11"
    assert study.settings["event_windows"] == ["-1:1", "0:5"]
    res = study.run(**demo_frames)
    assert set(res.headline["window"].unique()) == {"-1:1", "0:5"}
    assert res.cars.height > 0


def test_report_is_written(demo_result, tmp_path):
    path = demo_result.report(tmp_path)
    assert Path(path).read_text().startswith("<!DOCTYPE html>")
    assert (tmp_path / "report.md").exists()


def test_backtest_tables_equal_the_command_line(cli, tmp_path):
    cli("backtest", "--config", str(DEMO), "--out", str(tmp_path / "cli"), "--format", "csv")
    res = es.Backtest.from_toml(DEMO).run()
    assert all(n.startswith("bt_") for n in res.table_names)
    res.write(tmp_path / "py", formats=["csv"])
    ours, theirs = table_files(tmp_path / "py"), table_files(tmp_path / "cli")
    assert sorted(ours) == sorted(theirs)
    for name in theirs:
        assert ours[name] == theirs[name], name


def test_a_bad_event_date_names_table_row_and_column(demo_frames):
    events = pl.DataFrame({"event_id": ["E1", "E2"], "ticker": ["NVDA", "AMD"],
                           "date": ["2024-03-01", "2025-02-30"]})
    with pytest.raises(es.EvstudyError) as err:
        es.Study.from_toml(DEMO).run(events=events)
    assert str(err.value) == (
        "events (in-memory table): row 3, column 'date': '2025-02-30' is not a valid date YYYY-MM-DD"
    )
    assert isinstance(err.value, ValueError)


def test_a_bad_event_file_gives_the_command_lines_message(cli, tmp_path):
    bad = REPO / "crates" / "evstudy-cli" / "tests" / "bad_inputs" / "events_impossible_date" / "events.csv"
    with pytest.raises(es.EvstudyError) as err:
        es.Study.from_toml(DEMO).run(events=bad)
    assert str(err.value) == f"{bad}: row 3, column 'date': '2025-02-30' is not a valid date YYYY-MM-DD"


def test_unknown_setting_is_rejected():
    with pytest.raises(es.EvstudyError, match="unknown field `windowz`"):
        es.Study(market="X", windowz=[(0, 1)])


def test_a_wrong_input_type_is_rejected():
    with pytest.raises(es.EvstudyError, match="expected a path or a table"):
        es.Study.from_toml(DEMO).run(prices=42)


def test_the_package_is_the_installed_wheel():
    assert "site-packages" in es.__file__
    assert es.__version__ == "0.1.0"
