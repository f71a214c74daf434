"""Fetch a published file once into scikit-learn's data home, checked, then cached.

The loaders of this package share it: where the cache lives
(:func:`sklearn.datasets.get_data_home`), the download to a temporary file that
is checked before it is renamed into place, and the SHA-256 digest that pins
the file. After a verified download the digest is written next to the file
(``<file>.sha256``, in the format of ``sha256sum``), and every later load
compares the cached file with it, so a file damaged in the cache is reported
rather than read.
"""

import hashlib
import http.client
import math
import os
import re
import tempfile
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from numbers import Real

from sklearn.datasets import get_data_home

from .._compat import InvalidParameterError

_CHUNK_BYTES = 1 << 20
# Longest accepted wait per network operation, in seconds (one day). A longer
# one cannot be meant, and from about 1e12 s the socket layer overflows.
MAX_TIMEOUT = 86_400.0
_HEX_DIGEST = re.compile(r"[0-9a-fA-F]{64}")


@dataclass(frozen=True)
class RemoteFile:
    """A published file: its default address, published size and cache place."""

    function: str  # the public loader, named in every message
    description: str  # such as "Jena climate archive"
    url: str
    size: int  # bytes of the published file
    subfolder: str  # of the data home
    filename: str


class InvalidContent(Exception):
    """The bytes at hand are not the expected file; the message says why."""


# -- parameters ----------------------------------------------------------------


def check_sha256(sha256, remote):
    """Return the digest in lower case, or None; refuse anything but 64 hex digits."""
    if sha256 is None:
        return None
    if not _HEX_DIGEST.fullmatch(sha256):
        raise InvalidParameterError(
            f"The 'sha256' parameter of {remote.function} must be None or a SHA-256 "
            "digest written as 64 hexadecimal digits, such as the first word "
            "printed by `sha256sum file` or hashlib.sha256(data).hexdigest(). Got "
            f"{sha256!r} ({len(sha256)} characters) instead."
        )
    return sha256.lower()


def check_timeout(timeout, remote):
    if not isinstance(timeout, Real) or isinstance(timeout, bool):
        raise InvalidParameterError(
            f"The 'timeout' parameter of {remote.function} must be a number of "
            f"seconds. Got {timeout!r} of type {type(timeout).__name__} instead. "
            "Pass a number such as timeout=60."
        )
    if not (math.isfinite(timeout) and 0 < timeout <= MAX_TIMEOUT):
        raise InvalidParameterError(
            f"The 'timeout' parameter of {remote.function} must be a finite "
            f"number of seconds in the range (0, {MAX_TIMEOUT:.0f}] (at most one "
            f"day). Got {timeout!r} instead. Pass a number such as timeout=60."
        )


def check_url(url, remote):
    """Return `url` if urllib can fetch it as an http(s) or file URL."""
    if not _is_fetchable_url(url):
        raise InvalidParameterError(
            f"The 'url' parameter of {remote.function} must be an http://, "
            "https:// or file:// URL of the file, without spaces or control "
            f"characters. Got {url!r} instead. Pass the full address of a "
            f"mirror, such as {remote.url!r}; for a file on disk, "
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


# -- the cache folder ----------------------------------------------------------


def cache_path(data_home, remote):
    """Return the cache file's path in scikit-learn's data home, and its origin.

    The data home is checked first, so that a value scikit-learn would turn
    into a bare ``OSError`` (an empty string, a file, a path under a file)
    gets a message that names where it came from and the fix.
    """
    home, given_as = _check_data_home(data_home, remote)
    _refuse_file_on_path(home, given_as, remote)
    try:
        home = get_data_home(data_home)
    except OSError as exc:
        raise _unwritable(home, given_as, remote, exc) from exc
    return os.path.join(home, remote.subfolder, remote.filename), given_as


def _check_data_home(data_home, remote):
    """Return the data home as a str with ``~`` expanded, and how to name it."""
    if data_home is None:
        given_as = "the SCIKIT_LEARN_DATA environment variable"
        path = os.environ.get("SCIKIT_LEARN_DATA")
        if path is None:
            given_as = "the default data_home"
            path = os.path.join("~", "scikit_learn_data")
    else:
        given_as = "the 'data_home' parameter"
        try:
            path = os.fspath(data_home)
        except TypeError:  # only reached with parameter validation switched off
            path = None
        if not isinstance(path, str):
            raise InvalidParameterError(
                f"The 'data_home' parameter of {remote.function} must be a str, "
                f"an os.PathLike folder path or None. Got {data_home!r} of type "
                f"{type(data_home).__name__} instead. Pass the folder as a str "
                "(os.fsdecode() converts a bytes path)."
            )
    if not path.strip():
        raise InvalidParameterError(
            f"The folder given by {given_as} of {remote.function} must be a "
            f"path. Got the empty string {path!r} instead. Pass a folder such as "
            "data_home='~/scikit_learn_data', or None for the default."
        )
    return os.path.expanduser(path), given_as


def _refuse_file_on_path(home, given_as, remote):
    """Refuse `home` if it, or a folder above it, is not a folder."""
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
    raise InvalidParameterError(
        f"The folder given by {given_as} of {remote.function} must be a folder "
        f"or a path where one can be created. Got {home!r}, {where}. "
        "Pass a folder path (the cache goes in its subfolder "
        f"{remote.subfolder!r}), or None for the default."
    )


def _unwritable(folder, given_as, remote, exc):
    reason = exc.strerror or str(exc)
    return InvalidParameterError(
        f"The folder given by {given_as} of {remote.function} must be "
        f"writable to download the {remote.description} into it. Writing to "
        f"{folder!r} failed instead: {reason} ({type(exc).__name__}). Pass "
        "data_home= a folder you can write to, or change the permissions "
        "of this one."
    )


# -- loading -------------------------------------------------------------------


def fetch_file(remote, path, given_as, *, url, sha256, timeout, download, read):
    """Return ``(read(path), digest)``, downloading `url` first if not cached.

    `read` parses the file and raises InvalidContent if it is not the expected
    file. A cached file is compared with `sha256`, else with the digest
    recorded at download time, else (placed there by hand) with the published
    size; a downloaded file is compared with `sha256`, else with the published
    size, and cached only if it passes and `read` accepts it.
    """
    if os.path.exists(path):
        digest = _check_cached(remote, path, sha256)
        try:
            content = read(path)
        except InvalidContent as exc:
            raise OSError(
                f"The cached {remote.description} {path} is damaged: {exc}. "
                f"Delete this file and call {remote.function}() again to "
                "download a fresh copy."
            ) from None
        _record_digest(path, digest)
        return content, digest
    if not download:
        raise OSError(
            f"The {remote.description} is not in the cache ({path}) and "
            f"download_if_missing=False. Call {remote.function}() with "
            f"download_if_missing=True, or download {url} by hand and save it "
            f"as {path}."
        )
    return _download_and_cache(remote, path, given_as, url, sha256, timeout, read)


def _check_cached(remote, path, sha256):
    """Return the cached file's digest after checking it; raise OSError if bad."""
    digest = file_sha256(path)
    if sha256 is not None:
        if digest != sha256:
            raise OSError(
                f"The cached {remote.description} {path} does not have the "
                f"SHA-256 digest that was passed: expected sha256={sha256!r}, "
                f"received {digest!r}. If the cached file is the wrong one, delete "
                f"it and call {remote.function}() again to download it; if the "
                "digest is the wrong one, pass the right sha256= (or None)."
            )
        return digest
    recorded = _recorded_digest(path)
    if recorded is None:
        _check_size(remote, os.path.getsize(path), f"The cached file {path}")
    elif recorded != digest:
        raise OSError(
            f"The cached {remote.description} {path} is damaged (for example "
            f"truncated): its SHA-256 digest is {digest!r}, but {recorded!r} was "
            f"recorded in {_sidecar(path)} when it was downloaded. Delete both "
            f"files and call {remote.function}() again to download a fresh copy."
        )
    return digest


def _check_size(remote, n_bytes, what):
    if n_bytes != remote.size:
        raise OSError(
            f"{what} is not the {remote.description}: it is {n_bytes:,} bytes, "
            f"expected {remote.size:,} bytes (the published file). Nothing was "
            "cached from it. If the download was cut short, try again; to use "
            "another copy of the file on purpose, pass its SHA-256 digest as "
            f"sha256= to {remote.function}()."
        )


def _download_and_cache(remote, path, given_as, url, sha256, timeout, read):
    """Download `url` next to `path`, check it, then move it to `path`."""
    handle, partial = _open_partial_file(os.path.dirname(path), given_as, remote)
    try:
        hasher, n_bytes = hashlib.sha256(), 0
        with os.fdopen(handle, "wb") as out:
            for chunk in _stream(url, path, timeout, remote):
                out.write(chunk)
                hasher.update(chunk)
                n_bytes += len(chunk)
        digest = hasher.hexdigest()
        what = f"The file downloaded from {url}"
        if sha256 is None:
            _check_size(remote, n_bytes, what)
        elif digest != sha256:
            raise OSError(
                f"{what} does not have the SHA-256 digest that was passed: "
                f"expected sha256={sha256!r}, received {digest!r}. Nothing was "
                "cached. If the URL serves another file, pass the right url=; if "
                "the digest is the wrong one, pass the right sha256= (or None to "
                "check the published size instead)."
            )
        try:
            content = read(partial)
        except InvalidContent as exc:
            raise OSError(
                f"{what} is not the {remote.description}: {exc}. Nothing was cached. "
                "If the download was cut short, try again; if the URL is wrong, "
                "pass the right one as url=, or download the file by hand and "
                f"save it as {path}."
            ) from None
        os.replace(partial, path)
    finally:
        if os.path.exists(partial):
            os.remove(partial)
    _record_digest(path, digest)
    return content, digest


def _open_partial_file(folder, given_as, remote):
    """Create the cache folder and a temporary file in it for the download."""
    try:
        os.makedirs(folder, exist_ok=True)
        return tempfile.mkstemp(prefix=".download-", suffix=".part", dir=folder)
    except OSError as exc:
        raise _unwritable(folder, given_as, remote, exc) from exc


def _stream(url, path, timeout, remote):
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
            f"Could not download the {remote.description} from {url}: "
            f"{_describe(exc)}. Connect to the internet and call "
            f"{remote.function}() again, or download that file by hand (for "
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


# -- digests -------------------------------------------------------------------


def file_sha256(path):
    hasher = hashlib.sha256()
    with open(path, "rb") as file:
        while chunk := file.read(_CHUNK_BYTES):
            hasher.update(chunk)
    return hasher.hexdigest()


def _sidecar(path):
    return f"{path}.sha256"


def _recorded_digest(path):
    """The digest written next to `path` at download time, or None if absent."""
    try:
        with open(_sidecar(path), encoding="ascii", errors="replace") as file:
            words = file.read(200).split()
    except FileNotFoundError:
        return None
    # A record that is no digest cannot vouch for the file: it is reported as a
    # mismatch, with what it holds, rather than ignored.
    return words[0].lower() if words else ""


def _record_digest(path, digest):
    """Write `digest` next to `path` (sha256sum format), replacing a stale record.

    The record only speeds up and sharpens later checks, so a cache folder
    that cannot take it (read-only) is no error: later loads then check the
    published size again.
    """
    if _recorded_digest(path) == digest:
        return
    try:
        handle, partial = tempfile.mkstemp(
            prefix=".digest-", suffix=".part", dir=os.path.dirname(path)
        )
    except OSError:
        return
    try:
        with os.fdopen(handle, "w", encoding="ascii") as out:
            out.write(f"{digest}  {os.path.basename(path)}\n")
        os.replace(partial, _sidecar(path))
    except OSError:
        pass
    finally:
        if os.path.exists(partial):
            os.remove(partial)
