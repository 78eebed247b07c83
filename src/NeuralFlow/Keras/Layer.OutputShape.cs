namespace NeuralFlow.Keras;

public abstract partial class Layer
{
    /// <summary>
    /// The shape of this layer's output for inputs of <paramref name="inputShape"/>, batch axis first
    /// and null where a dimension is unknown (Keras' <c>compute_output_shape</c>):
    /// <c>new Layers.Dense(10).ComputeOutputShape([null, 784])</c> is <c>[null, 10]</c>.
    /// Dense, Embedding and the recurrent layers answer from their arguments without building their
    /// weights, as Keras' do; every other layer answers by the functional API's own rule, a run on
    /// zeros, of an unbuilt copy when the layer is not built yet: neither builds this layer nor changes
    /// the random numbers its weights will be drawn from (Keras' Conv2D answers by formula, unbuilt). A custom layer may override it: a functional call then takes the
    /// output shape from it instead of running the layer (Keras' <c>compute_output_spec</c>), after
    /// building the layer for the input.
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="inputShape"/> is null.</exception>
    /// <exception cref="ArgumentException">The shape has no batch axis or a dimension below 0, or the layer does not take such inputs.</exception>
    /// <exception cref="InvalidOperationException">The layer returns several tensors (an RNN with <c>returnState</c>): call <see cref="ComputeOutputShapes"/>.</exception>
    public virtual int?[] ComputeOutputShape(int?[] inputShape)
    {
        var outputs = ProbedOutputShapes([CheckedShape(inputShape, nameof(inputShape))], CallArgs.One);
        return outputs.Length == 1 ? outputs[0] : throw new InvalidOperationException(
            $"{Name} ({GetType().Name}) returns {outputs.Length} tensors: call ComputeOutputShapes for all their shapes.");
    }

    /// <summary>
    /// The output shape of a layer of several inputs (<c>Layers.Concatenate</c>, <c>Layers.Add</c>, a
    /// model of several inputs), as Keras' <c>compute_output_shape([shape_a, shape_b])</c>:
    /// <c>new Layers.Concatenate().ComputeOutputShapeOfList([[null, 3], [null, 5]])</c> is <c>[null, 8]</c>.
    /// (A name of its own: with one name, a shape of unknown dimensions such as <c>[null, null]</c>
    /// could be read either way.)
    /// </summary>
    /// <exception cref="ArgumentException">An empty list, a shape without batch axis or a negative dimension, or shapes the layer cannot join.</exception>
    /// <exception cref="InvalidOperationException">The layer returns several tensors: call <see cref="ComputeOutputShapes"/>.</exception>
    public virtual int?[] ComputeOutputShapeOfList(IReadOnlyList<int?[]> inputShapes)
    {
        var outputs = ProbedOutputShapes(CheckedShapes(inputShapes), CallArgs.List);
        return outputs.Length == 1 ? outputs[0] : throw new InvalidOperationException(
            $"{Name} ({GetType().Name}) returns {outputs.Length} tensors: call ComputeOutputShapes for all their shapes.");
    }

    /// <summary>
    /// The shapes of every output for inputs of <paramref name="inputShape"/> (a layer that returns
    /// several tensors, such as an LSTM with <c>returnState</c>: output, then the states), by a run on zeros.
    /// </summary>
    public int?[][] ComputeOutputShapes(int?[] inputShape)
    {
        var shape = CheckedShape(inputShape, nameof(inputShape));
        var overridden = DeclaredShape(shape);
        return overridden is not null ? [overridden] : ProbedOutputShapes([shape], CallArgs.One);
    }

    // The run on zeros leaves this layer as it was, as Keras' compute_output_shape does: a layer not
    // yet built is probed through an unbuilt copy from its config (building this one would fix its
    // weights to the probed shape, so a later call on other channels would be refused), and the
    // random numbers the copy's initializers drew are given back, so that the weights drawn after
    // it are those drawn without it.
    private int?[][] ProbedOutputShapes(int?[][] inputShapes, CallArgs args)
    {
        var probe = Built ? this : UnbuiltCopy() ?? this;
        long drawn = NF.Random.State.Offset;
        try
        {
            return probe.InferOutputs(inputShapes, inputShapes.Select(_ => ComputeDType).ToArray(), args).Select(o => o.Shape).ToArray();
        }
        finally
        {
            if (!ReferenceEquals(probe, this)) NF.Random.Rewind(NF.Random.State.Offset, drawn);
        }
    }

    // A copy of this layer from its config (Models.CloneLayer), or null for one that has no config
    // to copy (a custom layer not registered for serialization): that one is probed itself.
    private Layer? UnbuiltCopy()
    {
        if (this is Model) return null;  // a model's layers are built by its construction
        try { return Models.CloneLayer(this); }
        catch (Exception e) when (e is NotSupportedException or InvalidDataException or InvalidOperationException or ArgumentException or KeyNotFoundException)
        {
            return null;
        }
    }

    /// <summary>The output shape a custom layer's own <see cref="ComputeOutputShape(int?[])"/> gives, or null for a NeuralFlow layer (whose answer is its run).</summary>
    private int?[]? DeclaredShape(int?[] inputShape) => OverridesComputeOutputShape ? ComputeOutputShape(inputShape) : null;

    /// <summary>
    /// A functional call of a custom layer that overrides <see cref="ComputeOutputShape(int?[])"/>: built
    /// for the input, the output shape taken from the override and the dtype from the weights, as
    /// Keras' compute_output_spec; null for every other call (which runs the layer on zeros).
    /// </summary>
    private (int?[] Shape, DType DType)[]? DeclaredOutput(KerasTensor[] inputs, CallArgs args)
    {
        if (inputs.Length != 1 || !args.Plain || args.ListCall || !OverridesComputeOutputShape) return null;
        var shape = inputs[0].Shape.ToArray();
        EnsureBuilt(ProbeShapes([shape], UnknownLength)[0]);
        var output = ComputeOutputShape(shape) ?? throw new InvalidOperationException($"{Name} ({GetType().Name}): ComputeOutputShape returned null for {KerasTensor.Format(shape)}.");
        if (output.Any(d => d < 0))
            throw new InvalidOperationException($"{Name} ({GetType().Name}): ComputeOutputShape returned {KerasTensor.Format(output)}, which has a negative dimension.");
        return [(output, ComputeDType)];
    }

    /// <summary>
    /// The output shape a built-in layer gives by formula, without running (Keras' compute_output_shape),
    /// for an unbuilt layer's input of this shape; null where the layer's run on zeros decides (and says
    /// what is wrong with an input it cannot take).
    /// </summary>
    private protected virtual int?[]? ShapeRule(int?[] inputShape) => null;

    /// <summary>
    /// <see cref="ShapeRule"/> of a layer called on a list (the merges): the output shape and the shape the
    /// layer builds for (its first input as its call sees it), or null where the run on zeros decides.
    /// </summary>
    private protected virtual (int?[] Output, int?[] BuildShape)? ShapeRuleOfList(int?[][] inputShapes) => null;

    /// <summary>Whether the rule's output in <see cref="Layer.ComputeDType"/> holds for an input of <paramref name="dtype"/>: one already in it (no cast to reason about).</summary>
    private protected virtual bool RuleTakes(DType dtype) => dtype == ComputeDType;

    /// <summary>
    /// A functional call answered by <see cref="ShapeRule"/> or <see cref="ShapeRuleOfList"/>: the layer
    /// built for the input, its output in its compute dtype, no mask. Only where a run on zeros would tell
    /// nothing more: an unbuilt layer (a built one's run checks the input against its weights), plain
    /// inputs without masks, of a dtype the rule takes, with no empty axis. A run costs what the layer costs
    /// on one example: for EfficientNetB7's convolutions at 600x600 most of the model's build time.
    /// </summary>
    private (int?[] Shape, DType DType)[]? RuledOutput(KerasTensor[] inputs, CallArgs args)
    {
        if (Built || !ShapeRulesOn || !args.Plain || (inputs.Length != 1 && !args.ListCall)) return null;
        if (inputs.Any(t => t.MaskRank != 0 || !RuleTakes(t.DType) || t.Shape.Any(d => d == 0))) return null;
        var shapes = inputs.Select(t => t.Shape.ToArray()).ToArray();
        int?[] output, buildShape;
        if (args.ListCall)
        {
            if (ShapeRuleOfList(shapes) is not { } ruled) return null;
            (output, buildShape) = ruled;
        }
        else
        {
            if (ShapeRule(shapes[0]) is not { } ruled) return null;
            (output, buildShape) = (ruled, shapes[0]);
        }
        EnsureBuilt(ProbeShapes([buildShape], UnknownLength)[0]);
        // What a run on zeros (one example) leaves in OutputShape, where the rule knows every length.
        if (output.Skip(1).All(d => d is not null)) OutputShape = new Shape([output[0] ?? 1, .. output.Skip(1).Select(d => d!.Value)]);
        RuledLayers?.Add(this);
        return [(output, ComputeDType)];
    }

    /// <summary>When set, every layer whose functional call took its shape from its rule is added (tests tell a rule from a run by it).</summary>
    internal static List<Layer>? RuledLayers { get; set; }

    /// <summary>False: every functional call runs its layer on zeros (tests compare the two answers).</summary>
    internal static bool ShapeRulesOn { get; set; } = true;

    /// <summary>Whether this layer's type is a user's that overrides <see cref="ComputeOutputShape(int?[])"/>.</summary>
    private bool OverridesComputeOutputShape => UserOverride(nameof(ComputeOutputShape), typeof(int?[]));

    private int?[] CheckedShape(int?[] shape, string parameter)
    {
        ArgumentNullException.ThrowIfNull(shape, parameter);
        if (shape.Length == 0)
            throw new ArgumentException($"{Name} ({GetType().Name}): an input shape needs its batch axis first, e.g. [null, 784]; got ().", parameter);
        if (shape.Any(d => d < 0))
            throw new ArgumentException($"{Name} ({GetType().Name}): input shape {KerasTensor.Format(shape)} has a negative dimension; use null for an unknown one.", parameter);
        return (int?[])shape.Clone();
    }

    private int?[][] CheckedShapes(IReadOnlyList<int?[]> shapes)
    {
        ArgumentNullException.ThrowIfNull(shapes);
        if (shapes.Count == 0) throw new ArgumentException($"{Name} ({GetType().Name}): no input shapes given.", nameof(shapes));
        return shapes.Select(s => CheckedShape(s, nameof(shapes))).ToArray();
    }

    /// <summary>
    /// <paramref name="inputShape"/> checked as <see cref="ComputeOutputShape(int?[])"/> takes it and
    /// of at least <paramref name="rank"/> axes (the overrides of built-in layers start with it).
    /// </summary>
    private protected int?[] CheckedShape(int?[] inputShape, int rank, string what)
    {
        var shape = CheckedShape(inputShape, nameof(inputShape));
        return shape.Length >= rank ? shape : throw new ArgumentException(
            $"{Name} ({GetType().Name}) needs inputs of shape {what}, got {KerasTensor.Format(shape)}.", nameof(inputShape));
    }
}
