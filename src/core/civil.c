#include "core/civil.h"

#include <stdio.h>

/* Howard Hinnant's days_from_civil. */
int64_t civil_days_from_date(int year, int month, int day)
{
    int64_t y = year - (month <= 2);
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static void date_from_days(int64_t z, int *year, int *month, int *day)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t y = yoe + era * 400;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    *day = (int)(doy - (153 * mp + 2) / 5 + 1);
    *month = (int)(mp < 10 ? mp + 3 : mp - 9);
    *year = (int)(y + (*month <= 2));
}

static int64_t floor_div(int64_t a, int64_t b)
{
    return a / b - ((a % b != 0) && ((a < 0) != (b < 0)));
}

civil_time civil_from_ms(int64_t ms, int offset_min)
{
    civil_time t;
    int64_t local = ms + (int64_t)offset_min * 60000;
    int64_t days = floor_div(local, 86400000);
    int64_t rem = local - days * 86400000;
    date_from_days(days, &t.year, &t.month, &t.day);
    t.hour = (int)(rem / 3600000);
    t.minute = (int)(rem / 60000 % 60);
    t.second = (int)(rem / 1000 % 60);
    t.millisecond = (int)(rem % 1000);
    t.weekday = (int)((days % 7 + 11) % 7); /* 1970-01-01 was a Thursday */
    return t;
}

/* Reads exactly n decimal digits; -1 when any is not a digit. */
static int digits(const char *s, size_t n)
{
    int v = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

static bool parse_fraction(const char *s, size_t len, size_t *i, int *millis)
{
    *millis = 0;
    if (*i >= len || s[*i] != '.')
        return true;
    (*i)++;
    size_t start = *i;
    int scale = 100;
    while (*i < len && s[*i] >= '0' && s[*i] <= '9') {
        *millis += (s[*i] - '0') * scale;
        scale /= 10;
        (*i)++;
    }
    return *i > start;
}

static bool parse_offset(const char *s, size_t len, size_t i, int *offset_min)
{
    if (i == len - 1 && (s[i] == 'Z' || s[i] == 'z')) {
        *offset_min = 0;
        return true;
    }
    if (len - i != 6 || (s[i] != '+' && s[i] != '-') || s[i + 3] != ':')
        return false;
    int oh = digits(s + i + 1, 2), om = digits(s + i + 4, 2);
    if (oh < 0 || om < 0 || oh > 23 || om > 59)
        return false;
    *offset_min = (s[i] == '-' ? -1 : 1) * (oh * 60 + om);
    return true;
}

bool civil_parse_iso(const char *s, size_t len, int64_t *ms, int *offset_min)
{
    if (len < 20 || s[4] != '-' || s[7] != '-' || (s[10] != 'T' && s[10] != ' ') || s[13] != ':' ||
        s[16] != ':')
        return false;
    int y = digits(s, 4), mo = digits(s + 5, 2), d = digits(s + 8, 2);
    int h = digits(s + 11, 2), mi = digits(s + 14, 2), sec = digits(s + 17, 2);
    if (y < 0 || mo < 1 || mo > 12 || d < 1 || d > 31 || h < 0 || h > 23 || mi < 0 || mi > 59 ||
        sec < 0 || sec > 60)
        return false;
    size_t i = 19;
    int millis;
    if (!parse_fraction(s, len, &i, &millis) || !parse_offset(s, len, i, offset_min))
        return false;
    int64_t days = civil_days_from_date(y, mo, d);
    int64_t local = ((days * 24 + h) * 60 + mi) * 60 + sec;
    *ms = (local - (int64_t)*offset_min * 60) * 1000 + millis;
    return true;
}

/* Writes v as exactly n decimal digits. */
static char *put_digits(char *p, int v, int n)
{
    for (int i = n - 1; i >= 0; i--) {
        p[i] = (char)('0' + v % 10);
        v /= 10;
    }
    return p + n;
}

size_t civil_format_iso(int64_t ms, int offset_min, char out[32])
{
    civil_time t = civil_from_ms(ms, offset_min);
    char *p = out;
    if (t.year < 0 || t.year > 9999)
        t.year = 0;
    p = put_digits(p, t.year, 4);
    *p++ = '-';
    p = put_digits(p, t.month, 2);
    *p++ = '-';
    p = put_digits(p, t.day, 2);
    *p++ = 'T';
    p = put_digits(p, t.hour, 2);
    *p++ = ':';
    p = put_digits(p, t.minute, 2);
    *p++ = ':';
    p = put_digits(p, t.second, 2);
    *p++ = '.';
    p = put_digits(p, t.millisecond, 3);
    if (offset_min == 0) {
        *p++ = 'Z';
    } else {
        int a = offset_min < 0 ? -offset_min : offset_min;
        *p++ = offset_min < 0 ? '-' : '+';
        p = put_digits(p, a / 60 % 100, 2);
        *p++ = ':';
        p = put_digits(p, a % 60, 2);
    }
    *p = '\0';
    return (size_t)(p - out);
}

size_t civil_format_deadline(int64_t ms, int64_t now, int offset_min, char out[32])
{
    civil_time t = civil_from_ms(ms, offset_min), n = civil_from_ms(now, offset_min);
    int len;
    if (t.year == n.year && t.month == n.month && t.day == n.day)
        len = snprintf(out, 32, "%02d:%02d:%02d", t.hour, t.minute, t.second);
    else
        len = snprintf(out, 32, "%04d-%02d-%02d %02d:%02d:%02d", t.year, t.month, t.day, t.hour,
                       t.minute, t.second);
    return len > 0 ? (size_t)len : 0;
}
