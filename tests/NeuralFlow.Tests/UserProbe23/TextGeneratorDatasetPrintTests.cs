using NeuralFlow.Data;

namespace NeuralFlow.Tests.UserProbe23;

/// <summary>
/// <c>print(tf.data.Dataset.from_generator(...))</c>: TensorFlow 2.x builds from_generator as
/// <c>Dataset.range(...).flat_map(...)</c> over the generator's state, so it prints
/// <c>&lt;_FlatMapDataset element_spec=...&gt;</c>, with the element_spec format the other datasets
/// print (TensorSpec(shape=..., dtype=tf..., name=None), tuples in parentheses). Before, NeuralFlow
/// printed a class TensorFlow has none of, <c>_GeneratorDataset</c>.
/// </summary>
public abstract class TextGeneratorDatasetPrintTests(string backend) : BackendTest(backend)
{
    private static IEnumerable<(Tensor, Tensor)> Sequences()
    {
        yield return (NF.Constant(new[] { 1, 2 }), NF.Constant(0.5f));
        yield return (NF.Constant(new[] { 3, 4, 5 }), NF.Constant(1.5f));
    }

    [SkippableFact]
    public void From_generator_prints_tensorflows_flat_map_dataset_and_its_element_spec()
    {
        RequireBackend();
        // tf.data.Dataset.from_generator(gen, output_signature=(tf.TensorSpec((None,), tf.int32), tf.TensorSpec((), tf.float32)))
        var signed = Dataset.FromGenerator(Sequences, new TupleSpec(new TensorSpec([null], DType.Int32), new TensorSpec([], DType.Float32)));
        Assert.Equal("<_FlatMapDataset element_spec=(TensorSpec(shape=(None,), dtype=tf.int32, name=None), TensorSpec(shape=(), dtype=tf.float32, name=None))>",
                     signed.ToString());
        // Without a signature the spec is the first element's dtype and rank (a generator's lengths may vary);
        // the steps after it print their own class.
        var plain = Dataset.FromGenerator(() => Enumerable.Range(0, 3).Select(i => NF.Constant(new[] { i, i })));
        Assert.Equal("<_FlatMapDataset element_spec=TensorSpec(shape=(None,), dtype=tf.int32, name=None)>", plain.ToString());
        Assert.Equal("<_BatchDataset element_spec=TensorSpec(shape=(None, None), dtype=tf.int32, name=None)>", plain.Batch(2).ToString());
        // from_tensors keeps its own class.
        Assert.StartsWith("<_TensorDataset ", Dataset.FromTensors(NF.Constant(new[] { 1f })).ToString());
    }
}

/// <summary>Printed generator datasets on the managed backend.</summary>
public sealed class ManagedTextGeneratorDatasetPrintTests() : TextGeneratorDatasetPrintTests("managed");

/// <summary>Printed generator datasets on the native CPU backend.</summary>
public sealed class NativeCpuTextGeneratorDatasetPrintTests() : TextGeneratorDatasetPrintTests("cpu");

/// <summary>Printed generator datasets on CUDA.</summary>
public sealed class CudaTextGeneratorDatasetPrintTests() : TextGeneratorDatasetPrintTests("cuda");
