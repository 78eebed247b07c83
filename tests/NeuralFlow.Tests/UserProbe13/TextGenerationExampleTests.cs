using NeuralFlow.Keras;

namespace NeuralFlow.Tests.UserProbe13;

/// <summary>
/// keras.io's "Character-level text generation with LSTM" in C#: sentences of maxlen characters
/// every step characters, one-hot as bool arrays (the example's <c>np.zeros(..., dtype="bool")</c>),
/// LSTM(128) and a softmax Dense trained by RMSprop(0.01) on categorical cross-entropy, then text
/// sampled with temperature (<c>np.log(preds) / temperature</c>, then a multinomial draw) through
/// <c>NF.Random.Categorical</c>. A temperature near 0 picks the most likely character.
/// </summary>
public abstract class TextGenerationExampleTests(string backend) : BackendTest(backend)
{
    private const string Text = "the quick brown fox jumps over the lazy dog. the dog sleeps, the fox runs. ";

    // The example's sample(preds, temperature), on the generator: log-probabilities over temperature, one draw.
    private static int Sample(Tensor preds, double temperature = 1.0)
    {
        using var logits = NF.Log(NF.Cast(preds, DType.Float64)) / temperature;
        using var row = NF.ExpandDims(logits, 0);
        using var draw = NF.Random.Categorical(row, 1);
        return draw.ToArray<int>()[0];
    }

    [SkippableFact]
    public void Char_lstm_trains_on_bool_one_hots_and_samples_with_temperature()
    {
        RequireBackend();
        NF.Random.SetSeed(61);
        string text = BackendName == "cuda" ? Text[..40] : string.Concat(Enumerable.Repeat(Text, 3));
        var chars = text.Distinct().Order().ToArray();
        var charIndices = chars.Select((c, i) => (c, i)).ToDictionary(p => p.c, p => p.i);
        int maxlen = BackendName == "cuda" ? 8 : 20, step = 3;
        var sentences = new List<string>();
        var nextChars = new List<char>();
        for (int i = 0; i < text.Length - maxlen; i += step)
        {
            sentences.Add(text.Substring(i, maxlen));
            nextChars.Add(text[i + maxlen]);
        }
        var xs = new bool[sentences.Count * maxlen * chars.Length];
        var ys = new bool[sentences.Count * chars.Length];
        for (int i = 0; i < sentences.Count; i++)
        {
            for (int t = 0; t < maxlen; t++) xs[(i * maxlen + t) * chars.Length + charIndices[sentences[i][t]]] = true;
            ys[i * chars.Length + charIndices[nextChars[i]]] = true;
        }
        var x = NF.Constant(xs, [sentences.Count, maxlen, chars.Length]);
        var y = NF.Constant(ys, [sentences.Count, chars.Length]);
        Assert.Equal(DType.Bool, x.DType);

        int units = BackendName == "cuda" ? 8 : 32;
        var model = new Sequential(
            Layers.Input([maxlen, chars.Length]),
            new Layers.LSTM(units),
            new Layers.Dense(chars.Length, activation: "softmax"));
        Assert.Equal(4 * units * (chars.Length + units + 1) + units * chars.Length + chars.Length, model.CountParams());
        var optimizer = new Optimizers.RMSprop(learningRate: 0.01);
        model.Compile(loss: "categorical_crossentropy", optimizer: optimizer);
        var losses = new List<float>();
        for (int epoch = 0; epoch < (BackendName == "cuda" ? 2 : 6); epoch++)
            losses.Add(model.Fit(x, y, batchSize: 16, epochs: 1, verbose: 0)["loss"][0]);
        Assert.True(losses[^1] < losses[0], string.Join(", ", losses));

        // Generate: the last maxlen characters one-hot (float, as the example's x_pred), predict, sample.
        string sentence = text[..maxlen], generated = "";
        foreach (var diversity in new[] { 0.2, 1.0 })
            for (int i = 0; i < 5; i++)
            {
                var xPred = new float[maxlen * chars.Length];
                for (int t = 0; t < maxlen; t++) xPred[t * chars.Length + charIndices[sentence[t]]] = 1f;
                var preds = model.Predict(NF.Constant(xPred, [1, maxlen, chars.Length]))[0];
                var nextChar = chars[Sample(preds, diversity)];
                sentence = sentence[1..] + nextChar;
                generated += nextChar;
            }
        Assert.Equal(10, generated.Length);
        Assert.All(generated, c => Assert.Contains(c, chars));
    }

    [SkippableFact]
    public void Sampling_near_zero_temperature_takes_the_most_likely_character()
    {
        RequireBackend();
        NF.Random.SetSeed(62);
        var preds = NF.Constant(new float[] { 0.1f, 0.55f, 0.35f });
        Assert.All(Enumerable.Range(0, 20), _ => Assert.Equal(1, Sample(preds, 0.01)));
    }
}

/// <summary>The text generation example on the managed backend.</summary>
public sealed class ManagedTextGenerationExampleTests() : TextGenerationExampleTests("managed");

/// <summary>The text generation example on the native CPU backend.</summary>
public sealed class NativeCpuTextGenerationExampleTests() : TextGenerationExampleTests("cpu");

/// <summary>The text generation example on CUDA.</summary>
public sealed class CudaTextGenerationExampleTests() : TextGenerationExampleTests("cuda");
