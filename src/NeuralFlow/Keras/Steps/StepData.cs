namespace NeuralFlow.Keras;

/// <summary>
/// One batch as a model's overridden <see cref="Model.TrainStep(StepData)"/> or
/// <see cref="Model.TestStep(StepData)"/> receives it (Keras' <c>data</c> argument of
/// <c>train_step</c>): the inputs, the targets and the per-example weights, on the model's device.
/// <c>var (x, y) = data;</c> unpacks a model of one input and one output, as
/// <c>x, y = data</c> does in Keras; <c>var (x, y, sampleWeight) = data;</c> also takes the weights.
/// </summary>
public sealed class StepData
{
    internal StepData(IReadOnlyList<Tensor> inputs, IReadOnlyList<Tensor> targets, Tensor? sampleWeight, IReadOnlyList<string>? inputNames = null)
    {
        if (inputNames is not null && inputNames.Count != inputs.Count)
            throw new ArgumentException($"StepData: {inputs.Count} inputs but {inputNames.Count} input names.", nameof(inputNames));
        Inputs = inputs;
        NamedInputs = inputNames?.Select((name, i) => (name, i)).ToDictionary(p => p.name, p => inputs[p.i]);
        Targets = targets;
        SampleWeight = sampleWeight;
    }

    /// <summary>
    /// One batch of one input and one target (Keras' <c>data = (x, y)</c> or <c>(x, y, sample_weight)</c>), for calling a
    /// step yourself, as TensorFlow's text generation tutorial's manual loop calls <c>model.train_step([inp, target])</c>.
    /// </summary>
    public StepData(Tensor x, Tensor y, Tensor? sampleWeight = null)
        : this([x ?? throw new ArgumentNullException(nameof(x))], [y ?? throw new ArgumentNullException(nameof(y))], sampleWeight) { }

    /// <summary>The batch of every model input, in the model's input order.</summary>
    public IReadOnlyList<Tensor> Inputs { get; }

    /// <summary>
    /// The inputs by key when a subclassed model was given x as a dictionary (Keras hands
    /// <c>train_step</c> the dictionary as given: <c>Call(data.NamedInputs)</c>); null when x was
    /// given as tensors in order.
    /// </summary>
    public IReadOnlyDictionary<string, Tensor>? NamedInputs { get; }

    /// <summary>The batch of every target, in the model's output order.</summary>
    public IReadOnlyList<Tensor> Targets { get; }

    /// <summary>Per-example weights (Fit's sampleWeight and classWeight together), or null.</summary>
    public Tensor? SampleWeight { get; }

    /// <summary>The input of a model of one input.</summary>
    public Tensor X => Inputs.Count == 1 ? Inputs[0]
        : throw new InvalidOperationException($"StepData.X: the batch has {Inputs.Count} inputs; read them from "
            + (NamedInputs is null ? "Inputs[i]." : $"NamedInputs[key] ({string.Join(", ", NamedInputs.Keys)}) or Inputs[i]."));

    /// <summary>The target of a model of one output.</summary>
    public Tensor Y => Targets.Count == 1 ? Targets[0]
        : throw new InvalidOperationException($"StepData.Y: the batch has {Targets.Count} targets; read them from Targets[i].");

    /// <summary><c>var (x, y) = data;</c></summary>
    public void Deconstruct(out Tensor x, out Tensor y) => (x, y) = (X, Y);

    /// <summary><c>var (x, y, sampleWeight) = data;</c> (Keras' <c>unpack_x_y_sample_weight</c>).</summary>
    public void Deconstruct(out Tensor x, out Tensor y, out Tensor? sampleWeight) => (x, y, sampleWeight) = (X, Y, SampleWeight);
}
