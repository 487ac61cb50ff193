/*
 * stix_time.c - the timestamps of STIX 2.1 and TAXII 2.1 (see stix.h).
 *
 * Both specifications use one form of RFC 3339: "YYYY-MM-DDTHH:MM:SS", an
 * optional fraction, and "Z" (UTC is required, so no offset is accepted and
 * the letters are upper case).  Times are held as microseconds since the
 * Unix epoch: TAXII's date_added has microsecond precision, and every
 * comparison the server makes (added_after, match[version]) is between
 * such integers.  A fraction finer than a microsecond is truncated, which
 * keeps "added after T" exact for integer microseconds X: X > T exactly
 * when X > floor(T).
 *
 * The calendar is computed here (days from a civil date and back) rather
 * than with timegm/gmtime, which depend on the C library's time zone
 * handling and on time_t's range.  A leap second (":60", allowed by RFC
 * 3339 only at 23:59) is read as the last microsecond of that minute's
 * 59th second, so it still sorts before the next minute.
 */
#include "stix.h"

#include <assert.h>
#include <stdio.h>
#include <string.h>

#define US_PER_S	INT64_C(1000000)
#define US_PER_DAY	(INT64_C(86400) * US_PER_S)

static int64_t
days_from_civil(int64_t y, int m, int d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static void
civil_from_days(int64_t z, int64_t *y, int *m, int *d)
{
	int64_t era, doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = yoe + era * 400 + (*m <= 2);
}

static int
leap(int64_t y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int
month_days(int64_t y, int m)
{
	static const int days[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

	return m == 2 && leap(y) ? 29 : days[m - 1];
}

/* n decimal digits at s into *v; -1 unless all are digits. */
static int
num(const char *s, int n, int *v)
{
	*v = 0;
	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		*v = *v * 10 + (s[i] - '0');
	}
	return 0;
}

int
stix_ts_parse(const char *s, int64_t *us, int *digits)
{
	int y, mo, d, h, mi, sec, nd = 0;
	int64_t frac = 0, t;
	const char *p;

	if (s == NULL || strlen(s) < 20 || num(s, 4, &y) != 0 || s[4] != '-' ||
	    num(s + 5, 2, &mo) != 0 || s[7] != '-' || num(s + 8, 2, &d) != 0 ||
	    s[10] != 'T' || num(s + 11, 2, &h) != 0 || s[13] != ':' ||
	    num(s + 14, 2, &mi) != 0 || s[16] != ':' || num(s + 17, 2, &sec) != 0)
		goto bad;
	if (mo < 1 || mo > 12 || d < 1 || d > month_days(y, mo) || h > 23 ||
	    mi > 59 || sec > 60 || (sec == 60 && (h != 23 || mi != 59))) {
		rs_seterr("\"%.40s\" is not a date and time that exists", s);
		return -1;
	}
	p = s + 19;
	if (*p == '.') {
		for (p++; *p >= '0' && *p <= '9'; p++, nd++)
			if (nd < 6)
				frac = frac * 10 + (*p - '0');
		if (nd == 0)
			goto bad;
		if (nd > 9) {
			rs_seterr("\"%.40s\" has more than 9 fraction digits", s);
			return -1;
		}
		for (int i = nd; i < 6; i++)
			frac *= 10;
	}
	if (p[0] != 'Z' || p[1] != '\0')
		goto bad;
	t = days_from_civil(y, mo, d) * US_PER_DAY +
	    ((int64_t)h * 3600 + mi * 60 + (sec == 60 ? 59 : sec)) * US_PER_S;
	*us = sec == 60 ? t + US_PER_S - 1 : t + frac;
	if (digits != NULL)
		*digits = nd;
	return 0;
bad:
	rs_seterr("\"%.40s\" is not a timestamp (YYYY-MM-DDTHH:MM:SS[.fraction]Z, in UTC)",
	    s ? s : "");
	return -1;
}

void
stix_ts_format(int64_t us, int digits, char out[STIX_TS_LEN])
{
	int64_t days = us / US_PER_DAY, rem, y;
	int m, d, n;

	assert(digits == 0 || digits == 3 || digits == 6);
	rem = us % US_PER_DAY;
	if (rem < 0) {
		rem += US_PER_DAY;
		days--;
	}
	civil_from_days(days, &y, &m, &d);
	n = snprintf(out, STIX_TS_LEN, "%04lld-%02d-%02dT%02d:%02d:%02d", (long long)y,
	    m, d, (int)(rem / (3600 * US_PER_S)), (int)(rem / (60 * US_PER_S) % 60),
	    (int)(rem / US_PER_S % 60));
	if (digits == 3)
		n += snprintf(out + n, STIX_TS_LEN - (size_t)n, ".%03d",
		    (int)(rem % US_PER_S / 1000));
	else if (digits == 6)
		n += snprintf(out + n, STIX_TS_LEN - (size_t)n, ".%06d",
		    (int)(rem % US_PER_S));
	snprintf(out + n, STIX_TS_LEN - (size_t)n, "Z");
}
