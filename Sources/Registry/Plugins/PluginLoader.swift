import Foundation
import LinearAlgebra
import SolverAPI
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Host side of the plugin ABI (`PluginABI`): dlopen, version check, registration.
///
/// A library is opened with RTLD_NOW | RTLD_LOCAL, so its symbols (its own copy of SolverAPI, of
/// the Swift parts) stay private to it. It is never closed: the Swift runtime keeps pointers into
/// every loaded image, and the registered components call into it for the rest of the process.
public enum PluginLoader {
  /// Opens the library at `path` (relative paths against the current directory) and returns the parts
  /// it declares, checked but not yet registered anywhere. `owner(kind, name)` says who already holds
  /// a name (nil when it is free), so that a clash is refused with the holder named.
  /// Throws a one-line `ConfigError` for a missing file, a file that is not a library, a library
  /// without the entry points, another ABI version, a refused declaration or a name already taken.
  public static func load(_ path: String, owner: @escaping (PartKind, String) -> String?) throws -> [Component] {
    let absolute = URL(fileURLWithPath: path).standardizedFileURL.path
    func fail(_ message: String, fix: String? = nil) -> ConfigError {
      ConfigError(path: "", "cannot load plugin '\(path)': \(message)", fix: fix)
    }
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: absolute, isDirectory: &isDirectory) else {
      throw fail("no such file", fix: "check the path; build the plugin first (docs/plugins.md)")
    }
    guard !isDirectory.boolValue else { throw fail("it is a folder, not a library", fix: "name the .so file inside it") }
    // A FIFO or a device would block or stream forever in dlopen: only regular files are libraries.
    var info = stat()
    guard stat(absolute, &info) == 0, info.st_mode & S_IFMT == S_IFREG else {
      throw fail("not a regular file (a pipe, socket or device)", fix: "give the library's .so file")
    }

    dlerror()
    guard let library = dlopen(absolute, RTLD_NOW | RTLD_LOCAL) else {
      var reason = dlerror().map { String(cString: $0) } ?? "unknown error"
      if reason.hasPrefix(absolute + ": ") { reason.removeFirst(absolute.count + 2) }
      throw fail("not a loadable shared library (\(reason))", fix: "give a .so built as docs/plugins.md describes")
    }
    guard let versionSymbol = dlsym(library, PluginABI.versionSymbol) else {
      throw fail("not an mfld plugin: it does not export \(PluginABI.versionSymbol)",
                 fix: "export it with @_cdecl(\"\(PluginABI.versionSymbol)\") (docs/plugins.md)")
    }
    let version = unsafeBitCast(versionSymbol, to: PluginABI.VersionFunction.self)()
    guard version == PluginABI.version else {
      throw fail("it was built for plugin ABI version \(version), this mfld uses version \(PluginABI.version)",
                 fix: "rebuild the plugin against this mfld")
    }
    guard let registerSymbol = dlsym(library, PluginABI.registerSymbol) else {
      throw fail("not an mfld plugin: it does not export \(PluginABI.registerSymbol)",
                 fix: "export it with @_cdecl(\"\(PluginABI.registerSymbol)\") (docs/plugins.md)")
    }
    let register = unsafeBitCast(registerSymbol, to: PluginABI.RegisterFunction.self)
    do { return try self.register(using: register, library: path, owner: owner) } catch let r as Refusal {
      throw fail(r.message, fix: r.fix)
    }
  }

  /// Calls a plugin's `mfld_plugin_register` with a host table and returns the parts it declared (what
  /// `load` does once the library is open; tests and the Python interface call it with a register function
  /// of their own). Throws a `Refusal` when a declaration is refused or the function fails.
  public static func register(using register: PluginABI.RegisterFunction, library path: String,
                       owner: @escaping (PartKind, String) -> String?) throws -> [Component] {
    let session = RegistrationSession(owner: owner, library: path)
    let host = PluginTable.allocate(PluginABI.HostSlot.allCases.count)
    defer { host.base.deallocate() }
    host.setInteger(PluginABI.HostSlot.abiVersion.rawValue, Int(PluginABI.version))
    host.setPointer(PluginABI.HostSlot.context.rawValue, UnsafeRawPointer(Unmanaged.passUnretained(session).toOpaque()))
    host.setFunction(PluginABI.HostSlot.registerComponent.rawValue, registerComponent)
    host.setFunction(PluginABI.HostSlot.reportError.rawValue, reportError)
    host.setPointer(PluginABI.HostSlot.parallelFor.rawValue, Parallel.poolEntry)
    let name = strdup(path)  // the plugin copies it during registration
    defer { free(name) }
    host.setPointer(PluginABI.HostSlot.libraryName.rawValue, UnsafeRawPointer(name))
    let status = withExtendedLifetime(session) { register(host.raw) }
    if let error = session.error { throw Refusal(message: error.message, fix: error.fix) }
    guard status == PluginABI.ok else { throw Refusal(message: "its \(PluginABI.registerSymbol) failed with status \(status)", fix: nil) }
    return session.pending
  }

  /// What one call of `mfld_plugin_register` has declared so far; registered only if all of it is valid.
  final class RegistrationSession {
    let owner: (PartKind, String) -> String?
    let library: String
    var pending: [Component] = []
    var error: (message: String, fix: String?)?

    init(owner: @escaping (PartKind, String) -> String?, library: String) {
      self.owner = owner
      self.library = library
    }

    func add(_ text: String, ops table: UnsafeRawPointer?, id: Int64) throws {
      let d: PluginJSON.Declaration
      do { d = try PluginJSON.decodeDeclaration(text) } catch { throw Refusal(message: "\(error)", fix: "fix the plugin's declaration") }
      let holder = pending.contains { $0.kind == d.kind && $0.name == d.name } ? "" : owner(d.kind, d.name)
      if let holder {
        let by = holder.isEmpty ? "" : " by \(holder)"
        let article = "aeiou".contains(d.kind.rawValue.first!) ? "an" : "a"
        throw Refusal(message: "it registers \(article) \(d.kind.rawValue) named '\(d.name)', which is already registered\(by)",
                      fix: "rename the plugin's part, or load the plugin only once")
      }
      guard let table else { throw Refusal(message: "'\(d.name)' was registered without an ops table", fix: nil) }
      let ops = try PluginOps(table: table, library: library)
      pending.append(PluginComponent.make(d, ops: ops, id: id))
    }
  }

  public struct Refusal: Error {
    public var message: String
    public var fix: String?
  }

  static let registerComponent: PluginABI.RegisterComponentFunction = { context, declaration, ops, id in
    guard let context else { return PluginABI.failed }
    let session = Unmanaged<RegistrationSession>.fromOpaque(context).takeUnretainedValue()
    guard session.error == nil else { return PluginABI.failed }
    do {
      try session.add(declaration.map { String(cString: $0) } ?? "", ops: ops, id: id)
      return PluginABI.ok
    } catch let r as Refusal {
      session.error = (r.message, r.fix)
    } catch {
      session.error = ("\(error)", nil)
    }
    return PluginABI.failed
  }

  static let reportError: PluginABI.ReportErrorFunction = { context, message in
    guard let context else { return }
    let session = Unmanaged<RegistrationSession>.fromOpaque(context).takeUnretainedValue()
    if session.error == nil {
      session.error = ("the plugin reports: " + (message.map { String(cString: $0) } ?? "an unspecified error"), nil)
    }
  }
}
