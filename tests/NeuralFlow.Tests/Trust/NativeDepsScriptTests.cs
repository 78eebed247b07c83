using System.Diagnostics;
using System.Runtime.InteropServices;
using NeuralFlow.Tests.Samples;

namespace NeuralFlow.Tests.Trust;

/// <summary>
/// scripts/native-deps.sh, behind the Cake Deps/Native targets (a fresh machine's set-up) and the
/// hint of `dotnet build`: what it finds missing and what it runs, for root, a user with
/// password-less sudo and one without. Its NEURALFLOW_DEPS_PRETEND_* and _DRY_RUN variables stand
/// in for the machine, so nothing is installed or removed here.
/// </summary>
public sealed class NativeDepsScriptTests
{
    private static (int Exit, string Out, string Err) Script(string args, string? missing, string? user = null, bool dryRun = true, string? path = null)
    {
        Skip.IfNot(RuntimeInformation.IsOSPlatform(OSPlatform.Linux), "scripts/native-deps.sh serves Linux only");
        var start = new ProcessStartInfo("bash", $"scripts/native-deps.sh {args}")
        {
            WorkingDirectory = Repo.Root,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        if (missing is not null) start.Environment["NEURALFLOW_DEPS_PRETEND_MISSING"] = missing;
        else start.Environment.Remove("NEURALFLOW_DEPS_PRETEND_MISSING");
        if (path is not null) start.Environment["PATH"] = path;
        if (user is not null) start.Environment["NEURALFLOW_DEPS_PRETEND_USER"] = user;
        start.Environment["NEURALFLOW_DEPS_DRY_RUN"] = dryRun ? "1" : "0";
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEnd();
        Assert.True(process.WaitForExit(10_000), "scripts/native-deps.sh did not finish in 10 s");
        return (process.ExitCode, output.Result.Trim(), error.Trim());
    }

    [SkippableFact]
    public void Check_lists_what_is_missing_and_fails()
    {
        Assert.Equal((1, "cmake libgtest-dev", ""), Script("check", "cmake libgtest-dev"));
        Assert.Equal((0, "", ""), Script("check", ""));
    }

    [SkippableFact]
    public void The_engine_alone_does_not_need_googletest()
    {
        Assert.Equal((1, "cmake", ""), Script("check --engine", "cmake libgtest-dev"));
        Assert.Equal((0, "", ""), Script("hint --engine", "libgtest-dev"));
    }

    [SkippableFact]
    public void Nothing_missing_runs_nothing()
    {
        Assert.Equal((0, "", ""), Script("install", "", user: "user", dryRun: false));
    }

    [SkippableTheory]
    [InlineData("root", "apt-get update -qq && env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends g++ libopenblas-openmp-dev")]
    [InlineData("sudo", "sudo apt-get update -qq && sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends g++ libopenblas-openmp-dev")]
    public void Root_or_password_less_sudo_installs_only_what_is_missing(string user, string command)
    {
        var (exit, output, error) = Script("install", "g++ libopenblas-openmp-dev", user);
        Assert.Equal(0, exit);
        Assert.Equal("", error);
        Assert.Equal($"NeuralFlow: installing what the native build needs: g++ libopenblas-openmp-dev\nwould run: {command}", output);
    }

    [SkippableFact]
    public void Without_root_or_sudo_it_stops_with_one_line_giving_the_command()
    {
        var (exit, output, error) = Script("install", "libopenblas-openmp-dev", "user", dryRun: false);
        Assert.Equal(1, exit);
        Assert.Equal("", output);
        Assert.Equal("NeuralFlow: the native build needs libopenblas-openmp-dev, and installing them needs root: run " +
            "`sudo apt-get update && sudo apt-get install -y --no-install-recommends libopenblas-openmp-dev`, then this command again.", error);
    }

    [SkippableTheory]
    [InlineData("root", "missing cmake; install with: apt-get update && apt-get install -y --no-install-recommends cmake")]
    [InlineData("user", "missing cmake; install with: sudo apt-get update && sudo apt-get install -y --no-install-recommends cmake")]
    public void The_hint_for_dotnet_build_gives_the_exact_command(string user, string hint)
    {
        Assert.Equal((0, hint, ""), Script("hint --engine", "cmake", user));
    }

    [SkippableFact]
    public void An_nvcc_on_the_path_counts_as_the_cuda_toolkit()
    {
        // A machine with NVIDIA's own CUDA packages has nvcc but not Debian's nvidia-cuda-toolkit:
        // Native --cuda must not install the latter over it. PATH holds only a dpkg that knows no
        // package (and an apt-get), so neither this machine's toolkit nor its nvcc can answer.
        var bin = Directory.CreateTempSubdirectory("nf-deps-").FullName;
        void Tool(string name, string body)
        {
            File.WriteAllText(Path.Combine(bin, name), $"#!/bin/sh\n{body}\n");
            if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(Path.Combine(bin, name), UnixFileMode.UserRead | UnixFileMode.UserExecute);
        }
        try
        {
            Tool("dpkg", "exit 1");
            Tool("apt-get", "exit 0");
            Assert.Contains("nvidia-cuda-toolkit", Script("check nvidia-cuda-toolkit", missing: null, path: bin).Out);
            Tool("nvcc", "exit 0");
            Assert.DoesNotContain("nvidia-cuda-toolkit", Script("check nvidia-cuda-toolkit", missing: null, path: bin).Out);
        }
        finally
        {
            Directory.Delete(bin, recursive: true);
        }
    }

    [SkippableFact]
    public void Extra_packages_are_required_too()
    {
        Assert.Equal((1, "nvidia-cuda-toolkit", ""), Script("check nvidia-cuda-toolkit", "nvidia-cuda-toolkit"));
        Assert.Equal((0, "", ""), Script("check nvidia-cuda-toolkit", ""));
    }
}
