/**
 * @file registry.h  The rule every kind registry applies (registry.c)
 */
#ifndef ATA_REGISTRY_H
#define ATA_REGISTRY_H

#include <re.h>

/**
 * Append ops table @p le of version @p version to @p lst, if this core
 * can call it: any version from 1 up to @p core_version (an older table
 * is called only for the hooks its version has). A newer one is refused
 * with a log line naming both versions, which also becomes the reason
 * `module list` shows for the module being loaded.
 *
 * @return 0, EINVAL without a name, ENOTSUP for a version out of range,
 *         EALREADY if the table is registered already
 */
int registry_add(struct list *lst, struct le *le, uint32_t version,
		 uint32_t core_version, const char *kind, const char *name);

#endif
