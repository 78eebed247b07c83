namespace NeuralFlow.Keras;

public abstract partial class Layer
{
    private bool _trainable = true;

    /// <summary>
    /// Whether training updates this layer's weights (Keras' <c>layer.trainable</c>). Setting it
    /// sets it on every layer this one holds too, so <c>baseModel.Trainable = false</c> freezes a
    /// whole pretrained model for transfer learning, as Keras 3 does. The weights of a frozen layer
    /// (or of any layer inside a frozen one) are listed by <see cref="NonTrainableVariables"/>, not
    /// <see cref="TrainableVariables"/>, so <c>Fit</c> and <c>Summary</c> leave them out of the
    /// trained and trainable counts; a frozen <c>BatchNormalization</c> normalizes with its moving
    /// statistics and leaves them alone even in training mode (Keras' fine-tuning rule).
    /// <c>Fit</c> picks up a change at its next call (Keras asks for a new <c>compile</c>); a
    /// custom <c>NF.Function</c> step, like a tf.function, keeps the variables it was traced with.
    /// </summary>
    public bool Trainable
    {
        get => _trainable;
        set
        {
            SetTrainable(this, value, new HashSet<Layer>(ReferenceEqualityComparer.Instance));
            TrainableState = new object();
        }
    }

    private static void SetTrainable(Layer layer, bool value, HashSet<Layer> seen)
    {
        if (!seen.Add(layer)) return;
        layer._trainable = value;
        foreach (var sub in layer.SubLayers) SetTrainable(sub, value, seen);
    }

    /// <summary>
    /// Sets this layer's own flag alone, as a saved model records it per layer (a layer thawed
    /// inside a frozen model loads thawed).
    /// </summary>
    internal void RestoreTrainable(bool value)
    {
        _trainable = value;
        TrainableState = new object();
    }

    /// <summary>
    /// Replaced at every change of any layer's <see cref="Trainable"/>: a step that captured the
    /// trainable variables keys its cache on this object, so it is made again after a change.
    /// </summary>
    internal static object TrainableState { get; private set; } = new();
}
