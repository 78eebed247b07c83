namespace NeuralFlow.Keras;

/// <summary>
/// The one rule for a dropout rate, shared by <see cref="Layers.Dropout"/> (and so SpatialDropout1D/2D/3D
/// and AlphaDropout), <see cref="Layers.GaussianDropout"/> and <see cref="NF.Random.Dropout(Tensor, double, Shape?)"/>:
/// Keras 3 takes any rate in [0, 1] (<c>if not 0 &lt;= rate &lt;= 1: raise ValueError</c>). A rate of 1
/// drops everything: Keras' backends return zeros for it rather than dividing by 1 - rate = 0.
/// </summary>
internal static class DropoutRate
{
    /// <summary><paramref name="rate"/> when in [0, 1]; else an error naming <paramref name="who"/> and the rate, in Keras' words.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A rate below 0, above 1 or NaN.</exception>
    internal static double Checked(string who, double rate) =>
        rate is >= 0 and <= 1 ? rate
            : throw new ArgumentOutOfRangeException(nameof(rate), rate,
                $"{who}: invalid value received for argument `rate`. Expected a float value between 0 and 1. Received: rate={rate}.");

    /// <summary>
    /// The error of a layer whose training noise a rate of 1 makes infinite (GaussianDropout's standard
    /// deviation sqrt(rate / (1 - rate)), AlphaDropout's scale ((1 - rate)(1 + rate alpha'^2))^-1/2):
    /// Keras accepts the rate, then fails dividing by zero in the training call; the identity at inference.
    /// </summary>
    internal static InvalidOperationException InfiniteNoise(string layer, string kind, string formula) => new(
        $"{layer}: {kind} with rate=1 cannot run in training: {formula} is infinite at rate 1 (Keras raises ZeroDivisionError here). " +
        "Use a rate below 1, or Dropout(1.0) to drop everything.");
}
