using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace NeuralFlow.Keras;

public partial class Layers
{
    /// <summary>
    /// A dense layer of any dimensionality, computed by <see cref="NF.Einsum"/>
    /// (<c>keras.layers.EinsumDense</c>): <c>activation(einsum(equation, x, kernel) + bias)</c>.
    /// The equation takes the form "ab,bc->ac", "...b,bc->...c" or "ab...,bc->ac..."; the kernel's
    /// shape follows from it: each kernel letter takes its size from the input, or else from
    /// <see cref="PartialOutputShape"/> (the output's shape without the batch axis and the "..." axes).
    /// <see cref="BiasAxes"/> names the output letters that get a bias (none: no bias), as Keras.
    /// Keras' examples: <c>EinsumDense("ab,bc->ac", 64, biasAxes: "c")</c> maps [N, 32] to [N, 64];
    /// <c>EinsumDense("abc,cd->abd", [null, 64], biasAxes: "d")</c> maps [N, 32, 128] to [N, 32, 64].
    /// (Keras' kernel and bias constraints and LoRA are not offered.)
    /// </summary>
    public sealed class EinsumDense : Layer
    {
        private readonly int?[] _outputShape;
        private int?[]? _fullOutputShape;

        /// <summary>An EinsumDense whose output (without batch and "..." axes) is the one axis <paramref name="outputShape"/>.</summary>
        public EinsumDense(string equation, int outputShape, ActivationFunction? activation = null, string? biasAxes = null,
                           Initializer? kernelInitializer = null, Initializer? biasInitializer = null,
                           Regularizers.Regularizer? kernelRegularizer = null, Regularizers.Regularizer? biasRegularizer = null,
                           Regularizers.Regularizer? activityRegularizer = null, string? name = null)
            : this(equation, [outputShape], activation, biasAxes, kernelInitializer, biasInitializer, kernelRegularizer, biasRegularizer, activityRegularizer, name) { }

        /// <summary>
        /// An EinsumDense whose output, without the batch axis and the "..." axes, has shape
        /// <paramref name="outputShape"/>; null entries are sizes taken from the input.
        /// </summary>
        public EinsumDense(string equation, int?[] outputShape, ActivationFunction? activation = null, string? biasAxes = null,
                           Initializer? kernelInitializer = null, Initializer? biasInitializer = null,
                           Regularizers.Regularizer? kernelRegularizer = null, Regularizers.Regularizer? biasRegularizer = null,
                           Regularizers.Regularizer? activityRegularizer = null, string? name = null)
            : base(name, activityRegularizer)
        {
            ArgumentNullException.ThrowIfNull(equation);
            ArgumentNullException.ThrowIfNull(outputShape);
            if (outputShape.Any(d => d is <= 0))
                throw new ArgumentOutOfRangeException(nameof(outputShape), $"EinsumDense: output_shape sizes must be positive (or null), got [{Text(outputShape)}].");
            Equation = equation;
            Specs = Split(equation);
            _outputShape = (int?[])outputShape.Clone();
            if (biasAxes is not null)
            {
                if (biasAxes.Length == 0)
                    throw new ArgumentException("EinsumDense: bias_axes is empty; give the output letters to add a bias on, or null for no bias.", nameof(biasAxes));
                foreach (char c in biasAxes)
                    if (!Specs.Output.Contains(c))
                        throw new ArgumentException($"EinsumDense: bias dimension '{c}' was requested, but is not part of the output spec '{Specs.Output}'.", nameof(biasAxes));
            }
            BiasAxes = biasAxes;
            Activation = activation;
            KernelInitializer = kernelInitializer ?? Initializer.GlorotUniform;
            BiasInitializer = biasInitializer ?? Initializer.Zeros;
            KernelRegularizer = kernelRegularizer;
            BiasRegularizer = biasRegularizer;
        }

        /// <summary>The einsum equation of the input and the kernel.</summary>
        public string Equation { get; }

        /// <summary>The output's shape without the batch axis and the "..." axes, as given (null: from the input).</summary>
        public int?[] PartialOutputShape => (int?[])_outputShape.Clone();

        /// <summary>The output letters with a bias, or null for no bias.</summary>
        public string? BiasAxes { get; }

        /// <summary>The activation, or null for linear.</summary>
        public ActivationFunction? Activation { get; }

        /// <summary>How the kernel starts (Keras' default: Glorot uniform).</summary>
        public Initializer KernelInitializer { get; }

        /// <summary>How the bias starts (zeros).</summary>
        public Initializer BiasInitializer { get; }

        /// <summary>A penalty on the kernel (Keras' kernel_regularizer).</summary>
        public Regularizers.Regularizer? KernelRegularizer { get; set; }

        /// <summary>A penalty on the bias (Keras' bias_regularizer).</summary>
        public Regularizers.Regularizer? BiasRegularizer { get; set; }

        /// <summary>The kernel, shaped by the equation's kernel letters, once built.</summary>
        public Variable? Kernel { get; private set; }

        /// <summary>The bias, once built (null without <see cref="BiasAxes"/>).</summary>
        public Variable? Bias { get; private set; }

        /// <summary>The output's full shape for the build input (Keras' full_output_shape); null entries are unknown sizes.</summary>
        public int?[]? FullOutputShape => _fullOutputShape?.ToArray();

        private protected override IEnumerable<RegularizerSlot> RegularizerSlots =>
        [
            new("kernel_regularizer", Kernel, KernelRegularizer, r => KernelRegularizer = r),
            new("bias_regularizer", Bias, BiasRegularizer, r => BiasRegularizer = r),
        ];

        /// <summary>A projection of the kernel after each optimizer step (Keras' kernel_constraint), set in an initializer.</summary>
        public Constraints.Constraint? KernelConstraint { get; set { field = value; SyncConstraints(); } }

        /// <summary>A projection of the bias after each optimizer step (Keras' bias_constraint).</summary>
        public Constraints.Constraint? BiasConstraint { get; set { field = value; SyncConstraints(); } }

        private protected override IEnumerable<ConstraintSlot> ConstraintSlots =>
        [
            new("kernel_constraint", Kernel, KernelConstraint, c => KernelConstraint = c),
            new("bias_constraint", Bias, BiasConstraint, c => BiasConstraint = c),
        ];

        // The equation's three letter groups and where its "..." stands (Keras' three accepted forms).
        private sealed record EquationSpecs(string Input, string Weight, string Output, bool LeftElided, bool RightElided);

        private static EquationSpecs Split(string equation)
        {
            string eq = equation.Replace(" ", "").Replace("...", "0");
            if (Regex.Match(eq, "^([a-zA-Z]+),([a-zA-Z]+)->([a-zA-Z]+)$") is { Success: true } plain)
                return new(plain.Groups[1].Value, plain.Groups[2].Value, plain.Groups[3].Value, false, false);
            if (Regex.Match(eq, "^0([a-zA-Z]+),([a-zA-Z]+)->0([a-zA-Z]+)$") is { Success: true } left)
                return new(left.Groups[1].Value, left.Groups[2].Value, left.Groups[3].Value, true, false);
            if (Regex.Match(eq, "^([a-zA-Z]{2,})0,([a-zA-Z]+)->([a-zA-Z]+)0$") is { Success: true } right)
                return new(right.Groups[1].Value, right.Groups[2].Value, right.Groups[3].Value, false, true);
            throw new ArgumentException(
                $"EinsumDense: invalid einsum equation '{equation}'. Equations must be in the form [X],[Y]->[Z], ...[X],[Y]->...[Z], or [X]...,[Y]->[Z]....", nameof(equation));
        }

        private EquationSpecs Specs { get; }

        /// <inheritdoc/>
        protected override void Build(Shape inputShape)
        {
            var (kernel, bias, full) = Analyze(inputShape);
            _fullOutputShape = full;
            Kernel = AddWeight("kernel", kernel, KernelInitializer);
            if (bias is not null) Bias = AddWeight("bias", bias, BiasInitializer);
        }

        // Keras' _analyze_split_string: the kernel's shape, the bias's (aligned with the output's
        // trailing axes) and the full output shape, from the input shape and the partial output shape.
        private (int[] Kernel, int[]? Bias, int?[] Output) Analyze(Shape inputShape)
        {
            var (input, weight, output, left, right) = Specs;
            int rank = inputShape.Rank;
            int elided = rank - input.Length;
            if (elided < 0 || (elided > 0 && !left && !right))
                throw new ArgumentException(
                    $"{Name}: the equation '{Equation}' names {input.Length} input axes{(left || right ? " (and \"...\")" : "")}, but the input has shape {inputShape}.");
            // The output spec names the batch axis unless "..." leads (then "..." holds it).
            int named = left ? output.Length : output.Length - 1;
            if (named != _outputShape.Length)
                throw new ArgumentException(
                    $"{Name}: output_shape [{Text(_outputShape)}] has {_outputShape.Length} sizes, but the output spec '{output}' needs {named} (one per letter{(left ? "" : ", the batch's left out")}).");
            // The full output: the batch size, the sizes given, the "..." axes where they stand.
            var full = new List<int?> { inputShape[0] };
            full.AddRange(_outputShape);
            if (left) full.InsertRange(1, Enumerable.Range(1, Math.Max(0, elided - 1)).Select(i => (int?)inputShape[i]));
            if (right) full.AddRange(Enumerable.Range(rank - elided, elided).Select(i => (int?)inputShape[i]));
            int inputAt(char c) => input.IndexOf(c) + (left ? elided : 0);
            int outputAt(char c) => output.IndexOf(c) + (left ? elided : 0);
            foreach (char c in input)
            {
                if (!output.Contains(c)) continue;
                var at = full[outputAt(c)];
                if (at is { } size && size != inputShape[inputAt(c)])
                    throw new ArgumentException($"{Name}: input shape and output shape do not match at shared dimension '{c}'. Input shape is {inputShape[inputAt(c)]}, and output shape is {size}.");
                full[outputAt(c)] = inputShape[inputAt(c)];
            }
            foreach (char c in output)
                if (!input.Contains(c) && !weight.Contains(c))
                    throw new ArgumentException($"{Name}: dimension '{c}' was specified in the output '{output}' but has no corresponding dim in the input spec '{input}' or weight spec '{weight}'.");
            int Known(char c, string what) => full[outputAt(c)]
                ?? throw new ArgumentException($"{Name}: the size of {what} '{c}' is unknown; give it in output_shape.");
            var kernel = weight.Select(c =>
                input.Contains(c) ? inputShape[inputAt(c)]
                : output.Contains(c) ? Known(c, "kernel dimension")
                : throw new ArgumentException($"{Name}: weight dimension '{c}' did not have a match in either the input spec '{input}' or the output spec '{output}'. For this layer, the weight must be fully specified.")).ToArray();
            int[]? bias = null;
            if (BiasAxes is not null)
            {
                int first = BiasAxes.Min(c => output.IndexOf(c));
                bias = output[first..].Select(c => BiasAxes.Contains(c) ? Known(c, "bias dimension") : 1)
                    .Concat(Enumerable.Repeat(1, right ? elided : 0)).ToArray();
            }
            return (kernel, bias, full.ToArray());
        }

        /// <summary>True: reads its weights as float16 under a mixed policy (<see cref="Layer.ReadWeight"/>).</summary>
        private protected override bool ComputesWithMixedWeights => true;

        /// <inheritdoc/>
        [MethodImpl(Hot)]
        protected override Tensor Forward(Tensor x)
        {
            var kernel = ReadWeight(Kernel!);
            var input = x.DType == kernel.DType ? x : NF.Cast(x, kernel.DType);
            Tensor y;
            try
            {
                y = NF.Einsum(Equation, input, kernel);
            }
            catch (ArgumentException e)
            {
                throw new ArgumentException($"{Name}: was built for inputs of shape {BuildInputShape} and got {x.Shape}: {e.Message}", nameof(x), e);
            }
            if (Bias is not null) y = y + ReadWeight(Bias);
            return Activation is null ? y : Activation.Apply(y);
        }

        /// <inheritdoc/>
        public override JsonObject GetConfig()
        {
            var c = base.GetConfig();
            c["equation"] = Equation;
            c["output_shape"] = new JsonArray(_outputShape.Select(d => d is { } v ? (JsonNode)v : null).ToArray());
            c["activation"] = Activation is null ? "linear" : ConfigName(Activation);
            c["bias_axes"] = BiasAxes;
            c["kernel_initializer"] = KernelInitializer.ToConfig();
            c["bias_initializer"] = BiasInitializer.ToConfig();
            return c;
        }

        private static string Text(int?[] shape) => string.Join(", ", shape.Select(d => d?.ToString() ?? "None"));
    }
}
