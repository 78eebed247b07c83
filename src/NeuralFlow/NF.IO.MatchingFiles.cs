using System.Text;
using System.Text.RegularExpressions;

namespace NeuralFlow;

public static partial class NF
{
    public static partial class IO
    {
        /// <summary>
        /// The paths of the files <paramref name="pattern"/> matches, sorted (<c>tf.io.matching_files</c>,
        /// <c>tf.io.gfile.glob</c>): <c>*</c> any run of characters within one path segment, <c>?</c> one
        /// character, <c>[abc]</c>, <c>[a-z]</c> and <c>[!a]</c> (or <c>[^a]</c>) sets, <c>\</c> escapes
        /// the next character (on Unix); wildcards may stand in directory segments. Paths keep the
        /// pattern's form (relative stays relative). Empty when nothing matches or a directory is missing.
        /// </summary>
        /// <exception cref="ArgumentException">The pattern is empty, or a '[' is not closed.</exception>
        public static string[] MatchingFiles(string pattern)
        {
            ArgumentNullException.ThrowIfNull(pattern);
            if (pattern.Length == 0) throw new ArgumentException("MatchingFiles: the pattern is empty.", nameof(pattern));
            var segments = pattern.Split('/');
            // The leading segments without wildcards name a directory as they are.
            int first = 0;
            while (first < segments.Length - 1 && !IsGlob(segments[first])) first++;
            string root = string.Join('/', segments[..first]);
            if (first == segments.Length - 1 && !IsGlob(segments[first]))
                return File.Exists(pattern) ? [pattern] : [];
            var found = new List<string>();
            Walk(root, segments, first, found);
            return found.Order(StringComparer.Ordinal).ToArray();
        }

        private static bool IsGlob(string segment) => segment.IndexOfAny(['*', '?', '[', '\\']) >= 0;

        // Expands segment i under directory `at` (the pattern's prefix so far, "" for the working directory).
        private static void Walk(string at, string[] segments, int i, List<string> found)
        {
            string directory = at.Length == 0 && i == 0 ? "." : at.Length == 0 ? "/" : at;
            if (!Directory.Exists(directory)) return;
            bool last = i == segments.Length - 1;
            string Join(string name) => at.Length == 0 && i == 0 ? name : at + "/" + name;
            if (!IsGlob(segments[i]))
            {
                string next = Join(segments[i]);
                if (last) { if (File.Exists(next)) found.Add(next); }
                else Walk(next, segments, i + 1, found);
                return;
            }
            var regex = SegmentRegex(segments[i]);
            var entries = last ? Directory.EnumerateFiles(directory) : Directory.EnumerateDirectories(directory);
            foreach (var entry in entries)
            {
                string name = Path.GetFileName(entry);
                if (!regex.IsMatch(name)) continue;
                if (last) found.Add(Join(name));
                else Walk(Join(name), segments, i + 1, found);
            }
        }

        // One segment's glob as an anchored regular expression.
        private static Regex SegmentRegex(string glob)
        {
            var sb = new StringBuilder("^");
            for (int k = 0; k < glob.Length; k++)
            {
                char c = glob[k];
                switch (c)
                {
                    case '*': sb.Append(".*"); break;
                    case '?': sb.Append('.'); break;
                    case '\\' when k + 1 < glob.Length: sb.Append(Regex.Escape(glob[++k].ToString())); break;
                    case '[':
                        int close = glob.IndexOf(']', k + 2);
                        if (close < 0)
                            throw new ArgumentException($"MatchingFiles: the '[' at {k} in \"{glob}\" is not closed by ']'.", "pattern");
                        string set = glob[(k + 1)..close];
                        bool negate = set[0] is '!' or '^';
                        if (negate) set = set[1..];
                        sb.Append('[').Append(negate ? "^" : "").Append(set.Replace("\\", "\\\\").Replace("[", "\\[")).Append(']');
                        k = close;
                        break;
                    default: sb.Append(Regex.Escape(c.ToString())); break;
                }
            }
            return new Regex(sb.Append('$').ToString(), RegexOptions.CultureInvariant);
        }
    }
}
