# SPDX-License-Identifier: MIT
# providers/ - campaign-tool API clients behind one interface.
noinst_LIBRARIES += providers/libproviders.a
providers_libproviders_a_CPPFLAGS = $(AM_CPPFLAGS) -DG_LOG_DOMAIN=\"recoil-providers\"
providers_libproviders_a_SOURCES = \
	providers/provider.c providers/provider.h \
	providers/interspire.c \
	providers/listmonk.c \
	providers/ops.c \
	providers/mailwizz.c \
	providers/webhook.c
EXTRA_DIST += providers/WEBHOOK.md
