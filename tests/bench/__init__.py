"""Benchmarks (`make bench`): kept out of the shipped packages."""
