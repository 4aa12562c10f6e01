#ifndef MFLD_DENSE_KERNELS_H
#define MFLD_DENSE_KERNELS_H

/// Dense float64 building blocks for LinearAlgebra's `Dense` (the only client). Each function is
/// single-threaded; `Dense` splits the work into chunks that depend on the sizes only, never on the
/// thread count, so results are the same bits on any number of threads.
///
/// The instruction set is chosen once at run time: AVX2 + FMA where the CPU and the OS support it
/// (per-function target attributes, no build flags, so the package stays usable as a versioned
/// dependency), portable C otherwise. The two paths round differently (fused multiply–add), so bit
/// equality holds on one machine, not across instruction sets. (The normals, `Normals.h`, round the
/// same on both paths.)

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/// Micro-tile rows (MR) and columns (NR) of the packed product; A panels are packed in MR-row slivers,
/// B panels in NR-column slivers.
enum { MFLD_MR = 6, MFLD_NR = 8 };

/// 1 when the AVX2 + FMA kernels run, 0 for the portable ones. Decided on the first call; the
/// environment variable MFLD_PORTABLE_KERNELS=1 forces the portable kernels (for comparisons).
int mfld_kernels_isa(void);

/// Packs the kc × nc block of B (element (p, j) at b[p*rs + j*cs], times scale[p] when scale is not NULL:
/// diag(scale) B, one rounding per element) into NR-column slivers, each kc × NR row-major and
/// zero-padded: `packed` needs ceil(nc/NR)·NR·kc doubles. Packs slivers [s0, s1).
void mfld_pack_b(const double *b, ptrdiff_t rs, ptrdiff_t cs, ptrdiff_t kc, ptrdiff_t nc, const double *scale,
                 ptrdiff_t s0, ptrdiff_t s1, double *packed);

/// What `mfld_gemm_block` reads for an entry v of A: v itself, or an activation's slope through its
/// value v = σ(t) — 1 when v > 0 else 0 (relu), 1 − v² (tanh), v(1 − v) (sigmoid) — so a product
/// with σ′(Z) needs only σ(Z) in memory.
typedef enum {
  MFLD_ENTRIES = 0,
  MFLD_INDICATOR_OF_POSITIVE = 1,
  MFLD_ONE_MINUS_SQUARE = 2,
  MFLD_TIMES_ONE_MINUS = 3
} mfld_entry_map;

/// C[0..<mc, 0..<nc] = alpha·map(A)·B + beta·C for the mc × kc block of A (element (i, p) at a[i*rs + p*cs]),
/// packed here into this thread's buffer (or, row-major (cs == 1) and feeding a narrow B, read in place a
/// sliver at a time; the map is applied as A is packed or copied), and the packed kc × nc block of B
/// (slivers from sliver 0).
/// C is row-major with leading dimension ldc. With `lower` set, micro-tiles lying wholly above the
/// diagonal i = j + diagonal of C are skipped (for symmetric products and triangular updates).
/// beta == 0 never reads C. With `positive` set, each result is stored as max(C, 0), NaN ↦ 0 (relu's
/// `v > 0 ? v : 0`, the same bits).
/// Returns 0, or −1 when the packing buffer cannot be allocated.
int mfld_gemm_block(ptrdiff_t mc, ptrdiff_t nc, ptrdiff_t kc, double alpha,
                    const double *a, ptrdiff_t rs, ptrdiff_t cs, mfld_entry_map map, const double *packedB,
                    double beta, double *c, ptrdiff_t ldc, int lower, ptrdiff_t diagonal, int positive);

/// y[i] = alpha·Σ_j a[i·lda + j] x[j] + beta·y[i] for rows i ∈ [i0, i1) (beta == 0: y not read).
/// Each row's sum has the same order however the rows are split.
void mfld_gemv(ptrdiff_t i0, ptrdiff_t i1, ptrdiff_t n, double alpha, const double *a, ptrdiff_t lda,
               const double *x, double beta, double *y);

/// y[j] = alpha·Σ_i x[i] a[i·lda + j] + beta·y[j] for columns j ∈ [j0, j1), the sum over i = 0..<m in
/// order (one fused multiply–add per term on the AVX2 path), the same however the columns are split.
/// A block of at most 32768 elements is read a strip of columns at a time, the sums in registers.
void mfld_gemv_t(ptrdiff_t j0, ptrdiff_t j1, ptrdiff_t m, double alpha, const double *a, ptrdiff_t lda,
                 const double *x, double beta, double *y);

/// Σ x[i]·y[i] with a fixed summation order.
double mfld_dot(const double *x, const double *y, ptrdiff_t n);

/// y[i] += alpha·x[i].
void mfld_axpy(double alpha, const double *x, double *y, ptrdiff_t n);

/// y[k] += Σ_r x[r]·a[r·lda + k] for k < n, the rows added in order, each a fused multiply–add on AVX2 (the
/// tail too) and an unfused one in portable C: an element's sum does not depend on where its range starts,
/// so a matrix's weighted column sums come out the same added tile by tile or row by row.
void mfld_add_rows(const double *a, ptrdiff_t lda, ptrdiff_t rows, ptrdiff_t n, const double *x, double *y);

/// y[j] = alpha·Σ_c rows[c·stride + j] + beta·y[j] for j < width, the count rows added in order
/// (((r₀ + r₁) + r₂) + …), without fused multiply–add (beta == 0: y not read).
void mfld_sum_rows(const double *rows, ptrdiff_t count, ptrdiff_t stride, ptrdiff_t width,
                   double alpha, double beta, double *y);

/// Cholesky factorization A = L Lᵀ of the n × n symmetric positive-definite block at a (row stride
/// lda), unblocked: reads the lower triangle, leaves L there and Lᵀ above it. Returns 0, or 1 when
/// a pivot is not positive and finite (A is not positive definite).
int mfld_cholesky_block(double *a, ptrdiff_t n, ptrdiff_t lda);

/// X = L⁻¹ for the n × n lower-triangular L at l (row stride lda), unblocked, into x (row stride
/// ldx; columns 0..<n written, zero above the diagonal).
void mfld_invert_lower(const double *l, ptrdiff_t n, ptrdiff_t lda, double *x, ptrdiff_t ldx);

/// For the points y_p, p ∈ [p0, p1) (row-major, d coordinates each) and n sources given transposed
/// (xt[k·n + j] = x_jk), the Gaussian sums
///     sums[p] = Σ_j exp(−c |y_p − x_j|²),   moments[p·d + k] = Σ_j exp(−c |y_p − x_j|²) (y_pk − x_jk)
/// (moments may be NULL), each over j in order. c ≥ 0. exp is evaluated to about one ulp by a
/// degree-13 polynomial (values below e^−708 flush to 0).
void mfld_gaussian_sums(const double *y, ptrdiff_t p0, ptrdiff_t p1, ptrdiff_t d, const double *xt, ptrdiff_t n,
                        double c, double *sums, double *moments);

/// A thread-local scratch buffer of at least `count` doubles, 64-byte aligned, kept for the thread's
/// life. Slots 0–7 are independent: 0 packs A, 1 packs B (`Dense.product`), 2–3 `Dense.choleskyFactor`,
/// 4 the pairwise sums, 5 a copied A sliver (short, or mapped), 6 `mfld_gemv_t` (large blocks, beta ≠ 0),
/// 7 `Dense`'s partial sums.
/// NULL if memory is exhausted.
double *mfld_scratch(int slot, size_t count);

#ifdef __cplusplus
}
#endif

#endif
