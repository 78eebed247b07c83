using NeuralFlow.Keras;

namespace NeuralFlow.Tests.UserProbe13;

/// <summary>
/// keras.io's "Text classification with Transformer" in C#: the custom <see cref="TransformerBlock"/>
/// and <see cref="TokenAndPositionEmbedding"/> layers in a functional model on float token ids
/// (Input(shape=(maxlen,))), parameter counts from Keras' formulas, training, and the model saved
/// (.keras and .nfmodel) and loaded through the layers' configs, giving the same predictions.
/// </summary>
public abstract class TransformerExampleTests(string backend) : BackendFileTest(backend)
{
    private static Model Classifier(int vocabSize, int maxlen, int embedDim, int numHeads, int ffDim)
    {
        var inputs = Layers.Input([maxlen]);
        var x = new TokenAndPositionEmbedding(maxlen, vocabSize, embedDim).Call(inputs);
        x = new TransformerBlock(embedDim, numHeads, ffDim).Call(x);
        x = new Layers.GlobalAveragePooling1D().Call(x);
        x = new Layers.Dropout(0.1).Call(x);
        x = new Layers.Dense(20, activation: "relu").Call(x);
        x = new Layers.Dropout(0.1).Call(x);
        var outputs = new Layers.Dense(2, activation: "softmax").Call(x);
        return new Model(inputs: inputs, outputs: outputs);
    }

    [SkippableFact]
    public void The_example_model_has_keras_counts()
    {
        RequireBackend();
        var model = Classifier(vocabSize: 20000, maxlen: 200, embedDim: 32, numHeads: 2, ffDim: 32);
        // Embeddings 20000*32 + 200*32; attention 3*(32*2*32 + 2*32) + 2*32*32 + 32; FFN 2*(32*32 + 32);
        // two LayerNormalizations 2*2*32; Dense 32*20 + 20 and 20*2 + 2.
        // Keras 3's model.layers of a functional model starts with its InputLayer.
        Assert.IsType<Layers.InputLayer>(model.Layers[0]);
        Assert.Equal(8, model.Layers.Count);
        Assert.Equal(646_400, model.Layers[1].CountParams());
        Assert.Equal(10_656, model.Layers[2].CountParams());
        Assert.Equal(657_758, model.CountParams());
        Assert.Equal(new int?[] { null, 200, 32 }, model.Layers[2].Output.Shape);
    }

    [SkippableFact]
    public void Trains_and_saves_through_the_custom_layers_configs()
    {
        RequireBackend();
        TransformerBlock.Register();
        TokenAndPositionEmbedding.Register();
        NF.Random.SetSeed(41);
        int maxlen = BackendName == "cuda" ? 6 : 12, count = BackendName == "cuda" ? 8 : 32;
        var model = Classifier(vocabSize: 50, maxlen: maxlen, embedDim: 8, numHeads: 2, ffDim: 8);
        // Reviews whose class is whether they use the upper half of the vocabulary.
        var ids = NF.Random.Uniform([count, maxlen], 1, 25, DType.Int32);
        var labels = NF.Constant(Enumerable.Range(0, count).Select(i => i % 2).ToArray(), [count]);
        var shifted = ids + NF.ExpandDims(labels, 1) * 25;
        var xTrain = NF.Cast(shifted, DType.Float32);
        model.Compile(optimizer: new Optimizers.Adam(0.01f), loss: "sparse_categorical_crossentropy", metrics: ["accuracy"]);
        var history = model.Fit(xTrain, labels, batchSize: 8, epochs: BackendName == "cuda" ? 2 : 6, validationData: (xTrain, labels), verbose: 0);
        Assert.Equal(new[] { "loss", "accuracy", "val_loss", "val_accuracy" }, history.Keys.ToArray());
        Assert.True(history["loss"][^1] < history["loss"][0], string.Join(", ", history["loss"]));
        var expected = model.Predict(xTrain).ToArray<float>();
        foreach (var file in new[] { "transformer.keras", "transformer.nfmodel" })
        {
            string path = Temp.File(file);
            model.Save(path);
            var loaded = Model.Load(path);
            Assert.IsType<TransformerBlock>(loaded.Layers[2]);
            var got = loaded.Predict(xTrain).ToArray<float>();
            for (int i = 0; i < got.Length; i++) Assert.Equal(expected[i], got[i], 5);
        }
    }
}

/// <summary>The Transformer example on the managed backend.</summary>
public sealed class ManagedTransformerExampleTests() : TransformerExampleTests("managed");

/// <summary>The Transformer example on the native CPU backend.</summary>
public sealed class NativeCpuTransformerExampleTests() : TransformerExampleTests("cpu");

/// <summary>The Transformer example on CUDA.</summary>
public sealed class CudaTransformerExampleTests() : TransformerExampleTests("cuda");
