namespace NeuralFlow.Keras;

public partial class Layers
{
    public partial class RNN
    {
        /// <summary>
        /// Zero states for a call on <paramref name="inputs"/> (tf.keras' <c>layer.get_initial_state(inputs)</c>, as
        /// TensorFlow's text generation tutorial starts its GRU): one [batch, size] tensor per state, the batch and float
        /// dtype read from the inputs (the cell's state dtype for integer inputs). Builds the layer for the inputs' shape
        /// when it is not built, as the call that follows would.
        /// </summary>
        /// <exception cref="ArgumentException"><paramref name="inputs"/> is not laid out as the layer's inputs.</exception>
        public Tensor[] GetInitialState(Tensor inputs)
        {
            ArgumentNullException.ThrowIfNull(inputs);
            if (inputs.Shape.Rank != Cell.StepRank + 1)
                throw new ArgumentException($"{Name}: GetInitialState takes the layer's inputs {InputLayout}, got shape {inputs.Shape}.", nameof(inputs));
            EnsureBuilt(inputs.Shape);
            return Cell.GetInitialState(inputs.Shape[0], inputs.DType.IsFloating() ? inputs.DType : null);
        }
    }
}
