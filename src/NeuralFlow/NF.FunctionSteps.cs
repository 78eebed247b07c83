using NeuralFlow.Data;

namespace NeuralFlow;

public static partial class NF
{
    // More lambda shapes for NF.Function (NF.Function.cs has the common ones): a step that returns
    // nothing (TensorFlow's quickstart writes train_step and test_step that only update metrics and
    // variables), a function of no tensors (full-batch training over captured data), four inputs,
    // and three results. A lambda that returns a value binds to the Func overloads, never to these
    // Actions (C# prefers a delegate with a result), so adding them changes no existing call.

    /// <summary>Compiles a function of no tensors (its data captured, e.g. a full-batch step) by tracing; see <see cref="TracedFunction"/>.</summary>
    /// <param name="function">The function; C# side effects in it run only when it is traced.</param>
    /// <param name="maxTraces">Input signatures whose plans are kept.</param>
    /// <param name="jitCompile">tf.function\'s jit_compile: false plans without fusing kernels.</param>
    /// <param name="inputSignature">tf.function's input_signature, one spec per argument; see <see cref="TracedFunction.InputSignature"/>.</param>
    public static Func<Tensor> Function(Func<Tensor> function, int maxTraces = 8, bool jitCompile = true, TensorSpec[]? inputSignature = null) =>
        Make(function, _ => [function()], maxTraces, jitCompile, inputSignature).Call0;

    /// <summary>Compiles a function of four tensors by tracing; see <see cref="TracedFunction"/>.</summary>
    /// <param name="function">The function; C# side effects in it run only when it is traced.</param>
    /// <param name="maxTraces">Input signatures whose plans are kept.</param>
    /// <param name="jitCompile">tf.function\'s jit_compile: false plans without fusing kernels.</param>
    /// <param name="inputSignature">tf.function's input_signature, one spec per argument; see <see cref="TracedFunction.InputSignature"/>.</param>
    public static Func<Tensor, Tensor, Tensor, Tensor, Tensor> Function(Func<Tensor, Tensor, Tensor, Tensor, Tensor> function, int maxTraces = 8, bool jitCompile = true, TensorSpec[]? inputSignature = null) =>
        Make(function, a => [function(a[0], a[1], a[2], a[3])], maxTraces, jitCompile, inputSignature).Call4;

    /// <summary>Compiles a function of one tensor returning three; see <see cref="TracedFunction"/>.</summary>
    /// <param name="function">The function; C# side effects in it run only when it is traced.</param>
    /// <param name="maxTraces">Input signatures whose plans are kept.</param>
    /// <param name="jitCompile">tf.function\'s jit_compile: false plans without fusing kernels.</param>
    /// <param name="inputSignature">tf.function's input_signature, one spec per argument; see <see cref="TracedFunction.InputSignature"/>.</param>
    public static Func<Tensor, (Tensor, Tensor, Tensor)> Function(Func<Tensor, (Tensor, Tensor, Tensor)> function, int maxTraces = 8, bool jitCompile = true, TensorSpec[]? inputSignature = null) =>
        Make(function, a => All(function(a[0])), maxTraces, jitCompile, inputSignature).CallTriple1;

    /// <summary>Compiles a function of two tensors returning three (loss, accuracy, predictions); see <see cref="TracedFunction"/>.</summary>
    /// <param name="function">The function; C# side effects in it run only when it is traced.</param>
    /// <param name="maxTraces">Input signatures whose plans are kept.</param>
    /// <param name="jitCompile">tf.function\'s jit_compile: false plans without fusing kernels.</param>
    /// <param name="inputSignature">tf.function's input_signature, one spec per argument; see <see cref="TracedFunction.InputSignature"/>.</param>
    public static Func<Tensor, Tensor, (Tensor, Tensor, Tensor)> Function(Func<Tensor, Tensor, (Tensor, Tensor, Tensor)> function, int maxTraces = 8, bool jitCompile = true, TensorSpec[]? inputSignature = null) =>
        Make(function, a => All(function(a[0], a[1])), maxTraces, jitCompile, inputSignature).CallTriple2;

    /// <summary>Compiles a function of three tensors returning three; see <see cref="TracedFunction"/>.</summary>
    /// <param name="function">The function; C# side effects in it run only when it is traced.</param>
    /// <param name="maxTraces">Input signatures whose plans are kept.</param>
    /// <param name="jitCompile">tf.function\'s jit_compile: false plans without fusing kernels.</param>
    /// <param name="inputSignature">tf.function's input_signature, one spec per argument; see <see cref="TracedFunction.InputSignature"/>.</param>
    public static Func<Tensor, Tensor, Tensor, (Tensor, Tensor, Tensor)> Function(Func<Tensor, Tensor, Tensor, (Tensor, Tensor, Tensor)> function, int maxTraces = 8, bool jitCompile = true, TensorSpec[]? inputSignature = null) =>
        Make(function, a => All(function(a[0], a[1], a[2])), maxTraces, jitCompile, inputSignature).CallTriple3;

    /// <summary>
    /// Compiles a step of no tensors that returns nothing (it updates variables and metrics) by
    /// tracing; see <see cref="TracedFunction"/>.
    /// </summary>
    /// <param name="step">The step; C# side effects in it run only when it is traced.</param>
    /// <param name="maxTraces">Input signatures whose plans are kept.</param>
    /// <param name="jitCompile">tf.function\'s jit_compile: false plans without fusing kernels.</param>
    /// <param name="inputSignature">tf.function's input_signature, one spec per argument; see <see cref="TracedFunction.InputSignature"/>.</param>
    public static Action Function(Action step, int maxTraces = 8, bool jitCompile = true, TensorSpec[]? inputSignature = null) =>
        Make(step, _ => { step(); return []; }, maxTraces, jitCompile, inputSignature).CallNone0;

    /// <summary>
    /// Compiles a step of one tensor that returns nothing (it updates variables and metrics) by
    /// tracing; see <see cref="TracedFunction"/>.
    /// </summary>
    /// <param name="step">The step; C# side effects in it run only when it is traced.</param>
    /// <param name="maxTraces">Input signatures whose plans are kept.</param>
    /// <param name="jitCompile">tf.function\'s jit_compile: false plans without fusing kernels.</param>
    /// <param name="inputSignature">tf.function's input_signature, one spec per argument; see <see cref="TracedFunction.InputSignature"/>.</param>
    public static Action<Tensor> Function(Action<Tensor> step, int maxTraces = 8, bool jitCompile = true, TensorSpec[]? inputSignature = null) =>
        Make(step, a => { step(a[0]); return []; }, maxTraces, jitCompile, inputSignature).CallNone1;

    /// <summary>
    /// Compiles a step of two tensors that returns nothing, as TensorFlow's quickstart writes
    /// <c>train_step(images, labels)</c> (it applies gradients and updates metrics), by tracing;
    /// see <see cref="TracedFunction"/>.
    /// </summary>
    /// <param name="step">The step; C# side effects in it run only when it is traced.</param>
    /// <param name="maxTraces">Input signatures whose plans are kept.</param>
    /// <param name="jitCompile">tf.function\'s jit_compile: false plans without fusing kernels.</param>
    /// <param name="inputSignature">tf.function's input_signature, one spec per argument; see <see cref="TracedFunction.InputSignature"/>.</param>
    public static Action<Tensor, Tensor> Function(Action<Tensor, Tensor> step, int maxTraces = 8, bool jitCompile = true, TensorSpec[]? inputSignature = null) =>
        Make(step, a => { step(a[0], a[1]); return []; }, maxTraces, jitCompile, inputSignature).CallNone2;

    /// <summary>Compiles a step of three tensors that returns nothing by tracing; see <see cref="TracedFunction"/>.</summary>
    /// <param name="step">The step; C# side effects in it run only when it is traced.</param>
    /// <param name="maxTraces">Input signatures whose plans are kept.</param>
    /// <param name="jitCompile">tf.function\'s jit_compile: false plans without fusing kernels.</param>
    /// <param name="inputSignature">tf.function's input_signature, one spec per argument; see <see cref="TracedFunction.InputSignature"/>.</param>
    public static Action<Tensor, Tensor, Tensor> Function(Action<Tensor, Tensor, Tensor> step, int maxTraces = 8, bool jitCompile = true, TensorSpec[]? inputSignature = null) =>
        Make(step, a => { step(a[0], a[1], a[2]); return []; }, maxTraces, jitCompile, inputSignature).CallNone3;

    /// <summary>Compiles a step of four tensors that returns nothing by tracing; see <see cref="TracedFunction"/>.</summary>
    /// <param name="step">The step; C# side effects in it run only when it is traced.</param>
    /// <param name="maxTraces">Input signatures whose plans are kept.</param>
    /// <param name="jitCompile">tf.function\'s jit_compile: false plans without fusing kernels.</param>
    /// <param name="inputSignature">tf.function's input_signature, one spec per argument; see <see cref="TracedFunction.InputSignature"/>.</param>
    public static Action<Tensor, Tensor, Tensor, Tensor> Function(Action<Tensor, Tensor, Tensor, Tensor> step, int maxTraces = 8, bool jitCompile = true, TensorSpec[]? inputSignature = null) =>
        Make(step, a => { step(a[0], a[1], a[2], a[3]); return []; }, maxTraces, jitCompile, inputSignature).CallNone4;

    private static Tensor[] All((Tensor A, Tensor B, Tensor C) triple) => [triple.A, triple.B, triple.C];
}
