using NeuralFlow.Data;
using NeuralFlow.Train;

namespace NeuralFlow;

public static partial class NF
{
    public static partial class IO
    {
        /// <summary>How <see cref="ParseSingleExample(StringTensor, IReadOnlyDictionary{string, FeatureSpec})"/> reads one feature: its dtype (String, Float32 or Int64, the three lists an Example holds).</summary>
        public abstract record FeatureSpec
        {
            private protected FeatureSpec(DType dtype)
            {
                if (dtype is not (DType.String or DType.Float32 or DType.Int64))
                    throw new ArgumentException($"{GetType().Name}: dtype must be DType.String, DType.Float32 or DType.Int64 (the lists a tf.train.Example holds), not {dtype}.", nameof(dtype));
                DType = dtype;
            }

            /// <summary>The dtype of the parsed values.</summary>
            public DType DType { get; }
        }

        /// <summary>
        /// A feature of a fixed number of values (<c>tf.io.FixedLenFeature(shape, dtype, default_value)</c>), parsed to
        /// <paramref name="shape"/>; a missing feature takes <paramref name="defaultValue"/> (a number or string for
        /// every element, or an array of them), or is an error without one.
        /// </summary>
        public sealed record FixedLenFeature(Shape shape, DType dtype, object? defaultValue = null) : FeatureSpec(dtype)
        {
            /// <summary>The parsed value's shape.</summary>
            public Shape Shape { get; } = shape ?? throw new ArgumentNullException(nameof(shape));

            /// <summary>The value of a missing feature, or null (required).</summary>
            public object? DefaultValue { get; } = defaultValue;
        }

        /// <summary>
        /// A feature of any number of values (<c>tf.io.VarLenFeature(dtype)</c>): parsed to a 1-D tensor of them (TF gives a
        /// SparseTensor, whose values these are; a batch pads rows with 0 or "" as <c>tf.sparse.to_dense</c> would); missing is empty.
        /// </summary>
        public sealed record VarLenFeature(DType dtype) : FeatureSpec(dtype);

        /// <summary>
        /// A feature of any number of elements of <paramref name="shape"/> (<c>tf.io.FixedLenSequenceFeature(shape, dtype,
        /// allow_missing)</c>): parsed to [n, ...shape]; missing gives n = 0 when <paramref name="allowMissing"/>, else an error.
        /// </summary>
        public sealed record FixedLenSequenceFeature(Shape shape, DType dtype, bool allowMissing = false) : FeatureSpec(dtype)
        {
            /// <summary>The shape of each element.</summary>
            public Shape Shape { get; } = shape ?? throw new ArgumentNullException(nameof(shape));

            /// <summary>Whether a missing feature parses to no elements.</summary>
            public bool AllowMissing { get; } = allowMissing;
        }

        /// <summary>
        /// The features of one serialized <see cref="Example"/> (<c>tf.io.parse_single_example(serialized, features)</c>) as
        /// tensors: a <see cref="Tensor"/> for Float32 and Int64 features, a <see cref="StringTensor"/> for String ones, under
        /// the names of <paramref name="features"/> in their order. Features the Example has and the spec does not name are
        /// ignored. Errors as TensorFlow's: a required feature missing, a list of another type, a count that does not fit the shape.
        /// </summary>
        /// <exception cref="ArgumentException">The record is not an Example, or does not fit the spec (the message names the feature).</exception>
        public static Dictionary<string, object> ParseSingleExample(StringTensor serialized, IReadOnlyDictionary<string, FeatureSpec> features)
        {
            ArgumentNullException.ThrowIfNull(serialized);
            if (serialized.Count != 1)
                throw new ArgumentException($"ParseSingleExample: serialized must be one string (a scalar); it has shape {serialized.Shape}; use ParseExample for a batch.", nameof(serialized));
            return ParseSingleExample(serialized.ToBytes(), features);
        }

        /// <summary><see cref="ParseSingleExample(StringTensor, IReadOnlyDictionary{string, FeatureSpec})"/> of the bytes of a serialized Example.</summary>
        public static Dictionary<string, object> ParseSingleExample(byte[] serialized, IReadOnlyDictionary<string, FeatureSpec> features)
        {
            ArgumentNullException.ThrowIfNull(features);
            var example = Example.Parse(serialized);
            var result = new Dictionary<string, object>();
            foreach (var (name, spec) in features)
                result[name] = ParseFeature(example, name, spec ?? throw new ArgumentException($"ParseSingleExample: the spec of '{name}' is null.", nameof(features)));
            return result;
        }

        /// <summary>
        /// The features of a batch of serialized Examples (<c>tf.io.parse_example(serialized, features)</c>, what TF recommends
        /// after <c>Batch</c>): each feature's values stacked along a new first axis; VarLenFeature rows padded to the longest.
        /// </summary>
        public static Dictionary<string, object> ParseExample(StringTensor serialized, IReadOnlyDictionary<string, FeatureSpec> features)
        {
            ArgumentNullException.ThrowIfNull(serialized);
            ArgumentNullException.ThrowIfNull(features);
            if (serialized.Rank != 1)
                throw new ArgumentException($"ParseExample: serialized must be a vector of strings (a batch); it has shape {serialized.Shape}.", nameof(serialized));
            var rows = Enumerable.Range(0, serialized.Count).Select(i => ParseSingleExample(serialized.ToBytes(i), features)).ToArray();
            var result = new Dictionary<string, object>();
            foreach (var (name, spec) in features)
            {
                var column = rows.Select(r => r[name]).ToArray();
                result[name] = spec is VarLenFeature ? PaddedRows(column, spec.DType, name) : StackedRows(column, spec, name);
            }
            return result;
        }

        private static object ParseFeature(Example example, string name, FeatureSpec spec, string op = nameof(ParseSingleExample))
        {
            if (!example.TryGet(name, out var feature) || feature.Count == 0 && spec is not VarLenFeature)
                return spec switch
                {
                    VarLenFeature => Values(name, Array.Empty<object>(), spec.DType, [0], op),
                    FixedLenFeature { DefaultValue: { } d } f => Default(name, d, f, op),
                    FixedLenSequenceFeature { AllowMissing: true } s => Values(name, [], spec.DType, [0, .. s.Shape.Dims], op),
                    _ => throw new ArgumentException($"{op}: Feature: {name} (data type: {FeatureTypeName(spec.DType)}) is required but could not be found."),
                };
            if (feature.Count > 0 && feature.DType != spec.DType)
                throw new ArgumentException($"{op}: Key: {name}. Data types don't match. Data type: {FeatureTypeName(feature.DType)} but expected type: {FeatureTypeName(spec.DType)}.");
            object[] values = ValuesOf(feature);
            switch (spec)
            {
                case FixedLenFeature fixedLen:
                    if (values.Length != fixedLen.Shape.Count)
                        throw new ArgumentException($"{op}: Key: {name}. Number of {FeatureTypeName(spec.DType)} values != expected. Values size: {values.Length} but output shape: {fixedLen.Shape}.");
                    return Values(name, values, spec.DType, fixedLen.Shape.Dims.ToArray(), op);
                case FixedLenSequenceFeature sequence:
                    long per = sequence.Shape.Count;
                    if (per == 0 || values.Length % per != 0)
                        throw new ArgumentException($"{op}: Key: {name}. Number of {FeatureTypeName(spec.DType)} values is not a multiple of the element shape {sequence.Shape}'s {per}: {values.Length}.");
                    return Values(name, values, spec.DType, [(int)(values.Length / per), .. sequence.Shape.Dims], op);
                default:
                    return Values(name, values, spec.DType, [values.Length], op);
            }
        }

        // A feature's list as boxed values: strings (its bytes as text), floats or int64s.
        private static object[] ValuesOf(Feature feature) =>
            feature.BytesList is { } b ? b.Select(v => (object)ByteStrings.Decode(v)).ToArray()
            : feature.FloatList is { } f32 ? f32.Select(v => (object)v).ToArray()
            : feature.Int64List!.Select(v => (object)v).ToArray();

        private static object Default(string name, object value, FixedLenFeature spec, string op)
        {
            object[] values = value switch
            {
                string s => [s],
                Array a => a.Cast<object>().ToArray(),
                _ => [value],
            };
            if (values.Length == 1 && spec.Shape.Count != 1) values = Enumerable.Repeat(values[0], (int)spec.Shape.Count).ToArray();
            if (values.Length != spec.Shape.Count)
                throw new ArgumentException($"{op}: the default value of '{name}' has {values.Length} values; its shape {spec.Shape} needs {spec.Shape.Count} (or one for all).");
            return Values(name, values, spec.DType, spec.Shape.Dims.ToArray(), op);
        }

        private static object Values(string name, object[] values, DType dtype, int[] shape, string op = nameof(ParseSingleExample))
        {
            try
            {
                return dtype switch
                {
                    DType.String => new StringTensor(values.Select(v => (string)v).ToArray(), new Shape(shape)),
                    DType.Float32 => NF.Constant(values.Select(Convert.ToSingle).ToArray(), new Shape(shape)),
                    _ => NF.Constant(values.Select(Convert.ToInt64).ToArray(), new Shape(shape)),
                };
            }
            catch (Exception e) when (e is InvalidCastException or FormatException or OverflowException)
            {
                throw new ArgumentException($"{op}: the values of '{name}' are not {FeatureTypeName(dtype)} ({e.Message}).", e);
            }
        }

        private static object StackedRows(object[] column, FeatureSpec spec, string name)
        {
            if (spec is FixedLenSequenceFeature)
                return PaddedRows(column, spec.DType, name);
            return spec.DType == DType.String
                ? new StringTensor(column.SelectMany(c => ((StringTensor)c).ToArray()).ToArray(), new Shape([column.Length, .. ((FixedLenFeature)spec).Shape.Dims]))
                : NF.Stack(column.Cast<Tensor>().ToArray());
        }

        // Rows of different first lengths padded to the longest with 0 or "" (tf.sparse.to_dense of VarLen's SparseTensor).
        private static object PaddedRows(object[] column, DType dtype, string name)
        {
            if (column.Length == 0) return dtype == DType.String ? new StringTensor([], new Shape(0, 0)) : NF.Zeros([0, 0], dtype);
            if (dtype == DType.String)
            {
                var rows = column.Cast<StringTensor>().ToArray();
                int width = rows.Max(r => r.Count);
                var flat = rows.SelectMany(r => r.ToArray().Concat(Enumerable.Repeat("", width - r.Count))).ToArray();
                return new StringTensor(flat, new Shape(rows.Length, width));
            }
            var tensors = column.Cast<Tensor>().ToArray();
            int longest = tensors.Max(t => t.Shape[0]);
            return NF.Stack(tensors.Select(t =>
            {
                if (t.Shape[0] == longest) return t;
                var paddings = new int[t.Rank, 2];
                paddings[0, 1] = longest - t.Shape[0];
                return NF.Pad(t, paddings);
            }).ToArray());
        }

        private static string FeatureTypeName(DType dtype) => dtype switch { DType.String => "string", DType.Float32 => "float", _ => "int64" };
    }
}
