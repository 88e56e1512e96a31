/**
 * @file ctrl_unix.h  Control socket over AF_UNIX stream (see ctrl_proto.h)
 */
#ifndef ATA_CTRL_UNIX_H
#define ATA_CTRL_UNIX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct mbuf;
struct ctrl_unix;

struct ctrl_unix_opts {
	const char *path;
	int gid;               /**< -1: keep the daemon's group            */
	const uint32_t *allow_uidv; size_t allow_uidc;
	const uint32_t *allow_gidv; size_t allow_gidc;
	unsigned max_clients;  /**< 0: ATA_CTRL_MAX_CLIENTS                */
	size_t max_request;    /**< 0: ATA_CTRL_MAX_REQUEST                */
};

int ctrl_unix_alloc(struct ctrl_unix **cup, const struct ctrl_unix_opts *o);
unsigned ctrl_unix_nclients(const struct ctrl_unix *cu);


/* Line splitter, shared with the fuzzer */

/**
 * One request line (without CR LF), or err = E2BIG for a line longer than
 * the limit (line NULL). Return false to stop splitting.
 */
typedef bool (ctrl_line_h)(int err, const char *line, size_t len,
			   void *arg);

struct ctrl_split {
	struct mbuf *mb;       /**< Partial line so far                    */
	size_t max;            /**< Longest accepted line, CR LF excluded  */
	bool discard;          /**< Skipping the rest of a too-long line   */
};

int ctrl_split_feed(struct ctrl_split *sp, const uint8_t *p, size_t n,
		    ctrl_line_h *lineh, void *arg);

#endif
