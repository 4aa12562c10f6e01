import MFLD
import ExampleParts

// The plugin ABI's two entry points (docs/plugins.md). Everything else — declarations as JSON, building
// parts, calling them across the boundary, the host's thread pool — is done by PluginExport.

@_cdecl("mfld_plugin_abi_version")
public func mfldPluginABIVersion() -> Int32 {
  PluginExport.abiVersion
}

@_cdecl("mfld_plugin_register")
public func mfldPluginRegister(_ host: UnsafeRawPointer?) -> Int32 {
  PluginExport.register(ExampleParts.all, host: host)
}
