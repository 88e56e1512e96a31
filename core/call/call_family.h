/**
 * @file call_family.h  The address family of a call's media
 */
#ifndef CALL_FAMILY_H
#define CALL_FAMILY_H

#include <stdbool.h>
#include <stddef.h>

int call_family_of_sdp(const char *sdp, size_t len);
int call_family_pick(int offer_af, bool have4, bool have6, int sig_af);
int call_family_other(int af, bool have4, bool have6);

#endif
