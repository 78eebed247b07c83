namespace NeuralFlow;

public static partial class NF
{
    // NF.Function: tf.function for C# lambdas over tensors (TracedFunction.cs says how it traces,
    // replays and falls back). Each overload returns a delegate of the lambda's own type, so a
    // compiled step is called like the lambda; TracedFunction.Of(step) gives its statistics.

    /// <summary>Compiles a function of one tensor by tracing (<c>tf.function</c>); see <see cref="TracedFunction"/>.</summary>
    /// <param name="function">The function; C# side effects in it run only when it is traced.</param>
    /// <param name="maxTraces">Input signatures whose plans are kept (the oldest is dropped).</param>
    public static Func<Tensor, Tensor> Function(Func<Tensor, Tensor> function, int maxTraces = 8) =>
        Make(function, a => [function(a[0])], maxTraces).Call1;

    /// <summary>Compiles a function of two tensors (e.g. a training step of x and y) by tracing; see <see cref="TracedFunction"/>.</summary>
    /// <param name="function">The function; C# side effects in it run only when it is traced.</param>
    /// <param name="maxTraces">Input signatures whose plans are kept.</param>
    public static Func<Tensor, Tensor, Tensor> Function(Func<Tensor, Tensor, Tensor> function, int maxTraces = 8) =>
        Make(function, a => [function(a[0], a[1])], maxTraces).Call2;

    /// <summary>Compiles a function of three tensors (x, y, sample weights) by tracing; see <see cref="TracedFunction"/>.</summary>
    /// <param name="function">The function; C# side effects in it run only when it is traced.</param>
    /// <param name="maxTraces">Input signatures whose plans are kept.</param>
    public static Func<Tensor, Tensor, Tensor, Tensor> Function(Func<Tensor, Tensor, Tensor, Tensor> function, int maxTraces = 8) =>
        Make(function, a => [function(a[0], a[1], a[2])], maxTraces).Call3;

    /// <summary>Compiles a function of one tensor returning several; see <see cref="TracedFunction"/>.</summary>
    /// <param name="function">The function; C# side effects in it run only when it is traced.</param>
    /// <param name="maxTraces">Input signatures whose plans are kept.</param>
    public static Func<Tensor, Tensor[]> Function(Func<Tensor, Tensor[]> function, int maxTraces = 8) =>
        Make(function, a => function(a[0]), maxTraces).CallMany1;

    /// <summary>Compiles a function of two tensors returning several (loss and predictions); see <see cref="TracedFunction"/>.</summary>
    /// <param name="function">The function; C# side effects in it run only when it is traced.</param>
    /// <param name="maxTraces">Input signatures whose plans are kept.</param>
    public static Func<Tensor, Tensor, Tensor[]> Function(Func<Tensor, Tensor, Tensor[]> function, int maxTraces = 8) =>
        Make(function, a => function(a[0], a[1]), maxTraces).CallMany2;

    /// <summary>Compiles a function of three tensors returning several; see <see cref="TracedFunction"/>.</summary>
    /// <param name="function">The function; C# side effects in it run only when it is traced.</param>
    /// <param name="maxTraces">Input signatures whose plans are kept.</param>
    public static Func<Tensor, Tensor, Tensor, Tensor[]> Function(Func<Tensor, Tensor, Tensor, Tensor[]> function, int maxTraces = 8) =>
        Make(function, a => function(a[0], a[1], a[2]), maxTraces).CallMany3;

    /// <summary>Compiles a function of one tensor returning a pair; see <see cref="TracedFunction"/>.</summary>
    /// <param name="function">The function; C# side effects in it run only when it is traced.</param>
    /// <param name="maxTraces">Input signatures whose plans are kept.</param>
    public static Func<Tensor, (Tensor, Tensor)> Function(Func<Tensor, (Tensor, Tensor)> function, int maxTraces = 8) =>
        Make(function, a => Both(function(a[0])), maxTraces).CallPair1;

    /// <summary>Compiles a function of two tensors returning a pair (loss and accuracy); see <see cref="TracedFunction"/>.</summary>
    /// <param name="function">The function; C# side effects in it run only when it is traced.</param>
    /// <param name="maxTraces">Input signatures whose plans are kept.</param>
    public static Func<Tensor, Tensor, (Tensor, Tensor)> Function(Func<Tensor, Tensor, (Tensor, Tensor)> function, int maxTraces = 8) =>
        Make(function, a => Both(function(a[0], a[1])), maxTraces).CallPair2;

    /// <summary>Compiles a function of three tensors returning a pair; see <see cref="TracedFunction"/>.</summary>
    /// <param name="function">The function; C# side effects in it run only when it is traced.</param>
    /// <param name="maxTraces">Input signatures whose plans are kept.</param>
    public static Func<Tensor, Tensor, Tensor, (Tensor, Tensor)> Function(Func<Tensor, Tensor, Tensor, (Tensor, Tensor)> function, int maxTraces = 8) =>
        Make(function, a => Both(function(a[0], a[1], a[2])), maxTraces).CallPair3;

    private static Tensor[] Both((Tensor A, Tensor B) pair) => [pair.A, pair.B];

    private static TracedFunction Make(Delegate function, Func<Tensor[], Tensor[]> body, int maxTraces)
    {
        ArgumentNullException.ThrowIfNull(function);
        return new TracedFunction(body, function.Method.Name, maxTraces);
    }
}
