namespace NeuralFlow;

// The values written into a variable that are not of its dtype: a C# number (a weak scalar) and
// Assign, AssignAdd and AssignSub from a C# array, as TensorFlow's take a Python list
// (a.assign([1, 2]) on a float32 variable): the array is read in the variable's dtype, as a
// literal is, so its element type need not match -- whole numbers into a float variable, any
// float into another float's precision -- but what that dtype cannot hold is refused (1.5 or
// 2^40 into int32, a bool into a number, as TensorFlow's "Cannot convert ... to EagerTensor").
public partial class Variable
{
    /// <summary>Sets the value from a C# array (<c>a.assign([1, 2])</c>), read in the variable's dtype; its shape must be exactly this one, as TensorFlow's.</summary>
    /// <exception cref="ArgumentException">The shape does not fit, or an element cannot be held by the variable's dtype.</exception>
    public Variable Assign(Array values) => Assign(Literal(nameof(Assign), values));

    /// <summary>Adds a C# array in place (<c>a.assign_add([2, 3])</c>), read in the variable's dtype.</summary>
    /// <exception cref="ArgumentException">The shape does not fit, or an element cannot be held by the variable's dtype.</exception>
    public Variable AssignAdd(Array values) => AssignAdd(Literal(nameof(AssignAdd), values));

    /// <summary>Subtracts a C# array in place (<c>a.assign_sub([7, 9])</c>), read in the variable's dtype.</summary>
    /// <exception cref="ArgumentException">The shape does not fit, or an element cannot be held by the variable's dtype.</exception>
    public Variable AssignSub(Array values) => AssignSub(Literal(nameof(AssignSub), values));

    // value itself when it has the variable's dtype, else the C# number it holds in that dtype (a
    // new tensor the caller disposes): in range, and whole for an integer variable, as TensorFlow
    // refuses v.assign(1.5) on an int32 variable. A tensor of another dtype is refused.
    private Tensor InDType(string op, Tensor value)
    {
        if (value.DType == DType) return value;
        if (!value.IsWeakScalar)
            throw new ArgumentException($"{op}: the variable is {DType.Name()} but the value is {value.DType.Name()}; convert with NF.Cast(value, DType.{DType}).", nameof(value));
        ScalarRange.CheckWeak(op, value, DType);
        if (!DType.IsFloating() && DType != DType.Bool && value.WeakValue is double or float && Convert.ToDouble(value.WeakValue) is var d && d != Math.Truncate(d))
            throw new ArgumentException($"{op}: {d} is not a whole number, so the {DType.Name()} variable cannot hold it (TensorFlow: \"Cannot convert {d} to EagerTensor of dtype {DType.Name()}\").", nameof(value));
        return NF.Cast(value, DType);
    }

    private Tensor Literal(string op, Array values)
    {
        ArgumentNullException.ThrowIfNull(values);
        Tensor given;
        using (NF.UseBackend(Backend)) given = NF.ConstantOf(values);
        if (given.DType == DType) return given;
        using (given)
        {
            if (given.DType == DType.Bool || DType == DType.Bool)
                throw new ArgumentException($"{op}: the variable is {DType.Name()} but the array holds {given.DType.Name()} values; a bool and a number do not convert.", nameof(values));
            var cast = NF.Cast(given, DType);
            if (DType.IsFloating()) return cast;
            // An integer variable: every element must come back unchanged (whole, and in range).
            bool[] unchanged;
            using (var back = NF.Cast(cast, given.DType))
            using (var same = NF.Equal(back, given))
                unchanged = same.ToArray<bool>();
            int bad = Array.IndexOf(unchanged, false);
            if (bad < 0) return cast;
            cast.Dispose();
            double element = given.ToDoubleArray()[bad];
            throw new ArgumentException(
                $"{op}: element {bad} of the array ({element}) cannot be held by the {DType.Name()} variable (a fraction or out of range).", nameof(values));
        }
    }
}
