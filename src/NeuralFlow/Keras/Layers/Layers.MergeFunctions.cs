namespace NeuralFlow.Keras;

// Keras' lowercase merge functions (keras/src/layers/merging/*.py: concatenate, add, subtract, multiply, average,
// maximum, minimum, dot): one call that makes the merge layer and applies it, as functional-API code writes
// `x = layers.concatenate([a, b])`. The result is the layer's, not an op's: the model's summary, config and saved
// files show a Concatenate (Add, ...) layer, exactly as `new Layers.Concatenate().Call([a, b])` does, which is what
// these are. The names keep Keras' lowercase because the PascalCase names are the layer classes themselves
// (a C# class cannot hold a method and a nested type of one name), and the case is Keras' own distinction.
public partial class Layers
{
#pragma warning disable IDE1006 // Keras' function names, beside the layer classes of the PascalCase names.
    /// <summary>
    /// <c>keras.layers.concatenate(inputs, axis=-1)</c>: a <see cref="Concatenate"/> layer applied to symbolic tensors,
    /// <c>var x = Layers.concatenate([a, b]);</c> in a functional model.
    /// </summary>
    public static KerasTensor concatenate(IReadOnlyList<KerasTensor> inputs, int axis = -1, string? name = null) => new Concatenate(axis, name).Call(inputs);

    /// <summary><c>keras.layers.concatenate</c> on eager tensors: a <see cref="Concatenate"/> layer called on them.</summary>
    public static Tensor concatenate(IReadOnlyList<Tensor> inputs, int axis = -1, string? name = null) => new Concatenate(axis, name).Call(inputs);

    /// <summary><c>keras.layers.add(inputs)</c>: an <see cref="Add"/> layer applied to symbolic tensors (their elementwise sum).</summary>
    public static KerasTensor add(IReadOnlyList<KerasTensor> inputs, string? name = null) => new Add(name).Call(inputs);

    /// <summary><c>keras.layers.add</c> on eager tensors.</summary>
    public static Tensor add(IReadOnlyList<Tensor> inputs, string? name = null) => new Add(name).Call(inputs);

    /// <summary><c>keras.layers.subtract(inputs)</c>: a <see cref="Subtract"/> layer (exactly two inputs, the first minus the second).</summary>
    public static KerasTensor subtract(IReadOnlyList<KerasTensor> inputs, string? name = null) => new Subtract(name).Call(inputs);

    /// <summary><c>keras.layers.subtract</c> on eager tensors.</summary>
    public static Tensor subtract(IReadOnlyList<Tensor> inputs, string? name = null) => new Subtract(name).Call(inputs);

    /// <summary><c>keras.layers.multiply(inputs)</c>: a <see cref="Multiply"/> layer (the elementwise product).</summary>
    public static KerasTensor multiply(IReadOnlyList<KerasTensor> inputs, string? name = null) => new Multiply(name).Call(inputs);

    /// <summary><c>keras.layers.multiply</c> on eager tensors.</summary>
    public static Tensor multiply(IReadOnlyList<Tensor> inputs, string? name = null) => new Multiply(name).Call(inputs);

    /// <summary><c>keras.layers.average(inputs)</c>: an <see cref="Average"/> layer (the elementwise mean).</summary>
    public static KerasTensor average(IReadOnlyList<KerasTensor> inputs, string? name = null) => new Average(name).Call(inputs);

    /// <summary><c>keras.layers.average</c> on eager tensors.</summary>
    public static Tensor average(IReadOnlyList<Tensor> inputs, string? name = null) => new Average(name).Call(inputs);

    /// <summary><c>keras.layers.maximum(inputs)</c>: a <see cref="Maximum"/> layer (the elementwise maximum).</summary>
    public static KerasTensor maximum(IReadOnlyList<KerasTensor> inputs, string? name = null) => new Maximum(name).Call(inputs);

    /// <summary><c>keras.layers.maximum</c> on eager tensors.</summary>
    public static Tensor maximum(IReadOnlyList<Tensor> inputs, string? name = null) => new Maximum(name).Call(inputs);

    /// <summary><c>keras.layers.minimum(inputs)</c>: a <see cref="Minimum"/> layer (the elementwise minimum).</summary>
    public static KerasTensor minimum(IReadOnlyList<KerasTensor> inputs, string? name = null) => new Minimum(name).Call(inputs);

    /// <summary><c>keras.layers.minimum</c> on eager tensors.</summary>
    public static Tensor minimum(IReadOnlyList<Tensor> inputs, string? name = null) => new Minimum(name).Call(inputs);

    /// <summary>
    /// <c>keras.layers.dot(inputs, axes, normalize=False)</c>: a <see cref="Dot"/> layer over axis <paramref name="axes"/>
    /// of both inputs (with <paramref name="normalize"/>, their cosine similarity).
    /// </summary>
    public static KerasTensor dot(IReadOnlyList<KerasTensor> inputs, int axes = -1, bool normalize = false, string? name = null) => new Dot(axes, normalize, name).Call(inputs);

    /// <summary><c>keras.layers.dot</c> over axis <c>axes[0]</c> of the first input and <c>axes[1]</c> of the second.</summary>
    public static KerasTensor dot(IReadOnlyList<KerasTensor> inputs, int[] axes, bool normalize = false, string? name = null) => new Dot(axes, normalize, name).Call(inputs);

    /// <summary><c>keras.layers.dot</c> on eager tensors.</summary>
    public static Tensor dot(IReadOnlyList<Tensor> inputs, int axes = -1, bool normalize = false, string? name = null) => new Dot(axes, normalize, name).Call(inputs);

    /// <summary><c>keras.layers.dot</c> on eager tensors, over a pair of axes.</summary>
    public static Tensor dot(IReadOnlyList<Tensor> inputs, int[] axes, bool normalize = false, string? name = null) => new Dot(axes, normalize, name).Call(inputs);
#pragma warning restore IDE1006
}
