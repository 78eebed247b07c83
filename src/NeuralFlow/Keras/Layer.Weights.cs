namespace NeuralFlow.Keras;

public abstract partial class Layer
{
    /// <summary>
    /// Copies of the weights' values, in <see cref="Variables"/> order (Keras' <c>get_weights</c>):
    /// the caller owns them, and later training does not change them.
    /// </summary>
    public IReadOnlyList<Tensor> GetWeights()
    {
        var variables = Variables;
        var copies = new List<Tensor>(variables.Count);
        foreach (var v in variables)
        {
            var copy = Tensor.Empty(v.Shape, v.DType, v.Backend);
            Engine.Copy(v, v.Layout, copy, copy.Layout);
            copies.Add(copy);
        }
        return copies;
    }

    /// <summary>
    /// Sets every weight, in <see cref="Variables"/> order (Keras' <c>set_weights</c>): one value
    /// per weight, each of the weight's shape; a float value of the other precision is converted,
    /// a value on another device is moved. Nothing is written unless every value fits.
    /// </summary>
    public void SetWeights(IReadOnlyList<Tensor> weights)
    {
        ArgumentNullException.ThrowIfNull(weights);
        var variables = Variables;
        if (weights.Count != variables.Count)
            throw new ArgumentException(
                $"SetWeights: {Name} has {variables.Count} weights ({Describe(variables)}), but {weights.Count} values were given.", nameof(weights));
        for (int i = 0; i < weights.Count; i++)
            CheckFits("SetWeights", variables[i], weights[i], $"value {i}");
        for (int i = 0; i < weights.Count; i++) AssignConverted(variables[i], weights[i]);
    }

    /// <summary>Throws unless <paramref name="value"/> can be assigned to <paramref name="target"/> by <see cref="AssignConverted"/>.</summary>
    internal static void CheckFits(string op, Variable target, Tensor? value, string what)
    {
        string name = target.Name ?? "an unnamed weight";
        if (value is null) throw new ArgumentException($"{op}: {what} for {name} is null.");
        value.ThrowIfDisposed();
        if (value.Shape != target.Shape)
            throw new ArgumentException($"{op}: {name} has shape {target.Shape}, but {what} has shape {value.Shape}.");
        bool converts = value.DType == target.DType || (value.DType.IsFloating() && target.DType.IsFloating());
        if (!converts)
            throw new ArgumentException($"{op}: {name} is {target.DType.Name()}, but {what} is {value.DType.Name()}.");
    }

    /// <summary>Assigns <paramref name="value"/> (checked by <see cref="CheckFits"/>), converting float precision and moving it to the weight's device.</summary>
    internal static void AssignConverted(Variable target, Tensor value)
    {
        var source = value;
        try
        {
            if (source.DType != target.DType) source = NF.Cast(source, target.DType);
            if (!ReferenceEquals(source.Backend, target.Backend))
            {
                var moved = source.To(target.Backend);
                if (!ReferenceEquals(source, value)) source.Dispose();
                source = moved;
            }
            target.Assign(source);
        }
        finally
        {
            if (!ReferenceEquals(source, value)) source.Dispose();
        }
    }

    private static string Describe(IReadOnlyList<Variable> variables) =>
        variables.Count == 0 ? "none" : string.Join(", ", variables.Select(v => $"{v.Name ?? "unnamed"} {v.Shape}"));
}
