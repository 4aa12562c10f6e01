/// Where a run is: the cloud, the next step to take (from 0), and the elapsed time Σ η.
public struct SolverState: Sendable {
  public var cloud: ParticleCloud
  public var step: Int
  public var time: Double
  public init(cloud: ParticleCloud, step: Int = 0, time: Double = 0) {
    self.cloud = cloud
    self.step = step
    self.time = time
  }
}
