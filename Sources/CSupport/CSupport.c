// Small C helpers Swift cannot express or reach; see include/CSupport.h.
#define _GNU_SOURCE
#include <string.h>
#include "CSupport.h"

const void *hl_memmem(const void *haystack, size_t haystack_length, const void *needle, size_t needle_length) {
    return memmem(haystack, haystack_length, needle, needle_length);
}
