# SPDX-License-Identifier: MIT
# mime/ - reading returned mail into events (GMime and GLib only).
noinst_LIBRARIES += mime/libmime.a
mime_libmime_a_CPPFLAGS = $(AM_CPPFLAGS) -DG_LOG_DOMAIN=\"recoil-mime\"
mime_libmime_a_SOURCES = \
	mime/anomaly.c mime/anomaly.h \
	mime/arf.c mime/arf.h \
	mime/autoreply.c mime/autoreply.h \
	mime/classify.c mime/classify.h \
	mime/dsn.c mime/dsn.h \
	mime/event.c mime/event.h \
	mime/fields.c mime/fields.h \
	mime/gmime-setup.c mime/gmime-setup.h \
	mime/mime-autoptr.h \
	mime/parse.c mime/parse.h \
	mime/punycode.c mime/punycode.h \
	mime/rules.h \
	mime/rules-gateways.c \
	mime/rules-hosts.c \
	mime/rules-services.c \
	mime/rules-unix.c \
	mime/sesjson.c mime/sesjson.h \
	mime/textbounce.c mime/textbounce.h

# GMime's start without its crypto contexts and GIO, for the statically
# linked src/recoil (see mime/gmime-setup.h); configure decides.
if GMIME_STATIC
noinst_LIBRARIES += mime/libmimestatic.a
mime_libmimestatic_a_CPPFLAGS = $(AM_CPPFLAGS) -DG_LOG_DOMAIN=\"recoil-mime\"
mime_libmimestatic_a_SOURCES = mime/gmime-static.c
endif
EXTRA_DIST += mime/gmime-static.c
