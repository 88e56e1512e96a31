/**
 * @file yaml_lib.h  libyaml, opened with dlopen() for one parse at a time
 *
 * libyaml is only needed while a config is read (start, reload, `-n`),
 * so ataua is not linked with it: conf_yaml_parse() opens it, parses,
 * and closes it again, and its pages are not resident during calls.
 * The headers still give the types; __typeof__ gives each pointer the
 * exact prototype, so a mismatch fails at compile time.
 */
#ifndef ATA_YAML_LIB_H
#define ATA_YAML_LIB_H

#include <yaml.h>

/**
 * The soname: the Makefile passes the one of the library the build
 * compiles against ($(BUILD)/sonames); this, Debian 12's libyaml-0-2,
 * is for builds without it (tests/fuzz/run.sh)
 */
#ifndef YAML_LIB_FILE
#define YAML_LIB_FILE "libyaml-0.so.2"
#endif

/** The libyaml functions conf_yaml.c calls, valid while open */
struct yaml_lib {
	void *handle;
	__typeof__(yaml_parser_initialize)       *parser_initialize;
	__typeof__(yaml_parser_set_input_string) *parser_set_input_string;
	__typeof__(yaml_parser_set_encoding)     *parser_set_encoding;
	__typeof__(yaml_parser_parse)            *parser_parse;
	__typeof__(yaml_parser_delete)           *parser_delete;
	__typeof__(yaml_event_delete)            *event_delete;
};

/**
 * Open @p file (NULL: YAML_LIB_FILE) into @p yl. ELIBACC (cannot open)
 * or ELIBBAD (a symbol is missing), with the reason in @p why (may be
 * NULL) of @p whysz bytes; @p yl is then closed.
 */
int  yaml_lib_open(struct yaml_lib *yl, const char *file, char *why,
		   size_t whysz);
/** Close what yaml_lib_open opened; safe on a closed or zeroed @p yl */
void yaml_lib_close(struct yaml_lib *yl);

#endif
