namespace NeuralFlow.Keras;

public partial class Model
{
    /// <summary>
    /// Builds every layer's weights for inputs of <paramref name="inputShape"/> without data
    /// (Keras' <c>model.build(input_shape)</c>), so <see cref="Summary"/>, <see cref="Layer.Variables"/>,
    /// <see cref="Layer.CountParams"/> and <see cref="LoadWeights"/> work before <c>Fit</c>.
    /// The shape is one example's, without the batch axis, as <see cref="Layers.Input(int[], DType?, string?, int?, bool)"/> takes it:
    /// Keras' <c>model.build((None, 28, 28, 1))</c> is <c>model.Build([28, 28, 1])</c>.
    /// <list type="bullet">
    /// <item>A <see cref="Sequential"/> gets an input layer of that shape first, as Keras' Sequential.build
    /// does, so a layer added later is built at once; one that starts with an input must be given its shape.</item>
    /// <item>A functional model is built when made: the shape must be its input's.</item>
    /// <item>A subclassed model runs its <c>Call</c> once on zeros of one example, in inference mode,
    /// with no tape recording (its layers build as on a first call).</item>
    /// </list>
    /// A shape a layer cannot take (a wrong rank: [28, 28] for a Conv2D) is an <see cref="ArgumentException"/>
    /// naming the layer; the layers before it stay built for that shape, as in Keras.
    /// </summary>
    /// <param name="inputShape">The shape of one example, without the batch axis.</param>
    /// <param name="dtype">The element type of the inputs (Int32 for an Embedding's indices).</param>
    public virtual void Build(int[] inputShape, DType dtype = DType.Float32)
    {
        CheckBuildShape(inputShape);
        if (IsFunctional)
        {
            if (Inputs.Count != 1)
                throw new ArgumentException($"Build: {Name} has {Inputs.Count} inputs and was built when made; Build takes the shape of a model of one input.", nameof(inputShape));
            if (!Inputs[0].TrailingDims.SequenceEqual(inputShape))
                throw new ArgumentException($"Build: {Name} takes inputs of shape {KerasTensor.Format(Inputs[0].Shape)}, not {BatchFormat(inputShape)}.", nameof(inputShape));
            return;
        }
        BuildingLayer(this, inputShape, () => Probe([new Shape([1, .. inputShape])], [dtype], CallArgs.One));
    }

    private protected static void CheckBuildShape(int[] inputShape)
    {
        ArgumentNullException.ThrowIfNull(inputShape);
        if (inputShape.Any(d => d < 0))
            throw new ArgumentException($"Build: every dimension of the input shape must be known and non-negative, got {BatchFormat(inputShape)}.", nameof(inputShape));
    }

    // Keras' text of one example's shape with the batch axis: [784] -> (None, 784).
    private protected static string BatchFormat(IEnumerable<int> example) => KerasTensor.Format([null, .. example.Select(d => d < 0 ? null : (int?)d)]);

    /// <summary>
    /// Runs <paramref name="build"/>, a first call of <paramref name="layer"/> on inputs of one example
    /// shaped <paramref name="inputShape"/>; a shape it cannot take becomes an ArgumentException naming the layer.
    /// </summary>
    private protected static T BuildingLayer<T>(Layer layer, IEnumerable<int> inputShape, Func<T> build)
    {
        try { return build(); }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or NotSupportedException or IndexOutOfRangeException)
        {
            // The layer's own words, without the "(Parameter 'x')" of its argument (this one's is added).
            var reason = e is ArgumentException { ParamName: { } p } ? e.Message.Replace($" (Parameter '{p}')", "") : e.Message;
            throw new ArgumentException($"Build: {layer.Name} ({layer.GetType().Name}) cannot take inputs of shape {BatchFormat(inputShape)}: {reason}", "inputShape", e);
        }
    }
}
