# verp/ - return-path and unsubscribe-address codecs (GLib only).
