using NeuralFlow.Backends;
using NeuralFlow.Keras;

namespace NeuralFlow.Tests;

/// <summary>
/// Devices and placement (issue 5) where every machine can check them: names, scopes, the
/// clear error for a GPU that is not there, moves between backends, and Fit moving each batch
/// to the model's device. The same code paths carry tensors to and from a GPU.
/// </summary>
public class DeviceTests
{
    [Theory]
    [InlineData("cpu", DeviceKind.Cpu, 0)]
    [InlineData("CPU:0", DeviceKind.Cpu, 0)]
    [InlineData("/device:CPU:0", DeviceKind.Cpu, 0)]
    [InlineData("gpu", DeviceKind.Gpu, 0)]
    [InlineData("gpu:1", DeviceKind.Gpu, 1)]
    [InlineData("/GPU:0", DeviceKind.Gpu, 0)]
    [InlineData("cuda:2", DeviceKind.Gpu, 2)]
    public void Device_names_parse_like_TensorFlow_and_PyTorch(string name, DeviceKind kind, int index)
    {
        var d = Device.Parse(name);
        Assert.Equal(new Device(kind, index), d);
        Assert.Equal(kind == DeviceKind.Cpu ? "cpu" : $"gpu:{index}", d.ToString());
    }

    [Theory]
    [InlineData("tpu:0")]
    [InlineData("gpu:x")]
    [InlineData("cpu:1")]
    [InlineData("gpu:-1")]
    public void Bad_device_names_say_what_is_accepted(string name)
    {
        var e = Assert.Throws<ArgumentException>(() => Device.Parse(name));
        Assert.Contains($"'{name}' is not a device name", e.Message);
        Assert.Contains("\"gpu:N\"", e.Message);
    }

    [Fact]
    public void Devices_list_the_cpu_first_then_each_usable_gpu()
    {
        var devices = NF.Devices();
        Assert.Equal(Device.Cpu, devices[0]);
        Assert.Equal(NF.Cuda.DeviceCount, devices.Count - 1);
        for (int i = 1; i < devices.Count; i++) Assert.Equal(Device.Gpu(i - 1), devices[i]);
        Assert.Equal(NF.Cuda.IsAvailable, NF.Cuda.Failure is null);
    }

    [SkippableFact]
    public void A_missing_gpu_is_a_clear_error_naming_why_and_what_is_available()
    {
        Skip.If(NF.Cuda.IsAvailable, "this machine has a GPU");
        var e = Assert.Throws<InvalidOperationException>(() => NF.Device("gpu:0"));
        Assert.Contains("Device gpu:0 is not available", e.Message);
        Assert.Contains(NF.Cuda.Failure!, e.Message);
        Assert.Contains("Available: cpu", e.Message);
        Assert.Throws<InvalidOperationException>(() => NF.Cuda.MemoryStats());
        using var t = NF.Constant(new[] { 1f, 2f });
        Assert.Throws<InvalidOperationException>(() => t.To("gpu:0"));
    }

    [SkippableFact]
    public void The_default_device_is_the_best_available()
    {
        Skip.If(Environment.GetEnvironmentVariable("NEURALFLOW_BACKEND") is { Length: > 0 }, "NEURALFLOW_BACKEND forces the default");
        var expected = NF.Cuda.IsAvailable ? Device.Gpu(0) : Device.Cpu;
        Assert.Equal(expected, BackendRegistry.Default.Device);
    }

    [Fact]
    public void A_device_scope_places_new_tensors_and_ends_with_its_using()
    {
        using (NF.Device("cpu"))
        {
            Assert.Equal(Device.Cpu, NF.CurrentDevice);
            using var t = NF.Ones([2, 2]);
            Assert.Equal(Device.Cpu, t.Device);
            Assert.Same(BackendRegistry.NativeCpu ?? BackendRegistry.Managed, t.Backend);
        }
    }

    private static IEnumerable<(IBackend From, IBackend To)> BackendPairs()
    {
        var all = BackendRegistry.Available;
        foreach (var a in all)
            foreach (var b in all)
                yield return (a, b);
    }

    [Fact]
    public void To_moves_values_between_backends_for_every_dtype_and_view()
    {
        foreach (var (from, to) in BackendPairs())
        {
            Tensor f, i, b;
            using (NF.UseBackend(from))
            {
                f = NF.Reshape(NF.Range(0.0, 12.0, dtype: DType.Float64), [3, 4]);
                i = NF.Constant(new[] { -3, 7, int.MaxValue });
                b = NF.Constant(new[] { true, false, true });
            }
            // A strided, transposed view travels as its values.
            using var view = NF.Transpose(f)[1..];
            using var movedView = view.To(to);
            using var movedI = i.To(to);
            using var movedB = b.To(to);
            Assert.Same(to, movedView.Backend);
            Assert.Equal(view.Shape, movedView.Shape);
            Assert.Equal(view.ToArray<double>(), movedView.ToArray<double>());
            Assert.Equal(new[] { -3, 7, int.MaxValue }, movedI.ToArray<int>());
            Assert.Equal(new[] { true, false, true }, movedB.ToArray<bool>());
            f.Dispose(); i.Dispose(); b.Dispose();
        }
    }

    [Fact]
    public void To_the_same_device_is_a_new_reference_that_can_be_disposed_alone()
    {
        using var t = NF.Constant(new[] { 1f, 2f, 3f });
        var same = t.To(t.Device);
        Assert.Same(t.Backend, same.Backend);
        same.Dispose();
        Assert.False(t.IsDisposed);
        Assert.Equal(new[] { 1f, 2f, 3f }, t.ToArray<float>());
    }

    [SkippableFact]
    public void Mixing_backends_in_one_op_names_both()
    {
        Skip.If(BackendRegistry.NativeCpu is null, "needs the native CPU backend and the managed one");
        Tensor a, b;
        using (NF.UseBackend("managed")) a = NF.Ones([2]);
        using (NF.UseBackend("cpu")) b = NF.Ones([2]);
        var e = Assert.Throws<ArgumentException>(() => NF.Add(a, b));
        Assert.Contains("Add: operands are on different devices (cpu (managed backend) and cpu)", e.Message);
        Assert.Contains("tensor.To(", e.Message);
        Tensor index;
        using (NF.UseBackend("cpu")) index = NF.Constant(new[] { 0 });
        var g = Assert.Throws<ArgumentException>(() => NF.Gather(a, index));
        Assert.Contains("different devices", g.Message);
        // A C# number follows the tensor it meets, wherever that is.
        using var scaled = a * 3;
        Assert.Same(a.Backend, scaled.Backend);
    }

    [Fact]
    public void Like_functions_keep_the_device_of_their_argument()
    {
        Tensor t;
        using (NF.UseBackend("managed")) t = NF.Ones([2, 3]);
        using (NF.Device("cpu"))
        {
            using var z = NF.ZerosLike(t);
            using var o = NF.OnesLike(t);
            Assert.Same(t.Backend, z.Backend);
            Assert.Same(t.Backend, o.Backend);
        }
    }

    [SkippableFact]
    public void Fit_moves_each_batch_to_the_models_device()
    {
        Skip.If(BackendRegistry.NativeCpu is null, "needs two backends");
        NF.Random.SetSeed(3);
        Tensor x, y;
        using (NF.UseBackend("managed"))
        {
            x = NF.Random.Uniform([256, 8]);
            y = NF.Cast(NF.Greater(NF.ReduceSum(x, axis: 1), 4.0), DType.Int32);
        }
        Sequential model;
        using (NF.UseBackend("cpu"))
        {
            model = new Sequential(new Layers.Dense(16, activation: "relu"), new Layers.Dense(2));
            using var probe = NF.Zeros([1, 8]);
            model.Call(probe).Dispose();  // builds the variables here, on the cpu backend
        }
        model.Compile(new Keras.Optimizers.Adam(0.01f), new Keras.Losses.SparseCategoricalCrossentropy(fromLogits: true), ["accuracy"]);
        // Called outside any scope, with the data on another backend: the model's device wins.
        var history = model.Fit(x, y, batchSize: 32, epochs: 3, verbose: 0, validationSplit: 0.25);
        Assert.All(model.Variables, v => Assert.Same(BackendRegistry.NativeCpu, v.Backend));
        Assert.True(history["loss"][^1] < history["loss"][0]);
        var result = model.Evaluate(x, y);
        Assert.True(result["accuracy"] > 0.6f, $"accuracy {result["accuracy"]}");
        using var predictions = model.Predict(x);
        Assert.Same(BackendRegistry.NativeCpu, predictions.Backend);
    }

    [Fact]
    public void Values_reach_device_memory_only_through_uploads_and_downloads()
    {
        var gpu = new DeviceDouble(7);
        var other = new DeviceDouble(8);
        Tensor host;
        using (NF.UseBackend(BackendRegistry.Managed)) host = NF.Reshape(NF.Range(0.0, 12.0, dtype: DType.Float64), [3, 4]);  // not the default device: that may be a GPU
        using var view = NF.Transpose(host)[1..];                 // strided: packed before the copy
        using var onGpu = view.To(gpu);                            // host -> device: an upload
        Assert.Equal(Device.Gpu(7), onGpu.Device);
        Assert.Equal(1, gpu.Uploads);
        using var onOther = onGpu.To(other);                       // device -> device: staged through the host
        Assert.Equal(1, gpu.Downloads);
        Assert.Equal(1, other.Uploads);
        using var back = onOther.To(BackendRegistry.Managed);      // device -> host: a download
        Assert.Equal(view.ToArray<double>(), back.ToArray<double>());
        // Reading a device tensor downloads; printing it too.
        Assert.Equal(view.ToArray<double>(), onGpu.ToArray<double>());
        Assert.Contains("[[ 1.", onGpu.ToString());
        var e = Assert.Throws<ArgumentException>(() => NF.Add(onGpu, host));
        Assert.Contains("operands are on different devices (gpu:7 and cpu", e.Message);
        host.Dispose();
    }

    [Fact]
    public void A_single_value_on_a_device_is_filled_not_copied()
    {
        // A copy from pageable memory waits for every queued kernel; a fill kernel does not.
        var gpu = new DeviceDouble(1);
        using (NF.UseBackend(gpu))
        {
            using var half = NF.Constant(2.5f);
            using var flag = NF.Constant(true);
            using var big = NF.Constant(long.MaxValue - 1);   // not exact as a double: copied
            using var smallest = NF.Constant(long.MinValue);   // once threw OverflowException (Math.Abs)
            using var x = NF.Constant(new[] { 1f, 2f });
            using var y = x * 3;
            Assert.Equal(3, gpu.Uploads);                      // `big`, `smallest` and the array
            Assert.Equal(long.MinValue, smallest.Item<long>());
            Assert.Equal(2.5f, half.Item<float>());
            Assert.True(flag.Item<bool>());
            Assert.Equal(long.MaxValue - 1, big.Item<long>());
            Assert.Equal(new[] { 3f, 6f }, y.ToArray<float>());
        }
    }

    [Fact]
    public void A_csharp_number_goes_to_the_tensor_it_meets_without_visiting_the_scope_device()
    {
        // `cpuTensor * 2` under a GPU scope once made the 2 on the GPU, read it back (a device
        // sync) and refilled it on the CPU; the number now waits until the op knows the backend.
        var gpu = new DeviceDouble(5);
        Tensor floats, longs;
        using (NF.UseBackend(BackendRegistry.Managed))
        {
            floats = NF.Constant(new[] { 1f, 2f });
            longs = NF.Constant(new[] { 1L, 2L });
        }
        using (NF.UseBackend(gpu))
        {
            using var doubled = floats * 2;
            using var shifted = 1.5 + floats;
            using var big = longs + (long.MaxValue - 2);   // not exact as a double: still exact
            Assert.Same(BackendRegistry.Managed, doubled.Backend);
            Assert.Equal(new[] { 2f, 4f }, doubled.ToArray<float>());
            Assert.Equal(new[] { 2.5f, 3.5f }, shifted.ToArray<float>());
            Assert.Equal(new[] { long.MaxValue - 1, long.MaxValue }, big.ToArray<long>());
            Tensor alone = 3;                              // nothing met yet: made on the scope's device when read
            Assert.Equal(0, gpu.Allocations);
            Assert.Equal((0, 0, 0), (gpu.Uploads, gpu.Downloads, gpu.Fills));
            Assert.Equal(3, alone.Item<int>());
            Assert.Equal(Device.Gpu(5), alone.Device);
            Assert.Equal(1, gpu.Allocations);
        }
        floats.Dispose();
        longs.Dispose();
    }

    [Fact]
    public void Cross_entropy_computes_its_gradient_only_for_a_recording_tape()
    {
        var gpu = new DeviceDouble(6);
        NF.Random.SetSeed(3);
        using (NF.UseBackend(gpu))
        {
            var logits = new Variable(NF.Random.Normal([4, 3]));
            using var labels = NF.Constant(new[] { 0, 2, 1, 2 });
            var loss = new Keras.Losses.SparseCategoricalCrossentropy(fromLogits: true);
            var plain = loss.Call(labels, logits).Item<float>();
            Assert.Equal(0, gpu.GradientRequests);
            using (var tape = new GradientTape())
            {
                var recorded = loss.Call(labels, logits);
                Assert.Equal(plain, recorded.Item<float>());
                Assert.Equal(1, gpu.GradientRequests);
                Assert.Equal([4, 3], tape.Gradient(recorded, logits).Shape.ToArray());
            }
            // A model: Fit asks for gradients, Evaluate and Predict do not.
            using var x = NF.Random.Uniform([40, 5]);
            using var y = NF.Cast(NF.Greater(NF.ReduceSum(x, axis: 1), 2.5), DType.Int32);
            var model = new Sequential(new Layers.Dense(4, activation: "relu"), new Layers.Dense(2, activation: "softmax"));
            model.Compile(new Keras.Optimizers.SGD(0.1f), "sparse_categorical_crossentropy", ["accuracy"]);
            model.Fit(x, y, batchSize: 20, epochs: 1, verbose: 0);
            int afterFit = gpu.GradientRequests;
            Assert.Equal(3, afterFit);
            model.Evaluate(x, y, batchSize: 20);
            model.Predict(x).Dispose();
            Assert.Equal(afterFit, gpu.GradientRequests);
        }
    }

    [Fact]
    public void Fit_evaluate_and_predict_train_on_a_device_with_data_on_the_host()
    {
        var gpu = new DeviceDouble(3);
        NF.Random.SetSeed(5);
        Tensor x, y;
        using (NF.UseBackend("managed"))
        {
            x = NF.Random.Uniform([200, 6]);
            y = NF.Cast(NF.Greater(NF.ReduceSum(x, axis: 1), 3.0), DType.Int32);
        }
        var model = new Sequential(new Layers.Dense(16, activation: "relu"), new Layers.Dense(2, activation: "softmax"));
        using (NF.UseBackend(gpu))
        {
            using var probe = NF.Zeros([1, 6]);
            model.Call(probe).Dispose();
        }
        model.Compile(new Keras.Optimizers.SGD(0.5f, momentum: 0.9), "sparse_categorical_crossentropy", ["accuracy"]);
        var history = model.Fit(x, y, batchSize: 25, epochs: 4, verbose: 0);
        Assert.All(model.Variables, v => Assert.Equal(Device.Gpu(3), v.Device));
        Assert.True(history["loss"][^1] < history["loss"][0]);
        Assert.True(gpu.Uploads >= 4 * 8 * 2, $"each step moves its batch once: {gpu.Uploads} uploads");
        Assert.True(model.Evaluate(x, y)["accuracy"] > 0.6f);
        using var p = model.Predict(x);
        Assert.Equal(Device.Gpu(3), p.Device);
        // A data pipeline on the host feeds it the same way.
        var ds = NeuralFlow.Data.Dataset.FromTensorSlices(x, y).Batch(50);
        model.Fit(ds, epochs: 1, verbose: 0);
    }

    [Fact]
    public void Every_backend_suite_has_a_managed_a_cpu_and_a_cuda_variant()
    {
        // A suite that loses a concrete variant (as the parity suite once did in a merge) stops
        // running without a sound; this catches it.
        var types = typeof(DeviceTests).Assembly.GetTypes();
        var suites = types.Where(t => t.IsAbstract && t.IsSubclassOf(typeof(BackendTest))).ToList();
        Assert.NotEmpty(suites);
        foreach (var suite in suites)
        {
            var variants = types.Where(t => !t.IsAbstract && t.IsSubclassOf(suite)).Select(t => t.Name).ToList();
            foreach (var prefix in new[] { "Managed", "NativeCpu", "Cuda" })
                Assert.True(variants.Any(n => n.StartsWith(prefix, StringComparison.Ordinal)),
                    $"{suite.Name} has no {prefix}* variant (has: {string.Join(", ", variants)})");
        }
    }
}
