namespace NeuralFlow;

/// <summary>
/// What <see cref="GradientTape.Gradient(Tensor, IReadOnlyList{Tensor}, Tensor, UnconnectedGradients)"/>
/// returns for a source the target does not depend on (TensorFlow's <c>tf.UnconnectedGradients</c>).
/// </summary>
public enum UnconnectedGradients
{
    /// <summary>null (TensorFlow's default, <c>NONE</c>).</summary>
    None,

    /// <summary>Zeros of the source's shape and dtype (<c>ZERO</c>).</summary>
    Zero,
}
