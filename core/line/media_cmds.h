/**
 * @file media_cmds.h  The `stats` control verb
 */
#ifndef ATA_MEDIA_CMDS_H
#define ATA_MEDIA_CMDS_H

int  media_cmds_register(void);
void media_cmds_unregister(void);

#endif
