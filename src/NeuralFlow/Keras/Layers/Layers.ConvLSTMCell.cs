using System.Text.Json.Nodes;

namespace NeuralFlow.Keras;

public partial class Layers
{
    /// <summary>
    /// One step of a convolutional LSTM (Keras' <c>ConvLSTMCell</c>, Shi et al. 2015): an
    /// <see cref="LSTMCell"/> whose two products are convolutions. z = conv(x_t, kernel) +
    /// conv_same(h_{t-1}, recurrent_kernel) + bias, split along the channels into the gate blocks
    /// i, f, c, o; c_t = f * c_{t-1} + i * activation(c̃), h_t = o * activation(c_t). The input
    /// convolution has the cell's strides, padding and dilation; the recurrent one is stride 1,
    /// "same", undilated, so the states keep the size of the input convolution's output. Weights in
    /// Keras' layout: kernel [k..., channels, 4 * filters], recurrent_kernel [k..., filters, 4 * filters],
    /// bias [4 * filters]. The states h and c are feature maps [batch, spatial..., filters] (or
    /// [batch, filters, spatial...] channels_first), sized at build from the step's spatial shape.
    /// <see cref="ConvLSTM1D"/>, <see cref="ConvLSTM2D"/> and <see cref="ConvLSTM3D"/> run this cell.
    /// </summary>
    /// <remarks>
    /// Dropout draws one mask per sequence, shaped as a step's input (and, for recurrent dropout, as
    /// the state), and applies it to the input of all four gates, as NeuralFlow's LSTMCell does.
    /// Keras indexes one mask per gate out of a single tensor along the batch, a quirk not copied:
    /// the expected value and the inference path are the same.
    /// </remarks>
    public sealed class ConvLSTMCell : KernelCell
    {
        private readonly RandomStream? _stream;
        private int[] _stepDims = [];   // one step's input shape without the batch, fixed at build
        private int[] _stateDims = [];  // a state's shape without the batch

        /// <summary>
        /// A cell of <paramref name="rank"/> spatial axes (1, 2 or 3) and <paramref name="filters"/>
        /// output channels; window, strides and dilation take one value (every axis) or one per axis.
        /// Activation null means tanh, recurrent activation null sigmoid ("linear" for none).
        /// </summary>
        public ConvLSTMCell(int rank, int filters, int[] kernelSize, int[]? strides = null, string padding = "valid",
                            string dataFormat = "channels_last", int[]? dilationRate = null,
                            ActivationFunction? activation = null, ActivationFunction? recurrentActivation = null, bool useBias = true,
                            Initializer? kernelInitializer = null, Initializer? recurrentInitializer = null, Initializer? biasInitializer = null,
                            bool unitForgetBias = true, Regularizers.Regularizer? kernelRegularizer = null,
                            Regularizers.Regularizer? recurrentRegularizer = null, Regularizers.Regularizer? biasRegularizer = null,
                            double dropout = 0, double recurrentDropout = 0, int? seed = null, string? name = null)
            : base(name, kernelRegularizer, recurrentRegularizer, biasRegularizer)
        {
            string kind = rank is >= 1 and <= 3 ? $"ConvLSTM{rank}D" : nameof(ConvLSTMCell);
            Rank = rank is >= 1 and <= 3 ? rank : throw new ArgumentOutOfRangeException(nameof(rank), rank, $"{kind}: rank must be 1, 2 or 3 (the spatial axes).");
            Filters = filters > 0 ? filters : throw new ArgumentOutOfRangeException(nameof(filters), filters, $"{kind}: filters must be positive.");
            KernelSize = PerAxis(kind, nameof(kernelSize), kernelSize ?? throw new ArgumentNullException(nameof(kernelSize)));
            Strides = PerAxis(kind, nameof(strides), strides ?? [1]);
            DilationRate = PerAxis(kind, nameof(dilationRate), dilationRate ?? [1]);
            if (Strides.Max() > 1 && DilationRate.Max() > 1)
                throw new ArgumentException(
                    $"{kind}: strides > 1 cannot go with dilationRate > 1 (Keras' rule); got strides [{string.Join(", ", Strides)}] and dilationRate [{string.Join(", ", DilationRate)}].", nameof(dilationRate));
            Padding = PoolingArgs.Padding(kind, padding);
            DataFormat = PoolingArgs.DataFormat(kind, dataFormat);
            Activation = activation ?? "tanh";
            RecurrentActivation = recurrentActivation ?? "sigmoid";
            UseBias = useBias;
            KernelInitializer = kernelInitializer ?? Initializer.GlorotUniform;
            RecurrentInitializer = recurrentInitializer ?? Initializer.Orthogonal;
            BiasInitializer = biasInitializer ?? Initializer.Zeros;
            UnitForgetBias = unitForgetBias;
            Dropout = RecurrentCell.Rate(kind, nameof(dropout), dropout);
            RecurrentDropout = RecurrentCell.Rate(kind, nameof(recurrentDropout), recurrentDropout);
            Seed = seed;
            _stream = seed is { } s ? new RandomStream(s) : null;
        }

        // One value for every axis, or one per axis, each at least 1.
        private int[] PerAxis(string kind, string arg, int[] values) => Rank switch
        {
            1 => PoolingArgs.Single(kind, arg, PoolingArgs.OneOf(kind, arg, values)),
            2 => PoolingArgs.Pair(kind, arg, values),
            _ => PoolingArgs.Triple(kind, arg, values),
        };

        /// <summary>The number of spatial axes: 1 (sequences of vectors' rows), 2 (images), 3 (volumes).</summary>
        public int Rank { get; }

        /// <summary>The output channels (of h, and of each of the four gate blocks).</summary>
        public int Filters { get; }

        /// <summary>The window per spatial axis (of both kernels).</summary>
        public int[] KernelSize { get; }

        /// <summary>The input convolution's strides per spatial axis (the recurrent one has stride 1).</summary>
        public int[] Strides { get; }

        /// <summary>The input convolution's padding, "valid" or "same" (the recurrent one is "same").</summary>
        public string Padding { get; }

        /// <summary>"channels_last" ([batch, spatial..., channels] steps) or "channels_first" ([batch, channels, spatial...]).</summary>
        public string DataFormat { get; }

        /// <summary>The input convolution's dilation per spatial axis.</summary>
        public int[] DilationRate { get; }

        /// <summary>The activation of the candidate and of the carry on output (Keras' default tanh).</summary>
        public ActivationFunction Activation { get; }

        /// <summary>The activation of the gates i, f and o (Keras' default sigmoid).</summary>
        public ActivationFunction RecurrentActivation { get; }

        /// <summary>Whether the cell has a bias.</summary>
        public bool UseBias { get; }

        /// <summary>How the kernel starts (Glorot uniform).</summary>
        public Initializer KernelInitializer { get; }

        /// <summary>How the recurrent kernel starts (orthogonal).</summary>
        public Initializer RecurrentInitializer { get; }

        /// <summary>How the bias starts (zeros).</summary>
        public Initializer BiasInitializer { get; }

        /// <summary>Whether the bias starts with ones in the forget-gate block (Keras' default).</summary>
        public bool UnitForgetBias { get; }

        /// <summary>Fraction of the input dropped while training (one mask per sequence).</summary>
        public double Dropout { get; }

        /// <summary>Fraction of the previous output dropped before the recurrent convolution while training (one mask per sequence).</summary>
        public double RecurrentDropout { get; }

        /// <summary>The seed of the cell's dropout masks, or null (NF.Random's).</summary>
        public int? Seed { get; }

        private protected override RandomStream? OwnStream => _stream;

        private bool ChannelsFirst => DataFormat == "channels_first";

        // The channel axis of a step (and of a state), batch included: where the gate blocks lie.
        private int ChannelAxis => ChannelsFirst ? 1 : Rank + 1;

        /// <summary>Two states, h and c, each of <see cref="Filters"/> channels (their spatial size is fixed at build).</summary>
        public override IReadOnlyList<int> StateSize => [Filters, Filters];

        internal override DType StateDType => Kernel?.DType ?? VariableDType;

        internal override int StepRank => Rank + 2;

        internal override string StepLayout => $"{PoolingArgs.Layout(Rank, ChannelsFirst)}";

        internal override Shape StateShape(int batch, int index) => Built
            ? new Shape([batch, .. _stateDims])
            : throw new InvalidOperationException($"{Name}: a {GetType().Name}'s states take the spatial size of its input: build it (call it, or EnsureBuilt) first.");

        internal override Shape StepOutputShape(int batch) => StateShape(batch, 0);

        /// <inheritdoc/>
        public override JsonObject GetConfig()
        {
            var c = base.GetConfig();
            c["filters"] = Filters;
            PoolingArgs.WindowConfig(c, "kernel_size", KernelSize, Strides, Padding, DataFormat);
            c["dilation_rate"] = PoolingArgs.Json(DilationRate);
            c["activation"] = ConfigName(Activation);
            c["recurrent_activation"] = ConfigName(RecurrentActivation);
            c["use_bias"] = UseBias;
            c["kernel_initializer"] = KernelInitializer.ToConfig();
            c["recurrent_initializer"] = RecurrentInitializer.ToConfig();
            c["bias_initializer"] = BiasInitializer.ToConfig();
            c["unit_forget_bias"] = UnitForgetBias;
            // Keras writes the constraints always, null when unset.
            c["kernel_constraint"] = KernelConstraint?.GetConfig();
            c["recurrent_constraint"] = RecurrentConstraint?.GetConfig();
            c["bias_constraint"] = BiasConstraint?.GetConfig();
            c["dropout"] = Dropout;
            c["recurrent_dropout"] = RecurrentDropout;
            c["seed"] = Seed;
            return c;
        }

        /// <inheritdoc/>
        protected override void Build(Shape inputShape)
        {
            if (inputShape.Rank != StepRank)
                throw new ArgumentException($"{Name}: a {GetType().Name} of rank {Rank} takes steps {StepLayout}, got shape {inputShape}.", "input");
            var dims = inputShape.ToArray();
            int channels = dims[ChannelAxis];
            int[] spatial = ChannelsFirst ? dims[2..] : dims[1..^1];
            if (channels < 1 || spatial.Any(d => d < 1))
                throw new ArgumentException($"{Name}: a {GetType().Name} needs steps with channels and spatial sizes of at least 1, got shape {inputShape}.", "input");
            string[] axes = Rank switch { 1 => ["steps"], 2 => PoolingArgs.ImageAxes, _ => PoolingArgs.VolumeAxes };
            var outSpatial = spatial.Select((n, a) => NF.ConvOutputLength(Name, axes[a], n, KernelSize[a], Strides[a], DilationRate[a], Padding)).ToArray();
            _stepDims = dims[1..];
            _stateDims = ChannelsFirst ? [Filters, .. outSpatial] : [.. outSpatial, Filters];
            Kernel = AddWeight("kernel", [.. KernelSize, channels, 4 * Filters], KernelInitializer);
            RecurrentKernel = AddWeight("recurrent_kernel", [.. KernelSize, Filters, 4 * Filters], RecurrentInitializer);
            if (UseBias)
                Bias = AddWeight("bias", [4 * Filters], new Initializer(BiasInitializer.Name,
                    (s, fanIn, fanOut) => UnitForgetBias ? LSTMCell.ForgetOnes(BiasInitializer, Filters) : BiasInitializer.Create(s, fanIn, fanOut)));
        }

        /// <inheritdoc/>
        protected override (Tensor Output, Tensor[] States) Forward(Tensor input, IReadOnlyList<Tensor> states) =>
            BeginSteps(input.Shape[0])(input, [.. states]);

        // One step's input at a time (the cell called on its own, or inside a stack): the dropout masks drawn once.
        internal override Func<Tensor, Tensor[], (Tensor Output, Tensor[] States)> BeginSteps(int batch)
        {
            var (inputMask, recurrentMask) = DropoutMasks(batch);
            return (x, states) =>
            {
                var input = Checked(x, x.Shape.ToArray()[1..]);
                if (inputMask is not null) input = input * inputMask;
                return Next(InputConv(input), states, recurrentMask);
            };
        }

        // A whole sequence [batch, steps, ...]: the input convolution of every step at once (steps * batch
        // maps through one convolution), then the steps, each with its recurrent convolution.
        internal override Func<int, Tensor[], (Tensor Output, Tensor[] States)> BeginSequence(Tensor x)
        {
            int batch = x.Shape[0], steps = x.Shape[1];
            var input = Checked(x, x.Shape.ToArray()[2..]);
            var (inputMask, recurrentMask) = DropoutMasks(batch);
            if (inputMask is not null) input = input * NF.ExpandDims(inputMask, 1);
            // Time-major, so each step's maps are one contiguous block of the convolution's output.
            int[] order = [1, 0, .. Enumerable.Range(2, Rank + 1)];
            var timeMajor = NF.Reshape(NF.Transpose(input, order), [steps * batch, .. _stepDims]);
            var projected = InputConv(timeMajor);
            var perStep = Unstack(NF.Reshape(projected, [steps, batch, .. projected.Shape.ToArray()[1..]]));
            return (t, states) => Next(perStep[t], states, recurrentMask);
        }

        private (Tensor Output, Tensor[] States) Next(Tensor projected, Tensor[] states, Tensor? recurrentMask)
        {
            var h = recurrentMask is null ? states[0] : states[0] * recurrentMask;
            var z = projected + Convolve(h, RecurrentKernel!, [1], "same", [1]);
            var next = LSTMCell.LstmUpdate(z, states[1], ChannelAxis, Activation, RecurrentActivation);
            return (next[0], next);
        }

        // conv(x, kernel) + bias: all four gate blocks at once (the kernel's 4 * filters output channels).
        private Tensor InputConv(Tensor x)
        {
            var y = Convolve(x, Kernel!, Strides, Padding, DilationRate);
            if (Bias is null) return y;
            // channels_first puts the channels before the spatial axes: the bias broadcasts as [4F, 1, ...].
            return y + (ChannelsFirst ? NF.Reshape(Bias, [4 * Filters, .. Enumerable.Repeat(1, Rank)]) : Bias);
        }

        private Tensor Convolve(Tensor x, Tensor kernel, int[] strides, string padding, int[] dilation) => Rank switch
        {
            1 => NF.Conv1D(x, kernel, strides[0], padding, dilation[0], dataFormat: DataFormat),
            2 => NF.Conv2D(x, kernel, strides, padding, dilation, dataFormat: DataFormat),
            _ => NF.Conv3D(x, kernel, strides, padding, dilation, dataFormat: DataFormat),
        };

        // The input checked against the build's step shape (the states' size depends on it) and cast to the kernel's type (integers too, as LSTMCell's).
        private Tensor Checked(Tensor x, int[] stepDims)
        {
            if (!stepDims.AsSpan().SequenceEqual(_stepDims))
                throw new ArgumentException(
                    $"{Name}: was built for steps of shape {new Shape(_stepDims)} (the states' size follows it), got inputs of shape {x.Shape}.", nameof(x));
            return x.DType == Kernel!.DType ? x : NF.Cast(x, Kernel.DType);
        }

        // The input and recurrent dropout masks of one call (a step's shape and a state's), while training and only for a rate.
        private (Tensor? Input, Tensor? Recurrent) DropoutMasks(int batch)
        {
            if (!IsTraining) return (null, null);
            var dtype = Kernel!.DType;
            return (Dropout > 0 ? RecurrentCell.DropoutMask([batch, .. _stepDims], Dropout, dtype, _stream) : null,
                    RecurrentDropout > 0 ? RecurrentCell.DropoutMask(StateShape(batch, 0), RecurrentDropout, dtype, _stream) : null);
        }
    }
}
