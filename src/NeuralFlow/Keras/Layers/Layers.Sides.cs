using System.Text.Json.Nodes;

namespace NeuralFlow.Keras;

public partial class Layers
{
    /// <summary>
    /// What the ZeroPadding and Cropping layers of 1, 2 and 3 spatial axes share: a (before, after)
    /// amount for each spatial axis of channels-last (or, where Keras allows it, channels-first) inputs,
    /// checked and written to a config as Keras does, and the padding or cropping itself.
    /// </summary>
    public abstract class SpatialSides : Layer
    {
        private readonly string _configKey;
        private readonly bool _pads;
        private readonly (int Before, int After)[] _amounts;

        private protected SpatialSides(string layer, string argument, (int, int)[] amounts, bool pads, string dataFormat, string? name) : base(name)
        {
            foreach (var (before, after) in amounts)
                if (before < 0 || after < 0)
                    throw new ArgumentException($"{layer}: {argument} must not be negative, got {Format(amounts)}.", argument);
            _configKey = argument;
            _pads = pads;
            _amounts = ((int, int)[])amounts.Clone();
            DataFormat = PoolingArgs.DataFormat(layer, dataFormat);
        }

        /// <summary>"channels_last" (Keras' default) or "channels_first".</summary>
        public string DataFormat { get; }

        /// <summary>The (before, after) amount of each spatial axis, in axis order.</summary>
        public IReadOnlyList<(int Before, int After)> Amounts => _amounts;

        /// <summary>True for the padding layers, false for the cropping ones.</summary>
        internal bool Pads => _pads;

        private int SpatialRank => _amounts.Length;

        private int FirstSpatialAxis => DataFormat == "channels_first" ? 2 : 1;

        /// <inheritdoc/>
        public override JsonObject GetConfig()
        {
            var c = base.GetConfig();
            // Keras writes the 1-D amounts as one pair, the others as a pair per axis.
            c[_configKey] = SpatialRank == 1
                ? new JsonArray(_amounts[0].Before, _amounts[0].After)
                : new JsonArray(_amounts.Select(a => (JsonNode)new JsonArray(a.Before, a.After)).ToArray());
            if (SpatialRank > 1) c["data_format"] = DataFormat;
            return c;
        }

        /// <inheritdoc/>
        protected override void Build(Shape inputShape) => CheckInput(inputShape);

        /// <inheritdoc/>
        [MethodImpl(Hot)]
        protected override Tensor Forward(Tensor x)
        {
            CheckInput(x.Shape);
            int first = FirstSpatialAxis;
            if (_pads)
            {
                var paddings = new int[x.Rank, 2];
                for (int i = 0; i < SpatialRank; i++) (paddings[first + i, 0], paddings[first + i, 1]) = _amounts[i];
                return NF.Pad(x, paddings);
            }
            // A view of the input (no copy), as Cropping2D's always was.
            var ranges = new TensorIndex[x.Rank];
            for (int a = 0; a < x.Rank; a++) ranges[a] = ..;
            for (int i = 0; i < SpatialRank; i++) ranges[first + i] = _amounts[i].Before..(x.Shape[first + i] - _amounts[i].After);
            return x[ranges];
        }

        // Keras' compute_output_shape: each spatial length grown by its pads or shrunk by its crops (an unknown one
        // stays unknown); a crop that leaves nothing is left to the run on zeros, which refuses it.
        private protected override int?[]? ShapeRule(int?[] inputShape)
        {
            if (inputShape.Length != SpatialRank + 2) return null;
            var output = (int?[])inputShape.Clone();
            for (int i = 0; i < SpatialRank; i++)
            {
                if (inputShape[FirstSpatialAxis + i] is not int length) continue;
                int sides = _amounts[i].Before + _amounts[i].After;
                if (!_pads && sides >= length) return null;
                output[FirstSpatialAxis + i] = _pads ? length + sides : length - sides;
            }
            return output;
        }

        /// <summary>Throws unless the layer applies to inputs of <paramref name="shape"/>.</summary>
        private protected void CheckInput(Shape shape)
        {
            string layout = PoolingArgs.Layout(SpatialRank, DataFormat == "channels_first");
            if (shape.Rank != SpatialRank + 2)
                throw new ArgumentException($"{Name}: {GetType().Name} needs {layout} inputs (rank {SpatialRank + 2}), got shape {shape}.");
            if (_pads) return;
            // Keras refuses a crop that leaves nothing rather than returning an empty tensor.
            for (int i = 0; i < SpatialRank; i++)
                if (_amounts[i].Before + _amounts[i].After >= shape[FirstSpatialAxis + i])
                    throw new ArgumentException(
                        $"{Name}: cropping {Format(_amounts)} leaves nothing of inputs of shape {shape}; the crops of each axis must add up to less than its size.");
        }

        private static string Format((int, int)[] amounts) => amounts.Length == 1
            ? $"({amounts[0].Item1}, {amounts[0].Item2})"
            : "(" + string.Join(", ", amounts.Select(a => $"({a.Item1}, {a.Item2})")) + ")";

        /// <summary>Reads a config entry of <paramref name="rank"/> spatial axes: one int, a pair (1-D), an int per axis, or a pair per axis.</summary>
        internal static (int, int)[] FromJson(JsonNode? node, string key, int rank)
        {
            int Int(JsonNode? n) => n?.GetValue<int>() ?? throw new FormatException($"'{key}' holds a null");
            if (node is JsonValue one) return Enumerable.Repeat((Int(one), Int(one)), rank).ToArray();
            if (node is JsonArray list)
            {
                if (rank == 1 && list.Count == 2 && list[0] is JsonValue && list[1] is JsonValue) return [(Int(list[0]), Int(list[1]))];
                if (list.Count == rank && list.All(e => e is JsonValue)) return list.Select(e => (Int(e), Int(e))).ToArray();
                if (list.Count == rank && list.All(e => e is JsonArray { Count: 2 }))
                    return list.Select(e => (Int(e![0]), Int(e[1]))).ToArray();
            }
            throw new FormatException($"'{key}' must be an int, {(rank == 1 ? "[before, after]" : $"{rank} ints or {rank} [before, after] pairs")}, got {node?.ToJsonString() ?? "nothing"}");
        }
    }
}
