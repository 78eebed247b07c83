namespace NeuralFlow.Keras;

/// <summary>
/// The Keras layers (<c>tf.keras.layers</c>), as nested types so that <c>using NeuralFlow.Keras;</c>
/// brings them all: <c>new Layers.Dense(50)</c>. One partial file per layer.
/// </summary>
public static partial class Layers;
