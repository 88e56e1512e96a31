/**
 * @file log.c  Levelled logging to stderr or syslog, and SECURITY records
 *
 * Formats with libre's re_vsnprintf so modules can log %J (struct sa),
 * %r (struct pl) and friends. Lines are formatted into a stack buffer: no
 * allocation, so logging is safe on error paths that ran out of memory.
 */
#include <stdio.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include "ataua.h"
#include "log.h"

enum { LOG_LINE_MAX = 1024 };

static struct {
	enum ata_log_level level;
	bool syslog;
} logst = { ATA_LOG_INFO, false };

static const char *level_name(enum ata_log_level lvl)
{
	switch (lvl) {

	case ATA_LOG_ERR:    return "error";
	case ATA_LOG_WARN:   return "warning";
	case ATA_LOG_NOTICE: return "notice";
	case ATA_LOG_INFO:   return "info";
	default:             return "debug";
	}
}


static void log_emit(enum ata_log_level lvl, const char *line)
{
	struct timespec ts;
	size_t len = strlen(line);
	struct tm tm;

	/* messages end in \n the libre way; we add our own */
	while (len && line[len - 1] == '\n')
		--len;

	if (logst.syslog) {
		syslog((int)lvl, "%.*s", (int)len, line);
		return;
	}

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	fprintf(stderr, "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ %s: %.*s\n",
		tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
		tm.tm_min, tm.tm_sec, ts.tv_nsec / 1000000,
		level_name(lvl), (int)len, line);
}


void ata_vlog(enum ata_log_level lvl, const char *fmt, va_list ap)
{
	char line[LOG_LINE_MAX];

	if (lvl > logst.level || !fmt)
		return;

	if (re_vsnprintf(line, sizeof(line), fmt, ap) < 0)
		str_ncpy(line, fmt, sizeof(line));

	log_emit(lvl, line);
}


void ata_log(enum ata_log_level lvl, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	ata_vlog(lvl, fmt, ap);
	va_end(ap);
}


/* Security records are never filtered by level: fail2ban must see them. */
void ata_security(const char *fmt, ...)
{
	char line[LOG_LINE_MAX];
	size_t off;
	va_list ap;

	off = str_len(strcpy(line, "SECURITY "));
	va_start(ap, fmt);
	(void)re_vsnprintf(line + off, sizeof(line) - off, fmt, ap);
	va_end(ap);

	log_emit(ATA_LOG_WARN, line);
}


void ata_log_set_level(enum ata_log_level lvl)
{
	if (lvl < ATA_LOG_ERR)
		lvl = ATA_LOG_ERR;
	if (lvl > ATA_LOG_DEBUG)
		lvl = ATA_LOG_DEBUG;

	logst.level = lvl;
	log_dbg_sync(lvl);
}


enum ata_log_level ata_log_level(void)
{
	return logst.level;
}


void log_use_syslog(bool enable)
{
	if (enable && !logst.syslog)
		openlog("ataua", LOG_PID | LOG_NDELAY, LOG_DAEMON);
	else if (!enable && logst.syslog)
		closelog();

	logst.syslog = enable;
}
