/**
 * @file phone.h  The SIP stack and every FXS line, as one unit
 */
#ifndef ATA_PHONE_H
#define ATA_PHONE_H

#include <re.h>

struct ata_config;
struct line;

int  phone_start(const struct ata_config *cfg);
/** Apply a new config: now when no call is up, else when the last ends */
int  phone_reload(const struct ata_config *cfg);
void phone_stop(void);
struct line *phone_line(uint32_t id);
size_t phone_line_count(void);
struct line *phone_line_at(size_t i);
/** The network changed; true when the SIP stack (re)starts for it */
bool phone_network_changed(void);
/** Status lines of the SIP stack and each line */
int  phone_status(struct re_printf *pf);

/* phone_cmds.c */
/** The verb table, for the daemon to register (core/daemon.c) */
struct ata_cmd;
const struct ata_cmd *phone_cmds(size_t *cmdc);

#endif
