"""Scripts that the performance sections run, each in a fresh interpreter."""
