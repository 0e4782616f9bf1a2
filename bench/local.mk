# bench/ - benchmarks against the peers, run by hand (`make bench`).
