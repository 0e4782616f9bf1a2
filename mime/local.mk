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
	mime/mime-autoptr.h \
	mime/parse.c mime/parse.h \
	mime/rules.h \
	mime/rules-gateways.c \
	mime/rules-hosts.c \
	mime/rules-services.c \
	mime/rules-unix.c \
	mime/sesjson.c mime/sesjson.h \
	mime/textbounce.c mime/textbounce.h
