// A small pool of worker threads that produce documents (render, check, encode), so that the serving
// thread never renders nor checks one and a full build uses every core; in-process when it cannot.
import { availableParallelism } from 'node:os'
import { Worker } from 'node:worker_threads'
import { RENDERERS } from '../feeds/render/index.js'
import type { Logger } from '../log.js'
import type { RenderedOutput } from '../publish/outputs.js'
import {
  type ProducedDocument,
  produceDocument,
  type ProduceInput,
  type Renderers,
} from './produce.js'

/** What a worker is sent: a document to produce, without renderers (functions do not cross). */
export type ProduceRequest = Omit<ProduceInput, 'renderers'>

export interface WorkerTask {
  id: number
  input: ProduceRequest
}

export type WorkerReply = { id: number; produced: ProducedDocument } | { id: number; error: string }

/** Produces documents, on worker threads or in-process; close() ends the threads. */
export interface Producer {
  produce(input: ProduceRequest): Promise<ProducedDocument>
  /** Documents worth having in flight at once: one per thread and one being published (1 in-process). */
  readonly parallel: number
  close(): Promise<void>
}

/**
 * Threads when BUILD_THREADS is unset: one per core but one, so that the serving thread (and the
 * compression on libuv's pool) keeps a core while a build renders on the others; at least one.
 */
export const defaultThreads = (): number => Math.max(1, availableParallelism() - 1)

/** The buffers of a produced document's outputs, moved (not copied) to the other thread. */
export const transferables = (produced: ProducedDocument): ArrayBuffer[] => {
  const outputs: RenderedOutput[] = produced.formats.flatMap((f) =>
    'output' in f ? [f.output] : [],
  )
  if (produced.page) outputs.push(produced.page)
  return outputs.map((o) => o.body.buffer)
}

/** Produces on the calling thread: BUILD_THREADS=0, and renderers passed in (tests). */
export const inProcess = (renderers: Renderers): Producer => ({
  produce: (input) => produceDocument({ ...input, renderers }),
  parallel: 1,
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
  task: WorkerTask
  resolve: (produced: ProducedDocument) => void
  reject: (error: Error) => void
}

interface Thread {
  worker: Worker
  busy?: Pending
}

// Documents a broken or closed pool still holds are produced here, with the standard renderers.
const fallback = (pending: Pending): void => {
  produceDocument({ ...pending.task.input, renderers: RENDERERS }).then(
    pending.resolve,
    pending.reject,
  )
}

/** Starts one worker; it answers its task through `answered`, and `failed` when it dies. */
const startThread = (
  answered: (thread: Thread) => void,
  failed: (thread: Thread, error: unknown) => void,
): Thread => {
  const { entry, eval: script } = workerEntry()
  const worker = new Worker(entry, { eval: script })
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

/** A pool of `threads` workers, started at the first document; falls back to in-process, logged. */
export const createWorkerPool = (threads: number, log?: Pick<Logger, 'error'>): Producer => {
  const queue: Pending[] = []
  const pool: Thread[] = []
  let nextId = 0
  let broken = false
  let closed = false

  const next = (thread: Thread): void => {
    const pending = queue.shift()
    thread.busy = pending
    if (!pending) return void thread.worker.unref()
    // A worker working keeps the process alive (a CLI build awaits it); an idle one does not.
    thread.worker.ref()
    thread.worker.postMessage(pending.task)
  }

  const fail = (thread: Thread, error: unknown): void => {
    if (!pool.includes(thread)) return
    if (!broken && !closed) {
      log?.error(
        'build threads: a worker failed; producing documents in-process from now on',
        error,
      )
    }
    broken = true
    pool.splice(pool.indexOf(thread), 1)
    if (thread.busy) fallback(thread.busy)
    thread.busy = undefined
    void thread.worker.terminate()
    if (pool.length === 0) queue.splice(0).forEach(fallback)
  }

  /** Starts the threads; false (logged, in-process from then on) when they cannot be. */
  const startAll = (): boolean => {
    try {
      for (let i = 0; i < threads; i += 1) pool.push(startThread(next, fail))
      return true
    } catch (error) {
      log?.error('build threads: cannot start a worker; producing documents in-process', error)
      broken = true
      pool.splice(0).forEach((t) => void t.worker.terminate())
      return false
    }
  }
  const produce = (input: ProduceRequest): Promise<ProducedDocument> =>
    new Promise((resolve, reject) => {
      const pending = { task: { id: (nextId += 1), input }, resolve, reject }
      if (broken || closed) return fallback(pending)
      if (pool.length === 0 && !startAll()) return fallback(pending)
      queue.push(pending)
      const idle = pool.find((t) => !t.busy)
      if (idle) next(idle)
    })

  const close = async (): Promise<void> => {
    closed = true
    const threadsNow = pool.splice(0)
    for (const t of threadsNow) if (t.busy) fallback(t.busy)
    queue.splice(0).forEach(fallback)
    await Promise.all(threadsNow.map((t) => t.worker.terminate()))
  }

  return { produce, parallel: threads + 1, close }
}
