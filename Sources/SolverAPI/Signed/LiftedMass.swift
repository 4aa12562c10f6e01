/// How a lifted particle (r, w) ∈ ℝ × W carries the mass of the signed measure it represents
/// (docs/math.md §2.3): ν = (1/m) Σ_i mass(r_i) δ_{w_i}.
public enum LiftedMass: Sendable, Equatable {
  /// mass(r) = r: Wasserstein transport moves r like any coordinate.
  case weight
  /// mass(r) = r|r|: the conic metric's multiplicative updates keep signs and ‖ν‖_TV = (1/m) Σ r_i².
  case signedSquare
}
