namespace NeuralFlow.Keras;

public partial class Layers
{
    /// <summary>
    /// Mean over the spatial axes of volumes: [N, D, H, W, C] (or NCDHW [N, C, D, H, W]) to [N, C],
    /// or to [N, 1, 1, 1, C] ([N, C, 1, 1, 1]) with <paramref name="keepdims"/> (<c>keras.layers.GlobalAveragePooling3D</c>).
    /// </summary>
    public sealed class GlobalAveragePooling3D(string? name = null, string dataFormat = "channels_last", bool keepdims = false)
        : GlobalPooling3D(name, dataFormat, keepdims, max: false);

    /// <summary>
    /// Maximum over the spatial axes of volumes: [N, D, H, W, C] (or NCDHW [N, C, D, H, W]) to [N, C],
    /// or to [N, 1, 1, 1, C] ([N, C, 1, 1, 1]) with <paramref name="keepdims"/> (<c>keras.layers.GlobalMaxPooling3D</c>).
    /// </summary>
    public sealed class GlobalMaxPooling3D(string? name = null, string dataFormat = "channels_last", bool keepdims = false)
        : GlobalPooling3D(name, dataFormat, keepdims, max: true);

    /// <summary>What GlobalAveragePooling3D and GlobalMaxPooling3D share: they pool over the three axes of volumes.</summary>
    public abstract class GlobalPooling3D : GlobalPooling
    {
        private protected GlobalPooling3D(string? name, string dataFormat, bool keepdims, bool max) : base(3, name, dataFormat, keepdims, max) { }
    }
}
