using System.Runtime.InteropServices;
using NeuralFlow.IO.Hdf5;
using NeuralFlow.Keras;
using NeuralFlow.Keras.Saving;

namespace NeuralFlow.Tests.UserProbe26;

/// <summary>
/// The deterministic weights of apps_references.py, written as Keras 2 writes a model's weights to .h5
/// (legacy_h5_format.save_weights_to_hdf5_group, the layout of the keras.applications files): attribute
/// layer_names listing every layer, each layer's group with its weight_names ("Conv1/kernel:0") and a dataset at
/// each name. The layers are listed in reverse, so only a load by layer name puts each value in its place.
/// </summary>
internal static class ApplicationsWeightsFile
{
    /// <summary>murmur3's 32-bit finalizer of (index * 0x9E3779B1) mod 2^32, as apps_references.py's murmur.</summary>
    public static uint Murmur(ulong index)
    {
        uint h = unchecked((uint)index * 0x9E3779B1u);
        h ^= h >> 16;
        h = unchecked(h * 0x85EBCA6Bu);
        h ^= h >> 13;
        h = unchecked(h * 0xC2B2AE35u);
        h ^= h >> 16;
        return h;
    }

    /// <summary>apps_references.py's value(kind, shape, j): the weight of <paramref name="kind"/> at position j of the model's weights.</summary>
    public static float[] Values(string kind, int[] shape, int j)
    {
        long n = shape.Aggregate(1L, (a, d) => a * d);
        var values = new float[n];
        for (long k = 0; k < n; k++)
        {
            double u = Murmur((ulong)k + (ulong)j * 1000003UL) / 4294967296.0;
            values[k] = kind switch
            {
                "kernel" => (float)((2 * u - 1) * Math.Sqrt(6.0 / (n / shape[^1]))),
                "depthwise_kernel" => (float)((2 * u - 1) * Math.Sqrt(6.0 / (shape[0] * shape[1]))),
                "bias" => (float)((2 * u - 1) / 10),
                "gamma" or "moving_variance" => (float)(0.75 + u / 2),
                "beta" or "moving_mean" => (float)((2 * u - 1) / 8),
                _ => throw new ArgumentException($"no formula for a weight named {kind}"),
            };
        }
        return values;
    }

    /// <summary>apps_references.py's images: pixel i of the NHWC batch is murmur(i + 777) >> 24.</summary>
    public static Tensor Images(params int[] shape)
    {
        var values = new float[shape.Aggregate(1, (a, d) => a * d)];
        for (int i = 0; i < values.Length; i++) values[i] = Murmur((ulong)i + 777) >> 24;
        return NF.Constant(values, new Shape(shape));
    }

    /// <summary>
    /// Writes the formula's weights for <paramref name="model"/>'s architecture to <paramref name="path"/> in Keras'
    /// legacy layout, every layer (those without weights too) listed, in reverse of Keras' order; returns the path.
    /// </summary>
    public static string Write(Model model, string path)
    {
        var writer = new Hdf5Writer();
        var root = writer.Root;
        var layers = model.Graph!.KerasOrder.ToList();
        KerasH5Weights.Names(root, "layer_names", layers.Select(l => l.Name).Reverse().ToArray());
        root.VariableLengthAttribute("backend", "tensorflow");
        root.VariableLengthAttribute("keras_version", "2.2.4");
        int j = 0;
        var groups = new List<(Layer Layer, string[] Names, float[][] Values, int[][] Shapes)>();
        foreach (var layer in layers)
        {
            var weights = layer.WeightsAndTraining().OrderBy(p => p.Trained ? 0 : 1).Select(p => p.Variable).ToList();
            var shapes = weights.Select(v => v.Shape.ToArray()).ToArray();
            var values = weights.Select((v, i) => Values(v.Name[(v.Name.LastIndexOf('/') + 1)..], shapes[i], j + i)).ToArray();
            j += weights.Count;
            groups.Add((layer, weights.Select(v => $"{v.Name}:0").ToArray(), values, shapes));
        }
        groups.Reverse();
        foreach (var (layer, names, values, shapes) in groups)
        {
            var group = root.Group(layer.Name);
            KerasH5Weights.Names(group, "weight_names", names);
            for (int i = 0; i < names.Length; i++)
            {
                var (parent, name) = KerasH5Weights.At(group, names[i]);
                var data = values[i];
                parent.Dataset(name, Hdf5Element.Float32, shapes[i].Select(d => (long)d).ToArray(),
                               s => s.Write(MemoryMarshal.AsBytes(data.AsSpan())));
            }
        }
        using (var file = File.Create(path)) writer.WriteTo(file);
        return path;
    }
}
