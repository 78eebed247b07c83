namespace NeuralFlow;

public static partial class NF
{
    public static partial class Random
    {
        /// <summary>
        /// <paramref name="numSampled"/> class ids in [0, <paramref name="rangeMax"/>) drawn from the log-uniform (Zipfian)
        /// distribution P(c) = ln((c + 2) / (c + 1)) / ln(rangeMax + 1) (<c>tf.random.log_uniform_candidate_sampler</c>,
        /// word2vec's negative sampling), as TensorFlow draws them: c = floor(exp(u ln(rangeMax + 1))) - 1 for uniform u,
        /// with <paramref name="unique"/> drawing again until the ids differ. Returns the ids (int64 [numSampled]) and the
        /// expected count of each true class (float32, <paramref name="trueClasses"/>' shape) and each sampled id (float32
        /// [numSampled]): p * numSampled, or 1 - (1 - p)^tries when unique drawing needed more tries than ids.
        /// Draws come from this generator, or from one of <paramref name="seed"/>.
        /// </summary>
        /// <exception cref="ArgumentException">True classes that are not an integer [batch, numTrue] matrix, or ids outside the range;
        /// numSampled below 1, or above rangeMax when unique.</exception>
        public static (Tensor SampledCandidates, Tensor TrueExpectedCount, Tensor SampledExpectedCount) LogUniformCandidateSampler(
            Tensor trueClasses, int numTrue, int numSampled, bool unique, long rangeMax, int? seed = null)
        {
            const string op = "Random.LogUniformCandidateSampler";
            ArgumentNullException.ThrowIfNull(trueClasses);
            if (trueClasses.Rank != 2 || trueClasses.DType is not (DType.Int32 or DType.Int64) || trueClasses.Shape[1] != numTrue)
                throw new ArgumentException($"{op}: trueClasses must be an int64 (or int32) [batch, numTrue = {numTrue}] matrix, got {trueClasses.DType.Name()} {trueClasses.Shape}.", nameof(trueClasses));
            if (rangeMax < 1) throw new ArgumentOutOfRangeException(nameof(rangeMax), rangeMax, $"{op}: rangeMax must be at least 1.");
            if (numSampled < 1) throw new ArgumentOutOfRangeException(nameof(numSampled), numSampled, $"{op}: numSampled must be at least 1.");
            if (unique && numSampled > rangeMax)
                throw new ArgumentOutOfRangeException(nameof(numSampled), numSampled, $"{op}: {numSampled} unique ids cannot be drawn from a range of {rangeMax}.");
            long[] truth;
            using (var classes = Cast(trueClasses, DType.Int64)) truth = classes.ToArray<long>();
            foreach (long c in truth)
                if (c < 0 || c >= rangeMax) throw new ArgumentException($"{op}: true class {c} is outside [0, {rangeMax}).", nameof(trueClasses));

            double logRange = Math.Log(rangeMax + 1.0);
            var stream = seed is { } s ? new RandomStream(s) : null;
            var sampled = new long[numSampled];
            var used = new HashSet<long>();
            int picked = 0, tries = 0;
            while (picked < numSampled)
            {
                // Uniforms in blocks, read on the host: the sampler is a host loop, as TF's CPU kernel.
                using var block = Uniform([Math.Max(2 * (numSampled - picked), 8)], 0, 1, DType.Float64, stream);
                foreach (double u in block.ToArray<double>())
                {
                    if (picked == numSampled) break;
                    tries++;
                    long value = ((long)Math.Exp(u * logRange) - 1) % rangeMax;
                    if (!unique || used.Add(value)) sampled[picked++] = value;
                }
            }
            double Probability(long c) => Math.Log((c + 2.0) / (c + 1.0)) / logRange;
            // TF's ExpectedCountHelper: p * n when every try was kept, else the chance of at least one draw in the tries.
            float Expected(long c) => (float)(tries == numSampled ? Probability(c) * numSampled : -double.ExpM1(tries * double.LogP1(-Probability(c))));
            return (Constant(sampled),
                    Constant(truth.Select(Expected).ToArray(), trueClasses.Shape),
                    Constant(sampled.Select(Expected).ToArray()));
        }
    }
}
