# conf/ - the sample configuration and the snippets operators copy.
EXTRA_DIST += conf/recoil.conf.sample conf/quickstart.conf

# Regenerate the sample from the configuration table (a test keeps it in sync).
conf-sample: src/recoil
	$(AM_V_GEN)src/recoil config sample > $(srcdir)/conf/recoil.conf.sample
.PHONY: conf-sample
