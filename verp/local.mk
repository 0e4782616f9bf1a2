# SPDX-License-Identifier: MIT
# verp/ - return-path and unsubscribe-address codecs (GLib only).
noinst_LIBRARIES += verp/libverp.a
verp_libverp_a_CPPFLAGS = $(AM_CPPFLAGS) -DG_LOG_DOMAIN=\"recoil-verp\"
verp_libverp_a_SOURCES = \
	verp/base32.c verp/base32.h \
	verp/plain.c verp/plain.h \
	verp/signature.c verp/signature.h \
	verp/verp.c verp/verp.h
EXTRA_DIST += verp/FORMAT.md
