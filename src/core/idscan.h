/* idscan: an order number or SKU a customer typed in a message ("订单20261123-0415还没到",
 * "BT-500-WH有货吗"), to pre-fill a lookup. Pure. */
#ifndef HUASHU_IDSCAN_H
#define HUASHU_IDSCAN_H

#include <stdbool.h>
#include <stddef.h>

typedef enum idscan_kind {
    IDSCAN_ORDER, /* digits, maybe joined by '-': at least 4 digits (1001, 20261123-0415) */
    IDSCAN_SKU,   /* letters and digits, maybe joined by '-' or '_', with both (BT-500-WH) */
} idscan_kind;

/* The last id of that kind in text, copied to out (cap bytes); false when there is none. */
bool idscan_find(const char *text, idscan_kind kind, char *out, size_t cap);

#endif
