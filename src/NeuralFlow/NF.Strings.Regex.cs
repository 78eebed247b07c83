using System.Text;
using System.Text.RegularExpressions;
using NeuralFlow.Data;

namespace NeuralFlow;

public static partial class NF
{
    public static partial class Strings
    {
        /// <summary>
        /// Replaces the matches of <paramref name="pattern"/> in each string with <paramref name="rewrite"/>
        /// (<c>tf.strings.regex_replace</c>): every match, or the first only when <paramref name="replaceGlobal"/>
        /// is false. The rewrite uses RE2's syntax as in TF: <c>\1</c>..<c>\9</c> a group, <c>\0</c> the whole
        /// match, <c>\\</c> a backslash; other characters, <c>$</c> included, are themselves. The pattern is run by
        /// .NET's regex engine, which reads RE2's common syntax (classes, groups, quantifiers, <c>\d \w \s</c>) alike.
        /// </summary>
        public static StringTensor RegexReplace(StringTensor input, string pattern, string rewrite, bool replaceGlobal = true)
        {
            Checked(input, nameof(input));
            var regex = Compile(pattern, nameof(RegexReplace));
            var replacement = DotNetRewrite(rewrite ?? throw new ArgumentNullException(nameof(rewrite)), regex);
            return input.Apply(s => regex.Replace(s, replacement, replaceGlobal ? -1 : 1));
        }

        /// <summary>
        /// Whether each string matches <paramref name="pattern"/> as a whole (<c>tf.strings.regex_full_match</c>),
        /// a bool tensor of the input's shape.
        /// </summary>
        public static Tensor RegexFullMatch(StringTensor input, string pattern)
        {
            Checked(input, nameof(input));
            var regex = Compile(@"\A(?:" + (pattern ?? throw new ArgumentNullException(nameof(pattern))) + @")\z", nameof(RegexFullMatch), pattern);
            var matches = new bool[input.Count];
            for (int i = 0; i < matches.Length; i++) matches[i] = regex.IsMatch(input.Values[i]);
            return Constant(matches, input.Shape);
        }

        private static Regex Compile(string pattern, string op, string? shown = null)
        {
            ArgumentNullException.ThrowIfNull(pattern);
            try
            {
                return new Regex(pattern, RegexOptions.CultureInvariant);
            }
            catch (ArgumentException e)
            {
                throw new ArgumentException($"Strings.{op}: invalid pattern '{shown ?? pattern}': {e.Message}", nameof(pattern), e);
            }
        }

        // RE2's rewrite string as a .NET replacement pattern: \N -> ${N}, \\ -> \, $ -> $$.
        private static string DotNetRewrite(string rewrite, Regex regex)
        {
            var groups = regex.GetGroupNumbers();
            var result = new StringBuilder(rewrite.Length + 8);
            for (int i = 0; i < rewrite.Length; i++)
            {
                char c = rewrite[i];
                if (c == '$') { result.Append("$$"); continue; }
                if (c != '\\') { result.Append(c); continue; }
                if (i + 1 == rewrite.Length)
                    throw new ArgumentException($"Strings.RegexReplace: the rewrite '{rewrite}' ends in a lone backslash; write \\\\ for a backslash.", nameof(rewrite));
                char next = rewrite[++i];
                if (next == '\\') result.Append('\\');
                else if (next is >= '0' and <= '9')
                {
                    int group = next - '0';
                    if (!groups.Contains(group))
                        throw new ArgumentException($"Strings.RegexReplace: the rewrite '{rewrite}' names group \\{group}, but the pattern has {groups.Length - 1} group(s).", nameof(rewrite));
                    result.Append("${").Append(group).Append('}');
                }
                else
                    throw new ArgumentException($"Strings.RegexReplace: the rewrite '{rewrite}' holds '\\{next}'; RE2 rewrites take \\0..\\9 and \\\\ only.", nameof(rewrite));
            }
            return result.ToString();
        }
    }
}
