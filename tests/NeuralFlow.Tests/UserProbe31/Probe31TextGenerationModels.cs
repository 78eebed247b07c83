using NeuralFlow.Data;
using NeuralFlow.Keras;

namespace NeuralFlow.Tests.UserProbe31;

/// <summary>
/// The tutorial's subclassed MyModel: Embedding, GRU(return_sequences=True, return_state=True), Dense, and its
/// <c>call(inputs, states=None, return_state=False, training=False)</c> starting the GRU from
/// <c>self.gru.get_initial_state(x)</c> when no states are given.
/// </summary>
internal class Probe31TextGenerationModel(int vocabSize, int embeddingDim, int rnnUnits) : Model
{
    public readonly Layers.Embedding Embedding = new(vocabSize, embeddingDim);
    public readonly Layers.GRU Gru = new(rnnUnits, returnSequences: true, returnState: true);
    public readonly Layers.Dense Dense = new(vocabSize);

    public (Tensor Logits, Tensor[] States) Call(Tensor inputs, Tensor[]? states, bool returnState, bool training = false)
    {
        var x = Embedding.Call(inputs, training);
        states ??= Gru.GetInitialState(x);
        IReadOnlyList<Tensor> outputs;
        using (Layer.TrainingMode(training)) outputs = Gru.CallWithStates(x, states);   // x, states = self.gru(x, initial_state=states)
        x = Dense.Call(outputs[0], training);
        Tensor[] finalStates = returnState ? outputs.Skip(1).ToArray() : [];
        return (x, finalStates);
    }

    // model(x): what Fit, Evaluate and the tutorial's example batch call.
    public override Tensor Call(Tensor x) => Call(x, null, returnState: false, training: Layer.IsTraining).Logits;
}

/// <summary>
/// The tutorial's CustomTraining(MyModel): train_step with a GradientTape and the compiled loss, returning
/// <c>{'loss': loss}</c>; <see cref="TrainOn"/> is the tutorial's <c>model.train_step([inp, target])</c> of its manual loop.
/// </summary>
internal sealed class Probe31CustomTraining(int vocabSize, int embeddingDim, int rnnUnits) : Probe31TextGenerationModel(vocabSize, embeddingDim, rnnUnits)
{
    protected override StepLogs TrainStep(StepData data)
    {
        var (inputs, labels) = data;
        Tensor loss;
        Tensor?[] grads;
        using (var tape = new GradientTape())
        {
            var predictions = Call(inputs, training: true);
            loss = Loss!.Call(labels, predictions);
            grads = tape.Gradient(loss, TrainableVariables);
        }
        Optimizer!.ApplyGradients(grads, TrainableVariables);
        return new Dictionary<string, Tensor> { ["loss"] = loss };
    }

    public StepLogs TrainOn(Tensor inp, Tensor target) => TrainStep(new StepData(inp, target));
}

/// <summary>
/// The tutorial's OneStep generator: the prediction mask (-inf at the [UNK] id, a SparseTensor made dense), and
/// generate_one_step: characters to ids (ragged, then padded), the model's logits of the last step over the
/// temperature plus the mask, one draw of tf.random.categorical, ids back to characters, the states passed on.
/// </summary>
internal sealed class Probe31OneStep : Model
{
    private readonly Probe31TextGenerationModel _model;
    private readonly Layers.StringLookup _charsFromIds, _idsFromChars;

    public Probe31OneStep(Probe31TextGenerationModel model, Layers.StringLookup charsFromIds, Layers.StringLookup idsFromChars, double temperature = 1.0)
    {
        Temperature = temperature;
        _model = model;
        _charsFromIds = charsFromIds;
        _idsFromChars = idsFromChars;
        // Create a mask to prevent "[UNK]" from being generated.
        var skipIds = NF.ExpandDims(idsFromChars.Call(new[] { "[UNK]" }), 1);
        var sparseMask = new SparseTensor(
            values: NF.Constant(Enumerable.Repeat(float.NegativeInfinity, skipIds.Shape[0]).ToArray()),
            indices: skipIds,
            denseShape: [idsFromChars.GetVocabulary().Length]);
        PredictionMask = NF.Sparse.ToDense(sparseMask);
    }

    public double Temperature { get; }

    public Tensor PredictionMask { get; }

    public (StringTensor Chars, Tensor[] States) GenerateOneStep(StringTensor inputs, Tensor[]? states = null)
    {
        var inputChars = NF.Strings.UnicodeSplit(inputs, "UTF-8");
        var inputIds = _idsFromChars.Call(inputChars).ToTensor();
        var (predictedLogits, newStates) = _model.Call(inputIds, states, returnState: true);
        predictedLogits = predictedLogits[.., ^1, ..];   // only the last prediction
        predictedLogits = predictedLogits / (float)Temperature;
        predictedLogits = predictedLogits + PredictionMask;   // the [UNK] id never drawn
        var predictedIds = NF.Random.Categorical(predictedLogits, numSamples: 1);
        predictedIds = NF.Squeeze(predictedIds, -1);
        var predictedChars = _charsFromIds.CallInverted(predictedIds);
        return (predictedChars, newStates);
    }
}
