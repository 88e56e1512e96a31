/**
 * @file yaml_lib.c  Open libyaml for one parse, resolve what we call
 *
 * Why it is not linked: see yaml_lib.h. dlopen() keeps a reference
 * count, so a nested or concurrent open (a fuzz target linked with
 * libyaml, a default parsed while a config is read) shares one copy;
 * the last yaml_lib_close() unmaps it.
 */
#include <dlfcn.h>
#include <errno.h>
#include <string.h>
#include <re.h>
#include "sys/dl_lib.h"
#include "yaml_lib.h"


#define RESOLVE(field, name) \
	DL_LIB_RESOLVE(yl->field, yl->handle, file, name, &err, why, whysz)


int yaml_lib_open(struct yaml_lib *yl, const char *file, char *why,
		  size_t whysz)
{
	int err = 0;

	if (!yl)
		return EINVAL;

	memset(yl, 0, sizeof(*yl));

	if (!file)
		file = YAML_LIB_FILE;

	yl->handle = dl_lib_open(file, why, whysz);
	if (!yl->handle)
		return ELIBACC;

	RESOLVE(parser_initialize,       "yaml_parser_initialize");
	RESOLVE(parser_set_input_string, "yaml_parser_set_input_string");
	RESOLVE(parser_set_encoding,     "yaml_parser_set_encoding");
	RESOLVE(parser_parse,            "yaml_parser_parse");
	RESOLVE(parser_delete,           "yaml_parser_delete");
	RESOLVE(event_delete,            "yaml_event_delete");

	if (err)
		yaml_lib_close(yl);

	return err;
}


void yaml_lib_close(struct yaml_lib *yl)
{
	if (!yl || !yl->handle)
		return;

	(void)dlclose(yl->handle);
	memset(yl, 0, sizeof(*yl));
}
