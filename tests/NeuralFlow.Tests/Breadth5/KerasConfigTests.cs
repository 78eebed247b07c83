using System.Text.Json.Nodes;
using NeuralFlow.Keras;

namespace NeuralFlow.Tests.Breadth5;

/// <summary>
/// The Breadth5 layers read from configs as Keras 3 writes them (each written by hand from the
/// layer's get_config in keras/src/layers: DTypePolicy dicts, initializer dicts, the nested
/// layer of a wrapper, the keys NeuralFlow has no use for such as lora_rank), and each
/// NeuralFlow config reads back to an equal one.
/// </summary>
public abstract class KerasConfigTests(string backend) : BackendTest(backend)
{
    private const string Policy = """{"module": "keras", "class_name": "DTypePolicy", "config": {"name": "float32"}, "registered_name": null}""";
    private const string Glorot = """{"module": "keras.initializers", "class_name": "GlorotUniform", "config": {"seed": null}, "registered_name": null}""";
    private const string Zeros = """{"module": "keras.initializers", "class_name": "Zeros", "config": {}, "registered_name": null}""";

    private static Layer Load(string className, string config) =>
        KerasSerialization.Deserialize(JsonNode.Parse($$"""{"class_name": "{{className}}", "config": {{config}}}""")!, "keras");

    [SkippableFact]
    public void Keras_3_configs_load()
    {
        RequireBackend();
        var einsum = Assert.IsType<Layers.EinsumDense>(Load("EinsumDense", $$"""
            {"name": "proj", "trainable": true, "dtype": {{Policy}}, "equation": "abc,cde->abde", "output_shape": [null, 4, 8],
             "activation": "relu", "bias_axes": "de", "kernel_initializer": {{Glorot}}, "bias_initializer": {{Zeros}},
             "kernel_regularizer": null, "bias_regularizer": null, "activity_regularizer": null, "kernel_constraint": null,
             "bias_constraint": null, "lora_rank": null}
            """));
        Assert.Equal(new Shape(2, 5, 4, 8), einsum.Call(NF.Ones([2, 5, 6])).Shape);
        Assert.Equal(("proj", "de", "relu"), (einsum.Name, einsum.BiasAxes, einsum.Activation!.Name));

        var rms = Assert.IsType<Layers.RMSNormalization>(Load("RMSNormalization", $$"""{"name": "rms", "trainable": true, "dtype": {{Policy}}, "axis": -1, "epsilon": 1e-06}"""));
        Assert.Equal((-1, 1e-6), (rms.Axis[0], rms.Epsilon));

        var spectral = Assert.IsType<Layers.SpectralNormalization>(Load("SpectralNormalization", $$"""
            {"name": "sn", "trainable": true, "dtype": {{Policy}}, "power_iterations": 2,
             "layer": {"module": "keras.layers", "class_name": "Dense", "config": {"name": "dense", "trainable": true, "dtype": {{Policy}},
                       "units": 3, "activation": "linear", "use_bias": true, "kernel_initializer": {{Glorot}}, "bias_initializer": {{Zeros}},
                       "kernel_regularizer": null, "bias_regularizer": null, "kernel_constraint": null, "bias_constraint": null},
                       "registered_name": null, "build_config": {"input_shape": [null, 4]} } }
            """));
        Assert.Equal((2, 3), (spectral.PowerIterations, ((Layers.Dense)spectral.Layer).Units));

        var encoding = Assert.IsType<Layers.CategoryEncoding>(Load("CategoryEncoding", $$"""{"name": "ce", "trainable": true, "dtype": {{Policy}}, "num_tokens": 4, "output_mode": "one_hot", "sparse": false}"""));
        Assert.Equal((4, "one_hot"), (encoding.NumTokens, encoding.OutputMode));

        // An adapted Discretization: Keras writes num_bins and the learned boundaries together.
        var bins = Assert.IsType<Layers.Discretization>(Load("Discretization",
            """{"name": "d", "bin_boundaries": [0.0, 0.5, 1.2999999523162842], "num_bins": 4, "epsilon": 0.01, "output_mode": "int", "sparse": false, "dtype": "int64"}"""));
        Assert.Equal([0L, 2, 3, 2], bins.Call(NF.Constant(new[] { -1.5f, 1.0f, 3.4f, .5f })).ToArray<long>());

        var lookup = Assert.IsType<Layers.IntegerLookup>(Load("IntegerLookup", """
            {"name": "lookup", "trainable": true, "dtype": "int64", "invert": false, "max_tokens": null, "num_oov_indices": 1,
             "oov_token": -1, "mask_token": 0, "output_mode": "int", "sparse": false, "pad_to_max_tokens": false,
             "vocabulary_dtype": "int64", "idf_weights": null, "vocabulary": [12, 36, 1138, 42], "vocabulary_size": 6}
            """));
        Assert.Equal([2L, 4, 5, 1, 0], lookup.Call(NF.Constant(new[] { 12L, 1138, 42, 7, 0 })).ToArray<long>());
        // What NeuralFlow cannot do is refused by name.
        Assert.Contains("sparse", Assert.Throws<InvalidDataException>(() => Load("CategoryEncoding", """{"name": "s", "num_tokens": 4, "output_mode": "count", "sparse": true}""")).Message);
        Assert.Contains("idf_weights", Assert.Throws<InvalidDataException>(() => Load("IntegerLookup", """{"name": "t", "output_mode": "tf_idf", "vocabulary": [3, 4]}""")).ToString());

        foreach (var layer in new Layer[] { einsum, rms, spectral, encoding, bins, lookup })
        {
            var again = KerasSerialization.Deserialize(KerasSerialization.Serialize(layer), "test");
            Assert.True(JsonNode.DeepEquals(layer.GetConfig(), again.GetConfig()), $"{layer.GetConfig()} vs {again.GetConfig()}");
        }
    }
}

public sealed class ManagedKerasConfigTests() : KerasConfigTests("managed");

public sealed class NativeCpuKerasConfigTests() : KerasConfigTests("cpu");

public sealed class CudaKerasConfigTests() : KerasConfigTests("cuda");
