/**
 * @file ctrl_record.h  The words of a control line: `KEY=VALUE` pairs,
 *                      quoted values and the `<N>NAME` of an event
 *
 * The one reader of the rules in ctrl_proto.h ("Records and quoting"),
 * shared by the daemon's JSON format (ctrl/ctrl_json.c) and atactl's
 * `-a` (cli/action_env.c). Plain C on (pointer, length) spans, no
 * libre and no allocation, so the client links it as it is.
 */
#ifndef ATA_CTRL_RECORD_H
#define ATA_CTRL_RECORD_H

#include <stdbool.h>
#include <stddef.h>

/** A key is at most this long, its NUL included */
#define ATA_CTRL_KEY_MAX 64

/** One span of a line */
struct ctrl_span {
	const char *p;
	size_t l;
};

/** One pair of a line: the value raw, its quotes included */
struct ctrl_pair {
	char key[ATA_CTRL_KEY_MAX];
	struct ctrl_span val;
};

size_t ctrl_record_key_len(const struct ctrl_span *s);
bool   ctrl_record_next_pair(struct ctrl_span *rest, struct ctrl_pair *kv);
size_t ctrl_record_npairs(const struct ctrl_span *line);
void   ctrl_record_one_pair(const struct ctrl_span *line,
			    struct ctrl_pair *kv);
size_t ctrl_record_unquote(char *dst, const struct ctrl_span *val);
bool   ctrl_record_event_split(const struct ctrl_span *ev, int *level,
			       struct ctrl_span *name,
			       struct ctrl_span *fields);

#endif
