using NeuralFlow.Data;

namespace NeuralFlow;

public static partial class NF
{
    // NF.Function: tf.function for C# lambdas over tensors (TracedFunction.cs says how it traces,
    // replays and falls back). Each overload returns a delegate of the lambda's own type, so a
    // compiled step is called like the lambda; TracedFunction.Of(step) gives its statistics.

    private static volatile bool _runFunctionsEagerly;

    /// <summary>
    /// When true, every function made by <c>NF.Function</c> (and <c>Fit</c>'s, <c>Evaluate</c>'s and
    /// <c>Predict</c>'s compiled steps) runs its C# body at each call, neither tracing nor replaying
    /// (<c>tf.config.run_functions_eagerly</c>): for debugging, so that breakpoints, <c>Console.WriteLine</c>
    /// and other C# side effects run every time. Process-wide, false by default; functions keep their
    /// traces and replay them again once it is false.
    /// </summary>
    public static bool RunFunctionsEagerly
    {
        get => _runFunctionsEagerly;
        set => _runFunctionsEagerly = value;
    }

    /// <summary>Compiles a function of one tensor by tracing (<c>tf.function</c>); see <see cref="TracedFunction"/>.</summary>
    /// <param name="function">The function; C# side effects in it run only when it is traced.</param>
    /// <param name="maxTraces">Input signatures whose plans are kept (the oldest is dropped).</param>
    /// <param name="jitCompile">tf.function\'s jit_compile: false plans without fusing kernels (see <see cref="TracedFunction.JitCompile"/>).</param>
    /// <param name="inputSignature">tf.function's input_signature, one spec per argument; see <see cref="TracedFunction.InputSignature"/>.</param>
    public static Func<Tensor, Tensor> Function(Func<Tensor, Tensor> function, int maxTraces = 8, bool jitCompile = true, TensorSpec[]? inputSignature = null) =>
        Make(function, a => [function(a[0])], maxTraces, jitCompile, inputSignature).Call1;

    /// <summary>Compiles a function of two tensors (e.g. a training step of x and y) by tracing; see <see cref="TracedFunction"/>.</summary>
    /// <param name="function">The function; C# side effects in it run only when it is traced.</param>
    /// <param name="maxTraces">Input signatures whose plans are kept.</param>
    /// <param name="jitCompile">tf.function\'s jit_compile: false plans without fusing kernels (see <see cref="TracedFunction.JitCompile"/>).</param>
    /// <param name="inputSignature">tf.function's input_signature, one spec per argument; see <see cref="TracedFunction.InputSignature"/>.</param>
    public static Func<Tensor, Tensor, Tensor> Function(Func<Tensor, Tensor, Tensor> function, int maxTraces = 8, bool jitCompile = true, TensorSpec[]? inputSignature = null) =>
        Make(function, a => [function(a[0], a[1])], maxTraces, jitCompile, inputSignature).Call2;

    /// <summary>Compiles a function of three tensors (x, y, sample weights) by tracing; see <see cref="TracedFunction"/>.</summary>
    /// <param name="function">The function; C# side effects in it run only when it is traced.</param>
    /// <param name="maxTraces">Input signatures whose plans are kept.</param>
    /// <param name="jitCompile">tf.function\'s jit_compile: false plans without fusing kernels (see <see cref="TracedFunction.JitCompile"/>).</param>
    /// <param name="inputSignature">tf.function's input_signature, one spec per argument; see <see cref="TracedFunction.InputSignature"/>.</param>
    public static Func<Tensor, Tensor, Tensor, Tensor> Function(Func<Tensor, Tensor, Tensor, Tensor> function, int maxTraces = 8, bool jitCompile = true, TensorSpec[]? inputSignature = null) =>
        Make(function, a => [function(a[0], a[1], a[2])], maxTraces, jitCompile, inputSignature).Call3;

    /// <summary>Compiles a function of one tensor returning several; see <see cref="TracedFunction"/>.</summary>
    /// <param name="function">The function; C# side effects in it run only when it is traced.</param>
    /// <param name="maxTraces">Input signatures whose plans are kept.</param>
    /// <param name="jitCompile">tf.function\'s jit_compile: false plans without fusing kernels (see <see cref="TracedFunction.JitCompile"/>).</param>
    /// <param name="inputSignature">tf.function's input_signature, one spec per argument; see <see cref="TracedFunction.InputSignature"/>.</param>
    public static Func<Tensor, Tensor[]> Function(Func<Tensor, Tensor[]> function, int maxTraces = 8, bool jitCompile = true, TensorSpec[]? inputSignature = null) =>
        Make(function, a => function(a[0]), maxTraces, jitCompile, inputSignature).CallMany1;

    /// <summary>Compiles a function of two tensors returning several (loss and predictions); see <see cref="TracedFunction"/>.</summary>
    /// <param name="function">The function; C# side effects in it run only when it is traced.</param>
    /// <param name="maxTraces">Input signatures whose plans are kept.</param>
    /// <param name="jitCompile">tf.function\'s jit_compile: false plans without fusing kernels (see <see cref="TracedFunction.JitCompile"/>).</param>
    /// <param name="inputSignature">tf.function's input_signature, one spec per argument; see <see cref="TracedFunction.InputSignature"/>.</param>
    public static Func<Tensor, Tensor, Tensor[]> Function(Func<Tensor, Tensor, Tensor[]> function, int maxTraces = 8, bool jitCompile = true, TensorSpec[]? inputSignature = null) =>
        Make(function, a => function(a[0], a[1]), maxTraces, jitCompile, inputSignature).CallMany2;

    /// <summary>Compiles a function of three tensors returning several; see <see cref="TracedFunction"/>.</summary>
    /// <param name="function">The function; C# side effects in it run only when it is traced.</param>
    /// <param name="maxTraces">Input signatures whose plans are kept.</param>
    /// <param name="jitCompile">tf.function\'s jit_compile: false plans without fusing kernels (see <see cref="TracedFunction.JitCompile"/>).</param>
    /// <param name="inputSignature">tf.function's input_signature, one spec per argument; see <see cref="TracedFunction.InputSignature"/>.</param>
    public static Func<Tensor, Tensor, Tensor, Tensor[]> Function(Func<Tensor, Tensor, Tensor, Tensor[]> function, int maxTraces = 8, bool jitCompile = true, TensorSpec[]? inputSignature = null) =>
        Make(function, a => function(a[0], a[1], a[2]), maxTraces, jitCompile, inputSignature).CallMany3;

    /// <summary>Compiles a function of one tensor returning a pair; see <see cref="TracedFunction"/>.</summary>
    /// <param name="function">The function; C# side effects in it run only when it is traced.</param>
    /// <param name="maxTraces">Input signatures whose plans are kept.</param>
    /// <param name="jitCompile">tf.function\'s jit_compile: false plans without fusing kernels (see <see cref="TracedFunction.JitCompile"/>).</param>
    /// <param name="inputSignature">tf.function's input_signature, one spec per argument; see <see cref="TracedFunction.InputSignature"/>.</param>
    public static Func<Tensor, (Tensor, Tensor)> Function(Func<Tensor, (Tensor, Tensor)> function, int maxTraces = 8, bool jitCompile = true, TensorSpec[]? inputSignature = null) =>
        Make(function, a => Both(function(a[0])), maxTraces, jitCompile, inputSignature).CallPair1;

    /// <summary>Compiles a function of two tensors returning a pair (loss and accuracy); see <see cref="TracedFunction"/>.</summary>
    /// <param name="function">The function; C# side effects in it run only when it is traced.</param>
    /// <param name="maxTraces">Input signatures whose plans are kept.</param>
    /// <param name="jitCompile">tf.function\'s jit_compile: false plans without fusing kernels (see <see cref="TracedFunction.JitCompile"/>).</param>
    /// <param name="inputSignature">tf.function's input_signature, one spec per argument; see <see cref="TracedFunction.InputSignature"/>.</param>
    public static Func<Tensor, Tensor, (Tensor, Tensor)> Function(Func<Tensor, Tensor, (Tensor, Tensor)> function, int maxTraces = 8, bool jitCompile = true, TensorSpec[]? inputSignature = null) =>
        Make(function, a => Both(function(a[0], a[1])), maxTraces, jitCompile, inputSignature).CallPair2;

    /// <summary>Compiles a function of three tensors returning a pair; see <see cref="TracedFunction"/>.</summary>
    /// <param name="function">The function; C# side effects in it run only when it is traced.</param>
    /// <param name="maxTraces">Input signatures whose plans are kept.</param>
    /// <param name="jitCompile">tf.function\'s jit_compile: false plans without fusing kernels (see <see cref="TracedFunction.JitCompile"/>).</param>
    /// <param name="inputSignature">tf.function's input_signature, one spec per argument; see <see cref="TracedFunction.InputSignature"/>.</param>
    public static Func<Tensor, Tensor, Tensor, (Tensor, Tensor)> Function(Func<Tensor, Tensor, Tensor, (Tensor, Tensor)> function, int maxTraces = 8, bool jitCompile = true, TensorSpec[]? inputSignature = null) =>
        Make(function, a => Both(function(a[0], a[1], a[2])), maxTraces, jitCompile, inputSignature).CallPair3;

    private static Tensor[] Both((Tensor A, Tensor B) pair) => [pair.A, pair.B];

    private static TracedFunction Make(Delegate function, Func<Tensor[], Tensor[]> body, int maxTraces, bool jitCompile, TensorSpec[]? inputSignature)
    {
        ArgumentNullException.ThrowIfNull(function);
        var traced = new TracedFunction(body, function.Method.Name, maxTraces)
        {
            JitCompile = jitCompile,
            ParameterNames = function.Method.GetParameters().Select((p, i) => string.IsNullOrEmpty(p.Name) ? $"arg{i}" : p.Name).ToArray(),
        };
        if (inputSignature is not null) traced.SetInputSignature(inputSignature);
        return traced;
    }
}
