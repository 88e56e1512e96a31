# modules/upnp: miniupnpc (Debian libminiupnpc-dev) on a worker thread.
# Its compile flags come with the others (PKGS in the Makefile); only
# this module links it.
upnp_LIBS += $(shell $(PKG_CONFIG) --libs miniupnpc 2>/dev/null) -lpthread
