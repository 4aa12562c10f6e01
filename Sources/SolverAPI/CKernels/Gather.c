#include "Gather.h"

// How many rows ahead to prefetch: enough misses in flight to cover memory latency (~100 ns) at a few ns a row.
enum { AHEAD = 16 };

void mfld_gather_rows(const double *x, ptrdiff_t d, const int32_t *index, ptrdiff_t n, double *out) {
  for (ptrdiff_t r = 0; r < n; r++) {
    if (r + AHEAD < n) __builtin_prefetch(x + (ptrdiff_t)index[r + AHEAD] * d, 0, 0);
    const double *row = x + (ptrdiff_t)index[r] * d;
    for (ptrdiff_t e = 0; e < d; e++) out[r * d + e] = row[e];
  }
}

void mfld_scatter_rows(const double *rows, ptrdiff_t d, const int32_t *index, ptrdiff_t n, double *y) {
  for (ptrdiff_t r = 0; r < n; r++) {
    if (r + AHEAD < n) __builtin_prefetch(y + (ptrdiff_t)index[r + AHEAD] * d, 1, 0);
    double *row = y + (ptrdiff_t)index[r] * d;
    for (ptrdiff_t e = 0; e < d; e++) row[e] = rows[r * d + e];
  }
}
