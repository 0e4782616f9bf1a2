# bench/ - benchmarks against the peers, run by hand: `make bench`.
EXTRA_DIST += bench/parse bench/store
bench: src/recoil
	$(srcdir)/bench/parse --recoil src/recoil
	$(MAKE) tests/store-apply && STORE_APPLY=tests/store-apply $(srcdir)/bench/store
.PHONY: bench
