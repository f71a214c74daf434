"""Shared fixtures: a small hourly series and a one-thread torch for tiny networks."""

import numpy as np
import pandas as pd
import pytest


def make_hourly_weather(n_rows=160, seed=0):
    """A small hourly series with a daily temperature cycle and a drifting pressure."""
    rng = np.random.default_rng(seed)
    hours = np.arange(n_rows)
    temp = 10 + 5 * np.sin(2 * np.pi * hours / 24) + rng.normal(0, 0.3, n_rows)
    pressure = 1010 + np.cumsum(rng.normal(0, 0.5, n_rows))
    index = pd.date_range("2013-01-01", periods=n_rows, freq="h", name="time_hour")
    return pd.DataFrame({"temp": temp, "pressure": pressure}, index=index)


@pytest.fixture(scope="module")
def weather():
    """Shared by the tests of a module: tests that change it must copy it."""
    return make_hourly_weather()


@pytest.fixture(scope="module")
def torch_one_thread():
    """Run torch on one thread for a test module, then restore the setting.

    The networks under test have a few dozen weights; on a shared two-core
    machine, thread hand-offs cost more than the arithmetic they split.
    """
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)
