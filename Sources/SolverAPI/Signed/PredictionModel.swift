import Formats

/// A signed objective whose measure ν is a predictor on new inputs — a trained network
/// f_ν(x) = (1/m) Σ_i r_i φ(w_i; x). A run writes `predictionModel` (what f_ν needs besides ν: the feature
/// map, the input columns and their standardization, the loss) as model.json beside particles.csv (r_i, w_i),
/// so that `mfld predict RUN_DIR DATA.csv` applies ν to another file reading only the run folder.
public protocol PredictionModel {
  var predictionModel: ConfigValue { get }
}
