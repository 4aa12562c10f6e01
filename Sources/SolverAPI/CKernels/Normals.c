// Normal deviates: Philox4x32-10 (Salmon et al., SC 2011) and Box–Muller, scalar and AVX2 with the
// same bits. See include/Normals.h.
//
// Only +, −, ×, ÷, √ and floor, each rounded once (contraction off; the AVX2 path uses no fused
// multiply–add), in the same order on both paths:
//   log u  = e·ln2_hi + (e·ln2_lo + 2s(1 + s²/3 + s⁴/5 + … + s²²/23)),  u = 2^e·m, m ∈ [√½, √2),
//            s = (m − 1)/(m + 1), |s| ≤ 0.172: the atanh series, truncated below 2⁻⁵³;
//   2πu    = (q + f)·π/2 with q = ⌊4u + ½⌋ and f = 4u − q ∈ [−½, ½) exact, x = f·π/2 ∈ [−π/4, π/4]:
//            sin x and cos x by their Taylor series to x¹⁷ and x¹⁸ (truncation below 10⁻¹⁹), then the
//            quadrant q mod 4 swaps and negates them.

#include "Normals.h"
#include "DenseKernels.h"

#include <math.h>
#include <string.h>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define MFLD_X86 1
#endif

#pragma STDC FP_CONTRACT OFF

enum { ROUNDS = 10 };
static const uint32_t M0 = 0xD2511F53u, M1 = 0xCD9E8D57u, W0 = 0x9E3779B9u, W1 = 0xBB67AE85u;

static const double LN2_HI = 0x1.62e42feep-1, LN2_LO = 0x1.a39ef35793c76p-33, SQRT2 = 0x1.6a09e667f3bcdp0;
static const double HALF_PI = 0x1.921fb54442d18p0;
/// 1/(2k + 1), k = 1…11: the atanh series.
static const double ATANH[11] = {1.0 / 3, 1.0 / 5, 1.0 / 7, 1.0 / 9, 1.0 / 11, 1.0 / 13, 1.0 / 15, 1.0 / 17, 1.0 / 19, 1.0 / 21, 1.0 / 23};
/// (−1)^k/(2k + 1)!, k = 1…8, and (−1)^k/(2k)!, k = 1…9.
static const double SIN[8] = {-1.0 / 6, 1.0 / 120, -1.0 / 5040, 1.0 / 362880, -1.0 / 39916800, 1.0 / 6227020800.0,
                              -1.0 / 1307674368000.0, 1.0 / 355687428096000.0};
static const double COS[9] = {-1.0 / 2, 1.0 / 24, -1.0 / 720, 1.0 / 40320, -1.0 / 3628800, 1.0 / 479001600,
                              -1.0 / 87178291200.0, 1.0 / 20922789888000.0, -1.0 / 6402373705728000.0};

/// The round keys (k0, k1) of the ten rounds.
static void round_keys(uint32_t key0, uint32_t key1, uint32_t k0[ROUNDS], uint32_t k1[ROUNDS]) {
  for (int r = 0; r < ROUNDS; r++) {
    k0[r] = key0, k1[r] = key1;
    key0 += W0, key1 += W1;
  }
}

static void philox(const uint32_t k0[ROUNDS], const uint32_t k1[ROUNDS], uint32_t c0, uint32_t c1, uint32_t c2, uint32_t c3,
                   uint64_t *a, uint64_t *b) {
  uint32_t x0 = c0, x1 = c1, x2 = c2, x3 = c3;
  for (int r = 0; r < ROUNDS; r++) {
    const uint64_t p0 = (uint64_t)M0 * x0, p1 = (uint64_t)M1 * x2;
    const uint32_t hi0 = (uint32_t)(p0 >> 32), lo0 = (uint32_t)p0, hi1 = (uint32_t)(p1 >> 32), lo1 = (uint32_t)p1;
    x0 = hi1 ^ x1 ^ k0[r], x1 = lo1, x2 = hi0 ^ x3 ^ k1[r], x3 = lo0;
  }
  *a = (uint64_t)x0 | (uint64_t)x1 << 32;
  *b = (uint64_t)x2 | (uint64_t)x3 << 32;
}

static double as_double(uint64_t bits) { double d; memcpy(&d, &bits, sizeof d); return d; }
static uint64_t as_bits(double d) { uint64_t bits; memcpy(&bits, &d, sizeof bits); return bits; }

/// The Box–Muller pair of one block, scalar: the reference for the AVX2 path.
static void box_muller(uint64_t a, uint64_t b, double *z0, double *z1) {
  const double u1 = (double)((a >> 11) + 1) * 0x1p-53, u2 = (double)(b >> 11) * 0x1p-53;
  const uint64_t bits = as_bits(u1);
  double e = (double)(bits >> 52) - 1023;
  double m = as_double((bits & 0x000FFFFFFFFFFFFFull) | 0x3FF0000000000000ull);
  if (m > SQRT2) m = m * 0.5, e = e + 1;
  const double s = (m - 1) / (m + 1), z = s * s;
  double p = ATANH[10];
  for (int k = 9; k >= 0; k--) p = ATANH[k] + z * p;
  p = 1 + z * p;
  const double logU1 = e * LN2_HI + (e * LN2_LO + (s + s) * p);
  const double r = sqrt(-2 * logU1);
  const double t = 4 * u2, q = floor(t + 0.5), f = t - q, x = f * HALF_PI, x2 = x * x;
  double sp = SIN[7], cp = COS[8];
  for (int k = 6; k >= 0; k--) sp = SIN[k] + x2 * sp;
  for (int k = 7; k >= 0; k--) cp = COS[k] + x2 * cp;
  const double sine = x + x * (x2 * sp), cosine = 1 + x2 * cp;
  const int quadrant = (int)q & 3;
  const double c = quadrant & 1 ? sine : cosine, sn = quadrant & 1 ? cosine : sine;
  *z0 = r * (quadrant == 1 || quadrant == 2 ? -c : c);
  *z1 = r * (quadrant >= 2 ? -sn : sn);
}

/// Block b of particle p: the flat list's block p·blocks + b, walked in order without dividing.
typedef struct { ptrdiff_t p, b; } cursor;

static inline void advance(cursor *c, ptrdiff_t blocks) {
  if (++c->b == blocks) c->b = 0, c->p++;
}

/// The block's deviates into its particle's `count` values (an odd count drops the last block's second).
static inline void store_pair(double *out, ptrdiff_t count, cursor c, double z0, double z1) {
  double *o = out + c.p * count + 2 * c.b;
  o[0] = z0;
  if (2 * c.b + 1 < count) o[1] = z1;
}

static void normals_portable(const uint32_t k0[ROUNDS], const uint32_t k1[ROUNDS], uint32_t index0, cursor c, ptrdiff_t particles,
                             ptrdiff_t count, ptrdiff_t blocks, uint32_t step0, uint32_t step1, double *out) {
  for (; c.p < particles; advance(&c, blocks)) {
    uint64_t a, b;
    philox(k0, k1, index0 + (uint32_t)c.p, (uint32_t)c.b, step0, step1, &a, &b);
    double z0, z1;
    box_muller(a, b, &z0, &z1);
    store_pair(out, count, c, z0, z1);
  }
}

#if MFLD_X86
/// Four blocks at once: `box_muller`'s operations lane by lane, 64-bit lanes holding the 32-bit words.
__attribute__((target("avx2")))
static cursor normals_avx2(const uint32_t k0[ROUNDS], const uint32_t k1[ROUNDS], uint32_t index0, ptrdiff_t total,
                           ptrdiff_t count, ptrdiff_t blocks, uint32_t step0, uint32_t step1, double *out) {
  const __m256i low = _mm256_set1_epi64x(0xFFFFFFFF), m0 = _mm256_set1_epi64x(M0), m1 = _mm256_set1_epi64x(M1);
  const __m256i mantissa = _mm256_set1_epi64x(0x000FFFFFFFFFFFFFll), one = _mm256_set1_epi64x(0x3FF0000000000000ll);
  const __m256i magic52 = _mm256_set1_epi64x(0x4330000000000000ll), magic84 = _mm256_set1_epi64x(0x4530000000000000ll);
  const __m256d two52 = _mm256_set1_pd(0x1p52), two84 = _mm256_set1_pd(0x1p84);
  cursor c = {0, 0};
  for (ptrdiff_t f = 0; f + 4 <= total; f += 4) {
    _Alignas(32) int64_t c0[4], c1[4];
    cursor lanes[4];
    for (int l = 0; l < 4; l++, advance(&c, blocks)) lanes[l] = c, c0[l] = index0 + (uint32_t)c.p, c1[l] = c.b;
    __m256i x0 = _mm256_and_si256(_mm256_load_si256((const __m256i *)c0), low), x1 = _mm256_load_si256((const __m256i *)c1);
    __m256i x2 = _mm256_set1_epi64x(step0), x3 = _mm256_set1_epi64x(step1);
    for (int r = 0; r < ROUNDS; r++) {
      const __m256i p0 = _mm256_mul_epu32(x0, m0), p1 = _mm256_mul_epu32(x2, m1);
      const __m256i n0 = _mm256_xor_si256(_mm256_xor_si256(_mm256_srli_epi64(p1, 32), x1), _mm256_set1_epi64x(k0[r]));
      const __m256i n2 = _mm256_xor_si256(_mm256_xor_si256(_mm256_srli_epi64(p0, 32), x3), _mm256_set1_epi64x(k1[r]));
      x1 = _mm256_and_si256(p1, low), x3 = _mm256_and_si256(p0, low), x0 = n0, x2 = n2;
    }
    const __m256i a = _mm256_or_si256(x0, _mm256_slli_epi64(x1, 32)), b = _mm256_or_si256(x2, _mm256_slli_epi64(x3, 32));
    // (double) of a 53-bit integer, exactly: its high 21 and low 32 bits through the 2⁸⁴ and 2⁵² magic numbers.
    const __m256i va = _mm256_add_epi64(_mm256_srli_epi64(a, 11), _mm256_set1_epi64x(1)), vb = _mm256_srli_epi64(b, 11);
#define TO_DOUBLE(v)                                                                                                   \
  _mm256_add_pd(_mm256_sub_pd(_mm256_castsi256_pd(_mm256_or_si256(_mm256_srli_epi64(v, 32), magic84)), two84),          \
                _mm256_sub_pd(_mm256_castsi256_pd(_mm256_or_si256(_mm256_and_si256(v, low), magic52)), two52))
    const __m256d u1 = _mm256_mul_pd(TO_DOUBLE(va), _mm256_set1_pd(0x1p-53)), u2 = _mm256_mul_pd(TO_DOUBLE(vb), _mm256_set1_pd(0x1p-53));
#undef TO_DOUBLE
    const __m256i bits = _mm256_castpd_si256(u1);
    __m256d e = _mm256_sub_pd(_mm256_sub_pd(_mm256_castsi256_pd(_mm256_or_si256(_mm256_srli_epi64(bits, 52), magic52)), two52),
                              _mm256_set1_pd(1023));
    __m256d m = _mm256_castsi256_pd(_mm256_or_si256(_mm256_and_si256(bits, mantissa), one));
    const __m256d big = _mm256_cmp_pd(m, _mm256_set1_pd(SQRT2), _CMP_GT_OQ);
    m = _mm256_blendv_pd(m, _mm256_mul_pd(m, _mm256_set1_pd(0.5)), big);
    e = _mm256_blendv_pd(e, _mm256_add_pd(e, _mm256_set1_pd(1)), big);
    const __m256d unit = _mm256_set1_pd(1);
    const __m256d s = _mm256_div_pd(_mm256_sub_pd(m, unit), _mm256_add_pd(m, unit)), z = _mm256_mul_pd(s, s);
    __m256d p = _mm256_set1_pd(ATANH[10]);
    for (int k = 9; k >= 0; k--) p = _mm256_add_pd(_mm256_set1_pd(ATANH[k]), _mm256_mul_pd(z, p));
    p = _mm256_add_pd(unit, _mm256_mul_pd(z, p));
    const __m256d logU1 = _mm256_add_pd(_mm256_mul_pd(e, _mm256_set1_pd(LN2_HI)),
                                        _mm256_add_pd(_mm256_mul_pd(e, _mm256_set1_pd(LN2_LO)), _mm256_mul_pd(_mm256_add_pd(s, s), p)));
    const __m256d r = _mm256_sqrt_pd(_mm256_mul_pd(_mm256_set1_pd(-2), logU1));
    const __m256d t = _mm256_mul_pd(_mm256_set1_pd(4), u2), q = _mm256_floor_pd(_mm256_add_pd(t, _mm256_set1_pd(0.5)));
    const __m256d x = _mm256_mul_pd(_mm256_sub_pd(t, q), _mm256_set1_pd(HALF_PI)), xx = _mm256_mul_pd(x, x);
    __m256d sp = _mm256_set1_pd(SIN[7]), cp = _mm256_set1_pd(COS[8]);
    for (int k = 6; k >= 0; k--) sp = _mm256_add_pd(_mm256_set1_pd(SIN[k]), _mm256_mul_pd(xx, sp));
    for (int k = 7; k >= 0; k--) cp = _mm256_add_pd(_mm256_set1_pd(COS[k]), _mm256_mul_pd(xx, cp));
    const __m256d sine = _mm256_add_pd(x, _mm256_mul_pd(x, _mm256_mul_pd(xx, sp))), cosine = _mm256_add_pd(unit, _mm256_mul_pd(xx, cp));
    // Quadrant q mod 4 (q ∈ {0, …, 4}): odd swaps sine and cosine; 1, 2 negate the cosine, 2, 3 the sine.
    const __m256d quadrant = _mm256_sub_pd(q, _mm256_mul_pd(_mm256_set1_pd(4), _mm256_floor_pd(_mm256_mul_pd(q, _mm256_set1_pd(0.25)))));
    const __m256d is1 = _mm256_cmp_pd(quadrant, unit, _CMP_EQ_OQ), is2 = _mm256_cmp_pd(quadrant, _mm256_set1_pd(2), _CMP_EQ_OQ);
    const __m256d is3 = _mm256_cmp_pd(quadrant, _mm256_set1_pd(3), _CMP_EQ_OQ);
    const __m256d odd = _mm256_or_pd(is1, is3), sign = _mm256_set1_pd(-0.0);
    const __m256d c = _mm256_blendv_pd(cosine, sine, odd), sn = _mm256_blendv_pd(sine, cosine, odd);
    const __m256d z0 = _mm256_mul_pd(r, _mm256_xor_pd(c, _mm256_and_pd(_mm256_or_pd(is1, is2), sign)));
    const __m256d z1 = _mm256_mul_pd(r, _mm256_xor_pd(sn, _mm256_and_pd(_mm256_or_pd(is2, is3), sign)));
    _Alignas(32) double w0[4], w1[4];
    _mm256_store_pd(w0, z0);
    _mm256_store_pd(w1, z1);
    for (int l = 0; l < 4; l++) store_pair(out, count, lanes[l], w0[l], w1[l]);
  }
  return c;
}
#endif

void mfld_box_muller(uint64_t a, uint64_t b, double z[2]) { box_muller(a, b, z, z + 1); }

void mfld_normals(uint32_t key0, uint32_t key1, uint32_t index0, ptrdiff_t particles, ptrdiff_t count,
                  uint32_t step0, uint32_t step1, double *out) {
  if (particles <= 0 || count <= 0) return;
  uint32_t k0[ROUNDS], k1[ROUNDS];
  round_keys(key0, key1, k0, k1);
  const ptrdiff_t blocks = (count + 1) / 2;
  cursor c = {0, 0};
#if MFLD_X86
  if (mfld_kernels_isa() == 1) c = normals_avx2(k0, k1, index0, particles * blocks, count, blocks, step0, step1, out);
#endif
  normals_portable(k0, k1, index0, c, particles, count, blocks, step0, step1, out);
}
