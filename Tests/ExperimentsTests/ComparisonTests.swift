import Foundation
import FoundationXML
import Experiments
import Formats
import Registry
import SolverAPI
import Testing

/// `mfld compare`: its files, common random numbers, and repeats.
struct ComparisonTests {
  static let network = """
  {
    "seed": 3,
    "objective": {"type": "two-layer-network", "data": {"type": "teacher", "dimension": 3, "samples": 40}, "lambda": 0.001},
    "reduction": "lift",
    "metric": "wasserstein",
    "integrator": {"type": "euler-maruyama", "step": 0.2, "temperature": 1e-4},
    "particles": {"count": 12, "init": "uniform"},
    "steps": 40,
    "record": {"every": 5}
  }
  """

  func directory() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("mfld-compare-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
  }

  func config(in dir: URL) throws -> String {
    let path = dir.appendingPathComponent("net.json").path
    try Self.network.write(toFile: path, atomically: true, encoding: .utf8)
    return path
  }

  /// Counts `path` elements with class "series" in an SVG, failing if it does not parse as XML.
  final class SeriesCounter: NSObject, XMLParserDelegate {
    var series = 0
    func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?, attributes: [String: String] = [:]) {
      if name == "path", attributes["class"] == "series" { series += 1 }
    }
  }

  @Test("a small comparison writes the CSV, the Markdown table, one line per variant in every SVG, and an index that links existing files")
  func files() throws {
    let dir = try directory(), file = try config(in: dir)
    let variants = try Comparison.variants(files: [file], vary: ["metric=wasserstein,conic", "integrator.step=0.1,0.2"])
    #expect(variants.count == 4)
    let out = dir.appendingPathComponent("cmp")
    let result = try Comparison(variants: variants, repeats: 2, outputDirectory: out.path).run()
    // CSV: a header and one row per variant and seed.
    let csv = try String(contentsOf: out.appendingPathComponent("comparison.csv"), encoding: .utf8).split(separator: "\n")
    #expect(csv.count == 1 + 4 * 2)
    #expect(csv[0].hasPrefix("variant,metric,integrator.step,seed,status,steps,wall_seconds,steps_per_second"))  // the swept keys are columns
    // Markdown: a table row per variant.
    let md = try String(contentsOf: out.appendingPathComponent("comparison.md"), encoding: .utf8)
    for v in variants { #expect(md.contains("| \(v.name) |")) }
    // SVGs parse as XML with one series path per variant.
    let svgs = try FileManager.default.contentsOfDirectory(atPath: out.path).filter { $0.hasSuffix(".svg") }
    #expect(svgs.contains("G_lambda-vs-step.svg") && svgs.contains("G_lambda-vs-time.svg"))
    for svg in svgs {
      let parser = XMLParser(data: try Data(contentsOf: out.appendingPathComponent(svg)))
      let counter = SeriesCounter()
      parser.delegate = counter
      #expect(parser.parse(), "\(svg) is not XML")
      #expect(counter.series == 4, "\(svg) has \(counter.series) series")
    }
    // index.html references files that exist.
    let html = try String(contentsOf: out.appendingPathComponent("index.html"), encoding: .utf8)
    let sources = html.components(separatedBy: "src=\"").dropFirst().map { String($0.prefix { $0 != "\"" }) }
    #expect(sources.count == svgs.count)
    for s in sources {
      let name = s.removingPercentEncoding ?? s
      #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent(name).path), "\(name) missing")
    }
    #expect(result.files.contains("index.html"))
  }

  @Test("common random numbers: variants differing only in a parameter that does not touch the dynamics give identical traces")
  func commonRandomNumbers() throws {
    let dir = try directory(), file = try config(in: dir)
    // Two spellings of one metric (the default ratio written out): different variants, the same dynamics.
    let variants = try Comparison.variants(files: [file], vary: ["metric=wasserstein,{\"type\": \"wasserstein\", \"ratio\": 1}"])
    let result = try Comparison(variants: variants, repeats: 1, outputDirectory: dir.appendingPathComponent("cmp").path).run()
    let a = result.traces[0][0], b = result.traces[1][0]
    #expect(a.rows.count > 2)
    #expect(try Data(contentsOf: URL(fileURLWithPath: a.directory).appendingPathComponent("trace.csv"))
            == Data(contentsOf: URL(fileURLWithPath: b.directory).appendingPathComponent("trace.csv")))
    // …while a parameter that does matter changes them.
    let other = try Comparison(variants: try Comparison.variants(files: [file], vary: ["integrator.step=0.2,0.21"]), repeats: 1,
                               outputDirectory: dir.appendingPathComponent("cmp2").path).run()
    #expect(other.traces[0][0].rows != other.traces[1][0].rows)
  }

  @Test("repeats: the table's mean ± sd agree with the per-seed rows")
  func repeats() throws {
    let dir = try directory(), file = try config(in: dir)
    let out = dir.appendingPathComponent("cmp")
    let result = try Comparison(variants: try Comparison.variants(files: [file], vary: []), repeats: 3, outputDirectory: out.path).run()
    let finals = try result.traces[0].map { try $0.column("G_lambda").last! }
    #expect(Set(result.runs.map(\.seed)) == [3, 4, 5])
    #expect(Set(finals).count == 3)  // different seeds, different runs
    let mean = finals.reduce(0, +) / 3
    let sd = (finals.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / 2).squareRoot()
    #expect(result.tableRows[0][1] == String(format: "%.4g", mean) + " ± " + String(format: "%.4g", sd))
    // The CSV rows carry the same finals.
    let csv = try String(contentsOf: out.appendingPathComponent("comparison.csv"), encoding: .utf8).split(separator: "\n")
    let k = try #require(csv[0].split(separator: ",").firstIndex(of: "final_G_lambda"))
    let fromCSV = csv.dropFirst().map { Double($0.split(separator: ",", omittingEmptySubsequences: false)[k])! }
    #expect(fromCSV == finals)
  }

  @Test("at equal wall time: a variant ten times as long is read where the short one stopped, not at its end")
  func equalWallTime() throws {
    let dir = try directory(), file = try config(in: dir)
    let result = try Comparison(variants: try Comparison.variants(files: [file], vary: ["steps=40,400"]), repeats: 1,
                                outputDirectory: dir.appendingPathComponent("cmp").path).run()
    let short = result.traces[0][0], long = result.traces[1][0]
    let equalTime = try #require(short.wallSeconds.last)
    let csv = try String(contentsOf: dir.appendingPathComponent("cmp/comparison.csv"), encoding: .utf8).split(separator: "\n")
    let k = try #require(csv[0].split(separator: ",").firstIndex(of: "G_lambda_at_equal_time"))
    let values = csv.dropFirst().map { Double($0.split(separator: ",", omittingEmptySubsequences: false)[k])! }
    // The short variant's own figure at its end time is its final value; the long one's is the last row it
    // recorded by then, well before its end.
    #expect(values[0] == (try short.column("G_lambda").last!))
    let row = try #require(long.wallSeconds.lastIndex { $0 <= equalTime })
    #expect(values[1] == (try long.column("G_lambda")[row]) && row < long.rows.count - 1)
    #expect(result.tableHeader[2].hasSuffix("s (equal wall time)"))
  }

  /// The image files index.html shows, in order, with their captions.
  func images(_ out: URL) throws -> [(file: String, caption: String)] {
    let html = try String(contentsOf: out.appendingPathComponent("index.html"), encoding: .utf8)
    return html.components(separatedBy: "src=\"").dropFirst().map { chunk in
      let file = String(chunk.prefix { $0 != "\"" })
      let caption = chunk.components(separatedBy: "<figcaption>").dropFirst().first.map { String($0.prefix { $0 != "<" }) } ?? ""
      return (file.removingPercentEncoding ?? file, caption)
    }
  }

  @Test("a numeric sweep's page leads with the figure against the swept value (log-log, fitted slope), then the primary figure")
  func sweepFigureFirst() throws {
    let dir = try directory(), file = try config(in: dir)
    let out = dir.appendingPathComponent("cmp")
    _ = try Comparison(variants: try Comparison.variants(files: [file], vary: ["particles.count=6,12,24"]), repeats: 1,
                       outputDirectory: out.path).run()
    let shown = try images(out).map(\.file)
    #expect(Array(shown.prefix(3)) == ["G_lambda-vs-particles_count.svg", "G_lambda-vs-step.svg", "G_lambda-vs-time.svg"], "\(shown)")
    let svg = try String(contentsOf: out.appendingPathComponent(shown[0]), encoding: .utf8)
    #expect(svg.contains("final G_lambda against particles.count (slope "), "the title carries the fitted slope")
  }

  @Test("variants under different reductions: the objective's caption says it is not comparable and points to G_lambda")
  func objectiveMeaningDiffers() throws {
    let dir = try directory(), file = try config(in: dir)
    let out = dir.appendingPathComponent("cmp")
    _ = try Comparison(variants: try Comparison.variants(files: [file], vary: ["reduction=bilevel,lift"]), repeats: 1,
                       outputDirectory: out.path).run()
    let shown = try images(out)
    #expect(shown.first?.file == "G_lambda-vs-step.svg")
    let objective = try #require(shown.first { $0.file == "objective-vs-step.svg" })
    #expect(objective.caption.contains("Not comparable across variants") && objective.caption.contains("reduction"), "\(objective.caption)")
    #expect(!(shown.first { $0.file == "G_lambda-vs-step.svg" }!.caption.contains("Not comparable")))
  }
}
