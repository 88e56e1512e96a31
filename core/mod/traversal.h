/**
 * @file traversal.h  Where the NAT policy finds and calls traversal modules
 */
#ifndef ATA_TRAVERSAL_H
#define ATA_TRAVERSAL_H

#include "ataua.h"

const struct ata_traversal *traversal_find(enum ata_trav_method m);
enum ata_trav_method traversal_method(const struct ata_traversal *t);
const char *traversal_method_name(enum ata_trav_method m);
void traversal_network_changed(void);
bool traversal_server_found(enum ata_trav_method m);

#endif
