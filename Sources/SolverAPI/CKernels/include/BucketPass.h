#ifndef MFLD_BUCKET_PASS_H
#define MFLD_BUCKET_PASS_H

#include <stddef.h>
#include <stdint.h>

/// The two passes of the bucketed permutation (`BucketedPermutation`, docs/math.md §6) over elements i0 ≤ i < i1
/// (i0 even): element i draws h_i = SplitMix64(seed + i·0x9E3779B97F4A7C15) and bucket j_i = ⌊h_i·buckets / 2⁶⁴⌋,
/// as `BucketedPermutation.below` does in Swift.

/// Pass 1: count[j_i] += 1; and when `groups` is not null, the 4-bit group j_i / per_group of element i into
/// groups (element i in byte i/2, the low half for even i).
void mfld_bucket_count(uint64_t seed, ptrdiff_t i0, ptrdiff_t i1, uint64_t buckets, ptrdiff_t per_group, ptrdiff_t *count,
                       uint8_t *groups);

/// Pass 2: out[count[j_i]] = i and count[j_i] += 1, in index order, for the elements of group `group` (all of
/// them when `groups` is null). Only those draw again: the group's members are found by comparing the 4-bit
/// groups, 64 elements at a time on AVX2.
void mfld_bucket_place(uint64_t seed, ptrdiff_t i0, ptrdiff_t i1, uint64_t buckets, int group, const uint8_t *groups,
                       ptrdiff_t *count, int32_t *out);

#endif
