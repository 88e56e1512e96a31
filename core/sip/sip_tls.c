/**
 * @file sip_tls.c  Verify SIP servers' TLS certificates and host names
 *
 * libre 1.1.0 installs an OpenSSL verify callback that accepts every
 * certificate, which makes SIP over TLS encrypted but not authenticated:
 * anyone on the path could answer for the registrar and collect the
 * digest exchange. A box on the open Internet must not do that, so we
 * replace the callback with OpenSSL's own chain verification (against
 * `sip.tls_ca`) plus a host-name check against the servers the config
 * names. OpenSSL is already in the process through libre; we only need
 * its headers.
 */
#include <string.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include "ataua.h"
#include "sip_tls.h"

/* exported by libre, declared in re_tls.h only with USE_OPENSSL */
struct ssl_ctx_st *tls_openssl_context(const struct tls *tls);

enum { HOSTS_MAX = 64 };

static struct {
	char *hostv[HOSTS_MAX];
	size_t hostc;
} tv;


static bool cert_matches(X509 *cert, const char *host)
{
	if (X509_check_ip_asc(cert, host, 0) == 1)
		return true;

	return X509_check_host(cert, host, 0, 0, NULL) == 1;
}


static int verify_cb(int ok, X509_STORE_CTX *store)
{
	X509 *cert = X509_STORE_CTX_get_current_cert(store);
	char subject[256] = "?";
	size_t i;

	if (cert)
		X509_NAME_oneline(X509_get_subject_name(cert), subject,
				  sizeof(subject));

	if (!ok) {
		int e = X509_STORE_CTX_get_error(store);

		ata_security("event=tls-verify-failed subject=%H "
			     "reason=\"%s\"", ata_quoted, subject,
			     X509_verify_cert_error_string(e));
		return 0;
	}

	/* only the server's own certificate carries its name */
	if (X509_STORE_CTX_get_error_depth(store) != 0 || !cert)
		return 1;

	for (i = 0; i < tv.hostc; i++) {
		if (cert_matches(cert, tv.hostv[i]))
			return 1;
	}

	ata_security("event=tls-name-mismatch subject=%H", ata_quoted,
		     subject);
	X509_STORE_CTX_set_error(store, X509_V_ERR_HOSTNAME_MISMATCH);

	return 0;
}


void sip_tls_reset(void)
{
	size_t i;

	for (i = 0; i < tv.hostc; i++)
		tv.hostv[i] = mem_deref(tv.hostv[i]);

	tv.hostc = 0;
}


int sip_tls_verify(struct tls *tls, const char * const *hostv, size_t hostc)
{
	SSL_CTX *ctx;
	size_t i;
	int err = 0;

	if (!tls || (hostc && !hostv))
		return EINVAL;

	ctx = tls_openssl_context(tls);
	if (!ctx)
		return ENOTSUP;

	sip_tls_reset();

	for (i = 0; i < hostc && tv.hostc < HOSTS_MAX; i++) {
		if (!str_isset(hostv[i]))
			continue;
		err = str_dup(&tv.hostv[tv.hostc], hostv[i]);
		if (err)
			return err;
		++tv.hostc;
	}

	SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, verify_cb);

	return 0;
}
