# SPDX-License-Identifier: MIT
# src/ - the program.  Its core is a library so tests link it without main().
noinst_LIBRARIES += src/librecoil.a
src_librecoil_a_CPPFLAGS = $(AM_CPPFLAGS) -DG_LOG_DOMAIN=\"recoil\"
src_librecoil_a_SOURCES = \
	src/acct.c src/acct.h \
	src/audit.c src/audit.h \
	src/cli.c src/cli.h \
	src/dispatch.c src/dispatch.h \
	src/dispatch-spawn.c src/dispatch-spawn.h \
	src/clock.c src/clock.h \
	src/codec.c src/codec.h \
	src/conf.c src/conf.h \
	src/csv.c src/csv.h \
	src/eventjson.c src/eventjson.h \
	src/exitcode.c src/exitcode.h \
	src/log.c src/log.h \
	src/maildir.c src/maildir.h \
	src/ourdomain.c src/ourdomain.h \
	src/outbox.c src/outbox.h \
	src/policy.c src/policy.h \
	src/progress.c src/progress.h \
	src/record.c src/record.h \
	src/store.c src/store.h src/store-backend.h \
	src/store-apply.c \
	src/spool.c src/spool.h \
	src/store-lmdb.c src/store-lmdb.h src/store-lmdb-outbox.c src/store-lmdb-copy.c \
	src/trust.c src/trust.h

# The PostgreSQL backend, apart: only the programs that may use it link
# libpq; the pipe program links the stand-in, which hands over to
# recoil-pg.
noinst_LIBRARIES += src/librecoilpg.a src/librecoilnopg.a
src_librecoilpg_a_CPPFLAGS = $(AM_CPPFLAGS) $(PQ_CFLAGS) -DG_LOG_DOMAIN=\"recoil\"
src_librecoilpg_a_SOURCES = src/store-pg.c src/store-pg.h src/store-pg-batch.c src/store-pg-outbox.c src/store-pg-copy.c
src_librecoilnopg_a_CPPFLAGS = $(AM_CPPFLAGS) -DG_LOG_DOMAIN=\"recoil\"
src_librecoilnopg_a_SOURCES = src/store-pg-none.c

# Everything the program and the tests link, in dependency order.
RECOIL_CORE = src/librecoil.a src/librecoilpg.a providers/libproviders.a mime/libmime.a verp/libverp.a \
	$(RECOIL_LIBS) $(PQ_LIBS)

RECOIL_COMMANDS = \
	src/main.c \
	src/cmd-acct.c src/cmd-acct.h \
	src/cmd-config.c src/cmd-config.h \
	src/cmd-db.c src/cmd-db.h \
	src/cmd-mail.c src/cmd-mail.h \
	src/cmd-outbox.c src/cmd-outbox.h \
	src/cmd-parse.c src/cmd-parse.h \
	src/cmd-store.c src/cmd-store.h \
	src/cmd-verp.c src/cmd-verp.h
bin_PROGRAMS += src/recoil
src_recoil_CPPFLAGS = $(AM_CPPFLAGS) -DG_LOG_DOMAIN=\"recoil\"
src_recoil_SOURCES = $(RECOIL_COMMANDS)
# The pipe program: GLib and GMime linked statically when configure found
# their archives (RECOIL_PIPE_LIBS), so each invocation starts faster.
src_recoil_LDADD = src/librecoil.a src/librecoilnopg.a providers/libproviders.a $(RECOIL_PIPE_PRE) \
	mime/libmime.a verp/libverp.a $(RECOIL_PIPE_LIBS)
EXTRA_src_recoil_DEPENDENCIES = $(RECOIL_PIPE_DEPS)

# The dispatcher: the only program that links libcurl and libxml2 (through
# providers/), run by recoil when provider actions are due.
pkglibexec_PROGRAMS = src/recoil-dispatch src/recoil-pg
# The same commands with the PostgreSQL backend: recoil hands a command
# over to it when [recoil] store = postgresql.  libpq is shared only, so
# it links recoil's stack statically beside it where it can (RECOIL_PG_LIBS).
src_recoil_pg_CPPFLAGS = $(AM_CPPFLAGS) -DG_LOG_DOMAIN=\"recoil\"
src_recoil_pg_SOURCES = $(RECOIL_COMMANDS)
src_recoil_pg_LDADD = src/librecoil.a src/librecoilpg.a providers/libproviders.a $(RECOIL_PG_PRE) \
	mime/libmime.a verp/libverp.a $(RECOIL_PG_LIBS) $(PQ_LIBS)
EXTRA_src_recoil_pg_DEPENDENCIES = $(RECOIL_PIPE_DEPS)

src_recoil_dispatch_CPPFLAGS = $(AM_CPPFLAGS) -DG_LOG_DOMAIN=\"recoil\"
src_recoil_dispatch_SOURCES = src/dispatch-main.c
src_recoil_dispatch_LDADD = $(RECOIL_CORE)
