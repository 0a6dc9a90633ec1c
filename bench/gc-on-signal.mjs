// Preloaded by bench/million.ts (node --expose-gc --import): SIGUSR2 runs a full garbage
// collection in the service, so the RSS read afterwards is what it keeps, not what it has yet to
// free; then it prints where that memory is (V8 heap, buffers outside it) on stderr, for the bench.
process.on('SIGUSR2', () => {
  globalThis.gc?.()
  const mib = (n) => Math.round(n / 1048576)
  const m = process.memoryUsage()
  process.stderr.write(
    `service memory after GC (MiB): rss ${mib(m.rss)}, heap total ${mib(m.heapTotal)}, ` +
      `heap used ${mib(m.heapUsed)}, external ${mib(m.external)}, array buffers ${mib(m.arrayBuffers)}\n`,
  )
})
