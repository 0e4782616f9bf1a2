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
	ASAN_OPTIONS=detect_leaks=1; export ASAN_OPTIONS; \
	UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1; export UBSAN_OPTIONS;

TEST_CPPFLAGS = $(AM_CPPFLAGS) -DG_LOG_DOMAIN=\"recoil-test\"
TEST_LDADD = $(RECOIL_CORE)

unit_tests = \
	tests/test-exitcode \
	tests/test-conf \
	tests/test-log \
	tests/test-event \
	tests/test-provider \
	tests/test-verp
check_PROGRAMS += $(unit_tests)
TESTS += $(unit_tests)

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

shell_tests = \
	tests/cli.test \
	tests/config.test \
	tests/verp.test
TESTS += $(shell_tests)
EXTRA_DIST += $(shell_tests) tests/tap.sh tests/verp_reference.py tests/verp_generate.py

# libFuzzer targets: `make fuzz` (needs clang), then run for example
#   tests/fuzz/fuzz-verp -max_total_time=600 tests/fuzz/verp-corpus tests/fuzz/verp-seeds
FUZZ_FLAGS = -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined
FUZZ_VERP_FILES = $(filter %.c,$(verp_libverp_a_SOURCES))
EXTRA_DIST += tests/fuzz/fuzz-verp.c tests/fuzz/verp-seeds
CLEANFILES += tests/fuzz/fuzz-verp
if HAVE_FUZZ_CC
fuzz: tests/fuzz/fuzz-verp
tests/fuzz/fuzz-verp: tests/fuzz/fuzz-verp.c $(FUZZ_VERP_FILES:%=$(srcdir)/%)
	@$(MKDIR_P) tests/fuzz
	$(AM_V_CCLD)$(FUZZ_CC) $(FUZZ_FLAGS) -I$(top_builddir) -I$(top_srcdir) $(GLIB_CFLAGS) \
	  $(srcdir)/tests/fuzz/fuzz-verp.c $(FUZZ_VERP_FILES:%=$(srcdir)/%) $(GLIB_LIBS) -o $@
else
fuzz:
	@echo "make fuzz needs clang: apt-get install clang" >&2; exit 1
endif
.PHONY: fuzz
