using NeuralFlow.Keras;

namespace NeuralFlow.Tests.UserProbe15;

/// <summary>
/// keras.io's "Character-level recurrent sequence-to-sequence model" (shrunk) in C#: an LSTM
/// encoder whose final states start an LSTM decoder trained with teacher forcing; the model saves
/// to .keras, and from the loaded model's inputs, layers and their outputs the example builds its
/// inference encoder and step-by-step decoder, whose first step must give what the whole model
/// gives at the first position; greedy decoding then runs until "\n" or the length limit.
/// </summary>
public abstract class ExamplesLstmSeq2SeqTests(string backend) : BackendFileTest(backend)
{
    [SkippableFact]
    public void Trains_saves_and_decodes_with_inference_models_from_the_loaded_layers()
    {
        RequireBackend();
        NF.Random.SetSeed(167);
        // Inputs are short words; targets are "\t" + the word reversed + "\n".
        string[] inputTexts = ["go", "run", "hi", "stop", "wait", "help", "jump", "fire", "hey", "ok", "no", "yes"];
        var targetTexts = inputTexts.Select(w => "\t" + new string(w.Reverse().ToArray()) + "\n").ToArray();
        var inputCharacters = inputTexts.SelectMany(t => t).Distinct().Order().ToArray();
        var targetCharacters = targetTexts.SelectMany(t => t).Distinct().Order().ToArray();
        int numEncoderTokens = inputCharacters.Length, numDecoderTokens = targetCharacters.Length;
        int maxEncoderSeqLength = inputTexts.Max(t => t.Length), maxDecoderSeqLength = targetTexts.Max(t => t.Length);
        int n = inputTexts.Length, latentDim = 16;
        var encoderInputData = new float[n * maxEncoderSeqLength * numEncoderTokens];
        var decoderInputData = new float[n * maxDecoderSeqLength * numDecoderTokens];
        var decoderTargetData = new float[n * maxDecoderSeqLength * numDecoderTokens];
        for (int i = 0; i < n; i++)
        {
            for (int t = 0; t < inputTexts[i].Length; t++)
                encoderInputData[(i * maxEncoderSeqLength + t) * numEncoderTokens + Array.IndexOf(inputCharacters, inputTexts[i][t])] = 1;
            for (int t = 0; t < targetTexts[i].Length; t++)
            {
                int token = Array.IndexOf(targetCharacters, targetTexts[i][t]);
                decoderInputData[(i * maxDecoderSeqLength + t) * numDecoderTokens + token] = 1;
                // The target is ahead of the decoder input by one step.
                if (t > 0) decoderTargetData[(i * maxDecoderSeqLength + t - 1) * numDecoderTokens + token] = 1;
            }
        }
        var encoderInput = NF.Constant(encoderInputData, [n, maxEncoderSeqLength, numEncoderTokens]);
        var decoderInput = NF.Constant(decoderInputData, [n, maxDecoderSeqLength, numDecoderTokens]);
        var decoderTarget = NF.Constant(decoderTargetData, [n, maxDecoderSeqLength, numDecoderTokens]);

        var encoderInputs = Layers.Input([null, numEncoderTokens]);
        var encoder = new Layers.LSTM(latentDim, returnState: true);
        var encoded = encoder.CallWithStates(encoderInputs);
        var decoderInputs = Layers.Input([null, numDecoderTokens]);
        var decoderLstm = new Layers.LSTM(latentDim, returnSequences: true, returnState: true);
        var decoded = decoderLstm.CallWithStates(decoderInputs, [encoded[1], encoded[2]]);
        var decoderOutputs = new Layers.Dense(numDecoderTokens, activation: "softmax").Call(decoded[0]);
        var model = new Model([encoderInputs, decoderInputs], decoderOutputs);
        model.Compile(optimizer: "rmsprop", loss: "categorical_crossentropy", metrics: ["accuracy"]);
        var history = model.Fit([encoderInput, decoderInput], decoderTarget, batchSize: 4, epochs: 3, validationSplit: 0.2, verbose: 0);
        Assert.True(history["loss"][^1] < history["loss"][0], string.Join(", ", history["loss"]));
        model = Model.Load(SaveTo(model, "s2s_model.keras"));

        // The example's inference models, from the loaded model.
        var loadedEncoderInputs = model.Inputs[0];
        var encoderOutputs = model.Layers[2].GetOutputsAt(0);   // lstm: output, h, c
        var encoderModel = new Model(loadedEncoderInputs, [encoderOutputs[1], encoderOutputs[2]]);
        var loadedDecoderInputs = model.Inputs[1];
        var decoderStateInputH = Layers.Input([latentDim]);
        var decoderStateInputC = Layers.Input([latentDim]);
        var loadedDecoderLstm = (Layers.LSTM)model.Layers[3];
        var stepOutputs = loadedDecoderLstm.CallWithStates(loadedDecoderInputs, [decoderStateInputH, decoderStateInputC]);
        var decoderDense = model.Layers[4];
        var decoderModel = new Model([loadedDecoderInputs, decoderStateInputH, decoderStateInputC],
            [decoderDense.Call(stepOutputs[0]), stepOutputs[1], stepOutputs[2]]);

        // One step of the inference decoder from the encoder's states is the whole model's first position.
        var sequence = encoderInput[..1];
        var states = encoderModel.PredictOutputs(sequence, verbose: 0);
        var targetSeq = NF.Reshape(NF.OneHot(NF.Constant(new[] { Array.IndexOf(targetCharacters, '\t') }), numDecoderTokens), [1, 1, numDecoderTokens]);
        var step = decoderModel.PredictOutputs([targetSeq, states[0], states[1]], verbose: 0);
        var whole = model.Predict([sequence, decoderInput[..1]], verbose: 0);
        var first = whole[0, 0].ToArray<float>();
        var stepped = step[0][0, 0].ToArray<float>();
        for (int k = 0; k < numDecoderTokens; k++) Assert.Equal(first[k], stepped[k], 5);

        // decode_sequence: greedy, one character at a time, until "\n" or the longest target.
        string decodedSentence = "";
        var (h, c) = (states[0], states[1]);
        while (true)
        {
            var outputs = decoderModel.PredictOutputs([targetSeq, h, c], verbose: 0);
            int sampledTokenIndex = (int)NF.ArgMax(outputs[0][0, -1], -1).Item<long>();
            char sampledChar = targetCharacters[sampledTokenIndex];
            decodedSentence += sampledChar;
            if (sampledChar == '\n' || decodedSentence.Length > maxDecoderSeqLength) break;
            targetSeq = NF.Reshape(NF.OneHot(NF.Constant(new[] { sampledTokenIndex }), numDecoderTokens), [1, 1, numDecoderTokens]);
            (h, c) = (outputs[1], outputs[2]);
        }
        Assert.InRange(decodedSentence.Length, 1, maxDecoderSeqLength + 1);
    }
}

/// <summary>The seq2seq example on the managed backend.</summary>
public sealed class ManagedExamplesLstmSeq2SeqTests() : ExamplesLstmSeq2SeqTests("managed");

/// <summary>The seq2seq example on the native CPU backend.</summary>
public sealed class NativeCpuExamplesLstmSeq2SeqTests() : ExamplesLstmSeq2SeqTests("cpu");

/// <summary>The seq2seq example on CUDA.</summary>
public sealed class CudaExamplesLstmSeq2SeqTests() : ExamplesLstmSeq2SeqTests("cuda");
