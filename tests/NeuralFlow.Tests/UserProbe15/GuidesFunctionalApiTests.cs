using System.Text.Json.Nodes;
using NeuralFlow.Keras;

namespace NeuralFlow.Tests.UserProbe15;

/// <summary>
/// keras.io's "The Functional API" guide in C#, the sections earlier ports left out: the MNIST MLP's
/// shapes and parameter count, one graph of layers making an encoder and an autoencoder, models
/// called as layers (the chained autoencoder, the ensemble averaging three models), the toy
/// ResNet, a shared embedding, a feature-extraction model of every layer's output, a custom
/// layer's config rebuilding the model (<c>Model.from_config(config, custom_objects)</c>), and
/// a custom RNN layer mixing a functional model into a subclassed layer. The parameter counts
/// are the guide's printed summaries.
/// </summary>
public abstract class GuidesFunctionalApiTests(string backend) : BackendTest(backend)
{
    [SkippableFact]
    public void The_mnist_model_has_the_guides_shapes_and_55050_parameters()
    {
        RequireBackend();
        var inputs = Layers.Input([784]);
        Assert.Equal(new int?[] { null, 784 }, inputs.Shape);
        Assert.Equal(DType.Float32, inputs.DType);
        Assert.Equal(new int?[] { null, 32, 32, 3 }, Layers.Input([32, 32, 3]).Shape);
        var x = new Layers.Dense(64, activation: "relu").Call(inputs);
        x = new Layers.Dense(64, activation: "relu").Call(x);
        var outputs = new Layers.Dense(10).Call(x);
        var model = new Model(inputs, outputs, name: "mnist_model");
        Assert.Equal("mnist_model", model.Name);
        Assert.Equal(55_050, model.CountParams());
        var summary = model.SummaryText();
        Assert.StartsWith("Model: \"mnist_model\"", summary);
        Assert.Contains("Total params: 55,050", summary);
    }

    // The guide's encoder: 28x28x1 -> conv 16 -> conv 32 -> max-pool 3 -> conv 32 -> conv 16 -> global max-pool.
    private static KerasTensor Encoder(KerasTensor image)
    {
        var x = new Layers.Conv2D(16, 3, activation: "relu").Call(image);
        x = new Layers.Conv2D(32, 3, activation: "relu").Call(x);
        x = new Layers.MaxPooling2D(3).Call(x);
        x = new Layers.Conv2D(32, 3, activation: "relu").Call(x);
        x = new Layers.Conv2D(16, 3, activation: "relu").Call(x);
        return new Layers.GlobalMaxPooling2D().Call(x);
    }

    // Its mirror: (16,) -> 4x4x1 -> transposed convs and an upsampling back to 28x28x1.
    private static KerasTensor Decoder(KerasTensor code)
    {
        var x = new Layers.Reshape([4, 4, 1]).Call(code);
        x = new Layers.Conv2DTranspose(16, 3, activation: "relu").Call(x);
        x = new Layers.Conv2DTranspose(32, 3, activation: "relu").Call(x);
        x = new Layers.UpSampling2D(3).Call(x);
        x = new Layers.Conv2DTranspose(16, 3, activation: "relu").Call(x);
        return new Layers.Conv2DTranspose(1, 3, activation: "relu").Call(x);
    }

    [SkippableFact]
    public void One_graph_of_layers_makes_the_encoder_and_the_autoencoder()
    {
        RequireBackend();
        var encoderInput = Layers.Input([28, 28, 1], name: "img");
        var encoderOutput = Encoder(encoderInput);
        var encoder = new Model(encoderInput, encoderOutput, name: "encoder");
        Assert.Equal(new int?[] { null, 16 }, encoderOutput.Shape);
        Assert.Equal(18_672, encoder.CountParams());
        var decoded = Decoder(encoderOutput);
        var autoencoder = new Model(encoderInput, decoded, name: "autoencoder");
        Assert.Equal(new int?[] { null, 28, 28, 1 }, decoded.Shape);
        Assert.Equal(28_241, autoencoder.CountParams());
        // The two models share the encoder's layers, and so its weights.
        Assert.All(encoder.Variables, v => Assert.Contains(v, autoencoder.Variables));
        NF.Random.SetSeed(4);
        var images = NF.Random.Uniform([2, 28, 28, 1]);
        Assert.Equal(new Shape(2, 28, 28, 1), autoencoder.Predict(images, verbose: 0).Shape);
    }

    [SkippableFact]
    public void Models_called_as_layers_chain_into_the_autoencoder_with_their_weights()
    {
        RequireBackend();
        var encoderInput = Layers.Input([28, 28, 1], name: "original_img");
        var encoder = new Model(encoderInput, Encoder(encoderInput), name: "encoder");
        var decoderInput = Layers.Input([16], name: "encoded_img");
        var decoder = new Model(decoderInput, Decoder(decoderInput), name: "decoder");
        Assert.Equal(9_569, decoder.CountParams());
        var autoencoderInput = Layers.Input([28, 28, 1], name: "img");
        var decodedImg = decoder.Call(encoder.Call(autoencoderInput));
        var autoencoder = new Model(autoencoderInput, decodedImg, name: "autoencoder");
        Assert.Equal(28_241, autoencoder.CountParams());
        Assert.Equal(["img", "encoder", "decoder"], autoencoder.SubLayers.Select(l => l.Name));
        NF.Random.SetSeed(5);
        var images = NF.Random.Uniform([2, 28, 28, 1]);
        GuideAssert.Close(decoder.Predict(encoder.Predict(images, verbose: 0), verbose: 0), autoencoder.Predict(images, verbose: 0), 1e-5);
        var summary = autoencoder.SummaryText();
        Assert.Equal(["encoder (Functional)", "(None, 16)", "18,672"], SummaryCells.Row(summary, "encoder (Functional)"));
        Assert.Equal(["decoder (Functional)", "(None, 28, 28, 1)", "9,569"], SummaryCells.Row(summary, "decoder (Functional)"));
    }

    [SkippableFact]
    public void An_ensemble_averages_its_models_predictions()
    {
        RequireBackend();
        NF.Random.SetSeed(6);
        static Model GetModel()
        {
            var inputs = Layers.Input([128]);
            return new Model(inputs, new Layers.Dense(1).Call(inputs));
        }
        var models = new[] { GetModel(), GetModel(), GetModel() };
        var input = Layers.Input([128]);
        var outputs = new Layers.Average().Call(models.Select(m => m.Call(input)).ToArray());
        var ensemble = new Model(input, outputs);
        Assert.Equal(3 * 129, ensemble.CountParams());
        var x = NF.Random.Normal([4, 128]);
        var mean = (models[0].Predict(x, verbose: 0) + models[1].Predict(x, verbose: 0) + models[2].Predict(x, verbose: 0)) / 3f;
        GuideAssert.Close(mean, ensemble.Predict(x, verbose: 0), 1e-5);
    }

    [SkippableFact]
    public void The_toy_resnet_has_223242_parameters_and_trains_on_a_validation_split()
    {
        RequireBackend();
        NF.Random.SetSeed(7);
        var inputs = Layers.Input([32, 32, 3], name: "img");
        var x = new Layers.Conv2D(32, 3, activation: "relu").Call(inputs);
        x = new Layers.Conv2D(64, 3, activation: "relu").Call(x);
        var block1Output = new Layers.MaxPooling2D(3).Call(x);
        x = new Layers.Conv2D(64, 3, activation: "relu", padding: "same").Call(block1Output);
        x = new Layers.Conv2D(64, 3, activation: "relu", padding: "same").Call(x);
        var block2Output = new Layers.Add().Call([x, block1Output]);
        x = new Layers.Conv2D(64, 3, activation: "relu", padding: "same").Call(block2Output);
        x = new Layers.Conv2D(64, 3, activation: "relu", padding: "same").Call(x);
        var block3Output = new Layers.Add().Call([x, block2Output]);
        x = new Layers.Conv2D(64, 3, activation: "relu").Call(block3Output);
        x = new Layers.GlobalAveragePooling2D().Call(x);
        x = new Layers.Dense(256, activation: "relu").Call(x);
        x = new Layers.Dropout(0.5).Call(x);
        var model = new Model(inputs, new Layers.Dense(10).Call(x), name: "toy_resnet");
        Assert.Equal(223_242, model.CountParams());
        Assert.Contains("Total params: 223,242", model.SummaryText());

        // The guide's fit: one-hot targets, "acc", validation_split=0.2 (10 images here).
        var images = NF.Random.Uniform([10, 32, 32, 3]);
        var labels = NF.OneHot(NF.Constant(new[] { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9 }), 10);
        model.Compile(new Optimizers.RMSprop(1e-3f), new Losses.CategoricalCrossentropy(fromLogits: true), metrics: ["acc"]);
        var history = model.Fit(images, labels, batchSize: 4, epochs: 1, validationSplit: 0.2, verbose: 0);
        Assert.Equal(["loss", "acc", "val_loss", "val_acc"], history.Keys);
    }

    [SkippableFact]
    public void A_shared_embedding_encodes_both_texts_with_one_matrix()
    {
        RequireBackend();
        var sharedEmbedding = new Layers.Embedding(1000, 128);
        var textInputA = Layers.Input(new int?[] { null }, DType.Int32);
        var textInputB = Layers.Input(new int?[] { null }, DType.Int32);
        var encodedA = sharedEmbedding.Call(textInputA);
        var encodedB = sharedEmbedding.Call(textInputB);
        Assert.Equal(new int?[] { null, null, 128 }, encodedA.Shape);
        var model = new Model([textInputA, textInputB], [encodedA, encodedB]);
        Assert.Single(model.Variables);
        Assert.Equal(128_000, model.CountParams());
        var words = NF.Constant(new[,] { { 3, 999, 0 } });
        var both = model.CallOutputs([words, words]);
        Assert.Equal(both[0].ToArray<float>(), both[1].ToArray<float>());
    }

    [SkippableFact]
    public void Every_layers_output_makes_a_feature_extraction_model()
    {
        RequireBackend();
        NF.Random.SetSeed(8);
        // A small stand-in for VGG19: the guide reads [layer.output for layer in vgg19.layers].
        var input = Layers.Input([8, 8, 3], name: "image");
        var x = new Layers.Conv2D(4, 3, activation: "relu", padding: "same", name: "block1_conv1").Call(input);
        x = new Layers.MaxPooling2D(2, name: "block1_pool").Call(x);
        x = new Layers.Flatten(name: "flatten").Call(x);
        var net = new Model(input, new Layers.Dense(5, activation: "softmax", name: "predictions").Call(x), name: "vgg_like");
        var featuresList = net.Layers.Select(l => l.Output).ToArray();
        Assert.Equal(5, featuresList.Length);   // the input layer first, as Keras 3 lists it
        var featExtractionModel = new Model([net.Input], featuresList);
        var img = NF.Random.Uniform([1, 8, 8, 3]);
        var extracted = featExtractionModel.CallOutputs([img]);
        Assert.Equal([new Shape(1, 8, 8, 3), new Shape(1, 8, 8, 4), new Shape(1, 4, 4, 4), new Shape(1, 64), new Shape(1, 5)], extracted.Select(t => t.Shape));
        Assert.Equal(img.ToArray<float>(), extracted[0].ToArray<float>());
        GuideAssert.Close(net.Call(img), extracted[4], 1e-6);
    }

    [SkippableFact]
    public void A_custom_layers_config_rebuilds_the_model_with_custom_objects()
    {
        RequireBackend();
        GuideCustomDense.Register();
        var inputs = Layers.Input([4]);
        var outputs = new GuideCustomDense(10).Call(inputs);
        var model = new Model(inputs, outputs);
        var config = model.GetConfig();
        // Keras' functional get_config: name, layers (each with its calls), input and output layers.
        Assert.Equal(model.Name, (string?)config["name"]);
        var layers = config["layers"]!.AsArray();
        Assert.Equal(["InputLayer", GuideCustomDense.ClassName], layers.Select(l => (string?)l!["class_name"]));
        Assert.Equal(10, (int)layers[1]!["config"]!["units"]!);
        Assert.Single(config["input_layers"]!.AsArray());
        Assert.Single(config["output_layers"]!.AsArray());

        int built = 0;
        var customObjects = new Dictionary<string, Func<JsonObject, Layer>>
        {
            [GuideCustomDense.ClassName] = c => { built++; return GuideCustomDense.FromConfig(c); },
        };
        var newModel = Model.FromConfig(config, customObjects);
        Assert.Equal(1, built);   // the custom object serves before the registered factory
        Assert.IsType<GuideCustomDense>(newModel.Layers[^1]);
        Assert.Equal(4 * 10 + 10, newModel.CountParams());
        Assert.True(JsonNode.DeepEquals(config, newModel.GetConfig()));
        // The same model, fresh weights: copy them and it computes the same.
        newModel.SetWeights(model.GetWeights());
        var x = NF.Random.Normal([3, 4]);
        GuideAssert.Close(model.Call(x), newModel.Call(x), 1e-6);
    }

    [SkippableFact]
    public void A_class_name_nothing_registers_is_found_in_custom_objects_only()
    {
        RequireBackend();
        GuideCustomDense.Register();
        var inputs = Layers.Input([4]);
        var model = new Model(inputs, new GuideCustomDense(3).Call(inputs));
        var config = model.GetConfig();
        config["layers"]![1]!["class_name"] = "GuideNeverRegistered";
        var unknown = Assert.Throws<ArgumentException>(() => Model.FromConfig(config));
        Assert.Contains("GuideNeverRegistered", unknown.Message);
        Assert.Contains("customObjects", unknown.Message);
        var rebuilt = Model.FromConfig(config, new Dictionary<string, Func<JsonObject, Layer>> { ["GuideNeverRegistered"] = GuideCustomDense.FromConfig });
        Assert.Equal(15, rebuilt.CountParams());
        // The custom objects were for that call alone.
        Assert.Throws<ArgumentException>(() => Model.FromConfig(config));
        using (KerasSerialization.CustomObjectScope(new Dictionary<string, Func<JsonObject, Layer>> { ["GuideNeverRegistered"] = GuideCustomDense.FromConfig }))
            Assert.Equal(15, Model.FromConfig(config).CountParams());
        Assert.Throws<ArgumentException>(() => Model.FromConfig(config));
    }

    // The guide's CustomRNN: a recurrence written as a loop over time steps, its classifier a model of its own.
    private sealed class CustomRnn(Layer classifier, int units = 32) : Layer
    {
        private readonly Layers.Dense _projection1 = new(units, activation: "tanh");
        private readonly Layers.Dense _projection2 = new(units, activation: "tanh");
        private readonly Layer _classifier = classifier;

        protected override Tensor Forward(Tensor inputs)
        {
            var outputs = new List<Tensor>();
            var state = NF.Zeros([inputs.Shape[0], units]);
            for (int t = 0; t < inputs.Shape[1]; t++)
            {
                var h = _projection1.Call(inputs[.., t, ..]);
                var y = h + _projection2.Call(state);
                state = y;
                outputs.Add(y);
            }
            return _classifier.Call(NF.Stack(outputs, axis: 1));
        }
    }

    [SkippableFact]
    public void A_functional_model_inside_a_custom_layer_and_a_custom_layer_in_a_functional_model()
    {
        RequireBackend();
        NF.Random.SetSeed(9);
        const int units = 32, timesteps = 10, inputDim = 5, batchSize = 16;
        var classifierInput = Layers.Input(new int?[] { null, units });
        var classifier = new Model(classifierInput, new Layers.Dense(1).Call(new Layers.GlobalAveragePooling1D().Call(classifierInput)));
        var rnnModel = new CustomRnn(classifier);
        var y = rnnModel.Call(NF.Zeros([1, timesteps, inputDim]));
        Assert.Equal(new Shape(1, 1), y.Shape);
        // Both projections and the classifier's Dense: (5*32 + 32) + (32*32 + 32) + (32 + 1).
        Assert.Equal(192 + 1056 + 33, rnnModel.CountParams());

        // A static batch size (batch_shape) because the layer makes its state from inputs.shape[0].
        var inputs = Layers.Input([timesteps, inputDim], batchSize: batchSize);
        var x = new Layers.Conv1D(32, 3).Call(inputs);
        var outputs = new CustomRnn(new Layers.Dense(1)).Call(x);
        Assert.Equal(new int?[] { batchSize, timesteps - 2, 1 }, outputs.Shape);
        var model = new Model(inputs, outputs);
        Assert.Equal(new Shape(batchSize, timesteps - 2, 1), model.Predict(NF.Random.Normal([batchSize, timesteps, inputDim]), verbose: 0).Shape);
    }
}

/// <summary>The functional-API guide on the managed backend.</summary>
public sealed class ManagedGuidesFunctionalApiTests() : GuidesFunctionalApiTests("managed");

/// <summary>The functional-API guide on the native CPU backend.</summary>
public sealed class NativeCpuGuidesFunctionalApiTests() : GuidesFunctionalApiTests("cpu");

/// <summary>The functional-API guide on CUDA.</summary>
public sealed class CudaGuidesFunctionalApiTests() : GuidesFunctionalApiTests("cuda");
