#ifndef MFLD_GATHER_H
#define MFLD_GATHER_H

#include <stddef.h>
#include <stdint.h>

/// out[r·d + e] = x[index[r]·d + e] for r < n: the rows of `x` that `index` names, in its order. The reads
/// are random (a random-batch partition's particles, docs/math.md §6); rows a few ahead are prefetched so
/// that their cache misses overlap.
void mfld_gather_rows(const double *x, ptrdiff_t d, const int32_t *index, ptrdiff_t n, double *out);

/// y[index[r]·d + e] = rows[r·d + e] for r < n: the inverse scatter, with the same prefetching.
void mfld_scatter_rows(const double *rows, ptrdiff_t d, const int32_t *index, ptrdiff_t n, double *y);

#endif
