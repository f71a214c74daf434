"""Check the CUDA path of the forecasters and time it against the CPU.

    python benchmarks/gpu_check.py            # about a minute on one GPU
    python benchmarks/gpu_check.py --epochs 1

It stands alone and uses the public API only, so that it runs by its path; it
imports the installed ``sklearn_rnn`` then, or the checkout's when run as
``python -m benchmarks.gpu_check`` from the repository root.

Fits an LSTMForecaster on CUDA (the same code path as on the CPU: batches
gathered on the host into pinned memory, copied with non-blocking transfers;
model and data on one device), then checks that

* the training batches that reach the callbacks, before the copy to the GPU,
  are in pinned memory;
* predictions on the GPU and on the CPU, with the same trained weights, agree
  to a tolerance (cuDNN may use TF32 matmuls, so not bit for bit), for windows
  with and without left padding;

and prints how much faster fit and predict are on the GPU for a larger model
(hidden_size 256, batch 256) than on this machine's CPU. Exits with status 0
and a message when CUDA is absent, 1 when a check fails.
"""

import argparse
import copy
import statistics
import sys
import time

import numpy as np
import torch
from sklearn.preprocessing import StandardScaler
from skorch.callbacks import Callback

from sklearn_rnn import LSTMForecaster, WindowTransformer, make_supervised
from sklearn_rnn.datasets import load_weather

# Relative to the spread of the predictions: TF32 (cuDNN's default on Ampere
# and later) keeps about 3 decimal digits in the matmuls of 24 recurrent steps.
TOLERANCE = 1e-2


def windows():
    columns = ["temp", "dewp", "humid", "pressure", "wind_speed"]
    X, y = make_supervised(load_weather(columns=columns), "temp", horizon=1)
    W = WindowTransformer(24).fit_transform(StandardScaler().fit_transform(X))
    return W, y.to_numpy()


def timed(function, rounds=3):
    times = []
    for _ in range(rounds):
        torch.cuda.synchronize()
        start = time.perf_counter()
        function()
        torch.cuda.synchronize()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


class HostBatches(Callback):
    """Counts the training batches, and those with a host tensor not pinned."""

    def on_train_begin(self, net, **kwargs):
        self.n_batches_, self.n_unpinned_ = 0, 0

    def on_batch_begin(self, net, batch=None, training=False, **kwargs):
        if training:
            self.n_batches_ += 1
            host = [t for t in _tensors(batch) if t.device.type == "cpu"]
            self.n_unpinned_ += any(not t.is_pinned() for t in host)


def _tensors(value):
    """The tensors in a batch: a tensor, or dicts, lists and tuples of them."""
    if isinstance(value, torch.Tensor):
        return [value]
    if isinstance(value, dict):
        value = list(value.values())
    if isinstance(value, list | tuple):
        return [t for item in value for t in _tensors(item)]
    return []


def on_cpu(estimator):
    """A copy of a CUDA-fitted forecaster that predicts on the CPU."""
    cpu = copy.copy(estimator)
    cpu.module_ = copy.deepcopy(estimator.module_).to("cpu")
    cpu.device_ = "cpu"
    return cpu


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=2)
    args = parser.parse_args(argv)
    if not torch.cuda.is_available():
        print(
            f"CUDA is not available (torch {torch.__version__}, "
            "torch.cuda.is_available() is False): nothing to check."
        )
        return 0
    print(f"GPU: {torch.cuda.get_device_name()}; torch {torch.__version__}")
    print(f"CPU threads for torch: {torch.get_num_threads()}")
    W, y = windows()
    train, test = slice(0, 6100), slice(6100, 6953)
    failures = []

    # Warm up CUDA and cuDNN before any clock runs.
    LSTMForecaster(8, max_epochs=1, device="cuda", random_state=0).fit(W[:512], y[:512])

    # The first 23 windows are left-padded: both batch layouts are seen.
    pinned = LSTMForecaster(
        8,
        max_epochs=1,
        batch_size=32,
        device="cuda",
        random_state=0,
        callbacks=[("host_batches", HostBatches())],
    ).fit(W[:512], y[:512])
    seen = dict(pinned.callbacks_)["host_batches"]
    print(
        f"Training batches seen by a callback: {seen.n_batches_}, "
        f"with a host tensor not pinned: {seen.n_unpinned_}"
    )
    if not seen.n_batches_ or seen.n_unpinned_:
        failures.append("batches for the GPU are not in pinned memory")

    settings = dict(
        hidden_size=256,
        batch_size=256,
        max_epochs=args.epochs,
        patience=None,
        random_state=0,
    )
    gpu = LSTMForecaster(device="cuda", **settings)
    cpu = LSTMForecaster(device="cpu", **settings)
    fit_gpu = timed(lambda: gpu.fit(W[train], y[train]), rounds=1)
    fit_cpu = timed(lambda: cpu.fit(W[train], y[train]), rounds=1)
    if next(gpu.module_.parameters()).device.type != "cuda":
        failures.append("the fitted module is not on the GPU")

    # The first 23 windows are left-padded: the packed-sequence path.
    for name, rows in (("padded", slice(0, 200)), ("unpadded", test)):
        on_gpu_pred = gpu.predict(W[rows])
        on_cpu_pred = on_cpu(gpu).predict(W[rows])
        spread = max(np.std(on_cpu_pred), 1e-12)
        error = np.max(np.abs(on_gpu_pred - on_cpu_pred)) / spread
        print(f"GPU vs CPU predictions, {name} windows: max |diff| / std = {error:.2e}")
        if not error <= TOLERANCE:
            failures.append(f"{name} predictions differ by {error:.2e} > {TOLERANCE}")

    predict_gpu = timed(lambda: gpu.predict(W[test]))
    predict_cpu = timed(lambda: cpu.predict(W[test]))
    print(
        f"\nLSTMForecaster(hidden_size=256, batch_size=256), {args.epochs} epochs on "
        "6100 windows x 24 steps x 5 features:"
    )
    print("| step | CPU | GPU | speedup |")
    print("| --- | --- | --- | --- |")
    print(f"| fit | {fit_cpu:.2f} s | {fit_gpu:.2f} s | {fit_cpu / fit_gpu:.1f}x |")
    print(
        f"| predict 853 windows | {predict_cpu * 1e3:.1f} ms | "
        f"{predict_gpu * 1e3:.1f} ms | {predict_cpu / predict_gpu:.1f}x |"
    )
    for failure in failures:
        print(f"FAILED: {failure}")
    print("all checks passed" if not failures else f"{len(failures)} check(s) failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
