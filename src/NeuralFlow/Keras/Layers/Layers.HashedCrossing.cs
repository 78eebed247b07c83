using System.Text;
using System.Text.Json.Nodes;

namespace NeuralFlow.Keras;

public partial class Layers
{
    /// <summary>
    /// Crosses categorical features with the hashing trick (<c>keras.layers.HashedCrossing</c>):
    /// each row's features, taken together, land in one of <see cref="NumBins"/> bins. The bins are
    /// Keras' own (its <c>tf.sparse.cross_hashed</c>): starting from the hash key 0xDECAFCAFFE,
    /// each feature in input order is folded in with TensorFlow's FingerprintCat64 -- a string
    /// feature as FarmHash's Fingerprint64 of its UTF-8 bytes (the Hashing layer's hash), an
    /// integer feature as its own int64 value -- and the result is taken mod the bins. So
    /// crossing ("A", 101) and (101, "A") differ, as in Keras.
    /// <para>
    /// Features are scalars, batches [batch] or [batch, 1], all of one shape, at least two of them.
    /// Integer tensors go through <see cref="Call(IReadOnlyList{Tensor})"/> (Keras'
    /// <c>layer((a, b))</c>); strings, which no NeuralFlow tensor holds, come as host arrays through
    /// <see cref="Call(Array[])"/>, mixed freely with integer arrays -- the input pipeline, where
    /// Keras recommends this layer. The values are read on the host. "int" gives the int64 bins in
    /// the inputs' shape; "one_hot" a float vector of <see cref="NumBins"/> per row.
    /// </para>
    /// </summary>
    public sealed class HashedCrossing : Layer
    {
        /// <summary>False: this layer's inputs are values to look up or count, not activations; under a mixed global policy it keeps <see cref="Config.FloatX"/>'s (Keras sets its dtype itself).</summary>
        private protected override bool TakesMixedPolicy => false;

        // tf.sparse.cross_hashed's default hash_key (sparse_ops._DEFAULT_HASH_KEY), which Keras leaves unset.
        private const ulong HashKey = 0xDECAFCAFFEUL;

        /// <summary>A crossing into <paramref name="numBins"/> bins; Keras' output modes "int" (default) and "one_hot".</summary>
        public HashedCrossing(int numBins, string outputMode = "int", bool sparse = false, string? name = null)
            : base(name)
        {
            if (numBins <= 0)
                throw new ArgumentOutOfRangeException(nameof(numBins), numBins, $"HashedCrossing: num_bins must be positive. Received: num_bins={numBins}.");
            OutputMode = CategoricalEncoding.CheckMode(nameof(HashedCrossing), outputMode, ["int", "one_hot"]);
            if (sparse) throw new ArgumentException("HashedCrossing: sparse=true is not supported: NeuralFlow has no sparse tensors.", nameof(sparse));
            NumBins = numBins;
        }

        /// <summary>The number of hash bins.</summary>
        public int NumBins { get; }

        /// <summary>"int" (the bins) or "one_hot" (a vector per row).</summary>
        public string OutputMode { get; }

        /// <summary>A crossing needs a list of features: this throws, saying so.</summary>
        public override Tensor Call(Tensor x) => throw new ArgumentException(
            $"{Name} (HashedCrossing) crosses a list of at least two features; call it on a list: layer.Call([a, b]).", nameof(x));

        /// <summary>The bins (or their one-hot vectors) of integer feature tensors, crossed row by row.</summary>
        public override Tensor Call(IReadOnlyList<Tensor> inputs)
        {
            ArgumentNullException.ThrowIfNull(inputs);
            return Cross(inputs.Select((t, i) => FromTensor(t, i)).ToArray());
        }

        /// <summary>
        /// The bins (or their one-hot vectors) of integer feature tensors, as <see cref="Call(IReadOnlyList{Tensor})"/>:
        /// declared here so that <c>layer.Call(new[] { a, b })</c> reaches it. C# drops the inherited overload
        /// when one declared here applies, and a Tensor[] is an Array, so the call went to
        /// <see cref="Call(Array[])"/> as one feature of tensors and failed with "feature 0 holds Tensor".
        /// </summary>
        public Tensor Call(Tensor[] inputs) => Call((IReadOnlyList<Tensor>)inputs);

        /// <summary>
        /// The bins (or their one-hot vectors) of host features: each a <c>string[]</c>, an integer
        /// array (<c>long[]</c>, <c>int[]</c>, ...), or a [batch, 1] array of either.
        /// </summary>
        public Tensor Call(params Array[] features)
        {
            ArgumentNullException.ThrowIfNull(features);
            return Cross(features.Select((f, i) => FromArray(f, i)).ToArray());
        }

        // One feature: a fingerprint per element (as the cross reads it) and the feature's shape.
        private readonly record struct Feature(ulong[] Prints, int[] Shape);

        private Feature FromTensor(Tensor? t, int i)
        {
            if (t is null) throw new ArgumentNullException("inputs", $"{Name} (HashedCrossing): input {i} is null.");
            if (!t.DType.IsInteger())
                throw new ArgumentException($"{Name} (HashedCrossing): all inputs should have an integer or string dtype; input {i} is {t.DType}.", "inputs");
            using var ids = NF.Cast(t, DType.Int64);
            return new(ids.ToArray<long>().Select(v => unchecked((ulong)v)).ToArray(), t.Shape.ToArray());
        }

        private Feature FromArray(Array? a, int i)
        {
            if (a is null) throw new ArgumentNullException("features", $"{Name} (HashedCrossing): feature {i} is null.");
            int[] shape = Enumerable.Range(0, a.Rank).Select(a.GetLength).ToArray();
            var prints = new ulong[a.Length];
            int k = 0;
            foreach (var v in a)
            {
                prints[k] = v switch
                {
                    string s => StringHashes.Fingerprint64(Encoding.UTF8.GetBytes(s)),
                    long or int or short or sbyte or byte or ushort or uint => unchecked((ulong)Convert.ToInt64(v)),
                    null => throw new ArgumentException($"{Name} (HashedCrossing): feature {i} holds a null (at {k}).", "features"),
                    _ => throw new ArgumentException(
                        $"{Name} (HashedCrossing): all features should hold integers or strings; feature {i} holds {v.GetType().Name}.", "features"),
                };
                k++;
            }
            return new(prints, shape);
        }

        // Keras' checks (at least two features, each of shape (), [batch] or [batch, 1], all alike), then the cross.
        private Tensor Cross(Feature[] features)
        {
            if (features.Length < 2)
                throw new ArgumentException($"{Name} (HashedCrossing) should be called on at least two inputs; received {features.Length}.", "inputs");
            int[] shape = features[0].Shape;
            if (shape.Length > 2 || (shape.Length == 2 && shape[1] != 1))
                throw new ArgumentException(
                    $"{Name} (HashedCrossing): all inputs should have shape (), (batch_size) or (batch_size, 1); received ({string.Join(", ", shape)}).", "inputs");
            for (int i = 1; i < features.Length; i++)
                if (!features[i].Shape.SequenceEqual(shape))
                    throw new ArgumentException(
                        $"{Name} (HashedCrossing): all inputs should have equal shape; input 0 is ({string.Join(", ", shape)}) and input {i} ({string.Join(", ", features[i].Shape)}).", "inputs");
            EnsureBuilt(new Shape(shape));
            var bins = new long[features[0].Prints.Length];
            for (int row = 0; row < bins.Length; row++)
            {
                ulong hash = HashKey;
                foreach (var f in features) hash = StringHashes.FingerprintCat64(hash, f.Prints[row]);
                bins[row] = (long)(hash % (ulong)NumBins);
            }
            var y = NF.Constant(bins, shape);
            if (OutputMode == "one_hot")
            {
                var hot = CategoricalEncoding.Encode(Name, y, OutputMode, NumBins, VariableDType);
                y = shape.Length == 0 ? NF.Reshape(hot, [NumBins]) : hot; // Keras: a scalar's vector is (num_bins,)
            }
            OutputShape = y.Shape;
            return y;
        }

        /// <summary>The layer <paramref name="config"/> (a <see cref="GetConfig"/>) rebuilds (Keras' <c>from_config</c>).</summary>
        public static HashedCrossing FromConfig(JsonObject config) => KerasSerialization.FromConfig<HashedCrossing>(config);

        /// <inheritdoc/>
        public override JsonObject GetConfig()
        {
            var c = base.GetConfig();
            c["num_bins"] = NumBins;
            c["output_mode"] = OutputMode;
            c["sparse"] = false;
            return c;
        }
    }
}
