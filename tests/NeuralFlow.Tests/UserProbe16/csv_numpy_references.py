"""NumPy's np.loadtxt / np.genfromtxt results on the files CsvNumpyTextTests.cs writes (numpy 1.24).
Run: /usr/bin/python3 csv_numpy_references.py ; the test holds the printed arrays."""
import io
import numpy as np

AUTO_MPG = ("18.0   8   307.0      130.0      3504.      12.0   70  1\n"
            "15.0   8   350.0      165.0      3693.      11.5   70  1\n"
            "25.0   4   98.00      ?          2046.      19.0   71  1\n"
            "24.0   4   113.0      95.00      2372.      15.0   70  3\n")
ABALONE = ("# length,diameter,height,whole,shucked,viscera,shell,age\n"
           "0.435,0.335,0.110,0.334,0.1355,0.0775,0.0965,7\n"
           "0.585,0.450,0.125,0.874,0.3545,0.2075,0.2250,6\n"
           "\n"
           "0.655,0.510,0.160,1.092,0.3960,0.2825,0.3700,14\n")
HEART = ("age,sex,cp,trestbps,chol,thal\n"
         "63,1,1,145,233,\n"
         "67,1,4,160,286,3\n"
         "37,1,3,130,NA,3\n"
         "41,0,2,130,204,7\n")

np.set_printoptions(precision=17, floatmode="unique")
print("auto_mpg genfromtxt", repr(np.genfromtxt(io.StringIO(AUTO_MPG), missing_values="?")))
print("auto_mpg genfromtxt usecols (0,3,-1) float32",
      repr(np.genfromtxt(io.StringIO(AUTO_MPG), missing_values="?", usecols=(0, 3, -1), dtype=np.float32)))
print("abalone loadtxt", repr(np.loadtxt(io.StringIO(ABALONE), delimiter=",")))
print("abalone loadtxt usecols 7 int32", repr(np.loadtxt(io.StringIO(ABALONE), delimiter=",", usecols=7, dtype=np.int32)))
print("abalone loadtxt max_rows 1", repr(np.loadtxt(io.StringIO(ABALONE), delimiter=",", max_rows=1)))
print("heart genfromtxt skip_header 1", repr(np.genfromtxt(io.StringIO(HEART), delimiter=",", skip_header=1, missing_values="NA")))
print("heart genfromtxt int64 skip_footer 1", repr(np.genfromtxt(io.StringIO(HEART), delimiter=",", skip_header=1, skip_footer=1, dtype=np.int64)))
print("heart loadtxt ndmin 2 usecols 0", repr(np.loadtxt(io.StringIO(HEART), delimiter=",", skiprows=1, usecols=[0], ndmin=2)))
for call in (lambda: np.loadtxt(io.StringIO(HEART), delimiter=",", skiprows=1),
             lambda: np.loadtxt(io.StringIO(AUTO_MPG))):
    try:
        call()
    except ValueError as e:
        print("error:", e)
print("int64 loadtxt", repr(np.loadtxt(io.StringIO("9007199254740993,1\n-9007199254740995,2\n"), delimiter=",", dtype=np.int64)))
print("int64 genfromtxt", repr(np.genfromtxt(io.StringIO("9007199254740993,\n"), delimiter=",", dtype=np.int64)))
