using NeuralFlow.IO;

namespace NeuralFlow.Tests.UserProbe26;

/// <summary>
/// SummaryWriter.Scalar of tensors (tf.summary.scalar(tag, loss, step) inside a tf.function, as pix2pix's
/// train_step writes its losses): each replay of a compiled step writes that call's value and step, read by
/// the independent event-file reader; a value or step of the wrong kind is refused by name.
/// </summary>
public abstract class SummaryWriterTensorTests(string backend) : BackendFileTest(backend)
{
    [SkippableFact]
    public void A_compiled_step_writes_each_calls_value_and_step()
    {
        RequireBackend();
        var writer = SummaryWriter.Create(Temp.File("logs"));
        var step = NF.Function((Tensor x, Tensor s) =>
        {
            var loss = NF.ReduceSum(x * x);
            writer.Scalar("loss", loss, NF.FloorDiv(s, 2));
            return loss;
        });
        for (int i = 0; i < 5; i++) step(NF.Constant(new[] { i, 1f }), NF.Constant((long)i));
        Assert.True(TracedFunction.Of(step).LastCallReplayed, TracedFunction.Of(step).EagerReason);
        writer.Scalar("int", NF.Constant(7), NF.Constant(9));   // eagerly, an int32 value and step
        writer.Dispose();

        string python = File.Exists("/usr/bin/python3") ? "/usr/bin/python3" : "python3";
        var scalars = CallbackTests.TensorBoardTests.Read(python, writer.EventFile)
            .Where(e => e.TryGetProperty("values", out _))
            .SelectMany(e => e.GetProperty("values").EnumerateArray().Select(v =>
                (Step: e.GetProperty("step").GetInt64(), Tag: v.GetProperty("tag").GetString(), Value: v.GetProperty("simple_value").GetSingle())))
            .ToList();
        Assert.Equal([(0L, "loss", 1f), (0L, "loss", 2f), (1L, "loss", 5f), (1L, "loss", 10f), (2L, "loss", 17f), (9L, "int", 7f)], scalars);
    }

    [SkippableFact]
    public void Values_and_steps_that_are_not_scalars_of_numbers_are_refused()
    {
        RequireBackend();
        using var writer = SummaryWriter.Create(Temp.File("bad"));
        Assert.Contains("value must be a scalar", Assert.Throws<ArgumentException>(() => writer.Scalar("x", NF.Ones([2]), NF.Constant(0L))).Message);
        Assert.Contains("value must be a scalar", Assert.Throws<ArgumentException>(() => writer.Scalar("x", NF.Constant(true), NF.Constant(0L))).Message);
        Assert.Contains("step must be an integer", Assert.Throws<ArgumentException>(() => writer.Scalar("x", NF.Constant(1f), NF.Constant(1.5f))).Message);
        Assert.Contains("step must be an integer", Assert.Throws<ArgumentException>(() => writer.Scalar("x", NF.Constant(1f), NF.Constant(new long[] { 1, 2 }))).Message);
        Assert.Throws<ArgumentException>(() => writer.Scalar(" ", NF.Constant(1f), NF.Constant(0L)));
        writer.Dispose();
        Assert.Throws<ObjectDisposedException>(() => writer.Scalar("x", NF.Constant(1f), NF.Constant(0L)));
    }
}

/// <summary>Tensor summaries on the managed backend.</summary>
public sealed class ManagedSummaryWriterTensorTests() : SummaryWriterTensorTests("managed");

/// <summary>Tensor summaries on the native CPU backend.</summary>
public sealed class NativeCpuSummaryWriterTensorTests() : SummaryWriterTensorTests("cpu");

/// <summary>Tensor summaries on CUDA.</summary>
public sealed class CudaSummaryWriterTensorTests() : SummaryWriterTensorTests("cuda");
