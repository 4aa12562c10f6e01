import Foundation
import MFLD

/// Entry point: dispatch to a command, print errors on one line, exit with the command's status.
func main() -> Int32 {
  var words = Array(CommandLine.arguments.dropFirst())
  guard let first = words.first else { print(Commands.overview); return 2 }
  if first == "-h" || first == "--help" { print(Commands.overview); return 0 }
  if first == "--version" { print("mfld \(mfldVersionString)"); return 0 }
  words.removeFirst()
  if first == "help" {
    guard let name = words.first else { print(Commands.overview); return 0 }
    guard let command = Commands.all.first(where: { $0.name == name }) else {
      Terminal.error("unknown command '\(name)'" + didYouMean(name, Commands.all.map { $0.name }))
      return 2
    }
    print(command.help)
    return 0
  }
  guard let command = Commands.all.first(where: { $0.name == first }) else {
    Terminal.error("unknown command '\(first)'" + didYouMean(first, Commands.all.map { $0.name })
      + "; commands: " + Commands.all.map { $0.name }.joined(separator: ", "))
    return 2
  }
  if words.contains("-h") || words.contains("--help") { print(command.help); return 0 }
  do {
    return try command.run(words)
  } catch let e as ConfigError {
    Terminal.error(e.description)
    return 2
  } catch let e as UsageError {
    Terminal.error(e.description)
    return 2
  } catch let e as RunError {
    Terminal.error(e.description)
    return e.exitCode
  } catch {
    Terminal.error("\(error)")
    return 1
  }
}

let mfldVersionString = mfldVersion
exit(main())
