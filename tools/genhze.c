/*
 * genhze - deterministic generator of synthetic hze exports (Hilfen zur Erziehung, Teil I)
 * in the canonical CSV layout of the hze pack (rules/hze.yaml), for tests and benchmarks.
 *
 * Every record is valid for every rule of the catalogue unless it was chosen for an injected
 * error (-e N: about N per 1000 records carry exactly one error, cycling through the kinds in
 * err_kinds[] so that every rule is represented).  The output depends only on the arguments:
 * the generator uses its own PRNG (splitmix64) and integer arithmetic only, so the same
 * arguments give byte-identical files on every machine.
 *
 * Valid-but-unusual input that a checker must accept is also produced: about 1 % of the clean
 * records drop the leading zero of one two-digit code (hilfeart, ort, aufenthalt_*).
 *
 * Dates are kept as month indices (year * 12 + month - 1) so that the age and overlap rules
 * of the catalogue are plain integer comparisons.
 *
 * Usage: genhze [-n RECORDS] [-s SEED] [-y BERICHTSJAHR] [-e ERRORS_PER_1000]
 *               [--header-order shuffled|canonical] [--crlf] [--truth FILE] [-v]
 * --truth FILE writes "line;lfd_nr;rule" for every injected error (line 1 = header), so a test
 * can compare a checker's findings with what was injected; -v prints counts per kind to stderr.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Columns in the order of the canonical export layout (rules/hze.yaml's fields). */
enum {
	C_LAND, C_REGBEZ, C_KREIS, C_GEMEINDE, C_EINR, C_LFD, C_BJ, C_PERSON, C_SOZ, C_BEGINN,
	C_UEBERN, C_HILFEART, C_ORT, C_TRAEGER, C_GESCHL, C_GEBURT, C_AUFV, C_FAM, C_HERK,
	C_DEUTSCH, C_TRANSFER, C_ANREG, C_SORGE, C_VERF, C_FREI, C_G1, C_G2, C_G3, C_ANDAUERND,
	C_KJ, C_ENDE, C_KG, C_BGRUND, C_AUFN, C_ANSCHL, NCOL
};

static const char *const colnames[NCOL] = {
	"land", "regbez", "kreis", "gemeinde", "einrichtung", "lfd_nr", "berichtsjahr",
	"person_id", "sozialraum", "beginn", "uebernahme", "hilfeart", "ort", "traeger",
	"geschlecht", "geburt", "aufenthalt_vorher", "familiensituation", "herkunft_ausland",
	"deutsch_zuhause", "transferleistungen", "anregung", "sorgerechtsentzug",
	"verfahrensaussetzung", "freiheitsentzug", "grund1", "grund2", "grund3", "andauernd",
	"kontakte_jahr", "ende", "kontakte_gesamt", "beendigungsgrund", "aufenthalt_nachher",
	"anschlusshilfe",
};

/* Sozialraum names (UTF-8; hex escapes split where a hex digit follows). */
static const char *const sozialraeume[] = {
	"Innenstadt-Nord", "S\xC3\xBC" "dstadt", "Nordmarkt", "H\xC3\xB6rde", "Eving",
	"Brackel", "L\xC3\xBCtgendortmund", "Aplerbeck",
};
#define NSOZ ((int)(sizeof(sozialraeume) / sizeof(sozialraeume[0])))

/* ---- PRNG: splitmix64, identical on every platform ---- */

typedef struct {
	uint64_t s;
} rng_t;

static uint64_t rng_next(rng_t *r)
{
	uint64_t z = (r->s += 0x9E3779B97F4A7C15ULL);
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
	return z ^ (z >> 31);
}

/* Uniform in [0, n) for n < 2^32 (multiply-shift, no modulo bias worth mentioning). */
static uint32_t rng_below(rng_t *r, uint32_t n)
{
	return (uint32_t)(((rng_next(r) >> 32) * (uint64_t)n) >> 32);
}

/* Uniform in [lo, hi]; hi < lo yields lo. */
static int rng_range(rng_t *r, int lo, int hi)
{
	if (hi <= lo)
		return lo;
	return lo + (int)rng_below(r, (uint32_t)(hi - lo + 1));
}

/* True with probability permille / 1000. */
static int rng_chance(rng_t *r, int permille)
{
	return (int)rng_below(r, 1000) < permille;
}

/* A weighted code list: pick() returns code with probability w / sum(w). */
typedef struct {
	int code; /* the code value */
	int w;    /* its weight */
} wcode_t;

static int pick_(rng_t *r, const wcode_t *t, int n)
{
	int sum = 0, i;
	for (i = 0; i < n; i++)
		sum += t[i].w;
	int x = (int)rng_below(r, (uint32_t)sum);
	for (i = 0; i < n - 1; i++) {
		if (x < t[i].w)
			return t[i].code;
		x -= t[i].w;
	}
	return t[n - 1].code;
}
#define PICK(r, t) pick_((r), (t), (int)(sizeof(t) / sizeof((t)[0])))

/* ---- domain tables ---- */

/* hilfeart per record, in 0.1 %: Erziehungsberatung dominates, then SPFH, Heim, Pflege. */
static const wcode_t w_hilfeart[] = {
	{1, 180}, {2, 120}, {3, 80}, {4, 20}, {5, 60}, {6, 10}, {7, 120}, {8, 20},
	{9, 80}, {10, 15}, {11, 90}, {12, 15}, {13, 80}, {14, 40}, {15, 10}, {16, 60},
};

static const wcode_t w_ort_eb[] = {{6, 900}, {1, 50}, {5, 30}, {4, 20}};
static const wcode_t w_ort_04[] = {{6, 700}, {5, 300}};
static const wcode_t w_ort_05[] = {{1, 500}, {6, 300}, {5, 100}, {10, 100}};
static const wcode_t w_ort_07[] = {{1, 950}, {6, 50}};
static const wcode_t w_ort_09[] = {{3, 750}, {2, 250}};
static const wcode_t w_ort_10[] = {{3, 850}, {2, 150}};
static const wcode_t w_ort_11[] = {{8, 600}, {9, 300}, {10, 100}};
static const wcode_t w_ort_12[] = {{10, 400}, {1, 200}, {8, 100}, {9, 100}, {12, 100}, {11, 100}};
static const wcode_t w_ort_13[] = {{6, 400}, {5, 200}, {1, 150}, {7, 100}, {8, 100}, {3, 50}};
static const wcode_t w_ort_14[] = {{1, 700}, {6, 300}};
static const wcode_t w_ort_15[] = {{3, 400}, {8, 300}, {9, 300}};
static const wcode_t w_ort_16[] = {{1, 500}, {6, 300}, {12, 200}};

/* Free and public carriers, never 40 (Pflegefamilie). */
static const wcode_t w_traeger[] = {
	{10, 250}, {21, 110}, {22, 120}, {23, 40}, {24, 150}, {25, 150}, {26, 5},
	{27, 15}, {28, 90}, {29, 30}, {30, 40},
};

static const wcode_t w_geschlecht[] = {{1, 550}, {2, 440}, {3, 3}, {4, 7}};
static const wcode_t w_aufv_amb[] = {{1, 930}, {2, 20}, {3, 5}, {4, 25}, {9, 15}, {5, 5}};
static const wcode_t w_aufv_stat[] = {
	{1, 700}, {2, 50}, {3, 30}, {5, 50}, {6, 100}, {7, 30}, {8, 10}, {9, 10}, {10, 15}, {11, 5},
};
static const wcode_t w_aufn_amb[] = {{1, 880}, {2, 20}, {4, 60}, {6, 20}, {9, 20}};
static const wcode_t w_aufn_stat[] = {
	{1, 400}, {2, 50}, {3, 50}, {4, 200}, {5, 100}, {6, 150}, {7, 20}, {9, 20}, {10, 10},
};
static const wcode_t w_fam[] = {{1, 370}, {2, 360}, {3, 225}, {4, 5}, {5, 40}};
static const wcode_t w_anregung[] = {
	{1, 80}, {2, 380}, {3, 160}, {4, 250}, {5, 50}, {6, 50}, {7, 10}, {8, 20},
};
static const wcode_t w_g1_eb[] = {{15, 350}, {17, 250}, {13, 200}, {16, 100}, {18, 100}};
static const wcode_t w_g1_amb[] = {{13, 300}, {14, 200}, {11, 150}, {16, 150}, {18, 100}, {15, 100}};
static const wcode_t w_g1_stat[] = {{12, 300}, {13, 200}, {11, 150}, {16, 150}, {14, 100}, {10, 100}};
static const wcode_t w_g1_35a[] = {{17, 800}, {18, 150}, {16, 50}};
static const wcode_t w_bgrund[] = {{10, 600}, {20, 150}, {21, 50}, {22, 50}, {40, 40}, {50, 110}};
static const wcode_t w_anschl[] = {{6, 500}, {4, 200}, {2, 100}, {3, 80}, {5, 50}, {1, 70}};

enum { SET_AMB, SET_TEIL, SET_STAT };

/* Setting (level 3 of the hierarchy of measures) of hilfeart with ort. */
static int setting_of(int ha, int ort)
{
	switch (ha) {
	case 8:
		return SET_TEIL;
	case 9: case 10: case 11: case 15:
		return SET_STAT;
	case 12:
		return (ort == 8 || ort == 9) ? SET_STAT : SET_AMB;
	case 13:
		if (ort == 2 || ort == 3 || ort == 8 || ort == 9)
			return SET_STAT;
		return ort == 7 ? SET_TEIL : SET_AMB;
	default:
		return SET_AMB;
	}
}

static int is_eb(int ha)
{
	return ha >= 1 && ha <= 3;
}

static int pick_ort(rng_t *r, int ha)
{
	switch (ha) {
	case 1: case 2: case 3: return PICK(r, w_ort_eb);
	case 4: return PICK(r, w_ort_04);
	case 5: case 6: return PICK(r, w_ort_05);
	case 7: return PICK(r, w_ort_07);
	case 8: return 7;
	case 9: return PICK(r, w_ort_09);
	case 10: return PICK(r, w_ort_10);
	case 11: return PICK(r, w_ort_11);
	case 12: return PICK(r, w_ort_12);
	case 13: return PICK(r, w_ort_13);
	case 14: return PICK(r, w_ort_14);
	case 15: return PICK(r, w_ort_15);
	default: return PICK(r, w_ort_16);
	}
}

static int pick_traeger(rng_t *r, int ha, int ort)
{
	int foster = (ort == 2 || ort == 3);
	if ((ha == 9 || ha == 10) && rng_chance(r, 800))
		return 40;
	if ((ha == 13 || ha == 15) && foster && rng_chance(r, 500))
		return 40;
	if (is_eb(ha) && rng_chance(r, 300))
		return 10; /* kommunale Beratungsstellen */
	return PICK(r, w_traeger);
}

/* Age at Beginn (whole years, inclusive) typical for a hilfeart. */
static void age_range(int ha, int *lo, int *hi)
{
	static const int rng[17][2] = {
		{0, 20}, {0, 20}, {0, 20}, {6, 20}, {8, 17}, {10, 18}, {13, 20}, {0, 17}, {6, 13},
		{0, 17}, {0, 15}, {6, 20}, {13, 20}, {3, 20}, {0, 17}, {0, 17}, {0, 20},
	};
	*lo = rng[ha][0];
	*hi = rng[ha][1];
}

/* Duration in months: triangular 0 .. 2*mean, capped. */
static int pick_duration(rng_t *r, int ha, int ongoing)
{
	int mean, cap;
	switch (ha) {
	case 1: case 2: case 3: mean = ongoing ? 5 : 4; cap = 36; break;
	case 9: case 10: mean = 36; cap = 144; break;
	case 11: case 15: mean = 20; cap = 96; break;
	case 13: mean = 18; cap = 96; break;
	default: mean = 12; cap = 72; break;
	}
	int d = rng_range(r, 0, mean) + rng_range(r, 0, mean);
	return d > cap ? cap : d;
}

/* ---- records ---- */

/* One record with typed values; -1 = empty field.  Months are year * 12 + month - 1. */
typedef struct {
	int einr, lfd;           /* key parts that vary; land/regbez/kreis/gemeinde are fixed */
	int person;              /* number behind person_id */
	int soz;                 /* index into sozialraeume */
	int beginn, geburt, ende;
	int uebern, ha, ort, traeger, geschlecht, aufv, fam, herk, deutsch, transfer;
	int anregung, sorge, verf, frei, g1, g2, g3, andauernd, kj, kg, bgrund, aufn, anschl;
} rec_t;

/* The person behind the previous record, possibly given a second aid. */
typedef struct {
	int id, geburt, geschlecht, soz, herk, deutsch;
	int reusable; /* 1 while the person has one aid and may get a second */
} person_t;

/* A clean stationary record that an X02 error can overlap. */
typedef struct {
	int valid;
	int person, geburt, geschlecht, soz, herk, deutsch;
	int beginn, end; /* end = ende, or the report-year end while ongoing */
} stat_cand_t;

/* Generator state. */
typedef struct {
	rng_t rng;     /* record content */
	rng_t erng;    /* error selection and error details */
	int bj;        /* Berichtsjahr */
	int yend;      /* month index of 12.bj */
	int next_person;
	person_t last;
	stat_cand_t cand;
	int keys[4096][2]; /* ring of clean (einr, lfd) keys for X01 */
	int nkeys;
} gen_t;

static int month_of(int m) { return m % 12 + 1; }
static int year_of(int m) { return m / 12; }

static void pick_grounds(gen_t *g, rec_t *r)
{
	rng_t *R = &g->rng;
	int st = setting_of(r->ha, r->ort);
	if (is_eb(r->ha))
		r->g1 = PICK(R, w_g1_eb);
	else if (r->ha == 13)
		r->g1 = PICK(R, w_g1_35a);
	else if (st == SET_STAT)
		r->g1 = PICK(R, w_g1_stat);
	else
		r->g1 = PICK(R, w_g1_amb);
	r->g2 = r->g3 = -1;
	if (rng_chance(R, 550)) {
		do
			r->g2 = rng_range(R, 10, 18);
		while (r->g2 == r->g1);
		if (rng_chance(R, 450)) {
			do
				r->g3 = rng_range(R, 10, 18);
			while (r->g3 == r->g1 || r->g3 == r->g2);
		}
	}
}

/* Fill the end-of-aid fields of an ended record (ende already set). */
static void fill_end(rng_t *R, rec_t *r, int bj)
{
	int st = setting_of(r->ha, r->ort);
	r->bgrund = PICK(R, w_bgrund);
	if ((r->ha == 9 || r->ha == 10) && r->beginn - r->geburt < 36 && rng_chance(R, 200))
		r->bgrund = 30;
	r->aufn = st == SET_STAT ? PICK(R, w_aufn_stat) : PICK(R, w_aufn_amb);
	r->anschl = r->bgrund == 40 ? 1 : PICK(R, w_anschl);
	if (is_eb(r->ha)) {
		if (r->kj < 1)
			r->kj = rng_range(R, 1, 12);
		r->kg = r->kj + (r->beginn < bj * 12 ? rng_range(R, 1, 25) : 0);
	} else {
		r->kg = -1;
	}
}

static void make_ended(gen_t *g, rec_t *r)
{
	if (r->andauernd == 2)
		return;
	int lo = r->beginn > g->bj * 12 ? r->beginn : g->bj * 12;
	r->andauernd = 2;
	r->ende = rng_range(&g->erng, lo, g->yend);
	fill_end(&g->erng, r, g->bj);
}

static void make_ongoing(gen_t *g, rec_t *r)
{
	r->andauernd = 1;
	r->ende = r->kg = r->bgrund = r->aufn = r->anschl = -1;
	if (is_eb(r->ha) && r->kj < 1)
		r->kj = rng_range(&g->erng, 1, 12);
	/* keep D08 quiet: age at the report-year end below 27 */
	if (g->yend - r->geburt >= 27 * 12) {
		int base = g->yend - (27 * 12 - 1);
		int room = r->beginn - base;
		r->geburt = base + rng_range(&g->erng, 0, room < 11 ? room : 11);
	}
}

/* Give a record a new hilfeart/ort/traeger, keeping the EB contact fields consistent. */
static void set_measure(gen_t *g, rec_t *r, int ha, int ort, int traeger)
{
	r->ha = ha;
	r->ort = ort;
	r->traeger = traeger;
	r->frei = 2;
	if (is_eb(ha)) {
		if (r->kj < 1)
			r->kj = rng_range(&g->erng, 1, 12);
		if (r->andauernd == 2)
			r->kg = r->kj + rng_range(&g->erng, 0, 10);
		else
			r->kg = -1;
	} else {
		r->kj = r->kg = -1;
	}
}

/*
 * Generate record i.  fresh = 1 forces a new person (error records never share a person, so
 * an injected error cannot cause a second finding through X02).
 */
static void gen_record(gen_t *g, long i, rec_t *r, int fresh)
{
	rng_t *R = &g->rng;
	int reuse_roll = rng_chance(R, 120);
	int reuse = !fresh && reuse_roll && g->last.reusable &&
		    g->yend - g->last.geburt < 21 * 12;

	memset(r, 0, sizeof(*r));
	r->einr = 512345 + (int)(i / 99999);
	r->lfd = (int)(i % 99999) + 1;

	if (reuse) {
		/* second aid of the previous person: never stationary, so it cannot overlap */
		do {
			r->ha = PICK(R, w_hilfeart);
			r->ort = pick_ort(R, r->ha);
		} while (setting_of(r->ha, r->ort) == SET_STAT);
		r->person = g->last.id;
		r->geburt = g->last.geburt;
		r->geschlecht = g->last.geschlecht;
		r->soz = g->last.soz;
		r->herk = g->last.herk;
		r->deutsch = g->last.deutsch;
		r->andauernd = rng_chance(R, 550) ? 1 : 2;
		int dur = pick_duration(R, r->ha, r->andauernd == 1);
		if (r->andauernd == 1) {
			r->beginn = g->yend - dur;
		} else {
			int lo = g->bj * 12 > r->geburt ? g->bj * 12 : r->geburt;
			r->ende = rng_range(R, lo, g->yend);
			r->beginn = r->ende - dur;
		}
		if (r->beginn < r->geburt)
			r->beginn = r->geburt;
		g->last.reusable = 0;
	} else {
		r->ha = PICK(R, w_hilfeart);
		r->ort = pick_ort(R, r->ha);
		r->person = ++g->next_person;
		r->geschlecht = PICK(R, w_geschlecht);
		r->soz = (int)rng_below(R, NSOZ);
		int h = (int)rng_below(R, 1000);
		r->herk = h < 320 ? 1 : h < 920 ? 2 : -1;
		h = (int)rng_below(R, 1000);
		if (r->herk == 2)
			r->deutsch = h < 950 ? 1 : h < 980 ? 2 : -1;
		else
			r->deutsch = h < 450 ? 1 : h < 900 ? 2 : -1;
		r->andauernd = rng_chance(R, 550) ? 1 : 2;
		int dur = pick_duration(R, r->ha, r->andauernd == 1);
		if (r->andauernd == 1) {
			r->beginn = g->yend - dur;
		} else {
			r->ende = rng_range(R, g->bj * 12, g->yend);
			r->beginn = r->ende - dur;
		}
		int alo, ahi;
		age_range(r->ha, &alo, &ahi);
		int a = rng_range(R, alo * 12, ahi * 12 + 11);
		if (r->andauernd == 1 && a + (g->yend - r->beginn) >= 27 * 12)
			a = 27 * 12 - 1 - (g->yend - r->beginn);
		r->geburt = r->beginn - a;
		g->last = (person_t){ r->person, r->geburt, r->geschlecht, r->soz, r->herk,
				      r->deutsch, 1 };
	}
	if (r->andauernd == 1)
		r->ende = -1;

	int st = setting_of(r->ha, r->ort);
	r->traeger = pick_traeger(R, r->ha, r->ort);
	r->uebern = rng_chance(R, 30) ? 1 : -1;
	r->aufv = st == SET_STAT ? PICK(R, w_aufv_stat) : PICK(R, w_aufv_amb);
	r->fam = PICK(R, w_fam);
	if (r->fam == 4 && r->aufv == 1)
		r->aufv = 2; /* both parents dead: not "bei den Eltern" (F02) */
	int t = (int)rng_below(R, 1000);
	r->transfer = t < 400 ? 1 : t < 930 ? 2 : -1;
	r->anregung = PICK(R, w_anregung);
	r->sorge = rng_chance(R, st == SET_STAT ? 90 : 10) ? 1 : 2;
	r->verf = rng_chance(R, 20) ? 1 : 2;
	r->frei = st == SET_STAT && rng_chance(R, 5) ? 1 : 2;
	pick_grounds(g, r);
	r->kj = r->kg = r->bgrund = r->aufn = r->anschl = -1;
	if (is_eb(r->ha))
		r->kj = 1 + rng_range(R, 0, 6) + rng_range(R, 0, 8);
	if (r->andauernd == 2)
		fill_end(R, r, g->bj);
}

/* ---- formatting ---- */

typedef struct {
	char v[NCOL][48]; /* field texts */
	int len[NCOL];
	char extra[16];   /* appended fields (S02), "" if none */
} fields_t;

static int put_uint(char *p, long v, int width)
{
	char tmp[24];
	int n = 0;
	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v > 0);
	while (n < width)
		tmp[n++] = '0';
	for (int k = 0; k < n; k++)
		p[k] = tmp[n - 1 - k];
	p[n] = '\0';
	return n;
}

static void f_num(fields_t *f, int c, long v, int width)
{
	if (v < 0) {
		f->v[c][0] = '\0';
		f->len[c] = 0;
	} else {
		f->len[c] = put_uint(f->v[c], v, width);
	}
}

static void f_month(fields_t *f, int c, int m)
{
	if (m < 0) {
		f->v[c][0] = '\0';
		f->len[c] = 0;
		return;
	}
	char *p = f->v[c];
	put_uint(p, month_of(m), 2);
	p[2] = '.';
	f->len[c] = 3 + put_uint(p + 3, year_of(m), 4);
}

static void f_str(fields_t *f, int c, const char *s)
{
	size_t n = strlen(s);
	if (n >= sizeof(f->v[c]))
		n = sizeof(f->v[c]) - 1;
	memcpy(f->v[c], s, n);
	f->v[c][n] = '\0';
	f->len[c] = (int)n;
}

static void format_record(const gen_t *g, const rec_t *r, fields_t *f)
{
	f_num(f, C_LAND, 5, 2);
	f_num(f, C_REGBEZ, 9, 1);
	f_num(f, C_KREIS, 13, 2);
	f_num(f, C_GEMEINDE, 0, 3);
	f_num(f, C_EINR, r->einr, 6);
	f_num(f, C_LFD, r->lfd, 5);
	f_num(f, C_BJ, g->bj, 4);
	f->v[C_PERSON][0] = 'P';
	f->len[C_PERSON] = 1 + put_uint(f->v[C_PERSON] + 1, r->person, 6);
	f_str(f, C_SOZ, sozialraeume[r->soz]);
	f_month(f, C_BEGINN, r->beginn);
	f_num(f, C_UEBERN, r->uebern, 1);
	f_num(f, C_HILFEART, r->ha, 2);
	f_num(f, C_ORT, r->ort, 2);
	f_num(f, C_TRAEGER, r->traeger, 2);
	f_num(f, C_GESCHL, r->geschlecht, 1);
	f_month(f, C_GEBURT, r->geburt);
	f_num(f, C_AUFV, r->aufv, 2);
	f_num(f, C_FAM, r->fam, 1);
	f_num(f, C_HERK, r->herk, 1);
	f_num(f, C_DEUTSCH, r->deutsch, 1);
	f_num(f, C_TRANSFER, r->transfer, 1);
	f_num(f, C_ANREG, r->anregung, 1);
	f_num(f, C_SORGE, r->sorge, 1);
	f_num(f, C_VERF, r->verf, 1);
	f_num(f, C_FREI, r->frei, 1);
	f_num(f, C_G1, r->g1, 2);
	f_num(f, C_G2, r->g2, 2);
	f_num(f, C_G3, r->g3, 2);
	f_num(f, C_ANDAUERND, r->andauernd, 1);
	f_num(f, C_KJ, r->kj, 1);
	f_month(f, C_ENDE, r->ende);
	f_num(f, C_KG, r->kg, 1);
	f_num(f, C_BGRUND, r->bgrund, 2);
	f_num(f, C_AUFN, r->aufn, 2);
	f_num(f, C_ANSCHL, r->anschl, 1);
	f->extra[0] = '\0';
}

/* ---- error injection ---- */

enum {
	E_P01, E_P02, E_P03, E_F01, E_F02, E_D01, E_D02, E_D03, E_D04, E_D05, E_D06, E_D07,
	E_D08, E_D09, E_H01, E_H02, E_H03, E_H04, E_H05, E_H06, E_H07, E_S02, E_X01, E_X02,
	NKINDS
};
static const char *const kind_names[NKINDS] = {
	"P01", "P02", "P03", "F01", "F02", "D01", "D02", "D03", "D04", "D05", "D06", "D07",
	"D08", "D09", "H01", "H02", "H03", "H04", "H05", "H06", "H07", "S02", "X01", "X02",
};

/* Kinds that can be applied right now (X01/X02 need an earlier clean record). */
static int kind_ready(const gen_t *g, int kind)
{
	if (kind == E_X01)
		return g->nkeys > 0;
	if (kind == E_X02)
		return g->cand.valid;
	return 1;
}

/* Typed part of an injected error; variant cycles the sub-forms of a kind. */
static void inject_typed(gen_t *g, rec_t *r, int kind, int variant)
{
	rng_t *E = &g->erng;
	switch (kind) {
	case E_F01:
		r->fam = -1;
		break;
	case E_F02:
		r->fam = 4;
		r->aufv = 1;
		break;
	case E_D01: /* born after the start; negative age trips no age rule */
		r->geburt = r->beginn + rng_range(E, 1, 8);
		break;
	case E_D02: /* ended in the Berichtsjahr, but before it began */
		make_ended(g, r);
		r->ende = rng_range(E, g->bj * 12, g->yend - 1);
		r->beginn = rng_range(E, r->ende + 1, g->yend);
		if (r->beginn - r->geburt < 0 || r->beginn - r->geburt >= 21 * 12)
			r->geburt = r->beginn - rng_range(E, 36, 200);
		if (is_eb(r->ha))
			r->kg = r->kj;
		break;
	case E_D03: /* ongoing, but ende given */
		make_ongoing(g, r);
		r->ende = rng_range(E, r->beginn > g->bj * 12 ? r->beginn : g->bj * 12, g->yend);
		break;
	case E_D04:
		make_ended(g, r);
		r->bgrund = -1;
		break;
	case E_D05: /* ende in the next year, or in the previous one when beginn allows */
		make_ended(g, r);
		if ((variant & 1) && r->beginn < g->bj * 12) {
			int lo = r->beginn > (g->bj - 1) * 12 ? r->beginn : (g->bj - 1) * 12;
			r->ende = rng_range(E, lo, g->bj * 12 - 1);
		} else {
			r->ende = g->yend + rng_range(E, 1, 3);
		}
		break;
	case E_D06: { /* starts after the report-year end; keep the age at beginn */
		int a = r->beginn - r->geburt;
		make_ongoing(g, r);
		r->beginn = g->yend + rng_range(E, 1, 3);
		r->geburt = r->beginn - a;
		break;
	}
	case E_D07: /* 27 or older at beginn; ended so that D08 stays quiet (D09 cannot) */
		make_ended(g, r);
		r->geburt = r->beginn - rng_range(E, 27 * 12, 35 * 12 + 11);
		break;
	case E_D08: /* never closed: 27..29 at the year end, at most 20 at beginn */
		make_ongoing(g, r);
		r->geburt = g->yend - rng_range(E, 27 * 12, 29 * 12 + 11);
		r->beginn = r->geburt + rng_range(E, 16 * 12, 20 * 12 + 11);
		break;
	case E_D09: /* § 41 aid begun at 21..26; ended so that D08 stays quiet */
		make_ended(g, r);
		r->geburt = r->beginn - rng_range(E, 21 * 12, 26 * 12 + 11);
		break;
	case E_H01: {
		static const int orte[] = {1, 8, 6, 10};
		int ha = (variant & 1) ? 10 : 9;
		set_measure(g, r, ha, orte[variant % 4], rng_chance(E, 500) ? 40 : 10);
		break;
	}
	case E_H02: {
		static const int m[][2] = {{7, 1}, {11, 8}, {12, 10}, {5, 1}};
		set_measure(g, r, m[variant % 4][0], m[variant % 4][1], 40);
		break;
	}
	case E_H03: {
		static const int orte[] = {1, 6, 3, 2};
		set_measure(g, r, 11, orte[variant % 4], 28);
		break;
	}
	case E_H04: {
		static const int orte[] = {6, 1, 8};
		set_measure(g, r, 8, orte[variant % 3], 24);
		break;
	}
	case E_H05: { /* freiheitsentziehend, but ambulant or teilstationär */
		static const int m[][2] = {{7, 1}, {13, 6}, {12, 10}, {8, 7}};
		set_measure(g, r, m[variant % 4][0], m[variant % 4][1], 25);
		r->frei = 1;
		break;
	}
	case E_H06: /* ongoing Erziehungsberatung without contacts */
		make_ongoing(g, r);
		set_measure(g, r, 1 + variant % 3, 6, (variant & 1) ? 10 : 25);
		r->kj = (variant & 1) ? 0 : -1;
		break;
	case E_H07:
		switch (variant % 3) {
		case 0: /* grund3 without grund2 */
			if (r->g2 < 0)
				r->g2 = r->g1 == 18 ? 10 : r->g1 + 1;
			if (r->g3 < 0)
				r->g3 = r->g1 == 10 ? 18 : r->g1 - 1;
			if (r->g3 == r->g2)
				r->g3 = r->g3 == 18 ? 10 : r->g3 + 1;
			if (r->g3 == r->g1)
				r->g3 = r->g3 == 18 ? 10 : r->g3 + 1;
			r->g2 = -1;
			break;
		case 1: /* grund2 = grund1 */
			r->g2 = r->g1;
			r->g3 = -1;
			break;
		default: /* grund3 = grund2 */
			if (r->g2 < 0)
				r->g2 = r->g1 == 18 ? 10 : r->g1 + 1;
			r->g3 = r->g2;
			break;
		}
		break;
	case E_X01: { /* repeat the key of an earlier clean record */
		int n = g->nkeys < 4096 ? g->nkeys : 4096;
		int k = (int)rng_below(E, (uint32_t)(n < 500 ? n : 500));
		int slot = (g->nkeys - 1 - k) % 4096;
		r->einr = g->keys[slot][0];
		r->lfd = g->keys[slot][1];
		break;
	}
	case E_X02: { /* a stationary aid of an earlier person that overlaps its earlier one */
		const stat_cand_t *a = &g->cand;
		r->person = a->person;
		r->geburt = a->geburt;
		r->geschlecht = a->geschlecht;
		r->soz = a->soz;
		r->herk = a->herk;
		r->deutsch = a->deutsch;
		set_measure(g, r, 11, (variant & 1) ? 9 : 8, 28);
		int hi = a->end - 1;
		if (hi > a->geburt + 21 * 12 - 1)
			hi = a->geburt + 21 * 12 - 1;
		r->beginn = rng_range(E, a->beginn, hi);
		if (g->yend - r->geburt < 27 * 12 && (variant & 2) == 0) {
			make_ongoing(g, r);
		} else {
			int lo = r->beginn;
			if (lo < a->beginn + 1)
				lo = a->beginn + 1;
			if (lo < g->bj * 12)
				lo = g->bj * 12;
			r->andauernd = 1; /* force make_ended to redo the end fields */
			make_ended(g, r);
			r->ende = rng_range(E, lo, g->yend);
		}
		if (r->aufv == 6 || r->aufv == 5)
			r->aufv = 1;
		if (r->fam == 4 && r->aufv == 1)
			r->aufv = 2;
		break;
	}
	default:
		break;
	}
}

/* Textual part of an injected error (after formatting). */
static void inject_text(fields_t *f, const rec_t *r, int kind, int variant)
{
	switch (kind) {
	case E_P01: {
		static const int cols[] = {C_GESCHL, C_ANREG, C_SORGE, C_VERF};
		int c = cols[variant % 4];
		f->v[c][0] = '\0';
		f->len[c] = 0;
		break;
	}
	case E_P02:
		switch (variant % 4) {
		case 0: f_str(f, C_ORT, "13"); break;
		case 1: f_str(f, C_GESCHL, "5"); break;
		case 2: f_str(f, C_ANREG, "9"); break;
		default: f_str(f, C_TRAEGER, "31"); break;
		}
		break;
	case E_P03:
		switch (variant % 3) {
		case 0: /* month 13 */
			f->v[C_BEGINN][0] = '1';
			f->v[C_BEGINN][1] = '3';
			break;
		case 1: /* month 00 */
			f->v[C_GEBURT][0] = '0';
			f->v[C_GEBURT][1] = '0';
			break;
		default: /* letter O typed for a zero */
			f->v[C_EINR][4] = 'O';
			break;
		}
		break;
	case E_S02:
		memcpy(f->extra, (variant & 1) ? ";" : ";x", (variant & 1) ? 2 : 3);
		break;
	default:
		break;
	}
	(void)r;
}

/* Drop the leading zero of one two-digit code below 10 (valid input, to be normalised). */
static void drop_zero(rng_t *R, fields_t *f, const rec_t *r)
{
	int cand[4], n = 0;
	if (r->ha < 10)
		cand[n++] = C_HILFEART;
	if (r->ort < 10)
		cand[n++] = C_ORT;
	if (r->aufv < 10)
		cand[n++] = C_AUFV;
	if (r->aufn >= 0 && r->aufn < 10)
		cand[n++] = C_AUFN;
	if (n == 0)
		return;
	int c = cand[rng_below(R, (uint32_t)n)];
	f->v[c][0] = f->v[c][1];
	f->v[c][1] = '\0';
	f->len[c] = 1;
}

/* ---- output ---- */

#define OUTBUF (1 << 20)
static char outbuf[OUTBUF];
static size_t outpos;

static int flush_out(void)
{
	size_t off = 0;
	while (off < outpos) {
		ssize_t w = write(STDOUT_FILENO, outbuf + off, outpos - off);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		off += (size_t)w;
	}
	outpos = 0;
	return 0;
}

static void emit(const char *s, size_t n)
{
	memcpy(outbuf + outpos, s, n);
	outpos += n;
}

static int parse_long(const char *s, long lo, long hi, long *ret)
{
	char *end;
	errno = 0;
	long v = strtol(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v < lo || v > hi)
		return -EINVAL;
	*ret = v;
	return 0;
}

static void usage(FILE *out)
{
	fprintf(out,
		"usage: genhze [-n RECORDS] [-s SEED] [-y BERICHTSJAHR] [-e ERRORS_PER_1000]\n"
		"              [--header-order shuffled|canonical] [--crlf] [--truth FILE] [-v]\n"
		"Writes a synthetic hze CSV export to stdout; same arguments, same bytes.\n");
}

int main(int argc, char **argv)
{
	long n = 1000, seed = 1, bj = 2024, eper = 0;
	int shuffled = 0, crlf = 0, verbose = 0;
	const char *truth_path = NULL;

	for (int a = 1; a < argc; a++) {
		const char *o = argv[a];
		const char *val = a + 1 < argc ? argv[a + 1] : NULL;
		int bad = 0;
		if (!strcmp(o, "-n") && val) {
			bad = parse_long(val, 0, 100000000L, &n) < 0;
			a++;
		} else if (!strcmp(o, "-s") && val) {
			bad = parse_long(val, 0, 0x7fffffffL, &seed) < 0;
			a++;
		} else if (!strcmp(o, "-y") && val) {
			bad = parse_long(val, 1950, 2099, &bj) < 0;
			a++;
		} else if (!strcmp(o, "-e") && val) {
			bad = parse_long(val, 0, 1000, &eper) < 0;
			a++;
		} else if (!strcmp(o, "--header-order") && val) {
			if (!strcmp(val, "shuffled"))
				shuffled = 1;
			else if (!strcmp(val, "canonical"))
				shuffled = 0;
			else
				bad = 1;
			a++;
		} else if (!strcmp(o, "--header-order=shuffled")) {
			shuffled = 1;
		} else if (!strcmp(o, "--crlf")) {
			crlf = 1;
		} else if (!strcmp(o, "--truth") && val) {
			truth_path = val;
			a++;
		} else if (!strcmp(o, "-v")) {
			verbose = 1;
		} else if (!strcmp(o, "-h") || !strcmp(o, "--help")) {
			usage(stdout);
			return 0;
		} else {
			bad = 1;
		}
		if (bad) {
			fprintf(stderr, "genhze: bad argument '%s%s%s'\n", o, val ? " " : "",
				val ? val : "");
			usage(stderr);
			return 2;
		}
	}

	FILE *truth = NULL;
	if (truth_path) {
		truth = fopen(truth_path, "w");
		if (!truth) {
			fprintf(stderr, "genhze: %s: %s\n", truth_path, strerror(errno));
			return 2;
		}
		fputs("line;lfd_nr;rule\n", truth);
	}

	static gen_t g;
	g.rng.s = (uint64_t)seed * 0xD1B54A32D192ED03ULL + 0x1234567ULL;
	g.erng.s = (uint64_t)seed * 0x8CB92BA72F3D8DD7ULL + 0xE77ULL;
	g.bj = (int)bj;
	g.yend = (int)bj * 12 + 11;

	/* column order: canonical, or a seed-determined permutation */
	int perm[NCOL];
	for (int c = 0; c < NCOL; c++)
		perm[c] = c;
	if (shuffled) {
		rng_t pr = {(uint64_t)seed ^ 0x5EEDC01DULL};
		for (int c = NCOL - 1; c > 0; c--) {
			int j = (int)rng_below(&pr, (uint32_t)(c + 1));
			int t = perm[c];
			perm[c] = perm[j];
			perm[j] = t;
		}
	}
	const char *eol = crlf ? "\r\n" : "\n";
	size_t eollen = crlf ? 2 : 1;

	for (int k = 0; k < NCOL; k++) {
		if (k)
			emit(";", 1);
		emit(colnames[perm[k]], strlen(colnames[perm[k]]));
	}
	emit(eol, eollen);

	long pending = 0, counts[NKINDS] = {0}, injected = 0;
	int cycle = 0;
	rec_t r;
	fields_t f;
	for (long i = 0; i < n; i++) {
		if (eper > 0 && (long)rng_below(&g.erng, 1000) < eper)
			pending++;
		int kind = -1;
		if (pending > 0 && kind_ready(&g, cycle % NKINDS))
			kind = cycle % NKINDS;
		int variant = kind >= 0 ? (int)(counts[kind] & 0xffff) : 0;

		gen_record(&g, i, &r, kind >= 0);
		if (kind >= 0) {
			g.last.reusable = 0; /* nobody shares a person with an error record */
			inject_typed(&g, &r, kind, variant);
		}
		format_record(&g, &r, &f);
		if (kind >= 0) {
			inject_text(&f, &r, kind, variant);
			pending--;
			cycle++;
			counts[kind]++;
			injected++;
			if (truth)
				fprintf(truth, "%ld;%05d;%s\n", i + 2, r.lfd, kind_names[kind]);
		} else {
			if (rng_chance(&g.rng, 10))
				drop_zero(&g.rng, &f, &r);
			/* remember clean keys and stationary aids for X01/X02 */
			g.keys[g.nkeys % 4096][0] = r.einr;
			g.keys[g.nkeys % 4096][1] = r.lfd;
			g.nkeys++;
			int end = r.andauernd == 1 ? g.yend : r.ende;
			if (setting_of(r.ha, r.ort) == SET_STAT && end - r.beginn >= 2 &&
			    r.beginn - r.geburt < 21 * 12)
				g.cand = (stat_cand_t){ 1, r.person, r.geburt, r.geschlecht, r.soz,
							r.herk, r.deutsch, r.beginn, end };
		}

		for (int k = 0; k < NCOL; k++) {
			int c = perm[k];
			if (k)
				outbuf[outpos++] = ';';
			emit(f.v[c], (size_t)f.len[c]);
		}
		if (f.extra[0])
			emit(f.extra, strlen(f.extra));
		emit(eol, eollen);
		if (outpos > OUTBUF - 4096) {
			int rc = flush_out();
			if (rc < 0) {
				fprintf(stderr, "genhze: write: %s\n", strerror(-rc));
				return 1;
			}
		}
	}
	int rc = flush_out();
	if (rc < 0) {
		fprintf(stderr, "genhze: write: %s\n", strerror(-rc));
		return 1;
	}
	if (truth && fclose(truth) != 0) {
		fprintf(stderr, "genhze: %s: %s\n", truth_path, strerror(errno));
		return 1;
	}
	if (verbose) {
		fprintf(stderr, "genhze: %ld records, %ld persons, %ld injected errors\n", n,
			(long)g.next_person, injected);
		for (int k = 0; k < NKINDS; k++)
			if (counts[k])
				fprintf(stderr, "  %s %ld\n", kind_names[k], counts[k]);
	}
	return 0;
}
