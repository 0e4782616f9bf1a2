# SPDX-License-Identifier: MIT
# tests/ - GLib unit tests and shell tests, all speaking TAP.
LOG_DRIVER = env AM_TAP_AWK='$(AWK)' $(SHELL) $(top_srcdir)/build-aux/tap-driver.sh
TEST_EXTENSIONS = .test
TEST_LOG_DRIVER = $(LOG_DRIVER)
TEST_LOG_COMPILER = $(BASH_SHELL)
AM_TESTS_ENVIRONMENT = \
	TZ=UTC LC_ALL=C; export TZ LC_ALL; \
	RECOIL='$(abs_top_builddir)/src/recoil'; export RECOIL; \
	G_TEST_SRCDIR='$(abs_srcdir)/tests'; export G_TEST_SRCDIR; \
	G_TEST_BUILDDIR='$(abs_builddir)/tests'; export G_TEST_BUILDDIR; \
	TOP_SRCDIR='$(abs_top_srcdir)'; export TOP_SRCDIR; \
	TOP_BUILDDIR='$(abs_top_builddir)'; export TOP_BUILDDIR; \
	ASAN_OPTIONS=detect_leaks=1; export ASAN_OPTIONS; \
	UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1; export UBSAN_OPTIONS;

TEST_CPPFLAGS = $(AM_CPPFLAGS) $(PQ_CFLAGS) -DG_LOG_DOMAIN=\"recoil-test\"
TEST_LDADD = $(RECOIL_CORE)

unit_tests = \
	tests/test-exitcode \
	tests/test-clock \
	tests/test-conf \
	tests/test-log \
	tests/test-event \
	tests/test-provider \
	tests/test-verp \
	tests/test-parse \
	tests/test-classify \
	tests/test-punycode \
	tests/test-policy \
	tests/test-store \
	tests/test-spool
check_PROGRAMS += $(unit_tests)
TESTS += $(unit_tests)

tests_test_clock_SOURCES = tests/test-clock.c
tests_test_clock_CPPFLAGS = $(TEST_CPPFLAGS)
tests_test_clock_LDADD = $(TEST_LDADD)
tests_test_exitcode_SOURCES = tests/test-exitcode.c
tests_test_exitcode_CPPFLAGS = $(TEST_CPPFLAGS)
tests_test_exitcode_LDADD = $(TEST_LDADD)
tests_test_conf_SOURCES = tests/test-conf.c
tests_test_conf_CPPFLAGS = $(TEST_CPPFLAGS)
tests_test_conf_LDADD = $(TEST_LDADD)
tests_test_log_SOURCES = tests/test-log.c
tests_test_log_CPPFLAGS = $(TEST_CPPFLAGS)
tests_test_log_LDADD = $(TEST_LDADD)
tests_test_event_SOURCES = tests/test-event.c
tests_test_event_CPPFLAGS = $(TEST_CPPFLAGS)
tests_test_event_LDADD = $(TEST_LDADD)
tests_test_provider_SOURCES = tests/test-provider.c
tests_test_provider_CPPFLAGS = $(TEST_CPPFLAGS)
tests_test_provider_LDADD = $(TEST_LDADD)
tests_test_verp_SOURCES = tests/test-verp.c
tests_test_verp_CPPFLAGS = $(TEST_CPPFLAGS)
tests_test_verp_LDADD = $(TEST_LDADD)
tests_test_parse_SOURCES = tests/test-parse.c
tests_test_parse_CPPFLAGS = $(TEST_CPPFLAGS)
tests_test_parse_LDADD = $(TEST_LDADD)
tests_test_classify_SOURCES = tests/test-classify.c
tests_test_classify_CPPFLAGS = $(TEST_CPPFLAGS)
tests_test_classify_LDADD = $(TEST_LDADD)
tests_test_punycode_SOURCES = tests/test-punycode.c
tests_test_punycode_CPPFLAGS = $(TEST_CPPFLAGS)
tests_test_punycode_LDADD = $(TEST_LDADD)
tests_test_policy_SOURCES = tests/test-policy.c
tests_test_policy_CPPFLAGS = $(TEST_CPPFLAGS)
tests_test_policy_LDADD = $(TEST_LDADD)
tests_test_store_SOURCES = tests/test-store.c
tests_test_store_CPPFLAGS = $(TEST_CPPFLAGS)
tests_test_store_LDADD = $(TEST_LDADD)
tests_test_spool_SOURCES = tests/test-spool.c
tests_test_spool_CPPFLAGS = $(TEST_CPPFLAGS)
tests_test_spool_LDADD = $(TEST_LDADD)

shell_tests = \
	tests/cli.test \
	tests/config.test \
	tests/verp.test \
	tests/parse.test \
	tests/store.test \
	tests/mail.test \
	tests/acct.test \
	tests/dispatch.test \
	tests/store-pg.test \
	tests/mail-pg.test \
	tests/acct-pg.test \
	tests/dispatch-pg.test \
	tests/acct-outage.test \
	tests/multihost-pg.test \
	tests/store-copy-pg.test \
	tests/pooler-pg.test \
	tests/pgauth-pg.test \
	tests/install.test \
	tests/security.test \
	tests/faults.test \
	tests/e2e/postfix.test
TESTS += $(shell_tests)

# The load tests: many processes on two "hosts" and a pooler, for what
# they do together (exact counts, actions sent once).  .ci/run runs them
# in the plain build and leaves them out of distcheck and the sanitizer
# build, whose concern the other suites cover in the same code.
load_tests = tests/multihost-pg.test tests/pooler-pg.test
print-tests-without-load:
	@echo $(filter-out $(load_tests),$(TESTS))
.PHONY: print-tests-without-load
check_PROGRAMS += tests/store-apply tests/store-hold tests/store-year
tests_store_apply_SOURCES = tests/store-apply.c
tests_store_apply_CPPFLAGS = $(TEST_CPPFLAGS)
tests_store_apply_LDADD = $(TEST_LDADD)
tests_store_year_SOURCES = tests/store-year.c
tests_store_year_CPPFLAGS = $(TEST_CPPFLAGS)
tests_store_year_LDADD = $(TEST_LDADD)
tests_store_hold_SOURCES = tests/store-hold.c
tests_store_hold_CPPFLAGS = $(TEST_CPPFLAGS)
tests_store_hold_LDADD = $(LMDB_LIBS)
EXTRA_DIST += tests/cases
EXTRA_DIST += $(shell_tests) tests/tap.sh tests/pg.sh tests/verp_reference.py tests/verp_generate.py

# libFuzzer targets: `make fuzz` (needs clang), then run for example
#   tests/fuzz/fuzz-verp -max_total_time=600 tests/fuzz/verp-corpus tests/fuzz/verp-seeds
FUZZ_FLAGS = -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined
FUZZ_VERP_FILES = $(filter %.c,$(verp_libverp_a_SOURCES))
FUZZ_MIME_FILES = $(filter %.c,$(mime_libmime_a_SOURCES))
FUZZ_PROVIDER_FILES = $(filter %.c,$(providers_libproviders_a_SOURCES))
EXTRA_DIST += tests/fuzz/fuzz-verp.c tests/fuzz/verp-seeds tests/fuzz/fuzz-parse.c tests/fuzz/fuzz-answer.c \
	tests/fuzz/fuzz-acct.c tests/fuzz/fuzz-trust.c
CLEANFILES += tests/fuzz/fuzz-verp tests/fuzz/fuzz-parse tests/fuzz/fuzz-answer tests/fuzz/fuzz-acct \
	tests/fuzz/fuzz-trust
# src/ files the accounting and trust targets need, beside the libraries below src/
FUZZ_SRC_FILES = src/acct.c src/csv.c src/conf.c src/log.c src/clock.c src/trust.c src/ourdomain.c
FUZZ_ALL_LIBS = $(GMIME_LIBS) $(GLIB_LIBS) $(JANSSON_LIBS) $(XML_LIBS)
if HAVE_FUZZ_CC
fuzz: tests/fuzz/fuzz-verp tests/fuzz/fuzz-parse tests/fuzz/fuzz-answer tests/fuzz/fuzz-acct tests/fuzz/fuzz-trust
tests/fuzz/fuzz-acct tests/fuzz/fuzz-trust: tests/fuzz/%: tests/fuzz/%.c $(FUZZ_SRC_FILES:%=$(srcdir)/%) \
		$(FUZZ_MIME_FILES:%=$(srcdir)/%) $(FUZZ_VERP_FILES:%=$(srcdir)/%) $(FUZZ_PROVIDER_FILES:%=$(srcdir)/%)
	@$(MKDIR_P) tests/fuzz
	$(AM_V_CCLD)$(FUZZ_CC) $(FUZZ_FLAGS) -I$(top_builddir) -I$(top_srcdir) -I$(top_srcdir)/src -I$(top_srcdir)/mime \
	  $(GMIME_CFLAGS) $(JANSSON_CFLAGS) $(XML_CFLAGS) $(srcdir)/tests/fuzz/$*.c $(FUZZ_SRC_FILES:%=$(srcdir)/%) \
	  $(FUZZ_MIME_FILES:%=$(srcdir)/%) $(FUZZ_VERP_FILES:%=$(srcdir)/%) $(FUZZ_PROVIDER_FILES:%=$(srcdir)/%) \
	  $(FUZZ_ALL_LIBS) -o $@
tests/fuzz/fuzz-answer: tests/fuzz/fuzz-answer.c $(FUZZ_PROVIDER_FILES:%=$(srcdir)/%)
	@$(MKDIR_P) tests/fuzz
	$(AM_V_CCLD)$(FUZZ_CC) $(FUZZ_FLAGS) -I$(top_builddir) -I$(top_srcdir) $(GLIB_CFLAGS) $(JANSSON_CFLAGS) \
	  $(XML_CFLAGS) $(srcdir)/tests/fuzz/fuzz-answer.c $(FUZZ_PROVIDER_FILES:%=$(srcdir)/%) \
	  $(GLIB_LIBS) $(JANSSON_LIBS) $(XML_LIBS) -o $@
tests/fuzz/fuzz-parse: tests/fuzz/fuzz-parse.c $(FUZZ_MIME_FILES:%=$(srcdir)/%)
	@$(MKDIR_P) tests/fuzz
	$(AM_V_CCLD)$(FUZZ_CC) $(FUZZ_FLAGS) -I$(top_builddir) -I$(top_srcdir) -I$(top_srcdir)/mime $(GMIME_CFLAGS) \
	  $(srcdir)/tests/fuzz/fuzz-parse.c $(FUZZ_MIME_FILES:%=$(srcdir)/%) $(GMIME_LIBS) -o $@
tests/fuzz/fuzz-verp: tests/fuzz/fuzz-verp.c $(FUZZ_VERP_FILES:%=$(srcdir)/%)
	@$(MKDIR_P) tests/fuzz
	$(AM_V_CCLD)$(FUZZ_CC) $(FUZZ_FLAGS) -I$(top_builddir) -I$(top_srcdir) $(GLIB_CFLAGS) \
	  $(srcdir)/tests/fuzz/fuzz-verp.c $(FUZZ_VERP_FILES:%=$(srcdir)/%) $(GLIB_LIBS) -o $@
else
fuzz:
	@echo "make fuzz needs clang: apt-get install clang" >&2; exit 1
endif
.PHONY: fuzz

# The labelled corpus, when it is there: recoil parse over every variant,
# scored by the corpus's own scorer against the targets below.
CORPUS_DIR = $(abs_top_srcdir)/../shared/corpus
corpus-check: src/recoil
	@if test ! -f "$(CORPUS_DIR)/labels.jsonl"; then echo "corpus-check: no corpus at $(CORPUS_DIR); skipped"; exit 0; fi; \
	find "$(CORPUS_DIR)/mail" -name '*.eml' | sort > corpus-files.txt; \
	src/recoil parse --per-file --list corpus-files.txt > corpus-out.jsonl; \
	"$(CORPUS_DIR)/score" --json corpus-score.json corpus-out.jsonl | tail -4; \
	"$(CORPUS_DIR)/score" --by variant corpus-out.jsonl | tail -8; \
	$(PYTHON3) $(srcdir)/tests/corpus_targets.py corpus-score.json
CLEANFILES += corpus-files.txt corpus-out.jsonl corpus-score.json
EXTRA_DIST += tests/corpus_targets.py

# Mail from elsewhere: the sample bounces Debian's python3-flufl.bounce
# installs, against the addresses that package's tests expect (skipped when
# it is not installed).
flufl-check: src/recoil
	@$(PYTHON3) $(srcdir)/tests/flufl_check.py src/recoil 96 95
EXTRA_DIST += tests/flufl_check.py
.PHONY: flufl-check
EXTRA_DIST += tests/fakes/fakecommon.py tests/fakes/ctl.py tests/fakes/mailwizz.py tests/fakes/interspire.py \
	tests/fakes/listmonk.py tests/fakes/webhook.py
.PHONY: corpus-check
