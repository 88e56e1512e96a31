/**
 * @file tests/unit/test_hint_core.c  core/mod/hint.c: the hooks reach the
 *                                   module, and an unregistered module's
 *                                   call states are never touched again
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <cmocka.h>
#include <re.h>
#include "ataua.h"
#include "mod/hint.h"

static int freed, remote_calls;
static const struct sa *last_dst;
static void *last_state;


static void state_destructor(void *arg)
{
	(void)arg;
	++freed;
}


static int fake_alloc(void **statep, struct udp_sock *us,
		      const struct sa *laddr, const struct sa *pub,
		      struct sdp_media *m)
{
	(void)us;
	(void)laddr;
	(void)pub;
	(void)m;

	*statep = last_state = mem_zalloc(8, state_destructor);
	return *statep ? 0 : ENOMEM;
}


static void fake_remote(void *state, const struct sdp_media *m,
			const struct sa *dst, ata_hint_dst_h *h, void *arg)
{
	(void)state;
	(void)m;
	(void)h;
	(void)arg;
	++remote_calls;
	last_dst = dst;
}


static struct ata_hint fake = {
	.version = ATA_HINT_VERSION,
	.name = "fake",
	.media_alloc = fake_alloc,
	.media_remote = fake_remote,
};


static void test_hooks_and_forget(void **state)
{
	/* the hooks only pass these pointers on: any non-NULL will do */
	struct udp_sock *us = (struct udp_sock *)&fake;
	struct sdp_media *m = (struct sdp_media *)&fake;
	struct hint_media *a = NULL, *b = NULL;
	struct sa dst;

	(void)state;
	sa_set_str(&dst, "192.168.1.11", 20000);

	/* no module: nothing */
	assert_int_equal(hint_media_alloc(&a, us, &dst, &dst, m), 0);
	assert_null(a);

	assert_int_equal(ata_hint_register(&fake), 0);
	assert_int_equal(hint_media_alloc(&b, us, &dst, &dst, m), 0);
	assert_int_equal(hint_media_alloc(&a, us, &dst, &dst, m), 0);
	assert_non_null(a);
	assert_non_null(b);

	hint_media_remote(a, m, &dst, NULL, NULL);
	assert_int_equal(remote_calls, 1);
	assert_ptr_equal(last_dst, &dst);

	/* a call that ends while the module is there frees its state */
	mem_deref(b);
	assert_int_equal(freed, 1);

	/* the module goes: the core forgets, the state is the module's */
	ata_hint_unregister(&fake);
	hint_media_remote(a, m, &dst, NULL, NULL);
	assert_int_equal(remote_calls, 1);
	mem_deref(a);
	assert_int_equal(freed, 1);
	mem_deref(last_state);  /* as the module's close does */
	assert_int_equal(freed, 2);

	assert_int_equal(hint_media_alloc(NULL, us, &dst, &dst, m), EINVAL);
	hint_media_remote(NULL, m, &dst, NULL, NULL);
	hint_sip_socket(NULL, NULL);
}


int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hooks_and_forget),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
