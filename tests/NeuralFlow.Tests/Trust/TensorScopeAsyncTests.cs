// Namespace NeuralFlow.Tests: the emulated-CUDA run (build.cake) selects the Cuda* classes of every namespace.
namespace NeuralFlow.Tests;

/// <summary>
/// A tensor scope follows the async flow: an <c>await</c> inside <c>using (TensorScope.Begin())</c>
/// that resumes on another thread no longer leaves the first thread with a dead scope that
/// holds every later tensor forever.
/// </summary>
public abstract class TensorScopeAsyncTests(string backend) : BackendTest(backend)
{
    private static async Task<(TensorScope Scope, Tensor Before, Tensor After, int StartThread, int EndThread)> ScopeAcrossAwait(Task gate)
    {
        using var scope = TensorScope.Begin();
        int startThread = Environment.CurrentManagedThreadId;
        var before = NF.Zeros([2]);
        // The gate opens only after this method has returned to its caller, and its continuation
        // is queued to the thread pool: the rest runs on a pool thread, never the test's own one
        // (awaiting a Task.Run of a 5 ms sleep resumed inline on the test's thread whenever the
        // test's thread was descheduled for longer than the sleep, as on a loaded machine).
        await gate.ConfigureAwait(false);
        var after = NF.Ones([2]);
        return (scope, before, after, startThread, Environment.CurrentManagedThreadId);
    }

    [SkippableFact]
    public void A_scope_disposed_after_an_await_frees_its_tensors_and_leaves_no_dead_scope()
    {
        RequireBackend();
        // The test thread starts the async method (and the scope), which ends on another thread.
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var running = ScopeAcrossAwait(gate.Task);
        gate.SetResult();
        var (scope, before, after, startThread, endThread) = running.GetAwaiter().GetResult();
        Assert.Equal(Environment.CurrentManagedThreadId, startThread);
        Assert.NotEqual(startThread, endThread);
        Assert.True(before.IsDisposed);
        Assert.True(after.IsDisposed); // made after the await, on the other thread: still the scope's
        Assert.Equal(0, scope.Count);

        // Back on the first thread: new tensors belong to no scope, so nothing disposes them.
        var later = NF.Zeros([3]);
        using (var probe = TensorScope.Begin())
        {
            using var inner = NF.Zeros([1]);
            Assert.Equal(1, probe.Count); // a fresh scope records its own tensors only
        }
        Assert.False(later.IsDisposed);
        Assert.Equal(0, scope.Count);
        later.Dispose();
    }

    [SkippableFact]
    public void A_scope_ended_on_another_thread_is_skipped_by_the_thread_that_began_it()
    {
        RequireBackend();
        using var outer = TensorScope.Begin();
        var inner = TensorScope.Begin();
        // Ended elsewhere, with no flow back to this thread.
        var ended = new Thread(inner.Dispose);
        ended.Start();
        ended.Join();
        var t = NF.Zeros([2]);
        Assert.Equal(0, inner.Count);
        Assert.True(outer.Count >= 1); // the live enclosing scope recorded it
        outer.Dispose();
        Assert.True(t.IsDisposed);
    }

    [SkippableFact]
    public void Tasks_started_in_a_scope_share_it()
    {
        RequireBackend();
        Tensor[] made;
        using (var scope = TensorScope.Begin())
        {
            made = Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() => NF.Zeros([1])))).GetAwaiter().GetResult();
            Assert.Equal(8, scope.Count);
        }
        Assert.All(made, t => Assert.True(t.IsDisposed));
    }
}

public sealed class ManagedTensorScopeAsyncTests() : TensorScopeAsyncTests("managed");
public sealed class NativeCpuTensorScopeAsyncTests() : TensorScopeAsyncTests("cpu");
public sealed class CudaTensorScopeAsyncTests() : TensorScopeAsyncTests("cuda");
