/**
 * @file action_env.h  The environment of one `atactl -a` run
 *
 * An event `<N>NAME key=value ...` becomes, on top of the caller's
 * environment without any ATAUA_* of its own:
 *
 *   ATAUA_EVENT=NAME  ATAUA_LEVEL=N  ATAUA_RAW=the whole line
 *   ATAUA_CTRL=socket path  ATAUA_DROPPED=events dropped before this one
 *   ATAUA_<KEY>=value for each field, the value unquoted; KEY upper
 *       case, `-` and `.` as `_`; a key given twice keeps both values,
 *       one per line; a field never replaces one of the names above
 *   ATAUA_TEXT=the fields, when they are not key=value
 *
 * Pure: plain libc, the words read by base/ctrl_record.c.
 */
#ifndef ATA_ACTION_ENV_H
#define ATA_ACTION_ENV_H

#define ATA_ACTION_ENV_PREFIX "ATAUA_"

int  action_env_build(char ***envp, char *const *base, const char *line,
		      const char *ctrl_path, unsigned dropped);
const char *action_env_get(char *const *env, const char *name);
void action_env_free(char **env);

#endif
