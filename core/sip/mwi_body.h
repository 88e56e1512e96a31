/**
 * @file mwi_body.h  The application/simple-message-summary body (RFC 3842)
 */
#ifndef ATA_MWI_BODY_H
#define ATA_MWI_BODY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum {
	MWI_COUNT_MAX = 99999,   /**< larger counts are clamped to this */
};

/** What a message-summary says; counts are of Voice-Message */
struct mwi_sum {
	bool waiting;            /**< Messages-Waiting: yes             */
	uint32_t new_msgs;
	uint32_t old_msgs;
	uint32_t urgent_new;
	uint32_t urgent_old;
};

int mwi_body_parse(struct mwi_sum *sum, const char *body, size_t len);

#endif
