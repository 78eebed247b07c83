using NeuralFlow.Keras;

namespace NeuralFlow.Tests.UserProbe15;

/// <summary>
/// keras.io's "Sequence to sequence learning for performing number addition" in C#: reversed,
/// space-padded queries one-hot encoded by the CharacterTable, an LSTM encoder, RepeatVector to
/// the answer's length, an LSTM decoder returning sequences and a per-step softmax; the example's
/// 205,324 parameters (DIGITS = 3); a shrunk copy learns two-digit additions' characters.
/// </summary>
public abstract class ExamplesAdditionRnnTests(string backend) : BackendTest(backend)
{
    private const string Chars = "0123456789+ ";

    private static Sequential AdditionModel(int digits, int units, int numLayers = 1)
    {
        int maxlen = digits + 1 + digits;
        var model = new Sequential(Layers.Input([maxlen, Chars.Length]), [new Layers.LSTM(units), new Layers.RepeatVector(digits + 1)]);
        for (int i = 0; i < numLayers; i++) model.Add(new Layers.LSTM(units, returnSequences: true));
        model.Add(new Layers.Dense(Chars.Length, activation: "softmax"));
        return model;
    }

    [SkippableFact]
    public void Model_has_the_examples_parameter_count_and_shapes()
    {
        RequireBackend();
        var model = AdditionModel(3, 128);
        // 4 * 128 * (12 + 128 + 1) + 4 * 128 * (128 + 128 + 1) + 128 * 12 + 12
        Assert.Equal(205_324, model.CountParams());
        var summary = model.SummaryText();
        Assert.Contains("(None, 4, 128)", summary);
        Assert.Contains("(None, 4, 12)", summary);
    }

    [SkippableFact]
    public void Learns_the_characters_of_sums_from_reversed_queries()
    {
        RequireBackend();
        NF.Random.SetSeed(164);
        int digits = 2, maxlen = digits + 1 + digits, count = BackendName == "cuda" ? 64 : 400;
        var ctable = new CharacterTable(Chars);
        var rng = new Random(16);
        var x = new List<float>();
        var y = new List<float>();
        var answers = new List<string>();
        for (int i = 0; i < count; i++)
        {
            int a = rng.Next(1, 100), b = rng.Next(1, 100);
            string q = $"{a}+{b}";
            string query = q + new string(' ', maxlen - q.Length);
            string ans = (a + b).ToString();
            ans += new string(' ', digits + 1 - ans.Length);
            query = new string(query.Reverse().ToArray());   // REVERSE = True
            x.AddRange(ctable.Encode(query, maxlen));
            y.AddRange(ctable.Encode(ans, digits + 1));
            answers.Add(ans);
        }
        var xs = NF.Constant(x.ToArray(), [count, maxlen, ctable.Count]);
        var ys = NF.Constant(y.ToArray(), [count, digits + 1, ctable.Count]);
        Assert.Equal(answers[0], ctable.Decode(NF.ArgMax(ys[0], -1).ToArray<long>()));
        var model = AdditionModel(digits, 32);
        model.Compile(loss: "categorical_crossentropy", optimizer: "adam", metrics: ["accuracy"]);
        int split = count - count / 10;
        var history = model.Fit(xs[..split], ys[..split], batchSize: 32, epochs: BackendName == "cuda" ? 2 : 4,
            validationData: (xs[split..], ys[split..]), verbose: 0);
        Assert.Equal(new[] { "loss", "accuracy", "val_loss", "val_accuracy" }, history.Keys.ToArray());
        Assert.True(history["loss"][^1] < history["loss"][0], string.Join(", ", history["loss"]));
        // The accuracy is per character: 3 per answer.
        var preds = NF.ArgMax(model.Predict(xs[split..], verbose: 0), -1);
        Assert.Equal(new[] { count - split, digits + 1 }, preds.Shape.ToArray());
        var truth = NF.ArgMax(ys[split..], -1);
        double perChar = NF.ReduceMean(NF.Cast(NF.Equal(preds, truth), DType.Float32)).Item<float>();
        Assert.Equal(perChar, history["val_accuracy"][^1], 5);
        Assert.Equal(digits + 1, ctable.Decode(preds[0].ToArray<long>()).Length);
    }
}

/// <summary>The addition RNN example on the managed backend.</summary>
public sealed class ManagedExamplesAdditionRnnTests() : ExamplesAdditionRnnTests("managed");

/// <summary>The addition RNN example on the native CPU backend.</summary>
public sealed class NativeCpuExamplesAdditionRnnTests() : ExamplesAdditionRnnTests("cpu");

/// <summary>The addition RNN example on CUDA.</summary>
public sealed class CudaExamplesAdditionRnnTests() : ExamplesAdditionRnnTests("cuda");
