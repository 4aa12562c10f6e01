#ifndef MFLD_NORMALS_H
#define MFLD_NORMALS_H

/// Standard normal deviates from Philox4x32-10 blocks, for SolverAPI's `RandomStream` (the only
/// client). Box–Muller on each block's two 64-bit words, with its own logarithm, sine and cosine
/// (polynomials in the four exact IEEE operations, no fused multiply–add, no libm), so the numbers
/// are the same bits on every machine and instruction set; the AVX2 path runs four blocks at once.

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// `count` deviates for each of `particles` consecutive indices, index0, index0 + 1, …: particle p's
/// deviates 2b and 2b + 1 come from the block with counter (index0 + p, b, step0, step1) under the key
/// (key0, key1), b = 0, 1, …; out[p·count + j] holds deviate j (an odd count drops the last block's
/// second deviate). Per block (a, b): u₁ = ((a >> 11) + 1)·2⁻⁵³ ∈ (0, 1], u₂ = (b >> 11)·2⁻⁵³ ∈ [0, 1),
///     z₀ = √(−2 log u₁) cos 2πu₂,   z₁ = √(−2 log u₁) sin 2πu₂,
/// each function within a few units in the last place.
void mfld_normals(uint32_t key0, uint32_t key1, uint32_t index0, ptrdiff_t particles, ptrdiff_t count,
                  uint32_t step0, uint32_t step1, double *out);

/// The Box–Muller pair (z[0], z[1]) of one block's words (a, b), as `mfld_normals` computes it.
void mfld_box_muller(uint64_t a, uint64_t b, double z[2]);

#ifdef __cplusplus
}
#endif

#endif
