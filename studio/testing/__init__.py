"""Test harnesses and fakes with fault knobs (used by the test suite and by benchmarks)."""
