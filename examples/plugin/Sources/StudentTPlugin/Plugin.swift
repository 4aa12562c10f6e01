import MFLD
import StudentTParts

// The plugin ABI's two entry points (docs/plugins.md). Everything else — declarations as JSON,
// build, evaluate, first variation, observe — is done by SolverAPI's PluginExport.

@_cdecl("mfld_plugin_abi_version")
public func mfldPluginABIVersion() -> Int32 {
  PluginExport.abiVersion
}

@_cdecl("mfld_plugin_register")
public func mfldPluginRegister(_ host: UnsafeRawPointer?) -> Int32 {
  PluginExport.register(StudentT.all, host: host)
}
