"""Benchmarks: sharepack against the seed algorithm and the network floor (`make bench`)."""
