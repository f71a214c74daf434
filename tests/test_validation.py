"""The padding scan behind the forecasters: exact counts, chunked, without copies."""

import tracemalloc

import numpy as np
import pytest
from numpy.testing import assert_array_equal

from sklearn_rnn import WindowTransformer, _validation
from sklearn_rnn._validation import leading_padding


def _windows(n_rows=60_000, n_features=8, window_length=48, missing_rows=5):
    series = np.random.default_rng(0).normal(size=(n_rows, n_features))
    series[:missing_rows] = np.nan
    return WindowTransformer(window_length).fit_transform(series)


def test_padding_counts_of_a_window_view():
    # Windows 0..2 end at a missing row and have nothing observed; window
    # 3 + t holds 9 padding rows and 3 missing rows before its last step.
    windows = _windows(n_rows=300, window_length=10, missing_rows=3)[3:]
    expected = np.maximum(9 - np.arange(297), 0)
    assert_array_equal(leading_padding(windows), expected)
    assert_array_equal(leading_padding(np.array(windows)), expected)


def test_scan_of_a_window_view_copies_nothing_large():
    windows = _windows(n_rows=300_000, n_features=16)[5:]
    padded_bytes = (300_000 + 47) * 16 * 4
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        start = tracemalloc.get_traced_memory()[0]
        n_pad = leading_padding(windows)
        peak = tracemalloc.get_traced_memory()[1] - start
    finally:
        tracemalloc.stop()
    assert n_pad[0] == 47
    # The result, masks of one chunk and two flags per row; a joined copy of
    # the series (what the scan used to make) would be padded_bytes on its own.
    assert peak < n_pad.nbytes + padded_bytes / 8


@pytest.mark.parametrize("row", [20_000, 59_999])
def test_missing_value_in_a_later_chunk_names_its_window(monkeypatch, row):
    monkeypatch.setattr(_validation, "_SCAN_CHUNK_VALUES", 1024)
    series = np.random.default_rng(0).normal(size=(60_000, 8))
    series[row, 3] = np.nan
    windows = WindowTransformer(48).fit_transform(series)
    # The first window that holds input row `row` is the one that ends there.
    with pytest.raises(ValueError, match=rf"in window {row} at time step 47"):
        leading_padding(windows)
