/**
 * @file line.h  One FXS line: its account, dial plan, tones and calls
 */
#ifndef ATA_LINE_H
#define ATA_LINE_H

#include <re.h>
#include "line_fsm.h"

struct ata_config;
struct ata_conf_line;
struct sip_stack;
struct call;
struct line;

int  line_alloc(struct line **lnp, struct sip_stack *ss,
		const struct ata_config *cfg, const struct ata_conf_line *lc);
uint32_t line_id(const struct line *ln);
/** Drive the line as the hook switch / keypad would */
void line_input(struct line *ln, enum line_ev ev, char key);
enum line_state line_state(const struct line *ln);
/** true while the line has a call (a reload then waits) */
bool line_busy(const struct line *ln);
int  line_status(struct re_printf *pf, const struct line *ln);
int  line_reg_status(struct re_printf *pf, const struct line *ln);
/** `id=.. line=.. state=..` per call; returns the number printed */
unsigned line_calls_print(struct re_printf *pf, const struct line *ln);
/** Hang up a call of this line by its id; ENOENT if not ours */
int  line_call_hangup(struct line *ln, uint32_t id);

#endif
