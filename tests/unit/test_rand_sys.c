/** @file tests/unit/test_rand_sys.c  libre's rand_* on getrandom(2) */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <cmocka.h>
#include <re.h>


/* size counts the NUL, as libre's; only [0-9a-zA-Z] (SIP tags) */
static void test_str_alnum_and_terminated(void **state)
{
	char s[33];
	size_t i;
	(void)state;

	memset(s, 'x', sizeof(s));
	rand_str(s, sizeof(s));
	assert_int_equal(strlen(s), sizeof(s) - 1);
	for (i = 0; i < sizeof(s) - 1; i++)
		assert_non_null(strchr("0123456789abcdefghijklmnopqrstuvwxyz"
				       "ABCDEFGHIJKLMNOPQRSTUVWXYZ", s[i]));

	rand_str(s, 1);
	assert_int_equal(s[0], '\0');
	rand_str(NULL, 4);
}


/* 64 bytes of zeros from a CSPRNG: p = 2^-512, i.e. a bug */
static void test_bytes_filled(void **state)
{
	static const uint8_t zero[64];
	uint8_t b[64];
	(void)state;

	memset(b, 0, sizeof(b));
	rand_bytes(b, sizeof(b));
	assert_memory_not_equal(b, zero, sizeof(b));
	rand_bytes(NULL, 8);
}


static void test_words_differ(void **state)
{
	(void)state;

	rand_init();
	assert_true(rand_u64() != rand_u64() || rand_u64() != rand_u64());
	assert_true(rand_u32() != rand_u32() || rand_u32() != rand_u32());
	assert_true(rand_u16() != rand_u16() || rand_u16() != rand_u16() ||
		    rand_u16() != rand_u16());
	assert_non_null(strchr("0123456789abcdefghijklmnopqrstuvwxyz"
			       "ABCDEFGHIJKLMNOPQRSTUVWXYZ", rand_char()));
}


int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_str_alnum_and_terminated),
		cmocka_unit_test(test_bytes_filled),
		cmocka_unit_test(test_words_differ),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
