// What a build leaves for the next one: the shelf's basis (which store state its archives are
// current for), the archive months it deferred, and the change log it consumed.
import { ARCHIVE_ROOT } from '../feeds/paths.js'
import type { Store } from '../store/store.js'
import type { BuildPlan } from './plan.js'
import type { PipelineResult } from './pipeline.js'
import type { Tally } from './report.js'

export interface RecordInput {
  store: Pick<Store, 'builds'>
  ownsChangeLog: boolean
  plan: BuildPlan
  made: PipelineResult
  /** The archive months left for this build by the one before, if any. */
  deferred: ReadonlySet<string> | undefined
}

/** Records what this build consumed; returns the archive months left for the next build. */
export const recordBuild = async (
  { store, ownsChangeLog, plan, made, deferred }: RecordInput,
  tally: Tally,
): Promise<ReadonlySet<string> | undefined> => {
  const { archives, changes } = plan
  let next = deferred
  if (made.interrupted) {
    await archives?.saveInterrupted(plan.last, made.archiveFailed)
  } else if (plan.deferArchives) {
    next = archives?.due
  } else {
    next = undefined
    // A manifest that cannot be written (disk full) leaves the shelf untrusted at the next start,
    // which renders the archive again: a failure to report, not a reason to abandon the build.
    await archives?.save(changes.marker, made.archiveFailed).catch((error: unknown) => {
      tally.failures.push({
        feed: `${ARCHIVE_ROOT}manifest.json`,
        rule: 'publish',
        message: error instanceof Error ? error.message : String(error),
      })
    })
  }
  if (ownsChangeLog && !made.interrupted) {
    await store.builds.saveBuiltMarker(changes.marker)
    await store.builds.forgetChanges(changes.marker)
  }
  return next
}
