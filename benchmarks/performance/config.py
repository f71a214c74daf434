"""Sizes and rounds of every section: the full suite's, and ``--quick``'s."""

from dataclasses import dataclass, field


@dataclass
class Config:
    quick: bool = False
    # fit against the hand loop
    rounds: int = 5
    fit_windows: int = 6000
    fit_epochs: int = 3
    batch_sizes: tuple = (32, 256)
    # prediction, cold start and profile
    n_train: int = 6100
    n_predict: int = 853
    hidden: int = 32
    cold_rounds: int = 3
    predict_rounds: int = 15
    profile_rounds: int = 3
    # threads
    thread_steps: int = 10
    thread_rounds: int = 3
    thread_sizes: tuple = ((32, 32), (32, 256), (128, 256), (256, 256))
    # grid search
    grid_rows: int = 6100
    grid: dict = field(
        default_factory=lambda: {
            "lstmforecaster__hidden_size": [8, 16],
            "lstmforecaster__lr": [1e-3, 3e-3],
        }
    )
    grid_splits: int = 3
    grid_epochs: int = 3
    grid_rounds: int = 2
    grid_script_epochs: int = 10
    grid_script_rounds: int = 2
    spin_size: int = 5_000_000
    # memory
    memory_size: tuple = (100_000, 14, 144)
    memory_fixed_rows: int = 1000
    memory_rounds: int = 3
    memory_scenarios: tuple = (
        ("windows", "fit(windows)"),
        ("pipeline", "Pipeline(StandardScaler, WindowTransformer, LSTM).fit(series)"),
        ("grid", "GridSearchCV(that pipeline, 2 candidates, 2 splits).fit(series)"),
    )
    # transform and import
    transform_size: tuple = (100_000, 14)
    transform_lengths: tuple = (1, 24, 144, 1000)
    transform_rounds: int = 7
    import_rounds: int = 6
    # time to accuracy
    tta_datasets: tuple = ("weather", "synthetic")
    tta_rounds: int = 3
    tta_rows: int | None = None  # None: every row of the data set
    tta_synthetic_rows: int = 50_000
    tta_horizon: int = 6
    tta_window: int = 24
    tta_test_fraction: float = 0.1
    tta_hand_epochs: int = 20
    # Settings given to our forecaster on top of random_state; empty in the
    # full suite, so that it runs with the library's defaults of the day.
    tta_overrides: dict = field(default_factory=dict)


QUICK = dict(
    quick=True,
    rounds=1,
    fit_windows=320,
    fit_epochs=1,
    n_train=320,
    n_predict=64,
    hidden=8,
    cold_rounds=1,
    predict_rounds=2,
    profile_rounds=1,
    thread_steps=2,
    thread_rounds=1,
    thread_sizes=((32, 32),),
    grid_rows=400,
    grid={"lstmforecaster__hidden_size": [4, 8]},
    grid_splits=2,
    grid_epochs=1,
    grid_rounds=1,
    grid_script_epochs=1,
    grid_script_rounds=1,
    spin_size=100_000,
    memory_size=(3000, 4, 24),
    memory_fixed_rows=0,
    memory_rounds=1,
    memory_scenarios=(
        ("pipeline", "Pipeline(StandardScaler, WindowTransformer, LSTM)"),
    ),
    transform_size=(2000, 3),
    transform_lengths=(1, 24),
    transform_rounds=2,
    import_rounds=1,
    tta_rounds=1,
    tta_rows=400,
    tta_synthetic_rows=400,
    tta_hand_epochs=2,
    tta_overrides={"max_epochs": 2},
)


def make_config(quick=False, **changes):
    """The full suite's configuration, or quick mode's, with `changes` applied."""
    settings = dict(QUICK) if quick else {}
    settings.update({k: v for k, v in changes.items() if v is not None})
    return Config(**settings)
