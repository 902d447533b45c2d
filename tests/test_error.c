/* test_error.c - the error table: unique values and names, messages, the kind column, docs/errors.md in step, errno passthrough. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include <errno.h>
#include <stdio.h>

#include "ipv4kit/error.h"

struct ent {
	int code;
	const char *name;
	const char *msg;
	int kind;
};

static const struct ent table[] = {
#define XX(name, val, kind, msg) {val, #name, msg, IPK_ERRKIND_##kind},
	IPK_ERRNO_MAP(XX)
#undef XX
};
#define N (sizeof(table) / sizeof(table[0]))

static void test_unique(void **state)
{
	(void)state;
	assert_true(N > 40);
	for (size_t i = 0; i < N; i++) {
		assert_true(table[i].code < 0);
		assert_true(table[i].code <= -1000); /* never collides with -errno from the socket layer */
		for (size_t j = i + 1; j < N; j++) {
			assert_int_not_equal(table[i].code, table[j].code);
			assert_string_not_equal(table[i].name, table[j].name);
		}
	}
}

static void test_names_and_messages(void **state)
{
	(void)state;
	for (size_t i = 0; i < N; i++) {
		assert_string_equal(ipk_errname(table[i].code), table[i].name);
		assert_string_equal(ipk_strerror(table[i].code), table[i].msg);
		/* The kind column alone decides; messages carry no "finding" prefix any more. */
		assert_int_equal(ipk_err_is_finding(table[i].code), table[i].kind == IPK_ERRKIND_FINDING);
		assert_true(strncmp(table[i].msg, "finding", 7) != 0);
	}
	assert_string_equal(ipk_errname(IPK_OK), "OK");
	assert_int_equal(IPK_E_NOSPACE, -1001);
	assert_int_equal(IPK_E_IP_CHECKSUM, -1016);
	assert_int_equal(IPK_E_IGMP_CHECKSUM, -1052);
	assert_true(ipk_err_is_finding(IPK_E_IGMP_TTL));
	assert_false(ipk_err_is_finding(IPK_E_IGMP_CHECKSUM));
	assert_true(ipk_err_is_finding(IPK_E_IGMP_UNKNOWN_TYPE));
	assert_int_equal(IPK_E_IGMP_UNKNOWN_TYPE, -1062);
	assert_false(ipk_err_is_finding(IPK_OK));
	assert_false(ipk_err_is_finding(-EPERM));
	assert_false(ipk_err_is_finding(12345));
}

/*
 * docs/errors.md lists the table: for every code a row "| NAME | value | layer | kind | message |"
 * (any layer text), and no row for a code the table lacks.
 */
static void test_doc_table(void **state)
{
	(void)state;
	static char doc[32768];
	FILE *fp = fopen(IPK_SOURCE_DIR "/docs/errors.md", "r");
	assert_non_null(fp);
	size_t len = fread(doc, 1, sizeof(doc) - 1, fp);
	fclose(fp);
	assert_true(len < sizeof(doc) - 1);
	doc[len] = '\0';

	size_t rows = 0;
	unsigned char seen[N] = {0};
	for (char *line = strtok(doc, "\n"); line; line = strtok(NULL, "\n")) {
		char name[40];
		int val;
		if (sscanf(line, "| %39[A-Z0-9_] | %d |", name, &val) != 2)
			continue;
		rows++;
		size_t i = 0;
		while (i < N && strcmp(table[i].name, name) != 0)
			i++;
		if (i == N)
			fail_msg("docs/errors.md: %s is not in the table", name);
		if (seen[i]++)
			fail_msg("docs/errors.md: %s listed twice", name);
		char head[80], tail[200];
		snprintf(head, sizeof(head), "| %s | %d | ", name, table[i].code);
		snprintf(tail, sizeof(tail), " | %s | %s |",
			 table[i].kind == IPK_ERRKIND_FINDING ? "finding" : "error", table[i].msg);
		size_t ll = strlen(line), tl = strlen(tail);
		if (strncmp(line, head, strlen(head)) != 0 || ll < tl ||
		    strcmp(line + ll - tl, tail) != 0)
			fail_msg("docs/errors.md row differs from the table:\n  %s\nwant %s...%s", line,
				 head, tail);
	}
	assert_int_equal(rows, N); /* every code has exactly one row */
}

static void test_unknown_and_errno(void **state)
{
	(void)state;
	/* A -errno value that is not in the table falls back to strerror and a stable name. */
	assert_string_equal(ipk_strerror(-ENOPROTOOPT), strerror(ENOPROTOOPT));
	assert_string_equal(ipk_strerror(-EPERM), strerror(EPERM));
	assert_string_equal(ipk_errname(-ENOPROTOOPT), "ERRNO_92");
	assert_string_equal(ipk_strerror(12345), "unknown error");
	assert_string_equal(ipk_layer_name(IPK_LAYER_IGMP), "igmp");
	assert_string_equal(ipk_layer_name(99), "unknown");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_unique),
		cmocka_unit_test(test_names_and_messages),
		cmocka_unit_test(test_doc_table),
		cmocka_unit_test(test_unknown_and_errno),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
