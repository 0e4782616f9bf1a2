# SPDX-License-Identifier: MIT
# bench/ - benchmarks against the peers, run by hand: `make bench`.
EXTRA_DIST += bench/parse bench/store bench/mail bench/acct bench/dispatch bench/retention
bench: src/recoil
	$(srcdir)/bench/parse --recoil src/recoil
	$(srcdir)/bench/mail --recoil src/recoil
	$(srcdir)/bench/acct --recoil src/recoil
	$(srcdir)/bench/dispatch --recoil src/recoil
	$(MAKE) tests/store-apply && STORE_APPLY=tests/store-apply $(srcdir)/bench/store
.PHONY: bench
