// A worker thread of builder/workers.ts: produces each document it is sent with the standard
// renderers, compresses its outputs here and stages a shelved document's files (handover.ts), so
// that the serving thread only stores bytes, or renames files.
import { setPriority } from 'node:os'
import { parentPort } from 'node:worker_threads'
import { RENDERERS } from '../feeds/render/index.js'
import { finishOnThread } from './handover.js'
import { produceDocument } from './produce.js'
import { BUILD_THREAD_NICE, transferables, type WorkerReply, type WorkerTask } from './workers.js'

const port = parentPort
if (!port)
  throw new Error('builder/produce-worker: must run in a worker thread (builder/workers.ts)')

// Linux keeps a nice value per thread, and pid 0 names the calling one: this thread alone yields
// the CPU to the serving thread whenever both want it. Elsewhere it may apply to the process or
// be refused: then the thread keeps the process's priority.
if (process.platform === 'linux') {
  try {
    setPriority(0, BUILD_THREAD_NICE)
  } catch {
    // Not allowed here (a sandbox): the build still works, only without the lower priority.
  }
}

const answer = async ({ id, input }: WorkerTask): Promise<void> => {
  try {
    const finish = finishOnThread(input.stageIn)
    const produced = await produceDocument({ ...input, renderers: RENDERERS, finish })
    const reply: WorkerReply = { id, produced }
    // The bytes move to the serving thread rather than being copied.
    port.postMessage(reply, transferables(produced))
  } catch (error) {
    const reply: WorkerReply = { id, error: error instanceof Error ? error.message : String(error) }
    port.postMessage(reply)
  }
}

port.on('message', (task: WorkerTask) => void answer(task))
