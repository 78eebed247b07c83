namespace NeuralFlow.Tests.UserProbe22;

/// <summary>
/// assign, assign_add and assign_sub take exactly the variable's shape, as TensorFlow's
/// (<c>tf.Variable([1., 2., 3.]).assign(5.)</c>: "Shape mismatch. The variable shape (3,), and the assigned value
/// shape () are incompatible") and Keras 3's (<c>variable.assign(value)</c>: "must match"). Before, a value that
/// broadcast to the variable was spread over it: a scalar filled a vector, a row every row of a matrix.
/// </summary>
public abstract class VariableAssignShapeTests(string backend) : BackendTest(backend)
{
    [SkippableFact]
    public void A_value_of_another_shape_is_refused_naming_both_shapes()
    {
        RequireBackend();
        var v = new Variable(new[] { 1f, 2f, 3f }, name: "v");
        var scalar = Assert.Throws<ArgumentException>(() => v.Assign(5f));
        Assert.Contains("shape ()", scalar.Message);
        Assert.Contains("(3,)", scalar.Message);
        Assert.Contains("NF.BroadcastTo", scalar.Message);   // says how to spread it on purpose
        Assert.Throws<ArgumentException>(() => v.AssignAdd(NF.Constant(1f)));
        Assert.Throws<ArgumentException>(() => v.AssignSub(NF.Constant(new[] { 1f })));

        var m = new Variable(NF.Zeros([2, 3]));
        var row = Assert.Throws<ArgumentException>(() => m.Assign(NF.Constant(new[] { 1f, 2f, 3f })));
        Assert.Contains("(2, 3)", row.Message);
        Assert.Throws<ArgumentException>(() => m.AssignAdd(new[] { 1f, 2f, 3f }));   // a C# array is read as its own shape
        Assert.Throws<ArgumentException>(() => m.Assign(NF.Zeros([3, 2])));
        Assert.Throws<ArgumentException>(() => m.Assign(NF.Zeros([1, 2, 3])));
        // Nothing was written by a refused assign.
        Assert.Equal(new[] { 1f, 2f, 3f }, v.ToArray<float>());
        Assert.Equal(new float[6], m.ToArray<float>());
    }

    [SkippableFact]
    public void A_value_of_the_variables_shape_is_written()
    {
        RequireBackend();
        var v = new Variable(new[] { 1f, 2f, 3f });
        v.Assign(NF.Constant(new[] { 4f, 5f, 6f }));
        v.AssignAdd(new[] { 1f, 1f, 1f });
        v.AssignSub(NF.Fill([3], 2f));
        Assert.Equal(new[] { 3f, 4f, 5f }, v.ToArray<float>());
        v.Assign(NF.BroadcastTo(NF.Constant(7f), [3]));   // spreading a scalar is asked for by name
        Assert.Equal(new[] { 7f, 7f, 7f }, v.ToArray<float>());

        var s = new Variable(1f);
        s.Assign(2f);            // a C# number into a scalar variable
        s.AssignAdd(0.5f);
        Assert.Equal(2.5f, s.Item<float>());
        var m = new Variable(NF.Zeros([2, 2]));
        m.Assign(m + NF.Constant(new[] { 1f, 2f }));   // the README's broadcast sits in the value, not in the assign
        Assert.Equal(new[] { 1f, 2f, 1f, 2f }, m.ToArray<float>());
    }
}

/// <summary>Assign's shape rule on the managed backend.</summary>
public sealed class ManagedVariableAssignShapeTests() : VariableAssignShapeTests("managed");

/// <summary>Assign's shape rule on the native CPU backend.</summary>
public sealed class NativeCpuVariableAssignShapeTests() : VariableAssignShapeTests("cpu");

/// <summary>Assign's shape rule on CUDA.</summary>
public sealed class CudaVariableAssignShapeTests() : VariableAssignShapeTests("cuda");
