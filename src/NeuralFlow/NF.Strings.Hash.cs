using NeuralFlow.Data;
using NeuralFlow.Keras;

namespace NeuralFlow;

public static partial class NF
{
    public static partial class Strings
    {
        /// <summary>
        /// Each string's bucket among <paramref name="numBuckets"/>, an int64 tensor of the input's shape
        /// (<c>tf.strings.to_hash_bucket_fast</c>): FarmHash Fingerprint64 of its UTF-8 bytes mod n, the bins of
        /// Keras' <c>Hashing</c> layer.
        /// </summary>
        public static Tensor ToHashBucketFast(StringTensor input, long numBuckets) => Buckets(input, numBuckets, null);

        /// <summary>
        /// Each string's bucket by keyed SipHash-2-4 (<c>tf.strings.to_hash_bucket_strong</c>): <paramref name="key"/>
        /// is two unsigned 64-bit words, the bins of Keras' <c>Hashing(salt: key)</c>.
        /// </summary>
        public static Tensor ToHashBucketStrong(StringTensor input, long numBuckets, long[] key)
        {
            ArgumentNullException.ThrowIfNull(key);
            if (key.Length != 2) throw new ArgumentException($"Strings.ToHashBucketStrong: key must hold two 64-bit words, but it holds {key.Length}.", nameof(key));
            return Buckets(input, numBuckets, ((ulong)key[0], (ulong)key[1]));
        }

        private static Tensor Buckets(StringTensor input, long numBuckets, (ulong, ulong)? key)
        {
            Checked(input, nameof(input));
            if (numBuckets < 1)
                throw new ArgumentOutOfRangeException(nameof(numBuckets), numBuckets, "Strings: numBuckets must be at least 1.");
            var buckets = new long[input.Count];
            for (int i = 0; i < buckets.Length; i++) buckets[i] = StringHashes.Bucket(input.Values[i], numBuckets, key);
            return Constant(buckets, input.Shape);
        }
    }
}
