using NeuralFlow.Data;

namespace NeuralFlow.Tests.UserProbe24;

/// <summary>
/// NF.Print writes what tf.print writes: tensors NumPy-like without commas, long axes summarized to three entries at
/// each end, floats as TensorFlow's StrCat writes them, values joined by sep and ended by end, C# lists and
/// dictionaries as Python prints nested structures, to a writer or a "file://" path; it prints at every call of an
/// NF.Function. The expected lines are those of the tf.print API page's examples, and print_references.py's floats.
/// Before, NF.Print wrote NeuralFlow's own style ("[1, 2, 3]") with no sep, end or summarize.
/// </summary>
public abstract class PrintFormatTests(string backend) : BackendFileTest(backend)
{
    private static string Printed(params object?[] values)
    {
        var output = new StringWriter();
        NF.Print(output, values);
        return output.ToString();
    }

    [SkippableFact]
    public void Tensors_print_as_tf_print_prints_them()
    {
        RequireBackend();
        Assert.Equal("[1 2 3]\n", Printed(NF.Constant(new[] { 1, 2, 3 })));
        Assert.Equal("[[1 2]\n [3 4]]\n", Printed(NF.Constant(new[,] { { 1, 2 }, { 3, 4 } })));
        // The API page: tf.print(tf.range(10)) prints "[0 1 2 ... 7 8 9]".
        Assert.Equal("[0 1 2 ... 7 8 9]\n", Printed(NF.Range(0, 10)));
        Assert.Equal("[0 1 2 3 4 5]\n", Printed(NF.Range(0, 6)));
        // Per axis, with a line between the blocks of a 3-d tensor (TensorFlow's PrintDimSpacing).
        Assert.Equal("[[0 1 2 ... 7 8 9]\n [10 11 12 ... 17 18 19]\n [20 21 22 ... 27 28 29]\n ...\n [50 51 52 ... 57 58 59]\n [60 61 62 ... 67 68 69]\n [70 71 72 ... 77 78 79]]\n",
                     Printed(NF.Reshape(NF.Range(0, 80), [8, 10])));
        Assert.Equal("[[[0 1]\n  [2 3]]\n\n [[4 5]\n  [6 7]]]\n", Printed(NF.Reshape(NF.Range(0, 8), [2, 2, 2])));
        Assert.Equal("7\n", Printed(NF.Constant(7)));
        Assert.Equal("[1 0]\n", Printed(NF.Constant(new[] { true, false })));
        // print_references.py: float32 as %.6g, else %.9g; float64 as %.15g, else %.17g.
        Assert.Equal("[1.5 2 0.333333343 1e+10] [-2.5e-05 0.1 123456792]\n",
                     Printed(NF.Constant(new[] { 1.5f, 2f, 1f / 3, 1e10f }), NF.Constant(new[] { -2.5e-5f, 0.1f, 123456789f })));
        Assert.Equal("[0.1 0.33333333333333331 2 1e-07]\n", Printed(NF.Constant(new[] { 0.1, 1.0 / 3, 2.0, 1e-7 })));
        Assert.Equal("[inf -inf nan]\n", Printed(NF.Constant(new[] { float.PositiveInfinity, float.NegativeInfinity, float.NaN })));
        Assert.Equal("[\"a\" \"b\"] done\n", Printed(new StringTensor(["a", "b"]), new StringTensor("done")));
    }

    [SkippableFact]
    public void Sep_end_summarize_structures_and_streams_are_tf_prints()
    {
        RequireBackend();
        var tensor = NF.Range(0, 10);
        var output = new StringWriter();
        // The API page: tf.print("tensors:", tensor, {2: tensor * 2}, output_stream=sys.stdout).
        NF.Print(["tensors:", tensor, new Dictionary<int, Tensor> { [2] = tensor * 2 }], outputStream: output);
        Assert.Equal("tensors: [0 1 2 ... 7 8 9] {2: [0 2 4 ... 14 16 18]}\n", output.ToString());
        // tf.print(tensor_a, tensor_b, sep=',').
        output = new StringWriter();
        var a = NF.Range(0, 2);
        NF.Print([a, a * 2], sep: ",", outputStream: output);
        Assert.Equal("[0 1],[0 2]\n", output.ToString());
        output = new StringWriter();
        NF.Print([tensor], summarize: -1, end: "|", outputStream: output);
        NF.Print([tensor], summarize: 1, end: "", outputStream: output);
        Assert.Equal("[0 1 2 3 4 5 6 7 8 9]|[0 ... 9]", output.ToString());
        Assert.Equal("['a', [1 2], 1.5, 2.0, True, None, (1, 'b')]\n",
                     Printed(new List<object?> { "a", NF.Constant(new[] { 1, 2 }), 1.5, 2.0, true, null, (1, "b") }));

        var path = Temp.File("printed.txt");
        NF.Print(["x", 1], outputStream: "file://" + path);
        NF.Print(["y"], outputStream: "file://" + path);
        Assert.Equal("x 1\ny\n", File.ReadAllText(path));
        Assert.Throws<ArgumentException>(() => NF.Print(["x"], outputStream: "stdout"));
        Assert.Throws<ArgumentOutOfRangeException>(() => NF.Print(["x"], summarize: -2));
    }

    [SkippableFact]
    public void Prints_at_every_call_of_a_function()
    {
        RequireBackend();
        var output = new StringWriter();
        var f = NF.Function((Tensor x) =>
        {
            NF.Print(output, "x:", x);
            return x * 2;
        });
        f(NF.Constant(new[] { 1, 2 }));
        f(NF.Constant(new[] { 3, 4 }));
        f(NF.Constant(new[] { 5, 6 }));
        Assert.Equal("x: [1 2]\nx: [3 4]\nx: [5 6]\n", output.ToString());
    }
}

/// <summary>On the managed backend.</summary>
public sealed class ManagedPrintFormatTests() : PrintFormatTests("managed");

/// <summary>On the native CPU backend.</summary>
public sealed class NativeCpuPrintFormatTests() : PrintFormatTests("cpu");

/// <summary>On CUDA.</summary>
public sealed class CudaPrintFormatTests() : PrintFormatTests("cuda");
