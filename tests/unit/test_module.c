/**
 * @file tests/unit/test_module.c  The module loader and kind registries
 *
 * Loads real shared objects built next to this binary (mod_*.c): a good
 * module, one whose init fails, one of an unknown kind, one whose exports
 * name does not match its file, one with no exports at all, a traversal
 * module built for ops version 1 and one built for a newer core.
 */
#include <libgen.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include "ataua.h"
#include "conf/config.h"
#include "mod/module.h"
#include "mod/traversal.h"

static char moddir[512];


static int buf_h(const char *p, size_t size, void *arg)
{
	return mbuf_write_mem(arg, (const uint8_t *)p, size);
}


/* module_print() into a NUL-terminated string the test owns */
static char *module_listing(void)
{
	struct mbuf *mb = mbuf_alloc(256);
	struct re_printf pf = { buf_h, mb };
	char *s = NULL;

	assert_non_null(mb);
	assert_int_equal(0, module_print(&pf));
	mb->pos = 0;
	assert_int_equal(0, mbuf_strdup(mb, &s, mb->end));
	mem_deref(mb);

	return s;
}


static int teardown(void **state)
{
	(void)state;
	module_unload_all();
	return 0;
}


static void test_load_good(void **state)
{
	char reason[256] = "";
	char *ls;

	(void)state;

	assert_int_equal(0, module_load(moddir, "mod_good", reason,
					sizeof(reason)));
	assert_true(module_loaded("mod_good"));
	assert_int_equal(EALREADY, module_load(moddir, "mod_good", reason,
					       sizeof(reason)));
	assert_string_equal("already loaded", reason);

	ls = module_listing();
	assert_non_null(strstr(ls, "name=mod_good kind=test state=loaded"));
	assert_non_null(strstr(ls, "count=1\n"));
	mem_deref(ls);
}


struct bad_case {
	const char *name;
	int err;
	const char *reason;
};


static void test_load_bad(void **state)
{
	static const struct bad_case cases[] = {
		{"mod_badinit",  ENOMEM,  "init failed"},
		{"mod_badkind",  ELIBBAD, "unknown module kind 'frobnicator'"},
		{"mod_misnamed", ELIBBAD,
		 "exports name 'something-else' does not match"},
		{"mod_noexport", ELIBBAD, "has no valid 'exports' symbol"},
		{"mod_missing",  ENOENT,  "no mod_missing.so in "},
	};
	size_t i;
	char *ls;

	(void)state;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		char reason[256] = "";
		int err;

		err = module_load(moddir, cases[i].name, reason,
				  sizeof(reason));
		assert_int_equal(cases[i].err, err);
		if (!strstr(reason, cases[i].reason))
			fail_msg("%s: reason '%s' lacks '%s'", cases[i].name,
				 reason, cases[i].reason);
		assert_false(module_loaded(cases[i].name));
	}

	/* failures stay listed, with their reason, for `module list` */
	ls = module_listing();
	assert_non_null(strstr(ls, "name=mod_badinit kind=- state=failed"));
	assert_non_null(strstr(ls, "count=5\n"));
	mem_deref(ls);
}


static void test_load_all_required(void **state)
{
	const struct ata_conf_module optional[] = {
		{"mod_good", true}, {"mod_badinit", false},
	};
	const struct ata_conf_module required[] = {
		{"mod_good", true}, {"mod_badinit", true},
	};

	(void)state;

	assert_int_equal(0, module_load_all(moddir, (void *)optional, 2));
	assert_true(module_loaded("mod_good"));
	assert_int_equal(2, module_count());
	module_unload_all();

	/* a required module failing unloads everything */
	assert_int_equal(ENOMEM, module_load_all(moddir, (void *)required, 2));
	assert_false(module_loaded("mod_good"));
	assert_int_equal(0, module_count());
}


/* An older table is taken, found by its name, and never read past its
   end (the module's table is only as long as version 1's: ASan) */
static void test_load_v1_traversal(void **state)
{
	const struct ata_traversal *t;
	char reason[256] = "";

	(void)state;

	assert_int_equal(0, module_load(moddir, "mod_trav_v1", reason,
					sizeof(reason)));
	t = traversal_find(ATA_TRAV_STUN);
	assert_non_null(t);
	assert_int_equal(1, t->version);
	assert_string_equal("stun", t->name);
	assert_int_equal(ATA_TRAV_STUN, traversal_method(t));
	assert_null(traversal_find(ATA_TRAV_UPNP));
	assert_null(traversal_find(ATA_TRAV_NONE));
	traversal_network_changed();   /* a version 2 hook: not called */
	module_unload_all();
	assert_null(traversal_find(ATA_TRAV_STUN));
}


/* A newer table is refused, and module list says why */
static void test_load_future_traversal(void **state)
{
	char reason[256] = "";
	char want[128];
	char *ls;

	(void)state;

	assert_int_equal(ENOTSUP, module_load(moddir, "mod_trav_future",
					      reason, sizeof(reason)));
	re_snprintf(want, sizeof(want), "init failed: traversal 'future':"
		    " ops version %u, this core takes 1 to %u",
		    ATA_TRAVERSAL_VERSION + 1, ATA_TRAVERSAL_VERSION);
	assert_string_equal(want, reason);
	assert_false(module_loaded("mod_trav_future"));
	assert_int_equal(0, list_count(ata_traversal_list()));

	ls = module_listing();
	assert_non_null(strstr(ls, want));
	mem_deref(ls);
}


static int dummy_status(struct re_printf *pf)
{
	return re_hprintf(pf, "state=test\n");
}


static void test_registry_versions(void **state)
{
	struct ata_traversal good = {
		.version = ATA_TRAVERSAL_VERSION, .name = "t",
		.status = dummy_status,
	};
	struct ata_traversal future = {
		.version = ATA_TRAVERSAL_VERSION + 1, .name = "f",
	};
	struct ata_traversal first = { .version = 1, .name = "v1" };
	struct ata_traversal zero = { .version = 0, .name = "z" };
	struct ata_hint nameless = { .version = ATA_HINT_VERSION };

	(void)state;

	assert_int_equal(0, ata_traversal_register(&good));
	assert_int_equal(EALREADY, ata_traversal_register(&good));
	assert_int_equal(ENOTSUP, ata_traversal_register(&future));
	assert_int_equal(ENOTSUP, ata_traversal_register(&zero));
	assert_int_equal(0, ata_traversal_register(&first));
	assert_int_equal(2, list_count(ata_traversal_list()));
	ata_traversal_unregister(&first);
	assert_int_equal(EINVAL, ata_hint_register(&nameless));
	assert_int_equal(1, list_count(ata_traversal_list()));
	ata_traversal_unregister(&good);
	assert_int_equal(0, list_count(ata_traversal_list()));
}


int main(int argc, char *argv[])
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_load_good, teardown),
		cmocka_unit_test_teardown(test_load_bad, teardown),
		cmocka_unit_test_teardown(test_load_all_required, teardown),
		cmocka_unit_test_teardown(test_load_v1_traversal, teardown),
		cmocka_unit_test_teardown(test_load_future_traversal,
					  teardown),
		cmocka_unit_test(test_registry_versions),
	};
	char self[512];
	ssize_t n;
	int r;

	(void)argc;
	(void)argv;

	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n <= 0)
		return 1;
	self[n] = '\0';
	str_ncpy(moddir, dirname(self), sizeof(moddir));

	ata_log_set_level(ATA_LOG_ERR);
	libre_init();
	r = cmocka_run_group_tests(tests, NULL, NULL);
	libre_close();

	return r;
}
