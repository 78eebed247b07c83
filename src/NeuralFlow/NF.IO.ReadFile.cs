using NeuralFlow.Data;

namespace NeuralFlow;

public static partial class NF
{
    public static partial class IO
    {
        /// <summary>
        /// The whole file <paramref name="filename"/> as a scalar string of its bytes (<c>tf.io.read_file</c>), for
        /// the ops that decode such a string: <see cref="Audio.DecodeWav(StringTensor, int, int)"/>,
        /// <see cref="DecodeRaw(StringTensor, DType, bool, int?)"/>, <see cref="ParseSingleExample"/>. Binary bytes
        /// are kept exactly (see <see cref="StringTensor.FromBytes"/>).
        /// </summary>
        /// <exception cref="FileNotFoundException">No file of that name (TF's NotFoundError).</exception>
        /// <exception cref="ArgumentException">The name is empty.</exception>
        public static StringTensor ReadFile(string filename)
        {
            ArgumentNullException.ThrowIfNull(filename);
            if (filename.Length == 0) throw new ArgumentException("ReadFile: the file name is empty.", nameof(filename));
            return StringTensor.FromBytes(File.ReadAllBytes(filename));
        }

        /// <summary>
        /// <see cref="ReadFile(string)"/> of a scalar string tensor naming the file, as TF's traced functions and
        /// datasets of file paths hand it over.
        /// </summary>
        /// <exception cref="ArgumentException">filename is not a scalar (TF reads one file per call).</exception>
        public static StringTensor ReadFile(StringTensor filename)
        {
            ArgumentNullException.ThrowIfNull(filename);
            if (filename.Rank != 0)
                throw new ArgumentException($"ReadFile: filename must be a scalar string (one file), got shape {filename.Shape}; map ReadFile over a dataset of paths to read several.", nameof(filename));
            return ReadFile(filename.Item());
        }
    }
}
