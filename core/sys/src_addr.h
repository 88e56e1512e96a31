/**
 * @file src_addr.h  The address the kernel would send from, per family
 */
#ifndef ATA_SRC_ADDR_H
#define ATA_SRC_ADDR_H

struct sa;

int src_addr_global6(struct sa *sa);

#endif
