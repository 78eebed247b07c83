using NeuralFlow.Backends;
using NeuralFlow.Native;

namespace NeuralFlow;

public static partial class NF
{
    /// <summary>
    /// How many threads the CPU engines use for one operation: the analogue of PyTorch's
    /// <c>torch.set_num_threads</c> / <c>torch.get_num_threads</c> and TensorFlow's
    /// <c>tf.config.threading.set_intra_op_parallelism_threads</c>.
    /// </summary>
    /// <remarks>
    /// The default is what the process may really use: the CPUs in its affinity mask, capped by
    /// a container's CPU quota (as <see cref="Environment.ProcessorCount"/>), or
    /// <c>NEURALFLOW_NUM_THREADS</c> when set. The native engine runs every kernel
    /// on one pool whose idle workers sleep after a few microseconds and whose work is cut into
    /// parts claimed one at a time, so another busy process slows it by about the share of the
    /// cores it takes, not by a whole scheduler time slice per operation. The managed engine's
    /// pool (WorkerPool.cs, the same design in C#) uses at most the same count. The native engine cuts work into parts by
    /// size alone, so its results do not depend on the count.
    /// </remarks>
    public static class Threads
    {
        private static int _count = Initial();

        /// <summary>The number of threads an operation may use (1 means: all on the calling thread).</summary>
        public static int Count => Volatile.Read(ref _count);

        /// <summary>Sets the number of threads for both CPU engines (the native one when it is loaded).</summary>
        /// <exception cref="ArgumentOutOfRangeException"><paramref name="count"/> is below 1 or above 4096.</exception>
        public static void Set(int count)
        {
            if (count < 1 || count > MaxThreads)
                throw new ArgumentOutOfRangeException(nameof(count), count,
                    $"NF.Threads.Set: count = {count}; it must be from 1 to {MaxThreads}.");
            Volatile.Write(ref _count, count);
            if (BackendRegistry.NativeCpu != null) NativeErrors.ThrowIfFailed(NativeMethods.nf_threads_set(count));
        }

        private const int MaxThreads = 4096;

        // The same rule as the native pool's default_thread_count (cpu/thread_pool.cpp).
        private static int Initial()
        {
            var env = Environment.GetEnvironmentVariable("NEURALFLOW_NUM_THREADS");
            if (!string.IsNullOrEmpty(env))
            {
                if (int.TryParse(env, out int n) && n >= 1 && n <= MaxThreads) return n;
                Console.Error.WriteLine($"NeuralFlow: ignoring NEURALFLOW_NUM_THREADS={env} (want a whole number from 1 to {MaxThreads})");
            }
            return Math.Max(1, Environment.ProcessorCount);
        }
    }
}
