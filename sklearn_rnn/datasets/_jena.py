"""The Jena climate record, downloaded on first use, checked and cached."""

import csv
import http.client
import io
import math
import os
import tempfile
import urllib.error
import urllib.parse
import urllib.request
import zipfile
import zlib
from numbers import Real

from ._checks import check_bool

JENA_URL = (
    "https://storage.googleapis.com/tensorflow/tf-keras-datasets/"
    "jena_climate_2009_2016.csv.zip"
)
_ARCHIVE_NAME = "jena_climate_2009_2016.csv.zip"
_MEMBER_NAME = "jena_climate_2009_2016.csv"
_CACHE_SUBFOLDER = "sklearn_rnn_jena"
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
# Rows of the published file. An archive with any other count is rejected, so a
# truncated or altered file is never cached. Tests that serve a small archive
# set this module attribute to their own count.
_EXPECTED_ROWS = 420_551
_MISSING_CODE = -9999.0
_CHUNK_BYTES = 1 << 20
_URL_SCHEMES = ("http", "https", "file")
# Longest accepted wait per network operation, in seconds (one day). A longer
# one cannot be meant, and from about 1e12 s the socket layer overflows.
_MAX_TIMEOUT = 86_400.0


class _InvalidArchive(Exception):
    """The bytes at hand are not the Jena climate archive; the message says why."""


def fetch_jena_climate(
    *,
    data_home=None,
    download_if_missing=True,
    hourly=False,
    clean_outliers=True,
    return_X_y=False,
    target="T (degC)",
    url=None,
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
    download goes to a temporary file in that folder and is checked (a valid
    zip whose CRCs match, the expected member, the 15 expected columns, the
    expected row count, timestamps that parse) before it is renamed into
    place, so a broken or partial download never leaves a cache file behind.
    Later calls read the cached archive and do not touch the network. If the
    cached file is damaged, the call stops with an error naming the file to
    delete; it is not replaced silently.

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
        path where one can be created, and writable when the archive has to
        be downloaded; it is created only then. An empty string, an existing
        file, a path under a file and an unwritable folder raise a
        ValueError that names the path.

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

    timeout : float, default=60.0
        Seconds to wait for the server before giving up, per network
        operation: a finite number in the range (0, 86400], that is at most
        one day.

    Returns
    -------
    frame : pandas.DataFrame of shape (n_rows, 14)
        The record, returned when ``return_X_y=False``. ``frame.attrs`` holds
        ``"source"`` (the URL), ``"cache_path"``, ``"missing_code_values"``
        (per column), ``"duplicated_timestamps"`` and ``"irregular_steps"``
        (steps between consecutive rows that are not exactly 10 minutes, or 1
        hour with ``hourly=True``), both counted on the returned rows.

    (X, y) : tuple of pandas.DataFrame and pandas.Series
        Returned when ``return_X_y=True``.

    Raises
    ------
    TypeError
        A flag is not a bool, ``timeout`` is not a number, ``url`` is not a
        string or ``data_home`` is not a path.
    ValueError
        A parameter is out of its range: ``target`` not a column, ``timeout``
        NaN, infinite or out of (0, 86400], ``url`` not an http(s) or file
        URL, ``data_home`` not usable as a writable folder.
    ConnectionError
        The download failed (no network, refused connection, timeout, HTTP
        error, connection cut). The message names the URL and the path where a
        copy downloaded by hand can be put.
    OSError
        The archive is not cached and ``download_if_missing=False``; or the
        downloaded bytes are not the Jena archive (nothing is cached); or the
        cached archive is damaged (the message names the file to delete).

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
    _check_parameters(
        download_if_missing, hourly, clean_outliers, return_X_y, target, timeout
    )
    source_url = JENA_URL if url is None else _check_url(url)
    home, given_as = _resolve_data_home(data_home)
    folder = os.path.join(home, _CACHE_SUBFOLDER)
    path = os.path.join(folder, _ARCHIVE_NAME)

    if os.path.exists(path):
        try:
            raw = _read_archive(path)
        except _InvalidArchive as exc:
            raise OSError(
                f"The cached Jena climate archive {path} is damaged: {exc}. "
                "Delete this file and call fetch_jena_climate() again to "
                "download a fresh copy."
            ) from None
    elif not download_if_missing:
        raise OSError(
            f"The Jena climate archive is not in the cache ({path}) and "
            "download_if_missing=False. Call fetch_jena_climate() with "
            f"download_if_missing=True, or download {source_url} by hand and "
            f"save it as {path}."
        )
    else:
        raw = _download_and_cache(source_url, path, timeout, given_as)

    return _finish(raw, source_url, path, hourly, clean_outliers, return_X_y, target)


def _check_parameters(
    download_if_missing, hourly, clean_outliers, return_X_y, target, timeout
):
    for name, value in (
        ("download_if_missing", download_if_missing),
        ("hourly", hourly),
        ("clean_outliers", clean_outliers),
        ("return_X_y", return_X_y),
    ):
        check_bool(value, name, "fetch_jena_climate")
    if target not in COLUMNS:
        raise ValueError(
            "The 'target' parameter of fetch_jena_climate must be one of "
            f"{list(COLUMNS)}. Got {target!r} instead."
        )
    _check_timeout(timeout)


def _check_timeout(timeout):
    if not isinstance(timeout, Real) or isinstance(timeout, bool):
        raise TypeError(
            "The 'timeout' parameter of fetch_jena_climate must be a number of "
            f"seconds. Got {timeout!r} of type {type(timeout).__name__} instead. "
            "Pass a number such as timeout=60."
        )
    if not (math.isfinite(timeout) and 0 < timeout <= _MAX_TIMEOUT):
        raise ValueError(
            "The 'timeout' parameter of fetch_jena_climate must be a finite "
            f"number of seconds in the range (0, {_MAX_TIMEOUT:.0f}] (at most one "
            f"day). Got {timeout!r} instead. Pass a number such as timeout=60."
        )


def _check_url(url):
    """Return `url` if urllib can fetch it as an http(s) or file URL."""
    if not isinstance(url, str):
        raise TypeError(
            "The 'url' parameter of fetch_jena_climate must be a string or None. "
            f"Got {url!r} of type {type(url).__name__} instead."
        )
    if not _is_fetchable_url(url):
        raise ValueError(
            "The 'url' parameter of fetch_jena_climate must be an http://, "
            "https:// or file:// URL of the archive, without spaces or control "
            f"characters. Got {url!r} instead. Pass the full address of a "
            f"mirror, such as {JENA_URL!r}; for a file on disk, "
            "pathlib.Path(file).absolute().as_uri() gives its file:// URL."
        )
    return url


def _is_fetchable_url(url):
    # http.client refuses these characters with its own error, deep inside.
    if any(ord(char) <= 0x20 or ord(char) == 0x7F for char in url):
        return False
    try:
        parts = urllib.parse.urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError on a port that is no number
    except ValueError:
        return False
    scheme = parts.scheme.lower()
    if scheme in ("http", "https"):
        return bool(parts.hostname)
    return scheme == "file" and bool(parts.path)


def _resolve_data_home(data_home):
    """Return the cache home as a str, and how to name it in messages.

    Only checks what can be seen without writing: the folder is created (and
    its writability found out) when a download needs it.
    """
    if data_home is None:
        given_as = "the SCIKIT_LEARN_DATA environment variable"
        data_home = os.environ.get("SCIKIT_LEARN_DATA")
        if data_home is None:
            given_as = "the default data_home"
            data_home = os.path.join("~", "scikit_learn_data")
    else:
        given_as = "the 'data_home' parameter"
        try:
            path = os.fspath(data_home)
        except TypeError:
            path = None
        if not isinstance(path, str):
            raise TypeError(
                "The 'data_home' parameter of fetch_jena_climate must be a str, "
                f"an os.PathLike folder path or None. Got {data_home!r} of type "
                f"{type(data_home).__name__} instead. Pass the folder as a str "
                "(os.fsdecode() converts a bytes path)."
            )
        data_home = path
    if not data_home.strip():
        raise ValueError(
            f"The folder given by {given_as} of fetch_jena_climate must be a "
            f"path. Got the empty string {data_home!r} instead. Pass a folder "
            "such as data_home='~/scikit_learn_data', or None for the default."
        )
    home = os.path.expanduser(data_home)
    _refuse_file_on_path(home, given_as)
    return home, given_as


def _refuse_file_on_path(home, given_as):
    """Raise a ValueError if `home`, or a folder above it, is not a folder."""
    current = os.path.abspath(home)
    while not os.path.lexists(current):
        parent = os.path.dirname(current)
        if parent == current:
            return
        current = parent
    if os.path.isdir(current):
        return
    where = (
        "which is a file"
        if current == os.path.abspath(home)
        else f"but {current!r} is a file, so no folder can be created there"
    )
    raise ValueError(
        f"The folder given by {given_as} of fetch_jena_climate must be a folder "
        f"or a path where one can be created. Got {home!r}, {where}. "
        "Pass a folder path (the cache goes in its subfolder "
        f"{_CACHE_SUBFOLDER!r}), or None for the default."
    )


def _open_partial_file(folder, given_as):
    """Create the cache folder and a temporary file in it for the download."""
    try:
        os.makedirs(folder, exist_ok=True)
        return tempfile.mkstemp(prefix=".download-", suffix=".part", dir=folder)
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise ValueError(
            f"The folder given by {given_as} of fetch_jena_climate must be "
            "writable to download the archive into it. Writing to "
            f"{folder!r} failed instead: {reason} ({type(exc).__name__}). Pass "
            "data_home= a folder you can write to, or change the permissions "
            "of this one."
        ) from exc


def _download_and_cache(url, path, timeout, given_as):
    """Download ``url`` next to ``path``, check it, then move it to ``path``."""
    handle, partial = _open_partial_file(os.path.dirname(path), given_as)
    try:
        with os.fdopen(handle, "wb") as out:
            for chunk in _stream(url, path, timeout):
                out.write(chunk)
        try:
            raw = _read_archive(partial)
        except _InvalidArchive as exc:
            raise OSError(
                f"The file downloaded from {url} is not the Jena climate archive: "
                f"{exc}. Nothing was cached. If the download was cut short, try "
                f"again; if the URL is wrong, pass the right one as url=, or "
                f"download the archive by hand and save it as {path}."
            ) from None
        os.replace(partial, path)
    finally:
        if os.path.exists(partial):
            os.remove(partial)
    return raw


def _stream(url, path, timeout):
    """Yield the response body in chunks; every network failure is one error."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            declared = response.headers.get("Content-Length")
            received = 0
            while chunk := response.read(_CHUNK_BYTES):
                received += len(chunk)
                yield chunk
            # read(amt) ends quietly on a cut connection: compare with the header.
            if declared is not None and received != int(declared):
                raise http.client.IncompleteRead(b"", int(declared) - received)
    except (OSError, http.client.HTTPException) as exc:
        raise ConnectionError(
            f"Could not download the Jena climate archive from {url}: "
            f"{_describe(exc)}. Connect to the internet and call "
            "fetch_jena_climate() again, or download that file by hand (for "
            f"example with a browser) and save it as {path}."
        ) from exc


def _describe(exc):
    if isinstance(exc, urllib.error.HTTPError):
        return f"the server answered HTTP {exc.code} {exc.reason}"
    if isinstance(exc, urllib.error.URLError):
        return f"{exc.reason}"
    if isinstance(exc, http.client.IncompleteRead):
        missing = f" ({exc.expected} bytes missing)" if exc.expected else ""
        return f"the connection closed before the whole file arrived{missing}"
    return f"{type(exc).__name__}: {exc}"


def _read_archive(path):
    """Read and check the archive at ``path``; raise _InvalidArchive if it is bad.

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
        raise _InvalidArchive(
            f"not a readable zip archive ({size} bytes; {type(exc).__name__}: {exc})"
        ) from None

    header = next(csv.reader(io.StringIO(data[:4096].decode("latin-1"))), [])
    expected = [_TIME_COLUMN, *COLUMNS]
    if header != expected:
        raise _InvalidArchive(
            f"the table has the columns {header}, expected {expected}"
        )
    try:
        raw = pd.read_csv(io.BytesIO(data), dtype={name: "float64" for name in COLUMNS})
    except (ValueError, pd.errors.ParserError) as exc:
        raise _InvalidArchive(f"the table does not parse as numbers ({exc})") from None
    if len(raw) != _EXPECTED_ROWS:
        raise _InvalidArchive(
            f"the table has {len(raw)} rows, expected {_EXPECTED_ROWS}"
        )
    try:
        raw[_TIME_COLUMN] = pd.to_datetime(raw[_TIME_COLUMN], format=_TIME_FORMAT)
    except ValueError as exc:
        raise _InvalidArchive(
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
        raise _InvalidArchive(
            f"expected one member named {_MEMBER_NAME!r}, found "
            f"{len(names)} among {archive.namelist()[:10]}"
        )
    return names[0]


def _finish(raw, url, path, hourly, clean_outliers, return_X_y, target):
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
        "missing_code_values": replaced,
        "duplicated_timestamps": int(frame.index.duplicated().sum()),
        "irregular_steps": int((steps != step).sum()),
    }
    if return_X_y:
        return frame.drop(columns=target), frame[target]
    return frame
