"""Checks and the padded copy of the series that WindowTransformer windows."""

from contextlib import contextmanager

import numpy as np
from sklearn.utils.validation import (
    validate_data,
)

from ._compat import (
    InvalidParameterError,
)
from ._time_axis import (
    as_narwhals,
    check_no_time_columns,
    check_not_series_or_lazy,
    check_unique_columns,
)
from ._validation import explain_infinity, explain_shape, explain_text, row_chunks

# Values per chunk of the overflow check: bounds its temporary mask.
_CHECK_CHUNK_VALUES = 1 << 16


def check_float32_range(copied, X, first_row=0):
    """Raise if the float32 copy of `X` overflowed: `X` holds no infinity itself.

    `first_row` is the row of the input at which `X` starts, for the message.
    """
    for start, block in row_chunks(copied, _CHECK_CHUNK_VALUES):
        overflow = np.isinf(block)
        if overflow.any():
            row, column = (int(i) for i in np.argwhere(overflow)[0])
            row += start
            value = float(X[row, column])
            row += first_row
            raise ValueError(
                f"X of WindowTransformer holds {value:g} at row {row}, "
                f"column {column}: windows are float32, whose largest value is "
                f"{np.finfo(np.float32).max:.4g}. Scale the series first, for "
                "example with StandardScaler before WindowTransformer."
            )


def check_window_length(window_length):
    # bool is an Integral, so the declarative constraint lets True through as 1.
    if isinstance(window_length, bool):
        raise InvalidParameterError(
            "The 'window_length' parameter of WindowTransformer must be an int in "
            f"the range [1, inf). Got {window_length!r} instead."
        )


def check_fill_value(fill_value):
    """NaN (missing history) or a finite value that float32 windows can hold."""
    if np.isnan(fill_value) or abs(fill_value) <= float(np.finfo(np.float32).max):
        return
    raise InvalidParameterError(
        "The 'fill_value' parameter of WindowTransformer must be NaN or a finite "
        f"number within float32's range (+-{np.finfo(np.float32).max:.4g}), as the "
        f"windows are float32. Got {fill_value!r} instead. Keep NaN for the "
        "recurrent forecasters, or use 0.0 after a StandardScaler."
    )


def check_frame(X):
    """Refuse what the array conversion would misread: names, times, Series."""
    check_unique_columns(X, "X", "WindowTransformer")
    wrapped = as_narwhals(X)
    if wrapped is not None:
        check_not_series_or_lazy(X, wrapped, "X", "WindowTransformer")
        check_no_time_columns(wrapped, "X", "WindowTransformer")
    elif hasattr(X, "dtypes") and hasattr(X, "columns"):
        check_no_time_columns(X, "X", "WindowTransformer")


@contextmanager
def _explain_complex():
    """Replace scikit-learn's complex-data error, which prints the whole array."""
    try:
        yield
    except ValueError as error:
        if "Complex data not supported" not in str(error):
            raise
        raise ValueError(
            # The wording scikit-learn's check_complex_data looks for, kept.
            "X of WindowTransformer must hold real numbers (Complex data not "
            "supported); got complex values. "
            "Pass the real part (X.real), or the real and imaginary parts as two "
            "columns: np.hstack([X.real, X.imag])."
        ) from None


@contextmanager
def _explain_dimensions(X):
    """Replace scikit-learn's dimension errors, which print the whole array."""
    try:
        yield
    except ValueError as error:
        text = str(error)
        if "Expected 2D array" not in text and "Found array with dim" not in text:
            raise
        shape = np.shape(X) if hasattr(X, "shape") else None
        expected = (
            "X of WindowTransformer must be 2-D, one row per time step and one "
            "column per feature"
        )
        if shape is None or len(shape) == 0:
            got = f"got {type(X).__name__} {str(X)[:40]}"
            fix = "Reshape your data into rows: np.asarray(X).reshape(-1, 1)."
        elif len(shape) == 1:
            got = f"got a 1-D array of shape {shape}"
            fix = "Reshape your data: a single series is one column, X.reshape(-1, 1)."
        else:
            got = f"got {len(shape)} dimensions, shape {shape}"
            fix = (
                "WindowTransformer makes the windows from the series itself: pass "
                "the rows (windows made already go straight to a forecaster)."
            )
        raise ValueError(f"{expected}; {got}. {fix}") from None


def validated(transformer, X, *, reset):
    with (
        explain_text(X, "X", transformer),
        _explain_complex(),
        _explain_dimensions(X),
        explain_shape(),
        explain_infinity(X, "X", transformer),
    ):
        # float64 is kept as it is: the cast to float32 happens once, while
        # copying into the padded series, not in an intermediate copy.
        return validate_data(
            transformer,
            X,
            reset=reset,
            dtype=(np.float32, np.float64),
            ensure_all_finite="allow-nan",
        )


class WindowMemoryError(ValueError, MemoryError):
    """The padded series does not fit in memory: a parameter error, above all.

    A ValueError for callers that catch parameter errors, and still a
    MemoryError for those that caught what numpy raised before.
    """


def _physical_memory():
    import os

    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):
        return None


def empty_padded(n_rows, n_features, window_length):
    size = n_rows * n_features * 4
    message = (
        f"WindowTransformer(window_length={window_length}) needs one padded "
        f"float32 copy of the series of {n_rows} x {n_features} values "
        f"({size / 2**30:.3g} GiB), more than this machine can allocate. Use a "
        "shorter window_length (windows longer than the series are all padding)."
    )
    have = _physical_memory()
    # Refused before allocating: with memory overcommit, np.empty may succeed
    # and filling the padding then gets the process killed.
    if have is not None and size > have:
        raise WindowMemoryError(message)
    try:
        return np.empty((n_rows, n_features), dtype=np.float32)
    except MemoryError:
        raise WindowMemoryError(message) from None
