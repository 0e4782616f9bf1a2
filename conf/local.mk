# SPDX-License-Identifier: MIT
# conf/ - the sample configuration and the snippets operators copy.
EXTRA_DIST += conf/recoil.conf.sample conf/quickstart.conf \
	conf/postfix/master.cf conf/postfix/recoil-postconf conf/postfix/transport \
	conf/pmta/acct-pipe.conf conf/pmta/domains.conf \
	conf/systemd/recoil-retry.service conf/systemd/recoil-retry.timer \
	conf/systemd/recoil-acct-sweep.service conf/systemd/recoil-acct-sweep.timer \
	conf/systemd/recoil-purge.service conf/systemd/recoil-purge.timer

# Regenerate the sample from the configuration table (a test keeps it in sync).
conf-sample: src/recoil
	$(AM_V_GEN)src/recoil config sample > $(srcdir)/conf/recoil.conf.sample
.PHONY: conf-sample

# bash completion, where bash-completion looks for it by the command's name
bashcompletiondir = $(datadir)/bash-completion/completions
dist_bashcompletion_DATA = conf/bash-completion/recoil

# The manual pages: recoil.1 by hand, recoil.conf.5 generated from the
# configuration table (a test keeps it in sync; make man regenerates it).
dist_man_MANS = doc/recoil.1 doc/recoil.conf.5
man: src/recoil
	$(AM_V_GEN)src/recoil config manpage > $(srcdir)/doc/recoil.conf.5
.PHONY: man
