namespace NeuralFlow.Keras;

// Python's operators on a KerasTensor (keras/src/backend/common/keras_tensor.py): each records one
// operation of the graph through the NF function of the same meaning. A C# number on either side is
// a weak scalar (x * 2 keeps x's dtype); a concrete Tensor is captured as a constant, as Keras does.
public sealed partial class KerasTensor
{
    /// <summary>a + b (Keras' <c>ops.add</c>), broadcast.</summary>
    public static KerasTensor operator +(KerasTensor a, KerasTensor b) => NF.Add(a, b);
    /// <summary>a + b with a number or a constant tensor.</summary>
    public static KerasTensor operator +(KerasTensor a, Tensor b) => NF.Add(a, b);
    /// <summary>a + b with a number or a constant tensor.</summary>
    public static KerasTensor operator +(Tensor a, KerasTensor b) => NF.Add(a, b);

    /// <summary>a - b (Keras' <c>ops.subtract</c>), broadcast.</summary>
    public static KerasTensor operator -(KerasTensor a, KerasTensor b) => NF.Subtract(a, b);
    /// <summary>a - b with a number or a constant tensor.</summary>
    public static KerasTensor operator -(KerasTensor a, Tensor b) => NF.Subtract(a, b);
    /// <summary>a - b with a number or a constant tensor.</summary>
    public static KerasTensor operator -(Tensor a, KerasTensor b) => NF.Subtract(a, b);

    /// <summary>a * b elementwise (Keras' <c>ops.multiply</c>), broadcast.</summary>
    public static KerasTensor operator *(KerasTensor a, KerasTensor b) => NF.Multiply(a, b);
    /// <summary>a * b with a number or a constant tensor.</summary>
    public static KerasTensor operator *(KerasTensor a, Tensor b) => NF.Multiply(a, b);
    /// <summary>a * b with a number or a constant tensor.</summary>
    public static KerasTensor operator *(Tensor a, KerasTensor b) => NF.Multiply(a, b);

    /// <summary>a / b, true division (Keras' <c>ops.true_divide</c>), broadcast.</summary>
    public static KerasTensor operator /(KerasTensor a, KerasTensor b) => NF.Divide(a, b);
    /// <summary>a / b with a number or a constant tensor.</summary>
    public static KerasTensor operator /(KerasTensor a, Tensor b) => NF.Divide(a, b);
    /// <summary>a / b with a number or a constant tensor.</summary>
    public static KerasTensor operator /(Tensor a, KerasTensor b) => NF.Divide(a, b);

    /// <summary>-x (Keras' <c>ops.negative</c>).</summary>
    public static KerasTensor operator -(KerasTensor x) => NF.Negative(x);

    // Comparisons give bool symbolic tensors (Keras' __gt__ and the others). == and != stay C#'s
    // reference equality (a KerasTensor is a dictionary key of the graph): NF.Equal / NF.NotEqual.

    /// <summary>a &gt; b elementwise as a bool symbolic tensor (Keras' <c>ops.greater</c>).</summary>
    public static KerasTensor operator >(KerasTensor a, KerasTensor b) => NF.Greater(a, b);
    /// <summary>a &gt; b with a number or a constant tensor.</summary>
    public static KerasTensor operator >(KerasTensor a, Tensor b) => NF.Greater(a, b);
    /// <summary>a &gt; b with a number or a constant tensor.</summary>
    public static KerasTensor operator >(Tensor a, KerasTensor b) => NF.Greater(a, b);

    /// <summary>a &lt; b elementwise as a bool symbolic tensor (Keras' <c>ops.less</c>).</summary>
    public static KerasTensor operator <(KerasTensor a, KerasTensor b) => NF.Less(a, b);
    /// <summary>a &lt; b with a number or a constant tensor.</summary>
    public static KerasTensor operator <(KerasTensor a, Tensor b) => NF.Less(a, b);
    /// <summary>a &lt; b with a number or a constant tensor.</summary>
    public static KerasTensor operator <(Tensor a, KerasTensor b) => NF.Less(a, b);

    /// <summary>a &gt;= b elementwise as a bool symbolic tensor (Keras' <c>ops.greater_equal</c>).</summary>
    public static KerasTensor operator >=(KerasTensor a, KerasTensor b) => NF.GreaterEqual(a, b);
    /// <summary>a &gt;= b with a number or a constant tensor.</summary>
    public static KerasTensor operator >=(KerasTensor a, Tensor b) => NF.GreaterEqual(a, b);
    /// <summary>a &gt;= b with a number or a constant tensor.</summary>
    public static KerasTensor operator >=(Tensor a, KerasTensor b) => NF.GreaterEqual(a, b);

    /// <summary>a &lt;= b elementwise as a bool symbolic tensor (Keras' <c>ops.less_equal</c>).</summary>
    public static KerasTensor operator <=(KerasTensor a, KerasTensor b) => NF.LessEqual(a, b);
    /// <summary>a &lt;= b with a number or a constant tensor.</summary>
    public static KerasTensor operator <=(KerasTensor a, Tensor b) => NF.LessEqual(a, b);
    /// <summary>a &lt;= b with a number or a constant tensor.</summary>
    public static KerasTensor operator <=(Tensor a, KerasTensor b) => NF.LessEqual(a, b);

    /// <summary>a AND b of bool symbolic tensors (Keras' <c>ops.logical_and</c>), as Tensor's &amp;.</summary>
    public static KerasTensor operator &(KerasTensor a, KerasTensor b) => NF.LogicalAnd(a, b);
    /// <summary>a OR b of bool symbolic tensors (Keras' <c>ops.logical_or</c>), as Tensor's |.</summary>
    public static KerasTensor operator |(KerasTensor a, KerasTensor b) => NF.LogicalOr(a, b);
    /// <summary>a XOR b of bool symbolic tensors (Keras' <c>ops.logical_xor</c>), as Tensor's ^.</summary>
    public static KerasTensor operator ^(KerasTensor a, KerasTensor b) => NF.LogicalXor(a, b);
    /// <summary>NOT x of a bool symbolic tensor (Keras' <c>ops.logical_not</c>), as Tensor's !.</summary>
    public static KerasTensor operator !(KerasTensor x) => NF.LogicalNot(x);

    /// <summary>
    /// Part of the tensor (Keras' <c>x[:, 0]</c>, its GetItem operation), with the indices a
    /// <see cref="Tensor"/> takes: <c>x[.., 0]</c>, <c>x[.., 1..]</c>, <c>x[NF.Ellipsis, ^1]</c>,
    /// <c>x[.., NF.NewAxis]</c>. A negative step goes over a whole axis only (<c>NF.Step(.., -1)</c>),
    /// the one form whose meaning NumPy's slices and NeuralFlow's agree on.
    /// </summary>
    public KerasTensor this[params TensorIndex[] indices]
    {
        get
        {
            ArgumentNullException.ThrowIfNull(indices);
            foreach (var index in indices)
                if (index.IsMask)
                    throw new NotSupportedException(index.Mask!.DType == DType.Bool
                        ? $"Indexing {Name}: a mask tensor does not index a symbolic tensor (its length would depend on the data); apply NF.BooleanMask to the model's output."
                        : $"Indexing {Name}: a position tensor does not index a symbolic tensor (a saved model keeps its index as numbers); index with an int, or apply NF.Gather to the model's output.");
                else if (index.IsRange && index.Step < 0 && !index.RangeBounds.Equals(..))
                    throw new NotSupportedException(
                        $"Indexing {Name}: the range {index.RangeBounds} steps backwards ({index.Step}); a symbolic index steps backwards over a whole axis only (NF.Step(.., {index.Step})), as Keras' x[::{index.Step}].");
            return NF.Symbolic("GetItem", [], this, indices.ToArray());
        }
    }
}
