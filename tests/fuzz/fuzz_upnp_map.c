/**
 * @file fuzz_upnp_map.c  libFuzzer: a hostile IGD's answers to the upnp
 * module's mapping state machine (modules/upnp/upnp_map*.c)
 *
 * The worker thread (miniupnpc) is replaced by a queue, as in
 * tests/unit/test_upnp_map.c: each job the map submits is answered from
 * the input with whatever an IGD may say: any UPnP/miniupnpc code, an
 * external address that is private, empty, not an address at all, an
 * entry held by another client or port, any lease. The binding handed
 * to the NAT policy must always be a public address with a port.
 *
 * Input: 2 bytes of local port, then per answer: flags (1), code (2),
 * lease (4), then three strings, each a length byte and that many bytes
 * (external address, entry client, entry port). Flag bits: 0-2 pick a
 * canned address instead of the string, 3 answers for another map id,
 * 4 releases the map from inside the NAT handler, 5 uses the code's
 * errno, 6 a raw errno from the code's low byte.
 *
 * The map's objects come from the module's archive (run.sh); the fakes
 * below keep upnp.o, upnp_worker.o and upnp_xcheck.o out.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <re.h>

#include "ataua.h"
#include "../../modules/upnp/upnp_map.h"

enum { JOBS_MAX = 16 };

static struct {
	struct list maps;
	struct upnp_job *jobv[JOBS_MAX];
	size_t jobc;
	uint32_t next_id;
	bool release_in_h;
	struct upnp_map *m;
} fx;


/* ---- fakes of upnp.c, upnp_worker.c, upnp_xcheck.c ---- */

int upnp_submit(struct upnp_job *job)
{
	if (fx.jobc >= JOBS_MAX)
		abort();  /* a map must never queue jobs without end */
	fx.jobv[fx.jobc++] = job;

	return 0;
}


int upnp_job_alloc(struct upnp_job **jobp, enum upnp_op op)
{
	struct upnp_job *job = mem_zalloc(sizeof(*job), NULL);

	if (!job)
		return ENOMEM;
	job->op = op;
	*jobp = job;

	return 0;
}


struct list *upnp_maps(void)
{
	return &fx.maps;
}


uint32_t upnp_next_id(void)
{
	return ++fx.next_id;
}


/* an IGD answered discovery: the map texts of that case (upnp_map.c) */
bool upnp_igd_found(void)
{
	return true;
}


void upnp_set_error(int err, int code, const char *what)
{
	(void)err;
	(void)code;
	(void)what;
}


int upnp_xcheck_start(struct upnp_xcheck **xp, const struct sa *laddr,
		      uint32_t timeout_ms, upnp_xcheck_h *h, void *arg)
{
	(void)xp; (void)laddr; (void)timeout_ms; (void)h; (void)arg;

	return ENOTSUP;
}


/* ---- the fuzzer ---- */

struct rd {
	const uint8_t *p;
	size_t left;
};


static bool take(struct rd *r, void *dst, size_t n)
{
	if (r->left < n)
		return false;
	memcpy(dst, r->p, n);
	r->p += n;
	r->left -= n;
	return true;
}


/* A length-prefixed string into @p buf (always terminated) */
static void take_str(struct rd *r, char *buf, size_t sz)
{
	uint8_t n = 0;

	buf[0] = '\0';
	if (!take(r, &n, 1))
		return;
	if (n >= sz)
		n = (uint8_t)(sz - 1);
	if (n > r->left)
		n = (uint8_t)r->left;
	(void)take(r, buf, n);
	buf[n] = '\0';
}


static void bind_h(int err, const struct ata_nat_binding *b, void *arg)
{
	(void)arg;

	if (!err && (!b || !sa_port(&b->public) ||
		     !upnp_addr_public(&b->public)))
		abort();  /* a private or port-less "public" address */

	if (fx.release_in_h)
		fx.m = mem_deref(fx.m);
}


static const char *canned[] = {
	"44.0.0.60", "192.168.1.1", "0.0.0.0", "255.255.255.255",
	"100.64.0.1", "", "not-an-address",
};

static const int codes[] = {
	0, 402, 501, 606, 714, 715, 716, 718, 724, 725, 726, 727, 728, -3,
};


int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;

	ata_log_set_level(ATA_LOG_ERR);  /* a log line per answer: slow */

	return libre_init() ? -1 : 0;
}


int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rd r = { data, size };
	struct sa laddr;
	uint16_t port;
	int rounds = 0;

	memset(&fx, 0, sizeof(fx));
	if (!take(&r, &port, 2) || !port)
		return 0;
	if (sa_set_str(&laddr, "192.168.1.10", port) ||
	    upnp_map_alloc(&fx.m, &laddr, 2000, bind_h, NULL))
		return 0;

	while (fx.jobc && rounds++ < 256) {
		struct upnp_job *job = fx.jobv[0];
		uint8_t flags = 0;
		int16_t code = 0;
		uint32_t lease = 0;

		memmove(fx.jobv, fx.jobv + 1, --fx.jobc * sizeof(fx.jobv[0]));
		if (!take(&r, &flags, 1) || !take(&r, &code, 2) ||
		    !take(&r, &lease, 4)) {
			mem_deref(job);
			break;
		}

		job->code = (flags & 0x80) ? code :
			codes[(uint16_t)code % ARRAY_SIZE(codes)];
		job->err = (flags & 0x40) ? (code & 0xff) :
			upnp_code_errno(job->code);
		job->got_lease_s = lease;
		job->igd.found = true;
		take_str(&r, job->igd.ext_ip, sizeof(job->igd.ext_ip));
		if (flags & 7)
			str_ncpy(job->igd.ext_ip,
				 canned[(flags & 7) % ARRAY_SIZE(canned)],
				 sizeof(job->igd.ext_ip));
		str_ncpy(job->igd.lan, "192.168.1.10", sizeof(job->igd.lan));
		if (!job->client[0])
			str_ncpy(job->client, "192.168.1.10",
				 sizeof(job->client));
		take_str(&r, job->got_client, sizeof(job->got_client));
		take_str(&r, job->got_port, sizeof(job->got_port));
		if (flags & 8)
			job->map_id ^= 1;
		fx.release_in_h = flags & 0x10;

		upnp_map_job_done(job);
		mem_deref(job);
	}

	fx.m = mem_deref(fx.m);
	while (fx.jobc)
		mem_deref(fx.jobv[--fx.jobc]);

	return 0;
}
