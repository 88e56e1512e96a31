/**
 * @file modules/upnp/upnp_worker.c  miniupnpc on one worker thread
 *
 * Why a thread and not an asynchronous client on libre: SSDP, the XML
 * description and SOAP each take a round trip or several and miniupnpc,
 * which is well kept and knows the quirks of real IGDs (IGDv1/v2,
 * WANIPConnection and WANPPPConnection, URLBase handling), only offers
 * blocking calls. One thread runs the jobs one after the other (an IGD
 * copes badly with parallel SOAP requests anyway) and hands each job
 * back to the main loop through a libre mqueue; the main loop never
 * waits for the IGD. The IGD's URLs live on this thread only.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <miniupnpc/miniupnpc.h>
#include <miniupnpc/upnpcommands.h>
#include "upnp.h"

enum {
	DISCOVER_DELAY_MIN_MS = 100,
	SSDP_TTL = 2,
	PINHOLE_QUIET_MS = 60000,
};

struct upnp_worker {
	pthread_t thread;
	bool started;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	bool stop;                 /* under lock */
	struct list todo;          /* under lock */
	struct list done;          /* under lock */
	struct mqueue *mq;
	upnp_job_done_h *doneh;
	void *arg;
	/* worker thread only */
	struct pmp_client *pmp;
	struct UPNPUrls urls;
	struct IGDdatas data;
	struct upnp_igd igd;
	struct upnp_igd igd6;      /* the IPv6 router's PCP server or IGD */
	struct upnp_pinhole6 *ph6; /* its IGDv2 firewall service */
	uint64_t igd6_quiet_until; /* CLOCK_MONOTONIC ms: no probe before */
};


static void igd_forget(struct upnp_worker *w)
{
	if (w->igd.found && w->igd.proto == ATA_MAP_UPNP)
		FreeUPNPUrls(&w->urls);
	memset(&w->urls, 0, sizeof(w->urls));
	memset(&w->igd, 0, sizeof(w->igd));
}


static void igd_ext_ip(struct upnp_worker *w)
{
	char ip[40] = "";

	if (!UPNP_GetExternalIPAddress(w->urls.controlURL,
				       w->data.first.servicetype, ip))
		str_ncpy(w->igd.ext_ip, ip, sizeof(w->igd.ext_ip));
}


/* SSDP for IGDv2 then v1 devices, then the description and address */
static int igd_discover(struct upnp_worker *w, uint32_t timeout_ms)
{
	static const char *const types[] = {
		"urn:schemas-upnp-org:device:InternetGatewayDevice:2",
		"urn:schemas-upnp-org:device:InternetGatewayDevice:1",
		NULL
	};
	struct UPNPDev *devs;
	char lan[64] = "";
	int delay, error = 0, r;

	igd_forget(w);

	/* each searched type may wait up to two delays for answers */
	delay = (int)(timeout_ms / 5);
	if (delay < DISCOVER_DELAY_MIN_MS)
		delay = DISCOVER_DELAY_MIN_MS;

	devs = upnpDiscoverDevices(types, delay, NULL, NULL,
				   UPNP_LOCAL_PORT_ANY, 0, SSDP_TTL,
				   &error, 0);
	if (!devs)
		return error == UPNPDISCOVER_SOCKET_ERROR ? ENETDOWN : ENODEV;

	memset(&w->data, 0, sizeof(w->data));
	r = UPNP_GetValidIGD(devs, &w->urls, &w->data, lan, sizeof(lan));
	freeUPNPDevlist(devs);
	if (r != 1) {
		if (r)
			FreeUPNPUrls(&w->urls);
		memset(&w->urls, 0, sizeof(w->urls));
		return r == 2 ? ENETDOWN : ENODEV;
	}

	w->igd.found = true;
	str_ncpy(w->igd.url, w->urls.rootdescURL ? w->urls.rootdescURL : "",
		 sizeof(w->igd.url));
	str_ncpy(w->igd.service, w->data.first.servicetype,
		 sizeof(w->igd.service));
	str_ncpy(w->igd.lan, lan, sizeof(w->igd.lan));
	igd_ext_ip(w);

	return 0;
}


/* GetSpecificPortMappingEntry into the job's got_* fields */
static int entry_get(struct upnp_worker *w, struct upnp_job *job,
		     const char *ext)
{
	/* buffer sizes as miniupnpc documents them */
	char client[64] = "", port[8] = "", desc[80], enabled[8];
	char dur[16] = "";
	int r;

	r = UPNP_GetSpecificPortMappingEntry(w->urls.controlURL,
					     w->data.first.servicetype, ext,
					     "UDP", NULL, client, port, desc,
					     enabled, dur);
	str_ncpy(job->got_client, r ? "" : client, sizeof(job->got_client));
	str_ncpy(job->got_port, r ? "" : port, sizeof(job->got_port));
	job->got_lease_s = r ? 0 : (uint32_t)strtoul(dur, NULL, 10);

	return r;
}


static int soap(struct upnp_worker *w, struct upnp_job *job)
{
	const char *ctl = w->urls.controlURL;
	const char *svc = w->data.first.servicetype;
	char ext[8], in[8], lease[16], desc[32];
	int r;

	re_snprintf(ext, sizeof(ext), "%u", job->ext_port);
	re_snprintf(in, sizeof(in), "%u", job->int_port);
	re_snprintf(lease, sizeof(lease), "%u", job->lease_s);
	if (!job->client[0])
		str_ncpy(job->client, w->igd.lan, sizeof(job->client));

	switch (job->op) {

	case UPNP_OP_ADD:
		re_snprintf(desc, sizeof(desc), "ataua %u", job->int_port);
		r = UPNP_AddPortMapping(ctl, svc, ext, in, job->client, desc,
					"UDP", NULL, lease);
		if (!r)
			igd_ext_ip(w);   /* a PPP reconnect may change it */
		else if (r == UPNP_E_CONFLICT)
			/* who holds it: a refresh that meets another
			   host's entry names it in the theft report */
			(void)entry_get(w, job, ext);
		return r;

	case UPNP_OP_GET:
		return entry_get(w, job, ext);

	case UPNP_OP_DEL:
		r = entry_get(w, job, ext);
		if (r)
			return r;
		/* delete only what is ours: never another host's entry */
		if (str_cmp(job->got_client, job->client) ||
		    strtoul(job->got_port, NULL, 10) != job->int_port)
			return UPNP_E_NOT_AUTHORIZED;
		return UPNP_DeletePortMapping(ctl, svc, ext, "UDP", NULL);

	default:
		return 0;
	}
}


static int proto_discover(struct upnp_worker *w, struct upnp_job *job,
			  enum ata_map_proto p)
{
	igd_forget(w);
	if (p == ATA_MAP_UPNP)
		return igd_discover(w, job->timeout_ms);

	return pmp_discover(w->pmp, p, job->timeout_ms, job, &w->igd);
}


/* The first of the job's protocols the gateway speaks (the policy's
   order, traversal.upnp.protocols). On @p retry, after a failure, the
   protocol that was working is asked first: a restarted router most
   likely speaks it again, and the others' probes would delay it. */
static int gw_discover(struct upnp_worker *w, struct upnp_job *job,
		       bool retry)
{
	enum ata_map_proto was = w->igd.proto;
	int err = ENODEV;
	size_t i;

	if (retry && !proto_discover(w, job, was))
		return 0;

	for (i = 0; i < job->protoc; i++) {
		if (retry && job->protov[i] == was)
			continue;
		err = proto_discover(w, job, job->protov[i]);
		if (!err)
			return 0;
	}

	return err;
}


static uint64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);

	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}


/* The IPv6 router's pinhole service: PCP first, then a UPnP IGDv2's
   WANIPv6FirewallControl (its SSDP gets half the budget: PCP
   probes with an eighth) */
static bool job_allows(const struct upnp_job *job, enum ata_map_proto p)
{
	size_t i;

	for (i = 0; i < job->protoc; i++)
		if (job->protov[i] == p)
			return true;

	return false;
}


static int pinhole_discover(struct upnp_worker *w, struct upnp_job *job)
{
	int err = ENOTSUP, err6;

	if (job_allows(job, ATA_MAP_PCP)) {
		err = pmp_discover6(w->pmp, job->timeout_ms, job, &w->igd6);
		if (!err)
			return 0;
	}

	if (!job_allows(job, ATA_MAP_UPNP))
		return err;

	err6 = upnp_pinhole6_discover(w->ph6, job->timeout_ms / 2, job,
				      &w->igd6);
	if (!err6)
		return 0;

	/* no IGD answered the SSDP search: that wait is what the quiet
	   time spares the next pinholes, whatever PCP said */
	return err6 == ETIMEDOUT ? err6 : err;
}


static void pinhole_soap(struct upnp_worker *w, struct upnp_job *job,
			 bool stopping)
{
	int r = upnp_pinhole6_run(w->ph6, job);

	/* no HTTP answer: the IGD restarted on another port; look again */
	if (r < 0 && !stopping) {
		memset(&w->igd6, 0, sizeof(w->igd6));
		if (!pinhole_discover(w, job)) {
			if (w->igd6.proto != ATA_MAP_UPNP) {
				pmp_run(w->pmp, job, &w->igd6);
				return;
			}
			r = upnp_pinhole6_run(w->ph6, job);
		}
	}

	job->code = r;
	job->err = upnp_code_errno(r);
}


/* An IPv6 pinhole: PCP with the IPv6 default router, whatever the
   IPv4 gateway speaks (a PCP server per family, RFC 6887 §8.1), or
   the router's IGDv2 firewall service where it has no PCP */
static void pinhole_run(struct upnp_worker *w, struct upnp_job *job,
			bool stopping)
{
	if (!w->igd6.found) {
		if (stopping) {
			job->err = ECANCELED;   /* no probe at exit */
			return;
		}
		/* a router that drops 5351 silently costs a probe's wait
		   per port: the IPv4 jobs queued behind a call's RTP
		   pinholes must not wait for each one */
		if (mono_ms() < w->igd6_quiet_until) {
			job->err = ETIMEDOUT;
			goto out;
		}
		job->err = pinhole_discover(w, job);
		if (job->err == ETIMEDOUT)
			w->igd6_quiet_until = mono_ms() + PINHOLE_QUIET_MS;
		if (job->err)
			goto out;
	}

	if (w->igd6.proto == ATA_MAP_UPNP) {
		pinhole_soap(w, job, stopping);
		goto out;
	}

	pmp_run(w->pmp, job, &w->igd6);
	/* no answer: the router restarted or moved; look again, once */
	if (!w->igd6.found && !stopping &&
	    !pinhole_discover(w, job)) {
		if (w->igd6.proto == ATA_MAP_UPNP)
			pinhole_soap(w, job, stopping);
		else
			pmp_run(w->pmp, job, &w->igd6);
	}

 out:
	job->igd = w->igd6;
}


static void job_run(struct upnp_worker *w, struct upnp_job *job,
		    bool stopping)
{
	int r;

	if (stopping && job->op != UPNP_OP_DEL) {
		job->err = ECANCELED;
		return;
	}

	if (job->pinhole) {
		pinhole_run(w, job, stopping);
		return;
	}

	if (job->op == UPNP_OP_DISCOVER || !w->igd.found) {
		if (stopping && !w->igd.found) {
			job->err = ECANCELED;   /* no SSDP wait at exit */
			return;
		}
		job->err = gw_discover(w, job, false);
		if (job->err || job->op == UPNP_OP_DISCOVER)
			goto out;
	}

	if (w->igd.proto != ATA_MAP_UPNP) {
		pmp_run(w->pmp, job, &w->igd);
		/* no answer: the server left or restarted, or the gateway
		   speaks another protocol now; look again, once */
		if (w->igd.found || stopping || gw_discover(w, job, true))
			goto out;
		if (w->igd.proto != ATA_MAP_UPNP) {
			pmp_run(w->pmp, job, &w->igd);
			goto out;
		}
	}

	r = soap(w, job);
	if (r < 0 && !stopping && !gw_discover(w, job, true)) {
		/* the IGD moved (restarted on another HTTP port), or the
		   gateway answers another protocol now: once more */
		if (w->igd.proto != ATA_MAP_UPNP) {
			pmp_run(w->pmp, job, &w->igd);
			goto out;
		}
		r = soap(w, job);
	}

	job->code = r;
	job->err = upnp_code_errno(r);

 out:
	job->igd = w->igd;
}


static void *worker_main(void *arg)
{
	struct upnp_worker *w = arg;

	pthread_mutex_lock(&w->lock);
	for (;;) {
		struct upnp_job *job;
		bool stopping = w->stop;

		if (list_isempty(&w->todo)) {
			if (stopping)
				break;
			pthread_cond_wait(&w->cond, &w->lock);
			continue;
		}

		job = list_ledata(list_head(&w->todo));
		list_unlink(&job->le);
		pthread_mutex_unlock(&w->lock);

		job_run(w, job, stopping);

		pthread_mutex_lock(&w->lock);
		list_append(&w->done, &job->le, job);
		if (!w->stop)
			(void)mqueue_push(w->mq, 0, NULL);
	}
	pthread_mutex_unlock(&w->lock);

	igd_forget(w);

	return NULL;
}


/* Main thread: the worker finished one or more jobs */
static void mqueue_handler(int id, void *data, void *arg)
{
	struct upnp_worker *w = arg;
	struct list done = LIST_INIT;
	struct le *le;
	(void)id;
	(void)data;

	pthread_mutex_lock(&w->lock);
	while ((le = list_head(&w->done))) {
		list_unlink(le);
		list_append(&done, le, le->data);
	}
	pthread_mutex_unlock(&w->lock);

	while ((le = list_head(&done))) {
		struct upnp_job *job = le->data;

		list_unlink(le);
		if (w->doneh)
			w->doneh(job, w->arg);
		mem_deref(job);
	}
}


static void worker_destructor(void *arg)
{
	struct upnp_worker *w = arg;

	if (w->started) {
		/* the queued DeletePortMappings still go out, nothing else */
		pthread_mutex_lock(&w->lock);
		w->stop = true;
		pthread_cond_signal(&w->cond);
		pthread_mutex_unlock(&w->lock);
		pthread_join(w->thread, NULL);
	}

	list_flush(&w->todo);
	list_flush(&w->done);
	mem_deref(w->mq);
	mem_deref(w->pmp);
	mem_deref(w->ph6);
	pthread_cond_destroy(&w->cond);
	pthread_mutex_destroy(&w->lock);
}


static void job_destructor(void *arg)
{
	struct upnp_job *job = arg;

	list_unlink(&job->le);
}


int upnp_job_alloc(struct upnp_job **jobp, enum upnp_op op)
{
	struct upnp_job *job;

	if (!jobp)
		return EINVAL;

	job = mem_zalloc(sizeof(*job), job_destructor);
	if (!job)
		return ENOMEM;

	job->op = op;
	*jobp = job;

	return 0;
}


int upnp_worker_alloc(struct upnp_worker **wp, upnp_job_done_h *doneh,
		      void *arg)
{
	struct upnp_worker *w;
	int err;

	if (!wp)
		return EINVAL;

	w = mem_zalloc(sizeof(*w), worker_destructor);
	if (!w)
		return ENOMEM;

	pthread_mutex_init(&w->lock, NULL);
	pthread_cond_init(&w->cond, NULL);
	w->doneh = doneh;
	w->arg = arg;

	err = mqueue_alloc(&w->mq, mqueue_handler, w);
	if (err)
		goto out;

	err = pmp_client_alloc(&w->pmp);
	if (err)
		goto out;

	err = upnp_pinhole6_alloc(&w->ph6);
	if (err)
		goto out;

	err = pthread_create(&w->thread, NULL, worker_main, w);
	if (err)
		goto out;
	w->started = true;

 out:
	if (err)
		mem_deref(w);
	else
		*wp = w;

	return err;
}


/** Queue @p job; the worker owns it until it comes back (takes a ref) */
int upnp_worker_submit(struct upnp_worker *w, struct upnp_job *job)
{
	if (!w || !job)
		return EINVAL;

	pthread_mutex_lock(&w->lock);
	list_append(&w->todo, &job->le, mem_ref(job));
	pthread_cond_signal(&w->cond);
	pthread_mutex_unlock(&w->lock);

	return 0;
}
