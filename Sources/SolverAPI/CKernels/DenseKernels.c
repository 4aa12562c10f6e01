// Dense float64 kernels: packing, the 6 × 8 register-blocked product, dot and axpy, with an AVX2 + FMA
// path chosen at run time and a portable C path. See include/DenseKernels.h.
//
// The product follows the Goto/BLIS layout (Goto and van de Geijn, "Anatomy of high-performance matrix
// multiplication", 2008): B is packed into NR-column slivers that stay in L1, a block of A into MR-row
// slivers that stay in L2, and a micro-kernel keeps an MR × NR tile of C in registers for the whole
// kc-long inner loop. Every element of C is the same sum in the same order whatever the tiling, so the
// caller may split the tiles among threads freely.

#include "DenseKernels.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#include <immintrin.h>
#define MFLD_X86 1
#endif

enum { MR = MFLD_MR, NR = MFLD_NR };

// MARK: - Instruction set

static int detect_avx2_fma(void) {
#if MFLD_X86
  unsigned a, b, c, d;
  if (!__get_cpuid(1, &a, &b, &c, &d)) return 0;
  const unsigned fma = 1u << 12, osxsave = 1u << 27, avx = 1u << 28;
  if ((c & (fma | osxsave | avx)) != (fma | osxsave | avx)) return 0;
  unsigned lo, hi;
  __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
  if ((lo & 6u) != 6u) return 0;  // the OS saves the YMM state
  if (!__get_cpuid_count(7, 0, &a, &b, &c, &d)) return 0;
  return (b >> 5) & 1u;  // AVX2
#else
  return 0;
#endif
}

static int isa_cache = -1;

int mfld_kernels_isa(void) {
  int isa = __atomic_load_n(&isa_cache, __ATOMIC_RELAXED);
  if (isa < 0) {
    const char *portable = getenv("MFLD_PORTABLE_KERNELS");
    isa = (portable && portable[0] == '1') ? 0 : detect_avx2_fma();
    __atomic_store_n(&isa_cache, isa, __ATOMIC_RELAXED);
  }
  return isa;
}

// MARK: - Scratch

static _Thread_local double *scratch_base[8];
static _Thread_local size_t scratch_count[8];

double *mfld_scratch(int slot, size_t count) {
  if (slot < 0 || slot > 7) return NULL;
  if (scratch_count[slot] < count || !scratch_base[slot]) {
    free(scratch_base[slot]);
    size_t bytes = ((count * sizeof(double) + 63) / 64) * 64;
    scratch_base[slot] = aligned_alloc(64, bytes ? bytes : 64);
    scratch_count[slot] = scratch_base[slot] ? count : 0;
  }
  return scratch_base[slot];
}

// MARK: - Packing

void mfld_pack_b(const double *b, ptrdiff_t rs, ptrdiff_t cs, ptrdiff_t kc, ptrdiff_t nc, const double *scale,
                 ptrdiff_t s0, ptrdiff_t s1, double *packed) {
  for (ptrdiff_t s = s0; s < s1; s++) {
    const ptrdiff_t j0 = s * NR, w = nc - j0 < NR ? nc - j0 : NR;
    double *dst = packed + s * NR * kc;
    if (cs == 1 && w == NR && !scale) {
      for (ptrdiff_t p = 0; p < kc; p++) memcpy(dst + p * NR, b + p * rs + j0, NR * sizeof(double));
    } else if (cs == 1) {  // (1·v is v: an absent scale multiplies by 1)
      for (ptrdiff_t p = 0; p < kc; p++) {
        const double *src = b + p * rs + j0, f = scale ? scale[p] : 1;
        for (ptrdiff_t j = 0; j < NR; j++) dst[p * NR + j] = j < w ? f * src[j] : 0;
      }
    } else {
      if (w < NR) memset(dst, 0, (size_t)(kc * NR) * sizeof(double));
      for (ptrdiff_t j = 0; j < w; j++) {
        const double *src = b + (j0 + j) * cs;
        for (ptrdiff_t p = 0; p < kc; p++) dst[p * NR + j] = (scale ? scale[p] : 1) * src[p * rs];
      }
    }
  }
}

/// out[k] = map(v[k]) over `count` entries (out may be v). Contraction off and no FMA target: no fused
/// multiply–add, the same bits as the activation's own σ′ on every instruction set. The body is
/// compiled twice, for AVX2 (four lanes) and portable; `map_entries` picks one.
#define MAP_ENTRIES_BODY                                                                          \
  _Pragma("STDC FP_CONTRACT OFF")                                                                 \
  switch (map) {                                                                                  \
  default:                                                                                        \
  case MFLD_ENTRIES:                                                                              \
    if (out != v) memcpy(out, v, (size_t)count * sizeof(double));                                 \
    break;                                                                                        \
  case MFLD_INDICATOR_OF_POSITIVE:                                                                \
    for (ptrdiff_t k = 0; k < count; k++) out[k] = v[k] > 0 ? 1.0 : 0.0;                         \
    break;                                                                                        \
  case MFLD_ONE_MINUS_SQUARE:                                                                     \
    for (ptrdiff_t k = 0; k < count; k++) { const double s = v[k] * v[k]; out[k] = 1.0 - s; }    \
    break;                                                                                        \
  case MFLD_TIMES_ONE_MINUS:                                                                      \
    for (ptrdiff_t k = 0; k < count; k++) { const double s = 1.0 - v[k]; out[k] = v[k] * s; }    \
    break;                                                                                        \
  }

static void map_entries_portable(mfld_entry_map map, const double *v, double *out, ptrdiff_t count) { MAP_ENTRIES_BODY }

#if MFLD_X86
__attribute__((target("avx2")))
static void map_entries_avx2(mfld_entry_map map, const double *v, double *out, ptrdiff_t count) { MAP_ENTRIES_BODY }
#endif

static void map_entries(mfld_entry_map map, const double *v, double *out, ptrdiff_t count) {
#if MFLD_X86
  if (mfld_kernels_isa() == 1) { map_entries_avx2(map, v, out, count); return; }
#endif
  map_entries_portable(map, v, out, count);
}

/// The mc × kc block of map(A) into MR-row slivers, each kc × MR (column of the sliver contiguous),
/// zero-padded before the map (padding rows feed only discarded outputs).
static void pack_a(const double *a, ptrdiff_t rs, ptrdiff_t cs, mfld_entry_map map, ptrdiff_t mc, ptrdiff_t kc, double *packed) {
  for (ptrdiff_t i0 = 0; i0 < mc; i0 += MR) {
    const ptrdiff_t h = mc - i0 < MR ? mc - i0 : MR;
    double *dst = packed + i0 * kc;
    if (h < MR) memset(dst, 0, (size_t)(kc * MR) * sizeof(double));
    if (rs == 1 && h == MR) {
      for (ptrdiff_t p = 0; p < kc; p++) {
        const double *src = a + i0 + p * cs;
        for (ptrdiff_t r = 0; r < MR; r++) dst[p * MR + r] = src[r];
      }
    } else {
      for (ptrdiff_t r = 0; r < h; r++) {
        const double *src = a + (i0 + r) * rs;
        for (ptrdiff_t p = 0; p < kc; p++) dst[p * MR + r] = src[p * cs];
      }
    }
    if (map != MFLD_ENTRIES) map_entries(map, dst, dst, kc * MR);
  }
}

// MARK: - Micro-kernels
//
// Both compute, for an MR × NR tile, acc = Σ_p A[:, p] B[p, :] in increasing p, then
// C ← alpha·acc + beta·C (C not read when beta == 0), and with `positive` C ← max(C, 0) (NaN ↦ 0: relu
// fused into the store). Edge tiles run the same arithmetic on a copy.

// A(r, p) = a[r·ra + p·pa]: packed slivers (ra = 1, pa = MR) or rows read in place (ra = row stride, pa = 1).

typedef void (*micro_kernel)(ptrdiff_t kc, const double *a, ptrdiff_t ra, ptrdiff_t pa, const double *b, double *c,
                             ptrdiff_t ldc, double alpha, double beta, int positive);

static void micro_portable(ptrdiff_t kc, const double *a, ptrdiff_t ra, ptrdiff_t pa, const double *b, double *c,
                           ptrdiff_t ldc, double alpha, double beta, int positive) {
  double acc[MR][NR] = {{0}};
  for (ptrdiff_t p = 0; p < kc; p++, a += pa, b += NR) {
    for (int r = 0; r < MR; r++) {
      const double ar = a[r * ra];
      for (int j = 0; j < NR; j++) acc[r][j] += ar * b[j];
    }
  }
  for (int r = 0; r < MR; r++) {
    double *cr = c + r * ldc;
    for (int j = 0; j < NR; j++) {
      const double v = beta == 0 ? alpha * acc[r][j] : alpha * acc[r][j] + beta * cr[j];
      cr[j] = positive ? (v > 0 ? v : 0) : v;
    }
  }
}

#if MFLD_X86
__attribute__((target("avx2,fma")))
static void micro_avx2(ptrdiff_t kc, const double *a, ptrdiff_t ra, ptrdiff_t pa, const double *b, double *c,
                       ptrdiff_t ldc, double alpha, double beta, int positive) {
  const double *a0 = a, *a1 = a + ra, *a2 = a + 2 * ra, *a3 = a + 3 * ra, *a4 = a + 4 * ra, *a5 = a + 5 * ra;
  __m256d c00 = _mm256_setzero_pd(), c01 = _mm256_setzero_pd(), c10 = _mm256_setzero_pd(), c11 = _mm256_setzero_pd();
  __m256d c20 = _mm256_setzero_pd(), c21 = _mm256_setzero_pd(), c30 = _mm256_setzero_pd(), c31 = _mm256_setzero_pd();
  __m256d c40 = _mm256_setzero_pd(), c41 = _mm256_setzero_pd(), c50 = _mm256_setzero_pd(), c51 = _mm256_setzero_pd();
  if (ra == 1 && pa == MR) {
    for (ptrdiff_t p = 0; p < kc; p++, a += MR, b += NR) {
      const __m256d b0 = _mm256_load_pd(b), b1 = _mm256_load_pd(b + 4);
      __m256d x;
      x = _mm256_broadcast_sd(a + 0); c00 = _mm256_fmadd_pd(x, b0, c00); c01 = _mm256_fmadd_pd(x, b1, c01);
      x = _mm256_broadcast_sd(a + 1); c10 = _mm256_fmadd_pd(x, b0, c10); c11 = _mm256_fmadd_pd(x, b1, c11);
      x = _mm256_broadcast_sd(a + 2); c20 = _mm256_fmadd_pd(x, b0, c20); c21 = _mm256_fmadd_pd(x, b1, c21);
      x = _mm256_broadcast_sd(a + 3); c30 = _mm256_fmadd_pd(x, b0, c30); c31 = _mm256_fmadd_pd(x, b1, c31);
      x = _mm256_broadcast_sd(a + 4); c40 = _mm256_fmadd_pd(x, b0, c40); c41 = _mm256_fmadd_pd(x, b1, c41);
      x = _mm256_broadcast_sd(a + 5); c50 = _mm256_fmadd_pd(x, b0, c50); c51 = _mm256_fmadd_pd(x, b1, c51);
    }
  } else {
    for (ptrdiff_t p = 0, o = 0; p < kc; p++, o += pa, b += NR) {
      const __m256d b0 = _mm256_load_pd(b), b1 = _mm256_load_pd(b + 4);
      __m256d x;
      x = _mm256_broadcast_sd(a0 + o); c00 = _mm256_fmadd_pd(x, b0, c00); c01 = _mm256_fmadd_pd(x, b1, c01);
      x = _mm256_broadcast_sd(a1 + o); c10 = _mm256_fmadd_pd(x, b0, c10); c11 = _mm256_fmadd_pd(x, b1, c11);
      x = _mm256_broadcast_sd(a2 + o); c20 = _mm256_fmadd_pd(x, b0, c20); c21 = _mm256_fmadd_pd(x, b1, c21);
      x = _mm256_broadcast_sd(a3 + o); c30 = _mm256_fmadd_pd(x, b0, c30); c31 = _mm256_fmadd_pd(x, b1, c31);
      x = _mm256_broadcast_sd(a4 + o); c40 = _mm256_fmadd_pd(x, b0, c40); c41 = _mm256_fmadd_pd(x, b1, c41);
      x = _mm256_broadcast_sd(a5 + o); c50 = _mm256_fmadd_pd(x, b0, c50); c51 = _mm256_fmadd_pd(x, b1, c51);
    }
  }
  const __m256d va = _mm256_set1_pd(alpha), vb = _mm256_set1_pd(beta);
  __m256d rows[MR][2] = {{c00, c01}, {c10, c11}, {c20, c21}, {c30, c31}, {c40, c41}, {c50, c51}};
  for (int r = 0; r < MR; r++) {
    double *cr = c + r * ldc;
    __m256d lo = _mm256_mul_pd(va, rows[r][0]), hi = _mm256_mul_pd(va, rows[r][1]);
    if (beta != 0) {
      lo = _mm256_fmadd_pd(vb, _mm256_loadu_pd(cr), lo);
      hi = _mm256_fmadd_pd(vb, _mm256_loadu_pd(cr + 4), hi);
    }
    if (positive) {  // maxpd gives its second operand, +0, for NaN and for −0: relu's `v > 0 ? v : 0`
      lo = _mm256_max_pd(lo, _mm256_setzero_pd());
      hi = _mm256_max_pd(hi, _mm256_setzero_pd());
    }
    _mm256_storeu_pd(cr, lo);
    _mm256_storeu_pd(cr + 4, hi);
  }
}
#endif

static micro_kernel kernel_for_isa(int isa) {
#if MFLD_X86
  if (isa == 1) return micro_avx2;
#endif
  (void)isa;
  return micro_portable;
}

// MARK: - Block product

/// One MR × NR tile of C from an A sliver (A(r, p) = as[r·ra + p·pa]) and a packed B sliver; edge tiles
/// (h < MR rows or w < NR columns of C) run the same arithmetic on a copy.
static void gemm_tile(micro_kernel kernel, ptrdiff_t kc, const double *as, ptrdiff_t ra, ptrdiff_t pa, const double *bs,
                      double *ct, ptrdiff_t ldc, ptrdiff_t h, ptrdiff_t w, double alpha, double beta, int positive) {
  if (h == MR && w == NR) {
    kernel(kc, as, ra, pa, bs, ct, ldc, alpha, beta, positive);
    return;
  }
  _Alignas(64) double edge[MR * NR];
  memset(edge, 0, sizeof edge);
  if (beta != 0)
    for (ptrdiff_t r = 0; r < h; r++) memcpy(edge + r * NR, ct + r * ldc, (size_t)w * sizeof(double));
  kernel(kc, as, ra, pa, bs, edge, NR, alpha, beta, positive);
  for (ptrdiff_t r = 0; r < h; r++) memcpy(ct + r * ldc, edge + r * NR, (size_t)w * sizeof(double));
}

int mfld_gemm_block(ptrdiff_t mc, ptrdiff_t nc, ptrdiff_t kc, double alpha,
                    const double *a, ptrdiff_t rs, ptrdiff_t cs, mfld_entry_map map, const double *packedB,
                    double beta, double *c, ptrdiff_t ldc, int lower, ptrdiff_t diagonal, int positive) {
  const ptrdiff_t mSlivers = (mc + MR - 1) / MR, nSlivers = (nc + NR - 1) / NR;
  const micro_kernel kernel = kernel_for_isa(mfld_kernels_isa());
  // Packing A pays when each sliver is reused across many B slivers. A row-major A feeding a narrow
  // B (the pullback's n × D inputs, D ≤ 64) is read in place instead, a sliver at a time across the
  // few B slivers; a short last sliver, or a sliver whose entries are mapped, through a row-major
  // copy that stays in L1 (a contiguous pass that vectorizes, unlike the packing transpose). At the
  // large lift (D = 51, 7 slivers) this took the step from 26 to 33 steps/s: the transpose was a
  // fifth of it. The micro-kernel's sums are the same in either layout.
  if (cs == 1 && nSlivers <= 8) {
    for (ptrdiff_t is = 0; is < mSlivers; is++) {
      const ptrdiff_t i0 = is * MR, h = mc - i0 < MR ? mc - i0 : MR;
      const double *as = a + i0 * rs;
      ptrdiff_t ra = rs;
      if (h < MR || map != MFLD_ENTRIES) {
        double *sliver = mfld_scratch(5, (size_t)(MR * kc));
        if (!sliver) return -1;
        for (ptrdiff_t r = 0; r < MR; r++) {
          if (r < h) map_entries(map, as + r * rs, sliver + r * kc, kc);
          else memset(sliver + r * kc, 0, (size_t)kc * sizeof(double));
        }
        as = sliver, ra = kc;
      }
      for (ptrdiff_t js = 0; js < nSlivers; js++) {
        const ptrdiff_t j0 = js * NR, w = nc - j0 < NR ? nc - j0 : NR;
        if (lower && j0 > i0 + h - 1 + diagonal) continue;  // wholly above the diagonal
        gemm_tile(kernel, kc, as, ra, 1, packedB + js * NR * kc, c + i0 * ldc + j0, ldc, h, w, alpha, beta, positive);
      }
    }
    return 0;
  }
  double *packedA = mfld_scratch(0, (size_t)(mSlivers * MR * kc));
  if (!packedA) return -1;
  pack_a(a, rs, cs, map, mc, kc, packedA);
  for (ptrdiff_t js = 0; js < nSlivers; js++) {
    const ptrdiff_t j0 = js * NR, w = nc - j0 < NR ? nc - j0 : NR;
    for (ptrdiff_t is = 0; is < mSlivers; is++) {
      const ptrdiff_t i0 = is * MR, h = mc - i0 < MR ? mc - i0 : MR;
      if (lower && j0 > i0 + h - 1 + diagonal) continue;  // wholly above the diagonal
      gemm_tile(kernel, kc, packedA + i0 * kc, 1, MR, packedB + js * NR * kc, c + i0 * ldc + j0, ldc, h, w, alpha, beta, positive);
    }
  }
  return 0;
}

// MARK: - Level 1

static double dot_portable(const double *x, const double *y, ptrdiff_t n) {
  double s[4] = {0, 0, 0, 0};
  ptrdiff_t i = 0;
  for (; i + 4 <= n; i += 4)
    for (int l = 0; l < 4; l++) s[l] += x[i + l] * y[i + l];
  double t = (s[0] + s[1]) + (s[2] + s[3]);
  for (; i < n; i++) t += x[i] * y[i];
  return t;
}

static void axpy_portable(double alpha, const double *x, double *y, ptrdiff_t n) {
  for (ptrdiff_t i = 0; i < n; i++) y[i] += alpha * x[i];
}

#if MFLD_X86
__attribute__((target("avx2,fma")))
static double dot_avx2(const double *x, const double *y, ptrdiff_t n) {
  __m256d s0 = _mm256_setzero_pd(), s1 = _mm256_setzero_pd(), s2 = _mm256_setzero_pd(), s3 = _mm256_setzero_pd();
  ptrdiff_t i = 0;
  for (; i + 16 <= n; i += 16) {
    s0 = _mm256_fmadd_pd(_mm256_loadu_pd(x + i), _mm256_loadu_pd(y + i), s0);
    s1 = _mm256_fmadd_pd(_mm256_loadu_pd(x + i + 4), _mm256_loadu_pd(y + i + 4), s1);
    s2 = _mm256_fmadd_pd(_mm256_loadu_pd(x + i + 8), _mm256_loadu_pd(y + i + 8), s2);
    s3 = _mm256_fmadd_pd(_mm256_loadu_pd(x + i + 12), _mm256_loadu_pd(y + i + 12), s3);
  }
  for (; i + 4 <= n; i += 4) s0 = _mm256_fmadd_pd(_mm256_loadu_pd(x + i), _mm256_loadu_pd(y + i), s0);
  _Alignas(32) double lanes[4];
  _mm256_store_pd(lanes, _mm256_add_pd(_mm256_add_pd(s0, s1), _mm256_add_pd(s2, s3)));
  double t = (lanes[0] + lanes[1]) + (lanes[2] + lanes[3]);
  for (; i < n; i++) t += x[i] * y[i];
  return t;
}

__attribute__((target("avx2,fma")))
static void axpy_avx2(double alpha, const double *x, double *y, ptrdiff_t n) {
  const __m256d va = _mm256_set1_pd(alpha);
  ptrdiff_t i = 0;
  for (; i + 8 <= n; i += 8) {
    _mm256_storeu_pd(y + i, _mm256_fmadd_pd(va, _mm256_loadu_pd(x + i), _mm256_loadu_pd(y + i)));
    _mm256_storeu_pd(y + i + 4, _mm256_fmadd_pd(va, _mm256_loadu_pd(x + i + 4), _mm256_loadu_pd(y + i + 4)));
  }
  for (; i < n; i++) y[i] += alpha * x[i];
}
#endif

// MARK: - Matrix–vector products

static void gemv_portable(ptrdiff_t i0, ptrdiff_t i1, ptrdiff_t n, double alpha, const double *a, ptrdiff_t lda,
                          const double *x, double beta, double *y) {
  for (ptrdiff_t i = i0; i < i1; i++) {
    const double s = dot_portable(a + i * lda, x, n);
    y[i] = beta == 0 ? alpha * s : alpha * s + beta * y[i];
  }
}

static void gemv_t_portable(ptrdiff_t j0, ptrdiff_t j1, ptrdiff_t m, double alpha, const double *a, ptrdiff_t lda,
                            const double *x, double beta, double *y) {
  for (ptrdiff_t j = j0; j < j1; j++) {
    double s = 0;
    for (ptrdiff_t i = 0; i < m; i++) s += x[i] * a[i * lda + j];
    y[j] = beta == 0 ? alpha * s : alpha * s + beta * y[j];
  }
}

#if MFLD_X86
/// One row's sum in `gemv_avx2`'s pattern: two four-lane accumulators over alternate groups of four
/// columns, added lane-wise, the lanes in pairs, then the columns past the last whole group of four.
__attribute__((target("avx2,fma")))
static double gemv_row_avx2(__m256d s0, __m256d s1, const double *row, const double *x, ptrdiff_t j, ptrdiff_t n) {
  _Alignas(32) double lanes[4];
  _mm256_store_pd(lanes, _mm256_add_pd(s0, s1));
  double t = (lanes[0] + lanes[1]) + (lanes[2] + lanes[3]);
  for (; j < n; j++) t += row[j] * x[j];
  return t;
}

/// Four rows at once, sharing the loads of x, each row in two accumulators (`gemv_row_avx2`): eight
/// accumulators and two x registers fit AVX2's sixteen, where four per row spilled and ran at 60% of
/// the speed (55–62 against 94–98 GB/s from L2, 24–96 rows × 500 measured). A row left over takes the
/// same pattern alone, so each row's sum has the same bits however the rows are split.
__attribute__((target("avx2,fma")))
static void gemv_avx2(ptrdiff_t i0, ptrdiff_t i1, ptrdiff_t n, double alpha, const double *a, ptrdiff_t lda,
                      const double *x, double beta, double *y) {
  ptrdiff_t i = i0;
  for (; i + 4 <= i1; i += 4) {
    const double *r0 = a + i * lda, *r1 = r0 + lda, *r2 = r1 + lda, *r3 = r2 + lda;
    __m256d s00 = _mm256_setzero_pd(), s01 = s00, s10 = s00, s11 = s00, s20 = s00, s21 = s00, s30 = s00, s31 = s00;
    ptrdiff_t j = 0;
    for (; j + 8 <= n; j += 8) {
      const __m256d x0 = _mm256_loadu_pd(x + j), x1 = _mm256_loadu_pd(x + j + 4);
      s00 = _mm256_fmadd_pd(_mm256_loadu_pd(r0 + j), x0, s00);
      s01 = _mm256_fmadd_pd(_mm256_loadu_pd(r0 + j + 4), x1, s01);
      s10 = _mm256_fmadd_pd(_mm256_loadu_pd(r1 + j), x0, s10);
      s11 = _mm256_fmadd_pd(_mm256_loadu_pd(r1 + j + 4), x1, s11);
      s20 = _mm256_fmadd_pd(_mm256_loadu_pd(r2 + j), x0, s20);
      s21 = _mm256_fmadd_pd(_mm256_loadu_pd(r2 + j + 4), x1, s21);
      s30 = _mm256_fmadd_pd(_mm256_loadu_pd(r3 + j), x0, s30);
      s31 = _mm256_fmadd_pd(_mm256_loadu_pd(r3 + j + 4), x1, s31);
    }
    if (j + 4 <= n) {
      const __m256d x0 = _mm256_loadu_pd(x + j);
      s00 = _mm256_fmadd_pd(_mm256_loadu_pd(r0 + j), x0, s00);
      s10 = _mm256_fmadd_pd(_mm256_loadu_pd(r1 + j), x0, s10);
      s20 = _mm256_fmadd_pd(_mm256_loadu_pd(r2 + j), x0, s20);
      s30 = _mm256_fmadd_pd(_mm256_loadu_pd(r3 + j), x0, s30);
      j += 4;
    }
    const double t[4] = {gemv_row_avx2(s00, s01, r0, x, j, n), gemv_row_avx2(s10, s11, r1, x, j, n),
                         gemv_row_avx2(s20, s21, r2, x, j, n), gemv_row_avx2(s30, s31, r3, x, j, n)};
    for (int r = 0; r < 4; r++) y[i + r] = beta == 0 ? alpha * t[r] : alpha * t[r] + beta * y[i + r];
  }
  for (; i < i1; i++) {
    const double *row = a + i * lda;
    __m256d s0 = _mm256_setzero_pd(), s1 = s0;
    ptrdiff_t j = 0;
    for (; j + 8 <= n; j += 8) {
      s0 = _mm256_fmadd_pd(_mm256_loadu_pd(row + j), _mm256_loadu_pd(x + j), s0);
      s1 = _mm256_fmadd_pd(_mm256_loadu_pd(row + j + 4), _mm256_loadu_pd(x + j + 4), s1);
    }
    if (j + 4 <= n) { s0 = _mm256_fmadd_pd(_mm256_loadu_pd(row + j), _mm256_loadu_pd(x + j), s0); j += 4; }
    const double t = gemv_row_avx2(s0, s1, row, x, j, n);
    y[i] = beta == 0 ? alpha * t : alpha * t + beta * y[i];
  }
}

/// Σ_i x_i a_ij for columns j ∈ [j0, j1), each sum one chain s_j ← fma(x_i, a_ij, s_j) over i = 0, 1, …
/// in order (the same bits however the columns are split, and by either loop below), then
/// y_j = alpha·s_j (+ beta·y_j, fused).
///
/// A block that fits in L2 is walked a strip of 32 columns at a time down all its rows, the 32 sums in
/// registers: one load per element. A larger one is streamed row by row, four rows at a time, into
/// running sums held in y (or in scratch when beta ≠ 0), so memory is read in order.
__attribute__((target("avx2,fma")))
static void gemv_t_avx2(ptrdiff_t j0, ptrdiff_t j1, ptrdiff_t m, double alpha, const double *a, ptrdiff_t lda,
                        const double *x, double beta, double *y) {
  const ptrdiff_t w = j1 - j0;
  const __m256d va = _mm256_set1_pd(alpha), vb = _mm256_set1_pd(beta);
  if (m * w <= 32768) {
    ptrdiff_t j = 0;
    for (; j + 32 <= w; j += 32) {
      const double *col = a + j0 + j;
      __m256d s[8];
      for (int l = 0; l < 8; l++) s[l] = _mm256_setzero_pd();
      for (ptrdiff_t i = 0; i < m; i++) {
        const double *r = col + i * lda;
        const __m256d xi = _mm256_broadcast_sd(x + i);
        for (int l = 0; l < 8; l++) s[l] = _mm256_fmadd_pd(xi, _mm256_loadu_pd(r + 4 * l), s[l]);
      }
      for (int l = 0; l < 8; l++) {
        double *out = y + j0 + j + 4 * l;
        const __m256d v = _mm256_mul_pd(va, s[l]);
        _mm256_storeu_pd(out, beta == 0 ? v : _mm256_fmadd_pd(vb, _mm256_loadu_pd(out), v));
      }
    }
    for (; j + 4 <= w; j += 4) {
      const double *col = a + j0 + j;
      __m256d s0 = _mm256_setzero_pd();
      for (ptrdiff_t i = 0; i < m; i++) s0 = _mm256_fmadd_pd(_mm256_broadcast_sd(x + i), _mm256_loadu_pd(col + i * lda), s0);
      double *out = y + j0 + j;
      const __m256d v = _mm256_mul_pd(va, s0);
      _mm256_storeu_pd(out, beta == 0 ? v : _mm256_fmadd_pd(vb, _mm256_loadu_pd(out), v));
    }
    for (; j < w; j++) {
      double t = 0;
      for (ptrdiff_t i = 0; i < m; i++) t = fma(x[i], a[i * lda + j0 + j], t);
      const double v = alpha * t;
      y[j0 + j] = beta == 0 ? v : fma(beta, y[j0 + j], v);
    }
    return;
  }
  double *s = beta == 0 ? y + j0 : mfld_scratch(6, (size_t)w);
  if (!s) { gemv_t_portable(j0, j1, m, alpha, a, lda, x, beta, y); return; }
  memset(s, 0, (size_t)w * sizeof(double));
  ptrdiff_t i = 0;
  for (; i + 4 <= m; i += 4) {
    const double *r0 = a + i * lda + j0, *r1 = r0 + lda, *r2 = r1 + lda, *r3 = r2 + lda;
    const __m256d x0 = _mm256_broadcast_sd(x + i), x1 = _mm256_broadcast_sd(x + i + 1);
    const __m256d x2 = _mm256_broadcast_sd(x + i + 2), x3 = _mm256_broadcast_sd(x + i + 3);
    ptrdiff_t j = 0;
    for (; j + 4 <= w; j += 4) {
      __m256d v = _mm256_loadu_pd(s + j);
      v = _mm256_fmadd_pd(x0, _mm256_loadu_pd(r0 + j), v);
      v = _mm256_fmadd_pd(x1, _mm256_loadu_pd(r1 + j), v);
      v = _mm256_fmadd_pd(x2, _mm256_loadu_pd(r2 + j), v);
      v = _mm256_fmadd_pd(x3, _mm256_loadu_pd(r3 + j), v);
      _mm256_storeu_pd(s + j, v);
    }
    for (; j < w; j++) s[j] = fma(x[i + 3], r3[j], fma(x[i + 2], r2[j], fma(x[i + 1], r1[j], fma(x[i], r0[j], s[j]))));
  }
  for (; i < m; i++) {
    const double *r = a + i * lda + j0;
    const __m256d xi = _mm256_broadcast_sd(x + i);
    ptrdiff_t j = 0;
    for (; j + 4 <= w; j += 4) _mm256_storeu_pd(s + j, _mm256_fmadd_pd(xi, _mm256_loadu_pd(r + j), _mm256_loadu_pd(s + j)));
    for (; j < w; j++) s[j] = fma(x[i], r[j], s[j]);
  }
  for (ptrdiff_t j = 0; j < w; j++) {
    const double v = alpha * s[j];
    y[j0 + j] = beta == 0 ? v : fma(beta, y[j0 + j], v);
  }
}
#endif

void mfld_gemv(ptrdiff_t i0, ptrdiff_t i1, ptrdiff_t n, double alpha, const double *a, ptrdiff_t lda,
               const double *x, double beta, double *y) {
#if MFLD_X86
  if (mfld_kernels_isa() == 1) { gemv_avx2(i0, i1, n, alpha, a, lda, x, beta, y); return; }
#endif
  gemv_portable(i0, i1, n, alpha, a, lda, x, beta, y);
}

void mfld_gemv_t(ptrdiff_t j0, ptrdiff_t j1, ptrdiff_t m, double alpha, const double *a, ptrdiff_t lda,
                 const double *x, double beta, double *y) {
#if MFLD_X86
  if (mfld_kernels_isa() == 1) { gemv_t_avx2(j0, j1, m, alpha, a, lda, x, beta, y); return; }
#endif
  gemv_t_portable(j0, j1, m, alpha, a, lda, x, beta, y);
}

double mfld_dot(const double *x, const double *y, ptrdiff_t n) {
#if MFLD_X86
  if (mfld_kernels_isa() == 1) return dot_avx2(x, y, n);
#endif
  return dot_portable(x, y, n);
}

void mfld_axpy(double alpha, const double *x, double *y, ptrdiff_t n) {
#if MFLD_X86
  if (mfld_kernels_isa() == 1) { axpy_avx2(alpha, x, y, n); return; }
#endif
  axpy_portable(alpha, x, y, n);
}

static void add_rows_portable(const double *a, ptrdiff_t lda, ptrdiff_t rows, ptrdiff_t n, const double *x, double *y) {
  _Pragma("STDC FP_CONTRACT OFF")
  for (ptrdiff_t k = 0; k < n; k++) {
    double acc = y[k];
    for (ptrdiff_t r = 0; r < rows; r++) { const double t = x[r] * a[r * lda + k]; acc = acc + t; }
    y[k] = acc;
  }
}

#if MFLD_X86
__attribute__((target("avx2,fma")))
static void add_rows_avx2(const double *a, ptrdiff_t lda, ptrdiff_t rows, ptrdiff_t n, const double *x, double *y) {
  ptrdiff_t k = 0;
  for (; k + 16 <= n; k += 16) {  // a whole cache line and more of each row per pass
    __m256d s0 = _mm256_loadu_pd(y + k), s1 = _mm256_loadu_pd(y + k + 4), s2 = _mm256_loadu_pd(y + k + 8), s3 = _mm256_loadu_pd(y + k + 12);
    for (ptrdiff_t r = 0; r < rows; r++) {
      const double *ar = a + r * lda + k;
      const __m256d xr = _mm256_set1_pd(x[r]);
      s0 = _mm256_fmadd_pd(xr, _mm256_loadu_pd(ar), s0);
      s1 = _mm256_fmadd_pd(xr, _mm256_loadu_pd(ar + 4), s1);
      s2 = _mm256_fmadd_pd(xr, _mm256_loadu_pd(ar + 8), s2);
      s3 = _mm256_fmadd_pd(xr, _mm256_loadu_pd(ar + 12), s3);
    }
    _mm256_storeu_pd(y + k, s0);
    _mm256_storeu_pd(y + k + 4, s1);
    _mm256_storeu_pd(y + k + 8, s2);
    _mm256_storeu_pd(y + k + 12, s3);
  }
  for (; k + 4 <= n; k += 4) {
    __m256d s = _mm256_loadu_pd(y + k);
    for (ptrdiff_t r = 0; r < rows; r++) s = _mm256_fmadd_pd(_mm256_set1_pd(x[r]), _mm256_loadu_pd(a + r * lda + k), s);
    _mm256_storeu_pd(y + k, s);
  }
  for (; k < n; k++) {
    double acc = y[k];
    for (ptrdiff_t r = 0; r < rows; r++) acc = fma(x[r], a[r * lda + k], acc);
    y[k] = acc;
  }
}
#endif

void mfld_add_rows(const double *a, ptrdiff_t lda, ptrdiff_t rows, ptrdiff_t n, const double *x, double *y) {
#if MFLD_X86
  if (mfld_kernels_isa() == 1) { add_rows_avx2(a, lda, rows, n, x, y); return; }
#endif
  add_rows_portable(a, lda, rows, n, x, y);
}

/// y[j] = alpha·(((r_0[j] + r_1[j]) + r_2[j]) + … + r_{count−1}[j]) (+ beta·y[j]) for j < width, rows
/// r_c = rows + c·stride: the sums kept in registers, one pass over the rows.
static void sum_rows_portable(const double *rows, ptrdiff_t count, ptrdiff_t stride, ptrdiff_t width,
                              double alpha, double beta, double *y) {
  _Pragma("STDC FP_CONTRACT OFF")
  for (ptrdiff_t j = 0; j < width; j++) {
    double s = rows[j];
    for (ptrdiff_t c = 1; c < count; c++) s += rows[c * stride + j];
    const double v = alpha * s;
    y[j] = beta == 0 ? v : v + beta * y[j];
  }
}

#if MFLD_X86
__attribute__((target("avx2")))
static void sum_rows_avx2(const double *rows, ptrdiff_t count, ptrdiff_t stride, ptrdiff_t width,
                          double alpha, double beta, double *y) {
  const __m256d va = _mm256_set1_pd(alpha), vb = _mm256_set1_pd(beta);
  ptrdiff_t j = 0;
  for (; j + 8 <= width; j += 8) {
    __m256d s0 = _mm256_loadu_pd(rows + j), s1 = _mm256_loadu_pd(rows + j + 4);
    for (ptrdiff_t c = 1; c < count; c++) {
      s0 = _mm256_add_pd(s0, _mm256_loadu_pd(rows + c * stride + j));
      s1 = _mm256_add_pd(s1, _mm256_loadu_pd(rows + c * stride + j + 4));
    }
    __m256d v0 = _mm256_mul_pd(va, s0), v1 = _mm256_mul_pd(va, s1);
    if (beta != 0) {
      v0 = _mm256_add_pd(v0, _mm256_mul_pd(vb, _mm256_loadu_pd(y + j)));
      v1 = _mm256_add_pd(v1, _mm256_mul_pd(vb, _mm256_loadu_pd(y + j + 4)));
    }
    _mm256_storeu_pd(y + j, v0);
    _mm256_storeu_pd(y + j + 4, v1);
  }
  sum_rows_portable(rows + j, count, stride, width - j, alpha, beta, y + j);
}
#endif

void mfld_sum_rows(const double *rows, ptrdiff_t count, ptrdiff_t stride, ptrdiff_t width,
                   double alpha, double beta, double *y) {
#if MFLD_X86
  if (mfld_kernels_isa() == 1) { sum_rows_avx2(rows, count, stride, width, alpha, beta, y); return; }
#endif
  sum_rows_portable(rows, count, stride, width, alpha, beta, y);
}

// MARK: - Small triangular factorizations
//
// The unblocked kernels under `Dense.choleskyFactor` and `Dense.invertLower`: O(b³) loops of short
// vector updates, kept here so that each update is an inlined SIMD loop rather than a call.

/// The body of `mfld_cholesky_block` for one instruction set: right-looking on U = Lᵀ, stored in the
/// upper triangle, so that every update y ← y − u·x runs along a contiguous row.
#define CHOLESKY_BLOCK(AXPY)                                                                        \
  for (ptrdiff_t i = 0; i < n; i++)                                                                 \
    for (ptrdiff_t j = i + 1; j < n; j++) a[i * lda + j] = a[j * lda + i];                          \
  for (ptrdiff_t c = 0; c < n; c++) {                                                               \
    double *u = a + c * lda;                                                                        \
    const double d = u[c];                                                                          \
    if (!(d > 0) || !isfinite(d)) return 1;                                                         \
    const double s = sqrt(d);                                                                       \
    u[c] = s;                                                                                       \
    for (ptrdiff_t j = c + 1; j < n; j++) u[j] /= s;                                                \
    for (ptrdiff_t i = c + 1; i < n; i++) AXPY(-u[i], u + i, a + i * lda + i, n - i);                \
  }                                                                                                 \
  for (ptrdiff_t i = 0; i < n; i++)                                                                 \
    for (ptrdiff_t j = 0; j < i; j++) a[i * lda + j] = a[j * lda + i];                              \
  return 0;

/// The body of `mfld_invert_lower` for one instruction set: row r of X = L⁻¹ is
/// (e_r − Σ_{t<r} L[r][t] X[t]) / L[r][r], each X[t] zero beyond column t.
#define INVERT_LOWER(AXPY)                                                                          \
  for (ptrdiff_t r = 0; r < n; r++) {                                                               \
    const double *lr = l + r * lda;                                                                 \
    double *xr = x + r * ldx;                                                                       \
    for (ptrdiff_t c = 0; c < n; c++) xr[c] = c == r ? 1 : 0;                                       \
    for (ptrdiff_t t = 0; t < r; t++)                                                               \
      if (lr[t] != 0) AXPY(-lr[t], x + t * ldx, xr, t + 1);                                         \
    const double inverse = 1 / lr[r];                                                               \
    for (ptrdiff_t c = 0; c <= r; c++) xr[c] *= inverse;                                            \
  }

static int cholesky_block_portable(double *a, ptrdiff_t n, ptrdiff_t lda) { CHOLESKY_BLOCK(axpy_portable) }
static void invert_lower_portable(const double *l, ptrdiff_t n, ptrdiff_t lda, double *x, ptrdiff_t ldx) {
  INVERT_LOWER(axpy_portable)
}

#if MFLD_X86
__attribute__((target("avx2,fma")))
static int cholesky_block_avx2(double *a, ptrdiff_t n, ptrdiff_t lda) { CHOLESKY_BLOCK(axpy_avx2) }
__attribute__((target("avx2,fma")))
static void invert_lower_avx2(const double *l, ptrdiff_t n, ptrdiff_t lda, double *x, ptrdiff_t ldx) {
  INVERT_LOWER(axpy_avx2)
}
#endif

int mfld_cholesky_block(double *a, ptrdiff_t n, ptrdiff_t lda) {
#if MFLD_X86
  if (mfld_kernels_isa() == 1) return cholesky_block_avx2(a, n, lda);
#endif
  return cholesky_block_portable(a, n, lda);
}

void mfld_invert_lower(const double *l, ptrdiff_t n, ptrdiff_t lda, double *x, ptrdiff_t ldx) {
#if MFLD_X86
  if (mfld_kernels_isa() == 1) { invert_lower_avx2(l, n, lda, x, ldx); return; }
#endif
  invert_lower_portable(l, n, lda, x, ldx);
}

// MARK: - Gaussian pairwise sums

static void gaussian_sums_portable(const double *y, ptrdiff_t p0, ptrdiff_t p1, ptrdiff_t d, const double *xt, ptrdiff_t n,
                                   double c, double *sums, double *moments) {
  for (ptrdiff_t p = p0; p < p1; p++) {
    const double *yp = y + p * d;
    double s = 0;
    if (moments) for (ptrdiff_t k = 0; k < d; k++) moments[p * d + k] = 0;
    for (ptrdiff_t j = 0; j < n; j++) {
      double r2 = 0;
      for (ptrdiff_t k = 0; k < d; k++) { const double z = yp[k] - xt[k * n + j]; r2 += z * z; }
      const double e = exp(-c * r2);
      s += e;
      if (moments) for (ptrdiff_t k = 0; k < d; k++) moments[p * d + k] += e * (yp[k] - xt[k * n + j]);
    }
    sums[p] = s;
  }
}

#if MFLD_X86
/// e^x for x ≤ 0: x = k ln 2 + r with |r| ≤ ln2/2, e^r by its degree-13 Taylor polynomial (truncation
/// below 5e-18 relative), 2^k from the exponent bits; x < −708 gives 0.
__attribute__((target("avx2,fma")))
static inline __m256d exp_nonpositive(__m256d x) {
  const __m256d floor = _mm256_set1_pd(-708.0);
  const __m256d tiny = _mm256_cmp_pd(x, floor, _CMP_LT_OQ);
  x = _mm256_max_pd(x, floor);
  const __m256d k = _mm256_round_pd(_mm256_mul_pd(x, _mm256_set1_pd(1.4426950408889634)), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
  __m256d r = _mm256_fnmadd_pd(k, _mm256_set1_pd(6.93147180369123816490e-01), x);
  r = _mm256_fnmadd_pd(k, _mm256_set1_pd(1.90821492927058770002e-10), r);
  static const double inverseFactorials[14] = {
    1.0, 1.0, 1.0 / 2, 1.0 / 6, 1.0 / 24, 1.0 / 120, 1.0 / 720, 1.0 / 5040, 1.0 / 40320, 1.0 / 362880,
    1.0 / 3628800, 1.0 / 39916800, 1.0 / 479001600, 1.0 / 6227020800};
  __m256d p = _mm256_set1_pd(inverseFactorials[13]);
  for (int i = 12; i >= 0; i--) p = _mm256_fmadd_pd(p, r, _mm256_set1_pd(inverseFactorials[i]));
  const __m256i bits = _mm256_castpd_si256(_mm256_add_pd(k, _mm256_set1_pd(0x1.8p52)));
  const __m256d scale = _mm256_castsi256_pd(_mm256_slli_epi64(_mm256_add_epi64(bits, _mm256_set1_epi64x(1023)), 52));
  return _mm256_andnot_pd(tiny, _mm256_mul_pd(p, scale));
}

__attribute__((target("avx2,fma")))
static void gaussian_sums_avx2(const double *y, ptrdiff_t p0, ptrdiff_t p1, ptrdiff_t d, const double *xt, ptrdiff_t n,
                               double c, double *sums, double *moments) {
  enum { MAXD = 16 };
  const __m256d vc = _mm256_set1_pd(-c);
  for (ptrdiff_t p = p0; p < p1; p++) {
    const double *yp = y + p * d;
    __m256d vs = _mm256_setzero_pd(), vm[MAXD], vy[MAXD];
    for (ptrdiff_t k = 0; k < d; k++) { vm[k] = _mm256_setzero_pd(); vy[k] = _mm256_set1_pd(yp[k]); }
    ptrdiff_t j = 0;
    for (; j + 4 <= n; j += 4) {
      __m256d r2 = _mm256_setzero_pd();
      for (ptrdiff_t k = 0; k < d; k++) {
        const __m256d z = _mm256_sub_pd(vy[k], _mm256_loadu_pd(xt + k * n + j));
        r2 = _mm256_fmadd_pd(z, z, r2);
      }
      const __m256d e = exp_nonpositive(_mm256_mul_pd(vc, r2));
      vs = _mm256_add_pd(vs, e);
      if (moments)
        for (ptrdiff_t k = 0; k < d; k++) vm[k] = _mm256_fmadd_pd(e, _mm256_sub_pd(vy[k], _mm256_loadu_pd(xt + k * n + j)), vm[k]);
    }
    _Alignas(32) double lanes[4];
    _mm256_store_pd(lanes, vs);
    double s = (lanes[0] + lanes[1]) + (lanes[2] + lanes[3]);
    double m[MAXD];
    for (ptrdiff_t k = 0; k < d; k++) {
      _mm256_store_pd(lanes, vm[k]);
      m[k] = (lanes[0] + lanes[1]) + (lanes[2] + lanes[3]);
    }
    for (; j < n; j++) {
      double r2 = 0;
      for (ptrdiff_t k = 0; k < d; k++) { const double z = yp[k] - xt[k * n + j]; r2 += z * z; }
      const double e = exp(-c * r2);
      s += e;
      for (ptrdiff_t k = 0; k < d; k++) m[k] += e * (yp[k] - xt[k * n + j]);
    }
    sums[p] = s;
    if (moments) for (ptrdiff_t k = 0; k < d; k++) moments[p * d + k] = m[k];
  }
}
#endif

void mfld_gaussian_sums(const double *y, ptrdiff_t p0, ptrdiff_t p1, ptrdiff_t d, const double *xt, ptrdiff_t n,
                        double c, double *sums, double *moments) {
#if MFLD_X86
  if (mfld_kernels_isa() == 1 && d <= 16) { gaussian_sums_avx2(y, p0, p1, d, xt, n, c, sums, moments); return; }
#endif
  gaussian_sums_portable(y, p0, p1, d, xt, n, c, sums, moments);
}
