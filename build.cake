// NeuralFlow build orchestration: dotnet tool restore && dotnet cake [--target=Test]
// Targets: Clean, Deps, Native, Build, Test (Default), Sanitize, Bench, NativeArtifact, Pack, ConsumerTest, GpuCheck.
// Arguments: --configuration=Release|Debug, --cuda (passes -DNEURALFLOW_CUDA=ON to CMake; Deps then
// installs the CUDA toolkit), --cuda-host=<compiler> (CMAKE_CUDA_HOST_COMPILER, e.g. g++-12),
// --preset=<CMake configure preset> (CMakePresets.json; default: the plain configure below),
// --consumer=false (Test skips the package consumer test), --require-rids=linux-x64,win-x64,...
// (Pack fails unless artifacts/native/<rid>/ holds a native library for each, and packs those
// prebuilt libraries without building the native engine: CI's final job), --filter (Bench).
using System.Runtime.InteropServices;
using System.Text.RegularExpressions;

var target = Argument("target", "Test");
var configuration = Argument("configuration", "Release");
var cuda = HasArgument("cuda") && Argument("cuda", "true") != "false";
var cudaHost = Argument("cuda-host", "");
var preset = Argument("preset", "");
var runConsumer = Argument("consumer", "true") != "false";
var requireRids = Argument("require-rids", "");
var nativeDir = "build/native";
var benchFilter = Argument("filter", "*");
var packageDir = MakeAbsolute(Directory("artifacts/packages")).FullPath;
var nativeArtifacts = MakeAbsolute(Directory("artifacts/native")).FullPath;
var cudaArtifacts = MakeAbsolute(Directory("artifacts/native-cuda")).FullPath;

int passed = 0, failed = 0, skipped = 0;
// The names of what failed, printed again just above the summary line, so that a CI log cut to its tail still says
// which test failed (a run once ended "8593 passed, 1 failed" with the name scrolled away).
var failures = new List<string>();
void PrintFailures()
{
    foreach (var f in failures) Console.WriteLine($"FAILED: {f}");
}

// Runs a command, echoes its output, and returns the lines (for counting test results); with
// stderr, its standard error too (after the output).
List<string> Run(string tool, string arguments, IDictionary<string, string> env = null, bool allowFailure = false, string workingDirectory = null, bool stderr = false)
{
    Information($"> {tool} {arguments}");
    var settings = new ProcessSettings { Arguments = arguments, RedirectStandardOutput = true, RedirectStandardError = stderr };
    if (env != null) settings.EnvironmentVariables = env;
    if (workingDirectory != null) settings.WorkingDirectory = workingDirectory;
    IEnumerable<string> output, errors = Enumerable.Empty<string>();
    var exit = stderr ? StartProcess(tool, settings, out output, out errors) : StartProcess(tool, settings, out output);
    var lines = output.Concat(errors).ToList();
    foreach (var line in lines) Console.WriteLine(line);
    if (exit != 0 && !allowFailure) throw new Exception($"{tool} exited with {exit}");
    return lines;
}

// The portable RID of this machine (linux-x64, win-x64, osx-arm64, ...), as NuGet names runtimes/ folders.
string HostRid()
{
    string os = IsRunningOnWindows() ? "win" : RuntimeInformation.IsOSPlatform(OSPlatform.OSX) ? "osx" : "linux";
    return $"{os}-{RuntimeInformation.OSArchitecture.ToString().ToLowerInvariant()}";
}

string NativeFileName(string name = "neuralflow") =>
    IsRunningOnWindows() ? $"{name}.dll" : RuntimeInformation.IsOSPlatform(OSPlatform.OSX) ? $"lib{name}.dylib" : $"lib{name}.so";
string CudaFileName() => NativeFileName("neuralflow_cuda");

string CMakeArgs() => $"-DCMAKE_BUILD_TYPE={configuration} -DNEURALFLOW_BUILD_TESTS=ON" + (cuda ? " -DNEURALFLOW_CUDA=ON" : "")
    + (cudaHost != "" ? $" -DCMAKE_CUDA_HOST_COMPILER={cudaHost}" : "");

Task("Clean").Does(() =>
{
    CleanDirectory(nativeDir);
    CleanDirectory("artifacts");
    DotNetClean("NeuralFlow.sln", new DotNetCleanSettings { Configuration = configuration });
});

// The native build's system dependencies: Debian/Ubuntu packages (scripts/native-deps.sh installs
// the missing ones: apt-get as root, sudo where it needs no password, else it stops with the one
// command to run), Homebrew on macOS; on Windows the windows-msvc preset's vcpkg manifest
// (vcpkg.json) brings them at configure. Native runs the same check first, so the README's test
// command sets up a fresh machine. NEURALFLOW_DEPS_DRY_RUN=1 and NEURALFLOW_DEPS_PRETEND_MISSING /
// _USER (see the script) show what it would do without changing the machine.
void InstallNativeDeps()
{
    if (IsRunningOnWindows()) { Information("Windows: eigen3 and gtest come from vcpkg.json when the windows-msvc preset configures"); return; }
    if (RuntimeInformation.IsOSPlatform(OSPlatform.OSX))
    {
        Run("brew", "install eigen libomp googletest");
        return;
    }
    // --cuda adds the CUDA toolkit (Ubuntu multiverse / Debian non-free) and --cuda-host's compiler.
    // Debian/Ubuntu name clang++-14's package clang-14; g++-12's is g++-12.
    var hostPackage = cudaHost.StartsWith("clang++") ? "clang" + cudaHost["clang++".Length..] : cudaHost;
    var cudaPackages = cuda ? " nvidia-cuda-toolkit" + (hostPackage != "" ? $" {hostPackage}" : "") : "";
    Information($"> bash scripts/native-deps.sh install{cudaPackages}");
    var exit = StartProcess("bash", new ProcessSettings { Arguments = $"scripts/native-deps.sh install{cudaPackages}", RedirectStandardOutput = true, RedirectStandardError = true },
        out var stdout, out var stderr);
    foreach (var line in stdout) Console.WriteLine(line);
    var errors = stderr.Where(l => l.Trim() != "").ToList();
    foreach (var line in errors.SkipLast(1)) Console.Error.WriteLine(line);
    // The script's last line says what is missing and the exact command to run.
    if (exit != 0) throw new Exception(errors.LastOrDefault() ?? $"scripts/native-deps.sh exited with {exit}");
}

Task("Deps").Does(() => InstallNativeDeps());

Task("Native").Does(() =>
{
    // macOS and Windows keep their own set-up (Deps); elsewhere what is missing is installed first.
    if (!IsRunningOnWindows() && !RuntimeInformation.IsOSPlatform(OSPlatform.OSX)) InstallNativeDeps();
    if (preset != "")
        Run("cmake", $"--preset {preset} {CMakeArgs()}");
    else
        Run("cmake", $"-S . -B {nativeDir} {CMakeArgs()}");
    Run("cmake", $"--build {nativeDir} --config {configuration} -j 2");
});

Task("Build").IsDependentOn("Native").Does(() =>
{
    DotNetBuild("NeuralFlow.sln", new DotNetBuildSettings { Configuration = configuration });
});

// Copies this machine's native library into artifacts/native/<rid>/ for the package (and for CI
// to upload), without symbols where a strip tool exists.
void StageNative() => StageLibrary(NativeFileName(), nativeArtifacts);
void StageLibrary(string file, string artifacts)
{
    var built = $"{nativeDir}/lib/{file}";
    if (!FileExists(built)) throw new Exception($"{built} is missing: run the Native target first");
    var dest = $"{artifacts}/{HostRid()}";
    EnsureDirectoryExists(dest);
    CopyFile(built, $"{dest}/{file}");
    // Linux: drop symbols not needed for relocation; macOS: keep only the exported ones.
    if (!IsRunningOnWindows())
        Run("strip", $"{(RuntimeInformation.IsOSPlatform(OSPlatform.OSX) ? "-x" : "--strip-unneeded")} {dest}/{file}");
    Information($"{dest}/{file}: {new FileInfo($"{dest}/{file}").Length / 1048576.0:F1} MiB (as built: {new FileInfo(built).Length / 1048576.0:F1} MiB)");
}
void StageNativeIfBuilt()
{
    if (FileExists($"{nativeDir}/lib/{NativeFileName()}")) StageNative();
    // The MPI engine (NeuralFlow.Distributed), where CMake found MPI: beside the CPU engine in
    // NeuralFlow's package, loaded only by DataParallel, so users without MPI never need it.
    if (FileExists($"{nativeDir}/lib/{NativeFileName("neuralflow_dist")}")) StageLibrary(NativeFileName("neuralflow_dist"), nativeArtifacts);
    // The CUDA engine goes to its own package (NeuralFlow.Cuda), never into NeuralFlow's.
    if (FileExists($"{nativeDir}/lib/{CudaFileName()}")) StageLibrary(CudaFileName(), cudaArtifacts);
}

Task("NativeArtifact").Does(() => StageNativeIfBuilt());

// The three packages into artifacts/packages: NeuralFlow, NeuralFlow.Plotting, and NeuralFlow.Cuda
// when a CUDA engine was staged under artifacts/native-cuda/<rid>/.
void PackAll(string extraArgs = "")
{
    CleanDirectory(packageDir);
    Run("dotnet", $"pack src/NeuralFlow/NeuralFlow.csproj -c {configuration} -o \"{packageDir}\"{extraArgs}");
    Run("dotnet", $"pack src/NeuralFlow.Plotting/NeuralFlow.Plotting.csproj -c {configuration} -o \"{packageDir}\"{extraArgs}");
    if (DirectoryExists(cudaArtifacts) && System.IO.Directory.EnumerateFiles(cudaArtifacts, "*", SearchOption.AllDirectories).Any())
        Run("dotnet", $"pack src/NeuralFlow.Cuda/NeuralFlow.Cuda.csproj -c {configuration} -o \"{packageDir}\"{extraArgs}");
    else
        Warning("NeuralFlow.Cuda not packed: no CUDA engine was built (install nvcc, see README \"Building the parts\").");
}

// One NeuralFlow package with every RID found under artifacts/native/<rid>/. This machine's
// library is staged first when it was built here; a CI pack job downloads the others there.
Task("Pack").Does(() =>
{
    StageNativeIfBuilt();
    foreach (var rid in requireRids.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
    {
        if (!DirectoryExists($"{nativeArtifacts}/{rid}") || !System.IO.Directory.EnumerateFiles($"{nativeArtifacts}/{rid}").Any())
            throw new Exception($"--require-rids: no native library under {nativeArtifacts}/{rid}");
    }
    PackAll(requireRids != "" ? " -p:NeuralFlowSkipNative=true" : "");
    foreach (var p in System.IO.Directory.GetFiles(packageDir, "*.nupkg"))
    {
        Information($"{System.IO.Path.GetFileName(p)}: {new FileInfo(p).Length / 1048576.0:F1} MiB");
        using var zip = System.IO.Compression.ZipFile.OpenRead(p);
        foreach (var e in zip.Entries.Where(e => e.FullName.StartsWith("lib/") || e.FullName.StartsWith("runtimes/")))
            Information($"  {e.FullName} ({e.Length} bytes)");
        if (zip.Entries.Any(e => e.FullName.StartsWith("lib/") && Regex.IsMatch(e.Name, @"neuralflow(_cuda)?\.(so|dll|dylib)$") && e.Name != "NeuralFlow.Native.dll"))
            throw new Exception($"{p}: a native library is in lib/ (it belongs under runtimes/<rid>/native only)");
        if (System.IO.Path.GetFileName(p).StartsWith("NeuralFlow.0") && zip.Entries.Any(e => e.Name.Contains("neuralflow_cuda")))
            throw new Exception($"{p}: the CUDA engine belongs in NeuralFlow.Cuda, not in NeuralFlow");
    }
});
// The package as a user gets it: a fresh console project outside the solution restores
// NeuralFlow from the local pack output only (public feed for its dependencies), trains for two
// epochs, once as is (the native engine from runtimes/<rid>/native) and once with the native
// library deleted (the managed fallback, with its one-line notice). Returns (passed, failed).
(int Passed, int Failed) ConsumerTest()
{
    var version = XmlPeek("Directory.Build.props", "/Project/PropertyGroup/Version");
    if (!System.IO.Directory.GetFiles(packageDir, $"NeuralFlow.{version}.nupkg").Any())
        throw new Exception($"{packageDir}/NeuralFlow.{version}.nupkg is missing: run the Pack target first");
    // NeuralFlow.Cuda too when it was packed (the CUDA engine was built): it must load and say why
    // there is no GPU here, never break the CPU path.
    bool withCuda = System.IO.Directory.GetFiles(packageDir, $"NeuralFlow.Cuda.{version}.nupkg").Any();
    var cudaReference = withCuda ? $"\n            <PackageReference Include=\"NeuralFlow.Cuda\" Version=\"{version}\" />" : "";
    var dir = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"neuralflow-consumer-{Guid.NewGuid():N}");
    System.IO.Directory.CreateDirectory(dir);
    Information($"== consumer test in {dir} (NeuralFlow {version} from {packageDir})");
    // Empty Directory.Build.* files stop MSBuild from picking up anything above the temp folder.
    System.IO.File.WriteAllText($"{dir}/Directory.Build.props", "<Project />\n");
    System.IO.File.WriteAllText($"{dir}/Directory.Build.targets", "<Project />\n");
    System.IO.File.WriteAllText($"{dir}/nuget.config", $"""
        <?xml version="1.0" encoding="utf-8"?>
        <configuration>
          <config>
            <!-- A package cache of its own, so a stale NeuralFlow {version} in ~/.nuget/packages is never used. -->
            <add key="globalPackagesFolder" value="packages" />
          </config>
          <packageSources>
            <clear />
            <add key="local" value="{System.Security.SecurityElement.Escape(packageDir)}" />
            <add key="nuget.org" value="https://api.nuget.org/v3/index.json" />
          </packageSources>
          <packageSourceMapping>
            <packageSource key="local"><package pattern="NeuralFlow" /><package pattern="NeuralFlow.*" /></packageSource>
            <packageSource key="nuget.org"><package pattern="*" /></packageSource>
          </packageSourceMapping>
        </configuration>
        """);
    System.IO.File.WriteAllText($"{dir}/Consumer.csproj", $"""
        <Project Sdk="Microsoft.NET.Sdk">
          <PropertyGroup>
            <OutputType>Exe</OutputType>
            <TargetFramework>net10.0</TargetFramework>
            <Nullable>enable</Nullable>
            <ImplicitUsings>enable</ImplicitUsings>
          </PropertyGroup>
          <ItemGroup>
            <PackageReference Include="NeuralFlow" Version="{version}" />
            <PackageReference Include="NeuralFlow.Plotting" Version="{version}" />{cudaReference}
          </ItemGroup>
        </Project>
        """);
    CopyFile("tests/consumer/Program.cs", $"{dir}/Program.cs");

    Run("dotnet", "build -c Release", workingDirectory: dir);
    var outDir = $"{dir}/bin/Release/net10.0";
    var rid = HostRid();
    var nativeInOutput = $"{outDir}/runtimes/{rid}/native/{NativeFileName()}";
    // No hints: the library must be found through the package's runtimes/ folder on its own.
    var env = new Dictionary<string, string> { ["NEURALFLOW_NATIVE_PATH"] = "", ["NEURALFLOW_CUDA_PATH"] = "", ["NEURALFLOW_BACKEND"] = "" };

    (bool Ok, string Why) Check(List<string> lines, bool ok, string why) => (ok && lines.Any(l => Regex.IsMatch(l, @"test accuracy after 2 epochs 0\.\d+")), why);
    var results = new List<(string Name, bool Ok, string Why)>();

    List<string> RunConsumer()
    {
        var settings = new ProcessSettings { Arguments = $"\"{outDir}/Consumer.dll\"", RedirectStandardOutput = true, RedirectStandardError = true, EnvironmentVariables = env, WorkingDirectory = dir };
        var exit = StartProcess("dotnet", settings, out var stdout, out var stderr);
        var lines = stderr.Concat(stdout).ToList();
        foreach (var l in lines) Console.WriteLine($"  | {l}");
        if (exit != 0) lines.Add($"(exit code {exit})");
        return lines;
    }

    Information("== consumer run 1: as restored (expects the native cpu backend from runtimes/" + rid + "/native)");
    var first = RunConsumer();
    var r1 = Check(first,
        FileExists(nativeInOutput)
        && first.Any(l => l.Contains("consumer: backend cpu"))
        && first.Any(l => l.Contains("consumer: native library") && l.Replace('\\', '/').Contains($"runtimes/{rid}/native/"))
        && !first.Any(l => l.Contains("native engine unavailable"))
        && first.Any(l => Regex.IsMatch(l, @"consumer: plot \d{4,} bytes"))
        && (!withCuda || first.Any(l => l.Contains("consumer: devices cpu") && l.Replace('\\', '/').Contains($"runtimes/{rid}/native/{CudaFileName()}"))),
        $"expected 'consumer: backend cpu' with the library loaded from runtimes/{rid}/native ({nativeInOutput} {(FileExists(nativeInOutput) ? "present" : "ABSENT")}), a plot" +
        (withCuda ? $", and the CUDA engine loaded from runtimes/{rid}/native (NeuralFlow.Cuda)" : ""));
    results.Add(("consumer test, native", r1.Ok, r1.Why));

    Information("== consumer run 2: native library deleted (expects the managed fallback notice, then training)");
    foreach (var f in System.IO.Directory.GetFiles(outDir, NativeFileName(), SearchOption.AllDirectories)) System.IO.File.Delete(f);
    var second = RunConsumer();
    var r2 = Check(second,
        second.Any(l => l.StartsWith("NeuralFlow: native engine unavailable") && l.Contains("using the managed backend"))
        && second.Any(l => l.Contains("consumer: backend managed")),
        "expected the one-line 'NeuralFlow: native engine unavailable ... using the managed backend.' notice, 'consumer: backend managed' and an accuracy");
    results.Add(("consumer test, managed fallback", r2.Ok, r2.Why));

    foreach (var (name, ok, why) in results)
        if (ok) Information($"PASS {name}"); else Error($"FAIL {name}: {why}");
    if (results.All(r => r.Ok)) System.IO.Directory.Delete(dir, recursive: true);
    else Error($"consumer project kept in {dir}");
    return (results.Count(r => r.Ok), results.Count(r => !r.Ok));
}

Task("ConsumerTest").IsDependentOn("Pack").Does(() =>
{
    var (p, f) = ConsumerTest();
    Console.WriteLine($"{p} passed, {f} failed, 0 skipped");
    if (f > 0) throw new Exception($"{f} consumer test run(s) failed");
});

// The fuzz harness of the parsers of untrusted bytes (tests/fuzz/README.md), for
// --fuzz-seconds=N in all (default 60; 0 skips it). Each target counts as one test.
var fuzzSeconds = double.Parse(Argument("fuzz-seconds", "60"), System.Globalization.CultureInfo.InvariantCulture);
(int Passed, int Failed) Fuzz()
{
    if (fuzzSeconds <= 0) { Information("fuzzing skipped (--fuzz-seconds=0)"); return (0, 0); }
    var project = "tests/fuzz/NeuralFlow.Fuzz";
    try { Run("dotnet", $"build {project} -c {configuration} --nologo -v q"); }
    catch (Exception e) { Error($"the fuzz harness did not build: {e.Message}"); return (0, 1); }
    var lines = Run("dotnet", $"{project}/bin/{configuration}/net10.0/NeuralFlow.Fuzz.dll --seconds {fuzzSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture)} --failures artifacts/fuzz", allowFailure: true);
    var results = lines.Select(l => Regex.Match(l, @"^fuzz [\w-]+: .* (\d+) failures$")).Where(m => m.Success).ToList();
    if (results.Count == 0) { Error("the fuzz harness printed no results"); return (0, 1); }
    int bad = results.Count(m => m.Groups[1].Value != "0") + (lines.Any(l => l.Contains("worker is stuck")) ? 1 : 0);
    if (bad > 0) Error("fuzzing found failing inputs (saved under artifacts/fuzz/; see tests/fuzz/README.md)");
    return (results.Count - Math.Min(bad, results.Count), bad);
}

// Runs CTest in a build folder, adds its counts to passed/failed/skipped, returns its output.
List<string> RunCtest(string dir, IDictionary<string, string> env = null)
{
    var ctest = Run("ctest", $"--test-dir {dir} -C {configuration} --output-on-failure", env, allowFailure: true);
    var c = ctest.Select(l => Regex.Match(l, @"(\d+)% tests passed, (\d+) tests failed out of (\d+)")).FirstOrDefault(m => m.Success);
    if (c == null) { failed += 1; failures.Add($"ctest ({dir}): no summary"); Error($"ctest ({dir}) printed no summary"); return ctest; }
    // CTest counts skipped tests (the CUDA suite without a GPU) as passed; count them apart.
    int total = int.Parse(c.Groups[3].Value), bad = int.Parse(c.Groups[2].Value);
    int skippedHere = ctest.Count(l => Regex.IsMatch(l, @"^\s*\d+ - .*\(Skipped\)\s*$"));
    passed += total - bad - skippedHere; failed += bad; skipped += skippedHere;
    failures.AddRange(ctest.Select(l => Regex.Match(l, @"^\s*\d+ - (.*?) \((Failed|Timeout|SEGFAULT|Subprocess aborted|Exception|.*Fault.*)\)\s*$"))
        .Where(m => m.Success).Select(m => $"ctest ({dir}) {m.Groups[1].Value} ({m.Groups[2].Value})"));
    return ctest;
}

// Runs the C# suites (filter: " --filter ..." or "") and adds their counts to passed/failed/skipped;
// returns the output. A crashed test host still prints a summary of what ran before the crash, so
// an aborted run (said on stderr, with the crash's first line) counts as one more failure.
List<string> RunDotnetTest(string name, string filter, IDictionary<string, string> env)
{
    Information($"== dotnet test ({name})");
    var lines = Run("dotnet", $"test NeuralFlow.sln -c {configuration} --no-build{filter}", env, allowFailure: true, stderr: true);
    var summaries = lines.Select(l => Regex.Match(l, @"Failed:\s+(\d+),\s+Passed:\s+(\d+),\s+Skipped:\s+(\d+)")).Where(m => m.Success).ToList();
    if (summaries.Count == 0) { failed += 1; failures.Add($"dotnet test ({name}): no summary"); Error($"dotnet test ({name}) printed no summary"); }
    foreach (var m in summaries)
    {
        failed += int.Parse(m.Groups[1].Value);
        passed += int.Parse(m.Groups[2].Value);
        skipped += int.Parse(m.Groups[3].Value);
    }
    failures.AddRange(lines.Select(l => Regex.Match(l, @"^\s+Failed (\S+) \[")).Where(m => m.Success).Select(m => $"dotnet test ({name}) {m.Groups[1].Value}"));
    if (lines.Any(l => l.Contains("Test Run Aborted"))) { failed += 1; failures.Add($"dotnet test ({name}): aborted"); Error($"dotnet test ({name}): the test run was aborted (test host crashed)"); }
    return lines;
}

// The sanitizer runs (native/README.md): the CPU engine and its GoogleTest suite built with
// -fsanitize=address,undefined into build/native-asan (NEURALFLOW_SANITIZE, CUDA off), that
// suite, then the C# suites that exercise the native kernels against the sanitized library.
// A report aborts the process (-fno-sanitize-recover=all, halt_on_error=1), failing the test or
// the test run that hit it, and each report in the output counts as one more failure. Linux with
// GCC only: elsewhere it is skipped.
void SanitizedRuns()
{
    if (!RuntimeInformation.IsOSPlatform(OSPlatform.Linux)) { Warning("sanitizer runs skipped: Linux (GCC's libasan) only"); return; }
    const string dir = "build/native-asan";
    Run("cmake", $"-S . -B {dir} -DCMAKE_BUILD_TYPE=RelWithDebInfo -DNEURALFLOW_BUILD_TESTS=ON -DNEURALFLOW_SANITIZE=ON");
    Run("cmake", $"--build {dir} -j 2");
    // detect_leaks=0: the .NET runtime's own allocations would be reported at exit. handle_segv=0
    // and allow_user_segv_handler=1: .NET turns SIGSEGV into NullReferenceException itself.
    var env = new Dictionary<string, string>
    {
        ["ASAN_OPTIONS"] = "detect_leaks=0:handle_segv=0:allow_user_segv_handler=1:halt_on_error=1",
        ["UBSAN_OPTIONS"] = "print_stacktrace=1:halt_on_error=1",
    };
    Information("== ctest (sanitized CPU engine)");
    var output = RunCtest(dir, env);

    // The runtime (dotnet) is not instrumented, so ASan's runtime must be loaded first.
    var libasan = Run("g++", "-print-file-name=libasan.so").FirstOrDefault()?.Trim() ?? "";
    if (!System.IO.Path.IsPathRooted(libasan) || !FileExists(libasan)) throw new Exception($"g++ -print-file-name=libasan.so gave '{libasan}', not a file");
    var dotnetEnv = new Dictionary<string, string>(env)
    {
        ["LD_PRELOAD"] = libasan,
        ["NEURALFLOW_NATIVE_PATH"] = MakeAbsolute(File($"{dir}/lib/{NativeFileName()}")).FullPath,
        ["NEURALFLOW_REQUIRE_NATIVE"] = "1",  // a sanitized library that fails to load is a failure, not a fallback
        ["NEURALFLOW_CUDA_PATH"] = "",
        ["NEURALFLOW_BACKEND"] = "",
    };
    var suites = new[] { "NativeCpuConformanceTests", "CrossBackendTests", "NativeCpuFusedKernelTests", "FusedKernelAgreementTests",
                         "NativeCpuGradientTests", "ErrorMessageTests",
                         // issue 16's select, scan and sort kernels
                         "NativeCpuWhereTests", "NativeCpuCumulativeTests", "NativeCpuSortTests" };
    output.AddRange(RunDotnetTest("sanitized CPU engine", " --filter \"" + string.Join("|", suites.Select(t => $"FullyQualifiedName~{t}")) + "\"", dotnetEnv));

    // CTest's --output-on-failure and the test host's crash message carry the reports' first lines.
    var reports = output.Where(l => Regex.IsMatch(l, @"runtime error:|ERROR: AddressSanitizer")).ToList();
    foreach (var r in reports) Error($"sanitizer report: {r.Trim()}");
    failures.AddRange(reports.Select(r => $"sanitizer report: {r.Trim()}"));
    failed += reports.Count;
}

Task("Sanitize").IsDependentOn("Build").Does(() =>
{
    SanitizedRuns();
    PrintFailures();
    Console.WriteLine($"{passed} passed, {failed} failed, {skipped} skipped");
    if (failed > 0) throw new Exception($"{failed} sanitized test(s) failed or reported");
});

Task("Test").IsDependentOn("Build").Does(() =>
{
    // Native kernels (GoogleTest through CTest).
    RunCtest(nativeDir);

    // The C# suites: once with the default backend (native where built), once forced to the
    // managed fallback. NEURALFLOW_REQUIRE_NATIVE turns a missing native library into failures.
    var runs = new (string Name, Dictionary<string, string> Env)[]
    {
        ("default backend", new Dictionary<string, string> { ["NEURALFLOW_REQUIRE_NATIVE"] = EnvironmentVariable("NEURALFLOW_REQUIRE_NATIVE") ?? "0" }),
        ("NEURALFLOW_BACKEND=managed", new Dictionary<string, string> { ["NEURALFLOW_BACKEND"] = "managed" }),
    };
    // The Cuda* suites once more against the CUDA engine's own sources run by the CPU emulator
    // (native/tests/cuda/emu), so the C# CUDA backend is exercised on machines without a GPU; and
    // the device tests, which then see a GPU as the default device.
    var emulated = $"{nativeDir}/native/tests/libneuralflow_cuda_emu.so";
    var cudaRuns = FileExists(emulated)
        ? new[] { ("Cuda* suites on the emulated CUDA engine", new Dictionary<string, string> { ["NEURALFLOW_CUDA_PATH"] = MakeAbsolute(File(emulated)).FullPath, ["NEURALFLOW_BACKEND"] = "" }, " --filter \"FullyQualifiedName~.Cuda|FullyQualifiedName~NeuralFlow.Tests.DeviceTests\"") }
        : Array.Empty<(string, Dictionary<string, string>, string)>();
    foreach (var (name, env, filter) in runs.Select(r => (r.Name, r.Env, "")).Concat(cudaRuns))
    {
        RunDotnetTest(name, filter, env);
    }

    // The CPU engine built with AddressSanitizer + UBSan, under its GoogleTest suite and the C#
    // suites that drive the native kernels (Linux; see SanitizedRuns).
    try { SanitizedRuns(); }
    catch (Exception e) { failed += 1; failures.Add($"sanitizer runs: {e.Message}"); Error($"sanitizer runs: {e.Message}"); }

    // The package as a user gets it (two runs: native, managed fallback); --consumer=false skips.
    if (runConsumer)
    {
        try
        {
            StageNativeIfBuilt();
            PackAll();
            var (p, f) = ConsumerTest();
            passed += p; failed += f;
            if (f > 0) failures.Add($"consumer test: {f} run(s)");
        }
        catch (Exception e) { failed += 2; failures.Add($"consumer test: {e.Message}"); Error($"consumer test: {e.Message}"); }
    }
    var (fuzzPassed, fuzzFailed) = Fuzz();
    passed += fuzzPassed; failed += fuzzFailed;
    if (fuzzFailed > 0) failures.Add($"fuzz: {fuzzFailed} target(s) (artifacts/fuzz)");
    PrintFailures();
    Console.WriteLine($"{passed} passed, {failed} failed, {skipped} skipped");
    if (failed > 0) throw new Exception($"{failed} test(s) failed");
});
Task("Bench").IsDependentOn("Build").Does(() =>
{
    Run("dotnet", $"run -c Release --project benchmarks/NeuralFlow.Benchmarks --no-build -- --filter {benchFilter}");
});

// On a machine with an NVIDIA GPU, nvcc and CMake (no .NET SDK needed there): build the CUDA
// engine, run its tests and the C# suites on CUDA from a self-contained publish, time the
// training steps against PyTorch. scripts/gpu-check.sh --prepare makes that publish here first.
Task("GpuCheck").Does(() =>
{
    Run("bash", "scripts/gpu-check.sh --prepare");
    Run("bash", "scripts/gpu-check.sh");
});

Task("Default").IsDependentOn("Test");

RunTarget(target);
