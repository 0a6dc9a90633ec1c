// What the cluster's primary (the builder) and its workers (the servers) tell each other over IPC.
// Sent with node:cluster's 'advanced' serialization (structured clone): bytes and dates as they are.
import type { BuildReport } from '../builder/report.js'
import type { BuildFailureRecord } from '../builder/scheduler.js'
import type { PublishedOutput } from '../publish/outputs.js'
import type { ShelvedOutput } from '../publish/shelf.js'
import type { BuildStatus } from '../readiness.js'

/** One change to what is served, in the order the primary made it. */
export type OutputChange =
  | { kind: 'put'; output: PublishedOutput }
  | { kind: 'remove'; urlPath: string }
  | { kind: 'shelve'; output: ShelvedOutput }
  | { kind: 'unshelve'; urlPath: string }

/** How builds go, as the primary sees them: what readiness, /healthz and the API need. */
export interface BuildNews {
  status: BuildStatus
  pending: number[]
  lastFailure?: BuildFailureRecord
}

/** Primary → worker. */
export type ToWorker =
  | { type: 'snapshot'; outputs: PublishedOutput[]; shelved: ShelvedOutput[]; news: BuildNews }
  | { type: 'changes'; changes: OutputChange[] }
  | { type: 'news'; news: BuildNews }
  | { type: 'ticket'; ref: number; id?: number; error?: string }
  | { type: 'built'; id: number; report?: BuildReport; error?: string }
  | { type: 'stop' }

/** Worker → primary. */
export type ToPrimary =
  | { type: 'hello' }
  | { type: 'listening' }
  | { type: 'failed'; message: string }
  | { type: 'request-rebuild' }
  | { type: 'trigger'; ref: number; full: boolean }

/** Whether a message is one of ours (cluster also passes its own internal ones to 'message'). */
export const isOurs = <T extends { type: string }>(message: unknown): message is T =>
  typeof message === 'object' && message !== null && typeof (message as T).type === 'string'
