using NeuralFlow.Keras;
using NeuralFlow.Tests.UserProbe29;

namespace NeuralFlow.Tests.UserProbe30;

/// <summary>
/// The functional shape rules of pooling, transposed convolutions, padding/cropping/upsampling, the reshaping layers,
/// the merges and the identity-shaped layers (Keras 3's compute_output_shape of each). Every model is built both ways
/// (<see cref="FunctionalShapeRuleTests.SameAsProbed"/>: the rule against the run on zeros, layer by layer, weights
/// included), every layer is checked to have been shaped by its rule, not run, and the final shapes are the Keras
/// formulas' (worked out in the comments).
/// </summary>
public abstract class ShapeRules2Tests(string backend) : BackendTest(backend)
{
    /// <summary>
    /// The model built with the rules and again with every layer run on zeros (compared by SameAsProbed); every
    /// layer but the inputs and those of the <paramref name="probed"/> types must have been shaped by its rule.
    /// </summary>
    internal static Model Ruled(Func<Model> build, params Type[] probed)
    {
        var ruled = new List<Layer>();
        Layer.RuledLayers = ruled;
        Model model;
        try { model = FunctionalShapeRuleTests.SameAsProbed(build); }
        finally { Layer.RuledLayers = null; }
        foreach (var layer in model.Layers)
            if (layer is not Layers.InputLayer && !probed.Contains(layer.GetType()))
                Assert.True(ruled.Contains(layer), $"{layer.Name} ({layer.GetType().Name}) was run on zeros instead of shaped by its rule");
        return model;
    }

    private static int?[][] OutputShapes(Model model) => model.Outputs.Select(o => o.Shape.ToArray()).ToArray();

    [SkippableFact]
    public void Two_d_pooling_of_every_padding_stride_and_layout_matches_its_run()
    {
        RequireBackend();
        foreach (var shape in new int?[][] { [17, 23, 3], [null, null, 3], [7, null, 3] })
        {
            var model = Ruled(() =>
            {
                var x = Layers.Input(shape);
                var a = new Layers.MaxPooling2D(3, strides: 2, padding: "same").Call(x);
                var b = new Layers.AveragePooling2D(2).Call(a);
                var c = new Layers.MaxPooling2D([2, 3], strides: [1, 2]).Call(b);
                var d = new Layers.AveragePooling2D(3, strides: 1, padding: "same").Call(c);
                var g = new Layers.GlobalAveragePooling2D().Call(d);
                var k = new Layers.GlobalMaxPooling2D(keepdims: true).Call(b);
                return new Model(x, [c, d, g, k]);
            });
            if (shape[0] is null) Assert.Equal(new int?[] { null, null, null, 3 }, model.Outputs[0].Shape);
            if (shape[0] == 17)
            {
                // same 3/2: ceil(17/2)=9, ceil(23/2)=12; valid 2/2: (9-2)/2+1=4, (12-2)/2+1=6; valid [2,3]/[1,2]: 3, 2.
                int?[][] expected = [[null, 3, 2, 3], [null, 3, 2, 3], [null, 3], [null, 1, 1, 3]];
                Assert.Equal(expected, OutputShapes(model));
            }
        }
        var first = Ruled(() =>
        {
            var x = Layers.Input([3, 10, 9]);
            var y = new Layers.MaxPooling2D(2, dataFormat: "channels_first").Call(x);
            y = new Layers.AveragePooling2D(3, strides: 2, padding: "same", dataFormat: "channels_first").Call(y);
            var g = new Layers.GlobalMaxPooling2D(dataFormat: "channels_first", keepdims: true).Call(y);
            return new Model(x, [y, g]);
        });
        // (10, 9) -> valid 2/2: (5, 4) -> same 3/2: (3, 2); channels stay on axis 1.
        Assert.Equal(new int?[][] { [null, 3, 3, 2], [null, 3, 1, 1] }, OutputShapes(first));
    }

    [SkippableFact]
    public void One_and_three_d_pooling_matches_its_run()
    {
        RequireBackend();
        foreach (var steps in new int?[] { 20, null })
        {
            var model = Ruled(() =>
            {
                var x = Layers.Input([steps, 4]);
                var y = new Layers.MaxPooling1D(3, strides: 2, padding: "same").Call(x);
                y = new Layers.AveragePooling1D(2).Call(y);
                var k = new Layers.GlobalMaxPooling1D(keepdims: true).Call(y);
                var g = new Layers.GlobalAveragePooling1D().Call(y);
                return new Model(x, [y, k, g]);
            });
            // ceil(20/2) = 10, then (10-2)/2+1 = 5.
            Assert.Equal(new int?[][] { [null, steps is null ? null : 5, 4], [null, 1, 4], [null, 4] }, OutputShapes(model));
        }
        var first = Ruled(() =>
        {
            var x = Layers.Input([4, 20]);
            return new Model(x, new Layers.AveragePooling1D(2, dataFormat: "channels_first").Call(x));
        });
        Assert.Equal(new int?[] { null, 4, 10 }, first.Output.Shape);
        var volume = Ruled(() =>
        {
            var x = Layers.Input([6, 7, 8, 2]);
            var y = new Layers.MaxPooling3D(2).Call(x);
            y = new Layers.AveragePooling3D([1, 2, 3], strides: [1, 1, 2], padding: "same").Call(y);
            var g = new Layers.GlobalAveragePooling3D().Call(y);
            var k = new Layers.GlobalMaxPooling3D(keepdims: true).Call(y);
            var c = Layers.Input([2, 6, 7, 8]);
            var z = new Layers.MaxPooling3D([2, 3, 2], dataFormat: "channels_first").Call(c);
            return new Model([x, c], [y, g, k, z]);
        });
        // (6, 7, 8) -> valid 2: (3, 3, 4) -> same strides (1, 1, 2): (3, 3, 2); channels_first valid (2, 3, 2): (3, 2, 4).
        Assert.Equal(new int?[][] { [null, 3, 3, 2, 2], [null, 2], [null, 1, 1, 1, 2], [null, 2, 3, 2, 4] }, OutputShapes(volume));
    }

    [SkippableFact]
    public void Transposed_convolutions_of_every_padding_output_padding_and_dilation_match_their_run()
    {
        RequireBackend();
        foreach (var shape in new int?[][] { [5, 7, 3], [null, null, 3], [5, null, 3] })
        {
            var model = Ruled(() =>
            {
                var x = Layers.Input(shape);
                var a = new Layers.Conv2DTranspose(4, 3, strides: 2, padding: "same").Call(x);
                var b = new Layers.Conv2DTranspose(2, 4, strides: 2, padding: "same", outputPadding: 1).Call(x);
                var c = new Layers.Conv2DTranspose(3, 3, dilationRate: 2).Call(x);
                var d = new Layers.Conv2DTranspose(2, 2, strides: 3).Call(x);
                var e = new Layers.Conv2DTranspose(2, 2, strides: 3, outputPadding: 2).Call(x);
                var f = new Layers.Conv2DTranspose(2, [3, 2], strides: [1, 2], padding: "valid").Call(a);
                return new Model(x, [a, b, c, d, e, f]);
            });
            if (shape[1] is not null)
            {
                // Keras' _get_output_shape_given_tf_padding, k the dilated window:
                // same: n*s; same with p: (n-1)*s + k%2 + p; valid: (n-1)*s + k + max(k, s) - k; valid with p: (n-1)*s + k + p.
                int?[][] expected = [[null, 10, 14, 4], [null, 9, 13, 2], [null, 9, 11, 3], [null, 15, 21, 2], [null, 16, 22, 2], [null, 12, 28, 2]];
                Assert.Equal(expected, OutputShapes(model));
                var run = new Model(model.Input, model.Outputs[5]);   // the rule's shape is the computation's
                Assert.Equal([1, 12, 28, 2], run.Predict(NF.Zeros([1, 5, 7, 3]), verbose: 0).Shape.ToArray());
            }
        }
        var others = Ruled(() =>
        {
            var x = Layers.Input([9, 4]);
            var a = new Layers.Conv1DTranspose(3, 3, strides: 2, padding: "same").Call(x);
            var b = new Layers.Conv1DTranspose(2, 5, strides: 2, outputPadding: 1).Call(x);
            var c = new Layers.Conv1DTranspose(2, 3, dilationRate: 2).Call(x);
            var v = Layers.Input([2, 3, 4, 5]);
            var d = new Layers.Conv3DTranspose(3, 2, strides: 2, padding: "same", dataFormat: "channels_first").Call(v);
            var e = new Layers.Conv3DTranspose(1, [3, 2, 2], strides: [1, 2, 2], outputPadding: [0, 1, 1], dataFormat: "channels_first").Call(v);
            return new Model([x, v], [a, b, c, d, e]);
        });
        // 9 -> same 2: 18; valid 5/2 p1: 8*2+5+1 = 22; valid dilated 3x2 (k=5): 8+5 = 13.
        // (3, 4, 5) -> same 2: (6, 8, 10); valid [3,2,2]/[1,2,2] p [0,1,1]: (2+3, 6+2+1, 8+2+1) = (5, 9, 11).
        Assert.Equal(new int?[][] { [null, 18, 3], [null, 22, 2], [null, 13, 2], [null, 3, 6, 8, 10], [null, 1, 5, 9, 11] }, OutputShapes(others));
    }

    [SkippableFact]
    public void Padding_cropping_and_upsampling_match_their_run()
    {
        RequireBackend();
        foreach (var shape in new int?[][] { [9, 10, 3], [null, null, 3] })
        {
            var model = Ruled(() =>
            {
                var x = Layers.Input(shape);
                var y = new Layers.ZeroPadding2D(((1, 2), (0, 3))).Call(x);
                y = new Layers.Cropping2D(((2, 1), (3, 0))).Call(y);
                var up = new Layers.UpSampling2D([2, 3]).Call(y);
                var bilinear = new Layers.UpSampling2D(2, interpolation: "bilinear").Call(y);
                return new Model(x, [y, up, bilinear]);
            });
            if (shape[0] is not null)   // (9+3, 10+3) = (12, 13), cropped (12-3, 13-3) = (9, 10), times (2, 3) and 2.
                Assert.Equal(new int?[][] { [null, 9, 10, 3], [null, 18, 30, 3], [null, 18, 20, 3] }, OutputShapes(model));
            else
                Assert.Equal(new int?[][] { [null, null, null, 3], [null, null, null, 3], [null, null, null, 3] }, OutputShapes(model));
        }
        var others = Ruled(() =>
        {
            var image = Layers.Input([3, 9, 10]);
            var a = new Layers.Cropping2D(1, dataFormat: "channels_first").Call(image);
            a = new Layers.ZeroPadding2D(2, dataFormat: "channels_first").Call(a);
            a = new Layers.UpSampling2D(2, dataFormat: "channels_first").Call(a);
            var steps = Layers.Input([10, 4]);
            var b = new Layers.ZeroPadding1D((2, 1)).Call(steps);
            b = new Layers.Cropping1D((1, 3)).Call(b);
            b = new Layers.UpSampling1D(3).Call(b);
            var volume = Layers.Input([4, 5, 6, 2]);
            var c = new Layers.ZeroPadding3D(((1, 0), (0, 2), (1, 1))).Call(volume);
            c = new Layers.Cropping3D((1, 2, 3)).Call(c);
            c = new Layers.UpSampling3D([1, 2, 3]).Call(c);
            var d = new Layers.UpSampling3D(2, dataFormat: "channels_first").Call(new Layers.ZeroPadding3D(1, dataFormat: "channels_first").Call(volume));
            return new Model([image, steps, volume], [a, b, c, d]);
        });
        // (9, 10) -> crop 1: (7, 8) -> pad 2: (11, 12) -> x2: (22, 24); 10 -> 13 -> 9 -> 27;
        // (4, 5, 6) -> (5, 7, 8) -> (3, 3, 2) -> (3, 6, 6); channels_first (5, 6, 2) -> (7, 8, 4) -> (14, 16, 8).
        Assert.Equal(new int?[][] { [null, 3, 22, 24], [null, 27, 4], [null, 3, 6, 6, 2], [null, 4, 14, 16, 8] }, OutputShapes(others));
    }

    [SkippableFact]
    public void Reshape_flatten_permute_and_repeat_vector_match_their_run()
    {
        RequireBackend();
        foreach (var steps in new int?[] { 4, null })
        {
            var model = Ruled(() =>
            {
                var x = Layers.Input([steps, 6]);
                var p = new Layers.Permute([2, 1]).Call(x);
                var r = new Layers.Reshape([3, -1]).Call(p);
                var f = new Layers.Flatten().Call(r);
                var v = new Layers.RepeatVector(5).Call(f);
                var all = new Layers.Reshape([-1]).Call(v);
                return new Model(x, [p, r, f, v, all]);
            });
            // (4, 6) -> (6, 4) -> (3, 8) -> 24 -> (5, 24) -> 120; an unknown length leaves the -1 axis unknown.
            int?[][] expected = steps is null
                ? [[null, 6, null], [null, 3, null], [null, null], [null, 5, null], [null, null]]
                : [[null, 6, 4], [null, 3, 8], [null, 24], [null, 5, 24], [null, 120]];
            Assert.Equal(expected, OutputShapes(model));
        }
        var fixedTarget = Ruled(() =>
        {
            var x = Layers.Input([4, 6]);
            var y = new Layers.Reshape([2, 3, 4]).Call(x);
            var z = new Layers.Permute([3, 1, 2]).Call(y);
            var vector = Layers.Input([5]);
            return new Model([x, vector], [y, z, new Layers.Flatten().Call(vector)]);
        });
        Assert.Equal(new int?[][] { [null, 2, 3, 4], [null, 4, 2, 3], [null, 5] }, OutputShapes(fixedTarget));
    }

    [SkippableFact]
    public void Merges_with_rank_alignment_concatenate_and_dot_match_their_run()
    {
        RequireBackend();
        var model = Ruled(() =>
        {
            var a = Layers.Input([5, 4]);
            var b = Layers.Input([1, 4]);
            var c = Layers.Input([4]);
            var u = Layers.Input([null, 4]);
            var q = Layers.Input([6, 4]);
            var (a3, c2, w) = (Layers.Input([5, 3]), Layers.Input([4]), Layers.Input([4, 2, 3]));
            var outputs = new[]
            {
                new Layers.Add().Call([a, b]),                   // (5, 4)
                new Layers.Subtract().Call([a, c]),              // c aligned to (1, 4): (5, 4)
                new Layers.Multiply().Call([a, b, c]),           // (5, 4)
                new Layers.Average().Call([b, c]),               // (1, 4)
                new Layers.Maximum().Call([a, a]),               // (5, 4)
                new Layers.Minimum().Call([u, b]),               // (None, 4)
                new Layers.Add().Call([u, u]),                   // (None, 4)
                new Layers.Concatenate(axis: 1).Call([a, b, a]), // (11, 4)
                new Layers.Concatenate().Call([a, a]),           // (5, 8)
                new Layers.Concatenate(axis: -2).Call([u, a]),   // (None, 4)
                new Layers.Dot(2).Call([a, q]),                  // (5, 6)
                new Layers.Dot([1, 1]).Call([a, a3]),            // (4, 3)
                new Layers.Dot(1, normalize: true).Call([c, c2]), // (1)
                new Layers.Dot([2, 1]).Call([u, w]),             // (None, 2, 3)
            };
            return new Model([a, b, c, u, q, a3, c2, w], outputs);
        });
        int?[][] expected =
        [
            [null, 5, 4], [null, 5, 4], [null, 5, 4], [null, 1, 4], [null, 5, 4], [null, null, 4], [null, null, 4],
            [null, 11, 4], [null, 5, 8], [null, null, 4], [null, 5, 6], [null, 4, 3], [null, 1], [null, null, 2, 3],
        ];
        Assert.Equal(expected, OutputShapes(model));
    }

    [SkippableFact]
    public void Identity_shaped_layers_and_embedding_match_their_run()
    {
        RequireBackend();
        foreach (var steps in new int?[] { 6, null })
        {
            var model = Ruled(() =>
            {
                var x = Layers.Input([steps, 5]);
                var y = new Layers.Dropout(0.3).Call(x);
                y = new Layers.SpatialDropout1D(0.2).Call(y);
                y = new Layers.GaussianNoise(0.1).Call(y);
                y = new Layers.GaussianDropout(0.2).Call(y);
                y = new Layers.AlphaDropout(0.1).Call(y);
                y = new Layers.Rescaling(1 / 255.0, offset: 0.5).Call(y);
                y = new Layers.ReLU(6).Call(y);
                y = new Layers.LeakyReLU(0.2).Call(y);
                if (steps is not null) y = new Layers.PReLU(sharedAxes: [1]).Call(y);   // alpha's shape needs every length
                y = new Layers.ELU().Call(y);
                y = new Layers.Softmax(axis: 1).Call(y);
                var image = Layers.Input([4, 4, 3]);
                var volume = Layers.Input([3, 2, 2, 2]);
                var ids = Layers.Input([steps], dtype: DType.Int32);
                return new Model([x, image, volume, ids],
                [
                    y, new Layers.SpatialDropout2D(0.5).Call(image), new Layers.SpatialDropout3D(0.5, dataFormat: "channels_first").Call(volume),
                    new Layers.Embedding(50, 8).Call(ids),
                ]);
            });
            Assert.Equal(new int?[][] { [null, steps, 5], [null, 4, 4, 3], [null, 3, 2, 2, 2], [null, steps, 8] }, OutputShapes(model));
        }
    }
}

/// <summary>Shape rules of the second set on the managed backend.</summary>
public sealed class ManagedShapeRules2Tests() : ShapeRules2Tests("managed");

/// <summary>Shape rules of the second set on the native CPU backend.</summary>
public sealed class NativeCpuShapeRules2Tests() : ShapeRules2Tests("cpu");

/// <summary>Shape rules of the second set on CUDA.</summary>
public sealed class CudaShapeRules2Tests() : ShapeRules2Tests("cuda");
