/**
 * @file history.c  The last finished calls: a bounded ring of records
 *
 * Slots are allocated once per size (history_alloc, history_resize), so
 * adding a record never allocates. The text form of a record is one
 * line of key=value pairs, the values that may hold spaces quoted as the
 * events quote them (peer="sip:..." reason="Busy Here").
 */
#include <string.h>
#include <time.h>
#include <re.h>
#include "ataua.h"
#include "history.h"

struct history {
	struct history_rec *recv;   /* size slots                   */
	size_t size;
	size_t count;               /* records held, <= size        */
	size_t next;                /* slot the next record takes   */
};


static void history_destructor(void *arg)
{
	struct history *h = arg;

	mem_deref(h->recv);
}


static int slots_alloc(struct history_rec **recvp, size_t size)
{
	/* one slot even for size 0: mem_zalloc(0) is not an allocation */
	*recvp = mem_zalloc((size ? size : 1) * sizeof(**recvp), NULL);

	return *recvp ? 0 : ENOMEM;
}


/**
 * A ring of @p size records (0 keeps none)
 * @return 0, EINVAL (more than HISTORY_MAX) or ENOMEM
 */
int history_alloc(struct history **hp, size_t size)
{
	struct history *h;
	int err;

	if (!hp || size > HISTORY_MAX)
		return EINVAL;

	h = mem_zalloc(sizeof(*h), history_destructor);
	if (!h)
		return ENOMEM;

	err = slots_alloc(&h->recv, size);
	if (err)
		goto out;

	h->size = size;

 out:
	if (err)
		mem_deref(h);
	else
		*hp = h;

	return err;
}


/** The i-th newest record (0: the last one), NULL past the count */
const struct history_rec *history_get(const struct history *h, size_t i)
{
	if (!h || i >= h->count)
		return NULL;

	return &h->recv[(h->next + h->size - 1 - i) % h->size];
}


/**
 * Another size (a reload), keeping the newest records that fit
 * @return 0, EINVAL or ENOMEM (the ring stays as it was)
 */
int history_resize(struct history *h, size_t size)
{
	struct history_rec *recv;
	size_t i, keep;
	int err;

	if (!h || size > HISTORY_MAX)
		return EINVAL;

	if (size == h->size)
		return 0;

	err = slots_alloc(&recv, size);
	if (err)
		return err;

	/* oldest kept first, so the newest ends at slot keep - 1 */
	keep = h->count < size ? h->count : size;
	for (i = 0; i < keep; i++)
		recv[i] = *history_get(h, keep - 1 - i);

	mem_deref(h->recv);
	h->recv  = recv;
	h->size  = size;
	h->count = keep;
	h->next  = size ? keep % size : 0;

	return 0;
}


/**
 * Keep @p reason (NULL: none) in @p r. The longest reasons are the
 * resolver's ("DNS timeout: name server ... does not answer (looking up
 * HOST)"); one that still does not fit ends in "..." so a reader knows
 * it was cut rather than taking the cut text for the whole.
 */
void history_set_reason(struct history_rec *r, const char *reason)
{
	static const char cut[] = "...";
	size_t sz = sizeof(r->reason);

	if (!r)
		return;

	str_ncpy(r->reason, reason ? reason : "", sz);
	if (str_len(reason) >= sz)
		memcpy(r->reason + sz - sizeof(cut), cut, sizeof(cut));
}


/** Keep a copy of @p rec, over the oldest when full */
void history_add(struct history *h, const struct history_rec *rec)
{
	if (!h || !rec || !h->size)
		return;

	h->recv[h->next] = *rec;
	h->next = (h->next + 1) % h->size;
	if (h->count < h->size)
		++h->count;
}


size_t history_count(const struct history *h)
{
	return h ? h->count : 0;
}


size_t history_size(const struct history *h)
{
	return h ? h->size : 0;
}


static int print_start(struct re_printf *pf, uint64_t start)
{
	time_t t = (time_t)start;
	char buf[32];
	struct tm tm;

	if (!start || !gmtime_r(&t, &tm) ||
	    !strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm))
		return re_hprintf(pf, "start=- ");

	return re_hprintf(pf, "start=%s ", buf);
}


/**
 * One record on one line (no newline): line id [start] dir peer dur_s
 * codec, the quality keys (call_quality_print), by code reason
 */
int history_rec_print(struct re_printf *pf, const struct history_rec *r,
		      bool start)
{
	const struct call_quality *q;
	int err;

	if (!r)
		return EINVAL;

	q = &r->q;
	err = re_hprintf(pf, "line=%u id=%u ", r->line, q->id);
	if (start)
		err |= print_start(pf, q->start);
	err |= re_hprintf(pf, "dir=%s peer=%H dur_s=%u.%02u codec=%s ",
			  q->incoming ? "in" : "out", ata_quoted, q->peer,
			  q->dur_ms / 1000, q->dur_ms % 1000 / 10,
			  q->codec ? q->codec : "none");
	err |= call_quality_print(pf, q, ' ');
	err |= re_hprintf(pf, "by=%s code=%u reason=%H",
			  q->by ? q->by : CALL_BY_ERROR, r->scode,
			  ata_quoted, r->reason);

	return err;
}


/**
 * The @p n newest records (0: all), newest first, one line each, then
 * `count=` the number printed
 */
int history_print(struct re_printf *pf, const struct history *h, size_t n)
{
	size_t i, cnt = history_count(h);
	int err = 0;

	if (n && n < cnt)
		cnt = n;

	for (i = 0; i < cnt; i++) {
		err |= history_rec_print(pf, history_get(h, i), true);
		err |= re_hprintf(pf, "\n");
	}

	return err | re_hprintf(pf, "count=%zu\n", cnt);
}
