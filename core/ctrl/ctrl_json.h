/**
 * @file ctrl_json.h  The control socket's JSON format (`FORMAT json`):
 *                    text replies and events turned into JSON values
 *
 * Pure functions of the text (the rules are in base/ctrl_proto.h), so
 * every verb, the modules' too, speaks JSON without knowing it. Both
 * print one JSON value without a newline and fit re_printf's %H.
 */
#ifndef ATA_CTRL_JSON_H
#define ATA_CTRL_JSON_H

struct re_printf;
struct pl;

int ctrl_json_reply(struct re_printf *pf, const struct pl *reply);
int ctrl_json_event(struct re_printf *pf, const struct pl *event);

#endif
