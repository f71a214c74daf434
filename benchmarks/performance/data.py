"""The data the benchmark sections train on."""

import numpy as np
import pandas as pd

WEATHER_COLUMNS = ["temp", "dewp", "humid", "pressure", "wind_speed"]


def weather_frame():
    """The bundled EWR weather, five columns, gaps interpolated."""
    from sklearn_rnn.datasets import load_weather

    frame = load_weather(columns=WEATHER_COLUMNS)
    # The default cleaning leaves no gap today; interpolating keeps the
    # benchmark valid if a later version of the loader leaves some.
    return frame.interpolate(limit_direction="both")


def weather_windows(n_train, n_predict, window_length=24):
    """Standardized windows of five weather columns, and next-hour temperature.

    Returns the training windows and targets, the `n_predict` windows that
    follow them, and the standardized series.
    """
    from sklearn.preprocessing import StandardScaler

    from sklearn_rnn import WindowTransformer, make_supervised

    X, y = make_supervised(weather_frame(), "temp", horizon=1)
    X = StandardScaler().fit_transform(X)
    windows = WindowTransformer(window_length).fit_transform(X)
    y = y.to_numpy()
    # Skip the first windows, which are left-padded: the hand loop has no padding.
    first = window_length - 1
    train = slice(first, first + n_train)
    test = slice(first + n_train, first + n_train + n_predict)
    return windows[train], y[train], windows[test], X


def synthetic_weather(n_rows=50_000, seed=0):
    """An hourly weather-like series: daily and yearly cycles plus AR(1) noise.

    Five correlated columns named as the bundled data's, in similar units
    (°F, %, millibar, mph): temperature follows both cycles and a persistent
    anomaly; the dew point follows temperature minus a spread that shrinks at
    night; humidity falls as the spread grows; pressure wanders slowly and is
    low when the anomaly is warm; wind rises when pressure falls.
    """
    from scipy.signal import lfilter

    rng = np.random.default_rng(seed)

    def ar1(phi, scale):
        """Stationary AR(1) noise with standard deviation `scale`."""
        shocks = rng.standard_normal(n_rows) * scale * np.sqrt(1 - phi**2)
        return lfilter([1.0], [1.0, -phi], shocks)

    hours = np.arange(n_rows)
    day = 2 * np.pi * hours / 24
    year = 2 * np.pi * hours / (24 * 365.25)
    anomaly = ar1(0.97, 6.0)
    temp = 55 - 20 * np.cos(year) - 7 * np.cos(day - 0.5) + anomaly
    spread = np.clip(12 + 4 * np.sin(day - 0.5) + ar1(0.9, 4.0), 0, None)
    dewp = temp - spread
    humid = np.clip(100 - 2.6 * spread + ar1(0.5, 3.0), 5, 100)
    pressure = 1017 + ar1(0.995, 7.0) - 0.3 * anomaly
    wind_speed = np.clip(
        9 + 2 * np.sin(day) - 0.2 * (pressure - 1017) + ar1(0.8, 4.0), 0, None
    )
    index = pd.date_range("2010-01-01", periods=n_rows, freq="h", tz="UTC")
    return pd.DataFrame(
        {
            "temp": temp,
            "dewp": dewp,
            "humid": humid,
            "pressure": pressure,
            "wind_speed": wind_speed,
        },
        index=pd.Index(index, name="time_hour"),
    )
