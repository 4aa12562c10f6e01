#include "BucketPass.h"

#include "DenseKernels.h"

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define MFLD_X86 1
#endif

static const uint64_t GOLDEN = 0x9E3779B97F4A7C15ull;

/// Element i's bucket: SplitMix64's output at state seed + i·golden (the increment added first, as `mix64`),
/// then the high word of its product with the bucket count.
static inline ptrdiff_t bucket_of(uint64_t seed, ptrdiff_t i, uint64_t buckets) {
  uint64_t z = seed + (uint64_t)i * GOLDEN + GOLDEN;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  z ^= z >> 31;
  return (ptrdiff_t)(((unsigned __int128)z * buckets) >> 64);
}

void mfld_bucket_count(uint64_t seed, ptrdiff_t i0, ptrdiff_t i1, uint64_t buckets, ptrdiff_t per_group, ptrdiff_t *count,
                       uint8_t *groups) {
  if (!groups) {
    for (ptrdiff_t i = i0; i < i1; i++) count[bucket_of(seed, i, buckets)] += 1;
    return;
  }
  ptrdiff_t i = i0;
  for (; i + 2 <= i1; i += 2) {
    const ptrdiff_t a = bucket_of(seed, i, buckets), b = bucket_of(seed, i + 1, buckets);
    count[a] += 1;
    count[b] += 1;
    groups[i >> 1] = (uint8_t)((a / per_group) | ((b / per_group) << 4));
  }
  if (i < i1) {
    const ptrdiff_t a = bucket_of(seed, i, buckets);
    count[a] += 1;
    groups[i >> 1] = (uint8_t)(a / per_group);
  }
}

static inline void place(uint64_t seed, ptrdiff_t i, uint64_t buckets, ptrdiff_t *count, int32_t *out) {
  const ptrdiff_t j = bucket_of(seed, i, buckets);
  out[count[j]] = (int32_t)i;
  count[j] += 1;
}

static void place_portable(uint64_t seed, ptrdiff_t i0, ptrdiff_t i1, uint64_t buckets, int group, const uint8_t *groups,
                           ptrdiff_t *count, int32_t *out) {
  for (ptrdiff_t i = i0; i < i1; i++)
    if (!groups || ((groups[i >> 1] >> ((i & 1) * 4)) & 15) == group) place(seed, i, buckets, count, out);
}

#if MFLD_X86
/// Bit k of x to bit 2k.
static inline uint64_t spread(uint32_t x) {
  uint64_t v = x;
  v = (v | v << 16) & 0x0000FFFF0000FFFFull;
  v = (v | v << 8) & 0x00FF00FF00FF00FFull;
  v = (v | v << 4) & 0x0F0F0F0F0F0F0F0Full;
  v = (v | v << 2) & 0x3333333333333333ull;
  return (v | v << 1) & 0x5555555555555555ull;
}

__attribute__((target("avx2")))
static void place_avx2(uint64_t seed, ptrdiff_t i0, ptrdiff_t i1, uint64_t buckets, int group, const uint8_t *groups,
                       ptrdiff_t *count, int32_t *out) {
  const __m256i low = _mm256_set1_epi8(15), g = _mm256_set1_epi8((char)group);
  ptrdiff_t i = i0;
  for (; i + 64 <= i1; i += 64) {
    const __m256i v = _mm256_loadu_si256((const __m256i *)(groups + (i >> 1)));
    // Byte k holds elements i + 2k (low half) and i + 2k + 1 (high half).
    const uint32_t even = (uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8(_mm256_and_si256(v, low), g));
    const uint32_t odd = (uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8(_mm256_and_si256(_mm256_srli_epi16(v, 4), low), g));
    // The two masks interleaved into element order: bit 2k from even, bit 2k + 1 from odd.
    uint64_t members = spread(even) | spread(odd) << 1;
    while (members) {
      const int e = __builtin_ctzll(members);
      members &= members - 1;
      place(seed, i + e, buckets, count, out);
    }
  }
  place_portable(seed, i, i1, buckets, group, groups, count, out);
}
#endif

void mfld_bucket_place(uint64_t seed, ptrdiff_t i0, ptrdiff_t i1, uint64_t buckets, int group, const uint8_t *groups,
                       ptrdiff_t *count, int32_t *out) {
#if MFLD_X86
  if (groups && mfld_kernels_isa() == 1) { place_avx2(seed, i0, i1, buckets, group, groups, count, out); return; }
#endif
  place_portable(seed, i0, i1, buckets, group, groups, count, out);
}
