# SPDX-License-Identifier: MIT
# conf/ - the sample configuration and the snippets operators copy.
# make install: the sample configurations under $(docdir)/examples, the
# MTA snippets under $(docdir)/postfix and $(docdir)/pmta (to copy and
# adapt), the README and the licence in $(docdir), the systemd units
# (their paths filled in at build time) in $(systemdunitdir).
dist_doc_DATA = README.md LICENSE
examplesdir = $(docdir)/examples
dist_examples_DATA = conf/recoil.conf.sample conf/quickstart.conf
postfixdir = $(docdir)/postfix
dist_postfix_DATA = conf/postfix/master.cf conf/postfix/transport
dist_postfix_SCRIPTS = conf/postfix/recoil-postconf
pmtadir = $(docdir)/pmta
dist_pmta_DATA = conf/pmta/acct-pipe.conf conf/pmta/domains.conf
systemdunitdir = @systemdunitdir@
systemd_units = conf/systemd/recoil-retry.service conf/systemd/recoil-acct-sweep.service \
	conf/systemd/recoil-purge.service
nodist_systemdunit_DATA = $(systemd_units)
dist_systemdunit_DATA = conf/systemd/recoil-retry.timer conf/systemd/recoil-acct-sweep.timer \
	conf/systemd/recoil-purge.timer
EXTRA_DIST += $(systemd_units:=.in)
CLEANFILES += $(systemd_units)
$(systemd_units): %: %.in Makefile
	$(AM_V_GEN)$(MKDIR_P) $(@D) && sed -e 's|@bindir[@]|$(bindir)|g' -e 's|@docdir[@]|$(docdir)|g' $(srcdir)/$@.in >$@

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
