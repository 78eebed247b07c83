using NeuralFlow.Keras;
using static NeuralFlow.Tests.Reference;

namespace NeuralFlow.Tests;

/// <summary>
/// ZeroPadding2D, Cropping2D, UpSampling2D, Permute, RepeatVector and Embedding on every
/// backend: Keras shapes and defaults, values and gradients against PyTorch
/// (ShapeLayers/make_shape_fixtures.py), index validation, errors, and Save/Load round trips.
/// </summary>
public abstract class ShapeLayerTests(string backend) : BackendFileTest(backend)
{
    [SkippableFact]
    public void Layers_give_keras_shapes_and_values()
    {
        RequireBackend();
        using var x = NF.Constant(Enumerable.Range(0, 2 * 4 * 5 * 3).Select(v => (float)v).ToArray(), [2, 4, 5, 3]);
        Assert.Equal(new Shape(2, 6, 7, 3), new Layers.ZeroPadding2D().Call(x).Shape);
        Assert.Equal(new Shape(2, 8, 7, 3), new Layers.ZeroPadding2D((2, 1)).Call(x).Shape);
        var padded = new Layers.ZeroPadding2D(((1, 0), (0, 2))).Call(x);
        Assert.Equal(new Shape(2, 5, 7, 3), padded.Shape);
        Assert.Equal(NF.Pad(x, new[,] { { 0, 0 }, { 1, 0 }, { 0, 2 }, { 0, 0 } }).ToArray<float>(), padded.ToArray<float>());
        Assert.All(padded[.., 0].ToArray<float>(), v => Assert.Equal(0f, v));

        Assert.Equal(x.ToArray<float>(), new Layers.Cropping2D().Call(x).ToArray<float>());
        var cropped = new Layers.Cropping2D(((1, 2), (0, 3))).Call(x);
        Assert.Equal(new Shape(2, 1, 2, 3), cropped.Shape);
        Assert.Equal(x[.., 1..2, 0..2].ToArray<float>(), cropped.ToArray<float>());
        Assert.Equal(new Shape(2, 2, 3, 3), new Layers.Cropping2D((1, 1)).Call(x).Shape);

        Assert.Equal(new Shape(2, 8, 10, 3), new Layers.UpSampling2D().Call(x).Shape);
        var up = new Layers.UpSampling2D([1, 3]).Call(x);
        Assert.Equal(new Shape(2, 4, 15, 3), up.Shape);
        Assert.Equal(x[1, 2, 4].ToArray<float>(), up[1, 2, 14].ToArray<float>());

        var permuted = new Layers.Permute([3, 1, 2]).Call(x);
        Assert.Equal(new Shape(2, 3, 4, 5), permuted.Shape);
        Assert.Equal(x[1, 2, 4, 0].Item<float>(), permuted[1, 0, 2, 4].Item<float>());

        using var v = NF.Constant(new[] { 1f, 2f, 3f, 4f }, [2, 2]);
        var repeated = new Layers.RepeatVector(3).Call(v);
        Assert.Equal(new Shape(2, 3, 2), repeated.Shape);
        Assert.Equal(new[] { 1f, 2f, 1f, 2f, 1f, 2f, 3f, 4f, 3f, 4f, 3f, 4f }, repeated.ToArray<float>());
    }

    [SkippableTheory]
    [InlineData("square")]
    [InlineData("rect")]
    public void UpSampling2D_matches_pytorch_nearest_with_its_gradient(string name)
    {
        RequireBackend();
        var c = ShapeFixtures.Value.Upsampling.Single(u => u.Name == name);
        var x = NF.Constant(c.X, c.XShape);
        var layer = new Layers.UpSampling2D(c.Size);
        Tensor y, dx;
        using (var tape = new GradientTape())
        {
            tape.Watch(x);
            y = layer.Call(x);
            dx = tape.Gradient(NF.ReduceSum(y * NF.Constant(c.W, c.YShape)), x);
        }
        Assert.Equal(new Shape(c.YShape), y.Shape);
        AssertClose(c.Y, y.ToArray<double>(), 0, 0, "y");
        AssertClose(c.Dx, dx.ToArray<double>(), 1e-12, 1e-12, "dx");
    }

    [SkippableFact]
    public void Layer_gradients_match_finite_differences()
    {
        RequireBackend();
        GradientTests.Check(t => new Layers.ZeroPadding2D(((2, 0), (1, 1))).Call(t[0]) * 1.5, GradientTests.In([2, 3, 2, 2], 1));
        GradientTests.Check(t => NF.Square(new Layers.Cropping2D(((1, 0), (0, 2))).Call(t[0])), GradientTests.In([1, 3, 4, 2], 2));
        GradientTests.Check(t => NF.Square(new Layers.UpSampling2D([2, 3]).Call(t[0])), GradientTests.In([2, 2, 2, 1], 3));
        GradientTests.Check(t => new Layers.Permute([2, 1]).Call(t[0]) * NF.Transpose(t[0], [0, 2, 1]), GradientTests.In([2, 3, 4], 4));
        GradientTests.Check(t => NF.Exp(new Layers.RepeatVector(3).Call(t[0])), GradientTests.In([2, 4], 5));
    }

    [SkippableFact]
    public void Embedding_matches_pytorch_and_adds_repeated_rows_gradients()
    {
        RequireBackend();
        var c = ShapeFixtures.Value.Embedding;
        var layer = new Layers.Embedding(c.TableShape[0], c.TableShape[1],
            new Initializer("fixture", (s, _, _) => NF.Constant(c.Table.Select(v => (float)v).ToArray(), s)));
        using var indices = NF.Constant(c.Indices, c.IndicesShape);
        layer.Call(indices);
        // The fixture is float64: the table is set in that precision.
        using var table64 = NF.Constant(c.Table, c.TableShape);
        var table = new Variable(table64, name: "table");
        var yShape = c.IndicesShape.Append(c.TableShape[1]).ToArray();
        Tensor y, dtable;
        using (var tape = new GradientTape())
        {
            y = NF.Gather(table, indices);
            dtable = tape.Gradient(NF.ReduceSum(y * NF.Constant(c.W, yShape)), table);
        }
        AssertClose(c.Y, y.ToArray<double>(), 0, 0, "y");
        AssertClose(c.Dtable, dtable.ToArray<double>(), 1e-12, 1e-12, "dtable");

        // The layer itself, in float32: the same rows, the same gradient.
        Tensor ly, ldt;
        using (var tape = new GradientTape())
        {
            ly = layer.Call(indices);
            ldt = tape.Gradient(NF.ReduceSum(ly * NF.Constant(c.W.Select(w => (float)w).ToArray(), yShape)), layer.Embeddings!);
        }
        Assert.Equal(new Shape(yShape), ly.Shape);
        AssertClose(c.Y, ly.ToArray<float>().Select(f => (double)f).ToArray(), 1e-6, 1e-6, "layer y");
        AssertClose(c.Dtable, ldt.ToArray<float>().Select(f => (double)f).ToArray(), 1e-5, 1e-5, "layer dtable");
    }

    [SkippableFact]
    public void Embedding_takes_any_integer_dtype_and_floats_as_keras_casts_them()
    {
        RequireBackend();
        NF.Random.SetSeed(3);
        var layer = new Layers.Embedding(6, 4);
        Assert.Equal("uniform", layer.EmbeddingsInitializer.Name);
        using var i32 = NF.Constant(new[] { 5, 0, 3, 3 }, [2, 2]);
        var want = layer.Call(i32).ToArray<float>();
        Assert.Equal(new Shape(6, 4), layer.Embeddings!.Shape);
        Assert.All(layer.Embeddings.ToArray<float>(), w => Assert.InRange(w, -0.05f, 0.05f));
        Assert.Equal(want, layer.Call(NF.Constant(new long[] { 5, 0, 3, 3 }, [2, 2])).ToArray<float>());
        Assert.Equal(want, layer.Call(NF.Constant(new byte[] { 5, 0, 3, 3 }, [2, 2])).ToArray<float>());
        Assert.Equal(want, layer.Call(NF.Constant(new[] { 5f, 0f, 3f, 3f }, [2, 2])).ToArray<float>());
        // tf.cast truncates toward zero: 5.9 is row 5 and -0.5 is row 0.
        Assert.Equal(want, layer.Call(NF.Constant(new[] { 5.9, -0.5, 3.2, 3.0 }, [2, 2])).ToArray<float>());
    }

    [SkippableFact]
    public void Embedding_refuses_indices_outside_the_table()
    {
        RequireBackend();
        var layer = new Layers.Embedding(5, 2, name: "words");
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => layer.Call(NF.Constant(new[] { 1, 5, 2 })));
        Assert.Contains("words", e.Message);
        Assert.Contains("index 5", e.Message);
        Assert.Contains("[0, 4]", e.Message);
        e = Assert.Throws<ArgumentOutOfRangeException>(() => layer.Call(NF.Constant(new long[] { -1, 0 })));
        Assert.Contains("index -1", e.Message);
        e = Assert.Throws<ArgumentOutOfRangeException>(() => layer.Call(NF.Constant(new[] { 0f, float.NaN })));
        Assert.Contains("NaN", e.Message);
        e = Assert.Throws<ArgumentOutOfRangeException>(() => layer.Call(NF.Constant(new[] { 5.5f })));
        Assert.Contains("5.5", e.Message);
        e = Assert.Throws<ArgumentOutOfRangeException>(() => layer.Call(NF.Constant(new byte[] { 200 })));
        Assert.Contains("200", e.Message);
        Assert.Contains("bool", Assert.Throws<ArgumentException>(() => layer.Call(NF.Constant(new[] { true }))).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => new Layers.Embedding(0, 2));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Layers.Embedding(3, 0));
    }

    [SkippableFact]
    public void Layer_arguments_and_inputs_are_checked_with_clear_messages()
    {
        RequireBackend();
        Assert.Contains("negative", Assert.Throws<ArgumentException>(() => new Layers.ZeroPadding2D(-1)).Message);
        Assert.Contains("negative", Assert.Throws<ArgumentException>(() => new Layers.Cropping2D(((0, 0), (-2, 0)))).Message);
        Assert.Contains("size", Assert.Throws<ArgumentException>(() => new Layers.UpSampling2D(0)).Message);
        Assert.Contains("bicubic", Assert.Throws<NotSupportedException>(() => new Layers.UpSampling2D(2, "bicubic")).Message);
        Assert.Contains("permutation", Assert.Throws<ArgumentException>(() => new Layers.Permute([0, 1])).Message);
        Assert.Contains("permutation", Assert.Throws<ArgumentException>(() => new Layers.Permute([1, 1])).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => new Layers.RepeatVector(0));
        var e = Assert.Throws<ArgumentException>(() => new Layers.ZeroPadding2D(name: "pad").Call(NF.Zeros([2, 3, 4])));
        Assert.Contains("pad", e.Message);
        Assert.Contains("(2, 3, 4)", e.Message);
        e = Assert.Throws<ArgumentException>(() => new Layers.Cropping2D((2, 0), name: "crop").Call(NF.Zeros([1, 4, 4, 1])));
        Assert.Contains("crop", e.Message);
        Assert.Contains("(1, 4, 4, 1)", e.Message);
        e = Assert.Throws<ArgumentException>(() => new Layers.Permute([2, 1]).Call(NF.Zeros([1, 2, 3, 4])));
        Assert.Contains("(1, 2, 3, 4)", e.Message);
        e = Assert.Throws<ArgumentException>(() => new Layers.RepeatVector(2).Call(NF.Zeros([1, 2, 3])));
        Assert.Contains("(1, 2, 3)", e.Message);
        e = Assert.Throws<ArgumentException>(() => new Layers.UpSampling2D().Call(NF.Zeros([4, 4])));
        Assert.Contains("NHWC", e.Message);
    }

    [SkippableFact]
    public void Models_with_these_layers_train_save_and_load_predicting_the_same_bits()
    {
        RequireBackend();
        NF.Random.SetSeed(21);
        using var images = NF.Random.Uniform([6, 6, 5, 2]);
        using var words = NF.Cast(NF.Random.Uniform([6, 4], 0, 9, DType.Int32), DType.Float32);
        using var labels = NF.Random.Uniform([6], 0, 3, DType.Int32);
        var cases = new (Sequential Model, Tensor X)[]
        {
            (new Sequential(
                new Layers.ZeroPadding2D(((1, 2), (0, 1))),
                new Layers.Conv2D(3, 3, activation: "relu"),
                new Layers.UpSampling2D([2, 1]),
                new Layers.Cropping2D(((1, 1), (0, 2)), name: "crop"),
                new Layers.Permute([2, 3, 1]),
                new Layers.Flatten(),
                new Layers.RepeatVector(2),
                new Layers.Flatten(),
                new Layers.Dense(3, activation: "softmax")), images),
            (new Sequential(
                new Layers.Embedding(9, 5, embeddingsInitializer: "random_normal", name: "words"),
                new Layers.Permute([2, 1]),
                new Layers.Flatten(),
                new Layers.Dense(3, activation: "softmax")), words),
        };
        // Every weight learns, the embedding table too, through the new layers' gradients.
        for (int i = 0; i < cases.Length; i++)
            TrainSaveLoad.Check(cases[i].Model, cases[i].X, labels, Temp.File($"shape{i}.nfmodel"), epochs: 2);
        // Keras' config shapes: padding as [[top, bottom], [left, right]], dims 1-based.
        var config = new Layers.ZeroPadding2D((1, 2)).GetConfig();
        Assert.Equal("[[1,1],[2,2]]", config["padding"]!.ToJsonString());
        Assert.Equal("[3,1,2]", new Layers.Permute([3, 1, 2]).GetConfig()["dims"]!.ToJsonString());
        var embedding = new Layers.Embedding(10, 4).GetConfig();
        Assert.Equal(10, embedding["input_dim"]!.GetValue<int>());
        Assert.Equal("uniform", embedding["embeddings_initializer"]!.GetValue<string>());
        Assert.False(embedding["mask_zero"]!.GetValue<bool>());
    }
}

public sealed class ManagedShapeLayerTests() : ShapeLayerTests("managed");

public sealed class NativeCpuShapeLayerTests() : ShapeLayerTests("cpu");

public sealed class CudaShapeLayerTests() : ShapeLayerTests("cuda");
