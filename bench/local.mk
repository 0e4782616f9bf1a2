# bench/ - benchmarks against the peers, run by hand: `make bench`.
EXTRA_DIST += bench/parse
bench: src/recoil
	$(srcdir)/bench/parse --recoil src/recoil
.PHONY: bench
