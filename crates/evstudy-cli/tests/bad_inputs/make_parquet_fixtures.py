"""Writes the Parquet fixtures of the prices_parquet_* cases (run with pyarrow installed:
python3 make_parquet_fixtures.py OUT_DIR). The panel is IDX, AAA, BBB on 400 weekdays from
2023-01-02; only the type of the date or close column differs between fixtures."""
import datetime
import decimal
import random
import sys
import zoneinfo

import pyarrow as pa
import pyarrow.parquet as pq

out = sys.argv[1]
d = datetime.date(2023, 1, 2)
dates = []
while len(dates) < 400:
    if d.weekday() < 5:
        dates.append(d)
    d += datetime.timedelta(1)
random.seed(1)
rows = []
m, a, b = 100.0, 50.0, 20.0
for dt in dates:
    rm = random.uniform(-0.01, 0.01)
    m *= 1 + rm
    a *= 1 + 1.2 * rm + random.uniform(-0.01, 0.01)
    b *= 1 + 0.8 * rm + random.uniform(-0.015, 0.015)
    rows += [(dt, "IDX", m), (dt, "AAA", a), (dt, "BBB", b)]
dts = [r[0] for r in rows]
tk = [r[1] for r in rows]
cl = [r[2] for r in rows]


def at(hour, minute, zone):
    return [datetime.datetime(x.year, x.month, x.day, hour, minute, tzinfo=zone) for x in dts]


dec = pa.array([decimal.Decimal(f"{x:.4f}") for x in cl], pa.decimal128(12, 4))
sh, ny = zoneinfo.ZoneInfo("Asia/Shanghai"), zoneinfo.ZoneInfo("America/New_York")
tables = {
    "decimal": {"date": pa.array(dts, pa.date32()), "ticker": tk, "close": dec},
    "tz_shanghai": {"date": pa.array(at(0, 0, sh), pa.timestamp("ms", tz="Asia/Shanghai")),
                    "ticker": tk, "close": cl},
    "tz_newyork": {"date": pa.array(at(23, 30, ny), pa.timestamp("us", tz="America/New_York")),
                   "ticker": tk, "close": cl},
    "naive": {"date": pa.array(at(16, 0, None), pa.timestamp("ns")), "ticker": tk, "close": cl},
    "list_close": {"date": pa.array(dts, pa.date32()), "ticker": tk,
                   "close": pa.array([[x] for x in cl])},
}
for name, cols in tables.items():
    pq.write_table(pa.table(cols), f"{out}/{name}.parquet")
