"""Prediction over many windows: large batches, no autograd, one transfer back."""

import torch

from .modules import GATES
from .threads import thread_count, torch_threads
from .training import WindowDataset

# Inference batches (prediction, validation) are cut so that their inputs and the
# recurrent layers' per-step values take about this many floats (8 MiB): the
# recurrent layers hold several times their input, and larger batches are no
# faster (docs/performance.md).
_INFERENCE_BATCH_VALUES = 1 << 21


def inference_batch_size(config, n_steps):
    """Windows per inference batch that keep it near ``_INFERENCE_BATCH_VALUES``."""
    gates = GATES[config["cell"]] * config["hidden_size"]
    values_per_window = n_steps * (config["n_features"] + gates * config["num_layers"])
    return max(1, _INFERENCE_BATCH_VALUES // values_per_window)


def predict_windows(module, config, X, n_pad, device, n_threads):
    """Run `module` over all windows of `X` in large batches, without autograd."""
    n_samples, n_steps, _ = X.shape
    chunk = inference_batch_size(config, n_steps)
    on_cpu = torch.device(device).type == "cpu"
    dataset = WindowDataset(X, n_pad, pin_memory=not on_cpu)
    threads = thread_count(n_threads, module, min(chunk, n_samples), device)
    outputs = []
    module.eval()
    with torch.inference_mode(), torch_threads(threads):
        for start in range(0, n_samples, chunk):
            inputs, _ = dataset.batch(slice(start, start + chunk))
            if not isinstance(inputs, dict):
                inputs = {"X": inputs}
            if not on_cpu:
                inputs = {
                    name: t.to(device, non_blocking=True) for name, t in inputs.items()
                }
            outputs.append(module(**inputs))
            del inputs
        # One transfer (and synchronization) for all chunks.
        y_pred = torch.cat(outputs) if len(outputs) > 1 else outputs[0]
        return y_pred.cpu().numpy()
