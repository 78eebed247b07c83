using System.Buffers.Binary;
using System.Numerics;
using System.Text;

namespace NeuralFlow.Keras;

/// <summary>
/// The string hashes of TensorFlow's <c>tf.strings.to_hash_bucket_fast</c> (FarmHash's
/// Fingerprint64, the farmhash-na 64-bit hash) and <c>to_hash_bucket_strong</c> (SipHash-2-4
/// keyed by two 64-bit words), which Keras' Hashing and StringLookup (its OOV buckets) use, so
/// that a string lands in the bin it lands in under Keras; and TensorFlow's FingerprintCat64, which
/// chains fingerprints into a feature cross (HashedCrossing). Written from the algorithms'
/// published descriptions; both hash the string's UTF-8 bytes and read words little-endian.
/// </summary>
internal static class StringHashes
{
    /// <summary>The bucket of <paramref name="text"/> among <paramref name="buckets"/>: FarmHash, or SipHash with <paramref name="key"/>.</summary>
    internal static long Bucket(string text, long buckets, (ulong K0, ulong K1)? key = null)
    {
        unchecked
        {
            var bytes = Data.ByteStrings.Encode(text);   // a string's bytes: its UTF-8, escaped bytes as they were
            ulong hash = key is { } k ? SipHash24(k.K0, k.K1, bytes) : Fingerprint64(bytes);
            return (long)(hash % (ulong)buckets);
        }
    }

    /// <summary>
    /// The SipHash key of a Keras <c>salt</c>: null (FarmHash) for none, one number for both
    /// words, or two, each unsigned; an error naming <paramref name="layer"/> otherwise.
    /// </summary>
    internal static (ulong, ulong)? Key(string layer, long[]? salt) => salt switch
    {
        null => null,
        _ when salt.Any(k => k < 0) => throw new ArgumentOutOfRangeException(nameof(salt), $"{layer}: the salt must be unsigned integers; received [{string.Join(", ", salt)}]."),
        [var both] => ((ulong)both, (ulong)both),
        [var k0, var k1] => ((ulong)k0, (ulong)k1),
        _ => throw new ArgumentException($"{layer}: the salt can only be one integer or two; received {salt.Length}.", nameof(salt)),
    };

    /// <summary>
    /// TensorFlow's <c>FingerprintCat64</c> (tensorflow/core/platform/fingerprint.h): folds the
    /// fingerprint <paramref name="next"/> into <paramref name="so"/>, order-dependently. Feature
    /// crosses (<c>tf.sparse.cross_hashed</c>, Keras' HashedCrossing) chain it over a row's features.
    /// </summary>
    internal static ulong FingerprintCat64(ulong so, ulong next)
    {
        unchecked
        {
            const ulong mul = 0xc6a4a7935bd1e995UL;
            ulong result = so ^ mul;
            result ^= ShiftMix(next * mul) * mul;
            result *= mul;
            result = ShiftMix(result) * mul;
            return ShiftMix(result);
        }
    }

    // FarmHash's constants (the primes of CityHash).
    private const ulong K0 = 0xc3a5c85c97cb3127UL, K1 = 0xb492b66fbe98f273UL, K2 = 0x9ae16a3b2f90404fUL;

    private static ulong Fetch64(ReadOnlySpan<byte> s, int at) => BinaryPrimitives.ReadUInt64LittleEndian(s[at..]);
    private static ulong Fetch32(ReadOnlySpan<byte> s, int at) => BinaryPrimitives.ReadUInt32LittleEndian(s[at..]);
    private static ulong Rotate(ulong v, int shift) => BitOperations.RotateRight(v, shift);
    private static ulong ShiftMix(ulong v) => v ^ (v >> 47);

    private static ulong HashLen16(ulong u, ulong v, ulong mul)
    {
        unchecked
        {
            ulong a = (u ^ v) * mul;
            a ^= a >> 47;
            ulong b = (v ^ a) * mul;
            b ^= b >> 47;
            return b * mul;
        }
    }

    /// <summary>FarmHash's Fingerprint64 of <paramref name="s"/> (farmhashna::Hash64), by length class as the algorithm defines it.</summary>
    internal static ulong Fingerprint64(ReadOnlySpan<byte> s)
    {
        unchecked
        {
            int len = s.Length;
            if (len <= 16) return HashLen0To16(s);
            if (len <= 32) return HashLen17To32(s);
            if (len <= 64) return HashLen33To64(s);
            return HashLong(s);
        }
    }

    private static ulong HashLen0To16(ReadOnlySpan<byte> s)
    {
        unchecked
        {
            int len = s.Length;
            if (len >= 8)
            {
                ulong mul = K2 + (ulong)len * 2, a = Fetch64(s, 0) + K2, b = Fetch64(s, len - 8);
                ulong c = Rotate(b, 37) * mul + a, d = (Rotate(a, 25) + b) * mul;
                return HashLen16(c, d, mul);
            }
            if (len >= 4)
            {
                ulong mul = K2 + (ulong)len * 2, a = Fetch32(s, 0);
                return HashLen16((ulong)len + (a << 3), Fetch32(s, len - 4), mul);
            }
            if (len > 0)
            {
                uint y = s[0] + ((uint)s[len >> 1] << 8), z = (uint)len + ((uint)s[len - 1] << 2);
                return ShiftMix(y * K2 ^ z * K0) * K2;
            }
            return K2;
        }
    }

    private static ulong HashLen17To32(ReadOnlySpan<byte> s)
    {
        unchecked
        {
            int len = s.Length;
            ulong mul = K2 + (ulong)len * 2, a = Fetch64(s, 0) * K1, b = Fetch64(s, 8);
            ulong c = Fetch64(s, len - 8) * mul, d = Fetch64(s, len - 16) * K2;
            return HashLen16(Rotate(a + b, 43) + Rotate(c, 30) + d, a + Rotate(b + K2, 18) + c, mul);
        }
    }

    private static ulong HashLen33To64(ReadOnlySpan<byte> s)
    {
        unchecked
        {
            int len = s.Length;
            ulong mul = K2 + (ulong)len * 2, a = Fetch64(s, 0) * K2, b = Fetch64(s, 8);
            ulong c = Fetch64(s, len - 8) * mul, d = Fetch64(s, len - 16) * K2;
            ulong y = Rotate(a + b, 43) + Rotate(c, 30) + d;
            ulong z = HashLen16(y, a + Rotate(b + K2, 18) + c, mul);
            ulong e = Fetch64(s, 16) * mul, f = Fetch64(s, 24);
            ulong g = (y + Fetch64(s, len - 32)) * mul, h = (z + Fetch64(s, len - 24)) * mul;
            return HashLen16(Rotate(e + f, 43) + Rotate(g, 30) + h, e + Rotate(f + a, 18) + g, mul);
        }
    }

    // Mixes the 32 bytes at s[at..] into the seeds (a, b).
    private static (ulong, ulong) WeakHashLen32WithSeeds(ReadOnlySpan<byte> s, int at, ulong a, ulong b)
    {
        ulong w = Fetch64(s, at), x = Fetch64(s, at + 8), y = Fetch64(s, at + 16), z = Fetch64(s, at + 24);
        a += w;
        b = Rotate(b + a + z, 21);
        ulong c = a;
        a += x;
        a += y;
        b += Rotate(a, 44);
        return (a + z, b + c);
    }

    // Over 64 bytes: 64-byte blocks through a 56-byte state, then the last 64 bytes (which may overlap the blocks).
    private static ulong HashLong(ReadOnlySpan<byte> s)
    {
        unchecked
        {
            int len = s.Length;
            const ulong seed = 81;
            ulong x = seed, y = seed * K1 + 113, z = ShiftMix(y * K2 + 113) * K2;
            (ulong First, ulong Second) v = (0, 0), w = (0, 0);
            x = x * K2 + Fetch64(s, 0);
            int end = (len - 1) / 64 * 64, last64 = end + ((len - 1) & 63) - 63, at = 0;
            do
            {
                x = Rotate(x + y + v.First + Fetch64(s, at + 8), 37) * K1;
                y = Rotate(y + v.Second + Fetch64(s, at + 48), 42) * K1;
                x ^= w.Second;
                y += v.First + Fetch64(s, at + 40);
                z = Rotate(z + w.First, 33) * K1;
                v = WeakHashLen32WithSeeds(s, at, v.Second * K1, x + w.First);
                w = WeakHashLen32WithSeeds(s, at + 32, z + w.Second, y + Fetch64(s, at + 16));
                (z, x) = (x, z);
                at += 64;
            } while (at != end);
            ulong mul = K1 + ((z & 0xff) << 1);
            at = last64;
            w.First += (ulong)((len - 1) & 63);
            v.First += w.First;
            w.First += v.First;
            x = Rotate(x + y + v.First + Fetch64(s, at + 8), 37) * mul;
            y = Rotate(y + v.Second + Fetch64(s, at + 48), 42) * mul;
            x ^= w.Second * 9;
            y += v.First * 9 + Fetch64(s, at + 40);
            z = Rotate(z + w.First, 33) * mul;
            v = WeakHashLen32WithSeeds(s, at, v.Second * mul, x + w.First);
            w = WeakHashLen32WithSeeds(s, at + 32, z + w.Second, y + Fetch64(s, at + 16));
            (z, x) = (x, z);
            return HashLen16(HashLen16(v.First, w.First, mul) + ShiftMix(y) * K0 + z, HashLen16(v.Second, w.Second, mul) + x, mul);
        }
    }

    /// <summary>SipHash-2-4 (Aumasson and Bernstein) of <paramref name="message"/> under the key (k0, k1).</summary>
    internal static ulong SipHash24(ulong k0, ulong k1, ReadOnlySpan<byte> message)
    {
        unchecked
        {
            ulong v0 = k0 ^ 0x736f6d6570736575UL, v1 = k1 ^ 0x646f72616e646f6dUL, v2 = k0 ^ 0x6c7967656e657261UL, v3 = k1 ^ 0x7465646279746573UL;
            void Round()
            {
                v0 += v1; v1 = BitOperations.RotateLeft(v1, 13); v1 ^= v0; v0 = BitOperations.RotateLeft(v0, 32);
                v2 += v3; v3 = BitOperations.RotateLeft(v3, 16); v3 ^= v2;
                v0 += v3; v3 = BitOperations.RotateLeft(v3, 21); v3 ^= v0;
                v2 += v1; v1 = BitOperations.RotateLeft(v1, 17); v1 ^= v2; v2 = BitOperations.RotateLeft(v2, 32);
            }
            void Compress(ulong m)
            {
                v3 ^= m;
                Round();
                Round();
                v0 ^= m;
            }
            int whole = message.Length / 8 * 8;
            for (int i = 0; i < whole; i += 8) Compress(BinaryPrimitives.ReadUInt64LittleEndian(message[i..]));
            // The last block: the remaining bytes, and the length's low byte in the top byte.
            ulong last = (ulong)(message.Length & 0xff) << 56;
            for (int i = whole; i < message.Length; i++) last |= (ulong)message[i] << (8 * (i - whole));
            Compress(last);
            v2 ^= 0xff;
            for (int i = 0; i < 4; i++) Round();
            return v0 ^ v1 ^ v2 ^ v3;
        }
    }
}
