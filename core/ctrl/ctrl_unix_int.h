/**
 * @file ctrl_unix_int.h  Private parts of the control socket, shared by
 *                        ctrl_unix.c (listener) and ctrl_conn.c (clients)
 */
#ifndef ATA_CTRL_UNIX_INT_H
#define ATA_CTRL_UNIX_INT_H

#include <sys/types.h>
#include <sys/un.h>
#include "ctrl_unix.h"

enum { RX_CHUNK = 4096, LISTEN_BACKLOG = 16 };

struct ctrl_unix {
	struct list connl;
	struct tmr reap;
	struct sockaddr_un sun;
	int fd;
	bool bound;
	dev_t dev;                  /* of our socket file, to unlink only it */
	ino_t ino;
	uint32_t *uidv;
	size_t uidc;
	uint32_t *gidv;
	size_t gidc;
	gid_t sock_gid;             /* the socket file's group: allowed */
	unsigned max_clients;
	size_t max_request;
	uint64_t denied_at;         /* last ctrl-denied line, tmr_jiffies */
	uint32_t denied_quiet;      /* refusals since, not logged */
	bool denied_logged;
};

struct conn {
	struct le le;
	struct ctrl_unix *cu;       /* parent owns us: no reference */
	struct ctrl_split split;
	struct mbuf *tx;
	int fd;
	int fdflags;                /* flags currently given to fd_listen */
	int level;
	bool attached;
	bool json;                  /* FORMAT json: replies, events in JSON */
	bool quit;                  /* close once tx is drained */
	bool dead;                  /* waiting for the reaper */
};

/* Reply of one verb, kept apart so events cannot split its lines */
struct reply {
	struct mbuf *mb;
	bool overflow;
};

/* ctrl_conn.c */
int  ctrl_conn_alloc(struct ctrl_unix *cu, int fd);
void ctrl_conn_event_handler(enum ata_log_level lvl, const char *line,
			     void *arg);

#endif
