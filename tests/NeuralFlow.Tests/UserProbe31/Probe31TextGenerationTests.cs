using NeuralFlow.Data;
using NeuralFlow.Keras;

namespace NeuralFlow.Tests.UserProbe31;

/// <summary>
/// TensorFlow's "Text generation with an RNN" (site/en/text/tutorials/text_generation.ipynb) on 250 characters of the
/// Shakespeare it trains on: tf.strings.unicode_split, StringLookup(vocabulary, mask_token=None) and its inverse,
/// tf.strings.reduce_join, the dataset of seq_length + 1 windows split into input and target, shuffled and batched;
/// the subclassed MyModel (Embedding, GRU with return_state, Dense) against NumPy with fixed weights
/// (text_generation_references.py), its untrained loss near log(vocab size), and states carried across calls.
/// Training, checkpoints and the OneStep generator are in Probe31TextGenerationTrainingTests.
/// </summary>
public abstract class Probe31TextGenerationTests(string backend) : BackendTest(backend)
{
    internal const string Text = "First Citizen:\nBefore we proceed any further, hear me speak.\n\nAll:\nSpeak, speak.\n\n" +
                                 "First Citizen:\nYou are all resolved rather to die than to famish?\n\nAll:\nResolved. resolved.\n\n" +
                                 "First Citizen:\nFirst, you know Caius Marcius is chief enemy to the people.\n";
    internal const int SeqLength = 10, BatchSize = 4, EmbeddingDim = 8, RnnUnits = 16;

    // vocab = sorted(set(text)): Python sorts by code point, so ordinal order here.
    internal static string[] Vocab() => Text.Select(c => c.ToString()).Distinct().Order(StringComparer.Ordinal).ToArray();

    internal static (Tensor Input, Tensor Target) SplitInputTarget(Tensor sequence) => (sequence[..^1], sequence[1..]);

    // all_ids -> from_tensor_slices -> batch(seq_length + 1, drop_remainder=True) -> map(split_input_target)
    internal static Dataset<(Tensor, Tensor)> Sequences(Layers.StringLookup idsFromChars)
    {
        var allIds = idsFromChars.Call(NF.Strings.UnicodeSplit(Text, "UTF-8").ToTensor());
        var idsDataset = Dataset.FromTensorSlices(allIds);
        return idsDataset.Batch(SeqLength + 1, dropRemainder: true).Map(SplitInputTarget);
    }

    // scale sin(0.37 k + 1.1 index) over each variable's values in Keras' layout (the reference script's sine()).
    private static Tensor Sine(int[] shape, int index, double scale)
    {
        int count = shape.Aggregate(1, (a, b) => a * b);
        return NF.Constant(Enumerable.Range(0, count).Select(k => (float)(scale * Math.Sin(0.37 * k + 1.1 * index))).ToArray(), shape);
    }

    internal static void WriteFixedWeights(Probe31TextGenerationModel model, int vocabSize)
    {
        model.Embedding.SetWeights([Sine([vocabSize, EmbeddingDim], 0, 0.5)]);
        model.Gru.SetWeights([Sine([EmbeddingDim, 3 * RnnUnits], 1, 0.3), Sine([RnnUnits, 3 * RnnUnits], 2, 0.3), Sine([2, 3 * RnnUnits], 3, 0.1)]);
        model.Dense.SetWeights([Sine([RnnUnits, vocabSize], 4, 0.4), Sine([vocabSize], 5, 0.05)]);
    }

    [SkippableFact]
    public void Characters_go_to_ids_and_back_through_ragged_rows()
    {
        RequireBackend();
        var vocab = Vocab();
        Assert.Equal(35, vocab.Length);
        var exampleTexts = new StringTensor(["abcdefg", "xyz"]);
        var chars = NF.Strings.UnicodeSplit(exampleTexts, inputEncoding: "UTF-8");
        Assert.Equal("<tf.RaggedTensor [[b'a', b'b', b'c', b'd', b'e', b'f', b'g'], [b'x', b'y', b'z']]>", chars.ToString());

        var idsFromChars = new Layers.StringLookup(vocabulary: vocab, maskToken: null);
        var ids = idsFromChars.Call(chars);
        // [UNK] is id 0, then the vocabulary from 1 (text_generation_references.py): 'b', 'g' and 'x' are not in this text.
        Assert.Equal([7, 3], ids.RowLengths().ToArray<long>());
        Assert.Equal(DType.Int64, ids.DType);
        Assert.Equal([15L, 0, 16, 17, 18, 19, 0, 0, 34, 35], ids.FlatValues.ToArray<long>());

        var charsFromIds = new Layers.StringLookup(vocabulary: idsFromChars.GetVocabulary(), invert: true, maskToken: null);
        Assert.Equal(36, idsFromChars.GetVocabulary().Length);
        var back = charsFromIds.CallInverted(ids);
        Assert.Equal("<tf.RaggedTensor [[b'a', b'[UNK]', b'c', b'd', b'e', b'f', b'[UNK]'], [b'[UNK]', b'y', b'z']]>", back.ToString());
        Assert.Equal(["a[UNK]cdef[UNK]", "[UNK]yz"], NF.Strings.ReduceJoin(back, axis: -1).ToArray());
        Assert.Equal([2, 1], NF.Strings.ReduceJoin(back, axis: -1, keepdims: true).Shape.ToArray());

        // text_from_ids of a dense batch: the inverse keeps the ids' shape, so axis -1 joins each row.
        StringTensor TextFromIds(Tensor rows) => NF.Strings.ReduceJoin(charsFromIds.CallInverted(rows), axis: -1);
        var first = Sequences(idsFromChars).Batch(2).First();
        var joined = TextFromIds(first.Item1);
        Assert.Equal([2], joined.Shape.ToArray());
        Assert.Equal([Text[..SeqLength], Text[(SeqLength + 1)..(2 * SeqLength + 1)]], joined.ToArray());
        Assert.Equal(Text[1..(SeqLength + 1)], TextFromIds(first.Item2).ToArray()[0]);
        // One id gives one character (a scalar string tensor), as chars_from_ids(ids).numpy().decode('utf-8') reads it.
        Assert.Equal("F", charsFromIds.CallInverted(NF.Constant(10L)).Item());
    }

    [SkippableFact]
    public void The_dataset_splits_windows_into_input_and_target_then_shuffles_and_batches()
    {
        RequireBackend();
        var idsFromChars = new Layers.StringLookup(vocabulary: Vocab(), maskToken: null);
        var allIds = idsFromChars.Call(NF.Strings.UnicodeSplit(Text, "UTF-8").ToTensor());
        Assert.Equal([Text.Length], allIds.Shape.ToArray());
        var idsDataset = Dataset.FromTensorSlices(allIds);
        Assert.Equal("TensorSpec(shape=(), dtype=tf.int64, name=None)", idsDataset.ElementSpec.ToString());
        var sequences = idsDataset.Batch(SeqLength + 1, dropRemainder: true);
        Assert.Equal(Text.Length / (SeqLength + 1), sequences.Count());

        var dataset = sequences.Map(SplitInputTarget);
        foreach (var (input, target) in dataset.Take(1))
        {
            Assert.Equal(allIds[..SeqLength].ToArray<long>(), input.ToArray<long>());
            Assert.Equal(allIds[1..(SeqLength + 1)].ToArray<long>(), target.ToArray<long>());
        }
        var batched = dataset.Shuffle(10000, seed: 31).Batch(BatchSize, dropRemainder: true).Prefetch(Dataset.Autotune);
        Assert.Equal("(TensorSpec(shape=(4, 10), dtype=tf.int64, name=None), TensorSpec(shape=(4, 10), dtype=tf.int64, name=None))",
                     batched.ElementSpec.ToString());
        Assert.Equal(22 / BatchSize, batched.Count());
        // Shuffled whole windows: each target is still its input moved on by one character.
        foreach (var (input, target) in batched)
            Assert.Equal(input[.., 1..].ToArray<long>(), target[.., ..^1].ToArray<long>());
    }

    [SkippableFact]
    public void MyModel_with_fixed_weights_matches_numpy_and_carries_its_states()
    {
        RequireBackend();
        var idsFromChars = new Layers.StringLookup(vocabulary: Vocab(), maskToken: null);
        int vocabSize = idsFromChars.GetVocabulary().Length;
        var model = new Probe31TextGenerationModel(vocabSize, EmbeddingDim, RnnUnits);
        var (inputExampleBatch, targetExampleBatch) = Sequences(idsFromChars).Batch(BatchSize, dropRemainder: true).First();
        var exampleBatchPredictions = model.Call(inputExampleBatch);
        Assert.Equal([BatchSize, SeqLength, vocabSize], exampleBatchPredictions.Shape.ToArray());   // (batch_size, sequence_length, vocab_size)
        // model.summary(): embedding 36 * 8, gru 3 * 16 * (8 + 16 + 2) (reset_after's two biases), dense 16 * 36 + 36.
        Assert.Equal(288, model.Embedding.CountParams());
        Assert.Equal(1248, model.Gru.CountParams());
        Assert.Equal(612, model.Dense.CountParams());
        Assert.Equal(2148, model.CountParams());

        var sampledIndices = NF.Squeeze(NF.Random.Categorical(exampleBatchPredictions[0], numSamples: 1), axis: -1);
        Assert.Equal([SeqLength], sampledIndices.Shape.ToArray());
        Assert.All(sampledIndices.ToArray<int>(), i => Assert.InRange(i, 0, vocabSize - 1));

        WriteFixedWeights(model, vocabSize);
        var logits = model.Call(inputExampleBatch);
        var loss = new Losses.SparseCategoricalCrossentropy(fromLogits: true);
        var exampleBatchMeanLoss = loss.Call(targetExampleBatch, logits).Item<float>();
        // text_generation_references.py: 3.5847537875844715, near log(36) = 3.58351893845611 for near-uniform logits.
        Assert.Equal(3.5847537875844715, exampleBatchMeanLoss, 1e-4);
        Assert.Equal(Math.Log(vocabSize), exampleBatchMeanLoss, 0.05);
        Assert.Equal(vocabSize, Math.Exp(exampleBatchMeanLoss), 1.0);
        double[] first = [-0.024464046925553103, 0.0019399290299365254, 0.02808134469184212, 0.05042208208524954];
        double[] last = [-0.038582848530515676, -0.024184891709279947, -0.006513623251647761];
        var got = logits.ToArray<float>();
        for (int k = 0; k < 4; k++) Assert.Equal(first[k], got[k], 2e-5);
        for (int k = 0; k < 3; k++) Assert.Equal(last[k], got[got.Length - 3 + k], 2e-5);

        // call(inputs, states, return_state=True): the final state, and six steps then four from the states given back
        // are the ten steps at once.
        var (full, states) = model.Call(inputExampleBatch, null, returnState: true);
        Assert.Single(states);
        Assert.Equal([BatchSize, RnnUnits], states[0].Shape.ToArray());
        double[] state = [0.049815755039600784, 0.01776602178916409, -0.016784492621763607];
        for (int k = 0; k < 3; k++) Assert.Equal(state[k], states[0][1, k].Item<float>(), 2e-5);
        var (head, headStates) = model.Call(inputExampleBatch[.., ..6], null, returnState: true);
        var (tail, tailStates) = model.Call(inputExampleBatch[.., 6..], headStates, returnState: true);
        AssertClose(full, NF.Concat([head, tail], axis: 1));
        AssertClose(states[0], tailStates[0]);
        Assert.Empty(model.Call(inputExampleBatch, null, returnState: false).States);
    }

    [SkippableFact]
    public void Bad_calls_name_what_was_wrong()
    {
        RequireBackend();
        var idsFromChars = new Layers.StringLookup(vocabulary: Vocab(), maskToken: null);
        // unicode_split of one string is a plain vector in TensorFlow: its lookup goes through ToTensor().
        var one = Assert.Throws<ArgumentException>(() => idsFromChars.Call(NF.Strings.UnicodeSplit("abc")));
        Assert.Equal("tokens", one.ParamName);
        Assert.Contains("ToTensor()", one.Message);
        var rows = NF.Strings.UnicodeSplit(new StringTensor(["ab", "c"]));
        Assert.Contains("axis", Assert.Throws<ArgumentOutOfRangeException>(() => NF.Strings.ReduceJoin(rows, axis: 0)).Message);
        Assert.Contains("invert: true", Assert.Throws<InvalidOperationException>(() => idsFromChars.CallInverted(idsFromChars.Call(rows))).Message);

        // tf.SparseTensor's own checks, and tf.sparse.to_dense's of the index values.
        var vector = NF.Constant(new long[] { 0 });
        Assert.Equal("indices", Assert.Throws<ArgumentException>(() => new SparseTensor(vector, NF.Constant(new[] { 1f }), [3])).ParamName);
        Assert.Equal("values", Assert.Throws<ArgumentException>(() => new SparseTensor(NF.Constant(new long[,] { { 0 }, { 1 } }), NF.Constant(new[] { 1f }), [3])).ParamName);
        Assert.Equal("denseShape", Assert.Throws<ArgumentException>(() => new SparseTensor(NF.Constant(new long[,] { { 0 } }), NF.Constant(new[] { 1f }), [3, 4])).ParamName);
        Assert.Contains("out of range", Assert.Throws<ArgumentException>(() => NF.Sparse.ToDense(new SparseTensor(NF.Constant(new long[,] { { 3 } }), NF.Constant(new[] { 1f }), [3]))).Message);
        var unordered = new SparseTensor(NF.Constant(new long[,] { { 2 }, { 0 } }), NF.Constant(new[] { 1f, 2f }), [3]);
        Assert.Contains("out of order", Assert.Throws<ArgumentException>(() => NF.Sparse.ToDense(unordered)).Message);
        Assert.Equal(new[] { 2f, 0f, 1f }, NF.Sparse.ToDense(unordered, validateIndices: false).ToArray<float>());
        // The tf.sparse.to_dense docstring's example.
        var sp = new SparseTensor(NF.Constant(new long[,] { { 0, 0 }, { 1, 2 } }), NF.Constant(new[] { 1f, 2f }), [3, 4]);
        Assert.Equal(new[] { 1f, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0 }, NF.Sparse.ToDense(sp).ToArray<float>());
        Assert.Equal(new[] { 1f, 9, 9, 9 }, NF.Sparse.ToDense(sp, defaultValue: 9)[0].ToArray<float>());

        var gru = new Layers.GRU(4, returnSequences: true, returnState: true);
        Assert.Equal("inputs", Assert.Throws<ArgumentException>(() => gru.GetInitialState(NF.Zeros([2, 3]))).ParamName);
        var zeros = gru.GetInitialState(NF.Zeros([2, 5, 3]));
        Assert.Equal([2, 4], Assert.Single(zeros).Shape.ToArray());
        Assert.All(zeros[0].ToArray<float>(), v => Assert.Equal(0f, v));
    }

    internal static void AssertClose(Tensor expected, Tensor actual, double tolerance = 1e-5)
    {
        Assert.Equal(expected.Shape.ToArray(), actual.Shape.ToArray());
        var e = expected.ToArray<float>();
        var a = actual.ToArray<float>();
        for (int i = 0; i < e.Length; i++) Assert.True(Math.Abs(e[i] - a[i]) <= tolerance, $"element {i}: {e[i]} vs {a[i]}");
    }
}

/// <summary>The text generation tutorial's data and model on the managed backend.</summary>
public sealed class ManagedProbe31TextGenerationTests() : Probe31TextGenerationTests("managed");

/// <summary>The text generation tutorial's data and model on the native CPU backend.</summary>
public sealed class NativeCpuProbe31TextGenerationTests() : Probe31TextGenerationTests("cpu");

/// <summary>The text generation tutorial's data and model on CUDA.</summary>
public sealed class CudaProbe31TextGenerationTests() : Probe31TextGenerationTests("cuda");
