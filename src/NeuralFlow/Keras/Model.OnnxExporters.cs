using NeuralFlow.IO;

namespace NeuralFlow.Keras;

public partial class Model
{
    // The one definition of which layers have an ONNX form: the exporter registered per layer
    // type. Export dispatches through these tables and the error messages list them, so an
    // exporter added here is both used and named, and no hand-written list can go stale.
    /// <summary>The built-in layers a Sequential model exports to ONNX, by type name (those with a registered exporter).</summary>
    internal static IReadOnlyList<string> OnnxExportableLayers => OnnxGraph.ExportableLayerNames;

    /// <summary>The built-in merge layers a functional model exports to ONNX, by type name.</summary>
    internal static IReadOnlyList<string> OnnxExportableMergeLayers => OnnxGraph.ExportableMergeLayerNames;

    private sealed partial class OnnxGraph
    {
        private delegate string LayerExporter(OnnxGraph graph, Layer layer, string x, List<long> shape);
        private delegate (string Name, List<long> Shape) MergeExporter(OnnxGraph graph, Layers.Merge layer, (string Name, List<long> Shape)[] inputs);

        // A base type (Convolution2D, Pooling2D, ...) covers its subclasses; the first entry
        // that matches, walking from the layer's own type up its base types, exports it.
        private static readonly (Type Layer, LayerExporter Export)[] LayerExporters =
        [
            (typeof(Layers.Dense), (g, l, x, s) => g.Dense((Layers.Dense)l, x, s)),
            (typeof(Layers.Convolution2D), (g, l, x, s) => g.Spatial(l, x, s)),
            (typeof(Layers.SeparableConv2D), (g, l, x, s) => g.Spatial(l, x, s)),
            (typeof(Layers.Pooling2D), (g, l, x, s) => g.Spatial(l, x, s)),
            (typeof(Layers.GlobalPooling2D), (g, l, x, s) => g.Spatial(l, x, s)),
            (typeof(Layers.Reshape), (g, l, x, s) => g.Spatial(l, x, s)),
            (typeof(Layers.Conv1D), (g, l, x, s) => g.Sequence(l, x, s)),
            (typeof(Layers.DepthwiseConv1D), (g, l, x, s) => g.Sequence(l, x, s)),
            (typeof(Layers.SeparableConv1D), (g, l, x, s) => g.Sequence(l, x, s)),
            (typeof(Layers.Conv1DTranspose), (g, l, x, s) => g.Sequence(l, x, s)),
            (typeof(Layers.Pooling1D), (g, l, x, s) => g.Sequence(l, x, s)),
            (typeof(Layers.GlobalPooling1D), (g, l, x, s) => g.Sequence(l, x, s)),
            (typeof(Layers.Convolution3D), (g, l, x, s) => g.Volume(l, x, s)),
            (typeof(Layers.Pooling3D), (g, l, x, s) => g.Volume(l, x, s)),
            (typeof(Layers.GlobalPooling3D), (g, l, x, s) => g.Volume(l, x, s)),
            (typeof(Layers.AdaptivePooling), (g, l, x, s) => g.AdaptivePooling((Layers.AdaptivePooling)l, x, s)),
            (typeof(Layers.Recurrent), (g, l, x, s) => g.Recurrent((Layers.RNN)l, x, s)),
            (typeof(Layers.RNN), (g, l, x, s) => g.Recurrent((Layers.RNN)l, x, s)),
            (typeof(Layers.Bidirectional), (g, l, x, s) => g.Bidirectional((Layers.Bidirectional)l, x, s)),
            (typeof(Layers.TimeDistributed), (g, l, x, s) => g.TimeDistributed((Layers.TimeDistributed)l, x, s)),
            (typeof(Layers.BatchNormalization), (g, l, x, s) => g.Normalization(l, x, s)),
            (typeof(Layers.LayerNormalization), (g, l, x, s) => g.Normalization(l, x, s)),
            (typeof(Layers.SpatialSides), (g, l, x, s) => g.Rearranging(l, x, s)),
            (typeof(Layers.UpSampling1D), (g, l, x, s) => g.Rearranging(l, x, s)),
            (typeof(Layers.UpSampling2D), (g, l, x, s) => g.Rearranging(l, x, s)),
            (typeof(Layers.UpSampling3D), (g, l, x, s) => g.Rearranging(l, x, s)),
            (typeof(Layers.Permute), (g, l, x, s) => g.Rearranging(l, x, s)),
            (typeof(Layers.RepeatVector), (g, l, x, s) => g.Rearranging(l, x, s)),
            (typeof(Layers.Embedding), (g, l, x, s) => g.Rearranging(l, x, s)),
            (typeof(Layers.ProjectedAttention), (g, l, x, s) => g.SelfAttention((Layers.ProjectedAttention)l, x, s)),
            (typeof(Layers.Attention), (g, l, x, s) => g.SelfAttention((Layers.Attention)l, x, s)),
            (typeof(Layers.AdditiveAttention), (g, l, x, s) => g.SelfAttention((Layers.Attention)l, x, s)),
            (typeof(Layers.EinsumDense), (g, l, x, s) => g.EinsumDense((Layers.EinsumDense)l, x, s)),
            (typeof(Layers.RMSNormalization), (g, l, x, s) => g.RMSNormalization((Layers.RMSNormalization)l, x, s)),
            (typeof(Layers.Activation), (g, l, x, _) => g.Activation(((Layers.Activation)l).Function, l, x)),
            (typeof(Layers.Dropout), (g, l, x, _) => g.Node("Identity", l.Name, [x])),
            (typeof(Layers.NoiseLayer), (g, l, x, s) => g.InferenceIdentity(l, x, s)),
            (typeof(Layers.RandomImageLayer), (g, l, x, s) => g.InferenceIdentity(l, x, s)),
            (typeof(Layers.Identity), (g, l, x, s) => g.InferenceIdentity(l, x, s)),
            (typeof(Layers.ActivityRegularization), (g, l, x, s) => g.InferenceIdentity(l, x, s)),
            (typeof(Layers.Resizing), (g, l, x, s) => g.Resampling(l, (IResizingLayer)l, x, s)),
            (typeof(Layers.CenterCrop), (g, l, x, s) => g.Resampling(l, (IResizingLayer)l, x, s)),
            (typeof(Layers.Rescaling), (g, l, x, _) => g.Rescaling((Layers.Rescaling)l, x)),
            (typeof(Layers.AutoContrast), (g, l, x, s) => g.AutoContrast((Layers.AutoContrast)l, x, s)),
            (typeof(Layers.Normalization), (g, l, x, _) => g.Standardization((Layers.Normalization)l, x)),
            (typeof(Layers.Discretization), (g, l, x, s) => g.Discretization((Layers.Discretization)l, x, s)),
            (typeof(Layers.CategoryEncoding), (g, l, x, s) => g.CategoryEncoding((Layers.CategoryEncoding)l, x, s)),
            (typeof(Layers.IntegerLookup), (g, l, x, s) => g.IntegerLookup((Layers.IntegerLookup)l, x, s)),
            // At inference a spectrally normalized layer is its layer, with the kernel as last normalized in training.
            (typeof(Layers.SpectralNormalization), (g, l, x, s) => g.Add(((Layers.SpectralNormalization)l).Layer, x, s)),
            // A Pipeline of preprocessing layers is its layers in turn (the random ones the identity at inference).
            (typeof(Layers.Pipeline), (g, l, x, s) => ((Layers.Pipeline)l).Layers.Aggregate(x, (y, inner) => g.Add(inner, y, s))),
            // A Sequential inside a model (the image tutorial's data_augmentation) is its layers in turn, as a
            // Pipeline; a subclass of Sequential may have changed its Call, so only Sequential itself is read so.
            (typeof(Sequential), (g, l, x, s) => NestedSequential(l).Layers.Aggregate(x, (y, inner) => g.Add(inner, y, s))),
            (typeof(Layers.GroupNormalization), (g, l, x, s) => g.GroupNormalization((Layers.GroupNormalization)l, x, s)),
            (typeof(Layers.UnitNormalization), (g, l, x, s) => g.UnitNormalization((Layers.UnitNormalization)l, x, s)),
            (typeof(Layers.Flatten), (g, l, x, s) => g.Flatten(l, x, s)),
            (typeof(Layers.ReLU), (g, l, x, _) => g.ReLU((Layers.ReLU)l, x)),
            (typeof(Layers.LeakyReLU), (g, l, x, _) => g.Node("LeakyRelu", l.Name, [x], OnnxWriter.FloatAttribute("alpha", ((Layers.LeakyReLU)l).NegativeSlope))),
            (typeof(Layers.PReLU), (g, l, x, _) => g.PRelu((Layers.PReLU)l, x)),
            (typeof(Layers.ELU), (g, l, x, _) => g.Node("Elu", l.Name, [x], OnnxWriter.FloatAttribute("alpha", ((Layers.ELU)l).Alpha))),
            (typeof(Layers.Softmax), (g, l, x, _) => g.Node("Softmax", l.Name, [x], OnnxWriter.IntAttribute("axis", ((Layers.Softmax)l).Axis))),
        ];

        // The layers a registered base type would cover whose computation that exporter does not
        // hold: refused by name, and not listed as exportable (ConvLSTM is an RNN of convolutions).
        private static readonly Type[] WithoutOnnxForm = [typeof(Layers.ConvLSTM)];

        // The merge layers of a functional model (several inputs): ONNX's variadic Sum, Mean,
        // Max, Min, Concat; Sub; a chain of Mul; Dot (Model.Onnx.Dot.cs).
        private static readonly (Type Layer, MergeExporter Export)[] MergeExporters =
        [
            (typeof(Layers.Add), (g, l, inputs) => g.Elementwise("Sum", l, inputs)),
            (typeof(Layers.Average), (g, l, inputs) => g.Elementwise("Mean", l, inputs)),
            (typeof(Layers.Maximum), (g, l, inputs) => g.Elementwise("Max", l, inputs)),
            (typeof(Layers.Minimum), (g, l, inputs) => g.Elementwise("Min", l, inputs)),
            (typeof(Layers.Subtract), (g, l, inputs) => g.Elementwise("Sub", l, inputs)),
            (typeof(Layers.Concatenate), (g, l, inputs) => g.Concat((Layers.Concatenate)l, inputs)),
            (typeof(Layers.Multiply), (g, l, inputs) => g.MulChain(l, inputs)),
            (typeof(Layers.Dot), (g, l, inputs) => g.Dot((Layers.Dot)l, inputs)),
        ];

        private static Sequential NestedSequential(Layer layer) => layer.GetType() == typeof(Sequential) ? (Sequential)layer : throw new NotSupportedException(
            $"ExportOnnx: layer {layer.Name} is a {layer.GetType().Name}, a subclass of Sequential whose Call may differ from its layers in turn; only a plain Sequential exports inside a model.");

        private static LayerExporter ExporterOf(Layer layer) =>
            (WithoutOnnxForm.Any(t => t.IsInstanceOfType(layer)) ? null : Find(LayerExporters, layer.GetType())) ?? throw new NotSupportedException(
                $"ExportOnnx: layer {layer.Name} is a {layer.GetType().Name}, which has no ONNX form here; the layers that export are {SupportedLayers}.");

        public (string Name, List<long> Shape) Merge(Layers.Merge layer, (string Name, List<long> Shape)[] inputs)
        {
            var export = Find(MergeExporters, layer.GetType()) ?? throw new NotSupportedException(
                $"ExportOnnx: merge layer {layer.Name} is a {layer.GetType().Name}, which has no ONNX form here; the merge layers that export are {SupportedMergeLayers}.");
            if (layer is Layers.Dot && inputs.Any(i => i.Shape.Contains(UnknownLength)))
                throw new NotSupportedException($"ExportOnnx: merge layer {layer.Name} (Dot) needs known lengths; give Layers.Input the length the exported model should take.");
            return export(this, layer, inputs);
        }

        // The layers whose exporters read no length from the trailing dims but the feature axis
        // they were built for, so a length Layers.Input left unknown (None) flows through them; the
        // others write lengths into the graph (Reshape, Slice, pads) and refuse it by name.
        private static readonly Type[] LengthAgnostic =
        [
            typeof(Layers.Dense), typeof(Layers.Embedding), typeof(Layers.Recurrent), typeof(Layers.Bidirectional),
            typeof(Layers.GlobalPooling1D), typeof(Layers.BatchNormalization), typeof(Layers.LayerNormalization),
            typeof(Layers.UnitNormalization), typeof(Layers.Normalization), typeof(Layers.Rescaling), typeof(Layers.Activation),
            typeof(Layers.ReLU), typeof(Layers.LeakyReLU), typeof(Layers.ELU), typeof(Layers.Softmax), typeof(Layers.Dropout),
            typeof(Layers.NoiseLayer), typeof(Layers.Identity), typeof(Layers.ActivityRegularization), typeof(Layers.Permute),
            typeof(Layers.Attention), typeof(Layers.AdditiveAttention), typeof(Layers.Discretization), typeof(Layers.CategoryEncoding), typeof(Layers.IntegerLookup),
        ];

        // The layers whose exporters read an int or bool input as it is (Embedding's Gather casts
        // its indices to int64 itself); the graph casts the input of every other layer to its float type.
        private static bool ReadsIntegers(Layer layer) => layer switch
        {
            Layers.Embedding or Layers.CategoryEncoding or Layers.IntegerLookup => true,
            Layers.SpectralNormalization wrapper => ReadsIntegers(wrapper.Layer),
            Layers.Pipeline { Layers: [var first, ..] } => ReadsIntegers(first),
            Sequential { Layers: [var first, ..] } => ReadsIntegers(first),
            _ => false,
        };

        // What the refusal lists, from the same table and rules as TakesUnknownLengths.
        private static string LengthAgnosticLayers =>
            $"{Join(Covered(LengthAgnostic))}, the random image layers but RandomCrop, MultiHeadAttention and GroupedQueryAttention without a sliding window, Conv1D and 1-D pooling with stride 1 or \"valid\" padding, and SpectralNormalization and Pipeline of such layers";

        private static bool TakesUnknownLengths(Layer layer) => layer switch
        {
            // A window's pads are fixed when nothing depends on where the last stride lands.
            Layers.Conv1D conv => conv.Padding is "valid" or "causal" || conv.Strides[0] == 1,
            Layers.Pooling1D pool => pool.Padding == "valid" || pool.Strides[0] == 1,
            Layers.RandomCrop => false,
            // The sliding window is a constant [Tq, Tv] of the graph; without it Reshape's 0 copies the lengths.
            Layers.ProjectedAttention attention => attention.OwnMask(1, 1) is null,
            Layers.RandomImageLayer => true,
            Layers.SpectralNormalization wrapper => TakesUnknownLengths(wrapper.Layer),
            Layers.Pipeline pipeline => pipeline.Layers.All(TakesUnknownLengths),
            Sequential sequential => sequential.Layers.All(TakesUnknownLengths),
            _ => LengthAgnostic.Any(t => t.IsInstanceOfType(layer)),
        };

        private static T? Find<T>((Type Layer, T Export)[] exporters, Type? type) where T : class
        {
            for (; type is not null; type = type.BaseType)
                foreach (var (layer, export) in exporters)
                    if (layer == type) return export;
            return null;
        }

        /// <summary>The built-in layer types a Sequential model exports, by name: those the registered exporters cover.</summary>
        internal static IReadOnlyList<string> ExportableLayerNames { get; } = Covered(LayerExporters.Select(e => e.Layer));

        /// <summary>The built-in merge layers a functional model exports, by name.</summary>
        internal static IReadOnlyList<string> ExportableMergeLayerNames { get; } = Covered(MergeExporters.Select(e => e.Layer));

        internal static string SupportedLayers =>
            $"{Join(ExportableLayerNames)} (and in functional models the merge layers {Join(ExportableMergeLayerNames)})";

        private static string SupportedMergeLayers => Join(ExportableMergeLayerNames);

        // Each registered type in registration order, then the concrete NeuralFlow layers derived from
        // it that no nearer registered type covers (AlphaDropout, exported as its Dropout), by name.
        private static string[] Covered(IEnumerable<Type> registered)
        {
            var types = registered.ToList();
            var layers = typeof(Layer).Assembly.GetTypes().Where(t => t.IsPublic || t.IsNestedPublic)
                .Where(t => !t.IsAbstract && typeof(Layer).IsAssignableFrom(t) && !WithoutOnnxForm.Any(w => w.IsAssignableFrom(t))).ToList();
            Type? Owner(Type t)
            {
                for (Type? at = t; at is not null; at = at.BaseType)
                    if (types.Contains(at)) return at;
                return null;
            }
            return types
                .SelectMany(r => layers.Where(t => t != r && Owner(t) == r).Select(t => t.Name).Order(StringComparer.Ordinal).Prepend(r.IsAbstract ? null : r.Name).OfType<string>())
                .ToArray();
        }

        private static string Join(IReadOnlyList<string> names) =>
            names.Count <= 1 ? string.Join("", names) : $"{string.Join(", ", names.Take(names.Count - 1))} and {names[^1]}";
    }
}
