"""Benchmarks: each `bench/*_bench.py` has a `main()` that prints figures as ratios against a
baseline measured in the same run. `make bench` (python -m bench) runs them all."""
