import SolverAPI

/// A C table of pointer-sized slots (`mfld_host`, `mfld_plugin_ops`).
public struct PluginTable: @unchecked Sendable {
  public let base: UnsafeMutablePointer<UnsafeRawPointer?>

  public init(_ base: UnsafeMutablePointer<UnsafeRawPointer?>) { self.base = base }
  public init(_ base: UnsafeRawPointer) { self.base = UnsafeMutablePointer(mutating: base.assumingMemoryBound(to: UnsafeRawPointer?.self)) }

  /// A new table of `count` empty slots, never freed (tables live as long as the process).
  public static func allocate(_ count: Int) -> PluginTable {
    let p = UnsafeMutablePointer<UnsafeRawPointer?>.allocate(capacity: count)
    p.initialize(repeating: nil, count: count)
    return PluginTable(p)
  }

  public var raw: UnsafeRawPointer { UnsafeRawPointer(base) }

  public func integer(_ slot: Int) -> Int { Int(bitPattern: base[slot]) }
  public func setInteger(_ slot: Int, _ value: Int) { base[slot] = UnsafeRawPointer(bitPattern: value) }
  public func pointer(_ slot: Int) -> UnsafeRawPointer? { base[slot] }
  public func setPointer(_ slot: Int, _ value: UnsafeRawPointer?) { base[slot] = value }

  /// The C function in `slot` as `F` (nil when the slot is empty).
  public func function<F>(_ slot: Int, as type: F.Type) -> F? {
    guard let p = base[slot] else { return nil }
    return unsafeBitCast(p, to: F.self)
  }

  public func setFunction<F>(_ slot: Int, _ f: F) {
    precondition(MemoryLayout<F>.size == MemoryLayout<UnsafeRawPointer>.size, "not a C function pointer")
    base[slot] = unsafeBitCast(f, to: UnsafeRawPointer.self)
  }
}
