// The primary's workers: N forked at start, each one that exits replaced (with a growing pause when
// they keep dying, so that a crash loop does not spin), and all of them stopped at shutdown.
import cluster, { type Worker } from 'node:cluster'
import type { Logger } from '../log.js'
import { isOurs, type ToPrimary, type ToWorker } from './messages.js'

/** The first replacement is immediate; each further exit in a row doubles the pause, up to this. */
const MAX_PAUSE_MS = 30_000
const FIRST_PAUSE_MS = 250
/** A replacement that serves this long ends a crash streak. */
const CALM_MS = 10_000
/** A worker still running this long after being told to stop is killed (its grace is 3 s). */
const STOP_GRACE_MS = 6_000

export interface PoolOptions {
  size: number
  log: Logger
  /** A message from a worker (ours only). */
  onMessage: (worker: Worker, message: ToPrimary) => void
}

export interface Pool {
  /** Resolves with the port once every first worker listens; rejects when one fails to start. */
  started: Promise<number>
  /** Workers that exist now. */
  workers(): Worker[]
  /** Tells every worker to stop and resolves once all have exited. */
  stop(): Promise<void>
}

const pauseAfter = (exitsInRow: number): number =>
  exitsInRow <= 1 ? 0 : Math.min(FIRST_PAUSE_MS * 2 ** (exitsInRow - 2), MAX_PAUSE_MS)

export const startPool = ({ size, log, onMessage }: PoolOptions): Pool => {
  let stopping = false
  let exitsInRow = 0
  let calm: NodeJS.Timeout | undefined
  let listening = 0
  let settle: { resolve: (port: number) => void; reject: (error: Error) => void } | undefined
  const started = new Promise<number>((resolve, reject) => (settle = { resolve, reject }))
  // Bytes and dates go over IPC as they are (structured clone), not as JSON.
  cluster.setupPrimary({ serialization: 'advanced' })
  const fork = (): void => {
    const worker = cluster.fork()
    worker.on('message', (message: unknown) => {
      if (isOurs<ToPrimary>(message)) onMessage(worker, message)
      if (isOurs<ToPrimary>(message) && message.type === 'failed' && listening < size)
        settle?.reject(new Error(`a worker could not start: ${message.message}`))
    })
  }
  cluster.on('listening', (worker, address) => {
    listening += 1
    if (listening === size) settle?.resolve(address.port)
    if (listening <= size) return
    log.info(`worker ${worker.id} (pid ${worker.process.pid}) replaced the one that exited`)
    clearTimeout(calm)
    calm = setTimeout(() => (exitsInRow = 0), CALM_MS).unref()
  })
  cluster.on('exit', (worker, code, signal) => {
    if (stopping) return
    exitsInRow += 1
    const pauseMs = pauseAfter(exitsInRow)
    log.error(
      `worker ${worker.id} (pid ${worker.process.pid}) exited (${signal ?? `code ${code}`}); ` +
        `forking another${pauseMs > 0 ? ` in ${pauseMs} ms` : ''}`,
    )
    setTimeout(() => stopping || fork(), pauseMs)
  })
  for (let i = 0; i < size; i += 1) fork()
  const workers = () => Object.values(cluster.workers ?? {}).filter((w) => w !== undefined)
  return {
    started,
    workers,
    stop: async () => {
      stopping = true
      clearTimeout(calm)
      await Promise.all(workers().map(stopWorker))
    },
  }
}

/** Asks a worker to stop (it finishes what it serves), and kills it if it takes too long. */
const stopWorker = (worker: Worker): Promise<void> =>
  new Promise<void>((resolve) => {
    if (worker.isDead()) return resolve()
    const kill = setTimeout(() => worker.process.kill('SIGKILL'), STOP_GRACE_MS)
    worker.once('exit', () => {
      clearTimeout(kill)
      resolve()
    })
    try {
      worker.send({ type: 'stop' } satisfies ToWorker)
    } catch {
      worker.process.kill('SIGTERM')
    }
  })
