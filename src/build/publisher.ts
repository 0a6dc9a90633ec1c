// Publishing one build's documents: render each format, check it by parsing it back, and publish
// what passed (bytes, compressed forms, file) with the page for people beside it.
import { feedUrlPath, type FeedDefinition, viewUrlPath } from '../feeds/catalog.js'
import { checkOutput } from '../feeds/check/index.js'
import { FORMAT_NAMES, type FeedFormat } from '../feeds/formats.js'
import { type FeedModel, type ModelInput, toFeedModel } from '../feeds/model.js'
import { renderFeedPage } from '../feeds/render/feed-page.js'
import type { Renderer } from '../feeds/render/index.js'
import { fileFor, writeAtomically } from '../publish/files.js'
import {
  makeOutput,
  nextLastModified,
  type OutputFormat,
  type PublishedOutput,
  type PublishedOutputs,
  type RenderedOutput,
  withEncodings,
} from '../publish/outputs.js'
import type { Shelf, ShelvedOutput } from '../publish/shelf.js'
import type { IdScheme } from '../store/store.js'
import type { PlannedDocument } from './documents.js'
import type { BuildFailure, BuildTimings } from './report.js'

/** What one build has done so far; the builder turns it into the report. */
export interface Tally {
  timings: BuildTimings
  failures: BuildFailure[]
  published: PublishedOutput[]
  /** Outputs written to the shelf (archives): on disk, not in memory. */
  shelved: ShelvedOutput[]
  unchanged: number
}

export interface PublisherOptions {
  outputs: PublishedOutputs
  /** Where archive documents go; required when the build makes archives. */
  shelf?: Shelf
  feedsDir: string
  clock: () => Date
  renderers: Readonly<Record<FeedFormat, Renderer>>
  /** The model inputs shared by every document: site, hub, ttl (ids come with each build). */
  modelBase: Omit<ModelInput, 'ids' | 'definition' | 'articles' | 'deletions' | 'document'>
}

export const elapsed = (since: bigint): number => Number(process.hrtime.bigint() - since) / 1e6

export const createPublisher = ({
  outputs,
  shelf,
  feedsDir,
  clock,
  renderers,
  modelBase,
}: PublisherOptions) => {
  /** Puts a new version where it belongs: archives on the shelf, the rest in memory and feeds/. */
  const put = async (output: RenderedOutput, shelved: boolean, report: Tally) => {
    if (shelved) {
      if (!shelf) throw new Error('archive documents need a shelf (publish/shelf.ts)')
      report.shelved.push(await shelf.put(output))
      return
    }
    const published = await withEncodings(output)
    await writeAtomically(fileFor(feedsDir, output.urlPath), output.body)
    outputs.put(published)
    report.published.push(published)
  }

  /** Publishes checked text unless its bytes are already served; false (and a failure) on error. */
  const publishText = async (
    fields: { urlPath: string; feedKey: string; format: OutputFormat; text: string; updated: Date },
    report: Tally,
    shelved = false,
  ): Promise<boolean> => {
    const started = process.hrtime.bigint()
    try {
      const output = makeOutput(fields)
      const previous = shelved ? shelf?.get(fields.urlPath) : outputs.get(fields.urlPath)
      if (previous?.etag === output.etag) {
        report.unchanged += 1
        return true
      }
      const lastModified = nextLastModified(fields.updated, previous?.lastModified, clock())
      await put({ ...output, lastModified }, shelved, report)
      return true
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error)
      report.failures.push({ feed: fields.urlPath, rule: 'publish', message })
      return false
    } finally {
      report.timings.publishMs += elapsed(started)
    }
  }

  const publishOne = async (
    model: FeedModel,
    format: FeedFormat,
    report: Tally,
  ): Promise<boolean> => {
    const urlPath = feedUrlPath(model.path, format)
    const fail = (rule: string, message: string): false => {
      report.failures.push({ feed: urlPath, rule, message })
      return false
    }
    let started = process.hrtime.bigint()
    let text: string
    try {
      text = renderers[format](model)
    } catch (error) {
      return fail('render', error instanceof Error ? error.message : String(error))
    } finally {
      report.timings.renderMs += elapsed(started)
    }
    started = process.hrtime.bigint()
    const problems = checkOutput(format, text, model)
    report.timings.checkMs += elapsed(started)
    if (problems.length > 0) {
      problems.forEach((p) => fail(p.rule, p.message))
      return false
    }
    const feedKey = model.key
    const fields = { urlPath, feedKey, format, text, updated: model.updated }
    return publishText(fields, report, model.archive)
  }

  /** Renders, checks and publishes every format of each planned document; false if any failed. */
  const publishDocuments = async (
    definition: FeedDefinition,
    planned: readonly PlannedDocument[],
    report: Tally,
    ids: IdScheme,
  ): Promise<boolean> => {
    let passed = true
    for (const { key, document, articles, deletions } of planned) {
      // Archives do not change with new articles: nothing to subscribe to, so no hub to advertise.
      const { hub, ...base } = modelBase
      const model = toFeedModel({
        ...base,
        ids,
        ...(hub && !document.archive && { hub }),
        definition: { ...definition, key },
        articles,
        deletions,
        document,
      })
      let formatsPassed = true
      for (const format of FORMAT_NAMES) {
        formatsPassed = (await publishOne(model, format, report)) && formatsPassed
      }
      // The page for people shows what the feed holds, so it follows only a feed that passed.
      if (formatsPassed) {
        const view = {
          urlPath: viewUrlPath(model.path),
          feedKey: model.key,
          format: 'html' as const,
        }
        const text = renderFeedPage(model)
        await publishText({ ...view, text, updated: model.updated }, report, model.archive)
      }
      passed &&= formatsPassed
    }
    return passed
  }

  return { publishText, publishDocuments }
}
