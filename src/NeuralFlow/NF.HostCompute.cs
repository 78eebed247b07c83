namespace NeuralFlow;

// The one bridge from tensors to computations that run on the host in double (special functions' series, matrix
// factorizations, the CTC lattice): the inputs are read as packed float64 and the result written as float64 on the
// engine of a given tensor, by one host call (FunctionTrace.RunOnHost). A compiled step (NF.Function) records that
// call and runs it again at every replay with the replay's values, so these ops no longer make a step run eagerly.
public static partial class NF
{
    /// <summary>
    /// <paramref name="compute"/> over <paramref name="inputs"/>' values (each read as a float64 array in row-major
    /// order), its result a tensor of <paramref name="shape"/> in <paramref name="like"/>'s dtype on its engine.
    /// </summary>
    /// <remarks>
    /// <paramref name="compute"/> runs at the call and at every replay of a compiled step that made it: it must read
    /// nothing else that a replay changes (state it writes for a later host call, such as the CTC lattices its gradient
    /// reads, is fine when that call reads this one's result, which orders them). An exception it throws (bad labels)
    /// reaches the caller of the call or replay.
    /// </remarks>
    private static Tensor HostComputed(string op, IReadOnlyList<Tensor> inputs, Shape shape, Tensor like, Func<double[][], double[]> compute)
    {
        var host = Tensor.Empty(shape, DType.Float64, like.Backend);
        try
        {
            FunctionTrace.RunOnHostAs(inputs, inputs.Select(_ => DType.Float64).ToArray(), host, bytes =>
            {
                var values = Array.ConvertAll(bytes, b => System.Runtime.InteropServices.MemoryMarshal.Cast<byte, double>(b).ToArray());
                return System.Runtime.InteropServices.MemoryMarshal.AsBytes(compute(values).AsSpan()).ToArray();
            }, op);
        }
        catch
        {
            host.Dispose();
            throw;
        }
        if (like.DType == DType.Float64) return host;
        using (host)
        using (Tape.Pause())
            return Cast(host, like.DType);
    }
}
