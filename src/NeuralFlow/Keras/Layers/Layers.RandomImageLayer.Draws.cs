namespace NeuralFlow.Keras;

public partial class Layers
{
    public abstract partial class RandomImageLayer
    {
        // Marsaglia-Tsang candidates per Gamma draw. Each is accepted with probability above 0.95 (the
        // shape is boosted to >= 1), so all eight fail with probability below 4e-11; the draw is then d,
        // the boosted distribution's mode region, rather than a loop whose length depends on the numbers
        // (which a replayed NF.Function step could not repeat).
        private const int GammaTries = 8;

        /// <summary>
        /// log of Gamma(<paramref name="alpha"/>, 1) draws of <paramref name="shape"/>, float32, from the layer's
        /// generator; <paramref name="alpha"/> (positive) broadcasts against the shape. Logs keep tiny shapes
        /// (alpha 0.01 gives draws below float's range) usable for Beta and Dirichlet ratios.
        /// </summary>
        private protected Tensor LogGamma(Shape shape, Tensor alpha)
        {
            // Gamma(a) = Gamma(a + 1) U^(1/a); Gamma(a + 1) by Marsaglia and Tsang (2000).
            var d = alpha + (1.0 - 1.0 / 3.0);
            var c = 1.0 / NF.Sqrt(d * 9.0);
            var draws = new (Tensor Ok, Tensor Value)[GammaTries];
            for (int t = 0; t < GammaTries; t++)
            {
                var x = Normal(shape);
                var u = Uniform(shape, 1e-12, 1);
                var v = NF.Pow(1.0 + c * x, 3.0);
                var positive = NF.Greater(v, 0.0);
                var logV = NF.Log(NF.Where(positive, v, NF.OnesLike(v)));
                var ok = positive & NF.Less(NF.Log(u), 0.5 * x * x + d - d * v + d * logV);
                draws[t] = (ok, NF.Log(d) + logV);
            }
            // The first accepted candidate: fill from the last try back to the first.
            var accepted = NF.BroadcastTo(NF.Log(d), shape);
            for (int t = GammaTries - 1; t >= 0; t--) accepted = NF.Where(draws[t].Ok, draws[t].Value, accepted);
            return accepted + NF.Log(Uniform(shape, 1e-12, 1)) / alpha;
        }

        /// <summary>Beta(a, b) draws of <paramref name="shape"/> (float32): Ga / (Ga + Gb), computed from the logs.</summary>
        private protected Tensor Beta(Shape shape, Tensor a, Tensor b) => NF.Sigmoid(LogGamma(shape, a) - LogGamma(shape, b));

        /// <summary>Dirichlet(alpha, ..., alpha) draws [N, K] (float32): K Gamma draws per row, normalised.</summary>
        private protected Tensor Dirichlet(int n, int k, double alpha) => NF.Softmax(LogGamma(new Shape(n, k), Scalar(alpha)), -1);

        /// <summary>A uniformly random permutation of 0..n-1 (int32): the order of n uniform draws (Keras' shuffle of a range).</summary>
        private protected Tensor Permutation(int n) => NF.ArgSort(Uniform(new Shape(n), 0, 1));

        /// <summary>Per image, a uniform choice among <paramref name="count"/> options: float32 [N] holding 0..count-1.</summary>
        private protected Tensor Choice(int n, int count) => NF.Minimum(NF.Floor(Uniform(new Shape(n), 0, count)), count - 1.0);

        /// <summary>A float32 scalar on the default backend (a distribution parameter).</summary>
        private protected static Tensor Scalar(double value) => NF.Fill(new Shape(), value);
    }
}
