using System.Runtime.CompilerServices;

namespace NeuralFlow.Backends.Managed;

/// <summary>
/// Philox4x32-10 (Salmon et al., "Parallel random numbers: as easy as 1, 2, 3"), the
/// counter-based generator the header prescribes: element i of a call uses the block of counter
/// (g_lo, g_hi, 0, 0) with g = offset + i and key (seed_lo, seed_hi). Being counter-based, any
/// element can be computed independently, so chunks run in parallel with identical results
/// and the native engine produces the same bits.
/// </summary>
internal static class Philox
{
    private const uint M0 = 0xD2511F53, M1 = 0xCD9E8D57;
    private const uint W0 = 0x9E3779B9, W1 = 0xBB67AE85;

    /// <summary>The four output words of the block for counter (c0..c3) and key (k0, k1).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Block(ref uint c0, ref uint c1, ref uint c2, ref uint c3, uint k0, uint k1)
    {
        uint x0 = c0, x1 = c1, x2 = c2, x3 = c3;
        for (int round = 0; round < 10; round++)
        {
            // The key is bumped between rounds (Random123's philox4x32_R: round, bump, round, ...).
            if (round > 0) { k0 += W0; k1 += W1; }
            ulong p0 = (ulong)M0 * x0;
            ulong p1 = (ulong)M1 * x2;
            uint hi0 = (uint)(p0 >> 32), lo0 = (uint)p0;
            uint hi1 = (uint)(p1 >> 32), lo1 = (uint)p1;
            x0 = hi1 ^ x1 ^ k0;
            x1 = lo1;
            x2 = hi0 ^ x3 ^ k1;
            x3 = lo0;
        }
        c0 = x0; c1 = x1; c2 = x2; c3 = x3;
    }

    /// <summary>The first two words (w0, w1) for global element index g.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static (uint W0, uint W1) Words(ulong g, ulong seed)
    {
        uint c0 = (uint)g, c1 = (uint)(g >> 32), c2 = 0, c3 = 0;
        Block(ref c0, ref c1, ref c2, ref c3, (uint)seed, (uint)(seed >> 32));
        return (c0, c1);
    }

    private const double TwoPow24 = 1.0 / 16777216.0;            // 2^-24
    private const double TwoPow53 = 1.0 / 9007199254740992.0;    // 2^-53

    /// <summary>u in [0, 1) with 53 random bits (float64 uniform).</summary>
    public static double Uniform53(uint w0, uint w1) => (((ulong)w0 << 21) | (w1 >> 11)) * TwoPow53;

    /// <summary>u in [0, 1) with 24 random bits (every other dtype).</summary>
    public static double Uniform24(uint w0) => (w0 >> 8) * TwoPow24;

    /// <summary>
    /// Box-Muller as the header writes it, evaluated left to right in double:
    /// mean + stddev * sqrt(-2 ln u1) * cos(2 pi u2), u1 in (0, 1] so the log is finite.
    /// </summary>
    public static double Normal(uint w0, uint w1, double mean, double stddev)
    {
        double u1 = ((w0 >> 8) + 1) * TwoPow24;
        double u2 = (w1 >> 8) * TwoPow24;
        return mean + stddev * Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
    }
}

public sealed partial class ManagedBackend
{
    /// <inheritdoc/>
    public unsafe void Fill(DType dtype, nint output, long count, double value)
    {
        const string M = nameof(Fill);
        CheckStorageDType(M, nameof(dtype), dtype);
        CheckCount(M, nameof(count), count);
        CheckPointer(M, nameof(output), output, count);
        if (count == 0) return;
        switch (dtype)
        {
            case DType.Float32: FillWith((float*)output, count, NumberFromDouble<float>.From(value)); break;
            case DType.Float64: FillWith((double*)output, count, value); break;
            case DType.Int32: FillWith((int*)output, count, NumberFromDouble<int>.From(value)); break;
            case DType.Int64: FillWith((long*)output, count, NumberFromDouble<long>.From(value)); break;
            case DType.UInt8: FillWith((byte*)output, count, NumberFromDouble<byte>.From(value)); break;
            case DType.Float16: FillWith((Half*)output, count, (Half)value); break;  // rounds once; overflow is inf
            default: FillWith((byte*)output, count, BoolFromDouble.From(value)); break;
        }
    }

    [MethodImpl(ManagedKernel)]
    internal static unsafe void FillWith<T>(T* p, long count, T value) where T : unmanaged
    {
        while (count > 0)
        {
            int m = (int)Math.Min(count, 1 << 30);
            new Span<T>(p, m).Fill(value);
            p += m; count -= m;
        }
    }

    /// <inheritdoc/>
    public unsafe void Range(DType dtype, nint output, long count, double start, double delta)
    {
        const string M = nameof(Range);
        CheckDType(M, nameof(dtype), dtype);
        CheckCount(M, nameof(count), count);
        CheckPointer(M, nameof(output), output, count);
        if (count == 0) return;
        switch (dtype)
        {
            case DType.Float32: RunGenerator<float, NumberFromDouble<float>, RangeGen>(output, count, new RangeGen(start, delta)); break;
            case DType.Float64: RunGenerator<double, NumberFromDouble<double>, RangeGen>(output, count, new RangeGen(start, delta)); break;
            case DType.Int32: RunGenerator<int, NumberFromDouble<int>, RangeGen>(output, count, new RangeGen(start, delta)); break;
            case DType.Int64: RunGenerator<long, NumberFromDouble<long>, RangeGen>(output, count, new RangeGen(start, delta)); break;
            case DType.UInt8: RunGenerator<byte, NumberFromDouble<byte>, RangeGen>(output, count, new RangeGen(start, delta)); break;
            default: RunGenerator<byte, BoolFromDouble, RangeGen>(output, count, new RangeGen(start, delta)); break;
        }
    }

    /// <inheritdoc/>
    public void RandomUniform(DType dtype, nint output, long count, ulong seed, ulong offset, double low, double high)
    {
        const string M = nameof(RandomUniform);
        CheckDType(M, nameof(dtype), dtype);
        CheckCount(M, nameof(count), count);
        if (dtype is DType.UInt8 or DType.Bool) throw Unsupported(M, "uniform random numbers", dtype);
        CheckPointer(M, nameof(output), output, count);
        if (count == 0) return;
        switch (dtype)
        {
            case DType.Float32: RunGenerator<float, NumberFromDouble<float>, UniformGen>(output, count, new UniformGen(seed, offset, low, high, false, false)); break;
            case DType.Float64: RunGenerator<double, NumberFromDouble<double>, UniformGen>(output, count, new UniformGen(seed, offset, low, high, true, false)); break;
            case DType.Int32: RunGenerator<int, NumberFromDouble<int>, UniformGen>(output, count, new UniformGen(seed, offset, low, high, false, true)); break;
            default: RunGenerator<long, NumberFromDouble<long>, UniformGen>(output, count, new UniformGen(seed, offset, low, high, false, true)); break;
        }
    }

    /// <inheritdoc/>
    public void RandomNormal(DType dtype, nint output, long count, ulong seed, ulong offset, double mean, double stddev)
    {
        const string M = nameof(RandomNormal);
        CheckDType(M, nameof(dtype), dtype);
        CheckCount(M, nameof(count), count);
        if (!dtype.IsFloating()) throw Unsupported(M, "normal random numbers", dtype);
        CheckPointer(M, nameof(output), output, count);
        if (count == 0) return;
        if (dtype == DType.Float32)
            RunGenerator<float, NumberFromDouble<float>, NormalGen>(output, count, new NormalGen(seed, offset, mean, stddev));
        else
            RunGenerator<double, NumberFromDouble<double>, NormalGen>(output, count, new NormalGen(seed, offset, mean, stddev));
    }

    /// <summary>Element i as a double, before the dtype conversion.</summary>
    private interface IGenerator
    {
        double At(long i);
    }

    private readonly struct RangeGen(double start, double delta) : IGenerator
    {
        public double At(long i) => start + i * delta;
    }

    private readonly struct UniformGen(ulong seed, ulong offset, double low, double high, bool bits53, bool integer) : IGenerator
    {
        public double At(long i)
        {
            var (w0, w1) = Philox.Words(offset + (ulong)i, seed);
            double u = bits53 ? Philox.Uniform53(w0, w1) : Philox.Uniform24(w0);
            double v = low + (high - low) * u;
            return integer ? Math.Floor(v) : v;
        }
    }

    private readonly struct NormalGen(ulong seed, ulong offset, double mean, double stddev) : IGenerator
    {
        public double At(long i)
        {
            var (w0, w1) = Philox.Words(offset + (ulong)i, seed);
            return Philox.Normal(w0, w1, mean, stddev);
        }
    }

    /// <summary>out[i] = convert(gen.At(i)), in parallel chunks when large (every element is independent).</summary>
    private static unsafe void RunGenerator<T, TConv, TGen>(nint output, long count, TGen gen)
        where T : unmanaged where TConv : IFromDouble<T> where TGen : struct, IGenerator
    {
        WorkerPool.Split(new GeneratorJob<T, TConv, TGen> { Out = (T*)output, Gen = gen }, count, ChunksFor(count * 8, count / 64));
    }

    private unsafe struct GeneratorJob<T, TConv, TGen> : IRangeJob
        where T : unmanaged where TConv : IFromDouble<T> where TGen : struct, IGenerator
    {
        public T* Out;
        public TGen Gen;

        [MethodImpl(ManagedKernel)]
        public readonly void Run(long begin, long end)
        {
            T* p = Out;
            var gen = Gen;
            for (long i = begin; i < end; i++) p[i] = TConv.From(gen.At(i));
        }
    }
}
