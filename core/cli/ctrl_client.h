/**
 * @file ctrl_client.h  Client of the control socket (plain libc, no libre)
 *
 * Used by atactl and the integration tests. One connection per object;
 * keep one for requests and another for ATTACH (see core/base/ctrl_proto.h).
 * Functions return 0 or a positive errno; timeouts are in milliseconds,
 * negative meaning "wait forever".
 */
#ifndef ATA_CTRL_CLIENT_H
#define ATA_CTRL_CLIENT_H

#include <stdbool.h>
#include <stddef.h>

struct ctrl_client;

/** One line of a reply body or one event, without its newline */
typedef void (ctrl_client_line_h)(const char *line, void *arg);

int  ctrl_client_open(struct ctrl_client **ccp, const char *path);
void ctrl_client_close(struct ctrl_client *cc);
int  ctrl_client_fd(const struct ctrl_client *cc);
void ctrl_client_set_eventh(struct ctrl_client *cc,
			    ctrl_client_line_h *eventh, void *arg);
int  ctrl_client_request(struct ctrl_client *cc, const char *req,
			 int timeout_ms, ctrl_client_line_h *bodyh, void *arg,
			 char *reason, size_t reasonsz);
int  ctrl_client_json(struct ctrl_client *cc, int timeout_ms);
bool ctrl_client_is_json(const struct ctrl_client *cc);
int  ctrl_client_attach(struct ctrl_client *cc, int level, int timeout_ms);
int  ctrl_client_detach(struct ctrl_client *cc, int timeout_ms);
int  ctrl_client_recv(struct ctrl_client *cc, char *buf, size_t sz,
		      int timeout_ms);

#endif
