"""The Jena climate record, downloaded on first use, checked and cached."""

import csv
import io
import os
import zipfile
import zlib
from numbers import Real

from .._compat import StrOptions, validate_params
from ._download import (
    InvalidContent,
    RemoteFile,
    cache_path,
    check_sha256,
    check_timeout,
    check_url,
    fetch_file,
)

JENA_URL = (
    "https://storage.googleapis.com/tensorflow/tf-keras-datasets/"
    "jena_climate_2009_2016.csv.zip"
)
_ARCHIVE = RemoteFile(
    function="fetch_jena_climate",
    description="Jena climate archive",
    url=JENA_URL,
    size=13_568_290,
    subfolder="sklearn_rnn_jena",
    filename="jena_climate_2009_2016.csv.zip",
)
_MEMBER_NAME = "jena_climate_2009_2016.csv"
_TIME_COLUMN = "Date Time"
_TIME_FORMAT = "%d.%m.%Y %H:%M:%S"
COLUMNS = (
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
)
_MISSING_CODE = -9999.0


@validate_params(
    {
        "data_home": [str, os.PathLike, None],
        "download_if_missing": ["boolean"],
        "hourly": ["boolean"],
        "clean_outliers": ["boolean"],
        "return_X_y": ["boolean"],
        "target": [StrOptions(set(COLUMNS))],
        "url": [str, None],
        "sha256": [str, None],
        # Loose on purpose: the function's own check names the range and the fix.
        "timeout": [Real],
    },
    prefer_skip_nested_validation=True,
)
def fetch_jena_climate(
    *,
    data_home=None,
    download_if_missing=True,
    hourly=False,
    clean_outliers=True,
    return_X_y=False,
    target="T (degC)",
    url=None,
    sha256=None,
    timeout=60.0,
):
    """Load the Jena climate record (2009-2016), downloading it on first use.

    Weather measured every 10 minutes at the weather station of the Max Planck
    Institute for Biogeochemistry in Jena, Germany, from January 2009 to the
    end of 2016: 420,551 rows of 14 variables. It is the record used by the
    TensorFlow time-series forecasting tutorial, fetched from the same archive
    (about 13 MB).

    The first call downloads the zip archive into
    ``<data_home>/sklearn_rnn_jena/jena_climate_2009_2016.csv.zip``. The
    download goes to a temporary file in that folder and is checked before it
    is renamed into place: its SHA-256 digest against ``sha256`` if given,
    otherwise its size against the published 13,568,290 bytes; then its
    content (a valid zip whose CRCs match, the expected member, the 15
    expected columns, numbers, timestamps that parse). A broken or partial
    download therefore never leaves a cache file behind. The digest of the
    cached file is written next to it, in ``<file>.sha256``.

    Later calls read the cached archive and do not touch the network. Each of
    them compares the cached file with ``sha256`` if given, otherwise with the
    digest recorded at download time; if the file is damaged, the call stops
    with an error naming the file to delete. It is not replaced silently.

    ==============  =======================================================
    Rows            420,551 (70,091 with ``hourly=True``)
    Columns         14 float columns, units in the names
    Index           ``Date Time``, naive ``DatetimeIndex`` as in the file
    Size            about 13 MB to download
    ==============  =======================================================

    Parameters
    ----------
    data_home : str or path-like, default=None
        Folder for the cache, as in :func:`sklearn.datasets.get_data_home`:
        by default the ``SCIKIT_LEARN_DATA`` environment variable or else
        ``~/scikit_learn_data``; ``~`` is expanded. It must be a folder, or a
        path where one can be created (``get_data_home`` creates it), and
        writable when the archive has to be downloaded. An empty string, an
        existing file, a path under a file and an unwritable folder raise an
        ``InvalidParameterError`` that names the path.

    download_if_missing : bool, default=True
        If False and the archive is not cached, raise an ``OSError`` instead
        of downloading.

    hourly : bool, default=False
        Keep every sixth row starting with the sixth (``frame.iloc[5::6]``),
        the tutorial's hourly subsampling. It selects rows by position, so it
        is exactly hourly only where the record has no missing step.

    clean_outliers : bool, default=True
        Replace the value -9999.0, which the file uses as a missing-value code,
        by NaN in every column. The TensorFlow tutorial reports it in
        ``wv (m/s)`` and ``max. wv (m/s)`` (and replaces it by 0 instead).
        ``frame.attrs["missing_code_values"]`` counts the code per column
        whether or not it was replaced.

    return_X_y : bool, default=False
        If True, return ``(X, y)``: ``y`` is the column ``target`` and ``X`` the
        13 other columns, on the same index.

    target : str, default="T (degC)"
        Column returned as ``y`` when ``return_X_y=True``. Ignored otherwise.

    url : str, default=None
        Where to download the archive from; ``None`` uses the TensorFlow
        address ``JENA_URL``. Give a mirror of the same file here: an
        ``http://``, ``https://`` or ``file://`` URL (for a local file,
        ``pathlib.Path(file).absolute().as_uri()`` writes one).

    sha256 : str, default=None
        SHA-256 digest of the archive, as 64 hexadecimal digits (the first
        word printed by ``sha256sum``). If given, the downloaded or cached
        file must have exactly this digest, else nothing is cached and the
        call raises an ``OSError`` naming the expected and received digests.
        Pass it to pin the file, or to use a copy that differs from the
        published one. If None, the published size is checked instead, and
        ``frame.attrs["sha256"]`` gives the digest to pin next time.

    timeout : float, default=60.0
        Seconds to wait for the server before giving up, per network
        operation: a finite number in the range (0, 86400], that is at most
        one day.

    Returns
    -------
    frame : pandas.DataFrame of shape (n_rows, 14)
        The record, returned when ``return_X_y=False``. ``frame.attrs`` holds
        ``"source"`` (the URL), ``"cache_path"``, ``"sha256"`` (the digest of
        the cached archive), ``"missing_code_values"``
        (per column), ``"duplicated_timestamps"`` and ``"irregular_steps"``
        (steps between consecutive rows that are not exactly 10 minutes, or 1
        hour with ``hourly=True``), both counted on the returned rows.

    (X, y) : tuple of pandas.DataFrame and pandas.Series
        Returned when ``return_X_y=True``.

    Raises
    ------
    InvalidParameterError
        A parameter is of the wrong type or out of its range: a flag that is
        not a bool, ``target`` not a column, ``timeout`` not a number or not
        in (0, 86400], ``url`` not an http(s) or file URL, ``sha256`` not 64
        hexadecimal digits, ``data_home`` not usable as a writable folder.
        It is scikit-learn's exception, both a ``ValueError`` and a
        ``TypeError``.
    ConnectionError
        The download failed (no network, refused connection, timeout, HTTP
        error, connection cut). The message names the URL and the path where a
        copy downloaded by hand can be put.
    OSError
        The archive is not cached and ``download_if_missing=False``; or the
        downloaded bytes are not the Jena archive, by digest, size or content
        (nothing is cached); or the cached archive is damaged or does not have
        the digest ``sha256`` (the message names the file to delete).

    See Also
    --------
    load_weather : Hourly 2013 weather of three New York airports, shipped
        with the package.

    Notes
    -----
    The timestamps are returned as written in the file, without a time zone
    (the file does not state one). The loader does not regularise the time
    axis: check ``frame.attrs["duplicated_timestamps"]`` and
    ``frame.attrs["irregular_steps"]`` before relying on a fixed step.

    Examples
    --------
    The first call downloads about 13 MB, so this example is not run in the
    test suite:

    >>> from sklearn_rnn.datasets import fetch_jena_climate
    >>> df = fetch_jena_climate(hourly=True)  # doctest: +SKIP
    >>> df.shape  # doctest: +SKIP
    (70091, 14)
    >>> X, y = fetch_jena_climate(return_X_y=True)  # doctest: +SKIP
    >>> y.name  # doctest: +SKIP
    'T (degC)'
    """
    check_timeout(timeout, _ARCHIVE)
    source_url = JENA_URL if url is None else check_url(url, _ARCHIVE)
    sha256 = check_sha256(sha256, _ARCHIVE)
    path, given_as = cache_path(data_home, _ARCHIVE)
    raw, digest = fetch_file(
        _ARCHIVE,
        path,
        given_as,
        url=source_url,
        sha256=sha256,
        timeout=timeout,
        download=download_if_missing,
        read=_read_archive,
    )
    return _finish(
        raw, source_url, path, digest, hourly, clean_outliers, return_X_y, target
    )


def _read_archive(path):
    """Read and check the archive at ``path``; raise InvalidContent if it is bad.

    Returns the rows as a DataFrame with the ``Date Time`` column parsed.
    """
    import pandas as pd

    try:
        with zipfile.ZipFile(path) as archive:
            member = _find_member(archive)
            # ZipFile.read checks the member's CRC, so damaged bytes are caught.
            data = archive.read(member)
    except (zipfile.BadZipFile, EOFError, OSError, zlib.error) as exc:
        size = os.path.getsize(path)
        raise InvalidContent(
            f"not a readable zip archive ({size} bytes; {type(exc).__name__}: {exc})"
        ) from None

    header = next(csv.reader(io.StringIO(data[:4096].decode("latin-1"))), [])
    expected = [_TIME_COLUMN, *COLUMNS]
    if header != expected:
        raise InvalidContent(f"the table has the columns {header}, expected {expected}")
    try:
        raw = pd.read_csv(io.BytesIO(data), dtype={name: "float64" for name in COLUMNS})
    except (ValueError, pd.errors.ParserError) as exc:
        raise InvalidContent(f"the table does not parse as numbers ({exc})") from None
    try:
        raw[_TIME_COLUMN] = pd.to_datetime(raw[_TIME_COLUMN], format=_TIME_FORMAT)
    except ValueError as exc:
        raise InvalidContent(
            f"a '{_TIME_COLUMN}' value is not in the format "
            f"day.month.year hour:minute:second ({exc})"
        ) from None
    return raw


def _find_member(archive):
    names = [
        name
        for name in archive.namelist()
        if os.path.basename(name) == _MEMBER_NAME and not name.startswith("__MACOSX")
    ]
    if len(names) != 1:
        raise InvalidContent(
            f"expected one member named {_MEMBER_NAME!r}, found "
            f"{len(names)} among {archive.namelist()[:10]}"
        )
    return names[0]


def _finish(raw, url, path, digest, hourly, clean_outliers, return_X_y, target):
    import pandas as pd

    if hourly:
        raw = raw.iloc[5::6]
    frame = raw.set_index(_TIME_COLUMN)[list(COLUMNS)]
    is_code = frame == _MISSING_CODE
    replaced = {name: int(count) for name, count in is_code.sum().items()}
    if clean_outliers:
        frame = frame.mask(is_code)
    step = pd.Timedelta(hours=1) if hourly else pd.Timedelta(minutes=10)
    steps = frame.index.to_series().diff().iloc[1:]
    frame.attrs = {
        "source": url,
        "cache_path": path,
        "sha256": digest,
        "missing_code_values": replaced,
        "duplicated_timestamps": int(frame.index.duplicated().sum()),
        "irregular_steps": int((steps != step).sum()),
    }
    if return_X_y:
        return frame.drop(columns=target), frame[target]
    return frame
