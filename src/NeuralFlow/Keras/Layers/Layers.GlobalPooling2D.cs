namespace NeuralFlow.Keras;

public static partial class Layers
{
    /// <summary>Mean over the spatial axes: [N, H, W, C] to [N, C] (<c>tf.keras.layers.GlobalAveragePooling2D</c>).</summary>
    public sealed class GlobalAveragePooling2D(string? name = null) : Layer(name)
    {
        /// <inheritdoc/>
        [MethodImpl(Hot)]
        protected override Tensor Forward(Tensor x) => NF.ReduceMean(GlobalPooling.Check(Name, x), [1, 2]);
    }

    /// <summary>Maximum over the spatial axes: [N, H, W, C] to [N, C] (<c>tf.keras.layers.GlobalMaxPooling2D</c>).</summary>
    public sealed class GlobalMaxPooling2D(string? name = null) : Layer(name)
    {
        /// <inheritdoc/>
        [MethodImpl(Hot)]
        protected override Tensor Forward(Tensor x) => NF.ReduceMax(GlobalPooling.Check(Name, x), [1, 2]);
    }
}

internal static class GlobalPooling
{
    public static Tensor Check(string layer, Tensor x) => x.Rank == 4 ? x :
        throw new ArgumentException($"{layer}: needs NHWC inputs [N, H, W, C], got shape {x.Shape}.");
}
