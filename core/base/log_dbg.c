/**
 * @file log_dbg.c  libre's own debug output (DEBUG_WARNING etc.) into our log
 *
 * libre prints its warnings straight to stderr with ANSI colours and no
 * timestamp or level. With a print handler set (dbg_handler_set) it
 * prints nothing itself and hands us each formatted message instead:
 * we map its syslog-like level to ours, strip colour escapes and the
 * trailing newline, and log it as any other line. libre formats into a
 * 256-byte buffer of its own and drops what does not fit.
 */
#include <string.h>
#include <re.h>
#include "ataua.h"

/* re.h leaves re_dbg.h out: it wants these first */
#define DEBUG_MODULE "log_dbg"
#define DEBUG_LEVEL 0
#include <re_dbg.h>
#include "log.h"

enum { LOG_DBG_LINE_MAX = 512 };


/** libre's level (DBG_EMERG .. DBG_DEBUG) as ours */
enum ata_log_level log_dbg_level(int dbg_level)
{
	if (dbg_level <= DBG_ERR)
		return ATA_LOG_ERR;

	switch (dbg_level) {

	case DBG_WARNING: return ATA_LOG_WARN;
	case DBG_NOTICE:  return ATA_LOG_NOTICE;
	case DBG_INFO:    return ATA_LOG_INFO;
	default:          return ATA_LOG_DEBUG;
	}
}


/* The level libre should format at: nothing we would drop anyway */
static int dbg_level_of(enum ata_log_level lvl)
{
	switch (lvl) {

	case ATA_LOG_ERR:    return DBG_ERR;
	case ATA_LOG_WARN:   return DBG_WARNING;
	case ATA_LOG_NOTICE: return DBG_NOTICE;
	case ATA_LOG_INFO:   return DBG_INFO;
	default:             return DBG_DEBUG;
	}
}


/**
 * Copy @p len bytes of @p p to @p buf (size @p sz, NUL-terminated)
 * without ANSI escape sequences (ESC [ params final), other control
 * characters but tab, or trailing white space
 *
 * @return the length written
 */
size_t log_dbg_clean(char *buf, size_t sz, const char *p, size_t len)
{
	size_t i = 0, n = 0;

	if (!buf || !sz)
		return 0;

	while (p && i < len && n + 1 < sz) {
		unsigned char c = (unsigned char)p[i++];

		if (c == 0x1b) {
			/* CSI: ESC [ then bytes 0x20-0x3f, one final byte */
			if (i < len && p[i] == '[') {
				++i;
				while (i < len && p[i] >= 0x20 && p[i] <= 0x3f)
					++i;
			}
			if (i < len)
				++i;     /* the final byte (or ESC's one) */
			continue;
		}
		if (c < 0x20 && c != '\t')
			c = ' ';
		if (c == 0x7f)
			continue;

		buf[n++] = (char)c;
	}

	while (n && (buf[n - 1] == ' ' || buf[n - 1] == '\t'))
		--n;
	buf[n] = '\0';

	return n;
}


/** A dbg_print_h: one libre message becomes one line of our log */
void log_dbg_handler(int level, const char *p, size_t len, void *arg)
{
	char line[LOG_DBG_LINE_MAX];
	(void)arg;

	if (!log_dbg_clean(line, sizeof(line), p, len))
		return;

	ata_log(log_dbg_level(level), "%s", line);
}


/** libre formats only what our level lets through (ata_log_set_level) */
void log_dbg_sync(enum ata_log_level lvl)
{
	dbg_init(dbg_level_of(lvl), DBG_NONE);
}


/** From now on libre's debug output goes through our log */
void log_dbg_attach(void)
{
	log_dbg_sync(ata_log_level());
	dbg_handler_set(log_dbg_handler, NULL);
}
