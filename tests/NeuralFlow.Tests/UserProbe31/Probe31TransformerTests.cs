using NeuralFlow.Data;
using NeuralFlow.Keras;

namespace NeuralFlow.Tests.UserProbe31;

/// <summary>
/// TensorFlow's "Neural machine translation with a Transformer and Keras" (site/en/text/tutorials/transformer.ipynb) at
/// toy size (2 layers, d_model 8, 2 heads, dff 16, vocabularies of 20, sequences of 7 and 8 padded with 0): the
/// positional encoding and PositionalEmbedding (mask passed on), the attention blocks, encoder, decoder and the
/// subclassed Transformer of (context, x) with fixed sine weights against NumPy (transformer_references.py), the
/// tutorial's masked_loss and masked_accuracy, the CustomSchedule, fit with Adam(CustomSchedule, 0.9, 0.98, 1e-9) and
/// the Translator's greedy loop with the cross-attention weights it reads.
/// </summary>
public abstract class Probe31TransformerTests(string backend) : BackendTest(backend)
{
    private const int NumLayers = 2, DModel = 8, NumHeads = 2, Dff = 16, Vocab = 20;

    // transformer_references.py's context, decoder inputs and labels.
    private static readonly int[,] Context = { { 1, 6, 11, 16, 2, 7, 12 }, { 4, 9, 14, 19, 5, 0, 0 }, { 7, 12, 17, 0, 0, 0, 0 } };
    private static readonly int[,] X = { { 3, 7, 11, 15, 19, 4, 8, 12 }, { 10, 14, 18, 3, 7, 11, 0, 0 }, { 17, 2, 6, 10, 0, 0, 0, 0 } };
    private static readonly int[,] Labels = { { 2, 5, 8, 11, 14, 17, 1, 4 }, { 7, 10, 13, 16, 19, 3, 0, 0 }, { 12, 15, 18, 2, 0, 0, 0, 0 } };

    private static Transformer NewTransformer(double dropoutRate = 0.1) => new(numLayers: NumLayers, dModel: DModel, numHeads: NumHeads, dff: Dff,
        inputVocabSize: Vocab, targetVocabSize: Vocab, dropoutRate: dropoutRate);

    // 0.3 sin(0.37 k + 1.1 index) over a weight's values (the reference script's sine()).
    private static Tensor Sine(Shape shape, int index)
    {
        int count = (int)shape.Count;
        return NF.Constant(Enumerable.Range(0, count).Select(k => (float)(0.3 * Math.Sin(0.37 * k + 1.1 * index))).ToArray(), shape.ToArray());
    }

    private static void Fill(Layer layer, ref int counter)
    {
        var weights = layer.GetWeights();
        var values = new List<Tensor>();
        foreach (var w in weights) values.Add(Sine(w.Shape, counter++));
        layer.SetWeights(values);
    }

    // The reference script's order: embeddings, then per layer attention (mha, layernorm) blocks and the feed-forward.
    private static void WriteFixedWeights(Transformer t)
    {
        int c = 0;
        Fill(t.Encoder.PosEmbedding.Embedding, ref c);
        foreach (var l in t.Encoder.EncLayers)
        {
            Fill(l.SelfAttention.Mha, ref c); Fill(l.SelfAttention.Layernorm, ref c);
            Fill(l.Ffn.Seq, ref c); Fill(l.Ffn.LayerNorm, ref c);
        }
        Fill(t.Decoder.PosEmbedding.Embedding, ref c);
        foreach (var l in t.Decoder.DecLayers)
        {
            Fill(l.CausalSelfAttention.Mha, ref c); Fill(l.CausalSelfAttention.Layernorm, ref c);
            Fill(l.CrossAttention.Mha, ref c); Fill(l.CrossAttention.Layernorm, ref c);
            Fill(l.Ffn.Seq, ref c); Fill(l.Ffn.LayerNorm, ref c);
        }
        Fill(t.FinalLayer, ref c);
    }

    private static readonly Losses.SparseCategoricalCrossentropy LossObject = new(fromLogits: true, reduction: "none");

    // masked_loss(label, pred) as the tutorial writes it.
    internal static Tensor MaskedLoss(Tensor label, Tensor pred)
    {
        var mask = NF.NotEqual(label, 0);
        var loss = LossObject.Call(label, pred);
        var maskF = NF.Cast(mask, loss.DType);
        loss *= maskF;
        return NF.ReduceSum(loss) / NF.ReduceSum(maskF);
    }

    // masked_accuracy(label, pred) as the tutorial writes it.
    internal static Tensor MaskedAccuracy(Tensor label, Tensor pred)
    {
        pred = NF.ArgMax(pred, axis: 2);
        label = NF.Cast(label, pred.DType);
        var match = NF.Equal(label, pred);
        var mask = NF.NotEqual(label, 0);
        match = NF.LogicalAnd(match, mask);
        var matchF = NF.Cast(match, DType.Float32);
        var maskF = NF.Cast(mask, DType.Float32);
        return NF.ReduceSum(matchF) / NF.ReduceSum(maskF);
    }

    private static void AssertClose(double[] expected, float[] actual, double tol = 1e-4)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= tol * Math.Max(1, Math.Abs(expected[i])), $"[{i}] expected {expected[i]}, got {actual[i]}");
    }

    private static float[] Row(Tensor t, int b, int pos) => t[b][pos].ToArray<float>();

    [SkippableFact]
    public void Positional_encoding_and_embedding_scale_add_and_pass_the_mask_on()
    {
        RequireBackend();
        var posEncoding = TransformerTutorial.PositionalEncoding(length: 2048, depth: 512);
        Assert.Equal([2048, 512], posEncoding.Shape.ToArray());
        var small = TransformerTutorial.PositionalEncoding(length: 2048, depth: DModel);
        // transformer_references.py: positional_encoding(2048, 8)[3] and [1000, :4]
        AssertClose([0.1411200080598672, 0.29552020666133966, 0.02999550020249566, 0.002999995500002025, -0.9899924966004454, 0.9553364891256061, 0.9995500337489878, 0.999995500003375],
                    small[3].ToArray<float>(), 1e-6);
        AssertClose([0.8268795405320026, -0.5063656411097587, -0.5440211108893698, 0.8414709848078965], small[1000][..4].ToArray<float>(), 1e-5);

        var embedPt = new PositionalEmbedding(vocabSize: Vocab, dModel: DModel);
        var context = NF.Constant(Context);
        var ptEmb = embedPt.Call(context);
        Assert.Equal([3, 7, DModel], ptEmb.Shape.ToArray());
        var mask = Layer.MaskOf(ptEmb);
        Assert.NotNull(mask);
        Assert.Equal(DType.Bool, mask!.DType);
        Assert.Equal(NF.NotEqual(context, 0).ToArray<bool>(), mask.ToArray<bool>());
        // x = embedding(x) * sqrt(d_model) + pos_encoding[:length]
        var table = embedPt.Embedding.GetWeights()[0];
        var expected = table[Context[1, 2]].ToArray<float>().Select((v, i) => v * Math.Sqrt(DModel) + small[2].ToArray<float>()[i]).ToArray();
        AssertClose(expected, Row(ptEmb, 1, 2), 1e-5);
    }

    [SkippableFact]
    public void Transformer_forward_pass_masked_loss_and_accuracy_match_numpy()
    {
        RequireBackend();
        var transformer = NewTransformer();
        var context = NF.Constant(Context);
        var x = NF.Constant(X);
        var output = transformer.Call([context, x], training: false);
        Assert.Equal([3, 8, Vocab], output.Shape.ToArray());
        WriteFixedWeights(transformer);
        var logits = transformer.Call([context, x], training: false);
        Assert.Null(Layer.MaskOf(logits));   // del logits._keras_mask

        // transformer_references.py
        AssertClose([0.5781670437045979, 0.5521027716666924, 0.4513139795148885, 0.28944195744533474, 0.08839532426915343, -0.12461520136564216, -0.32075964409193536, -0.47349077374189996, -0.562137148411529, -0.5747008971482337, -0.5094815754997077, -0.37530631269341463, -0.19033510110557228, 0.020397073514590393, 0.22836859992154718, 0.4054315076546571, 0.5276211627918901, 0.5783997687280082, 0.5508946793627636, 0.4488285795095377],
                    Row(logits, 0, 0));
        AssertClose([0.5307070100746549, 0.5438967607321512, 0.48347263635960147, 0.357612758728449, 0.18335167184068515, -0.015725203689135436, -0.21267374666989783, -0.3808378957365388, -0.49745742220656874, -0.5467484202592044, -0.5220395845425428, -0.4266751400564499, -0.27356221698728345, -0.08342393118725687, 0.11800539233960705, 0.30346323960162924, 0.4478487609939822, 0.5316200535393132, 0.5434390657805057, 0.48170614985621224],
                    Row(logits, 1, 5));
        // A padded target position: its query mask leaves every key masked, so each attention there is uniform (Keras' masked softmax).
        AssertClose([0.5199780826029077, 0.5164406207376196, 0.4430053435879706, 0.30961137141570627, 0.13431295257492315, -0.05916409430632785, -0.24463355857453123, -0.3969930183175761, -0.4956213354097737, -0.5271696298190497, -0.48736798789684577, -0.3816033751593928, -0.22419053577647546, -0.036434559101554735, 0.15625266422551398, 0.32779182246404626, 0.45496589527302267, 0.5205624684982955, 0.5157033536812552, 0.4410462092172549],
                    Row(logits, 2, 7));
        var all = logits.ToArray<float>();
        Assert.Equal(37.12543492708964, all.Sum(v => (double)v), 2e-3);
        Assert.Equal(180.9125216419531, all.Sum(v => Math.Abs((double)v)), 2e-3);

        // The last decoder layer's cross-attention: (batch, heads, target_len, context_len), the padded context keys weighted 0.
        var scores = transformer.Decoder.LastAttnScores!;
        Assert.Equal([3, NumHeads, 8, 7], scores.Shape.ToArray());
        AssertClose([0.2005044165384486, 0.1992499824216201, 0.2002204405422701, 0.19992128516235894, 0.2001038753353023, 0.0, 0.0], scores[1][1][2].ToArray<float>(), 1e-5);

        var labels = NF.Constant(Labels);
        Assert.Equal(3.035871212336785, MaskedLoss(labels, logits).Item<float>(), 4);
        Assert.Equal(0.05555555555555555, MaskedAccuracy(labels, logits).Item<float>(), 5);
        // As Compile hands them over: labels cast to the logits' float dtype.
        var labelsF = NF.Cast(labels, DType.Float32);
        Assert.Equal(3.035871212336785, MaskedLoss(labelsF, logits).Item<float>(), 4);
        Assert.Equal(0.05555555555555555, MaskedAccuracy(labelsF, logits).Item<float>(), 5);

        transformer.Compile(new Optimizers.Adam(new CustomSchedule(DModel), beta1: 0.9, beta2: 0.98, epsilon: 1e-9), MaskedLoss, metrics: [(Func<Tensor, Tensor, Tensor>)MaskedAccuracy]);
        var results = transformer.Evaluate((context, x), labels, batchSize: 3, verbose: 0);
        Assert.Equal(3.035871212336785, results[0], 4);
        Assert.Equal(0.05555555555555555, results[1], 5);
    }

    [SkippableFact]
    public void Causal_self_attention_sees_only_earlier_tokens_and_the_model_counts_its_parameters()
    {
        RequireBackend();
        // The tutorial's check: the first 3 outputs of the whole sequence are the outputs of the first 3 tokens alone.
        var embedEn = new PositionalEmbedding(vocabSize: Vocab, dModel: DModel);
        var sampleCsa = new CausalSelfAttention(numHeads: NumHeads, keyDim: DModel, dropout: 0.1);
        var en = NF.Constant(X);
        var out1 = sampleCsa.Call(embedEn.Call(en[.., ..3]));
        var out2 = sampleCsa.Call(embedEn.Call(en))[.., ..3];
        Assert.Equal([3, 3, DModel], out1.Shape.ToArray());
        Assert.True(NF.ReduceMax(NF.Abs(out1 - out2)).Item<float>() < 1e-5);
        Assert.Equal(NF.NotEqual(en[.., ..3], 0).ToArray<bool>(), Layer.MaskOf(out1)!.ToArray<bool>());

        // summary(): embeddings 2 x 160; per encoder layer attention 568 + norms 2 x 16 + feed-forward 280; per decoder
        // layer two attentions, three norms and the feed-forward; the final Dense 180.
        var transformer = NewTransformer();
        transformer.Call([NF.Constant(Context), en], training: false);
        Assert.Equal(5188, transformer.CountParams());
        Assert.Equal(568, transformer.Encoder.EncLayers[0].SelfAttention.Mha.CountParams());
        Assert.Equal(1464, transformer.Decoder.DecLayers[1].CountParams());
    }

    [SkippableFact]
    public void Custom_schedule_warms_up_then_decays_as_rsqrt()
    {
        RequireBackend();
        var schedule = new CustomSchedule(DModel);
        // transformer_references.py: rsqrt(8) * min(rsqrt(step), step * 4000^-1.5)
        Assert.Equal(0.0, schedule.At(0L));
        Assert.Equal(1.3975424859373688e-06, schedule.At(1L), 1e-6 * 1.4e-6);
        Assert.Equal(0.00013975424859373687, schedule.At(100L), 1e-6 * 1.4e-4);
        Assert.Equal(0.005590169943749474, schedule.At(4000L), 1e-6 * 5.6e-3);
        Assert.Equal(0.003535533905932738, schedule.At(10000L), 1e-6 * 3.5e-3);
        var rates = schedule.Call(NF.Constant(new float[] { 1, 100, 4000, 10000 })).ToArray<float>();
        AssertClose([1.3975424859373688e-06, 0.00013975424859373687, 0.005590169943749474, 0.003535533905932738], rates.Select(r => r).ToArray(), 1e-5);
    }

    // Made-up sentences: tokens 3..17 stepping by a per-sentence stride, lengths 4..8, padded with 0; the decoder input
    // is the target without its last token, the labels the target without its first ("shifted right").
    private static (Tensor Context, Tensor X, Tensor Labels) ToyData(int n)
    {
        var ctx = new int[n, 7]; var x = new int[n, 8]; var y = new int[n, 8];
        for (int i = 0; i < n; i++)
        {
            int stride = 1 + i % 4, first = 3 + i % 11, len = 4 + i % 5;
            for (int t = 0; t < Math.Min(len, 7); t++) ctx[i, t] = 3 + (first + 2 * t) % 15;
            for (int t = 0; t < len; t++)
            {
                x[i, t] = 3 + (first + stride * t) % 15;
                y[i, t] = 3 + (first + stride * (t + 1)) % 15;
            }
        }
        return (NF.Constant(ctx), NF.Constant(x), NF.Constant(y));
    }

    [SkippableFact]
    public void Fit_with_the_custom_schedule_lowers_the_masked_loss()
    {
        RequireBackend();
        Utils.SetRandomSeed(7);
        var (context, x, labels) = ToyData(48);
        var transformer = NewTransformer();
        var learningRate = new CustomSchedule(DModel, warmupSteps: 20);
        var optimizer = new Optimizers.Adam(learningRate, beta1: 0.9, beta2: 0.98, epsilon: 1e-9);
        transformer.Compile(optimizer, loss: MaskedLoss, metrics: [(Func<Tensor, Tensor, Tensor>)MaskedAccuracy]);
        var history = transformer.Fit((context, x), labels, batchSize: 8, epochs: 4, verbose: 0);
        // A C# function metric is named after its method (Keras: the Python function's __name__, masked_accuracy).
        var losses = history["loss"];
        Assert.Equal(4, losses.Count);
        Assert.True(losses[^1] < losses[0] - 0.3, string.Join(", ", losses));
        Assert.True(history["MaskedAccuracy"][^1] > history["MaskedAccuracy"][0], string.Join(", ", history["MaskedAccuracy"]));
        Assert.Equal(24, optimizer.Iterations);
        Assert.All(losses, l => Assert.True(double.IsFinite(l)));
    }

    [SkippableFact]
    public void Fit_on_batches_of_context_inputs_and_labels_as_make_batches_builds_them()
    {
        RequireBackend();
        Utils.SetRandomSeed(11);
        var (context, x, labels) = ToyData(32);
        // The tokenized target (length 9), which prepare_batch splits into decoder inputs en[:, :-1] and labels en[:, 1:].
        var en = NF.Concat([x[.., ..1], labels], axis: 1);
        var trainBatches = Dataset.FromTensorSlices(context, en)
            .Shuffle(32, seed: 3)
            .Batch(8)
            .Map((pt, target) => ((pt, target[.., ..^1]), target[.., 1..]));
        foreach (var ((pt, enInputs), enLabels) in trainBatches.Take(1))
        {
            Assert.Equal([8, 7], pt.Shape.ToArray());
            Assert.Equal([8, 8], enInputs.Shape.ToArray());
            Assert.Equal([8, 8], enLabels.Shape.ToArray());
        }
        var transformer = NewTransformer();
        var optimizer = new Optimizers.Adam(new CustomSchedule(DModel, warmupSteps: 20), beta1: 0.9, beta2: 0.98, epsilon: 1e-9);
        transformer.Compile(optimizer, loss: MaskedLoss, metrics: [(Func<Tensor, Tensor, Tensor>)MaskedAccuracy]);
        var history = transformer.Fit(trainBatches, epochs: 4, verbose: 0, validationData: trainBatches.Take(1));
        Assert.True(history["loss"][^1] < history["loss"][0] - 0.2, string.Join(", ", history["loss"]));
        Assert.Equal(4, history["val_loss"].Count);
        Assert.Equal(16, optimizer.Iterations);
    }

    [SkippableFact]
    public void Translator_greedy_loop_stops_at_the_end_token_and_reads_the_attention_weights()
    {
        RequireBackend();
        var transformer = NewTransformer();
        var context = NF.Constant(Context);
        transformer.Call([context, NF.Constant(X)], training: false);
        WriteFixedWeights(transformer);

        const int start = 3, end = 1, maxLength = 6;
        var encoderInput = context[..1];   // one sentence, (1, 7)
        var output = new List<int> { start };
        for (int i = 0; i < maxLength; i++)
        {
            var outputTensor = NF.Constant(ToRow(output));
            var predictions = transformer.Call([encoderInput, outputTensor], training: false);
            predictions = predictions[.., ^1..];   // (batch_size, 1, vocab_size)
            var predictedId = NF.ArgMax(predictions, axis: -1);
            Assert.Equal([1, 1], predictedId.Shape.ToArray());
            int id = Convert.ToInt32(predictedId.ToArray<long>()[0]);
            output.Add(id);
            if (id == end) break;
        }
        // transformer_references.py: greedy [3, 17, 17, 17, 1]
        Assert.Equal([3, 17, 17, 17, 1], output);

        // The attention weights of the last pass over the output without its end token.
        transformer.Call([encoderInput, NF.Constant(ToRow(output.Take(output.Count - 1).ToList()))], training: false);
        var attentionWeights = transformer.Decoder.LastAttnScores!;
        Assert.Equal([1, NumHeads, 4, 7], attentionWeights.Shape.ToArray());
        AssertClose([0.14248753001633016, 0.14267045305461415, 0.14080513906984335, 0.1428158211462374, 0.1440636204181856, 0.14358185612146485, 0.1435755801733245],
                    attentionWeights[0][0][^1].ToArray<float>(), 1e-5);
    }

    private static int[,] ToRow(List<int> tokens)
    {
        var row = new int[1, tokens.Count];
        for (int i = 0; i < tokens.Count; i++) row[0, i] = tokens[i];
        return row;
    }

    [SkippableFact]
    public void Bad_inputs_name_what_was_wrong()
    {
        RequireBackend();
        var transformer = NewTransformer();
        var context = NF.Constant(Context);
        transformer.Call([context, NF.Constant(X)], training: false);
        // A token id past the vocabulary.
        var bad = NF.Constant(new[,] { { 3, 25, 4 } });
        var e1 = Assert.ThrowsAny<ArgumentException>(() => transformer.Call([context[..1], bad], training: false));
        Assert.Contains("25", e1.Message);
        // The decoder's batch of 2 against a context batch of 3: the cross attention says so.
        var e2 = Assert.ThrowsAny<ArgumentException>(() => transformer.Call([context, NF.Constant(X)[..2]], training: false));
        Assert.Contains("batch", e2.Message, StringComparison.OrdinalIgnoreCase);
    }
}

/// <summary>The Transformer tutorial on the managed backend.</summary>
public sealed class ManagedProbe31TransformerTests() : Probe31TransformerTests("managed");

/// <summary>The Transformer tutorial on the native CPU backend.</summary>
public sealed class NativeCpuProbe31TransformerTests() : Probe31TransformerTests("cpu");

/// <summary>The Transformer tutorial on CUDA.</summary>
public sealed class CudaProbe31TransformerTests() : Probe31TransformerTests("cuda");
