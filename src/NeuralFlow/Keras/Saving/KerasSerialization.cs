using System.Text.Json.Nodes;

namespace NeuralFlow.Keras;

/// <summary>
/// Layer types by name, for model files (Keras' <c>register_keras_serializable</c>): each
/// registered type has a factory that rebuilds a layer from its <see cref="Layer.GetConfig"/>.
/// The built-in layers are registered; register your own layer types before saving or loading
/// a model that holds them.
/// </summary>
public static partial class KerasSerialization
{
    private static readonly Dictionary<string, Func<JsonObject, Layer>> Factories = new(StringComparer.Ordinal);
    private static readonly Dictionary<Type, string> Names = [];

    // An attention layer's value and key build shapes from its saved config (see Layers.ProjectedAttention.GetConfig).
    private static T WithBuildShapes<T>(this T layer, JsonObject config) where T : Layers.ProjectedAttention
    {
        layer.SetBuildShapes(config);
        return layer;
    }

    static KerasSerialization()
    {
        Register("Dense", c => new Layers.Dense(
            Int(c, "units"), Activation(c, "activation"), Bool(c, "use_bias", true),
            Initializer(c, "kernel_initializer"), Initializer(c, "bias_initializer"), NameOf(c)));
        Register("Activation", c => new Layers.Activation(Activation(c, "activation") ?? "linear", NameOf(c)));
        Register("Dropout", c => new Layers.Dropout(Double(c, "rate"), NameOf(c), NoiseShape(c), c["seed"]?.GetValue<int>()));
        Register("SpatialDropout1D", c => new Layers.SpatialDropout1D(Double(c, "rate"), c["seed"]?.GetValue<int>(), NameOf(c)));
        Register("SpatialDropout2D", c => new Layers.SpatialDropout2D(Double(c, "rate"), DataFormat(c), c["seed"]?.GetValue<int>(), NameOf(c)));
        Register("SpatialDropout3D", c => new Layers.SpatialDropout3D(Double(c, "rate"), DataFormat(c), c["seed"]?.GetValue<int>(), NameOf(c)));
        Register("AlphaDropout", c => new Layers.AlphaDropout(Double(c, "rate"), NoiseShape(c), c["seed"]?.GetValue<int>(), NameOf(c)));
        Register("Identity", c => new Layers.Identity(NameOf(c)));
        Register("Flatten", c => new Layers.Flatten(NameOf(c)));
        Register("ReLU", c => new Layers.ReLU(c["max_value"]?.GetValue<double>(), Double(c, "negative_slope", 0), Double(c, "threshold", 0), NameOf(c)));
        Register("LeakyReLU", c => new Layers.LeakyReLU(Double(c, "negative_slope", 0.3), NameOf(c)));
        Register("ELU", c => new Layers.ELU(Double(c, "alpha", 1.0), NameOf(c)));
        Register("Softmax", c => new Layers.Softmax(Int(c, "axis", -1), NameOf(c)));
        Register("Conv2D", c => new Layers.Conv2D(
            Int(c, "filters"), Ints(c, "kernel_size"), Ints(c, "strides"), String(c, "padding", "valid"), Ints(c, "dilation_rate"),
            Activation(c, "activation"), Bool(c, "use_bias", true),
            Initializer(c, "kernel_initializer"), Initializer(c, "bias_initializer"), NameOf(c), Int(c, "groups", 1), DataFormat(c)));
        Register("DepthwiseConv2D", c => new Layers.DepthwiseConv2D(
            Ints(c, "kernel_size"), Ints(c, "strides"), String(c, "padding", "valid"), Int(c, "depth_multiplier", 1), Ints(c, "dilation_rate"),
            Activation(c, "activation"), Bool(c, "use_bias", true),
            Initializer(c, "depthwise_initializer"), Initializer(c, "bias_initializer"), NameOf(c), DataFormat(c)));
        // Adaptive pooling: Keras writes output_size as a list of one value per spatial axis.
        Register("AdaptiveAveragePooling1D", c => new Layers.AdaptiveAveragePooling1D(Ints(c, "output_size")[0], DataFormat(c), NameOf(c)));
        Register("AdaptiveMaxPooling1D", c => new Layers.AdaptiveMaxPooling1D(Ints(c, "output_size")[0], DataFormat(c), NameOf(c)));
        Register("AdaptiveAveragePooling2D", c => new Layers.AdaptiveAveragePooling2D(Ints(c, "output_size"), DataFormat(c), NameOf(c)));
        Register("AdaptiveMaxPooling2D", c => new Layers.AdaptiveMaxPooling2D(Ints(c, "output_size"), DataFormat(c), NameOf(c)));
        Register("AdaptiveAveragePooling3D", c => new Layers.AdaptiveAveragePooling3D(Ints(c, "output_size"), DataFormat(c), NameOf(c)));
        Register("AdaptiveMaxPooling3D", c => new Layers.AdaptiveMaxPooling3D(Ints(c, "output_size"), DataFormat(c), NameOf(c)));
        Register("DepthwiseConv1D", c => new Layers.DepthwiseConv1D(
            One(c, "kernel_size"), One(c, "strides", 1), String(c, "padding", "valid"), Int(c, "depth_multiplier", 1), One(c, "dilation_rate", 1),
            Activation(c, "activation"), Bool(c, "use_bias", true),
            Initializer(c, "depthwise_initializer"), Initializer(c, "bias_initializer"), NameOf(c), DataFormat(c)));
        Register("Conv2DTranspose", c => new Layers.Conv2DTranspose(
            Int(c, "filters"), Ints(c, "kernel_size"), Ints(c, "strides"), String(c, "padding", "valid"),
            c["output_padding"] is null ? null : Ints(c, "output_padding"), Ints(c, "dilation_rate"),
            Activation(c, "activation"), Bool(c, "use_bias", true),
            Initializer(c, "kernel_initializer"), Initializer(c, "bias_initializer"), NameOf(c), DataFormat(c)));
        Register("Conv1D", c => new Layers.Conv1D(
            Int(c, "filters"), One(c, "kernel_size"), One(c, "strides", 1), String(c, "padding", "valid"), One(c, "dilation_rate", 1),
            Activation(c, "activation"), Bool(c, "use_bias", true),
            Initializer(c, "kernel_initializer"), Initializer(c, "bias_initializer"), NameOf(c), Int(c, "groups", 1), DataFormat(c)));
        Register("Conv1DTranspose", c => new Layers.Conv1DTranspose(
            Int(c, "filters"), One(c, "kernel_size"), One(c, "strides", 1), String(c, "padding", "valid"),
            c["output_padding"] is null ? null : One(c, "output_padding"), One(c, "dilation_rate", 1),
            Activation(c, "activation"), Bool(c, "use_bias", true),
            Initializer(c, "kernel_initializer"), Initializer(c, "bias_initializer"), NameOf(c), DataFormat(c)));
        Register("Conv3D", c => new Layers.Conv3D(
            Int(c, "filters"), Ints(c, "kernel_size"), Ints(c, "strides"), String(c, "padding", "valid"), Ints(c, "dilation_rate"),
            Activation(c, "activation"), Bool(c, "use_bias", true),
            Initializer(c, "kernel_initializer"), Initializer(c, "bias_initializer"), NameOf(c), Int(c, "groups", 1), DataFormat(c)));
        Register("Conv3DTranspose", c => new Layers.Conv3DTranspose(
            Int(c, "filters"), Ints(c, "kernel_size"), Ints(c, "strides"), String(c, "padding", "valid"),
            c["output_padding"] is null ? null : Ints(c, "output_padding"), Ints(c, "dilation_rate"),
            Activation(c, "activation"), Bool(c, "use_bias", true),
            Initializer(c, "kernel_initializer"), Initializer(c, "bias_initializer"), NameOf(c), DataFormat(c)));
        Register("MaxPooling3D", c => new Layers.MaxPooling3D(Ints(c, "pool_size"), Ints(c, "strides"), String(c, "padding", "valid"), NameOf(c), DataFormat(c)));
        Register("AveragePooling3D", c => new Layers.AveragePooling3D(Ints(c, "pool_size"), Ints(c, "strides"), String(c, "padding", "valid"), NameOf(c), DataFormat(c)));
        Register("GlobalAveragePooling3D", c => new Layers.GlobalAveragePooling3D(NameOf(c), DataFormat(c), Bool(c, "keepdims", false)));
        Register("GlobalMaxPooling3D", c => new Layers.GlobalMaxPooling3D(NameOf(c), DataFormat(c), Bool(c, "keepdims", false)));
        Register("MaxPooling1D", c => new Layers.MaxPooling1D(One(c, "pool_size", 2), c["strides"] is null ? null : One(c, "strides"), String(c, "padding", "valid"), NameOf(c), DataFormat(c)));
        Register("AveragePooling1D", c => new Layers.AveragePooling1D(One(c, "pool_size", 2), c["strides"] is null ? null : One(c, "strides"), String(c, "padding", "valid"), NameOf(c), DataFormat(c)));
        Register("GlobalAveragePooling1D", c => new Layers.GlobalAveragePooling1D(NameOf(c), DataFormat(c), Bool(c, "keepdims", false)));
        Register("GlobalMaxPooling1D", c => new Layers.GlobalMaxPooling1D(NameOf(c), DataFormat(c), Bool(c, "keepdims", false)));
        Register("MaxPooling2D", c => new Layers.MaxPooling2D(Ints(c, "pool_size"), Ints(c, "strides"), String(c, "padding", "valid"), NameOf(c), DataFormat(c)));
        Register("AveragePooling2D", c => new Layers.AveragePooling2D(Ints(c, "pool_size"), Ints(c, "strides"), String(c, "padding", "valid"), NameOf(c), DataFormat(c)));
        Register("GlobalAveragePooling2D", c => new Layers.GlobalAveragePooling2D(NameOf(c), DataFormat(c), Bool(c, "keepdims", false)));
        Register("GlobalMaxPooling2D", c => new Layers.GlobalMaxPooling2D(NameOf(c), DataFormat(c), Bool(c, "keepdims", false)));
        Register("Reshape", c => new Layers.Reshape(Ints(c, "target_shape"), NameOf(c)));
        Register("BatchNormalization", c => new Layers.BatchNormalization(
            Int(c, "axis", -1), Double(c, "momentum", 0.99), Double(c, "epsilon", 1e-3), Bool(c, "center", true), Bool(c, "scale", true),
            Initializer(c, "beta_initializer"), Initializer(c, "gamma_initializer"),
            Initializer(c, "moving_mean_initializer"), Initializer(c, "moving_variance_initializer"), NameOf(c)));
        Register("LayerNormalization", c => new Layers.LayerNormalization(
            Ints(c, "axis"), Double(c, "epsilon", 1e-3), Bool(c, "center", true), Bool(c, "scale", true),
            Initializer(c, "beta_initializer"), Initializer(c, "gamma_initializer"), NameOf(c)));
        Register("GroupNormalization", c => new Layers.GroupNormalization(
            Int(c, "groups", 32), Int(c, "axis", -1), Double(c, "epsilon", 1e-3), Bool(c, "center", true), Bool(c, "scale", true),
            Initializer(c, "beta_initializer"), Initializer(c, "gamma_initializer"), NameOf(c)));
        Register("ZeroPadding1D", c => new Layers.ZeroPadding1D(Sides(c, "padding", 1)[0], NameOf(c)));
        Register("Cropping1D", c => new Layers.Cropping1D(Sides(c, "cropping", 1)[0], NameOf(c)));
        Register("ZeroPadding2D", c => new Layers.ZeroPadding2D(Layers.Sides2D.FromJson(c["padding"], "padding"), NameOf(c), DataFormat(c)));
        Register("Cropping2D", c => new Layers.Cropping2D(Layers.Sides2D.FromJson(c["cropping"], "cropping"), NameOf(c), DataFormat(c)));
        Register("ZeroPadding3D", c =>
        {
            var p = Sides(c, "padding", 3);
            return new Layers.ZeroPadding3D((p[0], p[1], p[2]), NameOf(c), DataFormat(c));
        });
        Register("Cropping3D", c =>
        {
            var p = Sides(c, "cropping", 3);
            return new Layers.Cropping3D((p[0], p[1], p[2]), NameOf(c), DataFormat(c));
        });
        Register("UpSampling1D", c => new Layers.UpSampling1D(Int(c, "size", 2), NameOf(c)));
        Register("UpSampling2D", c => new Layers.UpSampling2D(Ints(c, "size"), String(c, "interpolation", "nearest"), NameOf(c), String(c, "data_format", "channels_last")));
        Register("UpSampling3D", c => new Layers.UpSampling3D(Ints(c, "size") is [var s] ? [s, s, s] : Ints(c, "size"), NameOf(c), DataFormat(c)));
        Register("Permute", c => new Layers.Permute(Ints(c, "dims"), NameOf(c)));
        Register("RepeatVector", c => new Layers.RepeatVector(Int(c, "n"), NameOf(c)));
        Register("Embedding", c => new Layers.Embedding(
            Int(c, "input_dim"), Int(c, "output_dim"), Initializer(c, "embeddings_initializer"), Bool(c, "mask_zero", false), NameOf(c)));
        Register("ReversibleEmbedding", c => c["reverse_dtype"] is JsonValue
            ? throw new NotSupportedException($"ReversibleEmbedding '{c["name"]}' sets reverse_dtype, which NeuralFlow does not offer (the reverse projection runs in the table's dtype)")
            : new Layers.ReversibleEmbedding(Int(c, "input_dim"), Int(c, "output_dim"), Bool(c, "tie_weights", true), Initializer(c, "embeddings_initializer"),
                Bool(c, "mask_zero", false), c["logit_soft_cap"]?.GetValue<double>(), NameOf(c)));
        Register("Masking", c => new Layers.Masking(Double(c, "mask_value", 0.0), NameOf(c)));
        Register("InputLayer", c => new Layers.InputLayer(BatchInputShape(c)[1..], DTypeOf(c), BatchInputShape(c)[0], NameOf(c), Bool(c, "ragged", false)));
        Register("Add", c => new Layers.Add(NameOf(c)));
        Register("Subtract", c => new Layers.Subtract(NameOf(c)));
        Register("Multiply", c => new Layers.Multiply(NameOf(c)));
        Register("Average", c => new Layers.Average(NameOf(c)));
        Register("Maximum", c => new Layers.Maximum(NameOf(c)));
        Register("Minimum", c => new Layers.Minimum(NameOf(c)));
        Register("Concatenate", c => new Layers.Concatenate(Int(c, "axis", -1), NameOf(c)));
        // InceptionResNetV2's residual join (keras/src/applications/inception_resnet_v2.py), which its saved models hold.
        Register("CustomScaleLayer", c => new Applications.CustomScaleLayer(Double(c, "scale"), NameOf(c)));
        // ConvNeXt's residual scale and drop path (keras/src/applications/convnext.py).
        Register("LayerScale", c => new Applications.LayerScale(Double(c, "init_values"), Int(c, "projection_dim"), NameOf(c)));
        Register("StochasticDepth", c => new Applications.StochasticDepth(Double(c, "drop_path_rate"), NameOf(c)));
        // keras2 session
        Register("PReLU", c => new Layers.PReLU(Initializer(c, "alpha_initializer"), null,
            c["shared_axes"] is null ? null : Ints(c, "shared_axes"), NameOf(c)));
        Register("Dot", c => new Layers.Dot(Ints(c, "axes"), Bool(c, "normalize", false), NameOf(c)));
        Register("Rescaling", c => new Layers.Rescaling(Double(c, "scale"), Double(c, "offset", 0), NameOf(c)));
        // An absent axis is Keras' default -1 (a null one is axis=None); a mean over several kept axes is a nested list, read row-major.
        Register("Normalization", c => new Layers.Normalization(!c.ContainsKey("axis") ? [-1] : c["axis"] is null ? [] : Ints(c, "axis"),
            Nested(c, "mean"), Nested(c, "variance"), Bool(c, "invert", false), NameOf(c)));
        Register("GaussianNoise", c => new Layers.GaussianNoise(Double(c, "stddev"), c["seed"]?.GetValue<int>(), NameOf(c)));
        Register("GaussianDropout", c => new Layers.GaussianDropout(Double(c, "rate"), c["seed"]?.GetValue<int>(), NameOf(c)));
        Register("SimpleRNN", c => RecurrentLayer(c, new Layers.SimpleRNN(
            Int(c, "units"), Activation(c, "activation"), Bool(c, "use_bias", true),
            Initializer(c, "kernel_initializer"), Initializer(c, "recurrent_initializer"), Initializer(c, "bias_initializer"),
            Double(c, "dropout", 0), Double(c, "recurrent_dropout", 0), Bool(c, "return_sequences", false), Bool(c, "return_state", false),
            Bool(c, "go_backwards", false), NameOf(c), stateful: Bool(c, "stateful", false))));
        Register("LSTM", c => RecurrentLayer(c, new Layers.LSTM(
            Int(c, "units"), Activation(c, "activation"), Activation(c, "recurrent_activation"), Bool(c, "use_bias", true),
            Initializer(c, "kernel_initializer"), Initializer(c, "recurrent_initializer"), Initializer(c, "bias_initializer"), Bool(c, "unit_forget_bias", true),
            Double(c, "dropout", 0), Double(c, "recurrent_dropout", 0), Bool(c, "return_sequences", false), Bool(c, "return_state", false),
            Bool(c, "go_backwards", false), NameOf(c), stateful: Bool(c, "stateful", false))));
        Register("GRU", c => RecurrentLayer(c, new Layers.GRU(
            Int(c, "units"), Activation(c, "activation"), Activation(c, "recurrent_activation"), Bool(c, "use_bias", true),
            Initializer(c, "kernel_initializer"), Initializer(c, "recurrent_initializer"), Initializer(c, "bias_initializer"),
            Double(c, "dropout", 0), Double(c, "recurrent_dropout", 0), Bool(c, "return_sequences", false), Bool(c, "return_state", false),
            Bool(c, "go_backwards", false), Bool(c, "reset_after", true), NameOf(c), stateful: Bool(c, "stateful", false))));
        // The cells and the generic RNN (Keras 3 nests the cell: {"class_name": "RNN", "config": {"cell": {...}}}).
        Register("SimpleRNNCell", c => new Layers.SimpleRNNCell(
            Int(c, "units"), Activation(c, "activation"), Bool(c, "use_bias", true),
            Initializer(c, "kernel_initializer"), Initializer(c, "recurrent_initializer"), Initializer(c, "bias_initializer"),
            Double(c, "dropout", 0), Double(c, "recurrent_dropout", 0), NameOf(c)));
        Register("LSTMCell", c => new Layers.LSTMCell(
            Int(c, "units"), Activation(c, "activation"), Activation(c, "recurrent_activation"), Bool(c, "use_bias", true),
            Initializer(c, "kernel_initializer"), Initializer(c, "recurrent_initializer"), Initializer(c, "bias_initializer"), Bool(c, "unit_forget_bias", true),
            Double(c, "dropout", 0), Double(c, "recurrent_dropout", 0), NameOf(c)));
        Register("GRUCell", c => new Layers.GRUCell(
            Int(c, "units"), Activation(c, "activation"), Activation(c, "recurrent_activation"), Bool(c, "use_bias", true),
            Initializer(c, "kernel_initializer"), Initializer(c, "recurrent_initializer"), Initializer(c, "bias_initializer"),
            Double(c, "dropout", 0), Double(c, "recurrent_dropout", 0), Bool(c, "reset_after", true), NameOf(c)));
        Register("StackedRNNCells", c => new Layers.StackedRNNCells(
            (c["cells"] as JsonArray ?? throw new FormatException("'cells' is missing")).Select((e, i) => Cell(e, $"StackedRNNCells' cell {i}")).ToArray(), NameOf(c)));
        Register("RNN", c => new Layers.RNN(Cell(c["cell"] ?? throw new FormatException("'cell' is missing"), "RNN's cell"),
            Bool(c, "return_sequences", false), Bool(c, "return_state", false), Bool(c, "go_backwards", false), Bool(c, "stateful", false),
            Bool(c, "zero_output_for_mask", false), NameOf(c)));
        // The convolutional LSTMs: Keras' flat configs (the cell's arguments beside the RNN's); kernel_size's length is the rank.
        Register("ConvLSTM1D", c => ConvLSTMLayer<Layers.ConvLSTM1D>(c, 1));
        Register("ConvLSTM2D", c => ConvLSTMLayer<Layers.ConvLSTM2D>(c, 2));
        Register("ConvLSTM3D", c => ConvLSTMLayer<Layers.ConvLSTM3D>(c, 3));
        Register("ConvLSTMCell", c => ConvLSTMCell(c, Ints(c, "kernel_size").Length, NameOf(c)));
        Register("Bidirectional", c => new Layers.Bidirectional(
            Recurrent(c, "layer") ?? throw new FormatException("'layer' is missing"), c.ContainsKey("merge_mode") ? c["merge_mode"]?.GetValue<string>() : "concat", Recurrent(c, "backward_layer"), NameOf(c)));
        Register("MultiHeadAttention", c => new Layers.MultiHeadAttention(
            Int(c, "num_heads"), Int(c, "key_dim"), c["value_dim"]?.GetValue<int>(), Double(c, "dropout", 0), Bool(c, "use_bias", true),
            c["output_shape"] is null ? null : One(c, "output_shape"), c["attention_axes"] is null ? null : Ints(c, "attention_axes"),
            Initializer(c, "kernel_initializer"), Initializer(c, "bias_initializer"), seed: c["seed"]?.GetValue<int>(), name: NameOf(c))
            .WithBuildShapes(c));
        Register("GroupedQueryAttention", c => new Layers.GroupedQueryAttention(
            Int(c, "head_dim"), Int(c, "num_query_heads"), Int(c, "num_key_value_heads"), Double(c, "dropout", 0), Bool(c, "use_bias", true),
            c["sliding_window"]?.GetValue<int>(), Initializer(c, "kernel_initializer"), Initializer(c, "bias_initializer"),
            useGate: Bool(c, "use_gate", false), seed: c["seed"]?.GetValue<int>(), name: NameOf(c))
            .WithBuildShapes(c));
        Register("Attention", c => new Layers.Attention(Bool(c, "use_scale", false), String(c, "score_mode", "dot"), Double(c, "dropout", 0), c["seed"]?.GetValue<int>(), NameOf(c)));
        Register("AdditiveAttention", c => new Layers.AdditiveAttention(Bool(c, "use_scale", true), Double(c, "dropout", 0), c["seed"]?.GetValue<int>(), NameOf(c)));
        Register("UnitNormalization", c => new Layers.UnitNormalization(c["axis"] is null ? [-1] : Ints(c, "axis"), NameOf(c)));
        Register("ActivityRegularization", c => new Layers.ActivityRegularization(Double(c, "l1", 0), Double(c, "l2", 0), NameOf(c)));
        Register("SeparableConv2D", c => new Layers.SeparableConv2D(
            Int(c, "filters"), Ints(c, "kernel_size"), Ints(c, "strides"), String(c, "padding", "valid"), Int(c, "depth_multiplier", 1), Ints(c, "dilation_rate"),
            Activation(c, "activation"), Bool(c, "use_bias", true), Initializer(c, "depthwise_initializer"), Initializer(c, "pointwise_initializer"),
            Initializer(c, "bias_initializer"), NameOf(c), DataFormat(c)));
        Register("SeparableConv1D", c => new Layers.SeparableConv1D(
            Int(c, "filters"), One(c, "kernel_size"), One(c, "strides", 1), String(c, "padding", "valid"), Int(c, "depth_multiplier", 1), One(c, "dilation_rate", 1),
            Activation(c, "activation"), Bool(c, "use_bias", true), Initializer(c, "depthwise_initializer"), Initializer(c, "pointwise_initializer"),
            Initializer(c, "bias_initializer"), NameOf(c), DataFormat(c)));
        // Image preprocessing and augmentation (factors are written as [lower, upper]; Keras' single numbers load too).
        RegisterImage("Resizing", c => new Layers.Resizing(Int(c, "height"), Int(c, "width"), String(c, "interpolation", "bilinear"),
            Bool(c, "crop_to_aspect_ratio", false), Bool(c, "antialias", false), NameOf(c)));
        RegisterImage("CenterCrop", c => new Layers.CenterCrop(Int(c, "height"), Int(c, "width"), NameOf(c)));
        RegisterImage("RandomCrop", c => new Layers.RandomCrop(Int(c, "height"), Int(c, "width"), Seed(c), NameOf(c)));
        RegisterImage("RandomFlip", c => new Layers.RandomFlip(String(c, "mode", "horizontal_and_vertical"), Seed(c), NameOf(c)));
        RegisterImage("RandomRotation", c => new Layers.RandomRotation(Required(c, "factor", Symmetric(c, "factor")),
            String(c, "fill_mode", "reflect"), String(c, "interpolation", "bilinear"), Seed(c), Double(c, "fill_value", 0), NameOf(c)));
        RegisterImage("RandomZoom", c => new Layers.RandomZoom(Required(c, "height_factor", Symmetric(c, "height_factor")), Symmetric(c, "width_factor"),
            String(c, "fill_mode", "reflect"), String(c, "interpolation", "bilinear"), Seed(c), Double(c, "fill_value", 0), NameOf(c)));
        RegisterImage("RandomTranslation", c => new Layers.RandomTranslation(Required(c, "height_factor", Symmetric(c, "height_factor")), Required(c, "width_factor", Symmetric(c, "width_factor")),
            String(c, "fill_mode", "reflect"), String(c, "interpolation", "bilinear"), Seed(c), Double(c, "fill_value", 0), NameOf(c)));
        RegisterImage("RandomContrast", c => new Layers.RandomContrast(ContrastFactor(c, "factor"), Pair(c, "value_range"), Seed(c), NameOf(c)));
        RegisterImage("RandomBrightness", c => new Layers.RandomBrightness(Required(c, "factor", Symmetric(c, "factor")), Pair(c, "value_range"), Seed(c), NameOf(c)));
        // Solarization's factors: [lower, upper], or a single number f for (0, f) as Keras reads it.
        RegisterImage("Solarization", c => new Layers.Solarization(FromZero(c, "addition_factor"), FromZero(c, "threshold_factor"), Pair(c, "value_range"), Seed(c), NameOf(c)));
        RegisterImage("RandomGrayscale", c => new Layers.RandomGrayscale(Double(c, "factor", 0.5), Seed(c), NameOf(c)));
        // RandomHue, RandomSaturation and RandomSharpness read a single factor f as (0, f) (Keras' bounds (0, 1)).
        RegisterImage("RandomHue", c => new Layers.RandomHue(FromZero(c, "factor"), Pair(c, "value_range"), Seed(c), NameOf(c)));
        RegisterImage("RandomSaturation", c => new Layers.RandomSaturation(FromZero(c, "factor"), Pair(c, "value_range"), Seed(c), NameOf(c)));
        RegisterImage("RandomSharpness", c => new Layers.RandomSharpness(FromZero(c, "factor"), Pair(c, "value_range"), Seed(c), NameOf(c)));
        RegisterImage("RandomColorJitter", c => new Layers.RandomColorJitter(Pair(c, "value_range"),
            c["brightness_factor"] is null ? null : Symmetric(c, "brightness_factor"), c["contrast_factor"] is null ? null : ContrastFactor(c, "contrast_factor"),
            c["saturation_factor"] is null ? null : FromZero(c, "saturation_factor"), c["hue_factor"] is null ? null : FromZero(c, "hue_factor"), Seed(c), NameOf(c)));
        // RandomShear reads a single factor f as (-f, f), as Keras' code does.
        RegisterImage("RandomShear", c => new Layers.RandomShear(Symmetric(c, "x_factor") ?? (0, 0), Symmetric(c, "y_factor") ?? (0, 0),
            String(c, "interpolation", "bilinear"), String(c, "fill_mode", "reflect"), Double(c, "fill_value", 0), Seed(c), NameOf(c)));
        // RandomInvert reads a single factor f as (0, f); RandomPosterization's single number of bits f as (1, f).
        RegisterImage("RandomInvert", c => new Layers.RandomInvert(c["factor"] is null ? (0, 1) : FromZero(c, "factor"), Pair(c, "value_range"), Seed(c), NameOf(c)));
        RegisterImage("RandomPosterization", c => new Layers.RandomPosterization(Bits(c, "factor"), Pair(c, "value_range"), Seed(c), NameOf(c)));
        RegisterImage("AutoContrast", c => new Layers.AutoContrast(Pair(c, "value_range"), NameOf(c)));
        RegisterImage("RandomErasing", c => new Layers.RandomErasing(c["factor"] is null ? (0, 1) : FromZero(c, "factor"),
            c["scale"] is null ? null : FromZero(c, "scale"), c["fill_value"] switch
            {
                null => null,
                JsonValue v => v.GetValue<double>(),
                var other => throw new NotSupportedException($"RandomErasing '{c["name"]}' has a per-channel fill_value {other.ToJsonString()}; NeuralFlow's fills with one number or noise"),
            }, Pair(c, "value_range"), Seed(c), NameOf(c)));
        // Keras 3's later augmentation layers; single factors read as (0, f) (RandomColorDegeneration as its docstring reads it).
        RegisterImage("MixUp", c => new Layers.MixUp(Double(c, "alpha", 0.2), Seed(c), NameOf(c), DataFormat(c)));
        RegisterImage("CutMix", c => new Layers.CutMix(c["factor"] is null ? (0, 1) : FromZero(c, "factor"), Seed(c), NameOf(c), DataFormat(c)));
        RegisterImage("RandomGaussianBlur", c => new Layers.RandomGaussianBlur(c["factor"] is null ? (0, 1) : FromZero(c, "factor"),
            c["kernel_size"] switch
            {
                null => (3, 3),
                JsonValue k => (k.GetValue<int>(), k.GetValue<int>()),
                // Read as ints: a config built in memory (GetConfig) holds ints, which do not read as doubles.
                _ => Ints(c, "kernel_size") is [var kh, var kw] ? (kh, kw) : throw new FormatException($"'kernel_size' must be one number or two, got {c["kernel_size"]!.ToJsonString()}"),
            },
            c["sigma"] is null ? (0, 1) : FromZero(c, "sigma"), Pair(c, "value_range"), Seed(c), NameOf(c), DataFormat(c)));
        RegisterImage("RandomPerspective", c => new Layers.RandomPerspective(c["factor"] is null ? (0, 1) : FromZero(c, "factor"), Double(c, "scale", 1),
            String(c, "interpolation", "bilinear"), Double(c, "fill_value", 0), Seed(c), NameOf(c), DataFormat(c)));
        RegisterImage("Equalization", c => new Layers.Equalization(Pair(c, "value_range"), Int(c, "bins", 256), NameOf(c), DataFormat(c)));
        RegisterImage("RandomColorDegeneration", c => new Layers.RandomColorDegeneration(FromZero(c, "factor"), Pair(c, "value_range"), Seed(c), NameOf(c), DataFormat(c)));
        RegisterImage("RandomElasticTransform", c => new Layers.RandomElasticTransform(c["factor"] is null ? (0, 1) : FromZero(c, "factor"),
            c["scale"] is null ? (0, 1) : FromZero(c, "scale"), String(c, "interpolation", "bilinear"), String(c, "fill_mode", "reflect"),
            Double(c, "fill_value", 0), Pair(c, "value_range"), Seed(c), NameOf(c), DataFormat(c)));
        RegisterImage("RandAugment", c => new Layers.RandAugment(Pair(c, "value_range"), Int(c, "num_ops", 2), c["factor"] is null ? (0, 0.5) : FromZero(c, "factor"),
            String(c, "interpolation", "bilinear"), Seed(c), NameOf(c), DataFormat(c)));
        RegisterImage("AugMix", c => new Layers.AugMix(Pair(c, "value_range"), Int(c, "num_chains", 3), Int(c, "chain_depth", 3),
            c["factor"] is null ? (0, 0.3) : FromZero(c, "factor"), Double(c, "alpha", 1), Bool(c, "all_ops", true), String(c, "interpolation", "bilinear"), Seed(c), NameOf(c), DataFormat(c)));
        Register("Pipeline", c => new Layers.Pipeline((c["layers"] as JsonArray ?? throw new FormatException("'layers' is missing"))
            .Select((e, i) => Deserialize(e, $"Pipeline's layer {i}")), NameOf(c)));
        Register("TimeDistributed", c => new Layers.TimeDistributed(Deserialize(c["layer"] ?? throw new FormatException("'layer' is missing"), "TimeDistributed's layer"), NameOf(c)));
        Register("EinsumDense", c => new Layers.EinsumDense(
            String(c, "equation", ""), c["output_shape"] is JsonArray shape ? shape.Select(d => d?.GetValue<int>()).ToArray() : [Int(c, "output_shape")],
            Activation(c, "activation"), c["bias_axes"]?.GetValue<string>(), Initializer(c, "kernel_initializer"), Initializer(c, "bias_initializer"), name: NameOf(c)));
        Register("RMSNormalization", c => new Layers.RMSNormalization(Ints(c, "axis"), Double(c, "epsilon", 1e-6), NameOf(c)));
        Register("SpectralNormalization", c => new Layers.SpectralNormalization(
            Deserialize(c["layer"] ?? throw new FormatException("'layer' is missing"), "SpectralNormalization's layer"), Int(c, "power_iterations", 1), NameOf(c)));
        // Preprocessing of categories; the encodings are never sparse here, so a sparse file is refused by the constructors.
        Register("CategoryEncoding", c => new Layers.CategoryEncoding(Int(c, "num_tokens"), String(c, "output_mode", "multi_hot"), Bool(c, "sparse", false), NameOf(c)));
        Register("Discretization", c =>
        {
            // After adapt Keras writes both num_bins and the learned bin_boundaries (its from_config sets them apart).
            var layer = new Layers.Discretization(c["num_bins"] is null ? Doubles(c, "bin_boundaries") : null, c["num_bins"]?.GetValue<int>(),
                Double(c, "epsilon", 0.01), String(c, "output_mode", "int"), Bool(c, "sparse", false), NameOf(c));
            if (c["num_bins"] is not null && Doubles(c, "bin_boundaries") is { } learned) layer.SetBoundaries(learned);
            return layer;
        });
        Register("IntegerLookup", c => new Layers.IntegerLookup(
            c["vocabulary"] is JsonArray vocabulary ? vocabulary.Select(t => t?.GetValue<long>() ?? throw new FormatException("'vocabulary' holds a null")).ToArray()
                : VocabularyFile(c)?.Select((line, i) => long.TryParse(line, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out long token) ? token
                    : throw new FormatException($"line {i + 1} of the vocabulary file '{c["vocabulary"]}' is not an integer: '{line}'")).ToArray(),
            c["max_tokens"]?.GetValue<int>(), Int(c, "num_oov_indices", 1), c["mask_token"]?.GetValue<long>(), c["oov_token"]?.GetValue<long>() ?? -1,
            Bool(c, "invert", false), String(c, "output_mode", "int"), Bool(c, "sparse", false), Bool(c, "pad_to_max_tokens", false), NameOf(c),
            Doubles(c, "idf_weights"))
            .AdaptableAgain(Bool(c, "has_input_vocabulary", c["vocabulary"] is not null)));
        Register("StringLookup", c => new Layers.StringLookup(
            Strings(c, "vocabulary") ?? VocabularyFile(c),
            c["max_tokens"]?.GetValue<int>(), Int(c, "num_oov_indices", 1), c["mask_token"]?.GetValue<string>(), c["oov_token"]?.GetValue<string>() ?? "[UNK]",
            Bool(c, "invert", false), String(c, "output_mode", "int"), Bool(c, "sparse", false), Bool(c, "pad_to_max_tokens", false), NameOf(c),
            Doubles(c, "idf_weights"), Salt(c))
            .AdaptableAgain(Bool(c, "has_input_vocabulary", c["vocabulary"] is not null)));
        Register("Hashing", c => new Layers.Hashing(Int(c, "num_bins"), c["mask_value"]?.ToString(), Salt(c), String(c, "output_mode", "int"), Bool(c, "sparse", false), NameOf(c)));
        Register("HashedCrossing", c => new Layers.HashedCrossing(Int(c, "num_bins"), String(c, "output_mode", "int"), Bool(c, "sparse", false), NameOf(c)));
        // Named standardize and split only: a C# function is refused when saving.
        // An absent standardize or split is Keras' default (a null one is none).
        Register("TextVectorization", c => new Layers.TextVectorization(
            c["max_tokens"]?.GetValue<int>(), c.ContainsKey("standardize") ? c["standardize"]?.GetValue<string>() : "lower_and_strip_punctuation",
            c.ContainsKey("split") ? c["split"]?.GetValue<string>() : "whitespace", c["ngrams"] is JsonValue n ? n.GetValue<int>() : null,
            String(c, "output_mode", "int"), c["output_sequence_length"]?.GetValue<int>(), Bool(c, "pad_to_max_tokens", false),
            Strings(c, "vocabulary") ?? VocabularyFile(c),
            Doubles(c, "idf_weights"), Bool(c, "sparse", false), Bool(c, "ragged", false), NameOf(c),
            ngramWidths: c["ngrams"] is JsonArray widths ? widths.Select(w => w!.GetValue<int>()).ToArray() : null)
            .AdaptableAgain(Bool(c, "has_input_vocabulary", c["vocabulary"] is not null)));
        // Keras writes window, top_db and scaling as null when none: absent keys take its defaults.
        Register("MelSpectrogram", c => new Layers.MelSpectrogram(Int(c, "fft_length", 2048), Int(c, "sequence_stride", 512), c["sequence_length"]?.GetValue<int>(),
            c.ContainsKey("window") ? c["window"]?.GetValue<string>() : "hann", Int(c, "sampling_rate", 16000), Int(c, "num_mel_bins", 128), Double(c, "min_freq", 20),
            c["max_freq"]?.GetValue<double>(), Bool(c, "power_to_db", true), c.ContainsKey("top_db") ? c["top_db"]?.GetValue<double>() : 80, Double(c, "mag_exp", 2),
            Double(c, "min_power", 1e-10), Double(c, "ref_power", 1), NameOf(c)));
        Register("STFTSpectrogram", c => new Layers.STFTSpectrogram(String(c, "mode", "log"), Int(c, "frame_length", 256), c["frame_step"]?.GetValue<int>(),
            c["fft_length"]?.GetValue<int>(), c.ContainsKey("window") ? c["window"]?.GetValue<string>() : "hann", Bool(c, "periodic", false),
            c.ContainsKey("scaling") ? c["scaling"]?.GetValue<string>() : "density", String(c, "padding", "valid"), Bool(c, "expand_dims", false), DataFormat(c), NameOf(c)));
        // Registered so that saving reaches Lambda.GetConfig, which says why it cannot; nothing can load one.
        Register<Layers.Lambda>("Lambda", c => throw new NotSupportedException(
            $"a Lambda layer ('{c["name"]}') holds a C# function, which a model file cannot hold (Keras 3 refuses to load a lambda in safe mode)."));
    }

    /// <summary>
    /// Registers <typeparamref name="TLayer"/> under <paramref name="className"/>, with the
    /// factory that rebuilds one from its config. Registering a name again replaces it.
    /// </summary>
    public static void Register<TLayer>(string className, Func<JsonObject, TLayer> fromConfig) where TLayer : Layer
    {
        ArgumentException.ThrowIfNullOrEmpty(className);
        ArgumentNullException.ThrowIfNull(fromConfig);
        lock (Factories)
        {
            Factories[className] = fromConfig;
            Names[typeof(TLayer)] = className;
        }
    }

    /// <summary>
    /// <c>{"class_name", "config"}</c> for <paramref name="layer"/>, plus its build shape (Keras'
    /// <c>keras.layers.serialize</c>): a Sequential or functional model as its model entry, any other
    /// layer by its registered name and <see cref="Layer.GetConfig"/>. <see cref="Deserialize(JsonObject, IReadOnlyDictionary{string, Func{JsonObject, Layer}}?)"/> reads it back.
    /// </summary>
    public static JsonObject Serialize(Layer layer)
    {
        ArgumentNullException.ThrowIfNull(layer);
        // A nested model is written as its own model entry.
        if (layer is Model model) return model.ModelEntry();
        if (layer is Operation op) return op.Entry();
        var entry = new JsonObject { ["class_name"] = ClassNameOf(layer), ["config"] = layer.GetConfig() };
        // A type of the user's, as Keras 3 names a custom class's module (Keras' load_model looks a class there up by it).
        if (UserModule(layer) is { } module) entry["module"] = module;
        if (layer.BuildInputShape is { } shape) entry["build_input_shape"] = new JsonArray(shape.ToArray().Select(d => (JsonNode)d).ToArray());
        return entry;
    }

    /// <summary>
    /// The class name a saved file gives <paramref name="layer"/>'s type: its registered name, else
    /// (as Keras 3 saves an unregistered class under its own name, needing custom_objects only to
    /// load it) the type's name, which loading finds in customObjects, a scope or the registrations.
    /// </summary>
    internal static string ClassNameOf(Layer layer)
    {
        lock (Factories)
            return Names.TryGetValue(layer.GetType(), out var className) ? className : layer.GetType().Name;
    }

    /// <summary>The namespace of a layer type of the user's (outside NeuralFlow), which Keras 3's entries name as <c>module</c>; null for NeuralFlow's own.</summary>
    internal static string? UserModule(Layer layer) =>
        layer.GetType().Assembly == typeof(Layer).Assembly ? null : layer.GetType().Namespace ?? "";

    /// <summary>
    /// The <typeparamref name="TLayer"/> that <paramref name="config"/> (its <c>GetConfig()</c>)
    /// rebuilds by its registered factory (Keras' <c>from_config</c>): the way to keep a layer that
    /// lives outside a model, as the string preprocessing layers of an input pipeline do
    /// (<c>keras.layers.Dense.from_config(config)</c> is <c>FromConfig&lt;Layers.Dense&gt;(config)</c>).
    /// </summary>
    public static TLayer FromConfig<TLayer>(JsonObject config) where TLayer : Layer
    {
        ArgumentNullException.ThrowIfNull(config);
        string? className;
        lock (Factories) Names.TryGetValue(typeof(TLayer), out className);
        if (className is null)
            throw new ArgumentException($"FromConfig: {typeof(TLayer).Name} has no registered name; call KerasSerialization.Register<{typeof(TLayer).Name}>(...) first.", nameof(TLayer));
        return (TLayer)Deserialize(new JsonObject { ["class_name"] = className, ["config"] = config.DeepClone() }, $"the {className} config");
    }

    /// <summary>The layer an entry of <see cref="Serialize"/> describes, built for its saved input shape.</summary>
    internal static Layer Deserialize(JsonNode? entry, string file)
    {
        if (entry is not JsonObject o || o["class_name"]?.GetValue<string>() is not { } className || o["config"] is not JsonObject config)
            throw new InvalidDataException($"{file}: a layer entry lacks class_name or config.");
        if (className is "Functional" or "Sequential") return Model.FromEntry(o, file);
        if (Operation.IsEntry(o)) return Operation.FromEntry(o, file);
        var factory = Scoped<Func<JsonObject, Layer>>(className);
        if (factory is null) lock (Factories) Factories.TryGetValue(className, out factory);
        if (factory is null)
            throw new InvalidDataException(
                $"{file}: the model holds a layer of type '{className}'{(o["module"] is JsonValue m ? $" (of {m})" : "")}, which is not known here: pass its factory in customObjects " +
                $"(Model.Load(path, new Dictionary<string, Func<JsonObject, Layer>> {{ [\"{className}\"] = config => new {className}(...) }}), or load inside a KerasSerialization.CustomObjectScope), " +
                $"or call KerasSerialization.Register(\"{className}\", config => new {className}(...)) before loading (Keras' custom_objects and register_keras_serializable).");
        Layer layer;
        try
        {
            layer = RestoreTrainable(factory(config), config);
            layer.ApplyRegularizerConfig(config);
            layer.ApplyConstraintConfig(config);
            if (className != "InputLayer" && PolicyOf(config, file) is { } policy) layer.Dtype = policy;
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or NotSupportedException or FormatException or NullReferenceException)
        {
            throw new InvalidDataException($"{file}: the config of layer '{config["name"]}' ({className}) does not rebuild it: {e.Message}", e);
        }
        if (o["build_input_shape"] is JsonArray dims)
            layer.EnsureBuilt(new Shape(dims.Select(d => d!.GetValue<int>()).ToArray()));
        if (layer is Model subclassed)
        {
            try { Model.RestoreLayerBuilds(subclassed, o, file); }
            catch (Exception e) when (e is ArgumentException or InvalidOperationException or NotSupportedException or FormatException)
            {
                throw new InvalidDataException($"{file}: the layers of model '{subclassed.Name}' ({className}) do not build for the shapes they were saved with: {e.Message}", e);
            }
        }
        return layer;
    }

    // Keras' "trainable" key of every layer's config (absent: true), the layer's own flag alone:
    // each layer of a saved model carries its own.
    internal static TLayer RestoreTrainable<TLayer>(TLayer layer, JsonObject config) where TLayer : Layer
    {
        if (config["trainable"] is JsonValue v && v.TryGetValue(out bool trainable) && !trainable) layer.SetOwnTrainable(false);
        return layer;
    }

    // Keras' RNN config keeps zero_output_for_mask (what a masked step outputs); absent in older files: false.
    // The weight regularizers and constraints are the cell's, which holds the weights (the activity regularizer stays the layer's).
    private static T RecurrentLayer<T>(JsonObject c, T layer) where T : Layers.RNN
    {
        layer.ZeroOutputForMask = Bool(c, "zero_output_for_mask", false);
        var weights = (JsonObject)c.DeepClone();
        weights.Remove("activity_regularizer");
        layer.Cell.ApplyRegularizerConfig(weights);
        layer.Cell.ApplyConstraintConfig(weights);
        return layer;
    }

    // A ConvLSTM layer of rank 1, 2 or 3: Keras' config holds the cell's arguments flat beside the RNN's.
    // (Registered by its own type: the type names the class in saved files.)
    private static T ConvLSTMLayer<T>(JsonObject c, int rank) where T : Layers.ConvLSTM => (T)RecurrentLayer(c, Layers.ConvLSTM.Create(
        rank, name => ConvLSTMCell(c, rank, name), Bool(c, "return_sequences", false), Bool(c, "return_state", false),
        Bool(c, "go_backwards", false), Bool(c, "stateful", false), NameOf(c)));

    // The cell of a ConvLSTM layer's config or a ConvLSTMCell entry. Window, strides and dilation are
    // lists (one value per axis) or a single int (every axis); absent strides and dilation mean 1.
    private static Layers.ConvLSTMCell ConvLSTMCell(JsonObject c, int rank, string? name) => new(
        rank, Int(c, "filters"), Ints(c, "kernel_size"), c["strides"] is null ? [1] : Ints(c, "strides"), String(c, "padding", "valid"), DataFormat(c),
        c["dilation_rate"] is null ? [1] : Ints(c, "dilation_rate"), Activation(c, "activation"), Activation(c, "recurrent_activation"), Bool(c, "use_bias", true),
        Initializer(c, "kernel_initializer"), Initializer(c, "recurrent_initializer"), Initializer(c, "bias_initializer"), Bool(c, "unit_forget_bias", true),
        dropout: Double(c, "dropout", 0), recurrentDropout: Double(c, "recurrent_dropout", 0), seed: Seed(c), name: name ?? NameOf(c));

    private static Layers.RNNCell Cell(JsonNode? entry, string what) =>
        Deserialize(entry, what) as Layers.RNNCell ?? throw new FormatException($"{what} is not a cell (an RNNCell)");

    // A wrapped recurrent layer's entry (Bidirectional's layer and backward_layer), or null when absent.
    private static Layers.RNN? Recurrent(JsonObject c, string key) => c[key] is null ? null
        : Deserialize(c[key], $"Bidirectional's {key}") as Layers.RNN ?? throw new FormatException($"'{key}' is not a recurrent layer (SimpleRNN, LSTM, GRU, ConvLSTM or RNN)");
    // Most image layers read NHWC only (those that take data_format pass it on) and Resizing crops rather
    // than pads: a Keras file that asks otherwise is refused, not misread.
    private static void RegisterImage<TLayer>(string className, Func<JsonObject, TLayer> fromConfig) where TLayer : Layer =>
        Register(className, c =>
        {
            if (Bool(c, "pad_to_aspect_ratio", false))
                throw new NotSupportedException($"{className} '{c["name"]}' pads to the aspect ratio, which NeuralFlow's Resizing does not (it can crop: crop_to_aspect_ratio)");
            var layer = fromConfig(c);
            if (DataFormat(c) != "channels_last" && layer is not (Layers.RandomImageLayer { DataFormat: "channels_first" } or Layers.Equalization { DataFormat: "channels_first" }))
                throw new NotSupportedException($"{className} '{c["name"]}' has data_format {DataFormat(c)}; this NeuralFlow image layer reads channels_last (NHWC) images");
            return layer;
        });
    private static int? Seed(JsonObject c) => c["seed"]?.GetValue<int>();
    // A [lower, upper] pair, or null when absent.
    private static (double, double)? Pair(JsonObject c, string key) => c[key] switch
    {
        null => null,
        JsonArray { Count: 2 } a => (a[0]?.GetValue<double>() ?? throw new FormatException($"'{key}' holds a null"), a[1]?.GetValue<double>() ?? throw new FormatException($"'{key}' holds a null")),
        _ => throw new FormatException($"'{key}' must be a list of two numbers, got {c[key]!.ToJsonString()}"),
    };
    // A Keras augmentation factor: [lower, upper], or a single number f for (-f, f); null when absent.
    private static (double, double)? Symmetric(JsonObject c, string key) => c[key] is JsonValue v ? (-v.GetValue<double>(), v.GetValue<double>()) : Pair(c, key);
    // A factor a layer cannot do without: absent, it is named (".Value" of a missing one read "Nullable object must have a value").
    private static (double, double) Required(JsonObject c, string key, (double, double)? factor) => factor ?? throw new FormatException($"'{key}' is missing");
    // RandomContrast's factor: [lower, upper], or a single number f for (f, f) (contrasts in [1 - f, 1 + f]).
    private static (double, double) ContrastFactor(JsonObject c, string key) => c[key] is JsonArray ? Pair(c, key)!.Value : (Double(c, key), Double(c, key));
    // A factor [lower, upper], a single number f for (0, f), or (0, 0) when absent (Solarization's).
    private static (double, double) FromZero(JsonObject c, string key) => c[key] is JsonValue v ? (0, v.GetValue<double>()) : Pair(c, key) ?? (0, 0);
    // RandomPosterization's bits: [lower, upper], or a single number f for (1, f) (Keras' bounds 1..8).
    private static (int, int) Bits(JsonObject c, string key) => c[key] is JsonValue v ? (1, v.GetValue<int>())
        : Pair(c, key) is var (lower, upper) ? ((int)lower, (int)upper) : throw new FormatException($"'{key}' is missing");
    private static string? NameOf(JsonObject c) => c["name"]?.GetValue<string>();
    private static int Int(JsonObject c, string key, int? fallback = null) =>
        c[key]?.GetValue<int>() ?? fallback ?? throw new FormatException($"'{key}' is missing");
    private static double Double(JsonObject c, string key, double? fallback = null) =>
        c[key]?.GetValue<double>() ?? fallback ?? throw new FormatException($"'{key}' is missing");
    private static string String(JsonObject c, string key, string fallback) => c[key]?.GetValue<string>() ?? fallback;
    // A list of numbers, a single number (Keras writes a scalar mean so), or null.
    private static double[]? Doubles(JsonObject c, string key) => c[key] switch
    {
        null => null,
        JsonArray a => a.Select(v => v?.GetValue<double>() ?? throw new FormatException($"'{key}' holds a null")).ToArray(),
        JsonValue v => [v.GetValue<double>()],
        _ => throw new FormatException($"'{key}' is not a number or a list of numbers"),
    };
    // Keras' lookups take a vocabulary file's path (one token per line, TF's TextFileInitializer), which
    // their config keeps as that string: read here as Keras reads it (it was ignored: a layer with no
    // vocabulary, every token out of it). A missing file is named; "tf_idf" refuses a file, as Keras does.
    private static string[]? VocabularyFile(JsonObject c)
    {
        if (c["vocabulary"] is not JsonValue v || !v.TryGetValue(out string? path)) return null;
        if (String(c, "output_mode", "int") is "tf_idf" or "tf-idf")
            throw new NotSupportedException($"'vocabulary' is the file '{path}', but output_mode 'tf_idf' does not support loading a vocabulary from a file (as in Keras)");
        if (!File.Exists(path))
            throw new FileNotFoundException($"Layer '{c["name"]}': the vocabulary file '{path}' does not exist.", path);
        return File.ReadAllLines(path);
    }

    // A number or a list of numbers nested to any depth, flattened row-major (Keras writes a mean of shape (2, 3) as [[...], [...]]).
    private static double[]? Nested(JsonObject c, string key) => c[key] is JsonArray a ? Flatten(a, key).ToArray() : Doubles(c, key);
    private static IEnumerable<double> Flatten(JsonArray a, string key) => a.SelectMany(v => v switch
    {
        JsonArray inner => Flatten(inner, key),
        JsonValue number => [number.GetValue<double>()],
        _ => throw new FormatException($"'{key}' holds a null"),
    });
    private static string[]? Strings(JsonObject c, string key) =>
        c[key] is JsonArray a ? a.Select(t => t?.GetValue<string>() ?? throw new FormatException($"'{key}' holds a null")).ToArray() : null;
    // Keras' salt of Hashing and StringLookup: null, one integer for both key words, or two.
    private static long[]? Salt(JsonObject c) => c["salt"] switch
    {
        null => null,
        JsonArray a => a.Select(v => v?.GetValue<long>() ?? throw new FormatException("'salt' holds a null")).ToArray(),
        JsonValue v => [v.GetValue<long>()],
        _ => throw new FormatException("'salt' is not an integer or a list of integers"),
    };
    // Keras writes pairs such as kernel_size as a list; a single number stands for both.
    private static int[] Ints(JsonObject c, string key) => c[key] switch
    {
        JsonArray a => a.Select(v => v?.GetValue<int>() ?? throw new FormatException($"'{key}' holds a null")).ToArray(),
        JsonValue v => [v.GetValue<int>()],
        _ => throw new FormatException($"'{key}' is missing"),
    };
    // A 1-D layer's window entry: Keras writes a list of one ([3]); a bare number is read too.
    private static int One(JsonObject c, string key, int? fallback = null) =>
        c[key] is null && fallback is { } f ? f
        : Ints(c, key) is [var value] ? value
        : throw new FormatException($"'{key}' of a 1-D layer must hold one value, got {c[key]!.ToJsonString()}");
    // A dropout's noise_shape: null, or a list of sizes and nulls (the input's size).
    private static int?[]? NoiseShape(JsonObject c) => c["noise_shape"] is JsonArray noise ? noise.Select(d => d?.GetValue<int>()).ToArray() : null;
    // The padding/cropping amounts of a layer of `rank` spatial axes, in any form Keras writes.
    private static (int, int)[] Sides(JsonObject c, string key, int rank) => Layers.SpatialSides.FromJson(c[key], key, rank);
    // Keras writes null for "the backend's image_data_format", which is channels_last.

    private static string DataFormat(JsonObject c) => c["data_format"]?.GetValue<string>() ?? "channels_last";
    // An input's [batch, dims...], the batch null (any) unless fixed.
    private static int?[] BatchInputShape(JsonObject c) => c["batch_input_shape"] is JsonArray a && a.Count > 0
        ? a.Select(v => v?.GetValue<int>()).ToArray()
        : throw new FormatException("'batch_input_shape' is missing");
    private static DType DTypeOf(JsonObject c) => DTypeNamed(c["dtype"]?.GetValue<string>());

    /// <summary>The dtype a Keras config names ("float32", "int32", ...; absent: float32).</summary>
    internal static DType DTypeNamed(string? name) => name switch
    {
        null or "float32" => DType.Float32,
        "float64" => DType.Float64,
        "float16" => DType.Float16,
        "int32" => DType.Int32,
        "int64" => DType.Int64,
        "uint8" => DType.UInt8,
        "bool" => DType.Bool,
        // A text Input (Input(shape=(1,), dtype="string") feeding a StringLookup, the structured-data tutorial's model).
        "string" => DType.String,
        var other => throw new FormatException($"'dtype' names an unknown type '{other}'"),
    };
    // A layer's "dtype": a policy's name (NeuralFlow's and tf.keras' files), or Keras 3's DTypePolicy object
    // ({"module": "keras", "class_name": "DTypePolicy", "config": {"name": ...}}). Absent: the layer keeps the
    // policy it was made with. A bfloat16 policy loads as float32 (no bfloat16 here), saying so; the integer
    // policies of preprocessing layers ("int64") leave the layer's own.
    private static DTypePolicy? PolicyOf(JsonObject c, string file)
    {
        string? name = (c["dtype"] is JsonObject policy ? policy["config"]?["name"] : c["dtype"])?.GetValue<string>();
        switch (name)
        {
            case "float32" or "float64" or "float16" or "mixed_float16":
                return new DTypePolicy(name);
            case "bfloat16" or "mixed_bfloat16":
                NF.Warn($"Load: '{file}': layer '{c["name"]}' has the dtype policy \"{name}\"; NeuralFlow has no bfloat16, so it computes in float32.");
                return new DTypePolicy("float32");
            default:
                return null;
        }
    }
    private static bool Bool(JsonObject c, string key, bool fallback) => c[key]?.GetValue<bool>() ?? fallback;
    private static ActivationFunction? Activation(JsonObject c, string key) =>
        c[key]?.GetValue<string>() is { } name ? ActivationFunction.Get(name) : null;
    private static Initializer? Initializer(JsonObject c, string key) =>
        Keras.Initializer.FromConfig(c[key]);
}
