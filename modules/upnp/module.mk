# modules/upnp: miniupnpc (Debian libminiupnpc-dev) on a worker thread
upnp_LIBS += -lminiupnpc -lpthread
