namespace NeuralFlow.Keras;

// Keras' input_shape argument of any layer (layers.Dense(10, input_shape=(4,))), still the way most TensorFlow
// tutorials start a Sequential model: Keras 3 keeps it only for that, and a Sequential whose first layer has one
// starts with an Input of that shape. A property rather than an argument of every layer's constructor, so it has
// one definition: new Layers.Dense(10, activation: "relu") { InputShape = [4] }.
public abstract partial class Layer
{
    private int?[]? _inputShape;

    /// <summary>
    /// Keras' <c>input_shape</c> argument: the shape of one example (no batch axis; null for a length that may
    /// vary). Read only when this layer is the first one added to a <see cref="Sequential"/>, which then starts
    /// with <c>Layers.Input(InputShape)</c> and is built at once, as Keras 3 does; elsewhere it is ignored, as in
    /// Keras. Set it when the layer is made: <c>new Layers.Conv2D(32, [3, 3], activation: "relu") { InputShape = [32, 32, 3] }</c>.
    /// </summary>
    /// <exception cref="ArgumentException">A dimension is negative.</exception>
    public int?[]? InputShape
    {
        get => _inputShape is null ? null : [.. _inputShape];
        init
        {
            if (value is not null && value.Any(d => d < 0))
                throw new ArgumentException($"{Name}: every dimension of InputShape must be non-negative (or null for any length), got {KerasTensor.Format(value)}.", nameof(InputShape));
            _inputShape = value is null ? null : [.. value];
        }
    }
}
