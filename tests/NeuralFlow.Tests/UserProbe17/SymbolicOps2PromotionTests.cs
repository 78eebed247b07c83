using NeuralFlow.Keras;

namespace NeuralFlow.Tests.UserProbe17;

/// <summary>
/// Symbolic ops on tensors of two dtypes promote them as Keras 3 does (keras/src/backend/common/
/// dtypes.py result_type, the table printed by symbolic_ops2_promotion.py beside this file):
/// float16 + float32 is float32, int32 + float32 float32, int32 + int64 int64, a C# number takes the
/// tensor's dtype (a Python scalar is a weak type). Before, every mix of two tensor dtypes was
/// refused ("dtypes must match") while the graph was built. The output's symbolic dtype is the one
/// the values have when the model runs, and a saved model reloads with it.
/// </summary>
public abstract class SymbolicOps2PromotionTests(string backend) : BackendTest(backend)
{
    // symbolic_ops2_promotion.py's "tensor pairs" (bool with bool left out: NF has no bool arithmetic).
    public static TheoryData<DType, DType, DType> Pairs => new()
    {
        { DType.Bool, DType.UInt8, DType.UInt8 }, { DType.Bool, DType.Int32, DType.Int32 }, { DType.Bool, DType.Int64, DType.Int64 },
        { DType.Bool, DType.Float16, DType.Float16 }, { DType.Bool, DType.Float32, DType.Float32 }, { DType.Bool, DType.Float64, DType.Float64 },
        { DType.UInt8, DType.Int32, DType.Int32 }, { DType.UInt8, DType.Int64, DType.Int64 }, { DType.UInt8, DType.Float16, DType.Float16 },
        { DType.UInt8, DType.Float32, DType.Float32 }, { DType.UInt8, DType.Float64, DType.Float64 },
        { DType.Int32, DType.Int64, DType.Int64 }, { DType.Int32, DType.Float16, DType.Float16 }, { DType.Int32, DType.Float32, DType.Float32 },
        { DType.Int32, DType.Float64, DType.Float64 }, { DType.Int64, DType.Float16, DType.Float16 }, { DType.Int64, DType.Float32, DType.Float32 },
        { DType.Int64, DType.Float64, DType.Float64 }, { DType.Float16, DType.Float32, DType.Float32 }, { DType.Float16, DType.Float64, DType.Float64 },
        { DType.Float32, DType.Float64, DType.Float64 },
    };

    private static Tensor Values(DType dtype, int seed) =>
        NF.Cast(NF.Constant(Enumerable.Range(0, 6).Select(i => (double)((i * 5 + seed) % 4)).ToArray(), [2, 3]), dtype);

    [SkippableTheory]
    [MemberData(nameof(Pairs))]
    public void Two_dtypes_promote_to_keras_result_type(DType a, DType b, DType expected)
    {
        RequireBackend();
        var x = Layers.Input([3], dtype: a, name: "promote_a");
        var y = Layers.Input([3], dtype: b, name: "promote_b");
        var outputs = new[] { x + y, y * x, NF.Maximum(x, y), NF.Where(x > y, x, y), NF.Concat([x, y], axis: -1) };
        foreach (var output in outputs) Assert.Equal(expected, output.DType);
        Assert.Equal(DType.Bool, (x > y).DType);

        var model = new Model([x, y], outputs);
        var (u, v) = (Values(a, 1), Values(b, 2));
        var (cu, cv) = (NF.Cast(u, expected), NF.Cast(v, expected));
        var eager = new[] { cu + cv, cv * cu, NF.Maximum(cu, cv), NF.Where(NF.Greater(cu, cv), cu, cv), NF.Concat([cu, cv], -1) };
        var actual = model.CallOutputs([u, v]);
        for (int i = 0; i < eager.Length; i++)
        {
            Assert.Equal(expected, actual[i].DType);
            Assert.Equal(eager[i].ToDoubleArray(), actual[i].ToDoubleArray());
        }
    }

    [SkippableFact]
    public void A_number_keeps_the_tensor_dtype_as_a_weak_type()
    {
        RequireBackend();
        // symbolic_ops2_promotion.py's "tensor with a Python int / float".
        var cases = new (DType Tensor, DType WithInt, DType WithFloat)[]
        {
            (DType.UInt8, DType.UInt8, DType.Float32), (DType.Int32, DType.Int32, DType.Float32), (DType.Int64, DType.Int64, DType.Float32),
            (DType.Float16, DType.Float16, DType.Float16), (DType.Float32, DType.Float32, DType.Float32), (DType.Float64, DType.Float64, DType.Float64),
        };
        foreach (var (dtype, withInt, withFloat) in cases)
        {
            var x = Layers.Input([3], dtype: dtype);
            var outputs = new[] { x + 2, 3 * x, x * 2.5, NF.Maximum(x, 1), NF.Minimum(1.5, x) };
            Assert.Equal(new[] { withInt, withInt, withFloat, withInt, withFloat }, outputs.Select(o => o.DType).ToArray());
            var values = Values(dtype, 3);
            var actual = new Model(x, outputs).CallOutputs([values]);
            Assert.Equal(outputs.Select(o => o.DType).ToArray(), actual.Select(t => t.DType).ToArray());
            Assert.Equal((values * 2.5).ToDoubleArray(), actual[2].ToDoubleArray());
        }
    }

    [SkippableFact]
    public void A_mixed_dtype_model_saves_and_reloads_with_its_dtypes()
    {
        RequireBackend();
        var half = Layers.Input([3], dtype: DType.Float16, name: "mixed_half");
        var ints = Layers.Input([3], dtype: DType.Int32, name: "mixed_ints");
        var dense = new Layers.Dense(3, name: "mixed_dense").Call(NF.Cast(ints, DType.Float32));
        var output = NF.Stack([half * 2 + dense, NF.Where(ints > 1, half, dense)], axis: 1) - ints;
        var model = new Model([half, ints], output, name: "mixed_model");
        Assert.Equal(DType.Float32, output.DType);
        var inputs = new[] { Values(DType.Float16, 1), Values(DType.Int32, 2) };
        var expected = model.CallOutputs(inputs)[0];
        Assert.Equal(DType.Float32, expected.DType);

        var fromConfig = Model.FromConfig(model.GetConfig());
        fromConfig.SetWeights(model.GetWeights());
        Assert.Equal(expected.ToArray<float>(), fromConfig.CallOutputs(inputs)[0].ToArray<float>());
        Assert.Equal(model.GetConfig().ToJsonString(), fromConfig.GetConfig().ToJsonString());
        foreach (var extension in new[] { ".keras", ".h5", ".nfmodel" })
        {
            var path = Path.Combine(Path.GetTempPath(), $"nf-symops2-{Guid.NewGuid():N}{extension}");
            try
            {
                model.Save(path);
                var loaded = Model.Load(path);
                Assert.Equal(DType.Float32, loaded.Outputs[0].DType);
                Assert.Equal(expected.ToArray<float>(), loaded.CallOutputs(inputs)[0].ToArray<float>());
            }
            finally { File.Delete(path); }
        }
    }
}

public sealed class ManagedSymbolicOps2PromotionTests() : SymbolicOps2PromotionTests("managed");

public sealed class NativeCpuSymbolicOps2PromotionTests() : SymbolicOps2PromotionTests("cpu");

public sealed class CudaSymbolicOps2PromotionTests() : SymbolicOps2PromotionTests("cuda");
