{
  "targets": [
    {
      "target_name": "attend_native",
      "sources": ["src/addon.c", "src/gemm.c", "src/conv2d.c", "src/elementwise.c", "src/reduce_unary.c", "src/resample.c", "src/additive.c", "src/lstm.c", "src/depthwise.c"],
      "cflags": ["-O3", "-march=<!(node -p \"process.env.ATTEND_NATIVE_MARCH || 'native'\")", "-std=c11", "-fopenmp", "-Wall", "-Wextra"],
      "cflags_cc": ["-O3"],
      "include_dirs": ["<!@(pkg-config --cflags-only-I openblas | sed 's/-I//g')"],
      "libraries": ["<!@(pkg-config --libs openblas)", "-fopenmp"],
      "ldflags": ["<!@(pkg-config --libs-only-L openblas | sed 's/-L/-Wl,-rpath,/g')"]
    }
  ]
}
