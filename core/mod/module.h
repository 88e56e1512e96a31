/**
 * @file module.h  The module loader (dlopen of modules/NAME/NAME.so)
 */
#ifndef ATA_MODULE_H
#define ATA_MODULE_H

#include <re.h>

struct ata_conf_module;

/**
 * Load and initialise the modules the config lists, in order. A module
 * that fails is recorded with its reason; the call fails (and unloads
 * everything) only when a `required: true` module fails.
 *
 * @return 0, or the errno of the first failed required module
 */
int  module_load_all(const char *path, const struct ata_conf_module *modv,
		     size_t modc);
/** Load one module by file name; test hook as well as the loop's body */
int  module_load(const char *path, const char *name, char *reason,
		 size_t reasonsz);
/** Close every module in reverse load order and forget the failures */
void module_unload_all(void);
/** `name=... kind=... state=...` per module, then `count=N` */
int  module_print(struct re_printf *pf);
unsigned module_count(void);
bool module_loaded(const char *name);
/**
 * For the registries: @p why a table of the module whose init runs now
 * is refused; `module list` shows it as the module's reason if its init
 * then fails. Outside a module's init it is only logged (by the caller).
 */
void module_refused(const char *why);

#endif
