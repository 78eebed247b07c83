using NeuralFlow.Keras;

namespace NeuralFlow.Tests;

/// <summary>
/// Issue 17's Fit bar: a shuffled Fit gathers each batch's rows inside its traced step, and the
/// replay plan turns the gather and the products that read the rows (the first dense layer's
/// forward and weight gradient, through the Flatten's view) into GatherMatMul calls
/// (GatherMatMulFusion; on the CPU engine nf_gather_matmul, which reads x's rows through the
/// indices instead of copying them). The replayed step has the eager step's bits with and without
/// the pass; an index out of range fails the replay as the gather would; a gathered batch read by
/// anything but a product's first operand keeps its gather.
/// </summary>
public abstract class GatherMatMulFusionTests(string backend) : BackendTest(backend)
{
    private const int Examples = 3000, Side = 28, Features = Side * Side, Batch = 256;

    // The CPU engine's kernel takes the workshop's first layer on an AVX-512 machine (and the managed plan follows it).
    private bool Fuses => BackendName != "cuda" && Backends.BackendRegistry.NativeCpu is Backends.Native.NativeCpuBackend cpu &&
        cpu.FusesGatherMatMul(new Backends.GatherMatMulCall
        {
            DType = DType.Float32, XRows = Layout.Contiguous(new Shape(Examples, Features)), IndexDType = DType.Int32, IndexCount = Batch,
            BLayout = Layout.Contiguous(new Shape(Features, 50)), OutLayout = Layout.Contiguous(new Shape(Batch, 50)),
        });

    private static int[] Bits(Tensor t) => t.ToArray<float>().Select(BitConverter.SingleToInt32Bits).ToArray();

    private static (Tensor X, Tensor Y) Data()
    {
        NF.Random.SetSeed(51);
        return (NF.Random.Uniform([Examples, Side, Side]), NF.Random.Uniform([Examples], minval: 0, maxval: 10, dtype: DType.Int32));
    }

    private static T WithoutThePass<T>(Func<T> run) => PlanPassSwitch.Without("NEURALFLOW_FUSION_GATHER", run);

    private static void SameBits(List<int[]> want, List<int[]> got, string what)
    {
        Assert.Equal(want.Count, got.Count);
        for (int i = 0; i < want.Count; i++) Assert.True(want[i].SequenceEqual(got[i]), $"{what}: result {i} differs");
    }

    // Plan lines of `kernel`: the name alone or followed by its details (so "Gather" does not count "GatherMatMul").
    private static int Count(string plan, string kernel) =>
        plan.Split('\n').Count(l => l == kernel || l.StartsWith(kernel + " ", StringComparison.Ordinal));

    // The workshop's model and Fit (shuffled, a partial last batch), eagerly or replayed: the history's losses and accuracies, then the weights' bits.
    private static (List<int[]> Runs, string? Plan) FitWorkshop(bool eager)
    {
        var (x, y) = Data();
        NF.Random.SetSeed(52);
        var model = new Sequential(new Layers.Flatten(), new Layers.Dense(50, activation: "relu"), new Layers.Dense(10, activation: "softmax"));
        model.Compile(new Optimizers.SGD(0.01), "sparse_categorical_crossentropy", ["accuracy"], runEagerly: eager);
        var history = model.Fit(x, y, batchSize: Batch, epochs: 2, verbose: 0);
        var runs = new List<int[]>
        {
            history["loss"].Select(BitConverter.SingleToInt32Bits).ToArray(), history["accuracy"].Select(BitConverter.SingleToInt32Bits).ToArray(),
        };
        foreach (var v in model.TrainableVariables) runs.Add(Bits(v));
        return (runs, eager ? null : model.TrainFunction!.LatestPlan!.Describe());
    }

    [SkippableFact]
    public void A_shuffled_Fit_reads_the_batch_rows_through_the_indices_with_the_eager_bits()
    {
        RequireBackend();
        var (eager, _) = FitWorkshop(eager: true);
        var (fused, plan) = FitWorkshop(eager: false);
        var (unfused, unfusedPlan) = WithoutThePass(() => FitWorkshop(eager: false));
        SameBits(eager, fused, $"{BackendName} Fit, fused replay vs eager");
        SameBits(eager, unfused, $"{BackendName} Fit, unfused replay vs eager");
        // On the CPU engines the step gathers the rows itself. Unfused, it gathers x's and y's rows;
        // fused, the forward and the weight gradient read x's rows and y's are gathered. On a GPU
        // Fit gathers outside the step (the gather's index check would end its CUDA graph).
        bool inStep = BackendName != "cuda";
        Assert.Equal(inStep ? 2 : 0, Count(unfusedPlan!, "Gather"));
        Assert.Equal(0, Count(unfusedPlan!, "GatherMatMul"));
        Assert.Equal(Fuses ? 2 : 0, Count(plan!, "GatherMatMul"));
        Assert.Equal(!inStep ? 0 : Fuses ? 1 : 2, Count(plan!, "Gather"));
    }

    // g = x[indices] through a view as the forward reads it, and both products of a dense layer on it.
    private static Func<Tensor, Tensor, Tensor[]> Products(Tensor w, Tensor dz, bool alsoReadG) => (x, indices) =>
    {
        var g = NF.Reshape(NF.Gather(x, indices), [-1, Features]);
        var forward = NF.MatMul(g, w);
        var gradient = NF.MatMul(NF.Transpose(g), dz);
        return alsoReadG ? [forward, gradient, NF.ReduceSum(g, 0)] : [forward, gradient];
    };

    private static (Tensor X, Tensor Indices, Tensor W, Tensor Dz) Operands(int rows)
    {
        NF.Random.SetSeed(53);
        var order = Enumerable.Range(0, rows).Select(i => (i * 7919 + 13) % Examples).ToArray();
        order[rows / 2] = order[0];  // a repeated row
        return (NF.Random.Normal([Examples, Side, Side]), NF.Constant(order), NF.Random.Normal([Features, 50]), NF.Random.Normal([rows, 50]));
    }

    [SkippableTheory]
    [InlineData(Batch, false)]
    [InlineData(96, false)]
    [InlineData(Batch, true)]
    public void Traced_products_of_gathered_rows_give_the_eager_bits(int rows, bool alsoReadG)
    {
        RequireBackend();
        var (x, indices, w, dz) = Operands(rows);
        var eager = Products(w, dz, alsoReadG)(x, indices).Select(Bits).ToList();
        var f = NF.Function(Products(w, dz, alsoReadG));
        for (int call = 0; call < 3; call++)
            SameBits(eager, f(x, indices).Select(Bits).ToList(), $"{BackendName} {rows} rows, call {call}");
        var info = TracedFunction.Of(f);
        Assert.True(info.LastCallReplayed, info.EagerReason);
        var plan = info.LatestPlan!.Describe();
        // A batch also read by a reduction keeps its gather (the kernel reads rows for products only).
        bool fused = Fuses && !alsoReadG;
        Assert.Equal(fused ? 2 : 0, Count(plan, "GatherMatMul"));
        Assert.Equal(fused ? 0 : 1, Count(plan, "Gather"));
    }

    [SkippableFact]
    public void An_index_out_of_range_fails_the_replay_naming_it_as_the_gather_does()
    {
        RequireBackend();
        var (x, indices, w, dz) = Operands(Batch);
        var f = NF.Function(Products(w, dz, alsoReadG: false));
        f(x, indices);
        f(x, indices);
        var order = indices.ToArray<int>();
        order[77] = Examples;
        var bad = NF.Constant(order);
        var eager = Assert.ThrowsAny<Exception>(() => { Products(w, dz, alsoReadG: false)(x, bad); });
        var replayed = Assert.ThrowsAny<Exception>(() => { f(x, bad); });
        Assert.Equal(eager.GetType(), replayed.GetType());
        // The CPU engine's fused call gives nf_gather's message under its own name (the position, the value, the
        // range); elsewhere the replay runs the gather itself, with the eager message.
        if (BackendName == "cpu" && Fuses) Assert.Contains($"indices[77] = {Examples} is out of range [0, {Examples})", replayed.Message);
        else Assert.Equal(eager.Message, replayed.Message);
    }
}

public sealed class ManagedGatherMatMulFusionTests() : GatherMatMulFusionTests("managed");

public sealed class NativeCpuGatherMatMulFusionTests() : GatherMatMulFusionTests("cpu");

public sealed class CudaGatherMatMulFusionTests() : GatherMatMulFusionTests("cuda");
