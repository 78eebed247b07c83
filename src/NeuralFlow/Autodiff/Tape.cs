using System.Runtime.CompilerServices;

namespace NeuralFlow;

/// <summary>
/// The recording side of autodiff: every differentiable op calls <see cref="Record(Tensor, Tensor, GradientRule, object?, string)"/>
/// with its inputs and a static gradient rule. When no tape is recording on this thread that is
/// one field read, so ops pay nothing for autodiff they do not use. The op's name (the caller's,
/// unless given) only serves error messages.
/// </summary>
internal static class Tape
{
    [ThreadStatic] private static List<GradientTape>? _active;

    internal static List<GradientTape> Active => _active ??= [];

    /// <summary>
    /// Stops every tape on this thread from recording until disposed: the functional API's shape
    /// inference runs a layer on zeros, which a tape of an enclosing training step must not see.
    /// </summary>
    internal static IDisposable Pause()
    {
        var saved = _active;
        _active = null;
        return new Resume(saved);
    }

    private sealed class Resume(List<GradientTape>? saved) : IDisposable
    {
        private bool _done;
        public void Dispose()
        {
            if (_done) return;
            _done = true;
            _active = saved;
        }
    }

    internal static bool AnyRecording
    {
        get
        {
            var tapes = _active;
            if (tapes is null) return false;
            foreach (var t in tapes) if (t.IsRecording) return true;
            return false;
        }
    }

    /// <summary>Whether a recording tape watches one of <paramref name="inputs"/> (registering trainable variables as an op reading them does).</summary>
    internal static bool AnyWatches(Tensor[] inputs)
    {
        if (_active is not { Count: > 0 } tapes) return false;
        bool any = false;
        foreach (var t in tapes) any |= t.IsRecording && t.WatchesAny(inputs);
        return any;
    }

    [MethodImpl(Hot)]
    public static Tensor Record(Tensor output, Tensor x, GradientRule rule, object? state = null, [CallerMemberName] string op = "")
    {
        if (_active is not { Count: > 0 }) return output;
        return RecordSlow(output, [x], rule, state, op);
    }

    [MethodImpl(Hot)]
    public static Tensor Record(Tensor output, Tensor x, Tensor y, GradientRule rule, object? state = null, [CallerMemberName] string op = "")
    {
        if (_active is not { Count: > 0 }) return output;
        return RecordSlow(output, [x, y], rule, state, op);
    }

    [MethodImpl(Hot)]
    public static Tensor Record(Tensor output, Tensor[] inputs, GradientRule rule, object? state = null, [CallerMemberName] string op = "")
    {
        if (_active is not { Count: > 0 }) return output;
        return RecordSlow(output, inputs, rule, state, op);
    }

    [MethodImpl(Hot)]
    private static Tensor RecordSlow(Tensor output, Tensor[] inputs, GradientRule rule, object? state, string op)
    {
        TapeNode? node = null;
        foreach (var tape in _active!)
        {
            if (!tape.IsRecording || !tape.WatchesAny(inputs)) continue;
            node ??= new TapeNode(inputs, output, rule, state, op);
            tape.Add(node);
        }
        return output;
    }
}
