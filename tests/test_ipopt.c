/* test_ipopt.c - IPv4 options (RFC 791, 1108, 2113, 4782): Linux matrix, walk, decode, builders, captures. */
#define _DEFAULT_SOURCE /* u_char in pcap.h, MAP_ANONYMOUS in guard.h */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include <pcap/pcap.h>

#include "guard.h"
#include "ipv4kit/error.h"
#include "ipv4kit/ipopt.h"

/* ---- helpers ---- */

/* Walk an option area and describe it: "NOP RR:7 EOL", "unknown153:2", "... !OPT_TRUNC@3",
 * "EOL+after" when EOL is followed by non-zero bytes. Also decodes every option. */
static void walk_desc(const uint8_t *opts, size_t len, char *out, size_t cap)
{
	struct ipk_opt_iter it;
	struct ipk_opt o;
	struct ipk_optv v;
	size_t n = 0;
	int r;

	out[0] = 0;
	ipk_opt_iter_init(&it, opts, len);
	while ((r = ipk_opt_next(&it, &o)) == 1) {
		assert_true(o.off < len);
		assert_true(o.off + o.len <= len);
		assert_ptr_equal(o.data, opts + o.off);
		int dr = ipk_opt_decode(&o, &v);
		assert_true(dr == 0 || dr == IPK_E_OPT_BAD_LEN);
		assert_int_equal(v.type, o.type);
		assert_int_equal(v.len, o.len);
		const char *name = ipk_opt_name(o.type);
		if (strcmp(name, "unknown") == 0)
			n += (size_t)snprintf(out + n, cap - n, "%sunknown%u", n ? " " : "", o.type);
		else
			n += (size_t)snprintf(out + n, cap - n, "%s%s", n ? " " : "", name);
		if (o.len > 1)
			n += (size_t)snprintf(out + n, cap - n, ":%u", o.len);
		assert_true(n < cap);
	}
	if (it.after_eol_nonzero)
		n += (size_t)snprintf(out + n, cap - n, "+after");
	if (r < 0)
		n += (size_t)snprintf(out + n, cap - n, " !%s@%zu", ipk_errname(r), it.err_off);
	assert_true(n < cap);
	/* finished iterators stay finished; failed ones repeat their error */
	struct ipk_opt o2;
	int r2 = ipk_opt_next(&it, &o2);
	assert_int_equal(r2, r < 0 ? r : 0);
}

/* ---- the malformed-option matrix, docs/linux-options.md section 4, rows 1-28 ---- */

struct mrow {
	int row;
	uint8_t b[40];
	size_t len;
	int code;         /* Linux receive path: 0 = accepted */
	int icmp_ptr;     /* Linux ICMP Parameter Problem pointer (offset from the IP header) */
	int finding;      /* finding expected (0 = none) */
	int finding_ptr;  /* its offset from the IP header */
	const char *walk; /* iterator result */
};

#define B(...) {__VA_ARGS__}, sizeof((uint8_t[]){__VA_ARGS__})
#define NOP5 1, 1, 1, 1, 1
#define NOP40 NOP5, NOP5, NOP5, NOP5, NOP5, NOP5, NOP5, NOP5

static const struct mrow matrix[] = {
	{1, B(0x07, 0x00, 0x00, 0x00), IPK_E_OPT_LEN, 20, 0, 0, " !OPT_LEN@0"},
	{2, B(0x83, 0x01, 0x00, 0x00), IPK_E_OPT_LEN, 20, 0, 0, " !OPT_LEN@0"},
	{3, B(0x83, 0x0b, 0x04, 0x00), IPK_E_OPT_LEN, 20, 0, 0, " !OPT_LEN@0"},
	{4, B(0x01, 0x01, 0x01, 0x83), IPK_E_OPT_TRUNC, 23, 0, 0, "NOP NOP NOP !OPT_TRUNC@3"},
	{5, B(0x07, 0x07, 0x03, 0, 0, 0, 0, 0), IPK_E_OPT_PTR, 22, 0, 0, "RR:7 EOL"},
	{6, B(0x07, 0x0b, 0x05, 0, 0, 0, 0, 0, 0, 0, 0, 0), 0, 0, 0, 0, "RR:11 EOL"},
	{7, B(0x07, 0x09, 0x08, 0, 0, 0, 0, 0, 0, 0, 0, 0), IPK_E_OPT_SPACE, 22, 0, 0, "RR:9 EOL"},
	{8, B(0x07, 0x07, 0x08, 0, 0, 0, 0, 0), 0, 0, 0, 0, "RR:7 EOL"},
	{9, B(0x07, 0x07, 0xff, 0, 0, 0, 0, 0), 0, 0, 0, 0, "RR:7 EOL"},
	{10, B(0x07, 0x07, 0x08, 0, 0, 0, 0, 0x07, 0x07, 0x08, 0, 0, 0, 0, 0, 0), IPK_E_OPT_DUP, 27,
	 0, 0, "RR:7 RR:7 EOL"},
	{11, B(0x83, 0x07, 0x04, 10, 0, 0, 1, 0x89, 0x07, 0x04, 10, 0, 0, 2, 0, 0), IPK_E_OPT_DUP,
	 27, 0, 0, "LSRR:7 SSRR:7 EOL"},
	{12, B(0x83, 0x03, 0x04, 0x00), 0, 0, 0, 0, "LSRR:3 EOL"},
	{13, B(0x44, 0x03, 0x05, 0x00), IPK_E_OPT_BAD_LEN, 21, 0, 0, "TS:3 EOL"},
	{14, B(0x44, 0x08, 0x04, 0x00, 0, 0, 0, 0), IPK_E_OPT_PTR, 22, 0, 0, "TS:8"},
	{15, B(0x44, 0x08, 0x05, 0x02, 0, 0, 0, 0), 0, 0, IPK_E_OPT_TS_FLAG, 23, "TS:8"},
	{16, B(0x44, 0x08, 0x05, 0x01, 0, 0, 0, 0), IPK_E_OPT_SPACE, 22, 0, 0, "TS:8"},
	{17, B(0x44, 0x08, 0x09, 0xf0, 0, 0, 0, 0), IPK_E_OPT_TS_OVERFLOW, 23, 0, 0, "TS:8"},
	{18, B(0x44, 0x0c, 0x0d, 0x13, 10, 0, 0, 1, 0, 0, 0, 0), 0, 0, 0, 0, "TS:12"},
	{19, B(0x94, 0x02, 0x00, 0x00), IPK_E_OPT_BAD_LEN, 21, 0, 0, "RA:2 EOL"},
	{20, B(0x94, 0x04, 0x00, 0x01), 0, 0, IPK_E_OPT_RA_VALUE, 22, "RA:4"},
	{21, B(0x94, 0x06, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00), 0, 0, 0, 0, "RA:6 EOL"},
	{22, B(0x99, 0x02, 0x00, 0x00), 0, 0, 0, 0, "unknown153:2 EOL"},
	{23, B(0x82, 0x0b, 0xd7, 0x88, 0, 0, 0, 0, 0, 0, 0, 0x00), 0, 0, 0, 0, "SEC:11 EOL"},
	{24, B(0x86, 0x06, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00), IPK_E_OPT_BAD_LEN, 21, 0, 0,
	 "CIPSO:6 EOL"},
	{25, B(0x86, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00), IPK_E_OPT_CIPSO_DOI, 22, 0, 0,
	 "CIPSO:8"},
	{26, B(0x00, 0x07, 0x07, 0x04), 0, 0, IPK_E_OPT_AFTER_EOL, 21, "EOL+after"},
	{27, B(0x01, 0x00, 0x00, 0x00), 0, 0, 0, 0, "NOP EOL"},
	{28, B(NOP40), 0, 0, 0, 0, NULL},
};
#define NROWS (sizeof(matrix) / sizeof(matrix[0]))

static void test_matrix_rows_present(void **state)
{
	(void)state;
	assert_int_equal(NROWS, 28);
	for (size_t i = 0; i < NROWS; i++) {
		assert_int_equal(matrix[i].row, (int)i + 1);
		assert_true(matrix[i].len > 0 && matrix[i].len <= 40);
		assert_int_equal(matrix[i].len % 4, 0); /* each is a whole option area (IHL words) */
	}
	assert_int_equal(matrix[27].len, 40);
}

static void test_matrix_validate(void **state)
{
	(void)state;
	for (size_t i = 0; i < NROWS; i++) {
		const struct mrow *m = &matrix[i];
		struct ipk_findings f;
		size_t eo = 999;
		memset(&f, 0, sizeof(f));
		print_message("row %d\n", m->row);
		int r = ipk_opt_validate(m->b, m->len, &eo, &f, 20);
		assert_int_equal(r, m->code);
		if (m->code) {
			assert_false(ipk_err_is_finding(r));
			assert_int_equal(eo + 20, (size_t)m->icmp_ptr);
		} else {
			assert_int_equal(eo, 0);
		}
		if (m->finding) {
			assert_int_equal(f.n, 1);
			assert_int_equal(f.v[0].code, m->finding);
			assert_true(ipk_err_is_finding(f.v[0].code));
			assert_int_equal(f.v[0].layer, IPK_LAYER_IPV4);
			assert_int_equal(f.v[0].offset, (uint32_t)m->finding_ptr);
		} else {
			assert_int_equal(f.n, 0);
		}
		/* same verdict without findings or err_off */
		assert_int_equal(ipk_opt_validate(m->b, m->len, NULL, NULL, 0), m->code);
		/* and from a copy ending at a guard page */
		const uint8_t *g = guard_place(m->b, m->len);
		assert_non_null(g);
		assert_int_equal(ipk_opt_validate(g, m->len, &eo, NULL, 0), m->code);
	}
}

static void test_matrix_walk(void **state)
{
	(void)state;
	char d[512];
	for (size_t i = 0; i < NROWS; i++) {
		const struct mrow *m = &matrix[i];
		print_message("row %d\n", m->row);
		walk_desc(m->b, m->len, d, sizeof(d));
		if (m->walk) {
			assert_string_equal(d, m->walk);
		} else { /* row 28: 40 NOPs */
			char want[512] = "NOP";
			for (int k = 1; k < 40; k++)
				strcat(want, " NOP");
			assert_string_equal(d, want);
		}
	}
}

/* Rows whose Linux error is a framing error (G3/G4): the iterator reports the same code and byte. */
static void test_matrix_walk_matches_framing(void **state)
{
	(void)state;
	for (size_t i = 0; i < NROWS; i++) {
		const struct mrow *m = &matrix[i];
		struct ipk_opt_iter it;
		struct ipk_opt o;
		int r;
		ipk_opt_iter_init(&it, m->b, m->len);
		while ((r = ipk_opt_next(&it, &o)) == 1)
			;
		if (m->code == IPK_E_OPT_LEN || m->code == IPK_E_OPT_TRUNC) {
			assert_int_equal(r, m->code);
			assert_int_equal(it.err_off + 20, (size_t)m->icmp_ptr);
		} else {
			assert_int_equal(r, 0);
		}
		assert_int_equal(it.after_eol_nonzero, m->row == 26);
	}
}

/* ---- more validation rules, one per rule of section 3.1 not already a matrix row ---- */

struct vcase {
	const char *what;
	uint8_t b[40];
	size_t len;
	int code;
	size_t err_off;
};

static const struct vcase vcases[] = {
	{"empty", {0}, 0, 0, 0},
	{"G1 EOL first, zero pad", B(0, 0, 0, 0), 0, 0},
	{"G3 lone RR type byte", B(1, 1, 1, 0x07), IPK_E_OPT_TRUNC, 3},
	{"G3 lone EOL is fine", B(1, 1, 1, 0), 0, 0},
	{"G4 length past area after NOP", B(1, 0x94, 0x05, 0, 0), IPK_E_OPT_LEN, 1},
	{"S1 LSRR len 2", B(0x83, 0x02, 0, 0), IPK_E_OPT_BAD_LEN, 1},
	{"S1 SSRR len 2", B(0x89, 0x02, 0, 0), IPK_E_OPT_BAD_LEN, 1},
	{"S2 SSRR ptr 3", B(0x89, 0x07, 0x03, 0, 0, 0, 0, 0), IPK_E_OPT_PTR, 2},
	{"S3 LSRR twice", B(0x83, 0x03, 0x04, 0x83, 0x03, 0x04, 0, 0), IPK_E_OPT_DUP, 3},
	{"S3 SSRR then LSRR", B(0x89, 0x03, 0x04, 0x83, 0x03, 0x04, 0, 0), IPK_E_OPT_DUP, 3},
	{"S2 before S3: 2nd SRR ptr 3", B(0x83, 0x03, 0x04, 0x83, 0x03, 0x03, 0, 0), IPK_E_OPT_PTR, 5},
	{"S1 before S3: 2nd SRR len 2", B(0x83, 0x03, 0x04, 0x89, 0x02, 0, 0, 0), IPK_E_OPT_BAD_LEN, 4},
	{"SRR ptr past end accepted", B(0x83, 0x07, 0x08, 0, 0, 0, 0, 0), 0, 0},
	{"SRR with odd length accepted", B(0x89, 0x05, 0x04, 0, 0, 0, 0, 0), 0, 0},
	{"R1 before R2: 2nd RR len 2", B(0x07, 0x03, 0x04, 0x07, 0x02, 0, 0, 0), IPK_E_OPT_DUP, 3},
	{"R2 RR len 2", B(0x07, 0x02, 0, 0), IPK_E_OPT_BAD_LEN, 1},
	{"R4 RR ptr 5 len 7", B(0x07, 0x07, 0x05, 0, 0, 0, 0, 0), IPK_E_OPT_SPACE, 2},
	{"R4 RR len 6 ptr 4 (room, not enough)", B(0x07, 0x06, 0x04, 0, 0, 0, 0, 0), IPK_E_OPT_SPACE, 2},
	{"RR ptr 4 len 7 has room", B(0x07, 0x07, 0x04, 0, 0, 0, 0, 0), 0, 0},
	{"R5 RR len 3 ptr 4: empty route, full", B(0x07, 0x03, 0x04, 0), 0, 0},
	{"R5 RR len 3 ptr 5", B(0x07, 0x03, 0x05, 0), 0, 0},
	{"R3 RR ptr 0", B(0x07, 0x03, 0x00, 0), IPK_E_OPT_PTR, 2},
	{"RR then LSRR are not dups", B(0x07, 0x03, 0x05, 0x83, 0x03, 0x04, 0, 0), 0, 0},
	{"T1 TS twice", B(0x44, 0x04, 0x05, 0x00, 0x44, 0x04, 0x05, 0x00), IPK_E_OPT_DUP, 4},
	{"T4 TS ptr 5 len 6", B(0x44, 0x06, 0x05, 0x00, 0, 0, 0, 0), IPK_E_OPT_SPACE, 2},
	{"TS len 4 ptr 5 is full", B(0x44, 0x04, 0x05, 0x00), 0, 0},
	{"T5 PRESPEC no room", B(0x44, 0x08, 0x05, 0x03, 0, 0, 0, 0), IPK_E_OPT_SPACE, 2},
	{"T5 TS+ADDR room for one pair", B(0x44, 0x0c, 0x05, 0x01, 0, 0, 0, 0, 0, 0, 0, 0), 0, 0},
	{"T8 TS+ADDR full overflow 15", B(0x44, 0x0c, 0x0d, 0xf1, 0, 0, 0, 0, 0, 0, 0, 0),
	 IPK_E_OPT_TS_OVERFLOW, 3},
	{"T9 TSONLY full overflow 14", B(0x44, 0x08, 0x09, 0xe0, 0, 0, 0, 0), 0, 0},
	{"PRESPEC full overflow 15 skipped", B(0x44, 0x0c, 0x0d, 0xf3, 0, 0, 0, 0, 0, 0, 0, 0), 0, 0},
	{"T3 after T2: TS len 3 ptr 1", B(0x44, 0x03, 0x01, 0), IPK_E_OPT_BAD_LEN, 1},
	{"A1 RA len 3", B(0x94, 0x03, 0x00, 0x00), IPK_E_OPT_BAD_LEN, 1},
	{"A3 RA len 5", B(0x94, 0x05, 0x00, 0x00, 0x00, 0, 0, 0), 0, 0},
	{"RA twice is fine", B(0x94, 0x04, 0, 0, 0x94, 0x04, 0, 0), 0, 0},
	{"C1 CIPSO twice", B(0x86, 0x08, 0, 0, 0, 1, 1, 2, 0x86, 0x08, 0, 0, 0, 1, 1, 2), IPK_E_OPT_DUP,
	 8},
	{"C2 CIPSO ok", B(0x86, 0x08, 0, 0, 0, 1, 1, 2), 0, 0},
	{"C2 CIPSO no tags, len 8 min", B(0x86, 0x07, 0, 0, 0, 1, 1, 0), IPK_E_OPT_BAD_LEN, 1},
	{"C2 CIPSO tag len 0", B(0x86, 0x08, 0, 0, 0, 1, 1, 0), IPK_E_OPT_CIPSO_TAG, 7},
	{"C2 CIPSO tag past end", B(0x86, 0x08, 0, 0, 0, 1, 1, 3), IPK_E_OPT_CIPSO_TAG, 7},
	{"C2 CIPSO lone trailing byte", B(1, 0x86, 0x09, 0, 0, 0, 1, 1, 2, 7, 0, 0),
	 IPK_E_OPT_CIPSO_TAG, 9},
	{"C2 CIPSO two tags", B(0x86, 0x0c, 0, 0, 0, 1, 1, 2, 5, 4, 0, 0), 0, 0},
	{"X1 SEC odd length", B(0x82, 0x03, 0xab, 0), 0, 0},
	{"X1 SID len 2", B(0x88, 0x02, 0, 0), 0, 0},
	{"X1 ESEC, QS, unknown 255", B(0x85, 0x03, 1, 0x19, 0x02, 0xff, 0x03, 0), 0, 0},
	{"errors stop at the first", B(0x07, 0x03, 0x03, 0x44, 0x03, 0, 0, 0), IPK_E_OPT_PTR, 2},
};

static void test_validate_rules(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(vcases) / sizeof(vcases[0]); i++) {
		const struct vcase *c = &vcases[i];
		size_t eo = 777;
		print_message("%s\n", c->what);
		assert_int_equal(ipk_opt_validate(c->len ? c->b : NULL, c->len, &eo, NULL, 0), c->code);
		assert_int_equal(eo, c->err_off);
	}
}

static void test_validate_findings(void **state)
{
	(void)state;
	struct ipk_findings f;
	size_t eo;

	/* base is added to every finding offset */
	memset(&f, 0, sizeof(f));
	const uint8_t a[] = {0x01, 0x94, 0x04, 0x12, 0x34, 0x44, 0x08, 0x05, 0x0f, 0, 0, 0, 0, 0x00, 0x00, 0x09};
	assert_int_equal(ipk_opt_validate(a, sizeof(a), &eo, &f, 34), 0);
	assert_int_equal(f.n, 3);
	assert_int_equal(f.v[0].code, IPK_E_OPT_RA_VALUE);
	assert_int_equal(f.v[0].offset, 34 + 3);
	assert_int_equal(f.v[1].code, IPK_E_OPT_TS_FLAG);
	assert_int_equal(f.v[1].offset, 34 + 8);
	assert_int_equal(f.v[2].code, IPK_E_OPT_AFTER_EOL);
	assert_int_equal(f.v[2].offset, 34 + 15); /* the first non-zero byte after EOL */
	for (int k = 0; k < 3; k++)
		assert_int_equal(f.v[k].layer, IPK_LAYER_IPV4);

	/* findings before an error are kept; the error still wins */
	memset(&f, 0, sizeof(f));
	const uint8_t b[] = {0x94, 0x04, 0x00, 0x01, 0x07, 0x07, 0x03, 0, 0, 0, 0, 0};
	assert_int_equal(ipk_opt_validate(b, sizeof(b), &eo, &f, 0), IPK_E_OPT_PTR);
	assert_int_equal(eo, 6);
	assert_int_equal(f.n, 1);
	assert_int_equal(f.v[0].code, IPK_E_OPT_RA_VALUE);

	/* a full TS with an odd flag: no error, one finding */
	memset(&f, 0, sizeof(f));
	const uint8_t c[] = {0x44, 0x08, 0x09, 0x52, 0, 0, 0, 0};
	assert_int_equal(ipk_opt_validate(c, sizeof(c), &eo, &f, 0), 0);
	assert_int_equal(f.n, 1);
	assert_int_equal(f.v[0].code, IPK_E_OPT_TS_FLAG);
	assert_int_equal(f.v[0].offset, 3);

	/* padding of zeros after EOL is no finding */
	memset(&f, 0, sizeof(f));
	const uint8_t d[] = {0x94, 0x04, 0, 0, 0, 0, 0, 0};
	assert_int_equal(ipk_opt_validate(d, sizeof(d), &eo, &f, 0), 0);
	assert_int_equal(f.n, 0);
}

/* ---- iterator ---- */

static void test_iter_basics(void **state)
{
	(void)state;
	struct ipk_opt_iter it;
	struct ipk_opt o;

	ipk_opt_iter_init(&it, NULL, 0);
	assert_int_equal(ipk_opt_next(&it, &o), 0);
	assert_int_equal(ipk_opt_next(&it, &o), 0);

	const uint8_t a[] = {0x01, 0x94, 0x04, 0x00, 0x00, 0x00, 0x00, 0x05};
	ipk_opt_iter_init(&it, a, sizeof(a));
	assert_int_equal(ipk_opt_next(&it, &o), 1);
	assert_int_equal(o.type, IPK_OPT_NOP);
	assert_int_equal(o.len, 1);
	assert_int_equal(o.off, 0);
	assert_int_equal(ipk_opt_next(&it, &o), 1);
	assert_int_equal(o.type, IPK_OPT_RA);
	assert_int_equal(o.len, 4);
	assert_int_equal(o.off, 1);
	assert_ptr_equal(o.data, a + 1);
	assert_int_equal(ipk_opt_next(&it, &o), 1);
	assert_int_equal(o.type, IPK_OPT_EOL);
	assert_int_equal(o.len, 1);
	assert_int_equal(o.off, 5);
	assert_int_equal(it.after_eol_nonzero, 1);
	assert_int_equal(ipk_opt_next(&it, &o), 0);

	/* an option ending exactly at the end, no EOL */
	const uint8_t b[] = {0x94, 0x04, 0x00, 0x00};
	ipk_opt_iter_init(&it, b, sizeof(b));
	assert_int_equal(ipk_opt_next(&it, &o), 1);
	assert_int_equal(ipk_opt_next(&it, &o), 0);
	assert_int_equal(it.after_eol_nonzero, 0);

	/* the error is sticky and does not move */
	const uint8_t c[] = {0x01, 0x07, 0x01};
	ipk_opt_iter_init(&it, c, sizeof(c));
	assert_int_equal(ipk_opt_next(&it, &o), 1);
	assert_int_equal(ipk_opt_next(&it, &o), IPK_E_OPT_LEN);
	assert_int_equal(it.err_off, 1);
	assert_int_equal(ipk_opt_next(&it, &o), IPK_E_OPT_LEN);
	assert_int_equal(it.err_off, 1);

	/* length 255 in a 40-byte area */
	const uint8_t d[] = {0x99, 0xff, 0, 0};
	ipk_opt_iter_init(&it, d, sizeof(d));
	assert_int_equal(ipk_opt_next(&it, &o), IPK_E_OPT_LEN);
	assert_int_equal(it.err_off, 0);
}

/* ---- typed decode ---- */

static int decode1(const uint8_t *b, size_t len, struct ipk_optv *v)
{
	struct ipk_opt_iter it;
	struct ipk_opt o;
	ipk_opt_iter_init(&it, b, len);
	assert_int_equal(ipk_opt_next(&it, &o), 1);
	return ipk_opt_decode(&o, v);
}

static void test_decode_kinds(void **state)
{
	(void)state;
	struct ipk_optv v;

	const uint8_t eol[] = {0x00};
	assert_int_equal(decode1(eol, 1, &v), 0);
	assert_int_equal(v.type, IPK_OPT_EOL);
	assert_int_equal(v.len, 1);
	const uint8_t nop[] = {0x01};
	assert_int_equal(decode1(nop, 1, &v), 0);
	assert_int_equal(v.type, IPK_OPT_NOP);

	const uint8_t rr[] = {0x07, 0x0b, 0x08, 192, 0, 2, 1, 198, 51, 100, 7};
	assert_int_equal(decode1(rr, sizeof(rr), &v), 0);
	assert_int_equal(v.u.route.ptr, 8);
	assert_int_equal(v.u.route.naddr, 2);
	assert_ptr_equal(v.u.route.addrs, rr + 3);
	assert_int_equal(ipk_opt_u32(v.u.route.addrs, 0), 0xc0000201);
	assert_int_equal(ipk_opt_u32(v.u.route.addrs, 1), 0xc6336407);

	const uint8_t lsrr[] = {0x83, 0x07, 0x04, 10, 1, 2, 3};
	assert_int_equal(decode1(lsrr, sizeof(lsrr), &v), 0);
	assert_int_equal(v.type, IPK_OPT_LSRR);
	assert_int_equal(v.u.route.naddr, 1);
	assert_int_equal(ipk_opt_u32(v.u.route.addrs, 0), 0x0a010203);
	const uint8_t ssrr[] = {0x89, 0x0a, 0x04, 10, 1, 2, 3, 9, 9, 9}; /* 3+4n+3: 1 whole slot */
	assert_int_equal(decode1(ssrr, sizeof(ssrr), &v), 0);
	assert_int_equal(v.type, IPK_OPT_SSRR);
	assert_int_equal(v.u.route.naddr, 1);
	const uint8_t rr3[] = {0x07, 0x03, 0x04};
	assert_int_equal(decode1(rr3, sizeof(rr3), &v), 0);
	assert_int_equal(v.u.route.naddr, 0);

	/* timestamps: flag 0, 1, 3 and 2 */
	const uint8_t ts0[] = {0x44, 0x0c, 0x09, 0x30, 0, 0, 0, 42, 0x80, 0, 0, 1};
	assert_int_equal(decode1(ts0, sizeof(ts0), &v), 0);
	assert_int_equal(v.u.ts.ptr, 9);
	assert_int_equal(v.u.ts.oflw, 3);
	assert_int_equal(v.u.ts.flag, IPK_OPT_TS_TSONLY);
	assert_int_equal(v.u.ts.nent, 2);
	assert_int_equal(ipk_opt_u32(v.u.ts.data, 0), 42);
	assert_int_equal(ipk_opt_u32(v.u.ts.data, 1), 0x80000001);
	const uint8_t ts1[] = {0x44, 0x14, 0x0d, 0x01, 10, 0, 0, 1, 0, 0, 1, 0, 10, 0, 0, 2, 0, 0, 0, 0};
	assert_int_equal(decode1(ts1, sizeof(ts1), &v), 0);
	assert_int_equal(v.u.ts.flag, IPK_OPT_TS_TSADDR);
	assert_int_equal(v.u.ts.oflw, 0);
	assert_int_equal(v.u.ts.nent, 2);
	assert_int_equal(ipk_opt_u32(v.u.ts.data, 0), 0x0a000001);
	assert_int_equal(ipk_opt_u32(v.u.ts.data, 1), 256);
	assert_int_equal(ipk_opt_u32(v.u.ts.data, 2), 0x0a000002);
	const uint8_t ts3[] = {0x44, 0x0c, 0x05, 0xf3, 192, 0, 2, 9, 0, 0, 0, 0};
	assert_int_equal(decode1(ts3, sizeof(ts3), &v), 0);
	assert_int_equal(v.u.ts.flag, IPK_OPT_TS_PRESPEC);
	assert_int_equal(v.u.ts.oflw, 15);
	assert_int_equal(v.u.ts.nent, 1);
	const uint8_t ts2[] = {0x44, 0x08, 0x05, 0x02, 0, 0, 0, 0};
	assert_int_equal(decode1(ts2, sizeof(ts2), &v), 0);
	assert_int_equal(v.u.ts.flag, 2);
	assert_int_equal(v.u.ts.nent, 0); /* 8-byte entries for flags other than 0 */
	const uint8_t ts4[] = {0x44, 0x04, 0x05, 0x00};
	assert_int_equal(decode1(ts4, sizeof(ts4), &v), 0);
	assert_int_equal(v.u.ts.nent, 0);

	const uint8_t ra[] = {0x94, 0x04, 0x12, 0x34};
	assert_int_equal(decode1(ra, sizeof(ra), &v), 0);
	assert_int_equal(v.type, IPK_OPT_RA);
	assert_int_equal(v.u.ra_value, 0x1234);
	const uint8_t ra6[] = {0x94, 0x06, 0x00, 0x00, 0xff, 0xff};
	assert_int_equal(decode1(ra6, sizeof(ra6), &v), 0);
	assert_int_equal(v.u.ra_value, 0);

	const uint8_t sec[] = {0x82, 0x0b, 0xd7, 0x88, 0x00, 0x01, 0xab, 0xcd, 0x12, 0x34, 0x56};
	assert_int_equal(decode1(sec, sizeof(sec), &v), 0);
	assert_int_equal(v.u.sec.rfc791, 1);
	assert_int_equal(v.u.sec.s, 0xd788);
	assert_int_equal(v.u.sec.c, 1);
	assert_int_equal(v.u.sec.h, 0xabcd);
	assert_int_equal(v.u.sec.tcc, 0x123456);
	const uint8_t bso[] = {0x82, 0x05, 0x5a, 0x21, 0x40};
	assert_int_equal(decode1(bso, sizeof(bso), &v), 0);
	assert_int_equal(v.u.sec.rfc791, 0);
	assert_int_equal(v.u.sec.level, 0x5a);
	assert_int_equal(v.u.sec.nflags, 2);
	assert_ptr_equal(v.u.sec.flags, bso + 3);
	assert_int_equal(v.u.sec.flags[0], 0x21);
	const uint8_t bso3[] = {0x82, 0x03, 0xab};
	assert_int_equal(decode1(bso3, sizeof(bso3), &v), 0);
	assert_int_equal(v.u.sec.level, 0xab);
	assert_int_equal(v.u.sec.nflags, 0);

	const uint8_t esec[] = {0x85, 0x05, 0x01, 0x02, 0x03};
	assert_int_equal(decode1(esec, sizeof(esec), &v), 0);
	assert_int_equal(v.type, IPK_OPT_ESEC);
	assert_int_equal(v.u.raw.len, 3);
	assert_ptr_equal(v.u.raw.bytes, esec + 2);

	const uint8_t cipso[] = {0x86, 0x0a, 0x00, 0x00, 0x00, 0x03, 0x01, 0x04, 0x00, 0x07};
	assert_int_equal(decode1(cipso, sizeof(cipso), &v), 0);
	assert_int_equal(v.u.cipso.doi, 3);
	assert_int_equal(v.u.cipso.tags_len, 4);
	assert_ptr_equal(v.u.cipso.tags, cipso + 6);

	const uint8_t sid[] = {0x88, 0x04, 0xbe, 0xef};
	assert_int_equal(decode1(sid, sizeof(sid), &v), 0);
	assert_int_equal(v.u.stream_id, 0xbeef);

	/* QS: func 0, rate 5, TTL 0x40, nonce 0x2aaaaaaa, R bits set (ignored) */
	const uint8_t qs[] = {0x19, 0x08, 0x05, 0x40, 0xaa, 0xaa, 0xaa, 0xab};
	assert_int_equal(decode1(qs, sizeof(qs), &v), 0);
	assert_int_equal(v.u.qs.func, 0);
	assert_int_equal(v.u.qs.rate, 5);
	assert_int_equal(v.u.qs.qs_ttl, 0x40);
	assert_int_equal(v.u.qs.nonce, 0x2aaaaaaa);
	const uint8_t qs8[] = {0x19, 0x08, 0x8f, 0x00, 0x00, 0x00, 0x00, 0x04};
	assert_int_equal(decode1(qs8, sizeof(qs8), &v), 0);
	assert_int_equal(v.u.qs.func, 8);
	assert_int_equal(v.u.qs.rate, 15);
	assert_int_equal(v.u.qs.nonce, 1);

	const uint8_t unk[] = {0x99, 0x04, 0xaa, 0xbb};
	assert_int_equal(decode1(unk, sizeof(unk), &v), 0);
	assert_int_equal(v.type, 0x99);
	assert_int_equal(v.u.raw.len, 2);
	assert_ptr_equal(v.u.raw.bytes, unk + 2);
	const uint8_t unk2[] = {0x99, 0x02};
	assert_int_equal(decode1(unk2, sizeof(unk2), &v), 0);
	assert_int_equal(v.u.raw.len, 0);
}

static void test_decode_bad_len(void **state)
{
	(void)state;
	static const struct {
		uint8_t b[8];
		size_t len;
	} bad[] = {
		{{0x07, 0x02}, 2},
		{{0x83, 0x02}, 2},
		{{0x89, 0x02}, 2},
		{{0x44, 0x03, 0x05}, 3},
		{{0x94, 0x03, 0x00}, 3},
		{{0x88, 0x02}, 2},
		{{0x82, 0x02}, 2},
		{{0x85, 0x02}, 2},
		{{0x86, 0x05, 0, 0, 1}, 5},
		{{0x19, 0x07, 0, 0, 0, 0, 0}, 7},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct ipk_optv v;
		print_message("type %u\n", bad[i].b[0]);
		const uint8_t *g = guard_place(bad[i].b, bad[i].len);
		assert_int_equal(decode1(g, bad[i].len, &v), IPK_E_OPT_BAD_LEN);
		assert_int_equal(v.type, bad[i].b[0]);
		assert_int_equal(v.len, bad[i].len);
		assert_int_equal(v.u.raw.len, bad[i].len - 2);
		if (bad[i].len > 2)
			assert_ptr_equal(v.u.raw.bytes, g + 2);
		else
			assert_null(v.u.raw.bytes);
	}
}

static void test_names(void **state)
{
	(void)state;
	static const struct {
		uint8_t t;
		const char *n;
	} names[] = {
		{0, "EOL"},     {1, "NOP"},    {7, "RR"},    {25, "QS"},   {68, "TS"},
		{130, "SEC"},   {131, "LSRR"}, {133, "ESEC"}, {134, "CIPSO"}, {136, "SID"},
		{137, "SSRR"},  {148, "RA"},   {2, "unknown"}, {82, "unknown"}, {153, "unknown"},
		{255, "unknown"},
	};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		assert_string_equal(ipk_opt_name(names[i].t), names[i].n);
	for (unsigned t = 0; t < 256; t++)
		assert_non_null(ipk_opt_name((uint8_t)t));
}

/* ---- builders ---- */

static void test_build_bytes(void **state)
{
	(void)state;
	uint8_t buf[40];
	struct ipk_wbuf w;

	ipk_wbuf_init(&w, buf, sizeof(buf));
	assert_int_equal(ipk_opt_put_ra(&w, 0), 0);
	assert_int_equal(w.len, 4);
	assert_memory_equal(buf, ((uint8_t[]){0x94, 0x04, 0x00, 0x00}), 4);

	ipk_wbuf_init(&w, buf, sizeof(buf));
	assert_int_equal(ipk_opt_put_nop(&w), 0);
	uint32_t a[1] = {0x0a010203};
	assert_int_equal(ipk_opt_put_route(&w, IPK_OPT_LSRR, 0, a, 1), 0);
	assert_int_equal(w.len, 8);
	assert_memory_equal(buf, ((uint8_t[]){1, 0x83, 7, 4, 10, 1, 2, 3}), 8);

	ipk_wbuf_init(&w, buf, sizeof(buf));
	uint32_t st[1] = {0x01020304};
	assert_int_equal(ipk_opt_put_ts(&w, 0, 2, 0, NULL, st, 1), 0);
	assert_memory_equal(buf, ((uint8_t[]){0x44, 8, 5, 0x20, 1, 2, 3, 4}), 8);

	ipk_wbuf_init(&w, buf, sizeof(buf));
	assert_int_equal(ipk_opt_put_qs(&w, 0, 5, 0x40, 0x2aaaaaaa), 0);
	assert_memory_equal(buf, ((uint8_t[]){0x19, 8, 0x05, 0x40, 0xaa, 0xaa, 0xaa, 0xa8}), 8);

	ipk_wbuf_init(&w, buf, sizeof(buf));
	assert_int_equal(ipk_opt_put_sec(&w, 0xd788, 1, 2, 0x123456), 0);
	assert_memory_equal(buf, ((uint8_t[]){0x82, 11, 0xd7, 0x88, 0, 1, 0, 2, 0x12, 0x34, 0x56}), 11);

	ipk_wbuf_init(&w, buf, sizeof(buf));
	assert_int_equal(ipk_opt_put_sid(&w, 0xbeef), 0);
	assert_int_equal(ipk_opt_put_eol(&w), 0);
	assert_int_equal(ipk_opt_put_tlv(&w, 0x99, NULL, 0), 0);
	assert_int_equal(ipk_opt_put_raw(&w, (const uint8_t[]){0x07, 0x00}, 2), 0);
	assert_int_equal(w.len, 9);
	assert_memory_equal(buf, ((uint8_t[]){0x88, 4, 0xbe, 0xef, 0, 0x99, 2, 0x07, 0}), 9);

	/* route and ts with NULL arrays write zeros, explicit pointers are kept */
	ipk_wbuf_init(&w, buf, sizeof(buf));
	memset(buf, 0xee, sizeof(buf));
	assert_int_equal(ipk_opt_put_route(&w, IPK_OPT_RR, 3, NULL, 2), 0);
	assert_memory_equal(buf, ((uint8_t[]){7, 11, 3, 0, 0, 0, 0, 0, 0, 0, 0}), 11);
	ipk_wbuf_init(&w, buf, sizeof(buf));
	memset(buf, 0xee, sizeof(buf));
	assert_int_equal(ipk_opt_put_ts(&w, 1, 0, 13, NULL, NULL, 1), 0);
	assert_memory_equal(buf, ((uint8_t[]){0x44, 12, 13, 1, 0, 0, 0, 0, 0, 0, 0, 0}), 12);
}

static void test_build_inval(void **state)
{
	(void)state;
	uint8_t buf[512];
	struct ipk_wbuf w;
	ipk_wbuf_init(&w, buf, sizeof(buf));
	memset(buf, 0x5a, sizeof(buf));

	assert_int_equal(ipk_opt_put_route(&w, IPK_OPT_RR, 0, NULL, 64), IPK_E_INVAL);
	assert_int_equal(ipk_opt_put_route(&w, IPK_OPT_RR, 0, NULL, 63), 0); /* len 255 */
	assert_int_equal(buf[1], 255);
	w.len = 0;
	assert_int_equal(ipk_opt_put_ts(&w, 16, 0, 0, NULL, NULL, 0), IPK_E_INVAL);
	assert_int_equal(ipk_opt_put_ts(&w, 0, 16, 0, NULL, NULL, 0), IPK_E_INVAL);
	assert_int_equal(ipk_opt_put_ts(&w, 0, 0, 0, NULL, NULL, 62), 0); /* len 252 */
	assert_int_equal(buf[1], 252);
	w.len = 0;
	assert_int_equal(ipk_opt_put_ts(&w, 0, 0, 0, NULL, NULL, 63), IPK_E_INVAL);
	assert_int_equal(ipk_opt_put_ts(&w, 1, 0, 0, NULL, NULL, 31), 0); /* len 252 */
	w.len = 0;
	assert_int_equal(ipk_opt_put_ts(&w, 1, 0, 0, NULL, NULL, 32), IPK_E_INVAL);
	assert_int_equal(ipk_opt_put_sec(&w, 0, 0, 0, 0x1000000), IPK_E_INVAL);
	assert_int_equal(ipk_opt_put_qs(&w, 16, 0, 0, 0), IPK_E_INVAL);
	assert_int_equal(ipk_opt_put_qs(&w, 0, 16, 0, 0), IPK_E_INVAL);
	assert_int_equal(ipk_opt_put_qs(&w, 0, 0, 0, 0x40000000), IPK_E_INVAL);
	assert_int_equal(ipk_opt_put_cipso(&w, 1, NULL, 2), IPK_E_INVAL);
	assert_int_equal(ipk_opt_put_cipso(&w, 1, buf, 250), IPK_E_INVAL);
	assert_int_equal(ipk_opt_put_tlv(&w, 0x99, NULL, 1), IPK_E_INVAL);
	assert_int_equal(ipk_opt_put_tlv(&w, 0x99, buf, 254), IPK_E_INVAL);
	assert_int_equal(ipk_opt_put_raw(&w, NULL, 1), IPK_E_INVAL);
	assert_int_equal(w.len, 0);
}

/* Build every kind and read it back through the iterator and decode. */
static void test_build_roundtrip(void **state)
{
	(void)state;
	uint8_t b1[40], b2[40], b3[40];
	struct ipk_wbuf w;
	const uint32_t rr[3] = {0xc0000201, 0xc0000202, 0xc0000203};
	const uint32_t lsrr[2] = {0x0a000001, 0x0a000002};
	const uint32_t ssrr[1] = {0x0a0000fe};
	const uint32_t tsa[2] = {0xc6120001, 0xc6120002};
	const uint32_t tss[2] = {86399999, 0x80000005};
	const uint8_t tags[4] = {0x01, 0x04, 0x00, 0x09};
	const uint8_t unk[3] = {0xde, 0xad, 0x01};

	/* area 1: NOP RR(3) RA(7) TS flag 1 (2 pairs) -> 1 + 15 + 4 + 20 = 40 */
	ipk_wbuf_init(&w, b1, sizeof(b1));
	assert_int_equal(ipk_opt_put_nop(&w), 0);
	assert_int_equal(ipk_opt_put_route(&w, IPK_OPT_RR, 8, rr, 3), 0);
	assert_int_equal(ipk_opt_put_ra(&w, 7), 0);
	assert_int_equal(ipk_opt_put_ts(&w, IPK_OPT_TS_TSADDR, 4, 13, tsa, tss, 2), 0);
	assert_int_equal(w.len, 40);
	assert_int_equal(ipk_opt_pad(&w), 0);
	assert_int_equal(w.len, 40);

	/* area 2: LSRR(2) SSRR(1) SEC SID EOL pad -> 11 + 7 + 11 + 4 + 1 = 34 -> 36 */
	ipk_wbuf_init(&w, b2, sizeof(b2));
	assert_int_equal(ipk_opt_put_route(&w, IPK_OPT_LSRR, 0, lsrr, 2), 0);
	assert_int_equal(ipk_opt_put_route(&w, IPK_OPT_SSRR, 0, ssrr, 1), 0);
	assert_int_equal(ipk_opt_put_sec(&w, 0x6bc5, 0xffff, 0x0102, 0xabcdef), 0);
	assert_int_equal(ipk_opt_put_sid(&w, 0x1234), 0);
	assert_int_equal(ipk_opt_put_eol(&w), 0);
	assert_int_equal(ipk_opt_pad(&w), 0);
	assert_int_equal(w.len, 36);
	size_t len2 = w.len;

	/* area 3: CIPSO QS TS flag 0 TS flag 3 ESEC(tlv) unknown(tlv) -> 10+8+12+4+5 = 39 -> 40 */
	ipk_wbuf_init(&w, b3, sizeof(b3));
	assert_int_equal(ipk_opt_put_cipso(&w, 0x00010002, tags, sizeof(tags)), 0);
	assert_int_equal(ipk_opt_put_qs(&w, 8, 3, 200, 0x3fffffff), 0);
	assert_int_equal(ipk_opt_put_ts(&w, IPK_OPT_TS_TSONLY, 15, 9, NULL, tss, 2), 0);
	assert_int_equal(ipk_opt_put_tlv(&w, IPK_OPT_ESEC, unk, 2), 0);
	assert_int_equal(ipk_opt_put_tlv(&w, 0x9e, unk, 3), 0);
	assert_int_equal(w.len, 10 + 8 + 12 + 4 + 5);
	assert_int_equal(ipk_opt_pad(&w), 0);
	assert_int_equal(w.len, 40);
	assert_int_equal(b3[39], 0);

	struct ipk_opt_iter it;
	struct ipk_opt o;
	struct ipk_optv v;

	ipk_opt_iter_init(&it, b1, 40);
	assert_int_equal(ipk_opt_next(&it, &o), 1);
	assert_int_equal(o.type, IPK_OPT_NOP);
	assert_int_equal(ipk_opt_next(&it, &o), 1);
	assert_int_equal(ipk_opt_decode(&o, &v), 0);
	assert_int_equal(v.type, IPK_OPT_RR);
	assert_int_equal(v.len, 15);
	assert_int_equal(v.u.route.ptr, 8);
	assert_int_equal(v.u.route.naddr, 3);
	for (int i = 0; i < 3; i++)
		assert_int_equal(ipk_opt_u32(v.u.route.addrs, (size_t)i), rr[i]);
	assert_int_equal(ipk_opt_next(&it, &o), 1);
	assert_int_equal(ipk_opt_decode(&o, &v), 0);
	assert_int_equal(v.type, IPK_OPT_RA);
	assert_int_equal(v.u.ra_value, 7);
	assert_int_equal(ipk_opt_next(&it, &o), 1);
	assert_int_equal(ipk_opt_decode(&o, &v), 0);
	assert_int_equal(v.type, IPK_OPT_TS);
	assert_int_equal(v.u.ts.ptr, 13);
	assert_int_equal(v.u.ts.oflw, 4);
	assert_int_equal(v.u.ts.flag, IPK_OPT_TS_TSADDR);
	assert_int_equal(v.u.ts.nent, 2);
	for (int i = 0; i < 2; i++) {
		assert_int_equal(ipk_opt_u32(v.u.ts.data, 2 * (size_t)i), tsa[i]);
		assert_int_equal(ipk_opt_u32(v.u.ts.data, 2 * (size_t)i + 1), tss[i]);
	}
	assert_int_equal(ipk_opt_next(&it, &o), 0);
	assert_int_equal(ipk_opt_validate(b1, 40, NULL, NULL, 0), 0);

	ipk_opt_iter_init(&it, b2, len2);
	assert_int_equal(ipk_opt_next(&it, &o), 1);
	assert_int_equal(ipk_opt_decode(&o, &v), 0);
	assert_int_equal(v.type, IPK_OPT_LSRR);
	assert_int_equal(v.u.route.ptr, 4);
	assert_int_equal(v.u.route.naddr, 2);
	assert_int_equal(ipk_opt_u32(v.u.route.addrs, 1), lsrr[1]);
	assert_int_equal(ipk_opt_next(&it, &o), 1);
	assert_int_equal(ipk_opt_decode(&o, &v), 0);
	assert_int_equal(v.type, IPK_OPT_SSRR);
	assert_int_equal(v.u.route.naddr, 1);
	assert_int_equal(ipk_opt_u32(v.u.route.addrs, 0), ssrr[0]);
	assert_int_equal(ipk_opt_next(&it, &o), 1);
	assert_int_equal(ipk_opt_decode(&o, &v), 0);
	assert_int_equal(v.type, IPK_OPT_SEC);
	assert_int_equal(v.u.sec.rfc791, 1);
	assert_int_equal(v.u.sec.s, 0x6bc5);
	assert_int_equal(v.u.sec.c, 0xffff);
	assert_int_equal(v.u.sec.h, 0x0102);
	assert_int_equal(v.u.sec.tcc, 0xabcdef);
	assert_int_equal(ipk_opt_next(&it, &o), 1);
	assert_int_equal(ipk_opt_decode(&o, &v), 0);
	assert_int_equal(v.type, IPK_OPT_SID);
	assert_int_equal(v.u.stream_id, 0x1234);
	assert_int_equal(ipk_opt_next(&it, &o), 1);
	assert_int_equal(o.type, IPK_OPT_EOL);
	assert_int_equal(o.off, 33);
	assert_int_equal(ipk_opt_next(&it, &o), 0);
	assert_int_equal(it.after_eol_nonzero, 0);
	/* two source routes: Linux refuses the second */
	size_t eo;
	assert_int_equal(ipk_opt_validate(b2, len2, &eo, NULL, 0), IPK_E_OPT_DUP);
	assert_int_equal(eo, 11);

	ipk_opt_iter_init(&it, b3, 40);
	assert_int_equal(ipk_opt_next(&it, &o), 1);
	assert_int_equal(ipk_opt_decode(&o, &v), 0);
	assert_int_equal(v.type, IPK_OPT_CIPSO);
	assert_int_equal(v.u.cipso.doi, 0x00010002);
	assert_int_equal(v.u.cipso.tags_len, 4);
	assert_memory_equal(v.u.cipso.tags, tags, 4);
	assert_int_equal(ipk_opt_next(&it, &o), 1);
	assert_int_equal(ipk_opt_decode(&o, &v), 0);
	assert_int_equal(v.type, IPK_OPT_QS);
	assert_int_equal(v.u.qs.func, 8);
	assert_int_equal(v.u.qs.rate, 3);
	assert_int_equal(v.u.qs.qs_ttl, 200);
	assert_int_equal(v.u.qs.nonce, 0x3fffffff);
	assert_int_equal(ipk_opt_next(&it, &o), 1);
	assert_int_equal(ipk_opt_decode(&o, &v), 0);
	assert_int_equal(v.type, IPK_OPT_TS);
	assert_int_equal(v.u.ts.flag, 0);
	assert_int_equal(v.u.ts.oflw, 15);
	assert_int_equal(v.u.ts.ptr, 9);
	assert_int_equal(v.u.ts.nent, 2);
	assert_int_equal(ipk_opt_u32(v.u.ts.data, 0), tss[0]);
	assert_int_equal(ipk_opt_u32(v.u.ts.data, 1), tss[1]);
	assert_int_equal(ipk_opt_next(&it, &o), 1);
	assert_int_equal(ipk_opt_decode(&o, &v), 0);
	assert_int_equal(v.type, IPK_OPT_ESEC);
	assert_int_equal(v.u.raw.len, 2);
	assert_memory_equal(v.u.raw.bytes, unk, 2);
	assert_int_equal(ipk_opt_next(&it, &o), 1);
	assert_int_equal(ipk_opt_decode(&o, &v), 0);
	assert_int_equal(v.type, 0x9e);
	assert_string_equal(ipk_opt_name(v.type), "unknown");
	assert_int_equal(v.u.raw.len, 3);
	assert_memory_equal(v.u.raw.bytes, unk, 3);
	assert_int_equal(ipk_opt_next(&it, &o), 1);
	assert_int_equal(o.type, IPK_OPT_EOL);
	assert_int_equal(ipk_opt_next(&it, &o), 0);
	assert_int_equal(ipk_opt_validate(b3, 40, &eo, NULL, 0), 0);

	/* TS flag 3 and BSO through put_tlv/put_ts */
	uint8_t b4[40];
	ipk_wbuf_init(&w, b4, sizeof(b4));
	assert_int_equal(ipk_opt_put_ts(&w, IPK_OPT_TS_PRESPEC, 0, 0, tsa, NULL, 2), 0);
	assert_int_equal(ipk_opt_put_tlv(&w, IPK_OPT_SEC, (const uint8_t[]){0x3d, 0x01}, 2), 0);
	ipk_opt_iter_init(&it, b4, w.len);
	assert_int_equal(ipk_opt_next(&it, &o), 1);
	assert_int_equal(ipk_opt_decode(&o, &v), 0);
	assert_int_equal(v.u.ts.flag, IPK_OPT_TS_PRESPEC);
	assert_int_equal(v.u.ts.ptr, 5);
	assert_int_equal(v.u.ts.nent, 2);
	assert_int_equal(ipk_opt_u32(v.u.ts.data, 2), tsa[1]);
	assert_int_equal(ipk_opt_u32(v.u.ts.data, 3), 0);
	assert_int_equal(ipk_opt_next(&it, &o), 1);
	assert_int_equal(ipk_opt_decode(&o, &v), 0);
	assert_int_equal(v.u.sec.rfc791, 0);
	assert_int_equal(v.u.sec.level, 0x3d);
	assert_int_equal(v.u.sec.nflags, 1);
	assert_int_equal(v.u.sec.flags[0], 1);
	assert_int_equal(ipk_opt_next(&it, &o), 0);
}

/* Every builder, given one byte too few, fails with NOSPACE and touches nothing. */
static void test_build_nospace(void **state)
{
	(void)state;
	const uint32_t addrs[2] = {1, 2};
	const uint8_t tags[2] = {1, 2};
	for (int k = 0; k < 12; k++) {
		for (size_t pre = 0; pre < 3; pre++) {
			uint8_t buf[64], ref[64];
			struct ipk_wbuf w;
			size_t need = 0;
			int r;
			memset(buf, 0xa5, sizeof(buf));
			/* find the size by building into a large buffer */
			ipk_wbuf_init(&w, buf, sizeof(buf));
			w.len = pre;
			for (int pass = 0; pass < 2; pass++) {
				switch (k) {
				case 0: r = ipk_opt_put_eol(&w); break;
				case 1: r = ipk_opt_put_nop(&w); break;
				case 2: r = ipk_opt_put_ra(&w, 1); break;
				case 3: r = ipk_opt_put_route(&w, IPK_OPT_RR, 0, addrs, 2); break;
				case 4: r = ipk_opt_put_ts(&w, 1, 0, 0, addrs, addrs, 2); break;
				case 5: r = ipk_opt_put_sec(&w, 1, 2, 3, 4); break;
				case 6: r = ipk_opt_put_sid(&w, 5); break;
				case 7: r = ipk_opt_put_qs(&w, 0, 1, 2, 3); break;
				case 8: r = ipk_opt_put_cipso(&w, 9, tags, 2); break;
				case 9: r = ipk_opt_put_tlv(&w, 0x99, tags, 2); break;
				case 10: r = ipk_opt_put_raw(&w, tags, 2); break;
				default: r = ipk_opt_put_ts(&w, 0, 0, 0, NULL, addrs, 2); break;
				}
				if (pass == 0) {
					assert_int_equal(r, 0);
					need = w.len - pre;
					assert_true(need >= 1);
					memset(buf, 0xa5, sizeof(buf));
					memcpy(ref, buf, sizeof(buf));
					ipk_wbuf_init(&w, buf, pre + need - 1);
					w.len = pre;
				} else {
					assert_int_equal(r, IPK_E_NOSPACE);
					assert_int_equal(w.len, pre);
					assert_memory_equal(buf, ref, sizeof(buf));
				}
			}
			/* and a cursor already past its cap */
			ipk_wbuf_init(&w, buf, 2);
			w.len = 3;
			assert_int_equal(ipk_opt_put_nop(&w), IPK_E_NOSPACE);
			assert_int_equal(w.len, 3);
			assert_memory_equal(buf, ref, sizeof(buf));
		}
	}
}

static void test_pad(void **state)
{
	(void)state;
	uint8_t buf[48];
	struct ipk_wbuf w;

	for (size_t n = 0; n <= 40; n++) {
		memset(buf, 0xee, sizeof(buf));
		ipk_wbuf_init(&w, buf, 40);
		for (size_t i = 0; i < n; i++)
			assert_int_equal(ipk_opt_put_nop(&w), 0);
		assert_int_equal(ipk_opt_pad(&w), 0);
		size_t want = (n + 3) & ~(size_t)3;
		assert_int_equal(w.len, want);
		for (size_t i = n; i < want; i++)
			assert_int_equal(buf[i], 0);
		assert_int_equal(buf[want < 40 ? want : 40], 0xee);
		assert_int_equal(ipk_opt_validate(buf, w.len, NULL, NULL, 0), 0);
		/* padding twice changes nothing */
		assert_int_equal(ipk_opt_pad(&w), 0);
		assert_int_equal(w.len, want);
	}

	/* the 40-byte limit: 41 bytes (cursor bigger than 40) -> TOOLONG, nothing written */
	memset(buf, 0xee, sizeof(buf));
	ipk_wbuf_init(&w, buf, sizeof(buf));
	w.len = 41;
	assert_int_equal(ipk_opt_pad(&w), IPK_E_TOOLONG);
	assert_int_equal(w.len, 41);
	assert_int_equal(buf[41], 0xee);
	w.len = 44;
	assert_int_equal(ipk_opt_pad(&w), IPK_E_TOOLONG);
	/* 38 bytes with cap 39: would fit 40 but not the cursor */
	ipk_wbuf_init(&w, buf, 39);
	w.len = 38;
	assert_int_equal(ipk_opt_pad(&w), IPK_E_NOSPACE);
	assert_int_equal(w.len, 38);
	assert_int_equal(buf[38], 0xee);
	/* a 40-byte area cannot take another option */
	ipk_wbuf_init(&w, buf, 40);
	w.len = 40;
	assert_int_equal(ipk_opt_put_eol(&w), IPK_E_NOSPACE);
	assert_int_equal(ipk_opt_pad(&w), 0);
}

/* ---- over-read: every prefix of several areas, placed before a PROT_NONE page ---- */

static void run_all(const uint8_t *p, size_t n)
{
	struct ipk_opt_iter it;
	struct ipk_opt o;
	struct ipk_optv v;
	struct ipk_findings f;
	size_t eo;
	int r;

	memset(&f, 0, sizeof(f));
	ipk_opt_iter_init(&it, p, n);
	while ((r = ipk_opt_next(&it, &o)) == 1) {
		assert_true(o.off + o.len <= n);
		int dr = ipk_opt_decode(&o, &v);
		assert_true(dr == 0 || dr == IPK_E_OPT_BAD_LEN);
		/* touch every view the decode hands out */
		if ((v.type == IPK_OPT_RR || v.type == IPK_OPT_LSRR || v.type == IPK_OPT_SSRR) &&
		    v.len >= 3)
			for (size_t i = 0; i < v.u.route.naddr; i++)
				(void)ipk_opt_u32(v.u.route.addrs, i);
		if (v.type == IPK_OPT_TS && v.len >= 4)
			for (size_t i = 0; i < (size_t)v.u.ts.nent * (v.u.ts.flag ? 2 : 1); i++)
				(void)ipk_opt_u32(v.u.ts.data, i);
	}
	assert_true(r <= 0);
	int vr = ipk_opt_validate(p, n, &eo, &f, 0);
	assert_true(vr <= 0 && vr > -1100);
	assert_true(eo <= n);
}

static void test_guard_prefixes(void **state)
{
	(void)state;
	static const uint8_t areas[][40] = {
		{0x86, 0x16, 0, 0, 0, 2, 0x02, 0x10, 0, 2, 0, 0, 0, 2, 0, 4, 0, 5, 0, 6, 0, 0xef, 0},
		{0x44, 0x28, 0x09, 0x00, 0x04, 0xeb, 0x39, 0xb9},
		{0x07, 0x27, 0x10, 1, 2, 3, 4, 10, 0, 0, 138, 10, 0, 0, 138},
		{0x44, 0x24, 0x1d, 0x01, 10, 0, 0, 6},
		{0x01, 0x89, 0x07, 0x04, 0, 0, 0, 0},
		{0x94, 0x04, 0x00, 0x00, 0x19, 0x08, 0x85, 0x40, 1, 2, 3, 4, 0x82, 0x0b, 0xd7, 0x88, 0, 0,
		 0, 0, 0, 0, 0, 0x88, 0x04, 0x12, 0x34, 0x85, 0x03, 0x01, 0x99, 0x03, 0xff, 0x82, 0x03, 0x5a},
		{0x86, 0x0c, 0, 0, 0, 1, 1, 2, 5, 4, 0, 0, 0x86, 0x09, 0, 0, 0, 1, 1, 2, 7, 0, 0, 0, 0, 0,
		 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0},
	};
	for (size_t a = 0; a < sizeof(areas) / sizeof(areas[0]); a++)
		for (size_t n = 0; n <= 40; n++) {
			const uint8_t *g = guard_place(areas[a], n);
			assert_non_null(g);
			run_all(g, n);
		}
	for (size_t i = 0; i < NROWS; i++)
		for (size_t n = 0; n <= matrix[i].len; n++)
			run_all(guard_place(matrix[i].b, n), n);
	/* every single byte value in every short length */
	for (unsigned t = 0; t < 256; t++)
		for (unsigned l = 0; l < 256; l += 5) {
			const uint8_t b[4] = {(uint8_t)t, (uint8_t)l, 5, 0xf1};
			for (size_t n = 0; n <= 4; n++)
				run_all(guard_place(b, n), n);
		}
}

/* ---- the shared capture of real options ---- */

static void test_pcap_options(void **state)
{
	(void)state;
	char errbuf[PCAP_ERRBUF_SIZE];
	pcap_t *pc = pcap_open_offline(IPK_THIRD_PARTY_PCAPS "/other/ipv4-options.pcap", errbuf);
	if (!pc) {
		print_error("%s\n", errbuf);
		fail();
	}
	assert_int_equal(pcap_datalink(pc), DLT_EN10MB);

	struct pcap_pkthdr *ph;
	const u_char *pkt;
	int frame = 0;
	while (pcap_next_ex(pc, &ph, &pkt) == 1) {
		frame++;
		assert_true(ph->caplen >= 34);
		assert_int_equal(pkt[12], 0x08);
		assert_int_equal(pkt[13], 0x00);
		size_t hlen = (size_t)(pkt[14] & 0x0f) * 4;
		assert_true(hlen > 20 && ph->caplen >= 14 + hlen);
		const uint8_t *opts = guard_place(pkt + 34, hlen - 20);
		size_t olen = hlen - 20;
		struct ipk_opt_iter it;
		struct ipk_opt o;
		struct ipk_optv v;
		struct ipk_findings f;
		size_t eo = 1;
		char d[256];

		memset(&f, 0, sizeof(f));
		assert_int_equal(ipk_opt_validate(opts, olen, &eo, &f, 34), 0);
		assert_int_equal(f.n, 0);
		walk_desc(opts, olen, d, sizeof(d));
		ipk_opt_iter_init(&it, opts, olen);
		assert_int_equal(ipk_opt_next(&it, &o), 1);
		switch (frame) {
		case 1: /* tshark: CIPSO len 22, DOI 2, tag 2 (level 2, categories 0,2,4,5,6,239), EOL */
			assert_int_equal(olen, 24);
			assert_string_equal(d, "CIPSO:22 EOL");
			assert_int_equal(ipk_opt_decode(&o, &v), 0);
			assert_int_equal(v.u.cipso.doi, 2);
			assert_int_equal(v.u.cipso.tags_len, 16);
			assert_int_equal(v.u.cipso.tags[0], 2);  /* tag type */
			assert_int_equal(v.u.cipso.tags[1], 16); /* tag length */
			assert_int_equal(v.u.cipso.tags[3], 2);  /* sensitivity level */
			{
				static const uint16_t cats[] = {0, 2, 4, 5, 6, 239};
				for (size_t i = 0; i < 6; i++)
					assert_int_equal(v.u.cipso.tags[4 + 2 * i] << 8 |
								 v.u.cipso.tags[5 + 2 * i],
							 cats[i]);
			}
			break;
		case 2: /* tcpdump: TS{TSONLY 82524601@ ^ 0@ ...}, len 40, ptr 9 */
			assert_string_equal(d, "TS:40");
			assert_int_equal(ipk_opt_decode(&o, &v), 0);
			assert_int_equal(v.u.ts.ptr, 9);
			assert_int_equal(v.u.ts.oflw, 0);
			assert_int_equal(v.u.ts.flag, IPK_OPT_TS_TSONLY);
			assert_int_equal(v.u.ts.nent, 9);
			assert_int_equal(ipk_opt_u32(v.u.ts.data, 0), 82524601);
			for (size_t i = 1; i < 9; i++)
				assert_int_equal(ipk_opt_u32(v.u.ts.data, i), 0);
			break;
		case 3: /* RA, value 0 ("Router shall examine packet") */
			assert_string_equal(d, "RA:4");
			assert_int_equal(ipk_opt_decode(&o, &v), 0);
			assert_int_equal(v.u.ra_value, 0);
			break;
		case 4: /* RR len 39 ptr 16: 1.2.3.4, 10.0.0.138, 10.0.0.138, then 6 empty; EOL */
			assert_string_equal(d, "RR:39 EOL");
			assert_int_equal(ipk_opt_decode(&o, &v), 0);
			assert_int_equal(v.u.route.ptr, 16);
			assert_int_equal(v.u.route.naddr, 9);
			assert_int_equal(ipk_opt_u32(v.u.route.addrs, 0), 0x01020304);
			assert_int_equal(ipk_opt_u32(v.u.route.addrs, 1), 0x0a00008a);
			assert_int_equal(ipk_opt_u32(v.u.route.addrs, 2), 0x0a00008a);
			for (size_t i = 3; i < 9; i++)
				assert_int_equal(ipk_opt_u32(v.u.route.addrs, i), 0);
			break;
		case 5: /* TS{TS+ADDR 70037668@10.0.0.6 77233718@10.0.0.138 77233718@10.0.0.138 ^ 0@0.0.0.0} */
			assert_string_equal(d, "TS:36");
			assert_int_equal(ipk_opt_decode(&o, &v), 0);
			assert_int_equal(v.u.ts.ptr, 29);
			assert_int_equal(v.u.ts.flag, IPK_OPT_TS_TSADDR);
			assert_int_equal(v.u.ts.oflw, 0);
			assert_int_equal(v.u.ts.nent, 4);
			assert_int_equal(ipk_opt_u32(v.u.ts.data, 0), 0x0a000006);
			assert_int_equal(ipk_opt_u32(v.u.ts.data, 1), 70037668);
			assert_int_equal(ipk_opt_u32(v.u.ts.data, 2), 0x0a00008a);
			assert_int_equal(ipk_opt_u32(v.u.ts.data, 3), 77233718);
			assert_int_equal(ipk_opt_u32(v.u.ts.data, 4), 0x0a00008a);
			assert_int_equal(ipk_opt_u32(v.u.ts.data, 5), 77233718);
			assert_int_equal(ipk_opt_u32(v.u.ts.data, 6), 0);
			assert_int_equal(ipk_opt_u32(v.u.ts.data, 7), 0);
			break;
		case 6:
		case 7: /* NOP, SSRR / LSRR len 7 ptr 4, 0.0.0.0 */
			assert_string_equal(d, frame == 6 ? "NOP SSRR:7" : "NOP LSRR:7");
			assert_int_equal(o.type, IPK_OPT_NOP);
			assert_int_equal(ipk_opt_next(&it, &o), 1);
			assert_int_equal(ipk_opt_decode(&o, &v), 0);
			assert_int_equal(v.type, frame == 6 ? IPK_OPT_SSRR : IPK_OPT_LSRR);
			assert_int_equal(v.off, 1);
			assert_int_equal(v.u.route.ptr, 4);
			assert_int_equal(v.u.route.naddr, 1);
			assert_int_equal(ipk_opt_u32(v.u.route.addrs, 0), 0);
			break;
		default:
			fail();
		}
	}
	assert_int_equal(frame, 7);
	pcap_close(pc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_matrix_rows_present),
		cmocka_unit_test(test_matrix_validate),
		cmocka_unit_test(test_matrix_walk),
		cmocka_unit_test(test_matrix_walk_matches_framing),
		cmocka_unit_test(test_validate_rules),
		cmocka_unit_test(test_validate_findings),
		cmocka_unit_test(test_iter_basics),
		cmocka_unit_test(test_decode_kinds),
		cmocka_unit_test(test_decode_bad_len),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_build_bytes),
		cmocka_unit_test(test_build_inval),
		cmocka_unit_test(test_build_roundtrip),
		cmocka_unit_test(test_build_nospace),
		cmocka_unit_test(test_pad),
		cmocka_unit_test(test_guard_prefixes),
		cmocka_unit_test(test_pcap_options),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
