# mime/ - reading returned mail into events (GMime and GLib only).
noinst_LIBRARIES += mime/libmime.a
mime_libmime_a_CPPFLAGS = $(AM_CPPFLAGS) -DG_LOG_DOMAIN=\"recoil-mime\"
mime_libmime_a_SOURCES = \
	mime/event.c mime/event.h
