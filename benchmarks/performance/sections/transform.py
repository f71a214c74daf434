"""``WindowTransformer.transform`` against one ``np.copy`` of the series."""

import numpy as np

from ..harness import compared, interleaved, print_table


def run(cfg):
    from sklearn_rnn import WindowTransformer

    n_rows, n_features = cfg.transform_size
    series = np.random.default_rng(0).standard_normal((n_rows, n_features))
    rows = []
    for window_length in cfg.transform_lengths:
        transformer = WindowTransformer(window_length).fit(series)
        times = interleaved(
            {
                "transform": lambda t=transformer: t.transform(series),
                "copy": lambda: np.copy(series),
            },
            cfg.transform_rounds,
        )
        windows = transformer.transform(series)
        rows.append(
            compared(
                f"transform, window_length {window_length} "
                f"(output {windows.nbytes / 2**20:.0f} MiB as a view)",
                times,
                "transform",
                "copy",
                "np.copy(series)",
            )
        )
    print_table(
        f"WindowTransformer.transform of {n_rows} x {n_features} float64 rows "
        "(one padded float32 copy of the series, cast while copying, then a view)",
        rows,
    )
