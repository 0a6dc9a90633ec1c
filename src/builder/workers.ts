// A small pool of worker threads that produce documents (render, check, encode, compress), so that
// the serving thread never renders, checks nor compresses one and a full build uses every core; each
// thread's heap is bounded, and a thread that fails is replaced; in-process when it cannot be.
import { availableParallelism } from 'node:os'
import { type ResourceLimits, Worker } from 'node:worker_threads'
import type { Article } from '../articles/schema.js'
import { RENDERERS } from '../feeds/render/index.js'
import type { Logger } from '../log.js'
import {
  type ProducedDocument,
  produceDocument,
  type ProduceInput,
  type ProducedOutput,
  type Renderers,
} from './produce.js'

/**
 * What a worker is sent: a document to produce, without functions (they do not cross threads), and
 * where a build thread stages its files when the document goes on the shelf (handover.ts; produced
 * in-process, the publisher writes them).
 */
export type ProduceRequest = Omit<ProduceInput, 'renderers' | 'finish'> & {
  stageIn?: string
}

export interface WorkerTask {
  id: number
  input: ProduceRequest
}

export type WorkerReply = { id: number; produced: ProducedDocument } | { id: number; error: string }

/** Reads a document's articles (newest first) when it is produced. */
export type ReadRows = () => Promise<Article[]>

/** Produces documents, on worker threads or in-process; close() ends the threads. */
export interface Producer {
  /**
   * Produces a document. With `rows`, its articles are read then (planned.articles is left empty):
   * on a build thread, as the thread takes the document, and not held once they are sent, so that
   * the serving thread holds no document's rows long enough to promote them to its old generation
   * (a rebuild of one large month's parts, ~2 MB each, grew it by ~40 MiB).
   */
  produce(input: ProduceRequest, rows?: ReadRows): Promise<ProducedDocument>
  /**
   * Documents worth having in flight at once (1 in-process): two per thread, so that a thread
   * finishing one starts the next it holds queued rather than waiting for the serving thread to
   * publish and read (a month's rows: a few hundred ms at 1M articles), and one being published;
   * of large documents, which one thread produces at a time, three.
   */
  readonly parallel: number
  readonly parallelLarge: number
  close(): Promise<void>
}

/**
 * Threads when BUILD_THREADS is unset: one per core (they run at nice 10, so the serving thread
 * keeps its core whenever it has work). One per core but one left a first archive build at 1M
 * articles on 2 cores to one thread (534 s, against 327-377 s with two, same machine and day);
 * large documents are produced one at a time whatever the number of threads
 * (LARGE_DOCUMENT_BYTES), so more threads cost memory only for small ones.
 */
export const defaultThreads = (): number => availableParallelism()

/**
 * A document whose rows weigh more than this (PlannedDocument.bytes, estimated) is large: a build
 * thread's heap grows with the document it produces (an archive part of 2 MiB of long reads takes
 * about 40 MiB at its peak), so large documents are produced one at a time, on one thread, and
 * fewer wait in flight; small ones (an archive part of 100 ordinary articles, ~0.3 MiB) go to
 * every thread.
 */
export const LARGE_DOCUMENT_BYTES = 1024 * 1024

/** Whether a document is produced one at a time (LARGE_DOCUMENT_BYTES). */
export const isLarge = (input: Pick<ProduceRequest, 'planned'>): boolean =>
  input.planned.bytes > LARGE_DOCUMENT_BYTES

/**
 * The old generation of a build thread's heap, in MiB, unless BUILD_THREAD_HEAP_MB says otherwise.
 * A document of the default archive bounds (100 items / 2 MiB) or a feed page of 50 long reads
 * (1.4 MB) takes about 40 MiB at its peak: its rows, a model, three texts, the parse-back and the
 * bytes. Without a limit V8 sizes a worker's heap like the process's (GiBs) and lets garbage from
 * earlier documents pile up before collecting it; with one it collects early, and a document that
 * would need more ends the thread (replaced; the document made in-process) rather than the process.
 */
export const BUILD_THREAD_HEAP_MB = 96

/**
 * The young generation of a thread started for a large document (LARGE_DOCUMENT_BYTES). Such a
 * document's garbage (its texts, `feed`'s joins, the parse-back) outgrows any young generation and
 * is promoted whatever its size, so a larger one buys little CPU there (a full rebuild of one
 * large month, bench/big-month.ts, took 5-10 % longer with 16 than with 32) and is held as RSS:
 * the same rebuild peaked ~30 MiB lower (294-296 MiB against 323-337, one thread).
 */
export const LARGE_YOUNG_GENERATION_MB = 16

/**
 * The young generation of a build thread's heap, in MiB, for an old generation of `heapMb`: two
 * thirds of it, from 16 to 32 (32 for the default 96); LARGE_YOUNG_GENERATION_MB for a thread
 * started for a large document. A small document's rows and texts are short-lived, and `feed`'s
 * XML writer joins each element's text at every level: on archive parts of 100 articles 16 MiB cost
 * 25 % more build CPU than 64 in scavenges and promotions, 32 15 % more, 48 5 % (21.5-23.7 ms a
 * part for 32, 24.6-28.1 for 16, 18.4-19.7 for 64; a first archive build of 200k articles 19 %
 * longer with 16 than 32); 64 raised the peak RSS of a large month's rebuild by ~30 MiB more. A
 * young generation larger than the old one left no room to promote survivors to (full collections
 * back to back: 128 doubled the CPU), hence the bound by the old generation.
 */
export const youngGenerationMb = (heapMb: number, large = false): number =>
  large ? LARGE_YOUNG_GENERATION_MB : Math.min(32, Math.max(16, Math.round((heapMb * 2) / 3)))

/**
 * The old generation of a thread started for a large document, unless BUILD_THREAD_HEAP_MB says
 * otherwise. Such a document's texts (2 MiB each, in every format) go to V8's large-object space,
 * garbage as soon as the next format is rendered, and V8 collects them only as the old generation
 * nears a limit it sets from the maximum: with 96 a rebuild of one large month (bench/big-month.ts)
 * peaked at 295-313 MiB of RSS, with 64 at 273-285 (48: no lower, and slower).
 */
export const LARGE_THREAD_HEAP_MB = 64

/**
 * A build thread's heap limits: an old generation of `heapMb` (BUILD_THREAD_HEAP_MB) if set, else
 * the default for what the thread is started for; `large`: a large document. Threads end when
 * idle (IDLE_MS), so each build's threads are sized for what it starts them with: a build of long
 * reads gets the smaller heap, one of ordinary articles the larger.
 */
export const buildThreadLimits = (heapMb?: number, large = false): ResourceLimits => {
  const old = heapMb ?? (large ? LARGE_THREAD_HEAP_MB : BUILD_THREAD_HEAP_MB)
  return { maxOldGenerationSizeMb: old, maxYoungGenerationSizeMb: youngGenerationMb(old, large) }
}

/**
 * The nice value of a build thread (Linux, per thread): it takes any core the serving thread
 * leaves idle, and gives it back whenever the serving thread has a request, however loaded the
 * machine is. 10 weighs a tenth of the serving thread's share under contention (CFS).
 */
export const BUILD_THREAD_NICE = 10

/** The buffers of a produced document's outputs, moved (not copied) to the other thread. */
export const transferables = (produced: ProducedDocument): ArrayBuffer[] => {
  const outputs: ProducedOutput[] = produced.formats.flatMap((f) =>
    'output' in f ? [f.output] : [],
  )
  if (produced.page) outputs.push(produced.page)
  // Outputs handed over without their bytes (handover.ts) have none to move.
  return outputs.flatMap((o) =>
    'body' in o
      ? [o.body.buffer, ...(o.encoded ? [o.encoded.br.buffer, o.encoded.gzip.buffer] : [])]
      : [],
  )
}

/** The request with its articles. */
const withRows = (input: ProduceRequest, articles: Article[]): ProduceRequest => ({
  ...input,
  planned: { ...input.planned, articles },
})

/** The request as produced: its articles read now when they are read late (Producer.produce). */
const complete = async (input: ProduceRequest, rows?: ReadRows): Promise<ProduceRequest> =>
  rows ? withRows(input, await rows()) : input

/** Produces on the calling thread: BUILD_THREADS=0, and renderers passed in (tests). */
export const inProcess = (renderers: Renderers): Producer => ({
  produce: async (input, rows) => produceDocument({ ...(await complete(input, rows)), renderers }),
  parallel: 1,
  parallelLarge: 1,
  close: async () => undefined,
})

/**
 * How to start a worker: its module beside this one, with the same extension. From dist/ that is
 * `produce-worker.js`. When the sources run as TypeScript (tsx, vitest), Node 20 does not apply
 * `--import tsx` to a worker's entry, so a small script registers tsx's loader in the worker first
 * and then imports `produce-worker.ts`.
 */
const workerEntry = (): { entry: URL | string; eval: boolean } => {
  const here = new URL(import.meta.url)
  if (!here.pathname.endsWith('.ts'))
    return { entry: new URL('./produce-worker.js', here), eval: false }
  const tsx = JSON.stringify(import.meta.resolve('tsx/esm/api'))
  const entry = JSON.stringify(new URL('./produce-worker.ts', here).href)
  return { entry: `import(${tsx}).then((tsx) => (tsx.register(), import(${entry})))`, eval: true }
}

interface Pending {
  /** Without its articles when they are read as a thread takes it (`rows`). */
  task: WorkerTask
  rows?: ReadRows
  /** isLarge(task.input): produced only while no other thread holds a large one. */
  large: boolean
  resolve: (produced: ProducedDocument) => void
  reject: (error: Error) => void
  /** Threads that failed while holding it. */
  failures: number
}

interface Thread {
  worker: Worker
  busy?: Pending
}

// Documents a broken or closed pool still holds are produced here, with the standard renderers.
const fallback = (pending: Pending): void => {
  complete(pending.task.input, pending.rows)
    .then((input) => produceDocument({ ...input, renderers: RENDERERS }))
    .then(pending.resolve, pending.reject)
}

/** Starts one worker; it answers its task through `answered`, and `failed` when it dies. */
const startThread = (
  limits: ResourceLimits,
  answered: (thread: Thread) => void,
  failed: (thread: Thread, error: unknown) => void,
): Thread => {
  const { entry, eval: script } = workerEntry()
  const worker = new Worker(entry, { eval: script, resourceLimits: limits })
  const thread: Thread = { worker }
  worker.on('message', (reply: WorkerReply) => {
    const pending = thread.busy
    if (!pending || pending.task.id !== reply.id) return
    if ('produced' in reply) pending.resolve(reply.produced)
    else pending.reject(new Error(`builder/workers: ${reply.error}`))
    answered(thread)
  })
  worker.on('error', (error) => failed(thread, error))
  worker.on('exit', (code) => failed(thread, new Error(`worker exited with code ${code}`)))
  worker.unref()
  return thread
}

/**
 * Threads replaced in a row before the pool gives up on them: a thread fails at its memory limit
 * or when killed; more failures than this with no document produced on a thread in between mean
 * threads cannot work here. A document answered starts the count again, so that failures spread
 * over a long-running service's life (a document too large now and then) never add up to that.
 */
export const REPLACEMENTS = 8

export interface PoolOptions {
  log?: Pick<Logger, 'error'>
  /** The old generation of each thread's heap, MiB (default BUILD_THREAD_HEAP_MB). */
  heapMb?: number
  /** Every thread's heap, whatever it is started for (default `buildThreadLimits`). */
  limits?: ResourceLimits
  /** How long every thread stays idle before they end (default IDLE_MS). */
  idleMs?: number
}

/**
 * Threads that have all been idle this long end, their heaps with them: a thread's heap stays as
 * large as the largest document it produced (100+ MiB of RSS after a first archive build at 1M
 * articles) for as long as it lives. The next document starts them again (tens of ms, once a build).
 */
export const IDLE_MS = 5_000

/** A pool's threads, its documents waiting and whether it still uses threads. */
interface Pool {
  options: PoolOptions
  queue: Pending[]
  threads: Thread[]
  /** Threads replaced since a thread last answered a document (REPLACEMENTS). */
  replaced: number
  broken: boolean
  closed: boolean
  /** Ends the threads once all have been idle for `idleMs`. */
  idleTimer?: NodeJS.Timeout
}

/** When every thread is idle, ends them all after a while (unless a document comes first). */
const endWhenIdle = (pool: Pool): void => {
  if (pool.queue.length > 0 || pool.threads.some((t) => t.busy)) return
  clearTimeout(pool.idleTimer)
  pool.idleTimer = setTimeout(() => {
    if (pool.queue.length > 0 || pool.threads.some((t) => t.busy)) return
    // Removed first: their exit is then no failure to replace (replaceThread ignores them).
    for (const t of pool.threads.splice(0)) void t.worker.terminate()
  }, pool.options.idleMs ?? IDLE_MS)
  pool.idleTimer.unref()
}

/**
 * Where in `queue` the next document a thread may take is: the oldest, unless it is large while
 * another thread produces a large one (that thread takes it when done), then the oldest small one;
 * -1 when there is none.
 */
export const nextIndex = (
  queue: ReadonlyArray<{ large: boolean }>,
  largeElsewhere: boolean,
): number => queue.findIndex((p) => !(p.large && largeElsewhere))

const takeNext = (thread: Thread, pool: Pool): Pending | undefined => {
  const at = nextIndex(
    pool.queue,
    pool.threads.some((t) => t !== thread && t.busy?.large),
  )
  return at < 0 ? undefined : pool.queue.splice(at, 1)[0]
}

/** Gives a thread the next document it may take, if any. */
const next = (thread: Thread, pool: Pool): void => {
  const pending = takeNext(thread, pool)
  thread.busy = pending
  if (!pending) {
    thread.worker.unref()
    return endWhenIdle(pool)
  }
  // A worker working keeps the process alive (a CLI build awaits it); an idle one does not.
  thread.worker.ref()
  if (!pending.rows) return thread.worker.postMessage(pending.task)
  // Sent as soon as read: once posted (a copy), the rows are garbage on this thread.
  const holds = () => thread.busy === pending && pool.threads.includes(thread)
  pending.rows().then(
    (articles) => {
      // Unless the thread failed or the pool closed meanwhile: the document went elsewhere.
      if (holds())
        thread.worker.postMessage({
          ...pending.task,
          input: withRows(pending.task.input, articles),
        })
    },
    (error: unknown) => {
      if (!holds()) return
      pending.reject(error instanceof Error ? error : new Error(String(error)))
      next(thread, pool)
    },
  )
}

/** Ends the threads: every document they hold or that waits is produced in-process. */
const giveUp = (pool: Pool, message: string, error: unknown): void => {
  if (!pool.broken && !pool.closed) pool.options.log?.error(message, error)
  pool.broken = true
  for (const t of pool.threads.splice(0)) {
    if (t.busy) fallback(t.busy)
    void t.worker.terminate()
  }
  pool.queue.splice(0).forEach(fallback)
}

/**
 * Starts a thread into the pool (taking the next document), its heap sized for a large document or
 * a small one; false when it cannot be.
 */
const addThread = (pool: Pool, large: boolean): boolean => {
  try {
    const limits = pool.options.limits ?? buildThreadLimits(pool.options.heapMb, large)
    const thread = startThread(
      limits,
      (t) => {
        pool.replaced = 0
        next(t, pool)
      },
      (t, error) => replaceThread(pool, t, error),
    )
    pool.threads.push(thread)
    next(thread, pool)
    return true
  } catch (error) {
    giveUp(pool, 'build threads: cannot start a worker; producing documents in-process', error)
    return false
  }
}

/**
 * A thread failed (at its memory limit, or killed): another takes its place and its document,
 * which goes in-process if it already failed a thread before (too large for the limits).
 */
const replaceThread = (pool: Pool, thread: Thread, error: unknown): void => {
  if (!pool.threads.includes(thread)) return
  pool.threads.splice(pool.threads.indexOf(thread), 1)
  const pending = thread.busy
  thread.busy = undefined
  void thread.worker.terminate()
  if (pending && (pending.failures += 1) > 1) fallback(pending)
  else if (pending) pool.queue.unshift(pending)
  if (pool.closed || pool.broken) return void pool.queue.splice(0).forEach(fallback)
  if ((pool.replaced += 1) > REPLACEMENTS) {
    return giveUp(
      pool,
      'build threads: workers keep failing; producing documents in-process',
      error,
    )
  }
  pool.options.log?.error('build threads: a worker failed; starting another', error)
  // Another starts now for the documents waiting, or with the next document (produce); a large
  // document that failed a thread gets the heap of a small one's (LARGE_THREAD_HEAP_MB is less).
  const first = pool.queue[0]
  if (first) addThread(pool, first.large && first.failures === 0)
}

/**
 * A pool of `threads` workers, started as documents come. A thread that fails is replaced and its
 * document tried once on another; a document that fails a second thread is produced in-process,
 * as is every document once threads cannot be started or keep failing, logged.
 */
export const createWorkerPool = (threads: number, options: PoolOptions = {}): Producer => {
  const pool: Pool = { options, queue: [], threads: [], replaced: 0, broken: false, closed: false }
  let nextId = 0
  const produce = (input: ProduceRequest, rows?: ReadRows): Promise<ProducedDocument> =>
    new Promise((resolve, reject) => {
      const task = { id: (nextId += 1), input }
      const pending = { task, rows, large: isLarge(input), resolve, reject, failures: 0 }
      if (pool.broken || pool.closed) return fallback(pending)
      clearTimeout(pool.idleTimer)
      pool.queue.push(pending)
      const idle = pool.threads.find((t) => !t.busy)
      if (idle) return next(idle, pool)
      // Another thread only for a document one could take now (not a second large one).
      const startable = () => !pending.large || !pool.threads.some((t) => t.busy?.large)
      while (pool.threads.length < threads && pool.queue.includes(pending) && startable())
        if (!addThread(pool, pending.large)) break
    })

  const close = async (): Promise<void> => {
    pool.closed = true
    clearTimeout(pool.idleTimer)
    const threadsNow = pool.threads.splice(0)
    for (const t of threadsNow) if (t.busy) fallback(t.busy)
    pool.queue.splice(0).forEach(fallback)
    await Promise.all(threadsNow.map((t) => t.worker.terminate()))
  }

  return { produce, parallel: 2 * threads + 1, parallelLarge: 3, close }
}
