/**
 * @file metrics_ev.c  Count calls, registrations, NAT verdicts, device
 *                     errors and one-way audio from the event stream
 *
 * Every event line the daemon sends (`<6>CALL-STATE line=1 id=2 ...`,
 * core/base/ctrl_proto.h) also comes here, so the counting is in one
 * place and not beside each event. A call's result needs its history
 * (which way it went, whether it was answered): a small table of open
 * calls by line and id keeps that until its `state=closed`.
 * Main thread only; pure (the events are strings in, counters out).
 */
#include <stdlib.h>
#include <string.h>
#include <re.h>
#include "ataua.h"
#include "ctrl_proto.h"
#include "metrics.h"
#include "metrics_ev.h"

enum {
	OPEN_CALLS_MAX = 64,       /* more open calls than lines ever hold */
	FIELD_MAX = 128,
};

struct open_call {
	uint32_t line, id;
	bool in, answered, used;
};

struct metrics_ev {
	struct metrics *m;         /* ref */
	struct open_call callv[OPEN_CALLS_MAX];
	size_t evict;              /* the slot a full table reuses next */
};

/* One event's fields: up to FIELDS_MAX key=value pairs, values unquoted */
enum { FIELDS_MAX = 12 };
struct fields {
	struct pl name;
	struct pl key[FIELDS_MAX], val[FIELDS_MAX];
	size_t n;
};

static const struct {
	const char *name, *help;
	enum metrics_type type;
} familyv[] = {
	{"ataua_calls_total", "Finished calls by line, direction and "
	 "result (answered, busy, declined, cancelled, unanswered, failed)",
	 METRICS_COUNTER},
	{"ataua_registrations_total", "SIP registration outcomes by line: "
	 "became registered, or an attempt failed", METRICS_COUNTER},
	{"ataua_registration_failures_total", "Failed SIP registration "
	 "attempts by line and reason (SIP code, timeout, dns, transport)",
	 METRICS_COUNTER},
	{"ataua_nat_verdict", "The NAT verdict and traversal method in "
	 "force (1 on the current pair)", METRICS_GAUGE},
	{"ataua_nat_mappings_lost_total", "NAT mappings found lost, by "
	 "the traversal module that held them", METRICS_COUNTER},
	{"ataua_audio_device_errors_total", "Audio devices lost by line "
	 "(unplugged, or the driver failed)", METRICS_COUNTER},
	{"ataua_calls_one_way_total", "One-way audio in calls by line: "
	 "nothing received while we sent", METRICS_COUNTER},
};


static void metrics_ev_destructor(void *arg)
{
	struct metrics_ev *me = arg;

	mem_deref(me->m);
}


/** Declare the families it counts in m, and take a reference to m */
int metrics_ev_alloc(struct metrics_ev **mep, struct metrics *m)
{
	struct metrics_ev *me;
	size_t i;
	int err = 0;

	if (!mep || !m)
		return EINVAL;

	for (i = 0; i < ARRAY_SIZE(familyv) && !err; i++)
		err = metrics_family(m, familyv[i].name, familyv[i].type,
				     familyv[i].help);
	if (err)
		return err;

	me = mem_zalloc(sizeof(*me), metrics_ev_destructor);
	if (!me)
		return ENOMEM;

	me->m = mem_ref(m);
	*mep = me;

	return 0;
}


static void pl_of(struct pl *pl, const char *p, size_t l)
{
	pl->p = p;
	pl->l = l;
}


/* `<6>NAME k=v k="quoted v"`: a quoted value ends at a quote that ends
   the line or comes before a space (a SIP reason may hold quotes) */
static bool fields_parse(struct fields *f, const char *line)
{
	const char *p = line, *e;

	memset(f, 0, sizeof(*f));
	if (*p++ != '<')
		return false;
	while (*p >= '0' && *p <= '9')
		++p;
	if (*p++ != '>')
		return false;

	e = strchr(p, ' ');
	pl_of(&f->name, p, e ? (size_t)(e - p) : strlen(p));

	while (e && f->n < FIELDS_MAX) {
		p = e + 1;
		e = strchr(p, '=');
		if (!e)
			break;
		pl_of(&f->key[f->n], p, e - p);
		p = e + 1;
		if (*p == '"') {
			++p;
			for (e = strchr(p, '"'); e && e[1] && e[1] != ' ';)
				e = strchr(e + 1, '"');
			pl_of(&f->val[f->n], p,
				     e ? (size_t)(e - p) : strlen(p));
			e = e && e[1] ? e + 1 : NULL;
		}
		else {
			e = strchr(p, ' ');
			pl_of(&f->val[f->n], p,
				     e ? (size_t)(e - p) : strlen(p));
		}
		++f->n;
	}

	return true;
}


/* The value of key as a string, "" when absent */
static const char *field(const struct fields *f, const char *key,
			 char *buf, size_t sz)
{
	size_t i;

	buf[0] = '\0';
	for (i = 0; i < f->n; i++) {
		if (!pl_strcmp(&f->key[i], key)) {
			(void)pl_strcpy(&f->val[i], buf, sz);
			break;
		}
	}

	return buf;
}


static uint32_t field_u32(const struct fields *f, const char *key)
{
	char buf[16];

	return (uint32_t)strtoul(field(f, key, buf, sizeof(buf)), NULL, 10);
}


/**
 * A finished call's result label: answered, or what the SIP code says
 * (0: it ended on this side or the peer gave up before an answer)
 */
const char *metrics_ev_call_result(bool answered, unsigned scode)
{
	if (answered)
		return "answered";

	switch (scode) {

	case 0:
	case 487: return "cancelled";
	case 486:
	case 600: return "busy";
	case 603: return "declined";
	case 408:
	case 480: return "unanswered";
	default:  return "failed";
	}
}


/**
 * A registration failure's reason label, a small fixed set: the SIP code
 * ("403 Forbidden" -> "403"), timeout, dns, no_registrar, or transport
 */
const char *metrics_ev_reg_reason(const char *reason, char code[4])
{
	if (!reason)
		return "transport";

	if (strlen(reason) >= 3 && reason[0] >= '1' && reason[0] <= '6' &&
	    reason[1] >= '0' && reason[1] <= '9' &&
	    reason[2] >= '0' && reason[2] <= '9' &&
	    (reason[3] == ' ' || reason[3] == '\0')) {
		memcpy(code, reason, 3);
		code[3] = '\0';
		return code;
	}

	if (!strncmp(reason, "timeout", 7))
		return "timeout";
	if (!strncmp(reason, "DNS", 3))
		return "dns";
	if (!strcmp(reason, "no registrar"))
		return "no_registrar";

	return "transport";
}


/* A call by line and id; with add, a new entry for one not seen (a
   full table reuses its slots in turn: calls dropped without a closed,
   as at shutdown, must not keep later calls from being counted) */
static struct open_call *call_find(struct metrics_ev *me, uint32_t line,
				   uint32_t id, bool add)
{
	struct open_call *slot = NULL;
	size_t i;

	for (i = 0; i < OPEN_CALLS_MAX; i++) {
		struct open_call *oc = &me->callv[i];

		if (oc->used && oc->line == line && oc->id == id)
			return oc;
		if (!oc->used && !slot)
			slot = oc;
	}

	if (!add)
		return NULL;

	if (!slot) {
		slot = &me->callv[me->evict];
		me->evict = (me->evict + 1) % OPEN_CALLS_MAX;
	}

	memset(slot, 0, sizeof(*slot));
	slot->used = true;
	slot->line = line;
	slot->id = id;

	return slot;
}


/* An outgoing call sends no event until it rings or is answered: one
   refused at once (busy, not found) is first seen closed */
static void on_call(struct metrics_ev *me, const struct fields *f)
{
	char st[16], ln[12];
	struct open_call *oc;

	field(f, "state", st, sizeof(st));
	field(f, "line", ln, sizeof(ln));

	oc = call_find(me, field_u32(f, "line"), field_u32(f, "id"), true);
	if (!strcmp(st, "incoming"))
		oc->in = true;
	else if (!strcmp(st, "established"))
		oc->answered = true;

	if (strcmp(st, "closed"))
		return;

	(void)metrics_add(me->m, "ataua_calls_total", 1, "line", ln,
			  "direction", oc->in ? "in" : "out", "result",
			  metrics_ev_call_result(oc->answered,
						 field_u32(f, "scode")), NULL);
	oc->used = false;
}


static void on_reg(struct metrics_ev *me, const struct fields *f)
{
	char st[16], ln[12], reason[FIELD_MAX], code[4];

	field(f, "state", st, sizeof(st));
	field(f, "line", ln, sizeof(ln));

	if (!strcmp(st, "registered")) {
		(void)metrics_add(me->m, "ataua_registrations_total", 1,
				  "line", ln, "result", "registered", NULL);
	}
	else if (!strcmp(st, "failed")) {
		field(f, "reason", reason, sizeof(reason));
		(void)metrics_add(me->m, "ataua_registrations_total", 1,
				  "line", ln, "result", "failed", NULL);
		(void)metrics_add(me->m, "ataua_registration_failures_total",
				  1, "line", ln, "reason",
				  metrics_ev_reg_reason(reason, code), NULL);
	}
}


static void on_nat(struct metrics_ev *me, const struct fields *f)
{
	char verdict[32], method[32];

	field(f, "verdict", verdict, sizeof(verdict));
	field(f, "method", method, sizeof(method));

	metrics_clear(me->m, "ataua_nat_verdict");
	(void)metrics_set(me->m, "ataua_nat_verdict", 1, "verdict", verdict,
			  "method", method, NULL);
}


static void on_device_lost(struct metrics_ev *me, const struct fields *f)
{
	char ln[12];

	(void)metrics_add(me->m, "ataua_audio_device_errors_total", 1,
			  "line", field(f, "line", ln, sizeof(ln)), NULL);
}


static void on_one_way(struct metrics_ev *me, const struct fields *f)
{
	char ln[12];

	(void)metrics_add(me->m, "ataua_calls_one_way_total", 1,
			  "line", field(f, "line", ln, sizeof(ln)), NULL);
}


static void on_nat_lost(struct metrics_ev *me, const struct fields *f)
{
	char mod[32];

	field(f, "module", mod, sizeof(mod));
	(void)metrics_add(me->m, "ataua_nat_mappings_lost_total", 1,
			  "module", mod, NULL);
}


/** Count what one event line says (the wire form, without newline) */
void metrics_ev_feed(struct metrics_ev *me, const char *line)
{
	static const struct {
		const char *name;
		void (*h)(struct metrics_ev *me, const struct fields *f);
	} onv[] = {
		{ATA_EVENT_CALL,       on_call},
		{ATA_EVENT_REG,        on_reg},
		{ATA_EVENT_NAT,        on_nat},
		{ATA_EVENT_AUDIO_LOST, on_device_lost},
		{ATA_EVENT_NAT_LOST,   on_nat_lost},
		{ATA_EVENT_ONE_WAY,    on_one_way},
	};
	struct fields f;
	size_t i;

	if (!me || !line || !fields_parse(&f, line))
		return;

	for (i = 0; i < ARRAY_SIZE(onv); i++) {
		if (!pl_strcmp(&f.name, onv[i].name)) {
			onv[i].h(me, &f);
			return;
		}
	}
}
