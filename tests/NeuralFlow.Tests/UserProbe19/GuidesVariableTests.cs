using NeuralFlow.Keras;

namespace NeuralFlow.Tests.UserProbe19;

/// <summary>
/// TensorFlow's "Introduction to Variables" guide (guide/variable.ipynb) in C#: a variable reads
/// as a tensor, keeps its dtype and shape on assign (a resize is an error naming both shapes),
/// copies its value into a new variable, shares names without sharing values, and a
/// non-trainable variable is left out of what a tape watches.
/// </summary>
public abstract class GuidesVariableTests(string backend) : BackendTest(backend)
{
    [SkippableFact]
    public void A_variable_reads_as_a_tensor()
    {
        RequireBackend();
        var myTensor = NF.Constant(new[,] { { 1f, 2f }, { 3f, 4f } });
        var myVariable = new Variable(myTensor);
        var boolVariable = new Variable(new[] { false, false, false, true });
        Assert.Equal(DType.Bool, boolVariable.DType);
        Assert.Equal(new Shape(2, 2), myVariable.Shape);
        Assert.Equal(DType.Float32, myVariable.DType);
        Assert.Equal(new[] { 1f, 2f, 3f, 4f }, myVariable.ToArray<float>());
        Assert.Equal(new[] { 1L, 1L }, NF.ArgMax(myVariable).ToArray<long>().Select(v => (long)v));
        var reshaped = NF.Reshape(myVariable, [1, 4]);
        Assert.Equal(new Shape(1, 4), reshaped.Shape);
        Assert.Equal(new Shape(2, 2), myVariable.Shape);
    }

    [SkippableFact]
    public void Assign_keeps_dtype_and_refuses_a_resize()
    {
        RequireBackend();
        var a = new Variable(new[] { 2f, 3f });
        a.Assign(NF.Constant(new[] { 1f, 2f }));
        Assert.Equal(DType.Float32, a.DType);
        // TensorFlow: "Shape mismatch. The variable shape (2,), and the assigned value shape (3,) are incompatible."
        // Before, the message was the broadcast's "shapes (3,) and (2,) cannot be broadcast".
        var e = Assert.Throws<ArgumentException>(() => a.Assign(NF.Constant(new[] { 1f, 2f, 3f })));
        Assert.Contains("does not fit the variable of shape", e.Message);
        Assert.DoesNotContain("broadcast", e.Message);

        a = new Variable(new[] { 2f, 3f });
        var b = new Variable(a);
        a.Assign(NF.Constant(new[] { 5f, 6f }));
        Assert.Equal(new[] { 5f, 6f }, a.ToArray<float>());
        Assert.Equal(new[] { 2f, 3f }, b.ToArray<float>());
        Assert.Equal(new[] { 7f, 9f }, a.AssignAdd(NF.Constant(new[] { 2f, 3f })).ToArray<float>());
        Assert.Equal(new[] { 0f, 0f }, a.AssignSub(NF.Constant(new[] { 7f, 9f })).ToArray<float>());
        var add = Assert.Throws<ArgumentException>(() => a.AssignAdd(NF.Constant(new[] { 1f, 2f, 3f })));
        Assert.Contains("does not fit the variable of shape", add.Message);
        var named = new Variable(new[] { 1f, 2f }, name: "Mark");
        Assert.Contains("variable 'Mark'", Assert.Throws<ArgumentException>(() => named.AssignSub(NF.Ones([2, 2]))).Message);
        // A scalar is not spread over the variable: TensorFlow's assign_sub kernel says "Cannot update variable with
        // shape [2] using a Tensor with shape [], shapes must be equal" (before, it was broadcast).
        Assert.Contains("NF.BroadcastTo", Assert.Throws<ArgumentException>(() => named.AssignSub(NF.Constant(1f))).Message);
        Assert.Equal(new[] { 0f, 1f }, named.AssignSub(NF.Ones([2])).ToArray<float>());
    }

    // a.assign([1, 2]) on a float32 variable keeps float32: a C# array is read in the variable's
    // dtype, as TensorFlow reads a Python list. Before, Assign took only tensors (an int32 tensor
    // into a float32 variable is refused, as TensorFlow refuses a tensor of another dtype).
    [SkippableFact]
    public void Assign_takes_a_csharp_array_as_tensorflow_takes_a_list()
    {
        RequireBackend();
        var a = new Variable(new[] { 2f, 3f });
        a.Assign(new[] { 1, 2 });
        Assert.Equal(DType.Float32, a.DType);
        Assert.Equal(new[] { 1f, 2f }, a.ToArray<float>());
        Assert.Equal(new[] { 7f, 9f }, a.Assign(new[] { 5, 6 }).AssignAdd(new[] { 2, 3 }).ToArray<float>());
        Assert.Equal(new[] { 0f, 0f }, a.AssignSub(new[] { 7.0, 9.0 }).ToArray<float>());
        Assert.Equal(new[] { 0.1f, 0.2f }, a.Assign(new[] { 0.1, 0.2 }).ToArray<float>());
        var resize = Assert.Throws<ArgumentException>(() => a.Assign(new[] { 1f, 2f, 3f }));
        Assert.Contains("does not fit the variable of shape", resize.Message);
        Assert.Throws<ArgumentException>(() => a.Assign(NF.Constant(new[] { 1, 2 })));
        Assert.Throws<ArgumentException>(() => a.Assign(new[] { true, false }));

        var counts = new Variable(new[,] { { 1, 2 }, { 3, 4 } });
        Assert.Equal(new[] { 2, 3, 4, 5 }, counts.AssignAdd(new long[,] { { 1, 1 }, { 1, 1 } }).ToArray<int>());
        Assert.Equal(new[] { 5, 5, 5, 5 }, counts.Assign(new[,] { { 5.0, 5.0 }, { 5.0, 5.0 } }).ToArray<int>());
        Assert.Throws<ArgumentException>(() => counts.AssignAdd(new long[] { 1, 1 }));   // a row is not spread over the rows
        var fraction = Assert.Throws<ArgumentException>(() => counts.Assign(new[] { 1.0, 1.5 }));
        Assert.Contains("element 1 of the array (1.5)", fraction.Message);
        Assert.Contains("int32", fraction.Message);
        Assert.Throws<ArgumentException>(() => counts.Assign(new[] { 1L << 40, 1L }));
        // A C# number too: TensorFlow's v.assign(1.5) on an int32 variable is "Cannot convert 1.5 to
        // EagerTensor of dtype int32"; before, the number was truncated to 1 without a word.
        Assert.Contains("1.5 is not a whole number", Assert.Throws<ArgumentException>(() => counts.Assign(1.5)).Message);
        Assert.Throws<ArgumentException>(() => counts.AssignAdd(0.5f));
        Assert.Equal(new[] { 5, 5, 5, 5 }, counts.ToArray<int>());
        // A whole number is read, but a scalar does not fill a matrix (TensorFlow: "Shape mismatch").
        Assert.Contains("shape ()", Assert.Throws<ArgumentException>(() => counts.Assign(7.0)).Message);
        Assert.Equal(new[] { 5, 5, 5, 5 }, counts.ToArray<int>());
        var single = new Variable(1);
        Assert.Equal(7, single.Assign(7.0).Item<int>());
    }

    [SkippableFact]
    public void Same_names_different_values_and_non_trainable_variables()
    {
        RequireBackend();
        var myTensor = NF.Constant(new[,] { { 1f, 2f }, { 3f, 4f } });
        var a = new Variable(myTensor, name: "Mark");
        var b = new Variable(myTensor + 1, name: "Mark");
        Assert.Equal("Mark", a.Name);
        Assert.Equal(new[] { false, false, false, false }, NF.Equal(a, b).ToArray<bool>());
        var stepCounter = new Variable(1, trainable: false);
        Assert.False(stepCounter.Trainable);
        Assert.Equal(DType.Int32, stepCounter.DType);
        var w = new Variable(2f);
        var frozen = new Variable(3f, trainable: false);
        using var tape = new GradientTape();
        var y = w * frozen;
        Assert.Equal(new[] { w }, tape.WatchedVariables());
        var grads = tape.Gradient(y, [w, frozen]);
        Assert.Equal(3f, grads[0].Item<float>());
        Assert.Null(grads[1]);
    }

    [SkippableFact]
    public void Variables_and_ops_placed_on_the_cpu()
    {
        RequireBackend();
        Tensor c;
        using (NF.Device("CPU:0"))
        {
            var a = new Variable(new[,] { { 1f, 2f, 3f }, { 4f, 5f, 6f } });
            var b = NF.Constant(new[,] { { 1f, 2f }, { 3f, 4f }, { 5f, 6f } });
            c = NF.MatMul(a, b);
        }
        Assert.Equal(new[] { 22f, 28f, 49f, 64f }, c.ToArray<float>());
        if (BackendName != "cuda") return;
        // Variables made on the CPU, multiplied under the GPU's scope: TensorFlow copies them over.
        Variable x, y;
        using (NF.Device("CPU:0"))
        {
            x = new Variable(new[,] { { 1f, 2f, 3f }, { 4f, 5f, 6f } });
            y = new Variable(new[,] { { 1f, 2f, 3f } });
        }
        Tensor k;
        using (NF.Device("GPU:0")) k = x * y;
        Assert.Equal(new[] { 1f, 4f, 9f, 4f, 10f, 18f }, k.ToArray<float>());
    }
}

/// <summary>The variables guide, on the managed backend.</summary>
public sealed class ManagedGuidesVariableTests() : GuidesVariableTests("managed");

/// <summary>The variables guide, on the native CPU backend.</summary>
public sealed class NativeCpuGuidesVariableTests() : GuidesVariableTests("cpu");

/// <summary>The variables guide, on the CUDA backend.</summary>
public sealed class CudaGuidesVariableTests() : GuidesVariableTests("cuda");
