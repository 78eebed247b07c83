using System.Diagnostics;
using System.Text.Json;
using NeuralFlow.Keras;

namespace NeuralFlow.GpuCheck;

/// <summary>
/// Milliseconds per training step of the two MLPs benchmarks/gpu/torch_steps.py times with
/// PyTorch, written the same way: a tape step (forward, sparse cross-entropy from logits,
/// backward, Adam with epsilon 1e-7) on random data already on the device, each step in a
/// TensorScope; 20 warm-up steps, then 5 runs of `steps` steps, the median reported. Each model
/// is timed three ways: the eager step (its name), the step as an NF.Function replayed kernel
/// by kernel (name_replay) and replayed as CUDA graphs (name_graph, issue 17's bar: at least
/// twice PyTorch's eager step on the same GPU).
/// </summary>
internal static class StepTimer
{
    public static int Run(Device device, int steps, int batch)
    {
        using var placement = NF.Device(device);
        foreach (var (name, units) in new[] { ("workshop_mlp", new[] { 128 }), ("mlp_784_512_512_10", new[] { 512, 512 }) })
            foreach (var mode in new[] { "", "_replay", "_graph" })
                Time(name + mode, units, mode, device, steps, batch);
        return 0;
    }

    private static void Time(string name, int[] units, string mode, Device device, int steps, int batch)
    {
        NF.Random.SetSeed(1);
        var x = NF.Random.Uniform([batch, 28, 28]);
        var y = NF.Random.Uniform([batch], 0, 10, DType.Int32);
        var layers = new List<Layer> { new Layers.Flatten() };
        layers.AddRange(units.Select(u => (Layer)new Layers.Dense(u, activation: "relu")));
        layers.Add(new Layers.Dense(10));
        var model = new Sequential([.. layers]);
        var loss = new Keras.Losses.SparseCategoricalCrossentropy(fromLogits: true);
        var optimizer = new Keras.Optimizers.Adam(0.001f, epsilon: 1e-7);

        Tensor Body(Tensor xs, Tensor ys)
        {
            using var tape = new GradientTape();
            var value = loss.Call(ys, model.Call(xs));
            optimizer.ApplyGradients(tape.Gradient(value, model.TrainableVariables), model.TrainableVariables);
            return value;
        }
        Func<Tensor, Tensor, Tensor> run = Body;
        TracedFunction? traced = null;
        if (mode != "")
        {
            run = NF.Function(Body);
            traced = TracedFunction.Of(run);
            traced.CudaGraphs = mode == "_graph";
        }
        void Step()
        {
            using var scope = TensorScope.Begin();
            run(x, y);
        }
        void Wait()
        {
            if (device.Kind == DeviceKind.Gpu) NF.Cuda.Synchronize(device.Index);
        }

        for (int i = 0; i < 20; i++) Step();
        Wait();
        var runs = new List<double>();
        for (int r = 0; r < 5; r++)
        {
            var clock = Stopwatch.StartNew();
            for (int i = 0; i < steps; i++) Step();
            Wait();
            runs.Add(clock.Elapsed.TotalMilliseconds / steps);
        }
        var sorted = runs.Order().ToList();
        var record = new Dictionary<string, object>
        {
            ["model"] = name, ["framework"] = "neuralflow", ["device"] = device.ToString(),
            ["device_name"] = device.Kind == DeviceKind.Gpu ? NF.Cuda.DeviceName(device.Index) : "cpu",
            ["batch"] = batch, ["ms_per_step"] = Math.Round(sorted[2], 4), ["runs_ms"] = runs.Select(v => Math.Round(v, 4)).ToArray(),
        };
        if (traced is not null)
        {
            record["replays"] = traced.ReplayCount;
            record["graph_launches"] = traced.CudaGraphLaunches;
            record["eager_reason"] = traced.EagerReason ?? "";
            record["graph_fallback"] = traced.CudaGraphFallback ?? "";
        }
        Console.WriteLine(JsonSerializer.Serialize(record));
    }
}
